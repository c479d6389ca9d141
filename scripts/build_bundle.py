"""Build the one-folder app with PyInstaller, then run its self-test from the bundle.

    python scripts/build_bundle.py        (needs:  pip install -e ".[build]")
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    started = time.time()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", str(ROOT / "build.spec")],
        cwd=ROOT,
        check=True,
    )
    folder = ROOT / "dist" / "BranchDesk"
    exe = folder / ("BranchDesk.exe" if os.name == "nt" else "BranchDesk")
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"Built {folder} ({size / 1e6:.0f} MB) in {time.time() - started:.0f} s")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    result = subprocess.run([str(exe), "--self-test"], env=env, capture_output=True, text=True, timeout=300)
    print((result.stdout + result.stderr).strip())
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
