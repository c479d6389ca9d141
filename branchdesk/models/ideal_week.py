"""The ideal week: a versioned plan of the person's whole week (SPEC §3, §4).

A plan holds paid visits and also what family, friends, community groups and technology
do. Each version has an effective date; the plan in force on a day is the version with
the latest effective date on or before it. Versions replaced before today are history
and are not changed any more.

Planned paid hours are compared with the envelope (above it: a warning) and with the
personal-budget cap, weekly personal budget ÷ the contract's hourly rate (above it:
saving is refused unless an override reason is recorded on the version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from branchdesk.i18n import _
from branchdesk.models.dates import format_date, from_iso, iso, parse_date, parse_optional_date
from branchdesk.models.db import Store
from branchdesk.models.envelope import envelope_on_day
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import format_decimal, format_money
from branchdesk.models.schema import ITEM_KINDS, PARTS_OF_DAY
from branchdesk.models.visits import parse_time

MAX_PREFERRED_WORKERS = 4
MAX_ITEM_MINUTES = 24 * 60

DAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
DAY_SHORT = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
PART_LABELS = {
    "morning": _("Morning"),
    "lunchtime": _("Lunchtime"),
    "afternoon": _("Afternoon"),
    "teatime": _("Teatime"),
    "evening": _("Evening"),
    "night": _("Night"),
}
KIND_LABELS = {
    "paid_visit": _("Care visit"),
    "family": _("Family"),
    "friend": _("Friend"),
    "community": _("Community"),
    "technology": _("Technology"),
    "other": _("Other"),
}


class CapExceeded(ValidationError):
    """Saving would take the planned paid hours above the personal-budget cap with no override reason."""


@dataclass
class PlanItem:
    """One item of the ideal week; ``minutes`` is required for paid visits."""

    day: int
    part_of_day: str
    kind: str
    approx_time: str | None = None
    minutes: int | None = None
    who: str = ""
    purpose: str = ""
    outcome_ids: list[int] = field(default_factory=list)
    worker_ids: list[int] = field(default_factory=list)
    id: int | None = None
    #: names of the preferred workers, filled when read from the file
    worker_names: list[str] = field(default_factory=list)

    @property
    def is_paid(self) -> bool:
        return self.kind == "paid_visit"

    @property
    def paid_minutes(self) -> int:
        return (self.minutes or 0) if self.is_paid else 0


@dataclass(frozen=True)
class IdealWeek:
    """One version of a client's ideal week."""

    id: int
    client_id: int
    effective_date: dt.date
    agreed_with: str
    agreed_on: dt.date | None
    override_reason: str


