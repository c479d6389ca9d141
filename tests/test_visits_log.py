"""The visit log: filtering with hours totals, visits added and corrected by hand, and the council's daily data."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from branchdesk.models.errors import ValidationError
from branchdesk.models.visit_export import VISIT_DATA_COLUMNS, export_visit_data
from branchdesk.models.visits import delete_visit, list_visits, save_visit, visit_totals

TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def branch(store):
    with store.transaction():
        for ref in ("HCC", "WCC"):
            store.conn.execute("INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence)"
                               " VALUES (?, ?, ?, 'envelope', 2000)", (ref, ref + " council", ref))
        store.conn.execute("INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
                           " VALUES ('C001', '=HYPERLINK(\"x\")', 'Ann Able', 1, 'long_term', 'council', '2026-01-01')")
        store.conn.execute("INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
                           " VALUES ('C002', 'HC-2', 'Bob Baker', 1, 'dementia', 'council', '2026-01-01')")
        store.conn.execute("INSERT INTO clients (ref, council_ref, name, contract_id, category, funding, start_date)"
                           " VALUES ('C003', '', 'Cy Cole', 2, 'long_term', 'council', '2026-01-01')")
        for i in (1, 2):
            store.conn.execute("INSERT INTO workers (ref, name) VALUES (?, ?)", (f"W0{i}", f"Worker {i}"))
    return store


def add(store, **values):
    form = {"client_id": 1, "worker_id": 1, "date": "2026-10-01", "planned_start": "09:00", "actual_start": "09:00",
            "actual_end": "09:45", "status": "completed", **values}
    return save_visit(store, form, today=TODAY)


def test_add_by_hand_is_audited_and_listed_with_totals(branch):
    add(branch)
    add(branch, client_id=2, planned_start="10:00", actual_start="10:00", actual_end=None, duration_minutes="30")
    add(branch, client_id=2, date="2026-10-02", actual_start=None, actual_end=None, status="missed")
    visits = list_visits(branch, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [v.client_ref for v in visits] == ["C001", "C002", "C002"]
    totals = visit_totals(visits)
    assert (totals.visits, totals.completed, totals.delivered_minutes, str(totals.delivered_hours)) == (3, 2, 75, "1.25")
    assert [v.client_ref for v in list_visits(branch, client_id=2, status="missed")] == ["C002"]
    assert list_visits(branch, dt.date(2026, 10, 2), dt.date(2026, 10, 2), worker_id=2) == []
    audit = branch.rows("SELECT action, user, summary FROM audit WHERE entity = 'visit'")
    assert len(audit) == 3 and audit[0]["user"] == "tester" and "added by hand" in audit[0]["summary"]


def test_every_problem_of_a_typed_visit_is_shown_against_its_field(branch):
    with pytest.raises(ValidationError) as caught:
        save_visit(branch, {"client_id": None, "worker_id": None, "date": "2026-12-01", "planned_start": "",
                            "actual_start": "25:00", "status": "completed"}, today=TODAY)
    fields = {p.field for p in caught.value.problems}
    assert {"client_id", "worker_id", "date", "actual_start"} <= fields


def test_overlap_with_a_stored_visit_is_refused_but_not_with_itself(branch):
    visit_id = add(branch)
    with pytest.raises(ValidationError) as caught:
        add(branch, client_id=2, planned_start="09:30", actual_start="09:30", actual_end="10:00")
    assert "overlap" in caught.value.problems[0].message
    save_visit(branch, {"client_id": 1, "worker_id": 1, "date": "2026-10-01", "planned_start": "09:00", "actual_start": "09:10",
                        "actual_end": "09:50", "status": "completed"}, visit_id, today=TODAY)
    row = branch.row("SELECT minutes, source FROM visits WHERE id = ?", (visit_id,))
    assert (row["minutes"], row["source"]) == (40, "manual")
    audit = branch.row("SELECT old_values, new_values FROM audit WHERE action = 'update' AND entity = 'visit'")
    assert "09:00" in audit["old_values"] and "09:10" in audit["new_values"]


def test_the_same_visit_twice_by_hand_is_refused(branch):
    add(branch)
    add(branch, worker_id=2)  # another worker at the same time: allowed
    with pytest.raises(ValidationError, match="already recorded"):
        add(branch)


def test_delete_is_audited(branch):
    visit_id = add(branch)
    delete_visit(branch, visit_id)
    assert branch.value("SELECT COUNT(*) FROM visits") == 0
    assert branch.value("SELECT COUNT(*) FROM audit WHERE action = 'delete' AND entity = 'visit'") == 1


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_daily_visit_data_has_exactly_the_council_columns(branch, tmp_path):
    add(branch)
    add(branch, client_id=2, date="2026-10-02", actual_start=None, actual_end=None, status="no_access")
    add(branch, client_id=2, date="2026-10-03")
    path = tmp_path / "visits-2026-10-01.csv"
    result = export_visit_data(branch, path, dt.date(2026, 10, 1))
    rows = read_csv(path)
    assert rows[0] == list(VISIT_DATA_COLUMNS) == ["council_ref", "date", "planned_start", "actual_start", "actual_end",
                                                   "minutes", "worker_ref", "status"]
    assert rows[1:] == [["'=HYPERLINK(\"x\")", "2026-10-01", "09:00", "09:00", "09:45", "45", "W01", "completed"]]
    assert result.rows == 1

    export_visit_data(branch, path, dt.date(2026, 10, 1), dt.date(2026, 10, 3))
    rows = read_csv(path)
    assert [r[1] for r in rows[1:]] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert rows[2] == ["HC-2", "2026-10-02", "09:00", "", "", "", "W01", "no_access"]


def test_daily_visit_data_for_one_contract_only(branch, tmp_path):
    add(branch)
    add(branch, client_id=3, worker_id=2)
    path = tmp_path / "out.csv"
    result = export_visit_data(branch, path, dt.date(2026, 10, 1), contract_id=2)
    assert [r[6] for r in read_csv(path)[1:]] == ["W02"]
    assert result.without_council_ref == ["C003"]
    with pytest.raises(ValidationError):
        export_visit_data(branch, path, dt.date(2026, 10, 2), dt.date(2026, 10, 1))
