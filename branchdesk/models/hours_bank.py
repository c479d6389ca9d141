"""The hours bank (SPEC §3, §4): unused hours of a past week stored for a purpose, drawn down later.

Stored hours expire the contract's ``bank_expiry_weeks`` weeks after the end of the week
they come from (a store of the week of Monday 2 November with 13 weeks' expiry can be
drawn until Sunday 7 February; from Monday 8 February it is expired). Draw-downs take
hours from the oldest unexpired stores first and never take the balance below zero.
Expired hours leave the balance and are shown as expired. An expiry of 0 weeks means the
contract has no hours bank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.dates import format_date, from_iso, iso, iso_week_start, parse_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import format_decimal, to_decimal
from branchdesk.models.utilisation import WeekUse, utilisation, week_use

ZERO = Decimal(0)


@dataclass
class BankEntry:
    """One row of the bank: a store (hours of a past week) or a draw-down."""

    id: int
    kind: str
    entry_date: dt.date
    hours: Decimal
    purpose: str
    week_start: dt.date | None = None
    expires_on: dt.date | None = None
    #: for a store: hours not yet drawn nor expired, and hours that expired unused
    remaining: Decimal = ZERO
    expired: Decimal = ZERO
    #: for a draw: (store id, hours) taken from each store, oldest first
    taken_from: list[tuple[int, Decimal]] = field(default_factory=list)

    def is_expired(self, on: dt.date) -> bool:
        return self.kind == "store" and self.expires_on is not None and self.expires_on <= on


@dataclass
class BankState:
    """The bank on a day: every entry (oldest first), the balance and the hours expired."""

    on: dt.date
    entries: list[BankEntry]
    balance: Decimal
    expired: Decimal
    #: draw-downs that found fewer hours than they asked for (only in a damaged file)
    short: list[int] = field(default_factory=list)

    @property
    def stored(self) -> Decimal:
        return sum((e.hours for e in self.entries if e.kind == "store"), ZERO)

    @property
    def drawn(self) -> Decimal:
        return sum((e.hours for e in self.entries if e.kind == "draw"), ZERO)


def bank_expiry_weeks(store: Store, client_id: int) -> int:
    """The hours-bank expiry of the client's contract, in weeks (0: no hours bank)."""
    weeks = store.value(
        "SELECT k.bank_expiry_weeks FROM clients c JOIN contracts k ON k.id = c.contract_id WHERE c.id = ?", (client_id,))
    if weeks is None:
        raise NotFound(_("That client no longer exists."))
    return int(weeks)


def expiry_for(week_start: dt.date, weeks: int) -> dt.date:
    """The first day on which hours stored from the week of ``week_start`` can no longer be used."""
    return week_start + dt.timedelta(weeks=weeks + 1)


def bank_entries(store: Store, client_id: int) -> list[BankEntry]:
    """The client's bank rows in the order they happened."""
    return [
        BankEntry(r["id"], r["kind"], from_iso(r["entry_date"]), to_decimal(r["hours"]), r["purpose"],
                  from_iso(r["week_start"]), from_iso(r["expires_on"]))
        for r in store.rows("SELECT * FROM hours_bank WHERE client_id = ? ORDER BY entry_date, id", (client_id,))
    ]


def replay(entries: list[BankEntry], on: dt.date) -> BankState:
    """Run the bank's history up to ``on``: draws take from the oldest unexpired stores first.

    On each day, stores that expire that day leave first, then the day's stores arrive,
    then the day's draws are taken.
    """
    entries = [e for e in entries if e.entry_date <= on]
    stores = [e for e in entries if e.kind == "store"]
    for entry in entries:
        entry.remaining, entry.expired, entry.taken_from = (entry.hours if entry.kind == "store" else ZERO), ZERO, []
    short = []
    for draw in (e for e in entries if e.kind == "draw"):
        usable = sorted(
            (s for s in stores if s.entry_date <= draw.entry_date and not s.is_expired(draw.entry_date) and s.remaining > 0),
            key=lambda s: (s.expires_on, s.week_start, s.id),
        )
        wanted = draw.hours
        for source in usable:
            take = min(wanted, source.remaining)
            source.remaining -= take
            draw.taken_from.append((source.id, take))
            wanted -= take
            if not wanted:
                break
        if wanted:
            short.append(draw.id)
    expired = ZERO
    for entry in stores:
        if entry.is_expired(on):
            entry.expired, entry.remaining = entry.remaining, ZERO
            expired += entry.expired
    balance = sum((s.remaining for s in stores), ZERO)
    return BankState(on, entries, balance, expired, short)


