"""``branchdesk --self-test``: prove an installed copy works, without a window.

Opens a temporary branch, adds a contract and a client, builds that month's claim and
its PDF, checks the PDF, checks that every screen and record section the window loads by
name is present (a bundle only holds what its spec lists), and exits 0 (or 1 with one plain
sentence on stderr).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sys
import tempfile
from pathlib import Path


def run_self_test() -> int:
    try:
        with tempfile.TemporaryDirectory(prefix="branchdesk-self-test-") as folder:
            pages = _exercise(Path(folder))
        screens = _check_modules()
    except Exception as error:  # report any failure as one sentence, never a traceback
        print(f"Self-test failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"Self-test passed: built a claim and its {pages}-page PDF; {screens} screens and sections load.")
    return 0


def _exercise(folder: Path) -> int:
    from branchdesk.models import claims
    from branchdesk.models.contracts import contract_from_form, save_contract
    from branchdesk.models.db import create_branch

    store = create_branch(folder / "self-test.sqlite", "Self-test branch", user="self-test")
    try:
        contract_id = save_contract(store, contract_from_form({
            "ref": "TEST", "council": "Test Council", "core_basis": "envelope", "hourly_rate": "20", "core_share": "0.8",
        }))
        month_start = dt.date.today().replace(day=1)
        with store.transaction():
            client_id = store.db["clients"].insert({
                "ref": "T001", "name": "Test Person", "contract_id": contract_id, "category": "long_term",
                "funding": "council", "start_date": month_start.isoformat(),
            }).last_pk
            store.db["envelopes"].insert({"client_id": client_id, "effective_date": month_start.isoformat(), "hours_per_week": "7"})
        claim = claims.build_claim(store, "TEST", f"{month_start:%Y-%m}")
        if not claim.lines or claim.total_pence <= 0:
            raise RuntimeError("the test claim came out empty")
        pdf = folder / "claim.pdf"
        claims.write_claim_pdf(store, claim, pdf)
        data = pdf.read_bytes()
        if not data.startswith(b"%PDF"):
            raise RuntimeError("the claim PDF is not a PDF")
        return max(1, data.count(b"/Type /Page") - data.count(b"/Type /Pages"))
    finally:
        store.close()


def _check_modules() -> int:
    """Import every module of the package, then check each screen, badge and record section
    named by a string; return how many were found."""
    import branchdesk

    for module in pkgutil.walk_packages(branchdesk.__path__, "branchdesk."):
        if module.name != "branchdesk.__main__":
            importlib.import_module(module.name)
    from branchdesk.paths import resource
    from branchdesk.ui.client_record import EXTRA_SECTIONS
    from branchdesk.ui.main_window import BADGES, SCREENS

    named = [(module, cls) for _key, _title, module, cls in SCREENS]
    named += [(module, "navigation_badge") for module in BADGES.values()]
    named += [(module, cls) for _title, module, cls in EXTRA_SECTIONS]
    for module, name in named:
        if not hasattr(importlib.import_module(module), name):
            raise RuntimeError(f"{module} has no {name}")
    if not resource("icons/branchdesk.png").exists():
        raise RuntimeError("the application icon is missing")
    return len(named)
