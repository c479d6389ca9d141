"""Opening the app on a branch stays quick: the heavy libraries load only when they are used."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_start_up_path_does_not_load_spreadsheet_pdf_or_sqlite_utils_libraries(tmp_path):
    from branchdesk.models.db import create_branch

    path = tmp_path / "branch.sqlite"
    create_branch(path, "North Wiltshire").close()
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from branchdesk.ui.main_window import MainWindow\n"
        "w = MainWindow(); w.show()\n"
        "assert w.open_branch_file(sys.argv[1])\n"
        "import time\n"
        "deadline = time.monotonic() + 60\n"
        "while w.screen('today').summary is None and time.monotonic() < deadline:\n"
        "    app.processEvents(); time.sleep(0.01)\n"
        "assert w.screen('today').summary is not None\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'reportlab', 'sqlite_utils'})\n"
        "print(','.join(heavy) or 'none')\n"
        "w.close_branch()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCHDESK_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "none"


def test_the_illegal_character_rule_matches_openpyxls():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as openpyxls

    from branchdesk.models.spreadsheet_safety import ILLEGAL_CHARACTERS_RE, safe_cell

    assert ILLEGAL_CHARACTERS_RE.pattern == openpyxls.pattern
    every = "".join(chr(c) for c in range(0x80))
    assert re.sub(openpyxls, "", every) == ILLEGAL_CHARACTERS_RE.sub("", every)
    assert safe_cell("a\x07b") == "ab"
