"""The Reports menu: each Today figure as a table that exports to XLSX and prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from branchdesk.i18n import _
from branchdesk.models import reports
from branchdesk.models.clients import CATEGORY_NAMES
from branchdesk.models.dates import format_date, month_name, parse_month
from branchdesk.models.db import Store
from branchdesk.models.report_export import Column, Report
from branchdesk.models.today import Item, today_summary


def _items_report(title: str, sections: list[tuple[str, list[Item]]], on: dt.date) -> Report:
    rows = [{"kind": heading, "item": item.text} for heading, items in sections for item in items]
    return Report(title, [Column("kind", _("What")), Column("item", _("Detail"))], rows, _("As on {day}").format(day=format_date(on)))


def reviews_report(store: Store, on: dt.date) -> Report:
    summary = today_summary(store, on)
    return _items_report(_("Reviews overdue and due soon"), [
        (_("Overdue"), summary.overdue_reviews), (_("Due in the next 28 days"), summary.due_soon_reviews)], on)


def plans_report(store: Store, on: dt.date) -> Report:
    summary = today_summary(store, on)
    return _items_report(_("Plans above the envelope or cap, and continuity"), [
        (_("Planned above the envelope or cap"), summary.plans_over),
        (_("More than four workers last month"), summary.continuity_flags)], on)


def claims_report(store: Store, on: dt.date) -> Report:
    summary = today_summary(store, on)
    return _items_report(_("Claims to issue, post and chase"), [
        (_("To issue for last month"), summary.claims_to_issue),
        (_("To post"), summary.claims_to_post),
        (_("Unpaid after 30 days"), summary.claims_unpaid),
        (_("Pending adjustments"), summary.adjustments)], on)


def caseload_report(store: Store, on: dt.date) -> Report:
    columns = [Column("category", _("Category"))] + [
        Column(key, label, "int") for key, label in (
            ("council", _("Council")), ("direct_payment", _("Direct payment")), ("isf", _("ISF")),
            ("self_funder", _("Self-funder")), ("total", _("Total")))
    ]
    rows = [{**row, "category": CATEGORY_NAMES.get(row["category"], _("All clients"))}
            for row in reports.caseload_by_category_and_funding(store, on)]
    return Report(_("Caseload by category and funding"), columns, rows,
                  _("Clients in service on {day}").format(day=format_date(on)))


def capacity_report(store: Store, on: dt.date) -> Report:
    capacity = reports.capacity(store, on)
    row = {
        "clients": capacity.clients,
        "envelope": capacity.envelope_hours,
        "workers": capacity.workers,
        "contracted": capacity.contracted_hours,
        "spare": capacity.spare_hours,
        "used": capacity.used_share,
    }
    return Report(_("Capacity"), [
        Column("clients", _("Clients in service"), "int"), Column("envelope", _("Envelope hours a week"), "hours"),
        Column("workers", _("Workers"), "int"), Column("contracted", _("Contracted hours a week"), "hours"),
        Column("spare", _("Spare hours a week"), "hours"), Column("used", _("Used"), "share"),
    ], [row], _("On {day}").format(day=format_date(on)))


def claim_totals_report(store: Store, on: dt.date) -> Report:
    from branchdesk.models.schema import COMPONENTS

    names = {
        "core": _("Core"), "episode": _("Episode"), "outcome_upfront": _("Outcome upfront"),
        "outcome_achieved": _("Outcome achieved"), "outcome_partial": _("Outcome partly"), "reward": _("Reward"),
        "hours_saved": _("Hours saved"), "adjustment": _("Adjustment"),
    }
    columns = [Column("month", _("Month"))] + [Column(c, names[c], "money") for c in COMPONENTS] + [Column("total", _("Total"), "money")]
    rows = [{**row, "month": month_name(*parse_month(row["month"]))} for row in reports.claim_totals_by_component(store, on)]
    return Report(_("Claims issued by component, last 12 months"), columns, rows, _("Issued claims and credit notes"))


def achievement_report(store: Store, on: dt.date) -> Report:
    return Report(_("Outcome achievement by quarter"), [
        Column("quarter", _("Quarter")), Column("assessed", _("Assessed"), "int"), Column("achieved", _("Achieved"), "int"),
        Column("partly", _("Partly"), "int"), Column("not_achieved", _("Not achieved"), "int"),
        Column("ongoing", _("Ongoing"), "int"), Column("rate", _("Rate (partly counts half)"), "share"),
    ], reports.outcome_achievement_by_quarter(store, on), _("Outcomes assessed at reviews; withdrawn ones not counted"))


def reablement_report(store: Store, on: dt.date) -> Report:
    result = reports.reablement_result(store, on)
    rows = [
        {"measure": _("No further care within 42 days of the start"), "count": result.no_further_care_within_42,
         "of": result.ended, "share": result.no_further_care_share},
        {"measure": _("Still at home 91 days after the start (ASCOF 2B)"), "count": result.at_home_at_91,
         "of": result.counted_at_91, "share": result.at_home_share},
    ]
    return Report(_("Reablement result"), [
        Column("measure", _("Measure")), Column("count", _("People"), "int"), Column("of", _("Of"), "int"),
        Column("share", _("Share"), "share"),
    ], rows, _("Reablement episodes ended on or before {day}").format(day=format_date(on)))


#: (title, builder) in menu order
CATALOGUE: list[tuple[str, Callable[[Store, dt.date], Report]]] = [
    (_("Reviews overdue and due soon"), reviews_report),
    (_("Plans above the envelope, and continuity"), plans_report),
    (_("Claims to issue, post and chase"), claims_report),
    (_("Caseload by category and funding"), caseload_report),
    (_("Capacity"), capacity_report),
    (_("Claims by component, last 12 months"), claim_totals_report),
    (_("Outcome achievement by quarter"), achievement_report),
    (_("Reablement result"), reablement_report),
]
