"""The people the branch supports: their referral, service, contacts and notes (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import Decimal

from branchdesk.i18n import _, a_or_an
from branchdesk.models.calendars import EnvelopeRow, HeldReview, envelope_on, next_review_due
from branchdesk.models.dates import from_iso, iso, parse_optional_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import parse_money, to_decimal
from branchdesk.models.schema import CATEGORIES, END_REASONS, FUNDING

STATUSES = ("referred", "active", "suspended", "ended")
STATUS_NAMES = {
    "referred": _("Referred"),
    "active": _("Active"),
    "suspended": _("Suspended"),
    "ended": _("Ended"),
}
CATEGORY_NAMES = {
    "reablement": _("Reablement"),
    "long_term": _("Long-term"),
    "dementia": _("Dementia"),
    "palliative": _("Palliative"),
}
FUNDING_NAMES = {
    "council": _("Council"),
    "direct_payment": _("Direct payment"),
    "isf": _("Individual service fund"),
    "self_funder": _("Self-funder"),
}
END_REASON_NAMES = {
    "no_further_care": _("No further care needed"),
    "moved_provider": _("Moved to another provider"),
    "residential_care": _("Moved into residential care"),
    "hospital": _("In hospital"),
    "died": _("Died"),
    "other": _("Other"),
}

#: The columns of ``clients`` a user edits (everything but the id).
CLIENT_COLUMNS = (
    "ref", "council_ref", "name", "date_of_birth", "address", "postcode", "phone", "contract_id",
    "category", "funding", "personal_budget_weekly_pence", "start_date", "end_date", "end_reason",
    "ot_required", "ot_done_date", "social_worker", "key_worker", "team",
)


@dataclass
class Client:
    """A person the branch supports; money in pence, dates as ``date``."""

    ref: str
    name: str
    contract_id: int | None
    category: str
    funding: str
    start_date: dt.date | None
    id: int | None = None
    council_ref: str = ""
    date_of_birth: dt.date | None = None
    address: str = ""
    postcode: str = ""
    phone: str = ""
    personal_budget_weekly_pence: int | None = None
    end_date: dt.date | None = None
    end_reason: str | None = None
    ot_required: bool = False
    ot_done_date: dt.date | None = None
    social_worker: str = ""
    key_worker: str = ""
    team: str = ""


def validate_client(client: Client, today: dt.date | None = None) -> list[Problem]:
    """Every problem with a client's details at once (empty when it can be saved)."""
    problems: list[Problem] = []
    if not client.ref.strip():
        problems.append(Problem("ref", _("Enter the branch's reference for this person.")))
    if not client.name.strip():
        problems.append(Problem("name", _("Enter the person's name.")))
    if client.contract_id is None:
        problems.append(Problem("contract_ref", _("Choose the contract this person is referred under.")))
    if client.category not in CATEGORIES:
        problems.append(Problem("category", _("The category must be one of: {values}.").format(values=", ".join(CATEGORIES))))
    if client.funding not in FUNDING:
        problems.append(Problem("funding", _("The funding must be one of: {values}.").format(values=", ".join(FUNDING))))
    if client.start_date is None:
        problems.append(Problem("start_date", _("Enter the date the service starts.")))
    if client.personal_budget_weekly_pence is not None and client.personal_budget_weekly_pence < 0:
        problems.append(Problem("personal_budget_weekly", _("The personal budget cannot be negative.")))
    if client.end_reason is not None and client.end_reason not in END_REASONS:
        problems.append(Problem("end_reason", _("The end reason must be one of: {values}.").format(values=", ".join(END_REASONS))))
    if client.end_date and client.start_date and client.end_date < client.start_date:
        problems.append(Problem("end_date", _("The service cannot end before it starts ({start}).").format(start=client.start_date.strftime("%d/%m/%Y"))))
    if client.end_reason and not client.end_date:
        problems.append(Problem("end_date", _("Enter the date the service ended, or clear the end reason.")))
    if client.date_of_birth:
        if today and client.date_of_birth > today:
            problems.append(Problem("date_of_birth", _("The date of birth is in the future.")))
        if client.start_date and client.date_of_birth > client.start_date:
            problems.append(Problem("date_of_birth", _("The date of birth is after the service start date.")))
    if client.ot_done_date and not client.ot_required:
        problems.append(Problem("ot_done_date", _("An OT assessment date is set but no assessment is required; tick “OT assessment required” or clear the date.")))
    return problems


