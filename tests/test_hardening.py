"""Hardening: hostile or broken files are refused plainly, exports are safe, the branch file is never overwritten.

Some tests here exercise other parts of BranchDesk (the caseload and visits imports,
claim, ideal-week and review printouts, the exports) with hostile input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from branchdesk.cli import main
from branchdesk.models.backups import back_up_now, restore_backup
from branchdesk.models.db import create_branch, open_branch
from branchdesk.models.errors import BranchDeskError, BranchFileError

TODAY = dt.date(2026, 11, 15)


def _refusal(call) -> str:
    """The plain message a call refuses with, whether raised or reported as import problems."""
    try:
        result = call()
    except BranchDeskError as error:
        return str(error)
    problems = getattr(result, "problems", None)
    assert problems, "expected a refusal"
    assert not getattr(result, "applied", False)
    return " ".join(str(problem) for problem in problems)


def _plain(message: str) -> None:
    assert message and "Traceback" not in message and "Error:" not in message


# -- hostile spreadsheets and CSV files ----------------------------------------------------------
def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Contracts"
    book.active.append(["ref", "council", "core_basis", "hourly_rate"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_member(data: bytes, name: str, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, transform(content) if item.filename == name else content)
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10))
    + b"]>\n"
)


def test_xml_entity_expansion_in_a_workbook_is_refused(tmp_path):
    from openpyxl.xml import DEFUSEDXML

    from branchdesk.models.caseload_workbook import import_caseload
    from branchdesk.models.visits_import import import_visits_file

    assert DEFUSEDXML, "openpyxl must parse with defusedxml"
    bomb = _rewrite_member(
        _workbook_bytes(), "xl/worksheets/sheet1.xml",
        lambda xml: BILLION_LAUGHS + xml.split(b"?>", 1)[-1].replace(b"<v>", b"<v>&lol9;", 1),
    )
    path = tmp_path / "caseload.xlsx"
    path.write_bytes(bomb)
    with create_branch(tmp_path / "b.sqlite", "B") as store:
        _plain(_refusal(lambda: import_caseload(store, path, today=TODAY)))
        visits = tmp_path / "visits.xlsx"
        visits.write_bytes(bomb)
        _plain(_refusal(lambda: import_visits_file(store, visits, today=TODAY)))
        assert store.value("SELECT count(*) FROM contracts") == 0


def test_a_zip_bomb_is_refused(tmp_path):
    from branchdesk.models.caseload_workbook import import_caseload

    path = tmp_path / "caseload.xlsx"
    data = _rewrite_member(_workbook_bytes(), "xl/worksheets/sheet1.xml",
                           lambda xml: xml.replace(b"</worksheet>", b"<!--" + b" " * (30 * 1024 * 1024) + b"--></worksheet>"))
    path.write_bytes(data)
    assert path.stat().st_size < 1024 * 1024
    message = _refusal(lambda: import_caseload(None, path, dry_run=True, today=TODAY))
    _plain(message)
    assert "expands to far more data" in message


def test_files_over_the_size_limit_are_refused(tmp_path):
    from branchdesk.models import visits_import, xlsx_reading
    from branchdesk.models.caseload_workbook import import_caseload
    from branchdesk.models.visits_import import import_visits_file

    workbook = tmp_path / "huge.xlsx"
    with open(workbook, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(xlsx_reading.MAX_FILE_BYTES + 1)  # sparse: large on paper, instant to make
    message = _refusal(lambda: import_caseload(None, workbook, dry_run=True, today=TODAY))
    _plain(message)
    assert "too large" in message
    visits = tmp_path / "huge.csv"
    with open(visits, "wb") as handle:
        handle.write(b"client_ref,worker_ref,date,status\n" + b"C001,W01,2026-10-01,completed\n" * 4000)
        handle.truncate(visits_import.MAX_CSV_BYTES + 1)
    with create_branch(tmp_path / "b.sqlite", "B") as store:
        message = _refusal(lambda: import_visits_file(store, visits, today=TODAY))
    _plain(message)
    assert "the limit is" in message


def test_a_csv_field_over_the_csv_modules_limit_is_refused(tmp_path):
    from branchdesk.models.visits_import import import_visits_file

    path = tmp_path / "visits.csv"
    path.write_text(
        "client_ref,worker_ref,date,planned_start,actual_start,actual_end,duration_minutes,status\n"
        f'C001,W01,2026-10-01,09:00,09:05,09:35,,"{"x" * (csv.field_size_limit() + 10)}"\n',
        encoding="utf-8",
    )
    with create_branch(tmp_path / "b.sqlite", "B") as store:
        message = _refusal(lambda: import_visits_file(store, path, today=TODAY))
        assert store.value("SELECT count(*) FROM visits") == 0
    _plain(message)
    assert "longer than" in message


# -- the branch file itself ------------------------------------------------------------------------
def _damaged(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "garbage after the header":
        path.write_bytes(data[:100] + os.urandom(len(data) - 100))
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "zero bytes":
        path.write_bytes(b"")
    elif how == "text file":
        path.write_text("client_ref,name\nC001,Mary\n")


DAMAGE = ["garbage", "garbage after the header", "truncated", "zero bytes", "text file"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_branch_file_is_refused_and_left_alone(tmp_path, how, capsys):
    path = tmp_path / "branch.sqlite"
    create_branch(path, "B").close()
    _damaged(path, how)
    before = path.read_bytes()
    with pytest.raises(BranchFileError) as refused:
        open_branch(path)
    _plain(str(refused.value))
    assert "backup" in str(refused.value) or "not a BranchDesk" in str(refused.value)
    assert main(["check", "--db", str(path)]) == 1
    assert main(["backup", "--db", str(path)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all("Traceback" not in line for line in errors)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["branch.sqlite"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_branch_file_is_refused_in_the_window(qtbot, tmp_path, monkeypatch, how):
    from branchdesk.ui import main_window as main_window_module
    from branchdesk.ui.main_window import MainWindow

    errors = []
    monkeypatch.setattr(main_window_module, "show_error", lambda parent, message, title=None: errors.append(message))
    path = tmp_path / "branch.sqlite"
    create_branch(path, "B").close()
    _damaged(path, how)
    before = path.read_bytes()
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.open_branch_file(path)
    assert len(errors) == 1
    _plain(errors[0])
    assert window.context.store is None and window.stack.currentWidget() is window.welcome
    assert path.read_bytes() == before
    assert not (tmp_path / "branch.sqlite.lock").exists()


def test_paths_with_spaces_and_accents(tmp_path, capsys):
    folder = tmp_path / "Données de l'agence" / "Équipe Nord & Sud"
    folder.mkdir(parents=True)
    path = folder / "Agence Saint-Étienne n°1.sqlite"
    with create_branch(path, "Agence Saint-Étienne") as store:
        copy = back_up_now(store)
        usb = tmp_path / "Clé USB (E:)"
        usb.mkdir()
        assert main(["backup", "--db", str(path), "--to", str(usb)]) == 0
    assert str(usb) in capsys.readouterr().out
    assert main(["check", "--db", str(path)]) == 0
    restore_backup(path, copy)
    with open_branch(path) as store:
        assert store.value("SELECT name FROM branch") == "Agence Saint-Étienne"


def test_a_read_only_folder(tmp_path):
    folder = tmp_path / "read only"
    folder.mkdir()
    path = folder / "branch.sqlite"
    with create_branch(path, "B") as store:
        copy = back_up_now(store, tmp_path)
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user can write to any folder (administrator)")
        with pytest.raises(BranchFileError) as refused:
            create_branch(folder / "new.sqlite", "New")
        _plain(str(refused.value))
        with pytest.raises(BranchFileError, match="read-only"):
            open_branch(path)
        with open_branch(path, read_only=True) as store:
            assert store.value("SELECT name FROM branch") == "B"
            with pytest.raises(BranchFileError, match="could not write the backup"):
                back_up_now(store, folder)
        with pytest.raises(BranchFileError, match="not restored"):
            restore_backup(path, copy)
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["branch.sqlite"]
    finally:
        folder.chmod(0o755)


# -- spreadsheets we write are safe to open ----------------------------------------------------------
FORMULAS = ["=HYPERLINK(\"http://evil\",\"Click\")", "+44 1225 123456", "-2+3", "@SUM(A1)"]


def _no_formula(values) -> None:
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(("=", "+", "-", "@")), value


def test_exported_cells_are_neutralised(demo_copy, tmp_path):
    from branchdesk.models.audit_log import audit_entries, export_audit
    from branchdesk.models.caseload_workbook import export_caseload
    from branchdesk.models.claims import build_claim, write_claim_xlsx
    from branchdesk.models.visit_export import export_visit_data

    with open_branch(demo_copy, user=FORMULAS[3]) as store:
        client = store.row("SELECT c.id, k.ref FROM clients c JOIN contracts k ON k.id = c.contract_id"
                           " JOIN visits v ON v.client_id = c.id WHERE v.visit_date = '2026-10-01' LIMIT 1")
        with store.transaction():
            store.conn.execute("UPDATE clients SET name = ?, council_ref = ?, phone = ?, address = ? WHERE id = ?",
                               (FORMULAS[0], FORMULAS[2], FORMULAS[1], FORMULAS[3], client["id"]))
            store.conn.execute("UPDATE contracts SET print_names = 'full' WHERE ref = ?", (client["ref"],))
            store.audit("update", "client", client["id"], FORMULAS[0], old={"phone": FORMULAS[2]}, new={"phone": FORMULAS[1]},
                        client_id=client["id"])
        export_caseload(store, tmp_path / "caseload.xlsx")
        write_claim_xlsx(store, build_claim(store, client["ref"], "2026-11"), tmp_path / "claim.xlsx")
        export_audit(audit_entries(store), tmp_path / "audit.xlsx")
        export_audit(audit_entries(store), tmp_path / "audit.csv")
        export_visit_data(store, tmp_path / "visits.csv", dt.date(2026, 10, 1))
    for name in ("caseload.xlsx", "claim.xlsx", "audit.xlsx"):
        book = openpyxl.load_workbook(tmp_path / name)
        seen = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                _no_formula(row)
                seen += [value for value in row if isinstance(value, str)]
        assert any(FORMULAS[0] in value for value in seen), name
    for name in ("audit.csv", "visits.csv"):
        with open(tmp_path / name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        for row in rows:
            _no_formula(row)
        assert any(FORMULAS[2] in cell for row in rows for cell in row), name


# -- names and notes that could break a printout -------------------------------------------------------
HOSTILE_NAME = "Zoë <b>O'Brien</b> & \"Sons\" 😀 שלום"
LONG_WORD = "ж" * 500


def _pdf_text_and_bounds(data: bytes) -> tuple[str, list[str]]:
    """All text of a PDF, and the fragments drawn outside their page (there should be none)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text, outside = [], []
    for page in reader.pages:
        width = float(page.mediabox.width)

        def visit(fragment, cm, tm, font, size, width=width):
            if fragment.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                if not -1 <= x <= width:
                    outside.append(fragment)

        text.append(page.extract_text(visitor_text=visit))
    return "\n".join(text), outside


