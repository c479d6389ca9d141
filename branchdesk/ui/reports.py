"""The Reports menu: each report as a table, with Export XLSX… and Print…."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.branch import get_branch
from branchdesk.models.report_catalogue import CATALOGUE
from branchdesk.models.report_export import Report, render_report_pdf, write_report_xlsx
from branchdesk.ui import theme
from branchdesk.ui.dialogs import WindowModalDialog, add_shortcut, button_row, show_error, show_info
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel

NUMERIC = {"int", "money", "share", "hours"}
#: Room a report's widest text column asks for when the dialog is sized to its columns.
STRETCHED_COLUMN_WIDTH = 320


class ReportModel(RecordTableModel):
    """Rows of a ``Report``; its columns are known only at run time."""

    def __init__(self, report: Report, parent=None):
        super().__init__(report.rows, parent)
        self.report = report

    def columnCount(self, parent=None) -> int:
        return len(self.report.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.report.columns[section].header
        return None

    def display(self, row, column: int):
        return self.report.cell_text(row, self.report.columns[column])

    def sort_key(self, row, column: int):
        value = row.get(self.report.columns[column].key)
        return "" if value is None else value

    def alignment(self, row, column: int):
        return RIGHT if self.report.columns[column].kind in NUMERIC else None


class ReportDialog(WindowModalDialog):
    def __init__(self, parent: QWidget, report: Report, branch_name: str):
        super().__init__(parent, report.title)
        self.report, self.branch_name = report, branch_name
        title = QLabel(report.title)
        theme.screen_title(title)
        subtitle = QLabel(report.subtitle)
        self.model = ReportModel(report, self)
        proxy = FilterProxy(self)
        proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(proxy)
        header = self.view.horizontalHeader()
        # Rows come in the report's own order (the total row last); a click on a heading sorts.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        text_columns = [i for i, column in enumerate(report.columns) if column.kind not in NUMERIC]
        if text_columns:
            # The widest words get the spare room, not a column of right-aligned figures.
            header.setSectionResizeMode(text_columns[-1], QHeaderView.ResizeMode.Stretch)
        self.view.setAccessibleName(report.title)
        export = QPushButton(_("Export XLSX…"))
        export.clicked.connect(self.export_xlsx)
        print_button = QPushButton(_("Print…"))
        print_button.clicked.connect(self.print_report)
        print_button.setToolTip(_("Ctrl+P"))
        add_shortcut(self, "Ctrl+P", self.print_report)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(self.view)
        layout.addLayout(button_row(export, print_button, close))
        if self.width() < 900:
            self.resize(900, 560)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Widen the dialog so that every column shows without scrolling sideways, as far as the screen allows."""
        header = self.view.horizontalHeader()
        widths = [max(self.view.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(header.count())]
        for column in range(header.count()):
            if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
                widths[column] = min(widths[column], STRETCHED_COLUMN_WIDTH)  # long text may be cut; figures may not
        columns = sum(widths)
        needed = columns + self.view.verticalScrollBar().sizeHint().width() + 2 * self.view.frameWidth()
        margins = self.layout().contentsMargins()
        width = needed + margins.left() + margins.right()
        screen = QWidget.screen(self)
        if screen is not None:
            width = min(width, screen.availableGeometry().width())
        if width > self.width():
            self.resize(width, self.height())

    def export_xlsx(self) -> None:
        name = f"{self.report.title}.xlsx".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(self, _("Export report"), name, _("Excel workbook (*.xlsx)"))
        if not path:
            return
        try:
            write_report_xlsx(self.report, Path(path))
        except OSError as error:
            show_error(self, _("The report could not be saved ({why}). Choose another folder.").format(why=error.strerror or error))
            return
        show_info(self, _("Saved {path}.").format(path=path))

    def print_report(self) -> None:
        from branchdesk.ui.pdf_preview import PdfPreviewDialog

        pdf = render_report_pdf(self.report, self.branch_name)
        PdfPreviewDialog(self, self.report.title, pdf, f"{self.report.title}.pdf").exec()


def open_report(window, builder, on: dt.date | None = None) -> ReportDialog | None:
    store = window.context.store
    if store is None:
        show_info(window, _("Open a branch file first (File → Open…)."))
        return None
    report = builder(store, on or dt.date.today())
    dialog = ReportDialog(window, report, get_branch(store)["name"])
    dialog.show()
    return dialog


def fill_reports_menu(window, menu: QMenu) -> None:
    """The main window's Reports menu."""
    for title, builder in CATALOGUE:
        action = menu.addAction(title)
        action.setEnabled(window.context.store is not None)
        action.triggered.connect(lambda _checked=False, b=builder: open_report(window, b))