def client_from_form(values: dict, contract_ids: dict[str, int], today: dt.date | None = None) -> Client:
    """A ``Client`` from text as typed in a form or a workbook, or every problem at once.

    Keys are the workbook's column names (``contract_ref``, ``personal_budget_weekly`` in
    pounds, ``ot_required`` as Y/N or a bool); ``contract_ids`` maps contract refs to ids.
    """
    problems: list[Problem] = []

    def text(key: str) -> str:
        value = values.get(key)
        return "" if value is None else str(value).strip()

    def date(key: str, what: str) -> dt.date | None:
        try:
            return parse_optional_date(values.get(key))
        except ValueError as error:
            problems.append(Problem(key, _("The {what} is not a valid date: {why}.").format(what=what, why=error)))
            return None

    def choice(key: str, allowed: tuple[str, ...], what: str, required: bool) -> str | None:
        value = text(key).lower()
        if not value:
            if required:
                problems.append(Problem(key, _("Choose the {what}.").format(what=what)))
            return None
        if value not in allowed:
            problems.append(Problem(key, _("“{value}” is not {what}; use one of: {values}.").format(
                value=text(key), what=a_or_an(what), values=", ".join(allowed))))
            return None
        return value

    contract_ref = text("contract_ref")
    contract_id = contract_ids.get(contract_ref)
    if contract_ref and contract_id is None:
        problems.append(Problem("contract_ref", _("There is no contract “{ref}”.").format(ref=contract_ref)))
    budget = None
    raw_budget = values.get("personal_budget_weekly")
    if raw_budget is not None and str(raw_budget).strip():
        try:
            budget = parse_money(raw_budget)
        except ValueError as error:
            problems.append(Problem("personal_budget_weekly", _("The weekly personal budget must be an amount in pounds: {why}.").format(why=error)))
    try:
        ot_required = parse_yes_no(values.get("ot_required"))
    except ValueError as error:
        problems.append(Problem("ot_required", str(error)))
        ot_required = False
    client = Client(
        ref=text("ref"),
        name=text("name"),
        contract_id=contract_id,
        category=choice("category", CATEGORIES, _("category"), True) or "",
        funding=choice("funding", FUNDING, _("funding type"), True) or "",
        start_date=date("start_date", _("start date")),
        council_ref=text("council_ref"),
        date_of_birth=date("date_of_birth", _("date of birth")),
        address=str(values.get("address") or "").strip(),
        postcode=text("postcode").upper(),
        phone=text("phone"),
        personal_budget_weekly_pence=budget,
        end_date=date("end_date", _("end date")),
        end_reason=choice("end_reason", END_REASONS, _("reason for ending"), False),
        ot_required=ot_required,
        ot_done_date=date("ot_done_date", _("OT assessment date")),
        social_worker=text("social_worker"),
        key_worker=text("key_worker"),
        team=text("team"),
        id=values.get("id"),
    )
    seen = {p.field for p in problems}
    problems += [p for p in validate_client(client, today) if p.field not in seen]
    if problems:
        raise ValidationError(problems)
    return client


