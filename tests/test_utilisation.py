"""Utilisation week by week, checked against weeks worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from branchdesk.models.envelope import add_envelope_change
from branchdesk.models.ideal_week import PlanItem, add_item, new_version
from branchdesk.models.utilisation import utilisation, week_use
from tests.test_ideal_week import make_client

TODAY = dt.date(2026, 11, 15)  # a Sunday


def add_visit(store, client, day, minutes, status="completed"):
    store.db["visits"].insert({"client_id": client, "visit_date": day, "minutes": minutes, "status": status,
                               "match_key": f"{client}|{day}|{minutes}|{status}"})


def build(store) -> int:
    """Envelope 14 h, then 7 h from Thursday 29/10; plans of 2 h then 3.5 h (from Wednesday 28/10);
    three days in hospital at the start of November."""
    client = make_client(store, start="2026-06-01")
    add_envelope_change(store, client, "2026-06-01", "14", "initial")
    add_envelope_change(store, client, "2026-10-29", "7", "independence")
    first = new_version(store, client, "2026-06-01", today=TODAY)
    add_item(store, first, PlanItem(0, "morning", "paid_visit", minutes=60, purpose="Shopping"), today=TODAY)
    add_item(store, first, PlanItem(3, "morning", "paid_visit", minutes=60, purpose="Shopping"), today=TODAY)
    second = new_version(store, client, "2026-10-28", today=TODAY)
    for day in range(7):
        add_item(store, second, PlanItem(day, "teatime", "paid_visit", minutes=30, purpose="Tea"), today=TODAY)
    add_visit(store, client, "2026-10-26", 45)
    add_visit(store, client, "2026-10-28", 30)
    add_visit(store, client, "2026-10-29", 60, "missed")
    add_visit(store, client, "2026-11-01", 30, "cancelled_by_client")
    store.db["suspensions"].insert({"client_id": client, "start_date": "2026-11-02", "end_date": "2026-11-04", "reason": "hospital"})
    return client


def test_week_with_an_envelope_change_and_a_new_plan(store):
    client = build(store)
    week = week_use(store, client, dt.date(2026, 10, 26), TODAY)
    assert week.envelope == Decimal("10.00")  # (3 × 14 + 4 × 7) ÷ 7
    assert week.planned == Decimal("3.50")  # Monday 60 min of the old plan, then 5 × 30 min of the new
    assert week.delivered == Decimal("1.25")  # completed visits only: 45 + 30 min
    assert week.difference == Decimal("8.75")
    assert week.complete


def test_week_with_a_suspension(store):
    client = build(store)
    week = week_use(store, client, dt.date(2026, 11, 2), TODAY)
    assert week.envelope == Decimal("4.00")  # Thursday to Sunday at 7 h/week
    assert week.planned == Decimal("2.00")
    assert week.delivered == Decimal("0.00")


def test_a_plain_week_and_the_running_one(store):
    client = build(store)
    weeks = utilisation(store, client, TODAY)
    assert len(weeks) == 24  # from the week of 01/06/2026, when the service started, to this week
    assert weeks[0].week_start == dt.date(2026, 6, 1)
    assert (weeks[0].envelope, weeks[0].planned, weeks[0].delivered) == (Decimal("14.00"), Decimal("2.00"), Decimal("0.00"))
    assert weeks[-1].week_start == dt.date(2026, 11, 9)
    assert weeks[-1].complete is False  # Sunday 15/11 is still running
    assert utilisation(store, client, dt.date(2026, 11, 16))[-1].week_start == dt.date(2026, 11, 16)


def test_only_the_last_26_weeks(store):
    client = make_client(store, start="2025-01-06")
    add_envelope_change(store, client, "2025-01-06", "10.5", "initial")
    weeks = utilisation(store, client, TODAY)
    assert len(weeks) == 26
    assert all(w.envelope == Decimal("10.50") for w in weeks)
