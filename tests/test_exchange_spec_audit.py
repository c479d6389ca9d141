"""Exchange formats checked against SPEC §8 from the outside: real workbooks, real branch files, the command line."""

from __future__ import annotations

import sqlite3

import pytest
from test_caseload_workbook import TODAY, good_sheets, write_workbook

from branchdesk import cli
from branchdesk.models.caseload_workbook import import_caseload


def dump(path) -> list[str]:
    """Every row of every table, the audit log included, as SQL text."""
    connection = sqlite3.connect(path)
    try:
        return [line for line in connection.iterdump() if line.startswith("INSERT")]
    finally:
        connection.close()


def test_importing_the_same_workbook_again_leaves_the_file_as_it_was(tmp_path, capsys):
    workbook = write_workbook(tmp_path / "caseload.xlsx", good_sheets())
    db = tmp_path / "branch.sqlite"
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 0
    before = dump(db)
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 0
    assert "added nothing; changed nothing" in capsys.readouterr().out
    assert dump(db) == before


@pytest.mark.parametrize(("hours", "words"), [
    (169, "more than there are in a week"),
    ("1e30", "more than there are in a week"),
    ("10.125", "two decimal places"),
])
def test_envelope_hours_are_checked_as_the_app_checks_them(store, tmp_path, hours, words):
    sheets = good_sheets()
    sheets["Envelopes"][1][2] = hours
    report = import_caseload(store, write_workbook(tmp_path / "hours.xlsx", sheets), today=TODAY)
    assert not report.applied
    [problem] = report.problems
    assert (problem.sheet, problem.row, problem.column) == ("Envelopes", 2, "hours_per_week")
    assert words in problem.message
    assert store.value("SELECT count(*) FROM envelopes") == 0


@pytest.mark.parametrize(("sheet", "row", "index", "column"), [
    ("Contracts", 1, 3, "hourly_rate"),
    ("Contracts", 2, 6, "episode_fee"),
    ("Clients", 1, 8, "personal_budget_weekly"),
    ("Outcomes", 1, 6, "fee"),
])
def test_a_number_too_large_to_store_is_a_problem_in_its_cell(tmp_path, capsys, sheet, row, index, column):
    sheets = good_sheets()
    sheets[sheet][row][index] = 10**30
    workbook = write_workbook(tmp_path / "large.xlsx", sheets)
    db = tmp_path / "new.sqlite"
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{sheet}, row {row + 1}, column {column}: " in err and "too large" in err
    assert "did not expect" not in err
    assert not db.exists()


def test_the_branch_name_may_be_left_empty(tmp_path):
    sheets = good_sheets()
    sheets["Branch"][1][0] = None
    workbook = write_workbook(tmp_path / "caseload.xlsx", sheets)
    db = tmp_path / "Westbury.sqlite"
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 0
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("SELECT name, phone FROM branch").fetchone() == ("Westbury", "01373 000000")
    finally:
        connection.close()


