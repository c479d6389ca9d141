"""The review schedule for a caseload, recording a review, and its history."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from branchdesk.models import reviews
from branchdesk.models.errors import ValidationError
from branchdesk.models.reviews import NewOutcome, OutcomeAssessment, ReviewInput

D = dt.date


def add_contract(store, ref="HCC"):
    with store.transaction():
        return store.conn.execute(
            "INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence) VALUES (?, 'Hillshire Council', ?, 'envelope', 2000)",
            (ref, ref),
        ).lastrowid


def add_client(store, ref, start, end=None, name=None, key_worker="Sam Patel", team="North", hours="10"):
    contract = store.value("SELECT id FROM contracts LIMIT 1") or add_contract(store)
    with store.transaction():
        client = store.conn.execute(
            "INSERT INTO clients (ref, name, contract_id, category, funding, start_date, end_date, end_reason, key_worker, team)"
            " VALUES (?, ?, ?, 'long_term', 'council', ?, ?, ?, ?, ?)",
            (ref, name or f"Client {ref}", contract, start.isoformat(), end and end.isoformat(), end and "other", key_worker, team),
        ).lastrowid
        store.conn.execute(
            "INSERT INTO envelopes (client_id, effective_date, hours_per_week, reason) VALUES (?, ?, ?, 'initial')",
            (client, start.isoformat(), hours),
        )
    return client


def add_outcome(store, client, ref, text="I want to make my own breakfast again", agreed=None, fee=30000):
    agreed = agreed or D(2026, 1, 1)
    with store.transaction():
        return store.conn.execute(
            "INSERT INTO outcomes (client_id, ref, description, domain, agreed_date, fee_pence) VALUES (?, ?, ?, 'food_drink', ?, ?)",
            (client, ref, text, agreed.isoformat(), fee),
        ).lastrowid


def hold(store, client, day, method, today=None, **extra):
    return reviews.record_review(store, client, ReviewInput(review_date=day, method=method, **extra), today=today or D(2030, 1, 1))


def due_for(store, client, on):
    return next(item for item in reviews.schedule(store, on) if item.client_id == client)


# -- the schedule --------------------------------------------------------------------------
def test_first_review_is_a_visit_42_days_after_the_start(store):
    client = add_client(store, "C001", D(2026, 9, 1))
    item = due_for(store, client, D(2026, 9, 2))
    assert item.due == D(2026, 10, 13)
    assert item.method == "visit" and item.first
    assert item.last_review_date is None
    assert item.state == "later"


def test_later_reviews_alternate_six_months_after_the_last(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    hold(store, client, D(2026, 2, 16), "visit")
    item = due_for(store, client, D(2026, 3, 1))
    assert (item.due, item.method, item.first) == (D(2026, 8, 16), "phone", False)
    assert item.last_review_date == D(2026, 2, 16) and item.last_review_method == "visit"
    hold(store, client, D(2026, 8, 20), "phone")
    item = due_for(store, client, D(2026, 9, 1))
    assert (item.due, item.method) == (D(2027, 2, 20), "visit")


def test_an_early_review_moves_the_next_due_date(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    hold(store, client, D(2026, 2, 1), "visit")  # due 16/02, held two weeks early
    assert due_for(store, client, D(2026, 2, 2)).due == D(2026, 8, 1)


def test_six_months_after_31_august_is_the_end_of_february(store):
    client = add_client(store, "C001", D(2026, 7, 1))
    hold(store, client, D(2026, 8, 31), "visit")
    assert due_for(store, client, D(2026, 9, 1)).due == D(2027, 2, 28)
    leap = add_client(store, "C002", D(2027, 7, 1))
    hold(store, leap, D(2027, 8, 31), "visit")
    assert due_for(store, leap, D(2027, 9, 1)).due == D(2028, 2, 29)


def test_an_agreed_next_review_date_replaces_the_computed_one(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    hold(store, client, D(2026, 2, 16), "visit", next_review_date="01/05/2026")
    assert due_for(store, client, D(2026, 3, 1)).due == D(2026, 5, 1)


def test_overdue_and_due_soon_boundaries(store):
    client = add_client(store, "C001", D(2026, 9, 1))  # first review due 13/10/2026
    due = D(2026, 10, 13)
    assert due_for(store, client, due - dt.timedelta(days=29)).state == "later"
    assert due_for(store, client, due - dt.timedelta(days=28)).state == "due_soon"
    on_the_day = due_for(store, client, due)
    assert on_the_day.state == "due_soon" and on_the_day.days_until == 0
    late = due_for(store, client, due + dt.timedelta(days=1))
    assert late.state == "overdue" and late.days_overdue == 1 and late.days_until is None


def test_a_review_held_clears_overdue(store):
    client = add_client(store, "C001", D(2026, 9, 1))
    assert reviews.overdue_count(store, D(2026, 11, 1)) == 1
    hold(store, client, D(2026, 10, 30), "visit")
    assert reviews.overdue_count(store, D(2026, 11, 1)) == 0
    # looking back before the review was held, it was still overdue then
    assert reviews.overdue_count(store, D(2026, 10, 29)) == 1


def test_clients_whose_service_ended_need_no_review(store):
    add_client(store, "C001", D(2026, 1, 5), end=D(2026, 3, 31))
    current = add_client(store, "C002", D(2026, 1, 5))
    on = D(2026, 6, 1)
    assert [item.client_id for item in reviews.schedule(store, on)] == [current]
    # on the end date the client is still in service
    assert len(reviews.schedule(store, D(2026, 3, 31))) == 2


def test_reviews_due_lists_overdue_and_due_within_the_window(store):
    add_client(store, "C001", D(2026, 8, 1))   # due 12/09 — overdue on 01/10
    add_client(store, "C002", D(2026, 9, 10))  # due 22/10 — 21 days away
    add_client(store, "C003", D(2026, 10, 1))  # due 12/11 — 42 days away
    on = D(2026, 10, 1)
    assert [i.client_ref for i in reviews.reviews_due(store, on)] == ["C001", "C002"]
    assert [i.client_ref for i in reviews.reviews_due(store, on, within=60)] == ["C001", "C002", "C003"]
    assert [i.client_ref for i in reviews.reviews_due(store, on, within=0)] == ["C001"]


def test_due_as_json_and_text(store):
    add_client(store, "C001", D(2026, 8, 1), name="Mary Jones")
    item = reviews.reviews_due(store, D(2026, 10, 1))[0]
    data = reviews.due_as_json(item)
    assert json.loads(json.dumps(data)) == {
        "client_ref": "C001", "client_name": "Mary Jones", "key_worker": "Sam Patel", "team": "North",
        "due_date": "2026-09-12", "method": "visit", "first_review": True, "state": "overdue",
        "days_overdue": 19, "days_until": None, "last_review_date": None, "last_review_method": None,
    }
    [line] = reviews.due_as_text([item])
    assert "12/09/2026" in line and "Mary Jones" in line and "19 days overdue" in line
    assert reviews.due_as_text([], D(2026, 10, 1)) == ["No reviews overdue or due within 28 days of 01/10/2026."]


# -- recording a review --------------------------------------------------------------------
def test_outcome_status_is_that_of_the_latest_review(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    breakfast = add_outcome(store, client, "O1")
    garden = add_outcome(store, client, "O2", "I want to get back to my garden")
    assert reviews.outcome_statuses(store, client) == {breakfast: "active", garden: "active"}
    hold(store, client, D(2026, 2, 16), "visit", assessments=[
        OutcomeAssessment(breakfast, "partly", "Makes toast with prompting"),
        OutcomeAssessment(garden, "active"),
    ])
    hold(store, client, D(2026, 8, 14), "phone", assessments=[
        OutcomeAssessment(breakfast, "achieved", "Makes porridge alone every morning"),
    ])
    assert reviews.outcome_statuses(store, client) == {breakfast: "achieved", garden: "active"}
    history = {h.ref: h for h in reviews.outcome_status_history(store, client)}
    assert [(e.review_date, e.status) for e in history["O1"].entries] == [(D(2026, 2, 16), "partly"), (D(2026, 8, 14), "achieved")]
    assert history["O1"].status == "achieved" and history["O2"].status == "active"
    # achieved outcomes are not assessed again
    assert [o["ref"] for o in reviews.open_outcomes(store, client, D(2026, 9, 1))] == ["O2"]


def test_a_review_is_saved_whole_with_its_audit(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    breakfast = add_outcome(store, client, "O1")
    review_id = hold(
        store, client, "16/02/2026", "visit",
        participants="Mary, her daughter Jo, Sam (key worker)",
        assessments=[OutcomeAssessment(breakfast, "achieved", "Seen making breakfast")],
        new_outcomes=[NewOutcome("I want to walk to the post office", "social_participation", "2026-08-01", "250")],
        satisfaction="4", satisfaction_words="They listen to me.",
        sequence={"self_care": True, "technology": True, "community": False, "team": None},
        sequence_notes="Pendant alarm fitted.",
    )
    record = reviews.get_review(store, review_id)
    assert record.satisfaction == 4 and record.method == "visit"
    assert record.sequence == {"self_care": True, "technology": True, "community": False, "team": None}
    assert record.next_review_date == D(2026, 8, 16)  # proposed when none given
    assert [a.status for a in record.assessed] == ["achieved"]
    new = store.row("SELECT * FROM outcomes WHERE client_id = ? AND ref = 'O2'", (client,))
    assert new["agreed_date"] == "2026-02-16" and new["fee_pence"] == 25000 and new["target_date"] == "2026-08-01"
    assert [o.ref for o in record.new_outcomes] == ["O2"]
    entities = [row["entity"] for row in store.rows("SELECT entity FROM audit WHERE client_id = ? ORDER BY id", (client,))]
    assert entities == ["review", "outcome"]


def test_every_problem_is_reported_and_nothing_is_written(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    outcome = add_outcome(store, client, "O1")
    hold(store, client, D(2026, 2, 16), "visit")
    bad = ReviewInput(
        review_date="2026-02-16", method="", satisfaction="7",
        assessments=[OutcomeAssessment(outcome, "achieved", "")],
        new_outcomes=[NewOutcome("", target_date="31/02/2026", fee="abc")],
        envelope_decision="changed", envelope_hours="-2", envelope_reason="",
        next_review_date="2026-01-01",
    )
    before = store.value("SELECT count(*) FROM audit")
    with pytest.raises(ValidationError) as raised:
        reviews.record_review(store, client, bad, today=D(2026, 3, 1))
    fields = {p.field for p in raised.value.problems}
    assert {"review_date", "method", "satisfaction", f"outcome_{outcome}", "new_outcome_0", "envelope_hours",
            "envelope_reason", "next_review_date"} <= fields
    assert "already recorded" in " ".join(raised.value.for_field("review_date"))
    assert store.value("SELECT count(*) FROM audit") == before
    assert store.value("SELECT count(*) FROM reviews") == 1


def test_a_review_cannot_be_in_the_future(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    with pytest.raises(ValidationError) as raised:
        reviews.record_review(store, client, ReviewInput("2026-03-02", "phone"), today=D(2026, 3, 1))
    assert "in the future" in raised.value.for_field("review_date")[0]


def test_an_envelope_decrease_for_independence_is_hours_saved(store):
    client = add_client(store, "C001", D(2026, 1, 5), hours="14")
    review_id = hold(store, client, D(2026, 2, 16), "visit", envelope_decision="changed", envelope_hours="10.5",
                     envelope_reason="independence", envelope_note="Washes and dresses alone now")
    row = store.row("SELECT * FROM envelopes WHERE client_id = ? AND effective_date = '2026-02-16'", (client,))
    assert row["hours_per_week"] == "10.5" and row["reason"] == "independence" and row["review_id"] == review_id
    record = reviews.get_review(store, review_id)
    assert record.envelope_decision == "changed"
    assert record.envelope_change.old_hours == Decimal("14") and record.envelope_change.new_hours == Decimal("10.5")
    assert record.envelope_change.hours_saved
    assert reviews.current_envelope(store, client, D(2026, 2, 16)).hours == Decimal("10.5")
    assert reviews.current_envelope(store, client, D(2026, 2, 15)).hours == Decimal("14")


def test_an_increase_is_not_hours_saved_and_reasons_must_fit_the_direction(store):
    client = add_client(store, "C001", D(2026, 1, 5), hours="10")
    with pytest.raises(ValidationError) as raised:
        hold(store, client, D(2026, 2, 16), "visit", envelope_decision="changed", envelope_hours="12", envelope_reason="independence")
    assert raised.value.for_field("envelope_reason")
    with pytest.raises(ValidationError) as raised:
        hold(store, client, D(2026, 2, 16), "visit", envelope_decision="changed", envelope_hours="10", envelope_reason="other")
    assert "Unchanged" in raised.value.for_field("envelope_hours")[0]
    review_id = hold(store, client, D(2026, 2, 16), "visit", envelope_decision="changed", envelope_hours="12", envelope_reason="needs_increased")
    assert not reviews.get_review(store, review_id).envelope_change.hours_saved


def test_withdrawn_outcome_is_closed_and_history_is_newest_first(store):
    client = add_client(store, "C001", D(2026, 1, 5))
    outcome = add_outcome(store, client, "O1")
    hold(store, client, D(2026, 2, 16), "visit", assessments=[OutcomeAssessment(outcome, "withdrawn", "No longer wanted")])
    hold(store, client, D(2026, 8, 16), "phone")
    assert store.value("SELECT withdrawn_date FROM outcomes WHERE id = ?", (outcome,)) == "2026-02-16"
    assert reviews.open_outcomes(store, client, D(2026, 9, 1)) == []
    history = reviews.review_history(store, client)
    assert [r.review_date for r in history] == [D(2026, 8, 16), D(2026, 2, 16)]
    assert history[1].outcomes_summary() == "1 withdrawn"
