"""Monthly claims from draft to paid: building, issuing, credit notes, adjustments (SPEC §6).

A draft is recomputed from the branch's data every time. Issuing numbers a claim
(``PREFIX-NNNN``, one sequence per contract shared with credit notes) and freezes its lines
and printed PDF; the store's triggers refuse any later change. When the data behind an issued
month changes, the difference per client and component is carried into the next claim as
``adjustment`` lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.claim_engine import (
    COMPONENT_LABELS,
    compute_months,
    load_clients,
    natural_key,
    sort_lines,
)
from branchdesk.models.claim_types import Claim, ClaimLine, Payment
from branchdesk.models.contracts import Contract, contract_by_ref, contract_from_row
from branchdesk.models.dates import (
    format_date,
    from_iso,
    month_key,
    month_name,
    parse_date,
    parse_month,
)
from branchdesk.models.db import Store
from branchdesk.models.errors import BranchDeskError, NotFound, ValidationError
from branchdesk.models.money import amount_string, format_money, pounds_to_pence
from branchdesk.models.schema import COMPONENTS


# -- reading ----------------------------------------------------------------------------------
def _month(text: str) -> str:
    """``YYYY-MM`` from what the user gave, or a plain error."""
    try:
        return month_key(*parse_month(text))
    except ValueError as error:
        raise BranchDeskError(_("{why}.").format(why=error)) from None


def _day(value, what: str) -> dt.date:
    try:
        return parse_date(value)
    except ValueError as error:
        raise ValidationError(_("The {what} is not a valid date: {why}.").format(what=what, why=error)) from None


def _line_from_row(row) -> ClaimLine:
    return ClaimLine(
        client_id=row["client_id"],
        client_ref=row["client_ref"],
        council_ref=row["council_ref"],
        client_name=row["client_name"],
        component=row["component"],
        description=row["description"],
        explanation=row["explanation"],
        amount_pence=row["amount_pence"],
        adjusts_month=row["adjusts_month"],
        adjusts_component=row["adjusts_component"],
    )


def _status(row, claim: Claim) -> str:
    if claim.payments and claim.balance_pence <= 0:
        return "paid"
    if row["queried_on"]:
        return "queried"
    if row["posted_on"]:
        return "posted"
    return "issued"


def _claims_from_rows(store: Store, rows) -> list[Claim]:
    """Issued claims and credit notes from ``claims`` rows, with lines, payments and credits."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ",".join("?" * len(ids))
    lines: dict[int, list[ClaimLine]] = defaultdict(list)
    for row in store.rows(f"SELECT * FROM claim_lines WHERE claim_id IN ({marks}) ORDER BY claim_id, position", ids):
        lines[row["claim_id"]].append(_line_from_row(row))
    payments: dict[int, list[Payment]] = defaultdict(list)
    for row in store.rows(f"SELECT * FROM claim_payments WHERE claim_id IN ({marks}) ORDER BY paid_on, id", ids):
        payments[row["claim_id"]].append(Payment(from_iso(row["paid_on"]), row["amount_pence"], row["note"]))
    credits: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in store.rows(
        f"SELECT credits_claim_id, number, total_pence FROM claims WHERE credits_claim_id IN ({marks}) ORDER BY seq", ids
    ):
        credits[row["credits_claim_id"]].append((row["number"], row["total_pence"]))
    numbers = {r["id"]: r["number"] for r in store.rows("SELECT id, number FROM claims WHERE kind = 'claim'")}
    contracts: dict[int, Contract] = {}
    result = []
    for row in rows:
        if row["contract_id"] not in contracts:
            contracts[row["contract_id"]] = contract_from_row(
                store.row("SELECT * FROM contracts WHERE id = ?", (row["contract_id"],)))
        claim = Claim(
            contract=contracts[row["contract_id"]],
            month=row["month"],
            lines=lines[row["id"]],
            kind=row["kind"],
            number=row["number"],
            id=row["id"],
            issued_on=from_iso(row["issued_on"]),
            issued_by=row["issued_by"],
            posted_on=from_iso(row["posted_on"]),
            queried_on=from_iso(row["queried_on"]),
            query_note=row["query_note"],
            payments=payments[row["id"]],
            credits_number=numbers.get(row["credits_claim_id"]),
            credit_reason=row["credit_reason"],
            credited_by=[number for number, _total in credits[row["id"]]],
            credited_pence=sum(total for _number, total in credits[row["id"]]),
        )
        claim.status = _status(row, claim)
        result.append(claim)
    return result


