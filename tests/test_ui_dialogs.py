"""Shared dialog pieces and secondary screens, looked at the way a branch manager sees them:
messages with room to be read, whole texts rather than cut ones, and rows in a sensible order."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QFormLayout, QHeaderView

from branchdesk.models.envelope import add_envelope_change
from branchdesk.models.import_report import ImportProblem, ImportReport
from branchdesk.models.outcomes import Outcome
from branchdesk.models.report_export import Column, Report
from branchdesk.ui.caseload_import import ImportPreviewDialog, preview_lines
from branchdesk.ui.client_record import OutcomeDialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs import ProblemsTable
from branchdesk.ui.envelope import EnvelopeChangeDialog, EnvelopeSection
from branchdesk.ui.reports import ReportDialog
from branchdesk.ui.settings import SettingsScreen
from tests.test_ideal_week import make_client


@pytest.fixture
def context(store):
    ctx = AppContext()
    ctx.store = store
    return ctx


def test_problem_messages_get_room_instead_of_covering_fields(qtbot):
    outcome = Outcome(ref="O1", description="I want to walk to the shop", agreed_date=dt.date(2026, 6, 1))
    dialog = OutcomeDialog(None, outcome, set())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    dialog.description.setPlainText("")
    dialog.agreed.setText("99/99")
    dialog.fee.setText("abc")
    dialog.save()
    layout = dialog.layout()
    qtbot.waitUntil(lambda: dialog.height() >= layout.totalHeightForWidth(dialog.width()))
    assert dialog.height() > before
    labels = [label for label in dialog.problems._labels.values() if label.isVisible()]
    assert len(labels) == 3
    for label in labels:  # each message is as tall as its wrapped text needs
        assert label.height() >= label.heightForWidth(label.width())


def test_problem_rows_are_as_tall_as_their_messages(qtbot):
    long = "Worker W02 would be at two visits at once: " + "08:01–08:41 on 02/10/2026 here, " * 8
    table = ProblemsTable([ImportProblem("visits.csv", 2, "Status", "Short."),
                           ImportProblem("visits.csv", 3, "Clock In", long)])
    qtbot.addWidget(table)
    table.resize(600, 300)
    table.show()
    qtbot.waitExposed(table)
    view = table.view
    qtbot.waitUntil(lambda: view.rowHeight(1) > view.rowHeight(0))
    assert view.rowHeight(1) >= view.sizeHintForRow(1)


def test_caseload_preview_shows_a_changed_address_whole(qtbot, tmp_path):
    report = ImportReport()
    report.details = ["Client C002 (Phyllis Preece): address “Orchard House\nLedbury” → “Flat 12\nMalvern”"]
    assert preview_lines(report) == ["Client C002 (Phyllis Preece): address “Orchard House, Ledbury” → “Flat 12, Malvern”"]
    dialog = ImportPreviewDialog(None, tmp_path / "caseload.xlsx", report)
    qtbot.addWidget(dialog)
    shown = dialog.details.model().index(0, 0).data()
    assert "\n" not in shown and "Malvern" in shown
    assert dialog.details.wordWrap()


def test_report_rows_keep_the_reports_order_and_text_gets_the_room(qtbot):
    report = Report("Caseload", [Column("category", "Category"), Column("council", "Council", "int"),
                                 Column("total", "Total", "int")],
                    [{"category": "Reablement", "council": 4, "total": 5}, {"category": "Dementia", "council": 2, "total": 3},
                     {"category": "Total", "council": 6, "total": 8}])
    dialog = ReportDialog(None, report, "Branch")
    qtbot.addWidget(dialog)
    view = dialog.view
    shown = [view.model().index(row, 0).data() for row in range(view.model().rowCount())]
    assert shown == ["Reablement", "Dementia", "Total"]
    header = view.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    assert not header.stretchLastSection()


def test_settings_fields_line_up_across_the_boxes(qtbot, context):
    screen = SettingsScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1000, 800)
    screen.show()
    qtbot.waitExposed(screen)
    fields = [screen.user_name, screen.fields["name"], screen.fields["bank_account_name"]]
    lefts = {field.mapTo(screen, field.rect().topLeft()).x() for field in fields}
    assert len(lefts) == 1
    assert all(isinstance(field.parentWidget().layout(), QFormLayout) for field in fields)


@pytest.fixture
def envelope_section(qtbot, context, store) -> EnvelopeSection:
    """The envelope section of a client with 10 hours a week from 01/06/2026."""
    client = make_client(store)
    add_envelope_change(store, client, "2026-06-01", "10", "initial")
    section = EnvelopeSection(context, client)
    qtbot.addWidget(section)
    return section


def change_dialog(qtbot, section: EnvelopeSection) -> EnvelopeChangeDialog:
    dialog = EnvelopeChangeDialog(section)
    qtbot.addWidget(dialog)
    return dialog


def test_envelope_change_asks_for_the_reason(qtbot, envelope_section):
    dialog = change_dialog(qtbot, envelope_section)
    assert dialog.reason.currentData() == ""
    dialog.hours.setText("8")
    dialog.accept()
    assert dialog.problems._labels["reason"].isVisibleTo(dialog)
    assert "reason" in dialog.problems._labels["reason"].text()


def test_envelope_change_offers_the_contracts_bands_only_where_it_pays_by_band(qtbot, envelope_section, store):
    dialog = change_dialog(qtbot, envelope_section)
    assert not dialog.band.isVisibleTo(dialog)  # an envelope-basis contract has no bands

    store.conn.execute("UPDATE contracts SET core_basis = 'band', band_rates = 'lower=75;higher=150'")
    dialog = change_dialog(qtbot, envelope_section)
    assert [dialog.band.itemText(i) for i in range(dialog.band.count())] == ["lower", "higher"]
    dialog.effective.setText("01/07/2026")
    dialog.hours.setText("14")
    dialog.reason.setCurrentIndex(dialog.reason.findData("needs_increased"))
    dialog.band.setCurrentIndex(1)
    dialog.accept()
    assert store.value("SELECT band FROM envelopes WHERE effective_date = '2026-07-01'") == "higher"
