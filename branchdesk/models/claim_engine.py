"""The claim engine: every line a contract's clients earn in a calendar month (SPEC §6).

Pure computation over the branch file: the contract's data is read in a few queries, every
amount is worked out exactly in ``Decimal`` and each line is rounded once, half up. Each line
carries a plain-English explanation a commissioner can check by hand.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from branchdesk.i18n import _
from branchdesk.models.calendars import BillableDays, EnvelopeRow, Period, billable_days
from branchdesk.models.claim_types import ClaimLine
from branchdesk.models.contracts import Contract
from branchdesk.models.dates import (
    add_months,
    day_ranges,
    days_between,
    format_date,
    format_day_range,
    month_bounds,
    month_key,
    month_name,
    parse_month,
)
from branchdesk.models.db import Store
from branchdesk.models.money import format_decimal, format_money, format_share, pounds_to_pence
from branchdesk.models.schema import COMPONENTS

SEVEN = Decimal(7)
HALF = Decimal("0.5")
SAVING_REASONS = ("independence", "community_link")

COMPONENT_LABELS = {
    "core": _("core"),
    "episode": _("reablement episode"),
    "outcome_upfront": _("outcome fee when agreed"),
    "outcome_achieved": _("outcome achieved"),
    "outcome_partial": _("outcome partly achieved"),
    "reward": _("reward"),
    "hours_saved": _("hours saved"),
    "adjustment": _("adjustment"),
}

_SUSPENSION_WORDS = {
    "hospital": _("in hospital"),
    "respite": _("in respite care"),
    "holiday": _("on holiday"),
    "other": _("service suspended"),
}


# -- the contract's data, loaded once ---------------------------------------------------------
@dataclass
class OutcomeData:
    id: int
    ref: str
    description: str
    agreed: dt.date
    target: dt.date | None
    fee_pence: int
    #: (review date, status) for every review that assessed it, oldest first
    assessments: list[tuple[dt.date, str]] = field(default_factory=list)


@dataclass
class ReviewData:
    id: int
    date: dt.date
    statuses: list[str] = field(default_factory=list)  # one per outcome assessed


@dataclass
class ClientData:
    id: int
    ref: str
    council_ref: str
    name: str
    category: str
    start: dt.date
    end: dt.date | None
    envelopes: list[EnvelopeRow] = field(default_factory=list)  # oldest first
    suspensions: list[Period] = field(default_factory=list)
    outcomes: list[OutcomeData] = field(default_factory=list)
    reviews: list[ReviewData] = field(default_factory=list)  # oldest first
    #: month (YYYY-MM) → (completed visits, minutes)
    delivered: dict[str, tuple[int, int]] = field(default_factory=dict)

    def line(self, component: str, description: str, explanation: str, amount: Decimal) -> ClaimLine:
        return ClaimLine(
            client_id=self.id,
            client_ref=self.ref,
            council_ref=self.council_ref,
            client_name=self.name,
            component=component,
            description=description,
            explanation=explanation,
            amount_pence=pounds_to_pence(amount),
        )


def natural_key(text: str) -> tuple:
    """Sort ``C2`` before ``C10``."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def visit_minutes(minutes: int | None, actual_start: str | None, actual_end: str | None) -> int:
    """A visit's minutes: as recorded, or from its actual start and end (an end before the start is the next day)."""
    if minutes is not None:
        return int(minutes)
    if not actual_start or not actual_end:
        return 0
    try:
        start_h, start_m = (int(x) for x in actual_start.split(":")[:2])
        end_h, end_m = (int(x) for x in actual_end.split(":")[:2])
    except ValueError:
        return 0
    span = (end_h * 60 + end_m) - (start_h * 60 + start_m)
    return span + 24 * 60 if span < 0 else span


