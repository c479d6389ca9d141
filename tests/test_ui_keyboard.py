"""Keyboard access: shortcuts, tab order, Alt+letters and names for controls that show no words."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from branchdesk.models.ideal_week import PlanItem, add_item, list_items, new_version
from branchdesk.ui import ideal_week as planner
from branchdesk.ui import main_window as main_window_module
from branchdesk.ui.client_record import ClientRecordDialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.ideal_week import IdealWeekSection
from branchdesk.ui.main_window import SCREENS, MainWindow
from branchdesk.ui.referral import ReferralDialog
from tests.test_ideal_week import make_client

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(qtbot, monkeypatch, demo_copy):
    monkeypatch.setattr(main_window_module, "show_error", lambda parent, message, title=None: None)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    assert win.open_branch_file(demo_copy)
    yield win
    win.close_branch()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> QWidget:
    """Press a key where the focus is; returns the widget that has the focus afterwards."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def tab_walk(qtbot, start: QWidget, limit: int = 80) -> list[QWidget]:
    """The widgets Tab visits from ``start`` until it comes back to it (fails on a trap)."""
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    visited = []
    for _ in range(limit):
        widget = press(qtbot, Qt.Key.Key_Tab)
        if widget is start:
            return visited
        if visited and widget is visited[-1]:
            continue  # a date box takes Tab from its day to its month and year
        assert widget not in visited, f"Tab goes round {type(widget).__name__} without getting back to the start"
        visited.append(widget)
    pytest.fail("Tab never came back to where it started")


def in_reading_order(widgets: list[QWidget]) -> bool:
    """Each widget is on a lower row than the one before, or on the same row further right."""
    places = [w.mapTo(w.window(), w.rect().topLeft()) for w in widgets]
    return all(b.y() > a.y() + 8 or (abs(b.y() - a.y()) <= 8 and b.x() > a.x()) for a, b in pairwise(places))


# -- the main window --------------------------------------------------------------------------
def test_ctrl_number_switches_screens_and_puts_the_focus_in_them(window, qtbot):
    for number, (key, _title, _module, _cls) in enumerate(SCREENS, start=1):
        press(qtbot, Qt.Key(Qt.Key.Key_0 + number), CTRL)
        screen = window.stack.currentWidget()
        assert screen is window.screen(key)
        assert window.navigation.currentRow() == number - 1
        assert screen.isAncestorOf(QApplication.focusWidget()), key


def test_menus_and_the_go_menu_have_alt_letters(window):
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Go", "&Reports", "&Help"]
    go = window.menuBar().actions()[1].menu().actions()
    assert [a.shortcut().toString() for a in go] == [f"Ctrl+{n}" for n in range(1, len(SCREENS) + 1)]
    assert all("&" in a.text() for a in go)


def test_enter_in_the_navigation_moves_into_the_screen(window, qtbot):
    window.navigation.setFocus()
    window.navigation.setCurrentRow(1)
    press(qtbot, Qt.Key.Key_Return)
    assert window.screen("clients").isAncestorOf(QApplication.focusWidget())


@pytest.mark.parametrize("key, first_controls", [
    ("clients", ["New referral…", "Search clients", "Status", "Category", "Team", "Contract", "Show ended", "Clients", "Open"]),
    ("reviews", ["Show", "Method", "Team", "Key worker", "Search", "Reviews due", "Print list…",
                 "Export to spreadsheet…", "Open client record"]),
    ("team", ["Add worker…", "Team", "Show workers who have left", "Workers", "Edit…"]),
    ("visits", [None, "From", "To", "This month", "Last month", "Client", "Worker", "Status", "Visits"]),
])
def test_tab_goes_through_a_list_screen_in_reading_order_and_back(window, qtbot, key, first_controls):
    screen = window.show_screen(key)
    visited = tab_walk(qtbot, window.navigation)
    inside = [w for w in visited if screen.isAncestorOf(w)]
    assert inside == visited, "Tab from the navigation goes through the screen and straight back"
    names = [w.accessibleName() or (w.text().replace("&", "") if isinstance(w, QAbstractButton) else None) for w in inside]
    assert names[:len(first_controls)] == first_controls
    assert in_reading_order(inside)


def test_every_screen_names_its_lists_charts_and_wordless_buttons(window):
    for key, *_rest in SCREENS:
        screen = window.show_screen(key)
        assert_named(screen)


def test_shortcuts_on_the_reviews_screen(window, qtbot, monkeypatch):
    screen = window.show_screen("reviews")
    screen.view.setFocus()
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is screen.search
    from branchdesk.ui import client_record
    from branchdesk.ui.pdf_preview import PdfPreviewDialog

    opened = []
    monkeypatch.setattr(client_record, "open_client_record", lambda ctx, client_id, parent, section=None: opened.append(client_id))
    monkeypatch.setattr(PdfPreviewDialog, "open", lambda self: opened.append("printout"))
    screen.view.setFocus()
    screen.view.setCurrentIndex(screen.proxy.index(0, 0))
    press(qtbot, Qt.Key.Key_Return)
    assert opened == [screen.selected().client_id]
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert opened[-1] == "printout"


