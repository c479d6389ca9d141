"""The ideal-week sheet (SPEC §7): the person's week for their home folder, in large print.

A4 landscape: the days of the week across, each part of the day as a band down the page,
and in each cell who comes and what for — paid visits, family, friends, community groups
and technology. Every piece of text is at least 14 pt, user text is escaped, and the
wording is plain English ("8:30am", "45 minutes", "To help you …").
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from branchdesk.i18n import _
from branchdesk.models.branch import get_branch
from branchdesk.models.dates import format_date
from branchdesk.models.db import Store
from branchdesk.models.ideal_week import (
    DAY_NAMES,
    KIND_LABELS,
    PART_LABELS,
    PlanItem,
    get_version,
    list_items,
    list_versions,
    planned_hours,
    replaced_on,
)
from branchdesk.models.pdf_common import FONT, FONT_BOLD, escape, fitted, printable, register_fonts
from branchdesk.models.schema import PARTS_OF_DAY

PAGE = landscape(A4)
MARGIN = 11 * mm
FOOT = 15 * mm
#: The smallest text anywhere on the sheet (SPEC §7: at least 14 pt).
SMALLEST = 14
HEADER_SIZE = 15
TITLE_SIZE = 24

INK = colors.HexColor("#111111")
BAND = colors.HexColor("#dde6f0")
HEAD = colors.HexColor("#1f3a5f")
LINE = colors.HexColor("#7a8797")
#: A light tint per kind, so carers' visits stand apart from family and community help.
KIND_TINTS = {
    "paid_visit": colors.HexColor("#ffffff"),
    "family": colors.HexColor("#fdf1dc"),
    "friend": colors.HexColor("#fdf1dc"),
    "community": colors.HexColor("#e3f3e3"),
    "technology": colors.HexColor("#ece6f5"),
    "other": colors.HexColor("#f0f0f0"),
}
#: What a cell says before the helper's name.
KIND_HEADINGS = {
    "paid_visit": _("Care worker"),
    "family": _("Family"),
    "friend": _("Friend"),
    "community": _("Community"),
    "technology": _("Technology"),
    "other": _("Other help"),
}


@dataclass(frozen=True)
class Sheet:
    """What the sheet shows, read from the file."""

    client_name: str
    effective_date: dt.date
    until: dt.date | None
    agreed_with: str
    agreed_on: dt.date | None
    items: list[PlanItem]
    branch: dict


def sheet_for(store: Store, ideal_week_id: int) -> Sheet:
    week = get_version(store, ideal_week_id)
    name = store.value("SELECT name FROM clients WHERE id = ?", (week.client_id,)) or ""
    end = replaced_on(list_versions(store, week.client_id), week)
    return Sheet(name, week.effective_date, end - dt.timedelta(days=1) if end else None, week.agreed_with,
                 week.agreed_on, list_items(store, ideal_week_id), get_branch(store))


def plain_time(hhmm: str | None) -> str:
    """``08:30`` → ``8:30am``; ``09:00`` → ``9am``; ``12:00`` → ``12 noon``; ``00:00`` → ``midnight``."""
    if not hhmm or not re.match(r"^\d{2}:\d{2}$", hhmm):
        return ""
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    if (hour, minute) == (12, 0):
        return _("12 noon")
    if (hour, minute) == (0, 0):
        return _("midnight")
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def plain_minutes(minutes: int | None) -> str:
    """``45 minutes``, ``1 hour``, ``1 hour 30 minutes``."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("1 hour") if hours == 1 else _("{n} hours").format(n=hours))
    if rest:
        parts.append(_("{n} minutes").format(n=rest))
    return " ".join(parts)


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("sheet_body", fontName=FONT, fontSize=SMALLEST, leading=SMALLEST * 1.22, textColor=INK)
    return {
        "body": body,
        "bold": ParagraphStyle("sheet_bold", parent=body, fontName=FONT_BOLD),
        "title": ParagraphStyle("sheet_title", parent=body, fontName=FONT_BOLD, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.2),
        "intro": ParagraphStyle("sheet_intro", parent=body, fontSize=16, leading=20),
        "day": ParagraphStyle("sheet_day", parent=body, fontName=FONT_BOLD, fontSize=HEADER_SIZE, leading=HEADER_SIZE * 1.2,
                              textColor=colors.white, alignment=1),
        "band": ParagraphStyle("sheet_band", parent=body, fontName=FONT_BOLD, fontSize=HEADER_SIZE, leading=HEADER_SIZE * 1.2),
    }


def first_names(items: list[PlanItem]) -> dict[str, str]:
    """How each preferred worker is named on the sheet: the first name, unless two workers of
    the plan share it (then the full name)."""
    names = {name for item in items for name in item.worker_names}
    firsts: dict[str, set[str]] = {}
    for name in names:
        firsts.setdefault(name.split()[0] if name.split() else name, set()).add(name)
    shown = {}
    for first, full in firsts.items():
        for name in full:
            shown[name] = first if len(full) == 1 else name
    return shown


