"""Importing a visits file exported by a call-monitoring system (CSV or XLSX).

Every row is checked before anything is written; with any problem nothing is
imported and each problem names its row and column. Rows already imported (same
client, date, start and worker) are recognised, so importing a file twice adds
nothing. Files in another layout are read through a named column mapping saved once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from branchdesk.i18n import _, ngettext
from branchdesk.models.dates import format_date
from branchdesk.models.db import Store, now_stamp
from branchdesk.models.errors import BranchDeskError, NotFound, ValidationError
from branchdesk.models.import_report import ImportReport
from branchdesk.models.visits import (
    absolute_span,
    check_visit_values,
    match_key,
    overlapping,
)
from branchdesk.models.xlsx_reading import SheetTooLong, normalise_header, open_xlsx

#: The columns of a visits file (SPEC §8), in the order they are shown.
STANDARD_COLUMNS = ("client_ref", "worker_ref", "date", "planned_start", "actual_start", "actual_end", "duration_minutes", "status")
REQUIRED_COLUMNS = ("client_ref", "worker_ref", "date", "status")
#: At least one column of each pair must be present.
ONE_OF_COLUMNS = (("planned_start", "actual_start"), ("actual_end", "duration_minutes"))

COLUMN_LABELS = {
    "client_ref": _("Client ref"),
    "worker_ref": _("Worker ref"),
    "date": _("Date"),
    "planned_start": _("Planned start"),
    "actual_start": _("Actual start"),
    "actual_end": _("Actual end"),
    "duration_minutes": _("Duration (minutes)"),
    "status": _("Status"),
}

MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000
MAX_PROBLEMS = 1000
CHECK_EVERY = 5000
INSERT_BATCH = 10_000
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class VisitsFileError(BranchDeskError):
    """The file as a whole cannot be read as a visits file; ``row`` when one row is to blame."""

    def __init__(self, message: str, row: int | None = None):
        self.row = row
        super().__init__(message)


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass
class VisitsImportReport(ImportReport):
    """An import report that also says whether the user cancelled it."""

    cancelled: bool = False
    #: the first and last visit dates the file holds
    first_date: dt.date | None = None
    last_date: dt.date | None = None


def _quoted(path: Path) -> str:
    return f"“{path.name}”"


def column_key(header) -> str:
    """A file's header as a standard column name: ``Client Ref`` → ``client_ref``."""
    return normalise_header(header).replace(" ", "_").replace("-", "_")


#: Headings call-monitoring systems commonly use for our columns, offered first in the mapping
#: dialog (the manager still checks and confirms them).
LIKELY_HEADINGS = {
    "client_ref": ("service user id", "service user ref", "service user", "su ref", "client id", "client", "customer ref",
                   "customer id", "person id"),
    "worker_ref": ("carer code", "carer id", "carer ref", "carer", "worker id", "worker", "staff id", "staff code",
                   "employee id", "employee number"),
    "date": ("visit date", "date of visit", "scheduled date", "service date", "call date"),
    "planned_start": ("planned time", "planned start time", "scheduled start", "scheduled time", "scheduled", "rostered start",
                      "booked start"),
    "actual_start": ("actual start time", "check in", "checkin", "clock in", "time in", "arrival time", "arrived"),
    "actual_end": ("actual end time", "check out", "checkout", "clock out", "time out", "departure time", "left"),
    "duration_minutes": ("duration", "actual duration", "minutes", "mins", "actual minutes", "duration (mins)"),
    "status": ("visit status", "call status", "visit outcome", "outcome"),
}


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """Our column → the file's heading that most likely holds it: its own name first, then a common one."""
    suggested: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = column_key(header)
        if key in STANDARD_COLUMNS and key not in suggested:
            suggested[key] = header
            taken.add(header)
    for column, likely in LIKELY_HEADINGS.items():
        if column in suggested:
            continue
        for words in likely:
            header = next((h for h in headers if h not in taken and " ".join(normalise_header(h).replace("_", " ").split()) == words), None)
            if header is not None:
                suggested[column] = header
                taken.add(header)
                break
    return suggested


