"""The Contracts screen: each contract with a council, its payment parameters, and a live
plain-English summary of what it pays."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.contracts import (
    Contract,
    contract_from_form,
    contract_to_form,
    list_contracts,
    payment_summary,
    save_contract,
)
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.models.money import format_money
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, add_shortcut, button_row, confirm, show_error
from branchdesk.ui.referral import ProblemForm, choice_combo, date_field, money_text, set_choice
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel

CORE_BASIS_NAMES = {
    "envelope": _("Share of the envelope value"),
    "band": _("Weekly rate by band"),
    "delivered": _("Delivered hours (time and task)"),
    "none": _("No core payment"),
}
PRINT_NAMES = {"initials": _("Initials only"), "full": _("Full names")}
#: Text fields of the form: (key, label, hint)
TEXT_FIELDS = {
    "details": (
        ("ref", _("Ref"), _("e.g. WCC")),
        ("council", _("Council"), ""),
        ("commissioner", _("Commissioner"), ""),
        ("supplier_number", _("Our supplier number"), ""),
        ("purchase_order", _("Purchase order"), ""),
        ("claim_prefix", _("Claim number prefix"), _("the ref when empty")),
    ),
    "payment": (
        ("hourly_rate", _("Hourly reference rate (£/h)"), _("e.g. 24.50")),
        ("core_share", _("Core share of the envelope"), _("0 to 1; empty = 1 (all)")),
        ("band_rates", _("Band rates (£/week)"), _("e.g. lower=75;higher=150")),
        ("episode_fee", _("Reablement episode fee (£)"), _("e.g. 1575")),
        ("outcome_upfront_share", _("Outcome fee paid when agreed"), _("0 to 1, e.g. 0.2")),
        ("outcome_partial_share", _("Paid when partly achieved"), _("0 to 1, share of the achievement part")),
        ("reward_share", _("Reward pot share"), _("0 to 1, e.g. 0.2")),
        ("hours_saved_share", _("Hours-saved share"), _("0 to 1, e.g. 0.5")),
        ("hours_saved_months", _("Hours saved paid for (months)"), _("e.g. 12")),
        ("retainer_days", _("Hospital retainer days"), _("0 to 7")),
        ("bank_expiry_weeks", _("Hours bank expiry (weeks)"), _("13 when empty")),
    ),
}


class Columns(IntEnum):
    REF = 0
    COUNCIL = 1
    CORE = 2
    RATE = 3
    CLIENTS = 4
    DATES = 5


class ContractsModel(RecordTableModel):
    Columns = Columns
    headers = {Columns.REF: _("Ref"), Columns.COUNCIL: _("Council"), Columns.CORE: _("Core payment"),
               Columns.RATE: _("Hourly rate"), Columns.CLIENTS: _("Clients"), Columns.DATES: _("Runs")}

    def display(self, row: tuple[Contract, int], column: int):
        contract, clients = row
        if column == Columns.REF:
            return contract.ref
        if column == Columns.COUNCIL:
            return contract.council
        if column == Columns.CORE:
            return CORE_BASIS_NAMES[contract.core_basis]
        if column == Columns.RATE:
            return format_money(contract.hourly_rate_pence)
        if column == Columns.CLIENTS:
            return clients
        if contract.start_date and contract.end_date:
            return f"{format_date(contract.start_date)} – {format_date(contract.end_date)}"
        if contract.start_date:
            return _("from {day}").format(day=format_date(contract.start_date))
        if contract.end_date:
            return _("until {day}").format(day=format_date(contract.end_date))
        return ""

    def sort_key(self, row, column: int):
        if column == Columns.RATE:
            return row[0].hourly_rate_pence
        return super().sort_key(row, column)

    def alignment(self, row, column: int):
        return RIGHT if column in (Columns.RATE, Columns.CLIENTS) else None


class ContractsScreen(QWidget):
    """Every contract, and a form with all its fields; the summary updates as you type."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.current_id: int | None = None
        self.dirty = False
        self._loading = False
        self.problems = FieldProblems()
        self.model = ContractsModel(parent=self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAccessibleName(_("Contracts"))
        self.view.horizontalHeader().setSectionResizeMode(Columns.COUNCIL, QHeaderView.ResizeMode.Stretch)
        for column in (Columns.CORE, Columns.RATE, Columns.CLIENTS, Columns.DATES):
            self.view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setWordWrap(False)
        self.view.selectionModel().currentRowChanged.connect(self._row_chosen)

        self.fields: dict[str, QWidget] = {}
        details = QGroupBox(_("The contract"))
        form = ProblemForm(self.problems, details)
        for key, label, hint in TEXT_FIELDS["details"]:
            self.fields[key] = form.add(key, label, self._line(hint))
        self.fields["address"] = QPlainTextEdit()
        self.fields["address"].setTabChangesFocus(True)
        self.fields["address"].setFixedHeight(100)
        self.fields["address"].setPlaceholderText(_("Where claims are posted"))
        form.add("address", _("Postal address for claims"), self.fields["address"])
        self.fields["start_date"] = form.add("start_date", _("Starts"), date_field())
        self.fields["end_date"] = form.add("end_date", _("Ends"), date_field())
        self.fields["print_names"] = form.add("print_names", _("Printed claims show"), choice_combo(PRINT_NAMES))

        payment = QGroupBox(_("What it pays"))
        pay_form = ProblemForm(self.problems, payment)
        self.fields["core_basis"] = pay_form.add("core_basis", _("Core payment"), choice_combo(CORE_BASIS_NAMES))
        for key, label, hint in TEXT_FIELDS["payment"]:
            self.fields[key] = pay_form.add(key, label, self._line(hint))

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_("What this contract pays"))
        theme.follow(self.summary, lambda label: label.setStyleSheet(
            "background: palette(alternate-base); border: 1px solid palette(mid); padding: 8px; " + theme.font_style(theme.LARGER)))
        summary_box = QGroupBox(_("In plain English"))
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.summary)

        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self._edited)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self._edited)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._edited)

        self.save_button = QPushButton(_("Save contract"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setToolTip(_("Ctrl+S"))
        add_shortcut(self, "Ctrl+S", self.save_button.click)
        new_button = QPushButton(_("New contract"))
        new_button.clicked.connect(self.new_contract)
        self.status = QLabel()

        columns = QHBoxLayout()
        columns.addWidget(details, 1)
        columns.addWidget(payment, 1)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addWidget(summary_box)
        editor_layout.addLayout(columns)
        editor_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(editor)

        title = QLabel(_("Contracts"))
        theme.screen_title(title)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(new_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(scroll)
        splitter.setSizes([190, 560])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addLayout(button_row(self.save_button))
        layout.addLayout(bottom)
        self.refresh()

    @staticmethod
    def _line(hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(hint)
        return edit

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.context.store
        if store is None:
            return
        counts = dict(store.rows("SELECT contract_id, count(*) FROM clients GROUP BY contract_id"))
        self.model.set_rows([(c, counts.get(c.id, 0)) for c in list_contracts(store)])
        if self.dirty:
            return
        if self.current_id is not None and self._select(self.current_id):
            return
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        else:
            self.new_contract()

    def _select(self, contract_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.row_object(index)[0].id == contract_id:
                self.view.setCurrentIndex(index)
                self._load(self.proxy.row_object(index)[0])
                return True
        return False

    def _row_chosen(self, current, _previous) -> None:
        if not current.isValid() or self._loading:
            return
        contract = self.proxy.row_object(current)[0]
        if contract.id == self.current_id and self.dirty:
            return
        if self.dirty and not self.can_close():
            return
        self._load(contract)

    def _load(self, contract: Contract | None) -> None:
        self._loading = True
        values = contract_to_form(contract) if contract else {"core_basis": "envelope", "print_names": "initials", "bank_expiry_weeks": "13"}
        if contract:
            values["start_date"] = format_date(contract.start_date)
            values["end_date"] = format_date(contract.end_date)
            values["hourly_rate"] = money_text(contract.hourly_rate_pence)
            values["episode_fee"] = money_text(contract.episode_fee_pence) if contract.episode_fee_pence else ""
        for key, widget in self.fields.items():
            value = values.get(key, "")
            if isinstance(widget, QComboBox):
                set_choice(widget, value)
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value)
            else:
                widget.setText(value)
        self.current_id = contract.id if contract else None
        self._loading = False
        self.dirty = False
        self._check()
        self.status.setText(_("Contract {ref}").format(ref=contract.ref) if contract else _("A new contract: fill in the form and Save."))

    def values(self) -> dict:
        values = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QComboBox):
                values[key] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
            else:
                values[key] = widget.text()
        return values

    def _edited(self, *_args) -> None:
        if self._loading:
            return
        self.dirty = True
        self._check()

    def _check(self) -> Contract | None:
        """Refuse impossible values beside their fields and refresh the summary, as you type."""
        try:
            contract = contract_from_form(self.values())
        except ValidationError as error:
            self.problems.show(error.problems)
            self.summary.setText(_("Put right the values marked in red to see what this contract pays."))
            self.save_button.setEnabled(False)
            return None
        self.problems.clear()
        contract.id = self.current_id
        self.summary.setText(payment_summary(contract))
        self.save_button.setEnabled(self.dirty and not self.context.store.read_only)
        return contract

    def save(self) -> None:
        contract = self._check()
        if contract is None:
            return
        try:
            self.current_id = save_contract(self.context.store, contract)
        except ValidationError as error:
            self.problems.show(error.problems)
            return
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.dirty = False
        self.save_button.setEnabled(False)
        self.context.notify_changed()
        self.refresh()
        self.status.setText(_("Contract {ref} saved.").format(ref=contract.ref))

    def new_contract(self) -> None:
        if self.dirty and not self.can_close():
            return
        self.view.clearSelection()
        self._load(None)
        self.fields["ref"].setFocus()

    def can_close(self) -> bool:
        """Asked before leaving with unsaved changes."""
        if not self.dirty:
            return True
        if confirm(self, _("Unsaved changes"), _("Discard the changes to this contract?"), yes_text=_("Discard changes"), danger=True):
            self.dirty = False
            return True
        return False