@dataclass(frozen=True)
class PlanCheck:
    """Planned paid hours of a plan against the envelope and the personal-budget cap."""

    planned_minutes: int
    envelope_hours: Decimal | None
    budget_pence: int | None
    rate_pence: int | None
    preferred_workers: int
    override_reason: str = ""

    @property
    def planned_hours(self) -> Decimal:
        return hours_from_minutes(self.planned_minutes)

    @property
    def cap_hours(self) -> Decimal | None:
        """Weekly personal budget ÷ hourly rate, to two decimals (None when either is missing)."""
        if not self.budget_pence or not self.rate_pence:
            return None
        return (Decimal(self.budget_pence) / Decimal(self.rate_pence)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def above_envelope(self) -> bool:
        return self.envelope_hours is not None and Decimal(self.planned_minutes) > self.envelope_hours * 60

    @property
    def above_cap(self) -> bool:
        """Compared exactly: planned minutes × rate against budget × 60."""
        if not self.budget_pence or not self.rate_pence:
            return False
        return self.planned_minutes * self.rate_pence > self.budget_pence * 60

    @property
    def too_many_workers(self) -> bool:
        return self.preferred_workers > MAX_PREFERRED_WORKERS

    def warnings(self) -> list[str]:
        """Plain sentences for the manager: above the envelope, above the cap, too many workers."""
        found = []
        if self.above_envelope:
            found.append(_("The plan is {planned} hours a week, above the envelope of {envelope} hours.").format(
                planned=format_decimal(self.planned_hours), envelope=format_decimal(self.envelope_hours)))
        if self.above_cap:
            text = self.cap_message()
            if self.override_reason:
                text += " " + _("Allowed because: {reason}").format(reason=self.override_reason)
            found.append(text)
        if self.too_many_workers:
            found.append(_("{count} different workers are preferred; aim for at most {most} so the person knows who comes.").format(
                count=self.preferred_workers, most=MAX_PREFERRED_WORKERS))
        return found

    def cap_message(self) -> str:
        return _(
            "The plan is {planned} hours a week, above the personal-budget cap of {cap} hours "
            "({budget} a week ÷ {rate} an hour)."
        ).format(planned=format_decimal(self.planned_hours), cap=format_decimal(self.cap_hours),
                 budget=format_money(self.budget_pence), rate=format_money(self.rate_pence))


def hours_from_minutes(minutes: int) -> Decimal:
    """Minutes as hours to two decimals, half up (exact: never through float)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def planned_minutes(items: list[PlanItem]) -> int:
    """Minutes of paid visits in a week of the plan."""
    return sum(item.paid_minutes for item in items)


def planned_hours(items: list[PlanItem]) -> Decimal:
    """Planned paid hours a week: Σ minutes of paid visits ÷ 60."""
    return hours_from_minutes(planned_minutes(items))


def preferred_workers(items: list[PlanItem]) -> set[int]:
    """The distinct workers preferred for any paid visit of the plan."""
    return {worker for item in items for worker in item.worker_ids}


# -- versions -----------------------------------------------------------------------------
def _week(row) -> IdealWeek:
    return IdealWeek(row["id"], row["client_id"], from_iso(row["effective_date"]), row["agreed_with"],
                     from_iso(row["agreed_on"]), row["override_reason"])


def list_versions(store: Store, client_id: int) -> list[IdealWeek]:
    """Every version of a client's ideal week, oldest first."""
    return [_week(r) for r in store.rows("SELECT * FROM ideal_weeks WHERE client_id = ? ORDER BY effective_date", (client_id,))]


def get_version(store: Store, ideal_week_id: int) -> IdealWeek:
    row = store.row("SELECT * FROM ideal_weeks WHERE id = ?", (ideal_week_id,))
    if row is None:
        raise NotFound(_("That ideal week no longer exists."))
    return _week(row)


def plan_on(store: Store, client_id: int, day: dt.date) -> IdealWeek | None:
    """The version in force on ``day``: the latest effective on or before it."""
    row = store.row(
        "SELECT * FROM ideal_weeks WHERE client_id = ? AND effective_date <= ? ORDER BY effective_date DESC LIMIT 1",
        (client_id, iso(day)),
    )
    return _week(row) if row else None


def version_state(versions: list[IdealWeek], week: IdealWeek, today: dt.date) -> str:
    """``history`` (replaced on or before today), ``in_force`` or ``planned`` (starts after today)."""
    if week.effective_date > today:
        return "planned"
    later = [v for v in versions if v.effective_date > week.effective_date]
    if later and min(v.effective_date for v in later) <= today:
        return "history"
    return "in_force"


def replaced_on(versions: list[IdealWeek], week: IdealWeek) -> dt.date | None:
    """The effective date of the next version, if any."""
    later = [v.effective_date for v in versions if v.effective_date > week.effective_date]
    return min(later) if later else None


def reference_day(versions: list[IdealWeek], week: IdealWeek, today: dt.date) -> dt.date:
    """The day whose envelope a version is compared with: today while it is in force, its
    first day when it starts later, its last day when it is history."""
    state = version_state(versions, week, today)
    if state == "planned":
        return week.effective_date
    if state == "history":
        return replaced_on(versions, week) - dt.timedelta(days=1)
    return today


def _check_editable(store: Store, week: IdealWeek, today: dt.date) -> None:
    versions = list_versions(store, week.client_id)
    if version_state(versions, week, today) == "history":
        raise ValidationError(_(
            "This plan was replaced on {day} and is kept as history, so it cannot be changed. "
            "Make changes in the plan in force."
        ).format(day=format_date(replaced_on(versions, week))))


def new_version(
    store: Store,
    client_id: int,
    effective_date,
    agreed_with: str = "",
    agreed_on=None,
    copy_from: int | None = None,
    override_reason: str = "",
    today: dt.date | None = None,
) -> int:
    """Start a version from ``effective_date``, copying the items of ``copy_from`` (another
    version of the same client) when given. The older versions stay as history.

    Raises ``ValidationError`` (nothing written) for a bad or taken date, and ``CapExceeded``
    when the copied plan is above the personal-budget cap and no override reason is given.
    """
    today = today or dt.date.today()
    service_start = store.value("SELECT start_date FROM clients WHERE id = ?", (client_id,))
    if service_start is None:
        raise NotFound(_("That client no longer exists."))
    problems: list[Problem] = []
    day = agreed = None
    try:
        day = parse_date(effective_date)
    except (ValueError, TypeError) as error:
        problems.append(Problem("effective_date", _("The date the plan starts: {error}.").format(error=error)))
    try:
        agreed = parse_optional_date(agreed_on)
    except (ValueError, TypeError) as error:
        problems.append(Problem("agreed_on", _("The date it was agreed: {error}.").format(error=error)))
    if agreed is not None and agreed > today:
        problems.append(Problem("agreed_on", _("The date it was agreed cannot be in the future.")))
    if agreed is not None and not str(agreed_with or "").strip():
        problems.append(Problem("agreed_with", _("Say who the plan was agreed with, e.g. the person and their daughter.")))
    if day is not None and day < dt.date.fromisoformat(service_start):
        problems.append(Problem("effective_date", _("The plan cannot start before the service does ({day}).").format(
            day=format_date(dt.date.fromisoformat(service_start)))))
    if day is not None and store.value("SELECT 1 FROM ideal_weeks WHERE client_id = ? AND effective_date = ?", (client_id, iso(day))):
        problems.append(Problem("effective_date", _("A version of the plan from {day} already exists. Choose another date.").format(day=format_date(day))))
    items: list[PlanItem] = []
    if copy_from is not None:
        source = get_version(store, copy_from)
        if source.client_id != client_id:
            problems.append(Problem("", _("The plan to copy belongs to another client.")))
        items = list_items(store, copy_from)
    if problems:
        raise ValidationError(problems)
    reason = override_reason.strip()
    if items:
        check = _check_for(store, client_id, items, day, reason)
        if check.above_cap and not reason:
            raise CapExceeded([Problem("override_reason", check.cap_message() + " " + _(
                "Record a reason for going above the cap, or reduce the visits."))])
    values = {"client_id": client_id, "effective_date": iso(day), "agreed_with": agreed_with.strip(),
              "agreed_on": iso(agreed), "override_reason": reason}
    with store.transaction():
        week_id = store.conn.execute(
            "INSERT INTO ideal_weeks (client_id, effective_date, agreed_with, agreed_on, override_reason)"
            " VALUES (:client_id, :effective_date, :agreed_with, :agreed_on, :override_reason)", values,
        ).lastrowid
        for item in items:
            _insert_item(store, week_id, replace(item, id=None))
        summary = _("Ideal week from {day}").format(day=format_date(day))
        if copy_from is not None:
            summary += _(" (copied from the plan of {day}, {count} items)").format(
                day=format_date(get_version(store, copy_from).effective_date), count=len(items))
        store.audit("create", "ideal_week", week_id, summary, new=values, client_id=client_id)
    return week_id


def set_override_reason(store: Store, ideal_week_id: int, reason: str, today: dt.date | None = None) -> None:
    """Record (or clear, with "") why a version may go above the personal-budget cap."""
    week = get_version(store, ideal_week_id)
    _check_editable(store, week, today or dt.date.today())
    reason = reason.strip()
    if not reason:
        check = check_plan(store, ideal_week_id, today=today)
        if check.above_cap:
            raise CapExceeded([Problem("override_reason", check.cap_message() + " " + _(
                "The reason cannot be removed while the plan is above the cap."))])
    with store.transaction():
        _write_override(store, week, reason)


def _write_override(store: Store, week: IdealWeek, reason: str) -> None:
    if reason == week.override_reason:
        return
    store.conn.execute("UPDATE ideal_weeks SET override_reason = ? WHERE id = ?", (reason, week.id))
    store.audit("update", "ideal_week", week.id,
                _("Reason for going above the budget cap, plan from {day}").format(day=format_date(week.effective_date)),
                old={"override_reason": week.override_reason}, new={"override_reason": reason}, client_id=week.client_id)


# -- items ----------------------------------------------------------------------------------
def list_items(store: Store, ideal_week_id: int) -> list[PlanItem]:
    """The items of one version, by day, part of day and time."""
    outcomes: dict[int, list[int]] = {}
    for r in store.rows(
        "SELECT o.item_id, o.outcome_id FROM ideal_week_item_outcomes o JOIN ideal_week_items i ON i.id = o.item_id"
        " WHERE i.ideal_week_id = ? ORDER BY o.outcome_id", (ideal_week_id,),
    ):
        outcomes.setdefault(r["item_id"], []).append(r["outcome_id"])
    workers: dict[int, list[tuple[int, str]]] = {}
    for r in store.rows(
        "SELECT w.item_id, w.worker_id, k.name FROM ideal_week_item_workers w JOIN ideal_week_items i ON i.id = w.item_id"
        " JOIN workers k ON k.id = w.worker_id WHERE i.ideal_week_id = ? ORDER BY k.name", (ideal_week_id,),
    ):
        workers.setdefault(r["item_id"], []).append((r["worker_id"], r["name"]))
    items = []
    for r in store.rows("SELECT * FROM ideal_week_items WHERE ideal_week_id = ?", (ideal_week_id,)):
        chosen = workers.get(r["id"], [])
        items.append(PlanItem(
            r["day"], r["part_of_day"], r["kind"], r["approx_time"], r["minutes"], r["who"], r["purpose"],
            outcomes.get(r["id"], []), [w for w, _n in chosen], r["id"], [n for _w, n in chosen],
        ))
    items.sort(key=item_order)
    return items


def item_order(item: PlanItem) -> tuple:
    """Day, part of day, then time (untimed items last), then the order they were added."""
    return (item.day, PARTS_OF_DAY.index(item.part_of_day), item.approx_time or "99:99", item.id or 0)


def item_from_form(values: dict) -> tuple[PlanItem | None, list[Problem]]:
    """A plan item from form values (text as typed); every problem at once."""
    problems: list[Problem] = []
    kind = values.get("kind") or ""
    if kind not in ITEM_KINDS:
        problems.append(Problem("kind", _("Choose what kind of item this is.")))
    try:
        day = int(values.get("day"))
    except (TypeError, ValueError):
        day = -1
    if not 0 <= day <= 6:
        problems.append(Problem("day", _("Choose a day of the week.")))
    part = values.get("part_of_day") or ""
    if part not in PARTS_OF_DAY:
        problems.append(Problem("part_of_day", _("Choose a part of the day.")))
    approx = None
    try:
        approx = parse_time(values.get("approx_time"))
    except ValueError as error:
        problems.append(Problem("approx_time", str(error) + "."))
    minutes = None
    raw = values.get("minutes")
    if raw not in (None, ""):
        try:
            minutes = int(str(raw).strip())
        except ValueError:
            problems.append(Problem("minutes", _("“{value}” is not a whole number of minutes.").format(value=raw)))
        else:
            if minutes <= 0 or minutes > MAX_ITEM_MINUTES:
                problems.append(Problem("minutes", _("The length must be between 1 minute and 24 hours.")))
                minutes = None
    item = PlanItem(
        day, part, kind, approx, minutes, str(values.get("who") or "").strip(), str(values.get("purpose") or "").strip(),
        list(values.get("outcome_ids") or []), list(values.get("worker_ids") or []),
    )
    problems += validate_item(item, skip=set(p.field for p in problems))
    return (None if problems else item), problems


def validate_item(item: PlanItem, skip: set[str] = frozenset()) -> list[Problem]:
    """What is missing or wrong in an item (fields in ``skip`` were already reported)."""
    problems = []
    if item.is_paid:
        if not item.minutes and "minutes" not in skip:
            problems.append(Problem("minutes", _("Enter how long the visit is meant to take, in minutes.")))
        if not item.purpose:
            problems.append(Problem("purpose", _("Write what this visit is trying to achieve.")))
    elif item.kind in ITEM_KINDS and not (item.who or item.purpose):
        problems.append(Problem("who", _("Say who or what helps, or what happens.")))
    return problems


def _client_problems(store: Store, client_id: int, item: PlanItem) -> list[Problem]:
    problems = []
    if item.outcome_ids:
        known = {r[0] for r in store.rows("SELECT id FROM outcomes WHERE client_id = ?", (client_id,))}
        if set(item.outcome_ids) - known:
            problems.append(Problem("outcome_ids", _("One of the chosen outcomes is not this client's.")))
    if item.worker_ids:
        known = {r[0] for r in store.rows("SELECT id FROM workers")}
        if set(item.worker_ids) - known:
            problems.append(Problem("worker_ids", _("One of the chosen workers no longer exists.")))
    if item.worker_ids and not item.is_paid:
        problems.append(Problem("worker_ids", _("Preferred workers are only for paid care visits.")))
    return problems


def _insert_item(store: Store, week_id: int, item: PlanItem) -> int:
    item_id = store.conn.execute(
        "INSERT INTO ideal_week_items (ideal_week_id, day, part_of_day, kind, approx_time, minutes, who, purpose)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (week_id, item.day, item.part_of_day, item.kind, item.approx_time, item.minutes if item.minutes else None,
         item.who, item.purpose),
    ).lastrowid
    _write_links(store, item_id, item)
    return item_id


