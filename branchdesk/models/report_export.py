"""A report is a titled table; this writes it as a spreadsheet (XLSX) or a printout (PDF)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import LongTable, Spacer, TableStyle

from branchdesk.i18n import _
from branchdesk.models.dates import format_date
from branchdesk.models.money import format_decimal, format_money
from branchdesk.models.pdf_common import (
    FONT,
    FONT_BOLD,
    MARGIN,
    RULE,
    SHADE,
    para,
    printable,
    register_fonts,
    render_document,
    styles,
)
from branchdesk.models.spreadsheet_safety import safe_cell

#: The size of table text and the padding either side of it in a cell (points).
CELL_SIZE, CELL_PADDING = 9, 6
#: How a column's values are shown: text, whole numbers, pence, dates, shares (0–1), hours.
KINDS = ("text", "int", "money", "date", "share", "hours")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"


@dataclass
class Report:
    """A table with a title, for screens, spreadsheets and printouts."""

    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    subtitle: str = ""

    def cell_text(self, row: dict, column: Column) -> str:
        """The value as a person reads it (£1,234.56, 31/10/2026, 75%)."""
        value = row.get(column.key)
        if value is None or value == "":
            return ""
        if column.kind == "money":
            return format_money(int(value))
        if column.kind == "date":
            return format_date(value)
        if column.kind == "share":
            return f"{(Decimal(value) * 100).quantize(Decimal(1))}%"
        if column.kind == "hours":
            return format_decimal(value, 2)
        return str(value)


def _xlsx_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    if kind in ("share", "hours"):
        return Decimal(value)
    if kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if kind == "int":
        return int(value)
    return safe_cell(str(value))


def write_report_xlsx(report: Report, path: Path) -> None:
    """The report as a one-sheet workbook: title, header row, then the rows as typed cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    sheet.append([safe_cell(report.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    if report.subtitle:
        sheet.append([safe_cell(report.subtitle)])
    sheet.append([])
    sheet.append([c.header for c in report.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([_xlsx_value(row.get(c.key), c.kind) for c in report.columns])
    for index, column in enumerate(report.columns, start=1):
        letter = get_column_letter(index)
        width = max([len(column.header)] + [len(report.cell_text(r, column)) for r in report.rows[:500]])
        sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
        for cell in sheet[letter][header_row:]:
            if column.kind == "money":
                cell.number_format = '"£"#,##0.00'
            elif column.kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif column.kind == "share":
                cell.number_format = "0%"
            elif column.kind == "hours":
                cell.number_format = "0.00"
            if column.kind in ("money", "int", "share", "hours"):
                cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    path = Path(path)
    temporary = path.with_name(path.name + ".part")
    book.save(temporary)
    temporary.replace(path)


def column_widths(report: Report, page_width: float) -> list[float]:
    """Widths that fill ``page_width``: each column as wide as its longest value where there is
    room (the narrowest first), never so narrow that a word of its header breaks."""
    register_fonts()
    padding = 2 * CELL_PADDING + 1
    fits, least = [], []
    for column in report.columns:
        shortest = max(stringWidth(word, FONT_BOLD, CELL_SIZE) for word in column.header.split() or [""]) + padding
        values = [stringWidth(printable(report.cell_text(row, column)), FONT, CELL_SIZE) + padding for row in report.rows]
        least.append(shortest)
        fits.append(max([shortest, stringWidth(column.header, FONT_BOLD, CELL_SIZE) + padding, *values]))
    if sum(fits) <= page_width:  # room to spare: the columns of words share it
        words = [n for n, c in enumerate(report.columns) if c.kind == "text"] or list(range(len(fits)))
        spare = (page_width - sum(fits)) / sum(fits[n] for n in words)
        return [w * (1 + spare) if n in words else w for n, w in enumerate(fits)]
    widths = list(least)
    waiting = sorted(range(len(fits)), key=lambda n: fits[n])
    while waiting:  # give each column its full width if an equal share of what is left allows it
        share = (page_width - sum(widths[n] for n in range(len(fits)) if n not in waiting)) / len(waiting)
        if fits[waiting[0]] > share:
            for n in waiting:
                widths[n] = max(share, least[n])
            break
        widths[waiting[0]] = fits[waiting[0]]
        waiting.pop(0)
    excess = sum(widths) - page_width
    slack = sum(w - low for w, low in zip(widths, least, strict=True))
    if excess > 0 and slack > 0:  # headers need more than an equal share: take it from the wider columns
        widths = [w - (w - low) * min(1, excess / slack) for w, low in zip(widths, least, strict=True)]
    if sum(widths) > page_width:  # so many columns that even their headers do not fit
        widths = [w * page_width / sum(widths) for w in widths]
    return widths


def render_report_pdf(report: Report, branch_name: str = "") -> bytes:
    """The report as an A4 landscape printout with the header row repeated on every page."""
    s = styles()
    numeric = {"money", "int", "share", "hours"}
    header = [para(c.header, "cell_bold_right" if c.kind in numeric else "cell_header") for c in report.columns]
    body = [
        [para(report.cell_text(row, c), "cell_right" if c.kind in numeric else "cell") for c in report.columns]
        for row in report.rows
    ]
    page_width = landscape(A4)[0] - 2 * MARGIN
    table = LongTable([header, *body], colWidths=column_widths(report, page_width), repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    story = [para(report.title, s["title"])]
    if report.subtitle:
        story.append(para(report.subtitle, "small"))
    story += [Spacer(1, 8), table]
    if not report.rows:
        story.append(para(_("Nothing to show."), "body"))
    footer = f"{branch_name} — {report.title}" if branch_name else report.title
    return render_document(story, title=report.title, footer_text=footer, pagesize=landscape(A4))
