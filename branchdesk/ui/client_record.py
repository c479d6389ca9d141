"""A client's record: referral and service, outcomes, contacts, team and notes, plus the
sections other screens contribute (ideal week, envelope, reviews, visits).

The record's own sections are edited together and saved together: one transaction with an
audit entry per change. Leaving with unsaved changes asks first.
"""

from __future__ import annotations

import datetime as dt
import importlib
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.calendars import HeldReview, Period, next_review_due
from branchdesk.models.clients import (
    CATEGORY_NAMES,
    END_REASON_NAMES,
    FUNDING_NAMES,
    STATUS_NAMES,
    Contact,
    Note,
    add_note,
    client_from_form,
    client_status,
    delete_contact,
    get_client,
    list_contacts,
    list_notes,
    save_contact,
    update_client,
)
from branchdesk.models.contracts import list_contracts
from branchdesk.models.dates import format_date, from_iso
from branchdesk.models.errors import BranchDeskError, NotFound, Problem, ValidationError
from branchdesk.models.money import format_money
from branchdesk.models.outcomes import (
    DOMAIN_NAMES,
    Outcome,
    list_outcomes,
    next_outcome_ref,
    outcome_from_form,
    save_outcome,
)
from branchdesk.models.outcomes import (
    STATUS_NAMES as OUTCOME_STATUS_NAMES,
)
from branchdesk.models.workers import list_workers, teams
from branchdesk.ui import theme
from branchdesk.ui.dialogs import (
    FieldProblems,
    WindowModalDialog,
    add_shortcut,
    button_row,
    confirm,
    enter_activates,
    keyboard_ready,
    show_error,
    tab_after,
)
from branchdesk.ui.referral import (
    ProblemForm,
    choice_combo,
    contract_combo,
    date_field,
    money_text,
    set_choice,
)
from branchdesk.ui.tables import RIGHT, RecordTableModel

#: Sections other screens add to the record: (title, module, class), each constructed as
#: ``Class(context, client_id, parent)`` when first shown.
EXTRA_SECTIONS = [
    (_("Ideal week"), "branchdesk.ui.ideal_week", "IdealWeekSection"),
    (_("Envelope & hours"), "branchdesk.ui.envelope", "EnvelopeSection"),
    (_("Reviews"), "branchdesk.ui.review_history", "ReviewHistorySection"),
    (_("Visits"), "branchdesk.ui.client_visits", "ClientVisitsSection"),
]
#: Outcome status colours by theme name.
OUTCOME_COLOURS = {"achieved": "ok", "partly": "warning", "not_achieved": "overdue", "withdrawn": "muted"}
SECTION_REFERRAL = _("Referral & service")
SECTION_OUTCOMES = _("Outcomes")
SECTION_CONTACTS = _("Contacts")
SECTION_TEAM = _("Team")
SECTION_NOTES = _("Notes")


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


