"""Today: what a branch manager checks first each morning. Every item clicks through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from html import escape

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models import reports
from branchdesk.models.branch import get_branch
from branchdesk.models.dates import parse_month
from branchdesk.models.money import format_decimal
from branchdesk.models.today import Item, TodaySummary, today_summary
from branchdesk.ui import theme
from branchdesk.ui.tables import RIGHT, RecordTableModel

SHOW_ITEMS = 6
#: Chart colours (theme names) per claim component.
COMPONENT_COLOURS = {
    "core": "chart_core",
    "episode": "chart_episode",
    "outcome_upfront": "chart_outcome_upfront",
    "outcome_achieved": "chart_outcome_achieved",
    "outcome_partial": "chart_outcome_partial",
    "reward": "chart_reward",
    "hours_saved": "chart_hours_saved",
    "adjustment": "chart_adjustment",
}
COMPONENT_NAMES = {
    "core": _("Core"),
    "episode": _("Episode"),
    "outcome_upfront": _("Outcome upfront"),
    "outcome_achieved": _("Outcome achieved"),
    "outcome_partial": _("Outcome partly"),
    "reward": _("Reward"),
    "hours_saved": _("Hours saved"),
    "adjustment": _("Adjustment"),
}
CATEGORY_NAMES = {
    "reablement": _("Reablement"),
    "long_term": _("Long-term"),
    "dementia": _("Dementia"),
    "palliative": _("Palliative"),
    "total": _("All clients"),
}
FUNDING_NAMES = {
    "council": _("Council"),
    "direct_payment": _("Direct payment"),
    "isf": _("ISF"),
    "self_funder": _("Self-funder"),
}


class CaseloadColumns(IntEnum):
    CATEGORY = 0
    COUNCIL = 1
    DIRECT_PAYMENT = 2
    ISF = 3
    SELF_FUNDER = 4
    TOTAL = 5


class CaseloadModel(RecordTableModel):
    Columns = CaseloadColumns
    headers = {
        CaseloadColumns.CATEGORY: _("Category"),
        CaseloadColumns.COUNCIL: FUNDING_NAMES["council"],
        CaseloadColumns.DIRECT_PAYMENT: FUNDING_NAMES["direct_payment"],
        CaseloadColumns.ISF: FUNDING_NAMES["isf"],
        CaseloadColumns.SELF_FUNDER: FUNDING_NAMES["self_funder"],
        CaseloadColumns.TOTAL: _("Total"),
    }
    _keys = {
        CaseloadColumns.COUNCIL: "council",
        CaseloadColumns.DIRECT_PAYMENT: "direct_payment",
        CaseloadColumns.ISF: "isf",
        CaseloadColumns.SELF_FUNDER: "self_funder",
        CaseloadColumns.TOTAL: "total",
    }

    def display(self, row, column: int):
        if column == CaseloadColumns.CATEGORY:
            return CATEGORY_NAMES.get(row["category"], row["category"])
        return row[self._keys[CaseloadColumns(column)]]

    def alignment(self, row, column: int):
        return None if column == CaseloadColumns.CATEGORY else RIGHT


class Card(QGroupBox):
    """A titled box listing items as links; the first few, then how many more."""

    def __init__(self, title: str, on_link, parent: QWidget | None = None):
        super().__init__(title, parent)
        self._title = title
        self._links: dict[str, Item] = {}
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.linkActivated.connect(lambda href: on_link(self._links[href]))
        self.label.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def set_sections(self, sections: list[tuple[str, list[Item], str, Item | None]]) -> None:
        """Each section: a heading, its items, a sentence for none, and a 'see all' target."""
        self._links.clear()
        parts = []
        total = 0
        for heading, items, none_text, see_all in sections:
            total += len(items)
            parts.append(f"<p style='margin:6px 0 2px 0'><b>{escape(heading)}: {len(items)}</b></p>")
            if not items:
                parts.append(f"<p style='margin:0 0 4px 12px; color:{theme.css('muted')}'>{escape(none_text)}</p>")
                continue
            lines = []
            for item in items[:SHOW_ITEMS]:
                href = f"item{len(self._links)}"
                self._links[href] = item
                lines.append(f"<a href='{href}' style='color:{theme.css('link')}'>{escape(item.text)}</a>")
            if len(items) > SHOW_ITEMS and see_all is not None:
                href = f"item{len(self._links)}"
                self._links[href] = see_all
                lines.append(f"<a href='{href}' style='color:{theme.css('link')}'>"
                             f"{escape(_('… and {n} more').format(n=len(items) - SHOW_ITEMS))}</a>")
            parts.append("<p style='margin:0 0 4px 12px'>" + "<br>".join(lines) + "</p>")
        self.label.setText("".join(parts))
        self.setTitle(f"{self._title} ({total})" if total else self._title)


def _chart_view(chart: QChart) -> QChartView:
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setBackgroundRoundness(0)
    view = QChartView(chart)
    view.setAccessibleName(chart.title())
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(300)
    return view


@dataclass
class TodayFigures:
    """Everything the Today screen shows, worked out in one go."""

    branch_name: str
    summary: TodaySummary
    claim_totals: list[dict]
    achievement: list
    reablement: reports.ReablementResult


class TodayScreen(QWidget):
    """Reviews, plans, continuity, claims, caseload, capacity and three charts."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._generation = 0
        self.heading = QLabel()
        theme.screen_title(self.heading)
        self.subheading = QLabel()
        self.reviews_card = Card(_("Reviews"), self._open)
        self.plans_card = Card(_("Plans and continuity"), self._open)
        self.claims_card = Card(_("Claims"), self._open)

        self.caseload_model = CaseloadModel()
        self.caseload_view = QTableView()
        self.caseload_view.setModel(self.caseload_model)
        self.caseload_view.verticalHeader().hide()
        self.caseload_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.caseload_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.caseload_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.caseload_view.setAccessibleName(_("Caseload by category and funding"))
        self.caseload_view.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        caseload_box = QGroupBox(_("Caseload today"))
        caseload_layout = QVBoxLayout(caseload_box)
        caseload_layout.addWidget(self.caseload_view)
        self.capacity_label = QLabel()
        self.capacity_label.setWordWrap(True)
        caseload_layout.addWidget(self.capacity_label)
        self.caseload_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.claims_chart = QChart()
        self.claims_chart.setTitle(_("Claims issued, last 12 months, by component (£)"))
        self.outcomes_chart = QChart()
        self.outcomes_chart.setTitle(_("Outcomes achieved at reviews, by quarter (%)"))
        self.reablement_label = QLabel()
        self.reablement_label.setWordWrap(True)
        self.reablement_label.setTextFormat(Qt.TextFormat.RichText)
        reablement_box = QGroupBox(_("Reablement result"))
        reablement_layout = QVBoxLayout(reablement_box)
        reablement_layout.addWidget(self.reablement_label)
        reablement_layout.addStretch(1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addWidget(self.reviews_card, 0, 0)
        grid.addWidget(self.plans_card, 0, 1)
        grid.addWidget(self.claims_card, 0, 2)
        grid.addWidget(caseload_box, 1, 0, 1, 2)
        grid.addWidget(reablement_box, 1, 2)
        grid.addWidget(_chart_view(self.claims_chart), 2, 0, 1, 3)
        grid.addWidget(_chart_view(self.outcomes_chart), 3, 0, 1, 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)

        content = QWidget()
        column_layout = QVBoxLayout(content)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.subheading)
        top.addLayout(titles)
        top.addStretch(1)
        column_layout.addLayout(top)
        column_layout.addLayout(grid)
        column_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.summary = None
        #: the figures shown and their day, to show again in new colours when the system's change
        self.shown: tuple[TodayFigures, dt.date] | None = None
        theme.follow(self, lambda screen: screen._follow_theme())

    def _follow_theme(self) -> None:
        """Chart themes to match light or dark mode; the figures redrawn in the new colours."""
        for chart in (self.claims_chart, self.outcomes_chart):
            theme.style_chart(chart)
        if self.shown is not None:
            for card in (self.reviews_card, self.plans_card, self.claims_card):
                card.label.clear()  # links take their colour from the palette when the text is set
            self._show(*self.shown)

    # -- data --------------------------------------------------------------------------
    def refresh(self, on: dt.date | None = None) -> None:
        """Work the figures out off the UI thread (they read every client and claim) and show
        them when they arrive; until the first arrive, the screen says it is working them out."""
        from branchdesk.ui.tasks import run_task

        store = self.context.store
        if store is None:
            return
        on = on or dt.date.today()
        self._generation += 1
        generation = self._generation
        if self.summary is None:
            self.heading.setText(get_branch(store)["name"])
            self.subheading.setText(_("Working out today's figures…"))

        def work(task_store, _progress, _abort) -> TodayFigures:
            return TodayFigures(
                branch_name=get_branch(task_store)["name"],
                summary=today_summary(task_store, on),
                claim_totals=reports.claim_totals_by_component(task_store, on),
                achievement=reports.outcome_achievement_by_quarter(task_store, on),
                reablement=reports.reablement_result(task_store, on),
            )

        def arrived(figures: TodayFigures) -> None:
            if generation == self._generation:
                self._show(figures, on)

        run_task(self, _("Today's figures"), work, arrived, self._failed, quiet=True, context=self.context)

    def _failed(self, message: str) -> None:
        self.subheading.setText(message)

    def _show(self, figures: TodayFigures, on: dt.date) -> None:
        self.summary = summary = figures.summary
        self.shown = (figures, on)
        self.heading.setText(figures.branch_name)
        self.subheading.setText(_("Today, {day}").format(day=f"{on:%A} {on.day} {on:%B %Y}"))
        self.reviews_card.set_sections([
            (_("Overdue"), summary.overdue_reviews, _("No review is overdue."), Item("", "reviews")),
            (_("Due in the next 28 days"), summary.due_soon_reviews, _("None due in the next four weeks."), Item("", "reviews")),
        ])
        self.plans_card.set_sections([
            (_("Planned above the envelope or budget cap"), summary.plans_over, _("Every plan is within its envelope."), Item("", "clients")),
            (_("More than four workers last month"), summary.continuity_flags, _("Everyone saw four workers or fewer."), Item("", "visits")),
        ])
        self.claims_card.set_sections([
            (_("To issue for last month"), summary.claims_to_issue, _("Last month's claims are issued."), Item("", "claims")),
            (_("To post"), summary.claims_to_post, _("Every issued claim is posted."), Item("", "claims")),
            (_("Unpaid after 30 days"), summary.claims_unpaid, _("Nothing is overdue for payment."), Item("", "claims")),
            (_("Pending adjustments"), summary.adjustments, _("No issued month has changed since."), Item("", "claims")),
        ])
        self.caseload_model.set_rows(summary.caseload)
        self._fit_caseload_table()
        self._show_capacity(summary.capacity)
        self._show_claims_chart(figures.claim_totals)
        self._show_outcomes_chart(figures.achievement)
        self._show_reablement(figures.reablement)

    def _fit_caseload_table(self) -> None:
        """As tall as its rows, so the capacity line beneath it stays in view."""
        view = self.caseload_view
        view.resizeRowsToContents()
        rows = sum(view.rowHeight(row) for row in range(self.caseload_model.rowCount()))
        view.setFixedHeight(view.horizontalHeader().sizeHint().height() + rows + 2 * view.frameWidth())

    def _show_capacity(self, capacity: reports.Capacity) -> None:
        used = reports.describe_share(capacity.used_share)
        if capacity.spare_hours >= 0:
            room = _("{hours} hours a week spare").format(hours=format_decimal(capacity.spare_hours, 1))
        else:
            room = _("{hours} hours a week short").format(hours=format_decimal(-capacity.spare_hours, 1))
        self.capacity_label.setText(_(
            "Capacity: {clients} clients with {envelope} envelope hours a week; {workers} workers contracted "
            "for {contracted} hours a week ({used} used, {room}).").format(
            clients=capacity.clients, envelope=format_decimal(capacity.envelope_hours, 1), workers=capacity.workers,
            contracted=format_decimal(capacity.contracted_hours, 1), used=used, room=room))

    def _show_claims_chart(self, months: list[dict]) -> None:
        chart = self.claims_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QStackedBarSeries()
        for component, name in COMPONENT_NAMES.items():
            values = [Decimal(m[component]) / 100 for m in months]
            if not any(values):
                continue
            bar = QBarSet(name)
            bar.setColor(theme.colour(COMPONENT_COLOURS[component]))
            for value in values:
                bar.append(float(value))
            series.append(bar)
        highest = max((sum(max(m[c], 0) for c in COMPONENT_NAMES) for m in months), default=0) / 100
        chart.addSeries(series)
        labels = [f"{dt.date(*parse_month(m['month']), 1):%b %y}" for m in months]
        x_axis = QBarCategoryAxis()
        x_axis.append(labels)
        y_axis = QValueAxis()
        y_axis.setRange(0, max(highest, 100))
        y_axis.applyNiceNumbers()
        y_axis.setLabelFormat("%.0f")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().setVisible(series.count() > 0)

    def _show_outcomes_chart(self, quarters: list[dict]) -> None:
        chart = self.outcomes_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bar = QBarSet(_("Achieved (partly counts half)"))
        bar.setColor(theme.colour("chart_core"))
        bar.setLabelColor(theme.colour("chart_core_label"))
        for quarter in quarters:
            percent = (quarter["rate"] * 100).quantize(Decimal(1)) if quarter["rate"] is not None else Decimal(0)
            bar.append(float(percent))
        series = QBarSeries()
        series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([f"{q['quarter']}\n({q['assessed']})" for q in quarters])
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat("%.0f")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().setVisible(False)

    def _show_reablement(self, result: reports.ReablementResult) -> None:
        self.reablement_label.setText(_(
            "<p><span style='font-size:{size}pt; font-weight:600'>{quick}</span><br>"
            "needed no further care within 42 days ({a} of {b} episodes ended)</p>"
            "<p><span style='font-size:{size}pt; font-weight:600'>{home}</span><br>"
            "still at home 91 days after the start ({c} of {d}; the national ASCOF 2B measure)</p>").format(
            size=theme.point_size(theme.FIGURE),
            quick=reports.describe_share(result.no_further_care_share), a=result.no_further_care_within_42, b=result.ended,
            home=reports.describe_share(result.at_home_share), c=result.at_home_at_91, d=result.counted_at_91))

    # -- click-through -----------------------------------------------------------------
    def _open(self, item: Item) -> None:
        window = self.window()
        if item.screen == "client":
            from branchdesk.ui.client_record import open_client_record

            open_client_record(self.context, item.key, self)
            return
        screen = window.show_screen(item.screen)
        if item.screen == "claims" and item.key is not None:
            screen.show_claim(*item.key)
