"""File → Back up now…, Restore…, Move branch file…, and Help → Check this branch file."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _, ngettext
from branchdesk.models.backups import (
    BackupInfo,
    back_up_now,
    list_backups,
    move_branch_file,
    restore_backup,
)
from branchdesk.models.checks import check_branch
from branchdesk.models.dates import format_date
from branchdesk.models.db import backups_folder
from branchdesk.models.errors import BranchDeskError, Problem
from branchdesk.models.file_location import location_problem
from branchdesk.models.file_lock import FileInUse, acquire, is_stale, read_lock
from branchdesk.ui import theme
from branchdesk.ui.context import app_settings
from branchdesk.ui.dialogs import (
    FieldProblems,
    WindowModalDialog,
    button_row,
    confirm,
    enter_activates,
    show_error,
    show_info,
)
from branchdesk.ui.tables import RIGHT, FilterProxy, RecordTableModel
from branchdesk.ui.tasks import run_task

LAST_FOLDER_KEY = "backup/last_folder"


def choose_folder(parent: QWidget, title: str, start: str) -> str:
    """The folder the user picks (empty when cancelled)."""
    return QFileDialog.getExistingDirectory(parent, title, start)


def size_text(size: int) -> str:
    """``240 KB``, ``12.5 MB``."""
    if size < 1024 * 1024:
        return _("{kb:,} KB").format(kb=max(1, round(size / 1024)))
    return _("{mb:.1f} MB").format(mb=size / (1024 * 1024))


def when_text(moment: dt.datetime) -> str:
    return _("{date} at {time}").format(date=format_date(moment.date()), time=moment.strftime("%H:%M"))


# -- Back up now… --------------------------------------------------------------------------------
class BackUpDialog(WindowModalDialog):
    """Choose where the copy goes (a USB stick, another disk) and make it."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent, _("Back up now"))
        self.context = context
        self.result_path: Path | None = None
        intro = QLabel(_(
            "BranchDesk copies the whole branch file, checks the copy, and saves it with today's date in its name. "
            "Keep a copy away from this computer too: on a USB stick kept somewhere safe."))
        intro.setWordWrap(True)
        self.folder = QLineEdit(str(app_settings().value(LAST_FOLDER_KEY, "") or backups_folder(context.path)))
        self.folder.setAccessibleName(_("Folder for the backup"))
        choose = QPushButton(_("Choose…"))
        choose.clicked.connect(self._choose)
        beside = QPushButton(_("Use the backups folder"))
        beside.setToolTip(_("The backups folder beside the branch file"))
        beside.clicked.connect(lambda: self.folder.setText(str(backups_folder(self.context.path))))
        self.problems = FieldProblems()
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        row.addWidget(beside)
        self.back_up = QPushButton(_("Back up"))
        self.back_up.setDefault(True)
        self.back_up.clicked.connect(self.start)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(_("Save the backup in this folder:")))
        layout.addLayout(row)
        layout.addWidget(self.problems.label_for("folder"))
        layout.addStretch(1)
        layout.addLayout(button_row(self.back_up, cancel))
        self.setMinimumWidth(560)

    def _choose(self) -> None:
        chosen = choose_folder(self, _("Choose where to save the backup"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def start(self) -> None:
        folder = Path(self.folder.text().strip())
        problems = []
        if not self.folder.text().strip():
            problems.append(_("Choose a folder."))
        elif folder != backups_folder(self.context.path) and not folder.is_dir():
            problems.append(_("This folder does not exist. Is the USB stick plugged in?"))
        if problems:
            self.problems.show([Problem("folder", text) for text in problems])
            return
        self.problems.clear()
        self.back_up.setEnabled(False)

        def work(store, progress, abort):
            return back_up_now(store, folder)

        run_task(self, _("Backing up…"), work, self._done, self._failed, cancellable=False, context=self.context)

    def _done(self, path: Path) -> None:
        app_settings().setValue(LAST_FOLDER_KEY, str(path.parent))
        self.result_path = path
        show_info(self, _("The branch file was backed up and the copy checked:\n\n{path}\n\n({size})").format(
            path=path, size=size_text(path.stat().st_size)), _("Backed up"))
        self.accept()

    def _failed(self, message: str) -> None:
        self.back_up.setEnabled(True)
        show_error(self, message, _("Not backed up"))


def back_up_now_dialog(window) -> None:
    """File → Back up now…"""
    BackUpDialog(window.context, window).exec()


# -- Restore… ------------------------------------------------------------------------------------------
class BackupColumns(IntEnum):
    TAKEN = 0
    KIND = 1
    CLIENTS = 2
    CLAIMS = 3
    LATEST_CHANGE = 4
    SIZE = 5


class BackupsModel(RecordTableModel):
    Columns = BackupColumns
    headers = {
        BackupColumns.TAKEN: _("Taken"),
        BackupColumns.KIND: _("Kind"),
        BackupColumns.CLIENTS: _("Clients"),
        BackupColumns.CLAIMS: _("Issued claims"),
        BackupColumns.LATEST_CHANGE: _("Latest change"),
        BackupColumns.SIZE: _("Size"),
    }

    def display(self, info: BackupInfo, column: int):
        if column == BackupColumns.TAKEN:
            return f"{format_date(info.taken_at.date())} {info.taken_at:%H:%M}"
        if column == BackupColumns.KIND:
            return info.kind_text
        if column == BackupColumns.SIZE:
            return size_text(info.size)
        if info.problem:
            return info.problem if column == BackupColumns.LATEST_CHANGE else "—"
        if column == BackupColumns.CLIENTS:
            return info.clients
        if column == BackupColumns.CLAIMS:
            return info.issued_claims
        return info.latest_change

    def sort_key(self, info: BackupInfo, column: int):
        if column == BackupColumns.TAKEN:
            return info.taken_at.isoformat()
        if column == BackupColumns.SIZE:
            return info.size
        if column in (BackupColumns.CLIENTS, BackupColumns.CLAIMS) and info.problem:
            return -1
        return super().sort_key(info, column)

    def alignment(self, info: BackupInfo, column: int):
        if column in (BackupColumns.CLIENTS, BackupColumns.CLAIMS, BackupColumns.SIZE):
            return RIGHT
        return None

    def foreground(self, info: BackupInfo, column: int):
        return theme.colour("overdue") if info.problem else None


def describe_html(info: BackupInfo) -> str:
    """The preview of what a backup holds."""
    lines = [f"<h3>{escape(when_text(info.taken_at))}</h3>", f"<p>{escape(info.kind_text)} · {escape(size_text(info.size))}</p>"]
    if info.problem:
        lines.append(f"<p style='color:{theme.css('overdue')}'><b>{escape(info.problem)}</b></p>")
    else:
        claims = (_("{count} issued claims, the latest {number}").format(count=info.issued_claims, number=info.latest_claim)
                  if info.issued_claims else _("No issued claims"))
        rows = [
            (_("Branch"), info.branch_name),
            (_("Clients"), _("{count} ({in_service} in service)").format(count=info.clients, in_service=info.clients_in_service)),
            (_("Claims"), claims),
        ]
        if info.latest_change:
            moment = dt.datetime.fromisoformat(info.latest_change_at) if info.latest_change_at else None
            rows.append((_("Latest change"), info.latest_change))
            rows.append((_("Made by"), _("{user}, {when}").format(user=info.latest_change_by, when=when_text(moment) if moment else "")))
        lines.append("<table cellspacing='0' cellpadding='3'>" + "".join(
            f"<tr><td valign='top' style='color:{theme.css('muted')}'>{escape(label)}</td><td>{escape(str(value))}</td></tr>"
            for label, value in rows) + "</table>")
    lines.append(f"<p style='color:{theme.css('muted')}'>{escape(info.path.name)}</p>")
    return "".join(lines)


class RestoreDialog(WindowModalDialog):
    """Every backup with date, size and what it holds; restore the chosen one."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent or window, _("Restore from a backup"))
        self.window_ = window
        self.context = window.context
        self.folder = backups_folder(self.context.path)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        elsewhere = QPushButton(_("Look in another folder…"))
        elsewhere.setToolTip(_("For example a USB stick"))
        elsewhere.clicked.connect(self._look_elsewhere)
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(elsewhere)

        self.model = BackupsModel()
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(BackupColumns.TAKEN, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setAccessibleName(_("Backups"))
        header = self.view.horizontalHeader()
        for column in BackupColumns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BackupColumns.LATEST_CHANGE, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().currentRowChanged.connect(self._show_preview)
        self.view.doubleClicked.connect(lambda _index: self.restore_selected())
        enter_activates(self.view, self.restore_selected)

        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setMinimumWidth(280)
        self.preview.setContentsMargins(12, 4, 4, 4)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        note = QLabel(_("Restoring replaces the branch file with the backup. A copy of the file as it is now "
                        "is kept in the backups folder first, so nothing is lost."))
        note.setWordWrap(True)
        self.restore_button = QPushButton(_("Restore this backup…"))
        self.restore_button.clicked.connect(self.restore_selected)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(note)
        layout.addLayout(button_row(self.restore_button, close))
        self.resize(960, 560)
        self.load(self.folder)

    def load(self, folder: Path) -> None:
        self.folder = Path(folder)
        backups = list_backups(self.folder)
        self.model.set_rows(backups)
        self.folder_label.setText(_("{count} backups in {folder}").format(count=len(backups), folder=self.folder)
                                  if backups else _("There are no backups in {folder}.").format(folder=self.folder))
        self.restore_button.setEnabled(False)
        if backups:
            self.view.selectRow(0)
        else:
            self.preview.setText(_("Choose a backup to see what it holds."))

    def _look_elsewhere(self) -> None:
        chosen = choose_folder(self, _("Choose a folder with backups"), str(self.folder))
        if chosen:
            self.load(Path(chosen))

    def selected(self) -> BackupInfo | None:
        index = self.view.currentIndex()
        return self.proxy.row_object(index) if index.isValid() else None

    def _show_preview(self, current, _previous=None) -> None:
        info = self.proxy.row_object(current) if current.isValid() else None
        self.preview.setText(describe_html(info) if info else "")
        self.restore_button.setEnabled(info is not None and not info.problem)

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.problem:
            show_error(self, info.problem)
            return
        if not confirm(
            self,
            _("Restore this backup?"),
            _("The branch file will be replaced by the backup taken on {when}. Changes made since then will be undone.\n\n"
              "A copy of the branch file as it is now is kept in the backups folder first.").format(when=when_text(info.taken_at)),
            yes_text=_("Restore"),
            danger=True,
        ):
            return
        self.accept()
        perform_restore(self.window_, info)


def perform_restore(window, info: BackupInfo) -> None:
    """Close the branch file, restore the backup over it, open it again and check it."""
    path = window.context.path
    user = window.context.user
    window.close_branch()
    try:
        lock = acquire(path, user)
    except BranchDeskError as error:
        show_error(window, _("The backup was not restored: {reason}").format(reason=error))
        window.open_branch_file(path, read_only=True)
        return

    def work(_store, progress, abort):
        return restore_backup(path, info.path)

    def done(kept) -> None:
        lock.release()
        if not window.open_branch_file(path):
            return
        window.context.notify_changed()
        findings = check_branch(window.context.store)
        message = [_("The backup taken on {when} was restored.").format(when=when_text(info.taken_at))]
        message.append(_("It passed its checks.") if not findings else _("The check found problems; they are listed next."))
        if kept is not None:
            message.append(_("The file as it was before is kept as {name} in the backups folder.").format(name=kept.name))
        show_info(window, " ".join(message), _("Restored"))
        if findings:
            show_check_results(window, findings)

    def failed(message: str) -> None:
        lock.release()
        show_error(window, message, _("Not restored"))
        window.open_branch_file(path)

    run_task(window, _("Restoring…"), work, done, failed, cancellable=False, context=window.context)


def restore_dialog(window) -> None:
    """File → Restore…"""
    if window.context.read_only:
        show_error(window, _("This branch file is open read-only. Open it normally to restore a backup."))
        return
    RestoreDialog(window).exec()


# -- Help → Check this branch file ----------------------------------------------------------------------
class CheckResultsDialog(WindowModalDialog):
    """What the check found, one sentence a line, with what to do."""

    def __init__(self, parent: QWidget | None, findings: list[str]):
        super().__init__(parent, _("Check this branch file"))
        heading = QLabel(ngettext("<b>The check found {count} problem in this branch file.</b>", "<b>The check found {count} problems in this branch file.</b>", len(findings)).format(count=len(findings)))
        self.findings = QPlainTextEdit("\n".join(findings))
        self.findings.setReadOnly(True)
        advice = QLabel(_("If the file is damaged, restore the latest good backup (File → Restore…). "
                          "Otherwise correct the records named above; issued claims are corrected by credit notes or adjustments."))
        advice.setWordWrap(True)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.findings, 1)
        layout.addWidget(advice)
        layout.addLayout(button_row(close))
        self.resize(640, 360)


def show_check_results(window, findings: list[str]) -> None:
    if not findings:
        show_info(window, _("All checks passed: the file is sound, every client in service has an hours envelope, "
                            "issued claims match their totals and claim numbers run without gaps."), _("Check this branch file"))
        return
    CheckResultsDialog(window, findings).exec()


def check_branch_dialog(window) -> None:
    """Help → Check this branch file."""

    def work(store, progress, abort):
        return check_branch(store)

    run_task(window, _("Checking the branch file…"), work, lambda findings: show_check_results(window, findings),
             cancellable=False, context=window.context)


# -- Move branch file… -----------------------------------------------------------------------------------
def _choose_local_folder(window, name: str) -> Path | None:
    from branchdesk.paths import data_dir

    while True:
        chosen = choose_folder(window, _("Choose a folder on this computer for the branch file"), str(data_dir()))
        if not chosen:
            return None
        problem = location_problem(Path(chosen) / name)
        if problem is None:
            return Path(chosen)
        show_error(window, problem, _("Choose another folder"))


def move_file_to_this_computer(window, path: Path) -> Path | None:
    """Move a branch file that is not open to a folder on this computer; the new path, or None."""
    holder = read_lock(path)
    if holder is not None and not is_stale(path, holder):
        show_error(window, str(FileInUse(path, holder, False)) + " " + _("Ask them to close it before it is moved."))
        return None
    folder = _choose_local_folder(window, path.name)
    if folder is None:
        return None
    try:
        moved = move_branch_file(path, folder)
    except BranchDeskError as error:
        show_error(window, str(error), _("Not moved"))
        return None
    show_info(window, _("The branch file is now at\n{path}\n\nThe old copy was renamed so it is not used by mistake.").format(path=moved),
              _("Moved"))
    return moved


def move_branch_file_dialog(window) -> None:
    """File → Move branch file…: move the open branch file to another folder on this computer."""
    path = window.context.path
    if window.context.read_only:
        show_error(window, _("This branch file is open read-only, so it cannot be moved from here."))
        return
    folder = _choose_local_folder(window, path.name)
    if folder is None or folder.resolve() == path.parent.resolve():
        return
    window.close_branch()
    try:
        moved = move_branch_file(path, folder)
    except BranchDeskError as error:
        show_error(window, str(error), _("Not moved"))
        window.open_branch_file(path)
        return
    window.open_branch_file(moved)
