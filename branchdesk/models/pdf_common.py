"""What every BranchDesk printout shares: fonts that print any name, escaped text,
the branch letterhead, the address block for a DL window envelope and "Page N of M".

A printout builds a story of flowables and calls ``render_document``::

    story = [para(_("Ideal week for {name}").format(name=name), styles()["title"]), ...]
    pdf = render_document(story, title=..., footer_text=..., first_page=draw_my_first_page)

``para`` escapes user text (SPEC §9): never pass user text to ``Paragraph`` directly.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError
from branchdesk.paths import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
_FONT_FILES = {FONT: "fonts/DejaVuSans.ttf", FONT_BOLD: "fonts/DejaVuSans-Bold.ttf", FONT_ITALIC: "fonts/DejaVuSans-Oblique.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
#: Base text size: legible when printed, for readers who may not have their glasses on.
BASE_SIZE = 10.5

#: Where a DL window envelope shows the recipient's address on a folded A4 sheet.
WINDOW_LEFT = 20 * mm
WINDOW_TOP = 47 * mm  # from the top edge of the page
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 35 * mm
WINDOW_INSET = 2 * mm  # keeps text clear of the window's edges if the sheet shifts

GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")

_glyphs: frozenset[int] | None = None
_styles: dict[str, ParagraphStyle] | None = None


def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold, oblique) once; it covers accents, Greek, Cyrillic,
    Hebrew, Arabic and many symbols, so any client's name prints."""
    global _glyphs
    if _glyphs is not None:
        return
    for name, file in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource(file))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)
    maps = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in _FONT_FILES]
    _glyphs = frozenset(set.intersection(*maps))


def styles() -> dict[str, ParagraphStyle]:
    """The A4 paragraph styles: ``body``, ``small``, ``bold``, ``title``, ``heading``,
    ``cell``, ``cell_bold``, ``cell_right``, ``cell_bold_right``, ``cell_header``, ``centre``."""
    global _styles
    if _styles is None:
        register_fonts()
        body = ParagraphStyle("body", fontName=FONT, fontSize=BASE_SIZE, leading=BASE_SIZE * 1.3)
        cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5)
        _styles = {
            "body": body,
            "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5, textColor=GREY),
            "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD),
            "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=20, leading=24),
            "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=6, spaceAfter=4),
            "centre": ParagraphStyle("centre", parent=body, alignment=TA_CENTER),
            "cell": cell,
            "cell_bold": ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD),
            "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
            "cell_bold_right": ParagraphStyle("cell_bold_right", parent=cell, fontName=FONT_BOLD, alignment=TA_RIGHT),
            "cell_header": ParagraphStyle("cell_header", parent=cell, fontName=FONT_BOLD),
        }
    return _styles


def _is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def _visual_order(text: str) -> str:
    """Right-to-left runs (Hebrew, Arabic) reversed into the order they are read, so a name
    in those scripts prints readably in a left-to-right document."""
    if not any(_is_rtl(c) for c in text):
        return text
    out: list[str] = []
    run: list[str] = []
    for char in text:
        if _is_rtl(char) or (run and unicodedata.bidirectional(char) in ("WS", "ON", "CS", "ES", "ET", "NSM")):
            run.append(char)
            continue
        out.append(_close_run(run))
        run = []
        out.append(char)
    out.append(_close_run(run))
    return "".join(out)


def _close_run(run: list[str]) -> str:
    """A right-to-left run reversed, leaving trailing spaces and punctuation where they were."""
    end = len(run)
    while end and not _is_rtl(run[end - 1]):
        end -= 1
    return "".join(reversed(run[:end])) + "".join(run[end:])


def printable(text) -> str:
    """User text made safe to print: characters the font lacks become "?", invisible joiners
    and emoji variation selectors are dropped, right-to-left runs are put in reading order."""
    register_fonts()
    assert _glyphs is not None
    chars = []
    for char in "" if text is None else str(text):
        code = ord(char)
        if char in "\n\t" or code in _glyphs:
            chars.append(char)
        elif unicodedata.category(char) in ("Mn", "Cf") or 0xFE00 <= code <= 0xFE0F:
            continue
        elif unicodedata.category(char) == "Cc":
            chars.append(" ")
        else:
            chars.append("?")
    return _visual_order("".join(chars))


def escape(text) -> str:
    """User text as paragraph markup: printable, XML-escaped, line breaks kept."""
    lines = printable(text).split("\n")
    return "<br/>".join(xml_escape(line, {'"': "&quot;", "'": "&#39;"}) for line in lines)


