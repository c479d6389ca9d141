"""The Visits screen: the visit log with filters and hours delivered, and the continuity list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _, ngettext
from branchdesk.models.continuity import TARGET_WORKERS, caseload_continuity
from branchdesk.models.dates import format_date, month_bounds, month_key, month_name, previous_month
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.schema import VISIT_STATUSES
from branchdesk.models.visits import (
    STATUS_LABELS,
    Visit,
    delete_visit,
    format_minutes,
    list_visits,
    save_visit,
    visit_totals,
)
from branchdesk.ui import theme
from branchdesk.ui.dialogs import (
    FieldProblems,
    WindowModalDialog,
    button_row,
    confirm,
    enter_activates,
    ok_cancel,
    show_error,
)
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(day: dt.date, latest: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    if latest is not None:
        edit.setMaximumDate(to_qdate(latest))
    return edit


def heading(text: str) -> QLabel:
    label = QLabel(text)
    theme.screen_title(label)
    return label


def fill_people(combo: QComboBox, store, table: str, everyone: str | None) -> None:
    """Clients or workers as "Name (ref)", keeping the current choice."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if everyone is not None:
        combo.addItem(everyone, None)
    for row in store.rows(f"SELECT id, ref, name FROM {table} ORDER BY name COLLATE NOCASE, ref"):
        combo.addItem(f"{row['name']} ({row['ref']})", row["id"])
    index = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


# -- the visit log ------------------------------------------------------------------------
class VisitColumns(IntEnum):
    DATE = 0
    CLIENT = 1
    WORKER = 2
    PLANNED = 3
    START = 4
    END = 5
    DURATION = 6
    STATUS = 7
    SOURCE = 8


class VisitsModel(RecordTableModel):
    Columns = VisitColumns
    headers = {
        VisitColumns.DATE: _("Date"),
        VisitColumns.CLIENT: _("Client"),
        VisitColumns.WORKER: _("Worker"),
        VisitColumns.PLANNED: _("Planned"),
        VisitColumns.START: _("Start"),
        VisitColumns.END: _("End"),
        VisitColumns.DURATION: _("Duration"),
        VisitColumns.STATUS: _("Status"),
        VisitColumns.SOURCE: _("Recorded"),
    }

    def display(self, visit: Visit, column: int):
        if column == VisitColumns.DATE:
            return visit.visit_date
        if column == VisitColumns.CLIENT:
            return f"{visit.client_name} ({visit.client_ref})"
        if column == VisitColumns.WORKER:
            return f"{visit.worker_name} ({visit.worker_ref})" if visit.worker_ref else ""
        if column == VisitColumns.PLANNED:
            return visit.planned_start or ""
        if column == VisitColumns.START:
            return visit.actual_start or ""
        if column == VisitColumns.END:
            return visit.actual_end or ""
        if column == VisitColumns.DURATION:
            return format_minutes(visit.minutes)
        if column == VisitColumns.STATUS:
            return visit.status_label
        return _("Imported") if visit.source == "import" else _("By hand")

    def sort_key(self, visit: Visit, column: int):
        if column == VisitColumns.DATE:
            return f"{visit.visit_date.isoformat()} {visit.actual_start or visit.planned_start or ''}"
        if column == VisitColumns.DURATION:
            return visit.minutes if visit.minutes is not None else -1
        return super().sort_key(visit, column)

    def alignment(self, visit: Visit, column: int):
        return RIGHT if column == VisitColumns.DURATION else None

    def foreground(self, visit: Visit, column: int):
        if column == VisitColumns.STATUS and visit.status != "completed":
            return theme.colour("overdue")
        return None


