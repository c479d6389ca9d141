"""The Clients screen: the whole caseload, searched as you type, filtered, sorted and opened."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.clients import (
    CATEGORY_NAMES,
    FUNDING_NAMES,
    STATUS_NAMES,
    CaseloadRow,
    caseload_rows,
)
from branchdesk.models.dates import format_date
from branchdesk.models.money import format_decimal
from branchdesk.models.workers import teams
from branchdesk.ui import theme
from branchdesk.ui.tables import RIGHT, RecordTableModel

#: Status colours by theme name.
STATUS_COLOURS = {"referred": "info", "suspended": "warning", "ended": "muted"}
#: Shorter funding words where the full name would crowd the client's name out of the list.
SHORT_FUNDING_NAMES = {"isf": _("ISF")}


class Columns(IntEnum):
    REF = 0
    NAME = 1
    COUNCIL_REF = 2
    CATEGORY = 3
    FUNDING = 4
    STATUS = 5
    KEY_WORKER = 6
    TEAM = 7
    ENVELOPE = 8
    NEXT_REVIEW = 9


COLUMN_COUNT = len(Columns)


class CaseloadModel(RecordTableModel):
    """One row per client (``CaseloadRow``); sorting is done here, in Python, so it stays quick."""

    Columns = Columns
    headers = {
        Columns.REF: _("Ref"),
        Columns.NAME: _("Name"),
        Columns.COUNCIL_REF: _("Council ref"),
        Columns.CATEGORY: _("Category"),
        Columns.FUNDING: _("Funding"),
        Columns.STATUS: _("Status"),
        Columns.KEY_WORKER: _("Key worker"),
        Columns.TEAM: _("Team"),
        Columns.ENVELOPE: _("Envelope"),
        Columns.NEXT_REVIEW: _("Next review"),
    }
    today = dt.date.today()

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self._cells: dict[int, tuple] = {}
        self._shown: list[bool] = []
        self._accept = None

    def display(self, row: CaseloadRow, column: int):
        if column == Columns.REF:
            return row.ref
        if column == Columns.NAME:
            return row.name
        if column == Columns.COUNCIL_REF:
            return row.council_ref
        if column == Columns.CATEGORY:
            return CATEGORY_NAMES.get(row.category, row.category)
        if column == Columns.FUNDING:
            return SHORT_FUNDING_NAMES.get(row.funding) or FUNDING_NAMES.get(row.funding, row.funding)
        if column == Columns.STATUS:
            return STATUS_NAMES[row.status]
        if column == Columns.KEY_WORKER:
            return row.key_worker
        if column == Columns.TEAM:
            return row.team
        if column == Columns.ENVELOPE:
            return "" if row.envelope_hours is None else format_decimal(row.envelope_hours)
        return row.next_review_due

    def sort_key(self, row: CaseloadRow, column: int):
        if column == Columns.ENVELOPE:
            return row.envelope_hours if row.envelope_hours is not None else -1
        if column == Columns.NEXT_REVIEW:
            return row.next_review_due or dt.date.max
        if column == Columns.STATUS:
            return ("active", "suspended", "referred", "ended").index(row.status)
        value = self.display(row, column)
        return value.lower() if isinstance(value, str) else value

    def alignment(self, row, column: int):
        return RIGHT if column == Columns.ENVELOPE else None

    def foreground(self, row: CaseloadRow, column: int):
        if column == Columns.STATUS:
            return theme.colour(STATUS_COLOURS[row.status]) if row.status in STATUS_COLOURS else None
        if column == Columns.NEXT_REVIEW and row.next_review_due and row.next_review_due < self.today:
            return theme.colour("overdue")
        if row.status == "ended":
            return theme.colour(STATUS_COLOURS["ended"])
        return None

    def tooltip(self, row: CaseloadRow, column: int):
        if column == Columns.FUNDING and row.funding in SHORT_FUNDING_NAMES:
            return FUNDING_NAMES[row.funding]
        if column == Columns.ENVELOPE and row.envelope_hours is not None:
            return _("Indicative envelope: {hours} hours a week").format(hours=format_decimal(row.envelope_hours))
        if column == Columns.NEXT_REVIEW and row.next_review_due and row.next_review_due < self.today:
            return _("Overdue by {n} days").format(n=(self.today - row.next_review_due).days)
        return None

    # -- speed: the list must keep up with typing on 5,000 clients ---------------------------
    def set_rows(self, rows) -> None:
        self._cells = {row.id: tuple(self.display(row, c) for c in Columns) for row in rows}
        self._shown = [True] * len(rows)
        self._accept = None
        super().set_rows(rows)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        """Cells are worked out once per refresh; painting only looks them up."""
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._cells[row.id][index.column()]
            return format_date(value) if isinstance(value, dt.date) else value
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT) if index.column() == Columns.ENVELOPE else None
        if role in (self.SortRole, self.RowRole, Qt.ItemDataRole.ToolTipRole):
            return super().data(index, role)
        return None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else COLUMN_COUNT

    def set_filter(self, accept) -> None:
        """Decide once which rows are shown (``accept(row)``; None shows all)."""
        self._accept = accept
        self._shown = [True] * len(self._rows) if accept is None else [accept(row) for row in self._rows]

    def shown(self, source_row: int) -> bool:
        return self._shown[source_row]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=lambda r: (self.sort_key(r, column), r.ref.lower()), reverse=order == Qt.SortOrder.DescendingOrder)
        self.set_filter(self._accept)
        self.layoutChanged.emit()


class CaseloadProxy(QSortFilterProxyModel):
    """Shows the rows the model has decided to show; sorting is left to the model, which
    sorts its own rows far faster than the proxy could."""

    def setSourceModel(self, model: CaseloadModel) -> None:
        self._shown = model.shown
        super().setSourceModel(model)

    def refilter(self, change) -> None:
        """Run ``change`` (which alters the rows shown) and re-filter, the way this Qt expects."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, _source_parent) -> bool:
        return self._shown(source_row)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def row_object(self, proxy_index: QModelIndex):
        return self.sourceModel().row_at(self.mapToSource(proxy_index).row())


