"""Seconds to build the 300-client, 36-month demo branch (target: at most 30 s).

Run from the project folder: ``python bench/demo.py``.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchdesk.models.demo import build_demo  # noqa: E402

TARGET_SECONDS = 30


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-demo.sqlite"
        began = time.perf_counter()
        build_demo(path, clients=300, months=36, seed=1)
        seconds = time.perf_counter() - began
        conn = sqlite3.connect(path)
        counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("clients", "visits", "reviews", "envelopes", "claims")}
        conn.close()
        size = path.stat().st_size / 1_000_000
    print(f"demo branch, 300 clients × 36 months: {seconds:.1f} s (target ≤ {TARGET_SECONDS} s)")
    print("  " + ", ".join(f"{count:,} {table}" for table, count in counts.items()) + f"; file {size:.0f} MB")
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