def test_text_typed_as_a_formula_by_a_program_that_does_not_calculate_is_kept_as_typed(tmp_path, capsys):
    """openpyxl (like other scripts) writes ``=…`` text as a formula with no saved value."""
    import openpyxl

    sheets = good_sheets()
    sheets["Clients"][1][2] = '=HYPERLINK("http://example.org","Mary")'
    sheets["Outcomes"][1][2] = "=I want to make my own breakfast again"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook = tmp_path / "formulas.xlsx"
    book.save(workbook)
    db = tmp_path / "branch.sqlite"
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 0, capsys.readouterr().err
    connection = sqlite3.connect(db)
    assert connection.execute("SELECT name FROM clients WHERE ref = 'C001'").fetchone()[0] == '=HYPERLINK("http://example.org","Mary")'
    assert connection.execute("SELECT description FROM outcomes WHERE ref = 'O1' AND client_id = "
                              "(SELECT id FROM clients WHERE ref = 'C001')").fetchone()[0] == "=I want to make my own breakfast again"
    connection.close()
    exported = tmp_path / "export.xlsx"
    assert cli.main(["export", "caseload", str(exported), "--db", str(db)]) == 0
    clients = openpyxl.load_workbook(exported)["Clients"]
    names = [row[[c.value for c in clients[1]].index("name")] for row in clients.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://example.org\",\"Mary\")" in names
    assert not any(cell.data_type == "f" for row in clients.iter_rows() for cell in row)


@pytest.mark.parametrize(("column", "value", "words"), [
    ("hours_saved_months", 10**12, "at most 120"),
    ("retainer_days", 400, "at most 366"),
    ("bank_expiry_weeks", 1000, "at most 520"),
    ("episode_fee", 10**8, "far too large for any contract"),
])
def test_contract_parameters_beyond_any_real_contract_are_refused_in_their_cell(tmp_path, capsys, column, value, words):
    sheets = good_sheets()
    sheets["Contracts"][0].append(column) if column not in sheets["Contracts"][0] else None
    index = sheets["Contracts"][0].index(column)
    for row in sheets["Contracts"][1:]:
        row.extend([None] * (len(sheets["Contracts"][0]) - len(row)))
    sheets["Contracts"][1][index] = value
    workbook = write_workbook(tmp_path / "contract.xlsx", sheets)
    db = tmp_path / "new.sqlite"
    assert cli.main(["import", "caseload", str(workbook), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "Contracts" in err and column in err and words in err and "Traceback" not in err
    assert not db.exists()


def test_a_band_written_in_other_capitals_is_the_contracts_band(store, tmp_path):
    sheets = good_sheets()
    sheets["Envelopes"][4][3] = "LOWER"
    report = import_caseload(store, write_workbook(tmp_path / "band.xlsx", sheets), today=TODAY)
    assert report.applied, report.problems
    assert store.value("SELECT band FROM envelopes e JOIN clients c ON c.id = e.client_id WHERE c.ref = 'C003'") == "lower"


def test_problems_read_as_english(store, tmp_path):
    sheets = good_sheets()
    sheets["Reviews"][1][4] = "done"
    sheets["Clients"][1][6] = "respite"
    report = import_caseload(store, write_workbook(tmp_path / "words.xlsx", sheets), today=TODAY)
    messages = {(p.sheet, p.column): p.message for p in report.problems}
    assert messages[("Reviews", "status")].startswith("“done” is not an ")
    assert messages[("Clients", "category")].startswith("“respite” is not a ")


def test_a_problem_with_the_whole_visits_file_names_it_once(tmp_path, capsys):
    db = tmp_path / "branch.sqlite"
    from branchdesk.models.db import create_branch

    create_branch(db, "B").close()
    empty = tmp_path / "visits.csv"
    empty.write_bytes(b"")
    assert cli.main(["import", "visits", str(empty), "--db", str(db)]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first.count("visits.csv") == 1 and "empty" in first


@pytest.mark.parametrize("write_only", [True, False], ids=["size not stated", "size stated"])
def test_sheets_read_whole_whether_or_not_the_file_states_their_size(tmp_path, write_only):
    import openpyxl

    from branchdesk.models.xlsx_reading import open_xlsx

    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet("Visits") if write_only else book.active
    rows = [["a", "b"], [1, 2], [3], [4, 5, 6]]
    for row in rows:
        sheet.append(row)
    path = tmp_path / "sizes.xlsx"
    book.save(path)
    with open_xlsx(path) as opened:
        read = opened.sheet(opened.sheet_names[0])
        assert read.columns == {"a", "b"}
        assert [values for _number, values in read.rows()] == [{"a": 1, "b": 2}, {"a": 3, "b": None}, {"a": 4, "b": 5}]


def test_column_names_may_be_written_with_spaces(store, tmp_path):
    sheets = good_sheets()
    for name in ("Clients", "Envelopes"):
        sheets[name][0] = [h.replace("_", " ").title() for h in sheets[name][0]]
    assert sheets["Clients"][0][0] == "Ref" and "Contract Ref" in sheets["Clients"][0]
    report = import_caseload(store, write_workbook(tmp_path / "spaces.xlsx", sheets), today=TODAY)
    assert report.applied, report.problems
    assert store.value("SELECT count(*) FROM clients") == 3
    assert store.value("SELECT count(*) FROM envelopes") == 4