def item_lines(item: PlanItem, names: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """The heading and the lines of text shown for one item (plain text, not yet escaped)."""
    names = names or {}
    when = plain_time(item.approx_time)
    kind = KIND_HEADINGS.get(item.kind, KIND_LABELS.get(item.kind, ""))
    lines = []
    if item.is_paid:
        heading = when or KIND_LABELS["paid_visit"]
        if item.purpose:
            lines.append(item.purpose)
        workers = [names.get(name, name) for name in item.worker_names]
        length = plain_minutes(item.minutes)
        if len(workers) > 1:
            lines.append(_("{names} come for {length}").format(names=_(" or ").join(workers), length=length))
        elif workers:
            lines.append(_("{name} comes for {length}").format(name=workers[0], length=length))
        else:
            lines.append(_("A care worker comes for {length}").format(length=length))
        if item.who:
            lines.append(item.who)
    else:
        heading = when or kind
        lines.append(_("{kind}: {who}").format(kind=kind, who=item.who) if when and item.who else (item.who or (kind if when else "")))
        if item.purpose:
            lines.append(item.purpose)
    return heading, [line for line in lines if line]


def _cell(items: list[PlanItem], styles, names: dict[str, str]) -> list:
    flowables: list = []
    for index, item in enumerate(items):
        heading, lines = item_lines(item, names)
        if index:
            flowables.append(Spacer(1, 7))
        first = f"<b>{escape(heading)}</b>"
        if lines:
            first += " " + escape(lines[0])
        flowables.append(Paragraph(first, styles["body"]))
        flowables += [Paragraph(escape(line), styles["body"]) for line in lines[1:]]
    return flowables


def _grid(sheet: Sheet, styles, width: float, split_cells: bool = False, only_used: bool = False) -> Table:
    """Days across; for each part of the day a heading band, then a row of cells.

    A part of the day stays whole on one page; only when it is taller than a page
    (``split_cells``) do its cells continue on the next.
    """
    column = width / 7
    rows: list[list] = [[Paragraph(escape(name), styles["day"]) for name in DAY_NAMES]]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("GRID", (0, 0), (-1, -1), 0.8, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    names = first_names(sheet.items)
    by_cell: dict[tuple[int, str], list[PlanItem]] = {}
    for item in sheet.items:
        by_cell.setdefault((item.day, item.part_of_day), []).append(item)
    used = {item.part_of_day for item in sheet.items}
    for part in PARTS_OF_DAY:
        if only_used and part not in used:
            continue
        band = len(rows)
        rows.append([Paragraph(escape(PART_LABELS[part]), styles["band"])] + [""] * 6)
        commands += [("SPAN", (0, band), (-1, band)), ("BACKGROUND", (0, band), (-1, band), BAND),
                     ("TOPPADDING", (0, band), (-1, band), 2), ("BOTTOMPADDING", (0, band), (-1, band), 3)]
        if not split_cells:
            commands.append(("NOSPLIT", (0, band), (-1, band + 1)))
        cells = []
        for day in range(7):
            items = by_cell.get((day, part), [])
            cells.append(_cell(items, styles, names) or "")
            if len(items) == 1 or (items and len({i.kind for i in items}) == 1):
                commands.append(("BACKGROUND", (day, band + 1), (day, band + 1), KIND_TINTS.get(items[0].kind, colors.white)))
        rows.append(cells)
    table = Table(rows, colWidths=[column] * 7, repeatRows=1, splitInRow=1 if split_cells else 0)
    table.setStyle(TableStyle(commands))
    return table


def _intro(sheet: Sheet, styles) -> list:
    story: list = [Paragraph(escape(_("Your week: {name}").format(name=sheet.client_name)), styles["title"])]
    if sheet.until:
        dates = _("This plan was for {first} to {last}.").format(first=format_date(sheet.effective_date),
                                                                 last=format_date(sheet.until))
    else:
        dates = _("This plan starts on {day}.").format(day=format_date(sheet.effective_date))
    if sheet.agreed_with and sheet.agreed_on:
        dates += " " + _("We agreed it with {who} on {day}.").format(who=sheet.agreed_with, day=format_date(sheet.agreed_on))
    elif sheet.agreed_with:
        dates += " " + _("We agreed it with {who}.").format(who=sheet.agreed_with)
    elif sheet.agreed_on:
        dates += " " + _("We agreed it on {day}.").format(day=format_date(sheet.agreed_on))
    hours = planned_hours(sheet.items)
    if hours:
        shown = plain_hours(hours)
        text = _("Care workers visit for about 1 hour a week.") if shown == "1" else _(
            "Care workers visit for about {hours} hours a week.").format(hours=shown)
        dates += " " + text
    story += [Paragraph(escape(dates), styles["intro"]), Spacer(1, 6)]
    return story


def plain_hours(hours: Decimal) -> str:
    """Hours to the nearest quarter, with fractions: ``10``, ``10½``, ``15¾``, ``¼``."""
    quarters = int((hours * 4).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, rest = divmod(quarters, 4)
    fraction = ("", "¼", "½", "¾")[rest]
    return f"{whole}{fraction}" if whole else (fraction or "0")


def _closing(sheet: Sheet, styles) -> list:
    branch = sheet.branch
    name = branch.get("name") or ""
    phone = branch.get("phone") or ""
    if phone:
        text = _("Times are approximate. To change a visit, or if nobody has come, call {branch} on {phone}.").format(
            branch=name, phone=phone)
    else:
        text = _("Times are approximate. To change a visit, or if nobody has come, call {branch}.").format(branch=name)
    return [Spacer(1, 10), Paragraph(escape(text), styles["intro"])]


def _canvas_class(footer: str) -> type[Canvas]:
    """A canvas writing the person's name and "Page N of M" at 14 pt at the foot of each page."""
    footer = printable(footer)

    class SheetCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._foot(total)
                super().showPage()
            super().save()

        def _foot(self, total: int) -> None:
            width, _height = PAGE
            page = _("Page {n} of {m}").format(n=self._pageNumber, m=total)
            self.saveState()
            self.setFillColor(INK)
            self.setFont(FONT, SMALLEST)
            y = 7 * mm
            self.drawRightString(width - MARGIN, y, page)
            room = width - 2 * MARGIN - self.stringWidth(page, FONT, SMALLEST) - 10 * mm
            text, _size = fitted(self, footer, FONT, SMALLEST, room)
            if _size < SMALLEST:  # never shrink below large print: shorten instead
                text = footer
                while text and self.stringWidth(text + "…", FONT, SMALLEST) > room:
                    text = text[:-1]
                text += "…"
            self.setFont(FONT, SMALLEST)
            self.drawString(MARGIN, y, text)
            self.restoreState()

    return SheetCanvas


def render_ideal_week_pdf(store: Store, ideal_week_id: int) -> bytes:
    """The ideal-week sheet of one version of the plan, as PDF bytes (reproducible)."""
    sheet = sheet_for(store, ideal_week_id)
    try:
        pdf = _render(sheet, split_cells=False)
        if len(PdfReader(io.BytesIO(pdf)).pages) > 1 and sheet.items:  # a longer sheet leaves out the empty parts of the day
            pdf = _render(sheet, split_cells=False, only_used=True)
        return pdf
    except LayoutError:  # a part of the day with more items than a page holds
        return _render(sheet, split_cells=True, only_used=True)


def _render(sheet: Sheet, split_cells: bool, only_used: bool = False) -> bytes:
    styles = _styles()
    width, height = PAGE
    frame = Frame(MARGIN, FOOT, width - 2 * MARGIN, height - MARGIN - FOOT, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    buffer = io.BytesIO()
    title = _("Your week: {name}").format(name=sheet.client_name)
    document = BaseDocTemplate(buffer, pagesize=PAGE, title=printable(title), creator="BranchDesk", invariant=1,
                               leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=FOOT)
    document.addPageTemplates([PageTemplate("sheet", [frame])])
    grid = _grid(sheet, styles, width - 2 * MARGIN, split_cells, only_used)
    story = [*_intro(sheet, styles), grid, *_closing(sheet, styles)]
    if not split_cells and _starts_on_page_two(story[:3], grid, frame):
        title, words, space = story[:3]  # the title stays at the top; its words move below the week
        story = [title, space, grid, Spacer(1, 10), words, *story[4:]]
    footer = _("{name}: plan from {day}").format(name=sheet.client_name, day=format_date(sheet.effective_date))
    document.build(story, canvasmaker=_canvas_class(footer))
    return buffer.getvalue()


def _starts_on_page_two(intro: list, grid: Table, frame: Frame) -> bool:
    """Whether the first part of the day is too tall to fit on the first page below the
    introduction, but fits below the title alone (so the first page would hold only words)."""
    width, height = frame._aW, frame._aH
    grid.wrap(width, height)
    first_part = sum(grid._rowHeights[:3])  # days, the part's heading band, its cells
    above = [flowable.wrap(width, height)[1] for flowable in intro]
    return sum(above) + first_part > height and above[0] + above[-1] + first_part <= height


def suggested_filename(store: Store, ideal_week_id: int) -> str:
    """``Week plan C001 from 2026-11-02.pdf``."""
    week = get_version(store, ideal_week_id)
    ref = store.value("SELECT ref FROM clients WHERE id = ?", (week.client_id,)) or ""
    safe = re.sub(r"[^\w.-]+", "_", ref)
    return _("Week plan {ref} from {day}.pdf").format(ref=safe, day=week.effective_date.isoformat())


def save_ideal_week_pdf(store: Store, ideal_week_id: int, path: Path) -> Path:
    """Write the ideal-week sheet to ``path``."""
    path = Path(path)
    path.write_bytes(render_ideal_week_pdf(store, ideal_week_id))
    return path
