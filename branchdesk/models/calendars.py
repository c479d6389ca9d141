"""Pure calendar rules of the work: billable days, the envelope on a day, the review schedule.

No storage here: callers pass plain values, so every rule is tested at its edges alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from branchdesk.models.dates import add_months, days_between

FIRST_REVIEW_DAYS = 42
REVIEW_INTERVAL_MONTHS = 6
DUE_SOON_DAYS = 28


@dataclass(frozen=True)
class Period:
    """A suspension of service: no service from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date
    reason: str  # hospital, respite, holiday, other


@dataclass
class BillableDays:
    """The billable days of a client within a range, and why the others are not billable."""

    days: list[dt.date] = field(default_factory=list)
    #: days lost to each suspension, keyed by the suspension
    suspended: dict[Period, list[dt.date]] = field(default_factory=dict)
    #: hospital days kept billable as retainer, keyed by the suspension
    retained: dict[Period, list[dt.date]] = field(default_factory=dict)
    #: days of the range outside the service (before start or after end)
    out_of_service: list[dt.date] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.days)

    def __contains__(self, day: dt.date) -> bool:
        return day in set(self.days)


def in_service(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Whether ``day`` lies between the service start and end dates (inclusive; no end = open)."""
    return start <= day and (end is None or day <= end)


def billable_days(
    first: dt.date,
    last: dt.date,
    start: dt.date,
    end: dt.date | None,
    suspensions: Iterable[Period] = (),
    retainer_days: int = 0,
) -> BillableDays:
    """Billable days from ``first`` to ``last`` (inclusive) for one client.

    A day is billable when it lies within the service and not inside a suspension,
    except the first ``retainer_days`` days of a hospital suspension, which stay billable.
    The retainer counts from the suspension's own start, even when that was in an
    earlier month.
    """
    result = BillableDays()
    periods = sorted(set(suspensions), key=lambda p: (p.start, p.end))
    for day in days_between(first, last):
        if not in_service(day, start, end):
            result.out_of_service.append(day)
            continue
        covering = next((p for p in periods if p.start <= day <= p.end), None)
        if covering is None:
            result.days.append(day)
        elif covering.reason == "hospital" and (day - covering.start).days < retainer_days:
            result.days.append(day)
            result.retained.setdefault(covering, []).append(day)
        else:
            result.suspended.setdefault(covering, []).append(day)
    return result


@dataclass(frozen=True)
class EnvelopeRow:
    """One effective-dated envelope: hours per week from ``effective`` on."""

    effective: dt.date
    hours: Decimal
    band: str = ""
    reason: str = "initial"


def envelope_on(envelopes: Sequence[EnvelopeRow], day: dt.date) -> EnvelopeRow | None:
    """The envelope on a day: the row with the latest effective date on or before it."""
    best = None
    for row in envelopes:
        if row.effective <= day and (best is None or row.effective > best.effective):
            best = row
    return best


def other_method(method: str) -> str:
    """Reviews alternate between a visit and a phone call."""
    return "phone" if method == "visit" else "visit"


@dataclass(frozen=True)
class HeldReview:
    date: dt.date
    method: str
    next_review_date: dt.date | None = None  # an agreed date that overrides the schedule


@dataclass(frozen=True)
class ReviewDue:
    """The next review a client needs: when, by which method, and how urgent on a given day."""

    due: dt.date
    method: str
    first: bool
    last_held: dt.date | None

    def state(self, today: dt.date, within: int = DUE_SOON_DAYS) -> str:
        """``overdue`` (past due), ``due_soon`` (within ``within`` days) or ``later``."""
        if self.due < today:
            return "overdue"
        if (self.due - today).days <= within:
            return "due_soon"
        return "later"

    def days_until(self, today: dt.date) -> int:
        return (self.due - today).days


def next_review_due(start: dt.date, held: Iterable[HeldReview]) -> ReviewDue:
    """The next review due for a client who started on ``start``.

    The first is due 42 days after the start and is a visit. Each later one is due six
    calendar months after the last review held (held early or late, the schedule runs
    from it), by the other method than the last one. A next date agreed at the last
    review replaces the computed one.
    """
    reviews = sorted(held, key=lambda r: r.date)
    if not reviews:
        return ReviewDue(start + dt.timedelta(days=FIRST_REVIEW_DAYS), "visit", True, None)
    last = reviews[-1]
    due = last.next_review_date or add_months(last.date, REVIEW_INTERVAL_MONTHS)
    return ReviewDue(due, other_method(last.method), False, last.date)