# -- reading the file -------------------------------------------------------------------
class _CountingReader(io.RawIOBase):
    """Counts the bytes read, so progress can be shown through a CSV file."""

    def __init__(self, raw):
        self.raw, self.done = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.done += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class VisitsFile:
    """A visits file opened for reading: its headers, which of our columns each is, and its rows."""

    path: Path
    kind: str
    sheet: str
    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ","
    size: int = 0
    bytes_done: int = 0

    @property
    def is_standard(self) -> bool:
        """True when the headers already name our columns (no mapping needed)."""
        return not self.missing

    def header_for(self, column: str) -> str:
        """The file's own header of one of our columns (for messages)."""
        index = self.columns.get(column)
        return self.headers[index] if index is not None else column

    def rows(self, limit: int | None = None) -> Iterator[tuple[int, list]]:
        """``(row number, cells)`` for each non-blank data row; the header is row 1.

        Raises ``VisitsFileError`` once more than ``limit`` (default ``MAX_ROWS``) rows were read.
        """
        limit = MAX_ROWS if limit is None else limit
        if self.kind == "xlsx":
            yield from self._xlsx_rows(limit)
        else:
            yield from self._csv_rows(limit)

    def preview(self, count: int = 5) -> list[list[str]]:
        """The first rows as text, for the column-mapping dialog."""
        shown = []
        for _number, cells in self.rows():
            shown.append([_preview_text(value) for value in cells])
            if len(shown) >= count:
                break
        return shown

    def _open_text(self):
        counting = _CountingReader(open(self.path, "rb"))  # noqa: SIM115 - closed by the TextIOWrapper
        return counting, io.TextIOWrapper(io.BufferedReader(counting, 1 << 16), encoding=self.encoding, newline="")

    def _csv_rows(self, limit: int) -> Iterator[tuple[int, list]]:
        counting, text = self._open_text()
        number, count = 1, 0
        try:
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            for number, cells in enumerate(reader, start=2):  # noqa: B007 - number is reported after the loop too
                self.bytes_done = counting.done
                if not any(cell.strip() for cell in cells):
                    continue
                count += 1
                if count > limit:
                    raise VisitsFileError(_too_many_rows(limit))
                yield number, cells
        except csv.Error as error:
            if "field larger" in str(error):
                raise VisitsFileError(_("Row {row} has a cell longer than {limit:,} characters, which no visits file has. "
                                        "Check that this is the right file.").format(row=number + 1, limit=csv.field_size_limit()),
                                      row=number + 1) from None
            raise VisitsFileError(_("{name} could not be read as CSV after row {row}: it does not look like a text file. "
                                    "Export the visits again as CSV.").format(name=_quoted(self.path), row=number), row=number + 1) from None
        except UnicodeDecodeError:
            raise VisitsFileError(_("{name} holds characters that are neither UTF-8 nor Windows text after row {row}. "
                                    "Export the visits again as CSV (UTF-8).").format(name=_quoted(self.path), row=number)) from None
        finally:
            text.close()

    def _xlsx_rows(self, limit: int) -> Iterator[tuple[int, list]]:
        with open_xlsx(self.path) as book:
            sheet = book.sheet(self.sheet)
            names = [h for h in sheet.header]
            try:
                for number, values in sheet.rows(limit=limit):
                    yield number, [values.get(name) for name in names]
            except SheetTooLong:
                raise VisitsFileError(_too_many_rows(limit)) from None


def _too_many_rows(limit: int) -> str:
    return _("The file has more than {limit:,} visit rows, more than BranchDesk imports at once. "
             "Export a shorter period from the call-monitoring system (for example one month) and import each file.").format(limit=limit)


def _preview_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time(0) else format_date(value.date())
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\n", " ")


def _detect_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with its mark, else Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return b"\x00" in head or control > len(head) // 100


