"""Where BranchDesk keeps its data and where its resources live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from branchdesk import APP_NAME


def data_dir() -> Path:
    """The folder for branch files, backups and settings.

    ``BRANCHDESK_DATA_DIR`` overrides it (tests use this to stay isolated). The default
    is the local (not roaming, not synced) application-data folder.
    """
    override = os.environ.get("BRANCHDESK_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_file() -> Path:
    """The demo branch's file inside the data folder."""
    return data_dir() / "demo-branch.sqlite"


def resources_dir() -> Path:
    """The ``resources`` folder: beside the package in a checkout, inside the bundle when frozen."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Path:
    """Path of one resource file, e.g. ``resource("icons/branchdesk.png")``."""
    return resources_dir() / name
