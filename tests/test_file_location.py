"""Branch files on network drives and in synced folders are refused with an explanation."""

import pytest

from branchdesk.models.file_location import (
    location_problem,
    parse_mac_mount_output,
    parse_proc_mounts,
)

LINUX_MOUNTS = parse_proc_mounts(
    "/dev/sda2 / ext4 rw,relatime 0 0\n"
    "server:/export/office /mnt/office nfs4 rw,relatime 0 0\n"
    "//nas/care\\040team /media/care\\040team cifs rw 0 0\n"
    "/dev/sdb1 /mnt/office/local-cache ext4 rw 0 0\n"
    "ann@host:/srv /home/ann/remote fuse.sshfs rw 0 0\n"
)


def _linux(path, **kw):
    return location_problem(path, platform="linux", environ={}, mounts=LINUX_MOUNTS, home="/home/ann", **kw)


def _windows(path, environ=None, remote=()):
    return location_problem(
        path,
        platform="win32",
        environ=environ or {},
        drive_type=lambda root: 4 if root[0] in remote else 3,
        home="C:\\Users\\Ann",
    )


def test_local_paths_are_fine():
    assert _linux("/home/ann/BranchDesk/branch.sqlite") is None
    assert _linux("/mnt/office/local-cache/branch.sqlite") is None  # a local disk mounted inside a share
    assert _windows("C:\\Users\\Ann\\AppData\\Local\\BranchDesk\\branch.sqlite") is None
    assert _windows("\\\\?\\C:\\Users\\Ann\\branch.sqlite") is None
    assert location_problem("/tmp/x/branch.sqlite", platform="darwin", environ={}, mounts=[("/", "apfs")]) is None


@pytest.mark.parametrize("path", ["/mnt/office/branch.sqlite", "/media/care team/Ann/branch.sqlite", "/home/ann/remote/b.sqlite"])
def test_linux_network_mounts(path):
    message = _linux(path)
    assert message and "network" in message
    assert "SQLite" in message and "WAL" in message and "File → Move branch file…" in message


def test_windows_unc_and_mapped_drives():
    for path in ("\\\\server\\share\\branch.sqlite", "\\\\?\\UNC\\server\\share\\branch.sqlite", "//server/share/branch.sqlite"):
        assert "network share" in _windows(path)
    message = _windows("S:\\Care\\branch.sqlite", remote="S")
    assert "S:, a network drive" in message
    assert _windows("D:\\Care\\branch.sqlite", remote="S") is None


def test_macos_network_volumes():
    mounts = parse_mac_mount_output(
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "//ann@nas._smb._tcp.local/Care Team on /Volumes/Care Team (smbfs, nodev, nosuid, mounted by ann)\n"
    )
    assert mounts[1] == ("/Volumes/Care Team", "smbfs")
    message = location_problem("/Volumes/Care Team/branch.sqlite", platform="darwin", environ={}, mounts=mounts)
    assert message and "smbfs" in message


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("C:\\Users\\Ann\\OneDrive\\Documents\\branch.sqlite", "OneDrive"),
        ("C:\\Users\\Ann\\OneDrive - Wiltshire Care Ltd\\branch.sqlite", "OneDrive"),
        ("C:\\Users\\Ann\\Dropbox\\Office\\branch.sqlite", "Dropbox"),
        ("G:\\My Drive\\branch.sqlite", "Google Drive"),
        ("C:\\Users\\Ann\\iCloudDrive\\branch.sqlite", "iCloud Drive"),
        ("C:\\Users\\Ann\\Box\\Branch\\branch.sqlite", "Box"),
    ],
)
def test_synced_folders_on_windows(path, service):
    message = _windows(path)
    assert message and f"in a {service} folder" in message
    assert "SQLite" in message and "File → Move branch file…" in message


def test_synced_folders_found_through_the_environment():
    environ = {"OneDriveCommercial": "E:\\Work Files"}
    assert "OneDrive" in _windows("E:\\Work Files\\branch.sqlite", environ=environ)
    assert _windows("E:\\Work Files Local\\branch.sqlite", environ=environ) is None


@pytest.mark.parametrize(
    "path",
    [
        "/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/branch.sqlite",
        "/Users/ann/Library/CloudStorage/OneDrive-WiltshireCare/branch.sqlite",
        "/Users/ann/Library/CloudStorage/GoogleDrive-ann@example.org/My Drive/branch.sqlite",
        "/home/ann/Dropbox/branch.sqlite",
    ],
)
def test_synced_folders_on_macos_and_linux(path):
    assert location_problem(path, platform="darwin", environ={}, mounts=[("/", "apfs")], home="/Users/ann")


def test_a_folder_merely_called_box_elsewhere_is_fine():
    assert _linux("/home/ann/Projects/Box/branch.sqlite") is None
    assert _linux("/home/ann/Box/branch.sqlite")  # Box Drive's own folder


def test_this_computer_test_folder_is_fine(tmp_path):
    assert location_problem(tmp_path / "branch.sqlite") is None
