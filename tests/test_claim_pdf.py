"""The claim printout, read back with pypdf: what a commissioner would see on paper."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from branchdesk.models.branch import save_branch
from branchdesk.models.claim_pdf import (
    DECLARATION,
    claim_pdf_for_branch,
    column_widths,
    initials,
    render_claim_pdf,
    write_claim_pdf_file,
)
from branchdesk.models.claim_types import Claim, ClaimLine
from branchdesk.models.contracts import Contract
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.money import format_money
from branchdesk.models.pdf_common import PAGE_HEIGHT

BRANCH = {
    "name": "Meadowbank Home Care",
    "address": "Unit 4, The Courtyard\n12 Castle Street\nTrowbridge\nBA14 8AA",
    "phone": "01225 555 0100",
    "email": "office@meadowbank.example",
    "cqc_location_id": "1-234567890",
    "bank_account_name": "Meadowbank Home Care Ltd",
    "bank_sort_code": "20-45-77",
    "bank_account_number": "41234567",
    "signatory_name": "Janet Okafor",
    "signatory_role": "Registered Manager",
    "logo": None,
}
NAMES = ["Mary Jones", "Édith Ångström", "Seán O'Brien", "Arthur Pendleton", "Grace Adeyemi", "Tomasz Nowak"]


def make_contract(print_names: str = "initials") -> Contract:
    return Contract(
        ref="HCC", council="Hampshire County Council", core_basis="envelope", hourly_rate_pence=2450, id=1,
        commissioner="Priya Shah, Commissioning Manager", address="Elizabeth II Court North\nThe Castle\nWinchester\nSO23 8UQ",
        supplier_number="SUP-40117", purchase_order="PO-2026-3381", claim_prefix="HCC", print_names=print_names,
    )


def make_claim(clients: int = 3, status: str = "issued", kind: str = "claim", print_names: str = "initials", names=None) -> Claim:
    """A claim built by hand: each client a core line, every other one an outcome line too."""
    lines = []
    for i in range(clients):
        name = (names or NAMES)[i % len(names or NAMES)]
        ref, council_ref = f"C{i + 1:03d}", f"HC{700100 + i}"
        lines.append(ClaimLine(i + 1, ref, council_ref, name, "core", "Core: envelope hours, October 2026",
                               f"31 billable days × 10.5 h/week × £24.50 × 80% ÷ 7 = £{1000 + i}.{i % 100:02d}", 100000 + i * 101))
        if i % 2 == 0:
            lines.append(ClaimLine(i + 1, ref, council_ref, name, "outcome_achieved", "Outcome achieved: “I want to make my own breakfast again”",
                                   "Review on 14/10/2026 found it achieved: £400.00 × (1 − 20% upfront) = £320.00", 32000))
    sign = -1 if kind == "credit_note" else 1
    for line in lines:
        line.amount_pence *= sign
    issued = status != "draft"
    return Claim(
        contract=make_contract(print_names), month="2026-10", lines=lines, status=status, kind=kind,
        number=("HCC-0008" if kind == "credit_note" else "HCC-0007") if issued else None,
        issued_on=dt.date(2026, 11, 2) if issued else None,
        credits_number="HCC-0007" if kind == "credit_note" else None,
        credit_reason="A hospital stay was recorded late." if kind == "credit_note" else "",
    )


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All the text of a PDF with runs of white space (line wraps) as single spaces."""
    return re.sub(r"\s+", " ", "\n".join(pages_text(pdf)))


def test_printout_shows_number_clients_amounts_total_and_declaration():
    claim = make_claim(3)
    text = flat(claim_pdf_for_branch(BRANCH, claim))
    assert "Claim" in text and "HCC-0007" in text
    for expected in ("HCC — Hampshire County Council", "PO-2026-3381", "SUP-40117", "October 2026", "01/10/2026", "31/10/2026", "02/11/2026"):
        assert expected in text
    for line in claim.lines:
        assert line.council_ref in text
        assert format_money(line.amount_pence) in text
    assert "Subtotal for HC700100" in text
    assert format_money(claim.total_pence) in text
    assert "Total claimed" in text
    assert DECLARATION in text
    for word in ("Signature", "Name", "Role", "Date", "Janet Okafor", "Registered Manager"):
        assert word in text
    assert "Remittance advice" in text and "41234567" in text and "20-45-77" in text
    assert "Please quote HCC-0007 as the payment reference." in text


