"""Envelope & hours in the client record: the envelope's history, the use of hours over the
last 26 weeks (table and chart), and the hours bank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.dates import format_date, iso_week_label
from branchdesk.models.envelope import (
    REASON_LABELS,
    EnvelopeChange,
    add_envelope_change,
    contract_bands,
    envelope_history,
    envelope_on_day,
)
from branchdesk.models.errors import BranchDeskError, Problem, ValidationError
from branchdesk.models.hours_bank import (
    BankEntry,
    BankState,
    bank_expiry_weeks,
    bank_state,
    draw_hours,
    storable_weeks,
    store_hours,
)
from branchdesk.models.money import format_decimal, to_decimal
from branchdesk.models.utilisation import WeekUse, utilisation
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, ok_cancel, show_error
from branchdesk.ui.referral import ProblemForm, choice_combo, date_field, set_choice
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel


def hours_text(value: Decimal | None) -> str:
    return "" if value is None else format_decimal(value, 2)


def hours_phrase(value: Decimal) -> str:
    """``1 hour``, ``2.5 hours``."""
    return _("1 hour") if value == 1 else _("{hours} hours").format(hours=hours_text(value))


def _table(model: RecordTableModel, stretch: int | None = None) -> tuple[QTableView, FilterProxy]:
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view, proxy


# -- envelope history ---------------------------------------------------------------------------
class EnvelopeColumns(IntEnum):
    FROM = 0
    HOURS = 1
    CHANGE = 2
    REASON = 3
    BAND = 4
    SAVED = 5
    NOTE = 6


class EnvelopeModel(RecordTableModel):
    Columns = EnvelopeColumns
    headers = {
        EnvelopeColumns.FROM: _("From"),
        EnvelopeColumns.HOURS: _("Hours a week"),
        EnvelopeColumns.CHANGE: _("Change"),
        EnvelopeColumns.REASON: _("Reason"),
        EnvelopeColumns.BAND: _("Band"),
        EnvelopeColumns.SAVED: _("Hours saved"),
        EnvelopeColumns.NOTE: _("Note"),
    }

    def display(self, row: EnvelopeChange, column: int):
        if column == EnvelopeColumns.FROM:
            return row.effective_date
        if column == EnvelopeColumns.HOURS:
            return hours_text(row.hours)
        if column == EnvelopeColumns.CHANGE:
            change = row.change
            return "" if change is None else (f"+{hours_text(change)}" if change > 0 else hours_text(change))
        if column == EnvelopeColumns.REASON:
            text = row.reason_label
            return text + _(" (at a review)") if row.review_id else text
        if column == EnvelopeColumns.BAND:
            return row.band
        if column == EnvelopeColumns.SAVED:
            return hours_text(row.hours_saved)
        return row.note

    def sort_key(self, row: EnvelopeChange, column: int):
        if column == EnvelopeColumns.HOURS:
            return row.hours
        if column == EnvelopeColumns.CHANGE:
            return row.change or Decimal(0)
        if column == EnvelopeColumns.SAVED:
            return row.hours_saved or Decimal(0)
        return super().sort_key(row, column)

    def alignment(self, row, column: int):
        return RIGHT if column in (EnvelopeColumns.HOURS, EnvelopeColumns.CHANGE, EnvelopeColumns.SAVED) else None


class EnvelopeChangeDialog(WindowModalDialog):
    """Record a new envelope from a date, with the reason for the change."""

    def __init__(self, section: EnvelopeSection):
        super().__init__(section, _("Change the envelope"))
        self.section = section
        today = section.today
        now = envelope_on_day(section.store, section.client_id, today)
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.effective = form.add("effective_date", _("New hours from"), date_field(today))
        self.hours = form.add("hours", _("Hours a week"), QLineEdit())
        self.hours.setMaximumWidth(140)
        reasons = dict(REASON_LABELS) if now is None else {k: v for k, v in REASON_LABELS.items() if k != "initial"}
        self.reason = form.add("reason", _("Why it changes"), choice_combo(reasons, blank=_("Choose the reason…")))
        if now is None:
            set_choice(self.reason, "initial")
        self.band = QComboBox()
        bands = contract_bands(section.store, section.client_id)
        if bands:  # only a contract paid by band asks for one
            for band in bands:
                self.band.addItem(band, band)
            if now is not None and now.band in bands:
                self.band.setCurrentIndex(bands.index(now.band))
            form.add("band", _("Band"), self.band)
        self.note = form.add("note", _("Note"), QLineEdit())
        self.current = QLabel(_("Now: {hours} hours a week.").format(hours=hours_text(now.hours)) if now else
                              _("No envelope is recorded yet."))
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.general = QLabel()
        theme.text_colour(self.general, "overdue")
        self.general.setWordWrap(True)
        self.general.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.effect)
        layout.addWidget(self.general)
        layout.addWidget(ok_cancel(self, _("Save")))
        self.now = now
        self.hours.textChanged.connect(self._update_effect)
        self.reason.currentIndexChanged.connect(self._update_effect)
        self.resize(max(self.width(), 480), self.sizeHint().height())

    def _update_effect(self) -> None:
        try:
            hours = to_decimal(self.hours.text())
        except ValueError:
            self.effect.clear()
            return
        if self.now is None:
            self.effect.clear()
            return
        change = hours - self.now.hours
        if change < 0 and self.reason.currentData() in ("independence", "community_link"):
            self.effect.setText(_("{hours} hours a week saved: some contracts pay a share of hours saved.").format(
                hours=hours_text(-change)))
        elif change:
            self.effect.setText(_("A change of {change} hours a week.").format(
                change=("+" if change > 0 else "") + hours_text(change)))
        else:
            self.effect.setText(_("The same as now."))

    def accept(self) -> None:
        try:
            add_envelope_change(self.section.store, self.section.client_id, self.effective.text(), self.hours.text(),
                                self.reason.currentData(), band=self.band.currentData() or "", note=self.note.text())
        except ValidationError as error:
            unplaced = self.problems.show(error.problems)
            self.general.setText("\n".join(p.message for p in unplaced))
            self.general.setVisible(bool(unplaced))
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        super().accept()


# -- utilisation --------------------------------------------------------------------------------
class UseColumns(IntEnum):
    WEEK = 0
    MONDAY = 1
    ENVELOPE = 2
    PLANNED = 3
    DELIVERED = 4
    DIFFERENCE = 5


class UseModel(RecordTableModel):
    Columns = UseColumns
    headers = {
        UseColumns.WEEK: _("Week"),
        UseColumns.MONDAY: _("Monday"),
        UseColumns.ENVELOPE: _("Envelope"),
        UseColumns.PLANNED: _("Planned"),
        UseColumns.DELIVERED: _("Delivered"),
        UseColumns.DIFFERENCE: _("Envelope − delivered"),
    }

    def display(self, row: WeekUse, column: int):
        if column == UseColumns.WEEK:
            label = iso_week_label(row.week_start)
            return label if row.complete else label + _(" (this week)")
        if column == UseColumns.MONDAY:
            return row.week_start
        value = {UseColumns.ENVELOPE: row.envelope, UseColumns.PLANNED: row.planned,
                 UseColumns.DELIVERED: row.delivered, UseColumns.DIFFERENCE: row.difference}[UseColumns(column)]
        return hours_text(value)

    def sort_key(self, row: WeekUse, column: int):
        if column in (UseColumns.WEEK, UseColumns.MONDAY):
            return row.week_start
        return {UseColumns.ENVELOPE: row.envelope, UseColumns.PLANNED: row.planned,
                UseColumns.DELIVERED: row.delivered, UseColumns.DIFFERENCE: row.difference}[UseColumns(column)]

    def alignment(self, row, column: int):
        return RIGHT if column >= UseColumns.ENVELOPE else None

    def foreground(self, row: WeekUse, column: int):
        if column == UseColumns.DIFFERENCE and row.difference < 0:
            return theme.colour("overdue")
        return None


def utilisation_chart(weeks: list[WeekUse]) -> QChart:
    """Envelope, planned and delivered hours per week as grouped bars."""
    chart = QChart()
    theme.style_chart(chart)
    chart.setTitle(_("Hours a week: envelope, planned and delivered"))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    series = QBarSeries()
    top = Decimal(1)
    for name, colour_name, pick in ((_("Envelope"), "chart_envelope", lambda w: w.envelope),
                                    (_("Planned"), "chart_planned", lambda w: w.planned),
                                    (_("Delivered"), "chart_delivered", lambda w: w.delivered)):
        colour = theme.colour(colour_name)
        bars = QBarSet(name)
        bars.setColor(colour)
        bars.setBorderColor(colour)
        for week in weeks:
            value = pick(week)
            top = max(top, value)
            bars.append(float(value))
        series.append(bars)
    series.setBarWidth(0.85)
    chart.addSeries(series)
    axis_x = QBarCategoryAxis()
    axis_x.append([f"{w.week_start.day}/{w.week_start.month}" for w in weeks])
    axis_x.setTitleText(_("Week beginning"))
    font = axis_x.labelsFont()
    font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
    axis_x.setLabelsFont(font)
    axis_x.setLabelsAngle(-90)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = QValueAxis()
    step = 5 if top <= 40 else 10
    ceiling = max(step, -(-int(top * Decimal("1.05")) // step) * step)
    if ceiling < top:
        ceiling += step
    axis_y.setRange(0, ceiling)
    axis_y.setTickCount(ceiling // step + 1)
    axis_y.setLabelFormat("%.0f")
    axis_y.setTitleText(_("Hours"))
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    return chart


# -- hours bank ---------------------------------------------------------------------------------
class BankColumns(IntEnum):
    DATE = 0
    WHAT = 1
    WEEK = 2
    HOURS = 3
    PURPOSE = 4
    EXPIRES = 5
    LEFT = 6


class BankModel(RecordTableModel):
    Columns = BankColumns
    headers = {
        BankColumns.DATE: _("Date"),
        BankColumns.WHAT: _("What"),
        BankColumns.WEEK: _("Week of"),
        BankColumns.HOURS: _("Hours"),
        BankColumns.PURPOSE: _("Purpose"),
        BankColumns.EXPIRES: _("Usable until"),
        BankColumns.LEFT: _("Left"),
    }

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.on = dt.date.today()

    def display(self, row: BankEntry, column: int):
        store = row.kind == "store"
        if column == BankColumns.DATE:
            return row.entry_date
        if column == BankColumns.WHAT:
            return _("Stored") if store else _("Drawn down")
        if column == BankColumns.WEEK:
            return row.week_start or ""
        if column == BankColumns.HOURS:
            return hours_text(row.hours) if store else "−" + hours_text(row.hours)
        if column == BankColumns.PURPOSE:
            return row.purpose
        if column == BankColumns.EXPIRES:
            return (row.expires_on - dt.timedelta(days=1)) if store and row.expires_on else ""
        if not store:
            return ""
        if row.expired:
            return _("{hours} expired").format(hours=hours_text(row.expired))
        if not row.remaining:
            return _("all used")
        return hours_text(row.remaining)

    def sort_key(self, row: BankEntry, column: int):
        if column == BankColumns.DATE:
            return row.entry_date.toordinal() * 1_000_000 + row.id
        if column == BankColumns.HOURS:
            return row.hours if row.kind == "store" else -row.hours
        if column == BankColumns.LEFT:
            return row.remaining
        value = self.display(row, column)
        return value.toordinal() if isinstance(value, dt.date) else value

    def alignment(self, row, column: int):
        return RIGHT if column in (BankColumns.HOURS, BankColumns.LEFT) else None

    def foreground(self, row: BankEntry, column: int):
        if column == BankColumns.LEFT and row.expired:
            return theme.colour("warning")
        return None


class StoreHoursDialog(WindowModalDialog):
    """Store unused hours of a past week, for a purpose."""

    def __init__(self, section: EnvelopeSection):
        super().__init__(section, _("Store unused hours"))
        self.section = section
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.week = form.add("week_start", _("From the week of"), QComboBox())
        for week in storable_weeks(section.store, section.client_id, section.today):
            use = week.use
            self.week.addItem(_("{monday}: {free} h free (envelope {envelope}, delivered {delivered}, stored {stored})").format(
                monday=format_date(use.week_start), free=hours_text(week.storable), envelope=hours_text(use.envelope),
                delivered=hours_text(use.delivered), stored=hours_text(week.stored)), week)
        self.hours = form.add("hours", _("Hours to store"), QLineEdit())
        self.hours.setMaximumWidth(140)
        self.purpose = form.add("purpose", _("What for"), QLineEdit())
        self.purpose.setPlaceholderText(_("e.g. a monthly trip to the garden centre"))
        self.general = QLabel()
        theme.text_colour(self.general, "overdue")
        self.general.setWordWrap(True)
        self.general.hide()
        layout = QVBoxLayout(self)
        weeks = bank_expiry_weeks(section.store, section.client_id)
        note = QLabel(_("Stored hours can be used for {weeks} weeks after the end of the week they come from.").format(weeks=weeks))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(ok_cancel(self, _("Store")))
        self.week.currentIndexChanged.connect(self._fill_hours)
        self._fill_hours()
        self.resize(max(self.width(), 560), self.sizeHint().height())

    def _fill_hours(self) -> None:
        week = self.week.currentData()
        self.hours.setText(hours_text(week.storable) if week else "")

    def accept(self) -> None:
        week = self.week.currentData()
        try:
            if week is None:
                raise ValidationError(Problem("week_start", _("No past week has unused hours that can still be stored.")))
            store_hours(self.section.store, self.section.client_id, week.use.week_start, self.hours.text(),
                        self.purpose.text(), today=self.section.today)
        except ValidationError as error:
            unplaced = self.problems.show(error.problems)
            self.general.setText("\n".join(p.message for p in unplaced))
            self.general.setVisible(bool(unplaced))
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        super().accept()


class DrawHoursDialog(WindowModalDialog):
    """Draw hours down from the bank."""

    def __init__(self, section: EnvelopeSection, balance: Decimal):
        super().__init__(section, _("Draw down hours"))
        self.section = section
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.day = form.add("entry_date", _("Used on"), date_field(section.today))
        self.hours = form.add("hours", _("Hours"), QLineEdit())
        self.hours.setMaximumWidth(140)
        self.purpose = form.add("purpose", _("What for"), QLineEdit())
        self.general = QLabel()
        theme.text_colour(self.general, "overdue")
        self.general.setWordWrap(True)
        self.general.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("The bank holds {hours} hours today; the oldest are used first.").format(hours=hours_text(balance))))
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(ok_cancel(self, _("Draw down")))
        self.resize(max(self.width(), 460), self.sizeHint().height())

    def accept(self) -> None:
        try:
            draw_hours(self.section.store, self.section.client_id, self.hours.text(), self.purpose.text(),
                       on=self.day.text(), today=self.section.today)
        except ValidationError as error:
            unplaced = self.problems.show(error.problems)
            self.general.setText("\n".join(p.message for p in unplaced))
            self.general.setVisible(bool(unplaced))
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        super().accept()


# -- the section --------------------------------------------------------------------------------
class EnvelopeSection(QWidget):
    """Envelope history, use of hours over the last 26 weeks, and the hours bank."""

    def __init__(self, context, client_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.client_id = client_id
        self.today = dt.date.today()
        self.bank: BankState | None = None

        self.envelope_model = EnvelopeModel()
        self.envelope_view, _proxy = _table(self.envelope_model, EnvelopeColumns.NOTE)
        self.envelope_view.setAccessibleName(_("Envelope history"))
        self.envelope_view.sortByColumn(EnvelopeColumns.FROM, Qt.SortOrder.DescendingOrder)
        self.envelope_now = QLabel()
        self.envelope_now.setStyleSheet("font-weight: 600;")
        self.add_change_button = QPushButton(_("Add a change…"))
        self.add_change_button.clicked.connect(self.add_change)
        envelope_box = QGroupBox(_("Envelope"))
        column = QVBoxLayout(envelope_box)
        row = QHBoxLayout()
        row.addWidget(self.envelope_now, 1)
        row.addWidget(self.add_change_button)
        column.addLayout(row)
        column.addWidget(self.envelope_view)

        self.bank_model = BankModel()
        self.bank_view, _proxy = _table(self.bank_model, BankColumns.PURPOSE)
        self.bank_view.setAccessibleName(_("Hours bank history"))
        self.bank_view.sortByColumn(BankColumns.DATE, Qt.SortOrder.DescendingOrder)
        self.balance = QLabel()
        self.balance.setStyleSheet("font-weight: 600;")
        self.balance.setAccessibleName(_("Hours bank balance"))
        self.store_button = QPushButton(_("Store unused hours…"))
        self.store_button.clicked.connect(self.store_hours)
        self.draw_button = QPushButton(_("Draw down…"))
        self.draw_button.clicked.connect(self.draw_hours)
        bank_box = QWidget()
        column = QVBoxLayout(bank_box)
        row = QHBoxLayout()
        row.addWidget(self.balance, 1)
        row.addWidget(self.store_button)
        row.addWidget(self.draw_button)
        column.addLayout(row)
        column.addWidget(self.bank_view)

        self.use_model = UseModel()
        self.use_view, _proxy = _table(self.use_model)
        self.use_view.setAccessibleName(_("Use of hours by week"))
        self.use_view.sortByColumn(UseColumns.MONDAY, Qt.SortOrder.DescendingOrder)
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.chart_view.setAccessibleName(_("Chart of hours by week"))
        self.use_tabs = QTabWidget()
        self.use_tabs.setDocumentMode(True)
        self.use_tabs.addTab(self.chart_view, _("Chart"))
        self.use_tabs.addTab(self.use_view, _("Table"))
        self.use_summary = QLabel()
        self.use_summary.setWordWrap(True)
        use_box = QWidget()
        column = QVBoxLayout(use_box)
        column.addWidget(self.use_summary)
        column.addWidget(self.use_tabs, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(use_box, _("Use of hours, last 26 weeks"))
        self.tabs.addTab(bank_box, _("Hours bank"))
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(envelope_box)
        page.addWidget(self.tabs)
        page.setStretchFactor(0, 1)
        page.setStretchFactor(1, 3)
        page.setChildrenCollapsible(False)
        envelope_box.setMinimumHeight(190)
        layout = QVBoxLayout(self)
        layout.addWidget(page)
        context.data_changed.connect(self.refresh)
        self.refresh()

    @property
    def store(self):
        return self.context.store

    def refresh(self) -> None:
        self.today = dt.date.today()
        if self.store.value("SELECT 1 FROM clients WHERE id = ?", (self.client_id,)) is None:
            return
        history = envelope_history(self.store, self.client_id)
        self.envelope_model.set_rows(history)
        now = envelope_on_day(self.store, self.client_id, self.today)
        self.envelope_now.setText(_("Now: {hours} hours a week").format(hours=hours_text(now.hours)) if now
                                  else _("No envelope in force today"))

        weeks = utilisation(self.store, self.client_id, self.today)
        self.use_model.set_rows(weeks)
        self.chart_view.setChart(utilisation_chart(weeks))
        done = [w for w in weeks if w.complete]
        if done:
            envelope = sum((w.envelope for w in done), Decimal(0))
            delivered = sum((w.delivered for w in done), Decimal(0))
            share = f"{(delivered * 100 / envelope):.0f}%" if envelope else "–"
            self.use_summary.setText(_("Over the {n} full weeks shown: envelope {envelope} hours, delivered {delivered} hours ({share})."
                                       ).format(n=len(done), envelope=hours_text(envelope), delivered=hours_text(delivered), share=share))
        else:
            self.use_summary.setText(_("No full week of service yet."))

        self.bank = bank_state(self.store, self.client_id, self.today)
        self.bank_model.on = self.today
        self.bank_model.set_rows(self.bank.entries)
        weeks_allowed = bank_expiry_weeks(self.store, self.client_id)
        if weeks_allowed <= 0:
            self.balance.setText(_("This client's contract has no hours bank."))
        else:
            text = _("Balance: {hours}").format(hours=hours_phrase(self.bank.balance))
            if self.bank.expired:
                text += _(" ({hours} expired unused)").format(hours=hours_phrase(self.bank.expired))
            self.balance.setText(text)
        self.tabs.setTabText(1, _("Hours bank ({hours} h)").format(hours=hours_text(self.bank.balance)) if weeks_allowed > 0
                             else _("Hours bank"))
        writable = not self.context.read_only
        self.add_change_button.setEnabled(writable)
        self.store_button.setEnabled(writable and weeks_allowed > 0)
        self.draw_button.setEnabled(writable and self.bank.balance > 0)

    def add_change(self) -> None:
        if EnvelopeChangeDialog(self).exec():
            self.context.notify_changed()

    def store_hours(self) -> None:
        if not storable_weeks(self.store, self.client_id, self.today):
            show_error(self, _("No past week has unused hours that can still be stored: each week's delivered hours "
                               "reached its envelope, the hours are already stored, or they have expired."))
            return
        if StoreHoursDialog(self).exec():
            self.context.notify_changed()

    def draw_hours(self) -> None:
        if self.bank is None:
            return
        if DrawHoursDialog(self, self.bank.balance).exec():
            self.context.notify_changed()
