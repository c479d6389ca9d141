"""Backups: now, automatic with rotation, what each holds, restore and moving the branch file."""

import datetime as dt
import os
import sqlite3

import pytest

from branchdesk.models import backups
from branchdesk.models.backups import (
    automatic_backup,
    back_up_now,
    backup_name,
    backups_to_remove,
    describe_backup,
    list_backups,
    move_branch_file,
    parse_backup_name,
    restore_backup,
)
from branchdesk.models.db import backups_folder, create_branch, open_branch
from branchdesk.models.errors import BranchFileError


def _add_client(store, ref="C1", name="Mary Jones"):
    with store.transaction():
        contract = store.value("SELECT id FROM contracts WHERE ref = 'HCC'")
        if contract is None:
            contract = store.db["contracts"].insert(
                dict(ref="HCC", council="Hertfordshire", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2450)
            ).last_pk
        client = store.db["clients"].insert(
            dict(ref=ref, name=name, contract_id=contract, category="long_term", funding="council", start_date="2026-01-05")
        ).last_pk
        store.audit("create", "client", client, f"Client {ref} added", new={"ref": ref, "name": name}, client_id=client)
    return client


def _names(store):
    return [row[0] for row in store.rows("SELECT name FROM clients ORDER BY ref")]


# -- rotation (pure) --------------------------------------------------------------------------
def test_rotation_keeps_last_seven_days():
    stamps = [dt.datetime(2026, 10, day, 17, 0) for day in range(1, 11)]
    removed = backups_to_remove(stamps)
    kept = sorted(set(stamps) - removed)
    assert [s.day for s in kept] == [4, 5, 6, 7, 8, 9, 10]  # 10 October is also the month's newest


def test_rotation_keeps_newest_of_each_of_twelve_months():
    stamps = [dt.datetime(2025, month, day, 12) for month in range(1, 13) for day in (1, 15, 28)]
    stamps += [dt.datetime(2026, 1, 2, 12)]
    removed = backups_to_remove(stamps, keep_daily=1)
    kept = sorted(set(stamps) - removed)
    # the newest of January 2026 and of each of the 11 months before it
    assert kept[-1] == dt.datetime(2026, 1, 2, 12)
    assert kept[:-1] == [dt.datetime(2025, month, 28, 12) for month in range(2, 13)]
    assert dt.datetime(2025, 1, 28, 12) in removed


def test_rotation_keeps_the_newest_of_a_day_and_handles_gaps():
    stamps = [dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 1, 18), dt.datetime(2026, 5, 20, 8)]
    removed = backups_to_remove(stamps)
    assert removed == {dt.datetime(2026, 3, 1, 9)}
    assert backups_to_remove([]) == set()


def test_backup_names_round_trip():
    when = dt.datetime(2026, 10, 31, 17, 15, 2)
    for kind in (backups.MANUAL, backups.AUTOMATIC, backups.BEFORE_RESTORE):
        name = backup_name(backups.Path("/x/Kennet-Valley branch.sqlite"), when, kind)
        parsed = parse_backup_name(name)
        assert (parsed.stem, parsed.kind, parsed.taken_at) == ("Kennet-Valley branch", kind, when)
    upgrade = parse_backup_name("branch-before-upgrade-v1-20261031-171502.sqlite")
    assert (upgrade.stem, upgrade.kind, upgrade.taken_at) == ("branch", backups.BEFORE_UPGRADE, when)
    assert parse_backup_name("branch.sqlite") is None


# -- backing up ------------------------------------------------------------------------------
def test_back_up_now_beside_the_file_and_to_a_usb_stick(store, tmp_path):
    _add_client(store)
    copy = back_up_now(store)
    assert copy.parent == backups_folder(store.path)
    assert copy.name.startswith("branch-") and copy.suffix == ".sqlite"
    stick = tmp_path / "USB STICK (E:)"
    stick.mkdir()
    on_stick = back_up_now(store, stick)
    assert on_stick.parent == stick
    assert sorted(os.listdir(stick)) == [on_stick.name]  # one self-contained file, no -wal or leftovers
    with open_branch(on_stick, read_only=True) as opened:
        assert _names(opened) == ["Mary Jones"]


def test_back_up_to_a_missing_folder_or_a_read_only_one_is_refused(store, tmp_path):
    with pytest.raises(BranchFileError, match="does not exist"):
        back_up_now(store, tmp_path / "unplugged" / "Backups")
    assert not (tmp_path / "unplugged").exists()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(BranchFileError, match="could not write the backup"):
            back_up_now(store, locked)
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o700)