def test_many_clients_make_numbered_pages_with_the_header_repeated():
    claim = make_claim(70)
    pages = pages_text(claim_pdf_for_branch(BRANCH, claim))
    count = len(pages)
    assert count >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in text
    for text in pages[:-1]:
        assert "Council ref" in text and "Component" in text and "Amount" in text
    everything = "\n".join(pages)
    for line in claim.lines:
        assert line.council_ref in everything
        assert format_money(line.amount_pence) in everything
    assert format_money(claim.total_pence) in pages[-1]
    assert "Remittance advice" in pages[-1]


def _positions(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """Every piece of text on a page with its position (points from the bottom-left corner)."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def test_council_address_sits_in_the_dl_window():
    pdf = claim_pdf_for_branch(BRANCH, make_claim(2))
    positions = _positions(pdf)
    address = ["Priya Shah, Commissioning Manager", "Hampshire County Council", "Elizabeth II Court North", "The Castle", "Winchester", "SO23 8UQ"]
    for wanted in address:
        spots = [(x, y) for text, x, y in positions if text == wanted]
        assert spots, wanted
        x, y = spots[0]
        from_top = (PAGE_HEIGHT - y) / mm
        assert 20 <= x / mm <= 24, (wanted, x / mm)
        assert 47 <= from_top <= 82, (wanted, from_top)
    first_line_top = (PAGE_HEIGHT - max(y for text, _x, y in positions if text == address[0])) / mm
    assert 45 <= first_line_top <= 55


def test_long_address_is_kept_inside_the_window():
    claim = make_claim(1)
    claim.contract.address = "\n".join(f"Line {n} of a very long address that goes on and on past the window" for n in range(12)) + "\nSO23 8UQ"
    positions = _positions(claim_pdf_for_branch(BRANCH, claim))
    lines = [(text, x, y) for text, x, y in positions if text.startswith("Line ") or text == "SO23 8UQ"]
    assert any(text == "SO23 8UQ" for text, _x, _y in lines)
    for _text, x, y in lines:
        assert 20 * mm <= x and 47 * mm <= PAGE_HEIGHT - y <= 82 * mm


def test_user_text_is_escaped():
    names = ['Zoë <b>&"\' Smith', "Bob </para> Jones"]
    claim = make_claim(2, print_names="full", names=names)
    claim.lines[0].explanation = "5 < 7 & 9 > 3 <font size=40>big</font>"
    text = flat(claim_pdf_for_branch(BRANCH, claim))
    assert 'Zoë <b>&"\' Smith' in text
    assert "Bob </para> Jones" in text
    assert "<font size=40>big</font>" in text


def test_initials_or_full_names_as_the_contract_says():
    assert initials("Mary Jones") == "M. J."
    assert initials("Mary-Anne O'Neil") == "M.-A. O."
    assert initials("  édith   ångström ") == "É. Å."
    with_initials = "\n".join(pages_text(claim_pdf_for_branch(BRANCH, make_claim(1))))
    assert "M. J." in with_initials and "Mary Jones" not in with_initials
    assert "Initials" in with_initials
    in_full = "\n".join(pages_text(claim_pdf_for_branch(BRANCH, make_claim(1, print_names="full"))))
    assert "Mary Jones" in in_full


def test_draft_is_marked_and_asks_for_no_payment():
    text = "\n".join(pages_text(claim_pdf_for_branch(BRANCH, make_claim(2, status="draft"))))
    assert "DRAFT — not a claim" in text
    assert "HCC-0007" not in text
    assert "do not pay" in text


def test_credit_note_shows_negative_amounts_and_the_claim_it_credits():
    claim = make_claim(2, kind="credit_note")
    text = "\n".join(pages_text(claim_pdf_for_branch(BRANCH, claim)))
    assert "Credit note" in text and "HCC-0008" in text
    assert "Credits claim" in text and "HCC-0007" in text
    assert "-£1,000.00" in text
    assert format_money(claim.total_pence) in text and claim.total_pence < 0
    assert "Total credited" in text
    assert "A hospital stay was recorded late." in text
    assert "Remittance advice" not in text


@pytest.mark.parametrize("name", [
    "W" * 500,
    "משה כהן",
    "محمد علي",
    "Bob 😀\u200d Builder \U0001FAE0",
    "Żaneta Łukasiewicz-Wróblewska",
    "\x07bell\x00 name",
])
def test_any_name_prints(name):
    claim = make_claim(2, print_names="full", names=[name, "Mary Jones"])
    pages = pages_text(claim_pdf_for_branch(BRANCH, claim))
    assert "Mary Jones" in "\n".join(pages)


def test_text_longer_than_a_page_still_prints():
    claim = make_claim(2)
    claim.lines[0].explanation = "and so on " * 1500
    pages = pages_text(claim_pdf_for_branch(BRANCH, claim))
    assert len(pages) >= 3
    assert format_money(claim.total_pence) in pages[-1] or format_money(claim.total_pence) in "\n".join(pages)


def test_empty_claim_prints():
    claim = make_claim(0, status="draft")
    text = "\n".join(pages_text(claim_pdf_for_branch(BRANCH, claim)))
    assert "No lines for this month." in text and "£0.00" in text


def test_same_claim_prints_the_same_bytes():
    claim = make_claim(4)
    assert claim_pdf_for_branch(BRANCH, claim) == claim_pdf_for_branch(BRANCH, claim)


def test_uses_the_branch_details_and_writes_a_file(store, tmp_path):
    save_branch(store, {**{k: v for k, v in BRANCH.items() if k != "logo"}, "name": "Riverside Care"})
    claim = make_claim(2)
    path = write_claim_pdf_file(store, claim, tmp_path / "claim.pdf")
    text = "\n".join(pages_text(path.read_bytes()))
    assert "Riverside Care" in text and "Janet Okafor" in text
    assert render_claim_pdf(store, claim) == path.read_bytes()
    with pytest.raises(BranchDeskError, match="Could not save the PDF"):
        write_claim_pdf_file(store, claim, tmp_path / "missing-folder" / "claim.pdf")


def test_a_logo_that_cannot_be_read_is_left_out():
    text = "\n".join(pages_text(claim_pdf_for_branch({**BRANCH, "logo": b"not an image"}, make_claim(1))))
    assert "Meadowbank Home Care" in text


def test_a_client_with_many_lines_continues_under_their_ref():
    claim = make_claim(1)
    first = claim.lines[0]
    claim.lines += [ClaimLine(first.client_id, first.client_ref, first.council_ref, first.client_name, "adjustment",
                              f"Adjustment for month {n}", "A difference found after issue.", 100 * n) for n in range(1, 15)]
    text = flat(claim_pdf_for_branch(BRANCH, claim))
    assert "HC700100 (continued)" in text
    assert f"Subtotal for HC700100 M. J. {format_money(claim.total_pence)}" in text


def _rows_by_page(pdf: bytes) -> list[list[tuple[str, float]]]:
    """Per page, the text of the lines table's council ref column and of its explanation column
    from top to bottom (so a test can see what opens and closes each page)."""
    pages = []
    for number in range(len(PdfReader(io.BytesIO(pdf)).pages)):
        spots = sorted(((text, x, y) for text, x, y in _positions(pdf, number)), key=lambda spot: -spot[2])
        pages.append([(text, y) for text, _x, y in spots])
    return pages


def _client_with_lines(claim: Claim, number: int, count: int) -> None:
    """Give the client ``number`` of ``claim`` ``count`` more lines."""
    first = next(line for line in claim.lines if line.client_id == number)
    claim.lines += [ClaimLine(first.client_id, first.client_ref, first.council_ref, first.client_name, "adjustment",
                              f"Adjustment for month {n} of client {number}",
                              "A difference found after the claim was issued, shown with the days and rates behind it.", 100 * n)
                    for n in range(1, count + 1)]
    claim.lines.sort(key=lambda line: line.client_id)


def test_pages_are_filled_and_break_between_a_clients_lines():
    claim = make_claim(24)
    for number in (3, 9, 15, 21):
        _client_with_lines(claim, number, 6)
    pdf = claim_pdf_for_branch(BRANCH, claim)
    pages = _rows_by_page(pdf)
    text = flat(pdf)
    assert "(continued)" in text
    for page in pages[:-2]:  # the table runs to the foot of the page: no third of a page left empty
        lowest = min(y for text, y in page if not text.startswith("Page ") and "·" not in text)
        assert lowest / mm < 70, lowest / mm
    for page in pages[1:]:
        header = next((n for n, (text, _y) in enumerate(page) if text == "Amount"), None)
        if header is None:
            continue
        first_row = " ".join(text for text, _y in page[header + 1: header + 3])
        assert not first_row.startswith("Subtotal") and "Total claimed" not in first_row, first_row


def test_a_client_is_never_left_as_a_single_line_at_the_foot_of_a_page():
    claim = make_claim(24)
    for number in range(1, 25, 2):
        _client_with_lines(claim, number, 5)
    pdf = claim_pdf_for_branch(BRANCH, claim)
    for page in _rows_by_page(pdf)[:-1]:
        rows = [text for text, _y in page if re.fullmatch(r"HC7\d{5}( \(continued\))?", text) or text.startswith("Subtotal for")
                or text.startswith("Adjustment for month") or text.startswith("Core: ") or text.startswith("Outcome achieved:")]
        if not rows:
            continue
        last_ref = max((n for n, text in enumerate(rows) if text.startswith("HC7")), default=None)
        if last_ref is None:
            continue
        after = rows[last_ref + 1:]
        assert after, f"{rows[last_ref]} opens a client at the foot of a page with nothing after it"


def test_the_period_shows_the_month_and_its_dates():
    text = flat(claim_pdf_for_branch(BRANCH, make_claim(1)))
    assert "October 2026 01/10/2026 to 31/10/2026" in text


def test_every_client_has_a_subtotal_and_the_declaration_states_the_total():
    claim = make_claim(3)  # clients 1 and 3 have two lines, client 2 one
    text = flat(claim_pdf_for_branch(BRANCH, claim))
    for number in range(3):
        lines = [line for line in claim.lines if line.council_ref == f"HC{700100 + number}"]
        assert f"Subtotal for HC{700100 + number}" in text
        assert format_money(sum(line.amount_pence for line in lines)) in text
    assert "Claim HCC-0007, contract HCC, October 2026: total " + format_money(claim.total_pence) + "." in text


def test_a_long_negative_total_stays_on_one_line():
    claim = make_claim(40, kind="credit_note")
    text = pages_text(claim_pdf_for_branch(BRANCH, claim))[-1]
    assert format_money(claim.total_pence) in text.replace("\n", " ")
    assert claim.total_pence < -3_000_000
    widths = column_widths(claim)
    assert widths[-1] > 26 * mm  # room for −£40,…


def test_credit_notes_of_long_demo_claims_print(tmp_path):
    """Reprinting rows measured before: a credit note splits the same kind of long table."""
    from branchdesk.models import claims
    from branchdesk.models.db import open_branch
    from branchdesk.models.demo import build_demo

    path = tmp_path / "demo.sqlite"
    build_demo(path, clients=120, months=18, seed=1, today=dt.date(2026, 12, 2))
    store = open_branch(path)
    try:
        issued = store.rows("SELECT id, number FROM claims WHERE kind = 'claim' AND number IN ('HCC-0001', 'ICB-0001', 'SPOT-0001')")
        assert issued
        for row in issued:
            credit = claims.issue_credit_note(store, row["id"], "A hospital stay was recorded late.", on=dt.date(2026, 12, 2))
            text = flat(claims.claim_pdf_bytes(store, store.value("SELECT id FROM claims WHERE number = ?", (credit.number,))))
            assert f"Credits claim {row['number']}" in text or row["number"] in text
            assert "Total credited" in text and "No payment is due." in text
            assert "Remittance advice" not in text
    finally:
        store.close()