def get_claim(store: Store, claim_id: int) -> Claim:
    """An issued claim or credit note, as frozen."""
    row = store.row("SELECT * FROM claims WHERE id = ?", (claim_id,))
    if row is None:
        raise NotFound(_("That claim does not exist in this branch."))
    return _claims_from_rows(store, [row])[0]


def list_claims(store: Store) -> list[Claim]:
    """Every issued claim and credit note, newest first."""
    return _claims_from_rows(store, store.rows("SELECT * FROM claims ORDER BY issued_on DESC, id DESC"))


def issued_claim(store: Store, contract: Contract, month: str) -> Claim | None:
    """The claim issued for a contract's month, or None while it is a draft."""
    row = store.row("SELECT * FROM claims WHERE contract_id = ? AND month = ? AND kind = 'claim'", (contract.id, month))
    return _claims_from_rows(store, [row])[0] if row else None


# -- drafts and adjustments ---------------------------------------------------------------------
def _client_key(client_id: int | None, client_ref: str):
    return client_id if client_id is not None else ("ref", client_ref)


@dataclass
class _Settled:
    """What has been claimed so far for one client, component and month, and on which documents."""

    amount_pence: int = 0
    numbers: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    sample: ClaimLine | None = None


def _settled(store: Store, contract: Contract) -> dict[str, dict[tuple, _Settled]]:
    """month → (client, component) → what the issued claims, credit notes and adjustments hold for it."""
    result: dict[str, dict[tuple, _Settled]] = defaultdict(dict)
    for row in store.rows(
        "SELECT c.number, c.month, c.kind, l.* FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
        " WHERE c.contract_id = ? ORDER BY c.seq, l.position",
        (contract.id,),
    ):
        line = _line_from_row(row)
        if line.component == "adjustment":
            month, component = line.adjusts_month, line.adjusts_component
        else:
            month, component = row["month"], line.component
        entry = result[month].setdefault((_client_key(line.client_id, line.client_ref), component), _Settled())
        entry.amount_pence += line.amount_pence
        if row["number"] not in entry.numbers:
            entry.numbers.append(row["number"])
        if row["kind"] == "claim" and line.component != "adjustment":
            entry.explanations.append(line.explanation)
        entry.sample = entry.sample or line
    return result


def _issued_months(store: Store, contract: Contract, before: str | None) -> list[str]:
    sql = "SELECT month FROM claims WHERE contract_id = ? AND kind = 'claim'"
    params: tuple = (contract.id,)
    if before is not None:
        sql += " AND month < ?"
        params += (before,)
    return [row["month"] for row in store.rows(sql + " ORDER BY month", params)]


def _adjustment_lines(store: Store, contract: Contract, months: list[str], computed: dict[str, list[ClaimLine]]) -> list[ClaimLine]:
    """Adjustment lines for issued ``months``: recomputed now minus what was claimed for them."""
    settled = _settled(store, contract)
    lines: list[ClaimLine] = []
    for month in months:
        label = month_name(*parse_month(month))
        now: dict[tuple, list[ClaimLine]] = defaultdict(list)
        for line in computed.get(month, []):
            now[(_client_key(line.client_id, line.client_ref), line.component)].append(line)
        before = settled.get(month, {})
        keys = set(now) | set(before)
        for key in sorted(keys, key=lambda k: (natural_key(_sample(now, before, k).client_ref), COMPONENTS.index(k[1]))):
            now_lines = now.get(key, [])
            then = before.get(key, _Settled())
            now_pence = sum(line.amount_pence for line in now_lines)
            difference = now_pence - then.amount_pence
            if not difference:
                continue
            sample = _sample(now, before, key)
            component = key[1]
            claimed = format_money(then.amount_pence)
            if then.numbers:
                claimed += " (" + ", ".join(then.numbers) + ")"
            explanation = _("Claimed so far for {month}: {claimed}; recomputed now: {now}; difference {diff}.").format(
                month=label, claimed=claimed, now=format_money(now_pence), diff=format_money(difference))
            was = " / ".join(then.explanations)
            if was and was != " / ".join(line.explanation for line in now_lines):
                explanation += " " + _("Was: {was}.").format(was=was)
            if now_lines:
                explanation += " " + _("Now: {now}.").format(now=" / ".join(line.explanation for line in now_lines))
            else:
                explanation += " " + _("Now: nothing is due for this.")
            lines.append(ClaimLine(
                client_id=sample.client_id,
                client_ref=sample.client_ref,
                council_ref=sample.council_ref,
                client_name=sample.client_name,
                component="adjustment",
                description=_("Adjustment for {month}: {what}").format(month=label, what=COMPONENT_LABELS[component]),
                explanation=explanation,
                amount_pence=difference,
                adjusts_month=month,
                adjusts_component=component,
            ))
    return lines


