"""What every screen needs: the open branch file, who is using it, and news of changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from branchdesk.models.db import Store, default_user


def app_settings() -> QSettings:
    """Per-user application settings (window geometry, recent files, user name)."""
    from branchdesk.paths import data_dir

    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


class AppContext(QObject):
    """The open branch shared by the main window and its screens.

    ``data_changed`` is emitted after any screen writes, so the others refresh.
    """

    data_changed = Signal()
    store_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: Store | None = None
        self.file_lock = None

    @property
    def path(self) -> Path | None:
        return self.store.path if self.store else None

    @property
    def user(self) -> str:
        """The name recorded in the audit log: set in Settings, else the login name."""
        return str(app_settings().value("user/name", "") or "") or default_user()

    @property
    def read_only(self) -> bool:
        return bool(self.store and self.store.read_only)

    def set_user(self, name: str) -> None:
        app_settings().setValue("user/name", name.strip())
        if self.store:
            self.store.user = self.user

    def notify_changed(self) -> None:
        """Tell every screen the data changed (call after a successful write)."""
        self.data_changed.emit()
