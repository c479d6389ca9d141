"""The main window: navigation between the screens, the menus, and the open branch file."""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFontMetrics, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from branchdesk import APP_NAME
from branchdesk.i18n import _
from branchdesk.models.errors import BranchDeskError
from branchdesk.ui import theme
from branchdesk.ui.context import AppContext, app_settings
from branchdesk.ui.dialogs import keyboard_ready, show_error, show_info

#: The screens in navigation order: (key, title, module, class). Each class is
#: constructed as ``Screen(context, parent)`` and has ``refresh()``.
SCREENS = [
    ("today", _("Today"), "branchdesk.ui.today", "TodayScreen"),
    ("clients", _("Clients"), "branchdesk.ui.clients", "ClientsScreen"),
    ("reviews", _("Reviews"), "branchdesk.ui.reviews", "ReviewsScreen"),
    ("visits", _("Visits"), "branchdesk.ui.visits", "VisitsScreen"),
    ("claims", _("Claims"), "branchdesk.ui.claims", "ClaimsScreen"),
    ("contracts", _("Contracts"), "branchdesk.ui.contracts", "ContractsScreen"),
    ("team", _("Team"), "branchdesk.ui.team", "TeamScreen"),
    ("settings", _("Settings"), "branchdesk.ui.settings", "SettingsScreen"),
]
#: Screens with a count beside their navigation item: key → module with ``navigation_badge(context)``.
BADGES = {"reviews": "branchdesk.ui.reviews"}
BRANCH_FILE_FILTER = _("BranchDesk branch files (*.sqlite *.branchdesk);;All files (*)")
MAX_RECENT = 8
#: The navigation list's width at the usual font size; it widens for a larger font.
NAVIGATION_WIDTH = 210
#: The Alt+letters of the menus (&File, &Go, &Reports, &Help), kept free on the screens.
MENU_MNEMONICS = "fgrh"


def load_class(module: str, name: str):
    return getattr(importlib.import_module(module), name)


