"""Opening a branch file another BranchDesk has open, one left locked by a crash, or one in an unsafe place."""

import json

import pytest

from branchdesk.models.db import create_branch
from branchdesk.models.file_lock import acquire, lock_path, read_lock
from branchdesk.ui import backup_restore, file_in_use
from branchdesk.ui import main_window as main_window_module
from branchdesk.ui.file_in_use import (
    BREAK_LOCK,
    CANCEL,
    MOVE,
    READ_ONLY,
    FileInUseDialog,
    LocationProblemDialog,
)
from branchdesk.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr(main_window_module, "show_error", lambda parent, message, title=None: errors.append(message))
    monkeypatch.setattr(backup_restore, "show_info", lambda *args, **kwargs: None)
    win = MainWindow()
    win.errors = errors
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_branch()


@pytest.fixture
def branch_path(tmp_path):
    path = tmp_path / "Kennet Valley.sqlite"
    create_branch(path, "Kennet Valley").close()
    return path


def _answer(monkeypatch, dialog_class, choice, seen):
    def ask(self):
        seen.append(self)
        return choice

    monkeypatch.setattr(dialog_class, "ask", ask)


def _locked_elsewhere(path, computer="OFFICE-PC-2"):
    lock_path(path).write_text(json.dumps(
        {"user": "Ann Baker", "computer": computer, "pid": 4242, "since": "2026-11-02T08:55:00", "token": "t"}))


def test_opening_takes_the_lock_and_closing_lets_it_go(window, branch_path):
    assert window.open_branch_file(branch_path)
    assert read_lock(branch_path).pid == window.context.file_lock.info.pid
    window.close_branch()
    assert not lock_path(branch_path).exists()


def test_in_use_elsewhere_offers_read_only(window, branch_path, monkeypatch):
    _locked_elsewhere(branch_path)
    seen = []
    _answer(monkeypatch, FileInUseDialog, READ_ONLY, seen)
    assert window.open_branch_file(branch_path)
    dialog = seen[0]
    assert "Ann Baker on OFFICE-PC-2 since 02/11/2026 at 08:55" in str(dialog.in_use)
    assert dialog.break_lock is None  # a live lock on another computer cannot be broken from here
    assert window.context.store.read_only and window.context.file_lock is None
    assert "(read-only)" in window.windowTitle()
    assert read_lock(branch_path).user == "Ann Baker"  # their lock is untouched


def test_in_use_cancel_opens_nothing(window, branch_path, monkeypatch):
    _locked_elsewhere(branch_path)
    _answer(monkeypatch, FileInUseDialog, CANCEL, [])
    assert not window.open_branch_file(branch_path)
    assert window.context.store is None and window.errors == []


def test_stale_lock_can_be_broken(window, branch_path, monkeypatch):
    left = acquire(branch_path, "Crashed Carol")  # a window that went away without letting go
    del left
    seen = []
    _answer(monkeypatch, FileInUseDialog, BREAK_LOCK, seen)
    assert window.open_branch_file(branch_path)
    assert seen[0].in_use.stale and seen[0].break_lock is not None
    assert not window.context.store.read_only
    assert read_lock(branch_path).user == window.context.user


def test_the_dialogs_buttons(qtbot, branch_path):
    _locked_elsewhere(branch_path)
    from branchdesk.models.file_lock import FileInUse

    dialog = FileInUseDialog(None, FileInUse(branch_path, read_lock(branch_path), stale=False))
    qtbot.addWidget(dialog)
    dialog.read_only.click()
    assert dialog.choice == READ_ONLY


def test_a_file_in_a_synced_folder_is_refused_and_can_be_moved(window, branch_path, tmp_path, monkeypatch):
    monkeypatch.setattr(file_in_use, "location_problem",
                        lambda path: "It is in a OneDrive folder." if "OneDrive" in str(path) else None)
    synced = tmp_path / "OneDrive"
    synced.mkdir()
    moved_in = synced / branch_path.name
    branch_path.rename(moved_in)
    seen = []
    _answer(monkeypatch, LocationProblemDialog, CANCEL, seen)
    assert not window.open_branch_file(moved_in)
    assert window.context.store is None and len(seen) == 1
    local = tmp_path / "Local"
    local.mkdir()
    _answer(monkeypatch, LocationProblemDialog, MOVE, seen)
    monkeypatch.setattr(backup_restore, "choose_folder", lambda *args: str(local))
    assert window.open_branch_file(moved_in)
    assert window.context.path == local / branch_path.name
    assert not moved_in.exists() and moved_in.with_name(moved_in.name + ".moved").exists()
