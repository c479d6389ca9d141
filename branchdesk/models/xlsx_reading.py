"""Reading spreadsheets people send us, safely.

Before openpyxl sees a file we check that it really is an XLSX workbook (a zip holding
``xl/workbook.xml``), that it is not too large, and that it does not expand into far
more data than it holds (a "zip bomb"). The XML is parsed with defusedxml (openpyxl
uses it whenever it is installed), and rows are streamed, so memory stays bounded
however long a sheet is.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024  # small parts may compress very well; only large ones are suspicious
MAX_ROWS_PER_SHEET = 200_000
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls files and password-protected workbooks
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class SheetTooLong(BranchDeskError):
    """A sheet holds more rows than any real file of its kind would."""

    def __init__(self, sheet: str, limit: int):
        self.sheet, self.limit = sheet, limit
        super().__init__(_("The sheet “{sheet}” has more than {limit:,} rows, far more than a file of this kind holds. "
                           "Check that this is the right file.").format(sheet=sheet, limit=limit))


def normalise_header(value) -> str:
    """Header names compare case-insensitively, trimmed: `` Client Ref`` → ``client ref``."""
    return "" if value is None else str(value).strip().lower()


def _quoted(path: Path) -> str:
    return f"“{path.name}”"


def check_xlsx_file(path: Path) -> None:
    """Refuse, with a plain sentence, a file that is not a safe XLSX workbook."""
    path = Path(path)
    if not path.exists():
        raise BranchDeskError(_("There is no file {name}. Check the name and try again.").format(name=_quoted(path)))
    if path.is_dir():
        raise BranchDeskError(_("{name} is a folder, not a spreadsheet.").format(name=_quoted(path)))
    size = path.stat().st_size
    if size == 0:
        raise BranchDeskError(_("{name} is empty (0 bytes). Save the workbook again from your spreadsheet program.").format(name=_quoted(path)))
    if size > MAX_FILE_BYTES:
        raise BranchDeskError(_("{name} is {mb:,} MB, too large for a workbook of this kind (the limit is {limit} MB).").format(
            name=_quoted(path), mb=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(ZIP_SIGNATURE))
    except OSError as error:
        raise BranchDeskError(_("{name} cannot be read ({why}).").format(name=_quoted(path), why=error.strerror)) from None
    if head != ZIP_SIGNATURE:
        if head == OLE_SIGNATURE:
            raise BranchDeskError(_("{name} is an older Excel file (.xls) or a workbook protected by a password. Open it in your "
                                    "spreadsheet program and save it, without a password, as “Excel Workbook (.xlsx)”.").format(name=_quoted(path)))
        if _looks_like_text(path):
            raise BranchDeskError(_("{name} is a text file (perhaps a CSV), not an Excel workbook. "
                                    "Open it in your spreadsheet program and save it as “Excel Workbook (.xlsx)”.").format(name=_quoted(path)))
        raise BranchDeskError(_("{name} is not an Excel workbook (.xlsx). Save it as “Excel Workbook (.xlsx)” and try again.").format(name=_quoted(path)))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "xl/workbook.xml" not in names:
                raise BranchDeskError(_("{name} is a zip file but not an Excel workbook. "
                                        "Choose the .xlsx file itself.").format(name=_quoted(path)))
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
                    raise BranchDeskError(_("{name} expands to far more data than it holds, which real workbooks do not; "
                                            "it was not opened.").format(name=_quoted(path)))
            if total > MAX_UNCOMPRESSED_BYTES:
                raise BranchDeskError(_("{name} holds more than {limit} MB of data once unpacked, too much for a workbook "
                                        "of this kind; it was not opened.").format(name=_quoted(path), limit=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)))
    except zipfile.BadZipFile:
        raise BranchDeskError(_("{name} is damaged or is not an Excel workbook. Save it again as “Excel Workbook (.xlsx)”.").format(
            name=_quoted(path))) from None


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        sample = handle.read(4096)
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def assert_safe_xml_parser() -> None:
    """openpyxl must parse with defusedxml (no entity expansion, no external entities)."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise BranchDeskError(_("BranchDesk is missing its safe spreadsheet reader (defusedxml), so it will not open workbooks. "
                                "Reinstall BranchDesk."))


