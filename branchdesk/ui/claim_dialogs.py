"""The claim dialogs: record a posting, a payment or a query, issue a credit note, compare a
month with time and task, and list pending adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.claim_pdf import component_label
from branchdesk.models.claim_types import Claim, ClaimLine
from branchdesk.models.claims import Comparison, ComparisonRow
from branchdesk.models.dates import format_date, month_name, parse_month
from branchdesk.models.errors import BranchDeskError, Problem, ValidationError
from branchdesk.models.money import amount_string, format_money, parse_money
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, ok_cancel
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel


def date_field(day: dt.date | None = None) -> QDateEdit:
    """A date box showing 31/10/2026, with a calendar to pick from."""
    field = QDateEdit()
    field.setCalendarPopup(True)
    field.setDisplayFormat("dd/MM/yyyy")
    day = day or dt.date.today()
    field.setDate(QDate(day.year, day.month, day.day))
    field.setMaximumWidth(160)
    return field


def hours_text(hours) -> str:
    """Hours in a column of figures: always two places, with thousands separated (1,597.40)."""
    return f"{Decimal(str(hours)):,.2f}"


def date_of(field: QDateEdit) -> dt.date:
    value = field.date()
    return dt.date(value.year(), value.month(), value.day())


#: Height of the boxes for a query or a credit note's reason: room for a few lines.
TEXT_BOX_HEIGHT = 90


class ClaimFormDialog(WindowModalDialog):
    """A small form about one issued claim: fields with their problems beside them; on OK,
    ``save`` (when set) is called with the form's values, and the dialog stays open while it fails."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str):
        super().__init__(parent, title)
        self.setMinimumWidth(520)
        self.problems = FieldProblems()
        self.form = QFormLayout()
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.general = self.problems.label_for("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        self.buttons = ok_cancel(self, ok_text)
        layout.addWidget(self.buttons)
        #: Called with the form's values on OK (e.g. to record a payment); None just collects them.
        self.save = None
        self.result_values: dict = {}
        self.result_claim: Claim | None = None

    def add_field(self, name: str, label: str, widget: QWidget) -> QWidget:
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(widget)
        box.addWidget(self.problems.label_for(name))
        holder = QWidget()
        holder.setLayout(box)
        self.form.addRow(label, holder)
        self.form.labelForField(holder).setBuddy(widget)
        return widget

    def values(self) -> dict:
        """The form's values, or ValidationError with every problem (subclasses override)."""
        return {}

    def accept(self) -> None:
        try:
            self.result_values = self.values()
            if self.save is not None:
                self.result_claim = self.save(**self.result_values)
        except ValidationError as error:
            left = self.problems.show(error.problems)
            if left:
                self.general.setText("\n".join(p.message for p in left))
                self.general.show()
            return
        except BranchDeskError as error:
            self.problems.clear()
            self.general.setText(str(error))
            self.general.show()
            return
        super().accept()


class PostingDialog(ClaimFormDialog):
    def __init__(self, parent: QWidget | None, claim: Claim):
        super().__init__(parent, _("Record posting"), _("The day claim {number} ({total}) was posted to {council}.").format(
            number=claim.number, total=format_money(claim.total_pence), council=claim.contract.council), _("Record posting"))
        self.posted_on = self.add_field("posted_on", _("Posted on"), date_field(claim.posted_on))

    def values(self) -> dict:
        return {"posted_on": date_of(self.posted_on)}


class PaymentDialog(ClaimFormDialog):
    def __init__(self, parent: QWidget | None, claim: Claim):
        intro = _("Money received from {council} against claim {number}. The claim is for {total}; {paid} has been received so far; the balance is {balance}. A part payment leaves a balance.").format(
            council=claim.contract.council, number=claim.number, total=format_money(claim.total_pence),
            paid=format_money(claim.paid_pence), balance=format_money(claim.balance_pence))
        super().__init__(parent, _("Record payment"), intro, _("Record payment"))
        self.paid_on = self.add_field("paid_on", _("Received on"), date_field())
        self.amount = self.add_field("amount", _("Amount (£)"), QLineEdit(amount_string(max(claim.balance_pence, 0))))
        self.amount.setAccessibleName(_("Amount received in pounds"))
        self.note = self.add_field("note", _("Note (optional)"), QLineEdit())
        self.note.setPlaceholderText(_("e.g. remittance reference"))

    def values(self) -> dict:
        problems = []
        pence = 0
        try:
            pence = parse_money(self.amount.text())
        except ValueError as error:
            problems.append(Problem("amount", _("Enter the amount received in pounds and pence, such as 1234.56 ({why}).").format(why=error)))
        else:
            if pence <= 0:
                problems.append(Problem("amount", _("Enter the amount received; it must be more than £0.00.")))
        if problems:
            raise ValidationError(problems)
        return {"paid_on": date_of(self.paid_on), "amount_pence": pence, "note": self.note.text()}


class QueryDialog(ClaimFormDialog):
    def __init__(self, parent: QWidget | None, claim: Claim):
        super().__init__(parent, _("Record query"), _("What {council} asked about claim {number}. Use “Why this amount?” on each line to answer from the printout.").format(
            council=claim.contract.council, number=claim.number), _("Record query"))
        self.on = self.add_field("on", _("Queried on"), date_field())
        self.note = self.add_field("note", _("What they asked"), QPlainTextEdit(claim.query_note))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(TEXT_BOX_HEIGHT)

    def values(self) -> dict:
        note = self.note.toPlainText().strip()
        if not note:
            raise ValidationError(Problem("note", _("Write down what the council queried.")))
        return {"note": note, "on": date_of(self.on)}


class CreditNoteDialog(ClaimFormDialog):
    def __init__(self, parent: QWidget | None, claim: Claim, number: str):
        intro = _("A credit note cancels claim {number} ({total}) in full: every line is repeated as a negative amount. It will be numbered {credit}, and like any issued claim it cannot be changed or deleted. Correct the data afterwards: the next claim can then be issued with the right amounts.").format(
            number=claim.number, total=format_money(claim.total_pence), credit=number)
        super().__init__(parent, _("Credit note for {number}").format(number=claim.number), intro, _("Issue credit note {number}").format(number=number))
        self.reason = self.add_field("reason", _("Reason (printed on it)"), QPlainTextEdit())
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(TEXT_BOX_HEIGHT)
        self.on = self.add_field("on", _("Date of issue"), date_field())

    def values(self) -> dict:
        reason = self.reason.toPlainText().strip()
        if not reason:
            raise ValidationError(Problem("reason", _("Say why the claim is being credited; the reason is printed on the credit note.")))
        return {"reason": reason, "on": date_of(self.on)}


# -- comparison with time and task ------------------------------------------------------------------
class CompareColumns(IntEnum):
    CLIENT = 0
    COUNCIL_REF = 1
    NAME = 2
    HOURS = 3
    TIME_AND_TASK = 4
    CLAIM = 5
    DIFFERENCE = 6


class ComparisonModel(RecordTableModel):
    Columns = CompareColumns
    headers = {
        CompareColumns.CLIENT: _("Client"),
        CompareColumns.COUNCIL_REF: _("Council ref"),
        CompareColumns.NAME: _("Name"),
        CompareColumns.HOURS: _("Delivered hours"),
        CompareColumns.TIME_AND_TASK: _("At the hourly rate"),
        CompareColumns.CLAIM: _("This claim"),
        CompareColumns.DIFFERENCE: _("Difference"),
    }
    MONEY = (CompareColumns.TIME_AND_TASK, CompareColumns.CLAIM, CompareColumns.DIFFERENCE)

    def display(self, row: ComparisonRow, column: int):
        values = {
            CompareColumns.CLIENT: row.client_ref,
            CompareColumns.COUNCIL_REF: row.council_ref,
            CompareColumns.NAME: row.client_name,
            CompareColumns.HOURS: hours_text(row.delivered_hours),
            CompareColumns.TIME_AND_TASK: format_money(row.time_and_task_pence),
            CompareColumns.CLAIM: format_money(row.claim_pence),
            CompareColumns.DIFFERENCE: format_money(row.difference_pence),
        }
        return values[CompareColumns(column)]

    def sort_key(self, row: ComparisonRow, column: int):
        if column == CompareColumns.HOURS:
            return row.delivered_minutes
        if column == CompareColumns.TIME_AND_TASK:
            return row.time_and_task_pence
        if column == CompareColumns.CLAIM:
            return row.claim_pence
        if column == CompareColumns.DIFFERENCE:
            return row.difference_pence
        return super().sort_key(row, column)

    def alignment(self, row, column: int):
        return RIGHT if column in (CompareColumns.HOURS, *self.MONEY) else None


class ComparisonDialog(WindowModalDialog):
    """Per client: what the month's delivered hours would have cost at the contract's hourly
    rate (time and task), beside what this claim asks for, and the totals."""

    def __init__(self, parent: QWidget | None, comparison: Comparison, title: str):
        super().__init__(parent, _("Compare with time and task"))
        if self.size().width() < 500:
            self.resize(900, 600)
        rate = format_money(comparison.contract.hourly_rate_pence)
        intro = QLabel(_("{title}: each client's completed visits in the month × {rate} an hour, beside what this claim asks for.").format(title=title, rate=rate))
        intro.setWordWrap(True)
        self.model = ComparisonModel(comparison.rows, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(CompareColumns.CLIENT, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setSectionResizeMode(CompareColumns.NAME, QHeaderView.ResizeMode.Stretch)
        self.view.setAccessibleName(_("Comparison per client"))
        hours = Decimal(sum(row.delivered_minutes for row in comparison.rows)) / 60
        difference = comparison.difference_pence
        verdict = (_("The claim is {amount} more than time and task would have paid.") if difference > 0
                   else _("The claim is {amount} less than time and task would have paid.") if difference < 0
                   else _("The claim is the same as time and task would have paid."))
        self.totals = QLabel(_("Total: {hours} delivered hours × {rate} = {tt}; this claim {claim}. {verdict}").format(
            hours=hours_text(hours), rate=rate, tt=format_money(comparison.time_and_task_pence),
            claim=format_money(comparison.claim_pence), verdict=verdict.format(amount=format_money(abs(difference)))))
        self.totals.setWordWrap(True)
        font = QFont(self.totals.font())
        font.setBold(True)
        self.totals.setFont(font)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = ok_cancel(self)
        box.button(box.StandardButton.Cancel).hide()
        box.button(box.StandardButton.Ok).setText(_("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals)
        layout.addWidget(box)


# -- pending adjustments ---------------------------------------------------------------------------
class AdjustmentColumns(IntEnum):
    MONTH = 0
    CLIENT = 1
    COMPONENT = 2
    EXPLANATION = 3
    AMOUNT = 4


class AdjustmentsModel(RecordTableModel):
    Columns = AdjustmentColumns
    headers = {
        AdjustmentColumns.MONTH: _("Month corrected"),
        AdjustmentColumns.CLIENT: _("Client"),
        AdjustmentColumns.COMPONENT: _("Component"),
        AdjustmentColumns.EXPLANATION: _("What changed"),
        AdjustmentColumns.AMOUNT: _("Amount"),
    }

    def display(self, line: ClaimLine, column: int):
        if column == AdjustmentColumns.MONTH:
            return month_name(*parse_month(line.adjusts_month)) if line.adjusts_month else ""
        if column == AdjustmentColumns.CLIENT:
            return f"{line.client_ref} {line.client_name}"
        if column == AdjustmentColumns.COMPONENT:
            return component_label(line.adjusts_component or line.component)
        if column == AdjustmentColumns.EXPLANATION:
            return line.explanation or line.description
        return format_money(line.amount_pence)

    def sort_key(self, line: ClaimLine, column: int):
        if column == AdjustmentColumns.MONTH:
            return line.adjusts_month or ""
        if column == AdjustmentColumns.AMOUNT:
            return line.amount_pence
        return super().sort_key(line, column)

    def alignment(self, line, column: int):
        return RIGHT if column == AdjustmentColumns.AMOUNT else None

    def tooltip(self, line: ClaimLine, column: int):
        return line.explanation


class AdjustmentsDialog(WindowModalDialog):
    """Differences found in issued months since they were issued, waiting for the next claim."""

    def __init__(self, parent: QWidget | None, contract_ref: str, lines: list[ClaimLine]):
        super().__init__(parent, _("Pending adjustments for {ref}").format(ref=contract_ref))
        if self.size().width() < 500:
            self.resize(900, 500)
        total = sum(line.amount_pence for line in lines)
        intro = QLabel(_("The data behind these issued months changed after they were issued. The differences ({total} in all) go into the next claim built for contract {ref} as adjustment lines, and are settled when it is issued.").format(
            total=format_money(total), ref=contract_ref))
        intro.setWordWrap(True)
        self.model = AdjustmentsModel(lines, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        view = QTableView()
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.setWordWrap(True)
        view.verticalHeader().hide()
        # Few rows: each as tall as its explanation, worked out again whenever the columns change width.
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = view.horizontalHeader()
        for column in AdjustmentColumns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AdjustmentColumns.EXPLANATION, QHeaderView.ResizeMode.Stretch)
        view.setAccessibleName(_("Pending adjustments"))
        self.view = view
        box = ok_cancel(self)
        box.button(box.StandardButton.Cancel).hide()
        box.button(box.StandardButton.Ok).setText(_("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(view, 1)
        layout.addWidget(box)


def issued_facts(claim: Claim) -> str:
    """One paragraph of what has happened to an issued claim since: posting, payments, queries, credits."""
    parts = [_("Issued {day} by {who}.").format(day=format_date(claim.issued_on), who=claim.issued_by or _("unknown"))]
    if claim.is_credit_note:
        parts.append(_("Credits claim {number}.").format(number=claim.credits_number))
        if claim.credit_reason:
            parts.append(_("Reason: {reason}").format(reason=claim.credit_reason))
        return " ".join(parts)
    parts.append(_("Posted {day}.").format(day=format_date(claim.posted_on)) if claim.posted_on else _("Not yet recorded as posted."))
    for payment in claim.payments:
        note = f" ({payment.note})" if payment.note else ""
        parts.append(_("{amount} received {day}{note}.").format(amount=format_money(payment.amount_pence), day=format_date(payment.paid_on), note=note))
    if claim.credited_by:
        parts.append(_("Credited by {numbers}.").format(numbers=", ".join(claim.credited_by)))
    parts.append(_("Balance {amount}.").format(amount=format_money(claim.balance_pence)))
    if claim.queried_on:
        parts.append(_("Queried {day}: {note}").format(day=format_date(claim.queried_on), note=claim.query_note))
    return " ".join(parts)