class ClientsScreen(QWidget):
    """Every client: search (Ctrl+F), filters, sort by any column, New referral (Ctrl+N), Enter to open."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.model = CaseloadModel(self)
        self.proxy = CaseloadProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(False)

        title = QLabel(_("Clients"))
        theme.screen_title(title)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name, ref, council ref or postcode (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search clients"))
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self.apply_filters)
        self.status = QComboBox()
        self.status.setAccessibleName(_("Status"))
        self.status.addItem(_("Any status"), "")
        for value, name in STATUS_NAMES.items():
            self.status.addItem(name, value)
        self.category = QComboBox()
        self.category.setAccessibleName(_("Category"))
        self.category.addItem(_("Any category"), "")
        for value, name in CATEGORY_NAMES.items():
            self.category.addItem(name, value)
        self.team = QComboBox()
        self.team.setAccessibleName(_("Team"))
        self.contract = QComboBox()
        self.contract.setAccessibleName(_("Contract"))
        self.show_ended = QCheckBox(_("Show ended"))
        for combo in (self.status, self.category, self.team, self.contract):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.show_ended.toggled.connect(self.apply_filters)
        new_referral = QPushButton(_("New referral…"))
        new_referral.setToolTip(_("Ctrl+N"))
        new_referral.clicked.connect(self.new_referral)
        open_button = QPushButton(_("Open"))
        open_button.clicked.connect(lambda: self.open_client(self.view.currentIndex()))

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(new_referral)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        for combo in (self.status, self.category, self.team, self.contract):
            filters.addWidget(combo)
        filters.addWidget(self.show_ended)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(max(26, self.view.fontMetrics().height() + 10))
        self.view.setAccessibleName(_("Clients"))
        header = self.view.horizontalHeader()
        # Widths in average characters, so a larger system font widens the columns too; the
        # last column takes what is left, and a narrow window scrolls sideways.
        header.setStretchLastSection(True)
        char = self.view.fontMetrics().averageCharWidth()
        for column, chars in ((Columns.REF, 9), (Columns.NAME, 28), (Columns.COUNCIL_REF, 17), (Columns.CATEGORY, 16),
                              (Columns.FUNDING, 20), (Columns.STATUS, 13), (Columns.KEY_WORKER, 22), (Columns.TEAM, 17),
                              (Columns.ENVELOPE, 11), (Columns.NEXT_REVIEW, 16)):
            self.view.setColumnWidth(column, chars * char)
        self.view.sortByColumn(Columns.NAME, Qt.SortOrder.AscendingOrder)
        self.view.activated.connect(self.open_client)
        self.count = QLabel()
        self.count.setAccessibleName(_("Clients shown"))

        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.refresh()

    # -- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.context.store
        if store is None:
            return
        today = dt.date.today()
        CaseloadModel.today = today
        current = self.current_client_id()
        self.model.set_rows(caseload_rows(store, today))
        self._fill_combo(self.team, _("Any team"), [(t, t) for t in teams(store)])
        self._fill_combo(self.contract, _("Any contract"), [(r["ref"], r["id"]) for r in store.rows("SELECT id, ref FROM contracts ORDER BY ref")])
        header = self.view.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.apply_filters()
        if current is not None:
            self.select_client(current)
        self.setProperty("stale", False)

    def _fill_combo(self, combo: QComboBox, everything: str, items: list[tuple[str, object]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen not in (None, "") else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def apply_filters(self) -> None:
        terms = self.search.text().lower().split()
        status = self.status.currentData()
        category = self.category.currentData()
        team = self.team.currentData()
        contract = self.contract.currentData()
        hide_ended = not self.show_ended.isChecked() and status != "ended"

        def accept(row: CaseloadRow) -> bool:
            if hide_ended and row.status == "ended":
                return False
            if status and row.status != status:
                return False
            if category and row.category != category:
                return False
            if team and row.team != team:
                return False
            if contract and row.contract_id != contract:
                return False
            text = row.search_text
            return all(term in text for term in terms)

        self.proxy.refilter(lambda: self.model.set_filter(accept if (terms or status or category or team or contract or hide_ended) else None))
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(_("{shown:,} of {total:,} clients shown").format(shown=shown, total=total))
        if shown and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    # -- selection and opening ---------------------------------------------------------------
    def current_client_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.proxy.row_object(index).id if index.isValid() else None

    def select_client(self, client_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.row_object(index).id == client_id:
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
                return

    def open_client(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        from branchdesk.ui.client_record import open_client_record

        open_client_record(self.context, self.proxy.row_object(index).id, self)

    def new_referral(self) -> None:
        from branchdesk.ui.referral import ReferralDialog

        dialog = ReferralDialog(self.context, self)
        if dialog.exec() and dialog.created_id is not None:
            self.refresh()
            self.select_client(dialog.created_id)

    # -- keys: Ctrl+F and Ctrl+N belong to this screen while it has the focus -------------------
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._own_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = self._own_key(event)
        if key == "find":
            self.search.setFocus()
            self.search.selectAll()
        elif key == "new":
            self.new_referral()
        elif event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.search.hasFocus():
            self.view.setFocus()
            if event.key() != Qt.Key.Key_Down:
                self.open_client(self.view.currentIndex())
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _own_key(event) -> str | None:
        if event.matches(QKeySequence.StandardKey.Find):
            return "find"
        if event.matches(QKeySequence.StandardKey.New):
            return "new"
        return None
