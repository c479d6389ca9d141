"""The ideal week: versions, items, planned paid hours, the envelope warning and the budget cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from branchdesk.models.envelope import add_envelope_change
from branchdesk.models.errors import ValidationError
from branchdesk.models.ideal_week import (
    CapExceeded,
    PlanItem,
    add_item,
    check_plan,
    copy_item_to_days,
    delete_item,
    get_version,
    item_from_form,
    list_items,
    list_versions,
    move_item,
    new_version,
    plan_on,
    planned_hours,
    update_item,
    version_state,
)

TODAY = dt.date(2026, 11, 15)


def make_client(store, budget_pence=30000, rate_pence=2000, expiry=13, start="2026-06-01") -> int:
    contract = store.db["contracts"].insert({
        "ref": "HCC", "council": "Hillshire County Council", "claim_prefix": "HCC", "core_basis": "envelope",
        "hourly_rate_pence": rate_pence, "bank_expiry_weeks": expiry,
    }).last_pk
    return store.db["clients"].insert({
        "ref": "C001", "name": "Margaret Hale", "contract_id": contract, "category": "long_term", "funding": "council",
        "personal_budget_weekly_pence": budget_pence, "start_date": start,
    }).last_pk


def visit(day, part="morning", minutes=30, purpose="Help to wash and dress", **more) -> PlanItem:
    return PlanItem(day, part, "paid_visit", minutes=minutes, purpose=purpose, **more)


@pytest.fixture
def client(store):
    return make_client(store)


def test_planned_hours_count_paid_visits_only(store, client):
    week = new_version(store, client, "2026-06-01", "Margaret and her son", "2026-05-28", today=TODAY)
    for day in range(7):
        add_item(store, week, visit(day, minutes=45), today=TODAY)
        add_item(store, week, visit(day, "teatime", minutes=30, purpose="Tea and medication"), today=TODAY)
    add_item(store, week, PlanItem(1, "lunchtime", "community", who="Lunch club", purpose="Lunch with friends"), today=TODAY)
    add_item(store, week, PlanItem(6, "afternoon", "family", minutes=180, who="Daughter Sue"), today=TODAY)
    items = list_items(store, week)
    assert len(items) == 16
    assert planned_hours(items) == Decimal("8.75")  # 7 × 75 min = 525 min
    check = check_plan(store, week, today=TODAY)
    assert check.planned_minutes == 525
    assert check.planned_hours == Decimal("8.75")


def test_items_are_listed_by_day_part_and_time(store, client):
    week = new_version(store, client, "2026-06-01", today=TODAY)
    add_item(store, week, visit(2, "evening", approx_time="19:00"), today=TODAY)
    add_item(store, week, visit(0, "morning", approx_time="09:30"), today=TODAY)
    add_item(store, week, visit(0, "morning", approx_time="07:45"), today=TODAY)
    assert [(i.day, i.approx_time) for i in list_items(store, week)] == [(0, "07:45"), (0, "09:30"), (2, "19:00")]


def test_above_envelope_is_a_warning_not_a_refusal(store, client):
    add_envelope_change(store, client, "2026-06-01", "3", "initial")
    week = new_version(store, client, "2026-06-01", today=TODAY)
    for day in range(7):
        add_item(store, week, visit(day, minutes=30), today=TODAY)
    check = check_plan(store, week, today=TODAY)
    assert check.above_envelope and not check.above_cap
    assert check.warnings() == ["The plan is 3.5 hours a week, above the envelope of 3 hours."]


def test_above_the_cap_is_refused_unless_a_reason_is_recorded(store):
    client = make_client(store, budget_pence=10000, rate_pence=2000)  # cap: £100 ÷ £20 = 5 hours
    week = new_version(store, client, "2026-06-01", today=TODAY)
    for day in range(5):
        add_item(store, week, visit(day, minutes=60), today=TODAY)
    assert not check_plan(store, week, today=TODAY).above_cap  # exactly 5 hours is allowed
    with pytest.raises(CapExceeded) as refused:
        add_item(store, week, visit(5, minutes=15), today=TODAY)
    assert "above the personal-budget cap of 5 hours (£100.00 a week ÷ £20.00 an hour)" in str(refused.value)
    assert len(list_items(store, week)) == 5
    add_item(store, week, visit(5, minutes=15), override_reason="End of life: agreed with the social worker", today=TODAY)
    assert get_version(store, week).override_reason == "End of life: agreed with the social worker"
    check = check_plan(store, week, today=TODAY)
    assert check.above_cap and "Allowed because: End of life" in check.warnings()[0]
    audit = store.rows("SELECT summary FROM audit WHERE entity = 'ideal_week' AND action = 'update'")
    assert len(audit) == 1


def test_cap_applies_to_copies_and_edits(store):
    client = make_client(store, budget_pence=6000, rate_pence=2000)  # 3 hours
    week = new_version(store, client, "2026-06-01", today=TODAY)
    first = add_item(store, week, visit(0, minutes=60), today=TODAY)
    with pytest.raises(CapExceeded):
        copy_item_to_days(store, first, [1, 2, 3], today=TODAY)
    assert len(list_items(store, week)) == 1  # none of the copies was made
    copy_item_to_days(store, first, [1, 2], today=TODAY)
    with pytest.raises(CapExceeded):
        update_item(store, first, visit(0, minutes=90), today=TODAY)
    update_item(store, first, visit(0, minutes=45, purpose="Breakfast"), today=TODAY)  # fewer hours: always allowed
    assert [i.minutes for i in list_items(store, week)] == [45, 60, 60]


def test_no_cap_without_a_personal_budget(store):
    client = make_client(store, budget_pence=None)
    week = new_version(store, client, "2026-06-01", today=TODAY)
    add_item(store, week, visit(0, minutes=600), today=TODAY)
    check = check_plan(store, week, today=TODAY)
    assert check.cap_hours is None and not check.above_cap


def test_versions_and_the_plan_on_any_date(store, client):
    first = new_version(store, client, "2026-06-01", "Margaret", "2026-05-30", today=TODAY)
    add_item(store, first, visit(0), today=TODAY)
    second = new_version(store, client, "2026-09-07", "Margaret and Sue", "2026-09-01", copy_from=first, today=TODAY)
    add_item(store, second, visit(3, "evening"), today=TODAY)
    future = new_version(store, client, "2026-12-01", copy_from=second, today=TODAY)
    assert plan_on(store, client, dt.date(2026, 5, 31)) is None
    assert plan_on(store, client, dt.date(2026, 6, 1)).id == first
    assert plan_on(store, client, dt.date(2026, 9, 6)).id == first
    assert plan_on(store, client, dt.date(2026, 9, 7)).id == second
    assert plan_on(store, client, dt.date(2026, 12, 25)).id == future
    assert len(list_items(store, first)) == 1  # the old plan is kept as it was
    assert len(list_items(store, second)) == 2
    assert len(list_items(store, future)) == 2
    versions = list_versions(store, client)
    assert [version_state(versions, v, TODAY) for v in versions] == ["history", "in_force", "planned"]
    assert versions[1].agreed_with == "Margaret and Sue" and versions[1].agreed_on == dt.date(2026, 9, 1)


def test_history_cannot_be_changed(store, client):
    first = new_version(store, client, "2026-06-01", today=TODAY)
    item = add_item(store, first, visit(0), today=TODAY)
    new_version(store, client, "2026-09-07", copy_from=first, today=TODAY)
    with pytest.raises(ValidationError, match="replaced on 07/09/2026 and is kept as history"):
        delete_item(store, item, today=TODAY)
    with pytest.raises(ValidationError):
        add_item(store, first, visit(1), today=TODAY)


def test_new_version_refuses_a_taken_date(store, client):
    new_version(store, client, "2026-06-01", today=TODAY)
    with pytest.raises(ValidationError, match="already exists"):
        new_version(store, client, "01/06/2026", today=TODAY)


def test_move_copy_and_delete(store, client):
    week = new_version(store, client, "2026-06-01", today=TODAY)
    item = add_item(store, week, visit(0, worker_ids=[]), today=TODAY)
    move_item(store, item, 4, "lunchtime", today=TODAY)
    assert [(i.day, i.part_of_day) for i in list_items(store, week)] == [(4, "lunchtime")]
    ids = copy_item_to_days(store, item, [0, 1, 4], today=TODAY)
    assert len(ids) == 2
    assert sorted(i.day for i in list_items(store, week)) == [0, 1, 4]
    delete_item(store, item, today=TODAY)
    assert sorted(i.day for i in list_items(store, week)) == [0, 1]
    actions = [r["action"] for r in store.rows("SELECT action FROM audit WHERE entity = 'ideal_week_item' ORDER BY id")]
    assert actions == ["create", "update", "create", "delete"]


def test_preferred_workers_above_four_are_a_warning(store, client):
    workers = [store.db["workers"].insert({"ref": f"W{n}", "name": f"Worker {n}"}).last_pk for n in range(6)]
    week = new_version(store, client, "2026-06-01", today=TODAY)
    for day, worker in enumerate(workers[:4]):
        add_item(store, week, visit(day, worker_ids=[worker]), today=TODAY)
    assert not check_plan(store, week, today=TODAY).too_many_workers
    add_item(store, week, visit(5, worker_ids=workers[4:6]), today=TODAY)
    check = check_plan(store, week, today=TODAY)
    assert check.preferred_workers == 6
    assert "6 different workers are preferred" in check.warnings()[0]
    assert list_items(store, week)[-1].worker_names == ["Worker 4", "Worker 5"]


def test_form_problems_are_all_reported(store, client):
    item, problems = item_from_form({"kind": "paid_visit", "day": 2, "part_of_day": "morning", "approx_time": "25:00",
                                     "minutes": "abc", "purpose": ""})
    assert item is None
    assert {p.field for p in problems} == {"approx_time", "minutes", "purpose"}
    item, problems = item_from_form({"kind": "technology", "day": 0, "part_of_day": "night", "who": "Pendant alarm"})
    assert problems == [] and item.who == "Pendant alarm"


def test_outcomes_of_another_client_are_refused(store, client):
    other = store.db["clients"].insert({"ref": "C002", "name": "B", "contract_id": 1, "category": "long_term",
                                        "funding": "council", "start_date": "2026-01-01"}).last_pk
    outcome = store.db["outcomes"].insert({"client_id": other, "ref": "O1", "description": "Walk", "agreed_date": "2026-01-01"}).last_pk
    week = new_version(store, client, "2026-06-01", today=TODAY)
    with pytest.raises(ValidationError, match="not this client's"):
        add_item(store, week, visit(0, outcome_ids=[outcome]), today=TODAY)


def test_a_version_starts_within_the_service_and_an_agreed_plan_says_who_agreed_it(store, client):
    with pytest.raises(ValidationError) as refused:
        new_version(store, client, "01/01/1900", "", "2026-05-28", today=TODAY)
    fields = {p.field: p.message for p in refused.value.problems}
    assert "before the service does" in fields["effective_date"]
    assert "agreed with" in fields["agreed_with"]
    assert store.value("SELECT count(*) FROM ideal_weeks") == 0
