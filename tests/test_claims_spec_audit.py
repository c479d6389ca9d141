"""Claims checked from the outside, as SPEC §6, §8 and §10 describe them.

Each test writes its own caseload workbook, imports it with ``branchdesk-cli import caseload``
and checks ``claim build --json`` against amounts worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pypdf
import pytest

from branchdesk.cli import main

COLUMNS = {
    "Contracts": ["ref", "council", "core_basis", "hourly_rate", "core_share", "band_rates", "episode_fee",
                  "outcome_upfront_share", "outcome_partial_share", "reward_share", "hours_saved_share",
                  "hours_saved_months", "retainer_days", "claim_prefix", "print_names"],
    "Clients": ["ref", "council_ref", "name", "contract_ref", "category", "funding", "start_date", "end_date", "end_reason"],
    "Envelopes": ["client_ref", "effective_date", "hours_per_week", "band", "reason"],
    "Outcomes": ["client_ref", "outcome_ref", "description", "agreed_date", "target_date", "fee"],
    "Suspensions": ["client_ref", "start_date", "end_date", "reason"],
    "Reviews": ["client_ref", "review_date", "method", "outcome_ref", "status"],
    "Workers": ["ref", "name"],
}


def workbook(path, **sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, columns in COLUMNS.items():
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in sheets.get(name, []):
            sheet.append([row.get(column) for column in columns])
    book.save(path)
    return str(path)


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def imported(capsys, tmp_path, name="caseload.xlsx", **sheets):
    db = tmp_path / "branch.sqlite"
    status, out, err = run(capsys, "import", "caseload", workbook(tmp_path / name, **sheets), "--db", db)
    assert (status, err) == (0, ""), err
    return db


def build(capsys, db, contract, month):
    status, out, err = run(capsys, "claim", "build", "--db", db, "--contract", contract, "--month", month, "--json")
    assert (status, err) == (0, ""), err
    return json.loads(out)


def amounts(claim):
    return [(line["client_ref"], line["component"], line["amount"]) for line in claim["lines"]]


def client(ref, contract, start, category="long_term", **more):
    return {"ref": ref, "council_ref": f"X{ref}", "name": f"Client {ref}", "contract_ref": contract,
            "category": category, "funding": "council", "start_date": start, **more}


def review(ref, day, outcome, status, method="visit"):
    return {"client_ref": ref, "review_date": day, "method": method, "outcome_ref": outcome, "status": status}


ENVELOPE_BRANCH = {
    "Contracts": [{"ref": "E", "council": "Hill CC", "core_basis": "envelope", "hourly_rate": "18.50", "core_share": "0.8",
                   "retainer_days": 3, "claim_prefix": "HIL", "outcome_upfront_share": 0.25, "reward_share": 0.2}],
    "Clients": [client("A", "E", "2026-01-10"), client("B", "E", dt.date(2025, 12, 1))],
    "Envelopes": [{"client_ref": "A", "effective_date": "2026-01-10", "hours_per_week": 10, "reason": "initial"},
                  {"client_ref": "A", "effective_date": "2026-03-15", "hours_per_week": "14", "reason": "needs_increased"},
                  {"client_ref": "B", "effective_date": "2025-12-01", "hours_per_week": 7, "reason": "initial"}],
    "Outcomes": [{"client_ref": "A", "outcome_ref": "O1", "description": "Cook my own tea", "agreed_date": "2026-01-10",
                  "fee": 400}],
    "Suspensions": [{"client_ref": "A", "start_date": "2026-02-26", "end_date": "2026-03-05", "reason": "hospital"}],
}


def test_core_on_the_envelope_with_a_hospital_stay_across_months_and_a_mid_month_change(capsys, tmp_path):
    db = imported(capsys, tmp_path, **ENVELOPE_BRANCH)
    # A, February: the stay starts 26 Feb; its 3 retainer days (26–28 Feb) stay billable.
    # 28 × 10 h × £18.50 × 0.8 ÷ 7 = £592.00
    assert amounts(build(capsys, db, "E", "2026-02")) == [("A", "core", "592.00"), ("B", "core", "414.40")]
    # A, March: 1–5 Mar in hospital, beyond the retainer; 6–14 Mar at 10 h, 15–31 Mar at 14 h.
    # (9 × 10 + 17 × 14) × £18.50 × 0.8 ÷ 7 = £693.4857… → £693.49
    march = build(capsys, db, "E", "2026-03")
    assert amounts(march) == [("A", "core", "693.49"), ("B", "core", "458.80")]
    assert march["total"] == "1152.29"


def test_issued_months_are_frozen_and_late_data_becomes_adjustments_in_the_next_draft(capsys, tmp_path):
    db = imported(capsys, tmp_path, **ENVELOPE_BRANCH)
    for month, number in (("2026-01", "HIL-0001"), ("2026-02", "HIL-0002"), ("2026-03", "HIL-0003")):
        status, out, err = run(capsys, "claim", "issue", "--db", db, "--contract", "E", "--month", month)
        assert status == 0 and number in out, err
    february = build(capsys, db, "E", "2026-02")
    late = dict(ENVELOPE_BRANCH)
    late["Suspensions"] = ENVELOPE_BRANCH["Suspensions"] + [
        {"client_ref": "B", "start_date": "2026-02-20", "end_date": "2026-03-03", "reason": "hospital"}]
    late["Reviews"] = [review("A", "2026-02-15", "O1", "achieved")]
    status, _out, err = run(capsys, "import", "caseload", workbook(tmp_path / "late.xlsx", **late), "--db", db)
    assert status == 0, err
    again = build(capsys, db, "E", "2026-02")
    assert (again["status"], again["number"]) == ("issued", "HIL-0002")
    assert again == february
    april = build(capsys, db, "E", "2026-04")
    # A: O1 achieved 15 Feb: £400 × 0.75 = £300.00; reward: 36 billable days (10 Jan–14 Feb) × 10 h × £18.50 ÷ 7
    # × 0.2 × 1 ÷ 1 = £190.2857… → £190.29.
    # B: in hospital from 20 Feb, 3 retainer days: February loses 23–28 Feb (6 × £14.80 = −£88.80), March 1–3 Mar (−£44.40).
    assert amounts(april) == [
        ("A", "core", "888.00"), ("A", "adjustment", "300.00"), ("A", "adjustment", "190.29"),
        ("B", "core", "444.00"), ("B", "adjustment", "-88.80"), ("B", "adjustment", "-44.40")]
    assert [line["description"] for line in april["lines"] if line["component"] == "adjustment"] == [
        "Adjustment for February 2026: outcome achieved", "Adjustment for February 2026: reward",
        "Adjustment for February 2026: core", "Adjustment for March 2026: core"]
    assert april["total"] == "1689.09"
    status, out, _err = run(capsys, "claim", "issue", "--db", db, "--contract", "E", "--month", "2026-04")
    assert status == 0 and "HIL-0004" in out
    assert [line["component"] for line in build(capsys, db, "E", "2026-05")["lines"]] == ["core", "core"]
    status, out, _err = run(capsys, "claim", "list", "--db", db, "--json")
    assert sorted(entry["number"] for entry in json.loads(out)) == ["HIL-0001", "HIL-0002", "HIL-0003", "HIL-0004"]


def test_outcome_payments_reward_and_episode(capsys, tmp_path):
    db = imported(
        capsys, tmp_path,
        Contracts=[{"ref": "O", "council": "Out CC", "core_basis": "none", "hourly_rate": 20, "episode_fee": "1575",
                    "outcome_upfront_share": "0.2", "outcome_partial_share": "0.5", "reward_share": "0.2"}],
        Clients=[client("R1", "O", "2026-03-10", category="reablement"), client("R3", "O", "2026-01-01")],
        Envelopes=[{"client_ref": "R1", "effective_date": "2026-03-10", "hours_per_week": 10, "reason": "initial"},
                   {"client_ref": "R3", "effective_date": "2026-01-01", "hours_per_week": 7, "reason": "initial"}],
        Outcomes=[{"client_ref": "R1", "outcome_ref": "O1", "description": "Breakfast", "agreed_date": "2026-03-10",
                   "target_date": "2026-09-30", "fee": 500},
                  {"client_ref": "R1", "outcome_ref": "O2", "description": "Shop", "agreed_date": "2026-03-12", "fee": "300"},
                  {"client_ref": "R1", "outcome_ref": "O3", "description": "Bath", "agreed_date": "2026-03-15"},
                  {"client_ref": "R1", "outcome_ref": "O4", "description": "Friends", "agreed_date": "2026-03-15"},
                  {"client_ref": "R3", "outcome_ref": "Q1", "description": "Garden", "agreed_date": "2026-01-01"}],
        Reviews=[review("R1", "2026-04-21", "O1", "achieved"), review("R1", "2026-04-21", "O2", "partly"),
                 review("R1", "2026-04-21", "O3", "withdrawn"), review("R1", "2026-04-21", "O4", "not_achieved"),
                 review("R1", "2026-10-21", "O2", "achieved", "phone"),
                 review("R3", "2026-02-12", "Q1", "not_achieved"), review("R3", "2026-04-14", "Q1", "achieved", "phone")],
    )
    assert amounts(build(capsys, db, "O", "2026-03")) == [
        ("R1", "episode", "1575.00"), ("R1", "outcome_upfront", "100.00"), ("R1", "outcome_upfront", "60.00")]
    # R1 review 21 Apr: O1 achieved early (£400), O2 partly (£240 × 0.5); reward over 42 days from the start
    # (10 Mar–20 Apr) × 10 h × £20 ÷ 7 = £1,200 × 0.2 × 1.5 ÷ 3 (withdrawn not counted) = £120.
    # R3 review 14 Apr: from the previous review, 12 Feb–13 Apr = 61 days × 7 h × £20 ÷ 7 × 0.2 = £244.
    assert amounts(build(capsys, db, "O", "2026-04")) == [
        ("R1", "outcome_achieved", "400.00"), ("R1", "outcome_partial", "120.00"), ("R1", "reward", "120.00"),
        ("R3", "reward", "244.00")]
    # O2 achieved later: only the remainder, £240 − £120. Reward from the previous review:
    # 183 days (21 Apr–20 Oct) × 10 h × £20 ÷ 7 × 0.2 × 1 ÷ 1 = £1,045.714… → £1,045.71.
    assert amounts(build(capsys, db, "O", "2026-10")) == [("R1", "outcome_achieved", "120.00"), ("R1", "reward", "1045.71")]


def test_hours_saved_from_the_end_of_a_month_and_across_a_year(capsys, tmp_path):
    db = imported(
        capsys, tmp_path,
        Contracts=[{"ref": "H", "council": "Hours CC", "core_basis": "none", "hourly_rate": "21",
                    "hours_saved_share": "0.5", "hours_saved_months": 1}],
        Clients=[client("H1", "H", "2025-01-01"), client("H2", "H", "2025-01-01")],
        Envelopes=[{"client_ref": "H1", "effective_date": "2025-01-01", "hours_per_week": 10, "reason": "initial"},
                   {"client_ref": "H1", "effective_date": "2026-01-31", "hours_per_week": 8, "reason": "independence"},
                   {"client_ref": "H2", "effective_date": "2025-01-01", "hours_per_week": 10, "reason": "initial"},
                   {"client_ref": "H2", "effective_date": "2026-12-20", "hours_per_week": 4, "reason": "community_link"}],
        Suspensions=[{"client_ref": "H1", "start_date": "2026-02-10", "end_date": "2026-02-20", "reason": "holiday"}],
    )
    # H1: 2 h × £21 × 0.5 ÷ 7 = £3 a day from 31 Jan up to (not including) 28 Feb; a holiday does not stop it.
    assert amounts(build(capsys, db, "H", "2026-01")) == [("H1", "hours_saved", "3.00")]
    assert amounts(build(capsys, db, "H", "2026-02")) == [("H1", "hours_saved", "81.00")]
    assert amounts(build(capsys, db, "H", "2026-03")) == []
    # H2: 6 h × £21 × 0.5 ÷ 7 = £9 a day from 20 Dec 2026 up to 20 Jan 2027.
    assert amounts(build(capsys, db, "H", "2026-12")) == [("H2", "hours_saved", "108.00")]
    assert amounts(build(capsys, db, "H", "2027-01")) == [("H2", "hours_saved", "171.00")]


def test_each_line_is_rounded_half_up_and_the_total_is_the_sum_of_rounded_lines(capsys, tmp_path):
    db = imported(
        capsys, tmp_path,
        Contracts=[{"ref": "R", "council": "Round CC", "core_basis": "envelope", "hourly_rate": "15.01"},
                   {"ref": "B", "council": "Band CC", "core_basis": "band", "hourly_rate": 20,
                    "band_rates": "lower=75;higher=150"}],
        Clients=[client("D1", "R", "2026-04-30"), client("D2", "R", "2026-04-30"), client("F", "B", "2026-01-01")],
        Envelopes=[{"client_ref": "D1", "effective_date": "2026-04-30", "hours_per_week": 3.5, "reason": "initial"},
                   {"client_ref": "D2", "effective_date": "2026-04-30", "hours_per_week": "3.5", "reason": "initial"},
                   {"client_ref": "F", "effective_date": "2026-01-01", "hours_per_week": 5, "band": "lower", "reason": "initial"},
                   {"client_ref": "F", "effective_date": "2026-04-11", "hours_per_week": 12, "band": "higher",
                    "reason": "needs_increased"}],
    )
    # 1 day × 3.5 h × £15.01 ÷ 7 = £7.505 → £7.51 each; the total is £15.02, not £15.01.
    claim = build(capsys, db, "R", "2026-04")
    assert amounts(claim) == [("D1", "core", "7.51"), ("D2", "core", "7.51")]
    assert claim["total"] == "15.02"
    # (10 days × £75 + 20 days × £150) ÷ 7 = £535.714… → £535.71
    assert amounts(build(capsys, db, "B", "2026-04")) == [("F", "core", "535.71")]


def test_a_month_is_written_yyyy_mm_on_the_command_line(capsys, tmp_path):
    db = imported(capsys, tmp_path, **ENVELOPE_BRANCH)
    for month in ("2026-1", "2026-01-01", "26-01"):
        status, out, err = run(capsys, "claim", "build", "--db", db, "--contract", "E", "--month", month, "--json")
        assert (status, out) == (2, "") and "not a month" in err and len(err.strip().splitlines()) == 1
        status, _out, err = run(capsys, "claim", "issue", "--db", db, "--contract", "E", "--month", month)
        assert status == 2 and "not a month" in err
    assert build(capsys, db, "E", "2026-01")["month"] == "2026-01"


def test_an_unwritable_printout_path_is_refused_before_a_number_is_taken(capsys, tmp_path):
    db = imported(capsys, tmp_path, **ENVELOPE_BRANCH)
    for target in (tmp_path / "no such folder" / "claim.pdf", tmp_path):
        status, out, err = run(capsys, "claim", "issue", "--db", db, "--contract", "E", "--month", "2026-01", "--pdf", target)
        assert (status, out) == (1, "") and "no claim was issued" in err and len(err.strip().splitlines()) == 1
    assert run(capsys, "claim", "list", "--db", db)[1].strip() == "No claims have been issued yet."
    pdf = tmp_path / "claim.pdf"
    status, out, _err = run(capsys, "claim", "issue", "--db", db, "--contract", "E", "--month", "2026-01", "--pdf", pdf)
    assert status == 0 and "HIL-0001" in out and pdf.read_bytes().startswith(b"%PDF")


def test_the_printout_counts_clients_and_lines_in_plain_english(capsys, tmp_path):
    db = imported(capsys, tmp_path, **ENVELOPE_BRANCH)
    pdf = tmp_path / "draft.pdf"
    assert run(capsys, "claim", "build", "--db", db, "--contract", "E", "--month", "2025-12", "--pdf", pdf)[0] == 0
    text = " ".join(pypdf.PdfReader(pdf).pages[0].extract_text().split())
    assert "December 2025: 1 client, 1 line." in text


@pytest.mark.parametrize(("contract", "month", "expected"), [
    ("E", "2020-01", {"lines": [], "total": "0.00"}),
    ("NONE", "2026-01", {"lines": [], "total": "0.00"}),
])
def test_months_and_contracts_without_clients_give_an_empty_draft(capsys, tmp_path, contract, month, expected):
    branch = dict(ENVELOPE_BRANCH)
    branch["Contracts"] = ENVELOPE_BRANCH["Contracts"] + [
        {"ref": "NONE", "council": "Empty CC", "core_basis": "envelope", "hourly_rate": 20}]
    db = imported(capsys, tmp_path, **branch)
    claim = build(capsys, db, contract, month)
    assert claim == {"contract": contract, "month": month, "status": "draft", "number": None, **expected}
    status, _out, err = run(capsys, "claim", "issue", "--db", db, "--contract", contract, "--month", month)
    assert status == 1 and "nothing to claim" in err
