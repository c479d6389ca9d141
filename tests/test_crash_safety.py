"""Crash safety: a writer killed with SIGKILL at random moments never leaves a half-written branch.

A separate process imports a caseload workbook, imports a visits file and issues a run of
claims, each one transaction, and is killed at a random moment 50 times. After every kill
the file opens, passes every check, and holds exactly one of the states the writer passes
through between transactions (never something in between), and claim numbers run
without gaps or repeats.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from branchdesk.models.checks import check_branch
from branchdesk.models.db import create_branch, open_branch

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")

KILLS = 50
TODAY = dt.date(2026, 11, 15)

WRITER = r"""
import datetime as dt, json, sqlite3, sys, time
from branchdesk.models.caseload_workbook import import_caseload
from branchdesk.models.claims import issue_claim
from branchdesk.models.db import open_branch
from branchdesk.models.visits_import import import_visits_file

db, workbook, visits, claims, snapshots = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
today = dt.date.fromisoformat(sys.argv[6])
store = open_branch(db)
step = 0

def snapshot():
    global step
    step += 1
    if snapshots:
        target = sqlite3.connect(f"{snapshots}/state-{step}.sqlite")
        store.conn.backup(target)
        target.close()

print("ready", flush=True)
started = time.perf_counter()
report = import_caseload(store, workbook, today=today)
assert report.applied, report.problems
snapshot()
report = import_visits_file(store, visits, today=today)
assert not report.problems, report.problems
snapshot()
for ref, month in claims:
    issue_claim(store, ref, month, on=today)
    snapshot()
print("done", time.perf_counter() - started, flush=True)
"""

#: Columns whose value legitimately differs between two runs of the same work.
VOLATILE = {("audit", "at"), ("claims", "pdf")}


def fingerprint(path: Path) -> str:
    """A digest of every row of every table (volatile columns reduced to whether they are set)."""
    digest = hashlib.sha256()
    with open_branch(path, read_only=True) as store:
        tables = [row[0] for row in store.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            columns = [row[1] for row in store.rows(f"PRAGMA table_info({table})")]
            shown = [f"{column} IS NOT NULL" if (table, column) in VOLATILE else column for column in columns]
            digest.update(table.encode())
            for row in store.rows(f"SELECT {', '.join(shown)} FROM {table} ORDER BY rowid"):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _run_writer(base: Path, inputs: dict, snapshots: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(base), str(inputs["workbook"]), str(inputs["visits"]),
         json.dumps(inputs["claims"]), str(snapshots or ""), TODAY.isoformat()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A caseload workbook and a visits file exported from a small demo branch, and the claims to issue."""

    from branchdesk.models.caseload_workbook import export_caseload
    from branchdesk.models.demo import build_demo

    folder = tmp_path_factory.mktemp("crash inputs")
    demo = folder / "demo.sqlite"
    build_demo(demo, clients=10, months=4, seed=3, today=TODAY)
    workbook, visits = folder / "caseload.xlsx", folder / "visits.csv"
    with open_branch(demo) as store:
        export_caseload(store, workbook)
        rows = store.rows(
            "SELECT c.ref, w.ref, v.visit_date, v.planned_start, v.actual_start, v.actual_end, v.minutes, v.status"
            " FROM visits v JOIN clients c ON c.id = v.client_id JOIN workers w ON w.id = v.worker_id"
            " ORDER BY v.id")
        claims = [list(row) for row in store.rows(
            "SELECT k.ref, c.month FROM claims c JOIN contracts k ON k.id = c.contract_id"
            " WHERE c.kind = 'claim' ORDER BY c.month, k.ref")]
    with open(visits, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client_ref", "worker_ref", "date", "planned_start", "actual_start", "actual_end", "duration_minutes", "status"])
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    assert len(claims) >= 6
    base = folder / "base.sqlite"
    create_branch(base, "Crash Test Branch").close()
    return {"workbook": workbook, "visits": visits, "claims": claims, "base": base, "folder": folder}


@pytest.fixture(scope="module")
def reference(inputs):
    """The fingerprint of every state between transactions, and how long the work takes."""
    snapshots = inputs["folder"] / "snapshots"
    snapshots.mkdir()
    work = inputs["folder"] / "reference.sqlite"
    shutil.copyfile(inputs["base"], work)
    process = _run_writer(work, inputs, snapshots)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    duration = float(out.split()[-1])
    states = [fingerprint(inputs["base"])]
    states += [fingerprint(snapshots / f"state-{n}.sqlite") for n in range(1, 3 + len(inputs["claims"]))]
    assert fingerprint(work) == states[-1]
    assert len(set(states)) == len(states)
    return {"states": states, "duration": duration}


def _kill_once(number: int, inputs: dict, reference: dict, folder: Path) -> int:
    """Run the writer on a fresh copy, kill it at a random moment; the index of the state found."""
    path = folder / f"kill {number:02d}.sqlite"
    shutil.copyfile(inputs["base"], path)
    process = _run_writer(path, inputs)
    assert process.stdout.readline().strip() == "ready"
    time.sleep(random.Random(number).uniform(0, reference["duration"] * 1.1))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    with open_branch(path) as store:  # quick_check on open; recovery from the write-ahead log
        findings = check_branch(store, today=TODAY)
        numbers = {}
        for ref, prefix, seq, number_text in store.rows(
                "SELECT k.ref, k.claim_prefix, c.seq, c.number FROM claims c JOIN contracts k ON k.id = c.contract_id ORDER BY k.ref, c.seq"):
            numbers.setdefault(ref, []).append((seq, number_text, prefix))
    assert findings == [], f"kill {number}: {findings}"
    for ref, issued in numbers.items():
        assert [seq for seq, _n, _p in issued] == list(range(1, len(issued) + 1)), f"kill {number}: numbers of {ref}"
        assert [text for _s, text, _p in issued] == [f"{prefix}-{seq:04d}" for seq, _t, prefix in issued]
    found = fingerprint(path)
    assert found in reference["states"], f"kill {number}: the file is between two states"
    for leftover in folder.glob(f"kill {number:02d}.sqlite*"):
        leftover.unlink()
    return reference["states"].index(found)


def test_killed_writer_never_leaves_a_half_written_branch(inputs, reference, tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        states = list(pool.map(lambda n: _kill_once(n, inputs, reference, tmp_path), range(KILLS)))
    interrupted = [state for state in states if 0 < state < len(reference["states"]) - 1]
    # the kills must really land in the middle of the work, not only before or after it
    assert len(interrupted) >= KILLS // 4, states
    assert len(set(interrupted)) >= 3, states
