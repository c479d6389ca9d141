"""Clients, contacts, notes, outcomes and workers in the library (no Qt)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from branchdesk.models.calendars import Period
from branchdesk.models.clients import (
    Client,
    Contact,
    add_client,
    add_note,
    caseload_rows,
    client_from_form,
    client_status,
    delete_contact,
    end_service,
    get_client,
    list_contacts,
    list_notes,
    next_client_ref,
    save_contact,
    update_client,
)
from branchdesk.models.contracts import contract_from_form, save_contract
from branchdesk.models.errors import ValidationError
from branchdesk.models.outcomes import (
    Outcome,
    list_outcomes,
    outcome_status,
    save_outcome,
    withdraw_outcome,
)
from branchdesk.models.workers import Worker, save_worker, teams, worker_from_form

TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def contract_id(store) -> int:
    return save_contract(store, contract_from_form({"ref": "WCC", "council": "Wiltshire Council", "core_basis": "envelope", "hourly_rate": "24.50"}))


def new_client(store, contract_id, ref="C001", start=dt.date(2026, 6, 1), **extra) -> int:
    return add_client(store, Client(ref, extra.pop("name", "Mary O'Brien"), contract_id, "reablement", "council", start, **extra))


def test_form_reports_every_problem_at_once(contract_id):
    with pytest.raises(ValidationError) as raised:
        client_from_form({"ref": "", "name": " ", "contract_ref": "NOPE", "category": "nursing", "funding": "",
                          "start_date": "31/02/2026", "date_of_birth": "2030-01-01", "personal_budget_weekly": "abc",
                          "end_reason": "bored", "ot_required": "perhaps"}, {"WCC": contract_id}, today=TODAY)
    fields = {p.field for p in raised.value.problems}
    assert fields >= {"ref", "name", "contract_ref", "category", "funding", "start_date", "date_of_birth",
                      "personal_budget_weekly", "end_reason", "ot_required"}
    assert all(p.message[0].isupper() or p.message[0] == "“" for p in raised.value.problems)


def test_form_reads_what_people_type(contract_id):
    client = client_from_form({"ref": "C9", "name": "Zoë <Ünal> 🌼", "contract_ref": "WCC", "category": "Dementia",
                               "funding": "isf", "start_date": "01/10/2026", "personal_budget_weekly": "£1,200.50",
                               "ot_required": "Y", "postcode": "ba14 8aa"}, {"WCC": contract_id})
    assert client.personal_budget_weekly_pence == 120050 and client.category == "dementia" and client.ot_required
    assert client.postcode == "BA14 8AA" and client.start_date == dt.date(2026, 10, 1) and client.name == "Zoë <Ünal> 🌼"


def test_status_through_a_service():
    client = Client("C1", "A", 1, "long_term", "council", dt.date(2026, 6, 1), end_date=dt.date(2026, 12, 31))
    hospital = [Period(dt.date(2026, 9, 1), dt.date(2026, 9, 10), "hospital")]
    assert client_status(client, dt.date(2026, 5, 31), hospital) == "referred"
    assert client_status(client, dt.date(2026, 6, 1), hospital) == "active"
    assert client_status(client, dt.date(2026, 9, 10), hospital) == "suspended"
    assert client_status(client, dt.date(2026, 12, 31), hospital) == "active"
    assert client_status(client, dt.date(2027, 1, 1), hospital) == "ended"


def test_add_update_and_end_service_are_audited(store, contract_id):
    client_id = new_client(store, contract_id)
    client = get_client(store, client_id)
    client.phone = "01225 000000"
    assert update_client(store, client)
    assert not update_client(store, client)  # nothing changed: nothing written
    with pytest.raises(ValidationError) as raised:
        end_service(store, client_id, dt.date(2026, 5, 1), "bored")
    assert {p.field for p in raised.value.problems} == {"end_reason", "end_date"}
    end_service(store, client_id, dt.date(2026, 11, 30), "no_further_care", note="Managing independently.")
    client = get_client(store, client_id)
    assert (client.end_date, client.end_reason) == (dt.date(2026, 11, 30), "no_further_care")
    entries = store.rows("SELECT action, old_values, new_values FROM audit WHERE entity = 'client' ORDER BY id")
    assert [e["action"] for e in entries] == ["create", "update", "update"]
    assert json.loads(entries[1]["old_values"]) == {"phone": ""} and json.loads(entries[1]["new_values"]) == {"phone": "01225 000000"}
    assert list_notes(store, client_id)[0].text == "Managing independently."


def test_duplicate_ref_is_refused(store, contract_id):
    new_client(store, contract_id)
    with pytest.raises(ValidationError) as raised:
        new_client(store, contract_id, name="Someone Else")
    assert raised.value.problems[0].field == "ref"
    assert next_client_ref(store) == "C002"


def test_contacts_and_notes(store, contract_id):
    client_id = new_client(store, contract_id)
    ann = Contact("Ann O'Brien", "Daughter", "07700 900123", True)
    save_contact(store, client_id, ann)
    ann.phone = "07700 900999"
    save_contact(store, client_id, ann)
    save_contact(store, client_id, Contact("Dr Patel", "GP"))
    with pytest.raises(ValidationError):
        save_contact(store, client_id, Contact(" "))
    delete_contact(store, ann.id)
    assert [c.name for c in list_contacts(store, client_id)] == ["Dr Patel"]
    assert [r[0] for r in store.rows("SELECT action FROM audit WHERE entity = 'contact' ORDER BY id")] == ["create", "update", "create", "delete"]
    add_note(store, client_id, "First visit went well.", dt.date(2026, 6, 2))
    add_note(store, client_id, "Family meeting booked.", dt.date(2026, 7, 1), author="Jo Nowak")
    notes = list_notes(store, client_id)
    assert [(n.written_on, n.author) for n in notes] == [(dt.date(2026, 7, 1), "Jo Nowak"), (dt.date(2026, 6, 2), "tester")]


def test_outcome_status_follows_the_latest_review(store, contract_id):
    client_id = new_client(store, contract_id)
    first = save_outcome(store, client_id, Outcome("O1", "I want to make my own breakfast again", dt.date(2026, 6, 1), "food_drink", fee_pence=40000))
    second = save_outcome(store, client_id, Outcome("O2", "I want to go to the lunch club", dt.date(2026, 6, 1)))
    assert outcome_status(store, first) == "active"
    with store.transaction():
        for day, status in (("2026-07-13", "partly"), ("2026-10-01", "achieved")):
            review = store.conn.execute("INSERT INTO reviews (client_id, review_date, method) VALUES (?, ?, 'visit')", (client_id, day)).lastrowid
            store.conn.execute("INSERT INTO review_outcomes (review_id, outcome_id, status) VALUES (?, ?, ?)", (review, first, status))
    assert outcome_status(store, first) == "achieved"
    withdraw_outcome(store, second, dt.date(2026, 8, 1))
    statuses = {o.ref: (o.status, o.last_assessed) for o in list_outcomes(store, client_id)}
    assert statuses == {"O1": ("achieved", dt.date(2026, 10, 1)), "O2": ("withdrawn", None)}
    with pytest.raises(ValidationError) as raised:
        save_outcome(store, client_id, Outcome("O1", "", None, "happiness", target_date=dt.date(2026, 1, 1), fee_pence=-1))
    assert {p.field for p in raised.value.problems} == {"outcome_ref", "description", "domain", "agreed_date", "fee"}


def test_caseload_rows_in_a_few_queries(store, contract_id):
    mary = new_client(store, contract_id, key_worker="Sam Patel", team="North", postcode="BA13 3AA")
    later = new_client(store, contract_id, ref="C002", name="Later Person", start=dt.date(2026, 12, 1))
    new_client(store, contract_id, ref="C003", name="Gone Person", start=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 1), end_reason="died")
    with store.transaction():
        store.conn.execute("INSERT INTO envelopes (client_id, effective_date, hours_per_week) VALUES (?, '2026-06-01', '10.5'), (?, '2026-09-01', '8')", (mary, mary))
        store.conn.execute("INSERT INTO envelopes (client_id, effective_date, hours_per_week) VALUES (?, '2026-12-01', '7')", (later,))
        store.conn.execute("INSERT INTO suspensions (client_id, start_date, end_date, reason) VALUES (?, '2026-11-10', '2026-11-20', 'hospital')", (mary,))
        store.conn.execute("INSERT INTO reviews (client_id, review_date, method) VALUES (?, '2026-07-13', 'visit')", (mary,))
    queries = []
    store.conn.set_trace_callback(queries.append)
    rows = {r.ref: r for r in caseload_rows(store, TODAY)}
    store.conn.set_trace_callback(None)
    assert len(queries) <= 5
    assert rows["C001"].status == "suspended" and rows["C001"].envelope_hours == Decimal("8")
    assert rows["C001"].next_review_due == dt.date(2027, 1, 13)
    assert rows["C002"].status == "referred" and rows["C002"].envelope_hours == Decimal("7")
    assert rows["C002"].next_review_due == dt.date(2027, 1, 12)
    assert rows["C003"].status == "ended" and rows["C003"].next_review_due is None
    assert "ba133aa" in rows["C001"].search_text and rows["C001"].contract_ref == "WCC"


def test_workers(store):
    with pytest.raises(ValidationError) as raised:
        worker_from_form({"ref": "", "name": "", "contracted_hours": "-4"})
    assert {p.field for p in raised.value.problems} == {"ref", "name", "contracted_hours"}
    worker = worker_from_form({"ref": "W1", "name": "Sam Patel", "team": "North", "contracted_hours": "37.5"})
    save_worker(store, worker)
    with pytest.raises(ValidationError):
        save_worker(store, Worker("W1", "Someone"))
    worker.team = "South"
    save_worker(store, worker)
    assert teams(store) == ["South"]
    assert store.value("SELECT count(*) FROM audit WHERE entity = 'worker'") == 2
