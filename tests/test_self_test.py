"""``branchdesk --self-test``: what the packaged app runs to prove it works."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_self_test_builds_a_claim_and_its_pdf_and_finds_every_screen(tmp_path):
    env = {**os.environ, "BRANCHDESK_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "branchdesk", "--self-test"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Self-test passed: built a claim and its 1-page PDF;")
    assert "screens and sections load" in done.stdout
    assert not done.stderr.strip()
