"""Billable days, the envelope on a day and the review schedule at their edges."""

import datetime as dt
from decimal import Decimal

from branchdesk.models.calendars import (
    EnvelopeRow,
    HeldReview,
    Period,
    billable_days,
    envelope_on,
    next_review_due,
)

D = dt.date
OCT1, OCT31 = D(2026, 10, 1), D(2026, 10, 31)


def test_whole_month_in_service():
    days = billable_days(OCT1, OCT31, D(2026, 1, 1), None)
    assert len(days) == 31


def test_start_and_end_inside_the_month_are_inclusive():
    days = billable_days(OCT1, OCT31, D(2026, 10, 10), D(2026, 10, 20))
    assert len(days) == 11
    assert days.days[0] == D(2026, 10, 10) and days.days[-1] == D(2026, 10, 20)
    assert len(days.out_of_service) == 20


def test_suspension_days_are_not_billable():
    holiday = Period(D(2026, 10, 5), D(2026, 10, 9), "holiday")
    days = billable_days(OCT1, OCT31, D(2026, 1, 1), None, [holiday], retainer_days=3)
    assert len(days) == 26
    assert len(days.suspended[holiday]) == 5
    assert not days.retained  # retainer only for hospital stays


def test_hospital_retainer_days_stay_billable():
    stay = Period(D(2026, 10, 18), D(2026, 11, 10), "hospital")
    days = billable_days(OCT1, OCT31, D(2026, 1, 1), None, [stay], retainer_days=3)
    assert len(days) == 17 + 3
    assert days.retained[stay] == [D(2026, 10, 18), D(2026, 10, 19), D(2026, 10, 20)]


def test_retainer_counts_from_a_stay_that_began_last_month():
    stay = Period(D(2026, 9, 29), D(2026, 10, 4), "hospital")
    days = billable_days(OCT1, OCT31, D(2026, 1, 1), None, [stay], retainer_days=3)
    # 29, 30 Sep and 1 Oct are the retainer; 2–4 Oct are not billable
    assert D(2026, 10, 1) in days.days
    assert D(2026, 10, 2) not in days.days
    assert len(days) == 31 - 3


def test_leap_day_is_a_billable_day():
    days = billable_days(D(2028, 2, 1), D(2028, 2, 29), D(2028, 1, 1), None)
    assert len(days) == 29


def test_envelope_on_a_day_is_the_latest_effective_row():
    rows = [
        EnvelopeRow(D(2026, 1, 1), Decimal("10")),
        EnvelopeRow(D(2026, 10, 15), Decimal("7.5"), reason="independence"),
    ]
    assert envelope_on(rows, D(2025, 12, 31)) is None
    assert envelope_on(rows, D(2026, 10, 14)).hours == Decimal("10")
    assert envelope_on(rows, D(2026, 10, 15)).hours == Decimal("7.5")


def test_first_review_is_a_visit_42_days_after_start():
    due = next_review_due(D(2026, 10, 1), [])
    assert due.due == D(2026, 11, 12)
    assert due.method == "visit" and due.first


def test_later_reviews_six_months_after_the_last_held_alternating():
    held = [HeldReview(D(2026, 8, 31), "visit")]
    due = next_review_due(D(2026, 7, 1), held)
    assert due.due == D(2027, 2, 28)
    assert due.method == "phone"
    held.append(HeldReview(D(2027, 2, 20), "phone"))  # held early: the schedule runs from it
    due = next_review_due(D(2026, 7, 1), held)
    assert due.due == D(2027, 8, 20)
    assert due.method == "visit"


def test_leap_year_review_date():
    due = next_review_due(D(2027, 7, 1), [HeldReview(D(2027, 8, 31), "visit")])
    assert due.due == D(2028, 2, 29)


def test_due_soon_and_overdue():
    due = next_review_due(D(2026, 10, 1), [])  # due 12 Nov 2026
    assert due.state(D(2026, 10, 14)) == "later"
    assert due.state(D(2026, 10, 15)) == "due_soon"  # exactly 28 days before
    assert due.state(D(2026, 11, 12)) == "due_soon"
    assert due.state(D(2026, 11, 13)) == "overdue"


def test_agreed_next_date_overrides_the_schedule():
    held = [HeldReview(D(2026, 5, 1), "visit", next_review_date=D(2026, 9, 1))]
    assert next_review_due(D(2026, 1, 1), held).due == D(2026, 9, 1)