def parse_yes_no(value) -> bool:
    """``Y``/``N`` (also yes/no, true/false, 1/0, a bool); empty is no."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("", "n", "no", "false", "0"):
        return False
    if text in ("y", "yes", "true", "1"):
        return True
    raise ValueError(_("“{value}” should be Y or N.").format(value=value))


def parse_hours(value, what: str = "hours") -> Decimal:
    """Hours as a non-negative Decimal from a number or plain decimal text."""
    try:
        hours = to_decimal(value)
    except ValueError:
        raise ValueError(_("The {what} must be a number, such as 10.5.").format(what=what)) from None
    if hours < 0:
        raise ValueError(_("The {what} cannot be negative.").format(what=what))
    return hours


def client_to_row(client: Client) -> dict:
    """The ``clients`` table's columns for a ``Client``."""
    return {
        "ref": client.ref.strip(),
        "council_ref": client.council_ref.strip(),
        "name": client.name.strip(),
        "date_of_birth": iso(client.date_of_birth),
        "address": client.address,
        "postcode": client.postcode,
        "phone": client.phone,
        "contract_id": client.contract_id,
        "category": client.category,
        "funding": client.funding,
        "personal_budget_weekly_pence": client.personal_budget_weekly_pence,
        "start_date": iso(client.start_date),
        "end_date": iso(client.end_date),
        "end_reason": client.end_reason,
        "ot_required": 1 if client.ot_required else 0,
        "ot_done_date": iso(client.ot_done_date),
        "social_worker": client.social_worker,
        "key_worker": client.key_worker,
        "team": client.team,
    }


def client_from_row(row) -> Client:
    values = {f.name: row[f.name] for f in fields(Client)}
    for key in ("date_of_birth", "start_date", "end_date", "ot_done_date"):
        values[key] = from_iso(values[key])
    values["ot_required"] = bool(values["ot_required"])
    return Client(**values)


def get_client(store: Store, client_id: int) -> Client:
    row = store.row("SELECT * FROM clients WHERE id = ?", (client_id,))
    if row is None:
        raise NotFound(_("That client no longer exists."))
    return client_from_row(row)


def client_by_ref(store: Store, ref: str) -> Client:
    row = store.row("SELECT * FROM clients WHERE ref = ?", (ref,))
    if row is None:
        raise NotFound(_("There is no client “{ref}” in this branch.").format(ref=ref))
    return client_from_row(row)


def list_clients(store: Store) -> list[Client]:
    return [client_from_row(r) for r in store.rows("SELECT * FROM clients ORDER BY ref")]


def next_client_ref(store: Store) -> str:
    """A suggestion for a new client's ref: ``C`` and the next free number, as wide as the others."""
    highest, width = 0, 3
    for (ref,) in store.rows("SELECT ref FROM clients WHERE ref GLOB 'C[0-9]*'"):
        digits = ref[1:]
        if digits.isdigit():
            highest = max(highest, int(digits))
            width = max(width, len(digits))
    return f"C{highest + 1:0{width}d}"


def _check_saveable(store: Store, client: Client) -> None:
    problems = validate_client(client)
    clash = store.value("SELECT id FROM clients WHERE ref = ? AND id IS NOT ?", (client.ref.strip(), client.id))
    if clash:
        problems.append(Problem("ref", _("Another client already has the reference “{ref}”.").format(ref=client.ref.strip())))
    if client.contract_id is not None and not store.value("SELECT 1 FROM contracts WHERE id = ?", (client.contract_id,)):
        problems.append(Problem("contract_ref", _("That contract no longer exists.")))
    if problems:
        raise ValidationError(problems)


def add_client(store: Store, client: Client) -> int:
    """Add a client in one transaction, with an audit entry; returns the new id."""
    _check_saveable(store, client)
    values = client_to_row(client)
    with store.transaction():
        client.id = store.db["clients"].insert(values).last_pk
        store.audit("create", "client", client.id, _("Client {ref} added").format(ref=values["ref"]), new=values, client_id=client.id)
    return client.id


