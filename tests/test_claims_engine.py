"""The claim engine, component by component, with every amount worked out by hand (SPEC §6)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from branchdesk.models.claim_engine import compute_month
from branchdesk.models.contracts import Contract, contract_by_ref

D = dt.date
_visit_numbers = itertools.count(1)


# -- small helpers that put rows straight into a branch file ----------------------------------------
def add_contract(store, ref="HCC", **values) -> Contract:
    row = {"ref": ref, "council": "Hertfordshire County Council", "claim_prefix": ref, "core_basis": "envelope",
           "hourly_rate_pence": 2450, "address": "County Hall\nHertford\nSG13 8DE"}
    row.update(values)
    columns = ", ".join(row)
    with store.transaction():
        store.conn.execute(f"INSERT INTO contracts ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    return contract_by_ref(store, ref)


def add_client(store, contract, ref, start, end=None, category="long_term", hours=None, band="", name=None) -> int:
    with store.transaction():
        client_id = store.conn.execute(
            "INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date, end_date, end_reason)"
            " VALUES (?, ?, ?, ?, ?, 'council', ?, ?, ?)",
            (ref, f"H-{ref}", name or f"Person {ref}", contract.id, category, start.isoformat(),
             end.isoformat() if end else None, "other" if end else None),
        ).lastrowid
    if hours is not None:
        add_envelope(store, client_id, start, hours, band=band)
    return client_id


def add_envelope(store, client_id, effective, hours, reason="initial", band=""):
    with store.transaction():
        store.conn.execute(
            "INSERT INTO envelopes (client_id, effective_date, hours_per_week, band, reason) VALUES (?, ?, ?, ?, ?)",
            (client_id, effective.isoformat(), str(hours), band, reason))


def add_suspension(store, client_id, start, end, reason="hospital"):
    with store.transaction():
        store.conn.execute("INSERT INTO suspensions (client_id, start_date, end_date, reason) VALUES (?, ?, ?, ?)",
                           (client_id, start.isoformat(), end.isoformat(), reason))


def add_outcome(store, client_id, ref, agreed, fee_pence=50000, target=None) -> int:
    with store.transaction():
        return store.conn.execute(
            "INSERT INTO outcomes (client_id, ref, description, agreed_date, target_date, fee_pence) VALUES (?, ?, ?, ?, ?, ?)",
            (client_id, ref, f"I want to manage {ref} myself", agreed.isoformat(),
             target.isoformat() if target else None, fee_pence)).lastrowid


def add_review(store, client_id, day, statuses: dict[int, str], method="visit") -> int:
    with store.transaction():
        review_id = store.conn.execute("INSERT INTO reviews (client_id, review_date, method) VALUES (?, ?, ?)",
                                       (client_id, day.isoformat(), method)).lastrowid
        for outcome_id, status in statuses.items():
            store.conn.execute("INSERT INTO review_outcomes (review_id, outcome_id, status) VALUES (?, ?, ?)",
                               (review_id, outcome_id, status))
    return review_id


def add_visit(store, client_id, day, minutes, status="completed"):
    with store.transaction():
        store.conn.execute(
            "INSERT INTO visits (client_id, visit_date, planned_start, minutes, status, match_key) VALUES (?, ?, '08:00', ?, ?, ?)",
            (client_id, day.isoformat(), minutes, status, f"k{next(_visit_numbers)}"))


def amounts(lines) -> list[tuple[str, str, int]]:
    return sorted((line.client_ref, line.component, line.amount_pence) for line in lines)


def month_lines(store, contract, month: str):
    return compute_month(store, contract, int(month[:4]), int(month[5:]))


# -- core on the envelope basis -----------------------------------------------------------------------
# £24.50/h, 80% core share: 10.5 h/week is 10.5 × 24.50 × 0.8 ÷ 7 = £29.40 a day; 7 h/week is £19.60 a day.
ENVELOPE = {"core_share": "0.8", "retainer_days": 3}


def _whole_month(store, c):
    add_client(store, c, "C1", D(2026, 1, 5), hours="10.5")


def _mid_month_start(store, c):
    add_client(store, c, "C1", D(2026, 10, 12), hours="10.5")


def _mid_month_end(store, c):
    add_client(store, c, "C1", D(2026, 1, 5), end=D(2026, 10, 20), hours="10.5")


def _envelope_change(store, c):
    client = add_client(store, c, "C1", D(2026, 1, 5), hours="10.5")
    add_envelope(store, client, D(2026, 10, 15), "7", reason="needs_decreased")


def _holiday_across_months(store, c):
    client = add_client(store, c, "C1", D(2026, 1, 5), hours="10.5")
    add_suspension(store, client, D(2026, 9, 25), D(2026, 10, 5), "holiday")


def _hospital_with_retainer(store, c):
    client = add_client(store, c, "C1", D(2026, 1, 5), hours="10.5")
    add_suspension(store, client, D(2026, 10, 18), D(2026, 11, 3), "hospital")


def _hospital_from_last_month(store, c):
    client = add_client(store, c, "C1", D(2026, 1, 5), hours="10.5")
    add_suspension(store, client, D(2026, 9, 29), D(2026, 10, 10), "hospital")


def _no_envelope_until_mid_month(store, c):
    client = add_client(store, c, "C1", D(2026, 10, 1))
    add_envelope(store, client, D(2026, 10, 22), "7")


def _ended_before_month(store, c):
    add_client(store, c, "C1", D(2026, 1, 5), end=D(2026, 9, 30), hours="10.5")


ENVELOPE_CASES = [
    # name, setup, month, expected core pence
    ("whole month: 31 × £29.40", _whole_month, "2026-10", 91140),
    ("start 12 Oct: 20 days × £29.40", _mid_month_start, "2026-10", 58800),
    ("end 20 Oct: 20 days × £29.40", _mid_month_end, "2026-10", 58800),
    ("10.5 h to 14 Oct, 7 h from 15 Oct: 14 × £29.40 + 17 × £19.60", _envelope_change, "2026-10", 41160 + 33320),
    ("holiday 25 Sep–5 Oct, September side: 24 × £29.40", _holiday_across_months, "2026-09", 70560),
    ("holiday 25 Sep–5 Oct, October side: 26 × £29.40", _holiday_across_months, "2026-10", 76440),
    ("hospital from 18 Oct, 3 retainer days: 20 × £29.40", _hospital_with_retainer, "2026-10", 58800),
    ("same stay in November: 4–30 Nov, 27 × £29.40", _hospital_with_retainer, "2026-11", 79380),
    ("hospital 29 Sep–10 Oct: retainer 29, 30 Sep, 1 Oct; 1 Oct + 11–31 Oct = 22 × £29.40",
     _hospital_from_last_month, "2026-10", 64680),
    ("September side of that stay: 30 days × £29.40", _hospital_from_last_month, "2026-09", 88200),
    ("no envelope before 22 Oct: 10 days × £19.60", _no_envelope_until_mid_month, "2026-10", 19600),
    ("leap February 2028: 29 × £29.40", _whole_month, "2028-02", 85260),
]


@pytest.mark.parametrize(("name", "setup", "month", "pence"), ENVELOPE_CASES, ids=[c[0] for c in ENVELOPE_CASES])
def test_core_on_the_envelope_basis(store, name, setup, month, pence):
    contract = add_contract(store, **ENVELOPE)
    setup(store, contract)
    assert amounts(month_lines(store, contract, month)) == [("C1", "core", pence)]


def test_no_line_for_a_client_out_of_service_all_month(store):
    contract = add_contract(store, **ENVELOPE)
    _ended_before_month(store, contract)
    assert month_lines(store, contract, "2026-10") == []


def test_a_service_starting_on_29_february(store):
    contract = add_contract(store, **ENVELOPE)
    add_client(store, contract, "C1", D(2028, 2, 29), hours="10.5")
    # one day: 29 Feb 2028 × £29.40
    assert amounts(month_lines(store, contract, "2028-02")) == [("C1", "core", 2940)]


def test_an_empty_core_share_means_the_whole_envelope(store):
    contract = add_contract(store)  # core_share empty
    add_client(store, contract, "C1", D(2026, 1, 5), hours="10.5")
    # 31 × 10.5 × £24.50 ÷ 7 = 31 × £36.75 = £1,139.25
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "core", 113925)]


def test_a_half_penny_is_rounded_up_once(store):
    contract = add_contract(store, hourly_rate_pence=1001)
    add_client(store, contract, "C1", D(2026, 10, 31), hours="3.5")
    # 1 day × 3.5 × £10.01 ÷ 7 = £5.005 → £5.01 (half up, not half even)
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "core", 501)]


def test_rounding_happens_once_per_line_not_per_segment(store):
    contract = add_contract(store, hourly_rate_pence=1001)
    client = add_client(store, contract, "C1", D(2026, 10, 30), hours="3.5")
    add_envelope(store, client, D(2026, 10, 31), "3.5", reason="other")
    # two segments of £5.005 each: rounded per segment would be £10.02; once, (2 × 3.5) × £10.01 ÷ 7 = £10.01
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "core", 1001)]


def test_core_explanation_can_be_checked_by_hand(store):
    contract = add_contract(store, **ENVELOPE)
    client = add_client(store, contract, "C1", D(2026, 1, 5), hours="10.5")
    add_suspension(store, client, D(2026, 10, 18), D(2026, 11, 3), "hospital")
    [line] = month_lines(store, contract, "2026-10")
    assert line.description == "Core: envelope hours, October 2026"
    assert line.explanation == (
        "20 billable days (1–20 Oct; in hospital 18–31 Oct (3 retainer days billable: 18–20 Oct))"
        " × 10.5 h/week × £24.50 × 80% ÷ 7 = £588.00")


def test_core_explanation_lists_each_envelope_segment(store):
    contract = add_contract(store, **ENVELOPE)
    _envelope_change(store, contract)
    [line] = month_lines(store, contract, "2026-10")
    assert "1–14 Oct at 10.5 h/week; 15–31 Oct at 7 h/week" in line.explanation
    assert "(14 days × 10.5 h/week + 17 days × 7 h/week) × £24.50 × 80% ÷ 7 = £744.80" in line.explanation


# -- core on the band and delivered bases ------------------------------------------------------------
def test_core_on_the_band_basis(store):
    contract = add_contract(store, core_basis="band", band_rates="lower=75;higher=150")
    add_client(store, contract, "C1", D(2026, 1, 5), hours="10", band="higher")
    changing = add_client(store, contract, "C2", D(2026, 1, 5), hours="5", band="lower")
    add_envelope(store, changing, D(2026, 10, 15), "10", reason="needs_increased", band="higher")
    assert amounts(month_lines(store, contract, "2026-10")) == [
        ("C1", "core", 66429),  # 31 × £150 ÷ 7 = £664.2857 → £664.29
        ("C2", "core", 51429),  # (14 × £75 + 17 × £150) ÷ 7 = £3,600 ÷ 7 = £514.2857 → £514.29
    ]
    changed = next(line for line in month_lines(store, contract, "2026-10") if line.client_ref == "C2")
    assert "£75.00/week (band lower)" in changed.explanation and "£150.00/week (band higher)" in changed.explanation


def test_days_on_no_band_are_explained_as_such(store):
    contract = add_contract(store, core_basis="band", band_rates="lower=75;higher=150")
    client = add_client(store, contract, "C1", D(2026, 1, 5), hours="10")
    add_envelope(store, client, D(2026, 10, 15), "10", reason="needs_increased", band="higher")
    [line] = month_lines(store, contract, "2026-10")
    assert line.amount_pence == 36429  # 17 × £150 ÷ 7 = £364.2857 → £364.29
    assert "£0.00/week (no band recorded)" in line.explanation and "band no band" not in line.explanation


def test_core_on_the_delivered_basis_counts_completed_visits_of_the_month(store):
    contract = add_contract(store, core_basis="delivered")
    client = add_client(store, contract, "C1", D(2026, 1, 5), hours="10")
    add_visit(store, client, D(2026, 10, 1), 60)
    add_visit(store, client, D(2026, 10, 2), 45)
    add_visit(store, client, D(2026, 10, 31), 30)
    add_visit(store, client, D(2026, 10, 3), 60, status="missed")
    add_visit(store, client, D(2026, 10, 4), 60, status="cancelled_by_client")
    add_visit(store, client, D(2026, 11, 1), 60)
    [line] = month_lines(store, contract, "2026-10")
    # 135 minutes ÷ 60 = 2.25 h × £24.50 = £55.125 → £55.13
    assert (line.component, line.amount_pence) == ("core", 5513)
    assert "3 completed visits" in line.explanation and "135 minutes" in line.explanation


def test_core_basis_none_pays_no_core(store):
    contract = add_contract(store, core_basis="none")
    add_client(store, contract, "C1", D(2026, 1, 5), hours="10")
    assert month_lines(store, contract, "2026-10") == []


# -- episode ----------------------------------------------------------------------------------------
def test_episode_fee_in_the_month_a_reablement_service_starts(store):
    contract = add_contract(store, core_basis="none", episode_fee_pence=157500)
    add_client(store, contract, "R1", D(2026, 10, 12), category="reablement")
    add_client(store, contract, "L1", D(2026, 10, 12), category="long_term")
    assert amounts(month_lines(store, contract, "2026-10")) == [("R1", "episode", 157500)]
    assert month_lines(store, contract, "2026-11") == []


# -- outcomes ---------------------------------------------------------------------------------------
OUTCOMES = {"core_basis": "none", "outcome_upfront_share": "0.2", "outcome_partial_share": "0.5"}


def test_outcome_agreed_in_one_month_and_achieved_early_in_the_next(store):
    contract = add_contract(store, **OUTCOMES)
    client = add_client(store, contract, "C1", D(2026, 9, 1))
    outcome = add_outcome(store, client, "O1", D(2026, 10, 3), fee_pence=50000, target=D(2027, 4, 1))
    add_review(store, client, D(2026, 11, 20), {outcome: "achieved"})
    # upfront £500 × 20% = £100 in October; achieved £500 × 80% = £400 in November, early but in full
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "outcome_upfront", 10000)]
    [achieved] = month_lines(store, contract, "2026-11")
    assert (achieved.component, achieved.amount_pence) == ("outcome_achieved", 40000)
    assert "paid in full" in achieved.explanation


def test_outcome_partly_then_achieved_pays_only_the_remainder(store):
    contract = add_contract(store, **OUTCOMES)
    client = add_client(store, contract, "C1", D(2026, 9, 1))
    outcome = add_outcome(store, client, "O1", D(2026, 9, 1), fee_pence=50000)
    add_review(store, client, D(2026, 10, 13), {outcome: "partly"})
    add_review(store, client, D(2026, 11, 13), {outcome: "partly"})
    add_review(store, client, D(2027, 4, 13), {outcome: "achieved"})
    # partly: £500 × 80% × 50% = £200 in October (the first partly review only); achieved: £400 − £200 = £200
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "outcome_partial", 20000)]
    assert month_lines(store, contract, "2026-11") == []
    assert amounts(month_lines(store, contract, "2027-04")) == [("C1", "outcome_achieved", 20000)]


def test_partly_after_achieved_pays_nothing_more(store):
    contract = add_contract(store, **OUTCOMES)
    client = add_client(store, contract, "C1", D(2026, 9, 1))
    outcome = add_outcome(store, client, "O1", D(2026, 9, 1), fee_pence=50000)
    add_review(store, client, D(2026, 10, 13), {outcome: "achieved"})
    add_review(store, client, D(2027, 4, 13), {outcome: "partly"})
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "outcome_achieved", 40000)]
    assert month_lines(store, contract, "2027-04") == []


def test_withdrawn_or_not_achieved_outcomes_pay_nothing_on_achievement(store):
    contract = add_contract(store, **OUTCOMES)
    client = add_client(store, contract, "C1", D(2026, 9, 1))
    withdrawn = add_outcome(store, client, "O1", D(2026, 9, 1))
    missed = add_outcome(store, client, "O2", D(2026, 9, 1))
    add_review(store, client, D(2026, 10, 13), {withdrawn: "withdrawn", missed: "not_achieved"})
    assert month_lines(store, contract, "2026-10") == []


def test_without_an_upfront_share_the_whole_fee_is_paid_on_achievement(store):
    contract = add_contract(store, core_basis="none")
    client = add_client(store, contract, "C1", D(2026, 9, 1))
    outcome = add_outcome(store, client, "O1", D(2026, 9, 1), fee_pence=75000)
    add_review(store, client, D(2026, 10, 13), {outcome: "achieved"})
    assert month_lines(store, contract, "2026-09") == []
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "outcome_achieved", 75000)]


# -- reward -----------------------------------------------------------------------------------------
# 7 h/week at £24.50 is an envelope value of 7 × 24.50 ÷ 7 = £24.50 a billable day.
REWARD = {"core_basis": "none", "reward_share": "0.2", "retainer_days": 2}


def test_reward_with_mixed_statuses(store):
    contract = add_contract(store, **REWARD)
    client = add_client(store, contract, "C1", D(2026, 9, 1), hours="7")
    ids = [add_outcome(store, client, f"O{n}", D(2026, 9, 1), fee_pence=0) for n in range(5)]
    statuses = dict(zip(ids, ["achieved", "partly", "active", "not_achieved", "withdrawn"], strict=True))
    add_review(store, client, D(2026, 10, 1), statuses)
    [line] = month_lines(store, contract, "2026-10")
    # 1 Sep–30 Sep: 30 days × £24.50 = £735.00; × 20% × (1 + ½ × 1) ÷ 4 assessed = £55.125 → £55.13
    assert (line.component, line.amount_pence) == ("reward", 5513)
    assert "1 achieved + ½ × 1 partly achieved, of 4 outcomes assessed (1 withdrawn not counted)" in line.explanation


def test_reward_runs_from_the_previous_review_and_skips_suspended_days(store):
    contract = add_contract(store, **REWARD)
    client = add_client(store, contract, "C1", D(2026, 9, 1), hours="7")
    outcome = add_outcome(store, client, "O1", D(2026, 9, 1), fee_pence=0)
    add_review(store, client, D(2026, 10, 1), {outcome: "active"})
    add_suspension(store, client, D(2026, 10, 5), D(2026, 10, 9), "hospital")
    add_review(store, client, D(2026, 10, 20), {outcome: "achieved"})
    # 1–19 Oct is 19 days; hospital 5–9 Oct loses 3 (2 retainer days): 16 × £24.50 = £392 × 20% × 1 ÷ 1 = £78.40
    assert amounts(month_lines(store, contract, "2026-10")) == [("C1", "reward", 7840)]


def test_no_reward_when_no_outcome_was_assessed(store):
    contract = add_contract(store, **REWARD)
    client = add_client(store, contract, "C1", D(2026, 9, 1), hours="7")
    outcome = add_outcome(store, client, "O1", D(2026, 9, 1), fee_pence=0)
    add_review(store, client, D(2026, 10, 1), {})
    add_review(store, client, D(2026, 10, 20), {outcome: "withdrawn"})
    assert month_lines(store, contract, "2026-10") == []


# -- hours saved ------------------------------------------------------------------------------------
# 10 → 3 h/week for independence: 7 h × £24.50 × 50% ÷ 7 = £12.25 a day, for 12 months from 15 Dec 2026.
HOURS_SAVED = {"core_basis": "none", "hours_saved_share": "0.5", "hours_saved_months": 12}


def _saving(store, contract, reason="independence", end=None):
    client = add_client(store, contract, "C1", D(2026, 1, 5), end=end, hours="10")
    add_envelope(store, client, D(2026, 12, 15), "3", reason=reason)
    return client


@pytest.mark.parametrize(("month", "pence"), [
    ("2026-11", None),
    ("2026-12", 17 * 1225),  # 15–31 Dec
    ("2027-01", 31 * 1225),  # the window crosses the year
    ("2027-12", 14 * 1225),  # 1–14 Dec: 15 Dec 2027 is not included
    ("2028-01", None),
])
def test_hours_saved_over_a_window_that_crosses_a_year(store, month, pence):
    contract = add_contract(store, **HOURS_SAVED)
    _saving(store, contract)
    expected = [("C1", "hours_saved", pence)] if pence else []
    assert amounts(month_lines(store, contract, month)) == expected


def test_hours_saved_continue_through_a_suspension_but_stop_at_the_end_of_service(store):
    contract = add_contract(store, **HOURS_SAVED)
    client = _saving(store, contract, end=D(2027, 2, 10))
    add_suspension(store, client, D(2027, 1, 3), D(2027, 1, 20), "hospital")
    assert amounts(month_lines(store, contract, "2027-01")) == [("C1", "hours_saved", 31 * 1225)]
    assert amounts(month_lines(store, contract, "2027-02")) == [("C1", "hours_saved", 10 * 1225)]
    assert month_lines(store, contract, "2027-03") == []


@pytest.mark.parametrize("reason", ["community_link"])
def test_hours_saved_for_a_community_link(store, reason):
    contract = add_contract(store, **HOURS_SAVED)
    _saving(store, contract, reason=reason)
    assert amounts(month_lines(store, contract, "2027-01")) == [("C1", "hours_saved", 31 * 1225)]


@pytest.mark.parametrize("reason", ["needs_decreased", "other"])
def test_no_hours_saved_for_other_reasons(store, reason):
    contract = add_contract(store, **HOURS_SAVED)
    _saving(store, contract, reason=reason)
    assert month_lines(store, contract, "2027-01") == []


def test_no_hours_saved_for_an_increase(store):
    contract = add_contract(store, **HOURS_SAVED)
    client = add_client(store, contract, "C1", D(2026, 1, 5), hours="3")
    add_envelope(store, client, D(2026, 12, 15), "10", reason="independence")
    assert month_lines(store, contract, "2027-01") == []


# -- a whole claim ----------------------------------------------------------------------------------
def test_lines_come_grouped_by_client_in_component_order(store):
    contract = add_contract(store, core_share="0.8", episode_fee_pence=157500, outcome_upfront_share="0.2")
    for ref in ("C10", "C2"):
        client = add_client(store, contract, ref, D(2026, 10, 12), category="reablement", hours="10.5")
        add_outcome(store, client, "O1", D(2026, 10, 12), fee_pence=50000)
    lines = month_lines(store, contract, "2026-10")
    assert [(line.client_ref, line.component) for line in lines] == [
        ("C2", "core"), ("C2", "episode"), ("C2", "outcome_upfront"),
        ("C10", "core"), ("C10", "episode"), ("C10", "outcome_upfront"),
    ]
    assert all(line.council_ref == f"H-{line.client_ref}" for line in lines)


def test_clients_of_other_contracts_are_left_out(store):
    ours = add_contract(store, "HCC", **ENVELOPE)
    theirs = add_contract(store, "WCC", **ENVELOPE)
    add_client(store, ours, "C1", D(2026, 1, 5), hours="10.5")
    add_client(store, theirs, "C2", D(2026, 1, 5), hours="10.5")
    assert [line.client_ref for line in month_lines(store, ours, "2026-10")] == ["C1"]
