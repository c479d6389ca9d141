"""The New referral dialog: what the council sends when it refers a person, typed in once.

Also the small form pieces the client, contract and team forms share: a field with its
problem shown beneath it, date and choice fields.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.clients import (
    CATEGORY_NAMES,
    FUNDING_NAMES,
    add_client,
    client_from_form,
    next_client_ref,
)
from branchdesk.models.contracts import list_contracts
from branchdesk.models.dates import format_date, iso, parse_optional_date
from branchdesk.models.envelope import add_envelope_change, parse_hours
from branchdesk.models.errors import BranchDeskError, Problem, ValidationError
from branchdesk.models.money import format_money
from branchdesk.models.outcomes import DOMAIN_NAMES, outcome_from_form, save_outcome
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, button_row, show_error

DATE_HINT = _("dd/mm/yyyy")


# -- shared form pieces -----------------------------------------------------------------------
class ProblemForm(QFormLayout):
    """A form whose every field has its problem label right beneath it (hidden when fine)."""

    def __init__(self, problems: FieldProblems, parent: QWidget | None = None):
        super().__init__(parent)
        self.problems = problems
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def add(self, field: str, label: str, widget: QWidget) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self.problems.label_for(field))
        widget.setAccessibleName(label.rstrip(":"))
        self.addRow(label, holder)
        self.labelForField(holder).setBuddy(widget)
        return widget


def date_field(day: dt.date | None = None) -> QLineEdit:
    """A date typed as 31/10/2026 (or 2026-10-31); empty means none."""
    edit = QLineEdit(format_date(day))
    edit.setPlaceholderText(DATE_HINT)
    edit.setMaximumWidth(140)
    return edit


def choice_combo(names: dict[str, str], blank: str | None = None) -> QComboBox:
    """A drop-down of plain names whose data is the stored value; ``blank`` adds an empty choice first."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, "")
    for value, name in names.items():
        combo.addItem(name, value)
    return combo


def set_choice(combo: QComboBox, value) -> None:
    index = combo.findData(value if value is not None else "")
    combo.setCurrentIndex(max(index, 0))


def money_text(pence: int | None) -> str:
    """Pence as plain pounds for an edit box: ``350.00``; empty for None."""
    if pence is None:
        return ""
    return f"{pence // 100}.{pence % 100:02d}"


def contract_combo(store) -> QComboBox:
    combo = QComboBox()
    for contract in list_contracts(store):
        combo.addItem(f"{contract.ref} — {contract.council}", contract.ref)
    return combo


# -- the outcomes the person wants ------------------------------------------------------------
class WantedColumns(IntEnum):
    DESCRIPTION = 0
    DOMAIN = 1
    TARGET = 2
    FEE = 3


WANTED_HEADERS = {
    WantedColumns.DESCRIPTION: _("In their own words"),
    WantedColumns.DOMAIN: _("Domain"),
    WantedColumns.TARGET: _("Target date"),
    WantedColumns.FEE: _("Fee (£)"),
}
WANTED_KEYS = {WantedColumns.DESCRIPTION: "description", WantedColumns.DOMAIN: "domain",
               WantedColumns.TARGET: "target_date", WantedColumns.FEE: "fee"}


