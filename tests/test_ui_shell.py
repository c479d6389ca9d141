"""The main window: first run, opening files, navigation, settings, refusals shown plainly."""

import sqlite3

import pytest

from branchdesk.models.db import create_branch
from branchdesk.ui import main_window as main_window_module
from branchdesk.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr(main_window_module, "show_error", lambda parent, message, title=None: errors.append(message))
    win = MainWindow()
    win.errors = errors
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_branch()


def test_first_run_offers_new_branch_or_demo(window):
    assert window.stack.currentWidget() is window.welcome
    assert not window.navigation.isEnabled()
    from PySide6.QtWidgets import QPushButton

    labels = {b.text() for b in window.welcome.findChildren(QPushButton)}
    assert "Create a new branch…" in labels and "Open the demo branch" in labels


def test_open_a_branch_and_move_between_screens(window, tmp_path):
    path = tmp_path / "north.sqlite"
    create_branch(path, "North Wiltshire").close()
    assert window.open_branch_file(path)
    assert "North Wiltshire" in window.windowTitle()
    assert str(path) in window.file_label.text()
    assert window.navigation.isEnabled()
    settings = window.show_screen("settings")
    assert window.stack.currentWidget() is settings
    assert settings.fields["name"].text() == "North Wiltshire"
    assert window.recent_files()[0] == str(path)


def test_settings_saves_branch_details_and_user_name(window, tmp_path, qtbot):
    path = tmp_path / "b.sqlite"
    create_branch(path, "B").close()
    window.open_branch_file(path)
    settings = window.show_screen("settings")
    settings.user_name.setText("Sue Manager")
    settings.fields["signatory_name"].setText("Sue Manager")
    settings.fields["email"].setText("not an email")
    assert not settings.save()
    assert settings.problems._labels["email"].isVisibleTo(settings)
    settings.fields["email"].setText("north@example.org")
    assert settings.save()
    store = window.context.store
    assert store.value("SELECT signatory_name FROM branch") == "Sue Manager"
    assert store.value("SELECT user FROM audit ORDER BY id DESC LIMIT 1") == "Sue Manager"


@pytest.mark.parametrize("kind", ["folder", "text", "other_sqlite", "empty"])
def test_bad_files_get_a_plain_message(window, tmp_path, kind):
    path = tmp_path / "bad.sqlite"
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("hello")
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    assert not window.open_branch_file(path)
    assert len(window.errors) == 1 and "Traceback" not in window.errors[0]
    assert window.stack.currentWidget() is window.welcome


def test_new_branch_dialog_creates_the_file(qtbot, tmp_path):
    from branchdesk.ui.welcome import NewBranchDialog

    dialog = NewBranchDialog(None)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    dialog.accept()
    assert dialog.created_path is None  # no name: refused beside the field
    assert dialog.problems._labels["name"].text()
    dialog.name.setText("O'Brien & Daughters <Care>")
    dialog.accept()
    assert dialog.created_path is not None and dialog.created_path.exists()


def test_start_up_shows_the_window_while_the_file_is_checked_then_opens_it(window, tmp_path, qtbot):
    path = tmp_path / "north.sqlite"
    create_branch(path, "North Wiltshire").close()
    window.open_initial(db=str(path))
    assert window.stack.currentWidget() is window.opening
    assert "north.sqlite" in window.opening.text() and "checking" in window.opening.text()
    assert window.context.store is None
    qtbot.waitUntil(lambda: window.context.store is not None, timeout=10000)
    assert "North Wiltshire" in window.windowTitle()
    assert window.stack.currentWidget() is window.screen("today")
    assert not window.errors


def test_start_up_refuses_a_file_damaged_past_its_first_page(window, tmp_path, qtbot):
    path = tmp_path / "north.sqlite"
    store = create_branch(path, "North Wiltshire")
    with store.transaction() as conn:
        conn.execute("CREATE TABLE padding (x)")
        conn.executemany("INSERT INTO padding VALUES (?)", [("x" * 500,)] * 2000)
    store.close()
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = b"\xff" * 8192
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    window.open_initial(db=str(path))
    qtbot.waitUntil(lambda: bool(window.errors), timeout=10000)
    assert "damaged" in window.errors[0] and "backup" in window.errors[0]
    assert window.context.store is None and window.stack.currentWidget() is window.welcome
    assert path.read_bytes() == before
    assert not (tmp_path / "north.sqlite.lock").exists()


def test_the_demo_branch_is_built_once_then_opened(window, qtbot, tmp_path, monkeypatch):
    from branchdesk.models import demo as demo_module

    demo = tmp_path / "demo.sqlite"
    monkeypatch.setattr("branchdesk.paths.demo_file", lambda: demo)
    built = []
    real_build = demo_module.build_demo

    def small_build(path, progress=None, **_options):
        built.append(path)
        return real_build(path, clients=3, months=2, seed=1, progress=progress)

    monkeypatch.setattr(demo_module, "build_demo", small_build)
    window.open_initial(demo=True)
    qtbot.waitUntil(lambda: window.context.store is not None, timeout=60000)
    assert built == [demo] and window.context.store.path == demo
    window.close_branch()
    window.open_demo()
    qtbot.waitUntil(lambda: window.context.store is not None, timeout=20000)
    assert built == [demo] and not window.errors
