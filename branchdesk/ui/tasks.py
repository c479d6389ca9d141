"""Long work off the UI thread, with a progress dialog that can be cancelled.

``run_task`` takes the work, a success callback and a failure callback. The work
function receives its own ``Store`` (one connection per thread), ``progress`` and
``abort``; it knows nothing of Qt and never touches widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError

SHOW_AFTER_MS = 600
#: signal carriers of running tasks, kept alive until their work ends even if the widget that
#: started the task is closed meanwhile
_RUNNING: set = set()


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class _Runnable(QRunnable):
    def __init__(self, work, path: Path | None, user: str, read_only: bool, signals: _Signals, cancelled: threading.Event):
        super().__init__()
        self.work, self.path, self.user, self.read_only = work, path, user, read_only
        self.signals, self.cancelled = signals, cancelled

    def run(self) -> None:
        from branchdesk.models.db import open_branch

        store = None
        try:
            if self.path is not None:
                store = open_branch(self.path, user=self.user, read_only=self.read_only, check=False)
            result = self.work(store, self._progress, self.cancelled.is_set)
        except BranchDeskError as error:
            self._emit(self.signals.failed, str(error))
        except MemoryError:
            self._emit(self.signals.failed, _("There was not enough memory to finish. Close other programs and try again."))
        except Exception as error:  # never let a traceback reach the user
            self._emit(self.signals.failed, _("Something went wrong that BranchDesk did not expect ({kind}: {error}). Nothing more was changed.").format(
                kind=type(error).__name__, error=error))
        else:
            self._emit(self.signals.finished, result)
        finally:
            if store is not None:
                store.close()

    @staticmethod
    def _emit(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window that asked for the work has been closed meanwhile
            pass

    def _progress(self, done: int, total: int, text: str = "") -> None:
        try:
            self.signals.progress.emit(int(done), int(total), text)
        except RuntimeError:
            self.cancelled.set()


class Task(QObject):
    """A running piece of long work; keeps its signals alive until it ends."""

    def __init__(self, parent: QWidget, title: str, cancellable: bool, quiet: bool = False):
        super().__init__(parent)
        self.cancelled = threading.Event()
        self.signals = _Signals()
        self.done = False
        self.dialog = None
        if quiet:
            return
        self.dialog = QProgressDialog(title, _("Cancel") if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.canceled.connect(self._cancel)
        self.signals.progress.connect(self._on_progress)

    @Slot()
    def _cancel(self) -> None:
        self.cancelled.set()
        self.dialog.setLabelText(_("Stopping…"))

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.done:
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        if text:
            self.dialog.setLabelText(text)

    def finish(self) -> None:
        self.done = True
        _RUNNING.discard(self.signals)
        if not shiboken6.isValid(self):
            return
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self._cancel)
            self.dialog.close()
            self.dialog.deleteLater()
        self.deleteLater()


def run_task(
    parent: QWidget,
    title: str,
    work: Callable,
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    cancellable: bool = True,
    context=None,
    quiet: bool = False,
) -> Task:
    """Run ``work(store, progress, abort)`` in a worker thread.

    ``store`` is a fresh connection to the open branch (None when no branch is open);
    ``on_done(result)`` or ``on_error(message)`` runs on the UI thread afterwards. A
    cancelled task reports whatever the work returned (it should return early). A
    ``quiet`` task shows no progress dialog: for work the screen shows as it arrives.
    """
    if context is None:
        context = _find_context(parent)
    store = context.store if context is not None else None
    task = Task(parent, title, cancellable, quiet)
    _RUNNING.add(task.signals)

    def finished(result) -> None:
        task.finish()
        if on_done and shiboken6.isValid(parent):
            on_done(result)

    def failed(message: str) -> None:
        task.finish()
        if not shiboken6.isValid(parent):
            return
        if on_error:
            on_error(message)
        else:
            from branchdesk.ui.dialogs import show_error

            show_error(parent, message)

    task.signals.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    runnable = _Runnable(
        work,
        store.path if store else None,
        store.user if store else "",
        store.read_only if store else False,
        task.signals,
        task.cancelled,
    )
    QTimer.singleShot(0, lambda: QThreadPool.globalInstance().start(runnable))
    return task


def _find_context(widget: QWidget | None):
    while widget is not None:
        context = getattr(widget, "context", None)
        if context is not None and hasattr(context, "store"):
            return context
        widget = widget.parentWidget()
    return None
