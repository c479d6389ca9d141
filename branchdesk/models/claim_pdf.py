"""The claim printout (SPEC §6): an A4 PDF to be signed and posted to the council.

Letterhead; the council's address in the DL window; the claim's number and details;
the lines grouped by client under a header row repeated on every page; subtotals and
the total; the declaration with signature, name, role and date lines; "Page N of M";
and a remittance slip to detach.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LayoutError,
    LongTable,
    Spacer,
    Table,
    TableStyle,
)

from branchdesk.i18n import _, ngettext
from branchdesk.models.branch import get_branch
from branchdesk.models.claim_types import Claim, ClaimLine
from branchdesk.models.contracts import Contract
from branchdesk.models.dates import format_date, month_bounds, parse_month
from branchdesk.models.db import Store
from branchdesk.models.money import format_money
from branchdesk.models.pdf_common import (
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    GREY,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SHADE,
    WINDOW_HEIGHT,
    WINDOW_TOP,
    FootOfPage,
    SteadyParagraph,
    address_lines,
    draw_letterhead,
    draw_watermark,
    draw_window_address,
    escape,
    fitted,
    para,
    printable,
    render_document,
    styles,
    write_pdf_bytes,
)

COMPONENT_LABELS = {
    "core": _("Core"),
    "episode": _("Reablement episode"),
    "outcome_upfront": _("Outcome agreed (upfront part)"),
    "outcome_achieved": _("Outcome achieved"),
    "outcome_partial": _("Outcome partly achieved"),
    "reward": _("Reward"),
    "hours_saved": _("Hours saved"),
    "adjustment": _("Adjustment"),
}
TOTAL_STYLE = ParagraphStyle("total", parent=styles()["heading"], alignment=TA_RIGHT, fontSize=10.5, leading=13)
DECLARATION = _("I certify that the services claimed for were provided under the contract.")

#: Widths of the lines table: council ref, name, component, what for and how, amount.
#: Widths of the component and amount columns; the council ref and name columns fit their
#: longest entry (within limits) and the explanation takes the rest.
COMPONENT_WIDTH, AMOUNT_WIDTH = 24 * mm, 26 * mm
DETAILS_LEFT = 118 * mm
DETAILS_WIDTH = PAGE_WIDTH - MARGIN - DETAILS_LEFT
CELL_SIZE, CELL_LEADING, CELL_PADDING = 9, 11.5, 3
#: A client's lines are printed in blocks of up to this many rows, each kept on one page.
KEEP_GROUP_LINES = 8
#: Explanations are continued on a further row every this many characters; names and
#: descriptions are cut short beyond ``LONG_NAME`` (neither limit is reached by real data).
LONG_TEXT, LONG_NAME = 1200, 300
#: The most a block of a client's lines may take up (points): well under a page.
BLOCK_HEIGHT = 400


def component_label(component: str) -> str:
    """The component in plain words, as printed (``outcome_achieved`` → "Outcome achieved")."""
    return COMPONENT_LABELS.get(component, component.replace("_", " ").capitalize())


def initials(name: str) -> str:
    """``Mary Jones`` → ``M. J.``; ``Mary-Anne O'Neil`` → ``M.-A. O.``."""
    words = []
    for word in str(name or "").split():
        parts = [next((c.upper() for c in part if c.isalpha()), "") for part in word.split("-")]
        parts = [f"{p}." for p in parts if p]
        if parts:
            words.append("-".join(parts))
    return " ".join(words)


def printed_name(contract: Contract, name: str) -> str:
    """The client's name as the contract wants it printed: in full, or only initials."""
    return name if contract.print_names == "full" else initials(name)


def printed_ref(line: ClaimLine) -> str:
    """The council's ref for the client, or the branch's own ref (marked) when the council gave none."""
    return line.council_ref or _("{ref} (our ref)").format(ref=line.client_ref)


def document_word(claim: Claim) -> str:
    """"Claim" or "Credit note"."""
    return _("Credit note") if claim.is_credit_note else _("Claim")


def period_text(claim: Claim) -> str:
    first, last = month_bounds(*parse_month(claim.month))
    return _("{month} ({first} to {last})").format(month=claim.month_label, first=format_date(first), last=format_date(last))


