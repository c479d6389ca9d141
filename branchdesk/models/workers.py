"""The branch's care workers and the teams they work in (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import format_decimal, to_decimal

WORKER_COLUMNS = ("ref", "name", "team", "role", "contracted_hours", "active")
MAX_WEEKLY_HOURS = Decimal(100)


@dataclass
class Worker:
    ref: str
    name: str
    team: str = ""
    role: str = ""
    contracted_hours: Decimal | None = None
    active: bool = True
    id: int | None = None


def validate_worker(worker: Worker) -> list[Problem]:
    problems = []
    if not worker.ref.strip():
        problems.append(Problem("ref", _("Enter the worker's reference (as used by the call-monitoring system).")))
    if not worker.name.strip():
        problems.append(Problem("name", _("Enter the worker's name.")))
    if worker.contracted_hours is not None:
        if worker.contracted_hours < 0:
            problems.append(Problem("contracted_hours", _("Contracted hours cannot be negative.")))
        elif worker.contracted_hours > MAX_WEEKLY_HOURS:
            problems.append(Problem("contracted_hours", _("Contracted hours are per week; {hours} is more than a week can hold.").format(
                hours=format_decimal(worker.contracted_hours))))
    return problems


def worker_from_form(values: dict) -> Worker:
    """A ``Worker`` from text as typed or read from a workbook, or every problem at once."""
    problems: list[Problem] = []
    hours = None
    raw = values.get("contracted_hours")
    if raw is not None and str(raw).strip():
        try:
            hours = to_decimal(raw)
        except ValueError:
            problems.append(Problem("contracted_hours", _("Contracted hours must be a number, such as 37.5.")))
    worker = Worker(
        ref=str(values.get("ref") or "").strip(),
        name=str(values.get("name") or "").strip(),
        team=str(values.get("team") or "").strip(),
        role=str(values.get("role") or "").strip(),
        contracted_hours=hours,
        active=bool(values.get("active", True)),
        id=values.get("id"),
    )
    problems += validate_worker(worker)
    if problems:
        raise ValidationError(problems)
    return worker


def worker_to_row(worker: Worker) -> dict:
    return {
        "ref": worker.ref.strip(),
        "name": worker.name.strip(),
        "team": worker.team.strip(),
        "role": worker.role.strip(),
        "contracted_hours": None if worker.contracted_hours is None else format_decimal(worker.contracted_hours),
        "active": 1 if worker.active else 0,
    }


def _from_row(row) -> Worker:
    hours = row["contracted_hours"]
    return Worker(row["ref"], row["name"], row["team"], row["role"], Decimal(hours) if hours else None, bool(row["active"]), row["id"])


def list_workers(store: Store, team: str | None = None) -> list[Worker]:
    if team is None:
        rows = store.rows("SELECT * FROM workers ORDER BY name, ref")
    else:
        rows = store.rows("SELECT * FROM workers WHERE team = ? ORDER BY name, ref", (team,))
    return [_from_row(r) for r in rows]


def get_worker(store: Store, worker_id: int) -> Worker:
    row = store.row("SELECT * FROM workers WHERE id = ?", (worker_id,))
    if row is None:
        raise NotFound(_("That worker no longer exists."))
    return _from_row(row)


def teams(store: Store) -> list[str]:
    """Every team named for a worker or a client, sorted."""
    names = {r[0] for r in store.rows("SELECT team FROM workers UNION SELECT team FROM clients") if r[0]}
    return sorted(names, key=str.lower)


def ref_problems(store: Store, ref: str, worker_id: int | None) -> list[Problem]:
    """A problem when another worker already has ``ref``."""
    ref = (ref or "").strip()
    if ref and store.value("SELECT id FROM workers WHERE ref = ? AND id IS NOT ?", (ref, worker_id)):
        return [Problem("ref", _("Another worker already has the reference “{ref}”.").format(ref=ref))]
    return []


def save_worker(store: Store, worker: Worker) -> int:
    """Add or update a worker in one transaction, with an audit entry; returns the id."""
    problems = validate_worker(worker) + ref_problems(store, worker.ref, worker.id)
    if problems:
        raise ValidationError(problems)
    values = worker_to_row(worker)
    worker.id = store.save_record("workers", worker.id, values, "worker", _("Worker {ref}").format(ref=values["ref"]))
    return worker.id