def load_clients(store: Store, contract: Contract, months: Iterable[str] = ()) -> list[ClientData]:
    """Every client of the contract with everything the claim rules need, in a few queries.

    ``months`` (YYYY-MM) names the months whose completed visits are wanted (delivered basis).
    """
    cid = contract.id
    clients: dict[int, ClientData] = {}
    for row in store.rows(
        "SELECT id, ref, council_ref, name, category, start_date, end_date FROM clients WHERE contract_id = ?",
        (cid,),
    ):
        clients[row["id"]] = ClientData(
            id=row["id"],
            ref=row["ref"],
            council_ref=row["council_ref"],
            name=row["name"],
            category=row["category"],
            start=_date(row["start_date"]),
            end=_date(row["end_date"]),
        )
    if not clients:
        return []
    for row in store.rows(
        "SELECT e.client_id, e.effective_date, e.hours_per_week, e.band, e.reason FROM envelopes e"
        " JOIN clients c ON c.id = e.client_id WHERE c.contract_id = ? ORDER BY e.client_id, e.effective_date",
        (cid,),
    ):
        clients[row["client_id"]].envelopes.append(
            EnvelopeRow(_date(row["effective_date"]), Decimal(row["hours_per_week"]), row["band"], row["reason"])
        )
    for row in store.rows(
        "SELECT s.client_id, s.start_date, s.end_date, s.reason FROM suspensions s"
        " JOIN clients c ON c.id = s.client_id WHERE c.contract_id = ? ORDER BY s.start_date, s.end_date",
        (cid,),
    ):
        clients[row["client_id"]].suspensions.append(Period(_date(row["start_date"]), _date(row["end_date"]), row["reason"]))
    outcomes: dict[int, OutcomeData] = {}
    for row in store.rows(
        "SELECT o.id, o.client_id, o.ref, o.description, o.agreed_date, o.target_date, o.fee_pence FROM outcomes o"
        " JOIN clients c ON c.id = o.client_id WHERE c.contract_id = ? ORDER BY o.agreed_date, o.id",
        (cid,),
    ):
        outcome = OutcomeData(
            id=row["id"],
            ref=row["ref"],
            description=row["description"],
            agreed=_date(row["agreed_date"]),
            target=_date(row["target_date"]),
            fee_pence=row["fee_pence"],
        )
        outcomes[outcome.id] = outcome
        clients[row["client_id"]].outcomes.append(outcome)
    reviews: dict[int, ReviewData] = {}
    for row in store.rows(
        "SELECT r.id, r.client_id, r.review_date FROM reviews r JOIN clients c ON c.id = r.client_id"
        " WHERE c.contract_id = ? ORDER BY r.review_date",
        (cid,),
    ):
        review = ReviewData(row["id"], _date(row["review_date"]))
        reviews[review.id] = review
        clients[row["client_id"]].reviews.append(review)
    for row in store.rows(
        "SELECT ro.review_id, ro.outcome_id, ro.status, r.review_date FROM review_outcomes ro"
        " JOIN reviews r ON r.id = ro.review_id JOIN clients c ON c.id = r.client_id"
        " WHERE c.contract_id = ? ORDER BY r.review_date",
        (cid,),
    ):
        reviews[row["review_id"]].statuses.append(row["status"])
        if row["outcome_id"] in outcomes:
            outcomes[row["outcome_id"]].assessments.append((_date(row["review_date"]), row["status"]))
    months = sorted(set(months))
    if contract.core_basis == "delivered" and months:
        first = month_bounds(*parse_month(months[0]))[0]
        last = month_bounds(*parse_month(months[-1]))[1]
        for row in store.rows(
            "SELECT v.client_id, substr(v.visit_date, 1, 7) AS month, v.minutes, v.actual_start, v.actual_end"
            " FROM visits v JOIN clients c ON c.id = v.client_id"
            " WHERE c.contract_id = ? AND v.status = 'completed' AND v.visit_date BETWEEN ? AND ?",
            (cid, first.isoformat(), last.isoformat()),
        ):
            client = clients[row["client_id"]]
            count, minutes = client.delivered.get(row["month"], (0, 0))
            client.delivered[row["month"]] = (
                count + 1,
                minutes + visit_minutes(row["minutes"], row["actual_start"], row["actual_end"]),
            )
    return sorted(clients.values(), key=lambda c: natural_key(c.ref))


# -- billable days and envelope segments ------------------------------------------------------
def client_billable_days(client: ClientData, first: dt.date, last: dt.date, retainer_days: int) -> BillableDays:
    """``calendars.billable_days`` for one client over ``first``..``last``."""
    touching = [p for p in client.suspensions if p.start <= last and p.end >= first]
    if touching:
        return billable_days(first, last, client.start, client.end, touching, retainer_days)
    lo = max(first, client.start)
    hi = last if client.end is None else min(last, client.end)
    return BillableDays(days=list(days_between(lo, hi)) if lo <= hi else [])


