"""Backups of a branch file: now (to any folder, a USB stick), automatically on close, and restore.

Copies are made with SQLite's backup API (safe while the file is open), written under a
temporary name, switched to a single self-contained file (no ``-wal`` beside it), and
checked with ``PRAGMA integrity_check`` before they take their real name; a copy that
fails the check is deleted. Automatic backups are kept for the last 7 days and the last
12 months.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.db import APPLICATION_ID, Store, backups_folder, inspect_file
from branchdesk.models.errors import BranchFileError
from branchdesk.models.schema import SCHEMA_VERSION

KEEP_DAILY = 7
KEEP_MONTHLY = 12

MANUAL, AUTOMATIC, BEFORE_RESTORE, BEFORE_UPGRADE = "manual", "automatic", "before restore", "before upgrade"
_KIND_TAGS = {AUTOMATIC: "auto", BEFORE_RESTORE: "before-restore"}
KIND_NAMES = {
    MANUAL: _("Backed up by hand"),
    AUTOMATIC: _("Automatic"),
    BEFORE_RESTORE: _("Kept before a restore"),
    BEFORE_UPGRADE: _("Kept before an upgrade"),
}
_NAME = re.compile(
    r"^(?P<stem>.+?)-(?:(?P<tag>auto|before-restore|before-upgrade-v\d+)-)?"
    r"(?P<date>\d{4}-?\d{2}-?\d{2})-(?P<time>\d{6})(?:-\d+)?\.sqlite$"
)


# -- names ----------------------------------------------------------------------------------
def backup_name(branch_path: Path, when: dt.datetime, kind: str = MANUAL) -> str:
    """``branch-2026-10-31-171500.sqlite``; automatic ones ``branch-auto-2026-10-31-171500.sqlite``."""
    tag = _KIND_TAGS.get(kind)
    middle = f"-{tag}" if tag else ""
    return f"{Path(branch_path).stem}{middle}-{when:%Y-%m-%d-%H%M%S}.sqlite"


@dataclass(frozen=True)
class BackupName:
    """What a backup's file name says: which branch file, what kind, and when it was taken."""

    stem: str
    kind: str
    taken_at: dt.datetime