class MainWindow(QMainWindow):
    """One window per branch file."""

    def __init__(self, context: AppContext | None = None):
        super().__init__()
        self.context = context or AppContext(self)
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(QSize(960, 600))
        from branchdesk.paths import resource

        icon = resource("icons/branchdesk.png")
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self._screens: dict[str, QWidget] = {}
        self._build_ui()
        self._build_menus()
        self.context.data_changed.connect(self._refresh_visible)
        self.context.data_changed.connect(self.update_badges)
        self.context.data_changed.connect(self._show_title)
        settings = app_settings()
        geometry = settings.value("geometry/MainWindow")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self._show_welcome()

    # -- layout ----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.navigation = QListWidget()
        self.navigation.setAccessibleName(_("Screens"))
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        theme.follow(self.navigation, lambda _navigation: self._style_navigation())
        self.navigation.setAccessibleDescription(_("Ctrl+1 to Ctrl+{last} switch screens; Enter moves into the screen.").format(
            last=len(SCREENS)))
        for number, (key, title, _module, _cls) in enumerate(SCREENS, start=1):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(_("Ctrl+{number}").format(number=number))
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self._show_screen_at)
        self.navigation.itemActivated.connect(lambda _item: self.focus_screen())
        self.stack = QStackedWidget()
        self.welcome = None
        #: shown while a branch file is checked before it is opened
        self.opening = QLabel()
        self.opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.larger_text(self.opening, theme.SCREEN_TITLE)
        self.stack.addWidget(self.opening)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.file_label = QLabel()
        self.statusBar().addPermanentWidget(self.file_label)

    def _style_navigation(self) -> None:
        """Navigation text a little larger than the body, in a list wide enough for its longest item."""
        style = f"QListWidget {{ {theme.font_style(theme.LARGER)} }} QListWidget::item {{ padding: 8px 10px; }}"
        if self.navigation.styleSheet() != style:
            self.navigation.setStyleSheet(style)
        metrics = QFontMetrics(theme.scaled_font(theme.LARGER))
        widest = max((metrics.horizontalAdvance(self.navigation.item(row).text()) for row in range(self.navigation.count())), default=0)
        self.navigation.setFixedWidth(max(NAVIGATION_WIDTH, widest + 40))

    def _action(self, text: str, slot, shortcut=None, menu=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self._action(_("&New branch…"), self.new_branch, QKeySequence.StandardKey.New, file_menu)
        self._action(_("&Open…"), self.choose_and_open, QKeySequence.StandardKey.Open, file_menu)
        self._action(_("Open &demo branch"), self.open_demo, None, file_menu)
        self.recent_menu = file_menu.addMenu(_("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.branch_actions = [
            self._action(_("Import &caseload…"), lambda: self._call("branchdesk.ui.caseload_import", "run_caseload_import"), None, file_menu),
            self._action(_("E&xport caseload…"), lambda: self._call("branchdesk.ui.caseload_import", "run_caseload_export"), None, file_menu),
            self._action(_("Import &visits…"), lambda: self._call("branchdesk.ui.visits_import", "run_visits_import"), None, file_menu),
            self._action(_("Export visit &data…"), lambda: self._call("branchdesk.ui.visits_import", "run_visit_data_export"), None, file_menu),
        ]
        file_menu.addSeparator()
        self.branch_actions += [
            self._action(_("&Back up now…"), lambda: self._call("branchdesk.ui.backup_restore", "back_up_now_dialog"), None, file_menu),
            self._action(_("&Restore…"), lambda: self._call("branchdesk.ui.backup_restore", "restore_dialog"), None, file_menu),
            self._action(_("&Move branch file…"), lambda: self._call("branchdesk.ui.backup_restore", "move_branch_file_dialog"), None, file_menu),
        ]
        file_menu.addSeparator()
        self._action(_("&Quit"), self.close, QKeySequence.StandardKey.Quit, file_menu)

        go_menu = bar.addMenu(_("&Go"))
        for number, (key, title, _module, _cls) in enumerate(SCREENS, start=1):
            self.branch_actions.append(self._action(
                f"&{number} {title}", lambda _checked=False, k=key: self.go_to_screen(k), f"Ctrl+{number}", go_menu))

        self.reports_menu = bar.addMenu(_("&Reports"))
        self.reports_menu.aboutToShow.connect(self._fill_reports_menu)

        help_menu = bar.addMenu(_("&Help"))
        self.branch_actions += [
            self._action(_("&Check this branch file"), lambda: self._call("branchdesk.ui.backup_restore", "check_branch_dialog"), None, help_menu),
            self._action(_("&Audit log…"), lambda: self._call("branchdesk.ui.audit_log", "show_audit_log"), None, help_menu),
        ]
        help_menu.addSeparator()
        self._action(_("&About BranchDesk"), self.about, None, help_menu)

    def _fill_reports_menu(self) -> None:
        from branchdesk.ui.reports import fill_reports_menu

        self.reports_menu.clear()
        fill_reports_menu(self, self.reports_menu)

    def _call(self, module: str, function: str) -> None:
        """Run a menu command that lives in a screen module, with errors shown plainly."""
        if self.context.store is None:
            show_info(self, _("Open a branch file first (File → Open…)."))
            return
        try:
            load_class(module, function)(self)
        except BranchDeskError as error:
            show_error(self, str(error))

    # -- screens ---------------------------------------------------------------------
    def screen(self, key: str) -> QWidget:
        """The screen for ``key``, created on first use."""
        if key not in self._screens:
            _key, title, module, cls = next(s for s in SCREENS if s[0] == key)
            widget = load_class(module, cls)(self.context, self)
            self._screens[key] = widget
            self.stack.addWidget(widget)
            keyboard_ready(widget, MENU_MNEMONICS)
        return self._screens[key]

    def show_screen(self, key: str) -> QWidget:
        """Switch to a screen (also selects it in the navigation)."""
        row = next(i for i, s in enumerate(SCREENS) if s[0] == key)
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)
        else:
            self._show_screen_at(row)
        return self._screens[key]

    def go_to_screen(self, key: str) -> None:
        """Switch to a screen from the keyboard (Ctrl+1…8) and put the focus in it."""
        if self.context.store is not None:
            self.show_screen(key)
            self.focus_screen()

    def focus_screen(self) -> None:
        """Put the focus on the first control of the screen shown (Enter in the navigation)."""
        screen = self.stack.currentWidget()
        widget = screen.nextInFocusChain() if screen is not None else None
        while widget is not None and widget is not screen:
            if (screen.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def _show_screen_at(self, row: int) -> None:
        if row < 0 or self.context.store is None:
            return
        widget = self.screen(SCREENS[row][0])
        widget.refresh()
        self.stack.setCurrentWidget(widget)

    def _refresh_visible(self) -> None:
        current = self.stack.currentWidget()
        if current is not None and current is not self.welcome and hasattr(current, "refresh"):
            current.refresh()
        for widget in self._screens.values():
            if widget is not current:
                widget.setProperty("stale", True)

    def update_badges(self) -> None:
        """Counts beside navigation items (e.g. overdue reviews)."""
        for row, (key, title, _module, _cls) in enumerate(SCREENS):
            item = self.navigation.item(row)
            badge = ""
            if self.context.store is not None and key in BADGES:
                badge = importlib.import_module(BADGES[key]).navigation_badge(self.context) or ""
            item.setText(f"{title}  ({badge})" if badge else title)
        self._style_navigation()

    def _show_welcome(self) -> None:
        from branchdesk.ui.welcome import WelcomePage

        if self.welcome is None:
            self.welcome = WelcomePage(self)
            self.stack.addWidget(self.welcome)
        self.stack.setCurrentWidget(self.welcome)
        self.navigation.setEnabled(False)
        for action in self.branch_actions:
            action.setEnabled(False)
        self.file_label.setText(_("No branch file open"))
        self._show_title()

    # -- opening and closing branch files --------------------------------------------------
    def open_branch_file(self, path: Path | str, read_only: bool = False) -> bool:
        """Close the current branch (if any) and open ``path``; plain message on failure."""
        plan = self._plan_opening(path, read_only)
        return plan is not None and self._open_planned(plan, check=True)

    def open_branch_file_checked_in_background(self, path: Path | str) -> None:
        """Open ``path`` at start-up: the window shows at once while the file's integrity check
        runs off the UI thread; the branch is used only once the check has passed."""
        from branchdesk.models.db import verify_branch_file
        from branchdesk.ui.tasks import run_task

        plan = self._plan_opening(path, False)
        if plan is None:
            return
        self.opening.setText(_("Opening {name} and checking it…").format(name=plan.path.name))
        self.stack.setCurrentWidget(self.opening)

        def work(_store, _progress, _abort):
            verify_branch_file(plan.path)

        def refused(message: str) -> None:
            plan.release()
            show_error(self, message, _("Cannot open the branch file"))
            self._show_welcome()

        run_task(self, _("Opening the branch file"), work, lambda _result: self._open_planned(plan, check=False),
                 refused, cancellable=False, quiet=True)

    def _plan_opening(self, path: Path | str, read_only: bool):
        """Close the current branch and settle how ``path`` is to be opened (None: not at all)."""
        from branchdesk.ui.file_in_use import prepare_to_open

        self.close_branch()
        plan = prepare_to_open(self, Path(path), read_only)
        if plan is None:
            self._show_welcome()
        return plan

    def _open_planned(self, plan, check: bool) -> bool:
        from branchdesk.models.db import open_branch

        try:
            store = open_branch(plan.path, user=self.context.user, read_only=plan.read_only, check=check)
        except BranchDeskError as error:
            plan.release()
            show_error(self, str(error), _("Cannot open the branch file"))
            self._show_welcome()
            return False
        self.context.file_lock = plan.lock
        self._use_store(store)
        return True

    def _use_store(self, store) -> None:
        self.context.store = store
        self.context.store_changed.emit()
        self._remember_recent(store.path)
        suffix = _(" (read-only)") if store.read_only else ""
        self._show_title()
        self.file_label.setText(_("Branch file: {path}{suffix}").format(path=store.path, suffix=suffix))
        for action in self.branch_actions:
            action.setEnabled(True)
        self.navigation.setEnabled(True)
        for widget in list(self._screens.values()):
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self._screens.clear()
        self.update_badges()
        self.navigation.setCurrentRow(-1)
        self.navigation.setCurrentRow(0)

    def _show_title(self) -> None:
        """The branch's name in the title bar, kept up to date when it is changed in Settings."""
        from branchdesk.models.branch import get_branch

        store = self.context.store
        if store is None:
            self.setWindowTitle(APP_NAME)
            return
        suffix = _(" (read-only)") if store.read_only else ""
        self.setWindowTitle(f"{get_branch(store)['name']} — {APP_NAME}{suffix}")

    def close_branch(self) -> None:
        """Close the open branch file: automatic backup, then release it."""
        store = self.context.store
        if store is None:
            return
        if not store.read_only:
            try:
                from branchdesk.models.backups import automatic_backup

                automatic_backup(store)
            except BranchDeskError as error:
                self.statusBar().showMessage(str(error), 10000)
        store.close()
        self.context.store = None
        lock = self.context.file_lock
        if lock is not None:
            lock.release()
            self.context.file_lock = None
        self.context.store_changed.emit()

    def choose_and_open(self) -> None:
        start = str(Path(app_settings().value("files/last", "") or "").parent)
        path, _filter = QFileDialog.getOpenFileName(self, _("Open a branch file"), start, BRANCH_FILE_FILTER)
        if path:
            self.open_branch_file(path)

    def open_demo(self) -> None:
        """Open the demo branch, building it first (off the UI thread) when it does not exist."""
        from branchdesk.paths import demo_file

        path = demo_file()
        if path.exists():
            self.open_branch_file_checked_in_background(path)
            return
        from branchdesk.models.demo import build_demo
        from branchdesk.ui.tasks import run_task

        def work(_store, progress, _abort):
            return build_demo(path, progress=progress)

        run_task(self, _("Building the demo branch…"), work, lambda _summary: self.open_branch_file(path), cancellable=False)

    def new_branch(self) -> None:
        from branchdesk.ui.welcome import NewBranchDialog

        dialog = NewBranchDialog(self)
        if dialog.exec() and dialog.created_path:
            self.open_branch_file(dialog.created_path)

    def _remember_recent(self, path: Path) -> None:
        settings = app_settings()
        recent = [p for p in (settings.value("files/recent") or []) if p and p != str(path)]
        if isinstance(recent, str):
            recent = [recent]
        settings.setValue("files/recent", [str(path), *recent][:MAX_RECENT])
        settings.setValue("files/last", str(path))

    def recent_files(self) -> list[str]:
        recent = app_settings().value("files/recent") or []
        return [recent] if isinstance(recent, str) else list(recent)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        if not recent:
            self.recent_menu.addAction(_("No recent files")).setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_branch_file(p))

    def about(self) -> None:
        from branchdesk.ui.welcome import show_about

        show_about(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        for widget in self._screens.values():
            can_close = getattr(widget, "can_close", None)
            if can_close is not None and not can_close():
                event.ignore()
                return
        app_settings().setValue("geometry/MainWindow", self.saveGeometry())
        self.close_branch()
        super().closeEvent(event)

    def open_initial(self, db: str | None = None, demo: bool = False) -> None:
        """What to open at start-up: ``--db``, ``--demo``, else the last file, else the welcome page."""
        if demo:
            QTimer.singleShot(0, self.open_demo)
        elif db:
            self.open_branch_file_checked_in_background(db)
        else:
            last = app_settings().value("files/last", "")
            if last and Path(last).exists():
                self.open_branch_file_checked_in_background(last)
