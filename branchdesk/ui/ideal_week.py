"""The ideal-week planner in the client record: the week as a grid of days × parts of day.

Items are cards. Double-click an empty cell (or press Add item…) to add one; double-click a
card (or press Enter) to edit it; drag a card to another cell to move it (hold Ctrl to
copy it), or move the selected card with Ctrl+arrow keys; Delete removes it. By keyboard the
week is one stop in the tab order: arrow keys walk the cells and their cards, Enter or Insert
on a cell adds an item there, Ctrl+Shift+Left/Right copies a card to the day before or after,
and Shift+F10 opens a card's menu. Every change is saved at once, and the totals above the grid follow: planned paid hours a week against
the envelope and the personal-budget cap.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchDeskError, Problem, ValidationError
from branchdesk.models.ideal_week import (
    DAY_NAMES,
    DAY_SHORT,
    KIND_LABELS,
    MAX_PREFERRED_WORKERS,
    PART_LABELS,
    CapExceeded,
    IdealWeek,
    PlanCheck,
    PlanItem,
    add_item,
    check_plan,
    copy_item_to_days,
    delete_item,
    item_from_form,
    list_items,
    list_versions,
    move_item,
    new_version,
    replaced_on,
    set_override_reason,
    update_item,
    version_state,
)
from branchdesk.models.ideal_week_pdf import render_ideal_week_pdf, suggested_filename
from branchdesk.models.money import format_decimal, format_money
from branchdesk.models.outcomes import list_outcomes
from branchdesk.models.schema import PARTS_OF_DAY
from branchdesk.models.visits import format_minutes
from branchdesk.models.workers import list_workers
from branchdesk.ui import theme
from branchdesk.ui.dialogs import (
    FieldProblems,
    WindowModalDialog,
    add_shortcut,
    button_row,
    confirm,
    ok_cancel,
    show_error,
)
from branchdesk.ui.pdf_preview import PdfPreviewDialog, print_pdf, save_pdf_as
from branchdesk.ui.referral import ProblemForm, choice_combo, date_field, set_choice

ITEM_MIME = "application/x-branchdesk-plan-item"
#: Card colours (theme names) per kind: paid visits plain, other help tinted.
CARD_COLOURS = {
    "paid_visit": "card_paid_visit",
    "family": "card_family",
    "friend": "card_family",
    "community": "card_community",
    "technology": "card_technology",
    "other": "card_other",
}
STATE_NAMES = {"in_force": _("in force"), "planned": _("starts later"), "history": _("history")}


def card_lines(item: PlanItem) -> list[str]:
    """The lines of a card: time and length (or kind) first, then purpose and who."""
    head = []
    if item.approx_time:
        head.append(item.approx_time)
    if item.is_paid and item.minutes:
        head.append(format_minutes(item.minutes))
    if not item.is_paid:
        head.append(KIND_LABELS.get(item.kind, item.kind))
    who = ", ".join(item.worker_names) if item.is_paid and item.worker_names else ""
    if item.who:
        who = f"{who}; {item.who}" if who else item.who
    lines = [" · ".join(head)]
    if item.is_paid:
        lines += [item.purpose, who]
    else:
        lines += [who, item.purpose]
    return [line for line in lines if line]


class ElidedLabel(QLabel):
    """One line of text shortened with "…" to the width it is given; the whole text in its tooltip."""

    def __init__(self, text: str, bold: bool = False):
        super().__init__()
        self.full = text
        if bold:
            font = self.font()
            font.setBold(True)
            self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def resizeEvent(self, event) -> None:
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, max(10, self.width())))
        super().resizeEvent(event)


class ItemCard(QFrame):
    """One item of the plan in its cell; focusable, draggable, moved with Ctrl+arrows."""

    def __init__(self, grid: WeekGrid, item: PlanItem):
        super().__init__()
        self.grid = grid
        self.item = item
        self._press: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(5, 3, 5, 3)
        layout.setSpacing(0)
        lines = card_lines(item)
        for index, line in enumerate(lines):
            label = ElidedLabel(line, bold=index == 0)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        details = "\n".join(lines)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("{kind}, {day} {part}").format(
            kind=KIND_LABELS.get(item.kind, item.kind), day=DAY_NAMES[item.day], part=PART_LABELS[item.part_of_day].lower()))
        self.setToolTip(details + "\n\n" + _("Double-click to edit. Drag to another cell to move it (hold Ctrl to copy), "
                                               "or press Ctrl+arrow keys."))
        theme.follow(self, lambda card: card.set_selected(card.grid.selected == card.item.id))

    def set_selected(self, selected: bool) -> None:
        colour = theme.css(CARD_COLOURS.get(self.item.kind, "card_paid_visit"))
        border = "2px solid palette(highlight)" if selected else f"1px solid {theme.css('card_border')}"
        self.setStyleSheet(f"QFrame#card {{ background: {colour}; border: {border}; border-radius: 4px; }}"
                           f" QLabel {{ color: {theme.css('card_text')}; }}")

    def focusInEvent(self, event) -> None:
        if self.grid.entered(self, event.reason()):
            return
        self.grid.select(self.item.id)
        self.grid.position = (self.item.day, self.item.part_of_day)
        self.grid.reveal(self)
        super().focusInEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if (self._press is None or not self.grid.editable
                or (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance()):
            return
        self._press = None
        mime = QMimeData()
        mime.setData(ITEM_MIME, str(self.item.id).encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.grab())
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)

    def mouseDoubleClickEvent(self, event) -> None:
        self.grid.edit_requested.emit(self.item.id)

    def contextMenuEvent(self, event) -> None:
        self.grid.select(self.item.id)
        self.grid.menu_requested.emit(self.item.id, event.globalPos())

    def keyPressEvent(self, event) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in steps:
            day_step, part_step = steps[key]
            if ctrl and shift:
                self.grid.copy_by(self.item, day_step)
            elif ctrl:
                self.grid.move_by(self.item, day_step, part_step)
            else:
                self.grid.step_focus(self.item.day, self.item.part_of_day, self, day_step, part_step)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.grid.edit_requested.emit(self.item.id)
            return
        if key == Qt.Key.Key_Insert and self.grid.editable:
            self.grid.add_requested.emit(self.item.day, self.item.part_of_day)
            return
        if key == Qt.Key.Key_F10 and shift:
            self.grid.menu_requested.emit(self.item.id, self.mapToGlobal(self.rect().center()))
            return
        if event.matches(QKeySequence.StandardKey.Delete) or key == Qt.Key.Key_Backspace:
            self.grid.delete_requested.emit(self.item.id)
            return
        super().keyPressEvent(event)


EMPTY_CELL_HEIGHT = 44


class DayPartCell(QFrame):
    """One day × part of day; takes dropped cards, and a double-click adds an item here."""

    def __init__(self, grid: WeekGrid, day: int, part: str):
        super().__init__()
        self.grid = grid
        self.day = day
        self.part = part
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setObjectName("cell")
        theme.follow(self, lambda cell: cell._style(False))
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(3, 3, 3, 3)
        self.column.setSpacing(3)
        self.column.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_("{day} {part}").format(day=DAY_NAMES[day], part=PART_LABELS[part].lower()))

    def minimumSizeHint(self) -> QSize:
        """Room for its cards (a fixed minimum would let the week squeeze them), and for a drop when empty."""
        return super().minimumSizeHint().expandedTo(QSize(0, EMPTY_CELL_HEIGHT))

    def _style(self, hover: bool) -> None:
        background = theme.css("cell_drop") if hover else "palette(base)"
        self.setStyleSheet(f"QFrame#cell {{ background: {background}; border: 1px solid {theme.css('cell_border')}; }}")

    def add_card(self, card: ItemCard) -> None:
        self.column.insertWidget(self.column.count() - 1, card)

    def cards(self) -> list[ItemCard]:
        """The cards in this cell, top to bottom."""
        widgets = (self.column.itemAt(i).widget() for i in range(self.column.count()))
        return [widget for widget in widgets if isinstance(widget, ItemCard)]

    def focusInEvent(self, event) -> None:
        if self.grid.entered(self, event.reason()):
            return
        if event.reason() not in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason):
            self.grid.select(None)
        self.grid.position = (self.day, self.part)
        self.grid.reveal(self)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))

    def keyPressEvent(self, event) -> None:
        key = event.key()
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if key in steps and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.grid.step_focus(self.day, self.part, None, *steps[key])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Insert, Qt.Key.Key_Space) and self.grid.editable:
            self.grid.add_requested.emit(self.day, self.part)
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event) -> None:
        if self.grid.editable and event.mimeData().hasFormat(ITEM_MIME):
            event.acceptProposedAction()
            self._style(True)

    def dragLeaveEvent(self, event) -> None:
        self._style(False)

    def dropEvent(self, event) -> None:
        self._style(False)
        if not (self.grid.editable and event.mimeData().hasFormat(ITEM_MIME)):
            return
        item_id = int(bytes(event.mimeData().data(ITEM_MIME)).decode())
        copy = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier) or event.dropAction() == Qt.DropAction.CopyAction
        event.setDropAction(Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction)
        event.accept()
        if copy:
            self.grid.copy_requested.emit(item_id, self.day)
        else:
            self.grid.move_requested.emit(item_id, self.day, self.part)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.grid.editable:
            self.grid.add_requested.emit(self.day, self.part)


class WeekGrid(QWidget):
    """Days as columns, parts of day as rows, items as cards."""

    edit_requested = Signal(int)
    delete_requested = Signal(int)
    add_requested = Signal(int, str)
    move_requested = Signal(int, int, str)
    copy_requested = Signal(int, int)
    menu_requested = Signal(int, QPoint)
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editable = True
        self.selected: int | None = None
        #: the cell (day, part of day) the keyboard was last in
        self.position: tuple[int, str] | None = None
        self.cards: dict[int, ItemCard] = {}
        self.cells: dict[tuple[int, str], DayPartCell] = {}
        layout = QGridLayout(self)
        layout.setSpacing(0)
        layout.setContentsMargins(0, 0, 0, 0)
        for day, name in enumerate(DAY_NAMES):
            header = QLabel(f"<b>{escape(name)}</b>")
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            theme.follow(header, lambda label: label.setStyleSheet(
                f"background: {theme.css('day_header')}; color: {theme.css('day_header_text')}; padding: 4px;"))
            layout.addWidget(header, 0, day + 1)
            layout.setColumnStretch(day + 1, 1)
        for row, part in enumerate(PARTS_OF_DAY, start=1):
            label = QLabel(f"<b>{escape(PART_LABELS[part])}</b>")
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            theme.follow(label, lambda widget: widget.setStyleSheet(
                f"background: {theme.css('part_header')}; color: {theme.css('part_header_text')}; padding: 4px;"))
            layout.addWidget(label, row, 0)
            for day in range(7):
                cell = DayPartCell(self, day, part)
                self.cells[(day, part)] = cell
                layout.addWidget(cell, row, day + 1)

    def set_items(self, items: list[PlanItem], editable: bool) -> None:
        self.editable = editable
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        self.cards = {}
        for item in items:
            card = ItemCard(self, item)
            self.cards[item.id] = card
            self.cells[(item.day, item.part_of_day)].add_card(card)
            card.show()  # at once, not when the layout gets round to it, so it can take the focus now
        previous = None
        for part in PARTS_OF_DAY:
            for day in range(7):
                cell = self.cells[(day, part)]
                cell.setAccessibleDescription(_("Enter adds an item here.") if editable else "")
                for widget in (cell, *cell.cards()):
                    if previous is not None:
                        QWidget.setTabOrder(previous, widget)
                    previous = widget
        if self.selected not in self.cards:
            self.selected = None
        self.select(self.selected)

    def select(self, item_id: int | None) -> None:
        for key, card in self.cards.items():
            card.set_selected(key == item_id)
        if item_id != self.selected:
            self.selected = item_id
            self.selection_changed.emit(item_id)

    def focus_item(self, item_id: int | None) -> None:
        self.select(item_id)
        if item_id in self.cards:
            self.cards[item_id].setFocus(Qt.FocusReason.OtherFocusReason)

    def move_by(self, item: PlanItem, day_step: int, part_step: int) -> None:
        if not self.editable:
            return
        day = item.day + day_step
        part = PARTS_OF_DAY.index(item.part_of_day) + part_step
        if 0 <= day <= 6 and 0 <= part < len(PARTS_OF_DAY):
            self.move_requested.emit(item.id, day, PARTS_OF_DAY[part])

    def copy_by(self, item: PlanItem, day_step: int) -> None:
        """Ctrl+Shift+Left/Right: copy the item to the same part of the day before or after."""
        if self.editable and day_step and 0 <= item.day + day_step <= 6:
            self.copy_requested.emit(item.id, item.day + day_step)

    def step_focus(self, day: int, part: str, card: ItemCard | None, day_step: int, part_step: int) -> None:
        """Arrow keys: up/down through a cell and its cards and on to the cell above or below;
        left/right to the same place in the day before or after."""
        here = [self.cells[(day, part)], *self.cells[(day, part)].cards()]
        index = here.index(card) if card in here else 0
        if day_step:
            if 0 <= day + day_step <= 6:
                there = [self.cells[(day + day_step, part)], *self.cells[(day + day_step, part)].cards()]
                there[min(index, len(there) - 1)].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if 0 <= index + part_step < len(here):
            here[index + part_step].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        row = PARTS_OF_DAY.index(part) + part_step
        if 0 <= row < len(PARTS_OF_DAY):
            cell = self.cells[(day, PARTS_OF_DAY[row])]
            there = [cell, *cell.cards()]
            there[-1 if part_step < 0 else 0].setFocus(Qt.FocusReason.OtherFocusReason)

    def entered(self, widget: QWidget, reason: Qt.FocusReason) -> bool:
        """Tabbing into the week lands on the selected card, else the cell last visited, else
        Monday morning; True when the focus was sent there instead of ``widget``."""
        if reason not in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            return False
        target = self.cards.get(self.selected) or self.cells[self.position or (0, PARTS_OF_DAY[0])]
        if target is widget:
            return False
        target.setFocus(reason)
        return True

    def reveal(self, widget: QWidget) -> None:
        """Scroll the week so the cell or card with the focus can be seen."""
        area = self.parentWidget().parentWidget() if self.parentWidget() is not None else None
        if isinstance(area, QScrollArea):
            area.ensureWidgetVisible(widget)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab leave the week (arrow keys move within it): one stop in the tab order."""
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            return super().focusNextPrevChild(next)
        widget = focus.nextInFocusChain() if next else focus.previousInFocusChain()
        while widget is not focus:
            if (not self.isAncestorOf(widget) and not widget.isAncestorOf(self) and widget.isVisible()
                    and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
                return True
            widget = widget.nextInFocusChain() if next else widget.previousInFocusChain()
        return False


# -- dialogs ---------------------------------------------------------------------------------
class CheckList(QListWidget):
    """A list of checkable choices whose data is an id."""

    def __init__(self, choices: list[tuple[int, str]], checked: list[int]):
        super().__init__()
        for value, text in choices:
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, value)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
            self.addItem(entry)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

    def checked(self) -> list[int]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def filter(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.count()):
            entry = self.item(i)
            entry.setHidden(bool(text) and text not in entry.text().lower() and entry.checkState() != Qt.CheckState.Checked)


