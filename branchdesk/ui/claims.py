"""Claims: each contract's monthly claims, what they contain and why, and everything done with
them — issue, post, payments, queries, credit notes, printouts and spreadsheets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models import claims
from branchdesk.models.claim_pdf import component_label, render_claim_pdf
from branchdesk.models.claim_types import Claim, ClaimLine
from branchdesk.models.contracts import Contract, list_contracts
from branchdesk.models.dates import (
    format_date,
    month_bounds,
    month_key,
    month_name,
    parse_month,
    previous_month,
)
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.money import format_money
from branchdesk.ui import theme
from branchdesk.ui.claim_dialogs import (
    AdjustmentsDialog,
    ComparisonDialog,
    CreditNoteDialog,
    PaymentDialog,
    PostingDialog,
    QueryDialog,
    issued_facts,
)
from branchdesk.ui.dialogs import add_shortcut, confirm, enter_activates, show_error, show_info
from branchdesk.ui.pdf_preview import PdfPreviewDialog, choose_save_path, print_pdf, save_pdf_as
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel
from branchdesk.ui.tasks import run_task

#: How far back the list goes: the current month and the 18 before it.
MONTHS_SHOWN = 19
XLSX_FILTER = _("Excel workbooks (*.xlsx)")
STATUS_LABELS = {
    "draft": _("Draft"),
    "issued": _("Issued"),
    "posted": _("Posted"),
    "paid": _("Paid"),
    "queried": _("Queried"),
}
#: Status colours by theme name.
STATUS_COLOURS = {"draft": "warning", "queried": "overdue", "paid": "ok"}
SHOW_CHOICES = (
    ("all", _("All months")),
    ("to_issue", _("Drafts to issue")),
    ("unpaid", _("Awaiting payment")),
)


@dataclass
class ClaimRow:
    """One row of the list: a contract's month (a draft or the issued claim), or a credit note."""

    claim: Claim
    ended: bool = True  # the month is over

    @property
    def contract(self) -> Contract:
        return self.claim.contract

    @property
    def key(self) -> tuple:
        return (self.claim.contract_ref, self.claim.month, self.claim.kind, self.claim.number)

    @property
    def status_text(self) -> str:
        claim = self.claim
        if claim.is_credit_note:
            return _("Credit note")
        if not claim.is_issued:
            return _("Nothing to claim") if not claim.lines else _("Draft")
        if claim.status != "paid" and claim.payments:
            return _("Part paid") if claim.status != "queried" else _("Queried, part paid")
        return STATUS_LABELS.get(claim.status, claim.status)

    @property
    def to_issue(self) -> bool:
        return not self.claim.is_issued and bool(self.claim.lines)

    @property
    def unpaid(self) -> bool:
        return self.claim.is_issued and not self.claim.is_credit_note and self.claim.balance_pence > 0


@dataclass
class ClaimsListing:
    rows: list[ClaimRow]
    pending: dict[str, list[ClaimLine]] = field(default_factory=dict)  # contract ref → adjustments


def months_shown(today: dt.date) -> list[str]:
    """The current month and the 18 before it, newest first."""
    year, month = today.year, today.month
    months = []
    for _index in range(MONTHS_SHOWN):
        months.append(month_key(year, month))
        year, month = previous_month(year, month)
    return months


def _in_contract(contract: Contract, month: str) -> bool:
    first, last = month_bounds(*parse_month(month))
    if contract.start_date and last < contract.start_date:
        return False
    return not (contract.end_date and first > contract.end_date)


def load_listing(store, today: dt.date, progress=None, abort=None) -> ClaimsListing:
    """Every contract's months (drafts recomputed, issued claims as frozen) and credit notes,
    plus each contract's pending adjustments. Runs off the UI thread."""
    contracts = list_contracts(store)
    issued = claims.list_claims(store)
    months = months_shown(today)
    current = month_key(today.year, today.month)
    recent = set(months[:2])
    rows: list[ClaimRow] = []
    pending: dict[str, list[ClaimLine]] = {}
    for done, contract in enumerate(contracts):
        if abort and abort():
            break
        if progress:
            progress(done, len(contracts), _("Working out the claims for contract {ref}…").format(ref=contract.ref))
        own = [c for c in issued if c.contract.id == contract.id]
        issued_months = {c.month for c in own if not c.is_credit_note}
        for month in months:
            if month in issued_months or not _in_contract(contract, month):
                continue
            draft = claims.draft_claim(store, contract, month)
            if draft.lines or month in recent:
                rows.append(ClaimRow(draft, ended=month != current))
        rows += [ClaimRow(c, ended=c.month != current) for c in own]
        pending[contract.ref] = claims.pending_adjustments(store, contract.ref)
    return ClaimsListing(rows, pending)