class SteadyParagraph(Paragraph):
    """A paragraph that remembers its line breaks for a given width: long tables measure their
    cells again each time they split across a page, which would otherwise dominate the work."""

    _wrapped_width: float | None = None

    def wrap(self, avail_width, avail_height):
        if self._wrapped_width == avail_width and "blPara" in self.__dict__:  # a split drops the measured lines
            return self.width, self.height
        size = super().wrap(avail_width, avail_height)
        self._wrapped_width = avail_width
        return size


def para(text, style: ParagraphStyle | str = "body", markup: str = "") -> Paragraph:
    """A paragraph of user text, escaped (SPEC §9). ``markup`` wraps it, e.g. ``"b"`` for bold."""
    if isinstance(style, str):
        style = styles()[style]
    body = escape(text)
    if markup:
        body = f"<{markup}>{body}</{markup}>"
    return SteadyParagraph(body, style)


def address_lines(text: str) -> list[str]:
    """The non-empty lines of an address typed with line breaks or commas."""
    raw = str(text or "")
    parts = raw.splitlines() if "\n" in raw else raw.split(",")
    return [part.strip() for part in parts if part.strip()]


def fitted(canvas: Canvas, text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """``text`` and a font size up to ``size`` at which it fits ``width``: shrunk down to
    6 pt, then shortened with "…" (for fixed places such as the letterhead and footer)."""
    while size > 6 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    if canvas.stringWidth(text, font, size) > width:
        while text and canvas.stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        text += "…"
    return text, size


def draw_letterhead(canvas: Canvas, branch: dict, right_width: float = 0) -> float:
    """The branch letterhead at the top of the page (logo, name, address, phone, email,
    CQC location ID), leaving ``right_width`` points free at the right; returns the
    y coordinate of its bottom edge."""
    register_fonts()
    top = PAGE_HEIGHT - 14 * mm
    left = MARGIN
    logo = branch.get("logo")
    if logo:
        try:
            image = ImageReader(io.BytesIO(logo))
            width, height = image.getSize()
            scale = min(38 * mm / width, 20 * mm / height)
            canvas.drawImage(image, left, top - height * scale, width * scale, height * scale, mask="auto")
            left += width * scale + 5 * mm
        except Exception:  # a logo that cannot be read is simply left out: the claim still prints
            pass
    width = PAGE_WIDTH - MARGIN - right_width - left - 4 * mm
    name, size = fitted(canvas, printable(branch.get("name") or ""), FONT_BOLD, 16, width)
    canvas.setFont(FONT_BOLD, size)
    canvas.setFillColor(colors.black)
    y = top - size
    canvas.drawString(left, y, name)
    details = [", ".join(address_lines(branch.get("address") or ""))]
    contact = "   ".join(part for part in (
        _("Tel: {phone}").format(phone=branch["phone"]) if branch.get("phone") else "",
        _("Email: {email}").format(email=branch["email"]) if branch.get("email") else "",
    ) if part)
    details.append(contact)
    if branch.get("cqc_location_id"):
        details.append(_("CQC location ID: {id}").format(id=branch["cqc_location_id"]))
    y -= 3
    for line in details:
        if not line:
            continue
        text, size = fitted(canvas, printable(line), FONT, 9, width)
        y -= size + 3
        canvas.setFont(FONT, size)
        canvas.setFillColor(GREY)
        canvas.drawString(left, y, text)
    canvas.setFillColor(colors.black)
    bottom = min(y, top - 20 * mm) - 3 * mm
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, bottom, PAGE_WIDTH - MARGIN, bottom)
    return bottom


def window_box() -> tuple[float, float, float, float]:
    """The DL window area in PDF points: (left, bottom, width, height)."""
    return WINDOW_LEFT, PAGE_HEIGHT - WINDOW_TOP - WINDOW_HEIGHT, WINDOW_WIDTH, WINDOW_HEIGHT


