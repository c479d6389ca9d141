"""A claim's lines as a spreadsheet for the council's finance team (SPEC §6).

One sheet: a small header block (claim, contract, period, issue date), then one row per
line with the amount as a number in pounds, and a total row. Text cells are made safe
with ``safe_cell`` so nothing in a name or explanation can run as a formula.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from branchdesk.i18n import _
from branchdesk.models.claim_pdf import component_label, document_word, printed_name
from branchdesk.models.claim_types import Claim
from branchdesk.models.dates import format_date
from branchdesk.models.money import format_money
from branchdesk.models.spreadsheet_safety import safe_cell, safe_row

MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
#: Column titles and widths of the lines table.
COLUMNS = (
    (_("Claim number"), 14),
    (_("Contract"), 10),
    (_("Month"), 9),
    (_("Client ref"), 11),
    (_("Council ref"), 13),
    (_("Name"), 22),
    (_("Component"), 24),
    (_("Description"), 40),
    (_("Explanation"), 70),
    (_("Amount (£)"), 13),
)


def claim_sheet_title(claim: Claim) -> str:
    """A sheet name Excel accepts (at most 31 characters, none of ``[]:*?/\\``)."""
    title = f"{document_word(claim)} {claim.number}" if claim.is_issued and claim.number else _("Draft claim")
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31]


def write_claim_xlsx(claim: Claim, path: Path | str) -> Path:
    """Write the claim's lines and total to an XLSX file at ``path``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = claim_sheet_title(claim)
    workbook.properties.creator = "BranchDesk"
    workbook.properties.title = sheet.title
    contract = claim.contract
    number = claim.number if claim.is_issued and claim.number else ""
    heading = (f"{document_word(claim)} {number}" if number else _("DRAFT — not a claim"))
    header_block = [
        (heading, ""),
        (_("Contract"), f"{contract.ref} — {contract.council}"),
        (_("Period"), claim.month_label),
        (_("Purchase order"), contract.purchase_order),
        (_("Supplier number"), contract.supplier_number),
        (_("Date of issue"), format_date(claim.issued_on) if claim.is_issued else _("Not issued")),
    ]
    if claim.is_credit_note:
        header_block.append((_("Credits claim"), claim.credits_number or ""))
        header_block.append((_("Reason"), claim.credit_reason))
    header_block.append((_("Total"), format_money(claim.total_pence)))
    for label, value in header_block:
        sheet.append(safe_row([label, value]))
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append([])

    table_top = sheet.max_row + 1
    titles = [title for title, _width in COLUMNS]
    if contract.print_names != "full":
        titles[5] = _("Initials")
    sheet.append(titles)
    for column, (_title, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(table_top, column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    amount_column = len(COLUMNS)
    for line in claim.lines:
        sheet.append(safe_row([
            number,
            contract.ref,
            claim.month,
            line.client_ref,
            line.council_ref,
            printed_name(contract, line.client_name),
            component_label(line.component),
            line.description,
            line.explanation,
        ]) + [Decimal(line.amount_pence) / 100])
        row = sheet.max_row
        for column in range(1, amount_column + 1):
            sheet.cell(row, column).alignment = wrap if column in (8, 9) else top
        sheet.cell(row, amount_column).number_format = MONEY_FORMAT
    total_label = _("Total credited") if claim.is_credit_note else _("Total claimed")
    sheet.append([safe_cell(number), safe_cell(contract.ref), safe_cell(claim.month), None, None, None, None, safe_cell(total_label), None,
                  Decimal(claim.total_pence) / 100])
    total_row = sheet.max_row
    for column in (8, amount_column):
        sheet.cell(total_row, column).font = Font(bold=True)
    sheet.cell(total_row, amount_column).number_format = MONEY_FORMAT
    sheet.freeze_panes = sheet.cell(table_top + 1, 1)
    if claim.lines:
        sheet.auto_filter.ref = f"A{table_top}:{get_column_letter(amount_column)}{total_row - 1}"
    sheet.print_title_rows = f"{table_top}:{table_top}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    path = Path(path)
    workbook.save(path)
    return path