def _details_rows(claim: Claim) -> list[tuple[str, str]]:
    contract = claim.contract
    number = claim.number if claim.is_issued and claim.number else _("Not numbered: this is a draft")
    rows = [(_("{word} number").format(word=document_word(claim)), number)]
    if claim.is_credit_note:
        rows.append((_("Credits claim"), claim.credits_number or ""))
    rows += [
        (_("Contract"), f"{contract.ref} — {contract.council}"),
        (_("Purchase order"), contract.purchase_order or _("none given")),
        (_("Supplier number"), contract.supplier_number or _("none given")),
        (_("Period"), period_text(claim)),
        (_("Date of issue"), format_date(claim.issued_on) if claim.is_issued and claim.issued_on else _("Not issued")),
        (_("Total"), format_money(claim.total_pence)),
    ]
    return rows


def _details_table(claim: Claim) -> Table:
    cell, bold = styles()["cell"], styles()["cell_bold"]
    data = [[para(label, bold), para(value, cell)] for label, value in _details_rows(claim)]
    table = Table(data, colWidths=[34 * mm, DETAILS_WIDTH - 34 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def council_address(contract: Contract) -> list[str]:
    """The council's postal address block: commissioner, council, address lines."""
    lines = []
    if contract.commissioner:
        lines.append(contract.commissioner)
    lines.append(contract.council)
    named = {line.casefold() for line in lines}
    lines += [line for line in address_lines(contract.address) if line.casefold() not in named]
    return lines


def _heading_text(claim: Claim) -> tuple[str, str]:
    if not claim.is_issued:
        return _("DRAFT — not a claim"), _("Not for payment")
    return document_word(claim), claim.number or ""


class _CutLine(Flowable):
    """A dashed line with scissors, where the remittance slip is cut off."""

    def __init__(self, width: float, caption: str):
        super().__init__()
        self.width, self.caption = width, caption
        self.height = 12

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(GREY)
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.7)
        canvas.line(0, 6, self.width, 6)
        canvas.setFillColor(colors.white)
        caption = f"✂  {self.caption}"
        caption_width = canvas.stringWidth(caption, FONT, 8) + 8
        canvas.rect(14, 0, caption_width, 12, stroke=0, fill=1)
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 8)
        canvas.drawString(18, 3, caption)
        canvas.restoreState()


def name_title(claim: Claim) -> str:
    return _("Name") if claim.contract.print_names == "full" else _("Initials")


def column_widths(claim: Claim) -> list[float]:
    """Council ref, name, component, explanation and amount column widths for this claim."""
    def fit(title: str, texts, most: float) -> float:
        widest = max([stringWidth(title, FONT_BOLD, CELL_SIZE), *(stringWidth(printable(t), FONT, CELL_SIZE) for t in texts)])
        return min(widest + 2 * CELL_PADDING + 1, most)

    groups = [lines[0] for _ref, lines in claim.lines_by_client()]
    ref = fit(_("Council ref"), [printed_ref(line) for line in groups], 32 * mm)
    name = fit(name_title(claim), [printed_name(claim.contract, line.client_name) for line in groups], 36 * mm)
    return [ref, name, COMPONENT_WIDTH, CONTENT_WIDTH - ref - name - COMPONENT_WIDTH - AMOUNT_WIDTH, AMOUNT_WIDTH]


def _short(text: str, width: float):
    """Text for a narrow cell: drawn as it is when it fits on one line (fast for long claims),
    otherwise a wrapping paragraph."""
    shown = printable(text)
    if "\n" not in shown and stringWidth(shown, FONT, CELL_SIZE) <= width - 2 * CELL_PADDING:
        return shown
    return para(text, "cell")


def _style(*commands: tuple) -> TableStyle:
    return TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *commands,
    ])


