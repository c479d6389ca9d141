"""Envelope history: changes with reasons, the envelope on a day, hours saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from branchdesk.models.envelope import add_envelope_change, envelope_history, envelope_on_day
from branchdesk.models.errors import ValidationError
from tests.test_ideal_week import make_client


def test_history_and_envelope_on_a_day(store):
    client = make_client(store)
    add_envelope_change(store, client, "2026-06-01", "14", "initial", band="higher")
    add_envelope_change(store, client, dt.date(2026, 9, 1), Decimal("10.5"), "independence", note="Makes her own breakfast")
    add_envelope_change(store, client, "01/11/2026", "12", "needs_increased")
    history = envelope_history(store, client)
    assert [(h.effective_date.isoformat(), h.hours) for h in history] == [
        ("2026-06-01", Decimal("14")), ("2026-09-01", Decimal("10.5")), ("2026-11-01", Decimal("12"))]
    assert history[0].previous_hours is None and history[0].hours_saved is None
    assert history[1].hours_saved == Decimal("3.5") and history[1].change == Decimal("-3.5")
    assert history[2].hours_saved is None
    assert envelope_on_day(store, client, dt.date(2026, 5, 31)) is None
    assert envelope_on_day(store, client, dt.date(2026, 8, 31)).hours == Decimal("14")
    assert envelope_on_day(store, client, dt.date(2026, 9, 1)).hours == Decimal("10.5")
    assert store.value("SELECT hours_per_week FROM envelopes WHERE effective_date = '2026-09-01'") == "10.5"
    summary = store.value("SELECT summary FROM audit WHERE entity = 'envelope' AND summary LIKE '%saved%'")
    assert summary == "Envelope 10.5 h/week from 01/09/2026 (More independent); 3.5 hours a week saved"


def test_refusals_write_nothing(store):
    client = make_client(store)
    add_envelope_change(store, client, "2026-06-01", "14", "initial")
    with pytest.raises(ValidationError, match="already recorded"):
        add_envelope_change(store, client, "2026-06-01", "12", "other")
    with pytest.raises(ValidationError, match="cannot be negative"):
        add_envelope_change(store, client, "2026-07-01", "-2", "other")
    with pytest.raises(ValidationError, match="more than there are in a week"):
        add_envelope_change(store, client, "2026-07-01", "200", "other")
    with pytest.raises(ValidationError, match="reason to reduce the hours"):
        add_envelope_change(store, client, "2026-07-01", "15", "community_link")
    with pytest.raises(ValidationError) as refused:
        add_envelope_change(store, client, "31/02/2026", "ten", "nonsense")
    assert {p.field for p in refused.value.problems} == {"effective_date", "hours", "reason"}
    assert store.value("SELECT COUNT(*) FROM envelopes") == 1
