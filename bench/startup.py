"""Seconds from process start to the main window shown on a 300-client, 36-month demo branch,
beside the same measure for a bare PySide6 QMainWindow. Target: at most 2× the bare window.

    python bench/startup.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = """
import sys, time
start = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show()
def shown():
    print(time.time() - start); app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

FULL = """
import sys, time
start = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
app = QApplication([])
from branchdesk.ui.main_window import MainWindow
w = MainWindow(); w.resize(1280, 800); w.show()
w.open_branch_file(sys.argv[2])
def shown():
    print(time.time() - start); app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def measure(code: str, *args: str, runs: int = 3) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code, str(time.time()), *args], capture_output=True, text=True, env=env, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["BRANCHDESK_DATA_DIR"] = folder
        path = Path(folder) / "bench.sqlite"
        from branchdesk.models.demo import build_demo

        build_demo(path, clients=300, months=36, seed=1)
        bare = measure(BARE)
        full = measure(FULL, str(path))
    print(f"bare QMainWindow shown: {bare:.2f} s")
    print(f"BranchDesk main window on a 300-client, 36-month branch: {full:.2f} s")
    print(f"ratio: {full / bare:.2f}× (target ≤ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