def update_client(store: Store, client: Client) -> bool:
    """Save changes to a client in one transaction, with an audit entry (old → new).

    Returns False (and writes nothing) when nothing changed.
    """
    if client.id is None:
        raise NotFound(_("That client has not been saved yet."))
    _check_saveable(store, client)
    row = store.row("SELECT * FROM clients WHERE id = ?", (client.id,))
    if row is None:
        raise NotFound(_("That client no longer exists."))
    old = {key: row[key] for key in CLIENT_COLUMNS}
    new = client_to_row(client)
    if old == new:
        return False
    with store.transaction():
        store.db["clients"].update(client.id, new)
        store.audit("update", "client", client.id, _("Client {ref} changed").format(ref=new["ref"]), old=old, new=new, client_id=client.id)
    return True


def end_service(store: Store, client_id: int, end_date: dt.date, reason: str, note: str = "") -> None:
    """End a client's service on ``end_date`` (the last day of service) for ``reason``."""
    client = get_client(store, client_id)
    problems = []
    if reason not in END_REASONS:
        problems.append(Problem("end_reason", _("Choose why the service ended.")))
    if end_date is None:
        problems.append(Problem("end_date", _("Enter the last day of service.")))
    elif client.start_date and end_date < client.start_date:
        problems.append(Problem("end_date", _("The service cannot end before it starts ({start}).").format(start=client.start_date.strftime("%d/%m/%Y"))))
    if problems:
        raise ValidationError(problems)
    client.end_date, client.end_reason = end_date, reason
    with store.transaction():
        update_client(store, client)
        if note.strip():
            add_note(store, client_id, note)


# -- status -----------------------------------------------------------------------------
def client_status(client: Client, today: dt.date, suspensions=()) -> str:
    """``referred`` (starts later), ``active``, ``suspended`` (today inside a suspension) or ``ended``.

    ``suspensions`` are objects with ``start`` and ``end`` dates (``calendars.Period``).
    """
    if client.end_date and client.end_date < today:
        return "ended"
    if client.start_date and client.start_date > today:
        return "referred"
    if any(s.start <= today <= s.end for s in suspensions):
        return "suspended"
    return "active"


@dataclass
class CaseloadRow:
    """One line of the clients list."""

    id: int
    ref: str
    name: str
    council_ref: str
    postcode: str
    category: str
    funding: str
    status: str
    key_worker: str
    team: str
    contract_id: int
    contract_ref: str
    envelope_hours: Decimal | None
    next_review_due: dt.date | None
    start_date: dt.date
    end_date: dt.date | None
    #: lower-case text searched by the list's search box
    search_text: str = ""


def caseload_rows(store: Store, today: dt.date) -> list[CaseloadRow]:
    """Every client with what the list shows, in four queries (no query per client)."""
    from branchdesk.models.calendars import Period

    envelopes: dict[int, list[EnvelopeRow]] = defaultdict(list)
    for row in store.rows("SELECT client_id, effective_date, hours_per_week, band, reason FROM envelopes"):
        envelopes[row[0]].append(EnvelopeRow(dt.date.fromisoformat(row[1]), Decimal(row[2]), row[3], row[4]))
    suspended: set[int] = set()
    day = today.isoformat()
    for (client_id,) in store.rows("SELECT DISTINCT client_id FROM suspensions WHERE start_date <= ? AND end_date >= ?", (day, day)):
        suspended.add(client_id)
    held: dict[int, list[HeldReview]] = defaultdict(list)
    for row in store.rows("SELECT client_id, review_date, method, next_review_date FROM reviews"):
        held[row[0]].append(HeldReview(dt.date.fromisoformat(row[1]), row[2], from_iso(row[3])))
    today_period = [Period(today, today, "other")]
    result = []
    for row in store.rows(
        "SELECT c.id, c.ref, c.name, c.council_ref, c.postcode, c.category, c.funding, c.key_worker, c.team,"
        " c.contract_id, k.ref AS contract_ref, c.start_date, c.end_date"
        " FROM clients c JOIN contracts k ON k.id = c.contract_id ORDER BY c.ref"
    ):
        start = dt.date.fromisoformat(row["start_date"])
        end = from_iso(row["end_date"])
        client = Client(row["ref"], row["name"], row["contract_id"], row["category"], row["funding"], start, id=row["id"], end_date=end)
        status = client_status(client, today, today_period if row["id"] in suspended else ())
        envelope = envelope_on(envelopes.get(row["id"], ()), max(today, start))
        due = None if status == "ended" else next_review_due(start, held.get(row["id"], ())).due
        result.append(CaseloadRow(
            id=row["id"], ref=row["ref"], name=row["name"], council_ref=row["council_ref"], postcode=row["postcode"],
            category=row["category"], funding=row["funding"], status=status, key_worker=row["key_worker"],
            team=row["team"], contract_id=row["contract_id"], contract_ref=row["contract_ref"],
            envelope_hours=envelope.hours if envelope else None, next_review_due=due, start_date=start, end_date=end,
            search_text=" ".join((row["ref"], row["name"], row["council_ref"], row["postcode"], row["postcode"].replace(" ", ""))).lower(),
        ))
    return result


