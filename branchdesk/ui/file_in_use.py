"""Before a branch file is opened: is it somewhere safe, and is another BranchDesk using it?

A file on a network drive or in a synced folder is refused with an explanation and an
offer to move it to this computer. A file open in another BranchDesk can be opened
read-only; a lock left by a BranchDesk that stopped can be broken, knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QLabel, QLayout, QPushButton, QVBoxLayout, QWidget

from branchdesk.i18n import _
from branchdesk.models.errors import BranchFileError
from branchdesk.models.file_location import location_problem
from branchdesk.models.file_lock import FileInUse, FileLock, acquire, break_lock, this_computer
from branchdesk.ui import theme
from branchdesk.ui.dialogs import WindowModalDialog, button_row, confirm, show_error

CANCEL, READ_ONLY, BREAK_LOCK, MOVE = range(4)


def _message_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMinimumWidth(460)
    return label


class _ChoiceDialog(WindowModalDialog):
    """A short explanation and a row of buttons; ``choice`` says which one was pressed."""

    def __init__(self, parent: QWidget | None, title: str):
        super().__init__(parent, title)
        self.choice = CANCEL
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(12)
        self.layout_.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped text gets the height it needs

    def _button(self, text: str, choice: int) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()

    def ask(self) -> int:
        self.adjustSize()  # the message differs each time: fit it rather than a remembered size
        self.exec()
        return self.choice


class FileInUseDialog(_ChoiceDialog):
    """Someone else has the branch file open (or a BranchDesk stopped with it open)."""

    def __init__(self, parent: QWidget | None, in_use: FileInUse):
        super().__init__(parent, _("Branch file in use"))
        self.in_use = in_use
        info = in_use.info
        heading = QLabel(_("<b>{name}</b> is already open").format(name=_html(in_use.path.name)) if not in_use.stale
                         else _("<b>{name}</b> was not closed properly").format(name=_html(in_use.path.name)))
        self.layout_.addWidget(heading)
        self.layout_.addWidget(_message_label(str(in_use)))
        self.read_only = self._button(_("Open read-only"), READ_ONLY)
        self.read_only.setToolTip(_("See everything, change nothing."))
        self.break_lock = None
        if in_use.stale:
            warning = _message_label(
                _("Break the lock only if you are sure BranchDesk is not open on {computer} any more: two windows "
                  "changing the same file can lose work.").format(
                      computer=_("this computer") if info.computer == this_computer() else info.computer)
            )
            theme.text_colour(warning, "warning")
            self.layout_.addWidget(warning)
            self.break_lock = self._button(_("Break the lock and open"), BREAK_LOCK)
        cancel = self._button(_("Cancel"), CANCEL)
        cancel.setDefault(True)
        self.layout_.addLayout(button_row(self.read_only, self.break_lock, cancel))


class LocationProblemDialog(_ChoiceDialog):
    """The branch file is on a network drive or in a synced folder: explain and offer to move it."""

    def __init__(self, parent: QWidget | None, path: Path, problem: str):
        super().__init__(parent, _("Branch file in an unsafe place"))
        self.layout_.addWidget(QLabel(_("<b>BranchDesk will not open {name} where it is</b>").format(name=_html(path.name))))
        self.layout_.addWidget(_message_label(problem))
        self.move = self._button(_("Move branch file…"), MOVE)
        self.move.setDefault(True)
        self.layout_.addLayout(button_row(self.move, self._button(_("Cancel"), CANCEL)))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class OpenPlan:
    """How to open a branch file after the checks: perhaps moved, perhaps read-only, with our lock."""

    path: Path
    read_only: bool
    lock: FileLock | None = None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def prepare_to_open(window, path: Path, read_only: bool = False) -> OpenPlan | None:
    """Check where the file is and who has it; ask the user what to do. None: do not open it."""
    problem = location_problem(path)
    if problem:
        if LocationProblemDialog(window, path, problem).ask() != MOVE:
            return None
        from branchdesk.ui.backup_restore import move_file_to_this_computer

        moved = move_file_to_this_computer(window, path)
        if moved is None:
            return None
        path = moved
    if read_only or not path.exists():
        return OpenPlan(path, read_only)
    while True:
        try:
            return OpenPlan(path, False, acquire(path, window.context.user))
        except FileInUse as in_use:
            choice = FileInUseDialog(window, in_use).ask()
            if choice == READ_ONLY:
                return OpenPlan(path, True)
            if choice != BREAK_LOCK:
                return None
            try:
                break_lock(path, in_use.info)
            except FileInUse as taken:
                show_error(window, str(taken))
                return None
        except BranchFileError as error:
            if confirm(window, _("Open read-only?"), str(error), yes_text=_("Open read-only")):
                return OpenPlan(path, True)
            return None
