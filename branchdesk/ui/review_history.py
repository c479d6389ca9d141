"""The Reviews section of a client's record: every review held, and each outcome's status over time."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchDeskError, NotFound
from branchdesk.models.money import format_decimal
from branchdesk.models.review_pdf import render_review_pdf
from branchdesk.models.reviews import (
    METHOD_LABELS,
    STATUS_LABELS,
    OutcomeHistory,
    ReviewRecord,
    client_schedule,
    get_review,
    outcome_status_history,
    review_history,
    when_text,
)
from branchdesk.ui import theme
from branchdesk.ui.dialogs import button_row, enter_activates, show_error
from branchdesk.ui.tables import RecordTableModel

#: Outcome status colours by theme name.
STATUS_COLOURS = {
    "achieved": "ok",
    "partly": "warning",
    "not_achieved": "overdue",
    "withdrawn": "muted",
}


class ReviewColumns(IntEnum):
    DATE = 0
    METHOD = 1
    PARTICIPANTS = 2
    SATISFACTION = 3
    OUTCOMES = 4
    ENVELOPE = 5
    NEXT = 6


def envelope_summary(review: ReviewRecord) -> str:
    """``Unchanged`` or ``14 → 10.5 h (hours saved)`` for the history list."""
    change = review.envelope_change
    if change is None:
        return _("Unchanged")
    old = format_decimal(change.old_hours) if change.old_hours is not None else "?"
    text = _("{old} → {new} h a week").format(old=old, new=format_decimal(change.new_hours))
    if change.hours_saved:
        text += " " + _("(hours saved)")
    return text


class ReviewsModel(RecordTableModel):
    Columns = ReviewColumns
    headers = {
        ReviewColumns.DATE: _("Date"),
        ReviewColumns.METHOD: _("Held by"),
        ReviewColumns.PARTICIPANTS: _("Who took part"),
        ReviewColumns.SATISFACTION: _("Satisfaction"),
        ReviewColumns.OUTCOMES: _("Outcomes assessed"),
        ReviewColumns.ENVELOPE: _("Weekly hours"),
        ReviewColumns.NEXT: _("Next review"),
    }

    def display(self, review: ReviewRecord, column: int):
        if column == ReviewColumns.DATE:
            return review.review_date
        if column == ReviewColumns.METHOD:
            return METHOD_LABELS[review.method]
        if column == ReviewColumns.PARTICIPANTS:
            return review.participants
        if column == ReviewColumns.SATISFACTION:
            return _("{n} of 5").format(n=review.satisfaction) if review.satisfaction else _("not given")
        if column == ReviewColumns.OUTCOMES:
            return review.outcomes_summary()
        if column == ReviewColumns.ENVELOPE:
            return envelope_summary(review)
        return review.next_review_date

    def sort_key(self, review: ReviewRecord, column: int):
        if column == ReviewColumns.SATISFACTION:
            return review.satisfaction or 0
        return super().sort_key(review, column)

    def tooltip(self, review: ReviewRecord, column: int):
        if column == ReviewColumns.SATISFACTION and review.satisfaction_words:
            return review.satisfaction_words
        if column == ReviewColumns.OUTCOMES and review.assessed:
            return "\n".join(f"{a.ref} {STATUS_LABELS[a.status]}: {a.notes}" if a.notes else f"{a.ref} {STATUS_LABELS[a.status]}"
                             for a in review.assessed)
        return None


class OutcomeTimelineModel(QAbstractTableModel):
    """Outcomes down the side, review dates across the top: each outcome's status over time.

    The columns depend on the reviews held, so this model keeps its own header list.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.outcomes: list[OutcomeHistory] = []
        self.reviews: list[tuple[int, object, str]] = []  # (review id, date, method), oldest first

    def set_history(self, outcomes: list[OutcomeHistory], reviews: list[ReviewRecord]) -> None:
        self.beginResetModel()
        self.outcomes = outcomes
        self.reviews = [(r.id, r.review_date, r.method) for r in sorted(reviews, key=lambda r: r.review_date)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.outcomes)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2 + len(self.reviews)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return _("Outcome")
        if section == 1:
            return _("Status now")
        _id, day, method = self.reviews[section - 2]
        return f"{format_date(day)}\n{METHOD_LABELS[method]}"

    def _entry(self, outcome: OutcomeHistory, column: int):
        review_id = self.reviews[column - 2][0]
        return next((e for e in outcome.entries if e.review_id == review_id), None)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        outcome = self.outcomes[index.row()]
        column = index.column()
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{outcome.ref}  {outcome.description}"
            if role == Qt.ItemDataRole.ToolTipRole:
                parts = [_("Agreed {day}").format(day=format_date(outcome.agreed_date))]
                if outcome.target_date:
                    parts.append(_("target {day}").format(day=format_date(outcome.target_date)))
                if outcome.fee_pence:
                    parts.append(_("fee {fee}").format(fee=outcome.fee_text()))
                return ", ".join(parts)
            return None
        status = outcome.status if column == 1 else None
        entry = None
        if column >= 2:
            entry = self._entry(outcome, column)
            status = entry.status if entry else None
        if role == Qt.ItemDataRole.DisplayRole:
            return STATUS_LABELS[status] if status else ""
        if role == Qt.ItemDataRole.ForegroundRole and status in STATUS_COLOURS:
            return theme.colour(STATUS_COLOURS[status])
        if role == Qt.ItemDataRole.FontRole and column == 1:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.ToolTipRole and entry is not None and entry.notes:
            return entry.notes
        return None