def cell_text(value) -> str:
    """A cell as trimmed text ('' for empty); whole-number floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


DIMENSION_TAG = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _size_from_the_top(worksheet) -> None:
    """Take a read-only sheet's size from the top of its XML.

    openpyxl reads the whole sheet to learn that a file states no size (as files written by
    scripts and some call-monitoring exports do not), which doubles the time a long sheet takes;
    the size is only a hint for reading the rows, so an unstated one is left unknown."""
    from openpyxl.utils.cell import range_boundaries

    with worksheet._get_source() as source:
        head = source.read(64 * 1024)
    match = DIMENSION_TAG.search(head)
    if match:
        worksheet._min_column, worksheet._min_row, worksheet._max_column, worksheet._max_row = range_boundaries(match.group(1).decode())


def _read_sizes_quickly() -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if hasattr(ReadOnlyWorksheet, "_get_size") and hasattr(ReadOnlyWorksheet, "_get_source"):
        ReadOnlyWorksheet._get_size = _size_from_the_top


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (read from its XML, streamed)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _with_formula_text(values: tuple, formulas: tuple | None) -> tuple:
    """A row's calculated values, with a formula's own text where no value was saved for it.

    Programs that write workbooks without calculating them (scripts, some exports) leave a
    formula with no value; text typed as ``=...`` then reaches us as written, not as nothing."""
    if not formulas:
        return values
    return tuple(
        formula if value is None and isinstance(formula, str) and formula.startswith("=") else value
        for value, formula in itertools.zip_longest(values, formulas)
    )


def _unreadable(file_name: str, error: Exception) -> BranchDeskError:
    return BranchDeskError(_("“{name}” could not be read as an Excel workbook ({why}). Save it again as "
                             "“Excel Workbook (.xlsx)”.").format(name=file_name, why=type(error).__name__))


def _readable(rows: Iterator, file_name: str) -> Iterator:
    """``rows`` as they are parsed; a sheet damaged (or booby-trapped) part-way through is refused plainly."""
    try:
        yield from rows
    except BranchDeskError:
        raise
    except Exception as error:  # openpyxl and defusedxml raise assorted errors for damaged or hostile XML
        raise _unreadable(file_name, error) from None


@dataclass
class Sheet:
    """One worksheet: its name as written, its header (normalised) and its data rows, streamed."""

    name: str
    _worksheet: object
    header: list[str] = field(default_factory=list)
    header_row: int = 1
    #: the same worksheet read for its formulas, when the workbook has any
    _formulas: object | None = None
    file_name: str = ""

    @property
    def columns(self) -> set[str]:
        return {h for h in self.header if h}

    def rows(self, limit: int = MAX_ROWS_PER_SHEET) -> Iterator[tuple[int, dict[str, object]]]:
        """``(row number, {column: value})`` for each non-blank data row after the header.

        Raises ``SheetTooLong`` once more than ``limit`` data rows have been seen.
        """
        count = 0
        start = self.header_row + 1
        rows = self._worksheet.iter_rows(min_row=start, values_only=True)
        if self._formulas is not None:
            formulas = self._formulas.iter_rows(min_row=start, values_only=True)
            rows = (_with_formula_text(values, texts) for values, texts in itertools.zip_longest(rows, formulas, fillvalue=()))
        for number, values in enumerate(_readable(rows, self.file_name), start=start):
            if all(is_blank(v) for v in values):
                continue
            count += 1
            if count > limit:
                raise SheetTooLong(self.name, limit)
            yield number, {name: values[i] if i < len(values) else None for i, name in enumerate(self.header) if name}


class XlsxBook:
    """An XLSX workbook opened read-only for streaming; use as a context manager."""

    def __init__(self, path: Path):
        import openpyxl

        self.path = Path(path)
        check_xlsx_file(self.path)
        assert_safe_xml_parser()
        _read_sizes_quickly()
        try:
            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            self._formula_book = (openpyxl.load_workbook(self.path, read_only=True, data_only=False)
                                  if has_formulas(self.path) else None)
        except Exception as error:  # openpyxl raises assorted errors for damaged parts
            raise BranchDeskError(_("{name} could not be read as an Excel workbook ({why}). Save it again as "
                                    "“Excel Workbook (.xlsx)”.").format(name=_quoted(self.path), why=type(error).__name__)) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames)

    def sheet(self, name: str) -> Sheet | None:
        """The sheet called ``name`` (case-insensitive, trimmed), or None."""
        wanted = normalise_header(name)
        for actual in self._book.sheetnames:
            if normalise_header(actual) == wanted:
                worksheet = self._book[actual]
                header: list[str] = []
                header_row = 1
                for number, values in enumerate(_readable(worksheet.iter_rows(min_row=1, max_row=20, values_only=True),
                                                          self.path.name), start=1):
                    if not all(is_blank(v) for v in values):
                        header = [normalise_header(v) for v in values]
                        header_row = number
                        break
                formulas = self._formula_book[actual] if self._formula_book is not None else None
                return Sheet(actual, worksheet, header, header_row, formulas, self.path.name)
        return None

    def close(self) -> None:
        self._book.close()
        if self._formula_book is not None:
            self._formula_book.close()

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_xlsx(path: Path | str) -> XlsxBook:
    """Check and open an XLSX workbook for streaming; ``BranchDeskError`` in plain words otherwise."""
    return XlsxBook(Path(path))
