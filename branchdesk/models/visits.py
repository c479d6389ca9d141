"""Delivered visits: what actually happened at each call, imported or typed in.

The rules here are shared by the call-monitoring import and by visits added or
corrected by hand, so both refuse the same things with the same words.

A visit's identity (``match_key``) is its client, date, start and worker: the planned
start, or the actual start when there is no planned one. A visit corrected by hand
keeps its identity, so importing the call-monitoring file again neither duplicates it
nor undoes the correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.dates import format_date, parse_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.schema import VISIT_STATUSES

#: The longest visit accepted. An actual end earlier than the actual start is read as
#: the next day (a visit across midnight) only when that makes a visit of at most this.
MAX_VISIT_MINUTES = 12 * 60
MINUTES_PER_DAY = 24 * 60

STATUS_LABELS = {
    "completed": _("Completed"),
    "missed": _("Missed"),
    "cancelled_by_client": _("Cancelled by client"),
    "cancelled_by_provider": _("Cancelled by provider"),
    "no_access": _("No access"),
}

VISIT_FIELDS = ("client_id", "worker_id", "visit_date", "planned_start", "actual_start", "actual_end", "minutes", "status")


# -- reading values ---------------------------------------------------------------------
def parse_time(value) -> str | None:
    """``HH:MM`` from text such as ``9:05`` or ``09:05:00``, a time cell, or a fraction of a day.

    Empty gives None; anything else raises ``ValueError`` with a plain message.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 1:  # a spreadsheet time held as a fraction of a day
            minutes = round(value * MINUTES_PER_DAY)
            if minutes < MINUTES_PER_DAY:
                return f"{minutes // 60:02d}:{minutes % 60:02d}"
        raise ValueError(_("“{value}” is not a time (use HH:MM, e.g. 09:30)").format(value=value))
    text = str(value).strip()
    if not text:
        return None
    parts = text.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2 and len(parts[1]) == 2:
        hour, minute = int(parts[0]), int(parts[1])
        if hour < 24 and minute < 60 and (len(parts) == 2 or (len(parts[2]) == 2 and int(parts[2]) < 60)):
            return f"{hour:02d}:{minute:02d}"
    raise ValueError(_("“{value}” is not a time (use HH:MM, e.g. 09:30)").format(value=text))


def parse_minutes(value) -> int | None:
    """A whole number of minutes; empty gives None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("“{value}” is not a number of minutes").format(value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("“{value}” is not a whole number of minutes").format(value=value))
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except ArithmeticError:
            raise ValueError(_("“{value}” is not a number of minutes").format(value=text)) from None
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise ValueError(_("“{value}” is not a whole number of minutes").format(value=text))
        number = int(amount)
    if number < 0:
        raise ValueError(_("A duration cannot be negative ({value} minutes)").format(value=number))
    return number


def parse_status(value) -> str:
    """One of the visit statuses; accepts ``Completed`` or ``cancelled by client`` as written."""
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text in VISIT_STATUSES:
        return text
    for status, label in STATUS_LABELS.items():
        if text == label.lower().replace(" ", "_"):
            return status
    if not text:
        raise ValueError(_("The status is missing (use one of: {statuses})").format(statuses=", ".join(VISIT_STATUSES)))
    raise ValueError(_("“{value}” is not a visit status (use one of: {statuses})").format(value=value, statuses=", ".join(VISIT_STATUSES)))


def clock_minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def span_minutes(start: str, end: str) -> int:
    """Minutes from start to end; an end earlier than the start is on the next day."""
    minutes = clock_minutes(end) - clock_minutes(start)
    return minutes + MINUTES_PER_DAY if minutes < 0 else minutes


def format_minutes(minutes: int | None) -> str:
    """``1 h 30 min``, ``45 min``."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("{h} h {m} min").format(h=hours, m=rest)
    if hours:
        return _("{h} h").format(h=hours)
    return _("{m} min").format(m=rest)


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours, to two decimals (exact: never through float)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def match_key(client_id: int, visit_date: str, planned_start: str | None, actual_start: str | None, worker_id: int | None) -> str:
    """A visit's identity: client, date, start (planned, else actual) and worker."""
    return f"{client_id}|{visit_date}|{planned_start or actual_start or ''}|{worker_id or ''}"


