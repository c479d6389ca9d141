"""A client's hours envelope: effective-dated weekly indicative hours, each change with a reason.

The envelope on a day is the row with the latest effective date on or before it
(``calendars.envelope_on``). A decrease for ``independence`` or ``community_link`` is
"hours saved", which some contracts reward.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.calendars import EnvelopeRow, envelope_on
from branchdesk.models.dates import format_date, from_iso, iso, parse_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import format_decimal, to_decimal
from branchdesk.models.schema import ENVELOPE_REASONS

#: Envelope decreases for these reasons are hours saved.
HOURS_SAVED_REASONS = ("independence", "community_link")
#: Reasons that only make sense for a decrease, and for an increase.
DECREASE_REASONS = ("independence", "community_link", "needs_decreased")
INCREASE_REASONS = ("needs_increased",)
HOURS_IN_A_WEEK = Decimal(168)

REASON_LABELS = {
    "initial": _("Initial envelope"),
    "independence": _("More independent"),
    "community_link": _("Community link"),
    "needs_increased": _("Needs increased"),
    "needs_decreased": _("Needs decreased"),
    "other": _("Other"),
}


@dataclass(frozen=True)
class EnvelopeChange:
    """One row of the envelope history, with the hours it replaced."""

    id: int
    client_id: int
    effective_date: dt.date
    hours: Decimal
    band: str
    reason: str
    note: str
    review_id: int | None
    previous_hours: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """New hours minus the hours before (None for the first envelope)."""
        return None if self.previous_hours is None else self.hours - self.previous_hours

    @property
    def hours_saved(self) -> Decimal | None:
        """Hours a week saved by this change: a decrease for independence or a community link."""
        if self.reason in HOURS_SAVED_REASONS and self.previous_hours is not None and self.hours < self.previous_hours:
            return self.previous_hours - self.hours
        return None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


def contract_bands(store: Store, client_id: int) -> list[str]:
    """The bands of the client's contract when it pays a weekly rate by band (``lower=75;higher=150``)."""
    row = store.row(
        "SELECT c.core_basis, c.band_rates FROM contracts c JOIN clients k ON k.contract_id = c.id WHERE k.id = ?", (client_id,)
    )
    if row is None or row["core_basis"] != "band":
        return []
    return [part.split("=", 1)[0].strip() for part in (row["band_rates"] or "").split(";") if part.strip()]


def envelope_rows(store: Store, client_id: int) -> list[EnvelopeRow]:
    """The client's envelopes as calendar rows, oldest first."""
    return [
        EnvelopeRow(from_iso(r["effective_date"]), to_decimal(r["hours_per_week"]), r["band"], r["reason"])
        for r in store.rows(
            "SELECT effective_date, hours_per_week, band, reason FROM envelopes WHERE client_id = ? ORDER BY effective_date",
            (client_id,),
        )
    ]


def envelope_on_day(store: Store, client_id: int, day: dt.date) -> EnvelopeRow | None:
    """The envelope in force on ``day`` (None before the first one)."""
    return envelope_on(envelope_rows(store, client_id), day)


def envelope_history(store: Store, client_id: int) -> list[EnvelopeChange]:
    """Every envelope change of a client, oldest first, each with the hours it replaced."""
    history: list[EnvelopeChange] = []
    previous: Decimal | None = None
    for r in store.rows("SELECT * FROM envelopes WHERE client_id = ? ORDER BY effective_date", (client_id,)):
        hours = to_decimal(r["hours_per_week"])
        history.append(EnvelopeChange(
            r["id"], r["client_id"], from_iso(r["effective_date"]), hours, r["band"], r["reason"], r["note"],
            r["review_id"], previous,
        ))
        previous = hours
    return history


