"""Today: what a branch manager checks first each morning."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from branchdesk.i18n import _
from branchdesk.models.branch import get_branch


class TodayScreen(QWidget):
    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.body = QLabel(_("Reviews due, claims to issue and continuity flags will be listed here."))
        self.body.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def refresh(self) -> None:
        if self.context.store is not None:
            self.heading.setText(get_branch(self.context.store)["name"])
