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
#: A client with at most this many rows (lines and subtotal) is kept whole on one page.
KEEP_WHOLE_ROWS = 4
#: Explanations are continued on a further row every this many characters; names and
#: descriptions are cut short beyond ``LONG_NAME`` (neither limit is reached by real data).
LONG_TEXT, LONG_NAME = 1200, 300
#: The most that is kept together on one page (points): well under a page.
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
    """``October 2026`` and, on a line of its own, ``01/10/2026 to 31/10/2026``."""
    first, last = month_bounds(*parse_month(claim.month))
    return _("{month}\n{first} to {last}").format(month=claim.month_label, first=format_date(first), last=format_date(last))


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
    rows = _details_rows(claim)
    label_width = min(max(stringWidth(label, FONT_BOLD, CELL_SIZE) for label, _value in rows) + 2 * mm, 38 * mm)
    data = [[para(label, bold), para(value, cell)] for label, value in rows]
    table = Table(data, colWidths=[label_width, DETAILS_WIDTH - label_width])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
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

    by_client = claim.lines_by_client()
    groups = [lines[0] for _ref, lines in by_client]
    ref = fit(_("Council ref"), [printed_ref(line) for line in groups], 32 * mm)
    name = fit(name_title(claim), [printed_name(claim.contract, line.client_name) for line in groups], 36 * mm)
    amounts = [line.amount_pence for line in claim.lines] + [sum(line.amount_pence for line in lines) for _ref, lines in by_client]
    widest = max([stringWidth(format_money(pence), FONT_BOLD, CELL_SIZE) for pence in amounts]
                 + [stringWidth(format_money(claim.total_pence), FONT_BOLD, TOTAL_STYLE.fontSize)])
    amount = max(AMOUNT_WIDTH, widest + 2 * CELL_PADDING + 2)  # a long negative total stays on one line
    return [ref, name, COMPONENT_WIDTH, CONTENT_WIDTH - ref - name - COMPONENT_WIDTH - amount, amount]


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
    """How tall a row of a client's lines (component, what for, amount) will print."""
    tallest = CELL_LEADING
    for cell, width in zip(cells, widths[2:], strict=True):
        if isinstance(cell, SteadyParagraph):
            tallest = max(tallest, cell.wrap(width - 2 * CELL_PADDING, PAGE_HEIGHT)[1])
    return tallest + 5


def _capped(text: str) -> str:
    """Text that could only be that long by mistake, shortened so it cannot fill a page."""
    return text if len(text) <= LONG_NAME else text[: LONG_NAME - 1] + "…"


class _LinesTable(LongTable):
    """The lines table. Page breaks fall only where allowed (``kept``: no page break before
    these rows); when one falls inside a client's lines, the first row on the next page names
    the client again ("HC123456 (continued)").

    Kept rows are a set rather than ``NOSPLIT`` commands, which reportlab works out again for
    every cell at every page: too slow for a claim of a thousand clients."""

    #: For each row, the client's printed ref and name, and whether the row is the client's first.
    clients: list[tuple[str, str, bool] | None]
    kept: frozenset[int] = frozenset()

    def _getFirstPossibleSplitRowPosition(self, availHeight, ignoreSpans=0):  # noqa: N802 (reportlab's name)
        height, split_at = 0.0, 0
        for row, row_height in enumerate(self._rowHeights):
            if height + row_height > availHeight:
                break
            height += row_height
            if row + 1 not in self.kept:
                split_at = row + 1
        return split_at

    def split(self, avail_width, avail_height):
        parts = super().split(avail_width, avail_height)
        if len(parts) != 2 or not hasattr(self, "clients"):
            return parts
        done, rest = parts
        header = self.repeatRows
        first = len(self._cellvalues) - (len(rest._cellvalues) - header)  # this table's row that starts ``rest``
        in_row = len(done._cellvalues) > first  # that row itself was cut in two
        done.clients = self.clients[: len(done._cellvalues)]
        rest.clients = self.clients[:header] + self.clients[first:]
        done.kept = frozenset(row for row in self.kept if row < len(done._cellvalues))
        rest.kept = frozenset(row - first + header for row in self.kept if row > first)
        client = rest.clients[header]
        if client and (in_row or not client[2]):
            ref, name, _first = client
            rest._cellvalues[header][0] = para(_("{ref} (continued)").format(ref=ref), "cell")
            rest._cellvalues[header][1] = para(name, "cell")
            rest._argH = [*rest._argH[:header], None, *rest._argH[header + 1:]]  # measure that row again
            rest.clients[header] = (ref, name, True)
        return parts


