"""Test set-up: Qt offscreen and an isolated data folder before anything loads Qt."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_DATA = tempfile.mkdtemp(prefix="branchdesk-tests-")
os.environ["BRANCHDESK_DATA_DIR"] = _DATA

import datetime as dt  # noqa: E402

import pytest  # noqa: E402

DEMO_TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def store(tmp_path):
    """A new, empty branch file (with branch details), opened."""
    from branchdesk.models.db import create_branch

    opened = create_branch(tmp_path / "branch.sqlite", "Test Branch", user="tester", address="1 High Street\nTrowbridge\nBA14 8AA")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A small demo branch built once per test session (do not write to it: use demo_copy)."""
    from branchdesk.models.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    build_demo(path, clients=12, months=6, seed=1, today=DEMO_TODAY)
    return path


@pytest.fixture
def demo_copy(demo_path, tmp_path) -> Path:
    """A private copy of the small demo branch that a test may change."""
    target = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_path, target)
    return target


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_DATA, ignore_errors=True)