class ItemDialog(WindowModalDialog):
    """Add or change one item: kind, day, part of day, time, minutes, purpose, outcomes, workers."""

    def __init__(self, section: IdealWeekSection, item: PlanItem):
        super().__init__(section, _("Change the item") if item.id else _("Add to the week"))
        self.section = section
        self.item = item
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        self.kind = form.add("kind", _("What"), choice_combo(KIND_LABELS))
        set_choice(self.kind, item.kind)
        self.day = form.add("day", _("Day"), QComboBox())
        for index, name in enumerate(DAY_NAMES):
            self.day.addItem(name, index)
        self.day.setCurrentIndex(item.day)
        self.part = form.add("part_of_day", _("Part of the day"), choice_combo(PART_LABELS))
        set_choice(self.part, item.part_of_day)
        self.time = form.add("approx_time", _("About what time"), QLineEdit(item.approx_time or ""))
        self.time.setPlaceholderText(_("e.g. 08:30 (optional)"))
        self.time.setMaximumWidth(160)
        self.minutes = form.add("minutes", _("How long (minutes)"), QSpinBox())
        self.minutes.setRange(0, 24 * 60)
        self.minutes.setSingleStep(15)
        self.minutes.setSpecialValueText(_("not set"))
        self.minutes.setValue(item.minutes or 0)
        self.minutes.setMaximumWidth(160)
        self.purpose = form.add("purpose", _("What it is for"), QLineEdit(item.purpose))
        self.purpose.setPlaceholderText(_("What this visit is trying to achieve, e.g. to make breakfast together"))
        self.who = form.add("who", _("Who or what"), QLineEdit(item.who))
        self.who.setPlaceholderText(_("e.g. Daughter Sue, lunch club, pendant alarm"))
        outcomes = [(o.id, f"{o.ref}: {o.description}") for o in list_outcomes(section.store, section.client_id)
                    if o.status not in ("withdrawn",) or o.id in item.outcome_ids]
        self.outcomes = form.add("outcome_ids", _("Outcomes it serves"), CheckList(outcomes, item.outcome_ids))
        self.outcomes.setMaximumHeight(110)
        workers = [(w.id, f"{w.name} ({w.team})" if w.team else w.name) for w in list_workers(section.store)
                   if w.active or w.id in item.worker_ids]
        self.worker_filter = QLineEdit()
        self.worker_filter.setPlaceholderText(_("Find a worker…"))
        self.worker_filter.setClearButtonEnabled(True)
        self.workers = CheckList(workers, item.worker_ids)
        self.workers.setMaximumHeight(130)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.worker_filter)
        column.addWidget(self.workers)
        form.add("worker_ids", _("Preferred workers"), holder)
        self.worker_filter.textChanged.connect(self.workers.filter)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.general = QLabel()
        self.general.setWordWrap(True)
        theme.text_colour(self.general, "overdue", bold=True)
        self.general.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.totals)
        layout.addWidget(self.general)
        layout.addWidget(ok_cancel(self, _("Save")))
        for signal in (self.kind.currentIndexChanged, self.minutes.valueChanged, self.day.currentIndexChanged):
            signal.connect(self.update_live)
        self.workers.itemChanged.connect(self.update_live)
        self.update_live()
        if self.width() < 560:
            self.resize(620, self.sizeHint().height())

    def values(self) -> dict:
        paid = self.kind.currentData() == "paid_visit"
        return {
            "kind": self.kind.currentData(), "day": self.day.currentData(), "part_of_day": self.part.currentData(),
            "approx_time": self.time.text(), "minutes": str(self.minutes.value()) if self.minutes.value() else "",
            "who": self.who.text(), "purpose": self.purpose.text(),
            "outcome_ids": self.outcomes.checked(), "worker_ids": self.workers.checked() if paid else [],
        }

    def proposed(self) -> PlanItem:
        values = self.values()
        minutes = self.minutes.value() or None
        return PlanItem(values["day"], values["part_of_day"], values["kind"], minutes=minutes,
                        worker_ids=values["worker_ids"], id=self.item.id)

    def update_live(self) -> None:
        """Planned paid hours with this item as it stands, against the envelope and the cap."""
        paid = self.kind.currentData() == "paid_visit"
        self.workers.setEnabled(paid)
        self.worker_filter.setEnabled(paid)
        self.minutes.setEnabled(True)
        others = [i for i in self.section.items if i.id != self.item.id]
        check = check_plan(self.section.store, self.section.week.id, [*others, self.proposed()], today=self.section.today)
        text = _("With this item the plan is {hours} hours a week.").format(hours=format_decimal(check.planned_hours))
        warnings = check.warnings()
        self.totals.setText(" ".join([text, *warnings]))
        self.totals.setStyleSheet(theme.text_style("warning", bold=True) if warnings else "")

    def accept(self) -> None:
        item, problems = item_from_form(self.values())
        if item is None:
            self._show(problems)
            return
        item.id = self.item.id
        if self.section.save_item(self, item, self._show):
            super().accept()

    def _show(self, problems: list[Problem]) -> None:
        unplaced = self.problems.show(problems)
        self.general.setText("\n".join(p.message for p in unplaced))
        self.general.setVisible(bool(unplaced))