# -- Referral & service ----------------------------------------------------------------------
class ReferralSection(QWidget):
    """Every client field of the referral and the service, and the end of service."""

    FIELDS = ("ref", "name", "council_ref", "date_of_birth", "address", "postcode", "phone", "contract_ref", "category",
              "funding", "personal_budget_weekly", "start_date", "end_date", "end_reason", "ot_required", "ot_done_date",
              "social_worker")

    def __init__(self, record: ClientRecordDialog):
        super().__init__()
        self.record = record
        problems = record.problems
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-weight: 600;")

        person = QGroupBox(_("The person"))
        form = ProblemForm(problems, person)
        self.ref = form.add("ref", _("Our ref"), QLineEdit())
        self.name = form.add("name", _("Name"), QLineEdit())
        self.date_of_birth = form.add("date_of_birth", _("Date of birth"), date_field())
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(64)
        form.add("address", _("Address"), self.address)
        self.postcode = form.add("postcode", _("Postcode"), QLineEdit())
        self.postcode.setMaximumWidth(140)
        self.phone = form.add("phone", _("Phone"), QLineEdit())

        referral = QGroupBox(_("Referral"))
        form = ProblemForm(problems, referral)
        self.council_ref = form.add("council_ref", _("Council ref"), QLineEdit())
        self.social_worker = form.add("social_worker", _("Social worker"), QLineEdit())
        self.contract = form.add("contract_ref", _("Contract"), contract_combo(record.store))
        self.category = form.add("category", _("Category"), choice_combo(CATEGORY_NAMES))
        self.funding = form.add("funding", _("Funding"), choice_combo(FUNDING_NAMES))
        self.budget = form.add("personal_budget_weekly", _("Personal budget (£/week)"), QLineEdit())
        self.budget.setMaximumWidth(140)
        self.ot_required = form.add("ot_required", _("OT assessment"), QCheckBox(_("Required")))
        self.ot_done_date = form.add("ot_done_date", _("OT assessment done on"), date_field())

        service = QGroupBox(_("Service"))
        form = ProblemForm(problems, service)
        self.start_date = form.add("start_date", _("Service started"), date_field())
        self.end_date = form.add("end_date", _("Service ended (last day)"), date_field())
        self.end_reason = form.add("end_reason", _("Why it ended"), choice_combo(END_REASON_NAMES, blank=_("(still in service)")))
        hint = QLabel(_("To end the service, enter the last day and why it ended, then Save."))
        hint.setWordWrap(True)
        theme.text_colour(hint, "muted")
        form.addRow("", hint)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(service)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(referral)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.status)
        layout.addLayout(columns)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(_scrolling(inner))
        for edit in (self.ref, self.name, self.date_of_birth, self.postcode, self.phone, self.council_ref, self.social_worker,
                     self.budget, self.ot_done_date, self.start_date, self.end_date):
            edit.textEdited.connect(record.mark_dirty)
        self.address.textChanged.connect(record.mark_dirty)
        for combo in (self.contract, self.category, self.funding, self.end_reason):
            combo.activated.connect(record.mark_dirty)
        self.ot_required.clicked.connect(record.mark_dirty)

    def load(self, client, status_text: str) -> None:
        self.status.setText(status_text)
        self.ref.setText(client.ref)
        self.name.setText(client.name)
        self.council_ref.setText(client.council_ref)
        self.date_of_birth.setText(format_date(client.date_of_birth))
        self.address.blockSignals(True)
        self.address.setPlainText(client.address)
        self.address.blockSignals(False)
        self.postcode.setText(client.postcode)
        self.phone.setText(client.phone)
        contract_ref = next((c.ref for c in list_contracts(self.record.store) if c.id == client.contract_id), "")
        set_choice(self.contract, contract_ref)
        set_choice(self.category, client.category)
        set_choice(self.funding, client.funding)
        self.budget.setText(money_text(client.personal_budget_weekly_pence))
        self.start_date.setText(format_date(client.start_date))
        self.end_date.setText(format_date(client.end_date))
        set_choice(self.end_reason, client.end_reason)
        self.ot_required.setChecked(client.ot_required)
        self.ot_done_date.setText(format_date(client.ot_done_date))
        self.social_worker.setText(client.social_worker)

    def values(self) -> dict:
        return {
            "ref": self.ref.text(),
            "name": self.name.text(),
            "council_ref": self.council_ref.text(),
            "date_of_birth": self.date_of_birth.text(),
            "address": self.address.toPlainText(),
            "postcode": self.postcode.text(),
            "phone": self.phone.text(),
            "contract_ref": self.contract.currentData() or "",
            "category": self.category.currentData(),
            "funding": self.funding.currentData(),
            "personal_budget_weekly": self.budget.text(),
            "start_date": self.start_date.text(),
            "end_date": self.end_date.text(),
            "end_reason": self.end_reason.currentData() or "",
            "ot_required": self.ot_required.isChecked(),
            "ot_done_date": self.ot_done_date.text(),
            "social_worker": self.social_worker.text(),
        }