def test_a_copy_that_fails_its_check_is_deleted(store, monkeypatch):
    monkeypatch.setattr(backups, "_integrity_problem", lambda conn: "page 3 is never used")
    with pytest.raises(BranchFileError, match="did not pass its check"):
        back_up_now(store)
    assert list(backups_folder(store.path).glob("*")) == []


def test_automatic_backup_once_a_day_unless_something_changed(store):
    morning = dt.datetime(2026, 10, 5, 9, 0)
    first = automatic_backup(store, now=morning)
    assert first is not None and first.exists()
    assert automatic_backup(store, now=morning.replace(hour=12)) is None  # nothing changed since
    _add_client(store)
    evening = automatic_backup(store, now=morning.replace(hour=17))
    assert evening is not None and not first.exists()  # today's copy replaced, not added to
    autos = [p for p in backups_folder(store.path).glob("*-auto-*.sqlite")]
    assert autos == [evening]
    with open_branch(evening, read_only=True) as copy:
        assert _names(copy) == ["Mary Jones"]


def test_automatic_backups_rotate_over_months(store, monkeypatch):
    monkeypatch.setattr(backups, "_fsync", lambda path: None)  # speed: durability is not what this test is about
    day = dt.datetime(2026, 1, 1, 17, 0)
    for number in [*range(0, 390, 6), *range(390, 400)]:
        with store.transaction():
            store.audit("update", "settings", None, f"Change {number}")
        automatic_backup(store, now=day + dt.timedelta(days=number))
    stamps = sorted(parse_backup_name(p.name).taken_at for p in backups_folder(store.path).glob("*-auto-*.sqlite"))
    last = day + dt.timedelta(days=399)
    assert stamps[-7:] == [last - dt.timedelta(days=n) for n in range(6, -1, -1)]
    months = {(s.year, s.month) for s in stamps}
    assert len(months) == 12
    # the last day is 4 February 2027: the seven days reach back to 29 January, whose
    # month's newest (31 January) is one of them, as is February's
    assert len(stamps) == 7 + 10


def test_rotation_leaves_manual_backups_and_other_branches_alone(store, tmp_path):
    manual = back_up_now(store, now=dt.datetime(2020, 1, 1, 12))
    other = backups_folder(store.path) / "another-auto-2020-01-01-120000.sqlite"
    other.write_bytes(manual.read_bytes())
    for number in range(30):
        with store.transaction():
            store.audit("update", "settings", None, f"Change {number}")
        automatic_backup(store, now=dt.datetime(2026, 1, 1) + dt.timedelta(days=number))
    assert manual.exists() and other.exists()


# -- listing ---------------------------------------------------------------------------------
def test_list_backups_says_what_each_holds(store):
    back_up_now(store, now=dt.datetime(2026, 10, 1, 9))
    _add_client(store, "C1", "Mary Jones")
    _add_client(store, "C2", "Ravi Patel")
    with store.transaction():
        store.conn.execute("UPDATE clients SET end_date = '2026-02-01', end_reason = 'moved_provider' WHERE ref = 'C2'")
    automatic_backup(store, now=dt.datetime(2026, 10, 2, 17))
    (backups_folder(store.path) / "notes.txt").write_text("not a backup")
    (backups_folder(store.path) / "garbage.sqlite").write_bytes(b"x" * 100)
    listing = list_backups(store, today=dt.date(2026, 10, 3))
    good = [info for info in listing if info.problem is None]
    assert [(i.kind, i.clients, i.clients_in_service) for i in good] == [("automatic", 2, 1), ("manual", 0, 0)]
    newest = good[0]
    assert newest.branch_name == "Test Branch"
    assert newest.latest_change == "Client C2 added" and newest.latest_change_by == "tester"
    assert newest.size > 0 and newest.taken_at == dt.datetime(2026, 10, 2, 17)
    bad = [info for info in listing if info.problem]
    assert [info.path.name for info in bad] == ["garbage.sqlite"]
    assert not any(p.name.endswith(("-wal", "-shm")) for p in backups_folder(store.path).iterdir())


def test_list_backups_of_a_missing_folder_is_empty(tmp_path):
    assert list_backups(tmp_path / "nowhere") == []


# -- restore -------------------------------------------------------------------------------------
def test_restore_round_trip(store):
    _add_client(store, "C1", "Mary Jones")
    copy = back_up_now(store, now=dt.datetime(2026, 10, 1, 9))
    _add_client(store, "C2", "Ravi Patel")
    with store.transaction():
        store.conn.execute("UPDATE clients SET name = 'Mary Smith' WHERE ref = 'C1'")
    path = store.path
    store.close()
    kept = restore_backup(path, copy)
    with open_branch(path) as restored:
        assert _names(restored) == ["Mary Jones"]
        assert restored.value("PRAGMA journal_mode") == "wal"
    with open_branch(kept, read_only=True) as before:
        assert _names(before) == ["Mary Smith", "Ravi Patel"]
    assert describe_backup(kept).kind == backups.BEFORE_RESTORE