def _sample(now: dict[tuple, list[ClaimLine]], before: dict[tuple, _Settled], key: tuple) -> ClaimLine:
    return now[key][0] if now.get(key) else before[key].sample


def draft_claim(store: Store, contract: Contract, month: str) -> Claim:
    """The month's lines computed from the current data, plus every pending adjustment of earlier issued months."""
    earlier = _issued_months(store, contract, before=month)
    computed = compute_months(store, contract, [month, *earlier])
    lines = computed[month] + _adjustment_lines(store, contract, earlier, computed)
    return Claim(contract=contract, month=month, lines=sort_lines(lines))


def build_claim(store: Store, contract_ref: str, month: str) -> Claim:
    """A contract's claim for a month: the frozen claim when issued, otherwise a fresh draft."""
    contract = contract_by_ref(store, contract_ref)
    month = _month(month)
    return issued_claim(store, contract, month) or draft_claim(store, contract, month)


def pending_adjustments(store: Store, contract_ref: str) -> list[ClaimLine]:
    """Differences found since issue in every issued month, waiting for the next claim."""
    contract = contract_by_ref(store, contract_ref)
    months = _issued_months(store, contract, before=None)
    if not months:
        return []
    return sort_lines(_adjustment_lines(store, contract, months, compute_months(store, contract, months)))


# -- issuing -----------------------------------------------------------------------------------
def _render_pdf(store: Store, claim: Claim) -> bytes:
    from branchdesk.models.claim_pdf import render_claim_pdf

    return render_claim_pdf(store, claim)


def _insert_issued(store: Store, claim: Claim, on: dt.date, credits_claim_id: int | None = None) -> int:
    """Number, store, print and seal a claim or credit note (inside the caller's transaction)."""
    contract = claim.contract
    seq = (store.value("SELECT MAX(seq) FROM claims WHERE contract_id = ?", (contract.id,)) or 0) + 1
    number = f"{contract.prefix}-{seq:04d}"
    if store.value("SELECT 1 FROM claims WHERE number = ?", (number,)):
        raise BranchDeskError(_(
            "The claim number {number} is already used by another contract. Give contract {ref} its own claim "
            "number prefix, then issue again.").format(number=number, ref=contract.ref))
    claim.number, claim.issued_on, claim.issued_by, claim.status = number, on, store.user, "issued"
    cursor = store.conn.execute(
        "INSERT INTO claims (contract_id, month, kind, seq, number, issued_on, issued_by, total_pence, sealed,"
        " credits_claim_id, credit_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (contract.id, claim.month, claim.kind, seq, number, on.isoformat(), store.user, claim.total_pence,
         credits_claim_id, claim.credit_reason),
    )
    claim.id = cursor.lastrowid
    store.conn.executemany(
        "INSERT INTO claim_lines (claim_id, position, client_id, client_ref, council_ref, client_name, component,"
        " description, explanation, amount_pence, adjusts_month, adjusts_component)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (claim.id, position, line.client_id, line.client_ref, line.council_ref, line.client_name, line.component,
             line.description, line.explanation, line.amount_pence, line.adjusts_month, line.adjusts_component)
            for position, line in enumerate(claim.lines, start=1)
        ],
    )
    store.conn.execute("UPDATE claims SET pdf = ?, sealed = 1 WHERE id = ?", (_render_pdf(store, claim), claim.id))
    return claim.id


