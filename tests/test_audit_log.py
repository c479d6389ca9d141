"""The audit log: filters by client, user, dates and words; export to XLSX and CSV with safe cells."""

import csv
import datetime as dt

import openpyxl
import pytest

from branchdesk.models import audit_log
from branchdesk.models.audit_log import audit_clients, audit_entries, audit_users, export_audit


@pytest.fixture
def logged(store):
    with store.transaction():
        contract = store.db["contracts"].insert(
            dict(ref="HCC", council="Hertfordshire", claim_prefix="HCC", core_basis="envelope", hourly_rate_pence=2450)).last_pk
        mary = store.db["clients"].insert(dict(ref="C1", name="Mary Jones", contract_id=contract, category="long_term",
                                               funding="council", start_date="2026-01-05")).last_pk
        ravi = store.db["clients"].insert(dict(ref="C2", name="Ravi Patel", contract_id=contract, category="dementia",
                                               funding="council", start_date="2026-02-05")).last_pk
    entries = [
        ("2026-10-01 09:00:00", "Ann", "create", "client", mary, mary, "Client C1 added", None, '{"name": "Mary Jones"}'),
        ("2026-10-02 10:30:00", "Bob", "update", "envelope", 7, mary, "Envelope changed", '{"hours_per_week": "10"}',
         '{"hours_per_week": "8.5"}'),
        ("2026-10-03 11:00:00", "Ann", "update", "client", ravi, ravi, "=HYPERLINK(\"http://x\")", '{"phone": "+44 1225"}',
         '{"phone": "-1"}'),
        ("2026-10-04 12:00:00", "Bob", "delete", "contact", 3, ravi, "Contact @Sam removed", '{"name": "@Sam"}', None),
    ]
    with store.transaction():
        for entry in entries:
            store.conn.execute(
                "INSERT INTO audit (at, user, action, entity, entity_id, client_id, summary, old_values, new_values)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entry)
    store.mary, store.ravi = mary, ravi
    return store


def _summaries(entries):
    return [entry.summary for entry in entries]


def test_newest_first_with_old_and_new_values(logged):
    entries = audit_entries(logged, until=dt.date(2026, 10, 31))
    assert _summaries(entries) == ["Contact @Sam removed", "=HYPERLINK(\"http://x\")", "Envelope changed", "Client C1 added"]
    envelope = entries[2]
    assert (envelope.user, envelope.action_text, envelope.entity_text, envelope.when_text) == ("Bob", "Changed", "Hours envelope", "02/10/2026 10:30")
    assert envelope.client_text == "C1 Mary Jones"
    assert envelope.changes_text() == "hours per week: 10 → 8.5"
    assert entries[0].changes_text() == "name: @Sam (removed)"
    assert entries[3].changes_text() == "name: Mary Jones"


def test_filters(logged):
    assert _summaries(audit_entries(logged, client_id=logged.mary)) == ["Envelope changed", "Client C1 added"]
    assert _summaries(audit_entries(logged, user="Bob")) == ["Contact @Sam removed", "Envelope changed"]
    assert _summaries(audit_entries(logged, since=dt.date(2026, 10, 2), until=dt.date(2026, 10, 3))) == [
        "=HYPERLINK(\"http://x\")", "Envelope changed"]
    assert _summaries(audit_entries(logged, text="8.5")) == ["Envelope changed"]
    assert _summaries(audit_entries(logged, text="ravi")) == ["Contact @Sam removed", "=HYPERLINK(\"http://x\")"]
    assert audit_entries(logged, text="100%") == []
    assert len(audit_entries(logged, limit=2)) == 2


def test_people_and_clients_for_the_filter_lists(logged):
    assert audit_users(logged) == ["Ann", "Bob", "tester"]
    assert audit_clients(logged) == [(logged.mary, "C1 Mary Jones"), (logged.ravi, "C2 Ravi Patel")]


def test_export_xlsx_neutralises_formula_cells(logged, tmp_path):
    path = export_audit(audit_entries(logged, user="Ann") + audit_entries(logged, user="Bob"), tmp_path / "audit log.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Date", "Time", "User")
    formula = next(row for row in rows if row[8] and "HYPERLINK" in row[8])
    assert formula[8] == "'=HYPERLINK(\"http://x\")"
    assert formula[9] == "phone: +44 1225" and formula[10] == "phone: -1"
    removed = next(row for row in rows if row[8] == "Contact @Sam removed")
    assert removed[9] == "name: @Sam"
    for row in rows[1:]:
        for value in row:
            assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@")))
    assert rows[1][0] == dt.datetime(2026, 10, 3)


def test_export_csv_neutralises_formula_cells(logged, tmp_path):
    path = export_audit(audit_entries(logged, until=dt.date(2026, 10, 31)), tmp_path / "audit.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Date" and rows[1][0] == "04/10/2026"
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_export_to_a_folder_that_does_not_exist_is_a_plain_error(logged, tmp_path):
    with pytest.raises(audit_log.BranchDeskError, match="could not be saved"):
        export_audit(audit_entries(logged), tmp_path / "missing" / "audit.xlsx")


def test_values_read_as_a_person_reads_them():
    entry = audit_log.AuditEntry(
        id=1, at=dt.datetime(2026, 10, 1, 9), user="Ann", action="update", entity="claim", entity_id=4, client_id=None,
        client_ref="", client_name="", summary="Claim queried",
        old={"queried_on": None, "claim_id": 4, "note": "2026-02-31"},
        new={"queried_on": "2026-09-17", "claim_id": 4, "note": "2026-02-31x"},
    )
    assert entry.changes_text() == "note: 2026-02-31 → 2026-02-31x\nqueried on: — → 17/09/2026"


def test_amounts_recorded_in_pounds_read_as_money():
    from branchdesk.models.audit_log import value_text

    assert value_text("13053.78", "amount") == "£13,053.78"
    assert value_text("-5.00", "total") == "-£5.00"
    assert value_text("1234", "fee_pence") == "1234"  # text, not pence
    assert value_text(1234, "fee_pence") == "£12.34"
    assert value_text("12.5", "hours") == "12.5"
