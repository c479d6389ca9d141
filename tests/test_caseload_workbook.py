"""The caseload workbook (SPEC §8): import, re-import, export round trip and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from branchdesk import cli
from branchdesk.models.caseload_workbook import (
    SHEETS,
    export_caseload,
    import_caseload,
    read_caseload,
)
from branchdesk.models.db import open_branch
from branchdesk.models.errors import BranchDeskError
from branchdesk.models.outcomes import list_outcomes

TODAY = dt.date(2026, 11, 15)


def good_sheets() -> dict[str, list[list]]:
    """A small, valid caseload: two contracts, three clients, outcomes, envelopes, a review."""
    return {
        "Branch": [["name", "address", "phone", "email", "cqc_location_id"],
                   ["Westbury Home Care", "2 Market Place\nWestbury", "01373 000000", "office@westbury.example", "1-234567890"]],
        "Contracts": [
            ["Ref", "Council", "Core_basis", "Hourly_rate", "core_share", "outcome_upfront_share", "episode_fee", "band_rates", "claim_prefix", "print_names"],
            ["WCC", "Wiltshire Council", "envelope", 24.5, 0.8, 0.2, None, None, "WCC", "initials"],
            ["BAND", "Bath Council", "band", "20.00", None, None, "1575", "lower=75;higher=150", None, "full"],
        ],
        "Clients": [
            ["ref", "council_ref", "name", "date_of_birth", "postcode", "contract_ref", "category", "funding",
             "personal_budget_weekly", "start_date", "end_date", "end_reason", "ot_required", "key_worker", "team"],
            ["C001", "WC-1001", "Mary O'Brien", dt.date(1938, 4, 2), "BA13 3AA", "WCC", "reablement", "council", 350, dt.date(2026, 6, 1), None, None, "Y", "Sam Patel", "North"],
            ["C002", "WC-1002", "Zoë Ünal <test> 🌼", "1941-12-25", "BA14 8AA", "WCC", "long_term", "direct_payment", "420.50", "2026-03-10", None, None, "N", "", "South"],
            ["C003", "BC-77", "Arthur Dent", None, "BA1 1AA", "BAND", "dementia", "council", None, "2026-01-05", "2026-09-30", "residential_care", "n", "", "North"],
        ],
        "Envelopes": [
            ["client_ref", "effective_date", "hours_per_week", "band", "reason"],
            ["C001", "2026-06-01", 10.5, None, "initial"],
            ["C001", "2026-07-13", "8", None, "independence"],
            ["C002", "2026-03-10", 14, None, None],
            ["C003", "2026-01-05", 7, "lower", "initial"],
        ],
        "Outcomes": [
            ["client_ref", "outcome_ref", "description", "domain", "agreed_date", "target_date", "fee"],
            ["C001", "O1", "I want to make my own breakfast again", "food_drink", "2026-06-01", "2026-09-01", 400],
            ["C001", "O2", "I want to get to the lunch club on Tuesdays", "social_participation", "2026-06-01", None, "250.00"],
            ["C002", "O1", "=I want to feel safe at night", "safety", "2026-03-10", None, None],
        ],
        "Suspensions": [
            ["client_ref", "start_date", "end_date", "reason"],
            ["C002", "2026-05-01", "2026-05-09", "hospital"],
        ],
        "Reviews": [
            ["client_ref", "review_date", "method", "outcome_ref", "status", "notes"],
            ["C001", "2026-07-13", "visit", "O1", "achieved", "Makes toast and tea unaided"],
            ["C001", "2026-07-13", "visit", "O2", "partly", "Went twice with her daughter"],
        ],
        "Workers": [
            ["ref", "name", "team", "role", "contracted_hours"],
            ["W01", "Sam Patel", "North", "Senior carer", 37.5],
            ["W02", "Jo Nowak", "South", "Carer", None],
        ],
    }


def write_workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text as typed, not a formula
    book.save(path)
    return path


def problems_of(report):
    return {(p.sheet, p.row, p.column) for p in report.problems}


def counts(store) -> dict[str, int]:
    return {t: store.value(f"SELECT count(*) FROM {t}") for t in (
        "contracts", "clients", "outcomes", "envelopes", "suspensions", "reviews", "review_outcomes", "workers")}


@pytest.fixture
def good_file(tmp_path):
    return write_workbook(tmp_path / "caseload.xlsx", good_sheets())


def test_import_adds_everything_and_reimport_changes_nothing(store, good_file):
    report = import_caseload(store, good_file, today=TODAY)
    assert report.ok and report.applied, report.problems
    assert report.added == {"contracts": 2, "workers": 2, "clients": 3, "outcomes": 3,
                            "envelopes": 4, "suspensions": 1, "reviews": 1}
    assert report.changed == {"branch details": 1}
    assert counts(store) == {"contracts": 2, "clients": 3, "outcomes": 3, "envelopes": 4, "suspensions": 1,
                             "reviews": 1, "review_outcomes": 2, "workers": 2}
    mary = store.row("SELECT * FROM clients WHERE ref = 'C001'")
    assert mary["name"] == "Mary O'Brien" and mary["personal_budget_weekly_pence"] == 35000 and mary["ot_required"] == 1
    assert store.value("SELECT name FROM clients WHERE ref = 'C002'") == "Zoë Ünal <test> 🌼"
    assert store.value("SELECT hourly_rate_pence FROM contracts WHERE ref = 'WCC'") == 2450
    assert store.value("SELECT core_share FROM contracts WHERE ref = 'WCC'") == "0.8"
    assert store.value("SELECT reason FROM envelopes WHERE effective_date = '2026-03-10'") == "initial"
    assert store.value("SELECT name FROM branch") == "Westbury Home Care"
    statuses = {o.ref: o.status for o in list_outcomes(store, mary["id"])}
    assert statuses == {"O1": "achieved", "O2": "partly"}
    audits = store.value("SELECT count(*) FROM audit")

    again = import_caseload(store, good_file, today=TODAY)
    assert again.ok and not again.added and not again.changed, again.details
    assert sum(again.unchanged.values()) == 17
    assert store.value("SELECT count(*) FROM audit") == audits  # nothing changed, so nothing was written


def test_changed_rows_are_reported_and_updated(store, good_file, tmp_path):
    import_caseload(store, good_file, today=TODAY)
    sheets = good_sheets()
    sheets["Clients"][1][4] = "BA13 9ZZ"
    sheets["Reviews"][2][4] = "achieved"
    changed = write_workbook(tmp_path / "changed.xlsx", sheets)
    preview = import_caseload(store, changed, dry_run=True, today=TODAY)
    assert preview.ok and not preview.applied
    assert preview.changed == {"clients": 1, "reviews": 1}
    assert any("BA13 3AA" in d and "BA13 9ZZ" in d for d in preview.details)
    assert store.value("SELECT postcode FROM clients WHERE ref = 'C001'") == "BA13 3AA"
    import_caseload(store, changed, today=TODAY)
    assert store.value("SELECT postcode FROM clients WHERE ref = 'C001'") == "BA13 9ZZ"
    audit = store.row("SELECT * FROM audit WHERE entity = 'client' AND action = 'update'")
    assert "BA13 3AA" in audit["old_values"] and "BA13 9ZZ" in audit["new_values"]


def test_export_import_export_gives_the_same_content(store, good_file, tmp_path):
    import_caseload(store, good_file, today=TODAY)
    first = export_caseload(store, tmp_path / "first.xlsx")
    second_branch = open_branch(tmp_path / "second.sqlite", create=True)
    report = import_caseload(second_branch, first, today=TODAY)
    assert report.ok, report.problems
    second = export_caseload(second_branch, tmp_path / "second.xlsx")
    second_branch.close()

    def content(path):
        book = openpyxl.load_workbook(path)
        return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}

    a, b = content(first), content(second)
    assert a == b
    assert list(a) == [spec.name for spec in SHEETS]
    assert a["Outcomes"][3][2] == "'=I want to feel safe at night"  # neutralised for spreadsheets
    assert store.value("SELECT description FROM outcomes WHERE description LIKE '%safe at night'") == "=I want to feel safe at night"


def test_cli_creates_the_branch_file_and_dry_run_writes_nothing(good_file, tmp_path, capsys):
    db = tmp_path / "new.sqlite"
    assert cli.main(["import", "caseload", str(good_file), "--db", str(db), "--dry-run"]) == 0
    assert not db.exists()
    assert "would add" in capsys.readouterr().out
    assert cli.main(["import", "caseload", str(good_file), "--db", str(db)]) == 0
    assert db.exists()
    assert cli.main(["import", "caseload", str(good_file), "--db", str(db)]) == 0
    assert "already up to date" in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    assert cli.main(["export", "caseload", str(out), "--db", str(db)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Branch"


def test_cli_bad_workbook_creates_no_file(tmp_path, capsys):
    sheets = good_sheets()
    sheets["Clients"][1][6] = "nursing"
    bad = write_workbook(tmp_path / "bad.xlsx", sheets)
    db = tmp_path / "new.sqlite"
    assert cli.main(["import", "caseload", str(bad), "--db", str(db)]) == 1
    assert not db.exists()
    err = capsys.readouterr().err
    assert "Clients, row 2, column category" in err and "Nothing was imported" in err


def bad_import(store, tmp_path, change) -> set:
    sheets = good_sheets()
    change(sheets)
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    before = counts(store)
    report = import_caseload(store, path, today=TODAY)
    assert not report.ok and not report.applied
    assert counts(store) == before
    assert all(p.message.endswith((".", ")")) for p in report.problems)
    return problems_of(report)


def test_missing_sheet_and_missing_column(store, tmp_path):
    def change(sheets):
        del sheets["Suspensions"]
        sheets["Clients"][0][2] = "full name"
    found = bad_import(store, tmp_path, change)
    assert ("Suspensions", None, "") in found
    assert ("Clients", 1, "name") in found


def test_header_only_sheets_are_fine(store, tmp_path):
    sheets = {name: rows[:1] for name, rows in good_sheets().items() if name != "Branch"}
    report = import_caseload(store, write_workbook(tmp_path / "empty.xlsx", sheets), today=TODAY)
    assert report.ok and report.applied


def test_unknown_refs(store, tmp_path):
    def change(sheets):
        sheets["Clients"][1][5] = "NOPE"
        sheets["Envelopes"][1][0] = "C999"
        sheets["Reviews"][1][3] = "O9"
    found = bad_import(store, tmp_path, change)
    assert {("Clients", 2, "contract_ref"), ("Envelopes", 2, "client_ref"), ("Reviews", 2, "outcome_ref")} <= found


def test_duplicate_refs(store, tmp_path):
    def change(sheets):
        sheets["Clients"].append(list(sheets["Clients"][1]))
        sheets["Contracts"].append(list(sheets["Contracts"][1]))
        sheets["Outcomes"].append(list(sheets["Outcomes"][1]))
        sheets["Workers"].append(list(sheets["Workers"][1]))
        sheets["Envelopes"].append(list(sheets["Envelopes"][1]))
    found = bad_import(store, tmp_path, change)
    assert {("Clients", 5, "ref"), ("Contracts", 4, "ref"), ("Outcomes", 5, "outcome_ref"), ("Workers", 4, "ref"),
            ("Envelopes", 6, "effective_date")} <= found


def test_impossible_dates_and_end_before_start(store, tmp_path):
    def change(sheets):
        sheets["Clients"][1][9] = "31/02/2026"
        sheets["Clients"][2][9] = "2026-13-01"
        sheets["Clients"][3][10] = "2025-12-01"
        sheets["Suspensions"][1][2] = "2026-04-01"
    found = bad_import(store, tmp_path, change)
    assert {("Clients", 2, "start_date"), ("Clients", 3, "start_date"), ("Clients", 4, "end_date"), ("Suspensions", 2, "end_date")} <= found


def test_negative_hours_fees_and_text_in_numbers(store, tmp_path):
    def change(sheets):
        sheets["Envelopes"][1][2] = -3
        sheets["Outcomes"][1][6] = -400
        sheets["Contracts"][1][3] = "twenty"
        sheets["Envelopes"][2][2] = "eight hours"
        sheets["Workers"][1][4] = "full time"
    found = bad_import(store, tmp_path, change)
    assert {("Envelopes", 2, "hours_per_week"), ("Outcomes", 2, "fee"), ("Contracts", 2, "hourly_rate"),
            ("Envelopes", 3, "hours_per_week"), ("Workers", 2, "contracted_hours")} <= found


def test_unknown_enumerations_and_shares_above_one(store, tmp_path):
    def change(sheets):
        sheets["Clients"][1][7] = "private"
        sheets["Contracts"][1][2] = "hourly"
        sheets["Contracts"][1][4] = 1.5
        sheets["Contracts"][1][5] = 2
        sheets["Reviews"][1][4] = "done"
        sheets["Reviews"][1][2] = "email"
        sheets["Suspensions"][1][3] = "prison"
        sheets["Outcomes"][1][3] = "happiness"
        sheets["Clients"][1][12] = "maybe"
    found = bad_import(store, tmp_path, change)
    assert {("Clients", 2, "funding"), ("Contracts", 2, "core_basis"), ("Contracts", 2, "core_share"),
            ("Contracts", 2, "outcome_upfront_share"), ("Reviews", 2, "status"), ("Reviews", 2, "method"),
            ("Suspensions", 2, "reason"), ("Outcomes", 2, "domain"), ("Clients", 2, "ot_required")} <= found


def test_one_review_has_one_method(store, tmp_path):
    def change(sheets):
        sheets["Reviews"][2][2] = "phone"
    assert ("Reviews", 3, "method") in bad_import(store, tmp_path, change)


@pytest.mark.parametrize("kind", ["csv", "zip", "empty", "garbage", "xls"])
def test_files_that_are_not_workbooks(tmp_path, kind):
    path = tmp_path / "caseload.xlsx"
    if kind == "csv":
        path.write_text("ref,name\nC001,Mary\n", encoding="utf-8")
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    else:
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(BranchDeskError) as raised:
        read_caseload(path)
    message = str(raised.value)
    assert "caseload.xlsx" in message and "Traceback" not in message
    expected = {"csv": "CSV", "zip": "zip file", "empty": "empty", "garbage": "damaged", "xls": "older Excel file"}[kind]
    assert expected in message


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (40 * 1024 * 1024))
    with pytest.raises(BranchDeskError, match="expands to far more data"):
        read_caseload(path)


def test_a_sheet_with_100000_rows_finishes_with_a_clear_message(store, tmp_path):
    import resource

    path = tmp_path / "long.xlsx"
    book = openpyxl.Workbook(write_only=True)
    for spec in SHEETS[1:]:
        sheet = book.create_sheet(spec.name)
        sheet.append(list(spec.columns))
        if spec.name == "Envelopes":
            for i in range(100_000):
                sheet.append(["C001", "2026-01-01", i])
    book.save(path)
    report = import_caseload(store, path, today=TODAY)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not report.ok
    assert [p.sheet for p in report.problems] == ["Envelopes"]
    assert "more than 50,000 rows" in report.problems[0].message
    assert peak_kib < 800 * 1024  # the rows are streamed and the sheet given up at the limit
    assert counts(store)["envelopes"] == 0


def test_columns_any_order_and_case(store, tmp_path):
    sheets = good_sheets()
    for name, rows in sheets.items():
        header = rows[0]
        order = list(reversed(range(len(header))))
        sheets[name] = [[f"  {str(row[i]).upper()} " if n == 0 else row[i] for i in order] for n, row in enumerate(rows)]
    report = import_caseload(store, write_workbook(tmp_path / "shuffled.xlsx", sheets), today=TODAY)
    assert report.ok, report.problems
    assert store.value("SELECT count(*) FROM clients") == 3


def test_stopping_writes_nothing(store, good_file):
    report = import_caseload(store, good_file, today=TODAY, abort=lambda: True)
    assert not report.applied
    assert counts(store)["clients"] == 0


def test_demo_branch_round_trip(demo_copy, tmp_path):
    with open_branch(demo_copy) as demo:
        first = export_caseload(demo, tmp_path / "demo.xlsx")
        again = import_caseload(demo, first)
        assert again.ok and not again.added and not again.changed, again.details[:5]
    with open_branch(tmp_path / "moved.sqlite", create=True) as moved:
        assert import_caseload(moved, first).ok
        second = export_caseload(moved, tmp_path / "moved.xlsx")

    def content(path):
        book = openpyxl.load_workbook(path)
        return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}

    assert content(first) == content(second)


def test_workbooks_are_only_read_with_the_safe_xml_parser(good_file, monkeypatch):
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(BranchDeskError, match="defusedxml"):
        read_caseload(good_file)