class WantedOutcomesModel(QAbstractTableModel):
    """A small editable list of outcomes (text as typed; checked when the referral is saved)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[dict[str, str]] = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(WantedColumns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return WANTED_HEADERS[WantedColumns(section)]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.items[index.row()][WANTED_KEYS[WantedColumns(index.column())]]
        if role == Qt.ItemDataRole.DisplayRole:
            return DOMAIN_NAMES.get(value, value) if index.column() == WantedColumns.DOMAIN else value
        if role == Qt.ItemDataRole.EditRole:
            return value
        return None

    def flags(self, index):
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        self.items[index.row()][WANTED_KEYS[WantedColumns(index.column())]] = str(value or "").strip()
        self.dataChanged.emit(index, index)
        return True

    def add(self) -> int:
        row = len(self.items)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.append({"description": "", "domain": "", "target_date": "", "fee": ""})
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.items):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.items[row]
            self.endRemoveRows()

    def filled(self) -> list[tuple[int, dict[str, str]]]:
        """``(row number from 1, values)`` of every row with anything typed in it."""
        return [(n, item) for n, item in enumerate(self.items, start=1) if any(item.values())]


class DomainDelegate(QStyledItemDelegate):
    """Choose a domain from the list rather than typing it."""

    def createEditor(self, parent, option, index):
        return choice_combo(DOMAIN_NAMES, blank=_("(no domain)")) if index.column() == WantedColumns.DOMAIN else super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):
        if isinstance(editor, QComboBox):
            set_choice(editor, index.data(Qt.ItemDataRole.EditRole))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class WantedOutcomesTable(QWidget):
    """The editable outcomes list with Add and Remove buttons."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = WantedOutcomesModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(DomainDelegate(self.view))
        self.view.setAccessibleName(_("Outcomes the person wants"))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(WantedColumns.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(WantedColumns.DOMAIN, 220)
        self.view.setColumnWidth(WantedColumns.TARGET, 110)
        self.view.setColumnWidth(WantedColumns.FEE, 90)
        self.add_button = QPushButton(_("Add outcome"))
        self.add_button.clicked.connect(self.add_outcome)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(lambda: self.model.remove(self.view.currentIndex().row()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(button_row(self.add_button, self.remove_button))

    def add_outcome(self) -> None:
        row = self.model.add()
        index = self.model.index(row, WantedColumns.DESCRIPTION)
        self.view.setCurrentIndex(index)
        self.view.edit(index)


# -- the dialog ---------------------------------------------------------------------------------
class ReferralDialog(WindowModalDialog):
    """A new person referred by the council: their details, budget, envelope and outcomes."""

    def __init__(self, context, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent, _("New referral"))
        self.context = context
        self.store = context.store
        self.today = today or dt.date.today()
        self.created_id: int | None = None
        self.problems = FieldProblems()
        if self.size().width() < 900:
            self.resize(1040, 740)

        person = QGroupBox(_("The person"))
        person_form = ProblemForm(self.problems, person)
        self.name = person_form.add("name", _("Name"), QLineEdit())
        self.date_of_birth = person_form.add("date_of_birth", _("Date of birth"), date_field())
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(64)
        person_form.add("address", _("Address"), self.address)
        self.postcode = person_form.add("postcode", _("Postcode"), QLineEdit())
        self.postcode.setMaximumWidth(140)
        self.phone = person_form.add("phone", _("Phone"), QLineEdit())

        council = QGroupBox(_("From the council"))
        council_form = ProblemForm(self.problems, council)
        self.council_ref = council_form.add("council_ref", _("Council ref"), QLineEdit())
        self.social_worker = council_form.add("social_worker", _("Social worker"), QLineEdit())
        self.contract = council_form.add("contract_ref", _("Contract"), contract_combo(self.store))
        self.category = council_form.add("category", _("Category"), choice_combo(CATEGORY_NAMES))
        self.funding = council_form.add("funding", _("Funding"), choice_combo(FUNDING_NAMES))
        self.budget = council_form.add("personal_budget_weekly", _("Personal budget (£/week)"), QLineEdit())
        self.budget.setMaximumWidth(140)
        self.hours = council_form.add("hours_per_week", _("Indicative envelope (hours/week)"), QLineEdit())
        self.hours.setMaximumWidth(140)
        self.band = council_form.add("band", _("Band"), QComboBox())
        self.contract.currentIndexChanged.connect(self._contract_chosen)
        self.ot_required = council_form.add("ot_required", _("OT assessment"), QCheckBox(_("Required")))

        service = QGroupBox(_("Our service"))
        service_form = ProblemForm(self.problems, service)
        self.ref = service_form.add("ref", _("Our ref"), QLineEdit(next_client_ref(self.store)))
        self.ref.setMaximumWidth(140)
        self.start_date = service_form.add("start_date", _("Service starts"), date_field())

        outcomes = QGroupBox(_("Outcomes the person wants (agreed from the service start date)"))
        outcomes_layout = QVBoxLayout(outcomes)
        self.outcomes = WantedOutcomesTable()
        outcomes_layout.addWidget(self.outcomes)
        outcomes_layout.addWidget(self.problems.label_for("outcomes"))

        self.general = QLabel()
        self.general.setWordWrap(True)
        theme.text_colour(self.general, "overdue")
        self.general.hide()
        save = QPushButton(_("Add referral"))
        save.setDefault(True)
        save.clicked.connect(self.save)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(person, 0, 0)
        grid.addWidget(council, 0, 1, 2, 1)
        grid.addWidget(service, 1, 0)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(outcomes, 1)
        layout.addWidget(self.general)
        layout.addLayout(button_row(save, cancel))
        self._contract_chosen()
        self.outcomes.model.add()
        if self.contract.count() == 0:
            self.problems.show([Problem("contract_ref", _("There are no contracts yet. Add the council's contract on the Contracts screen first."))])
        self.name.setFocus()

    def _contract_chosen(self, *_args) -> None:
        """Offer the contract's bands (for contracts that pay a weekly rate by band)."""
        contract = next((c for c in list_contracts(self.store) if c.ref == self.contract.currentData()), None)
        self.band.clear()
        bands = list(contract.band_rates) if contract else []
        for band in bands:
            self.band.addItem(f"{band} ({format_money(contract.band_rates[band])}/week)", band)
        self.band.setEnabled(bool(bands))
        if not bands:
            self.band.addItem(_("(this contract has no bands)"), "")
        self._basis = contract.core_basis if contract else ""

    def form_values(self) -> dict:
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
            "ot_required": self.ot_required.isChecked(),
            "social_worker": self.social_worker.text(),
        }

    def save(self) -> None:
        problems: list[Problem] = []
        contract_ids = {c.ref: c.id for c in list_contracts(self.store)}
        client = None
        try:
            client = client_from_form(self.form_values(), contract_ids, today=self.today)
        except ValidationError as error:
            problems += error.problems
        if client is not None and self.store.value("SELECT 1 FROM clients WHERE ref = ?", (client.ref,)):
            problems.append(Problem("ref", _("Another client already has the reference “{ref}”.").format(ref=client.ref)))
        hours, hour_problems = parse_hours(self.hours.text(), "hours_per_week")
        problems += hour_problems
        band = self.band.currentData() or ""
        if self._basis == "band" and not band:
            problems.append(Problem("band", _("This contract pays by band: choose the person's band.")))
        try:
            start = parse_optional_date(self.start_date.text())
        except ValueError:
            start = None
        outcomes = []
        messages = []
        for number, item in self.outcomes.model.filled():
            try:
                outcome = outcome_from_form({**item, "outcome_ref": f"O{len(outcomes) + 1}", "agreed_date": iso(start or self.today)})
            except ValidationError as error:
                messages += [_("Outcome {n}: {message}").format(n=number, message=p.message) for p in error.problems]
                continue
            outcomes.append(outcome)
        if messages:
            problems.append(Problem("outcomes", "\n".join(messages)))
        unplaced = self.problems.show(problems)
        self.general.setText("\n".join(p.message for p in unplaced))
        self.general.setVisible(bool(unplaced))
        if problems:
            return
        try:
            with self.store.transaction():
                client_id = add_client(self.store, client)
                add_envelope_change(self.store, client_id, client.start_date, hours, "initial", band=band)
                for outcome in outcomes:
                    save_outcome(self.store, client_id, outcome)
        except ValidationError as error:
            unplaced = self.problems.show(error.problems)
            self.general.setText("\n".join(p.message for p in unplaced))
            self.general.setVisible(bool(unplaced))
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.created_id = client_id
        self.context.notify_changed()
        self.accept()
