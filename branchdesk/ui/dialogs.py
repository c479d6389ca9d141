"""Shared dialog pieces: window-modal dialogs that remember their size, button rows,
plain error and question boxes, per-field problem labels and the import problems table."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.i18n import _
from branchdesk.models.errors import Problem
from branchdesk.ui import theme
from branchdesk.ui.context import app_settings
from branchdesk.ui.tables import RecordTableModel


class WindowModalDialog(QDialog):
    """A dialog modal to its window, whose size and position are remembered per dialog class."""

    def __init__(self, parent: QWidget | None, title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._geometry_key = f"geometry/{type(self).__name__}"
        saved = app_settings().value(self._geometry_key)
        if saved is not None:
            self.restoreGeometry(saved)

    def showEvent(self, event) -> None:
        keyboard_ready(self)
        super().showEvent(event)

    def done(self, result: int) -> None:
        app_settings().setValue(self._geometry_key, self.saveGeometry())
        super().done(result)


def button_row(*buttons: QPushButton | None, stretch_first: bool = True) -> QHBoxLayout:
    """A right-aligned row of buttons (None entries are skipped)."""
    row = QHBoxLayout()
    if stretch_first:
        row.addStretch(1)
    for button in buttons:
        if button is not None:
            row.addWidget(button)
    return row


def ok_cancel(dialog: QDialog, ok_text: str | None = None) -> QDialogButtonBox:
    """The platform's OK/Cancel box wired to accept/reject; ``ok_text`` renames OK."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    if ok_text:
        box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def with_mnemonic(text: str, taken: set[str]) -> str:
    """``text`` with an Alt+letter not yet in ``taken`` (a word's first letter if free, else any
    letter; unchanged when it has one already or none is free); the letter is added to ``taken``."""
    if "&" in text:
        at = text.find("&")
        if at + 1 < len(text):
            taken.add(text[at + 1].lower())
        return text
    starts = [i for i, c in enumerate(text) if c.isalpha() and (i == 0 or not text[i - 1].isalpha())]
    for at in [*starts, *(i for i, c in enumerate(text) if c.isalpha())]:
        if text[at].lower() not in taken:
            taken.add(text[at].lower())
            return text[:at] + "&" + text[at:]
    return text


