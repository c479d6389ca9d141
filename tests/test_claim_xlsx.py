"""The claim spreadsheet for the council's finance team, read back with openpyxl."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook
from test_claim_pdf import make_claim

from branchdesk.models.claim_xlsx import write_claim_xlsx
from branchdesk.models.spreadsheet_safety import safe_cell


def read_table(path):
    """The header block, the lines table (title row onwards) and the sheet."""
    sheet = load_workbook(path).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    top = next(i for i, row in enumerate(rows) if row[0] == "Claim number")
    return rows[:top], rows[top:], sheet


def test_lines_and_total_as_numbers(tmp_path):
    claim = make_claim(4)
    header, table, sheet = read_table(write_claim_xlsx(claim, tmp_path / "claim.xlsx"))
    assert header[0][0] == "Claim HCC-0007"
    assert ["Contract", "HCC — Hampshire County Council"] == header[1][:2]
    assert ["Period", "October 2026"] == header[2][:2]
    assert table[0] == ["Claim number", "Contract", "Month", "Client ref", "Council ref", "Initials", "Component",
                        "Description", "Explanation", "Amount (£)"]
    lines = table[1:-1]
    assert len(lines) == len(claim.lines)
    for row, line in zip(lines, claim.lines, strict=True):
        assert row[:6] == ["HCC-0007", "HCC", "2026-10", line.client_ref, line.council_ref, "M. J." if line.client_name == "Mary Jones" else row[5]]
        assert row[7] == line.description and row[8] == line.explanation
        assert isinstance(row[9], int | float)
        assert Decimal(str(row[9])) == Decimal(line.amount_pence) / 100
    total = table[-1]
    assert total[7] == "Total claimed"
    assert Decimal(str(total[9])) == Decimal(claim.total_pence) / 100
    amount_cell = sheet.cell(len(header) + 2, 10)
    assert "£" in amount_cell.number_format


def test_formula_like_text_is_neutralised(tmp_path):
    claim = make_claim(2, print_names="full", names=["=cmd|' /C calc'!A0", "@SUM(1+1)"])
    claim.lines[0].explanation = "+44 7700 900123"
    claim.lines[0].description = "-2 days"
    _header, table, sheet = read_table(write_claim_xlsx(claim, tmp_path / "claim.xlsx"))
    first = table[1]
    assert first[5] == "'=cmd|' /C calc'!A0"
    assert first[7] == "'-2 days"
    assert first[8] == "'+44 7700 900123"
    assert any(row[5] == "'@SUM(1+1)" for row in table)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_safe_cell_keeps_numbers_and_plain_text():
    assert safe_cell(-12.5) == -12.5
    assert safe_cell(Decimal("-3.20")) == Decimal("-3.20")
    assert safe_cell(None) is None
    assert safe_cell("Mary Jones") == "Mary Jones"
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("bell\x07") == "bell"


def test_draft_and_credit_note(tmp_path):
    header, table, _sheet = read_table(write_claim_xlsx(make_claim(2, status="draft"), tmp_path / "draft.xlsx"))
    assert header[0][0] == "DRAFT — not a claim"
    assert all(row[0] is None for row in table[1:])
    credit = make_claim(2, kind="credit_note")
    header, table, _sheet = read_table(write_claim_xlsx(credit, tmp_path / "credit.xlsx"))
    assert header[0][0] == "Credit note HCC-0008"
    assert ["Credits claim", "HCC-0007"] in [row[:2] for row in header]
    assert table[-1][7] == "Total credited"
    assert Decimal(str(table[-1][9])) == Decimal(credit.total_pence) / 100 < 0


def test_empty_claim(tmp_path):
    _header, table, _sheet = read_table(write_claim_xlsx(make_claim(0, status="draft"), tmp_path / "empty.xlsx"))
    assert len(table) == 2 and table[-1][9] == 0
