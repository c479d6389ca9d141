"""First run: create a new branch or open the demo; the New branch form; About."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import APP_NAME, __version__
from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, WindowModalDialog, ok_cancel, show_error


class WelcomePage(QWidget):
    """Shown when no branch file is open."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        title = QLabel(_("Welcome to {app}").format(app=APP_NAME))
        theme.screen_title(title)
        intro = QLabel(_(
            "BranchDesk keeps your branch's clients, ideal weeks, hours envelopes, outcome reviews and "
            "monthly outcome claims in one file on this computer. No network is needed."))
        intro.setWordWrap(True)
        create = QPushButton(_("Create a new branch…"))
        create.setDefault(True)
        create.clicked.connect(window.new_branch)
        demo = QPushButton(_("Open the demo branch"))
        demo.clicked.connect(window.open_demo)
        open_file = QPushButton(_("Open a branch file…"))
        open_file.clicked.connect(window.choose_and_open)
        for button in (create, demo, open_file):
            button.setMinimumHeight(36)
        self.recent = QListWidget()
        self.recent.setAccessibleName(_("Recent branch files"))
        self.recent.itemActivated.connect(lambda item: window.open_branch_file(item.text()))
        recent_label = QLabel(_("Recent branch files (double-click to open):"))
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(16)
        column.addWidget(create)
        column.addWidget(demo)
        column.addWidget(open_file)
        column.addSpacing(16)
        column.addWidget(recent_label)
        column.addWidget(self.recent)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(620)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(holder, 3)
        outer.addStretch(1)

    def showEvent(self, event) -> None:
        self.recent.clear()
        for path in self.window_.recent_files():
            self.recent.addItem(path)
        super().showEvent(event)


def _safe_file_name(name: str) -> str:
    cleaned = re.sub(r"[^\w\- ]+", "", name, flags=re.UNICODE).strip()
    return (cleaned or "branch").replace(" ", "-").lower()


class NewBranchDialog(WindowModalDialog):
    """The branch-details form that creates a new branch file."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent, _("New branch"))
        self.created_path: Path | None = None
        self.problems = FieldProblems()
        self.name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(80)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.cqc = QLineEdit()
        self.cqc.setPlaceholderText("1-123456789")
        from branchdesk.paths import data_dir

        self.folder = QLineEdit(str(data_dir()))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(_("Branch name"), self.name)
        form.addRow("", self.problems.label_for("name"))
        form.addRow(_("Address"), self.address)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Email"), self.email)
        form.addRow("", self.problems.label_for("email"))
        form.addRow(_("CQC location ID"), self.cqc)
        form.addRow(_("Save the branch file in"), folder_row)
        form.addRow("", self.problems.label_for("folder"))
        note = QLabel(_("Bank details and the claim signatory can be added later in Settings."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(ok_cancel(self, _("Create branch")))
        self.resize(max(self.width(), 560), self.height())

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Save the branch file in"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def accept(self) -> None:
        from branchdesk.models.db import create_branch

        folder = Path(self.folder.text().strip())
        path = folder / f"{_safe_file_name(self.name.text())}.sqlite"
        details = {
            "address": self.address.toPlainText(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "cqc_location_id": self.cqc.text(),
        }
        try:
            from branchdesk.models.branch import validate_branch

            problems = validate_branch({"name": self.name.text(), **details})
            if problems:
                raise ValidationError(problems)
            context = getattr(self.parent(), "context", None)
            store = create_branch(path, self.name.text(), user=context.user if context else None, **details)
        except ValidationError as error:
            self.problems.show(error.problems)
            return
        except BranchDeskError as error:
            self.problems.show([])
            show_error(self, str(error))
            return
        store.close()
        self.created_path = path
        super().accept()


def show_about(parent: QWidget) -> None:
    path = getattr(getattr(parent, "context", None), "path", None)
    location = str(path) if path else _("no branch file open")
    text = _(
        "<h3>{app} {version}</h3>"
        "<p>Runs a home-care branch under outcomes-based contracts: clients, ideal weeks, hours envelopes, "
        "outcome reviews and monthly outcome claims.</p>"
        "<p>Data file: {location}</p><p>BranchDesk works offline and sends nothing over the network.</p>"
    ).format(app=APP_NAME, version=__version__, location=_escape(location))
    box = QMessageBox(QMessageBox.Icon.Information, _("About BranchDesk"), text, parent=parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.exec()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