def add_shortcut(widget: QWidget, key, slot) -> QShortcut:
    """A shortcut that works while the focus is anywhere in ``widget`` (a screen, section or dialog)."""
    shortcut = QShortcut(QKeySequence(key), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


def enter_activates(view: QAbstractItemView, slot) -> None:
    """Enter on a row of ``view`` does what a double-click does, and only that (not a dialog's default button too)."""
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        shortcut = QShortcut(QKeySequence(key), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)


def tab_after(anchor: QWidget, widget: QWidget) -> None:
    """Put the controls of ``widget``, made after the rest of its window, right after ``anchor``
    in the tab order (a late widget's controls otherwise come last)."""
    controls = []
    child = widget.nextInFocusChain()
    while child is not widget:
        if widget.isAncestorOf(child) and child.focusPolicy() & Qt.FocusPolicy.TabFocus:
            controls.append(child)
        child = child.nextInFocusChain()
        if child is anchor:
            break
    previous = anchor
    for control in controls:
        QWidget.setTabOrder(previous, control)
        previous = control


def keyboard_ready(root: QWidget, reserved: Iterable[str] = ()) -> None:
    """Alt+letters for the controls under ``root`` (see ``give_mnemonics``), names for the
    clear buttons of its text boxes, which show only an icon, and Tab straight past read-only
    tables (arrow keys move within them) instead of through every cell."""
    give_mnemonics(root, reserved)
    for view in root.findChildren(QAbstractItemView):
        if view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers:
            view.setTabKeyNavigation(False)
    for edit in root.findChildren(QLineEdit):
        for button in edit.findChildren(QToolButton):
            if not button.accessibleName():
                button.setAccessibleName(_("Clear {field}").format(field=edit.accessibleName()).strip())


def give_mnemonics(root: QWidget, reserved: Iterable[str] = ()) -> None:
    """Give every button, check box and field label (a label with a buddy) under ``root`` an
    Alt+letter of its own, in focus order; letters already given, and ``reserved``, are kept."""
    order: dict[QWidget, int] = {}
    widget = root.nextInFocusChain()
    while widget is not root and widget not in order:
        order[widget] = len(order)
        widget = widget.nextInFocusChain()

    def place(candidate: QWidget) -> int:
        target = candidate.buddy() if isinstance(candidate, QLabel) else candidate
        while target is not None and target.focusProxy() is not None:
            target = target.focusProxy()
        return order.get(target, len(order))

    candidates = [w for w in root.findChildren(QAbstractButton)
                  if not isinstance(w, QToolButton) and w.text().strip() and not w.objectName().startswith("qt_")]
    candidates += [label for label in root.findChildren(QLabel) if label.buddy() is not None and label.text().strip()
                   and "<" not in label.text()]

    def pages(candidate: QWidget) -> tuple:
        """The pages of stacks (and tabs) the control is on: only one page of a stack is shown, so
        controls on different pages may share a letter."""
        found = []
        widget = candidate
        while widget is not None and widget is not root:
            parent = widget.parentWidget()
            if isinstance(parent, QStackedWidget):
                found.append(widget)
            widget = parent
        return tuple(reversed(found))

    taken: dict[tuple, set[str]] = {(): {letter.lower() for letter in reserved}}

    def letters(where: tuple) -> set[str]:
        return set().union(*(taken.get(where[:depth], set()) for depth in range(len(where) + 1)))

    for candidate in candidates:
        if "&" in candidate.text():
            with_mnemonic(candidate.text(), taken.setdefault(pages(candidate), set()))
    for candidate in sorted(candidates, key=lambda c: (len(pages(c)), place(c))):
        if "&" not in candidate.text():
            where = pages(candidate)
            free = letters(where)
            text = with_mnemonic(candidate.text(), free)
            if text != candidate.text():
                taken.setdefault(where, set()).add(text[text.index("&") + 1].lower())
                candidate.setText(text)


def show_error(parent: QWidget | None, message: str, title: str | None = None) -> None:
    """A plain-sentence error box."""
    QMessageBox.warning(parent, title or _("BranchDesk"), message)


def show_info(parent: QWidget | None, message: str, title: str | None = None) -> None:
    QMessageBox.information(parent, title or _("BranchDesk"), message)


def confirm(parent: QWidget | None, title: str, text: str, yes_text: str | None = None, danger: bool = False) -> bool:
    """Ask a yes/no question; returns True for yes. The safe answer is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(yes_text or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no if danger else yes)
    box.exec()
    return box.clickedButton() is yes


def grow_to_fit(window: QWidget) -> None:
    """Make a dialog tall enough for its contents at its present width, so word-wrapped messages
    that have just appeared are not squeezed over their fields (never shrinks; stays on the screen)."""
    layout = window.layout()
    if not isinstance(window, QDialog) or layout is None or window.isMaximized() or window.isFullScreen():
        return
    layout.activate()
    width = window.width()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    screen = QWidget.screen(window)
    if screen is not None:
        needed = min(needed, screen.availableGeometry().height())
    if needed > window.height():
        window.resize(width, needed)


class FieldProblems:
    """Shows each validation problem beside its field, all at once.

    Register a label per field name (``label_for(name)`` creates a hidden red label to
    put under the field); ``show(problems)`` fills them and returns the unplaced ones.
    """

    def __init__(self):
        self._labels: dict[str, QLabel] = {}

    def label_for(self, field: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        theme.text_colour(label, "overdue")
        label.setAccessibleName(_("Problem"))
        label.hide()
        self._labels[field] = label
        return label

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.hide()

    def show(self, problems: Iterable[Problem]) -> list[Problem]:
        """Show each problem beside its field; returns the problems with no field label."""
        self.clear()
        unplaced = []
        grouped: dict[str, list[str]] = {}
        for problem in problems:
            if problem.field in self._labels:
                grouped.setdefault(problem.field, []).append(problem.message)
            else:
                unplaced.append(problem)
        for field, messages in grouped.items():
            self._labels[field].setText("\n".join(messages))
            self._labels[field].show()
        if (grouped or unplaced) and self._labels:
            # Once the caller has shown any general message too, make room for the wrapped text.
            window = next(iter(self._labels.values())).window()
            QTimer.singleShot(0, window, lambda: grow_to_fit(window))
        return unplaced


#: Above this many problems the rows keep one height, so a huge list still opens at once.
MAX_FITTED_PROBLEM_ROWS = 2000


class ProblemColumns(IntEnum):
    SHEET = 0
    ROW = 1
    COLUMN = 2
    MESSAGE = 3


class ProblemsModel(RecordTableModel):
    Columns = ProblemColumns
    headers = {
        ProblemColumns.SHEET: _("Sheet"),
        ProblemColumns.ROW: _("Row"),
        ProblemColumns.COLUMN: _("Column"),
        ProblemColumns.MESSAGE: _("Problem"),
    }

    def display(self, problem, column: int):
        if column == ProblemColumns.SHEET:
            return problem.sheet
        if column == ProblemColumns.ROW:
            return "" if problem.row is None else problem.row
        if column == ProblemColumns.COLUMN:
            return problem.column
        return problem.message

    def sort_key(self, problem, column: int):
        if column == ProblemColumns.ROW:
            return problem.row or 0
        return super().sort_key(problem, column)


class ProblemsTable(QWidget):
    """Every import problem (sheet, row, column, message): sortable, and copyable with Ctrl+C."""

    def __init__(self, problems=(), parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ProblemsModel(list(problems))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(RecordTableModel.SortRole)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(ProblemColumns.ROW, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(ProblemColumns.MESSAGE, QHeaderView.ResizeMode.Stretch)
        for column in (ProblemColumns.SHEET, ProblemColumns.ROW, ProblemColumns.COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setAccessibleName(_("Problems found"))
        # Each row as tall as its wrapped message, worked out again when the columns change width.
        self._fit_rows = QTimer(self)
        self._fit_rows.setSingleShot(True)
        self._fit_rows.timeout.connect(self.fit_rows)
        header.sectionResized.connect(lambda *_args: self._fit_rows.start(0))
        self.model.modelReset.connect(lambda: self._fit_rows.start(0))
        self.proxy.layoutChanged.connect(lambda *_args: self._fit_rows.start(0))
        copy_all = QPushButton(_("Copy all"))
        copy_all.clicked.connect(self.copy_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(button_row(copy_all))
        self._fit_rows.start(0)

    def set_problems(self, problems) -> None:
        self.model.set_rows(list(problems))

    def fit_rows(self) -> None:
        """Make each row tall enough for its whole message (skipped for very long lists, which stay quick)."""
        if self.proxy.rowCount() <= MAX_FITTED_PROBLEM_ROWS:
            self.view.resizeRowsToContents()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selected()
            return
        super().keyPressEvent(event)

    def _as_text(self, proxy_rows: list[int]) -> str:
        lines = ["\t".join(self.model.headers[c] for c in ProblemColumns)]
        for row in proxy_rows:
            problem = self.model.row_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            lines.append("\t".join(str(self.model.display(problem, c)) for c in ProblemColumns))
        return "\n".join(lines)

    def copy_selected(self) -> None:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        QApplication.clipboard().setText(self._as_text(rows or list(range(self.proxy.rowCount()))))

    def copy_all(self) -> None:
        QApplication.clipboard().setText(self._as_text(list(range(self.proxy.rowCount()))))

    def selected_index(self) -> QModelIndex:
        return self.view.currentIndex()