def _client_rows(claim: Claim, lines: list[ClaimLine], widths: list[float], top: int) -> tuple[list[list], list[tuple], set[int], float]:
    """One client's rows of the lines table (starting at row ``top``), the table commands that
    draw them, the rows not to start a page with, and the height of the rows after the last
    page break allowed."""
    first = lines[0]
    ref, name = _capped(printed_ref(first)), _capped(printed_name(claim.contract, first.client_name))
    rows: list[list] = []
    for line in lines:
        for cells in _line_rows(line, widths):
            rows.append(["", "", *cells])
    rows[0][0], rows[0][1] = _short(ref, widths[0]), _short(name, widths[1])
    heights = [_row_height(row[2:], widths) for row in rows]
    commands: list[tuple] = []
    label = _("Subtotal for {ref} {name}").format(ref=ref, name=name).strip()
    rows.append(["", "", "", para(label, "cell_bold_right"), format_money(sum(x.amount_pence for x in lines))])
    heights.append(CELL_LEADING + 5)
    at = top + len(rows) - 1
    commands += [("LINEABOVE", (4, at), (4, at), 0.5, colors.black), ("FONTNAME", (4, at), (4, at), FONT_BOLD)]
    bottom = top + len(rows) - 1
    last_line = bottom - 1
    if last_line > top:
        commands.append(("LINEBELOW", (2, top), (4, last_line - 1), 0.25, RULE))
    # A short client stays whole on one page; a longer one may break between its lines, but
    # never leaves its first line alone at the foot of a page or its subtotal alone at the top.
    kept: set[int] = set()
    if len(rows) <= KEEP_WHOLE_ROWS and sum(heights) <= BLOCK_HEIGHT:
        kept.update(range(top + 1, bottom + 1))
        tail = sum(heights)
    else:
        if len(rows) > 1 and sum(heights[:2]) <= BLOCK_HEIGHT:
            kept.add(top + 1)
        tail = heights[-1]
        if len(rows) > 1 and sum(heights[-2:]) <= BLOCK_HEIGHT:
            kept.add(bottom)
            tail = sum(heights[-2:])
    return rows, commands, kept, tail


def _lines_table(claim: Claim, split_rows: bool = False) -> LongTable:
    """The lines, client by client, under a header row repeated on every page, then the total.
    ``split_rows`` lets a row itself run over a page break (for text too long for a page)."""
    s = styles()
    widths = column_widths(claim)
    data: list[list] = [[
        para(_("Council ref"), s["cell_header"]),
        para(name_title(claim), s["cell_header"]),
        para(_("Component"), s["cell_header"]),
        para(_("What for, and how the amount was worked out"), s["cell_header"]),
        para(_("Amount"), "cell_bold_right"),
    ]]
    clients: list[tuple[str, str, bool] | None] = [None]
    commands: list[tuple] = []
    kept: set[int] = set()
    groups = claim.lines_by_client()
    tail = 0.0
    for _ref, lines in groups:
        rows, more, keep, tail = _client_rows(claim, lines, widths, len(data))
        kept |= keep
        ref, name = _capped(printed_ref(lines[0])), _capped(printed_name(claim.contract, lines[0].client_name))
        clients += [(ref, name, number == 0) for number in range(len(rows))]
        data += rows
        commands += more
        commands.append(("LINEBELOW", (0, len(data) - 1), (-1, len(data) - 1), 0.6, RULE))
    if not groups:
        data.append(["", "", "", para(_("No lines for this month."), "cell"), format_money(0)])
        clients.append(None)
    total_label = _("Total credited") if claim.is_credit_note else _("Total claimed")
    data.append(["", "", "", para(total_label, "cell_bold_right"), para(format_money(claim.total_pence), TOTAL_STYLE)])
    clients.append(None)
    at = len(data) - 1
    commands += [("TOPPADDING", (0, at), (-1, at), 5), ("LINEABOVE", (0, at), (-1, at), 1.2, colors.black)]
    if groups and tail <= BLOCK_HEIGHT:  # the total is not printed alone at the top of a page
        kept.add(at)
    table = _LinesTable(data, colWidths=widths, repeatRows=1, splitInRow=1 if split_rows else 0)
    table.clients = clients
    if not split_rows:  # text too long for a page breaks wherever it must
        table.kept = frozenset(kept)
    table.setStyle(_style(
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        *commands,
    ))
    return table


def _declaration(claim: Claim, branch: dict) -> KeepTogether:
    s = styles()
    if claim.is_credit_note:
        statement = _("I confirm that this credit note corrects claim {number}.").format(number=claim.credits_number or "")
    else:
        statement = DECLARATION
    what = _("Credit note {number}").format(number=claim.number) if claim.is_credit_note else (
        _("Claim {number}").format(number=claim.number) if claim.is_issued and claim.number else _("Draft claim"))
    summary = _("{what}, contract {ref}, {month}: total {total}.").format(
        what=what, ref=claim.contract.ref, month=claim.month_label, total=format_money(claim.total_pence))
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
    block = [Spacer(1, 8 * mm), para(_("Declaration"), s["heading"]), para(summary, "bold"), para(statement, "body"),
             Spacer(1, 2 * mm), table]
    if claim.is_credit_note:  # a credit note has no slip to return: its note stays with the declaration
        block += [Spacer(1, 6 * mm), para(_("This credit note reduces what the council owes on claim {number} by {amount}. "
                                             "No payment is due.").format(number=claim.credits_number or "",
                                                                          amount=format_money(-claim.total_pence)), "body")]
    return KeepTogether(block)


def _remittance_slip(claim: Claim, branch: dict) -> list[Flowable]:
    s = styles()
    if claim.is_credit_note:  # nothing to pay: its note is part of the declaration
        return []
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