def test_alt_letters_on_a_screen_do_not_take_the_menus_letters(window):
    for key, *_rest in SCREENS:
        screen = window.show_screen(key)
        for control in screen.findChildren(QAbstractButton) + screen.findChildren(QLabel):
            text = control.text()
            if "&" in text and "<" not in text:
                assert text[text.index("&") + 1].lower() not in "fgrh", (key, text)


# -- dialogs ------------------------------------------------------------------------------------
@pytest.fixture
def context(demo_copy):
    from branchdesk.models.db import open_branch

    ctx = AppContext()
    ctx.store = open_branch(demo_copy, user="tester")
    yield ctx
    ctx.store.close()


def mnemonic_of(dialog: QWidget, field: QWidget) -> str:
    label = next(lab for lab in dialog.findChildren(QLabel) if lab.buddy() is not None
                 and (lab.buddy() is field or lab.buddy().focusProxy() is field))
    return label.text()[label.text().index("&") + 1]


def test_referral_fields_have_alt_letters_that_go_to_them(context, qtbot):
    dialog = ReferralDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isActiveWindow)
    letters = [mnemonic_of(dialog, field).lower() for field in (dialog.name, dialog.postcode, dialog.council_ref, dialog.start_date)]
    assert len(set(letters)) == len(letters)
    for field in (dialog.postcode, dialog.council_ref, dialog.start_date, dialog.name):
        press(qtbot, Qt.Key(Qt.Key.Key_A + ord(mnemonic_of(dialog, field).lower()) - ord("a")), ALT)
        assert QApplication.focusWidget() is field
    dialog.name.setFocus()
    assert [press(qtbot, Qt.Key.Key_Tab) for _ in range(4)] == [dialog.date_of_birth, dialog.address, dialog.postcode, dialog.phone]
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_client_record_saves_with_ctrl_s_and_moves_between_sections(context, qtbot):
    client_id = context.store.value("SELECT id FROM clients ORDER BY id LIMIT 1")
    dialog = ClientRecordDialog(context, client_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.referral.phone.setFocus()
    dialog.referral.phone.selectAll()
    qtbot.keyClicks(dialog.referral.phone, "01225 700700")
    assert dialog.dirty
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert not dialog.dirty
    assert context.store.value("SELECT phone FROM clients WHERE id = ?", (client_id,)) == "01225 700700"
    for row in range(1, dialog.sections.count()):
        press(qtbot, Qt.Key.Key_PageDown, CTRL)
        assert dialog.sections.currentRow() == row
        assert_named(dialog.stack.currentWidget())
    press(qtbot, Qt.Key.Key_PageUp, CTRL)
    assert dialog.sections.currentRow() == dialog.sections.count() - 2
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def assert_named(root: QWidget) -> None:
    """Buttons without words, lists, tables and charts all have a name a screen reader can say."""
    for button in root.findChildren(QAbstractButton):
        if isinstance(button, (QToolButton, QPushButton)) and not button.text().replace("&", "").strip():
            if button.objectName() == "qt_tableview_cornerbutton" or isinstance(button.parent(), QComboBox):
                continue
            assert button.accessibleName(), f"a {type(button).__name__} with no words and no name"
    for view in root.findChildren(QAbstractItemView):
        if isinstance(view, QHeaderView) or isinstance(view.parentWidget(), QComboBox) or view.window() is not root.window():
            continue
        if isinstance(view.parentWidget(), QWidget) and type(view.parentWidget()).__name__ == "QComboBoxPrivateContainer":
            continue
        assert view.accessibleName(), f"an unnamed {type(view).__name__}"
    from PySide6.QtCharts import QChartView

    for chart in root.findChildren(QChartView):
        assert chart.accessibleName()


# -- the ideal-week planner ------------------------------------------------------------------------
@pytest.fixture
def planned(store):
    client = make_client(store, budget_pence=20000, rate_pence=2000)
    week = new_version(store, client, "2026-06-01", "Margaret", "2026-05-30", today=dt.date(2026, 6, 1))
    add_item(store, week, PlanItem(0, "morning", "paid_visit", "08:00", 60, purpose="Breakfast"), today=dt.date(2026, 6, 1))
    ctx = AppContext()
    ctx.store = store
    return ctx, client, week


def open_planner(qtbot, context, client) -> tuple[QWidget, IdealWeekSection]:
    """The planner below a text box (so there is somewhere to Tab from); kept open by the section."""
    holder = QWidget()
    qtbot.addWidget(holder)
    before = QLineEdit(holder)
    section = IdealWeekSection(context, client, holder)
    from PySide6.QtWidgets import QVBoxLayout

    layout = QVBoxLayout(holder)
    layout.addWidget(before)
    layout.addWidget(section)
    holder.resize(1100, 800)
    holder.show()
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow)
    section.holder = holder
    return before, section