def issue_claim(store: Store, contract_ref: str, month: str, on: dt.date | None = None) -> Claim:
    """Issue a month's claim: number it, freeze its lines and printout. One transaction.

    The write lock is taken before the number is chosen, so two windows issuing at once
    cannot take the same number or leave a gap.
    """
    contract = contract_by_ref(store, contract_ref)
    month = _month(month)
    on = on or dt.date.today()
    label = month_name(*parse_month(month))
    with store.transaction():
        already = store.value(
            "SELECT number FROM claims WHERE contract_id = ? AND month = ? AND kind = 'claim'", (contract.id, month))
        if already:
            raise BranchDeskError(_("The {month} claim for contract {ref} was already issued as {number}; "
                                    "an issued claim cannot be issued again.").format(month=label, ref=contract.ref, number=already))
        claim = draft_claim(store, contract, month)
        if not claim.lines:
            raise BranchDeskError(_("There is nothing to claim for contract {ref} in {month}, so no claim was issued.").format(
                ref=contract.ref, month=label))
        claim_id = _insert_issued(store, claim, on)
        store.audit(
            "create", "claim", claim_id,
            _("Claim {number} issued for {ref}, {month}: {total}").format(
                number=claim.number, ref=contract.ref, month=label, total=format_money(claim.total_pence)),
            new={"number": claim.number, "contract": contract.ref, "month": month, "issued_on": on.isoformat(),
                 "total": amount_string(claim.total_pence), "lines": len(claim.lines)},
        )
    return get_claim(store, claim_id)


def issue_credit_note(store: Store, claim_id: int, reason: str, on: dt.date | None = None) -> Claim:
    """Cancel an issued claim in full with a credit note: its lines negated, the next number in the sequence."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the claim is being credited; the reason is printed on the credit note."))
    on = on or dt.date.today()
    with store.transaction():
        original = get_claim(store, claim_id)
        if original.is_credit_note:
            raise BranchDeskError(_("{number} is a credit note; only a claim can be credited.").format(number=original.number))
        if original.credited_by:
            raise BranchDeskError(_("Claim {number} has already been credited by {credit}.").format(
                number=original.number, credit=", ".join(original.credited_by)))
        lines = [
            ClaimLine(
                client_id=line.client_id,
                client_ref=line.client_ref,
                council_ref=line.council_ref,
                client_name=line.client_name,
                component=line.component,
                description=line.description,
                explanation=_("Credits this line of claim {number}: {explanation}").format(
                    number=original.number, explanation=line.explanation),
                amount_pence=-line.amount_pence,
                adjusts_month=line.adjusts_month,
                adjusts_component=line.adjusts_component,
            )
            for line in original.lines
        ]
        credit = Claim(contract=original.contract, month=original.month, lines=lines, kind="credit_note",
                       credits_number=original.number, credit_reason=reason)
        credit_id = _insert_issued(store, credit, on, credits_claim_id=original.id)
        store.audit(
            "create", "claim", credit_id,
            _("Credit note {number} issued against claim {original}: {total}").format(
                number=credit.number, original=original.number, total=format_money(credit.total_pence)),
            new={"number": credit.number, "credits": original.number, "reason": reason, "issued_on": on.isoformat(),
                 "total": amount_string(credit.total_pence)},
        )
    return get_claim(store, credit_id)


# -- after issue: posting, payments, queries ----------------------------------------------------
def _issued_for_update(store: Store, claim_id: int, when: dt.date, what: str) -> Claim:
    claim = get_claim(store, claim_id)
    if when < claim.issued_on:
        raise ValidationError(_("The {what} ({day}) is before claim {number} was issued ({issued}).").format(
            what=what, day=format_date(when), number=claim.number, issued=format_date(claim.issued_on)))
    return claim


def record_posting(store: Store, claim_id: int, posted_on) -> Claim:
    """Record the day the printed claim was posted to the council."""
    posted_on = _day(posted_on, _("posting date"))
    with store.transaction():
        claim = _issued_for_update(store, claim_id, posted_on, _("posting date"))
        store.conn.execute("UPDATE claims SET posted_on = ? WHERE id = ?", (posted_on.isoformat(), claim_id))
        store.audit("update", "claim", claim_id, _("Claim {number} posted on {day}").format(
            number=claim.number, day=format_date(posted_on)),
            old={"posted_on": claim.posted_on and claim.posted_on.isoformat()}, new={"posted_on": posted_on.isoformat()})
    return get_claim(store, claim_id)


def record_payment(store: Store, claim_id: int, paid_on, amount_pence: int, note: str = "") -> Claim:
    """Record money received against a claim; a part payment leaves a balance."""
    paid_on = _day(paid_on, _("payment date"))
    if not isinstance(amount_pence, int) or isinstance(amount_pence, bool) or amount_pence == 0:
        raise ValidationError(_("Enter the amount received, in pounds and pence."))
    with store.transaction():
        claim = _issued_for_update(store, claim_id, paid_on, _("payment date"))
        if claim.is_credit_note:
            raise BranchDeskError(_("{number} is a credit note; record payments against the claim it credits ({original}).").format(
                number=claim.number, original=claim.credits_number))
        payment_id = store.conn.execute(
            "INSERT INTO claim_payments (claim_id, paid_on, amount_pence, note) VALUES (?, ?, ?, ?)",
            (claim_id, paid_on.isoformat(), amount_pence, (note or "").strip()),
        ).lastrowid
        store.audit("create", "claim_payment", payment_id, _("Payment of {amount} on {day} recorded against claim {number}").format(
            amount=format_money(amount_pence), day=format_date(paid_on), number=claim.number),
            new={"claim": claim.number, "paid_on": paid_on.isoformat(), "amount": amount_string(amount_pence),
                 "note": (note or "").strip()})
    return get_claim(store, claim_id)


def record_query(store: Store, claim_id: int, note: str, on=None) -> Claim:
    """Record that the council queried a claim, and what they asked."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write down what the council queried."))
    on = _day(on or dt.date.today(), _("query date"))
    with store.transaction():
        claim = _issued_for_update(store, claim_id, on, _("query date"))
        store.conn.execute("UPDATE claims SET queried_on = ?, query_note = ? WHERE id = ?", (on.isoformat(), note, claim_id))
        store.audit("update", "claim", claim_id, _("Claim {number} queried on {day}").format(
            number=claim.number, day=format_date(on)),
            old={"queried_on": claim.queried_on and claim.queried_on.isoformat(), "query_note": claim.query_note},
            new={"queried_on": on.isoformat(), "query_note": note})
    return get_claim(store, claim_id)