# -- contacts -----------------------------------------------------------------------------
@dataclass
class Contact:
    """Family and others around the person."""

    name: str
    relationship: str = ""
    phone: str = ""
    may_be_told: bool = False
    id: int | None = None
    client_id: int | None = None


def validate_contact(contact: Contact) -> list[Problem]:
    if not contact.name.strip():
        return [Problem("name", _("Enter the contact's name."))]
    return []


def list_contacts(store: Store, client_id: int) -> list[Contact]:
    return [
        Contact(r["name"], r["relationship"], r["phone"], bool(r["may_be_told"]), r["id"], r["client_id"])
        for r in store.rows("SELECT * FROM contacts WHERE client_id = ? ORDER BY id", (client_id,))
    ]


def _contact_values(contact: Contact) -> dict:
    return {"name": contact.name.strip(), "relationship": contact.relationship.strip(), "phone": contact.phone.strip(),
            "may_be_told": 1 if contact.may_be_told else 0}


def save_contact(store: Store, client_id: int, contact: Contact) -> int:
    """Add or update one contact, with an audit entry; returns its id."""
    problems = validate_contact(contact)
    if problems:
        raise ValidationError(problems)
    values = _contact_values(contact)
    contact.id = store.save_record("contacts", contact.id, values, "contact", _("Contact {name}").format(name=values["name"]), client_id=client_id)
    contact.client_id = client_id
    return contact.id


def delete_contact(store: Store, contact_id: int) -> None:
    row = store.row("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    if row is None:
        return
    with store.transaction():
        store.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        old = {k: row[k] for k in ("name", "relationship", "phone", "may_be_told")}
        store.audit("delete", "contact", contact_id, _("Contact {name} removed").format(name=row["name"]), old=old, client_id=row["client_id"])


# -- notes --------------------------------------------------------------------------------
@dataclass
class Note:
    written_on: dt.date
    author: str
    text: str
    id: int | None = None


def list_notes(store: Store, client_id: int) -> list[Note]:
    """A client's notes, newest first."""
    return [
        Note(dt.date.fromisoformat(r["written_on"]), r["author"], r["text"], r["id"])
        for r in store.rows("SELECT * FROM client_notes WHERE client_id = ? ORDER BY written_on DESC, id DESC", (client_id,))
    ]


def add_note(store: Store, client_id: int, text: str, written_on: dt.date | None = None, author: str | None = None) -> int:
    """Add a dated note, written by ``author`` (the store's user unless given)."""
    if not text.strip():
        raise ValidationError(Problem("text", _("The note is empty.")))
    values = {
        "client_id": client_id,
        "written_on": (written_on or dt.date.today()).isoformat(),
        "author": (author if author is not None else store.user) or "",
        "text": text.strip(),
    }
    with store.transaction():
        note_id = store.db["client_notes"].insert(values).last_pk
        store.audit("create", "note", note_id, _("Note added"), new={k: values[k] for k in ("written_on", "author", "text")}, client_id=client_id)
    return note_id

