"""The shapes of a monthly claim: its lines, its payments, the claim itself (SPEC §6).

Shared by the claim engine, the lifecycle, the printout, the spreadsheet and the screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from branchdesk.models.contracts import Contract
from branchdesk.models.dates import month_name, parse_month

CLAIM_STATUSES = ("draft", "issued", "posted", "paid", "queried")


@dataclass
class ClaimLine:
    """One line of a claim: one client, one component, one amount rounded once to the penny."""

    client_id: int | None
    client_ref: str
    council_ref: str
    client_name: str
    component: str  # one of schema.COMPONENTS
    description: str  # short, e.g. "Core: envelope hours, October 2026"
    explanation: str  # plain English a commissioner can check by hand
    amount_pence: int  # rounded once, half up
    adjusts_month: str | None = None  # for adjustment lines: the month corrected (YYYY-MM)
    adjusts_component: str | None = None  # for adjustment lines: the component corrected


@dataclass
class Payment:
    """Money received from the council against a claim (part payments allowed)."""

    paid_on: dt.date
    amount_pence: int
    note: str = ""


@dataclass
class Claim:
    """A contract's claim for one calendar month: a draft, or an issued (frozen) claim or credit note."""

    contract: Contract
    month: str  # YYYY-MM
    lines: list[ClaimLine]
    status: str = "draft"  # draft, issued, posted, paid, queried
    kind: str = "claim"  # claim or credit_note
    number: str | None = None
    id: int | None = None
    issued_on: dt.date | None = None
    issued_by: str = ""
    posted_on: dt.date | None = None
    queried_on: dt.date | None = None
    query_note: str = ""
    payments: list[Payment] = field(default_factory=list)
    credits_number: str | None = None  # for a credit note, the number of the claim it credits
    credit_reason: str = ""
    credited_by: list[str] = field(default_factory=list)  # numbers of credit notes against this claim
    credited_pence: int = 0  # the credit notes' totals (zero or negative)

    @property
    def total_pence(self) -> int:
        """The sum of the rounded lines."""
        return sum(line.amount_pence for line in self.lines)

    @property
    def paid_pence(self) -> int:
        return sum(payment.amount_pence for payment in self.payments)

    @property
    def balance_pence(self) -> int:
        """What the council still owes on this claim after credit notes and payments (negative when overpaid)."""
        return self.total_pence + self.credited_pence - self.paid_pence

    @property
    def contract_ref(self) -> str:
        return self.contract.ref

    @property
    def month_label(self) -> str:
        """``October 2026``."""
        return month_name(*parse_month(self.month))

    @property
    def is_issued(self) -> bool:
        return self.status != "draft"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    def lines_by_client(self) -> list[tuple[str, list[ClaimLine]]]:
        """Lines grouped by client ref, in print order (the order clients first appear)."""
        groups: dict[str, list[ClaimLine]] = {}
        for line in self.lines:
            groups.setdefault(line.client_ref, []).append(line)
        return list(groups.items())
