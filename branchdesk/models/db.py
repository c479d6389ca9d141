"""Opening, creating and writing a branch file (one SQLite file holds one branch).

Every user action that writes goes through ``Store.transaction()``: one
``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back whole on any error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from branchdesk.models.errors import BranchFileError
from branchdesk.models.schema import SCHEMA_VERSION, UPGRADES

#: ``PRAGMA application_id`` of a BranchDesk file ("BDK1"), so any other SQLite file is recognised.
APPLICATION_ID = 0x42444B31
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def default_user() -> str:
    """The login name, used for the audit log until the user sets a name in Settings."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # getpass raises assorted errors when no login name is available
        return "unknown"


def now_stamp() -> str:
    """Local time to the second, as stored in the audit log."""
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


class Store:
    """An open branch file: one connection, used from one thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection, user: str, read_only: bool = False):
        self.path = path
        self.conn = conn
        self.user = user
        self.read_only = read_only
        #: when audit entries are stamped; the demo branch replaces it so the same seed gives the same file
        self.clock: Callable[[], str] = now_stamp
        self._depth = 0

    @functools.cached_property
    def db(self):
        """The connection as a ``sqlite_utils.Database``, for inserts and updates by column name.

        Made on first use: opening a branch to read it stays quick."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- reading -----------------------------------------------------------------------
    def rows(self, sql: str, params=()) -> list[sqlite3.Row]:
        """Every row of a query, as ``sqlite3.Row`` (index by name)."""
        return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params=()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        return self.conn.execute(sql, params).fetchone()

    def value(self, sql: str, params=()):
        """The first column of the first row, or None."""
        found = self.conn.execute(sql, params).fetchone()
        return found[0] if found else None

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write. Nested calls join the outer transaction."""
        if self.read_only:
            raise BranchFileError("This branch file is open read-only; changes cannot be saved.")
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise BranchFileError(f"{_plain_name(self.path)} is busy: another program is saving to it. "
                                      "Nothing was changed; try again in a moment.") from None
            raise
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        else:
            self._depth = 0
            self.conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        summary: str,
        old: dict | None = None,
        new: dict | None = None,
        client_id: int | None = None,
    ) -> None:
        """Record who created, changed or deleted what, with old and new values.

        Call inside the transaction that makes the change, so both land or neither.
        """
        if old and new:
            changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
            old = {k: old.get(k) for k in sorted(changed)}
            new = {k: new.get(k) for k in sorted(changed)}
        self.conn.execute(
            "INSERT INTO audit (at, user, action, entity, entity_id, client_id, summary, old_values, new_values)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.clock(),
                self.user,
                action,
                entity,
                entity_id,
                client_id,
                summary,
                _json(old),
                _json(new),
            ),
        )

    def save_record(
        self,
        table: str,
        record_id: int | None,
        values: dict,
        entity: str,
        label: str,
        client_id: int | None = None,
    ) -> int:
        """Insert (``record_id`` None) or update one row, with an audit entry naming ``label``
        ("Worker W01"); an update that changes nothing writes nothing. Returns the row's id.

        Raises ``NotFound`` when the row to update has gone (deleted in another window).
        """
        from branchdesk.i18n import _
        from branchdesk.models.errors import NotFound

        with self.transaction():
            if record_id is None:
                row = {"client_id": client_id, **values} if client_id is not None else values
                record_id = self.db[table].insert(row).last_pk
                self.audit("create", entity, record_id, _("{label} added").format(label=label), new=values, client_id=client_id)
                return record_id
            current = self.row(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
            if current is None:
                raise NotFound(_("{label} no longer exists; it may have been deleted in another window.").format(label=label))
            old = {key: current[key] for key in values}
            if old != values:
                self.db[table].update(record_id, values)
                self.audit("update", entity, record_id, _("{label} changed").format(label=label), old=old, new=values, client_id=client_id)
        return record_id

    # -- settings stored in the file -----------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        found = self.value("SELECT value FROM settings WHERE key = ?", (key,))
        return default if found is None else found

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- lifetime ------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.value("PRAGMA user_version")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if not self.read_only:
                self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _json(values: dict | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)


def _plain_name(path: Path) -> str:
    return f"“{path}”"


def inspect_file(path: Path) -> None:
    """Refuse, with a plain sentence, anything at ``path`` that is not an openable SQLite file."""
    if path.is_dir():
        raise BranchFileError(f"{_plain_name(path)} is a folder, not a branch file. Choose a BranchDesk file instead.")
    if not path.exists():
        raise BranchFileError(f"There is no branch file at {_plain_name(path)}. Check the name, or create a new branch.")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise BranchFileError(f"BranchDesk is not allowed to read {_plain_name(path)}. Ask your IT support to check its permissions.") from None
    except OSError as error:
        raise BranchFileError(f"{_plain_name(path)} cannot be read ({error.strerror}).") from None
    if not header:
        raise BranchFileError(f"{_plain_name(path)} is empty (0 bytes), so it is not a usable branch file. Restore it from a backup.")
    if header != SQLITE_HEADER:
        raise BranchFileError(f"{_plain_name(path)} is not a BranchDesk branch file. Choose another file, or restore it from a backup.")


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro"
        wal = path.with_name(path.name + "-wal")
        if not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size):
            # In a folder nobody can write to, SQLite cannot make its shared-memory file for a WAL
            # database; with no pending log and no writer possible, the file can be read as it is.
            uri += "&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _apply_pragmas(conn: sqlite3.Connection, read_only: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise BranchFileError("The branch file could not be switched to safe-write (WAL) mode. Move it to a folder on this computer's own disk.")
    conn.execute("PRAGMA synchronous = FULL")


def backup_copy(conn: sqlite3.Connection, destination: Path) -> Path:
    """Copy an open database to ``destination`` with SQLite's backup API (safe while open)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(destination))
    try:
        conn.backup(target)
    finally:
        target.close()
    return destination


