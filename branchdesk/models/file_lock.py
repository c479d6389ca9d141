"""One window per branch file: a small lock file beside it says who has it open.

``acquire`` creates ``<name>.lock`` atomically (``O_EXCL``) holding the user, the
computer, the process and the time. A second BranchDesk finds it and is told who has
the file and since when; it may open the file read-only instead. A lock left behind
by a crash (same computer, process no longer running) is recognised as stale and can
be broken knowingly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
import uuid
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.dates import format_date
from branchdesk.models.errors import BranchFileError

#: Locks held by this process, by token; one whose FileLock is gone was left behind (a window that died).
_HELD: weakref.WeakValueDictionary[str, FileLock] = weakref.WeakValueDictionary()

#: A lock file that cannot be read and is older than this was left half-written by a crash.
UNREADABLE_GRACE_SECONDS = 10


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file beside a branch file: ``branch.sqlite`` → ``branch.sqlite.lock``."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def this_computer() -> str:
    return socket.gethostname() or "this computer"


@dataclass(frozen=True)
class LockInfo:
    """What a lock file says: who holds the branch file, where, and since when."""

    user: str
    computer: str
    pid: int
    since: str
    token: str

    @property
    def since_text(self) -> str:
        """“31/10/2026 at 09:15”, or the raw text when it is not a time."""
        try:
            when = dt.datetime.fromisoformat(self.since)
        except ValueError:
            return self.since or _("an unknown time")
        return _("{date} at {time}").format(date=format_date(when.date()), time=when.strftime("%H:%M"))


class FileInUse(BranchFileError):
    """Another BranchDesk has the branch file open (or left a lock behind when it stopped)."""

    def __init__(self, path: Path, info: LockInfo, stale: bool):
        self.path = path
        self.info = info
        self.user = info.user
        self.computer = info.computer
        self.since = info.since
        self.stale = stale
        if stale:
            message = _(
                "“{name}” was left marked as open by {user} on this computer since {since}, but that BranchDesk is no "
                "longer running (it probably stopped unexpectedly). You can break the lock and open the file."
            )
        else:
            message = _(
                "“{name}” is open in BranchDesk by {user} on {computer} since {since}. "
                "Only one window can change a branch file at a time; you can open it read-only."
            )
        super().__init__(message.format(name=path.name, user=info.user, computer=info.computer, since=info.since_text))


class FileLock:
    """A held lock on one branch file; ``release()`` (or leaving the ``with`` block) lets it go."""

    def __init__(self, path: Path, info: LockInfo):
        self.path = path
        self.info = info
        self.released = False
        _HELD[info.token] = self

    def release(self) -> None:
        """Remove the lock file, if it is still ours."""
        if self.released:
            return
        self.released = True
        _HELD.pop(self.info.token, None)
        current = read_lock(self.path)
        if current is not None and current.token == self.info.token:
            with contextlib.suppress(FileNotFoundError):
                lock_path(self.path).unlink()

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def read_lock(path: str | os.PathLike) -> LockInfo | None:
    """What the lock file beside ``path`` says; None when there is none.

    A lock file that cannot be read (half-written) gives a LockInfo with unknown user.
    """
    try:
        text = lock_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        text = ""
    try:
        data = json.loads(text)
        return LockInfo(
            user=str(data["user"]),
            computer=str(data["computer"]),
            pid=int(data["pid"]),
            since=str(data["since"]),
            token=str(data.get("token", "")),
        )
    except (ValueError, KeyError, TypeError):
        return LockInfo(user=_("someone"), computer=_("an unknown computer"), pid=0, since="", token="")


def process_running(pid: int) -> bool:
    """Whether a process with this id is running on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _windows_process_running(pid: int) -> bool:
    # os.kill(pid, 0) would end the process on Windows; ask the kernel instead.
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    process_query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == access_denied
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def is_stale(path: str | os.PathLike, info: LockInfo) -> bool:
    """A lock left by a BranchDesk that is no longer running on this computer, or left half-written."""
    if not info.token:
        try:
            age = time.time() - lock_path(path).stat().st_mtime
        except OSError:
            return True
        return age > UNREADABLE_GRACE_SECONDS
    if info.computer != this_computer():
        return False
    if info.pid == os.getpid():
        return info.token not in _HELD
    return not process_running(info.pid)


def acquire(path: str | os.PathLike, user: str) -> FileLock:
    """Mark the branch file at ``path`` as open by ``user`` in this BranchDesk.

    Raises ``FileInUse`` when another BranchDesk has it (``stale`` says whether that one
    has stopped), and ``BranchFileError`` when the folder cannot be written.
    """
    path = Path(path)
    info = LockInfo(
        user=user,
        computer=this_computer(),
        pid=os.getpid(),
        since=dt.datetime.now().replace(microsecond=0).isoformat(),
        token=uuid.uuid4().hex,
    )
    target = lock_path(path)
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        holder = read_lock(path)
        if holder is None:  # released between our attempt and the read: try once more
            return acquire(path, user)
        raise FileInUse(path, holder, is_stale(path, holder)) from None
    except PermissionError:
        raise BranchFileError(
            _("BranchDesk cannot write in the folder “{folder}”, so it cannot open “{name}” for changes. "
              "Open it read-only, or move it to a folder you can save to.").format(folder=path.parent, name=path.name)
        ) from None
    except OSError as error:
        raise BranchFileError(
            _("BranchDesk could not mark “{name}” as open ({reason}). Open it read-only, or move it to a folder on this computer's own disk.").format(
                name=path.name, reason=error.strerror or error)
        ) from None
    try:
        os.write(handle, json.dumps(asdict(info), ensure_ascii=False).encode("utf-8"))
        os.fsync(handle)
    finally:
        os.close(handle)
    return FileLock(path, info)


def break_lock(path: str | os.PathLike, expected: LockInfo | None = None) -> None:
    """Remove the lock file beside ``path`` (the user chose to, knowing who held it).

    With ``expected``, only the lock the user was shown is removed: if someone else has
    taken the file meanwhile, ``FileInUse`` is raised instead.
    """
    path = Path(path)
    current = read_lock(path)
    if current is None:
        return
    if expected is not None and current.token != expected.token:
        raise FileInUse(path, current, is_stale(path, current))
    with contextlib.suppress(FileNotFoundError):
        lock_path(path).unlink()
