"""Settings: the branch's details (letterhead, bank details, claim signatory) and the user's name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.branch import get_branch, save_branch
from branchdesk.models.db import default_user
from branchdesk.models.errors import BranchDeskError, ValidationError
from branchdesk.ui import theme
from branchdesk.ui.dialogs import FieldProblems, add_shortcut, button_row, show_error

MAX_LOGO_BYTES = 512 * 1024


def align_labels(*forms: QFormLayout) -> None:
    """Give the labels of several forms one width, so their fields start in one column down the page."""
    labels = [item.widget() for form in forms for row in range(form.rowCount())
              if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None and item.widget() is not None]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class SettingsScreen(QWidget):
    """Branch details and user name, with load / save / restore_defaults."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.problems = FieldProblems()
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.logo: bytes | None = None

        user_box = QGroupBox(_("You"))
        user_form = QFormLayout(user_box)
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText(default_user())
        self.user_name.setAccessibleName(_("Your name"))
        user_form.addRow(_("Your name (recorded in the audit log)"), self.user_name)

        branch_box = QGroupBox(_("Branch (printed on claims and letters)"))
        form = QFormLayout(branch_box)
        for key, label in (
            ("name", _("Branch name")),
            ("address", _("Address")),
            ("phone", _("Phone")),
            ("email", _("Email")),
            ("cqc_location_id", _("CQC location ID")),
        ):
            widget = QPlainTextEdit() if key == "address" else QLineEdit()
            if key == "address":
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(72)
            widget.setAccessibleName(label)
            self.fields[key] = widget
            form.addRow(label, widget)
            form.addRow("", self.problems.label_for(key))
        self.logo_preview = QLabel(_("No logo"))
        self.logo_preview.setFixedHeight(60)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        choose_logo = QPushButton(_("Choose logo…"))
        choose_logo.clicked.connect(self._choose_logo)
        clear_logo = QPushButton(_("Remove logo"))
        clear_logo.clicked.connect(self._clear_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview, 1)
        logo_row.addWidget(choose_logo, 0, Qt.AlignmentFlag.AlignTop)
        logo_row.addWidget(clear_logo, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(_("Logo"), logo_row)

        money_box = QGroupBox(_("Remittance and signatory"))
        money_form = QFormLayout(money_box)
        for key, label in (
            ("bank_account_name", _("Bank account name")),
            ("bank_sort_code", _("Sort code")),
            ("bank_account_number", _("Account number")),
            ("signatory_name", _("Claim signatory's name")),
            ("signatory_role", _("Signatory's role")),
        ):
            widget = QLineEdit()
            widget.setAccessibleName(label)
            self.fields[key] = widget
            money_form.addRow(label, widget)

        align_labels(user_form, form, money_form)

        save = QPushButton(_("Save settings"))
        save.setDefault(True)
        save.clicked.connect(self.save)
        save.setToolTip(_("Ctrl+S"))
        add_shortcut(self, "Ctrl+S", save.click)
        revert = QPushButton(_("Undo changes"))
        revert.clicked.connect(self.load)
        self.saved_label = QLabel()

        content = QWidget()
        column = QVBoxLayout(content)
        heading = QLabel(_("Settings"))
        theme.screen_title(heading)
        column.addWidget(heading)
        column.addWidget(user_box)
        column.addWidget(branch_box)
        column.addWidget(money_box)
        row = button_row(revert, save, stretch_first=False)
        row.insertWidget(0, self.saved_label, 1)
        column.addLayout(row)
        column.addStretch(1)
        content.setMaximumWidth(820)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def refresh(self) -> None:
        self.load()

    def load(self) -> None:
        """Show the saved values."""
        self.problems.clear()
        self.saved_label.clear()
        from branchdesk.ui.context import app_settings

        self.user_name.setText(str(app_settings().value("user/name", "") or ""))
        if self.context.store is None:
            return
        branch = get_branch(self.context.store)
        for key, widget in self.fields.items():
            value = branch.get(key) or ""
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value)
            else:
                widget.setText(value)
        self._set_logo(branch.get("logo"))

    def restore_defaults(self) -> None:
        """Clear the user name (back to the login name); branch details have no defaults."""
        self.user_name.clear()

    def values(self) -> dict:
        values = {}
        for key, widget in self.fields.items():
            values[key] = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
        values["logo"] = self.logo
        return values

    def save(self) -> bool:
        self.context.set_user(self.user_name.text())
        try:
            save_branch(self.context.store, self.values())
        except ValidationError as error:
            self.problems.show(error.problems)
            return False
        except BranchDeskError as error:
            show_error(self, str(error))
            return False
        self.problems.clear()
        self.context.notify_changed()  # the other screens refresh, and so does this one: say "Saved." after
        self.saved_label.setText(_("Saved."))
        return True

    def _set_logo(self, data: bytes | None) -> None:
        self.logo = data
        if data:
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            self.logo_preview.setPixmap(pixmap.scaledToHeight(56, Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(_("No logo"))

    def _choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose a logo"), "", _("Images (*.png *.jpg *.jpeg)"))
        if not path:
            return
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
        if len(data) > MAX_LOGO_BYTES:
            show_error(self, _("That picture is larger than 512 KB. Choose a smaller logo."))
            return
        if not QPixmap().loadFromData(data):
            show_error(self, _("That file is not a picture BranchDesk can read. Choose a PNG or JPEG file."))
            return
        self._set_logo(data)

    def _clear_logo(self) -> None:
        self._set_logo(None)
