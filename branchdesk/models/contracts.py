"""Contracts with councils and their payment parameters (SPEC §3, §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.dates import from_iso, iso, parse_optional_date
from branchdesk.models.db import Store
from branchdesk.models.errors import NotFound, Problem, ValidationError
from branchdesk.models.money import (
    format_decimal,
    format_money,
    format_share,
    parse_money,
    to_decimal,
)
from branchdesk.models.schema import CORE_BASES

SHARE_FIELDS = (
    "core_share",
    "outcome_upfront_share",
    "outcome_partial_share",
    "reward_share",
    "hours_saved_share",
)
WHOLE_FIELDS = ("hours_saved_months", "retainer_days", "bank_expiry_weeks")
#: The most each whole-number parameter can sensibly be; more is a typing mistake (and would
#: run dates past the calendar's end).
WHOLE_MOST = {"hours_saved_months": 120, "retainer_days": 366, "bank_expiry_weeks": 520}
#: No fee or rate of a home-care contract comes near ten million pounds.
MOST_PENCE = 1_000_000_000


@dataclass
class Contract:
    """A contract with a council; money in pence, shares as ``Decimal`` (None = off)."""

    ref: str
    council: str
    core_basis: str
    hourly_rate_pence: int
    id: int | None = None
    commissioner: str = ""
    address: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    supplier_number: str = ""
    purchase_order: str = ""
    claim_prefix: str = ""
    print_names: str = "initials"
    core_share: Decimal | None = None
    band_rates: dict[str, int] = field(default_factory=dict)  # band → weekly pence
    episode_fee_pence: int = 0
    outcome_upfront_share: Decimal | None = None
    outcome_partial_share: Decimal | None = None
    reward_share: Decimal | None = None
    hours_saved_share: Decimal | None = None
    hours_saved_months: int = 0
    retainer_days: int = 0
    bank_expiry_weeks: int = 13

    @property
    def effective_core_share(self) -> Decimal:
        """The core share applied on the envelope basis: 100% when left empty."""
        return Decimal(1) if self.core_share is None else self.core_share

    @property
    def upfront_share(self) -> Decimal:
        return self.outcome_upfront_share or Decimal(0)

    @property
    def partial_share(self) -> Decimal:
        return self.outcome_partial_share or Decimal(0)

    @property
    def prefix(self) -> str:
        return self.claim_prefix or self.ref

    @property
    def hourly_rate(self) -> Decimal:
        """Pounds per hour, exact."""
        return Decimal(self.hourly_rate_pence) / 100


def parse_band_rates(text: str) -> dict[str, int]:
    """``lower=75;higher=150`` → ``{"lower": 7500, "higher": 15000}`` (weekly pence)."""
    rates: dict[str, int] = {}
    for part in str(text or "").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(f"“{part}” should look like band=weekly rate, e.g. lower=75")
        name, _sep, amount = part.partition("=")
        name = name.strip()
        if not name:
            raise ValueError(f"“{part}” has no band name")
        pence = parse_money(amount)
        if pence < 0:
            raise ValueError(f"the rate for band “{name}” is negative")
        rates[name] = pence
    return rates


def format_band_rates(rates: dict[str, int]) -> str:
    """``{"lower": 7500}`` → ``lower=75``: the workbook's form."""
    return ";".join(f"{name}={format_decimal(Decimal(p) / 100)}" for name, p in rates.items())


