"""One window per branch file: who has it, since when, and locks left by a crash."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from branchdesk.models import file_lock
from branchdesk.models.errors import BranchFileError
from branchdesk.models.file_lock import FileInUse, acquire, break_lock, lock_path, read_lock


def test_second_acquire_is_told_who_and_since_when(tmp_path):
    path = tmp_path / "branch.sqlite"
    held = acquire(path, "Ann Baker")
    assert lock_path(path).name == "branch.sqlite.lock"
    with pytest.raises(FileInUse) as in_use:
        acquire(path, "Bob Carter")
    error = in_use.value
    assert (error.user, error.computer, error.stale) == ("Ann Baker", file_lock.this_computer(), False)
    assert "Ann Baker" in str(error) and "read-only" in str(error)
    assert error.info.since_text.count("/") == 2 and " at " in error.info.since_text
    held.release()
    assert not lock_path(path).exists()
    acquire(path, "Bob Carter").release()


def test_release_leaves_someone_elses_lock(tmp_path):
    path = tmp_path / "branch.sqlite"
    mine = acquire(path, "Ann")
    break_lock(path)
    theirs = acquire(path, "Bob")
    mine.release()
    assert read_lock(path).user == "Bob"
    theirs.release()


def _hold_in_a_subprocess(path):
    code = (
        "import sys, time\n"
        "from branchdesk.models.file_lock import acquire\n"
        f"acquire({str(path)!r}, 'Crashed Carol')\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_lock_left_by_a_crash_is_stale_and_can_be_broken_knowingly(tmp_path):
    path = tmp_path / "branch.sqlite"
    process = _hold_in_a_subprocess(path)
    try:
        with pytest.raises(FileInUse) as live:
            acquire(path, "Dan")
        assert not live.value.stale  # the other BranchDesk is still running
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with pytest.raises(FileInUse) as stale:
        acquire(path, "Dan")
    assert stale.value.stale and "no longer running" in str(stale.value)
    break_lock(path, stale.value.info)
    acquire(path, "Dan").release()


def test_break_lock_refuses_when_someone_else_took_the_file_meanwhile(tmp_path):
    path = tmp_path / "branch.sqlite"
    first = acquire(path, "Ann")
    shown = read_lock(path)
    first.release()
    acquire(path, "Eve")
    with pytest.raises(FileInUse):
        break_lock(path, shown)
    assert read_lock(path).user == "Eve"


def test_a_lock_from_another_computer_is_never_called_stale(tmp_path):
    path = tmp_path / "branch.sqlite"
    lock_path(path).write_text(json.dumps(
        {"user": "Fay", "computer": "OFFICE-PC-2", "pid": 999999, "since": "2026-10-31T09:15:00", "token": "abc"}))
    with pytest.raises(FileInUse) as in_use:
        acquire(path, "Gus")
    assert not in_use.value.stale
    assert "Fay on OFFICE-PC-2 since 31/10/2026 at 09:15" in str(in_use.value)


def test_a_half_written_lock_is_stale_only_after_a_while(tmp_path):
    path = tmp_path / "branch.sqlite"
    lock_path(path).write_text("")
    with pytest.raises(FileInUse) as fresh:
        acquire(path, "Hal")
    assert not fresh.value.stale
    old = time.time() - 60
    os.utime(lock_path(path), (old, old))
    with pytest.raises(FileInUse) as left:
        acquire(path, "Hal")
    assert left.value.stale


def test_a_folder_that_cannot_be_written_is_a_plain_refusal(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(file_lock.os, "open", refuse)
    with pytest.raises(BranchFileError, match="cannot write in the folder"):
        acquire(tmp_path / "branch.sqlite", "Ivy")


def test_process_running():
    assert file_lock.process_running(os.getpid())
    assert not file_lock.process_running(0)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not file_lock.process_running(int(finished.stdout))


def test_a_lock_this_program_let_go_of_without_releasing_is_stale(tmp_path):
    path = tmp_path / "branch.sqlite"
    held = acquire(path, "Jo")
    with pytest.raises(FileInUse) as live:
        acquire(path, "Jo")
    assert not live.value.stale
    del held, live
    with pytest.raises(FileInUse) as left:
        acquire(path, "Jo")
    assert left.value.stale
