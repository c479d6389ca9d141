"""Whether a branch file sits somewhere SQLite cannot keep it safe: a network share or a synced folder.

SQLite's own documentation ("How To Corrupt An SQLite Database File" and "Write-Ahead
Logging") warns that file locking is unreliable on network filesystems and that WAL
mode does not work over a network. Cloud-sync clients (OneDrive, Dropbox, Google
Drive, iCloud Drive, Box) copy the file while it is being written and can bring back
an older copy. A branch file in either place is refused with an explanation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath, PureWindowsPath

from branchdesk.i18n import _

#: Linux filesystem types that live on another computer.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "9p",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.davfs2",
        "fuse.gvfsd-fuse",
        "fuse.glusterfs",
        "fuse.s3fs",
        "webdav",
        "afpfs",
    }
)
#: macOS volume types that live on another computer (as printed by ``mount``).
MAC_NETWORK_FILESYSTEMS = frozenset({"smbfs", "afpfs", "nfs", "webdav", "ftp", "cifs"})

#: Folder names that synchronisation clients create, lower-case, with the service's name.
SYNCED_FOLDER_NAMES = {
    "onedrive": "OneDrive",
    "dropbox": "Dropbox",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive",
    "mobile documents": "iCloud Drive",
    "box sync": "Box",
    "box drive": "Box",
    "pcloud drive": "pCloud",
}
#: Prefixes of folder names such as "OneDrive - Wiltshire Care Ltd" or macOS's "GoogleDrive-name@example.org".
SYNCED_FOLDER_PREFIXES = {
    "onedrive - ": "OneDrive",
    "onedrive-": "OneDrive",
    "googledrive-": "Google Drive",
    "dropbox (": "Dropbox",
    "box-": "Box",
}
#: Environment variables that OneDrive and Dropbox set to their folders.
SYNC_ENVIRONMENT = {
    "OneDrive": "OneDrive",
    "OneDriveCommercial": "OneDrive",
    "OneDriveConsumer": "OneDrive",
    "DROPBOX": "Dropbox",
}

DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive

WHAT_TO_DO = _(
    "Move the file to a folder on this computer's own disk (File → Move branch file…), "
    "and keep extra copies on a USB stick (File → Back up now…)."
)


def _network_message(path: PurePath, where: str) -> str:
    return _(
        "“{path}” is {where}. SQLite, the database inside BranchDesk, warns in its own documentation that "
        "file locking is unreliable on network drives and that its safe-write (WAL) mode does not work there, "
        "so the branch file could be damaged or lose changes. {what_to_do}"
    ).format(path=path, where=where, what_to_do=WHAT_TO_DO)


def _synced_message(path: PurePath, service: str) -> str:
    return _(
        "“{path}” is in a {service} folder. {service} copies files while programs are writing to them and can "
        "bring back an older copy, and SQLite, the database inside BranchDesk, warns in its own documentation that "
        "file locking is unreliable on shared and network storage and that its safe-write (WAL) mode does not work there. "
        "The branch file could be damaged or lose claims. {what_to_do}"
    ).format(path=path, service=service, what_to_do=WHAT_TO_DO)


def location_problem(
    path: str | os.PathLike,
    *,
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
    mounts: list[tuple[str, str]] | None = None,
    drive_type: Callable[[str], int] | None = None,
    home: str | os.PathLike | None = None,
) -> str | None:
    """A plain explanation when ``path`` is on a network or in a synced folder, else None.

    The keyword arguments replace what is read from this computer (for tests): the
    platform name, the environment, the mount table as (mount point, filesystem type)
    pairs, Windows's GetDriveTypeW, and the home folder.
    """
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    windows = platform.startswith("win")
    pure = PureWindowsPath(path) if windows else _absolute(path)
    if windows:
        found = _windows_network(pure, drive_type)
    else:
        found = _mounted_network(pure, platform, mounts)
    if found:
        return _network_message(pure, found)
    service = _synced_service(pure, environ, windows, home)
    if service:
        return _synced_message(pure, service)
    return None


def _absolute(path: str | os.PathLike) -> PurePath:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(os.path.abspath(path))


def _windows_network(path: PureWindowsPath, drive_type: Callable[[str], int] | None) -> str | None:
    text = str(path)
    if text.startswith("\\\\?\\UNC\\") or (text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))):
        return _("on a network share (a “\\\\server\\share” path)")
    drive = path.drive
    if text.startswith("\\\\?\\"):
        drive = PureWindowsPath(text[4:]).drive
    if len(drive) == 2 and drive[1] == ":":
        kind = (drive_type or _get_drive_type)(drive + "\\")
        if kind == DRIVE_REMOTE:
            return _("on {drive}, a network drive").format(drive=drive)
    return None


def _get_drive_type(root: str) -> int:
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(root)


def _mounted_network(path: PurePath, platform: str, mounts: list[tuple[str, str]] | None) -> str | None:
    if mounts is None:
        mounts = _mac_mounts() if platform == "darwin" else _linux_mounts()
    network = MAC_NETWORK_FILESYSTEMS if platform == "darwin" else NETWORK_FILESYSTEMS
    best: tuple[str, str] | None = None
    for point, kind in mounts:
        mount_point = PurePath(point)
        if (path == mount_point or mount_point in path.parents) and (best is None or len(point) > len(best[0])):
            best = (point, kind)
    if best is None:
        return None
    kind = best[1].lower()
    if kind in network or kind.split(".")[-1] in network:
        return _("on a network drive (“{mount}”, mounted over the network as {kind})").format(mount=best[0], kind=best[1])
    return None


def _unescape_mount(field: str) -> str:
    """/proc/mounts writes spaces, tabs, newlines and backslashes as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return parse_proc_mounts(text)


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) pairs from the text of ``/proc/mounts``."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            found.append((_unescape_mount(fields[1]), fields[2]))
    return found


def _mac_mounts() -> list[tuple[str, str]]:
    try:
        output = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_mac_mount_output(output)


def parse_mac_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) pairs from macOS ``mount`` lines such as
    ``//ann@server/share on /Volumes/share (smbfs, nodev, nosuid, mounted by ann)``."""
    found = []
    for line in text.splitlines():
        if " on " not in line or not line.endswith(")") or " (" not in line:
            continue
        rest = line.split(" on ", 1)[1]
        point, options = rest.rsplit(" (", 1)
        found.append((point, options.split(",")[0].strip()))
    return found


def _synced_service(path: PurePath, environ: Mapping[str, str], windows: bool, home: str | os.PathLike | None) -> str | None:
    folded = str(path).casefold()
    for variable, service in SYNC_ENVIRONMENT.items():
        root = environ.get(variable, "").strip()
        if root and (folded == root.casefold() or folded.startswith(root.rstrip("\\/").casefold() + ("\\" if windows else "/"))):
            return service
    parts = [part.casefold() for part in path.parts[:-1]]
    for index, part in enumerate(parts):
        if part in SYNCED_FOLDER_NAMES:
            return SYNCED_FOLDER_NAMES[part]
        for prefix, service in SYNCED_FOLDER_PREFIXES.items():
            if part.startswith(prefix):
                return service
        if part == "cloudstorage" and index + 1 < len(parts):
            return _("cloud storage")
    home_folder = type(path)(home if home is not None else Path.home())
    try:
        relative = path.relative_to(home_folder)
    except ValueError:
        return None
    if relative.parts and relative.parts[0].casefold() == "box" and len(relative.parts) > 1:
        return "Box"
    return None