def _share_or_none(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return to_decimal(value)


def contract_from_row(row) -> Contract:
    """A ``Contract`` from a row of the ``contracts`` table."""
    return Contract(
        id=row["id"],
        ref=row["ref"],
        council=row["council"],
        commissioner=row["commissioner"],
        address=row["address"],
        start_date=from_iso(row["start_date"]),
        end_date=from_iso(row["end_date"]),
        supplier_number=row["supplier_number"],
        purchase_order=row["purchase_order"],
        claim_prefix=row["claim_prefix"],
        print_names=row["print_names"],
        core_basis=row["core_basis"],
        hourly_rate_pence=row["hourly_rate_pence"],
        core_share=_share_or_none(row["core_share"]),
        band_rates=parse_band_rates(row["band_rates"]),
        episode_fee_pence=row["episode_fee_pence"],
        outcome_upfront_share=_share_or_none(row["outcome_upfront_share"]),
        outcome_partial_share=_share_or_none(row["outcome_partial_share"]),
        reward_share=_share_or_none(row["reward_share"]),
        hours_saved_share=_share_or_none(row["hours_saved_share"]),
        hours_saved_months=row["hours_saved_months"],
        retainer_days=row["retainer_days"],
        bank_expiry_weeks=row["bank_expiry_weeks"],
    )


def contract_to_row(contract: Contract) -> dict:
    """The ``contracts`` table's columns for a ``Contract``."""
    def share(value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    return {
        "ref": contract.ref.strip(),
        "council": contract.council.strip(),
        "commissioner": contract.commissioner,
        "address": contract.address,
        "start_date": iso(contract.start_date),
        "end_date": iso(contract.end_date),
        "supplier_number": contract.supplier_number,
        "purchase_order": contract.purchase_order,
        "claim_prefix": (contract.claim_prefix or contract.ref).strip(),
        "print_names": contract.print_names,
        "core_basis": contract.core_basis,
        "hourly_rate_pence": contract.hourly_rate_pence,
        "core_share": share(contract.core_share),
        "band_rates": format_band_rates(contract.band_rates),
        "episode_fee_pence": contract.episode_fee_pence,
        "outcome_upfront_share": share(contract.outcome_upfront_share),
        "outcome_partial_share": share(contract.outcome_partial_share),
        "reward_share": share(contract.reward_share),
        "hours_saved_share": share(contract.hours_saved_share),
        "hours_saved_months": contract.hours_saved_months,
        "retainer_days": contract.retainer_days,
        "bank_expiry_weeks": contract.bank_expiry_weeks,
    }


def contract_from_form(values: dict) -> Contract:
    """A ``Contract`` from text as typed in a form or a workbook, or every problem at once.

    Keys are the workbook's column names (``hourly_rate`` and ``episode_fee`` in pounds).
    """
    problems: list[Problem] = []

    def text(key: str) -> str:
        value = values.get(key)
        return "" if value is None else str(value).strip()

    def money(key: str, required: bool = False) -> int:
        raw = values.get(key)
        if raw is None or str(raw).strip() == "":
            if required:
                problems.append(Problem(key, _("Enter the {what}.").format(what=key.replace("_", " "))))
            return 0
        try:
            pence = parse_money(raw)
        except ValueError as error:
            problems.append(Problem(key, _("The {what} must be an amount in pounds: {why}.").format(what=key.replace("_", " "), why=error)))
            return 0
        if pence < 0:
            problems.append(Problem(key, _("The {what} cannot be negative.").format(what=key.replace("_", " "))))
        elif pence > MOST_PENCE:
            problems.append(Problem(key, _("The {what} of {amount} is far too large for any contract; check the number.").format(
                what=key.replace("_", " "), amount=format_money(pence))))
            return 0
        return pence

    def share(key: str) -> Decimal | None:
        raw = values.get(key)
        if raw is None or str(raw).strip() == "":
            return None
        try:
            number = to_decimal(raw)
        except ValueError:
            problems.append(Problem(key, _("The {what} must be a decimal between 0 and 1, such as 0.2.").format(what=key.replace("_", " "))))
            return None
        if not Decimal(0) <= number <= Decimal(1):
            problems.append(Problem(key, _("The {what} must be between 0 and 1 (0.2 means 20%).").format(what=key.replace("_", " "))))
            return None
        return number

    def whole(key: str, default: int) -> int:
        raw = values.get(key)
        if raw is None or str(raw).strip() == "":
            return default
        try:
            number = to_decimal(raw)
        except ValueError:
            problems.append(Problem(key, _("The {what} must be a whole number.").format(what=key.replace("_", " "))))
            return default
        if number != number.to_integral_value() or number < 0:
            problems.append(Problem(key, _("The {what} must be a whole number, 0 or more.").format(what=key.replace("_", " "))))
            return default
        if number > WHOLE_MOST[key]:
            problems.append(Problem(key, _("The {what} can be at most {most}.").format(what=key.replace("_", " "), most=WHOLE_MOST[key])))
            return default
        return int(number)

    def date(key: str) -> dt.date | None:
        try:
            return parse_optional_date(values.get(key))
        except ValueError as error:
            problems.append(Problem(key, _("The {what} is not a valid date: {why}.").format(what=key.replace("_", " "), why=error)))
            return None

    ref, council = text("ref"), text("council")
    if not ref:
        problems.append(Problem("ref", _("Enter the contract reference.")))
    if not council:
        problems.append(Problem("council", _("Enter the council's name.")))
    basis = text("core_basis").lower()
    if basis not in CORE_BASES:
        problems.append(Problem("core_basis", _("The core basis must be one of: envelope, band, delivered, none.")))
    print_names = text("print_names").lower() or "initials"
    if print_names not in ("full", "initials"):
        problems.append(Problem("print_names", _("Printed names must be “full” or “initials”.")))
    band_rates: dict[str, int] = {}
    try:
        band_rates = parse_band_rates(text("band_rates"))
    except ValueError as error:
        problems.append(Problem("band_rates", _("The band rates are not readable: {why}.").format(why=error)))
    if basis == "band" and not band_rates and not any(p.field == "band_rates" for p in problems):
        problems.append(Problem("band_rates", _("A contract paid by band needs band rates, e.g. lower=75;higher=150.")))
    contract = Contract(
        ref=ref,
        council=council,
        core_basis=basis,
        hourly_rate_pence=money("hourly_rate", required=True),
        commissioner=text("commissioner"),
        address=str(values.get("address") or "").strip(),
        start_date=date("start_date"),
        end_date=date("end_date"),
        supplier_number=text("supplier_number"),
        purchase_order=text("purchase_order"),
        claim_prefix=text("claim_prefix") or ref,
        print_names=print_names,
        core_share=share("core_share"),
        band_rates=band_rates,
        episode_fee_pence=money("episode_fee"),
        outcome_upfront_share=share("outcome_upfront_share"),
        outcome_partial_share=share("outcome_partial_share"),
        reward_share=share("reward_share"),
        hours_saved_share=share("hours_saved_share"),
        hours_saved_months=whole("hours_saved_months", 0),
        retainer_days=whole("retainer_days", 0),
        bank_expiry_weeks=whole("bank_expiry_weeks", 13),
    )
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        problems.append(Problem("end_date", _("The contract's end date is before its start date.")))
    if problems:
        raise ValidationError(problems)
    return contract


def contract_to_form(contract: Contract) -> dict:
    """The workbook/form view of a contract (pounds and decimals as plain text)."""
    def share(value: Decimal | None) -> str:
        return "" if value is None else format_decimal(value)

    return {
        "ref": contract.ref,
        "council": contract.council,
        "commissioner": contract.commissioner,
        "address": contract.address,
        "start_date": iso(contract.start_date) or "",
        "end_date": iso(contract.end_date) or "",
        "core_basis": contract.core_basis,
        "hourly_rate": format_decimal(Decimal(contract.hourly_rate_pence) / 100),
        "core_share": share(contract.core_share),
        "band_rates": format_band_rates(contract.band_rates),
        "episode_fee": format_decimal(Decimal(contract.episode_fee_pence) / 100) if contract.episode_fee_pence else "",
        "outcome_upfront_share": share(contract.outcome_upfront_share),
        "outcome_partial_share": share(contract.outcome_partial_share),
        "reward_share": share(contract.reward_share),
        "hours_saved_share": share(contract.hours_saved_share),
        "hours_saved_months": str(contract.hours_saved_months or ""),
        "retainer_days": str(contract.retainer_days or ""),
        "bank_expiry_weeks": str(contract.bank_expiry_weeks),
        "claim_prefix": contract.claim_prefix,
        "supplier_number": contract.supplier_number,
        "purchase_order": contract.purchase_order,
        "print_names": contract.print_names,
    }


def list_contracts(store: Store) -> list[Contract]:
    return [contract_from_row(r) for r in store.rows("SELECT * FROM contracts ORDER BY ref")]


def get_contract(store: Store, contract_id: int) -> Contract:
    row = store.row("SELECT * FROM contracts WHERE id = ?", (contract_id,))
    if row is None:
        raise NotFound(_("That contract no longer exists."))
    return contract_from_row(row)


def contract_by_ref(store: Store, ref: str) -> Contract:
    row = store.row("SELECT * FROM contracts WHERE ref = ?", (ref,))
    if row is None:
        known = ", ".join(r["ref"] for r in store.rows("SELECT ref FROM contracts ORDER BY ref")) or _("none")
        raise NotFound(_("There is no contract “{ref}” in this branch (contracts: {known}).").format(ref=ref, known=known))
    return contract_from_row(row)


def save_contract(store: Store, contract: Contract) -> int:
    """Add or update a contract in one transaction, with an audit entry; returns its id."""
    values = contract_to_row(contract)
    clash = store.value("SELECT id FROM contracts WHERE ref = ? AND id IS NOT ?", (values["ref"], contract.id))
    if clash:
        raise ValidationError(Problem("ref", _("Another contract already has the reference “{ref}”.").format(ref=values["ref"])))
    with store.transaction():
        if contract.id is None:
            contract.id = store.db["contracts"].insert(values).last_pk
            store.audit("create", "contract", contract.id, _("Contract {ref} added").format(ref=values["ref"]), new=values)
        else:
            old = dict(store.row("SELECT * FROM contracts WHERE id = ?", (contract.id,)))
            old.pop("id", None)
            store.db["contracts"].update(contract.id, values)
            store.audit("update", "contract", contract.id, _("Contract {ref} changed").format(ref=values["ref"]), old=old, new=values)
    return contract.id


def payment_summary(contract: Contract) -> str:
    """What the contract pays, in plain English, for the contract screen and the printout."""
    parts: list[str] = []
    rate = format_money(contract.hourly_rate_pence)
    if contract.core_basis == "envelope":
        parts.append(_("Core: {share} of the envelope at {rate}/h, per day in service").format(
            share=format_share(contract.effective_core_share), rate=rate))
    elif contract.core_basis == "band":
        bands = ", ".join(f"{name} {format_money(p)}/week" for name, p in contract.band_rates.items())
        parts.append(_("Core: a weekly rate by band ({bands}), per day in service").format(bands=bands or _("no bands set")))
    elif contract.core_basis == "delivered":
        parts.append(_("Core: delivered hours at {rate}/h (time and task)").format(rate=rate))
    else:
        parts.append(_("no core payment"))
    if contract.episode_fee_pence:
        parts.append(_("{fee} per reablement episode, in the month it starts").format(fee=format_money(contract.episode_fee_pence)))
    upfront = contract.upfront_share
    if upfront:
        parts.append(_("{up} of each outcome fee when agreed, {rest} when a review finds it achieved").format(
            up=format_share(upfront), rest=format_share(1 - upfront)))
    else:
        parts.append(_("outcome fees paid in full when a review finds the outcome achieved"))
    if contract.partial_share:
        parts.append(_("{share} of the achievement part when partly achieved").format(share=format_share(contract.partial_share)))
    if contract.reward_share:
        parts.append(_("a reward pot of {share} of the envelope value, paid at each review in proportion to outcomes achieved").format(
            share=format_share(contract.reward_share)))
    if contract.hours_saved_share and contract.hours_saved_months:
        parts.append(_("{share} of hours saved through independence or community links, for {months} months").format(
            share=format_share(contract.hours_saved_share), months=contract.hours_saved_months))
    if contract.retainer_days:
        parts.append(_("the first {n} days of a hospital stay stay billable").format(n=contract.retainer_days))
    parts.append(_("unused hours may be banked for {n} weeks").format(n=contract.bank_expiry_weeks))
    summary = "; ".join(parts) + "."
    return summary[0].upper() + summary[1:]


def contract_as_dict(contract: Contract) -> dict:
    """Plain values for JSON output."""
    values = asdict(contract)
    return {k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in values.items()}
