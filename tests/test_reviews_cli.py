"""``branchdesk-cli reviews due``: text, JSON, --on, --within and exit codes."""

import datetime as dt
import json

from test_reviews import add_client, hold

from branchdesk.cli import main

D = dt.date


def caseload(store):
    overdue = add_client(store, "C001", D(2026, 8, 1), name="Mary Jones")        # due 12/09/2026
    add_client(store, "C002", D(2026, 9, 10), name="Ted Brown", key_worker="")    # due 22/10/2026
    add_client(store, "C003", D(2026, 10, 1), name="Ann Lee")                     # due 12/11/2026
    add_client(store, "C004", D(2026, 1, 1), end=D(2026, 6, 30), name="Gone Away")  # ended
    return overdue


def test_json_lists_overdue_then_due_soon(store, capsys):
    caseload(store)
    code = main(["reviews", "due", "--db", str(store.path), "--on", "2026-10-01", "--json"])
    assert code == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["client_ref"], i["state"], i["due_date"]) for i in items] == [
        ("C001", "overdue", "2026-09-12"), ("C002", "due_soon", "2026-10-22")]
    assert items[0]["days_overdue"] == 19 and items[0]["days_until"] is None
    assert items[1]["days_until"] == 21 and items[1]["days_overdue"] is None
    assert items[0]["method"] == "visit" and items[0]["last_review_date"] is None


def test_within_widens_the_window_and_accepts_uk_dates(store, capsys):
    caseload(store)
    assert main(["reviews", "due", "--db", str(store.path), "--on", "01/10/2026", "--within", "60", "--json"]) == 0
    assert [i["client_ref"] for i in json.loads(capsys.readouterr().out)] == ["C001", "C002", "C003"]


def test_text_output_after_a_review_is_held(store, capsys):
    client = caseload(store)
    hold(store, client, D(2026, 9, 20), "visit")
    assert main(["reviews", "due", "--db", str(store.path), "--on", "2026-10-01", "--within", "28"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert "Ted Brown" in out[0] and "22/10/2026" in out[0] and "in 21 days" in out[0]


def test_nothing_due_says_so(store, capsys):
    caseload(store)
    assert main(["reviews", "due", "--db", str(store.path), "--on", "2026-01-01"]) == 0
    assert capsys.readouterr().out.strip() == "No reviews overdue or due within 28 days of 01/01/2026."


def test_usage_and_data_errors(store, tmp_path, capsys):
    assert main(["reviews", "due", "--db", str(store.path), "--on", "31/02/2026"]) == 2
    assert "not a real date" in capsys.readouterr().err
    assert main(["reviews", "due", "--db", str(store.path), "--within", "-1"]) == 2
    assert main(["reviews", "due", "--db", str(store.path), "--within", "soon"]) == 2
    capsys.readouterr()
    assert main(["reviews", "due", "--db", str(tmp_path / "missing.sqlite")]) == 1
    err = capsys.readouterr().err
    assert "no branch file" in err and "Traceback" not in err


def test_demo_branch_has_reviews_due(demo_path, capsys):
    assert main(["reviews", "due", "--db", str(demo_path), "--on", "2026-11-15", "--within", "60", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items, "the demo branch should have reviews coming up"
    assert {item["state"] for item in items} <= {"overdue", "due_soon"}
    assert all(item["method"] in ("visit", "phone") for item in items)
    dates = [item["due_date"] for item in items]
    assert dates == sorted(dates)