def _write_links(store: Store, item_id: int, item: PlanItem) -> None:
    store.conn.execute("DELETE FROM ideal_week_item_outcomes WHERE item_id = ?", (item_id,))
    store.conn.execute("DELETE FROM ideal_week_item_workers WHERE item_id = ?", (item_id,))
    store.conn.executemany("INSERT INTO ideal_week_item_outcomes (item_id, outcome_id) VALUES (?, ?)",
                           [(item_id, o) for o in sorted(set(item.outcome_ids))])
    store.conn.executemany("INSERT INTO ideal_week_item_workers (item_id, worker_id) VALUES (?, ?)",
                           [(item_id, w) for w in sorted(set(item.worker_ids))])


def item_values(item: PlanItem) -> dict:
    """An item as plain values for the audit log."""
    return {"day": DAY_NAMES[item.day] if 0 <= item.day <= 6 else item.day, "part_of_day": item.part_of_day,
            "kind": item.kind, "approx_time": item.approx_time, "minutes": item.minutes, "who": item.who,
            "purpose": item.purpose, "outcome_ids": sorted(item.outcome_ids), "worker_ids": sorted(item.worker_ids)}


def describe_item(item: PlanItem) -> str:
    """``Care visit, Monday morning (45 min)`` for the audit log and messages."""
    text = _("{kind}, {day} {part}").format(kind=KIND_LABELS.get(item.kind, item.kind), day=DAY_NAMES[item.day],
                                            part=PART_LABELS[item.part_of_day].lower())
    if item.is_paid and item.minutes:
        text += _(" ({minutes} min)").format(minutes=item.minutes)
    return text