#: A client's lines (component, what for, amount) inside one cell of the lines table,
#: with or without a subtotal row at the end; shared by every client's block.
LINES_STYLE = _style(("ALIGN", (2, 0), (2, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE))
SUBTOTAL_STYLE = _style(
    ("ALIGN", (2, 0), (2, -1), "RIGHT"),
    ("LINEBELOW", (0, 0), (-1, -3), 0.25, RULE),
    ("SPAN", (0, -1), (1, -1)),
    ("LINEABOVE", (2, -1), (2, -1), 0.5, colors.black),
    ("FONTNAME", (2, -1), (2, -1), FONT_BOLD),
)


def _pieces(text: str, size: int) -> list[str]:
    """``text`` cut at spaces into pieces of at most ``size`` characters (a word longer than
    that is cut where it must)."""
    pieces = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size)
        cut = cut if cut > 0 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text]


def _line_rows(line: ClaimLine, widths: list[float]) -> list[list]:
    """A line's cells (component, what for, amount); a very long explanation continues on
    further rows, so that no row is taller than a page."""
    pieces = _pieces(line.explanation, LONG_TEXT) if line.explanation else []
    what = f"<b>{escape(_capped(line.description))}</b>"
    if pieces:
        what += f"<br/>{escape(pieces[0])}"
    rows = [[_short(component_label(line.component), widths[2]), SteadyParagraph(what, styles()["cell"]), format_money(line.amount_pence)]]
    rows += [["", SteadyParagraph(escape(piece), styles()["cell"]), ""] for piece in pieces[1:]]
    return rows


def _row_height(cells: list, widths: list[float]) -> float:
    """How tall a row of a client's block will print."""
    tallest = CELL_LEADING
    for cell, width in zip(cells, widths[2:], strict=True):
        if isinstance(cell, SteadyParagraph):
            tallest = max(tallest, cell.wrap(width - 2 * CELL_PADDING, PAGE_HEIGHT)[1])
    return tallest + 5


def _capped(text: str) -> str:
    """Text that could only be that long by mistake, shortened so it cannot fill a page."""
    return text if len(text) <= LONG_NAME else text[: LONG_NAME - 1] + "…"


def _client_blocks(claim: Claim, lines: list[ClaimLine], widths: list[float], split_rows: bool) -> list[list]:
    """Rows of the lines table for one client: their lines in blocks that each stay on one
    page, the last block ending with the client's subtotal."""
    first = lines[0]
    ref, name = _capped(printed_ref(first)), _capped(printed_name(claim.contract, first.client_name))
    chunks: list[list[list]] = [[]]
    height = 0.0
    for row in (row for line in lines for row in _line_rows(line, widths)):
        row_height = _row_height(row, widths)
        if chunks[-1] and (len(chunks[-1]) >= KEEP_GROUP_LINES or height + row_height > BLOCK_HEIGHT):
            chunks.append([])
            height = 0.0
        chunks[-1].append(row)
        height += row_height
    rows = []
    for number, cells in enumerate(chunks):
        last = number == len(chunks) - 1
        if last and len(lines) > 1:
            label = _("Subtotal for {ref} {name}").format(ref=ref, name=name).strip()
            cells.append([para(label, "cell_bold_right"), "", format_money(sum(x.amount_pence for x in lines))])
        block = Table(cells, colWidths=widths[2:], style=SUBTOTAL_STYLE if last and len(lines) > 1 else LINES_STYLE,
                      splitInRow=1 if split_rows else 0)
        if number == 0:
            rows.append([_short(ref, widths[0]), _short(name, widths[1]), block])
        else:
            rows.append([para(_("{ref} (continued)").format(ref=ref), "cell"), "", block])
    return rows