def test_restore_keeps_changes_still_in_the_write_ahead_log(tmp_path):
    """A file left with committed changes in its -wal (a crash) is kept whole before the restore."""
    path = tmp_path / "branch.sqlite"
    create_branch(path, "Crash Branch").close()
    with open_branch(path) as opened:
        copy = back_up_now(opened)
    writer = open_branch(path)
    _add_client(writer, "C9", "Left In The Log")
    saved = {suffix: path.with_name(path.name + suffix).read_bytes() for suffix in ("", "-wal")}
    writer.close()
    for suffix, data in saved.items():  # as if the program had died before checkpointing
        path.with_name(path.name + suffix).write_bytes(data)
    kept = restore_backup(path, copy)
    assert not path.with_name(path.name + "-wal").exists()
    with open_branch(path) as restored:
        assert _names(restored) == []
    conn = sqlite3.connect(kept)
    assert [row[0] for row in conn.execute("SELECT name FROM clients")] == ["Left In The Log"]
    conn.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other database"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(store, tmp_path, damage):
    _add_client(store)
    copy = back_up_now(store)
    data = copy.read_bytes()
    if damage == "garbage":
        copy.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        copy.write_bytes(data[: len(data) // 3])
    elif damage == "empty":
        copy.write_bytes(b"")
    else:
        copy.unlink()
        sqlite3.connect(copy).execute("CREATE TABLE t (x)").connection.close()
    path = store.path
    store.close()
    before = path.read_bytes()
    folder_before = sorted(p.name for p in backups_folder(path).iterdir())
    with pytest.raises(BranchFileError) as refused:
        restore_backup(path, copy)
    assert "Traceback" not in str(refused.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in backups_folder(path).iterdir()) == folder_before


def test_restore_puts_the_file_back_when_the_restored_copy_fails(store, monkeypatch):
    _add_client(store)
    copy = back_up_now(store)
    path = store.path
    store.close()
    before = path.read_bytes()
    checks = iter([None, "row 4 missing from index"])
    monkeypatch.setattr(backups, "_check_file", lambda p: next(checks))
    with pytest.raises(BranchFileError, match="put back"):
        restore_backup(path, copy)
    assert path.read_bytes() == before


def test_restore_refuses_the_file_itself(store):
    path = store.path
    store.close()
    with pytest.raises(BranchFileError, match="not a backup"):
        restore_backup(path, path)


def test_restore_of_a_newer_version_is_refused(store):
    copy = back_up_now(store)
    conn = sqlite3.connect(copy)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    path = store.path
    store.close()
    with pytest.raises(BranchFileError, match="newer version"):
        restore_backup(path, copy)
    assert describe_backup(copy).problem


# -- moving the branch file ----------------------------------------------------------------------------
def test_move_branch_file_copies_checks_and_retires_the_original(store, tmp_path):
    _add_client(store)
    source = store.path
    store.close()
    local = tmp_path / "Données locales"
    local.mkdir()
    moved = move_branch_file(source, local)
    assert moved == local / source.name
    with open_branch(moved) as opened:
        assert _names(opened) == ["Mary Jones"]
    assert not source.exists() and source.with_name(source.name + ".moved").exists()
    with pytest.raises(BranchFileError, match="already a file"):
        move_branch_file(moved, local)


def test_the_copy_kept_before_an_upgrade_is_listed(tmp_path):
    from branchdesk.models.db import APPLICATION_ID
    from branchdesk.models.schema import UPGRADES

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    UPGRADES[1](conn)
    conn.execute("INSERT INTO branch (id, name) VALUES (1, 'Old Branch')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()
    open_branch(path).close()
    listing = list_backups(backups_folder(path))
    assert [(info.kind, info.branch_name, info.problem) for info in listing] == [(backups.BEFORE_UPGRADE, "Old Branch", None)]
    assert listing[0].kind_text == "Kept before an upgrade"


def test_back_up_into_a_new_folder_on_a_drive_that_is_there(store, tmp_path, capsys):
    from branchdesk.cli import main

    stick = tmp_path / "USB STICK (E:)"
    stick.mkdir()
    copy = back_up_now(store, stick / "Branch backups")
    assert copy.parent == stick / "Branch backups"
    assert main(["backup", "--db", str(store.path), "--to", str(stick / "December")]) == 0
    made = list((stick / "December").iterdir())
    assert len(made) == 1 and made[0].suffix == ".sqlite"
    assert main(["check", "--db", str(made[0])]) == 0
