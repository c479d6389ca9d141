"""The shared base for every list: a table model over plain rows with a Columns enum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from branchdesk.models.dates import format_date


class RecordTableModel(QAbstractTableModel):
    """Rows of any kind shown through ``display(row, column)``.

    Subclasses set ``Columns`` (an IntEnum) and ``headers`` (Columns → title), and
    override ``display`` (and where useful ``sort_key``, ``alignment``, ``tooltip``,
    ``foreground``). Dates display as 31/10/2026; sorting uses the raw values.
    """

    Columns: type[IntEnum]
    headers: dict = {}
    SortRole = Qt.ItemDataRole.UserRole + 1
    RowRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, rows=None, parent=None):
        super().__init__(parent)
        self._rows = list(rows or [])

    # -- data access -----------------------------------------------------------------
    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list:
        return self._rows

    def row_at(self, row: int):
        return self._rows[row]

    # -- overridable -----------------------------------------------------------------
    def display(self, row, column: int):
        """The value shown in a cell; every subclass overrides this."""
        return ""

    def sort_key(self, row, column: int):
        value = self.display(row, column)
        if value is None:
            return ""
        return value

    def alignment(self, row, column: int):
        return None

    def tooltip(self, row, column: int):
        return None

    def foreground(self, row, column: int):
        return None

    def background(self, row, column: int):
        return None

    # -- Qt ----------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.Columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers.get(self.Columns(section), "")
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.display(row, column)
            if isinstance(value, dt.date):
                return format_date(value)
            if isinstance(value, Decimal):
                return format(value.normalize(), "f")
            return value
        if role == self.SortRole:
            value = self.sort_key(row, column)
            if isinstance(value, dt.date):
                return value.toordinal()
            if isinstance(value, Decimal):
                return float(value)
            return value
        if role == self.RowRole:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = self.alignment(row, column)
            return None if align is None else int(align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(row, column)
        return None


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class FilterProxy(QSortFilterProxyModel):
    """Sorts by ``SortRole`` and filters with a predicate over the source row object."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(RecordTableModel.SortRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._accept = None

    def set_predicate(self, accept) -> None:
        """``accept(row) -> bool``; None shows every row."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._accept = accept
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._accept = accept
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if self._accept is None:
            return True
        return self._accept(self.sourceModel().row_at(source_row))

    def row_object(self, proxy_index: QModelIndex):
        return self.sourceModel().row_at(self.mapToSource(proxy_index).row())
