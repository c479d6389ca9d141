"""Care with the data (SPEC §9, §10, §11) checked on real branch files, as a user of the
command line or a second program writing to the file would meet it."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import openpyxl
import pytest

from branchdesk.cli import main
from branchdesk.models.db import open_branch
from branchdesk.models.demo import build_demo
from branchdesk.models.errors import BranchFileError
from branchdesk.models.file_lock import acquire

TODAY = dt.date(2026, 11, 15)

SHEETS = {
    "Contracts": ["ref", "council", "core_basis", "hourly_rate", "claim_prefix"],
    "Clients": ["ref", "name", "contract_ref", "category", "funding", "start_date"],
    "Envelopes": ["client_ref", "effective_date", "hours_per_week", "band", "reason"],
    "Outcomes": ["client_ref", "outcome_ref", "description", "agreed_date"],
    "Suspensions": ["client_ref", "start_date", "end_date", "reason"],
    "Reviews": ["client_ref", "review_date", "method", "outcome_ref", "status", "notes"],
    "Workers": ["ref", "name"],
}


def _workbook_without_envelopes(path):
    """A caseload whose Envelopes sheet holds only its header row, as SPEC §8 allows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = {
        "Contracts": [["HCC", "Hill County Council", "envelope", "20", "HCC"]],
        "Clients": [["C001", "Mary Jones", "HCC", "long_term", "council", "2026-01-05"]],
    }
    for name, header in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows.get(name, []):
            sheet.append(row)
    book.save(path)


def test_check_passes_a_sound_file_and_lists_clients_without_an_envelope(tmp_path, capsys):
    workbook, db = tmp_path / "caseload.xlsx", tmp_path / "branch.sqlite"
    _workbook_without_envelopes(workbook)
    assert main(["import", "caseload", str(workbook), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out
    assert "Client C001 (Mary Jones) is in service but has no hours envelope" in out


def test_a_write_while_another_program_is_saving_is_refused_plainly(store):
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        store.conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(BranchFileError, match="is busy: another program is saving to it"):
            store.set_setting("colour", "blue")
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.set_setting("colour", "blue")
    assert store.setting("colour") == "blue"


def test_demo_leaves_a_demo_branch_alone_while_it_is_open_in_branchdesk(tmp_path, capsys):
    path = tmp_path / "demo.sqlite"
    build_demo(path, clients=1, months=1, seed=1, today=TODAY)
    before = path.read_bytes()
    with acquire(path, "Sam Patel"):
        assert main(["demo", "--db", str(path), "--clients", "2", "--months", "1"]) == 1
        assert "is open in BranchDesk by Sam Patel" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["demo", "--db", str(path), "--clients", "2", "--months", "1"]) == 0


def _every_row(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}
    finally:
        conn.close()


def test_same_seed_same_branch_down_to_the_audit_log(tmp_path):
    build_demo(tmp_path / "a.sqlite", clients=3, months=2, seed=4, today=TODAY)
    build_demo(tmp_path / "b.sqlite", clients=3, months=2, seed=4, today=TODAY)
    first, second = _every_row(tmp_path / "a.sqlite"), _every_row(tmp_path / "b.sqlite")
    assert first["audit"] and first == second


@pytest.fixture
def issued(demo_copy):
    """A raw SQLite connection, as any other program would open the file, and an issued claim's id."""
    with open_branch(demo_copy):  # bring the copy to the current schema
        pass
    conn = sqlite3.connect(demo_copy, isolation_level=None)
    claim_id = conn.execute("SELECT id FROM claims WHERE sealed = 1 ORDER BY id LIMIT 1").fetchone()[0]
    yield conn, claim_id
    conn.close()


def _frozen(conn, claim_id):
    return (conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone(),
            conn.execute("SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY id", (claim_id,)).fetchall())


@pytest.mark.parametrize("sql", [
    "REPLACE INTO claims (id, contract_id, month, kind, seq, number, issued_on, total_pence, sealed)"
    " SELECT id, contract_id, month, kind, seq, number, issued_on, 1, 0 FROM claims WHERE id = :claim",
    "INSERT OR REPLACE INTO claims (contract_id, month, kind, seq, number, issued_on, total_pence, sealed)"
    " SELECT contract_id, '2001-01', kind, 999, number, issued_on, 1, 0 FROM claims WHERE id = :claim",
    "INSERT OR REPLACE INTO claim_lines (id, claim_id, position, client_ref, component, description, amount_pence)"
    " SELECT id, claim_id, position, client_ref, component, description, 1 FROM claim_lines WHERE claim_id = :claim",
    "UPDATE claims SET credit_reason = 'changed afterwards' WHERE id = :claim",
])
def test_issued_claims_refuse_replace_as_well_as_update_and_delete(issued, sql):
    conn, claim_id = issued
    before = _frozen(conn, claim_id)
    with pytest.raises(sqlite3.IntegrityError, match="An issued claim cannot be changed"):
        conn.execute(sql, {"claim": claim_id})
    assert _frozen(conn, claim_id) == before


def test_an_unissued_row_cannot_be_renumbered_onto_an_issued_claim(issued):
    conn, claim_id = issued
    before = _frozen(conn, claim_id)
    conn.execute("INSERT INTO claims (contract_id, month, kind, seq, number, issued_on, total_pence)"
                 " SELECT contract_id, '2001-01', 'claim', 999, 'SCRATCH-1', issued_on, 0 FROM claims WHERE id = ?", (claim_id,))
    with pytest.raises(sqlite3.IntegrityError, match="An issued claim cannot be changed"):
        conn.execute("UPDATE OR REPLACE claims SET number = (SELECT number FROM claims WHERE id = ?) WHERE number = 'SCRATCH-1'",
                     (claim_id,))
    assert _frozen(conn, claim_id) == before


def test_a_file_upgraded_to_this_version_gets_the_new_guards(tmp_path):
    from pathlib import Path

    path = tmp_path / "branch_v2.sqlite"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "branch_v2.sqlite", path)
    with open_branch(path) as store:
        triggers = {row[0] for row in store.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"claims_not_replaced", "claims_not_replaced_by_update", "claim_lines_not_replaced"} <= triggers
    assert list((tmp_path / "backups").glob("branch_v2-before-upgrade-v2-*.sqlite"))


def test_an_empty_on_date_is_a_usage_error(store, capsys):
    assert main(["reviews", "due", "--db", str(store.path), "--on", ""]) == 2
    assert "is not a date" in capsys.readouterr().err