def backups_folder(path: Path) -> Path:
    """The automatic backups folder beside a branch file."""
    return path.parent / "backups"


def _upgrade(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Run every pending upgrade in one transaction, after a backup copy of the file."""
    if version > 0:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_copy(conn, backups_folder(path) / f"{path.stem}-before-upgrade-v{version}-{stamp}.sqlite")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            UPGRADES[target](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def open_branch(
    path: str | os.PathLike,
    *,
    create: bool = False,
    user: str | None = None,
    read_only: bool = False,
    check: bool = True,
) -> Store:
    """Open (or with ``create=True`` create) a branch file and bring its schema up to date.

    Refuses, with a ``BranchFileError`` in plain words and without changing the file: a
    folder, a missing file, a file that is not SQLite or not a branch, a damaged file,
    a read-only file (unless ``read_only``), and a file from a newer BranchDesk.
    """
    path = Path(path)
    user = user or default_user()
    if create and not path.exists():
        if not path.parent.exists():
            raise BranchFileError(f"The folder {_plain_name(path.parent)} does not exist. Choose another place for the branch file.")
        if not os.access(path.parent, os.W_OK):
            raise BranchFileError(f"BranchDesk cannot write in the folder {_plain_name(path.parent)}. Choose a folder you can save to.")
        conn = _connect(path, read_only=False)
        try:
            _apply_pragmas(conn, read_only=False)
            _upgrade(conn, path, 0)
        except BaseException:
            conn.close()
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return Store(path, conn, user)

    inspect_file(path)
    if not read_only and not os.access(path, os.W_OK):
        raise BranchFileError(f"{_plain_name(path)} is read-only, so changes could not be saved. Copy it to a folder you can write to, or open it read-only.")
    try:
        conn = _connect(path, read_only)
    except sqlite3.Error as error:
        raise BranchFileError(f"{_plain_name(path)} cannot be opened ({error}).") from None
    try:
        version = _usable_version(conn, path, check)
        if version < SCHEMA_VERSION and read_only:
            raise BranchFileError(f"{_plain_name(path)} was saved by an older version of BranchDesk and must be upgraded; open it normally (not read-only) first.")
        try:
            _apply_pragmas(conn, read_only)
            if version < SCHEMA_VERSION:
                try:
                    _upgrade(conn, path, version)
                except sqlite3.Error as error:
                    raise BranchFileError(
                        f"{_plain_name(path)} could not be upgraded for this version of BranchDesk ({error}). "
                        "It was left exactly as it was; a copy is in the backups folder beside it."
                    ) from None
        except sqlite3.DatabaseError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise BranchFileError(f"{_plain_name(path)} is busy in another program. Close it there and try again.") from None
            if not isinstance(error, sqlite3.OperationalError):
                raise BranchFileError(f"{_plain_name(path)} is damaged and will not be used. Restore it from a backup.") from None
            raise BranchFileError(f"{_plain_name(path)} cannot be opened ({error}).") from None
    except BaseException:
        conn.close()
        raise
    return Store(path, conn, user, read_only=read_only)


def _usable_version(conn: sqlite3.Connection, path: Path, check: bool) -> int:
    """The schema version of an open file, after refusing a damaged, foreign or newer one.

    ``PRAGMA quick_check`` runs when ``check`` is set, and always before an upgrade.
    """
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if check or version < SCHEMA_VERSION:  # never upgrade a file that has not been checked
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BranchFileError(f"{_plain_name(path)} is damaged and will not be used. Restore it from a backup.")
    except sqlite3.DatabaseError:
        raise BranchFileError(f"{_plain_name(path)} is damaged or is not a BranchDesk branch file. Restore it from a backup.") from None
    if app_id != APPLICATION_ID:
        raise BranchFileError(f"{_plain_name(path)} is a database, but not a BranchDesk branch file. Choose another file.")
    if version > SCHEMA_VERSION:
        raise BranchFileError(
            f"{_plain_name(path)} was saved by a newer version of BranchDesk (file version {version}; "
            f"this one understands up to {SCHEMA_VERSION}). Install the newer BranchDesk to open it."
        )
    return version


def verify_branch_file(path: str | os.PathLike) -> None:
    """The checks ``open_branch`` makes before a file is used, on a read-only connection of their own.

    Lets the window check a large file off the UI thread, then open it with ``check=False``.
    Raises ``BranchFileError`` in plain words; never changes the file.
    """
    path = Path(path)
    inspect_file(path)
    try:
        conn = _connect(path, read_only=True)
    except sqlite3.Error as error:
        raise BranchFileError(f"{_plain_name(path)} cannot be opened ({error}).") from None
    try:
        _usable_version(conn, path, check=True)
    finally:
        conn.close()


def create_branch(path: str | os.PathLike, name: str, user: str | None = None, **details) -> Store:
    """Create a new branch file with its branch details; refuses to overwrite an existing file."""
    path = Path(path)
    if path.exists():
        raise BranchFileError(f"{_plain_name(path)} already exists. Choose another name, or open it instead.")
    store = open_branch(path, create=True, user=user)
    from branchdesk.models.branch import save_branch

    save_branch(store, {"name": name, **details})
    return store