def segments(days: list[dt.date], envelopes: list[EnvelopeRow], key: Callable[[EnvelopeRow | None], object]):
    """Runs of consecutive ``days`` (sorted) that share the same ``key`` of the envelope in force.

    Returns ``[(envelope or None, [days...]), ...]``; the envelope on a day is the row with the
    latest effective date on or before it.
    """
    effective = [row.effective for row in envelopes]
    result: list[tuple[EnvelopeRow | None, list[dt.date]]] = []
    last_key = object()
    for day in days:
        index = bisect.bisect_right(effective, day) - 1
        row = envelopes[index] if index >= 0 else None
        this_key = key(row)
        if result and this_key == last_key:
            result[-1][1].append(day)
        else:
            result.append((row, [day]))
            last_key = this_key
    return result


def ranges_text(days: Iterable[dt.date]) -> str:
    """``1–17 Oct, 20–31 Oct``."""
    return ", ".join(format_day_range(a, b) for a, b in day_ranges(days))


def _hours(value: Decimal) -> str:
    return f"{format_decimal(value)} h/week"


def _days(count: int) -> str:
    return _("1 day") if count == 1 else _("{n} days").format(n=count)


def service_notes(client: ClientData, first: dt.date, last: dt.date, billable: BillableDays) -> list[str]:
    """Why some days of ``first``..``last`` are not billable: service start/end and suspensions."""
    notes = []
    if first < client.start <= last:
        notes.append(_("service started {day}").format(day=format_day_range(client.start, client.start)))
    if client.end is not None and first <= client.end < last:
        notes.append(_("service ended {day}").format(day=format_day_range(client.end, client.end)))
    periods = sorted(set(billable.suspended) | set(billable.retained), key=lambda p: (p.start, p.end))
    for period in periods:
        inside = sorted(billable.suspended.get(period, []) + billable.retained.get(period, []))
        text = f"{_SUSPENSION_WORDS.get(period.reason, period.reason)} {ranges_text(inside)}"
        if period.start < first:
            text += _(" (since {day})").format(day=format_date(period.start))
        kept = billable.retained.get(period, [])
        if kept:
            text += _(" ({n} retainer {days} billable: {ranges})").format(
                n=len(kept), days=_("day") if len(kept) == 1 else _("days"), ranges=ranges_text(kept))
        notes.append(text)
    return notes


def _envelope_product(segs, value: Callable[[EnvelopeRow | None], Decimal], unit: Callable[[Decimal], str]):
    """(Σ days × value, the terms as text) for envelope segments."""
    total = Decimal(0)
    terms = []
    for row, days in segs:
        amount = value(row)
        total += len(days) * amount
        terms.append((days, amount, unit(amount)))
    return total, terms


def _days_times(terms) -> str:
    """``17 days × 10.5 h/week`` or ``(14 days × 10.5 h/week + 17 days × 8 h/week)``."""
    parts = [f"{_days(len(days))} × {unit}" for days, _amount, unit in terms]
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def _segment_list(terms) -> str:
    """``1–14 Oct at 10.5 h/week; 15–31 Oct at 8 h/week`` when the envelope changes."""
    return "; ".join(f"{ranges_text(days)} at {unit}" for days, _amount, unit in terms)


