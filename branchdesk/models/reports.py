"""Branch-wide figures for the Today screen and the Reports menu.

Each function returns plain rows (dicts) a table can show and a spreadsheet can hold.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.calendars import EnvelopeRow, envelope_on
from branchdesk.models.dates import add_months, from_iso
from branchdesk.models.db import Store
from branchdesk.models.money import to_decimal
from branchdesk.models.schema import CATEGORIES, COMPONENTS, FUNDING

NO_FURTHER_CARE_WITHIN_DAYS = 42
AT_HOME_AFTER_DAYS = 91
NOT_AT_HOME = ("residential_care", "hospital", "died")


def in_service_clients(store: Store, on: dt.date) -> list:
    """Clients whose service covers ``on`` (started, not ended)."""
    day = on.isoformat()
    return store.rows(
        "SELECT * FROM clients WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?) ORDER BY ref",
        (day, day),
    )


def caseload_by_category_and_funding(store: Store, on: dt.date) -> list[dict]:
    """Clients in service on ``on``: one row per category with a column per funding type."""
    counts: Counter = Counter()
    for client in in_service_clients(store, on):
        counts[(client["category"], client["funding"])] += 1
    rows = []
    for category in CATEGORIES:
        row = {"category": category}
        for funding in FUNDING:
            row[funding] = counts[(category, funding)]
        row["total"] = sum(row[f] for f in FUNDING)
        rows.append(row)
    total = {"category": "total", **{f: sum(r[f] for r in rows) for f in FUNDING}}
    total["total"] = sum(total[f] for f in FUNDING)
    rows.append(total)
    return rows


def _envelopes_by_client(store: Store) -> dict[int, list[EnvelopeRow]]:
    envelopes: dict[int, list[EnvelopeRow]] = defaultdict(list)
    for row in store.rows("SELECT client_id, effective_date, hours_per_week, band, reason FROM envelopes"):
        envelopes[row["client_id"]].append(
            EnvelopeRow(from_iso(row["effective_date"]), to_decimal(row["hours_per_week"]), row["band"], row["reason"])
        )
    return envelopes


@dataclass(frozen=True)
class Capacity:
    envelope_hours: Decimal
    contracted_hours: Decimal
    clients: int
    workers: int

    @property
    def spare_hours(self) -> Decimal:
        return self.contracted_hours - self.envelope_hours

    @property
    def used_share(self) -> Decimal | None:
        if not self.contracted_hours:
            return None
        return self.envelope_hours / self.contracted_hours


def capacity(store: Store, on: dt.date) -> Capacity:
    """Total envelope hours of clients in service against workers' contracted hours per week."""
    envelopes = _envelopes_by_client(store)
    clients = in_service_clients(store, on)
    total = Decimal(0)
    for client in clients:
        row = envelope_on(envelopes.get(client["id"], []), on)
        if row is not None:
            total += row.hours
    workers = store.rows("SELECT contracted_hours FROM workers WHERE active = 1")
    contracted = sum((to_decimal(w["contracted_hours"]) for w in workers if w["contracted_hours"]), Decimal(0))
    return Capacity(total, contracted, len(clients), len(workers))


@dataclass(frozen=True)
class ReablementResult:
    """SPEC §4: of reablement clients whose service ended, who needed no further care within
    42 days, and who was still at home 91 days after the start (the ASCOF 2B measure)."""

    ended: int
    no_further_care_within_42: int
    counted_at_91: int
    at_home_at_91: int

    @property
    def no_further_care_share(self) -> Decimal | None:
        return Decimal(self.no_further_care_within_42) / self.ended if self.ended else None

    @property
    def at_home_share(self) -> Decimal | None:
        return Decimal(self.at_home_at_91) / self.counted_at_91 if self.counted_at_91 else None


def reablement_result(store: Store, on: dt.date, since: dt.date | None = None) -> ReablementResult:
    """The reablement result for episodes ended on or before ``on`` (and on or after ``since``).

    The 91-day share counts only episodes whose 91st day has passed; a person counts as at
    home unless the service ended for residential care, hospital or death on or before it.
    """
    rows = store.rows(
        "SELECT start_date, end_date, end_reason FROM clients WHERE category = 'reablement'"
        " AND end_date IS NOT NULL AND end_date <= ? AND (? IS NULL OR end_date >= ?)",
        (on.isoformat(), since and since.isoformat(), since and since.isoformat()),
    )
    ended = quick = counted = at_home = 0
    for row in rows:
        start, end = from_iso(row["start_date"]), from_iso(row["end_date"])
        ended += 1
        if row["end_reason"] == "no_further_care" and (end - start).days <= NO_FURTHER_CARE_WITHIN_DAYS:
            quick += 1
        day_91 = start + dt.timedelta(days=AT_HOME_AFTER_DAYS)
        if day_91 <= on:
            counted += 1
            if not (row["end_reason"] in NOT_AT_HOME and end <= day_91):
                at_home += 1
    return ReablementResult(ended, quick, counted, at_home)


def quarter_of(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def outcome_achievement_by_quarter(store: Store, on: dt.date, quarters: int = 8) -> list[dict]:
    """Outcomes assessed at reviews per calendar quarter, and the share achieved (partly = ½)."""
    first = add_months(dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1), -3 * (quarters - 1))
    rows = store.rows(
        "SELECT r.review_date, ro.status FROM review_outcomes ro JOIN reviews r ON r.id = ro.review_id"
        " WHERE r.review_date >= ? AND r.review_date <= ? AND ro.status <> 'withdrawn'",
        (first.isoformat(), on.isoformat()),
    )
    buckets: dict[str, Counter] = {}
    day = first
    while day <= on:
        buckets[quarter_of(day)] = Counter()
        day = add_months(day, 3)
    for row in rows:
        buckets.setdefault(quarter_of(from_iso(row["review_date"])), Counter())[row["status"]] += 1
    result = []
    for quarter, counts in buckets.items():
        assessed = sum(counts.values())
        score = Decimal(counts["achieved"]) + Decimal(counts["partly"]) / 2
        result.append({
            "quarter": quarter,
            "assessed": assessed,
            "achieved": counts["achieved"],
            "partly": counts["partly"],
            "not_achieved": counts["not_achieved"],
            "ongoing": counts["active"],
            "rate": (score / assessed) if assessed else None,
        })
    return result


def claim_totals_by_component(store: Store, on: dt.date, months: int = 12) -> list[dict]:
    """Issued claims (and credit notes) of the last ``months`` months, in pence by component."""
    first = add_months(on.replace(day=1), -(months - 1))
    keys = []
    day = first
    while day <= on:
        keys.append(f"{day:%Y-%m}")
        day = add_months(day, 1)
    totals = {key: dict.fromkeys(COMPONENTS, 0) for key in keys}
    for row in store.rows(
        "SELECT c.month, l.component, SUM(l.amount_pence) AS pence FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
        " WHERE c.sealed = 1 AND c.month >= ? GROUP BY c.month, l.component",
        (keys[0],),
    ):
        if row["month"] in totals:
            totals[row["month"]][row["component"]] += row["pence"]
    return [{"month": key, **values, "total": sum(values.values())} for key, values in totals.items()]


def describe_share(share: Decimal | None) -> str:
    if share is None:
        return _("no data yet")
    return f"{(share * 100).quantize(Decimal(1))}%"
