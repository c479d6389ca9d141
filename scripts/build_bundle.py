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
#: Parts of Qt that build.spec leaves out; finding one in the bundle means the spec let it in.
UNWANTED = ("webengine", "qml", "quick", "multimedia", "qt3d", "virtualkeyboard", "translations")


def main() -> int:
    started = time.time()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", str(ROOT / "build.spec")],
        cwd=ROOT,
        check=True,
    )
    folder = ROOT / "dist" / "BranchDesk"
    exe = folder / ("BranchDesk.exe" if os.name == "nt" else "BranchDesk")
    files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
    size = sum(f.stat().st_size for f in files)
    print(f"Built {folder} ({size / 1e6:.0f} MB) in {time.time() - started:.0f} s")
    unwanted = sorted({str(f.relative_to(folder)) for f in folder.rglob("*") if any(part in f.name.lower() for part in UNWANTED)})
    if unwanted:
        print("The bundle holds parts of Qt that build.spec excludes: " + ", ".join(unwanted))
        return 1
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    result = subprocess.run([str(exe), "--self-test"], env=env, capture_output=True, text=True, timeout=300)
    print((result.stdout + result.stderr).strip())
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