def check_visit_values(raw: dict, today: dt.date) -> tuple[dict, list[tuple[str, str]]]:
    """Read and check a visit's date, times, duration and status.

    ``raw`` holds ``date``, ``planned_start``, ``actual_start``, ``actual_end``,
    ``duration_minutes`` and ``status`` as typed or as read from a file. Returns the
    values to store and every problem as ``(field, message)``.
    """
    problems: list[tuple[str, str]] = []
    values: dict = {"visit_date": None, "planned_start": None, "actual_start": None, "actual_end": None, "minutes": None, "status": None}
    date_value = raw.get("date")
    if date_value is None or (isinstance(date_value, str) and not date_value.strip()):
        problems.append(("date", _("The date is missing.")))
    else:
        try:
            day = parse_date(date_value)
        except ValueError as error:
            problems.append(("date", str(error) + "."))
        else:
            if day > today:
                problems.append(("date", _("{date} is in the future; only visits that have happened can be recorded.").format(date=format_date(day))))
            values["visit_date"] = day.isoformat()
    for field in ("planned_start", "actual_start", "actual_end"):
        try:
            values[field] = parse_time(raw.get(field))
        except ValueError as error:
            problems.append((field, str(error) + "."))
    duration = None
    try:
        duration = parse_minutes(raw.get("duration_minutes"))
    except ValueError as error:
        problems.append(("duration_minutes", str(error) + "."))
    try:
        values["status"] = parse_status(raw.get("status"))
    except ValueError as error:
        problems.append(("status", str(error) + "."))
    if problems:
        return values, problems

    start, end = values["actual_start"], values["actual_end"]
    if not values["planned_start"] and not start:
        problems.append(("planned_start", _("Give a planned start or an actual start.")))
    if end and not start:
        problems.append(("actual_start", _("An actual end needs an actual start.")))
    minutes = duration
    if start and end:
        minutes = span_minutes(start, end)
        if clock_minutes(end) < clock_minutes(start) and minutes > MAX_VISIT_MINUTES:
            problems.append(("actual_end", _(
                "The actual end {end} is before the actual start {start}. An end before the start is read as the next day "
                "only for visits of up to 12 hours, and this would be {length}. Check the times."
            ).format(end=end, start=start, length=format_minutes(minutes))))
            minutes = None
        elif duration is not None and abs(duration - minutes) > 1:
            problems.append(("duration_minutes", _(
                "The duration ({duration} minutes) does not match the actual start and end ({start}–{end}, {minutes} minutes). "
                "Give one of them, or make them agree."
            ).format(duration=duration, start=start, end=end, minutes=minutes)))
    if minutes is not None and minutes > MAX_VISIT_MINUTES:
        problems.append(("duration_minutes" if not end else "actual_end", _(
            "A visit of {length} is longer than 12 hours; check the times."
        ).format(length=format_minutes(minutes))))
    if values["status"] == "completed" and minutes is None and not problems:
        problems.append(("actual_end", _("A completed visit needs an actual start and end, or a duration in minutes.")))
    values["minutes"] = minutes
    return values, problems


def overlapping(intervals) -> list[tuple[object, object]]:
    """Pairs of intervals of the same worker that overlap in time.

    ``intervals`` are ``(worker_id, start, end, tag)`` with start/end in absolute minutes;
    a visit ending when the next begins does not overlap it. Returns ``(earlier_tag, later_tag)``.
    """
    found = []
    current_worker, reach_end, reach_tag = None, None, None
    for worker, start, end, tag in sorted(intervals, key=lambda item: (item[0], item[1], item[2])):
        if worker != current_worker:
            current_worker, reach_end, reach_tag = worker, end, tag
            continue
        if start < reach_end:
            found.append((reach_tag, tag))
        if end > reach_end:
            reach_end, reach_tag = end, tag
    return found


def absolute_span(visit_date: str, start: str, minutes: int) -> tuple[int, int]:
    """A visit's start and end in minutes since the start of the calendar."""
    begin = dt.date.fromisoformat(visit_date).toordinal() * MINUTES_PER_DAY + clock_minutes(start)
    return begin, begin + minutes