def _sniff_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _resolve_columns(visits_file: VisitsFile, mapping: dict[str, str] | None) -> None:
    """Which file column holds each of our columns; ``missing`` lists what cannot be found."""
    found: dict[str, int] = {}
    if mapping:
        by_header = {normalise_header(h): i for i, h in enumerate(visits_file.headers) if normalise_header(h)}
        for column, header in mapping.items():
            if column in STANDARD_COLUMNS and header and normalise_header(header) in by_header:
                found[column] = by_header[normalise_header(header)]
    else:
        for index, header in enumerate(visits_file.headers):
            key = column_key(header)
            if key in STANDARD_COLUMNS and key not in found:
                found[key] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    for pair in ONE_OF_COLUMNS:
        if not any(c in found for c in pair):
            missing.append(pair[0])
    visits_file.columns, visits_file.missing = found, missing


def read_visits_file(path: str | Path, mapping: dict[str, str] | None = None) -> VisitsFile:
    """Open a visits file and read its header; rows are streamed later by ``rows()``.

    ``mapping`` maps our columns to the file's headers (``{"date": "Visit Date"}``).
    Raises ``VisitsFileError`` in plain words for a file that cannot be a visits file.
    """
    path = Path(path)
    if not path.exists():
        raise VisitsFileError(_("There is no file {name}. Check the name and try again.").format(name=_quoted(path)))
    if path.is_dir():
        raise VisitsFileError(_("{name} is a folder, not a visits file.").format(name=_quoted(path)))
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise VisitsFileError(_("{name} cannot be read ({why}).").format(name=_quoted(path), why=error.strerror)) from None
    if size == 0:
        raise VisitsFileError(_("{name} is empty (0 bytes). Export the visits again from the call-monitoring system.").format(name=_quoted(path)))
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and head.startswith(b"PK\x03\x04")):
        return _read_xlsx_header(path, mapping)
    if head.startswith(b"PK\x03\x04"):
        raise VisitsFileError(_("{name} is an Excel workbook saved with a .csv name. Rename it to end in .xlsx, "
                                "or save it as CSV from your spreadsheet program.").format(name=_quoted(path)))
    if _looks_binary(head):
        raise VisitsFileError(_("{name} is not a text (CSV) file: it holds binary data. "
                                "Export the visits again as CSV or as an Excel workbook.").format(name=_quoted(path)))
    if size > MAX_CSV_BYTES:
        raise VisitsFileError(_("{name} is {mb:,} MB, larger than any month of visits (the limit is {limit} MB). "
                                "Export a shorter period and import each file.").format(
            name=_quoted(path), mb=size // (1024 * 1024), limit=MAX_CSV_BYTES // (1024 * 1024)))
    encoding = _detect_encoding(path, head)
    visits_file = VisitsFile(path, "csv", path.name, [], encoding=encoding, size=size)
    _counting, text = visits_file._open_text()
    try:
        first_line = text.readline(1 << 16)
        visits_file.delimiter = _sniff_delimiter(first_line)
        header = next(csv.reader(itertools.chain([first_line], text), delimiter=visits_file.delimiter), [])
    except (UnicodeDecodeError, csv.Error):
        raise VisitsFileError(_("The first row of {name} cannot be read as column headings. "
                                "Export the visits again as CSV.").format(name=_quoted(path))) from None
    finally:
        text.close()
    visits_file.headers = [h.strip() for h in header]
    if not any(visits_file.headers):
        raise VisitsFileError(_("{name} has no column headings in its first row. The first row must name the columns "
                                "(client_ref, worker_ref, date, …).").format(name=_quoted(path)))
    _resolve_columns(visits_file, mapping)
    return visits_file


def _read_xlsx_header(path: Path, mapping: dict[str, str] | None) -> VisitsFile:
    with open_xlsx(path) as book:
        names = book.sheet_names
        if not names:
            raise VisitsFileError(_("{name} has no sheets.").format(name=_quoted(path)))
        sheet = book.sheet(names[0])
        if not sheet.columns:
            raise VisitsFileError(_("{name} is empty: its first sheet “{sheet}” has no column headings. "
                                    "Export the visits again.").format(name=_quoted(path), sheet=sheet.name))
        visits_file = VisitsFile(path, "xlsx", sheet.name, list(sheet.header), size=path.stat().st_size)
    _resolve_columns(visits_file, mapping)
    return visits_file


# -- saved column mappings ----------------------------------------------------------------
def save_mapping(store: Store, name: str, mapping: dict[str, str]) -> None:
    """Remember a column mapping by name (replacing one of the same name); audited."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the mapping a name, such as the call-monitoring system's name."))
    cleaned = {column: str(header).strip() for column, header in mapping.items() if column in STANDARD_COLUMNS and str(header or "").strip()}
    missing = [c for c in REQUIRED_COLUMNS if c not in cleaned]
    missing += [pair[0] for pair in ONE_OF_COLUMNS if not any(c in cleaned for c in pair)]
    if missing:
        raise ValidationError(_("Choose a column for: {columns}.").format(columns=", ".join(COLUMN_LABELS[c] for c in missing)))
    old = get_mapping(store, name) if name in list_mappings(store) else None
    with store.transaction():
        store.conn.execute(
            "INSERT INTO import_mappings (name, mapping, saved_on) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET mapping = excluded.mapping, saved_on = excluded.saved_on",
            (name, json.dumps(cleaned, ensure_ascii=False, sort_keys=True), now_stamp()),
        )
        store.audit("update" if old else "create", "import_mapping", None,
                    _("Column mapping “{name}” saved").format(name=name), old=old, new=cleaned)


def list_mappings(store: Store) -> list[str]:
    """Names of the saved column mappings, alphabetically."""
    return [row["name"] for row in store.rows("SELECT name FROM import_mappings ORDER BY name COLLATE NOCASE")]


def get_mapping(store: Store, name: str) -> dict[str, str]:
    """A saved column mapping (our column → the file's header)."""
    text = store.value("SELECT mapping FROM import_mappings WHERE name = ?", ((name or "").strip(),))
    if text is None:
        known = list_mappings(store)
        hint = _("Saved mappings: {names}.").format(names=", ".join(known)) if known else _("No mappings have been saved yet.")
        raise NotFound(_("There is no saved column mapping called “{name}”. {hint}").format(name=name, hint=hint))
    return json.loads(text)


def mapping_fits(visits_file: VisitsFile, mapping: dict[str, str]) -> bool:
    """True when every header a mapping names is in the file."""
    headers = {normalise_header(h) for h in visits_file.headers}
    return all(normalise_header(h) in headers for h in mapping.values())


# -- checking and importing ---------------------------------------------------------------
_VALUE_COLUMNS = ("date", "planned_start", "actual_start", "actual_end", "duration_minutes", "status")


def _ref(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Checker:
    """Collects problems, up to a limit, with the file's own column names."""

    def __init__(self, report: VisitsImportReport, visits_file: VisitsFile):
        self.report, self.file, self.more = report, visits_file, 0

    def add(self, row: int | None, column: str, message: str) -> None:
        if len(self.report.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        header = self.file.header_for(column) if column in STANDARD_COLUMNS else column
        if column in STANDARD_COLUMNS and column not in self.file.columns:
            for pair in ONE_OF_COLUMNS:
                if column in pair:
                    header = next((self.file.header_for(c) for c in pair if c in self.file.columns), column)
        self.report.problem(self.file.sheet, row, header, message)

    def finish(self) -> None:
        if self.more:
            self.report.problem(self.file.sheet, None, "", _("…and {n:,} more problems not listed. Correct the ones above and check the file again.").format(n=self.more))


def import_visits_file(
    store: Store,
    path: str | Path,
    mapping_name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    abort: Callable[[], bool] | None = None,
    mapping: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> VisitsImportReport:
    """Check a whole visits file, then (unless ``dry_run``) import its new visits in one transaction.

    With any problem nothing is written and the report lists every problem (row and
    column). Visits already recorded are left as they are, unless the file corrects an
    imported one; visits corrected by hand are never overwritten. ``abort()`` is checked
    while checking and before the commit; a cancelled import leaves the file unchanged.
    """
    path = Path(path)
    report = VisitsImportReport()
    progress = progress or (lambda done, total, text="": None)
    abort = abort or (lambda: False)
    today = today or dt.date.today()
    if mapping_name:
        try:
            mapping = get_mapping(store, mapping_name)
        except NotFound as error:
            report.problem(path.name, None, "", str(error))
            return report
    try:
        visits_file = read_visits_file(path, mapping)
    except BranchDeskError as error:
        report.problem(path.name, None, "", str(error))
        return report
    if visits_file.missing:
        for column in visits_file.missing:
            pair = next((p for p in ONE_OF_COLUMNS if column in p), None)
            if mapping:
                message = _("The mapping gives no column of this file for {column}.").format(column=COLUMN_LABELS[column])
            elif pair:
                message = _("The file needs a column “{a}” or “{b}”.").format(a=pair[0], b=pair[1])
            else:
                message = _("The file has no column “{column}”.").format(column=column)
            report.problem(visits_file.sheet, 1, column, message + " " + _("The columns it has are: {headers}.").format(
                headers=", ".join(h for h in visits_file.headers if h)))
        return report

    try:
        parsed = _check_rows(store, visits_file, report, progress, abort, today)
        if not parsed and not report.problems:
            report.problem(visits_file.sheet, None, "", _("The file has column headings but no visits. Export the visits again."))
        if not parsed:
            return report
        plan = _compare_with_stored(store, visits_file, parsed, report, progress, abort)
        if report.problems or dry_run:
            return report
        _write(store, visits_file, plan, report, progress, abort)
    except ImportCancelled:
        report.cancelled = True
        report.applied = False
    return report


def _check_rows(store, visits_file, report, progress, abort, today) -> list[tuple]:
    """Each row read and checked on its own; returns the rows as values to store."""
    clients = {row["ref"]: row["id"] for row in store.rows("SELECT ref, id FROM clients")}
    workers = {row["ref"]: row["id"] for row in store.rows("SELECT ref, id FROM workers")}
    columns = visits_file.columns
    field_index = {name: columns.get(name) for name in _VALUE_COLUMNS}
    client_index, worker_index = columns["client_ref"], columns["worker_ref"]
    checker = _Checker(report, visits_file)
    parsed: list[tuple] = []
    checked = 0
    try:
        for number, cells in visits_file.rows():
            width = len(cells)
            raw = {name: (cells[i] if i is not None and i < width else None) for name, i in field_index.items()}
            values, found = check_visit_values(raw, today)
            for column, message in found:
                checker.add(number, column, message)
            client_ref = _ref(cells[client_index] if client_index < width else None)
            worker_ref = _ref(cells[worker_index] if worker_index < width else None)
            client_id = clients.get(client_ref)
            worker_id = workers.get(worker_ref) if worker_ref else None
            if not client_ref:
                checker.add(number, "client_ref", _("The client ref is missing."))
            elif client_id is None:
                checker.add(number, "client_ref", _("There is no client with the ref “{ref}”. Add the client first, or correct the ref.").format(ref=client_ref))
            if worker_ref and worker_id is None:
                checker.add(number, "worker_ref", _("There is no worker with the ref “{ref}”. Add the worker first, or correct the ref.").format(ref=worker_ref))
            elif not worker_ref and values["status"] == "completed":
                checker.add(number, "worker_ref", _("The worker ref is missing; a completed visit needs its worker."))
            if not found and client_id is not None and (worker_id is not None or not worker_ref):
                start = values["planned_start"] or values["actual_start"]
                parsed.append((number, client_id, worker_id, values["visit_date"], values["planned_start"], values["actual_start"],
                               values["actual_end"], values["minutes"], values["status"],
                               match_key(client_id, values["visit_date"], start, None, worker_id)))
            checked += 1
            if checked % CHECK_EVERY == 0:
                if abort():
                    raise ImportCancelled
                _report_reading(visits_file, checked, progress)
    except VisitsFileError as error:
        checker.add(error.row, "", str(error))
    checker.finish()
    return parsed


def _report_reading(visits_file: VisitsFile, checked: int, progress) -> None:
    text = _("Checking row {n:,}…").format(n=checked)
    if visits_file.kind == "csv" and visits_file.size:
        progress(int(70 * visits_file.bytes_done / visits_file.size), 100, text)
    else:
        progress(0, 0, text)


# Indexes into a parsed row.
_ROW, _CLIENT, _WORKER, _DATE, _PLANNED, _START, _END, _MINUTES, _STATUS, _KEY = range(10)
_STORED_COLUMNS = "id, client_id, worker_id, visit_date, planned_start, actual_start, actual_end, minutes, status, match_key, source"


@dataclass
class _Plan:
    inserts: list[tuple] = field(default_factory=list)
    updates: list[tuple[tuple, object]] = field(default_factory=list)


def _same(row: tuple, stored) -> bool:
    return (row[_WORKER], row[_PLANNED], row[_START], row[_END], row[_MINUTES], row[_STATUS]) == (
        stored["worker_id"], stored["planned_start"], stored["actual_start"], stored["actual_end"], stored["minutes"], stored["status"])


def _compare_with_stored(store, visits_file, parsed, report, progress, abort) -> _Plan:
    """Split the rows into new visits, corrections and visits already recorded; refuse clashes."""
    checker = _Checker(report, visits_file)
    progress(72, 100, _("Comparing with the visits already recorded…"))
    first_row: dict[str, tuple] = {}
    unique = []
    for row in parsed:
        earlier = first_row.get(row[_KEY])
        if earlier is None:
            first_row[row[_KEY]] = row
            unique.append(row)
        elif earlier[1:_KEY] != row[1:_KEY]:
            checker.add(row[_ROW], "planned_start", _(
                "Row {other} has the same client, date, start and worker but different details. Keep one of the two rows."
            ).format(other=earlier[_ROW]))
        else:
            report.count("unchanged", "visits")
            report.details.append(_("Row {row} repeats row {other}; it was counted once.").format(row=row[_ROW], other=earlier[_ROW]))
    if abort():
        raise ImportCancelled
    dates = [row[_DATE] for row in unique]
    report.first_date, report.last_date = dt.date.fromisoformat(min(dates)), dt.date.fromisoformat(max(dates))
    report.details.append(_("The file's visits run from {first} to {last}.").format(
        first=format_date(report.first_date), last=format_date(report.last_date)))
    first = (dt.date.fromisoformat(min(dates)) - dt.timedelta(days=1)).isoformat()
    last = (dt.date.fromisoformat(max(dates)) + dt.timedelta(days=1)).isoformat()
    stored_by_key = {row["match_key"]: row for row in store.rows(
        f"SELECT {_STORED_COLUMNS} FROM visits WHERE visit_date BETWEEN ? AND ?", (first, last))}
    plan = _Plan()
    busy = []  # (worker, start, end, tag) of every completed visit as it would be after the import
    kept_by_hand = 0
    for row in unique:
        stored = stored_by_key.pop(row[_KEY], None)
        if stored is None:
            plan.inserts.append(row)
        elif stored["source"] == "manual":
            kept_by_hand += 1
            report.count("unchanged", "visits")
            busy_row = (row[_ROW], stored["client_id"], stored["worker_id"], stored["visit_date"], stored["planned_start"],
                        stored["actual_start"], stored["actual_end"], stored["minutes"], stored["status"], stored["match_key"])
            _add_busy(busy, busy_row, ("file", row[_ROW]))
            continue
        elif _same(row, stored):
            report.count("unchanged", "visits")
        else:
            plan.updates.append((row, stored))
        _add_busy(busy, row, ("file", row[_ROW]))
    workers = {row[_WORKER] for row in unique if row[_WORKER] is not None}
    others = {}
    for stored in stored_by_key.values():
        if stored["worker_id"] in workers:
            others[stored["id"]] = stored
            stored_row = (None, stored["client_id"], stored["worker_id"], stored["visit_date"], stored["planned_start"],
                          stored["actual_start"], stored["actual_end"], stored["minutes"], stored["status"], stored["match_key"])
            _add_busy(busy, stored_row, ("stored", stored["id"]))
    if abort():
        raise ImportCancelled
    _report_overlaps(store, busy, {row[_ROW]: row for row in unique}, others, checker)
    if kept_by_hand:
        report.details.append(ngettext("{n:,} visit corrected by hand was kept as corrected.", "{n:,} visits corrected by hand were kept as corrected.", kept_by_hand).format(n=kept_by_hand))
    checker.finish()
    report.count("added", "visits", len(plan.inserts))
    report.count("changed", "visits", len(plan.updates))
    return plan


def _add_busy(busy: list, row: tuple, tag) -> None:
    start = row[_START] or row[_PLANNED]
    if row[_STATUS] == "completed" and start and row[_MINUTES] and row[_WORKER] is not None:
        begin, end = absolute_span(row[_DATE], start, row[_MINUTES])
        busy.append((row[_WORKER], begin, end, tag))


def _span_text(row_or_stored, is_row: bool) -> str:
    if is_row:
        start, minutes, day = row_or_stored[_START] or row_or_stored[_PLANNED], row_or_stored[_MINUTES], row_or_stored[_DATE]
    else:
        start, minutes, day = row_or_stored["actual_start"] or row_or_stored["planned_start"], row_or_stored["minutes"], row_or_stored["visit_date"]
    total = (int(start[:2]) * 60 + int(start[3:]) + minutes) % (24 * 60)
    return _("{start}–{end} on {date}").format(start=start, end=f"{total // 60:02d}:{total % 60:02d}", date=format_date(day))


def _report_overlaps(store, busy, rows_by_number, others, checker) -> None:
    names = {row["id"]: row["ref"] for row in store.rows("SELECT id, ref FROM workers")}
    clients = {row["id"]: row["ref"] for row in store.rows("SELECT id, ref FROM clients")}
    worker_of = {}
    for worker, _begin, _end, tag in busy:
        worker_of[tag] = worker
    for earlier, later in overlapping(busy):
        if earlier[0] == "stored" and later[0] == "stored":
            continue
        here, there = (later, earlier) if later[0] == "file" else (earlier, later)
        row = rows_by_number[here[1]]
        worker = names.get(worker_of[here], "")
        if there[0] == "file":
            other = rows_by_number[there[1]]
            where = _("{span} at row {row} (client {client})").format(span=_span_text(other, True), row=there[1], client=clients.get(other[_CLIENT], ""))
        else:
            other = others[there[1]]
            where = _("{span} in a visit already recorded (client {client})").format(span=_span_text(other, False), client=clients.get(other["client_id"], ""))
        checker.add(here[1], "actual_start", _("Worker {worker} would be at two visits at once: {span} here and {where}.").format(
            worker=worker, span=_span_text(row, True), where=where))


def _write(store: Store, visits_file: VisitsFile, plan: _Plan, report: VisitsImportReport, progress, abort) -> None:
    """All new visits and corrections in one transaction; an abort before the commit rolls back."""
    total = len(plan.inserts) + len(plan.updates)
    with store.transaction():
        done = 0
        for start in range(0, len(plan.inserts), INSERT_BATCH):
            batch = plan.inserts[start:start + INSERT_BATCH]
            store.conn.executemany(
                "INSERT INTO visits (client_id, worker_id, visit_date, planned_start, actual_start, actual_end, minutes, status, source, match_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?)",
                [row[_CLIENT:_KEY] + (row[_KEY],) for row in batch],
            )
            done += len(batch)
            progress(75 + int(25 * done / max(total, 1)), 100, _("Saving visit {n:,} of {total:,}…").format(n=done, total=total))
            if abort():
                raise ImportCancelled
        for row, stored in plan.updates:
            new = {"worker_id": row[_WORKER], "planned_start": row[_PLANNED], "actual_start": row[_START],
                   "actual_end": row[_END], "minutes": row[_MINUTES], "status": row[_STATUS]}
            old = {key: stored[key] for key in new}
            store.db["visits"].update(stored["id"], new)
            store.audit("update", "visit", stored["id"], _("Visit on {date} corrected by the import of {name}").format(
                date=format_date(stored["visit_date"]), name=visits_file.path.name), old=old, new=new, client_id=stored["client_id"])
        if plan.inserts:
            store.audit("create", "visit", None, _("{n:,} visits imported from {name}").format(n=len(plan.inserts), name=visits_file.path.name),
                        new={"file": visits_file.path.name, "added": len(plan.inserts), "changed": len(plan.updates)})
        if abort():
            raise ImportCancelled
    report.applied = True
    progress(100, 100, _("Imported."))
