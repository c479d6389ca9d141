"""The Clients screen, New referral and the client record, driven as a user would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from test_caseload_workbook import good_sheets, write_workbook

from branchdesk.models.caseload_workbook import import_caseload
from branchdesk.models.outcomes import list_outcomes
from branchdesk.ui import client_record
from branchdesk.ui.client_record import ClientRecordDialog
from branchdesk.ui.clients import ClientsScreen, Columns
from branchdesk.ui.context import AppContext
from branchdesk.ui.referral import ReferralDialog


@pytest.fixture
def context(store, tmp_path, qtbot):
    sheets = good_sheets()
    sheets["Clients"].append(["C004", "WC-1004", "Future Person", None, "SN10 1AA", "WCC", "long_term", "council", None,
                              (dt.date.today() + dt.timedelta(days=20)).isoformat(), None, None, "N", "", "South"])
    report = import_caseload(store, write_workbook(tmp_path / "caseload.xlsx", sheets), today=dt.date(2026, 11, 15))
    assert report.ok, report.problems
    ctx = AppContext()
    ctx.store = store
    return ctx


def shown(screen: ClientsScreen) -> list[str]:
    return [screen.proxy.index(r, Columns.REF).data() for r in range(screen.proxy.rowCount())]


def test_list_hides_ended_clients_and_searches_as_you_type(context, qtbot):
    screen = ClientsScreen(context)
    qtbot.addWidget(screen)
    assert sorted(shown(screen)) == ["C001", "C002", "C004"]  # C003 ended
    screen.show_ended.setChecked(True)
    assert sorted(shown(screen)) == ["C001", "C002", "C003", "C004"]
    qtbot.keyClicks(screen.search, "o'bri")
    assert shown(screen) == ["C001"]
    screen.search.clear()
    qtbot.keyClicks(screen.search, "ba148")  # postcode typed without its space
    assert shown(screen) == ["C002"]
    screen.search.setText("WC-1004")
    assert shown(screen) == ["C004"]
    screen.search.clear()
    statuses = {screen.proxy.index(r, Columns.REF).data(): screen.proxy.index(r, Columns.STATUS).data() for r in range(screen.proxy.rowCount())}
    assert statuses["C003"] == "Ended" and statuses["C004"] == "Referred"
    screen.team.setCurrentIndex(screen.team.findData("South"))
    assert sorted(shown(screen)) == ["C002", "C004"]
    screen.team.setCurrentIndex(0)
    screen.status.setCurrentIndex(screen.status.findData("referred"))
    assert shown(screen) == ["C004"]


def test_sorting_and_columns(context, qtbot):
    screen = ClientsScreen(context)
    qtbot.addWidget(screen)
    screen.view.sortByColumn(Columns.ENVELOPE, Qt.SortOrder.DescendingOrder)
    envelopes = [screen.proxy.index(r, Columns.ENVELOPE).data() for r in range(screen.proxy.rowCount())]
    assert envelopes[0] == "14"
    screen.view.sortByColumn(Columns.REF, Qt.SortOrder.AscendingOrder)
    assert shown(screen) == ["C001", "C002", "C004"]
    headers = [screen.model.headerData(c, Qt.Orientation.Horizontal) for c in Columns]
    assert headers == ["Ref", "Name", "Council ref", "Category", "Funding", "Status", "Key worker", "Team", "Envelope", "Next review"]
    row = next(r for r in range(screen.proxy.rowCount()) if screen.proxy.index(r, Columns.REF).data() == "C001")
    assert screen.proxy.index(row, Columns.NEXT_REVIEW).data() == "13/01/2027"  # six months after the review of 13/07/2026


def test_keys_find_new_and_open(context, qtbot, monkeypatch):
    screen = ClientsScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.view.setFocus()
    qtbot.keyClick(screen.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.search.hasFocus()
    opened = []
    monkeypatch.setattr(ReferralDialog, "exec", lambda self: opened.append("referral") or 0)
    qtbot.keyClick(screen.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == ["referral"]
    monkeypatch.setattr(client_record, "open_client_record", lambda ctx, client_id, parent, section=None: opened.append(client_id))
    screen.search.setText("Arthur")
    screen.show_ended.setChecked(True)
    screen.view.setFocus()
    screen.view.setCurrentIndex(screen.proxy.index(0, 0))
    qtbot.keyClick(screen.view, Qt.Key.Key_Return)
    arthur = context.store.value("SELECT id FROM clients WHERE ref = 'C003'")
    assert opened[-1] == arthur
    rect = screen.view.visualRect(screen.proxy.index(0, 1))
    qtbot.mouseClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened[-1] == arthur and opened.count(arthur) == 2


def test_new_referral_writes_client_envelope_and_outcomes(context, qtbot):
    dialog = ReferralDialog(context, today=dt.date(2026, 11, 15))
    qtbot.addWidget(dialog)
    assert dialog.ref.text() == "C005"
    dialog.name.setText("Siobhán D'Arcy")
    dialog.council_ref.setText("WC-2001")
    dialog.social_worker.setText("Pat Green")
    dialog.budget.setText("£312.50")
    dialog.hours.setText("10.5")
    dialog.ot_required.setChecked(True)
    dialog.start_date.setText("01/12/2026")
    dialog.category.setCurrentIndex(dialog.category.findData("reablement"))
    row = 0
    for column, value in ((0, "I want to walk to the shop"), (1, "social_participation"), (2, "01/03/2027"), (3, "300")):
        dialog.outcomes.model.setData(dialog.outcomes.model.index(row, column), value)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    client = context.store.row("SELECT * FROM clients WHERE ref = 'C005'")
    assert client["name"] == "Siobhán D'Arcy" and client["personal_budget_weekly_pence"] == 31250 and client["ot_required"] == 1
    envelope = context.store.row("SELECT * FROM envelopes WHERE client_id = ?", (client["id"],))
    assert envelope["hours_per_week"] == "10.5" and envelope["reason"] == "initial" and envelope["effective_date"] == "2026-12-01"
    outcomes = list_outcomes(context.store, client["id"])
    assert [(o.ref, o.domain, o.fee_pence, o.agreed_date) for o in outcomes] == [("O1", "social_participation", 30000, dt.date(2026, 12, 1))]
    assert context.store.value("SELECT count(*) FROM audit WHERE client_id = ?", (client["id"],)) == 3


def test_referral_shows_every_problem_and_writes_nothing(context, qtbot):
    dialog = ReferralDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ref.setText("C001")
    dialog.start_date.setText("31/02/2026")
    dialog.hours.setText("-2")
    dialog.budget.setText("lots")
    dialog.outcomes.model.setData(dialog.outcomes.model.index(0, 2), "2026-13-01")  # the first, empty row
    before = context.store.value("SELECT count(*) FROM clients")
    dialog.save()
    assert dialog.result() != dialog.DialogCode.Accepted
    visible = {field: label.text() for field, label in dialog.problems._labels.items() if label.isVisible()}
    assert set(visible) >= {"name", "start_date", "hours_per_week", "personal_budget_weekly", "outcomes"}
    assert "not a real date" in visible["start_date"]
    assert "Outcome 1" in visible["outcomes"]
    assert context.store.value("SELECT count(*) FROM clients") == before


@pytest.fixture
def open_record(context, qtbot):
    """Open a client's record; unsaved changes are dropped at the end without asking."""
    opened = []

    def opener(ref="C001") -> ClientRecordDialog:
        client_id = context.store.value("SELECT id FROM clients WHERE ref = ?", (ref,))
        dialog = ClientRecordDialog(context, client_id)
        dialog.show()
        opened.append(dialog)
        return dialog

    yield opener
    for dialog in opened:
        dialog.dirty = False
        dialog.close()
        dialog.deleteLater()


