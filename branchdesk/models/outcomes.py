"""What each person wants to achieve, in their own words, and where they have got to (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from branchdesk.i18n import _
from branchdesk.models.dates import format_date, from_iso, iso, parse_optional_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import parse_money
from branchdesk.models.schema import DOMAINS

DOMAIN_NAMES = {
    "control_daily_life": _("Control over daily life"),
    "personal_care": _("Personal care and comfort"),
    "food_drink": _("Food and drink"),
    "safety": _("Feeling safe"),
    "social_participation": _("Social participation"),
    "occupation": _("Occupation (doing things I value)"),
    "accommodation": _("Clean and comfortable home"),
    "dignity": _("Dignity"),
    "health": _("Health"),
    "end_of_life": _("End of life"),
}
STATUS_NAMES = {
    "active": _("Active"),
    "achieved": _("Achieved"),
    "partly": _("Partly achieved"),
    "not_achieved": _("Not achieved"),
    "withdrawn": _("Withdrawn"),
}
OUTCOME_COLUMNS = ("ref", "description", "domain", "agreed_date", "target_date", "fee_pence", "withdrawn_date")


@dataclass
class Outcome:
    """One outcome a person wants; ``fee_pence`` where the contract pays per outcome."""

    ref: str
    description: str
    agreed_date: dt.date | None
    domain: str | None = None
    target_date: dt.date | None = None
    fee_pence: int = 0
    withdrawn_date: dt.date | None = None
    id: int | None = None
    client_id: int | None = None
    #: from the latest review that assessed it (``active`` before any); read-only
    status: str = "active"
    last_assessed: dt.date | None = None


def validate_outcome(outcome: Outcome) -> list[Problem]:
    problems = []
    if not outcome.ref.strip():
        problems.append(Problem("outcome_ref", _("Enter a short reference for the outcome, such as O1.")))
    if not outcome.description.strip():
        problems.append(Problem("description", _("Write what the person wants to achieve, in their own words.")))
    if outcome.domain is not None and outcome.domain not in DOMAINS:
        problems.append(Problem("domain", _("The domain must be one of: {values}.").format(values=", ".join(DOMAINS))))
    if outcome.agreed_date is None:
        problems.append(Problem("agreed_date", _("Enter the date the outcome was agreed.")))
    if outcome.fee_pence < 0:
        problems.append(Problem("fee", _("The fee cannot be negative.")))
    if outcome.agreed_date and outcome.target_date and outcome.target_date < outcome.agreed_date:
        problems.append(Problem("target_date", _("The target date is before the date the outcome was agreed ({agreed}).").format(
            agreed=format_date(outcome.agreed_date))))
    if outcome.agreed_date and outcome.withdrawn_date and outcome.withdrawn_date < outcome.agreed_date:
        problems.append(Problem("withdrawn_date", _("An outcome cannot be withdrawn before it was agreed.")))
    return problems


def outcome_from_form(values: dict) -> Outcome:
    """An ``Outcome`` from text as typed or read from a workbook (``fee`` in pounds), or every problem."""
    problems: list[Problem] = []

    def date(key: str, what: str) -> dt.date | None:
        try:
            return parse_optional_date(values.get(key))
        except ValueError as error:
            problems.append(Problem(key, _("The {what} is not a valid date: {why}.").format(what=what, why=error)))
            return None

    domain = str(values.get("domain") or "").strip().lower() or None
    if domain is not None and domain not in DOMAINS:
        problems.append(Problem("domain", _("“{value}” is not a domain; use one of: {values}.").format(value=values.get("domain"), values=", ".join(DOMAINS))))
        domain = None
    fee = 0
    raw_fee = values.get("fee")
    if raw_fee is not None and str(raw_fee).strip():
        try:
            fee = parse_money(raw_fee)
        except ValueError as error:
            problems.append(Problem("fee", _("The fee must be an amount in pounds: {why}.").format(why=error)))
    outcome = Outcome(
        ref=str(values.get("outcome_ref") or "").strip(),
        description=str(values.get("description") or "").strip(),
        agreed_date=date("agreed_date", _("agreed date")),
        domain=domain,
        target_date=date("target_date", _("target date")),
        fee_pence=fee,
        id=values.get("id"),
    )
    seen = {p.field for p in problems}
    problems += [p for p in validate_outcome(outcome) if p.field not in seen]
    if problems:
        raise ValidationError(problems)
    return outcome


def outcome_to_row(outcome: Outcome) -> dict:
    return {
        "ref": outcome.ref.strip(),
        "description": outcome.description.strip(),
        "domain": outcome.domain,
        "agreed_date": iso(outcome.agreed_date),
        "target_date": iso(outcome.target_date),
        "fee_pence": outcome.fee_pence,
        "withdrawn_date": iso(outcome.withdrawn_date),
    }


_LATEST_ASSESSMENT = """
    SELECT ro.outcome_id, ro.status, r.review_date
    FROM review_outcomes ro JOIN reviews r ON r.id = ro.review_id
    WHERE ro.outcome_id IN (SELECT id FROM outcomes WHERE {where})
    ORDER BY r.review_date, r.id
