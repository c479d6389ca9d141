"""File → Import caseload…: checked off the UI thread, problems in a sortable copyable table,
a preview before anything is written; and File → Export caseload…."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from test_caseload_workbook import good_sheets, write_workbook

from branchdesk.models.db import open_branch
from branchdesk.ui import caseload_import
from branchdesk.ui.context import AppContext


class Window(QWidget):
    def __init__(self, store):
        super().__init__()
        self.context = AppContext(self)
        self.context.store = store


def test_bad_workbook_shows_every_problem_and_imports_nothing(store, tmp_path, qtbot, monkeypatch):
    sheets = good_sheets()
    sheets["Clients"][1][7] = "private"
    sheets["Outcomes"][2][6] = -5
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    window = Window(store)
    qtbot.addWidget(window)
    shown = []

    def capture(dialog):
        shown.append(dialog)
        return 0

    monkeypatch.setattr(caseload_import.ImportProblemsDialog, "exec", capture)
    caseload_import.check_and_import(window, path)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    table = shown[0].table
    assert table.proxy.rowCount() == 2
    table.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert table.proxy.index(0, 0).data() == "Clients" and table.proxy.index(0, 2).data() == "funding"
    table.copy_all()
    copied = QApplication.clipboard().text().splitlines()
    assert copied[0] == "Sheet\tRow\tColumn\tProblem" and len(copied) == 3
    assert store.value("SELECT count(*) FROM clients") == 0


def test_preview_then_import(tmp_path, qtbot, monkeypatch):
    path = write_workbook(tmp_path / "good.xlsx", good_sheets())
    branch = open_branch(tmp_path / "new.sqlite", create=True, user="tester")
    window = Window(branch)
    qtbot.addWidget(window)
    previews, changes, infos = [], [], []
    window.context.data_changed.connect(lambda: changes.append(1))

    def accept(dialog):
        previews.append(dialog.details.model().stringList())
        assert branch.value("SELECT count(*) FROM clients") == 0  # nothing written before the user agrees
        return 1

    monkeypatch.setattr(caseload_import.ImportPreviewDialog, "exec", accept)
    monkeypatch.setattr(caseload_import, "show_info", lambda parent, message, title=None: infos.append(message))
    caseload_import.check_and_import(window, path)
    qtbot.waitUntil(lambda: bool(infos), timeout=10000)
    assert any(line.startswith("New: client C001") for line in previews[0])
    assert branch.value("SELECT count(*) FROM clients") == 3
    assert changes and infos[0].startswith("Imported")
    branch.close()


def test_export_from_the_menu(store, tmp_path, qtbot, monkeypatch):
    from branchdesk.models.caseload_workbook import import_caseload

    import_caseload(store, write_workbook(tmp_path / "good.xlsx", good_sheets()))
    window = Window(store)
    qtbot.addWidget(window)
    target = tmp_path / "out"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    infos = []
    monkeypatch.setattr(caseload_import, "show_info", lambda parent, message, title=None: infos.append(message))
    caseload_import.run_caseload_export(window)
    qtbot.waitUntil(lambda: bool(infos), timeout=10000)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["Branch", "Contracts", "Clients", "Envelopes", "Outcomes", "Suspensions", "Reviews", "Workers"]
    assert book["Clients"].max_row == 4