def show_review_record(context, review_id: int, parent: QWidget | None) -> None:
    """Preview the Review record PDF, to print or save."""
    from branchdesk.ui.pdf_preview import PdfPreviewDialog

    try:
        review = get_review(context.store, review_id)
        pdf = render_review_pdf(context.store, review_id)
    except BranchDeskError as error:
        show_error(parent, str(error))
        return
    ref = context.store.value("SELECT ref FROM clients WHERE id = ?", (review.client_id,))
    filename = f"Review {ref} {review.review_date.isoformat()}.pdf"
    dialog = PdfPreviewDialog(parent, _("Review record"), pdf, filename)
    dialog.open()


class ReviewHistorySection(QWidget):
    """Every review of one client, with each outcome's status over time."""

    def __init__(self, context, client_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.client_id = client_id
        self.next_due = QLabel()
        self.next_due.setWordWrap(True)
        self.next_due.setStyleSheet("font-weight: 600;")
        self.record_button = QPushButton(_("Record review…"))
        self.record_button.clicked.connect(self.record_review)
        self.open_button = QPushButton(_("Review record…"))
        self.open_button.setToolTip(_("Preview the selected review's record to print or save"))
        self.open_button.clicked.connect(self.open_record)

        self.reviews_model = ReviewsModel()
        self.reviews_view = QTableView()
        self.reviews_view.setModel(self.reviews_model)
        self.reviews_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reviews_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reviews_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reviews_view.setAlternatingRowColors(True)
        self.reviews_view.verticalHeader().hide()
        self.reviews_view.setAccessibleName(_("Reviews held"))
        header = self.reviews_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReviewColumns.PARTICIPANTS, QHeaderView.ResizeMode.Stretch)
        self.reviews_view.doubleClicked.connect(lambda _index: self.open_record())
        enter_activates(self.reviews_view, self.open_record)
        self.reviews_view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.timeline_model = OutcomeTimelineModel(self)
        self.timeline_view = QTableView()
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_view.setWordWrap(True)
        self.timeline_view.verticalHeader().hide()
        self.timeline_view.setAccessibleName(_("Outcome status over time"))

        reviews_part = QWidget()
        reviews_layout = QVBoxLayout(reviews_part)
        reviews_layout.setContentsMargins(0, 0, 0, 0)
        reviews_layout.addWidget(QLabel(_("Reviews held")))
        reviews_layout.addWidget(self.reviews_view)
        timeline_part = QWidget()
        timeline_layout = QVBoxLayout(timeline_part)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        timeline_layout.addWidget(QLabel(_("Each outcome's status at each review")))
        timeline_layout.addWidget(self.timeline_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(reviews_part)
        splitter.addWidget(timeline_part)

        layout = QVBoxLayout(self)
        top = button_row(self.open_button, self.record_button, stretch_first=False)
        top.insertWidget(0, self.next_due, 1)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        context.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        store = self.context.store
        try:
            due = client_schedule(store, self.client_id)
        except NotFound:
            return
        ended = store.value("SELECT end_date FROM clients WHERE id = ?", (self.client_id,))
        if ended:
            self.next_due.setText(_("The service ended on {day}; no further reviews are due.").format(day=format_date(ended)))
        else:
            self.next_due.setText(_("Next review due {day} by {method} ({when}).").format(
                day=format_date(due.due), method=METHOD_LABELS[due.method].lower(), when=when_text(due)))
        colour = theme.css(STATUS_COLOURS["not_achieved"]) if due.state == "overdue" and not ended else "palette(text)"
        self.next_due.setStyleSheet(f"font-weight: 600; color: {colour};")
        history = review_history(store, self.client_id)
        self.reviews_model.set_rows(history)
        self.timeline_model.set_history(outcome_status_history(store, self.client_id), history)
        header = self.timeline_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if history:
            self.reviews_view.selectRow(0)
        self.record_button.setEnabled(not self.context.read_only)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_review() is not None)

    def selected_review(self) -> ReviewRecord | None:
        rows = self.reviews_view.selectionModel().selectedRows()
        return self.reviews_model.row_at(rows[0].row()) if rows else None

    def open_record(self) -> None:
        review = self.selected_review()
        if review is not None:
            show_review_record(self.context, review.id, self)

    def record_review(self) -> None:
        from branchdesk.ui.review_form import record_review_for

        record_review_for(self.context, self.client_id, self)