"""


def _latest_assessments(store: Store, where: str, params) -> dict[int, tuple[str, dt.date]]:
    latest: dict[int, tuple[str, dt.date]] = {}
    for outcome_id, status, review_date in store.rows(_LATEST_ASSESSMENT.format(where=where), params):
        latest[outcome_id] = (status, dt.date.fromisoformat(review_date))
    return latest


def outcome_status(store: Store, outcome_id: int) -> str:
    """The status of the latest review that assessed the outcome, ``active`` before any;
    ``withdrawn`` once withdrawn from the client's record."""
    row = store.row("SELECT withdrawn_date FROM outcomes WHERE id = ?", (outcome_id,))
    if row is None:
        raise NotFound(_("That outcome no longer exists."))
    if row["withdrawn_date"]:
        return "withdrawn"
    latest = _latest_assessments(store, "id = ?", (outcome_id,))
    return latest.get(outcome_id, ("active", None))[0]


def _from_row(row, latest: dict[int, tuple[str, dt.date]]) -> Outcome:
    status, assessed = latest.get(row["id"], ("active", None))
    if row["withdrawn_date"]:
        status = "withdrawn"
    return Outcome(
        ref=row["ref"],
        description=row["description"],
        agreed_date=from_iso(row["agreed_date"]),
        domain=row["domain"],
        target_date=from_iso(row["target_date"]),
        fee_pence=row["fee_pence"],
        withdrawn_date=from_iso(row["withdrawn_date"]),
        id=row["id"],
        client_id=row["client_id"],
        status=status,
        last_assessed=assessed,
    )


def list_outcomes(store: Store, client_id: int) -> list[Outcome]:
    """A client's outcomes with their current status, in the order agreed."""
    latest = _latest_assessments(store, "client_id = ?", (client_id,))
    return [_from_row(r, latest) for r in store.rows(
        "SELECT * FROM outcomes WHERE client_id = ? ORDER BY agreed_date, id", (client_id,))]


def get_outcome(store: Store, outcome_id: int) -> Outcome:
    row = store.row("SELECT * FROM outcomes WHERE id = ?", (outcome_id,))
    if row is None:
        raise NotFound(_("That outcome no longer exists."))
    return _from_row(row, _latest_assessments(store, "id = ?", (outcome_id,)))


def next_outcome_ref(store: Store, client_id: int, taken: set[str] = frozenset()) -> str:
    """``O1``, ``O2``…: the first free outcome ref for a client."""
    used = {r[0] for r in store.rows("SELECT ref FROM outcomes WHERE client_id = ?", (client_id,))} | set(taken)
    n = 1
    while f"O{n}" in used:
        n += 1
    return f"O{n}"


def save_outcome(store: Store, client_id: int, outcome: Outcome) -> int:
    """Add or edit one outcome in one transaction, with an audit entry; returns its id."""
    problems = validate_outcome(outcome)
    if store.value("SELECT id FROM outcomes WHERE client_id = ? AND ref = ? AND id IS NOT ?", (client_id, outcome.ref.strip(), outcome.id)):
        problems.append(Problem("outcome_ref", _("This person already has an outcome “{ref}”.").format(ref=outcome.ref.strip())))
    if problems:
        raise ValidationError(problems)
    values = outcome_to_row(outcome)
    outcome.id = store.save_record("outcomes", outcome.id, values, "outcome", _("Outcome {ref}").format(ref=values["ref"]), client_id=client_id)
    outcome.client_id = client_id
    return outcome.id


def withdraw_outcome(store: Store, outcome_id: int, on: dt.date | None = None) -> None:
    """Withdraw an outcome (the person no longer wants it); its status becomes ``withdrawn``."""
    outcome = get_outcome(store, outcome_id)
    outcome.withdrawn_date = on or dt.date.today()
    save_outcome(store, outcome.client_id, outcome)


def reinstate_outcome(store: Store, outcome_id: int) -> None:
    """Undo a withdrawal made by mistake."""
    outcome = get_outcome(store, outcome_id)
    outcome.withdrawn_date = None
    save_outcome(store, outcome.client_id, outcome)