def _lines_table(claim: Claim, split_rows: bool = False) -> LongTable:
    """The lines, client by client, under a header row repeated on every page. Each client's
    block stays on one page; ``split_rows`` lets a block run over a page break (for text too
    long for a page)."""
    s = styles()
    widths = column_widths(claim)
    header_cells = Table([[
        para(_("Component"), s["cell_header"]),
        para(_("What for, and how the amount was worked out"), s["cell_header"]),
        para(_("Amount"), "cell_bold_right"),
    ]], colWidths=widths[2:], style=_style())
    data: list[list] = [[
        para(_("Council ref"), s["cell_header"]),
        para(name_title(claim), s["cell_header"]),
        header_cells,
    ]]
    groups = claim.lines_by_client()
    for _ref, lines in groups:
        data += _client_blocks(claim, lines, widths, split_rows)
    if not groups:
        data.append(["", "", Table([["", para(_("No lines for this month."), "cell"), format_money(0)]], colWidths=widths[2:], style=LINES_STYLE)])
    total_label = _("Total credited") if claim.is_credit_note else _("Total claimed")
    total = Table([[para(total_label, "cell_bold_right"), "", para(format_money(claim.total_pence), TOTAL_STYLE)]],
                  colWidths=widths[2:], style=_style(("SPAN", (0, 0), (1, 0)), ("TOPPADDING", (0, 0), (-1, -1), 5)))
    data.append(["", "", total])
    table = LongTable(data, colWidths=[widths[0], widths[1], sum(widths[2:])], repeatRows=1, splitInRow=1 if split_rows else 0)
    table.setStyle(_style(
        ("LEFTPADDING", (2, 0), (2, -1), 0),
        ("RIGHTPADDING", (2, 0), (2, -1), 0),
        ("TOPPADDING", (2, 0), (2, -1), 0),
        ("BOTTOMPADDING", (2, 0), (2, -1), 0),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -2), 0.6, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
    ))
    return table