def _item_row(store: Store, item_id: int) -> tuple[PlanItem, IdealWeek]:
    week_id = store.value("SELECT ideal_week_id FROM ideal_week_items WHERE id = ?", (item_id,))
    if week_id is None:
        raise NotFound(_("That item is no longer in the plan."))
    item = next(i for i in list_items(store, week_id) if i.id == item_id)
    return item, get_version(store, week_id)


def _guard_cap(store: Store, week: IdealWeek, items: list[PlanItem], override_reason: str, today: dt.date) -> str:
    """The override reason to keep on the version; raises ``CapExceeded`` when the plan
    would go above the cap with no reason recorded or given."""
    reason = override_reason.strip() or week.override_reason
    versions = list_versions(store, week.client_id)
    check = _check_for(store, week.client_id, items, reference_day(versions, week, today), reason)
    if check.above_cap and not reason:
        raise CapExceeded([Problem("override_reason", check.cap_message() + " " + _(
            "Record a reason for going above the cap, or reduce the visits."))])
    return reason


def add_item(store: Store, ideal_week_id: int, item: PlanItem, override_reason: str = "", today: dt.date | None = None) -> int:
    """Add an item to a version in one transaction with an audit entry; returns its id."""
    today = today or dt.date.today()
    week = get_version(store, ideal_week_id)
    _check_editable(store, week, today)
    problems = validate_item(item) + _client_problems(store, week.client_id, item)
    if problems:
        raise ValidationError(problems)
    reason = _guard_cap(store, week, [*list_items(store, ideal_week_id), item], override_reason, today)
    with store.transaction():
        item_id = _insert_item(store, ideal_week_id, item)
        _write_override(store, week, reason)
        store.audit("create", "ideal_week_item", item_id, _("Ideal week from {day}: added {item}").format(
            day=format_date(week.effective_date), item=describe_item(item)), new=item_values(item), client_id=week.client_id)
    return item_id


