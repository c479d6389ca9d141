"""``branchdesk-cli claim build|issue|list`` exactly as SPEC §10: output, JSON and exit status."""

from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest
from test_claims_engine import add_client, add_contract, add_outcome, add_suspension

from branchdesk.cli import main

D = dt.date


@pytest.fixture
def db(store):
    """A branch file with one contract (80% core, 20% upfront) and two clients."""
    contract = add_contract(store, core_share="0.8", outcome_upfront_share="0.2")
    first = add_client(store, contract, "C1", D(2026, 1, 5), hours="10.5")
    add_client(store, contract, "C2", D(2026, 10, 12), hours="7")
    add_outcome(store, first, "O1", D(2026, 10, 3), fee_pence=50000)
    path = str(store.path)
    store.close()
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def build_json(capsys, db, month="2026-10"):
    status, out, err = run(capsys, "claim", "build", "--db", db, "--contract", "HCC", "--month", month, "--json")
    assert (status, err) == (0, "")
    return json.loads(out)


def test_build_json_has_exactly_the_documented_shape(capsys, db):
    claim = build_json(capsys, db)
    assert list(claim) == ["contract", "month", "status", "number", "lines", "total"]
    assert (claim["contract"], claim["month"], claim["status"], claim["number"]) == ("HCC", "2026-10", "draft", None)
    for line in claim["lines"]:
        assert list(line) == ["client_ref", "component", "description", "explanation", "amount"]
        assert re.fullmatch(r"-?\d+\.\d\d", line["amount"])
    # C1: 31 × 10.5 × £24.50 × 80% ÷ 7 = £911.40; upfront £500 × 20% = £100.00
    # C2: 20 days (12–31 Oct) × 7 × £24.50 × 80% ÷ 7 = £392.00
    assert [(line["client_ref"], line["component"], line["amount"]) for line in claim["lines"]] == [
        ("C1", "core", "911.40"), ("C1", "outcome_upfront", "100.00"), ("C2", "core", "392.00")]
    assert claim["total"] == "1403.40"


def test_issue_then_build_prints_the_frozen_claim_and_adjustments_go_to_the_next_month(capsys, db):
    draft = build_json(capsys, db)
    status, out, err = run(capsys, "claim", "issue", "--db", db, "--contract", "HCC", "--month", "2026-10")
    assert status == 0 and "HCC-0001" in out and "£1,403.40" in out
    from branchdesk.models.db import open_branch

    with open_branch(db) as store:
        add_suspension(store, store.value("SELECT id FROM clients WHERE ref = 'C2'"), D(2026, 10, 22), D(2026, 10, 31), "holiday")
    issued = build_json(capsys, db)
    assert (issued["status"], issued["number"]) == ("issued", "HCC-0001")
    assert issued["lines"] == draft["lines"] and issued["total"] == draft["total"]
    november = build_json(capsys, db, "2026-11")
    adjustment = november["lines"][-1]
    # C2 on holiday 22–31 Oct: 10 days × £19.60 = −£196.00
    assert (adjustment["client_ref"], adjustment["component"], adjustment["amount"]) == ("C2", "adjustment", "-196.00")
    assert adjustment["description"].startswith("Adjustment for October 2026")


def test_list_shows_issued_claims_newest_first(capsys, db):
    assert run(capsys, "claim", "list", "--db", db)[1].strip() == "No claims have been issued yet."
    for month in ("2026-10", "2026-11"):
        assert run(capsys, "claim", "issue", "--db", db, "--contract", "HCC", "--month", month)[0] == 0
    status, out, _err = run(capsys, "claim", "list", "--db", db, "--json")
    listing = json.loads(out)
    assert status == 0
    assert [(c["number"], c["month"], c["status"]) for c in listing] == [
        ("HCC-0002", "2026-11", "issued"), ("HCC-0001", "2026-10", "issued")]
    status, out, _err = run(capsys, "claim", "list", "--db", db)
    assert out.index("HCC-0002") < out.index("HCC-0001")


def test_build_and_issue_write_the_pdf_and_spreadsheet(capsys, db, tmp_path):
    pdf, xlsx = tmp_path / "draft.pdf", tmp_path / "draft.xlsx"
    status, out, err = run(capsys, "claim", "build", "--db", db, "--contract", "HCC", "--month", "2026-10",
                           "--pdf", str(pdf), "--xlsx", str(xlsx))
    assert status == 0 and "Total: £1,403.40" in out
    assert pdf.read_bytes().startswith(b"%PDF")
    cells = [c for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True) for c in row if c is not None]
    assert any("C2" in str(c) for c in cells)
    issued_pdf = tmp_path / "issued.pdf"
    assert run(capsys, "claim", "issue", "--db", db, "--contract", "HCC", "--month", "2026-10", "--pdf", str(issued_pdf))[0] == 0
    reprint = tmp_path / "reprint.pdf"
    assert run(capsys, "claim", "build", "--db", db, "--contract", "HCC", "--month", "2026-10", "--pdf", str(reprint))[0] == 0
    assert reprint.read_bytes() == issued_pdf.read_bytes()


@pytest.mark.parametrize(("argv", "expected", "message"), [
    (["claim", "build", "--contract", "XYZ", "--month", "2026-10"], 1, "no contract “XYZ”"),
    (["claim", "build", "--contract", "HCC", "--month", "2026-13"], 2, "not a month"),
    (["claim", "build", "--contract", "HCC", "--month", "October"], 2, "not a month"),
    (["claim", "issue", "--contract", "HCC", "--month", "2026-1-1"], 2, "not a month"),
    (["claim", "issue", "--contract", "XYZ", "--month", "2026-10"], 1, "no contract"),
    (["claim", "issue", "--contract", "HCC", "--month", "2025-01"], 1, "nothing to claim"),
    (["claim", "build", "--contract", "HCC"], 2, "--month"),
    (["claim", "build", "--month", "2026-10"], 2, "--contract"),
    (["claim", "print", "--contract", "HCC"], 2, ""),
])
def test_errors_are_one_plain_sentence_with_the_right_exit_status(capsys, db, argv, expected, message):
    status, out, err = run(capsys, *argv, "--db", db)
    assert status == expected
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_issuing_twice_is_refused(capsys, db):
    assert run(capsys, "claim", "issue", "--db", db, "--contract", "HCC", "--month", "2026-10")[0] == 0
    status, _out, err = run(capsys, "claim", "issue", "--db", db, "--contract", "HCC", "--month", "2026-10")
    assert status == 1 and "already issued as HCC-0001" in err


def test_a_missing_branch_file_is_a_plain_error(capsys, tmp_path):
    status, _out, err = run(capsys, "claim", "list", "--db", str(tmp_path / "nowhere.sqlite"))
    assert status == 1 and "no branch file" in err.lower()
