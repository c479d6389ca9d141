"""Use of a client's hours, week by week (SPEC §4): envelope, planned, delivered, difference.

Weeks are ISO weeks, Monday to Sunday. Each day of a week counts for a seventh of the
weekly figures in force that day, so a week in which the envelope or the plan changes is
shared out day by day: a week with 14 hours from Monday to Wednesday and 7 hours from
Thursday counts 3/7 × 14 + 4/7 × 7 = 10 hours. Days outside the service (before its start,
after its end) and days inside a suspension count nothing for the envelope and the plan.
Planned hours on a day are the paid visits the plan in force has on that weekday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from branchdesk.models.calendars import envelope_on
from branchdesk.models.dates import from_iso, iso, iso_week_start
from branchdesk.models.db import Store
from branchdesk.models.envelope import envelope_rows
from branchdesk.models.ideal_week import list_versions, planned_minutes_by_weekday

HUNDREDTH = Decimal("0.01")
DEFAULT_WEEKS = 26


@dataclass(frozen=True)
class WeekUse:
    """Hours of one ISO week; ``complete`` is False for the week still running."""

    week_start: dt.date
    envelope: Decimal
    planned: Decimal
    delivered: Decimal
    complete: bool

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def difference(self) -> Decimal:
        """Envelope − delivered: positive when hours were left unused."""
        return self.envelope - self.delivered

    @property
    def unused(self) -> Decimal:
        """Hours of the envelope left unused (never negative)."""
        return max(self.difference, Decimal(0))


def _hours(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _service_days(store: Store, client_id: int) -> tuple[dt.date | None, dt.date | None, list[tuple[dt.date, dt.date]]]:
    client = store.row("SELECT start_date, end_date FROM clients WHERE id = ?", (client_id,))
    suspensions = [(from_iso(r[0]), from_iso(r[1])) for r in store.rows(
        "SELECT start_date, end_date FROM suspensions WHERE client_id = ?", (client_id,))]
    if client is None:
        return None, None, suspensions
    return from_iso(client["start_date"]), from_iso(client["end_date"]), suspensions


def week_use(store: Store, client_id: int, monday: dt.date, today: dt.date) -> WeekUse:
    """Envelope, planned and delivered hours of the ISO week starting ``monday``."""
    return weeks_use(store, client_id, [monday], today)[0]


def weeks_use(store: Store, client_id: int, mondays: list[dt.date], today: dt.date) -> list[WeekUse]:
    """``week_use`` for several weeks, reading the client's records once."""
    start, end, suspensions = _service_days(store, client_id)
    envelopes = envelope_rows(store, client_id)
    versions = list_versions(store, client_id)
    minutes_by_version = {v.id: planned_minutes_by_weekday(store, v.id) for v in versions}
    result = []
    for monday in mondays:
        envelope_sum = Decimal(0)
        planned_minutes = 0
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            if start is None or day < start or (end is not None and day > end):
                continue
            if any(first <= day <= last for first, last in suspensions):
                continue
            row = envelope_on(envelopes, day)
            if row is not None:
                envelope_sum += row.hours
            version = next((v for v in reversed(versions) if v.effective_date <= day), None)
            if version is not None:
                planned_minutes += minutes_by_version[version.id][offset]
        sunday = monday + dt.timedelta(days=6)
        delivered = store.value(
            "SELECT COALESCE(SUM(minutes), 0) FROM visits WHERE client_id = ? AND status = 'completed'"
            " AND visit_date BETWEEN ? AND ?", (client_id, iso(monday), iso(sunday)),
        )
        result.append(WeekUse(
            monday,
            _hours(envelope_sum / 7),
            _hours(Decimal(planned_minutes) / 60),
            _hours(Decimal(delivered) / 60),
            sunday < today,
        ))
    return result


def utilisation(store: Store, client_id: int, today: dt.date | None = None, weeks: int = DEFAULT_WEEKS) -> list[WeekUse]:
    """The last ``weeks`` ISO weeks up to the one holding ``today``, oldest first, leaving out
    weeks that end before the service started."""
    today = today or dt.date.today()
    this_monday = iso_week_start(today)
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = from_iso(store.value("SELECT start_date FROM clients WHERE id = ?", (client_id,)))
    if start is not None:
        mondays = [m for m in mondays if m + dt.timedelta(days=6) >= start]
    return weeks_use(store, client_id, mondays, today)