def next_number(store, contract: Contract) -> str:
    """The number the next claim or credit note of ``contract`` will take."""
    seq = (store.value("SELECT MAX(seq) FROM claims WHERE contract_id = ?", (contract.id,)) or 0) + 1
    return f"{contract.prefix}-{seq:04d}"


def file_stem(claim: Claim) -> str:
    """``Claim HCC-0007 HCC 2026-10`` or ``Draft claim HCC 2026-10``, for suggested file names."""
    if claim.is_issued and claim.number:
        word = _("Credit note") if claim.is_credit_note else _("Claim")
        return f"{word} {claim.number} {claim.contract_ref} {claim.month}"
    return _("Draft claim {ref} {month}").format(ref=claim.contract_ref, month=claim.month)


# -- the list of claims -------------------------------------------------------------------------
class ClaimColumns(IntEnum):
    CONTRACT = 0
    MONTH = 1
    STATUS = 2
    NUMBER = 3
    ISSUED = 4
    POSTED = 5
    TOTAL = 6
    PAID = 7
    BALANCE = 8


class ClaimsModel(RecordTableModel):
    Columns = ClaimColumns
    headers = {
        ClaimColumns.CONTRACT: _("Contract"),
        ClaimColumns.MONTH: _("Month"),
        ClaimColumns.STATUS: _("Status"),
        ClaimColumns.NUMBER: _("Number"),
        ClaimColumns.ISSUED: _("Issued"),
        ClaimColumns.POSTED: _("Posted"),
        ClaimColumns.TOTAL: _("Total"),
        ClaimColumns.PAID: _("Received"),
        ClaimColumns.BALANCE: _("Balance"),
    }
    MONEY = (ClaimColumns.TOTAL, ClaimColumns.PAID, ClaimColumns.BALANCE)

    def display(self, row: ClaimRow, column: int):
        claim = row.claim
        issued = claim.is_issued
        if column == ClaimColumns.CONTRACT:
            return f"{claim.contract_ref} — {claim.contract.council}"
        if column == ClaimColumns.MONTH:
            return claim.month_label
        if column == ClaimColumns.STATUS:
            return row.status_text
        if column == ClaimColumns.NUMBER:
            return claim.number or ""
        if column == ClaimColumns.ISSUED:
            return claim.issued_on if issued else None
        if column == ClaimColumns.POSTED:
            return claim.posted_on
        if column == ClaimColumns.TOTAL:
            return format_money(claim.total_pence)
        if column == ClaimColumns.PAID:
            return format_money(claim.paid_pence) if issued and not claim.is_credit_note else ""
        if column == ClaimColumns.BALANCE:
            return format_money(claim.balance_pence) if issued and not claim.is_credit_note else ""
        return ""

    def sort_key(self, row: ClaimRow, column: int):
        claim = row.claim
        if column == ClaimColumns.MONTH:
            return f"{claim.month} {claim.kind}"
        if column == ClaimColumns.TOTAL:
            return claim.total_pence
        if column == ClaimColumns.PAID:
            return claim.paid_pence if claim.is_issued else 0
        if column == ClaimColumns.BALANCE:
            return claim.balance_pence if claim.is_issued and not claim.is_credit_note else 0
        if column in (ClaimColumns.ISSUED, ClaimColumns.POSTED):
            value = self.display(row, column)
            return value.toordinal() if value else 0
        return super().sort_key(row, column)

    def alignment(self, row, column: int):
        return RIGHT if column in self.MONEY else None

    def foreground(self, row: ClaimRow, column: int):
        if column == ClaimColumns.STATUS:
            if row.claim.is_issued:
                colour = STATUS_COLOURS.get(row.claim.status)
            else:
                colour = STATUS_COLOURS["draft"] if row.claim.lines else "muted"
            return theme.colour(colour) if colour else None
        return None

    def tooltip(self, row: ClaimRow, column: int):
        if row.claim.is_issued:
            return issued_facts(row.claim)
        if row.to_issue and row.ended:
            return _("This month has ended and its claim has not been issued yet.")
        return _("A draft: recomputed from the branch's records each time.")


