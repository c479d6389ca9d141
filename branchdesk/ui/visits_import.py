"""File → Import visits… and File → Export visit data….

Importing: choose the file; when its headings are not the standard columns, map them
once (with a preview of the first rows) and save the mapping by name for next month;
then the whole file is checked and imported off the UI thread, with Cancel. Problems
are shown in a table the user can sort and copy; nothing is imported until there are none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _, ngettext
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchDeskError, Problem, ValidationError
from branchdesk.models.visit_export import export_visit_data
from branchdesk.models.visits_import import (
    COLUMN_LABELS,
    ONE_OF_COLUMNS,
    REQUIRED_COLUMNS,
    STANDARD_COLUMNS,
    VisitsFile,
    VisitsImportReport,
    get_mapping,
    import_visits_file,
    list_mappings,
    mapping_fits,
    read_visits_file,
    save_mapping,
    suggest_mapping,
)
from branchdesk.models.xlsx_reading import normalise_header
from branchdesk.ui import theme
from branchdesk.ui.context import app_settings
from branchdesk.ui.dialogs import (
    FieldProblems,
    ProblemsTable,
    WindowModalDialog,
    button_row,
    ok_cancel,
    show_error,
    show_info,
)
from branchdesk.ui.tasks import run_task
from branchdesk.ui.visits import date_edit, from_qdate

VISITS_FILE_FILTER = _("Visits files (*.csv *.xlsx *.txt);;All files (*)")
PREVIEW_ROWS = 8
#: What each column means, shown beside it in the mapping dialog.
COLUMN_HINTS = {
    "client_ref": _("the client's branch ref"),
    "worker_ref": _("the worker's ref"),
    "date": _("the day of the visit"),
    "planned_start": _("HH:MM; or give the actual start"),
    "actual_start": _("HH:MM, when the worker arrived"),
    "actual_end": _("HH:MM; or give the duration"),
    "duration_minutes": _("minutes; or give the actual end"),
    "status": _("completed, missed, cancelled_by_client, …"),
}


class PreviewModel(QAbstractTableModel):
    """The first rows of the file as it is, under its own headings."""

    def __init__(self, headers: list[str], rows: list[list[str]], parent=None):
        super().__init__(parent)
        self.headers, self._rows = headers, rows

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] or _("(no heading)")
        return section + 2  # the spreadsheet row: the header is row 1

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            cells = self._rows[index.row()]
            return cells[index.column()] if index.column() < len(cells) else ""
        return None


class MappingDialog(WindowModalDialog):
    """Which column of this file holds each of ours; can be saved by name for next month."""

    def __init__(self, parent: QWidget | None, visits_file: VisitsFile, preview: list[list[str]], saved: dict[str, dict[str, str]]):
        super().__init__(parent, _("Match the columns of {name}").format(name=visits_file.path.name))
        self.visits_file = visits_file
        self.saved = saved
        self.problems = FieldProblems()
        intro = QLabel(_("The headings of this file are not the standard visit columns. Choose which of its columns holds each "
                         "piece of information. Save the mapping with a name and next month it is chosen for you."))
        intro.setWordWrap(True)

        self.saved_choice = QComboBox()
        self.saved_choice.addItem(_("None: choose the columns below"), "")
        for name in saved:
            self.saved_choice.addItem(name, name)
        self.saved_choice.setAccessibleName(_("Saved mapping"))
        self.saved_choice.currentIndexChanged.connect(self._use_saved)
        saved_row = QHBoxLayout()
        saved_row.addWidget(QLabel(_("Use a saved mapping:")))
        saved_row.addWidget(self.saved_choice, 1)

        grid = QGridLayout()
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        grid.addWidget(self._bold(_("Information")), 0, 0)
        grid.addWidget(self._bold(_("Column in this file")), 0, 1)
        grid.addWidget(self._bold(_("What it holds")), 0, 2)
        self.choices: dict[str, QComboBox] = {}
        for row, column in enumerate(STANDARD_COLUMNS, start=1):
            needed = column in REQUIRED_COLUMNS
            label = COLUMN_LABELS[column] + (" *" if needed else "")
            combo = QComboBox()
            combo.addItem(_("(not in this file)"), "")
            for header in visits_file.headers:
                if header:
                    combo.addItem(header, header)
            combo.setAccessibleName(COLUMN_LABELS[column])
            self.choices[column] = combo
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(combo)
            cell.addWidget(self.problems.label_for(column))
            grid.addWidget(QLabel(label), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(cell, row, 1)
            hint = QLabel(COLUMN_HINTS[column])
            theme.text_colour(hint, "muted")
            grid.addWidget(hint, row, 2, Qt.AlignmentFlag.AlignTop)
        needed_note = QLabel(_("* must be chosen"))
        theme.text_colour(needed_note, "muted")
        grid.addWidget(needed_note, len(STANDARD_COLUMNS) + 1, 0, 1, 3)
        mapping_box = QGroupBox(_("Columns"))
        mapping_box.setLayout(grid)

        self.preview_model = PreviewModel(visits_file.headers, preview, self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)
        self.preview.setAccessibleName(_("First rows of the file"))
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview.setMinimumHeight(170)
        preview_box = QGroupBox(_("The first rows of {name}").format(name=visits_file.path.name))
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview)

        self.remember = QCheckBox(_("Save this mapping as:"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. the call-monitoring system's name"))
        self.name.setAccessibleName(_("Mapping name"))
        self.remember.setChecked(True)
        self.remember.toggled.connect(self.name.setEnabled)
        name_row = QHBoxLayout()
        name_row.addWidget(self.remember)
        name_row.addWidget(self.name, 1)
        name_box = QVBoxLayout()
        name_box.addLayout(name_row)
        name_box.addWidget(self.problems.label_for("name"))
        self.general = self.problems.label_for("")

        buttons = ok_cancel(self, _("Check and import"))
        buttons.accepted.disconnect()
        buttons.accepted.connect(self.check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(saved_row)
        layout.addWidget(mapping_box)
        layout.addWidget(preview_box, 1)
        layout.addLayout(name_box)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        self.resize(max(self.width(), 900), max(self.height(), 720))

        fitting = next((name for name, mapping in saved.items() if mapping_fits(visits_file, mapping)), None)
        if fitting:
            self.saved_choice.setCurrentIndex(self.saved_choice.findData(fitting))
        else:
            self.set_mapping(suggest_mapping(visits_file.headers))

    @staticmethod
    def _bold(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: 600;")
        return label

    def set_mapping(self, mapping: dict[str, str]) -> None:
        for column, combo in self.choices.items():
            wanted = normalise_header(mapping.get(column, ""))
            index = 0
            for i in range(1, combo.count()):
                if normalise_header(combo.itemData(i)) == wanted:
                    index = i
                    break
            combo.setCurrentIndex(index)

    def _use_saved(self) -> None:
        name = self.saved_choice.currentData()
        if name:
            self.set_mapping(self.saved[name])
            self.name.setText(name)

    def mapping(self) -> dict[str, str]:
        return {column: combo.currentData() for column, combo in self.choices.items() if combo.currentData()}

    def mapping_name(self) -> str | None:
        return self.name.text().strip() if self.remember.isChecked() else None

    def problems_found(self) -> list[Problem]:
        mapping = self.mapping()
        problems = [Problem(c, _("Choose the column that holds this.")) for c in REQUIRED_COLUMNS if c not in mapping]
        for first, second in ONE_OF_COLUMNS:
            if first not in mapping and second not in mapping:
                problems.append(Problem(first, _("Choose a column for {a} or for {b}.").format(a=COLUMN_LABELS[first], b=COLUMN_LABELS[second])))
        used: dict[str, str] = {}
        for column, header in mapping.items():
            if header in used:
                problems.append(Problem(column, _("“{header}” is already chosen for {other}.").format(header=header, other=COLUMN_LABELS[used[header]])))
            used.setdefault(header, column)
        if self.remember.isChecked() and not self.name.text().strip():
            problems.append(Problem("name", _("Give the mapping a name, or untick “Save this mapping as”.")))
        return problems

    def check(self) -> None:
        problems = self.problems_found()
        self.problems.show(problems)
        if not problems:
            self.accept()


class ImportProblemsDialog(WindowModalDialog):
    """Every problem found in the file, as a table the user can sort and copy."""

    def __init__(self, parent: QWidget | None, report: VisitsImportReport, file_name: str):
        super().__init__(parent, _("Visits not imported"))
        count = len(report.problems)
        found = ngettext("<b>Nothing was imported.</b> {n:,} problem was found in {name}.",
                         "<b>Nothing was imported.</b> {n:,} problems were found in {name}.", count).format(n=count, name=file_name)
        text = QLabel(found + " " + _("Correct them in the file, or add the missing clients and workers in BranchDesk, "
                                      "then import the file again. Select rows and press Ctrl+C to copy them, or use Copy all."))
        text.setWordWrap(True)
        self.table = ProblemsTable(report.problems, self)
        close = QPushButton(_("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(close))
        self.resize(max(self.width(), 980), max(self.height(), 560))


def _remembered_folder(key: str) -> str:
    return str(app_settings().value(key, "") or Path.home())


def run_visits_import(main_window, path: str | None = None) -> None:
    """File → Import visits…: choose the file, map its columns if needed, then check and import it."""
    context = main_window.context
    if context.store is None or context.read_only:
        return
    if path is None:
        path, _filter = QFileDialog.getOpenFileName(main_window, _("Import visits"), _remembered_folder("visits/import_folder"),
                                                    VISITS_FILE_FILTER)
        if not path:
            return
    app_settings().setValue("visits/import_folder", str(Path(path).parent))

    def read(_store, _progress, _abort):
        visits_file = read_visits_file(path)
        return visits_file, ([] if visits_file.is_standard else visits_file.preview(PREVIEW_ROWS))

    def opened(result) -> None:
        visits_file, preview = result
        if visits_file.is_standard:
            start_import(main_window, Path(path), None)
            return
        store = context.store
        saved = {name: get_mapping(store, name) for name in list_mappings(store)}
        dialog = MappingDialog(main_window, visits_file, preview, saved)

        def mapped(result_code: int) -> None:
            if not result_code:
                return
            mapping, name = dialog.mapping(), dialog.mapping_name()
            if name:
                try:
                    save_mapping(context.store, name, mapping)
                except (ValidationError, BranchDeskError) as error:
                    show_error(main_window, str(error))
                    return
            start_import(main_window, Path(path), mapping)

        dialog.finished.connect(mapped)
        dialog.open()

    run_task(main_window, _("Reading the visits file…"), read, opened, cancellable=False, context=context)


def start_import(main_window, path: Path, mapping: dict[str, str] | None):
    """Check and import the file off the UI thread, then show the problems or what was imported."""
    context = main_window.context

    def work(store, progress, abort):
        return import_visits_file(store, path, mapping=mapping, progress=progress, abort=abort)

    def done(report: VisitsImportReport) -> None:
        if report.cancelled:
            show_info(main_window, _("The import was cancelled; nothing was changed."), _("Import visits"))
            return
        if report.problems:
            dialog = ImportProblemsDialog(main_window, report, path.name)
            dialog.open()
            return
        context.notify_changed()
        if report.first_date is not None and hasattr(main_window, "show_screen"):  # the visit log opens on what was imported
            main_window.screen("visits").log.show_period(report.first_date, report.last_date)
        message = report.summary()
        if report.details:
            shown = report.details[:10]
            message += "\n\n" + "\n".join(shown)
            if len(report.details) > len(shown):
                message += "\n" + _("…and {n:,} more.").format(n=len(report.details) - len(shown))
        show_info(main_window, message, _("Visits imported"))

    return run_task(main_window, _("Importing visits from {name}").format(name=path.name), work, done, context=context)


# -- daily visit data for the council -------------------------------------------------------
class VisitDataDialog(WindowModalDialog):
    """Choose the day or days, and the contract, of the visit data to send to the council."""

    def __init__(self, context, parent: QWidget | None, first: dt.date, last: dt.date):
        super().__init__(parent, _("Export visit data"))
        self.context = context
        intro = QLabel(_("A CSV file for the council with one row per visit: the client's council ref, date, planned start, "
                         "actual start and end, minutes, worker ref and status."))
        intro.setWordWrap(True)
        today = dt.date.today()
        self.first = date_edit(first, latest=today)
        self.last = date_edit(last, latest=today)
        self.contract = QComboBox()
        contracts = context.store.rows("SELECT id, ref, council FROM contracts ORDER BY ref")
        if len(contracts) != 1:
            self.contract.addItem(_("All contracts"), None)
        for row in contracts:
            self.contract.addItem(f"{row['council']} ({row['ref']})", row["id"])
        self.problems = FieldProblems()
        form = QFormLayout()
        form.addRow(_("From"), self.first)
        one_day = QPushButton(_("Same day as From"))
        one_day.setToolTip(_("Export a single day's visits"))
        one_day.clicked.connect(lambda: self.last.setDate(self.first.date()))
        for field in (self.first, self.last):
            field.setMaximumWidth(160)
        last_row = QHBoxLayout()
        last_row.addWidget(self.last)
        last_row.addWidget(one_day)
        last_row.addStretch(1)
        last_box = QVBoxLayout()
        last_box.addLayout(last_row)
        last_box.addWidget(self.problems.label_for("last"))
        form.addRow(_("To"), last_box)
        form.addRow(_("Contract"), self.contract)
        buttons = ok_cancel(self, _("Save CSV…"))
        buttons.accepted.disconnect()
        buttons.accepted.connect(self.check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def period(self) -> tuple[dt.date, dt.date]:
        return from_qdate(self.first.date()), from_qdate(self.last.date())

    def check(self) -> None:
        first, last = self.period()
        problems = [Problem("last", _("The last day is before the first day."))] if last < first else []
        self.problems.show(problems)
        if not problems:
            self.accept()


def run_visit_data_export(main_window, first: dt.date | None = None, last: dt.date | None = None) -> None:
    """File → Export visit data…: a day or a range of days, as CSV for the council."""
    context = main_window.context
    if context.store is None:
        return
    yesterday = dt.date.today() - dt.timedelta(days=1)
    dialog = VisitDataDialog(context, main_window, first or yesterday, last or first or yesterday)

    def chosen(result: int) -> None:
        if not result:
            return
        start, end = dialog.period()
        span = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
        suggested = str(Path(_remembered_folder("visits/export_folder")) / _("Visit data {span}.csv").format(span=span))
        path, _filter = QFileDialog.getSaveFileName(main_window, _("Save visit data"), suggested, _("CSV file (*.csv)"))
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        app_settings().setValue("visits/export_folder", str(Path(path).parent))
        try:
            result_data = export_visit_data(context.store, path, start, end, dialog.contract.currentData())
        except BranchDeskError as error:
            show_error(main_window, str(error))
            return
        days = format_date(start) if start == end else _("{first} to {last}").format(first=format_date(start), last=format_date(end))
        message = ngettext("{n:,} visit ({days}) saved to {name}.", "{n:,} visits ({days}) saved to {name}.",
                           result_data.rows).format(n=result_data.rows, days=days, name=Path(path).name)
        if result_data.without_council_ref:
            message += " " + _("These clients have no council ref, so their rows have an empty council_ref: {refs}. "
                               "Add their council refs in the client record and export again.").format(
                refs=", ".join(result_data.without_council_ref))
        show_info(main_window, message, _("Visit data exported"))

    dialog.finished.connect(chosen)
    dialog.open()
