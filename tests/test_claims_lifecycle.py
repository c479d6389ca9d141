"""A claim's life: issue and freeze, numbering, credit notes, posting, payments, queries, adjustments."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import threading

import pypdf
import pytest
from test_claims_engine import (
    add_client,
    add_contract,
    add_outcome,
    add_review,
    add_suspension,
    add_visit,
)

from branchdesk.models import claims
from branchdesk.models.db import open_branch
from branchdesk.models.errors import BranchDeskError, ValidationError

D = dt.date
# 10.5 h/week at £24.50 with an 80% core share is £29.40 a billable day.
PARAMS = {"core_share": "0.8", "retainer_days": 3, "outcome_upfront_share": "0.2", "reward_share": "0.2"}


@pytest.fixture
def branch(store):
    """One contract with two clients in service since January 2026."""
    contract = add_contract(store, **PARAMS)
    add_client(store, contract, "C1", D(2026, 1, 5), hours="10.5", name="Ann Baker")
    add_client(store, contract, "C2", D(2026, 1, 5), hours="10.5", name="Bob Cole")
    return store


def client_id(store, ref):
    return store.value("SELECT id FROM clients WHERE ref = ?", (ref,))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


# -- issuing ----------------------------------------------------------------------------------------
def test_issuing_numbers_and_freezes_the_claim(branch):
    claim = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    assert (claim.number, claim.status, claim.issued_on) == ("HCC-0001", "issued", D(2026, 11, 3))
    assert claim.total_pence == 2 * 31 * 2940
    assert claim.issued_by == "tester"
    pdf = claims.claim_pdf_bytes(branch, claim.id)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "HCC-0001" in text and "1,822.80" in text
    assert branch.value("SELECT COUNT(*) FROM audit WHERE entity = 'claim' AND action = 'create'") == 1


def test_an_issued_month_is_rebuilt_exactly_as_frozen(branch, tmp_path):
    issued = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    before = claims.claim_as_json(issued)
    add_suspension(branch, client_id(branch, "C1"), D(2026, 10, 10), D(2026, 10, 31), "holiday")
    rebuilt = claims.build_claim(branch, "HCC", "2026-10")
    assert claims.claim_as_json(rebuilt) == before
    assert (rebuilt.status, rebuilt.number) == ("issued", "HCC-0001")
    claims.write_claim_pdf(branch, rebuilt, tmp_path / "reprint.pdf")
    assert (tmp_path / "reprint.pdf").read_bytes() == claims.claim_pdf_bytes(branch, issued.id)


def test_a_month_cannot_be_issued_twice(branch):
    claims.issue_claim(branch, "HCC", "2026-10")
    with pytest.raises(BranchDeskError, match="already issued as HCC-0001"):
        claims.issue_claim(branch, "HCC", "2026-10")
    assert branch.value("SELECT COUNT(*) FROM claims") == 1


def test_an_empty_month_is_not_issued_and_takes_no_number(branch):
    with pytest.raises(BranchDeskError, match="nothing to claim"):
        claims.issue_claim(branch, "HCC", "2025-06")
    assert claims.issue_claim(branch, "HCC", "2026-10").number == "HCC-0001"


def test_a_failed_printout_leaves_nothing_behind(branch, monkeypatch):
    def broken(store, claim):
        raise BranchDeskError("The printer font is missing.")

    monkeypatch.setattr(claims, "_render_pdf", broken)
    with pytest.raises(BranchDeskError):
        claims.issue_claim(branch, "HCC", "2026-10")
    assert branch.value("SELECT COUNT(*) FROM claims") == 0
    assert branch.value("SELECT COUNT(*) FROM claim_lines") == 0
    monkeypatch.undo()
    assert claims.issue_claim(branch, "HCC", "2026-10").number == "HCC-0001"


def test_numbers_are_sequential_per_contract_with_credit_notes_in_the_sequence(branch):
    other = add_contract(branch, "WCC", claim_prefix="WILTS")
    add_client(branch, other, "W1", D(2026, 1, 5), hours="7")
    october = claims.issue_claim(branch, "HCC", "2026-10")
    november = claims.issue_claim(branch, "HCC", "2026-11")
    credit = claims.issue_credit_note(branch, october.id, "Client C2 was claimed under the wrong contract.")
    wilts = claims.issue_claim(branch, "WCC", "2026-10")
    december = claims.issue_claim(branch, "HCC", "2026-12")
    assert [october.number, november.number, credit.number, december.number] == [
        "HCC-0001", "HCC-0002", "HCC-0003", "HCC-0004"]
    assert wilts.number == "WILTS-0001"
    assert [c.number for c in claims.list_claims(branch)][0] == "HCC-0004"


def test_two_windows_issuing_at_once_never_share_a_number(branch):
    path = branch.path
    errors: list[Exception] = []
    months = ["2026-07", "2026-08", "2026-09", "2026-10"]

    def issue(month):
        with open_branch(path, user="window") as window:
            try:
                claims.issue_claim(window, "HCC", month)
            except Exception as error:  # collected and checked below
                errors.append(error)

    threads = [threading.Thread(target=issue, args=(m,)) for m in months + months]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [row[0] for row in branch.rows("SELECT number FROM claims ORDER BY seq")]
    assert numbers == ["HCC-0001", "HCC-0002", "HCC-0003", "HCC-0004"]
    assert len(errors) == 4 and all("already issued" in str(e) for e in errors)


# -- the store refuses changes to issued claims ---------------------------------------------------------
@pytest.mark.parametrize("sql", [
    "UPDATE claim_lines SET amount_pence = amount_pence + 100",
    "UPDATE claims SET total_pence = 1",
    "UPDATE claims SET number = 'HCC-0009'",
    "UPDATE claims SET pdf = x'00'",
    "UPDATE claims SET sealed = 0",
    "DELETE FROM claim_lines",
    "DELETE FROM claims",
    "INSERT INTO claim_lines (claim_id, position, client_ref, component, description, amount_pence)"
    " VALUES (1, 99, 'C1', 'core', 'extra', 100)",
])
def test_sql_cannot_change_an_issued_claim(branch, sql):
    claim = claims.issue_claim(branch, "HCC", "2026-10")
    pdf = claims.claim_pdf_bytes(branch, claim.id)
    with pytest.raises(sqlite3.DatabaseError, match="issued claim"):
        branch.conn.execute(sql)
    again = claims.get_claim(branch, claim.id)
    assert claims.claim_as_json(again) == claims.claim_as_json(claim)
    assert claims.claim_pdf_bytes(branch, claim.id) == pdf


# -- after issue ---------------------------------------------------------------------------------------
def test_posting_part_payment_full_payment(branch):
    claim = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    claim = claims.record_posting(branch, claim.id, D(2026, 11, 4))
    assert (claim.status, claim.posted_on) == ("posted", D(2026, 11, 4))
    claim = claims.record_payment(branch, claim.id, D(2026, 12, 1), 100000, "BACS")
    assert (claim.status, claim.paid_pence, claim.balance_pence) == ("posted", 100000, 182280 - 100000)
    claim = claims.record_payment(branch, claim.id, D(2026, 12, 8), 82280)
    assert (claim.status, claim.balance_pence) == ("paid", 0)
    assert [p.amount_pence for p in claim.payments] == [100000, 82280]
    assert branch.value("SELECT COUNT(*) FROM audit WHERE entity IN ('claim', 'claim_payment')") == 4


def test_a_query_is_recorded(branch):
    claim = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    claim = claims.record_query(branch, claim.id, "Please send C1's review record.", on=D(2026, 11, 20))
    assert (claim.status, claim.queried_on, claim.query_note) == ("queried", D(2026, 11, 20), "Please send C1's review record.")


@pytest.mark.parametrize(("action", "message"), [
    (lambda s, i: claims.record_posting(s, i, D(2026, 11, 1)), "before claim HCC-0001 was issued"),
    (lambda s, i: claims.record_posting(s, i, "31/02/2026"), "not a real date"),
    (lambda s, i: claims.record_payment(s, i, D(2026, 12, 1), 0), "amount"),
    (lambda s, i: claims.record_query(s, i, "  ", D(2026, 12, 1)), "queried"),
    (lambda s, i: claims.issue_credit_note(s, i, ""), "Say why"),
])
def test_bad_input_after_issue_is_refused_and_nothing_changes(branch, action, message):
    claim = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    audit_before = branch.value("SELECT COUNT(*) FROM audit")
    with pytest.raises(ValidationError, match=message):
        action(branch, claim.id)
    assert branch.value("SELECT COUNT(*) FROM audit") == audit_before
    assert claims.get_claim(branch, claim.id).status == "issued"


def test_a_credit_note_negates_the_claim_and_references_it(branch):
    claim = claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    credit = claims.issue_credit_note(branch, claim.id, "Issued before C2's hospital stay was known.", on=D(2026, 11, 10))
    assert credit.kind == "credit_note" and credit.credits_number == "HCC-0001"
    assert credit.total_pence == -claim.total_pence
    assert [(line.client_ref, line.component, line.amount_pence) for line in credit.lines] == [
        (line.client_ref, line.component, -line.amount_pence) for line in claim.lines]
    assert "HCC-0001" in pdf_text(claims.claim_pdf_bytes(branch, credit.id))
    original = claims.get_claim(branch, claim.id)
    assert original.credited_by == ["HCC-0002"] and original.balance_pence == 0
    with pytest.raises(BranchDeskError, match="already been credited"):
        claims.issue_credit_note(branch, claim.id, "again")
    with pytest.raises(BranchDeskError, match="only a claim can be credited"):
        claims.issue_credit_note(branch, credit.id, "again")


# -- adjustments ----------------------------------------------------------------------------------------
def test_a_late_hospital_stay_becomes_a_negative_adjustment_and_is_then_settled(branch):
    claims.issue_claim(branch, "HCC", "2026-10", on=D(2026, 11, 3))
    assert claims.pending_adjustments(branch, "HCC") == []
    # typed in after issue: C2 in hospital 20–31 Oct, 3 retainer days → 9 days fewer × £29.40 = −£264.60
    add_suspension(branch, client_id(branch, "C2"), D(2026, 10, 20), D(2026, 10, 31), "hospital")
    [pending] = claims.pending_adjustments(branch, "HCC")
    assert (pending.client_ref, pending.component, pending.amount_pence) == ("C2", "adjustment", -26460)
    assert (pending.adjusts_month, pending.adjusts_component) == ("2026-10", "core")
    assert pending.description == "Adjustment for October 2026: core"
    assert "£911.40 (HCC-0001)" in pending.explanation and "£646.80" in pending.explanation
    november = claims.build_claim(branch, "HCC", "2026-11")
    assert [(line.client_ref, line.component, line.amount_pence) for line in november.lines] == [
        ("C1", "core", 30 * 2940), ("C2", "core", 30 * 2940), ("C2", "adjustment", -26460)]
    claims.issue_claim(branch, "HCC", "2026-11", on=D(2026, 12, 2))
    assert claims.pending_adjustments(branch, "HCC") == []
    december = claims.build_claim(branch, "HCC", "2026-12")
    assert [line.component for line in december.lines] == ["core", "core"]


def test_a_back_dated_review_becomes_a_positive_adjustment(branch):
    c1 = client_id(branch, "C1")
    outcome = add_outcome(branch, c1, "O1", D(2026, 1, 5), fee_pence=50000)
    claims.issue_claim(branch, "HCC", "2026-10")
    add_review(branch, c1, D(2026, 10, 5), {outcome: "achieved"})
    adjustments = [(line.client_ref, line.adjusts_component, line.amount_pence) for line in claims.pending_adjustments(branch, "HCC")]
    # achieved: £500 × 80% = £400; reward: 5 Jan–4 Oct 2026 = 273 days × 10.5 × £24.50 ÷ 7 = £10,032.75
    # × 20% × 1 ÷ 1 = £2,006.55
    assert adjustments == [("C1", "outcome_achieved", 40000), ("C1", "reward", 200655)]
    november = claims.build_claim(branch, "HCC", "2026-11")
    assert november.total_pence == 2 * 30 * 2940 + 40000 + 200655


def test_adjustments_only_come_from_months_issued_before_the_draft(branch):
    claims.issue_claim(branch, "HCC", "2026-10")
    add_suspension(branch, client_id(branch, "C1"), D(2026, 10, 1), D(2026, 10, 31), "holiday")
    assert [line.component for line in claims.build_claim(branch, "HCC", "2026-09").lines] == ["core", "core"]
    assert [line.amount_pence for line in claims.build_claim(branch, "HCC", "2026-11").lines if line.component == "adjustment"] == [-91140]


def test_a_credited_month_is_claimed_again_through_adjustments(branch):
    claim = claims.issue_claim(branch, "HCC", "2026-10")
    add_suspension(branch, client_id(branch, "C2"), D(2026, 10, 20), D(2026, 10, 31), "hospital")
    claims.issue_credit_note(branch, claim.id, "C2 was in hospital from 20 October.")
    # credited to nothing; recomputed now: C1 £911.40 and C2 £646.80, both owed again
    pending = [(line.client_ref, line.amount_pence) for line in claims.pending_adjustments(branch, "HCC")]
    assert pending == [("C1", 91140), ("C2", 64680)]


def test_issued_adjustments_are_frozen_with_their_claim(branch):
    claims.issue_claim(branch, "HCC", "2026-10")
    add_suspension(branch, client_id(branch, "C2"), D(2026, 10, 20), D(2026, 10, 31), "hospital")
    november = claims.issue_claim(branch, "HCC", "2026-11")
    rebuilt = claims.build_claim(branch, "HCC", "2026-11")
    assert [(line.component, line.adjusts_month, line.amount_pence) for line in rebuilt.lines][-1] == ("adjustment", "2026-10", -26460)
    assert claims.claim_as_json(rebuilt) == claims.claim_as_json(november)


# -- comparison with time and task --------------------------------------------------------------------
def test_time_and_task_comparison(branch):
    add_visit(branch, client_id(branch, "C1"), D(2026, 10, 1), 90)
    add_visit(branch, client_id(branch, "C1"), D(2026, 10, 2), 45)
    add_visit(branch, client_id(branch, "C2"), D(2026, 10, 2), 60, status="missed")
    comparison = claims.time_and_task_comparison(branch, "HCC", "2026-10")
    rows = [(r.client_ref, r.delivered_minutes, r.time_and_task_pence, r.claim_pence) for r in comparison.rows]
    # C1: 135 minutes = 2.25 h × £24.50 = £55.125 → £55.13
    assert rows == [("C1", 135, 5513, 91140), ("C2", 0, 0, 91140)]
    assert (comparison.time_and_task_pence, comparison.claim_pence) == (5513, 182280)


# -- the demo branch's claims ---------------------------------------------------------------------------
def test_the_demo_branch_claims_are_issued_whole_and_numbered_without_gaps(demo_copy):
    with open_branch(demo_copy) as store:
        issued = claims.list_claims(store)
        assert issued
        for claim in issued:
            row = store.row("SELECT total_pence, sealed, pdf IS NOT NULL AS printed FROM claims WHERE id = ?", (claim.id,))
            assert (row["total_pence"], row["sealed"], row["printed"]) == (claim.total_pence, 1, 1)
        for (contract_id,) in store.rows("SELECT DISTINCT contract_id FROM claims"):
            seqs = [r[0] for r in store.rows("SELECT seq FROM claims WHERE contract_id = ? ORDER BY seq", (contract_id,))]
            assert seqs == list(range(1, len(seqs) + 1))
        latest = max(c.month for c in issued if c.contract_ref == "HCC")
        assert claims.build_claim(store, "HCC", latest).number is not None
