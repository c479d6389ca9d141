"""Benchmark: import a caseload workbook of 1,000 clients with outcomes, envelopes and reviews.

Target: at most 10 seconds for checking and writing together. Run: ``python bench/import_caseload.py [CLIENTS]``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchdesk.models.caseload_workbook import SHEETS, import_caseload  # noqa: E402
from branchdesk.models.db import create_branch  # noqa: E402
from branchdesk.models.schema import CATEGORIES, DOMAINS, FUNDING  # noqa: E402

FIRST = ["Mary", "John", "Margaret", "Arthur", "Joan", "Dennis", "Zoë", "Siobhán", "Patrick", "Edna", "Harold", "Irene"]
LAST = ["O'Brien", "Smith", "Jones", "Williams", "Taylor", "Davies", "Évans", "Brown", "Wilson", "Thomas", "Roberts", "Hughes"]
WANTS = ["I want to make my own breakfast again", "I want to get to the lunch club on Tuesdays",
         "I want to have a bath without help", "I want to feel safe at night", "I want to see my grandchildren"]
LIMIT_SECONDS = 10.0


def build_workbook(path: Path, clients: int = 1000, seed: int = 1, today: dt.date = dt.date(2026, 11, 15)) -> Path:
    """A realistic caseload workbook: two contracts, ``clients`` clients, 2–3 outcomes each,
    one or two envelopes, a review or two, some suspensions, and 40 workers."""
    rng = random.Random(seed)
    rows: dict[str, list[list]] = {spec.name: [list(spec.columns)] for spec in SHEETS}
    rows["Branch"].append(["Westbury Home Care", "2 Market Place\nWestbury", "01373 000000", "office@westbury.example", "1-234567890"])
    contracts = SHEETS[1].columns
    for ref, council, basis in (("WCC", "Wiltshire Council", "envelope"), ("BNES", "Bath & North East Somerset", "band")):
        values = {"ref": ref, "council": council, "core_basis": basis, "hourly_rate": 24.5, "core_share": 0.8,
                  "outcome_upfront_share": 0.2, "reward_share": 0.2, "band_rates": "lower=75;higher=150;intensive=320",
                  "claim_prefix": ref, "print_names": "initials"}
        rows["Contracts"].append([values.get(c) for c in contracts])
    teams = ["North", "South", "East", "West"]
    for n in range(1, 41):
        rows["Workers"].append([f"W{n:03d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(teams), "Carer", 37.5])
    for n in range(1, clients + 1):
        ref = f"C{n:05d}"
        start = today - dt.timedelta(days=rng.randint(0, 700))
        ended = rng.random() < 0.15
        end = start + dt.timedelta(days=rng.randint(30, 300)) if ended else None
        if end and end >= today:
            end = None
        contract = "WCC" if n % 3 else "BNES"
        rows["Clients"].append([
            ref, f"CR{100000 + n}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", dt.date(1930 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)),
            f"{rng.randint(1, 99)} High Street", f"BA{rng.randint(1, 15)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}{rng.choice('HJLNPQ')}",
            f"01225 {rng.randint(100000, 999999)}", contract, rng.choice(CATEGORIES), rng.choice(FUNDING), rng.randint(150, 600),
            start, end, "no_further_care" if end else None, rng.choice("YN"), "Social Worker", f"Worker {rng.randint(1, 40)}", rng.choice(teams),
        ])
        rows["Envelopes"].append([ref, start, rng.choice([7, 10.5, 14, 21]), "lower" if contract == "BNES" else None, "initial"])
        review = start + dt.timedelta(days=42)
        if review < today and rng.random() < 0.5:
            rows["Envelopes"].append([ref, review, rng.choice([5, 7, 8.5]), "lower" if contract == "BNES" else None, "independence"])
        outcome_refs = []
        for k in range(1, rng.randint(2, 3) + 1):
            outcome_refs.append(f"O{k}")
            rows["Outcomes"].append([ref, f"O{k}", rng.choice(WANTS), rng.choice(DOMAINS), start, start + dt.timedelta(days=90), rng.choice([None, 250, 400])])
        for held in (review, review + dt.timedelta(days=182)):
            if held < today and (end is None or held <= end):
                method = "visit" if held == review else "phone"
                for outcome_ref in outcome_refs:
                    rows["Reviews"].append([ref, held, method, outcome_ref, rng.choice(["achieved", "partly", "not_achieved", "active"]), "Discussed with family"])
        if rng.random() < 0.1:
            away = start + dt.timedelta(days=rng.randint(1, 20))
            rows["Suspensions"].append([ref, away, away + dt.timedelta(days=rng.randint(1, 14)), rng.choice(["hospital", "respite", "holiday"])])
    book = openpyxl.Workbook(write_only=True)
    for name, sheet_rows in rows.items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    book.save(path)
    return path


def main() -> int:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workbook = build_workbook(folder / "caseload.xlsx", clients)
        store = create_branch(folder / "branch.sqlite", "Bench Branch", user="bench")
        started = time.perf_counter()
        report = import_caseload(store, workbook)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_caseload(store, workbook)
        second = time.perf_counter() - started
        store.close()
    rows = sum(report.added.values())
    print(f"Imported {clients:,} clients ({rows:,} records: {report.added}) in {first:.2f} s")
    print(f"Re-imported the same workbook in {second:.2f} s: {sum(again.unchanged.values()):,} unchanged, "
          f"{sum(again.added.values())} added, {sum(again.changed.values())} changed")
    ok = report.ok and first <= LIMIT_SECONDS and not again.added and not again.changed
    print(("PASS" if ok else "FAIL") + f": target ≤ {LIMIT_SECONDS:.0f} s")
    if not report.ok:
        for problem in report.problems[:20]:
            print("  ", problem)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
