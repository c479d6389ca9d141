"""The visits screen, the column-mapping dialog, the import with its problems table, and the visit data export."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from branchdesk.models.db import open_branch
from branchdesk.models.visits_import import get_mapping, read_visits_file, save_mapping
from branchdesk.ui import visits_import as ui_import
from branchdesk.ui.context import AppContext
from branchdesk.ui.visits import VisitDialog, VisitsScreen
from branchdesk.ui.visits_import import ImportProblemsDialog, MappingDialog, VisitDataDialog

OTHER_LAYOUT = ("Service User ID;Carer;Visit Date;Scheduled;Clock In;Clock Out;Outcome\n"
                "C001;W01;01/10/2026;09:00;09:02;09:47;Completed\n"
                "C002;W02;01/10/2026;10:00;10:05;10:35;Completed\n")
MAPPING = {"client_ref": "Service User ID", "worker_ref": "Carer", "date": "Visit Date", "planned_start": "Scheduled",
           "actual_start": "Clock In", "actual_end": "Clock Out", "status": "Outcome"}


@pytest.fixture
def context(store, qtbot):
    with store.transaction():
        store.conn.execute("INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence)"
                           " VALUES ('HCC', 'Hampshire', 'HCC', 'envelope', 2000)")
        for i in (1, 2):
            store.conn.execute("INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
                               " VALUES (?, ?, ?, 1, 'long_term', 'council', '2026-01-01')", (f"C00{i}", f"HC-{i}", f"Client {i}"))
            store.conn.execute("INSERT INTO workers (ref, name) VALUES (?, ?)", (f"W0{i}", f"Worker {i}"))
    context = AppContext()
    context.store = store
    return context


@pytest.fixture
def window(context, qtbot):
    """A stand-in for the main window: a widget that carries the context."""
    widget = QWidget()
    widget.context = context
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def messages(monkeypatch):
    shown = []
    monkeypatch.setattr(ui_import, "show_info", lambda parent, message, title=None: shown.append(message))
    monkeypatch.setattr(ui_import, "show_error", lambda parent, message, title=None: shown.append(message))
    return shown


def choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def test_mapping_dialog_previews_the_file_and_refuses_an_incomplete_mapping(tmp_path, qtbot):
    path = tmp_path / "callcheck.csv"
    path.write_text(OTHER_LAYOUT, encoding="utf-8")
    visits_file = read_visits_file(path)
    dialog = MappingDialog(None, visits_file, visits_file.preview(), {})
    qtbot.addWidget(dialog)
    assert dialog.preview_model.rowCount() == 2 and dialog.preview_model.columnCount() == 7
    assert dialog.preview_model.headerData(0, Qt.Orientation.Horizontal) == "Service User ID"
    assert dialog.mapping() == MAPPING  # the usual call-monitoring headings are suggested

    dialog.choices["client_ref"].setCurrentIndex(0)
    dialog.check()
    assert not dialog.result()
    assert not dialog.problems._labels["client_ref"].isHidden()
    assert not dialog.problems._labels["name"].isHidden()

    for column, header in MAPPING.items():
        choose(dialog.choices[column], header)
    qtbot.keyClicks(dialog.name, "CallCheck")
    dialog.check()
    assert dialog.result() and dialog.mapping() == MAPPING and dialog.mapping_name() == "CallCheck"


def test_mapping_dialog_refuses_one_column_chosen_twice(tmp_path, qtbot):
    path = tmp_path / "callcheck.csv"
    path.write_text(OTHER_LAYOUT, encoding="utf-8")
    visits_file = read_visits_file(path)
    dialog = MappingDialog(None, visits_file, [], {})
    qtbot.addWidget(dialog)
    for column, header in MAPPING.items():
        choose(dialog.choices[column], header)
    choose(dialog.choices["worker_ref"], "Service User ID")
    dialog.remember.setChecked(False)
    dialog.check()
    assert not dialog.result()
    assert "already chosen" in dialog.problems._labels["worker_ref"].text()


def test_a_saved_mapping_that_fits_is_chosen_for_next_month(context, tmp_path, qtbot):
    save_mapping(context.store, "CallCheck", MAPPING)
    path = tmp_path / "november.csv"
    path.write_text(OTHER_LAYOUT, encoding="utf-8")
    visits_file = read_visits_file(path)
    dialog = MappingDialog(None, visits_file, [], {"CallCheck": get_mapping(context.store, "CallCheck")})
    qtbot.addWidget(dialog)
    assert dialog.saved_choice.currentData() == "CallCheck"
    assert dialog.mapping() == MAPPING and dialog.name.text() == "CallCheck"


def test_import_through_the_mapping_dialog_saves_the_mapping_and_imports(window, context, tmp_path, qtbot, messages):
    path = tmp_path / "callcheck.csv"
    path.write_text(OTHER_LAYOUT, encoding="utf-8")
    ui_import.run_visits_import(window, str(path))
    qtbot.waitUntil(lambda: bool(window.findChildren(MappingDialog)), timeout=5000)
    dialog = window.findChildren(MappingDialog)[0]
    for column, header in MAPPING.items():
        choose(dialog.choices[column], header)
    dialog.name.setText("CallCheck")
    dialog.check()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert "added 2 visits" in messages[0]
    assert context.store.value("SELECT COUNT(*) FROM visits") == 2
    assert get_mapping(context.store, "CallCheck") == MAPPING


def test_a_standard_file_is_imported_without_the_dialog_and_problems_show_in_a_table(window, context, tmp_path, qtbot, messages):
    good = tmp_path / "good.csv"
    good.write_text("client_ref,worker_ref,date,actual_start,actual_end,status\nC001,W01,2026-10-01,09:00,09:30,completed\n")
    ui_import.run_visits_import(window, str(good))
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert not window.findChildren(MappingDialog)
    assert context.store.value("SELECT COUNT(*) FROM visits") == 1

    bad = tmp_path / "bad.csv"
    bad.write_text("client_ref,worker_ref,date,actual_start,actual_end,status\nC404,W01,2026-10-02,09:00,09:30,completed\n"
                   "C002,W01,2026-10-01,09:15,09:45,completed\n")
    ui_import.run_visits_import(window, str(bad))
    qtbot.waitUntil(lambda: bool(window.findChildren(ImportProblemsDialog)), timeout=10000)
    table = window.findChildren(ImportProblemsDialog)[0].table
    assert table.proxy.rowCount() == 2
    text = table._as_text([0, 1])
    assert "C404" in text and "two visits at once" in text
    assert context.store.value("SELECT COUNT(*) FROM visits") == 1


def test_a_file_that_is_not_a_visits_file_gets_a_plain_message(window, tmp_path, qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr("branchdesk.ui.dialogs.show_error", lambda parent, message, title=None: errors.append(message))
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    ui_import.run_visits_import(window, str(path))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "binary" in errors[0]


def test_visits_screen_filters_totals_and_adds_a_visit_by_hand(demo_copy, qtbot):
    context = AppContext()
    context.store = open_branch(demo_copy)
    try:
        screen = VisitsScreen(context)
        qtbot.addWidget(screen)
        screen.resize(1280, 800)
        screen.show()
        log = screen.log
        log.first_edit.setDate(dt.date(2026, 10, 1))
        log.last_edit.setDate(dt.date(2026, 10, 31))
        screen.refresh()
        everything = log.model.rowCount()
        assert everything > 0 and "hours delivered" in log.totals.text()
        choose(log.status_filter, "Completed")
        completed = log.model.rowCount()
        assert 0 < completed < everything
        assert all(v.status == "completed" for v in log.model.rows())
        log.client_filter.setCurrentIndex(1)
        client_id = log.client_filter.currentData()
        assert all(v.client_id == client_id for v in log.model.rows())

        dialog = VisitDialog(context, None, screen)
        qtbot.addWidget(dialog)
        dialog.client.setCurrentIndex(dialog.client.findData(client_id))
        dialog.worker.setCurrentIndex(1)
        dialog.date.setDate(dt.date(2026, 10, 31))
        dialog.planned_start.setText("23:00")
        dialog.actual_start.setText("23:10")
        dialog.actual_end.setText("23:05")  # 23 h 55 min across midnight: refused beside the field
        dialog.save()
        assert not dialog.problems._labels["actual_end"].isHidden()
        assert context.store.value("SELECT COUNT(*) FROM visits WHERE planned_start = '23:00' AND visit_date = '2026-10-31'") == 0

        screen.tabs.setCurrentIndex(1)
        assert screen.continuity.model.rowCount() >= 0
        assert "target is at most 4" in screen.continuity.summary.text()
    finally:
        context.store.close()


def test_visit_data_export_writes_the_council_columns(window, context, tmp_path, qtbot, messages, monkeypatch):
    from branchdesk.models.visits import save_visit

    save_visit(context.store, {"client_id": 1, "worker_id": 1, "date": "2026-10-01", "planned_start": "09:00",
                               "actual_start": "09:00", "actual_end": "09:30", "status": "completed"})
    target = tmp_path / "out.csv"
    monkeypatch.setattr(ui_import.QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    ui_import.run_visit_data_export(window, dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    dialog = window.findChildren(VisitDataDialog)[0]
    assert dialog.contract.count() == 1  # one contract: no "All contracts" choice
    dialog.check()
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["council_ref", "date", "planned_start", "actual_start", "actual_end", "minutes", "worker_ref", "status"],
                    ["HC-1", "2026-10-01", "09:00", "09:00", "09:30", "30", "W01", "completed"]]
    assert "1 visit (" in messages[0]
