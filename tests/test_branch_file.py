"""Opening, creating and protecting the branch file."""

import sqlite3

import pytest

from branchdesk.models import schema
from branchdesk.models.db import APPLICATION_ID, create_branch, open_branch
from branchdesk.models.errors import BranchFileError


def test_pragmas_on_open(store):
    assert store.value("PRAGMA foreign_keys") == 1
    assert store.value("PRAGMA journal_mode") == "wal"
    assert store.value("PRAGMA synchronous") == 2  # FULL
    assert store.schema_version == schema.SCHEMA_VERSION


def test_reopen_keeps_branch_details(tmp_path):
    create_branch(tmp_path / "b.sqlite", "Kennet Valley", phone="01380 123456").close()
    with open_branch(tmp_path / "b.sqlite") as store:
        assert store.row("SELECT name, phone FROM branch")[:] == ("Kennet Valley", "01380 123456")


def test_create_refuses_to_overwrite(tmp_path):
    create_branch(tmp_path / "b.sqlite", "One").close()
    with pytest.raises(BranchFileError, match="already exists"):
        create_branch(tmp_path / "b.sqlite", "Two")


def _contract(store, **overrides):
    values = dict(ref="HCC", council="Hertfordshire", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2450)
    values.update(overrides)
    return store.db["contracts"].insert(values).last_pk


def test_constraints_refuse_bad_enumerations_and_orphans(store):
    contract = _contract(store)
    client = dict(ref="C1", name="Mary Jones", contract_id=contract, category="reablement", funding="council", start_date="2026-10-01")
    with pytest.raises(sqlite3.IntegrityError):
        store.db["clients"].insert({**client, "category": "respite"})
    with pytest.raises(sqlite3.IntegrityError):
        store.db["clients"].insert({**client, "contract_id": 999})
    with pytest.raises(sqlite3.IntegrityError):
        store.db["clients"].insert({**client, "end_date": "2026-09-01"})
    client_id = store.db["clients"].insert(client).last_pk
    with pytest.raises(sqlite3.IntegrityError):
        store.db["envelopes"].insert(dict(client_id=client_id, effective_date="2026-10-01", hours_per_week="-3"))
    with pytest.raises(sqlite3.IntegrityError):
        store.db["contracts"].insert(dict(ref="X", council="X", claim_prefix="X", core_basis="envelope", hourly_rate_pence=100, reward_share="1.5"))
    with pytest.raises(sqlite3.IntegrityError):
        store.db["suspensions"].insert(dict(client_id=client_id, start_date="2026-10-05", end_date="2026-10-01", reason="holiday"))
    with pytest.raises(sqlite3.IntegrityError):
        store.db["visits"].insert(dict(client_id=client_id, visit_date="2026-10-01", status="late", match_key="k"))


def test_a_failed_action_writes_nothing(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction():
            _contract(store)
            _contract(store)  # same ref: refused, and the first insert is rolled back too
    assert store.value("SELECT count(*) FROM contracts") == 0


def test_audit_records_who_and_what_changed(store):
    from branchdesk.models.contracts import contract_by_ref, contract_from_form, save_contract

    save_contract(store, contract_from_form({"ref": "HCC", "council": "Herts", "core_basis": "envelope", "hourly_rate": "20"}))
    contract = contract_by_ref(store, "HCC")
    contract.hourly_rate_pence = 2150
    save_contract(store, contract)
    last = store.row("SELECT * FROM audit ORDER BY id DESC LIMIT 1")
    assert last["user"] == "tester" and last["action"] == "update"
    assert '"hourly_rate_pence": 2000' in last["old_values"] and '"hourly_rate_pence": 2150' in last["new_values"]


def test_folder_is_refused(tmp_path):
    with pytest.raises(BranchFileError, match="is a folder"):
        open_branch(tmp_path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(BranchFileError, match="There is no branch file"):
        open_branch(tmp_path / "nothing.sqlite")


def test_text_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("client list\nMary, Bob\n")
    with pytest.raises(BranchFileError, match="not a BranchDesk branch file"):
        open_branch(path)
    assert path.read_text() == "client list\nMary, Bob\n"


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with pytest.raises(BranchFileError, match="empty"):
        open_branch(path)
    assert path.read_bytes() == b""


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(BranchFileError, match="not a BranchDesk branch file"):
        open_branch(path)
    assert path.read_bytes() == before


def test_newer_file_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    create_branch(path, "Future").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(BranchFileError, match="newer version of BranchDesk"):
        open_branch(path)


def test_read_only_file_is_refused_unless_asked(tmp_path, monkeypatch):
    import os

    path = tmp_path / "locked.sqlite"
    create_branch(path, "Locked").close()
    path.chmod(0o444)
    real_access = os.access
    # root can write to read-only files; make the check see the file as a normal user would
    monkeypatch.setattr("branchdesk.models.db.os.access", lambda p, mode: False if mode == os.W_OK and str(p) == str(path) else real_access(p, mode))
    try:
        before = path.read_bytes()
        with pytest.raises(BranchFileError, match="read-only"):
            open_branch(path)
        assert path.read_bytes() == before
        with open_branch(path, read_only=True) as store:
            assert store.value("SELECT name FROM branch") == "Locked"
    finally:
        path.chmod(0o644)


def test_read_only_store_refuses_writes(tmp_path):
    path = tmp_path / "b.sqlite"
    create_branch(path, "B").close()
    with open_branch(path, read_only=True) as store, pytest.raises(BranchFileError, match="read-only"):
        with store.transaction():
            pass


def _version_1_file(path):
    """A branch file as version 1 of the schema wrote it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    schema.upgrade_to_1(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO branch (id, name) VALUES (1, 'Old Branch')")
    conn.execute("COMMIT")
    conn.close()


def test_version_1_file_upgrades_after_a_backup(tmp_path):
    path = tmp_path / "old.sqlite"
    _version_1_file(path)
    with open_branch(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.value("SELECT name FROM branch") == "Old Branch"
        assert store.value("SELECT count(*) FROM import_mappings") == 0
    backups = list((tmp_path / "backups").glob("old-before-upgrade-v1-*.sqlite"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_failed_upgrade_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    _version_1_file(path)

    def broken(db):
        db.execute("CREATE TABLE import_mappings (name TEXT)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(schema.UPGRADES, 2, broken)
    with pytest.raises(BranchFileError, match="could not be upgraded"):
        open_branch(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'import_mappings'").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize("version", range(1, schema.SCHEMA_VERSION + 1))
def test_every_released_schema_version_opens_with_its_data(tmp_path, version):
    """A fixture file from each released schema version upgrades and keeps its data."""
    import shutil
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / f"branch_v{version}.sqlite"
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    with open_branch(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.value("SELECT name FROM clients WHERE ref = 'C001'") == "Mary O'Brien"
        assert store.value("SELECT hours_per_week FROM envelopes") == "10.5"
        assert store.value("PRAGMA foreign_key_check") is None
    assert bool(list((tmp_path / "backups").glob("*before-upgrade*"))) == (version < schema.SCHEMA_VERSION)
