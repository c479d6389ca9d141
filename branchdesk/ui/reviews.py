"""The Reviews screen: every client's next review — overdue, due in the next 28 days, later."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
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
from branchdesk.models.calendars import DUE_SOON_DAYS
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.reviews import (
    METHOD_LABELS,
    DueReview,
    overdue_count,
    schedule,
    when_text,
    write_due_list_xlsx,
)
from branchdesk.ui import theme
from branchdesk.ui.dialogs import add_shortcut, button_row, enter_activates, show_error, show_info
from branchdesk.ui.tables import FilterProxy, RecordTableModel

#: The state filter: (label, states shown)
STATE_FILTERS = (
    (_("All clients"), ("overdue", "due_soon", "later")),
    (_("Overdue and due in the next 28 days"), ("overdue", "due_soon")),
    (_("Overdue"), ("overdue",)),
    (_("Due in the next 28 days"), ("due_soon",)),
    (_("Later"), ("later",)),
)


def navigation_badge(context) -> str:
    """The count shown beside "Reviews" in the navigation, e.g. ``3 overdue``."""
    if context.store is None:
        return ""
    count = overdue_count(context.store, dt.date.today())
    return _("{n} overdue").format(n=count) if count else ""


class DueColumns(IntEnum):
    CLIENT = 0
    DUE = 1
    WHEN = 2
    METHOD = 3
    KEY_WORKER = 4
    TEAM = 5
    LAST_REVIEW = 6


class DueModel(RecordTableModel):
    Columns = DueColumns
    headers = {
        DueColumns.CLIENT: _("Client"),
        DueColumns.DUE: _("Due date"),
        DueColumns.WHEN: _("When"),
        DueColumns.METHOD: _("Method"),
        DueColumns.KEY_WORKER: _("Key worker"),
        DueColumns.TEAM: _("Team"),
        DueColumns.LAST_REVIEW: _("Last review"),
    }

    def display(self, item: DueReview, column: int):
        if column == DueColumns.CLIENT:
            return f"{item.client_name} ({item.client_ref})"
        if column == DueColumns.DUE:
            return item.due
        if column == DueColumns.WHEN:
            return when_text(item)
        if column == DueColumns.METHOD:
            text = METHOD_LABELS[item.method]
            return (text + " " + _("(first)")) if item.first else text
        if column == DueColumns.KEY_WORKER:
            return item.key_worker
        if column == DueColumns.TEAM:
            return item.team
        if item.last_review_date is None:
            return _("none yet")
        return f"{format_date(item.last_review_date)} · {METHOD_LABELS[item.last_review_method].lower()}"

    def sort_key(self, item: DueReview, column: int):
        if column in (DueColumns.WHEN, DueColumns.DUE):
            return item.due
        if column == DueColumns.LAST_REVIEW:
            return item.last_review_date or dt.date.min
        if column == DueColumns.CLIENT:
            return item.client_name.lower()
        return super().sort_key(item, column)

    def foreground(self, item: DueReview, column: int):
        if column in (DueColumns.WHEN, DueColumns.DUE):
            if item.state == "overdue":
                return theme.colour("overdue")
            if item.state == "due_soon":
                return theme.colour("warning")
        return None

    def font(self, item: DueReview, column: int):
        if column == DueColumns.WHEN and item.state == "overdue":
            bold = QFont()
            bold.setBold(True)
            return bold
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            return self.font(self.row_at(index.row()), index.column())
        return super().data(index, role)


class ReviewsScreen(QWidget):
    """The review schedule for the whole caseload, with filters, print and export."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.on = dt.date.today()
        title = QLabel(_("Reviews"))
        theme.screen_title(title)
        self.summary = QLabel()
        theme.larger_text(self.summary)

        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS:
            self.state_filter.addItem(label, states)
        self.state_filter.setAccessibleName(_("Show"))
        self.method_filter = QComboBox()
        self.method_filter.addItem(_("Visits and phone calls"), "")
        for method in ("visit", "phone"):
            self.method_filter.addItem(METHOD_LABELS[method], method)
        self.method_filter.setAccessibleName(_("Method"))
        self.team_filter = QComboBox()
        self.team_filter.setAccessibleName(_("Team"))
        self.worker_filter = QComboBox()
        self.worker_filter.setAccessibleName(_("Key worker"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search name or ref (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search"))
        for combo in (self.state_filter, self.method_filter, self.team_filter, self.worker_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.search.textChanged.connect(self.apply_filters)

        self.model = DueModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(DueColumns.DUE, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setAccessibleName(_("Reviews due"))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DueColumns.CLIENT, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _index: self.open_client())
        enter_activates(self.view, self.open_client)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.record_button = QPushButton(_("Record review…"))
        self.record_button.clicked.connect(self.record_review)
        self.open_button = QPushButton(_("Open client record"))
        self.open_button.clicked.connect(self.open_client)
        self.print_button = QPushButton(_("Print list…"))
        self.print_button.clicked.connect(self.print_list)
        self.print_button.setToolTip(_("Ctrl+P"))
        add_shortcut(self, "Ctrl+P", self.print_button.click)
        add_shortcut(self, "Ctrl+F", lambda: self.search.setFocus(Qt.FocusReason.ShortcutFocusReason))
        self.export_button = QPushButton(_("Export to spreadsheet…"))
        self.export_button.clicked.connect(self.export_list)
        self.shown = QLabel()
        theme.text_colour(self.shown, "muted")

        filters = QHBoxLayout()
        show_label = QLabel(_("Show"))
        show_label.setBuddy(self.state_filter)
        filters.addWidget(show_label)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.method_filter)
        filters.addWidget(self.team_filter)
        filters.addWidget(self.worker_filter)
        filters.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        bottom = button_row(self.print_button, self.export_button, self.open_button, self.record_button)
        bottom.insertWidget(0, self.shown)
        layout.addLayout(bottom)
        self._update_buttons()

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.context.store is None:
            return
        self.on = dt.date.today()
        selected = self.selected()
        items = schedule(self.context.store, self.on)
        self.model.set_rows(items)
        overdue = sum(i.state == "overdue" for i in items)
        soon = sum(i.state == "due_soon" for i in items)
        self.summary.setText(_("{overdue} overdue · {soon} due in the next {days} days · {later} later · {total} clients in service").format(
            overdue=overdue, soon=soon, days=DUE_SOON_DAYS, later=len(items) - overdue - soon, total=len(items)))
        self._fill_choices(self.team_filter, _("All teams"), sorted({i.team for i in items if i.team}))
        self._fill_choices(self.worker_filter, _("All key workers"), sorted({i.key_worker for i in items if i.key_worker}))
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(DueColumns.CLIENT, QHeaderView.ResizeMode.Stretch)
        self.apply_filters()
        if selected is not None:
            self.select_client(selected.client_id)
        elif self.proxy.rowCount():
            self.view.selectRow(0)
        self.record_button.setEnabled(not self.context.read_only and self.selected() is not None)

    @staticmethod
    def _fill_choices(combo: QComboBox, everyone: str, values: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everyone, "")
        for value in values:
            combo.addItem(value, value)
        index = combo.findData(current) if current else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def apply_filters(self) -> None:
        states = self.state_filter.currentData()
        method = self.method_filter.currentData()
        team = self.team_filter.currentData()
        worker = self.worker_filter.currentData()
        words = self.search.text().strip().lower()

        def accept(item: DueReview) -> bool:
            return (item.state in states
                    and (not method or item.method == method)
                    and (not team or item.team == team)
                    and (not worker or item.key_worker == worker)
                    and (not words or words in item.client_name.lower() or words in item.client_ref.lower()))

        self.proxy.set_predicate(accept)
        total = self.model.rowCount()
        self.shown.setText(_("{n} of {total} clients shown").format(n=self.proxy.rowCount(), total=total))
        self._update_buttons()

    def visible_items(self) -> list[DueReview]:
        return [self.proxy.row_object(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]

    def selected(self) -> DueReview | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.row_object(rows[0]) if rows else None

    def select_client(self, client_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_object(self.proxy.index(row, 0)).client_id == client_id:
                self.view.selectRow(row)
                return

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.record_button.setEnabled(chosen and not self.context.read_only)
        self.open_button.setEnabled(chosen)
        has_rows = self.proxy.rowCount() > 0
        self.print_button.setEnabled(has_rows)
        self.export_button.setEnabled(has_rows)

    # -- actions -------------------------------------------------------------------------
    def record_review(self) -> None:
        item = self.selected()
        if item is None:
            return
        from branchdesk.ui.review_form import record_review_for

        record_review_for(self.context, item.client_id, self)

    def open_client(self) -> None:
        item = self.selected()
        if item is None:
            return
        from branchdesk.ui.client_record import open_client_record

        open_client_record(self.context, item.client_id, self, section="Reviews")

    def list_heading(self) -> str:
        parts = [self.state_filter.currentText()]
        for combo in (self.method_filter, self.team_filter, self.worker_filter):
            if combo.currentData():
                parts.append(combo.currentText())
        return _("Reviews: {filters}").format(filters=", ".join(parts))

    def print_list(self) -> None:
        from branchdesk.ui.pdf_preview import PdfPreviewDialog

        try:
            from branchdesk.models.review_pdf import render_due_list_pdf

            pdf = render_due_list_pdf(self.context.store, self.visible_items(), self.on, self.list_heading())
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        dialog = PdfPreviewDialog(self, _("Reviews list"), pdf, f"Reviews {self.on.isoformat()}.pdf")
        dialog.open()

    def export_list(self) -> None:
        suggested = str(Path.home() / f"Reviews {self.on.isoformat()}.xlsx")
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the review list"), suggested, _("Excel workbook (*.xlsx)"))
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            write_due_list_xlsx(self.visible_items(), path, self.on)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        show_info(self, _("{n} reviews exported to {path}.").format(n=self.proxy.rowCount(), path=path))