# -- Team -------------------------------------------------------------------------------------
class TeamSection(QWidget):
    """The person's key worker and team."""

    FIELDS = ("key_worker", "team")

    def __init__(self, record: ClientRecordDialog):
        super().__init__()
        self.record = record
        box = QGroupBox(_("Who looks after this person"))
        form = ProblemForm(record.problems, box)
        self.key_worker = form.add("key_worker", _("Key worker"), QComboBox())
        self.key_worker.setEditable(True)
        self.team = form.add("team", _("Team"), QComboBox())
        self.team.setEditable(True)
        self.team_members = QLabel()
        self.team_members.setWordWrap(True)
        form.addRow(_("Others in the team"), self.team_members)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)
        for combo in (self.key_worker, self.team):
            combo.lineEdit().textEdited.connect(self._edited)
            combo.activated.connect(self._edited)

    def _edited(self, *_args) -> None:
        self.record.mark_dirty()
        self._show_members()

    def _show_members(self) -> None:
        team = self.team.currentText().strip()
        names = [w.name for w in list_workers(self.record.store, team) if w.active] if team else []
        self.team_members.setText(", ".join(names) if names else _("No workers are recorded in this team yet."))

    def load(self, client) -> None:
        store = self.record.store
        self.key_worker.clear()
        self.key_worker.addItems([""] + [w.name for w in list_workers(store) if w.active])
        self.key_worker.setEditText(client.key_worker)
        self.team.clear()
        self.team.addItems([""] + teams(store))
        self.team.setEditText(client.team)
        self._show_members()

    def values(self) -> dict:
        return {"key_worker": self.key_worker.currentText(), "team": self.team.currentText()}


# -- Outcomes -----------------------------------------------------------------------------------
class OutcomeColumns(IntEnum):
    REF = 0
    DESCRIPTION = 1
    DOMAIN = 2
    AGREED = 3
    TARGET = 4
    FEE = 5
    STATUS = 6


class OutcomesModel(RecordTableModel):
    Columns = OutcomeColumns
    headers = {
        OutcomeColumns.REF: _("Ref"),
        OutcomeColumns.DESCRIPTION: _("In their own words"),
        OutcomeColumns.DOMAIN: _("Domain"),
        OutcomeColumns.AGREED: _("Agreed"),
        OutcomeColumns.TARGET: _("Target"),
        OutcomeColumns.FEE: _("Fee"),
        OutcomeColumns.STATUS: _("Status"),
    }

    def display(self, outcome: Outcome, column: int):
        if column == OutcomeColumns.REF:
            return outcome.ref
        if column == OutcomeColumns.DESCRIPTION:
            return outcome.description
        if column == OutcomeColumns.DOMAIN:
            return DOMAIN_NAMES.get(outcome.domain, "") if outcome.domain else ""
        if column == OutcomeColumns.AGREED:
            return outcome.agreed_date
        if column == OutcomeColumns.TARGET:
            return outcome.target_date
        if column == OutcomeColumns.FEE:
            return format_money(outcome.fee_pence) if outcome.fee_pence else ""
        status = OUTCOME_STATUS_NAMES[outcome.status]
        if outcome.withdrawn_date:
            return _("Withdrawn {day}").format(day=format_date(outcome.withdrawn_date))
        if outcome.last_assessed:
            return _("{status} (review {day})").format(status=status, day=format_date(outcome.last_assessed))
        return status

    def alignment(self, outcome, column: int):
        return RIGHT if column == OutcomeColumns.FEE else None

    def foreground(self, outcome: Outcome, column: int):
        if column == OutcomeColumns.STATUS and outcome.status in OUTCOME_COLOURS:
            return theme.colour(OUTCOME_COLOURS[outcome.status])
        return None

    def tooltip(self, outcome: Outcome, column: int):
        return outcome.description if column == OutcomeColumns.DESCRIPTION else None

    def refresh_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(OutcomeColumns) - 1))

    def append(self, outcome: Outcome) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(outcome)
        self.endInsertRows()