# -- the components -----------------------------------------------------------------------------
class MonthContext:
    """One month of one contract: the rules of SPEC §6 applied to each client."""

    def __init__(self, contract: Contract, year: int, month: int):
        self.contract = contract
        self.key = month_key(year, month)
        self.label = month_name(year, month)
        self.first, self.last = month_bounds(year, month)
        self.rate = contract.hourly_rate
        self.rate_text = format_money(contract.hourly_rate_pence)

    def in_month(self, day: dt.date | None) -> bool:
        return day is not None and self.first <= day <= self.last

    def lines_for(self, client: ClientData) -> list[ClaimLine]:
        lines: list[ClaimLine | None] = [self.core(client), self.episode(client)]
        lines += self.outcome_lines(client)
        lines += self.reward_lines(client)
        lines += self.hours_saved_lines(client)
        return [line for line in lines if line is not None and line.amount_pence != 0]

    # core -----------------------------------------------------------------------------------
    def core(self, client: ClientData) -> ClaimLine | None:
        basis = self.contract.core_basis
        if basis == "delivered":
            return self.core_delivered(client)
        if basis not in ("envelope", "band"):
            return None
        billable = client_billable_days(client, self.first, self.last, self.contract.retainer_days)
        if not billable.days:
            return None
        where = "; ".join([ranges_text(billable.days), *service_notes(client, self.first, self.last, billable)])
        counted = _("{n} billable {days} ({where})").format(
            n=len(billable.days), days=_("day") if len(billable.days) == 1 else _("days"), where=where)
        if basis == "envelope":
            return self.core_envelope(client, billable, counted)
        return self.core_band(client, billable, counted)

    def core_envelope(self, client: ClientData, billable: BillableDays, counted: str) -> ClaimLine:
        share = self.contract.effective_core_share
        segs = segments(billable.days, client.envelopes, key=lambda row: row.hours if row else None)
        day_hours, terms = _envelope_product(segs, lambda row: row.hours if row else Decimal(0), _hours)
        amount = day_hours * self.rate * share / SEVEN
        share_text = f" × {format_share(share)}" if share != 1 else ""
        if len(terms) == 1:
            sum_text = f"{counted} × {terms[0][2]} × {self.rate_text}{share_text} ÷ 7"
        else:
            sum_text = f"{counted}: {_segment_list(terms)}; {_days_times(terms)} × {self.rate_text}{share_text} ÷ 7"
        return client.line(
            "core",
            _("Core: envelope hours, {month}").format(month=self.label),
            f"{sum_text} = {format_money(pounds_to_pence(amount))}",
            amount,
        )

    def core_band(self, client: ClientData, billable: BillableDays, counted: str) -> ClaimLine:
        rates = self.contract.band_rates

        def weekly(row: EnvelopeRow | None) -> Decimal:
            return Decimal(rates.get(row.band, 0)) / 100 if row and row.band else Decimal(0)

        def unit(row_rate: Decimal) -> str:
            return f"{format_money(pounds_to_pence(row_rate))}/week"

        segs = segments(billable.days, client.envelopes, key=lambda row: row.band if row else None)
        total, terms = _envelope_product(segs, weekly, unit)
        bands = [_("band {band}").format(band=row.band) if row and row.band else _("no band recorded")
                 for row, _days_list in segs]
        described = [f"{unit(amount)} ({band})" for (days, amount, _u), band in zip(terms, bands, strict=True)]
        if len(terms) == 1:
            sum_text = f"{counted} × {described[0]} ÷ 7"
        else:
            listing = "; ".join(f"{ranges_text(days)} at {text}" for (days, _a, _u), text in zip(terms, described, strict=True))
            sum_text = f"{counted}: {listing}; {_days_times(terms)} ÷ 7"
        amount = total / SEVEN
        return client.line(
            "core",
            _("Core: band rate, {month}").format(month=self.label),
            f"{sum_text} = {format_money(pounds_to_pence(amount))}",
            amount,
        )

    def core_delivered(self, client: ClientData) -> ClaimLine | None:
        count, minutes = client.delivered.get(self.key, (0, 0))
        if not minutes:
            return None
        hours = Decimal(minutes) / 60
        amount = hours * self.rate
        visits = _("1 completed visit") if count == 1 else _("{n} completed visits").format(n=count)
        return client.line(
            "core",
            _("Core: delivered hours, {month}").format(month=self.label),
            _("{visits} in {month}: {minutes} minutes ÷ 60 = {hours} h × {rate} = {amount}").format(
                visits=visits, month=self.label, minutes=minutes, hours=format_decimal(hours, 2),
                rate=self.rate_text, amount=format_money(pounds_to_pence(amount))),
            amount,
        )

    # episode --------------------------------------------------------------------------------
    def episode(self, client: ClientData) -> ClaimLine | None:
        fee = self.contract.episode_fee_pence
        if client.category != "reablement" or not fee or not self.in_month(client.start):
            return None
        return client.line(
            "episode",
            _("Reablement episode starting {day}").format(day=format_date(client.start)),
            _("Reablement service started {day}: one episode fee of {fee}").format(
                day=format_date(client.start), fee=format_money(fee)),
            Decimal(fee) / 100,
        )

    # outcomes -------------------------------------------------------------------------------
    def outcome_lines(self, client: ClientData) -> list[ClaimLine | None]:
        lines: list[ClaimLine | None] = []
        upfront = self.contract.upfront_share
        partial = self.contract.partial_share
        for outcome in client.outcomes:
            if not outcome.fee_pence:
                continue
            fee = Decimal(outcome.fee_pence) / 100
            fee_text = format_money(outcome.fee_pence)
            words = f"“{outcome.description}” ({outcome.ref})"
            if upfront and self.in_month(outcome.agreed):
                amount = fee * upfront
                lines.append(client.line(
                    "outcome_upfront",
                    _("Outcome {ref} agreed {day}: upfront share").format(ref=outcome.ref, day=format_date(outcome.agreed)),
                    _("Outcome {words} agreed {day}: fee {fee} × {share} upfront = {amount}").format(
                        words=words, day=format_date(outcome.agreed), fee=fee_text, share=format_share(upfront),
                        amount=format_money(pounds_to_pence(amount))),
                    amount,
                ))
            achieved_on = next((day for day, status in outcome.assessments if status == "achieved"), None)
            partly_on = next((day for day, status in outcome.assessments if status == "partly"), None)
            if partly_on is not None and achieved_on is not None and achieved_on < partly_on:
                partly_on = None  # already paid on achievement
            rest = fee * (1 - upfront)
            rest_text = (f"{fee_text} × {format_share(1 - upfront)} (" + _("the part not paid upfront") + ")"
                         if upfront else fee_text)
            partial_pence = pounds_to_pence(rest * partial) if partly_on is not None and partial else 0
            if partial_pence and self.in_month(partly_on):
                amount = rest * partial
                lines.append(client.line(
                    "outcome_partial",
                    _("Outcome {ref} partly achieved (review {day})").format(ref=outcome.ref, day=format_date(partly_on)),
                    _("Review on {day} found outcome {words} partly achieved: fee {rest} × {share} partial share = {amount}").format(
                        day=format_date(partly_on), words=words, rest=rest_text, share=format_share(partial),
                        amount=format_money(pounds_to_pence(amount))),
                    amount,
                ))
            if achieved_on is not None and self.in_month(achieved_on):
                amount = rest - Decimal(partial_pence) / 100
                text = _("Review on {day} found outcome {words} achieved: fee {rest}").format(
                    day=format_date(achieved_on), words=words, rest=rest_text)
                if partial_pence:
                    text += _(" − {paid} already paid when partly achieved (review {partly})").format(
                        paid=format_money(partial_pence), partly=format_date(partly_on))
                text += f" = {format_money(pounds_to_pence(amount))}"
                if outcome.target and achieved_on < outcome.target:
                    text += _(" (achieved before its target date {target}; paid in full)").format(
                        target=format_date(outcome.target))
                lines.append(client.line(
                    "outcome_achieved",
                    _("Outcome {ref} achieved (review {day})").format(ref=outcome.ref, day=format_date(achieved_on)),
                    text,
                    amount,
                ))
        return lines

    # reward ---------------------------------------------------------------------------------
    def reward_lines(self, client: ClientData) -> list[ClaimLine | None]:
        share = self.contract.reward_share
        if not share:
            return []
        lines: list[ClaimLine | None] = []
        for index, review in enumerate(client.reviews):
            if not self.in_month(review.date):
                continue
            assessed = [s for s in review.statuses if s != "withdrawn"]
            if not assessed:
                continue
            achieved = sum(1 for s in assessed if s == "achieved")
            partly = sum(1 for s in assessed if s == "partly")
            score = achieved + HALF * partly
            if not score:
                continue
            since = client.reviews[index - 1].date if index else client.start
            until = review.date - dt.timedelta(days=1)
            if until < since:
                continue
            billable = client_billable_days(client, since, until, self.contract.retainer_days)
            segs = segments(billable.days, client.envelopes, key=lambda row: row.hours if row else None)
            day_hours, terms = _envelope_product(segs, lambda row: row.hours if row else Decimal(0), _hours)
            value = day_hours * self.rate / SEVEN
            amount = value * share * score / len(assessed)
            if not terms:
                continue
            notes = service_notes(client, since, until, billable)
            window = _("{since} to {until}").format(since=format_date(since), until=format_date(until))
            billable_text = _("{n} billable {days}").format(
                n=len(billable.days), days=_("day") if len(billable.days) == 1 else _("days"))
            if notes:
                billable_text += " (" + "; ".join(notes) + ")"
            if len(terms) == 1:
                value_text = f"{billable_text} × {terms[0][2]} × {self.rate_text} ÷ 7"
            else:
                value_text = f"{billable_text}: {_segment_list(terms)}; {_days_times(terms)} × {self.rate_text} ÷ 7"
            counts = _("{a} achieved + ½ × {p} partly achieved, of {n} assessed").format(
                a=achieved, p=partly, n=_("1 outcome") if len(assessed) == 1 else _("{n} outcomes").format(n=len(assessed)))
            withdrawn = len(review.statuses) - len(assessed)
            if withdrawn:
                counts += _(" ({w} withdrawn not counted)").format(w=withdrawn)
            explanation = _(
                "Review on {day}: {counts}. Envelope value {window}: {value_text} = {value}; "
                "× {share} reward share × {score} ÷ {n} = {amount}"
            ).format(
                day=format_date(review.date), counts=counts, window=window, value_text=value_text,
                value=format_money(pounds_to_pence(value)), share=format_share(share),
                score=format_decimal(score), n=len(assessed), amount=format_money(pounds_to_pence(amount)),
            )
            lines.append(client.line(
                "reward",
                _("Reward at review {day}").format(day=format_date(review.date)),
                explanation,
                amount,
            ))
        return lines

    # hours saved ----------------------------------------------------------------------------
    def hours_saved_lines(self, client: ClientData) -> list[ClaimLine | None]:
        share = self.contract.hours_saved_share
        months = self.contract.hours_saved_months
        if not share or not months:
            return []
        lines: list[ClaimLine | None] = []
        for previous, row in zip(client.envelopes, client.envelopes[1:], strict=False):
            saved = previous.hours - row.hours
            if row.reason not in SAVING_REASONS or saved <= 0:
                continue
            stop = add_months(row.effective, months)  # not included
            lo = max(self.first, row.effective, client.start)
            hi = min(self.last, stop - dt.timedelta(days=1))
            if client.end is not None:
                hi = min(hi, client.end)
            if lo > hi:
                continue
            count = (hi - lo).days + 1
            amount = saved * self.rate * share / SEVEN * count
            reason = _("independence") if row.reason == "independence" else _("a community link")
            explanation = _(
                "Envelope reduced on {day} from {old} to {new} for {reason}: {saved} h/week saved × {rate} × {share} ÷ 7 "
                "× {count} in service ({ranges}; paid from {day} until {stop}, not included) = {amount}"
            ).format(
                day=format_date(row.effective), old=_hours(previous.hours), new=_hours(row.hours), reason=reason,
                saved=format_decimal(saved), rate=self.rate_text, share=format_share(share), count=_days(count),
                ranges=format_day_range(lo, hi), stop=format_date(stop), amount=format_money(pounds_to_pence(amount)),
            )
            lines.append(client.line(
                "hours_saved",
                _("Hours saved from {day} ({reason})").format(day=format_date(row.effective), reason=reason),
                explanation,
                amount,
            ))
        return lines


def _line_order(line: ClaimLine) -> tuple:
    return (natural_key(line.client_ref), COMPONENTS.index(line.component))


def sort_lines(lines: list[ClaimLine]) -> list[ClaimLine]:
    """Print order: by client ref, then component (stable within a component)."""
    return sorted(lines, key=_line_order)


def compute_months(store: Store, contract: Contract, months: Iterable[str]) -> dict[str, list[ClaimLine]]:
    """The computed (non-adjustment) lines of several months (YYYY-MM), loading the data once."""
    wanted = sorted(set(months))
    clients = load_clients(store, contract, wanted)
    result: dict[str, list[ClaimLine]] = {}
    for key in wanted:
        context = MonthContext(contract, *parse_month(key))
        lines: list[ClaimLine] = []
        for client in clients:
            lines.extend(context.lines_for(client))
        result[key] = sort_lines(lines)
    return result


def compute_month(store: Store, contract: Contract, year: int, month: int) -> list[ClaimLine]:
    """Every computed line of the contract's clients for one calendar month, in print order."""
    return compute_months(store, contract, [month_key(year, month)])[month_key(year, month)]
