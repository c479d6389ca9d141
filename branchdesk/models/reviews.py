"""Outcome reviews: the schedule for the caseload, recording a review, and each client's history.

The schedule follows SPEC §4 (``calendars.next_review_due``): the first review is a visit
42 days after the start; each later one is due six calendar months after the last review
held, by the other method, unless the last review agreed another date.

``branchdesk-cli reviews due --json`` prints a list (most overdue first) of objects::

    {"client_ref": "C001", "client_name": "Mary Jones", "key_worker": "Sam Patel",
     "team": "North", "due_date": "2026-10-31", "method": "visit", "first_review": false,
     "state": "overdue", "days_overdue": 12, "days_until": null,
     "last_review_date": "2026-04-30", "last_review_method": "phone"}

``state`` is ``overdue`` (past its due date with no review held since) or ``due_soon``
(due within the ``--within`` days, 28 by default). ``days_overdue`` is a number only
when overdue and ``days_until`` (0 = due today) only when not; the other is null.
``last_review_date`` is null before the first review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.calendars import (
    DUE_SOON_DAYS,
    REVIEW_INTERVAL_MONTHS,
    HeldReview,
    ReviewDue,
    next_review_due,
)
from branchdesk.models.dates import add_months, format_date, from_iso, iso, parse_date
from branchdesk.models.db import Store
from branchdesk.models.envelope import (
    HOURS_SAVED_REASONS,
    add_envelope_change,
    validate_envelope_change,
)
from branchdesk.models.errors import BranchDeskError, NotFound, Problem, ValidationError
from branchdesk.models.money import format_decimal, format_money, parse_money, to_decimal
from branchdesk.models.outcomes import DOMAIN_NAMES, Outcome, next_outcome_ref, save_outcome
from branchdesk.models.schema import DOMAINS, ENVELOPE_REASONS, OUTCOME_STATUSES, REVIEW_METHODS
from branchdesk.models.spreadsheet_safety import safe_cell

#: Statuses a review may give an outcome, in the order offered; ``active`` is shown as "ongoing".
ASSESSMENT_STATUSES = ("achieved", "partly", "not_achieved", "active", "withdrawn")
#: Outcomes whose status is final are no longer assessed at reviews.
CLOSED_STATUSES = ("achieved", "withdrawn")
CHANGE_REASONS = tuple(r for r in ENVELOPE_REASONS if r != "initial")
SEQUENCE_STEPS = ("self_care", "technology", "community", "team")

METHOD_LABELS = {"visit": _("Visit"), "phone": _("Phone call")}
STATE_LABELS = {"overdue": _("Overdue"), "due_soon": _("Due soon"), "later": _("Later")}
STATUS_LABELS = {
    "active": _("Ongoing"),
    "achieved": _("Achieved"),
    "partly": _("Partly achieved"),
    "not_achieved": _("Not achieved"),
    "withdrawn": _("Withdrawn"),
}
SEQUENCE_LABELS = {
    "self_care": _("Self-care"),
    "technology": _("Technology"),
    "community": _("Community"),
    "team": _("Team"),
}
DOMAIN_LABELS = DOMAIN_NAMES


# -- the schedule --------------------------------------------------------------------------
@dataclass(frozen=True)
class DueReview:
    """The next review one client needs, as seen on ``on``."""

    client_id: int
    client_ref: str
    client_name: str
    key_worker: str
    team: str
    due: dt.date
    method: str
    first: bool
    last_review_date: dt.date | None
    last_review_method: str | None
    state: str
    #: days from ``on`` to the due date: negative when overdue
    days: int

    @property
    def days_overdue(self) -> int | None:
        return -self.days if self.state == "overdue" else None

    @property
    def days_until(self) -> int | None:
        return None if self.state == "overdue" else self.days


def _today(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


def _held_by_client(store: Store, on: dt.date, client_id: int | None = None) -> dict[int, list[HeldReview]]:
    sql = "SELECT client_id, review_date, method, next_review_date FROM reviews WHERE review_date <= ?"
    params: list = [iso(on)]
    if client_id is not None:
        sql += " AND client_id = ?"
        params.append(client_id)
    held: dict[int, list[HeldReview]] = {}
    for row in store.rows(sql + " ORDER BY review_date", params):
        held.setdefault(row["client_id"], []).append(
            HeldReview(from_iso(row["review_date"]), row["method"], from_iso(row["next_review_date"]))
        )
    return held


def _due_review(row, held: list[HeldReview], on: dt.date, within: int) -> DueReview:
    due: ReviewDue = next_review_due(from_iso(row["start_date"]), held)
    last = held[-1] if held else None
    return DueReview(
        client_id=row["id"],
        client_ref=row["ref"],
        client_name=row["name"],
        key_worker=row["key_worker"],
        team=row["team"],
        due=due.due,
        method=due.method,
        first=due.first,
        last_review_date=last.date if last else None,
        last_review_method=last.method if last else None,
        state=due.state(on, within),
        days=due.days_until(on),
    )


def schedule(store: Store, on: dt.date | None = None, within: int = DUE_SOON_DAYS) -> list[DueReview]:
    """The next review of every client in service on ``on`` (default today), soonest first.

    Clients whose service ended before ``on`` need no review; reviews dated after ``on``
    are not yet held.
    """
    on = _today(on)
    held = _held_by_client(store, on)
    clients = store.rows(
        "SELECT id, ref, name, key_worker, team, start_date FROM clients"
        " WHERE end_date IS NULL OR end_date >= ? ORDER BY ref",
        (iso(on),),
    )
    items = [_due_review(row, held.get(row["id"], []), on, within) for row in clients]
    return sorted(items, key=lambda item: (item.due, item.client_ref))


def client_schedule(store: Store, client_id: int, on: dt.date | None = None) -> DueReview:
    """The next review of one client, whether or not still in service."""
    on = _today(on)
    row = store.row("SELECT id, ref, name, key_worker, team, start_date FROM clients WHERE id = ?", (client_id,))
    if row is None:
        raise NotFound(_("That client is no longer in this branch file."))
    return _due_review(row, _held_by_client(store, on, client_id).get(client_id, []), on, DUE_SOON_DAYS)


def reviews_due(store: Store, on: dt.date | None = None, within: int | None = None) -> list[DueReview]:
    """Reviews overdue on ``on`` and those due within ``within`` days (28 by default)."""
    items = schedule(store, on, DUE_SOON_DAYS if within is None else within)
    return [item for item in items if item.state in ("overdue", "due_soon")]


def overdue_count(store: Store, on: dt.date | None = None) -> int:
    """How many clients in service are past their review's due date."""
    return sum(1 for item in schedule(store, on) if item.state == "overdue")