# -- the lines of one claim, grouped by client -----------------------------------------------------
@dataclass
class LineRow:
    """A client's heading (with the subtotal) or one of their lines."""

    client_ref: str
    council_ref: str
    client_name: str
    amount_pence: int
    line: ClaimLine | None = None
    is_total: bool = False


def grouped_rows(claim: Claim) -> list[LineRow]:
    rows = []
    for client_ref, lines in claim.lines_by_client():
        first = lines[0]
        rows.append(LineRow(client_ref, first.council_ref, first.client_name, sum(x.amount_pence for x in lines)))
        rows += [LineRow(client_ref, line.council_ref, line.client_name, line.amount_pence, line) for line in lines]
    rows.append(LineRow("", "", "", claim.total_pence, is_total=True))
    return rows


class LineColumns(IntEnum):
    CLIENT = 0
    COMPONENT = 1
    DESCRIPTION = 2
    AMOUNT = 3


class LinesModel(RecordTableModel):
    Columns = LineColumns
    headers = {
        LineColumns.CLIENT: _("Client"),
        LineColumns.COMPONENT: _("Component"),
        LineColumns.DESCRIPTION: _("What for"),
        LineColumns.AMOUNT: _("Amount"),
    }

    def display(self, row: LineRow, column: int):
        if row.is_total:
            if column == LineColumns.DESCRIPTION:
                return _("Total")
            return format_money(row.amount_pence) if column == LineColumns.AMOUNT else ""
        if row.line is None:
            if column == LineColumns.CLIENT:
                refs = " · ".join(part for part in (row.client_ref, row.council_ref) if part)
                return f"{refs}  {row.client_name}"
            if column == LineColumns.DESCRIPTION:
                return _("Subtotal")
            return format_money(row.amount_pence) if column == LineColumns.AMOUNT else ""
        if column == LineColumns.COMPONENT:
            return component_label(row.line.component)
        if column == LineColumns.DESCRIPTION:
            return row.line.description
        if column == LineColumns.AMOUNT:
            return format_money(row.amount_pence)
        return ""

    def alignment(self, row, column: int):
        return RIGHT if column == LineColumns.AMOUNT else None

    def tooltip(self, row: LineRow, column: int):
        return row.line.explanation if row.line else None

    def background(self, row: LineRow, column: int):
        return theme.colour("subtotal_row") if row.line is None else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid() and self.row_at(index.row()).line is None:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class ClaimsScreen(QWidget):
    """Contracts × months with status, number, total and balance; the selected claim's lines
    and why each amount is what it is; and what can be done with it."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.today = dt.date.today  # replaced in tests to fix "now"
        self.listing = ClaimsListing([])
        self._generation = 0
        self._wanted_key: tuple | None = None
        self._build_ui()

    # -- layout ------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        heading = QLabel(_("Claims"))
        theme.screen_title(heading)
        self.contract_filter = QComboBox()
        self.contract_filter.setAccessibleName(_("Contract"))
        self.contract_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.contract_filter.currentIndexChanged.connect(self._apply_filter)
        self.show_filter = QComboBox()
        self.show_filter.setAccessibleName(_("Show"))
        for key, label in SHOW_CHOICES:
            self.show_filter.addItem(label, key)
        self.show_filter.currentIndexChanged.connect(self._apply_filter)
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.pending_button = QPushButton(_("Pending &adjustments…"))
        self.pending_button.clicked.connect(self.show_pending)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        contract_label = QLabel(_("&Contract:"))
        contract_label.setBuddy(self.contract_filter)
        show_label = QLabel(_("Sh&ow:"))
        show_label.setBuddy(self.show_filter)
        for widget in (contract_label, self.contract_filter, show_label, self.show_filter):
            top.addWidget(widget)

        self.model = ClaimsModel([], self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ClaimColumns.MONTH, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setAccessibleName(_("Claims by contract and month"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # with a large font the list scrolls sideways
        header.setStretchLastSection(True)                                      # rather than squeeze the contract's name
        self.table.selectionModel().currentRowChanged.connect(self._show_selected)
        self.table.doubleClicked.connect(self.preview)
        enter_activates(self.table, self.preview)

        self.title = QLabel(_("Choose a month to see its claim."))
        theme.section_title(self.title)
        self.title.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.issue_button = QPushButton(_("&Issue…"))
        self.posting_button = QPushButton(_("Record &posting…"))
        self.payment_button = QPushButton(_("Record pa&yment…"))
        self.query_button = QPushButton(_("Record &query…"))
        self.credit_button = QPushButton(_("Cre&dit note…"))
        self.preview_button = QPushButton(_("Pre&view"))
        self.print_button = QPushButton(_("Pri&nt…"))
        self.save_pdf_button = QPushButton(_("&Save PDF…"))
        self.xlsx_button = QPushButton(_("&Export XLSX…"))
        self.compare_button = QPushButton(_("Compare with &time and task"))
        self.issue_button.clicked.connect(self.issue)
        self.posting_button.clicked.connect(self.record_posting)
        self.payment_button.clicked.connect(self.record_payment)
        self.query_button.clicked.connect(self.record_query)
        self.credit_button.clicked.connect(self.credit_note)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_claim)
        self.print_button.setToolTip(_("Ctrl+P"))
        add_shortcut(self, "Ctrl+P", self.print_button.click)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.compare_button.clicked.connect(self.compare)
        self.write_buttons = (self.issue_button, self.posting_button, self.payment_button, self.query_button, self.credit_button)
        self.output_buttons = (self.preview_button, self.print_button, self.save_pdf_button, self.xlsx_button, self.compare_button)
        lifecycle = QHBoxLayout()
        for button in self.write_buttons:
            lifecycle.addWidget(button)
        lifecycle.addStretch(1)
        outputs = QHBoxLayout()
        for button in self.output_buttons:
            outputs.addWidget(button)
        outputs.addStretch(1)

        self.lines_model = LinesModel([], self)
        self.lines = QTableView()
        self.lines.setModel(self.lines_model)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.verticalHeader().hide()
        self.lines.verticalHeader().setDefaultSectionSize(self.lines.fontMetrics().height() + 10)
        self.lines.setAccessibleName(_("Lines of the claim, by client"))
        line_header = self.lines.horizontalHeader()
        line_header.setSectionResizeMode(LineColumns.CLIENT, QHeaderView.ResizeMode.ResizeToContents)
        line_header.setSectionResizeMode(LineColumns.COMPONENT, QHeaderView.ResizeMode.ResizeToContents)
        line_header.setSectionResizeMode(LineColumns.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        line_header.setSectionResizeMode(LineColumns.AMOUNT, QHeaderView.ResizeMode.ResizeToContents)
        self.lines.selectionModel().currentRowChanged.connect(self._show_why)

        self.why_box = QGroupBox(_("Why this amount?"))
        self.why = QLabel(_("Choose a line to see how its amount was worked out."))
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.why.setAccessibleName(_("Why this amount?"))
        self.why.setMinimumHeight(self.why.fontMetrics().lineSpacing() * 4)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.why_button = QPushButton(_("&Why this amount?"))
        self.why_button.clicked.connect(self.explain_line)
        why_layout = QHBoxLayout(self.why_box)
        why_layout.addWidget(self.why, 1)
        why_layout.addWidget(self.why_button, 0, Qt.AlignmentFlag.AlignTop)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.facts)
        detail_layout.addLayout(lifecycle)
        detail_layout.addLayout(outputs)
        detail_layout.addWidget(self.lines, 1)
        detail_layout.addWidget(self.why_box)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.table, 1)
        pending_row = QHBoxLayout()
        pending_row.addWidget(self.pending_label, 1)
        pending_row.addWidget(self.pending_button)
        upper_layout.addLayout(pending_row)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 460])
        splitter.setChildrenCollapsible(False)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(_("Last action"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.notice)
        self._update_buttons()

    # -- loading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload every contract's months in the background, keeping the selection."""
        if self.context.store is None:
            return
        if self.current_row() is not None:
            self._wanted_key = self.current_row().key
        self._generation += 1
        generation = self._generation
        today = self.today()

        def work(store, progress, abort):
            return load_listing(store, today, progress, abort)

        run_task(self, _("Working out the claims…"), work, lambda listing: self._loaded(generation, listing), context=self.context)

    def _loaded(self, generation: int, listing: ClaimsListing) -> None:
        if generation != self._generation:
            return
        self.listing = listing
        self._fill_contract_filter()
        self.model.set_rows(listing.rows)
        self._apply_filter()
        self._show_pending_summary()
        if self._wanted_key is not None:
            self.select(*self._wanted_key)
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        self._show_selected()

    def _fill_contract_filter(self) -> None:
        chosen = self.contract_filter.currentData()
        refs = sorted({row.claim.contract_ref for row in self.listing.rows} | set(self.listing.pending))
        self.contract_filter.blockSignals(True)
        self.contract_filter.clear()
        self.contract_filter.addItem(_("All contracts"), None)
        for ref in refs:
            self.contract_filter.addItem(ref, ref)
        index = self.contract_filter.findData(chosen)
        self.contract_filter.setCurrentIndex(max(index, 0))
        self.contract_filter.blockSignals(False)

    def _apply_filter(self) -> None:
        contract = self.contract_filter.currentData()
        show = self.show_filter.currentData()

        def accept(row: ClaimRow) -> bool:
            if contract and row.claim.contract_ref != contract:
                return False
            if show == "to_issue":
                return row.to_issue
            if show == "unpaid":
                return row.unpaid
            return True

        self.proxy.set_predicate(accept)
        self._show_pending_summary()

    def _show_pending_summary(self) -> None:
        contract = self.contract_filter.currentData()
        pending = {ref: lines for ref, lines in self.listing.pending.items() if lines and (contract is None or ref == contract)}
        if not pending:
            self.pending_label.setText(_("No pending adjustments: nothing has changed behind the issued claims."))
            self.pending_button.setEnabled(False)
            return
        parts = [(_("{ref}: 1 difference, {total}") if len(lines) == 1 else _("{ref}: {n} differences, {total}")).format(
                     ref=ref, n=len(lines), total=format_money(sum(x.amount_pence for x in lines)))
                 for ref, lines in sorted(pending.items())]
        self.pending_label.setText(_("Pending adjustments, to go into the next claim — {parts}.").format(parts="; ".join(parts)))
        self.pending_label.setStyleSheet(theme.text_style("warning"))
        self.pending_button.setEnabled(True)

    # -- selection -------------------------------------------------------------------------------
    def current_row(self) -> ClaimRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.row_object(index)

    def current_claim(self) -> Claim | None:
        row = self.current_row()
        return row.claim if row else None

    def show_claim(self, contract_ref: str, month: str | None) -> None:
        """Select a contract's month now, or as soon as the list has loaded (no month: just the
        list, whose pending-adjustments line names the contract)."""
        if month is None:
            return
        if not self.select(contract_ref, month):
            self._wanted_key = (contract_ref, month, "claim", None)

    def select(self, contract_ref: str, month: str, kind: str = "claim", number: str | None = None) -> bool:
        """Select a contract's month (or a numbered claim); True when it is in the list."""
        for proxy_row in range(self.proxy.rowCount()):
            row = self.proxy.row_object(self.proxy.index(proxy_row, 0))
            claim = row.claim
            if claim.contract_ref == contract_ref and claim.month == month and claim.kind == kind and (number is None or claim.number == number):
                self.table.selectionModel().setCurrentIndex(
                    self.proxy.index(proxy_row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.proxy.index(proxy_row, 0))
                return True
        return False

    def _show_selected(self, *_args) -> None:
        row = self.current_row()
        if row is None:
            self.title.setText(_("Choose a month to see its claim."))
            self.facts.clear()
            self.lines_model.set_rows([])
        else:
            claim = row.claim
            self.title.setText(claims.claim_title(claim))
            if claim.is_issued:
                self.facts.setText(issued_facts(claim))
            elif not claim.lines:
                self.facts.setText(_("There is nothing to claim for this month under this contract."))
            else:
                clients = len(claim.lines_by_client())
                when = _("The month has ended: this claim can be issued.") if row.ended else _("The month has not ended yet.")
                self.facts.setText(_("A draft, recomputed from the branch's records: {clients} clients, {lines} lines, {total}. {when}").format(
                    clients=clients, lines=len(claim.lines), total=format_money(claim.total_pence), when=when))
            self.lines_model.set_rows(grouped_rows(claim) if claim.lines else [])
        self._show_why()
        self._update_buttons()

    def current_line(self) -> ClaimLine | None:
        index = self.lines.currentIndex()
        if not index.isValid():
            return None
        return self.lines_model.row_at(index.row()).line

    def _show_why(self, *_args) -> None:
        line = self.current_line()
        if line is None:
            self.why.setText(_("Choose a line to see how its amount was worked out."))
            self.why_button.setEnabled(False)
            return
        self.why.setText(f"{line.description}: {format_money(line.amount_pence)}\n{line.explanation}")
        self.why_button.setEnabled(True)

    def explain_line(self) -> None:
        line = self.current_line()
        if line is None:
            return
        box = QMessageBox(QMessageBox.Icon.Information, _("Why this amount?"),
                          f"{line.client_ref} {line.client_name}\n{line.description}: {format_money(line.amount_pence)}", parent=self)
        box.setInformativeText(line.explanation)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def _update_buttons(self) -> None:
        claim = self.current_claim()
        writable = self.context.store is not None and not self.context.read_only
        issued = claim is not None and claim.is_issued
        is_claim = issued and not claim.is_credit_note
        self.issue_button.setEnabled(writable and claim is not None and not claim.is_issued and bool(claim.lines))
        self.posting_button.setEnabled(writable and is_claim)
        self.payment_button.setEnabled(writable and is_claim)
        self.query_button.setEnabled(writable and is_claim)
        self.credit_button.setEnabled(writable and is_claim and not claim.credited_by)
        has_lines = claim is not None and (issued or bool(claim.lines))
        for button in (self.preview_button, self.print_button, self.save_pdf_button, self.xlsx_button):
            button.setEnabled(has_lines)
        self.compare_button.setEnabled(claim is not None and not claim.is_credit_note)

    def _say(self, message: str) -> None:
        self.notice.setText(message)

    def _changed(self, claim: Claim | None, message: str) -> None:
        """After a write: tell the other screens, reload, and keep ``claim`` selected."""
        if claim is not None:
            self._wanted_key = (claim.contract_ref, claim.month, claim.kind, claim.number)
        self._say(message)
        generation = self._generation
        self.context.notify_changed()
        if self._generation == generation:  # no main window refreshed this screen
            self.refresh()

    # -- lifecycle ------------------------------------------------------------------------------
    def confirm_issue(self, text: str) -> bool:
        """Ask before issuing (tests replace this)."""
        return confirm(self, _("Issue claim"), text, yes_text=_("Issue claim"), danger=True)

    def issue(self) -> None:
        row = self.current_row()
        if row is None or not row.to_issue:
            return
        claim = row.claim
        number = next_number(self.context.store, claim.contract)
        text = _("This claim will be numbered {number}. Issued claims cannot be changed or deleted.").format(number=number)
        text += "\n\n" + _("Contract {ref}, {month}: {clients} clients, {lines} lines, {total}. The amounts are worked out again from the branch's records as it is issued.").format(
            ref=claim.contract_ref, month=claim.month_label, clients=len(claim.lines_by_client()), lines=len(claim.lines),
            total=format_money(claim.total_pence))
        if not row.ended:
            text += "\n\n" + _("{month} has not ended yet: visits, suspensions and reviews still to come will not be in this claim.").format(month=claim.month_label)
        if not self.confirm_issue(text):
            return
        ref, month = claim.contract_ref, claim.month

        def work(store, _progress, _abort):
            return claims.issue_claim(store, ref, month)

        def done(issued: Claim) -> None:
            self._changed(issued, _("Claim {number} issued for {ref}, {month}: {total}. Print it, sign it and post it.").format(
                number=issued.number, ref=ref, month=issued.month_label, total=format_money(issued.total_pence)))

        run_task(self, _("Issuing the claim…"), work, done, cancellable=False, context=self.context)

    def _claim_form(self, dialog_class, save, message) -> None:
        claim = self.current_claim()
        if claim is None or not claim.is_issued:
            return
        dialog = dialog_class(self, claim)
        dialog.save = lambda **values: save(self.context.store, claim.id, **values)
        if dialog.exec():
            self._changed(dialog.result_claim, message(dialog.result_claim))

    def record_posting(self) -> None:
        self._claim_form(PostingDialog, claims.record_posting,
                         lambda c: _("Claim {number} recorded as posted on {day}.").format(number=c.number, day=format_date(c.posted_on)))

    def record_payment(self) -> None:
        self._claim_form(PaymentDialog, claims.record_payment,
                         lambda c: _("Payment recorded against claim {number}; the balance is now {balance}.").format(
                             number=c.number, balance=format_money(c.balance_pence)))

    def record_query(self) -> None:
        self._claim_form(QueryDialog, claims.record_query,
                         lambda c: _("Query recorded against claim {number}.").format(number=c.number))

    def credit_note(self) -> None:
        claim = self.current_claim()
        if claim is None or not claim.is_issued or claim.is_credit_note:
            return
        dialog = CreditNoteDialog(self, claim, next_number(self.context.store, claim.contract))
        if not dialog.exec():
            return
        values = dialog.result_values
        claim_id = claim.id

        def work(store, _progress, _abort):
            return claims.issue_credit_note(store, claim_id, values["reason"], values["on"])

        def done(credit: Claim) -> None:
            self._changed(credit, _("Credit note {number} issued against claim {original}: {total}.").format(
                number=credit.number, original=credit.credits_number, total=format_money(credit.total_pence)))

        run_task(self, _("Issuing the credit note…"), work, done, cancellable=False, context=self.context)

    def show_pending(self) -> None:
        contract = self.contract_filter.currentData() or (self.current_claim().contract_ref if self.current_claim() else None)
        pending = {ref: lines for ref, lines in self.listing.pending.items() if lines}
        if contract not in pending:
            contract = next(iter(sorted(pending)), None)
        if contract is None:
            show_info(self, _("There are no pending adjustments."))
            return
        AdjustmentsDialog(self, contract, pending[contract]).exec()

    # -- printouts and exports ---------------------------------------------------------------------
    def _with_pdf(self, then) -> None:
        """Get the selected claim's printout off the UI thread (the frozen one once issued), then ``then(pdf, claim)``."""
        claim = self.current_claim()
        if claim is None:
            return

        def work(store, _progress, _abort):
            if claim.id is not None:
                return claims.claim_pdf_bytes(store, claim.id)
            return render_claim_pdf(store, claim)

        run_task(self, _("Preparing the printout…"), work, lambda pdf: then(pdf, claim), cancellable=False, context=self.context)

    def preview(self, *_args) -> None:
        def show(pdf: bytes, claim: Claim) -> None:
            PdfPreviewDialog(self, claims.claim_title(claim), pdf, f"{file_stem(claim)}.pdf").exec()

        self._with_pdf(show)

    def print_claim(self) -> None:
        def send(pdf: bytes, claim: Claim) -> None:
            try:
                if print_pdf(self, pdf, claims.claim_title(claim)):
                    self._say(_("{title} sent to the printer.").format(title=claims.claim_title(claim)))
            except BranchDeskError as error:
                show_error(self, str(error))

        self._with_pdf(send)

    def save_pdf(self) -> None:
        def save(pdf: bytes, claim: Claim) -> None:
            path = save_pdf_as(self, pdf, f"{file_stem(claim)}.pdf")
            if path is not None:
                self._say(_("Saved {path}.").format(path=path))

        self._with_pdf(save)

    def export_xlsx(self) -> None:
        claim = self.current_claim()
        if claim is None:
            return
        path = choose_save_path(self, f"{file_stem(claim)}.xlsx", _("Export the claim as a spreadsheet"), XLSX_FILTER)
        if path is None:
            return
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")

        def work(store, _progress, _abort):
            claims.write_claim_xlsx(store, claim, path)
            return path

        run_task(self, _("Writing the spreadsheet…"), work, lambda saved: self._say(_("Saved {path}.").format(path=saved)),
                 cancellable=False, context=self.context)

    def compare(self) -> None:
        claim = self.current_claim()
        if claim is None:
            return
        ref, month = claim.contract_ref, claim.month
        title = _("Contract {ref}, {month}").format(ref=ref, month=month_name(*parse_month(month)))

        def work(store, _progress, _abort):
            return claims.time_and_task_comparison(store, ref, month)

        run_task(self, _("Comparing with time and task…"), work, lambda result: ComparisonDialog(self, result, title).exec(),
                 cancellable=False, context=self.context)