class OutcomeDialog(WindowModalDialog):
    """Add or edit one outcome; every problem beside its field."""

    def __init__(self, parent: QWidget, outcome: Outcome, taken_refs: set[str]):
        super().__init__(parent, _("Outcome"))
        self.outcome = outcome
        self.taken = taken_refs
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.ref = form.add("outcome_ref", _("Ref"), QLineEdit(outcome.ref))
        self.ref.setMaximumWidth(100)
        self.description = QPlainTextEdit(outcome.description)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        self.description.setPlaceholderText(_("In the person's own words, e.g. “I want to make my own breakfast again”"))
        form.add("description", _("What the person wants"), self.description)
        self.domain = form.add("domain", _("Domain"), choice_combo(DOMAIN_NAMES, blank=_("(no domain)")))
        set_choice(self.domain, outcome.domain)
        self.agreed = form.add("agreed_date", _("Agreed on"), date_field(outcome.agreed_date))
        self.target = form.add("target_date", _("Target date"), date_field(outcome.target_date))
        self.fee = form.add("fee", _("Fee (£)"), QLineEdit(money_text(outcome.fee_pence) if outcome.fee_pence else ""))
        self.fee.setMaximumWidth(140)
        save = QPushButton(_("OK"))
        save.setDefault(True)
        save.clicked.connect(self.save)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(button_row(save, cancel))
        self.resize(max(self.width(), 620), self.sizeHint().height())

    def save(self) -> None:
        try:
            parsed = outcome_from_form({
                "outcome_ref": self.ref.text(), "description": self.description.toPlainText(),
                "domain": self.domain.currentData(), "agreed_date": self.agreed.text(),
                "target_date": self.target.text(), "fee": self.fee.text(),
            })
        except ValidationError as error:
            self.problems.show(error.problems)
            return
        if parsed.ref in self.taken:
            self.problems.show([Problem("outcome_ref", _("This person already has an outcome “{ref}”.").format(ref=parsed.ref))])
            return
        for name in ("ref", "description", "domain", "agreed_date", "target_date", "fee_pence"):
            setattr(self.outcome, name, getattr(parsed, name))
        self.accept()