def due_as_json(item: DueReview) -> dict:
    """One due review as the plain JSON object documented at the top of this module."""
    return {
        "client_ref": item.client_ref,
        "client_name": item.client_name,
        "key_worker": item.key_worker,
        "team": item.team,
        "due_date": item.due.isoformat(),
        "method": item.method,
        "first_review": item.first,
        "state": item.state,
        "days_overdue": item.days_overdue,
        "days_until": item.days_until,
        "last_review_date": iso(item.last_review_date),
        "last_review_method": item.last_review_method,
    }


def when_text(item: DueReview) -> str:
    """``12 days overdue``, ``due today``, ``in 5 days``."""
    if item.state == "overdue":
        days = item.days_overdue
        return _("1 day overdue") if days == 1 else _("{n} days overdue").format(n=days)
    if item.days == 0:
        return _("due today")
    return _("in 1 day") if item.days == 1 else _("in {n} days").format(n=item.days)


def due_as_text(items: list[DueReview], on: dt.date | None = None, within: int | None = None) -> list[str]:
    """Aligned plain lines, one per review, for the terminal."""
    if not items:
        return [
            _("No reviews overdue or due within {n} days of {day}.").format(
                n=DUE_SOON_DAYS if within is None else within, day=format_date(_today(on))
            )
        ]
    table = [
        (
            STATE_LABELS[item.state],
            format_date(item.due),
            item.method + (" " + _("(first)") if item.first else ""),
            item.client_ref,
            item.client_name,
            item.key_worker or "-",
            when_text(item),
            _("last review {day}").format(day=format_date(item.last_review_date)) if item.last_review_date else _("no review yet"),
        )
        for item in items
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    return ["  ".join([cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]) for row in table]


# -- recording a review --------------------------------------------------------------------
@dataclass
class OutcomeAssessment:
    """What a review found for one outcome: a status and the evidence for it."""

    outcome_id: int
    status: str
    notes: str = ""


@dataclass
class NewOutcome:
    """An outcome agreed at the review, in the person's own words."""

    description: str
    domain: str = ""
    target_date: str | dt.date | None = None
    fee: str = ""


@dataclass
class ReviewInput:
    """A review as typed in the form (text is validated by ``validate_review``)."""

    review_date: str | dt.date | None
    method: str
    participants: str = ""
    assessments: list[OutcomeAssessment] = field(default_factory=list)
    new_outcomes: list[NewOutcome] = field(default_factory=list)
    satisfaction: int | str | None = None
    satisfaction_words: str = ""
    #: step of the support sequence → considered (True/False) or None when not answered
    sequence: dict[str, bool | None] = field(default_factory=dict)
    sequence_notes: str = ""
    #: ``unchanged`` or ``changed`` (then ``envelope_hours`` and ``envelope_reason``)
    envelope_decision: str = "unchanged"
    envelope_hours: str = ""
    envelope_reason: str = ""
    envelope_band: str | None = None
    envelope_note: str = ""
    next_review_date: str | dt.date | None = None
    notes: str = ""


@dataclass
class EnvelopeNow:
    hours: Decimal
    band: str
    effective: dt.date
    reason: str


def current_envelope(store: Store, client_id: int, on: dt.date) -> EnvelopeNow | None:
    """The client's envelope on a day (the latest effective on or before it)."""
    row = store.row(
        "SELECT effective_date, hours_per_week, band, reason FROM envelopes"
        " WHERE client_id = ? AND effective_date <= ? ORDER BY effective_date DESC LIMIT 1",
        (client_id, iso(on)),
    )
    if row is None:
        return None
    return EnvelopeNow(to_decimal(row["hours_per_week"]), row["band"], from_iso(row["effective_date"]), row["reason"])


def outcome_statuses(store: Store, client_id: int, before: dt.date | None = None) -> dict[int, str]:
    """Each outcome's status: that of the latest review that assessed it, ``active`` before any,
    ``withdrawn`` once withdrawn from the client's record.

    With ``before``, only reviews and withdrawals dated before that day count.
    """
    outcomes = store.rows("SELECT id, withdrawn_date FROM outcomes WHERE client_id = ?", (client_id,))
    statuses = {row["id"]: "active" for row in outcomes}
    sql = (
        "SELECT ro.outcome_id, ro.status FROM review_outcomes ro JOIN reviews r ON r.id = ro.review_id"
        " WHERE r.client_id = ?"
    )
    params: list = [client_id]
    if before is not None:
        sql += " AND r.review_date < ?"
        params.append(iso(before))
    for row in store.rows(sql + " ORDER BY r.review_date", params):
        statuses[row["outcome_id"]] = row["status"]
    for row in outcomes:
        if row["withdrawn_date"] and (before is None or row["withdrawn_date"] < iso(before)):
            statuses[row["id"]] = "withdrawn"
    return statuses


def open_outcomes(store: Store, client_id: int, on: dt.date | None = None) -> list:
    """The outcomes a review on ``on`` assesses: agreed by then, neither achieved nor withdrawn."""
    on = _today(on)
    statuses = outcome_statuses(store, client_id, before=on)
    rows = store.rows(
        "SELECT id, ref, description, domain, agreed_date, target_date, fee_pence FROM outcomes"
        " WHERE client_id = ? AND agreed_date <= ? ORDER BY agreed_date, ref",
        (client_id, iso(on)),
    )
    return [row for row in rows if statuses.get(row["id"], "active") not in CLOSED_STATUSES]


def proposed_next_review(review_date: dt.date) -> dt.date:
    """Six calendar months after the review (31 August → 28/29 February)."""
    return add_months(review_date, REVIEW_INTERVAL_MONTHS)


def _date_problem(problems: list[Problem], field_name: str, value, required: bool, label: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(field_name, _("Enter the {label}.").format(label=label)))
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        problems.append(Problem(field_name, _("The {label}: {error}.").format(label=label, error=error)))
        return None


def validate_review(store: Store, client_id: int, review: ReviewInput, today: dt.date | None = None) -> list[Problem]:
    """Every problem with a review at once (an empty list when it can be saved)."""
    today = _today(today)
    client = store.row("SELECT id, start_date, end_date FROM clients WHERE id = ?", (client_id,))
    if client is None:
        raise NotFound(_("That client is no longer in this branch file."))
    problems: list[Problem] = []
    day = _date_problem(problems, "review_date", review.review_date, True, _("review date"))
    if day is not None:
        start, end = from_iso(client["start_date"]), from_iso(client["end_date"])
        if day > today:
            problems.append(Problem("review_date", _("The review date {day} is in the future. Record a review once it has been held.").format(day=format_date(day))))
        if day < start:
            problems.append(Problem("review_date", _("The review date is before the service started ({day}).").format(day=format_date(start))))
        if end is not None and day > end:
            problems.append(Problem("review_date", _("The review date is after the service ended ({day}).").format(day=format_date(end))))
        if store.value("SELECT 1 FROM reviews WHERE client_id = ? AND review_date = ?", (client_id, iso(day))):
            problems.append(Problem("review_date", _("A review on {day} is already recorded for this client. Choose another date.").format(day=format_date(day))))
    if not review.method:
        problems.append(Problem("method", _("Choose how the review was held: a visit or a phone call.")))
    elif review.method not in REVIEW_METHODS:
        problems.append(Problem("method", _("The method must be a visit or a phone call.")))

    owned = {row["id"]: row for row in store.rows("SELECT id, ref FROM outcomes WHERE client_id = ?", (client_id,))}
    seen: set[int] = set()
    for assessment in review.assessments:
        name = f"outcome_{assessment.outcome_id}"
        if assessment.outcome_id not in owned:
            problems.append(Problem(name, _("An outcome assessed is not one of this client's outcomes.")))
            continue
        if assessment.outcome_id in seen:
            problems.append(Problem(name, _("Outcome {ref} is assessed twice.").format(ref=owned[assessment.outcome_id]["ref"])))
        seen.add(assessment.outcome_id)
        if assessment.status not in OUTCOME_STATUSES:
            problems.append(Problem(name, _("Choose a status for outcome {ref}.").format(ref=owned[assessment.outcome_id]["ref"])))
        elif assessment.status in ("achieved", "partly") and not assessment.notes.strip():
            problems.append(Problem(name, _("Say what shows outcome {ref} was achieved: the evidence is what the council pays on.").format(
                ref=owned[assessment.outcome_id]["ref"])))

    for index, new in enumerate(review.new_outcomes):
        prefix = f"new_outcome_{index}"
        if not new.description.strip():
            problems.append(Problem(prefix, _("New outcome {n}: write what the person wants to achieve, in their words.").format(n=index + 1)))
        if new.domain and new.domain not in DOMAINS:
            problems.append(Problem(prefix, _("New outcome {n}: choose a domain from the list.").format(n=index + 1)))
        target = _date_problem(problems, prefix, new.target_date, False, _("target date of new outcome {n}").format(n=index + 1))
        if target is not None and day is not None and target <= day:
            problems.append(Problem(prefix, _("New outcome {n}: the target date must be after the review date.").format(n=index + 1)))
        if str(new.fee or "").strip():
            try:
                if parse_money(new.fee) < 0:
                    problems.append(Problem(prefix, _("New outcome {n}: the fee cannot be negative.").format(n=index + 1)))
            except ValueError as error:
                problems.append(Problem(prefix, _("New outcome {n}: the fee {error}.").format(n=index + 1, error=error)))

    satisfaction = review.satisfaction
    if satisfaction not in (None, ""):
        try:
            score = int(str(satisfaction).strip())
        except ValueError:
            score = None
        if score is None or not 1 <= score <= 5:
            problems.append(Problem("satisfaction", _("Satisfaction is a score from 1 (very unhappy) to 5 (very happy).")))

    for step in review.sequence:
        if step not in SEQUENCE_STEPS:
            problems.append(Problem("sequence", _("“{step}” is not a step of the support sequence.").format(step=step)))

    if review.envelope_decision not in ("unchanged", "changed"):
        problems.append(Problem("envelope_hours", _("Choose whether the envelope stays the same or changes.")))
    elif review.envelope_decision == "changed":
        _validate_envelope(store, client_id, review, day, problems)

    if day is not None:
        next_day = _date_problem(problems, "next_review_date", review.next_review_date, False, _("next review date"))
        if next_day is not None and next_day <= day:
            problems.append(Problem("next_review_date", _("The next review must be after this review ({day}).").format(day=format_date(day))))
    return problems


ENVELOPE_FIELDS = {"hours": "envelope_hours", "reason": "envelope_reason", "effective_date": "envelope_hours"}


def _validate_envelope(store: Store, client_id: int, review: ReviewInput, day: dt.date | None, problems: list[Problem]) -> None:
    reason = review.envelope_reason
    if reason == "initial":
        problems.append(Problem("envelope_reason", _("Choose why the envelope changes; “initial” is only for the first envelope.")))
    _day, hours, found = validate_envelope_change(store, client_id, day or dt.date.min, review.envelope_hours, reason)
    problems += [Problem(ENVELOPE_FIELDS.get(p.field, "envelope_hours"), p.message) for p in found if day is not None or p.field != "effective_date"]
    now = current_envelope(store, client_id, day - dt.timedelta(days=1)) if day is not None else None
    if hours is not None and now is not None and hours == now.hours:
        problems.append(Problem("envelope_hours", _("{hours} hours is the current envelope: choose “Unchanged”.").format(hours=format_decimal(hours))))


def is_hours_saved(reason: str, old_hours: Decimal | None, new_hours: Decimal) -> bool:
    """A decrease for independence or a community link: hours saved, paid to the branch in part."""
    return reason in HOURS_SAVED_REASONS and old_hours is not None and new_hours < old_hours


def record_review(store: Store, client_id: int, review: ReviewInput, today: dt.date | None = None) -> int:
    """Save a review and everything decided at it, in one transaction; returns the review's id.

    Raises ``ValidationError`` with every problem, writing nothing, when the review cannot be saved.
    """
    problems = validate_review(store, client_id, review, today)
    if problems:
        raise ValidationError(problems)
    day = parse_date(review.review_date)
    next_day = parse_date(review.next_review_date) if review.next_review_date else proposed_next_review(day)
    satisfaction = int(str(review.satisfaction).strip()) if review.satisfaction not in (None, "") else None
    sequence = {step: review.sequence.get(step) for step in SEQUENCE_STEPS}
    values = {
        "client_id": client_id,
        "review_date": iso(day),
        "method": review.method,
        "participants": review.participants.strip(),
        "satisfaction": satisfaction,
        "satisfaction_words": review.satisfaction_words.strip(),
        **{f"seq_{step}": (None if considered is None else int(bool(considered))) for step, considered in sequence.items()},
        "sequence_notes": review.sequence_notes.strip(),
        "envelope_decision": review.envelope_decision,
        "next_review_date": iso(next_day),
        "notes": review.notes.strip(),
    }
    refs = {row["id"]: row["ref"] for row in store.rows("SELECT id, ref FROM outcomes WHERE client_id = ?", (client_id,))}
    with store.transaction():
        columns = ", ".join(values)
        review_id = store.conn.execute(
            f"INSERT INTO reviews ({columns}) VALUES ({', '.join(':' + c for c in values)})", values
        ).lastrowid
        assessed = {}
        for assessment in review.assessments:
            store.conn.execute(
                "INSERT INTO review_outcomes (review_id, outcome_id, status, notes) VALUES (?, ?, ?, ?)",
                (review_id, assessment.outcome_id, assessment.status, assessment.notes.strip()),
            )
            assessed[refs[assessment.outcome_id]] = assessment.status
            if assessment.status == "withdrawn":
                store.conn.execute(
                    "UPDATE outcomes SET withdrawn_date = ? WHERE id = ? AND withdrawn_date IS NULL",
                    (iso(day), assessment.outcome_id),
                )
        store.audit(
            "create", "review", review_id,
            _("Review on {day} by {method}").format(day=format_date(day), method=METHOD_LABELS[review.method].lower()),
            new={**values, "outcomes": assessed}, client_id=client_id,
        )
        taken: set[str] = set()
        for new in review.new_outcomes:
            ref = next_outcome_ref(store, client_id, taken)
            taken.add(ref)
            save_outcome(store, client_id, Outcome(
                ref=ref,
                description=new.description.strip(),
                agreed_date=day,
                domain=new.domain or None,
                target_date=parse_date(new.target_date) if new.target_date else None,
                fee_pence=parse_money(new.fee) if str(new.fee or "").strip() else 0,
            ))
        if review.envelope_decision == "changed":
            now = current_envelope(store, client_id, day)
            band = now.band if (review.envelope_band is None and now) else (review.envelope_band or "")
            add_envelope_change(store, client_id, day, review.envelope_hours, review.envelope_reason, band=band,
                                note=review.envelope_note, review_id=review_id)
    return review_id


# -- history -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assessed:
    outcome_id: int
    ref: str
    description: str
    domain: str | None
    status: str
    notes: str
    fee_pence: int = 0
    target_date: dt.date | None = None


@dataclass(frozen=True)
class EnvelopeChange:
    old_hours: Decimal | None
    new_hours: Decimal
    reason: str
    band: str
    note: str

    @property
    def hours_saved(self) -> bool:
        return is_hours_saved(self.reason, self.old_hours, self.new_hours)


@dataclass(frozen=True)
class ReviewRecord:
    """A review as held: everything the history and the printed record show."""

    id: int
    client_id: int
    review_date: dt.date
    method: str
    participants: str
    satisfaction: int | None
    satisfaction_words: str
    sequence: dict
    sequence_notes: str
    envelope_decision: str
    envelope_change: EnvelopeChange | None
    envelope_before: Decimal | None
    next_review_date: dt.date | None
    notes: str
    assessed: tuple[Assessed, ...]
    new_outcomes: tuple[Assessed, ...]

    def count(self, status: str) -> int:
        return sum(1 for a in self.assessed if a.status == status)

    def outcomes_summary(self) -> str:
        """``2 achieved, 1 ongoing`` for lists."""
        parts = []
        for status in ASSESSMENT_STATUSES:
            n = self.count(status)
            if n:
                parts.append(f"{n} {STATUS_LABELS[status].lower()}")
        return ", ".join(parts) or _("none assessed")


def _record(store: Store, row) -> ReviewRecord:
    day = from_iso(row["review_date"])
    assessed = tuple(
        Assessed(a["outcome_id"], a["ref"], a["description"], a["domain"], a["status"], a["notes"], a["fee_pence"])
        for a in store.rows(
            "SELECT ro.outcome_id, o.ref, o.description, o.domain, ro.status, ro.notes, o.fee_pence"
            " FROM review_outcomes ro JOIN outcomes o ON o.id = ro.outcome_id WHERE ro.review_id = ?"
            " ORDER BY o.agreed_date, o.ref",
            (row["id"],),
        )
    )
    assessed_ids = {a.outcome_id for a in assessed}
    new_outcomes = tuple(
        Assessed(o["id"], o["ref"], o["description"], o["domain"], "active", "", o["fee_pence"], from_iso(o["target_date"]))
        for o in store.rows(
            "SELECT id, ref, description, domain, fee_pence, target_date FROM outcomes WHERE client_id = ? AND agreed_date = ? ORDER BY ref",
            (row["client_id"], row["review_date"]),
        )
        if o["id"] not in assessed_ids
    )
    before = current_envelope(store, row["client_id"], day - dt.timedelta(days=1))
    change = None
    env = store.row("SELECT hours_per_week, reason, band, note FROM envelopes WHERE review_id = ?", (row["id"],))
    if env is not None:
        change = EnvelopeChange(before.hours if before else None, to_decimal(env["hours_per_week"]), env["reason"], env["band"], env["note"])
    return ReviewRecord(
        id=row["id"],
        client_id=row["client_id"],
        review_date=day,
        method=row["method"],
        participants=row["participants"],
        satisfaction=row["satisfaction"],
        satisfaction_words=row["satisfaction_words"],
        sequence={step: (None if row[f"seq_{step}"] is None else bool(row[f"seq_{step}"])) for step in SEQUENCE_STEPS},
        sequence_notes=row["sequence_notes"],
        envelope_decision=row["envelope_decision"],
        envelope_change=change,
        envelope_before=before.hours if before else None,
        next_review_date=from_iso(row["next_review_date"]),
        notes=row["notes"],
        assessed=assessed,
        new_outcomes=new_outcomes,
    )


def get_review(store: Store, review_id: int) -> ReviewRecord:
    row = store.row("SELECT * FROM reviews WHERE id = ?", (review_id,))
    if row is None:
        raise NotFound(_("That review is no longer in this branch file."))
    return _record(store, row)


def review_history(store: Store, client_id: int) -> list[ReviewRecord]:
    """Every review of a client, newest first."""
    return [_record(store, row) for row in store.rows(
        "SELECT * FROM reviews WHERE client_id = ? ORDER BY review_date DESC", (client_id,))]


@dataclass(frozen=True)
class StatusEntry:
    review_id: int
    review_date: dt.date
    method: str
    status: str
    notes: str


@dataclass(frozen=True)
class OutcomeHistory:
    """One outcome and its status at each review that assessed it."""

    outcome_id: int
    ref: str
    description: str
    domain: str | None
    agreed_date: dt.date
    target_date: dt.date | None
    fee_pence: int
    entries: tuple[StatusEntry, ...]

    @property
    def status(self) -> str:
        """The status from the latest review that assessed it, ``active`` before any."""
        return self.entries[-1].status if self.entries else "active"

    def fee_text(self) -> str:
        return format_money(self.fee_pence) if self.fee_pence else ""


def outcome_status_history(store: Store, client_id: int) -> list[OutcomeHistory]:
    """Every outcome of a client with its status over time (oldest review first)."""
    entries: dict[int, list[StatusEntry]] = {}
    for row in store.rows(
        "SELECT ro.outcome_id, r.id, r.review_date, r.method, ro.status, ro.notes FROM review_outcomes ro"
        " JOIN reviews r ON r.id = ro.review_id WHERE r.client_id = ? ORDER BY r.review_date",
        (client_id,),
    ):
        entries.setdefault(row["outcome_id"], []).append(
            StatusEntry(row["id"], from_iso(row["review_date"]), row["method"], row["status"], row["notes"])
        )
    return [
        OutcomeHistory(o["id"], o["ref"], o["description"], o["domain"], from_iso(o["agreed_date"]), from_iso(o["target_date"]),
                       o["fee_pence"], tuple(entries.get(o["id"], ())))
        for o in store.rows(
            "SELECT id, ref, description, domain, agreed_date, target_date, fee_pence FROM outcomes"
            " WHERE client_id = ? ORDER BY agreed_date, ref",
            (client_id,),
        )
    ]


# -- the list, exported --------------------------------------------------------------------
DUE_LIST_HEADERS = (
    _("Client ref"), _("Client"), _("Key worker"), _("Team"), _("Due date"), _("Method"), _("First review"),
    _("State"), _("When"), _("Last review"), _("Last method"),
)


def due_list_rows(items: list[DueReview]) -> list[tuple]:
    """The review list as plain rows (dates as dates) in the order of ``DUE_LIST_HEADERS``."""
    return [
        (item.client_ref, item.client_name, item.key_worker, item.team, item.due, METHOD_LABELS[item.method],
         _("Yes") if item.first else _("No"), STATE_LABELS[item.state], when_text(item), item.last_review_date,
         METHOD_LABELS.get(item.last_review_method or "", ""))
        for item in items
    ]


def write_due_list_xlsx(items: list[DueReview], path: Path | str, on: dt.date | None = None) -> Path:
    """The review list as a workbook, one row per client, cells neutralised against formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Reviews")
    sheet.append([safe_cell(_("Reviews as on {day}").format(day=format_date(_today(on))))])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(list(DUE_LIST_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in due_list_rows(items):
        sheet.append([safe_cell(value) for value in row])
    for column in ("E", "J"):
        for cell in sheet[column][2:]:
            cell.number_format = "DD/MM/YYYY"
    widths = (11, 26, 20, 14, 12, 11, 8, 10, 18, 12, 11)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    try:
        workbook.save(path)
    except OSError as error:
        raise BranchDeskError(_("The list could not be saved to “{path}” ({why}).").format(path=path, why=error.strerror or error)) from None
    return path
