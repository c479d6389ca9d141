"""The demo branch: the same seed builds the same branch, and every screen finds data in it."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from branchdesk.models.db import create_branch, open_branch
from branchdesk.models.demo import build_demo
from branchdesk.models.errors import BranchDeskError, BranchFileError
from branchdesk.models.schema import (
    CATEGORIES,
    DOMAINS,
    END_REASONS,
    ENVELOPE_REASONS,
    FUNDING,
    ITEM_KINDS,
    OUTCOME_STATUSES,
    SUSPENSION_REASONS,
    VISIT_STATUSES,
)

TODAY = dt.date(2026, 11, 15)


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every table, except when the audit entries were written."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        found = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if not (table == "audit" and r[1] == "at")]
            found[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
        return found
    finally:
        conn.close()


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    """The demo at its default size (120 clients, 18 months)."""
    path = tmp_path_factory.mktemp("default-demo") / "demo.sqlite"
    build_demo(path, today=TODAY)
    return path


@pytest.fixture(params=["small", "default"])
def demo(request, demo_path, default_demo):
    """Both sizes must cover everything: the 12-client test fixture and the default demo."""
    path = demo_path if request.param == "small" else default_demo
    store = open_branch(path, read_only=True)
    yield store
    store.close()


def values(store, sql: str) -> set:
    return {row[0] for row in store.rows(sql)}


# -- determinism ------------------------------------------------------------------------------------
def test_same_seed_and_day_build_the_same_branch(tmp_path):
    build_demo(tmp_path / "a.sqlite", clients=12, months=6, seed=5, today=TODAY)
    build_demo(tmp_path / "b.sqlite", clients=12, months=6, seed=5, today=TODAY)
    first, second = dump(tmp_path / "a.sqlite"), dump(tmp_path / "b.sqlite")
    assert first["visits"] and first["claims"]
    assert first == second


def test_another_seed_builds_another_branch(tmp_path):
    build_demo(tmp_path / "a.sqlite", clients=12, months=6, seed=5, today=TODAY)
    build_demo(tmp_path / "b.sqlite", clients=12, months=6, seed=6, today=TODAY)
    first, second = dump(tmp_path / "a.sqlite"), dump(tmp_path / "b.sqlite")
    assert first["clients"] != second["clients"]
    assert first["visits"] != second["visits"]


def test_history_ends_the_day_before_today(demo_path):
    with open_branch(demo_path, read_only=True) as store:
        assert store.value("SELECT MAX(visit_date) FROM visits") == "2026-11-14"
        assert store.value("SELECT MIN(visit_date) FROM visits") >= "2026-05-15"
        assert store.value("SELECT COUNT(*) FROM visits WHERE visit_date >= ?", (TODAY.isoformat(),)) == 0


# -- coverage -----------------------------------------------------------------------------------------
def test_every_category_funding_and_end_reason(demo):
    assert values(demo, "SELECT category FROM clients") == set(CATEGORIES)
    assert values(demo, "SELECT funding FROM clients") == set(FUNDING)
    assert values(demo, "SELECT end_reason FROM clients WHERE end_reason IS NOT NULL") == set(END_REASONS)
    today = TODAY.isoformat()
    assert demo.value("SELECT COUNT(*) FROM clients WHERE start_date > ?", (today,)) >= 1, "a referral starting soon"
    assert demo.value("SELECT COUNT(*) FROM clients WHERE start_date <= ? AND end_date IS NULL", (today,)) >= 4
    quick = demo.value(
        "SELECT COUNT(*) FROM clients WHERE category = 'reablement' AND end_reason = 'no_further_care'"
        " AND julianday(end_date) - julianday(start_date) <= 42")
    assert quick >= 1


def test_every_payment_style_and_contract_detail(demo):
    contracts = {row["ref"]: row for row in demo.rows("SELECT * FROM contracts")}
    assert {row["core_basis"] for row in contracts.values()} == {"envelope", "none", "band", "delivered"}
    hcc = contracts["HCC"]
    assert (hcc["core_share"], hcc["outcome_upfront_share"], hcc["reward_share"]) == ("0.8", "0.2", "0.2")
    assert (hcc["hours_saved_share"], hcc["hours_saved_months"], hcc["retainer_days"]) == ("0.5", 12, 3)
    assert contracts["WCC"]["episode_fee_pence"] == 157500 and contracts["WCC"]["outcome_partial_share"] == "0.5"
    assert contracts["BAND"]["band_rates"] == "lower=75;higher=150;intensive=320"
    assert {row["print_names"] for row in contracts.values()} == {"full", "initials"}
    for row in contracts.values():
        assert row["commissioner"] and row["address"] and row["supplier_number"] and row["purchase_order"]
    branch = demo.row("SELECT * FROM branch")
    assert branch["cqc_location_id"].startswith("1-") and branch["bank_sort_code"] and branch["signatory_role"]


def test_clients_look_real(demo):
    for row in demo.rows("SELECT * FROM clients"):
        assert row["postcode"][:2] in ("HR", "WR"), row["postcode"]
        assert row["phone"].startswith("01") and len(row["phone"].replace(" ", "")) == 11
        assert row["council_ref"] and row["address"].count("\n") == 2
    workers = demo.rows("SELECT * FROM workers")
    assert len(workers) >= 6 and len({w["team"] for w in workers}) >= 3
    assert demo.value("SELECT COUNT(*) FROM contacts WHERE may_be_told = 0") >= 1
    assert demo.value("SELECT COUNT(*) FROM contacts WHERE may_be_told = 1") >= 1
    assert demo.value("SELECT COUNT(*) FROM client_notes") >= demo.value("SELECT COUNT(*) FROM clients")


def test_outcomes_in_every_domain_in_peoples_own_words(demo):
    assert values(demo, "SELECT domain FROM outcomes") == set(DOMAINS)
    assert all(d.startswith(("I ", "I'")) for d in values(demo, "SELECT description FROM outcomes"))
    assert demo.value("SELECT COUNT(*) FROM outcomes o JOIN clients c ON c.id = o.client_id JOIN contracts k ON k.id = c.contract_id"
                      " WHERE k.ref IN ('BAND', 'SPOT') AND o.fee_pence > 0") == 0
    assert demo.value("SELECT COUNT(*) FROM outcomes WHERE fee_pence > 0") >= 1


def test_envelopes_with_every_reason_and_bands(demo):
    assert values(demo, "SELECT reason FROM envelopes") == set(ENVELOPE_REASONS)
    assert demo.value("SELECT COUNT(*) FROM clients c WHERE NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.client_id = c.id)") == 0
    bands = values(demo, "SELECT e.band FROM envelopes e JOIN clients c ON c.id = e.client_id JOIN contracts k ON k.id = c.contract_id WHERE k.ref = 'BAND'")
    assert bands and "" not in bands
    saved = demo.rows(
        "SELECT e.hours_per_week AS now, (SELECT p.hours_per_week FROM envelopes p WHERE p.client_id = e.client_id"
        " AND p.effective_date < e.effective_date ORDER BY p.effective_date DESC LIMIT 1) AS before"
        " FROM envelopes e WHERE e.reason IN ('independence', 'community_link')")
    assert saved and all(Decimal(r["now"]) < Decimal(r["before"]) for r in saved), "hours saved are decreases"
    assert demo.value("SELECT COUNT(*) FROM envelopes WHERE review_id IS NOT NULL") >= 1


def test_ideal_weeks_with_everyone_who_helps(demo):
    assert values(demo, "SELECT kind FROM ideal_week_items") == set(ITEM_KINDS)
    assert demo.value("SELECT COUNT(*) FROM ideal_week_items WHERE kind = 'paid_visit' AND (purpose = '' OR minutes IS NULL)") == 0
    assert demo.value("SELECT COUNT(*) FROM clients c WHERE NOT EXISTS (SELECT 1 FROM ideal_weeks w WHERE w.client_id = c.id)") == 0
    assert demo.value("SELECT COUNT(*) FROM (SELECT client_id FROM ideal_weeks GROUP BY client_id HAVING COUNT(*) > 1)") >= 1
    many = demo.value(
        "SELECT COUNT(*) FROM (SELECT w.id FROM ideal_weeks w JOIN ideal_week_items i ON i.ideal_week_id = w.id"
        " JOIN ideal_week_item_workers p ON p.item_id = i.id GROUP BY w.id HAVING COUNT(DISTINCT p.worker_id) > 4)")
    assert many >= 1, "a plan with more than four preferred workers"
    assert demo.value("SELECT COUNT(*) FROM ideal_week_item_outcomes") >= 1
    assert demo.value("SELECT COUNT(*) FROM ideal_weeks WHERE override_reason <> ''") >= 1
    repeated = demo.value(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ideal_week_items GROUP BY ideal_week_id, day, part_of_day, kind, purpose HAVING COUNT(*) > 1)")
    assert repeated == 0, "nothing appears twice in the same part of a day"


def test_some_plans_are_above_their_envelope(demo):
    rows = demo.rows(
        "SELECT w.client_id, SUM(i.minutes) AS minutes,"
        " (SELECT e.hours_per_week FROM envelopes e WHERE e.client_id = w.client_id AND e.effective_date <= w.effective_date"
        "  ORDER BY e.effective_date DESC LIMIT 1) AS hours"
        " FROM ideal_weeks w JOIN ideal_week_items i ON i.ideal_week_id = w.id WHERE i.kind = 'paid_visit' GROUP BY w.id")
    assert any(Decimal(r["minutes"]) / 60 > Decimal(r["hours"]) for r in rows)
    assert any(Decimal(r["minutes"]) / 60 < Decimal(r["hours"]) for r in rows)


def test_suspensions_of_every_reason(demo):
    assert values(demo, "SELECT reason FROM suspensions") == set(SUSPENSION_REASONS)
    crossing = demo.value("SELECT COUNT(*) FROM suspensions WHERE reason = 'hospital' AND substr(start_date, 1, 7) <> substr(end_date, 1, 7)")
    assert crossing >= 1
    today = TODAY.isoformat()
    assert demo.value("SELECT COUNT(*) FROM suspensions WHERE start_date <= ? AND end_date >= ?", (today, today)) >= 1
    inside = demo.value(
        "SELECT COUNT(*) FROM visits v JOIN suspensions s ON s.client_id = v.client_id"
        " WHERE v.visit_date BETWEEN s.start_date AND s.end_date")
    assert inside == 0


def test_delivered_visits_late_short_missed_and_across_midnight(demo):
    counts = Counter(row[0] for row in demo.rows("SELECT status FROM visits"))
    assert set(counts) == set(VISIT_STATUSES)
    assert counts["completed"] > 0.9 * sum(counts.values())
    late = demo.value(
        "SELECT COUNT(*) FROM visits WHERE status = 'completed'"
        " AND (CAST(substr(actual_start, 1, 2) AS INT) * 60 + CAST(substr(actual_start, 4, 2) AS INT))"
        "   - (CAST(substr(planned_start, 1, 2) AS INT) * 60 + CAST(substr(planned_start, 4, 2) AS INT)) > 30")
    assert late >= 1
    assert demo.value("SELECT COUNT(*) FROM visits WHERE status = 'completed' AND actual_end < actual_start") >= 1
    short = demo.value(
        "SELECT COUNT(*) FROM visits v JOIN clients c ON c.id = v.client_id WHERE v.status = 'completed' AND v.minutes < 20")
    assert short >= 1
    assert demo.value("SELECT COUNT(*) FROM visits WHERE status = 'completed' AND (actual_start IS NULL OR minutes IS NULL)") == 0
    assert demo.value("SELECT COUNT(*) FROM visits WHERE status IN ('missed', 'cancelled_by_client') AND actual_start IS NOT NULL") == 0


def test_visit_identity_matches_the_import(demo):
    from branchdesk.models.visits import match_key

    for row in demo.rows("SELECT * FROM visits ORDER BY id LIMIT 500"):
        assert row["match_key"] == match_key(row["client_id"], row["visit_date"], row["planned_start"], row["actual_start"], row["worker_id"])


def test_no_worker_is_in_two_places_at_once(demo):
    from branchdesk.models.visits import absolute_span, overlapping

    spans = [
        (row["worker_id"], *absolute_span(row["visit_date"], row["actual_start"], row["minutes"]), row["id"])
        for row in demo.rows("SELECT * FROM visits WHERE status = 'completed'")
    ]
    assert overlapping(spans) == []


def test_some_clients_see_too_many_workers_in_a_month(demo):
    flagged = demo.value(
        "SELECT COUNT(*) FROM (SELECT client_id, substr(visit_date, 1, 7) AS month FROM visits WHERE status = 'completed'"
        " GROUP BY client_id, month HAVING COUNT(DISTINCT worker_id) > 4)")
    steady = demo.value(
        "SELECT COUNT(*) FROM (SELECT client_id, substr(visit_date, 1, 7) AS month FROM visits WHERE status = 'completed'"
        " GROUP BY client_id, month HAVING COUNT(DISTINCT worker_id) <= 4)")
    assert flagged >= 1 and steady > flagged


def test_hours_bank_stores_draws_and_expiry(demo):
    entries = demo.rows("SELECT * FROM hours_bank ORDER BY client_id, entry_date, id")
    assert {e["kind"] for e in entries} == {"store", "draw"}
    assert any(e["kind"] == "store" and e["expires_on"] < TODAY.isoformat() for e in entries), "some stored hours expired"
    by_client = defaultdict(list)
    for entry in entries:
        by_client[entry["client_id"]].append(entry)
    for rows in by_client.values():
        stores = []  # oldest first: [expires_on, hours left]
        for entry in rows:
            if entry["kind"] == "store":
                stores.append([entry["expires_on"], Decimal(entry["hours"])])
                continue
            left = Decimal(entry["hours"])
            for store in stores:
                if store[0] > entry["entry_date"]:
                    used = min(store[1], left)
                    store[1] -= used
                    left -= used
            assert left == 0, "a draw-down never takes the balance below zero"


def test_hours_bank_agrees_with_the_bank_and_utilisation_rules(demo):
    from branchdesk.models.hours_bank import bank_state, expiry_for
    from branchdesk.models.utilisation import week_use

    for (client_id,) in demo.rows("SELECT DISTINCT client_id FROM hours_bank"):
        state = bank_state(demo, client_id, TODAY)
        assert not state.short and state.balance >= 0
        for entry in state.entries:
            if entry.kind == "store":
                assert entry.expires_on == expiry_for(entry.week_start, 13)
                assert entry.hours <= week_use(demo, client_id, entry.week_start, TODAY).unused


def test_reviews_on_the_schedule_with_every_status(demo):
    from branchdesk.models.reviews import schedule

    assert values(demo, "SELECT status FROM review_outcomes") == set(OUTCOME_STATUSES)
    assert values(demo, "SELECT method FROM reviews") == {"visit", "phone"}
    assert values(demo, "SELECT envelope_decision FROM reviews") == {"changed", "unchanged"}
    assert demo.value("SELECT COUNT(*) FROM reviews WHERE satisfaction IS NULL OR satisfaction_words = ''") == 0
    assert demo.value("SELECT COUNT(*) FROM reviews WHERE review_date >= ?", (TODAY.isoformat(),)) == 0
    firsts = demo.rows("SELECT r.method FROM reviews r WHERE r.review_date = (SELECT MIN(review_date) FROM reviews WHERE client_id = r.client_id)")
    assert {r["method"] for r in firsts} == {"visit"}
    states = Counter(item.state for item in schedule(demo, on=TODAY))
    assert states["overdue"] >= 1 and states["due_soon"] >= 1
    withdrawn = demo.value(
        "SELECT COUNT(*) FROM review_outcomes ro JOIN outcomes o ON o.id = ro.outcome_id JOIN reviews r ON r.id = ro.review_id"
        " WHERE ro.status = 'withdrawn' AND o.withdrawn_date IS NOT r.review_date")
    assert withdrawn == 0


def test_claims_issued_posted_paid_and_queried(demo):
    from branchdesk.models.claims import list_claims, pending_adjustments

    claims = [c for c in list_claims(demo) if c.is_issued]
    assert len({c.month for c in claims}) >= 3
    assert {c.contract_ref for c in claims} == {"HCC", "WCC", "BAND", "SPOT"}
    assert len([c for c in claims if c.posted_on is None]) == 1, "one claim still to post"
    statuses = Counter(c.status for c in claims)
    assert statuses["paid"] >= 1 and statuses["queried"] == 1
    assert any(0 < c.paid_pence < c.total_pence for c in claims), "a part payment"
    latest = max(c.month for c in claims)
    assert all(not c.payments for c in claims if c.month == latest), "last month's claims still waiting for payment"
    last_full_month = "2026-10"
    assert latest < last_full_month
    assert pending_adjustments(demo, "HCC"), "a change typed in after its month was claimed"


def test_the_branch_file_is_sound(demo):
    from branchdesk.models.checks import check_branch

    assert demo.rows("PRAGMA foreign_key_check") == []
    assert demo.value("PRAGMA integrity_check") == "ok"
    assert check_branch(demo, today=TODAY) == []
    assert demo.value("SELECT COUNT(*) FROM audit WHERE summary = 'Demo branch created'") == 1


# -- replacing files --------------------------------------------------------------------------------------
def test_a_demo_replaces_an_earlier_demo_but_never_a_real_branch(tmp_path):
    path = tmp_path / "demo.sqlite"
    build_demo(path, clients=3, months=2, seed=1, today=TODAY)
    build_demo(path, clients=4, months=2, seed=2, today=TODAY)
    with open_branch(path, read_only=True) as store:
        assert store.value("SELECT COUNT(*) FROM clients") == 4

    real = tmp_path / "real.sqlite"
    create_branch(real, "Real Branch").close()
    before = real.read_bytes()
    with pytest.raises(BranchFileError, match="not a demo branch"):
        build_demo(real, clients=3, months=2, today=TODAY)
    assert real.read_bytes() == before
    assert not (tmp_path / "real.sqlite.building").exists()

    other = tmp_path / "notes.sqlite"
    other.write_text("shopping list")
    with pytest.raises(BranchFileError):
        build_demo(other, clients=3, months=2, today=TODAY)
    assert other.read_text() == "shopping list"


def test_a_demo_needs_a_client_and_a_month(tmp_path):
    with pytest.raises(BranchDeskError):
        build_demo(tmp_path / "demo.sqlite", clients=0, months=2, today=TODAY)
    assert not (tmp_path / "demo.sqlite").exists()


def test_progress_is_reported(tmp_path):
    seen = []
    build_demo(tmp_path / "demo.sqlite", clients=20, months=3, today=TODAY, progress=lambda done, total, text: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert all(done <= total for done, total in seen)


def test_command_line_builds_a_demo(tmp_path):
    path = tmp_path / "cli-demo.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", "demo", "--db", str(path), "--clients", "10", "--months", "4", "--seed", "3"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "10 clients" in result.stdout and result.stderr == ""
    with open_branch(path, read_only=True) as store:
        assert store.value("SELECT COUNT(*) FROM clients") == 10


def test_command_line_refuses_to_overwrite_a_real_branch(tmp_path):
    real = tmp_path / "real.sqlite"
    create_branch(real, "Real Branch").close()
    result = subprocess.run([sys.executable, "-m", "branchdesk.cli", "demo", "--db", str(real), "--clients", "3"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "not a demo branch" in result.stderr and "Traceback" not in result.stderr