def bank_state(store: Store, client_id: int, today: dt.date | None = None) -> BankState:
    """The client's bank today: balance, hours expired, and the whole history."""
    return replay(bank_entries(store, client_id), today or dt.date.today())


def already_stored(store: Store, client_id: int, week_start: dt.date) -> Decimal:
    rows = store.rows("SELECT hours FROM hours_bank WHERE client_id = ? AND kind = 'store' AND week_start = ?",
                      (client_id, iso(week_start)))
    return sum((to_decimal(r[0]) for r in rows), ZERO)


@dataclass(frozen=True)
class StorableWeek:
    """A past week and how many of its unused hours can still be stored."""

    use: WeekUse
    stored: Decimal
    expires_on: dt.date

    @property
    def storable(self) -> Decimal:
        return max(self.use.unused - self.stored, ZERO)


def storable_week(store: Store, client_id: int, week_start: dt.date, today: dt.date) -> StorableWeek:
    monday = iso_week_start(week_start)
    return StorableWeek(week_use(store, client_id, monday, today), already_stored(store, client_id, monday),
                        expiry_for(monday, bank_expiry_weeks(store, client_id)))


def storable_weeks(store: Store, client_id: int, today: dt.date | None = None) -> list[StorableWeek]:
    """Past weeks whose unused hours can still be stored (not expired, something left), newest first."""
    today = today or dt.date.today()
    weeks = bank_expiry_weeks(store, client_id)
    if weeks <= 0:
        return []
    found = []
    for use in utilisation(store, client_id, today, weeks + 1):
        if not use.complete:
            continue
        week = StorableWeek(use, already_stored(store, client_id, use.week_start), expiry_for(use.week_start, weeks))
        if week.expires_on > today and week.storable > 0:
            found.append(week)
    return list(reversed(found))


def _parse_hours(value, problems: list[Problem]) -> Decimal | None:
    try:
        hours = to_decimal(value)
    except ValueError:
        problems.append(Problem("hours", _("Enter a number of hours, such as 1.5.")))
        return None
    if hours <= 0:
        problems.append(Problem("hours", _("Enter a number of hours above zero.")))
        return None
    if hours != hours.quantize(Decimal("0.01")):
        problems.append(Problem("hours", _("Give the hours to at most two decimal places, such as 1.25.")))
        return None
    return hours


