"""``branchdesk``: the desktop application.

``branchdesk --db FILE`` opens that branch file, ``branchdesk --demo`` the demo branch,
``branchdesk --self-test`` checks an installed copy headlessly.
"""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="branchdesk", description="BranchDesk: run a home-care branch.")
    parser.add_argument("--db", metavar="FILE", help="open this branch file")
    parser.add_argument("--demo", action="store_true", help="open the demo branch (built on first use)")
    parser.add_argument("--self-test", action="store_true", help="build a claim and its PDF in a temporary branch, then exit")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def _install_excepthook() -> None:
    """Show an unexpected error as a plain message instead of a traceback on the console only."""
    def hook(kind, error, traceback) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        sys.__excepthook__(kind, error, traceback)
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "BranchDesk",
                f"Something went wrong that BranchDesk did not expect ({kind.__name__}: {error}). "
                "Your saved data is safe; if this keeps happening, tell your support contact what you were doing.",
            )

    sys.excepthook = hook


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from branchdesk.self_test import run_self_test

        return run_self_test()
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from branchdesk import APP_NAME
    from branchdesk.paths import resource
    from branchdesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    icon = resource("icons/branchdesk.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    _install_excepthook()
    window = MainWindow()
    window.show()
    window.open_initial(db=args.db, demo=args.demo)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
