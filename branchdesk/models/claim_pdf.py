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

from branchdesk.i18n import _
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
    address_lines,
    draw_letterhead,
    draw_watermark,
    draw_window_address,
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
COLUMN_WIDTHS = [22 * mm, 27 * mm, 24 * mm, CONTENT_WIDTH - 99 * mm, 26 * mm]
DETAILS_LEFT = 118 * mm
DETAILS_WIDTH = PAGE_WIDTH - MARGIN - DETAILS_LEFT
#: Client groups up to this many lines are kept on one page.
KEEP_GROUP_LINES = 8


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
    lines += address_lines(contract.address)
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


def _lines_table(claim: Claim, split_rows: bool = False) -> LongTable:
    """The lines under a repeated header row. Client groups stay on one page where they fit;
    ``split_rows`` lets a single row run over a page break (for text too long for a page)."""
    s = styles()
    header = [
        para(_("Council ref"), s["cell_header"]),
        para(_("Name") if claim.contract.print_names == "full" else _("Initials"), s["cell_header"]),
        para(_("Component"), s["cell_header"]),
        para(_("What for, and how the amount was worked out"), s["cell_header"]),
        para(_("Amount"), "cell_bold_right"),
    ]
    data: list[list] = [header]
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    groups = claim.lines_by_client()
    for _ref, lines in groups:
        first_row = len(data)
        for index, line in enumerate(lines):
            what = [para(line.description, "cell_bold")]
            if line.explanation:
                what.append(para(line.explanation, "cell"))
            data.append([
                para(printed_ref(line), "cell") if index == 0 else "",
                para(printed_name(claim.contract, line.client_name), "cell") if index == 0 else "",
                para(component_label(line.component), "cell"),
                what,
                para(format_money(line.amount_pence), "cell_right"),
            ])
            if index:
                commands.append(("LINEABOVE", (2, len(data) - 1), (-1, len(data) - 1), 0.25, RULE))
        if len(lines) > 1:
            who = printed_name(claim.contract, lines[0].client_name)
            label = _("Subtotal for {ref} {name}").format(ref=printed_ref(lines[0]), name=who).strip()
            data.append(["", "", para(label, "cell_bold_right"), "", para(format_money(sum(x.amount_pence for x in lines)), "cell_bold_right")])
            row = len(data) - 1
            commands += [("SPAN", (2, row), (3, row)), ("LINEABOVE", (4, row), (4, row), 0.5, colors.black)]
        last_row = len(data) - 1
        commands.append(("LINEBELOW", (0, last_row), (-1, last_row), 0.6, RULE))
        if not split_rows and last_row - first_row + 1 <= KEEP_GROUP_LINES:
            commands.append(("NOSPLIT", (0, first_row), (-1, last_row)))
    if not groups:
        data.append(["", "", "", para(_("No lines for this month."), "cell"), para(format_money(0), "cell_right")])
    total_label = _("Total credited") if claim.is_credit_note else _("Total claimed")
    data.append(["", "", para(total_label, "cell_bold_right"), "", para(format_money(claim.total_pence), TOTAL_STYLE)])
    row = len(data) - 1
    commands += [
        ("SPAN", (2, row), (3, row)),
        ("LINEABOVE", (0, row), (-1, row), 1.2, colors.black),
        ("TOPPADDING", (0, row), (-1, row), 5),
    ]
    table = LongTable(data, colWidths=COLUMN_WIDTHS, repeatRows=1, splitInRow=1 if split_rows else 0)
    table.setStyle(TableStyle(commands))
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
    text = _("Claim for care and support under contract {ref} with {council}, for {month}: {clients} clients, {lines} lines.").format(
        ref=contract.ref, council=contract.council, month=claim.month_label, clients=clients, lines=len(claim.lines))
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