# -- files -------------------------------------------------------------------------------------
def claim_pdf_bytes(store: Store, claim_id: int) -> bytes:
    """The printout exactly as issued, for a reprint."""
    pdf = store.value("SELECT pdf FROM claims WHERE id = ?", (claim_id,))
    if pdf is None:
        raise NotFound(_("That claim has no stored printout."))
    return bytes(pdf)


def _write(path: Path, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise BranchDeskError(_("The file “{path}” could not be written ({why}). Choose another folder.").format(
            path=path, why=error.strerror or error)) from None


def write_claim_pdf(store: Store, claim: Claim, path: Path) -> None:
    """Save the printout: the frozen one for an issued claim, a fresh one for a draft."""
    data = claim_pdf_bytes(store, claim.id) if claim.id is not None else _render_pdf(store, claim)
    _write(path, data)


def write_claim_xlsx(store: Store, claim: Claim, path: Path) -> None:
    """Save the claim's lines as a spreadsheet for the council's finance team."""
    from branchdesk.models.claim_xlsx import write_claim_xlsx as write

    try:
        write(claim, Path(path))
    except OSError as error:
        raise BranchDeskError(_("The file “{path}” could not be written ({why}). Choose another folder.").format(
            path=path, why=error.strerror or error)) from None


# -- output for the command line ---------------------------------------------------------------
def format_total(claim: Claim) -> str:
    return format_money(claim.total_pence)


def claim_as_json(claim: Claim) -> dict:
    """The claim as SPEC §10 prints it."""
    return {
        "contract": claim.contract_ref,
        "month": claim.month,
        "status": claim.status,
        "number": claim.number,
        "lines": [
            {
                "client_ref": line.client_ref,
                "component": line.component,
                "description": line.description,
                "explanation": line.explanation,
                "amount": amount_string(line.amount_pence),
            }
            for line in claim.lines
        ],
        "total": amount_string(claim.total_pence),
    }


def claim_title(claim: Claim) -> str:
    if claim.is_credit_note:
        return _("Credit note {number} (credits {original}), contract {ref}, {month}").format(
            number=claim.number, original=claim.credits_number, ref=claim.contract_ref, month=claim.month_label)
    if claim.number:
        return _("Claim {number}, contract {ref}, {month} ({status})").format(
            number=claim.number, ref=claim.contract_ref, month=claim.month_label, status=claim.status)
    return _("Draft claim, contract {ref}, {month}").format(ref=claim.contract_ref, month=claim.month_label)


def claim_as_text(claim: Claim) -> str:
    """A readable listing: lines grouped by client with subtotals and the total."""
    out = [claim_title(claim)]
    if not claim.lines:
        out.append(_("Nothing to claim for this month."))
    for client_ref, lines in claim.lines_by_client():
        first = lines[0]
        out.append("")
        out.append(f"{client_ref}  {first.council_ref}  {first.client_name}".rstrip())
        for line in lines:
            out.append(f"  {format_money(line.amount_pence):>12}  {line.description}")
            out.append(f"                {line.explanation}")
        out.append(f"  {format_money(sum(line.amount_pence for line in lines)):>12}  " + _("subtotal"))
    out.append("")
    out.append(_("Total: {total}").format(total=format_total(claim)))
    return "\n".join(out)


def summary_as_json(claim: Claim) -> dict:
    """One issued claim or credit note for ``claim list --json``."""
    return {
        "number": claim.number,
        "kind": claim.kind,
        "contract": claim.contract_ref,
        "month": claim.month,
        "status": claim.status,
        "issued_on": claim.issued_on.isoformat() if claim.issued_on else None,
        "posted_on": claim.posted_on.isoformat() if claim.posted_on else None,
        "total": amount_string(claim.total_pence),
        "paid": amount_string(claim.paid_pence),
        "balance": amount_string(claim.balance_pence),
        "credits": claim.credits_number,
        "credited_by": claim.credited_by,
    }


def list_as_text(claims: list[Claim]) -> list[str]:
    """One line per issued claim or credit note, for ``claim list``."""
    if not claims:
        return [_("No claims have been issued yet.")]
    out = []
    for claim in claims:
        kind = _("credit note") if claim.is_credit_note else _("claim")
        text = (f"{claim.number:<14} {kind:<11} {claim.contract_ref:<8} {claim.month}  "
                + _("issued {day}").format(day=format_date(claim.issued_on))
                + f"  {format_total(claim):>12}  {claim.status}")
        if claim.is_credit_note:
            text += "  " + _("credits {number}").format(number=claim.credits_number)
        elif claim.payments or claim.credited_by:
            text += "  " + _("balance {amount}").format(amount=format_money(claim.balance_pence))
        out.append(text)
    return out


# -- comparison with time and task --------------------------------------------------------------
@dataclass
class ComparisonRow:
    client_ref: str
    council_ref: str
    client_name: str
    delivered_minutes: int
    time_and_task_pence: int  # delivered hours × hourly rate, rounded once
    claim_pence: int  # this month's claim lines for the client

    @property
    def delivered_hours(self) -> Decimal:
        return Decimal(self.delivered_minutes) / 60

    @property
    def difference_pence(self) -> int:
        return self.claim_pence - self.time_and_task_pence


@dataclass
class Comparison:
    contract: Contract
    month: str
    rows: list[ComparisonRow]

    @property
    def time_and_task_pence(self) -> int:
        return sum(row.time_and_task_pence for row in self.rows)

    @property
    def claim_pence(self) -> int:
        return sum(row.claim_pence for row in self.rows)

    @property
    def difference_pence(self) -> int:
        return self.claim_pence - self.time_and_task_pence


def time_and_task_comparison(store: Store, contract_ref: str, month: str) -> Comparison:
    """What the month would have cost per delivered hour at the contract rate, beside this claim, per client."""
    claim = build_claim(store, contract_ref, month)
    contract = claim.contract
    clients = load_clients(store, dataclasses.replace(contract, core_basis="delivered"), [claim.month])
    claimed: dict[str, int] = defaultdict(int)
    names: dict[str, ClaimLine] = {}
    for line in claim.lines:
        claimed[line.client_ref] += line.amount_pence
        names.setdefault(line.client_ref, line)
    rows: dict[str, ComparisonRow] = {}
    for client in clients:
        _count, minutes = client.delivered.get(claim.month, (0, 0))
        if not minutes and client.ref not in claimed:
            continue
        rows[client.ref] = ComparisonRow(
            client.ref, client.council_ref, client.name, minutes,
            pounds_to_pence(Decimal(minutes) / 60 * contract.hourly_rate), claimed.get(client.ref, 0))
    for ref, total in claimed.items():
        if ref not in rows:
            line = names[ref]
            rows[ref] = ComparisonRow(ref, line.council_ref, line.client_name, 0, 0, total)
    ordered = sorted(rows.values(), key=lambda row: natural_key(row.client_ref))
    return Comparison(contract, claim.month, ordered)
