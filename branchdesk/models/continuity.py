"""Continuity of care (SPEC §4): how many different workers visited a client in a month.

Only completed visits count. The target is at most four workers a month; clients above
it are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from branchdesk.models.dates import month_bounds, parse_month
from branchdesk.models.db import Store

TARGET_WORKERS = 4


@dataclass(frozen=True)
class WorkerVisits:
    worker_id: int
    ref: str
    name: str
    visits: int


@dataclass(frozen=True)
class MonthContinuity:
    """One client's distinct workers in one month (``YYYY-MM``)."""

    month: str
    workers: list[WorkerVisits] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.workers)

    @property
    def flagged(self) -> bool:
        return self.count > TARGET_WORKERS


@dataclass(frozen=True)
class ClientContinuity:
    """A caseload line: a client's distinct workers in a month."""

    client_id: int
    client_ref: str
    client_name: str
    count: int
    visits: int

    @property
    def flagged(self) -> bool:
        return self.count > TARGET_WORKERS


def _bounds(month: str) -> tuple[str, str]:
    first, last = month_bounds(*parse_month(month))
    return first.isoformat(), last.isoformat()


def client_continuity(store: Store, client_id: int, months: list[str]) -> list[MonthContinuity]:
    """For each month asked for, the workers who made completed visits to the client (most visits first)."""
    result = []
    for month in months:
        first, last = _bounds(month)
        rows = store.rows(
            """SELECT w.id, w.ref, w.name, COUNT(*) AS visits FROM visits v JOIN workers w ON w.id = v.worker_id
               WHERE v.client_id = ? AND v.status = 'completed' AND v.visit_date BETWEEN ? AND ?
               GROUP BY w.id ORDER BY visits DESC, w.ref""",
            (client_id, first, last),
        )
        result.append(MonthContinuity(month, [WorkerVisits(r["id"], r["ref"], r["name"], r["visits"]) for r in rows]))
    return result


def caseload_continuity(store: Store, month: str) -> list[ClientContinuity]:
    """Every client with completed visits in the month, most workers first."""
    first, last = _bounds(month)
    rows = store.rows(
        """SELECT c.id, c.ref, c.name, COUNT(DISTINCT v.worker_id) AS workers, COUNT(*) AS visits
           FROM visits v JOIN clients c ON c.id = v.client_id
           WHERE v.status = 'completed' AND v.worker_id IS NOT NULL AND v.visit_date BETWEEN ? AND ?
           GROUP BY c.id ORDER BY workers DESC, c.ref""",
        (first, last),
    )
    return [ClientContinuity(r["id"], r["ref"], r["name"], r["workers"], r["visits"]) for r in rows]


def flagged_clients(store: Store, month: str) -> list[ClientContinuity]:
    """Clients visited by more than four different workers in the month."""
    return [line for line in caseload_continuity(store, month) if line.flagged]
