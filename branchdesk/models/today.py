"""What a branch manager checks first each morning, gathered in one pass over the branch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from branchdesk.i18n import _, ngettext
from branchdesk.models import claims as claim_store
from branchdesk.models import continuity, ideal_week, reports, reviews
from branchdesk.models.contracts import list_contracts
from branchdesk.models.dates import month_key, month_name, previous_month
from branchdesk.models.db import Store
from branchdesk.models.money import format_decimal, format_money

UNPAID_AFTER_DAYS = 30


@dataclass(frozen=True)
class Item:
    """One thing to deal with: a sentence, and where it is dealt with (``screen`` and ``key``)."""

    text: str
    screen: str
    key: object = None


@dataclass
class TodaySummary:
    on: dt.date
    overdue_reviews: list[Item] = field(default_factory=list)
    due_soon_reviews: list[Item] = field(default_factory=list)
    plans_over: list[Item] = field(default_factory=list)
    continuity_flags: list[Item] = field(default_factory=list)
    adjustments: list[Item] = field(default_factory=list)
    claims_to_issue: list[Item] = field(default_factory=list)
    claims_to_post: list[Item] = field(default_factory=list)
    claims_unpaid: list[Item] = field(default_factory=list)
    caseload: list[dict] = field(default_factory=list)
    capacity: reports.Capacity | None = None


def _review_items(store: Store, on: dt.date, summary: TodaySummary) -> None:
    for due in reviews.reviews_due(store, on=on):
        when = reviews.when_text(due)
        text = _("{name} ({ref}): {method} review {when}").format(name=due.client_name, ref=due.client_ref, method=due.method, when=when)
        item = Item(text, "client", due.client_id)
        (summary.overdue_reviews if due.state == "overdue" else summary.due_soon_reviews).append(item)


def _plan_items(store: Store, on: dt.date, summary: TodaySummary) -> None:
    for client in reports.in_service_clients(store, on):
        week = ideal_week.plan_on(store, client["id"], on)
        if week is None:
            continue
        check = ideal_week.check_plan(store, week.id, today=on)
        if check.above_cap:
            text = _("{name} ({ref}): plan of {planned} h/week is above the personal-budget cap of {cap} h").format(
                name=client["name"], ref=client["ref"], planned=format_decimal(check.planned_hours), cap=format_decimal(check.cap_hours))
            if check.override_reason:
                text += _(" (allowed: {reason})").format(reason=check.override_reason)
        elif check.above_envelope:
            text = _("{name} ({ref}): plan of {planned} h/week is above the envelope of {envelope} h").format(
                name=client["name"], ref=client["ref"], planned=format_decimal(check.planned_hours),
                envelope=format_decimal(check.envelope_hours))
        else:
            continue
        summary.plans_over.append(Item(text, "client", client["id"]))


def _continuity_items(store: Store, on: dt.date, summary: TodaySummary) -> None:
    year, month = previous_month(on.year, on.month)
    for line in continuity.flagged_clients(store, month_key(year, month)):
        summary.continuity_flags.append(Item(
            _("{name} ({ref}): {n} different workers in {month}").format(
                name=line.client_name, ref=line.client_ref, n=line.count, month=month_name(year, month)),
            "client", line.client_id))


def _claim_items(store: Store, on: dt.date, summary: TodaySummary) -> None:
    last_month = month_key(*previous_month(on.year, on.month))
    issued = claim_store.list_claims(store)
    for contract in list_contracts(store):
        if claim_store.issued_claim(store, contract, last_month) is None:
            draft = claim_store.build_claim(store, contract.ref, last_month)
            if draft.lines:
                summary.claims_to_issue.append(Item(
                    _("{ref} {month}: draft of {total} ready to check and issue").format(
                        ref=contract.ref, month=draft.month_label, total=format_money(draft.total_pence)),
                    "claims", (contract.ref, last_month)))
        pending = claim_store.pending_adjustments(store, contract.ref)
        if pending:
            total = sum(line.amount_pence for line in pending)
            summary.adjustments.append(Item(
                ngettext("{ref}: {n} pending adjustment, {total}, will go into the next claim",
                         "{ref}: {n} pending adjustments, {total} in all, will go into the next claim", len(pending)).format(
                    ref=contract.ref, n=len(pending), total=format_money(total)),
                "claims", (contract.ref, None)))
    for claim in issued:
        if claim.is_credit_note:
            continue
        if claim.posted_on is None and claim.status == "issued":
            summary.claims_to_post.append(Item(
                ngettext("{number} ({ref} {month}, {total}) issued {days} day ago, not yet posted",
                         "{number} ({ref} {month}, {total}) issued {days} days ago, not yet posted", (on - claim.issued_on).days).format(
                    number=claim.number, ref=claim.contract_ref, month=claim.month_label,
                    total=format_money(claim.total_pence), days=(on - claim.issued_on).days),
                "claims", (claim.contract_ref, claim.month)))
        sent = claim.posted_on or claim.issued_on
        if claim.balance_pence > 0 and sent and (on - sent).days > UNPAID_AFTER_DAYS:
            summary.claims_unpaid.append(Item(
                _("{number} ({ref} {month}): {balance} unpaid after {days} days").format(
                    number=claim.number, ref=claim.contract_ref, month=claim.month_label,
                    balance=format_money(claim.balance_pence), days=(on - sent).days),
                "claims", (claim.contract_ref, claim.month)))


def today_summary(store: Store, on: dt.date | None = None) -> TodaySummary:
    """Everything the Today screen shows, as of ``on`` (default today)."""
    on = on or dt.date.today()
    summary = TodaySummary(on)
    _review_items(store, on, summary)
    _plan_items(store, on, summary)
    _continuity_items(store, on, summary)
    _claim_items(store, on, summary)
    summary.caseload = reports.caseload_by_category_and_funding(store, on)
    summary.capacity = reports.capacity(store, on)
    return summary