def update_item(store: Store, item_id: int, item: PlanItem, override_reason: str = "", today: dt.date | None = None) -> None:
    """Change an item in one transaction with an audit entry (old → new)."""
    today = today or dt.date.today()
    old, week = _item_row(store, item_id)
    _check_editable(store, week, today)
    problems = validate_item(item) + _client_problems(store, week.client_id, item)
    if problems:
        raise ValidationError(problems)
    others = [i for i in list_items(store, week.id) if i.id != item_id]
    reason = _guard_cap(store, week, [*others, item], override_reason, today) if item.paid_minutes > old.paid_minutes else week.override_reason
    with store.transaction():
        store.conn.execute(
            "UPDATE ideal_week_items SET day = ?, part_of_day = ?, kind = ?, approx_time = ?, minutes = ?, who = ?, purpose = ?"
            " WHERE id = ?",
            (item.day, item.part_of_day, item.kind, item.approx_time, item.minutes if item.minutes else None,
             item.who, item.purpose, item_id),
        )
        _write_links(store, item_id, item)
        _write_override(store, week, reason)
        store.audit("update", "ideal_week_item", item_id, _("Ideal week from {day}: changed {item}").format(
            day=format_date(week.effective_date), item=describe_item(item)), old=item_values(old), new=item_values(item),
            client_id=week.client_id)