def draw_window_address(canvas: Canvas, lines: list[str]) -> None:
    """A postal address inside the DL window area (SPEC §6), shrunk to fit when long."""
    register_fonts()
    left, bottom, width, height = window_box()
    lines = [printable(line) for line in lines if str(line).strip()]
    inner_width = width - 2 * WINDOW_INSET
    inner_height = height - 2 * WINDOW_INSET
    size = 10.5
    while True:
        wrapped = [part for line in lines for part in simpleSplit(line, FONT, size, inner_width)]
        if size <= 6 or len(wrapped) * size * 1.2 <= inner_height:
            break
        size -= 0.5
    leading = size * 1.2
    fitting = max(1, int(inner_height // leading))
    if len(wrapped) > fitting:  # keep the last line (town and postcode) when the address is very long
        wrapped = [*wrapped[: fitting - 1], wrapped[-1]]
    y = bottom + height - WINDOW_INSET - size
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT, size)
    for line in wrapped:
        text, _size = fitted(canvas, line, FONT, size, inner_width)
        canvas.drawString(left + WINDOW_INSET, y, text)
        y -= leading


def draw_watermark(canvas: Canvas, text: str) -> None:
    """A large, light diagonal word across the page (e.g. "DRAFT")."""
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.75, 0.75, 0.75, alpha=0.35))
    canvas.setFont(FONT_BOLD, 90)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -30, printable(text))
    canvas.restoreState()


def numbered_canvas(footer_text: str = "") -> type[Canvas]:
    """A canvas class that writes "Page N of M" (and ``footer_text`` on the left) at the foot
    of every page, once the number of pages is known."""
    footer = printable(footer_text)

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states: list[dict] = []

        def showPage(self):
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8.5)
            self.setFillColor(GREY)
            y = 10 * mm
            page = _("Page {n} of {m}").format(n=self._pageNumber, m=total)
            width = self._pagesize[0]  # portrait or landscape
            self.drawRightString(width - MARGIN, y, page)
            if footer:
                room = width - 2 * MARGIN - self.stringWidth(page, FONT, 8.5) - 8 * mm
                text, size = fitted(self, footer, FONT, 8.5, room)
                self.setFont(FONT, size)
                self.drawString(MARGIN, y, text)
            self.restoreState()

    return NumberedCanvas


class FootOfPage(Flowable):
    """Flowables drawn at the foot of the page they land on (a tear-off slip): it takes the
    rest of the page, or moves to the next page when the space left is too small."""

    def __init__(self, flowables: list[Flowable]):
        super().__init__()
        self.flowables = flowables
        self._sizes: list[tuple[float, float]] = []
        self._needed = 0.0

    def wrap(self, avail_width, avail_height):
        self._sizes = [f.wrap(avail_width, avail_height) for f in self.flowables]
        self._needed = sum(h for _w, h in self._sizes)
        self.width = avail_width
        self.height = max(self._needed, avail_height) if self._needed <= avail_height else self._needed
        return self.width, self.height

    def draw(self):
        y = self._needed
        for flowable, (_w, height) in zip(self.flowables, self._sizes, strict=True):
            y -= height
            flowable.drawOn(self.canv, 0, y)


PageDrawer = Callable[[Canvas, BaseDocTemplate], None]


def render_document(
    story: list[Flowable],
    *,
    title: str,
    author: str = "",
    subject: str = "",
    footer_text: str = "",
    first_page: PageDrawer | None = None,
    later_pages: PageDrawer | None = None,
    first_top: float = MARGIN,
    later_top: float = MARGIN,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """The PDF bytes of ``story`` on A4 with "Page N of M" on every page.

    ``first_page`` / ``later_pages`` draw fixed parts (letterhead, running header) on the
    canvas; ``first_top`` / ``later_top`` are how far from the top edge the flowing text
    starts on the first and later pages. Output is byte-for-byte reproducible.
    """
    register_fonts()
    width, height = pagesize
    bottom = 16 * mm

    def frame(top: float, name: str) -> Frame:
        return Frame(MARGIN, bottom, width - 2 * MARGIN, height - top - bottom, id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        title=printable(title),
        author=printable(author),
        subject=printable(subject),
        creator="BranchDesk",
        invariant=1,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=bottom,
    )
    document.addPageTemplates([
        PageTemplate("first", [frame(first_top, "first")], onPage=first_page or _nothing, autoNextPageTemplate="later"),
        PageTemplate("later", [frame(later_top, "later")], onPage=later_pages or _nothing),
    ])
    document.build(story, canvasmaker=numbered_canvas(footer_text))
    return buffer.getvalue()


def _nothing(canvas: Canvas, document: BaseDocTemplate) -> None:
    """A page with nothing drawn besides the flowing text."""


def write_pdf_bytes(pdf: bytes, path: Path | str) -> Path:
    """Save PDF bytes to ``path``; a plain message when the file cannot be written."""
    path = Path(path)
    try:
        path.write_bytes(pdf)
    except OSError as error:
        raise BranchDeskError(_("Could not save the PDF to {path}: {why}. Choose another folder, or close the file if it is open in another program.").format(
            path=path, why=error.strerror or error)) from None
    return path
