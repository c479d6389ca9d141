"""The Visits section of a client record: the client's recent visits, and how many
different workers visited each month (flagged above four)."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _, ngettext
from branchdesk.models.continuity import TARGET_WORKERS, MonthContinuity, client_continuity
from branchdesk.models.dates import add_months, month_key, month_name, parse_month
from branchdesk.models.visits import list_visits, visit_totals
from branchdesk.ui import theme
from branchdesk.ui.dialogs import button_row, enter_activates
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel
from branchdesk.ui.visits import VisitColumns, VisitDialog, VisitsModel, table_view

CONTINUITY_MONTHS = 6
#: How far back the client's visit list reaches: (label, months)
PERIODS = ((_("Last 3 months"), 3), (_("Last 12 months"), 12), (_("All visits"), None))


class MonthColumns(IntEnum):
    MONTH = 0
    WORKERS = 1
    NAMES = 2


class MonthsModel(RecordTableModel):
    Columns = MonthColumns
    headers = {
        MonthColumns.MONTH: _("Month"),
        MonthColumns.WORKERS: _("Different workers"),
        MonthColumns.NAMES: _("Who (completed visits)"),
    }

    def display(self, month: MonthContinuity, column: int):
        if column == MonthColumns.MONTH:
            return month_name(*parse_month(month.month))
        if column == MonthColumns.WORKERS:
            if month.flagged:
                return _("{n} — above {target}").format(n=month.count, target=TARGET_WORKERS)
            return month.count
        return ", ".join(f"{w.name} ({w.visits})" for w in month.workers) or _("no completed visits")

    def sort_key(self, month: MonthContinuity, column: int):
        if column == MonthColumns.MONTH:
            return month.month
        if column == MonthColumns.WORKERS:
            return month.count
        return super().sort_key(month, column)

    def alignment(self, month: MonthContinuity, column: int):
        return RIGHT if column == MonthColumns.WORKERS else None

    def foreground(self, month: MonthContinuity, column: int):
        return theme.colour("overdue") if month.flagged and column == MonthColumns.WORKERS else None


class ClientVisitsSection(QWidget):
    """One client's visits and continuity, for the client record."""

    def __init__(self, context, client_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.client_id = client_id
        self.continuity_title = QLabel()
        theme.section_title(self.continuity_title)
        self.months = MonthsModel()
        months_proxy = FilterProxy(self)
        months_proxy.setSourceModel(self.months)
        self.months_view = table_view(months_proxy, _("Different workers each month"))
        self.months_view.sortByColumn(MonthColumns.MONTH, Qt.SortOrder.DescendingOrder)
        self.months_view.setWordWrap(True)
        self.months_view.horizontalHeader().setSectionResizeMode(MonthColumns.NAMES, QHeaderView.ResizeMode.Stretch)
        self.months_view.setMaximumHeight(260)

        self.period = QComboBox()
        for label, months in PERIODS:
            self.period.addItem(label, months)
        self.period.setAccessibleName(_("Show visits from"))
        self.period.currentIndexChanged.connect(self.refresh)
        self.totals = QLabel()
        self.visits = VisitsModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.visits)
        self.view = table_view(self.proxy, _("Visits"))
        self.view.sortByColumn(VisitColumns.DATE, Qt.SortOrder.DescendingOrder)
        self.view.hideColumn(VisitColumns.CLIENT)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda _index: self.correct_visit())
        enter_activates(self.view, self.correct_visit)
        self.add_button = QPushButton(_("Add visit…"))
        self.add_button.clicked.connect(self.add_visit)
        self.correct_button = QPushButton(_("Correct visit…"))
        self.correct_button.clicked.connect(self.correct_visit)

        visits_row = QHBoxLayout()
        title = QLabel(_("Visits"))
        theme.section_title(title)
        visits_row.addWidget(title)
        visits_row.addWidget(self.period)
        visits_row.addWidget(self.totals, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.continuity_title)
        layout.addWidget(self.months_view)
        layout.addLayout(visits_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(button_row(self.correct_button, self.add_button))

    def refresh(self) -> None:
        store = self.context.store
        if store is None:
            return
        today = dt.date.today()
        this = today.replace(day=1)
        keys = [month_key(d.year, d.month) for d in (add_months(this, -n) for n in range(CONTINUITY_MONTHS))]
        months = client_continuity(store, self.client_id, keys)
        self.months.set_rows(months)
        flagged = sum(m.flagged for m in months)
        self.continuity_title.setText(_("Continuity: different workers each month (target: at most {n})").format(n=TARGET_WORKERS)
                                      + ("  ·  " + ngettext("{k} month above the target", "{k} months above the target", flagged).format(k=flagged) if flagged else ""))
        self.months_view.resizeColumnToContents(MonthColumns.MONTH)
        self.months_view.resizeColumnToContents(MonthColumns.WORKERS)
        self.months_view.resizeRowsToContents()

        back = self.period.currentData()
        first = add_months(this, -(back - 1)) if back else None
        visits = list_visits(store, first, None, client_id=self.client_id)
        self.visits.set_rows(visits)
        totals = visit_totals(visits)
        self.totals.setText(_("{n:,} visits · {completed:,} completed · {hours} hours delivered").format(
            n=totals.visits, completed=totals.completed, hours=f"{totals.delivered_hours:,}"))
        self.view.resizeColumnsToContents()
        writable = not self.context.read_only
        self.add_button.setEnabled(writable)
        self.correct_button.setEnabled(writable)

    def _selected(self):
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.row_object(rows[0]) if rows else None

    def add_visit(self) -> None:
        dialog = VisitDialog(self.context, None, self)
        dialog.client.setCurrentIndex(max(dialog.client.findData(self.client_id), 0))
        dialog.finished.connect(self._after_save)
        dialog.open()

    def correct_visit(self) -> None:
        visit = self._selected()
        if visit is None or self.context.read_only:
            return
        dialog = VisitDialog(self.context, visit, self)
        dialog.finished.connect(self._after_save)
        dialog.open()

    def _after_save(self, result: int) -> None:
        if result:
            self.context.notify_changed()
            self.refresh()
