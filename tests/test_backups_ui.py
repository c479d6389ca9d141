"""Back up now, Restore… with its preview, Check this branch file, Move branch file, and the backup on close."""

import datetime as dt

import pytest

from branchdesk.models import backups
from branchdesk.models.db import backups_folder, create_branch, open_branch
from branchdesk.ui import backup_restore
from branchdesk.ui import main_window as main_window_module
from branchdesk.ui.backup_restore import (
    BackUpDialog,
    RestoreDialog,
    check_branch_dialog,
    move_branch_file_dialog,
)
from branchdesk.ui.main_window import MainWindow


@pytest.fixture
def said(monkeypatch):
    """Every message box the screens would show, instead of showing it."""
    messages = {"info": [], "error": [], "checks": []}
    monkeypatch.setattr(backup_restore, "show_info", lambda parent, text, title=None: messages["info"].append(text))
    monkeypatch.setattr(backup_restore, "show_error", lambda parent, text, title=None: messages["error"].append(text))
    monkeypatch.setattr(main_window_module, "show_error", lambda parent, text, title=None: messages["error"].append(text))
    monkeypatch.setattr(backup_restore, "confirm", lambda *args, **kwargs: True)
    return messages


@pytest.fixture
def window(qtbot, tmp_path, said):
    path = tmp_path / "Kennet Valley.sqlite"
    create_branch(path, "Kennet Valley", user="Ann").close()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.open_branch_file(path)
    yield win
    win.close_branch()


def _add_client(store, ref, name):
    with store.transaction():
        contract = store.value("SELECT id FROM contracts") or store.db["contracts"].insert(
            dict(ref="HCC", council="Hertfordshire", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2450)).last_pk
        client = store.db["clients"].insert(dict(ref=ref, name=name, contract_id=contract, category="long_term",
                                                 funding="council", start_date="2026-01-05")).last_pk
        store.db["envelopes"].insert(dict(client_id=client, effective_date="2026-01-05", hours_per_week="7"))
        store.audit("create", "client", client, f"Client {ref} added", new={"name": name}, client_id=client)


def _names(store):
    return [row[0] for row in store.rows("SELECT name FROM clients ORDER BY ref")]


def test_back_up_now_to_a_usb_stick(window, qtbot, tmp_path, said):
    stick = tmp_path / "USB stick"
    stick.mkdir()
    dialog = BackUpDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "unplugged"))
    dialog.start()
    assert dialog.problems._labels["folder"].text() == "This folder does not exist. Is the USB stick plugged in?"
    dialog.folder.setText(str(stick))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10000)
    assert dialog.result_path.parent == stick and dialog.result_path.exists()
    assert "backed up and the copy checked" in said["info"][-1]
    again = BackUpDialog(window.context, window)
    qtbot.addWidget(again)
    assert again.folder.text() == str(stick)  # remembered for next time


def test_restore_lists_previews_and_restores(window, qtbot, said):
    store = window.context.store
    _add_client(store, "C1", "Mary Jones")
    backups.back_up_now(store, now=dt.datetime(2026, 10, 1, 9, 30))
    _add_client(store, "C2", "Ravi Patel")
    dialog = RestoreDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    assert "1 backups in" in dialog.folder_label.text()
    preview = dialog.preview.text()
    assert "01/10/2026 at 09:30" in preview and "Kennet Valley" in preview and "1 (1 in service)" in preview
    assert "Client C1 added" in preview
    dialog.restore_selected()
    qtbot.waitUntil(lambda: bool(said["info"]) and window.context.store is not None, timeout=10000)
    assert "was restored" in said["info"][-1] and "passed its checks" in said["info"][-1]
    assert _names(window.context.store) == ["Mary Jones"]
    assert window.context.file_lock is not None
    kept = [p for p in backups_folder(window.context.path).glob("*before-restore*")]
    assert len(kept) == 1
    with open_branch(kept[0], read_only=True) as before:
        assert _names(before) == ["Mary Jones", "Ravi Patel"]


def test_a_damaged_backup_is_shown_and_cannot_be_restored(window, qtbot, said):
    folder = backups_folder(window.context.path)
    folder.mkdir(exist_ok=True)
    (folder / "Kennet Valley-2026-10-01-093000.sqlite").write_bytes(b"not a database at all" * 100)
    dialog = RestoreDialog(window)
    qtbot.addWidget(dialog)
    assert "cannot be restored" in dialog.proxy.index(0, backup_restore.BackupColumns.LATEST_CHANGE).data()
    assert not dialog.restore_button.isEnabled()
    dialog.restore_selected()
    assert "not a BranchDesk backup" in said["error"][-1]


def test_restore_another_folder(window, qtbot, tmp_path, monkeypatch):
    elsewhere = tmp_path / "stick"
    elsewhere.mkdir()
    backups.back_up_now(window.context.store, elsewhere)
    monkeypatch.setattr(backup_restore, "choose_folder", lambda *args: str(elsewhere))
    dialog = RestoreDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and "There are no backups" in dialog.folder_label.text()
    dialog._look_elsewhere()
    assert dialog.model.rowCount() == 1 and dialog.restore_button.isEnabled()


def test_check_this_branch_file(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(backup_restore, "show_check_results", lambda parent, findings: shown.append(findings))
    check_branch_dialog(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown == [[]]
    with window.context.store.transaction():
        window.context.store.db["contracts"].insert(
            dict(ref="HCC", council="Herts", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=1))
        window.context.store.db["clients"].insert(dict(ref="C7", name="No Envelope", contract_id=1, category="dementia",
                                                       funding="council", start_date="2026-01-05"))
    check_branch_dialog(window)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=10000)
    assert shown[1] == ["Client C7 (No Envelope) is in service but has no hours envelope; enter one on the client's page."]


def test_move_branch_file_to_another_local_folder(window, tmp_path, monkeypatch):
    target = tmp_path / "Local BranchDesk"
    target.mkdir()
    old = window.context.path
    monkeypatch.setattr(backup_restore, "choose_folder", lambda *args: str(target))
    move_branch_file_dialog(window)
    assert window.context.path == target / old.name
    assert not old.exists()
    assert window.context.file_lock is not None and window.context.file_lock.path == target / old.name


def test_closing_the_window_backs_up_automatically(qtbot, tmp_path, said):
    path = tmp_path / "b.sqlite"
    create_branch(path, "B").close()
    win = MainWindow()
    qtbot.addWidget(win)
    win.open_branch_file(path)
    assert (tmp_path / "b.sqlite.lock").exists()
    win.close()
    autos = list(backups_folder(path).glob("b-auto-*.sqlite"))
    assert len(autos) == 1
    assert not (tmp_path / "b.sqlite.lock").exists()