class OverrideDialog(WindowModalDialog):
    """Ask why the plan may go above the personal-budget cap."""

    def __init__(self, parent: QWidget, message: str, reason: str = ""):
        super().__init__(parent, _("Above the personal-budget cap"))
        explanation = QLabel(message + "\n\n" + _(
            "For example: agreed with the social worker while the budget is reviewed."))
        explanation.setWordWrap(True)
        self.reason = QPlainTextEdit(reason)
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(_("Reason for going above the cap"))
        self.reason.setFixedHeight(80)
        self.problem = QLabel(_("Write the reason, or Cancel and reduce the visits."))
        theme.text_colour(self.problem, "overdue", bold=True)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.reason)
        layout.addWidget(self.problem)
        layout.addWidget(ok_cancel(self, _("Save above the cap")))
        if self.width() < 460:
            self.resize(520, self.sizeHint().height())

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if not self.text():
            self.problem.show()
            return
        super().accept()


class CopyDaysDialog(WindowModalDialog):
    """Choose the days to copy an item to."""

    def __init__(self, parent: QWidget, item: PlanItem):
        super().__init__(parent, _("Copy to other days"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Copy “{item}” to:").format(item=card_text(item))))
        self.boxes: list[QCheckBox] = []
        row = QHBoxLayout()
        for day, name in enumerate(DAY_SHORT):
            box = QCheckBox(name)
            box.setEnabled(day != item.day)
            box.setAccessibleName(DAY_NAMES[day])
            self.boxes.append(box)
            row.addWidget(box)
        layout.addLayout(row)
        every = QPushButton(_("Every other day"))
        every.clicked.connect(lambda: [b.setChecked(True) for b in self.boxes if b.isEnabled()])
        layout.addLayout(button_row(every, stretch_first=False))
        layout.addWidget(ok_cancel(self, _("Copy")))

    def days(self) -> list[int]:
        return [day for day, box in enumerate(self.boxes) if box.isChecked() and box.isEnabled()]


def card_text(item: PlanItem) -> str:
    text = KIND_LABELS.get(item.kind, item.kind)
    if item.purpose:
        text += ": " + item.purpose
    return _("{item}, {day} {part}").format(item=text, day=DAY_NAMES[item.day], part=PART_LABELS[item.part_of_day].lower())


class NewVersionDialog(WindowModalDialog):
    """Start a new version of the plan from a date, copying the plan chosen (or empty)."""

    def __init__(self, section: IdealWeekSection, first: bool):
        super().__init__(section, _("Start the ideal week") if first else _("New version from…"))
        self.section = section
        self.problems = FieldProblems()
        form = ProblemForm(self.problems)
        start = max(section.today, section.client_start or section.today) if not first else (section.client_start or section.today)
        self.effective = form.add("effective_date", _("The plan starts on"), date_field(start))
        self.agreed_with = form.add("agreed_with", _("Agreed with"), QLineEdit())
        self.agreed_with.setPlaceholderText(_("e.g. Mrs Hale and her son Tom"))
        self.agreed_on = form.add("agreed_on", _("Agreed on"), date_field(section.today))
        self.copy_from = form.add("copy_from", _("Start from"), QComboBox())
        for week in reversed(section.versions):
            self.copy_from.addItem(_("A copy of the plan from {day}").format(day=format_date(week.effective_date)), week.id)
        self.copy_from.addItem(_("An empty week"), None)
        if section.week is not None:
            self.copy_from.setCurrentIndex(self.copy_from.findData(section.week.id))
        self.general = QLabel()
        self.general.setWordWrap(True)
        theme.text_colour(self.general, "overdue", bold=True)
        self.general.hide()
        note = QLabel(_("The plan in force until then is kept as history and can still be viewed and printed."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if not first:
            layout.addWidget(note)
        layout.addWidget(self.general)
        layout.addWidget(ok_cancel(self, _("Start")))
        self.created: int | None = None

    def accept(self) -> None:
        def create(reason: str) -> int:
            return new_version(self.section.store, self.section.client_id, self.effective.text(), self.agreed_with.text(),
                               self.agreed_on.text(), copy_from=self.copy_from.currentData(), override_reason=reason,
                               today=self.section.today)
        created = self.section.with_override(self, create, self._show)
        if created is not None:
            self.created = created
            super().accept()

    def _show(self, problems: list[Problem]) -> None:
        unplaced = self.problems.show(problems)
        self.general.setText("\n".join(p.message for p in unplaced))
        self.general.setVisible(bool(unplaced))


# -- the section -------------------------------------------------------------------------------
class IdealWeekSection(QWidget):
    """The ideal-week planner of one client, with its versions, totals and printout."""

    def __init__(self, context, client_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.client_id = client_id
        self.today = dt.date.today()
        self.versions: list[IdealWeek] = []
        self.week: IdealWeek | None = None
        self.items: list[PlanItem] = []
        self.client_start: dt.date | None = None

        self.version_combo = QComboBox()
        self.version_combo.setAccessibleName(_("Version of the plan"))
        self.version_combo.setMinimumWidth(300)
        self.version_combo.activated.connect(self._version_chosen)
        self.version_note = QLabel()
        self.version_note.setWordWrap(True)
        self.new_version_button = QPushButton(_("New version from…"))
        self.new_version_button.clicked.connect(self.start_version)
        self.preview_button = QPushButton(_("Preview…"))
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton(_("Print…"))
        self.print_button.clicked.connect(self.print_sheet)
        self.save_pdf_button = QPushButton(_("Save PDF…"))
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.print_button.setToolTip(_("Ctrl+P"))
        add_shortcut(self, "Ctrl+P", self.print_button.click)
        plan_label = QLabel(_("Plan:"))
        plan_label.setBuddy(self.version_combo)
        top = QHBoxLayout()
        top.addWidget(plan_label)
        top.addWidget(self.version_combo)
        top.addWidget(self.new_version_button)
        top.addStretch(1)
        for button in (self.preview_button, self.print_button, self.save_pdf_button):
            top.addWidget(button)

        self.totals = QLabel()
        self.totals.setAccessibleName(_("Planned hours"))
        self.totals.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        theme.text_colour(self.warnings, "warning", bold=True)
        self.reason_button = QPushButton(_("Reason above the cap…"))
        self.reason_button.clicked.connect(self.change_reason)
        totals_row = QHBoxLayout()
        totals_column = QVBoxLayout()
        totals_column.addWidget(self.totals)
        totals_column.addWidget(self.warnings)
        totals_row.addLayout(totals_column, 1)
        totals_row.addWidget(self.reason_button, 0, Qt.AlignmentFlag.AlignTop)

        self.grid = WeekGrid()
        self.grid.edit_requested.connect(self.edit_item)
        self.grid.delete_requested.connect(self.delete_item)
        self.grid.add_requested.connect(lambda day, part: self.add_item(day, part))
        self.grid.move_requested.connect(self.move_item)
        self.grid.copy_requested.connect(self.copy_to_day)
        self.grid.menu_requested.connect(self.show_menu)
        self.grid.selection_changed.connect(lambda _id: self._update_buttons())
        scroller = QScrollArea()
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.grid)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start_button = QPushButton(_("Start the ideal week…"))
        self.start_button.clicked.connect(self.start_version)

        self.add_button = QPushButton(_("Add item…"))
        self.add_button.clicked.connect(lambda: self.add_item())
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(lambda: self.edit_item(self.grid.selected))
        self.copy_button = QPushButton(_("Copy to other days…"))
        self.copy_button.clicked.connect(lambda: self.copy_item(self.grid.selected))
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.clicked.connect(lambda: self.delete_item(self.grid.selected))
        hint = QLabel(_("Each change to the plan is saved as you make it. Drag an item to move it (hold Ctrl to copy). "
                        "By keyboard: arrow keys go round the week, Enter adds or edits, Delete removes, Ctrl+arrows move "
                        "an item, Ctrl+Shift+Left/Right copy it to the next day."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        bottom = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.copy_button, self.delete_button):
            bottom.addWidget(button)
        bottom.addWidget(hint, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.version_note)
        layout.addLayout(totals_row)
        layout.addWidget(scroller, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(bottom)
        self.scroller = scroller
        context.data_changed.connect(self.refresh)
        self.refresh()

    @property
    def store(self):
        return self.context.store

    # -- reading ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.today = dt.date.today()
        row = self.store.row("SELECT start_date FROM clients WHERE id = ?", (self.client_id,))
        if row is None:
            return
        self.client_start = dt.date.fromisoformat(row["start_date"]) if row["start_date"] else None
        self.versions = list_versions(self.store, self.client_id)
        keep = self.week.id if self.week else None
        if keep not in [v.id for v in self.versions]:
            in_force = [v for v in self.versions if version_state(self.versions, v, self.today) == "in_force"]
            keep = (in_force or self.versions[-1:] or [None])[0]
            keep = keep.id if keep else None
        self.week = next((v for v in self.versions if v.id == keep), None)
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for week in reversed(self.versions):
            self.version_combo.addItem(self._version_label(week), week.id)
        if self.week:
            self.version_combo.setCurrentIndex(self.version_combo.findData(self.week.id))
        self.version_combo.blockSignals(False)
        self._load_week()

    def _version_label(self, week: IdealWeek) -> str:
        state = version_state(self.versions, week, self.today)
        end = replaced_on(self.versions, week)
        if end:
            span = _("{first} to {last}").format(first=format_date(week.effective_date), last=format_date(end - dt.timedelta(days=1)))
        else:
            span = _("from {first}").format(first=format_date(week.effective_date))
        return f"{span} ({STATE_NAMES[state]})"

    def _version_chosen(self, index: int) -> None:
        week_id = self.version_combo.itemData(index)
        self.week = next((v for v in self.versions if v.id == week_id), None)
        self._load_week()

    @property
    def editable(self) -> bool:
        return (self.week is not None and not self.context.read_only
                and version_state(self.versions, self.week, self.today) != "history")

    def _load_week(self) -> None:
        has_plan = self.week is not None
        self.items = list_items(self.store, self.week.id) if has_plan else []
        self.grid.set_items(self.items, self.editable)
        for widget in (self.scroller, self.version_combo, self.preview_button, self.print_button, self.save_pdf_button,
                       self.totals):
            widget.setVisible(has_plan)
        self.empty.setVisible(not has_plan)
        self.start_button.setVisible(not has_plan and not self.context.read_only)
        self.new_version_button.setVisible(has_plan and not self.context.read_only)
        if not has_plan:
            self.empty.setText(_("There is no ideal week for this person yet. Start one to plan their visits and "
                                 "what family, friends, community groups and technology do."))
            self.version_note.clear()
            self.warnings.clear()
            self.reason_button.hide()
            self._update_buttons()
            return
        week = self.week
        note = []
        if week.agreed_with or week.agreed_on:
            note.append(_("Agreed with {who} on {day}.").format(who=week.agreed_with or _("(not recorded)"),
                                                              day=format_date(week.agreed_on) or _("(date not recorded)")))
        if not self.editable and not self.context.read_only:
            note.append(_("This version is history: it can be viewed and printed but not changed."))
        self.version_note.setText(" ".join(note))
        self.version_note.setVisible(bool(note))
        self.update_totals()
        self._update_buttons()

    def update_totals(self) -> None:
        check: PlanCheck = check_plan(self.store, self.week.id, self.items, today=self.today)
        parts = [_("Planned paid hours: <b>{hours}</b> a week").format(hours=format_decimal(check.planned_hours))]
        if check.envelope_hours is not None:
            parts.append(_("envelope {hours}").format(hours=format_decimal(check.envelope_hours)))
        else:
            parts.append(_("no envelope recorded"))
        if check.cap_hours is not None:
            parts.append(_("budget cap {hours} ({budget} ÷ {rate} an hour)").format(
                hours=format_decimal(check.cap_hours), budget=format_money(check.budget_pence), rate=format_money(check.rate_pence)))
        parts.append(_("preferred workers {count} of at most {most}").format(count=check.preferred_workers, most=MAX_PREFERRED_WORKERS))
        self.totals.setText(" · ".join(parts))
        self.warnings.setText("\n".join(check.warnings()))
        self.warnings.setVisible(bool(check.warnings()))
        self.reason_button.setVisible(self.editable and (check.above_cap or bool(self.week.override_reason)))
        self.check = check

    def _update_buttons(self) -> None:
        editable = self.editable
        selected = self.grid.selected is not None
        self.add_button.setEnabled(editable)
        for button in (self.edit_button, self.copy_button, self.delete_button):
            button.setEnabled(editable and selected)

    def selected_item(self, item_id: int | None) -> PlanItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    # -- writing ------------------------------------------------------------------------
    def with_override(self, parent: QWidget, write, show_problems=None):
        """Run ``write(reason)``; above the cap, ask for a reason and try again. Returns the
        write's result, or None when refused or cancelled (problems shown)."""
        reason = ""
        while True:
            try:
                result = write(reason)
            except CapExceeded as error:
                dialog = OverrideDialog(parent, error.problems[0].message)
                if not dialog.exec():
                    return None
                reason = dialog.text()
                continue
            except ValidationError as error:
                if show_problems is not None:
                    show_problems(error.problems)
                else:
                    show_error(parent, str(error))
                return None
            except BranchDeskError as error:
                show_error(parent, str(error))
                return None
            return result if result is not None else True

    def _changed(self, select: int | None = None) -> None:
        if select is not None:
            self.grid.selected = select
        self.context.notify_changed()
        if select is not None:
            self.grid.focus_item(select)

    def save_item(self, dialog: QWidget, item: PlanItem, show_problems) -> bool:
        if item.id:
            saved = self.with_override(dialog, lambda reason: update_item(self.store, item.id, item, reason, today=self.today),
                                       show_problems)
            select = item.id
        else:
            saved = self.with_override(dialog, lambda reason: add_item(self.store, self.week.id, item, reason, today=self.today),
                                       show_problems)
            select = saved
        if saved is None:
            return False
        self._changed(select)
        return True

    def add_item(self, day: int | None = None, part: str | None = None) -> None:
        if not self.editable:
            return
        current = self.selected_item(self.grid.selected)
        here = (current.day, current.part_of_day) if current else self.grid.position or (0, "morning")
        item = PlanItem(day if day is not None else here[0], part or here[1], "paid_visit", minutes=30)
        ItemDialog(self, item).exec()
        self._focus_selected()

    def edit_item(self, item_id: int | None) -> None:
        item = self.selected_item(item_id)
        if item is None:
            return
        if not self.editable:
            return
        ItemDialog(self, item).exec()
        self._focus_selected()

    def _focus_selected(self) -> None:
        """Back from a dialog, the keyboard is on the item just saved (else where it was)."""
        if self.grid.selected in self.grid.cards:
            self.grid.focus_item(self.grid.selected)

    def delete_item(self, item_id: int | None) -> None:
        item = self.selected_item(item_id)
        if item is None or not self.editable:
            return
        if not confirm(self, _("Delete from the week"), _("Delete “{item}” from the plan?").format(item=card_text(item)),
                       _("Delete"), danger=True):
            return
        try:
            delete_item(self.store, item.id, today=self.today)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.grid.selected = None
        self._changed()
        self.grid.cells[(item.day, item.part_of_day)].setFocus(Qt.FocusReason.OtherFocusReason)

    def move_item(self, item_id: int, day: int, part: str) -> None:
        if not self.editable:
            return
        try:
            move_item(self.store, item_id, day, part, today=self.today)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self._changed(item_id)

    def copy_to_day(self, item_id: int, day: int) -> None:
        self._copy(item_id, [day])

    def copy_item(self, item_id: int | None) -> None:
        item = self.selected_item(item_id)
        if item is None or not self.editable:
            return
        dialog = CopyDaysDialog(self, item)
        if dialog.exec() and dialog.days():
            self._copy(item.id, dialog.days())

    def _copy(self, item_id: int, days: list[int]) -> None:
        ids = self.with_override(self, lambda reason: copy_item_to_days(self.store, item_id, days, reason, today=self.today))
        if ids:
            self._changed(ids[0] if isinstance(ids, list) else None)

    def show_menu(self, item_id: int, position: QPoint) -> None:
        menu = QMenu(self)
        editable = self.editable
        for text, handler in ((_("Edit…"), self.edit_item), (_("Copy to other days…"), self.copy_item),
                              (_("Delete"), self.delete_item)):
            action = menu.addAction(text)
            action.setEnabled(editable)
            action.triggered.connect(lambda _checked=False, h=handler: h(item_id))
        menu.exec(position)

    def start_version(self) -> None:
        dialog = NewVersionDialog(self, first=not self.versions)
        if dialog.exec() and dialog.created:
            self.week = None
            self.versions = []
            self.context.notify_changed()
            self.week = next((v for v in self.versions if v.id == dialog.created), self.week)
            self.version_combo.setCurrentIndex(self.version_combo.findData(dialog.created))
            self._version_chosen(self.version_combo.currentIndex())

    def change_reason(self) -> None:
        if self.week is None:
            return
        dialog = OverrideDialog(self, self.check.cap_message() if self.check.above_cap else _(
            "The plan is within the personal-budget cap."), self.week.override_reason)
        if not dialog.exec():
            return
        try:
            set_override_reason(self.store, self.week.id, dialog.text(), today=self.today)
        except BranchDeskError as error:
            show_error(self, str(error))
            return
        self.context.notify_changed()

    # -- the printout ---------------------------------------------------------------------
    def _pdf(self) -> bytes | None:
        if self.week is None:
            return None
        try:
            return render_ideal_week_pdf(self.store, self.week.id)
        except BranchDeskError as error:
            show_error(self, str(error))
            return None

    def preview(self) -> None:
        pdf = self._pdf()
        if pdf is not None:
            PdfPreviewDialog(self, _("Ideal-week sheet"), pdf, suggested_filename(self.store, self.week.id)).exec()

    def print_sheet(self) -> None:
        pdf = self._pdf()
        if pdf is not None:
            print_pdf(self, pdf, _("Ideal-week sheet"))

    def save_pdf(self) -> None:
        pdf = self._pdf()
        if pdf is not None:
            save_pdf_as(self, pdf, suggested_filename(self.store, self.week.id))