def timed_span(values) -> tuple[int, int] | None:
    """When a completed visit occupied its worker, or None when that is unknown."""
    start = values["actual_start"] or values["planned_start"]
    if values["status"] != "completed" or not start or not values["minutes"] or not values["worker_id"]:
        return None
    return absolute_span(values["visit_date"], start, values["minutes"])


# -- the visit log ------------------------------------------------------------------------
@dataclass(frozen=True)
class Visit:
    id: int
    client_id: int
    client_ref: str
    client_name: str
    worker_id: int | None
    worker_ref: str
    worker_name: str
    visit_date: dt.date
    planned_start: str | None
    actual_start: str | None
    actual_end: str | None
    minutes: int | None
    status: str
    source: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class VisitTotals:
    visits: int
    completed: int
    delivered_minutes: int
    not_delivered: int

    @property
    def delivered_hours(self) -> Decimal:
        return hours_of(self.delivered_minutes)


_SELECT = """
    SELECT v.id, v.client_id, c.ref AS client_ref, c.name AS client_name, v.worker_id,
           COALESCE(w.ref, '') AS worker_ref, COALESCE(w.name, '') AS worker_name, v.visit_date,
           v.planned_start, v.actual_start, v.actual_end, v.minutes, v.status, v.source
    FROM visits v JOIN clients c ON c.id = v.client_id LEFT JOIN workers w ON w.id = v.worker_id
"""


def _visit(row) -> Visit:
    return Visit(
        row["id"], row["client_id"], row["client_ref"], row["client_name"], row["worker_id"], row["worker_ref"],
        row["worker_name"], dt.date.fromisoformat(row["visit_date"]), row["planned_start"], row["actual_start"],
        row["actual_end"], row["minutes"], row["status"], row["source"],
    )