def store_hours(store: Store, client_id: int, week_start, hours, purpose: str, today: dt.date | None = None) -> int:
    """Store unused hours of a past week for a purpose, in one transaction with an audit entry.

    Refused (``ValidationError``, nothing written) when the week is not over, the hours are
    more than the week left unused and not yet stored, the hours would already have
    expired, the contract has no hours bank, or no purpose is given.
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    amount = _parse_hours(hours, problems)
    purpose = (purpose or "").strip()
    if not purpose:
        problems.append(Problem("purpose", _("Say what the hours are stored for, such as a monthly trip to the garden centre.")))
    try:
        monday = iso_week_start(parse_date(week_start))
    except (ValueError, TypeError) as error:
        raise ValidationError(problems + [Problem("week_start", _("The week: {error}.").format(error=error))]) from None
    weeks = bank_expiry_weeks(store, client_id)
    label = format_date(monday)
    if weeks <= 0:
        problems.append(Problem("week_start", _("This client's contract has no hours bank (its bank expiry is 0 weeks).")))
    elif monday + dt.timedelta(days=6) >= today:
        problems.append(Problem("week_start", _(
            "The week of {week} is not over yet; only unused hours of a past week can be stored.").format(week=label)))
    else:
        week = storable_week(store, client_id, monday, today)
        if week.expires_on <= today:
            problems.append(Problem("week_start", _(
                "Hours of the week of {week} expired on {day}, so they can no longer be stored.").format(
                week=label, day=format_date(week.expires_on))))
        elif amount is not None and amount > week.storable:
            problems.append(Problem("hours", _(
                "Only {free} hours of the week of {week} can be stored: envelope {envelope} − delivered {delivered}"
                " − already stored {stored}."
            ).format(free=format_decimal(week.storable), week=label, envelope=format_decimal(week.use.envelope),
                     delivered=format_decimal(week.use.delivered), stored=format_decimal(week.stored))))
    if problems:
        raise ValidationError(problems)
    expires = expiry_for(monday, weeks)
    values = {"client_id": client_id, "kind": "store", "entry_date": iso(today), "week_start": iso(monday),
              "hours": format_decimal(amount), "purpose": purpose, "expires_on": iso(expires)}
    with store.transaction():
        entry_id = store.conn.execute(
            "INSERT INTO hours_bank (client_id, kind, entry_date, week_start, hours, purpose, expires_on)"
            " VALUES (:client_id, :kind, :entry_date, :week_start, :hours, :purpose, :expires_on)", values,
        ).lastrowid
        store.audit("create", "hours_bank", entry_id, _("Hours bank: stored {hours} h of the week of {week} for {purpose}").format(
            hours=format_decimal(amount), week=label, purpose=purpose), new=values, client_id=client_id)
    return entry_id


def draw_hours(store: Store, client_id: int, hours, purpose: str, on=None, today: dt.date | None = None) -> int:
    """Draw hours down from the bank on a day (today by default), oldest stores first.

    Refused (``ValidationError``, nothing written) when the bank holds fewer unexpired hours
    on that day, or when the draw-down would leave a later one short.
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    amount = _parse_hours(hours, problems)
    purpose = (purpose or "").strip()
    if not purpose:
        problems.append(Problem("purpose", _("Say what the hours are used for.")))
    day = today
    if on not in (None, ""):
        try:
            day = parse_date(on)
        except (ValueError, TypeError) as error:
            problems.append(Problem("entry_date", _("The date: {error}.").format(error=error)))
    if day > today:
        problems.append(Problem("entry_date", _("Hours can only be drawn down on or before today.")))
    if amount is not None and day <= today:
        entries = bank_entries(store, client_id)
        available = replay(entries, day).balance
        if amount > available:
            if available:
                text = _("The bank holds only {balance} hours on {day}, so {hours} hours cannot be drawn down.")
            else:
                text = _("The bank is empty on {day}, so {hours} hours cannot be drawn down.")
            problems.append(Problem("hours", text.format(balance=format_decimal(available), day=format_date(day),
                                                         hours=format_decimal(amount))))
        else:
            trial = [*entries, BankEntry(0, "draw", day, amount, purpose)]
            trial.sort(key=lambda e: (e.entry_date, e.id if e.id else 1 << 62))
            if replay(trial, today).short:
                problems.append(Problem("hours", _(
                    "Drawing {hours} hours on {day} would leave a later draw-down without enough hours.").format(
                    hours=format_decimal(amount), day=format_date(day))))
    if problems:
        raise ValidationError(problems)
    values = {"client_id": client_id, "kind": "draw", "entry_date": iso(day), "week_start": None,
              "hours": format_decimal(amount), "purpose": purpose, "expires_on": None}
    with store.transaction():
        entry_id = store.conn.execute(
            "INSERT INTO hours_bank (client_id, kind, entry_date, week_start, hours, purpose, expires_on)"
            " VALUES (:client_id, :kind, :entry_date, :week_start, :hours, :purpose, :expires_on)", values,
        ).lastrowid
        store.audit("create", "hours_bank", entry_id, _("Hours bank: drew down {hours} h on {day} for {purpose}").format(
            hours=format_decimal(amount), day=format_date(day), purpose=purpose), new=values, client_id=client_id)
    return entry_id
