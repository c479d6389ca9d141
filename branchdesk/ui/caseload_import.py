"""File → Import caseload… and File → Export caseload…

The workbook is checked off the UI thread first; the user then sees either every problem
(sheet, row, column, message: sortable and copyable) or a preview of what will be added
and changed, and only then is anything written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QFileDialog, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from branchdesk.i18n import _, ngettext
from branchdesk.models.caseload_workbook import export_caseload, import_caseload
from branchdesk.models.import_report import ImportReport
from branchdesk.ui.context import app_settings
from branchdesk.ui.dialogs import ProblemsTable, WindowModalDialog, button_row, show_info
from branchdesk.ui.tasks import run_task

XLSX_FILTER = _("Excel workbooks (*.xlsx);;All files (*)")
#: Longer previews keep one line per change so that they still open at once.
MAX_WRAPPED_LINES = 2000


class ImportProblemsDialog(WindowModalDialog):
    """Every problem found in the workbook; nothing was imported."""

    def __init__(self, parent: QWidget, path: Path, report: ImportReport):
        super().__init__(parent, _("The caseload was not imported"))
        if self.size().width() < 800:
            self.resize(980, 620)
        count = len(report.problems)
        found = ngettext("Nothing was imported from “{name}”: {n} problem was found.",
                         "Nothing was imported from “{name}”: {n} problems were found.", count).format(name=path.name, n=count)
        heading = QLabel(found + " " + _("Put them right in the workbook and import it again. Click a column heading to sort; "
                                         "Ctrl+C or “Copy all” copies the list."))
        heading.setWordWrap(True)
        self.table = ProblemsTable(report.problems)
        close = QPushButton(_("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(close))


def preview_lines(report: ImportReport) -> list[str]:
    """One line per change, with multi-line values (addresses) joined by commas so none is cut short."""
    return [", ".join(part.strip() for part in detail.splitlines() if part.strip()) for detail in report.details]


class ImportPreviewDialog(WindowModalDialog):
    """What the import will add and change, before anything is written."""

    def __init__(self, parent: QWidget, path: Path, report: ImportReport):
        super().__init__(parent, _("Import caseload: check before importing"))
        if self.size().width() < 700:
            self.resize(900, 600)
        heading = QLabel(f"“{path.name}”: {report.summary(dry_run=True)}")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: 600;")
        self.details = QListView()
        self.details.setModel(QStringListModel(preview_lines(report) or [_("Everything in the workbook is already in this branch.")], self))
        self.details.setAccessibleName(_("What will be added and changed"))
        self.details.setWordWrap(True)
        self.details.setUniformItemSizes(len(report.details) > MAX_WRAPPED_LINES)
        self.details.setAlternatingRowColors(True)
        note = QLabel(_("Records in this branch that are not in the workbook are left as they are."))
        note.setWordWrap(True)
        self.import_button = QPushButton(_("Import"))
        self.import_button.setDefault(True)
        self.import_button.setEnabled(bool(report.details))
        self.import_button.clicked.connect(self.accept)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(QLabel(_("What will be added and changed:")))
        layout.addWidget(self.details, 1)
        layout.addWidget(note)
        layout.addLayout(button_row(self.import_button, cancel))


def _last_folder() -> str:
    return str(app_settings().value("files/caseload_folder", "") or "")


def _remember_folder(path: Path) -> None:
    app_settings().setValue("files/caseload_folder", str(path.parent))


def run_caseload_import(main_window) -> None:
    """Choose a workbook, check it in the background, show problems or a preview, then import."""
    path, _filter = QFileDialog.getOpenFileName(main_window, _("Import a caseload workbook"), _last_folder(), XLSX_FILTER)
    if path:
        check_and_import(main_window, Path(path))


def check_and_import(main_window, path: Path) -> None:
    _remember_folder(path)
    context = main_window.context

    def check(store, progress, abort):
        return import_caseload(store, path, dry_run=True, progress=progress, abort=abort)

    def checked(report: ImportReport) -> None:
        if report.problems:
            ImportProblemsDialog(main_window, path, report).exec()
            return
        if ImportPreviewDialog(main_window, path, report).exec():
            run_task(main_window, _("Importing the caseload…"), write, imported, context=context)

    def write(store, progress, abort):
        return import_caseload(store, path, progress=progress, abort=abort)

    def imported(report: ImportReport) -> None:
        if report.problems:
            ImportProblemsDialog(main_window, path, report).exec()
            return
        context.notify_changed()
        show_info(main_window, report.summary(), _("Caseload imported"))

    run_task(main_window, _("Checking the caseload workbook…"), check, checked, context=context)


def run_caseload_export(main_window) -> None:
    """Choose where to save, then write the caseload workbook in the background."""
    suggested = str(Path(_last_folder() or str(Path.home())) / f"caseload-{dt.date.today().isoformat()}.xlsx")
    path, _filter = QFileDialog.getSaveFileName(main_window, _("Export the caseload workbook"), suggested, XLSX_FILTER)
    if not path:
        return
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    _remember_folder(target)

    def work(store, _progress, _abort):
        return export_caseload(store, target)

    run_task(main_window, _("Exporting the caseload…"), work,
             lambda written: show_info(main_window, _("The caseload was saved to {path}.").format(path=written), _("Caseload exported")),
             context=main_window.context, cancellable=False)