def table_view(model_proxy, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model_proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setAccessibleName(name)
    return view


class VisitLog(QWidget):
    """Visits filtered by date range, client, worker and status, with the hours delivered."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        today = dt.date.today()
        self.first_edit = date_edit(today.replace(day=1))
        self.last_edit = date_edit(today)
        self.first_edit.setAccessibleName(_("From"))
        self.last_edit.setAccessibleName(_("To"))
        this_month = QPushButton(_("This month"))
        this_month.clicked.connect(lambda: self.show_month(0))
        last_month = QPushButton(_("Last month"))
        last_month.clicked.connect(lambda: self.show_month(-1))
        self.client_filter = QComboBox()
        self.client_filter.setAccessibleName(_("Client"))
        self.client_filter.setMinimumContentsLength(18)
        self.worker_filter = QComboBox()
        self.worker_filter.setAccessibleName(_("Worker"))
        self.worker_filter.setMinimumContentsLength(14)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(_("Status"))
        self.status_filter.addItem(_("All statuses"), None)
        for status in VISIT_STATUSES:
            self.status_filter.addItem(STATUS_LABELS[status], status)
        for edit in (self.first_edit, self.last_edit):
            edit.dateChanged.connect(self.reload)
        for combo in (self.client_filter, self.worker_filter, self.status_filter):
            combo.currentIndexChanged.connect(self.reload)

        self.totals = QLabel()
        theme.larger_text(self.totals)
        self.totals.setAccessibleName(_("Totals"))
        self.totals.setWordWrap(True)
        self.model = VisitsModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = table_view(self.proxy, _("Visits"))
        self.view.sortByColumn(VisitColumns.DATE, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.doubleClicked.connect(lambda _index: self.correct_visit())
        enter_activates(self.view, self.correct_visit)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(_("Add visit…"))
        self.add_button.clicked.connect(self.add_visit)
        self.correct_button = QPushButton(_("Correct visit…"))
        self.correct_button.clicked.connect(self.correct_visit)
        self.delete_button = QPushButton(_("Delete visit…"))
        self.delete_button.clicked.connect(self.delete_visit)
        self.import_button = QPushButton(_("Import visits…"))
        self.import_button.clicked.connect(self.import_visits)
        self.export_button = QPushButton(_("Export visit data…"))
        self.export_button.clicked.connect(self.export_visit_data)

        dates = QHBoxLayout()
        from_label = QLabel(_("From"))
        from_label.setBuddy(self.first_edit)
        to_label = QLabel(_("to"))
        to_label.setBuddy(self.last_edit)
        dates.addWidget(from_label)
        dates.addWidget(self.first_edit)
        dates.addWidget(to_label)
        dates.addWidget(self.last_edit)
        dates.addWidget(this_month)
        dates.addWidget(last_month)
        dates.addSpacing(12)
        dates.addWidget(self.client_filter, 2)
        dates.addWidget(self.worker_filter, 2)
        dates.addWidget(self.status_filter, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(dates)
        layout.addWidget(self.totals)
        layout.addWidget(self.view, 1)
        bottom = button_row(self.import_button, self.export_button, None, self.delete_button, self.correct_button, self.add_button,
                            stretch_first=False)
        bottom.insertStretch(2, 1)
        layout.addLayout(bottom)
        self._update_buttons()

    def refresh(self) -> None:
        if self.context.store is None:
            return
        fill_people(self.client_filter, self.context.store, "clients", _("All clients"))
        fill_people(self.worker_filter, self.context.store, "workers", _("All workers"))
        self.reload()

    def show_month(self, offset: int) -> None:
        today = dt.date.today()
        year, month = today.year, today.month
        if offset:
            year, month = previous_month(year, month)
        first, last = month_bounds(year, month)
        self.first_edit.blockSignals(True)
        self.first_edit.setDate(to_qdate(first))
        self.first_edit.blockSignals(False)
        self.last_edit.setDate(to_qdate(min(last, today) if not offset else last))
        self.reload()

    def show_period(self, first: dt.date, last: dt.date) -> None:
        """Show the visits from ``first`` to ``last`` (e.g. the dates a file just imported holds)."""
        self.first_edit.blockSignals(True)
        self.first_edit.setDate(to_qdate(first))
        self.first_edit.blockSignals(False)
        self.last_edit.setDate(to_qdate(last))
        self.reload()

    def period(self) -> tuple[dt.date, dt.date]:
        return from_qdate(self.first_edit.date()), from_qdate(self.last_edit.date())

    def reload(self) -> None:
        store = self.context.store
        if store is None:
            return
        first, last = self.period()
        selected = self.selected()
        visits = list_visits(store, first, last, client_id=self.client_filter.currentData(),
                             worker_id=self.worker_filter.currentData(), status=self.status_filter.currentData())
        self.model.set_rows(visits)
        totals = visit_totals(visits)
        if last < first:
            self.totals.setText(_("The “to” date is before the “from” date; choose the dates again."))
        else:
            self.totals.setText(_("{n:,} visits · {completed:,} completed · <b>{hours} hours delivered</b> · "
                                  "{missed:,} missed, cancelled or no access").format(
                n=totals.visits, completed=totals.completed, hours=f"{totals.delivered_hours:,}", missed=totals.not_delivered))
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(VisitColumns.CLIENT, QHeaderView.ResizeMode.Stretch)
        if selected is not None:
            self.select_visit(selected.id)
        self._update_buttons()

    def selected(self) -> Visit | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.row_object(rows[0]) if rows else None

    def select_visit(self, visit_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_object(self.proxy.index(row, 0)).id == visit_id:
                self.view.selectRow(row)
                return

    def _update_buttons(self) -> None:
        writable = self.context.store is not None and not self.context.read_only
        chosen = self.selected() is not None
        self.add_button.setEnabled(writable)
        self.import_button.setEnabled(writable)
        self.correct_button.setEnabled(writable and chosen)
        self.delete_button.setEnabled(writable and chosen)
        self.export_button.setEnabled(self.context.store is not None)

    # -- actions -------------------------------------------------------------------------
    def add_visit(self) -> None:
        dialog = VisitDialog(self.context, None, self)
        dialog.finished.connect(lambda result: self._after_save(dialog.visit_id) if result else None)
        dialog.open()

    def correct_visit(self) -> None:
        visit = self.selected()
        if visit is None or self.context.read_only:
            return
        dialog = VisitDialog(self.context, visit, self)
        dialog.finished.connect(lambda result: self._after_save(dialog.visit_id) if result else None)
        dialog.open()

    def _after_save(self, visit_id: int | None) -> None:
        self.context.notify_changed()
        self.reload()
        if visit_id is not None:
            self.select_visit(visit_id)

    def delete_visit(self) -> None:
        visit = self.selected()
        if visit is None:
            return
        question = _("Delete the visit to {client} on {date} ({status})? Delete only a visit recorded by mistake. "
                     "If it came from a call-monitoring file, importing that file again adds it back.").format(
            client=visit.client_name, date=format_date(visit.visit_date), status=visit.status_label.lower())
        if not confirm(self, _("Delete visit"), question, _("Delete visit"), danger=True):
            return
        try:
            delete_visit(self.context.store, visit.id)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.context.notify_changed()
        self.reload()

    def import_visits(self) -> None:
        from branchdesk.ui.visits_import import run_visits_import

        run_visits_import(self.window())

    def export_visit_data(self) -> None:
        from branchdesk.ui.visits_import import run_visit_data_export

        first, last = self.period()
        run_visit_data_export(self.window(), first, last)


class VisitDialog(WindowModalDialog):
    """Add a visit by hand, or correct one; every problem is shown beside its field."""

    def __init__(self, context, visit: Visit | None, parent: QWidget | None = None):
        super().__init__(parent, _("Correct visit") if visit else _("Add visit"))
        self.context = context
        self.visit = visit
        self.visit_id = visit.id if visit else None
        store = context.store
        self.problems = FieldProblems()
        self.client = QComboBox()
        fill_people(self.client, store, "clients", _("Choose the client…"))
        self.worker = QComboBox()
        fill_people(self.worker, store, "workers", _("No worker"))
        self.date = date_edit(visit.visit_date if visit else dt.date.today(), latest=dt.date.today())
        self.planned_start = self._time_field(visit.planned_start if visit else "")
        self.actual_start = self._time_field(visit.actual_start if visit else "")
        self.actual_end = self._time_field(visit.actual_end if visit else "")
        self.duration = QLineEdit("" if visit is None or visit.actual_end or visit.minutes is None else str(visit.minutes))
        self.duration.setPlaceholderText(_("minutes, when there is no actual end"))
        self.status = QComboBox()
        for status in VISIT_STATUSES:
            self.status.addItem(STATUS_LABELS[status], status)
        if visit:
            self.client.setCurrentIndex(max(self.client.findData(visit.client_id), 0))
            self.worker.setCurrentIndex(max(self.worker.findData(visit.worker_id), 0))
            self.status.setCurrentIndex(max(self.status.findData(visit.status), 0))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = (
            (_("Client"), self.client, "client_id"),
            (_("Worker"), self.worker, "worker_id"),
            (_("Date"), self.date, "date"),
            (_("Planned start"), self.planned_start, "planned_start"),
            (_("Actual start"), self.actual_start, "actual_start"),
            (_("Actual end"), self.actual_end, "actual_end"),
            (_("Duration"), self.duration, "duration_minutes"),
            (_("Status"), self.status, "status"),
        )
        for label, widget, field in rows:
            widget.setAccessibleName(label)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(self.problems.label_for(field))
            form.addRow(label, box)
            form.labelForField(box).setBuddy(widget)
        hint = QLabel(_("Times as HH:MM. An actual end earlier than the start is the next day (a visit across midnight)."))
        hint.setWordWrap(True)
        theme.text_colour(hint, "muted")
        self.general = self.problems.label_for("")
        buttons = ok_cancel(self, _("Save visit"))
        buttons.accepted.disconnect()
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    @staticmethod
    def _time_field(value: str | None) -> QLineEdit:
        edit = QLineEdit(value or "")
        edit.setPlaceholderText(_("HH:MM"))
        edit.setMaxLength(8)
        return edit

    def form_values(self) -> dict:
        return {
            "client_id": self.client.currentData(),
            "worker_id": self.worker.currentData(),
            "date": from_qdate(self.date.date()),
            "planned_start": self.planned_start.text(),
            "actual_start": self.actual_start.text(),
            "actual_end": self.actual_end.text(),
            "duration_minutes": self.duration.text(),
            "status": self.status.currentData(),
        }

    def save(self) -> None:
        try:
            self.visit_id = save_visit(self.context.store, self.form_values(), self.visit_id)
        except ValidationError as error:
            unplaced = self.problems.show(error.problems)
            if unplaced:
                self.general.setText("\n".join(p.message for p in unplaced))
                self.general.show()
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.accept()


# -- continuity ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ContinuityLine:
    client_id: int
    client_ref: str
    client_name: str
    this_month: int
    last_month: int
    visits: int

    @property
    def flagged(self) -> bool:
        return self.this_month > TARGET_WORKERS or self.last_month > TARGET_WORKERS


class ContinuityColumns(IntEnum):
    CLIENT = 0
    THIS_MONTH = 1
    LAST_MONTH = 2
    VISITS = 3
    FLAG = 4


class ContinuityModel(RecordTableModel):
    Columns = ContinuityColumns

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.headers = dict.fromkeys(ContinuityColumns, "")

    def set_months(self, this_month: str, last_month: str) -> None:
        self.headers = {
            ContinuityColumns.CLIENT: _("Client"),
            ContinuityColumns.THIS_MONTH: _("Workers in {month}").format(month=this_month),
            ContinuityColumns.LAST_MONTH: _("Workers in {month}").format(month=last_month),
            ContinuityColumns.VISITS: _("Visits in {month}").format(month=this_month),
            ContinuityColumns.FLAG: _("Continuity"),
        }
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(ContinuityColumns) - 1)

    def display(self, line: ContinuityLine, column: int):
        if column == ContinuityColumns.CLIENT:
            return f"{line.client_name} ({line.client_ref})"
        if column == ContinuityColumns.THIS_MONTH:
            return line.this_month
        if column == ContinuityColumns.LAST_MONTH:
            return line.last_month
        if column == ContinuityColumns.VISITS:
            return line.visits
        if line.flagged:
            return _("Above {n} workers").format(n=TARGET_WORKERS)
        return _("On target")

    def alignment(self, line: ContinuityLine, column: int):
        return RIGHT if column in (ContinuityColumns.THIS_MONTH, ContinuityColumns.LAST_MONTH, ContinuityColumns.VISITS) else None

    def foreground(self, line: ContinuityLine, column: int):
        if column == ContinuityColumns.THIS_MONTH and line.this_month > TARGET_WORKERS:
            return theme.colour("overdue")
        if column == ContinuityColumns.LAST_MONTH and line.last_month > TARGET_WORKERS:
            return theme.colour("overdue")
        if column == ContinuityColumns.FLAG:
            return theme.colour("overdue") if line.flagged else theme.colour("muted")
        return None


def continuity_lines(store, today: dt.date) -> tuple[list[ContinuityLine], str, str]:
    """Each client's distinct workers this month and last month, with the month names."""
    this = (today.year, today.month)
    last = previous_month(*this)
    now = {line.client_id: line for line in caseload_continuity(store, month_key(*this))}
    before = {line.client_id: line for line in caseload_continuity(store, month_key(*last))}
    lines = []
    for client_id in now.keys() | before.keys():
        known = now.get(client_id) or before[client_id]
        lines.append(ContinuityLine(client_id, known.client_ref, known.client_name,
                                    now[client_id].count if client_id in now else 0,
                                    before[client_id].count if client_id in before else 0,
                                    now[client_id].visits if client_id in now else 0))
    return lines, month_name(*this), month_name(*last)


class ContinuityList(QWidget):
    """Clients by the number of different workers who visited them, this month and last."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        theme.larger_text(self.summary)
        self.only_flagged = QCheckBox(_("Only clients above {n} workers").format(n=TARGET_WORKERS))
        self.only_flagged.toggled.connect(self.apply_filter)
        self.model = ContinuityModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = table_view(self.proxy, _("Continuity"))
        self.view.sortByColumn(ContinuityColumns.THIS_MONTH, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(lambda _index: self.open_client())
        enter_activates(self.view, self.open_client)
        open_button = QPushButton(_("Open client record"))
        open_button.clicked.connect(self.open_client)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.only_flagged)
        layout.addWidget(self.view, 1)
        layout.addLayout(button_row(open_button))

    def refresh(self) -> None:
        if self.context.store is None:
            return
        lines, this_month, last_month = continuity_lines(self.context.store, dt.date.today())
        self.model.set_months(this_month, last_month)
        self.model.set_rows(lines)
        above_now = sum(line.this_month > TARGET_WORKERS for line in lines)
        above_before = sum(line.last_month > TARGET_WORKERS for line in lines)
        self.summary.setText(_(
            "The target is at most {n} different workers a month for each client (completed visits). "
            "<b>{now} {clients} above it in {this}</b>; {before} in {last}."
        ).format(n=TARGET_WORKERS, now=above_now, clients=ngettext("client", "clients", above_now), this=this_month, before=above_before, last=last_month))
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(ContinuityColumns.CLIENT, QHeaderView.ResizeMode.Stretch)
        self.apply_filter()

    def apply_filter(self) -> None:
        self.proxy.set_predicate((lambda line: line.flagged) if self.only_flagged.isChecked() else None)

    def open_client(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        from branchdesk.ui.client_record import open_client_record

        open_client_record(self.context, self.proxy.row_object(rows[0]).client_id, self, section="Visits")


class VisitsScreen(QWidget):
    """Delivered visits: the log (imported and typed in) and continuity of care."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.log = VisitLog(context)
        self.continuity = ContinuityList(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.log, _("Visit log"))
        self.tabs.addTab(self.continuity, _("Continuity"))
        self.tabs.currentChanged.connect(lambda _index: self.refresh())
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Visits")))
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        if self.tabs.currentWidget() is self.continuity:
            self.continuity.refresh()
        else:
            self.log.refresh()
