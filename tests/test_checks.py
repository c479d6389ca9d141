"""Check this branch file: SQLite's checks and ours, as plain sentences; the command line's exit status."""

import datetime as dt
import sqlite3

import pytest

from branchdesk.cli import main
from branchdesk.models.checks import check_branch
from branchdesk.models.db import open_branch

TODAY = dt.date(2026, 11, 15)


def _contract(store, ref="HCC"):
    return store.db["contracts"].insert(
        dict(ref=ref, council="Hertfordshire", claim_prefix=ref, core_basis="envelope", hourly_rate_pence=2450)
    ).last_pk


def _client(store, contract, ref, end_date=None, envelope=True):
    client = store.db["clients"].insert(
        dict(ref=ref, name=f"Client {ref}", contract_id=contract, category="long_term", funding="council",
             start_date="2026-01-05", end_date=end_date, end_reason="moved_provider" if end_date else None)
    ).last_pk
    if envelope:
        store.db["envelopes"].insert(dict(client_id=client, effective_date="2026-01-05", hours_per_week="10.5"))
    return client


def _issue(store, contract, seq, lines, total=None, prefix="HCC"):
    claim = store.db["claims"].insert(
        dict(contract_id=contract, month=f"2026-{seq:02d}", seq=seq, number=f"{prefix}-{seq:04d}", issued_on="2026-10-01",
             total_pence=sum(lines) if total is None else total)
    ).last_pk
    for position, amount in enumerate(lines):
        store.db["claim_lines"].insert(dict(claim_id=claim, position=position, client_ref="C1", component="core",
                                            description="Core", amount_pence=amount))
    store.conn.execute("UPDATE claims SET sealed = 1 WHERE id = ?", (claim,))
    return claim


@pytest.fixture
def branch(store):
    with store.transaction():
        contract = _contract(store)
        _client(store, contract, "C1")
        _client(store, contract, "C2", end_date="2026-03-01", envelope=False)  # ended: needs no envelope now
        _issue(store, contract, 1, [12345, 678])
        _issue(store, contract, 2, [1000, -250])
    return store


def test_a_sound_branch_passes(branch):
    assert check_branch(branch, today=TODAY) == []


def test_client_in_service_without_an_envelope(branch):
    with branch.transaction():
        _client(branch, branch.value("SELECT id FROM contracts"), "C3", envelope=False)
    assert check_branch(branch, today=TODAY) == [
        "Client C3 (Client C3) is in service but has no hours envelope; enter one on the client's page."
    ]


def test_claim_whose_lines_no_longer_add_up(branch):
    with branch.transaction():
        _issue(branch, branch.value("SELECT id FROM contracts"), 3, [500, 500], total=1500)
    assert check_branch(branch, today=TODAY) == ["Issued claim HCC-0003 was issued for £15.00 but its lines now add up to £10.00."]


def test_gap_in_claim_numbers(branch):
    with branch.transaction():
        _issue(branch, branch.value("SELECT id FROM contracts"), 5, [100])
    findings = check_branch(branch, today=TODAY)
    assert findings == ["Claim numbers for contract HCC have a gap: number(s) 3, 4 are missing."]


def test_claim_not_frozen(branch):
    with branch.transaction():
        branch.db["claims"].insert(dict(contract_id=1, month="2026-03", seq=3, number="HCC-0003", issued_on="2026-10-01", total_pence=0))
    assert check_branch(branch, today=TODAY) == ["Issued claim(s) HCC-0003 are not frozen, so they could be changed."]


def test_broken_links_between_records(branch):
    branch.conn.execute("PRAGMA foreign_keys = OFF")
    with branch.transaction():
        branch.conn.execute("INSERT INTO visits (client_id, visit_date, status, match_key) VALUES (999, '2026-10-01', 'completed', 'k1')")
    branch.conn.execute("PRAGMA foreign_keys = ON")
    assert check_branch(branch, today=TODAY) == ["1 of the visits refer to records that no longer exist."]


def test_hours_bank_below_zero(branch):
    client = branch.value("SELECT id FROM clients WHERE ref = 'C1'")
    with branch.transaction():
        branch.db["hours_bank"].insert(dict(client_id=client, kind="store", entry_date="2026-10-01", week_start="2026-09-21",
                                            hours="2", expires_on="2026-12-21"))
        branch.db["hours_bank"].insert(dict(client_id=client, kind="draw", entry_date="2026-10-08", hours="2.5"))
    assert check_branch(branch, today=TODAY) == ["The hours bank of client(s) C1 has more drawn down than was stored."]


def test_many_findings_are_summed_up(branch):
    with branch.transaction():
        for number in range(15):
            _client(branch, 1, f"N{number:02d}", envelope=False)
    findings = check_branch(branch, today=TODAY)
    assert len(findings) == 11 and findings[-1] == "…and 5 more clients in service without an hours envelope."


def _add_notes(store):
    with store.transaction():
        store.db["client_notes"].insert_all(dict(client_id=1, written_on="2026-10-01", text="note " * 40) for _ in range(300))


def _damage(path):
    """Scribble over the last pages of the file, where the notes just added live."""
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(len(data) - page * 6, len(data), page):
        data[start: start + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))


def test_cli_check_exit_status(branch, capsys):
    path = branch.path
    branch.close()
    assert main(["check", "--db", str(path)]) == 0
    assert "all checks passed" in capsys.readouterr().out
    with open_branch(path) as opened, opened.transaction():
        _issue(opened, 1, 3, [1], total=2)
    assert main(["check", "--db", str(path)]) == 1
    assert capsys.readouterr().err.strip() == "Issued claim HCC-0003 was issued for £0.02 but its lines now add up to £0.01."


def test_cli_check_of_a_damaged_file(branch, capsys):
    _add_notes(branch)
    path = branch.path
    branch.close()
    _damage(path)
    assert main(["check", "--db", str(path)]) == 1
    error = capsys.readouterr().err
    assert "damaged" in error and "backup" in error and "Traceback" not in error


def test_structure_damage_found_by_check_branch(tmp_path, branch):
    _add_notes(branch)
    path = branch.path
    branch.close()
    _damage(path)
    with open_branch(path, check=False) as opened:
        try:
            findings = check_branch(opened, today=TODAY)
        except sqlite3.DatabaseError:
            pytest.fail("check_branch must report damage, not raise")
    assert len(findings) == 1 and "integrity check" in findings[0]


def test_the_demo_branch_passes(demo_path):
    with open_branch(demo_path, read_only=True) as demo:
        assert check_branch(demo, today=dt.date(2026, 11, 15)) == []


def test_a_credit_note_keeps_the_numbering_whole(demo_copy):
    from branchdesk.models.claims import issue_credit_note

    with open_branch(demo_copy) as demo:
        claim_id = demo.value("SELECT id FROM claims WHERE kind = 'claim' ORDER BY id LIMIT 1")
        issue_credit_note(demo, claim_id, "Client was in hospital all month")
        assert check_branch(demo, today=dt.date(2026, 11, 15)) == []
