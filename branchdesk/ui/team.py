"""The Team screen: the branch's workers and their teams."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.money import format_decimal
from branchdesk.models.workers import (
    Worker,
    list_workers,
    ref_problems,
    save_worker,
    teams,
    worker_from_form,
)
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, button_row, show_error
from branchdesk.ui.referral import ProblemForm
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel


class Columns(IntEnum):
    REF = 0
    NAME = 1
    TEAM = 2
    ROLE = 3
    HOURS = 4
    KEY_CLIENTS = 5
    ACTIVE = 6


class WorkersModel(RecordTableModel):
    Columns = Columns
    headers = {Columns.REF: _("Ref"), Columns.NAME: _("Name"), Columns.TEAM: _("Team"), Columns.ROLE: _("Role"),
               Columns.HOURS: _("Contracted h/week"), Columns.KEY_CLIENTS: _("Key worker for"), Columns.ACTIVE: _("Working")}

    def display(self, row: tuple[Worker, int], column: int):
        worker, key_clients = row
        if column == Columns.REF:
            return worker.ref
        if column == Columns.NAME:
            return worker.name
        if column == Columns.TEAM:
            return worker.team
        if column == Columns.ROLE:
            return worker.role
        if column == Columns.HOURS:
            return format_decimal(worker.contracted_hours)
        if column == Columns.KEY_CLIENTS:
            return key_clients
        return _("Yes") if worker.active else _("Left")

    def sort_key(self, row, column: int):
        if column == Columns.HOURS:
            return row[0].contracted_hours if row[0].contracted_hours is not None else -1
        return super().sort_key(row, column)

    def alignment(self, row, column: int):
        return RIGHT if column in (Columns.HOURS, Columns.KEY_CLIENTS) else None


class WorkerDialog(WindowModalDialog):
    """Add or change a worker; every problem beside its field."""

    def __init__(self, context, worker: Worker | None, parent: QWidget | None = None):
        super().__init__(parent, _("Worker") if worker else _("New worker"))
        self.context = context
        self.worker = worker
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.ref = form.add("ref", _("Ref"), QLineEdit(worker.ref if worker else ""))
        self.name = form.add("name", _("Name"), QLineEdit(worker.name if worker else ""))
        self.team = form.add("team", _("Team"), QComboBox())
        self.team.setEditable(True)
        self.team.addItems([""] + teams(context.store))
        self.team.setEditText(worker.team if worker else "")
        self.role = form.add("role", _("Role"), QLineEdit(worker.role if worker else ""))
        self.hours = form.add("contracted_hours", _("Contracted hours a week"), QLineEdit(format_decimal(worker.contracted_hours) if worker else ""))
        self.hours.setMaximumWidth(120)
        self.active = form.add("active", _("Working here"), QCheckBox(_("Still works for the branch")))
        self.active.setChecked(worker.active if worker else True)
        save = QPushButton(_("Save"))
        save.setDefault(True)
        save.clicked.connect(self.save)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(button_row(save, cancel))
        self.resize(max(self.width(), 480), self.sizeHint().height())

    def save(self) -> None:
        values = {"ref": self.ref.text(), "name": self.name.text(), "team": self.team.currentText(), "role": self.role.text(),
                  "contracted_hours": self.hours.text(), "active": self.active.isChecked(),
                  "id": self.worker.id if self.worker else None}
        clash = ref_problems(self.context.store, values["ref"], values["id"])
        try:
            worker = worker_from_form(values)
        except ValidationError as error:
            self.problems.show(error.problems + clash)
            return
        try:
            save_worker(self.context.store, worker)
        except ValidationError as error:
            self.problems.show(error.problems)
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.context.notify_changed()
        self.accept()


class TeamScreen(QWidget):
    """Workers (ref, name, team, role, contracted hours), filtered by team; add and edit."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.model = WorkersModel(parent=self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        title = QLabel(_("Team"))
        theme.screen_title(title)
        self.team_filter = QComboBox()
        self.team_filter.setAccessibleName(_("Team"))
        self.team_filter.currentIndexChanged.connect(self.apply_filter)
        self.show_left = QCheckBox(_("Show workers who have left"))
        self.show_left.toggled.connect(self.apply_filter)
        add = QPushButton(_("Add worker…"))
        add.clicked.connect(lambda: self.edit(None))
        edit = QPushButton(_("Edit…"))
        edit.clicked.connect(lambda: self.edit(self.current()))
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Columns.NAME, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setAccessibleName(_("Workers"))
        self.view.horizontalHeader().setSectionResizeMode(Columns.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((Columns.REF, 90), (Columns.TEAM, 140), (Columns.ROLE, 180), (Columns.HOURS, 140),
                              (Columns.KEY_CLIENTS, 120), (Columns.ACTIVE, 80)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(lambda index: self.edit(self.proxy.row_object(index)[0]))
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(add)
        filters = QHBoxLayout()
        team_label = QLabel(_("Team:"))
        team_label.setBuddy(self.team_filter)
        filters.addWidget(team_label)
        filters.addWidget(self.team_filter)
        filters.addWidget(self.show_left)
        filters.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(edit)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.refresh()

    def refresh(self) -> None:
        store = self.context.store
        if store is None:
            return
        key_clients: dict[str, int] = {}
        for key_worker, n in store.rows("SELECT key_worker, count(*) FROM clients WHERE end_date IS NULL OR end_date >= date('now') GROUP BY key_worker"):
            key_clients[key_worker] = n
        self.model.set_rows([(w, key_clients.get(w.name, 0) + (key_clients.get(w.ref, 0) if w.ref != w.name else 0))
                             for w in list_workers(store)])
        chosen = self.team_filter.currentData()
        self.team_filter.blockSignals(True)
        self.team_filter.clear()
        self.team_filter.addItem(_("Every team"), "")
        for team in teams(store):
            self.team_filter.addItem(team, team)
        self.team_filter.setCurrentIndex(max(self.team_filter.findData(chosen), 0) if chosen else 0)
        self.team_filter.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> None:
        team = self.team_filter.currentData()
        show_left = self.show_left.isChecked()
        self.proxy.set_predicate(lambda row: (not team or row[0].team == team) and (show_left or row[0].active))
        self.count.setText(_("{n} workers shown").format(n=self.proxy.rowCount()))

    def current(self) -> Worker | None:
        index = self.view.currentIndex()
        return self.proxy.row_object(index)[0] if index.isValid() else None

    def edit(self, worker: Worker | None) -> None:
        if WorkerDialog(self.context, worker, self).exec():
            self.refresh()