def test_record_saves_referral_team_contacts_and_notes_in_one_go(context, qtbot, open_record):
    dialog = open_record()
    assert dialog.save_button.isEnabled() is False
    qtbot.keyClicks(dialog.referral.phone, "01373 123456")
    assert dialog.dirty and dialog.save_button.isEnabled()
    dialog.team.team.setEditText("East")
    dialog.team.team.activated.emit(0)
    dialog.show_section("Contacts")
    row = dialog.contacts.model.add()
    model = dialog.contacts.model
    model.setData(model.index(row, 0), "Ann O'Brien")
    model.setData(model.index(row, 1), "Daughter")
    model.setData(model.index(row, 3), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    dialog.notes.new_note.setPlainText("Daughter will do Sunday lunch.")
    dialog.notes.add()
    assert dialog.save()
    store = context.store
    mary = store.row("SELECT * FROM clients WHERE ref = 'C001'")
    assert mary["phone"] == "01373 123456" and mary["team"] == "East"
    assert store.row("SELECT name, may_be_told FROM contacts WHERE client_id = ?", (mary["id"],))[:] == ("Ann O'Brien", 1)
    note = store.row("SELECT * FROM client_notes WHERE client_id = ?", (mary["id"],))
    assert note["text"] == "Daughter will do Sunday lunch." and note["author"] == "tester"
    change = store.row("SELECT * FROM audit WHERE entity = 'client' AND action = 'update' AND client_id = ?", (mary["id"],))
    assert "01373 123456" in change["new_values"] and change["user"] == "tester"
    assert not dialog.dirty


def test_a_contact_cell_left_unchanged_is_not_an_unsaved_change(context, qtbot, open_record):
    dialog = open_record()
    dialog.show_section("Contacts")
    model = dialog.contacts.model
    row = model.add()
    model.setData(model.index(row, 0), "Ann O'Brien")
    assert dialog.save() and not dialog.dirty
    model.setData(model.index(row, 0), "Ann O'Brien")  # an editor opened and closed without typing
    model.setData(model.index(row, 2), "")
    model.setData(model.index(row, 3), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not dialog.dirty and not dialog.save_button.isEnabled()
    model.setData(model.index(row, 2), "07700 900123")
    assert dialog.dirty


def test_record_shows_problems_beside_fields_and_saves_nothing(context, qtbot, open_record):
    dialog = open_record()
    dialog.show_section("Notes")
    dialog.referral.end_date.setText("01/01/2020")
    dialog.referral.name.setText("")
    dialog.mark_dirty()
    assert not dialog.save()
    assert dialog._titles[dialog.sections.currentRow()] == "Referral & service"
    labels = dialog.problems._labels
    assert labels["end_date"].isVisible() and "cannot end before it starts" in labels["end_date"].text()
    assert labels["name"].isVisible()
    assert dialog.general.isVisible() and "Nothing was saved" in dialog.general.text()
    assert context.store.value("SELECT end_date FROM clients WHERE ref = 'C001'") is None


def test_ending_the_service(context, qtbot, open_record):
    dialog = open_record()
    dialog.referral.end_date.setText("20/11/2026")
    dialog.referral.end_reason.setCurrentIndex(dialog.referral.end_reason.findData("moved_provider"))
    dialog.mark_dirty()
    assert dialog.save()
    row = context.store.row("SELECT end_date, end_reason FROM clients WHERE ref = 'C001'")
    assert tuple(row) == ("2026-11-20", "moved_provider")


def test_outcomes_show_review_status_and_can_be_withdrawn(context, qtbot, monkeypatch, open_record):
    dialog = open_record()
    dialog.show_section("Outcomes")
    model = dialog.outcomes.model
    statuses = {model.row_at(r).ref: model.index(r, 6).data() for r in range(model.rowCount())}
    assert statuses == {"O1": "Achieved (review 13/07/2026)", "O2": "Partly achieved (review 13/07/2026)"}
    dialog.outcomes.view.setCurrentIndex(model.index(1, 0))
    dialog.outcomes.withdraw_outcome()

    def fill(self):
        self.description.setPlainText("I want to go to church on Sundays")
        self.domain.setCurrentIndex(self.domain.findData("social_participation"))
        self.fee.setText("150")
        self.save()
        return self.result()

    monkeypatch.setattr(client_record.OutcomeDialog, "exec", fill)
    dialog.outcomes.add_outcome()
    assert dialog.save()
    client_id = dialog.client_id
    outcomes = {o.ref: o for o in list_outcomes(context.store, client_id)}
    assert outcomes["O2"].status == "withdrawn" and outcomes["O2"].withdrawn_date is not None
    assert outcomes["O3"].description == "I want to go to church on Sundays" and outcomes["O3"].fee_pence == 15000
    assert outcomes["O3"].status == "active"


def test_cancel_asks_before_discarding(context, qtbot, monkeypatch, open_record):
    dialog = open_record()
    dialog.referral.postcode.setText("XX1 1XX")
    dialog.mark_dirty()
    asked = []
    monkeypatch.setattr(client_record, "confirm", lambda *args, **kwargs: asked.append(args[2]) or False)
    dialog.reject()
    assert asked and dialog.isVisible()
    monkeypatch.setattr(client_record, "confirm", lambda *args, **kwargs: True)
    dialog.reject()
    assert not dialog.isVisible()
    assert context.store.value("SELECT postcode FROM clients WHERE ref = 'C001'") == "BA13 3AA"


def test_extra_sections_are_built_for_the_client(context, qtbot, monkeypatch, open_record):
    monkeypatch.setattr(client_record, "EXTRA_SECTIONS", [
        ("Borrowed", "tests_extra_section", "ExtraSection"),
    ])
    import sys
    import types

    from PySide6.QtWidgets import QLabel

    module = types.ModuleType("tests_extra_section")

    class ExtraSection(QLabel):
        def __init__(self, ctx, client_id, parent=None):
            super().__init__(f"client {client_id}", parent)

    module.ExtraSection = ExtraSection
    monkeypatch.setitem(sys.modules, "tests_extra_section", module)
    dialog = open_record()
    assert "Borrowed" in dialog._titles
    widget = dialog.section_widget("Borrowed")
    assert isinstance(widget, ExtraSection) and widget.text() == f"client {dialog.client_id}"


def test_referral_under_a_banded_contract_needs_a_band(context, qtbot):
    dialog = ReferralDialog(context, today=dt.date(2026, 11, 15))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.contract.setCurrentIndex(dialog.contract.findData("BAND"))
    assert dialog.band.isEnabled() and dialog.band.count() == 2
    dialog.band.clear()
    dialog.name.setText("Banded Person")
    dialog.start_date.setText("01/12/2026")
    dialog.hours.setText("7")
    dialog.save()
    assert dialog.problems._labels["band"].isVisible()
    dialog._contract_chosen()
    dialog.band.setCurrentIndex(dialog.band.findData("higher"))
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert context.store.value("SELECT band FROM envelopes WHERE client_id = ?", (dialog.created_id,)) == "higher"


def test_other_screens_open_the_record_at_a_section(context, qtbot, monkeypatch):
    seen = []
    monkeypatch.setattr(ClientRecordDialog, "exec", lambda self: seen.append(self._titles[self.sections.currentRow()]) or 0)
    client_id = context.store.value("SELECT id FROM clients WHERE ref = 'C002'")
    client_record.open_client_record(context, client_id, None, section="Contacts")
    assert seen == ["Contacts"]
    shown_errors = []
    monkeypatch.setattr(client_record, "show_error", lambda parent, message: shown_errors.append(message))
    client_record.open_client_record(context, 99999, None)
    assert shown_errors == ["That client no longer exists."]
