"""The ideal-week planner and the envelope & hours section, driven as a user would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent

from branchdesk.models.envelope import add_envelope_change
from branchdesk.models.ideal_week import PlanItem, add_item, list_items, new_version
from branchdesk.models.utilisation import utilisation
from branchdesk.ui import ideal_week as planner
from branchdesk.ui.context import AppContext
from branchdesk.ui.envelope import EnvelopeSection
from branchdesk.ui.ideal_week import ITEM_MIME, IdealWeekSection, ItemDialog
from tests.test_ideal_week import make_client


@pytest.fixture
def context(store):
    ctx = AppContext()
    ctx.store = store
    return ctx


@pytest.fixture
def planned(store):
    client = make_client(store, budget_pence=10000, rate_pence=2000)  # cap 5 hours
    add_envelope_change(store, client, "2026-06-01", "3", "initial")
    week = new_version(store, client, "2026-06-01", "Margaret", "2026-05-30", today=dt.date(2026, 6, 1))
    add_item(store, week, PlanItem(0, "morning", "paid_visit", "08:00", 60, purpose="Breakfast"), today=dt.date(2026, 6, 1))
    return client, week


def open_section(qtbot, context, client) -> IdealWeekSection:
    section = IdealWeekSection(context, client)
    qtbot.addWidget(section)
    section.resize(1000, 700)
    section.show()
    return section


def test_add_an_item_through_the_dialog(qtbot, context, planned):
    client, week = planned
    section = open_section(qtbot, context, client)
    assert "Planned paid hours: <b>1</b> a week" in section.totals.text()
    dialog = ItemDialog(section, PlanItem(2, "teatime", "paid_visit", minutes=30))
    qtbot.addWidget(dialog)
    dialog.minutes.setValue(150)
    assert "3.5 hours a week" in dialog.totals.text() and "above the envelope of 3 hours" in dialog.totals.text()
    dialog.accept()  # no purpose yet: refused beside the field
    assert not dialog.problems._labels["purpose"].isHidden()
    assert len(list_items(context.store, week)) == 1
    dialog.purpose.setText("Tea together")
    dialog.time.setText("17:30")
    dialog.accept()
    items = list_items(context.store, week)
    assert [(i.day, i.part_of_day, i.minutes, i.purpose) for i in items][-1] == (2, "teatime", 150, "Tea together")
    assert "3.5" in section.totals.text()
    assert "above the envelope of 3 hours" in section.warnings.text()
    assert len(section.grid.cells[(2, "teatime")].findChildren(planner.ItemCard)) == 1


def test_above_the_cap_asks_for_a_reason(qtbot, context, planned, monkeypatch):
    client, week = planned
    section = open_section(qtbot, context, client)
    answers = iter([None, "Agreed with the social worker"])

    class FakeOverride:
        def __init__(self, parent, message, reason=""):
            self.message = message
            self.answer = next(answers)

        def exec(self):
            return self.answer is not None

        def text(self):
            return self.answer

    monkeypatch.setattr(planner, "OverrideDialog", FakeOverride)
    item = PlanItem(1, "morning", "paid_visit", minutes=300, purpose="Day out")
    assert section.save_item(section, item, lambda problems: None) is False  # cancelled: nothing saved
    assert len(list_items(context.store, week)) == 1
    assert section.save_item(section, item, lambda problems: None) is True
    assert len(list_items(context.store, week)) == 2
    assert "Allowed because: Agreed with the social worker" in section.warnings.text()


def test_move_with_the_keyboard_and_by_drop(qtbot, context, planned):
    client, week = planned
    section = open_section(qtbot, context, client)
    item_id = list_items(context.store, week)[0].id
    card = section.grid.cards[item_id]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(section.grid.cards[item_id], Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    moved = list_items(context.store, week)[0]
    assert (moved.day, moved.part_of_day) == (1, "lunchtime")
    assert section.grid.selected == item_id

    cell = section.grid.cells[(5, "evening")]
    mime = QMimeData()
    mime.setData(ITEM_MIME, str(item_id).encode())
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    cell.dropEvent(drop)
    moved = list_items(context.store, week)[0]
    assert (moved.day, moved.part_of_day) == (5, "evening")
    assert item_id in [c.item.id for c in cell.findChildren(planner.ItemCard)]

    copy = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier)
    section.grid.cells[(6, "evening")].dropEvent(copy)
    assert sorted(i.day for i in list_items(context.store, week)) == [5, 6]


def test_delete_with_the_delete_key(qtbot, context, planned, monkeypatch):
    client, week = planned
    monkeypatch.setattr(planner, "confirm", lambda *args, **kwargs: True)
    section = open_section(qtbot, context, client)
    item_id = list_items(context.store, week)[0].id
    card = section.grid.cards[item_id]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Delete)
    assert list_items(context.store, week) == []
    assert section.grid.cards == {}


def test_history_is_read_only(qtbot, context, planned):
    client, week = planned
    new_version(context.store, client, "2026-09-01", copy_from=week, today=dt.date(2026, 9, 1))
    section = open_section(qtbot, context, client)
    assert section.version_combo.count() == 2
    section.version_combo.setCurrentIndex(1)
    section._version_chosen(1)
    assert section.week.id == week and not section.editable
    assert not section.add_button.isEnabled()
    item_id = list_items(context.store, week)[0].id
    qtbot.keyClick(section.grid.cards[item_id], Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert list_items(context.store, week)[0].day == 0


def test_envelope_section_shows_history_use_and_bank(qtbot, context, planned):
    client, _week = planned
    section = EnvelopeSection(context, client)
    qtbot.addWidget(section)
    assert section.envelope_model.rowCount() == 1
    assert section.use_model.rowCount() == len(utilisation(context.store, client, dt.date.today())) > 20
    assert section.use_model.rows()[-1].envelope == Decimal("3.00")
    assert section.chart_view.chart().series()[0].count() == 3
    assert section.balance.text() == "Balance: 0 hours"


def test_a_busy_week_in_a_short_window_scrolls_instead_of_squeezing_its_cards(qtbot, context, store, planned):
    client, week = planned
    for day in range(7):
        for part in ("morning", "teatime", "evening", "night"):
            add_item(store, week, PlanItem(day, part, "family", who="Sue (daughter)", purpose="Pops in with the shopping"), today=dt.date(2026, 6, 1))
    section = open_section(qtbot, context, client)
    section.resize(1000, 360)
    qtbot.waitUntil(lambda: len(section.grid.cards) == 29)
    qtbot.wait(50)
    squeezed = [card for card in section.grid.cards.values() if card.height() < card.sizeHint().height()]
    assert not squeezed
    assert section.grid.height() > section.grid.parentWidget().height()  # the week scrolls in its viewport