def parse_backup_name(name: str) -> BackupName | None:
    found = _NAME.match(name)
    if not found:
        return None
    tag = found["tag"] or ""
    kind = {"auto": AUTOMATIC, "before-restore": BEFORE_RESTORE}.get(tag, BEFORE_UPGRADE if tag else MANUAL)
    try:
        taken = dt.datetime.strptime(found["date"].replace("-", "") + found["time"], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return BackupName(found["stem"], kind, taken)


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    number = 2
    while target.exists():
        target = folder / f"{Path(name).stem}-{number}.sqlite"
        number += 1
    return target


# -- writing a checked copy --------------------------------------------------------------------
def _integrity_problem(conn: sqlite3.Connection) -> str | None:
    try:
        verdicts = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as error:
        return str(error)
    return None if verdicts == ["ok"] else "; ".join(verdicts)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _write_checked_copy(source: sqlite3.Connection, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` via a temporary file; check it; only then give it its name."""
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        target = sqlite3.connect(str(partial), isolation_level=None)
        try:
            target.execute("PRAGMA synchronous = OFF")  # the finished copy is flushed to disk once, below
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            problem = _integrity_problem(target)
        finally:
            target.close()
        if problem is not None:
            partial.unlink()
            raise BranchFileError(
                _("The backup copy did not pass its check ({problem}), so it was deleted. "
                  "Check this branch file (Help → Check this branch file) and try again.").format(problem=problem)
            )
        _fsync(partial)
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BranchFileError(
            _("BranchDesk could not write the backup in “{folder}” ({reason}). Check there is space and that "
              "you can save files there, then try again.").format(folder=destination.parent, reason=reason)
        ) from None
    return destination


def back_up_now(store: Store, folder: str | os.PathLike | None = None, now: dt.datetime | None = None) -> Path:
    """Back the open branch file up into ``folder`` (default: the backups folder beside it).

    Returns the checked copy's path.
    """
    now = now or dt.datetime.now()
    target_folder = Path(folder) if folder is not None else backups_folder(store.path)
    if target_folder.exists() and not target_folder.is_dir():
        raise BranchFileError(_("“{folder}” is a file, not a folder. Choose a folder for the backup.").format(folder=target_folder))
    if folder is not None and not target_folder.exists():
        if not target_folder.parent.is_dir():
            raise BranchFileError(_("The folder “{folder}” does not exist. Is the USB stick plugged in?").format(folder=target_folder))
        try:  # a new folder on a drive that is there, e.g. "E:\\Backups"
            target_folder.mkdir()
        except OSError as error:
            raise BranchFileError(_("The folder “{folder}” could not be made ({why}). Choose a folder you can save to.").format(
                folder=target_folder, why=error.strerror)) from None
    return _write_checked_copy(store.conn, _free_name(target_folder, backup_name(store.path, now)))


# -- automatic backups and their rotation --------------------------------------------------------
def backups_to_remove(stamps: Iterable[dt.datetime], keep_daily: int = KEEP_DAILY, keep_monthly: int = KEEP_MONTHLY) -> set[dt.datetime]:
    """Which automatic backups rotation deletes.

    Kept: the newest backup of each of the ``keep_daily`` most recent days that have one,
    and the newest backup of each of the ``keep_monthly`` most recent months that have one.
    """
    newest_first = sorted(set(stamps), reverse=True)
    per_day: dict[dt.date, dt.datetime] = {}
    per_month: dict[tuple[int, int], dt.datetime] = {}
    for stamp in newest_first:
        if stamp.date() not in per_day and len(per_day) < keep_daily:
            per_day[stamp.date()] = stamp
        month = (stamp.year, stamp.month)
        if month not in per_month and len(per_month) < keep_monthly:
            per_month[month] = stamp
    return set(newest_first) - set(per_day.values()) - set(per_month.values())


def _automatic_backups(folder: Path, stem: str) -> dict[dt.datetime, list[Path]]:
    found: dict[dt.datetime, list[Path]] = {}
    if not folder.is_dir():
        return found
    for path in folder.glob("*.sqlite"):
        name = parse_backup_name(path.name)
        if name and name.kind == AUTOMATIC and name.stem == stem:
            found.setdefault(name.taken_at, []).append(path)
    return found


def _last_change_mark(conn: sqlite3.Connection) -> tuple | None:
    """The newest audit entry (every change writes one): equal marks mean no change between two copies."""
    try:
        return tuple(conn.execute("SELECT max(id), count(*) FROM audit").fetchone())
    except sqlite3.Error:
        return None


def automatic_backup(store: Store, now: dt.datetime | None = None) -> Path | None:
    """The backup on close: at most one a day, then rotation (7 daily, 12 monthly).

    When today's backup already holds every change, nothing is written (returns None);
    when changes were made since, a new copy replaces today's, so the day's last work
    is never left out.
    """
    now = now or dt.datetime.now()
    folder = backups_folder(store.path)
    existing = _automatic_backups(folder, store.path.stem)
    todays = sorted(stamp for stamp in existing if stamp.date() == now.date())
    if todays:
        latest = existing[todays[-1]][0]
        with contextlib.suppress(sqlite3.Error, OSError):
            with contextlib.closing(_open_read_only(latest)) as copy:
                if _last_change_mark(copy) == _last_change_mark(store.conn):
                    return None
    written = _write_checked_copy(store.conn, _free_name(folder, backup_name(store.path, now, AUTOMATIC)))
    for stamp in todays:
        for path in existing.pop(stamp):
            with contextlib.suppress(OSError):
                path.unlink()
    existing[now] = [written]
    for stamp in backups_to_remove(existing):
        for path in existing[stamp]:
            with contextlib.suppress(OSError):
                path.unlink()
    return written


# -- what a backup holds ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupInfo:
    """One backup file as the Restore… list shows it."""

    path: Path
    kind: str
    taken_at: dt.datetime
    size: int
    branch_name: str = ""
    clients: int = 0
    clients_in_service: int = 0
    issued_claims: int = 0
    latest_claim: str = ""
    latest_change_at: str = ""
    latest_change_by: str = ""
    latest_change: str = ""
    problem: str | None = None

    @property
    def kind_text(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open a copy for reading without writing anything beside it (no -wal or -shm)."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def describe_backup(path: str | os.PathLike, today: dt.date | None = None) -> BackupInfo:
    """Date, size and what a backup holds (clients, issued claims, latest change), read safely."""
    path = Path(path)
    today = today or dt.date.today()
    name = parse_backup_name(path.name)
    stat = path.stat()
    taken = name.taken_at if name else dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
    kind = name.kind if name else MANUAL
    base = {"path": path, "kind": kind, "taken_at": taken, "size": stat.st_size}
    try:
        inspect_file(path)
    except BranchFileError:
        return BackupInfo(**base, problem=_("Empty, damaged or not a BranchDesk backup; it cannot be restored."))
    try:
        with contextlib.closing(_open_read_only(path)) as conn:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return BackupInfo(**base, problem=_("This is not a BranchDesk backup."))
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                return BackupInfo(**base, problem=_("Made by a newer version of BranchDesk; install it to restore this backup."))
            branch = conn.execute("SELECT name FROM branch WHERE id = 1").fetchone()
            clients, in_service = conn.execute(
                "SELECT count(*), count(CASE WHEN end_date IS NULL OR end_date >= ? THEN 1 END) FROM clients",
                (today.isoformat(),),
            ).fetchone()
            claims, latest_claim = conn.execute(
                "SELECT count(*), (SELECT number FROM claims ORDER BY issued_on DESC, id DESC LIMIT 1) FROM claims"
            ).fetchone()
            change = conn.execute("SELECT at, user, summary FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError:
        return BackupInfo(**base, problem=_("This backup is damaged and cannot be restored."))
    return BackupInfo(
        **base,
        branch_name=branch["name"] if branch else "",
        clients=clients,
        clients_in_service=in_service,
        issued_claims=claims,
        latest_claim=latest_claim or "",
        latest_change_at=change["at"] if change else "",
        latest_change_by=change["user"] if change else "",
        latest_change=change["summary"] if change else "",
    )


def list_backups(folder_or_store: Store | str | os.PathLike, today: dt.date | None = None) -> list[BackupInfo]:
    """Every backup in a folder (or in the backups folder beside an open branch), newest first."""
    folder = backups_folder(folder_or_store.path) if isinstance(folder_or_store, Store) else Path(folder_or_store)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.suffix.lower() not in (".sqlite", ".branchdesk") or not path.is_file():
            continue
        try:
            info = describe_backup(path, today)
        except OSError:
            continue
        found.append(info)
    return sorted(found, key=lambda info: info.taken_at, reverse=True)


# -- restore and move ------------------------------------------------------------------------------
def verify_backup(path: str | os.PathLike) -> None:
    """Refuse, in plain words, a backup that is not a whole, readable BranchDesk file."""
    path = Path(path)
    inspect_file(path)
    try:
        with contextlib.closing(_open_read_only(path)) as conn:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                raise BranchFileError(_("“{name}” is not a BranchDesk backup. Choose another file.").format(name=path.name))
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise BranchFileError(
                    _("“{name}” was made by a newer version of BranchDesk. Install the newer BranchDesk to restore it.").format(name=path.name)
                )
            problem = _integrity_problem(conn)
    except sqlite3.DatabaseError:
        problem = _("it cannot be read")
    if problem is not None:
        raise BranchFileError(
            _("The backup “{name}” is damaged ({problem}), so it was not restored. Nothing was changed; choose another backup.").format(
                name=path.name, problem=problem)
        )


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _copy_exact(source: Path, destination: Path) -> None:
    shutil.copyfile(source, destination)
    _fsync(destination)


def _check_file(path: Path) -> str | None:
    try:
        with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
            return _integrity_problem(conn)
    except sqlite3.Error as error:
        return str(error)


def restore_backup(current_path: str | os.PathLike, backup_path: str | os.PathLike, now: dt.datetime | None = None) -> Path | None:
    """Replace the branch file at ``current_path`` with a backup; returns where the old file was kept.

    The caller must have closed the branch file first. The backup is checked before
    anything is touched; the current file (with its ``-wal`` if any) is copied into the
    backups folder; after the swap the restored file is checked, and if it fails the old
    file is put back. Any refusal leaves the current file exactly as it was.
    """
    current = Path(current_path)
    backup = Path(backup_path)
    now = now or dt.datetime.now()
    verify_backup(backup)
    if current.exists() and current.resolve() == backup.resolve():
        raise BranchFileError(_("That is the branch file itself, not a backup of it. Choose a backup."))
    if not os.access(current.parent, os.W_OK):
        raise BranchFileError(
            _("BranchDesk cannot write in the folder “{folder}”, so the backup was not restored. Nothing was changed.").format(folder=current.parent)
        )
    kept: Path | None = None
    staging = current.with_name(current.name + ".restoring")
    try:
        if current.exists():
            kept = _free_name(backups_folder(current), backup_name(current, now, BEFORE_RESTORE))
            kept.parent.mkdir(parents=True, exist_ok=True)
            _copy_exact(current, kept)
            wal = current.with_name(current.name + "-wal")
            if wal.exists() and wal.stat().st_size:
                _copy_exact(wal, kept.with_name(kept.name + "-wal"))
        _copy_exact(backup, staging)
        problem = _check_file(staging)
        if problem is not None:
            raise BranchFileError(
                _("The copy of the backup did not pass its check ({problem}), so it was not restored. Nothing was changed.").format(problem=problem)
            )
        for companion in _companions(current):
            with contextlib.suppress(FileNotFoundError):
                companion.unlink()
        os.replace(staging, current)
    except OSError as error:
        raise BranchFileError(
            _("The backup could not be restored ({reason}). The branch file was not changed.").format(reason=error.strerror or error)
        ) from None
    finally:
        with contextlib.suppress(OSError):
            staging.unlink()
    problem = _check_file(current)
    if problem is not None:
        if kept is not None:
            for companion in _companions(current):
                with contextlib.suppress(FileNotFoundError):
                    companion.unlink()
            _copy_exact(kept, current)
        raise BranchFileError(
            _("The restored file did not pass its check ({problem}); the branch file was put back as it was.").format(problem=problem)
        )
    return kept


def move_branch_file(source: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """Copy the branch file at ``source`` into ``folder`` (checked, via the backup API) and retire the original.

    The original is renamed to ``<name>.moved`` so nobody goes on using it by mistake;
    when it cannot be renamed (a read-only share) it is left untouched. Returns the new path.
    """
    source = Path(source)
    destination = Path(folder) / source.name
    inspect_file(source)
    if destination.exists():
        raise BranchFileError(
            _("There is already a file called “{name}” in “{folder}”. Choose another folder.").format(name=source.name, folder=folder)
        )
    if not Path(folder).is_dir():
        raise BranchFileError(_("The folder “{folder}” does not exist. Choose another folder.").format(folder=folder))
    try:
        conn = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise BranchFileError(_("“{name}” cannot be read ({error}).").format(name=source.name, error=error)) from None
    try:
        _write_checked_copy(conn, destination)
    finally:
        conn.close()
    with contextlib.suppress(OSError):
        os.replace(source, source.with_name(source.name + ".moved"))
    return destination
