"""Benchmark: import a 200,000-row visits file (CSV, then XLSX) and import it again.

Targets: CSV in at most 20 s and XLSX in at most 60 s, each with peak memory at most
500 MB; importing the same file again adds nothing. Each import runs in its own
process so its peak memory is its own.

    python bench/import_visits.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 600
WORKERS = 120
HEADER = ["client_ref", "worker_ref", "date", "planned_start", "actual_start", "actual_end", "duration_minutes", "status"]


def make_branch(path: Path) -> None:
    from branchdesk.models.db import create_branch

    store = create_branch(path, "Benchmark branch", user="bench")
    with store.transaction():
        store.conn.execute("INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence)"
                           " VALUES ('BEN', 'Benchmark Council', 'BEN', 'envelope', 2200)")
        store.conn.executemany(
            "INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
            " VALUES (?, ?, ?, 1, 'long_term', 'council', '2024-01-01')",
            [(f"C{i:04d}", f"BC{i:05d}", f"Client {i}") for i in range(1, CLIENTS + 1)])
        store.conn.executemany("INSERT INTO workers (ref, name) VALUES (?, ?)",
                               [(f"W{i:03d}", f"Worker {i}") for i in range(1, WORKERS + 1)])
    store.close()


def visit_rows(count: int):
    """Non-overlapping visits: each worker's day is a run of 30–55 minute calls an hour apart."""
    rng = random.Random(7)
    per_day = 10
    days = -(-count // (WORKERS * per_day))
    first = dt.date.today() - dt.timedelta(days=days + 1)
    made = 0
    for day in range(days):
        date = (first + dt.timedelta(days=day)).isoformat()
        for worker in range(1, WORKERS + 1):
            for slot in range(per_day):
                if made == count:
                    return
                made += 1
                hour = 7 + slot
                minutes = rng.randint(30, 55)
                status = "completed" if rng.random() > 0.05 else "missed"
                start = f"{hour:02d}:{rng.randint(0, 4):02d}"
                end_total = int(start[:2]) * 60 + int(start[3:]) + minutes
                end = f"{end_total // 60:02d}:{end_total % 60:02d}" if status == "completed" else ""
                yield [f"C{rng.randint(1, CLIENTS):04d}", f"W{worker:03d}", date, f"{hour:02d}:00",
                       start if status == "completed" else "", end, "", status]


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(visit_rows(rows))


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Visits")
    sheet.append(HEADER)
    for row in visit_rows(rows):
        sheet.append(row)
    book.save(path)


def run_import(db: str, file: str) -> None:
    """In a child process: import once, print seconds, peak memory and counts as JSON."""
    import resource

    from branchdesk.models.db import open_branch
    from branchdesk.models.visits_import import import_visits_file

    store = open_branch(db)
    started = time.perf_counter()
    report = import_visits_file(store, file)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "added": report.added.get("visits", 0),
                      "problems": [str(p) for p in report.problems[:5]]}))


def measure(db: Path, file: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(db), str(file)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", nargs=2, metavar=("DB", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_import(*args.child)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="visits-bench-"))
    failed = False
    try:
        for kind, writer, limit in (("CSV", write_csv, 20.0), ("XLSX", write_xlsx, 60.0)):
            db = folder / f"branch-{kind.lower()}.sqlite"
            make_branch(db)
            file = folder / f"visits.{kind.lower()}"
            started = time.perf_counter()
            writer(file, args.rows)
            print(f"{kind}: wrote {args.rows:,} rows ({file.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
            first = measure(db, file)
            again = measure(db, file)
            ok = (first["seconds"] <= limit and first["peak_mb"] <= 500 and first["added"] == args.rows
                  and again["added"] == 0 and not first["problems"] and not again["problems"])
            failed |= not ok
            print(f"{kind}: import {first['seconds']:.1f} s (target ≤ {limit:.0f} s), peak {first['peak_mb']:.0f} MB (target ≤ 500 MB), "
                  f"added {first['added']:,}; re-import {again['seconds']:.1f} s, peak {again['peak_mb']:.0f} MB, added {again['added']:,} "
                  f"— {'OK' if ok else 'MISSED'}")
            for problem in first["problems"] + again["problems"]:
                print("  ", problem)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
