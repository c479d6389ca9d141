"""Importing a call-monitoring visits file: good files in every encoding and layout, and every bad input."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from branchdesk.cli import main as cli
from branchdesk.models.visits_import import (
    MAX_PROBLEMS,
    get_mapping,
    import_visits_file,
    list_mappings,
    read_visits_file,
    save_mapping,
)

TODAY = dt.date(2026, 11, 15)
HEADER = "client_ref,worker_ref,date,planned_start,actual_start,actual_end,duration_minutes,status"


@pytest.fixture
def branch(store):
    """The empty branch with one contract, three clients (C001–C003) and three workers (W01–W03)."""
    with store.transaction():
        store.conn.execute("INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence)"
                           " VALUES ('HCC', 'Hampshire', 'HCC', 'envelope', 2000)")
        for i in range(1, 4):
            store.conn.execute("INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
                               " VALUES (?, ?, ?, 1, 'long_term', 'council', '2026-01-01')", (f"C00{i}", f"HC-{i}", f"Client {i}"))
            store.conn.execute("INSERT INTO workers (ref, name) VALUES (?, ?)", (f"W0{i}", f"Worker {i}"))
    return store


def write(tmp_path, text: str, name: str = "visits.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(store, path, **options):
    return import_visits_file(store, path, today=TODAY, **options)


def visit_count(store) -> int:
    return store.value("SELECT COUNT(*) FROM visits")


GOOD = HEADER + """
C001,W01,2026-10-01,09:00,09:05,09:50,,completed
C002,W01,01/10/2026,10:00,10:00,,30,Completed
C003,W02,2026-10-01,22:00,22:10,01:00,,completed
C001,,2026-10-02,09:00,,,,cancelled by client
"""


def test_a_good_file_is_imported_and_a_second_import_adds_nothing(branch, tmp_path):
    path = write(tmp_path, GOOD)
    report = run(branch, path)
    assert report.ok and report.applied
    assert report.added == {"visits": 4}
    rows = {r["match_key"]: r for r in branch.rows("SELECT * FROM visits")}
    night = next(r for r in rows.values() if r["actual_start"] == "22:10")
    assert night["minutes"] == 170  # across midnight: 22:10 to 01:00 next day
    assert next(r for r in rows.values() if r["planned_start"] == "10:00")["minutes"] == 30
    cancelled = next(r for r in rows.values() if r["status"] == "cancelled_by_client")
    assert cancelled["worker_id"] is None and cancelled["minutes"] is None
    assert branch.value("SELECT COUNT(*) FROM audit WHERE entity = 'visit'") == 1

    again = run(branch, path)
    assert again.ok and again.added == {"visits": 0} and again.unchanged == {"visits": 4}
    assert visit_count(branch) == 4


def test_dry_run_checks_without_writing(branch, tmp_path):
    report = run(branch, write(tmp_path, GOOD), dry_run=True)
    assert report.ok and not report.applied and report.added == {"visits": 4}
    assert visit_count(branch) == 0


def test_a_corrected_export_updates_the_imported_visit_but_never_a_hand_correction(branch, tmp_path):
    run(branch, write(tmp_path, GOOD))
    corrected = GOOD.replace("09:05,09:50", "09:05,09:55")
    report = run(branch, write(tmp_path, corrected, "again.csv"))
    assert report.changed == {"visits": 1}
    assert branch.value("SELECT minutes FROM visits WHERE actual_start = '09:05'") == 50

    from branchdesk.models.visits import save_visit

    visit_id = branch.value("SELECT id FROM visits WHERE actual_start = '09:05'")
    save_visit(branch, {"client_id": 1, "worker_id": 1, "date": "2026-10-01", "planned_start": "09:00", "actual_start": "09:05",
                        "actual_end": "09:35", "status": "completed"}, visit_id, today=TODAY)
    report = run(branch, write(tmp_path, corrected, "third.csv"))
    assert report.ok and report.changed == {"visits": 0}
    assert branch.value("SELECT minutes FROM visits WHERE id = ?", (visit_id,)) == 30


@pytest.mark.parametrize("encoding, text", [
    ("utf-8-sig", GOOD),
    ("cp1252", GOOD.replace("Completed", "Completed") + "C002,W03,2026-10-03,08:00,08:00,08:30,,completed\n"),
    ("utf-8", GOOD.replace(",", ";")),
    ("utf-16", GOOD),
])
def test_encodings_and_delimiters(branch, tmp_path, encoding, text):
    report = run(branch, write(tmp_path, text, encoding=encoding))
    assert report.ok, [str(p) for p in report.problems]
    assert visit_count(branch) == text.strip().count("\n")


def test_windows_1252_text_in_a_column_we_ignore_is_read(branch, tmp_path):
    text = HEADER + ",notes\nC001,W01,2026-10-01,09:00,09:05,09:50,,completed,Café – “tea”\n"
    report = run(branch, write(tmp_path, text, encoding="cp1252"))
    assert report.ok
    assert read_visits_file(tmp_path / "visits.csv").encoding == "cp1252"


def test_quoted_fields_with_newlines_keep_row_numbers_right(branch, tmp_path):
    text = HEADER + ',notes\nC001,W01,2026-10-01,09:00,09:05,09:50,,completed,"line one\nline two"\nC009,W01,2026-10-02,09:00,09:05,09:50,,completed,x\n'
    report = run(branch, write(tmp_path, text))
    assert [(p.row, p.column) for p in report.problems] == [(3, "client_ref")]


def test_headers_in_any_case_and_order(branch, tmp_path):
    text = "Status,Date,Client Ref,Worker Ref,Actual Start,Actual End\ncompleted,2026-10-01,C001,W01,09:00,09:30\n"
    report = run(branch, write(tmp_path, text))
    assert report.ok and visit_count(branch) == 1


def test_xlsx_with_date_and_time_cells(branch, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Visits"
    sheet.append(HEADER.split(","))
    sheet.append(["C001", "W01", dt.datetime(2026, 10, 1), dt.time(9, 0), dt.time(9, 5), dt.time(9, 50), None, "completed"])
    sheet.append([1001, "W02", "2026-10-02", "10:00", "10:00", None, 45.0, "missed"])
    path = tmp_path / "visits.xlsx"
    book.save(path)
    report = run(branch, path)
    assert [(p.row, p.column, "1001" in p.message) for p in report.problems] == [(3, "client_ref", True)]
    branch.conn.execute("UPDATE clients SET ref = '1001' WHERE ref = 'C002'")
    report = run(branch, path)
    assert report.ok and visit_count(branch) == 2
    assert branch.value("SELECT minutes FROM visits WHERE actual_end = '09:50'") == 45


BAD_ROWS = [
    ("C009,W01,2026-10-01,09:00,09:05,09:50,,completed", "client_ref", "no client"),
    ("C001,W09,2026-10-01,09:00,09:05,09:50,,completed", "worker_ref", "no worker"),
    ("C001,W01,2026-10-01,09:00,10:05,09:50,,completed", "actual_end", "before the actual start"),
    ("C001,W01,2026-10-01,09:00,09:05,,800,completed", "duration_minutes", "longer than 12 hours"),
    ("C001,W01,2026-11-16,09:00,09:05,09:50,,completed", "date", "in the future"),
    ("C001,W01,2026-02-31,09:00,09:05,09:50,,completed", "date", "not a real date"),
    ("C001,W01,2026-10-01,9.00,09:05,09:50,,completed", "planned_start", "not a time"),
    ("C001,W01,2026-10-01,09:00,09:05,,forty,completed", "duration_minutes", "not a number"),
    ("C001,W01,2026-10-01,09:00,09:05,09:50,,done", "status", "not a visit status"),
    ("C001,W01,2026-10-01,09:00,09:05,,,completed", "actual_end", "needs an actual start and end"),
    ("C001,,2026-10-01,09:00,09:05,09:50,,completed", "worker_ref", "needs its worker"),
    ("C001,W01,2026-10-01,09:00,09:05,09:50,30,completed", "duration_minutes", "does not match"),
]


@pytest.mark.parametrize("line, column, words", BAD_ROWS)
def test_each_bad_row_is_reported_and_nothing_is_imported(branch, tmp_path, line, column, words):
    text = HEADER + "\nC002,W02,2026-10-01,09:00,09:00,09:30,,completed\n" + line + "\n"
    report = run(branch, write(tmp_path, text))
    assert not report.ok and not report.applied
    assert [(p.row, p.column) for p in report.problems] == [(3, column)]
    assert words in report.problems[0].message
    assert visit_count(branch) == 0


def test_a_visit_across_midnight_up_to_twelve_hours_is_accepted(branch, tmp_path):
    text = HEADER + "\nC001,W01,2026-10-01,20:00,20:00,07:59,,completed\nC002,W01,2026-10-02,07:59,07:59,08:30,,completed\n"
    report = run(branch, write(tmp_path, text))
    assert report.ok
    assert branch.value("SELECT minutes FROM visits WHERE actual_start = '20:00'") == 719


def test_the_same_worker_in_two_overlapping_visits_in_the_file(branch, tmp_path):
    text = HEADER + "\nC001,W01,2026-10-01,09:00,09:00,10:00,,completed\nC002,W01,2026-10-01,09:30,09:30,10:15,,completed\n"
    report = run(branch, write(tmp_path, text))
    assert [(p.row, p.column) for p in report.problems] == [(3, "actual_start")]
    assert "two visits at once" in report.problems[0].message and "row 2" in report.problems[0].message


def test_overlap_across_midnight_with_a_visit_already_recorded(branch, tmp_path):
    run(branch, write(tmp_path, HEADER + "\nC001,W01,2026-10-01,23:00,23:00,00:30,,completed\n"))
    report = run(branch, write(tmp_path, HEADER + "\nC002,W01,2026-10-02,00:15,00:15,00:45,,completed\n", "next.csv"))
    assert [(p.row, p.column) for p in report.problems] == [(2, "actual_start")]
    assert "already recorded" in report.problems[0].message
    assert visit_count(branch) == 1


def test_back_to_back_visits_do_not_overlap(branch, tmp_path):
    text = HEADER + "\nC001,W01,2026-10-01,09:00,09:00,10:00,,completed\nC002,W01,2026-10-01,10:00,10:00,10:30,,completed\n"
    assert run(branch, write(tmp_path, text)).ok


def test_the_same_visit_twice_with_different_details(branch, tmp_path):
    text = HEADER + "\nC001,W01,2026-10-01,09:00,09:00,10:00,,completed\nC001,W01,2026-10-01,09:00,09:00,09:30,,completed\n"
    report = run(branch, write(tmp_path, text))
    assert [(p.row, p.column) for p in report.problems] == [(3, "planned_start")]


def test_missing_columns_are_named(branch, tmp_path):
    report = run(branch, write(tmp_path, "client_ref,date,actual_start,status\nC001,2026-10-01,09:00,completed\n"))
    assert {p.column for p in report.problems} == {"worker_ref", "actual_end"}
    assert all(p.row == 1 for p in report.problems)


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (HEADER.encode() + b"\n", "no visits"),
    (b"\n\n", "no column headings"),
    (b"\x00\x01\x02\x03binary\x00\xff" * 100, "binary"),
    (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook saved with a .csv name"),
    (b"%PDF-1.4\n\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08", "binary"),
])
def test_files_that_are_not_visits_files(branch, tmp_path, content, words):
    path = tmp_path / "visits.csv"
    path.write_bytes(content)
    report = run(branch, path)
    assert len(report.problems) == 1 and words in report.problems[0].message
    assert "Traceback" not in report.problems[0].message


def test_a_field_over_the_csv_size_limit(branch, tmp_path):
    text = HEADER + ",notes\nC001,W01,2026-10-01,09:00,09:05,09:50,,completed,\"" + "x" * (csv.field_size_limit() + 10) + "\"\n"
    report = run(branch, write(tmp_path, text))
    assert len(report.problems) == 1 and "longer than" in report.problems[0].message and report.problems[0].row == 2


def test_too_many_rows_is_refused_plainly(branch, tmp_path, monkeypatch):
    from branchdesk.models import visits_import

    monkeypatch.setattr(visits_import, "MAX_ROWS", 50)
    rows = "\n".join([f"C001,W01,2026-10-01,{h:02d}:00,,,,missed" for h in range(24)] * 3)
    report = run(branch, write(tmp_path, HEADER + "\n" + rows + "\n"))
    assert any("more than 50 visit rows" in p.message for p in report.problems)
    assert visit_count(branch) == 0


def test_problems_are_listed_up_to_a_limit(branch, tmp_path):
    rows = "\n".join(f"X{i},W01,2026-10-01,09:00,,,,missed" for i in range(MAX_PROBLEMS + 20))
    report = run(branch, write(tmp_path, HEADER + "\n" + rows + "\n"))
    assert len(report.problems) == MAX_PROBLEMS + 1
    assert "20 more problems" in report.problems[-1].message


def test_a_file_too_large_is_refused_before_reading(branch, tmp_path, monkeypatch):
    from branchdesk.models import visits_import

    monkeypatch.setattr(visits_import, "MAX_CSV_BYTES", 100)
    report = run(branch, write(tmp_path, GOOD))
    assert len(report.problems) == 1 and "MB" in report.problems[0].message


def test_cancel_leaves_the_branch_file_as_it_was(branch, tmp_path):
    calls = []

    def abort():
        calls.append(1)
        return len(calls) >= 2  # cancel at the check just before the commit

    report = run(branch, write(tmp_path, GOOD), abort=abort)
    assert report.cancelled and not report.applied
    assert visit_count(branch) == 0
    assert branch.value("SELECT COUNT(*) FROM audit WHERE entity = 'visit'") == 0


OTHER_LAYOUT = "Service User ID;Carer;Visit Date;Scheduled;Clock In;Clock Out;Outcome\nC001;W01;01/10/2026;09:00;09:02;09:47;Completed\n"
MAPPING = {"client_ref": "Service User ID", "worker_ref": "Carer", "date": "Visit Date", "planned_start": "Scheduled",
           "actual_start": "Clock In", "actual_end": "Clock Out", "status": "Outcome"}


def test_another_layout_is_read_through_a_saved_mapping(branch, tmp_path):
    path = write(tmp_path, OTHER_LAYOUT)
    assert not read_visits_file(path).is_standard
    report = run(branch, path)
    assert {p.column for p in report.problems} >= {"client_ref", "date"}

    save_mapping(branch, "CallCheck", MAPPING)
    assert list_mappings(branch) == ["CallCheck"]
    assert get_mapping(branch, "CallCheck") == MAPPING
    report = run(branch, path, mapping_name="CallCheck")
    assert report.ok and visit_count(branch) == 1
    assert branch.value("SELECT minutes FROM visits") == 45

    next_month = write(tmp_path, OTHER_LAYOUT.replace("01/10/2026", "02/10/2026"), "november.csv")
    assert run(branch, next_month, mapping_name="CallCheck").added == {"visits": 1}


def test_problems_name_the_files_own_columns_under_a_mapping(branch, tmp_path):
    save_mapping(branch, "CallCheck", MAPPING)
    path = write(tmp_path, OTHER_LAYOUT.replace("C001", "C404"))
    report = run(branch, path, mapping_name="CallCheck")
    assert [(p.row, p.column) for p in report.problems] == [(2, "Service User ID")]


def test_an_unknown_mapping_name_is_a_plain_problem(branch, tmp_path):
    report = run(branch, write(tmp_path, GOOD), mapping_name="Nope")
    assert "no saved column mapping called “Nope”" in report.problems[0].message


def test_command_line_import(branch, tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("2026-", "2025-").replace("/2026", "/2025"))
    db = str(branch.path)
    assert cli(["import", "visits", str(path), "--db", db, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add 4 visits" in out and "The file's visits run from 01/10/2025 to " in out
    assert cli(["import", "visits", str(path), "--db", db]) == 0
    assert cli(["import", "visits", str(path), "--db", db]) == 0
    assert "4 records were already up to date" in capsys.readouterr().out
    bad = write(tmp_path, HEADER + "\nC009,W01,2025-10-01,09:00,09:05,09:50,,completed\n", "bad.csv")
    assert cli(["import", "visits", str(bad), "--db", db]) == 1
    err = capsys.readouterr().err
    assert "row 2, column client_ref" in err and "Nothing was imported" in err
    assert cli(["import", "visits", str(path), "--db", db, "--mapping", "Missing"]) == 1


def test_a_file_visit_across_midnight_overlapping_next_mornings_recorded_visit(branch, tmp_path):
    run(branch, write(tmp_path, HEADER + "\nC002,W01,2026-10-02,00:10,00:10,00:40,,completed\n"))
    report = run(branch, write(tmp_path, HEADER + "\nC001,W01,2026-10-01,23:30,23:30,00:20,,completed\n", "night.csv"))
    assert [(p.row, p.column) for p in report.problems] == [(2, "actual_start")]


def test_common_call_monitoring_headings_are_suggested_for_the_mapping():
    from branchdesk.models.visits_import import suggest_mapping

    headers = ["Service User ID", "Carer Code", "Visit Date", "Scheduled Start", "Check In", "Check Out", "Visit Status", "Notes"]
    assert suggest_mapping(headers) == {
        "client_ref": "Service User ID", "worker_ref": "Carer Code", "date": "Visit Date", "planned_start": "Scheduled Start",
        "actual_start": "Check In", "actual_end": "Check Out", "status": "Visit Status",
    }
    assert suggest_mapping(["client_ref", "Client", "date"]) == {"client_ref": "client_ref", "date": "date"}