def list_visits(
    store: Store,
    first: dt.date | None = None,
    last: dt.date | None = None,
    client_id: int | None = None,
    worker_id: int | None = None,
    status: str | None = None,
) -> list[Visit]:
    """Visits in a date range (inclusive), for one client, worker or status, by date and time."""
    where, params = [], []
    if first:
        where.append("v.visit_date >= ?")
        params.append(first.isoformat())
    if last:
        where.append("v.visit_date <= ?")
        params.append(last.isoformat())
    for column, value in (("v.client_id", client_id), ("v.worker_id", worker_id), ("v.status", status)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY v.visit_date, COALESCE(v.actual_start, v.planned_start), c.ref"
    return [_visit(row) for row in store.rows(sql, params)]


def get_visit(store: Store, visit_id: int) -> Visit:
    row = store.row(_SELECT + " WHERE v.id = ?", (visit_id,))
    if row is None:
        raise NotFound(_("That visit no longer exists; it may have been deleted."))
    return _visit(row)


def visit_totals(visits: list[Visit]) -> VisitTotals:
    """How many visits, how many completed, and the hours delivered (completed visits)."""
    completed = [v for v in visits if v.status == "completed"]
    return VisitTotals(
        visits=len(visits),
        completed=len(completed),
        delivered_minutes=sum(v.minutes or 0 for v in completed),
        not_delivered=len(visits) - len(completed),
    )


# -- adding and correcting by hand --------------------------------------------------------
def _form_problems(store: Store, form: dict, today: dt.date, visit_id: int | None) -> tuple[dict, list[Problem]]:
    raw = {key: form.get(key) for key in ("date", "planned_start", "actual_start", "actual_end", "duration_minutes", "status")}
    values, found = check_visit_values(raw, today)
    problems = [Problem(field, message) for field, message in found]
    client_id, worker_id = form.get("client_id"), form.get("worker_id") or None
    if not client_id:
        problems.append(Problem("client_id", _("Choose the client.")))
    elif store.value("SELECT 1 FROM clients WHERE id = ?", (client_id,)) is None:
        problems.append(Problem("client_id", _("That client no longer exists.")))
    if worker_id is None and values.get("status") == "completed":
        problems.append(Problem("worker_id", _("Choose the worker who made the visit.")))
    elif worker_id is not None and store.value("SELECT 1 FROM workers WHERE id = ?", (worker_id,)) is None:
        problems.append(Problem("worker_id", _("That worker no longer exists.")))
    values["client_id"], values["worker_id"] = client_id, worker_id
    if problems:
        return values, problems
    key = match_key(client_id, values["visit_date"], values["planned_start"], values["actual_start"], worker_id)
    if visit_id is None and store.value("SELECT 1 FROM visits WHERE match_key = ?", (key,)):
        problems.append(Problem("planned_start", _(
            "A visit to this client by this worker starting at that time on that date is already recorded; correct that one instead."
        )))
        return values, problems
    span = timed_span(values)
    if span is not None:
        near = store.rows(
            _SELECT + " WHERE v.worker_id = ? AND v.visit_date BETWEEN ? AND ? AND v.status = 'completed' AND v.id IS NOT ?",
            (worker_id, (dt.date.fromisoformat(values["visit_date"]) - dt.timedelta(days=1)).isoformat(), values["visit_date"], visit_id),
        )
        for other in map(_visit, near):
            other_start = other.actual_start or other.planned_start
            if not other_start or not other.minutes:
                continue
            begin, end = absolute_span(other.visit_date.isoformat(), other_start, other.minutes)
            if begin < span[1] and span[0] < end:
                problems.append(Problem("actual_start", _(
                    "{worker} was already visiting {client} from {start} to {end} on {date}; the times overlap."
                ).format(worker=other.worker_name or other.worker_ref, client=other.client_name, start=other_start,
                         end=other.actual_end or _end_clock(other_start, other.minutes), date=format_date(other.visit_date))))
                break
    return values, problems


def _end_clock(start: str, minutes: int) -> str:
    total = (clock_minutes(start) + minutes) % MINUTES_PER_DAY
    return f"{total // 60:02d}:{total % 60:02d}"


def save_visit(store: Store, form: dict, visit_id: int | None = None, today: dt.date | None = None) -> int:
    """Add a visit typed in by hand, or correct one; one transaction with an audit entry.

    ``form`` holds ``client_id``, ``worker_id``, ``date``, ``planned_start``,
    ``actual_start``, ``actual_end``, ``duration_minutes``, ``status``. Raises
    ``ValidationError`` with every problem, each against its field.
    """
    values, problems = _form_problems(store, form, today or dt.date.today(), visit_id)
    if problems:
        raise ValidationError(problems)
    new = {field: values[field] for field in VISIT_FIELDS}
    client_ref = store.value("SELECT ref FROM clients WHERE id = ?", (new["client_id"],))
    with store.transaction():
        if visit_id is None:
            key = match_key(new["client_id"], new["visit_date"], new["planned_start"], new["actual_start"], new["worker_id"])
            visit_id = store.db["visits"].insert({**new, "source": "manual", "match_key": key}).last_pk
            store.audit("create", "visit", visit_id, _("Visit to {client} on {date} added by hand").format(
                client=client_ref, date=format_date(new["visit_date"])), new=new, client_id=new["client_id"])
        else:
            old_row = store.row("SELECT * FROM visits WHERE id = ?", (visit_id,))
            if old_row is None:
                raise NotFound(_("That visit no longer exists; it may have been deleted."))
            old = {field: old_row[field] for field in VISIT_FIELDS}
            store.db["visits"].update(visit_id, {**new, "source": "manual"})
            store.audit("update", "visit", visit_id, _("Visit to {client} on {date} corrected").format(
                client=client_ref, date=format_date(new["visit_date"])), old=old, new=new, client_id=new["client_id"])
    return visit_id


def delete_visit(store: Store, visit_id: int) -> None:
    """Remove a visit recorded by mistake; audited with what it held."""
    old_row = store.row("SELECT v.*, c.ref AS client_ref FROM visits v JOIN clients c ON c.id = v.client_id WHERE v.id = ?", (visit_id,))
    if old_row is None:
        raise NotFound(_("That visit no longer exists; it may have been deleted."))
    with store.transaction():
        store.conn.execute("DELETE FROM visits WHERE id = ?", (visit_id,))
        store.audit("delete", "visit", visit_id, _("Visit to {client} on {date} deleted").format(
            client=old_row["client_ref"], date=format_date(old_row["visit_date"])),
            old={field: old_row[field] for field in VISIT_FIELDS}, client_id=old_row["client_id"])