def parse_hours(value, field: str = "hours") -> tuple[Decimal | None, list[Problem]]:
    """Weekly hours from what a user typed: a number from 0 to 168 with at most two decimals."""
    try:
        hours = to_decimal(value)
    except ValueError:
        text = "" if value is None else str(value).strip()
        if not text:
            return None, [Problem(field, _("Enter the hours a week, such as 10.5."))]
        return None, [Problem(field, _("“{value}” is not a number of hours; enter a number such as 10.5.").format(value=text))]
    if hours < 0:
        return None, [Problem(field, _("The hours cannot be negative."))]
    if hours > HOURS_IN_A_WEEK:
        return None, [Problem(field, _("{hours} hours is more than there are in a week (168).").format(hours=format_decimal(hours)))]
    if hours != hours.quantize(Decimal("0.01")):
        return None, [Problem(field, _("Give the hours to at most two decimal places, such as 10.25."))]
    return hours, []


def validate_envelope_change(store: Store, client_id: int, effective_date, hours, reason: str) -> tuple[dt.date | None, Decimal | None, list[Problem]]:
    """Check a new envelope change; returns the parsed date and hours with every problem found."""
    problems: list[Problem] = []
    day = None
    try:
        day = parse_date(effective_date)
    except (ValueError, TypeError) as error:
        problems.append(Problem("effective_date", _("The date it applies from: {error}.").format(error=error)))
    parsed, hour_problems = parse_hours(hours)
    problems += hour_problems
    if reason not in ENVELOPE_REASONS:
        problems.append(Problem("reason", _("Choose the reason for the change from the list.")))
    if day is not None:
        if store.value("SELECT 1 FROM envelopes WHERE client_id = ? AND effective_date = ?", (client_id, iso(day))):
            problems.append(Problem("effective_date", _(
                "An envelope from {day} is already recorded. Choose another date."
            ).format(day=format_date(day))))
        before = envelope_on(envelope_rows(store, client_id), day - dt.timedelta(days=1))
        if parsed is not None and before is not None and reason in ENVELOPE_REASONS:
            label = REASON_LABELS[reason]
            if reason in DECREASE_REASONS and parsed >= before.hours:
                problems.append(Problem("reason", _(
                    "“{reason}” is a reason to reduce the hours, but {new} is not less than the {old} hours before it."
                ).format(reason=label, new=format_decimal(parsed), old=format_decimal(before.hours))))
            if reason in INCREASE_REASONS and parsed <= before.hours:
                problems.append(Problem("reason", _(
                    "“{reason}” is a reason to add hours, but {new} is not more than the {old} hours before it."
                ).format(reason=label, new=format_decimal(parsed), old=format_decimal(before.hours))))
    return day, parsed, problems


def add_envelope_change(
    store: Store,
    client_id: int,
    effective_date,
    hours,
    reason: str,
    band: str = "",
    note: str = "",
    review_id: int | None = None,
) -> int:
    """Record a new envelope from ``effective_date``, in one transaction with an audit entry.

    Raises ``ValidationError`` with every problem (nothing written) for a date already
    taken, negative or impossible hours, or an unknown reason. Returns the new row's id.
    """
    if store.value("SELECT 1 FROM clients WHERE id = ?", (client_id,)) is None:
        raise NotFound(_("That client no longer exists."))
    day, parsed, problems = validate_envelope_change(store, client_id, effective_date, hours, reason)
    if problems:
        raise ValidationError(problems)
    assert day is not None and parsed is not None
    values = {
        "client_id": client_id,
        "effective_date": iso(day),
        "hours_per_week": format_decimal(parsed),
        "band": (band or "").strip(),
        "reason": reason,
        "note": (note or "").strip(),
        "review_id": review_id,
    }
    before = envelope_on(envelope_rows(store, client_id), day - dt.timedelta(days=1))
    summary = _("Envelope {hours} h/week from {day} ({reason})").format(
        hours=format_decimal(parsed), day=format_date(day), reason=REASON_LABELS[reason])
    if reason in HOURS_SAVED_REASONS and before is not None and parsed < before.hours:
        summary += _("; {saved} hours a week saved").format(saved=format_decimal(before.hours - parsed))
    with store.transaction():
        envelope_id = store.conn.execute(
            "INSERT INTO envelopes (client_id, effective_date, hours_per_week, band, reason, note, review_id)"
            " VALUES (:client_id, :effective_date, :hours_per_week, :band, :reason, :note, :review_id)",
            values,
        ).lastrowid
        store.audit("create", "envelope", envelope_id, summary, new=values, client_id=client_id)
    return envelope_id