def _declaration(claim: Claim, branch: dict) -> KeepTogether:
    s = styles()
    if claim.is_credit_note:
        statement = _("I confirm that this credit note corrects claim {number}.").format(number=claim.credits_number or "")
    else:
        statement = DECLARATION
    rows = [
        (_("Signature"), ""),
        (_("Name"), branch.get("signatory_name") or ""),
        (_("Role"), branch.get("signatory_role") or ""),
        (_("Date"), ""),
    ]
    table = Table([[para(label, "bold"), para(value, "body")] for label, value in rows], colWidths=[28 * mm, 90 * mm], rowHeights=[12 * mm, 8 * mm, 8 * mm, 8 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return KeepTogether([Spacer(1, 8 * mm), para(_("Declaration"), s["heading"]), para(statement, "body"), Spacer(1, 2 * mm), table])


def _remittance_slip(claim: Claim, branch: dict) -> list[Flowable]:
    s = styles()
    if claim.is_credit_note:
        note = _("This credit note reduces what the council owes on claim {number} by {amount}. No payment is due.").format(
            number=claim.credits_number or "", amount=format_money(-claim.total_pence))
        return [Spacer(1, 6 * mm), para(note, "body")]
    number = claim.number if claim.is_issued and claim.number else _("DRAFT — do not pay")
    bank = [
        (_("Account name"), branch.get("bank_account_name") or branch.get("name") or ""),
        (_("Sort code"), branch.get("bank_sort_code") or ""),
        (_("Account number"), branch.get("bank_account_number") or ""),
    ]
    left = [
        para(_("Remittance advice"), s["heading"]),
        para(_("From: {council}").format(council=claim.contract.council), "cell"),
        para(_("To: {branch}").format(branch=branch.get("name") or ""), "cell"),
        para(_("Claim number: {number}").format(number=number), "cell_bold"),
        para(_("Period: {period}").format(period=claim.month_label), "cell"),
        para(_("Amount due: {amount}").format(amount=format_money(claim.total_pence)), "cell_bold"),
    ]
    right = [para(_("Please pay by bank transfer to"), "cell_bold")]
    right += [para(f"{label}: {value}", "cell") for label, value in bank]
    right.append(Spacer(1, 2 * mm))
    if claim.is_issued and claim.number:
        right.append(para(_("Please quote {number} as the payment reference.").format(number=number), "cell"))
    slip = Table([[left, right]], colWidths=[CONTENT_WIDTH / 2, CONTENT_WIDTH / 2])
    slip.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    cut = _CutLine(CONTENT_WIDTH, _("Cut here and return this slip with your payment"))
    return [FootOfPage([Spacer(1, 8 * mm), cut, Spacer(1, 3 * mm), slip])]


def _introduction(claim: Claim) -> list[Flowable]:
    contract = claim.contract
    clients = len(claim.lines_by_client())
    if claim.is_credit_note:
        text = _("Credit note against claim {number} under contract {ref} with {council}, for {month}.").format(
            number=claim.credits_number or "", ref=contract.ref, council=contract.council, month=claim.month_label)
        story = [para(text, "body")]
        if claim.credit_reason:
            story.append(para(_("Reason: {reason}").format(reason=claim.credit_reason), "body"))
        return story
    text = _("Claim for care and support under contract {ref} with {council}, for {month}: {clients}, {lines}.").format(
        ref=contract.ref, council=contract.council, month=claim.month_label,
        clients=ngettext("{n} client", "{n} clients", clients).format(n=clients),
        lines=ngettext("{n} line", "{n} lines", len(claim.lines)).format(n=len(claim.lines)))
    story = [para(text, "body")]
    if not claim.is_issued:
        story.append(para(_("This is a draft, recomputed from the branch's records; it is not a claim and must not be paid. Issue the claim to give it a number."), "bold"))
    return story


def render_claim_pdf(store: Store, claim: Claim) -> bytes:
    """The printout of a claim or credit note (a draft prints with a DRAFT watermark)."""
    return claim_pdf_for_branch(get_branch(store), claim)


def claim_pdf_for_branch(branch: dict, claim: Claim) -> bytes:
    """The printout of ``claim`` on the letterhead of ``branch`` (details as from ``get_branch``)."""
    word, number = _heading_text(claim)
    details = _details_table(claim)
    _width, details_height = details.wrap(DETAILS_WIDTH, PAGE_HEIGHT)
    first_top = max(WINDOW_TOP + WINDOW_HEIGHT, WINDOW_TOP + details_height) + 8 * mm
    branch_name = branch.get("name") or ""
    running = _("{branch} · {word} {number} · contract {ref} · {month}").format(
        branch=branch_name, word=document_word(claim), number=claim.number if claim.is_issued else _("(draft)"),
        ref=claim.contract.ref, month=claim.month_label)

    def first_page(canvas: Canvas, _document) -> None:
        canvas.saveState()
        if not claim.is_issued:
            draw_watermark(canvas, _("DRAFT"))
        draw_letterhead(canvas, branch, right_width=72 * mm)
        title, size = fitted(canvas, printable(word), FONT_BOLD, 22, 70 * mm)
        canvas.setFont(FONT_BOLD, size)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm - size, title)
        subtitle, sub_size = fitted(canvas, printable(number), FONT_BOLD, 14, 70 * mm)
        canvas.setFont(FONT_BOLD, sub_size)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm - size - sub_size - 4, subtitle)
        draw_window_address(canvas, council_address(claim.contract))
        details.drawOn(canvas, DETAILS_LEFT, PAGE_HEIGHT - WINDOW_TOP - details_height)
        canvas.restoreState()

    def later_pages(canvas: Canvas, _document) -> None:
        canvas.saveState()
        if not claim.is_issued:
            draw_watermark(canvas, _("DRAFT"))
        text, size = fitted(canvas, printable(_("{running} (continued)").format(running=running)), FONT, 8.5, PAGE_WIDTH - 2 * MARGIN)
        canvas.setFont(FONT, size)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 12 * mm, text)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm)
        canvas.restoreState()

    title = f"{document_word(claim)} {claim.number}" if claim.is_issued else _("Draft claim")

    def build(split_rows: bool) -> bytes:
        story: list[Flowable] = [*_introduction(claim), Spacer(1, 4 * mm), _lines_table(claim, split_rows), _declaration(claim, branch)]
        story += _remittance_slip(claim, branch)
        return render_document(
            story,
            title=f"{title} — {claim.contract.ref} {claim.month_label}",
            author=branch_name,
            subject=_("{word} for {month} under contract {ref}").format(word=document_word(claim), month=claim.month_label, ref=claim.contract.ref),
            footer_text=running,
            first_page=first_page,
            later_pages=later_pages,
            first_top=first_top,
            later_top=20 * mm,
        )

    try:
        return build(split_rows=False)
    except LayoutError:  # a line with text longer than a page: let rows run over page breaks
        return build(split_rows=True)


def write_claim_pdf_file(store: Store, claim: Claim, path: Path | str) -> Path:
    """Write the printout to ``path``; a plain message when the file cannot be written."""
    return write_pdf_bytes(render_claim_pdf(store, claim), path)