class OutcomesSection(QWidget):
    """The outcomes the person wants; status comes from the latest review that assessed each."""

    def __init__(self, record: ClientRecordDialog):
        super().__init__()
        self.record = record
        self.model = OutcomesModel(parent=self)
        self.changed: set[int] = set()  # ids() of outcomes added or edited since loading
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        # The person's own words matter: wrap them rather than cut them short.
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setMinimumSectionSize(28)
        self.view.setAccessibleName(_("Outcomes"))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(OutcomeColumns.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OutcomeColumns.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((OutcomeColumns.REF, 50), (OutcomeColumns.DOMAIN, 170), (OutcomeColumns.AGREED, 90),
                              (OutcomeColumns.TARGET, 90), (OutcomeColumns.FEE, 80)):
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(lambda _index: self.edit_outcome())
        enter_activates(self.view, self.edit_outcome)
        self.add_button = QPushButton(_("Add outcome…"))
        self.add_button.clicked.connect(self.add_outcome)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_outcome)
        self.withdraw_button = QPushButton(_("Withdraw"))
        self.withdraw_button.setToolTip(_("The person no longer wants this outcome"))
        self.withdraw_button.clicked.connect(self.withdraw_outcome)
        self.view.selectionModel().currentRowChanged.connect(lambda *_args: self._update_buttons())
        note = QLabel(_("An outcome's status is set by the reviews that assess it; it stays Active until the first review."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(button_row(self.add_button, self.edit_button, self.withdraw_button))
        self._update_buttons()

    def load(self, client_id: int) -> None:
        self.model.set_rows(list_outcomes(self.record.store, client_id))
        self.changed.clear()
        self._update_buttons()

    def current(self) -> Outcome | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        outcome = self.current()
        self.edit_button.setEnabled(outcome is not None)
        self.withdraw_button.setEnabled(outcome is not None)
        if outcome is not None:
            self.withdraw_button.setText(_("Reinstate") if outcome.withdrawn_date else _("Withdraw"))

    def _taken(self, outcome: Outcome) -> set[str]:
        return {o.ref for o in self.model.rows() if o is not outcome}

    def add_outcome(self) -> None:
        client = self.record.client
        taken = {o.ref for o in self.model.rows()}
        outcome = Outcome(ref=next_outcome_ref(self.record.store, client.id, taken), description="",
                          agreed_date=dt.date.today() if dt.date.today() >= client.start_date else client.start_date)
        if OutcomeDialog(self, outcome, taken).exec():
            self.model.append(outcome)
            self.changed.add(id(outcome))
            self.view.setCurrentIndex(self.model.index(self.model.rowCount() - 1, 0))
            self.record.mark_dirty()

    def edit_outcome(self) -> None:
        outcome = self.current()
        if outcome is not None and OutcomeDialog(self, outcome, self._taken(outcome)).exec():
            self.changed.add(id(outcome))
            self.model.refresh_row(self.view.currentIndex().row())
            self.record.mark_dirty()

    def withdraw_outcome(self) -> None:
        outcome = self.current()
        if outcome is None:
            return
        if outcome.withdrawn_date:
            outcome.withdrawn_date = None
            outcome.status = "active"
        else:
            outcome.withdrawn_date = max(dt.date.today(), outcome.agreed_date or dt.date.today())
            outcome.status = "withdrawn"
        self.changed.add(id(outcome))
        self.model.refresh_row(self.view.currentIndex().row())
        self._update_buttons()
        self.record.mark_dirty()

    def save(self, store, client_id: int) -> None:
        for outcome in self.model.rows():
            if id(outcome) in self.changed:
                save_outcome(store, client_id, outcome)


# -- Contacts ------------------------------------------------------------------------------------
class ContactColumns(IntEnum):
    NAME = 0
    RELATIONSHIP = 1
    PHONE = 2
    MAY_BE_TOLD = 3


CONTACT_HEADERS = {
    ContactColumns.NAME: _("Name"),
    ContactColumns.RELATIONSHIP: _("Relationship"),
    ContactColumns.PHONE: _("Phone"),
    ContactColumns.MAY_BE_TOLD: _("May be told about care"),
}
CONTACT_FIELDS = {ContactColumns.NAME: "name", ContactColumns.RELATIONSHIP: "relationship", ContactColumns.PHONE: "phone"}


class ContactsModel(QAbstractTableModel):
    """Family and others, edited in place; ``may be told about care`` is a tick box."""

    def __init__(self, on_edit, parent=None):
        super().__init__(parent)
        self.contacts: list[Contact] = []
        self.removed: list[int] = []
        self.on_edit = on_edit

    def set_contacts(self, contacts: list[Contact]) -> None:
        self.beginResetModel()
        self.contacts = contacts
        self.removed = []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.contacts)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ContactColumns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CONTACT_HEADERS[ContactColumns(section)]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        contact = self.contacts[index.row()]
        column = ContactColumns(index.column())
        if column == ContactColumns.MAY_BE_TOLD:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if contact.may_be_told else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return _("Yes") if contact.may_be_told else _("No")
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return getattr(contact, CONTACT_FIELDS[column])
        return None

    def flags(self, index):
        flags = super().flags(index)
        if index.column() == ContactColumns.MAY_BE_TOLD:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEditable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        contact = self.contacts[index.row()]
        column = ContactColumns(index.column())
        if column == ContactColumns.MAY_BE_TOLD and role == Qt.ItemDataRole.CheckStateRole:
            field, new = "may_be_told", Qt.CheckState(value) == Qt.CheckState.Checked
        elif column != ContactColumns.MAY_BE_TOLD and role == Qt.ItemDataRole.EditRole:
            field, new = CONTACT_FIELDS[column], str(value or "").strip()
        else:
            return False
        old = getattr(contact, field)
        if old == new or (field != "may_be_told" and (old or "") == new):  # an editor opened and left unchanged
            return True
        setattr(contact, field, new)
        self.dataChanged.emit(index, self.index(index.row(), len(ContactColumns) - 1))
        self.on_edit()
        return True

    def add(self) -> int:
        row = len(self.contacts)
        self.beginInsertRows(QModelIndex(), row, row)
        self.contacts.append(Contact(name=""))
        self.endInsertRows()
        self.on_edit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self.contacts):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        contact = self.contacts.pop(row)
        self.endRemoveRows()
        if contact.id is not None:
            self.removed.append(contact.id)
        self.on_edit()