def delete_item(store: Store, item_id: int, today: dt.date | None = None) -> None:
    """Remove an item from the plan, in one transaction with an audit entry."""
    old, week = _item_row(store, item_id)
    _check_editable(store, week, today or dt.date.today())
    with store.transaction():
        store.conn.execute("DELETE FROM ideal_week_items WHERE id = ?", (item_id,))
        store.audit("delete", "ideal_week_item", item_id, _("Ideal week from {day}: removed {item}").format(
            day=format_date(week.effective_date), item=describe_item(old)), old=item_values(old), client_id=week.client_id)


def move_item(store: Store, item_id: int, day: int, part_of_day: str, today: dt.date | None = None) -> None:
    """Move an item to another day and/or part of day (the hours do not change)."""
    old, week = _item_row(store, item_id)
    _check_editable(store, week, today or dt.date.today())
    if not 0 <= day <= 6 or part_of_day not in PARTS_OF_DAY:
        raise ValidationError(_("Choose a day from Monday to Sunday and a part of the day."))
    if (old.day, old.part_of_day) == (day, part_of_day):
        return
    moved = replace(old, day=day, part_of_day=part_of_day)
    with store.transaction():
        store.conn.execute("UPDATE ideal_week_items SET day = ?, part_of_day = ? WHERE id = ?", (day, part_of_day, item_id))
        store.audit("update", "ideal_week_item", item_id, _("Ideal week from {day}: moved {item} to {to}").format(
            day=format_date(week.effective_date), item=describe_item(old),
            to=_("{day} {part}").format(day=DAY_NAMES[day], part=PART_LABELS[part_of_day].lower())),
            old={"day": DAY_NAMES[old.day], "part_of_day": old.part_of_day},
            new={"day": DAY_NAMES[moved.day], "part_of_day": moved.part_of_day}, client_id=week.client_id)


