"""Seconds to build a month's claim on a 500-client branch: ``claim build --json`` (target: at most
1 s) and the claim's PDF (target: at most 5 s).

Builds a 500-client, 18-month demo branch, then for each contract builds the month after the
last issued one (so every pending adjustment is recomputed too). Run from the project folder:
``python bench/claims.py``.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from branchdesk.cli import main as cli  # noqa: E402
from branchdesk.models import claims  # noqa: E402
from branchdesk.models.claim_pdf import render_claim_pdf  # noqa: E402
from branchdesk.models.dates import month_key, next_month, parse_month  # noqa: E402
from branchdesk.models.db import open_branch  # noqa: E402
from branchdesk.models.demo import build_demo  # noqa: E402

CLIENTS = 500
BUILD_TARGET = 1.0
PDF_TARGET = 5.0


def _seconds(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def main() -> int:
    worst_build = worst_pdf = 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-claims.sqlite"
        print(f"building a {CLIENTS}-client demo branch…")
        build_demo(path, clients=CLIENTS, months=18, seed=1)
        with open_branch(path) as store:
            targets = []
            for row in store.rows("SELECT ref, (SELECT MAX(month) FROM claims WHERE contract_id = contracts.id) AS last,"
                                  " (SELECT COUNT(*) FROM clients WHERE contract_id = contracts.id) AS clients FROM contracts ORDER BY ref"):
                month = month_key(*next_month(*parse_month(row["last"]))) if row["last"] else "2026-10"
                targets.append((row["ref"], month, row["clients"]))
        for ref, month, count in targets:
            argv = ["claim", "build", "--db", str(path), "--contract", ref, "--month", month, "--json"]
            with contextlib.redirect_stdout(io.StringIO()):
                build = _seconds(lambda argv=argv: cli(argv))
            process = _seconds(lambda argv=argv: subprocess.run(
                [sys.executable, "-m", "branchdesk.cli", *argv], cwd=ROOT, check=True, capture_output=True))
            with open_branch(path) as store:
                claim = claims.build_claim(store, ref, month)
                pdf = _seconds(lambda store=store, claim=claim: render_claim_pdf(store, claim))
            worst_build, worst_pdf = max(worst_build, build), max(worst_pdf, pdf)
            print(f"  {ref:<5} {month}: {count:>3} clients, {len(claim.lines):>4} lines — claim build --json {build:.2f} s "
                  f"(whole command in a new process {process:.2f} s), PDF {pdf:.2f} s")
    print(f"claim build --json: {worst_build:.2f} s at worst (target ≤ {BUILD_TARGET:.0f} s)")
    print(f"claim PDF: {worst_pdf:.2f} s at worst (target ≤ {PDF_TARGET:.0f} s)")
    return 0 if worst_build <= BUILD_TARGET and worst_pdf <= PDF_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