class ContactsSection(QWidget):
    """Family and other contacts: name, relationship, phone, and whether they may be told about care."""

    def __init__(self, record: ClientRecordDialog):
        super().__init__()
        self.record = record
        self.model = ContactsModel(record.mark_dirty, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(_("Contacts"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(ContactColumns.NAME, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(ContactColumns.RELATIONSHIP, 180)
        self.view.setColumnWidth(ContactColumns.PHONE, 180)
        self.view.setColumnWidth(ContactColumns.MAY_BE_TOLD, 190)
        add = QPushButton(_("Add contact"))
        add.clicked.connect(self.add_contact)
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(lambda: self.model.remove(self.view.currentIndex().row()))
        note = QLabel(_("Type in the table to change a contact. Tick “May be told about care” only where the person has agreed."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addWidget(record.problems.label_for("contacts"))
        layout.addLayout(button_row(add, remove))

    def add_contact(self) -> None:
        row = self.model.add()
        index = self.model.index(row, ContactColumns.NAME)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def load(self, client_id: int) -> None:
        self.model.set_contacts(list_contacts(self.record.store, client_id))

    def problems(self) -> list[Problem]:
        return [Problem("contacts", _("Contact {n} has no name; enter it or remove the row.").format(n=n))
                for n, contact in enumerate(self.model.contacts, start=1) if not contact.name.strip()]

    def save(self, store, client_id: int) -> None:
        for contact_id in self.model.removed:
            delete_contact(store, contact_id)
        for contact in self.model.contacts:
            save_contact(store, client_id, contact)


# -- Notes ---------------------------------------------------------------------------------------
class NotesModel(RecordTableModel):
    class Columns(IntEnum):
        DATE = 0
        AUTHOR = 1
        TEXT = 2

    headers = {Columns.DATE: _("Date"), Columns.AUTHOR: _("Written by"), Columns.TEXT: _("Note")}

    def display(self, note: Note, column: int):
        if column == self.Columns.DATE:
            return note.written_on
        if column == self.Columns.AUTHOR:
            return note.author if note.id is not None else _("{author} (not saved yet)").format(author=note.author)
        return note.text

    def tooltip(self, note: Note, column: int):
        return note.text if column == self.Columns.TEXT else None


class NotesSection(QWidget):
    """Dated notes, newest first, each with who wrote it."""

    def __init__(self, record: ClientRecordDialog):
        super().__init__()
        self.record = record
        self.model = NotesModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(_("Notes"))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setMinimumSectionSize(28)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(NotesModel.Columns.TEXT, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(NotesModel.Columns.DATE, 100)
        self.view.setColumnWidth(NotesModel.Columns.AUTHOR, 180)
        self.new_note = QPlainTextEdit()
        self.new_note.setPlaceholderText(_("Write a new note…"))
        self.new_note.setFixedHeight(80)
        self.new_note.setAccessibleName(_("New note"))
        add = QPushButton(_("Add note"))
        add.clicked.connect(self.add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.new_note)
        layout.addWidget(record.problems.label_for("note"))
        layout.addLayout(button_row(add))
        self.pending: list[Note] = []

    def load(self, client_id: int) -> None:
        self.pending = []
        self.model.set_rows(list_notes(self.record.store, client_id))

    def add(self) -> None:
        text = self.new_note.toPlainText().strip()
        if not text:
            self.record.problems.show([Problem("note", _("Write the note first."))])
            return
        note = Note(dt.date.today(), self.record.store.user, text)
        self.pending.append(note)
        self.model.set_rows([note, *self.model.rows()])
        self.new_note.clear()
        self.record.mark_dirty()

    def problems(self) -> list[Problem]:
        if self.new_note.toPlainText().strip():
            return [Problem("note", _("Press “Add note” to keep the note you are writing, or clear it."))]
        return []

    def save(self, store, client_id: int) -> None:
        for note in reversed(self.pending):
            add_note(store, client_id, note.text, note.written_on, note.author)


# -- the record ------------------------------------------------------------------------------------
class ClientRecordDialog(WindowModalDialog):
    """One person's record, section by section (a list down the side)."""

    def __init__(self, context, client_id: int, parent: QWidget | None = None):
        super().__init__(parent, _("Client record"))
        self.context = context
        self.store = context.store
        self.client_id = client_id
        self.client = get_client(self.store, client_id)
        self.dirty = False
        self.problems = FieldProblems()
        if self.size().width() < 1000:
            self.resize(1180, 760)

        self.heading = QLabel()
        theme.screen_title(self.heading)
        self.sections = QListWidget()
        self.sections.setAccessibleName(_("Sections"))
        self.sections.setFixedWidth(190)
        self.sections.setStyleSheet("QListWidget::item { padding: 6px 8px; }")
        self.stack = QStackedWidget()

        self.referral = ReferralSection(self)
        self.outcomes = OutcomesSection(self)
        self.contacts = ContactsSection(self)
        self.team = TeamSection(self)
        self.notes = NotesSection(self)
        self._titles: list[str] = []
        self._extras: dict[int, tuple[object, str]] = {}
        for title, widget in ((SECTION_REFERRAL, self.referral), (SECTION_OUTCOMES, self.outcomes),
                              (SECTION_CONTACTS, self.contacts), (SECTION_TEAM, self.team), (SECTION_NOTES, self.notes)):
            self._add_section(title, widget)
        for title, module_name, class_name in EXTRA_SECTIONS:
            module = importlib.import_module(module_name)
            self._extras[len(self._titles)] = (getattr(module, class_name), title)
            self._add_section(title, QWidget())
        self.sections.currentRowChanged.connect(self._show_section)

        self.general = QLabel()
        self.general.setWordWrap(True)
        theme.text_colour(self.general, "overdue")
        self.general.hide()
        self.save_button = QPushButton(_("Save"))
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.save_button.setToolTip(_("Ctrl+S"))
        add_shortcut(self, "Ctrl+S", self.save_button.click)
        add_shortcut(self, "Ctrl+PgDown", lambda: self.step_section(1))
        add_shortcut(self, "Ctrl+PgUp", lambda: self.step_section(-1))
        self.sections.setAccessibleDescription(_("Ctrl+Page Down and Ctrl+Page Up go to the next and previous section."))
        cancel = QPushButton(_("Close"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.cancel_button = cancel

        body = QHBoxLayout()
        body.addWidget(self.sections)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)
        layout.addWidget(self.general)
        layout.addLayout(button_row(self.save_button, cancel))
        self.load()
        self.sections.setCurrentRow(0)
        context.data_changed.connect(self._outside_change)

    def _add_section(self, title: str, widget: QWidget) -> None:
        self._titles.append(title)
        self.sections.addItem(title)
        self.stack.addWidget(widget)

    def _show_section(self, row: int) -> None:
        if row in self._extras:
            cls, _title = self._extras.pop(row)
            widget = cls(self.context, self.client_id, self)
            placeholder = self.stack.widget(row)
            self.stack.insertWidget(row, widget)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            tab_after(self.sections, widget)
            keyboard_ready(self)
        self.stack.setCurrentIndex(row)

    def step_section(self, step: int) -> None:
        """Go to the next (1) or previous (-1) section, from anywhere in the record; the focus goes to
        the list of sections (Tab then goes into the section), not to a control the hidden page had."""
        row = self.sections.currentRow() + step
        if 0 <= row < self.sections.count():
            self.sections.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.sections.setCurrentRow(row)

    def show_section(self, title: str) -> bool:
        """Switch to the section called ``title``; False when there is none."""
        if title in self._titles:
            self.sections.setCurrentRow(self._titles.index(title))
            return True
        return False

    def section_widget(self, title: str) -> QWidget:
        self.show_section(title)
        return self.stack.currentWidget()

    # -- loading and saving --------------------------------------------------------------------
    def load(self) -> None:
        self.client = get_client(self.store, self.client_id)
        client = self.client
        self.heading.setText(f"{client.name}  ·  {client.ref}" + (f"  ·  {client.council_ref}" if client.council_ref else ""))
        self.setWindowTitle(_("{name} — client record").format(name=client.name))
        self.referral.load(client, self._status_text())
        self.outcomes.load(self.client_id)
        self.contacts.load(self.client_id)
        self.team.load(client)
        self.notes.load(self.client_id)
        self.problems.clear()
        self.general.hide()
        self._set_dirty(False)

    def _status_text(self) -> str:
        today = dt.date.today()
        client = self.client
        periods = [Period(dt.date.fromisoformat(r[0]), dt.date.fromisoformat(r[1]), r[2]) for r in self.store.rows(
            "SELECT start_date, end_date, reason FROM suspensions WHERE client_id = ?", (client.id,))]
        status = client_status(client, today, periods)
        text = STATUS_NAMES[status]
        if status == "ended":
            return _("Ended on {day} ({reason}).").format(day=format_date(client.end_date), reason=END_REASON_NAMES.get(client.end_reason or "", _("no reason given")).lower())
        if status == "referred":
            text = _("Referred; the service starts on {day}.").format(day=format_date(client.start_date))
        elif status == "suspended":
            current = next(p for p in periods if p.start <= today <= p.end)
            text = _("Suspended ({reason}) until {day}.").format(reason=current.reason, day=format_date(current.end))
        else:
            text = _("Active since {day}.").format(day=format_date(client.start_date))
        held = [HeldReview(dt.date.fromisoformat(r[0]), r[1], from_iso(r[2])) for r in self.store.rows(
            "SELECT review_date, method, next_review_date FROM reviews WHERE client_id = ?", (client.id,))]
        due = next_review_due(client.start_date, held)
        return text + " " + _("Next review due {day} (by {method}).").format(day=format_date(due.due), method=due.method)

    def mark_dirty(self, *_args) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(dirty and not self.store.read_only)
        self.cancel_button.setText(_("Cancel") if dirty else _("Close"))

    def _outside_change(self) -> None:
        if not self.dirty and self.isVisible():
            try:
                self.load()
            except NotFound:
                self.reject()

    def save(self) -> bool:
        """Check every section, show every problem beside its field, then save all in one transaction."""
        problems: list[Problem] = []
        values = {**self.referral.values(), **self.team.values(), "id": self.client_id}
        contract_ids = {c.ref: c.id for c in list_contracts(self.store)}
        client = None
        try:
            client = client_from_form(values, contract_ids, today=dt.date.today())
        except ValidationError as error:
            problems += error.problems
        problems += self.contacts.problems() + self.notes.problems()
        if problems:
            self._show_problems(problems)
            return False
        try:
            with self.store.transaction():
                update_client(self.store, client)
                self.outcomes.save(self.store, self.client_id)
                self.contacts.save(self.store, self.client_id)
                self.notes.save(self.store, self.client_id)
        except ValidationError as error:
            self._show_problems(error.problems)
            return False
        except BranchDeskError as error:
            show_error(self, str(error))
            return False
        self._set_dirty(False)
        self.context.notify_changed()
        self.load()
        return True

    def _show_problems(self, problems: list[Problem]) -> None:
        unplaced = self.problems.show(problems)
        fields = {p.field for p in problems}
        places = ((SECTION_REFERRAL, ReferralSection.FIELDS), (SECTION_TEAM, TeamSection.FIELDS),
                  (SECTION_CONTACTS, ("contacts",)), (SECTION_NOTES, ("note",)))
        where = [title for title, names in places if fields & set(names)]
        lines = [_("Nothing was saved. Put right the problems shown in: {where}.").format(where=", ".join(where))] if where else []
        lines += [p.message for p in unplaced]
        self.general.setText("\n".join(lines))
        self.general.setVisible(bool(lines))
        if where and self._titles[self.sections.currentRow()] not in where:
            self.show_section(where[0])

    def reject(self) -> None:
        if self.dirty and not confirm(self, _("Unsaved changes"), _("Discard the changes you made to {name}'s record?").format(
                name=self.client.name), yes_text=_("Discard changes"), danger=True):
            return
        super().reject()


def open_client_record(context, client_id: int, parent: QWidget | None = None, section: str | None = None) -> None:
    """Open a client's record (at ``section``, a section title, when given) and wait until it is closed."""
    try:
        dialog = ClientRecordDialog(context, client_id, parent)
    except NotFound as error:
        show_error(parent, str(error))
        return
    if section:
        dialog.show_section(section)
    dialog.exec()
    context.data_changed.disconnect(dialog._outside_change)
    dialog.deleteLater()