def _assert_prints_correctly(name: str, data: bytes, long_word: bool) -> None:
    assert data.startswith(b"%PDF"), name
    text, outside = _pdf_text_and_bounds(data)
    text = " ".join(text.split())  # lines wrap anywhere
    assert "<b>O'Brien</b>" in text, f"{name}: markup in a name must print as typed"
    assert '& "Sons"' in text, name
    assert "שלום" in text or "םולש" in text, f"{name}: right-to-left text"
    if long_word:
        assert text.count("ж") >= 500, f"{name}: part of a 500-character word is missing"
    assert outside == [], f"{name}: text printed off the page"


def test_hostile_names_and_notes_print_correctly_in_every_pdf(demo_copy):
    from branchdesk.models.claim_pdf import render_claim_pdf
    from branchdesk.models.claims import build_claim
    from branchdesk.models.ideal_week_pdf import render_ideal_week_pdf
    from branchdesk.models.review_pdf import render_review_pdf

    with open_branch(demo_copy) as store:
        found = store.row(
            "SELECT c.id, k.ref, (SELECT max(id) FROM ideal_weeks WHERE client_id = c.id) AS week,"
            " (SELECT max(id) FROM reviews WHERE client_id = c.id) AS review"
            " FROM clients c JOIN contracts k ON k.id = c.contract_id"
            " WHERE c.end_date IS NULL AND k.core_basis = 'envelope' AND week IS NOT NULL AND review IS NOT NULL"
            " ORDER BY c.ref LIMIT 1")
        item = store.value("SELECT min(id) FROM ideal_week_items WHERE ideal_week_id = ?", (found["week"],))
        with store.transaction():
            store.conn.execute("UPDATE clients SET name = ? WHERE id = ?", (HOSTILE_NAME, found["id"]))
            store.conn.execute("UPDATE contracts SET print_names = 'full' WHERE ref = ?", (found["ref"],))
            store.conn.execute("UPDATE ideal_week_items SET purpose = ?, who = ? WHERE id = ?",
                               (f"Breakfast & <i>tea</i> {LONG_WORD}", HOSTILE_NAME, item))
            store.conn.execute("UPDATE reviews SET notes = ?, participants = ?, satisfaction_words = ? WHERE id = ?",
                               (f"Notes: {LONG_WORD}", HOSTILE_NAME, "“Very happy” & <ok>", found["review"]))
            store.conn.execute("UPDATE review_outcomes SET notes = ? WHERE review_id = ?",
                               (f"Evidence <b>seen</b> & {HOSTILE_NAME}", found["review"]))
        claim = build_claim(store, found["ref"], "2026-11")
        assert any(line.client_name == HOSTILE_NAME for line in claim.lines)
        _assert_prints_correctly("claim", render_claim_pdf(store, claim), long_word=False)
        _assert_prints_correctly("ideal-week sheet", render_ideal_week_pdf(store, found["week"]), long_word=True)
        _assert_prints_correctly("review record", render_review_pdf(store, found["review"]), long_word=True)
