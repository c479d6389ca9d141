"""Continuity: distinct workers with completed visits per client per month, flagged above four."""

from __future__ import annotations

import pytest

from branchdesk.models.continuity import (
    TARGET_WORKERS,
    caseload_continuity,
    client_continuity,
    flagged_clients,
)


@pytest.fixture
def branch(store):
    with store.transaction():
        store.conn.execute("INSERT INTO contracts (ref, council, claim_prefix, core_basis, hourly_rate_pence)"
                           " VALUES ('HCC', 'Hampshire', 'HCC', 'envelope', 2000)")
        for i in (1, 2):
            store.conn.execute("INSERT INTO clients (ref, name, contract_id, category, funding, start_date)"
                               " VALUES (?, ?, 1, 'long_term', 'council', '2026-01-01')", (f"C00{i}", f"Client {i}"))
        for i in range(1, 8):
            store.conn.execute("INSERT INTO workers (ref, name) VALUES (?, ?)", (f"W0{i}", f"Worker {i}"))
    return store


def visit(store, client, worker, day, status="completed", hour=9):
    store.conn.execute(
        "INSERT INTO visits (client_id, worker_id, visit_date, planned_start, actual_start, actual_end, minutes, status, match_key)"
        " VALUES (?, ?, ?, ?, ?, ?, 30, ?, ?)",
        (client, worker, day, f"{hour:02d}:00", f"{hour:02d}:00", f"{hour:02d}:30", status, f"{client}|{day}|{hour}|{worker}"))


def test_counts_flags_and_months(branch):
    for worker in range(1, 6):  # five workers for client 1 in October: above the target
        visit(branch, 1, worker, f"2026-10-{worker:02d}")
    visit(branch, 1, 1, "2026-10-20")  # the same worker again does not count twice
    visit(branch, 1, 6, "2026-10-21", status="missed")  # not delivered: not counted
    visit(branch, 1, 7, "2026-11-01")  # another month
    for worker in (1, 2, 3, 4):  # exactly four for client 2: on target
        visit(branch, 2, worker, f"2026-10-{worker:02d}", hour=11)

    october = client_continuity(branch, 1, ["2026-10", "2026-11", "2026-12"])
    assert [m.count for m in october] == [5, 1, 0]
    assert [m.flagged for m in october] == [True, False, False]
    assert october[0].workers[0].ref == "W01" and october[0].workers[0].visits == 2

    lines = caseload_continuity(branch, "2026-10")
    assert [(line.client_ref, line.count, line.flagged) for line in lines] == [("C001", 5, True), ("C002", TARGET_WORKERS, False)]
    assert [line.client_ref for line in flagged_clients(branch, "2026-10")] == ["C001"]
    assert flagged_clients(branch, "2026-11") == []