def copy_item_to_days(store: Store, item_id: int, days, override_reason: str = "", today: dt.date | None = None) -> list[int]:
    """Copy an item to other days (same part of day, time, purpose, outcomes, workers).

    All copies are made in one transaction, or none when the plan would go above the cap
    without an override reason. Returns the new items' ids.
    """
    today = today or dt.date.today()
    old, week = _item_row(store, item_id)
    _check_editable(store, week, today)
    targets = sorted({int(d) for d in days if int(d) != old.day})
    if not targets:
        raise ValidationError(Problem("days", _("Choose at least one other day to copy to.")))
    if any(not 0 <= d <= 6 for d in targets):
        raise ValidationError(Problem("days", _("Choose days from Monday to Sunday.")))
    copies = [replace(old, id=None, day=d) for d in targets]
    reason = _guard_cap(store, week, [*list_items(store, week.id), *copies], override_reason, today)
    ids = []
    with store.transaction():
        for copy in copies:
            ids.append(_insert_item(store, week.id, copy))
        _write_override(store, week, reason)
        store.audit("create", "ideal_week_item", ids[0], _("Ideal week from {day}: copied {item} to {days}").format(
            day=format_date(week.effective_date), item=describe_item(old), days=", ".join(DAY_NAMES[d] for d in targets)),
            new={"copies": [item_values(c) for c in copies], "item_ids": ids}, client_id=week.client_id)
    return ids


# -- the check of SPEC §4 --------------------------------------------------------------------
def _check_for(store: Store, client_id: int, items: list[PlanItem], day: dt.date, override_reason: str = "") -> PlanCheck:
    client = store.row(
        "SELECT c.personal_budget_weekly_pence AS budget, k.hourly_rate_pence AS rate FROM clients c"
        " JOIN contracts k ON k.id = c.contract_id WHERE c.id = ?", (client_id,),
    )
    envelope = envelope_on_day(store, client_id, day)
    return PlanCheck(
        planned_minutes(items),
        envelope.hours if envelope else None,
        client["budget"] if client else None,
        client["rate"] if client else None,
        len(preferred_workers(items)),
        override_reason,
    )


def check_plan(store: Store, ideal_week_id: int, items: list[PlanItem] | None = None, today: dt.date | None = None) -> PlanCheck:
    """Planned paid hours of a version (or of ``items`` proposed for it) against the envelope
    on its reference day and the personal-budget cap (SPEC §4)."""
    today = today or dt.date.today()
    week = get_version(store, ideal_week_id)
    versions = list_versions(store, week.client_id)
    if items is None:
        items = list_items(store, ideal_week_id)
    return _check_for(store, week.client_id, items, reference_day(versions, week, today), week.override_reason)


def planned_minutes_by_weekday(store: Store, ideal_week_id: int) -> list[int]:
    """Minutes of paid visits planned on each day, Monday first."""
    minutes = [0] * 7
    for r in store.rows(
        "SELECT day, SUM(minutes) FROM ideal_week_items WHERE ideal_week_id = ? AND kind = 'paid_visit' GROUP BY day",
        (ideal_week_id,),
    ):
        minutes[r[0]] = r[1] or 0
    return minutes