def fill_item_dialog(qtbot, purpose: str) -> None:
    """When the item dialog opens, type the purpose and press Enter."""
    def fill():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        dialog.purpose.setFocus()
        qtbot.keyClicks(dialog.purpose, purpose)
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)
    QTimer.singleShot(0, fill)


def back_from_dialog(qtbot, section) -> None:
    """The window under a closed dialog is active again (the desktop does this; offscreen Qt does not)."""
    section.holder.activateWindow()
    qtbot.waitUntil(section.holder.isActiveWindow)


def test_the_week_is_one_tab_stop_and_arrows_walk_cells_and_cards(qtbot, planned):
    context, client, week = planned
    before, section = open_planner(qtbot, context, client)
    stops = tab_walk(qtbot, before)
    in_grid = [w for w in stops if section.grid.isAncestorOf(w)]
    assert len(in_grid) == 1, "Tab stops once in the week"
    breakfast = next(iter(section.grid.cards.values()))
    assert in_grid[0] is section.grid.cells[(0, "morning")]
    assert stops.index(section.add_button) > stops.index(in_grid[0])
    section.grid.cells[(0, "morning")].setFocus()
    assert press(qtbot, Qt.Key.Key_Down) is breakfast
    assert section.grid.selected == breakfast.item.id and section.edit_button.isEnabled()
    assert press(qtbot, Qt.Key.Key_Down) is section.grid.cells[(0, "lunchtime")]
    assert section.grid.selected is None
    assert press(qtbot, Qt.Key.Key_Up) is breakfast
    assert press(qtbot, Qt.Key.Key_Right) is section.grid.cells[(1, "morning")]
    assert press(qtbot, Qt.Key.Key_Left) is section.grid.cells[(0, "morning")]
    assert press(qtbot, Qt.Key.Key_Down) is breakfast
    # Tab leaves the week, and Shift+Tab comes back to the item chosen
    assert not section.grid.isAncestorOf(press(qtbot, Qt.Key.Key_Tab))
    assert press(qtbot, Qt.Key.Key_Tab, SHIFT) is breakfast


def test_an_item_is_added_moved_copied_and_deleted_by_keyboard(qtbot, planned, monkeypatch):
    context, client, week = planned
    _before, section = open_planner(qtbot, context, client)
    monkeypatch.setattr(planner, "confirm", lambda *args, **kwargs: True)
    section.grid.cells[(2, "teatime")].setFocus()
    fill_item_dialog(qtbot, "Tea together")
    press(qtbot, Qt.Key.Key_Return)
    added = next(i for i in list_items(context.store, week) if i.purpose == "Tea together")
    assert (added.day, added.part_of_day) == (2, "teatime")
    back_from_dialog(qtbot, section)
    assert QApplication.focusWidget() is section.grid.cards[added.id]

    press(qtbot, Qt.Key.Key_Right, CTRL)
    press(qtbot, Qt.Key.Key_Down, CTRL)
    moved = next(i for i in list_items(context.store, week) if i.id == added.id)
    assert (moved.day, moved.part_of_day) == (3, "evening")
    assert QApplication.focusWidget() is section.grid.cards[added.id]

    press(qtbot, Qt.Key.Key_Right, CTRL | SHIFT)
    copies = [i for i in list_items(context.store, week) if i.purpose == "Tea together"]
    assert sorted((i.day, i.part_of_day) for i in copies) == [(3, "evening"), (4, "evening")]

    section.grid.focus_item(added.id)
    press(qtbot, Qt.Key.Key_Delete)
    assert [(i.day, i.part_of_day) for i in list_items(context.store, week) if i.purpose == "Tea together"] == [(4, "evening")]
    assert QApplication.focusWidget() is section.grid.cells[(3, "evening")]

    fill_item_dialog(qtbot, "Supper")
    press(qtbot, Qt.Key.Key_Insert)
    back_from_dialog(qtbot, section)
    supper = next(i for i in list_items(context.store, week) if i.purpose == "Supper")
    assert (supper.day, supper.part_of_day) == (3, "evening")


def test_the_planner_prints_with_ctrl_p(qtbot, planned, monkeypatch):
    context, client, _week = planned
    _before, section = open_planner(qtbot, context, client)
    printed = []
    monkeypatch.setattr(planner, "print_pdf", lambda parent, pdf, title: printed.append(title) or True)
    section.grid.cells[(0, "morning")].setFocus()
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert printed == ["Ideal-week sheet"]
