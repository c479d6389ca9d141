"""The hours bank: storing unused hours, drawing down oldest first, expiry, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from branchdesk.models.errors import ValidationError
from branchdesk.models.hours_bank import bank_state, draw_hours, storable_weeks, store_hours
from tests.test_ideal_week import make_client
from tests.test_utilisation import TODAY, build


def test_store_draw_and_expire(store):
    client = build(store)  # week of 26/10: 8.75 h unused; week of 02/11: 4 h unused
    first = store_hours(store, client, "2026-10-26", "5", "Garden centre trip", today=TODAY)
    assert store.value("SELECT expires_on FROM hours_bank WHERE id = ?", (first,)) == "2027-02-01"
    with pytest.raises(ValidationError, match=r"Only 3.75 hours of the week of 26/10/2026 can be stored"):
        store_hours(store, client, "2026-10-28", "4", "More trips", today=TODAY)  # any day of the week names it
    store_hours(store, client, "2026-11-02", "4", "Christmas shopping", today=TODAY)
    assert bank_state(store, client, TODAY).balance == Decimal("9")

    draw_hours(store, client, "6", "Garden centre", today=TODAY)  # 5 h from the oldest store, 1 h from the next
    state = bank_state(store, client, TODAY)
    assert state.balance == Decimal("3")
    draw = state.entries[-1]
    assert [hours for _id, hours in draw.taken_from] == [Decimal("5"), Decimal("1")]

    with pytest.raises(ValidationError, match="holds only 3 hours on 15/11/2026, so 3.5 hours cannot be drawn down"):
        draw_hours(store, client, "3.5", "Trip", today=TODAY)
    assert store.value("SELECT COUNT(*) FROM hours_bank WHERE kind = 'draw'") == 1

    on_last_day = bank_state(store, client, dt.date(2027, 2, 7))
    assert (on_last_day.balance, on_last_day.expired) == (Decimal("3"), Decimal("0"))
    expired = bank_state(store, client, dt.date(2027, 2, 8))
    assert (expired.balance, expired.expired) == (Decimal("0"), Decimal("3"))
    assert [e.expired for e in expired.entries if e.kind == "store"] == [Decimal("0"), Decimal("3")]
    with pytest.raises(ValidationError, match="bank is empty on 08/02/2027"):
        draw_hours(store, client, "1", "Trip", today=dt.date(2027, 2, 8))


def test_refusals_in_plain_words(store):
    client = build(store)
    with pytest.raises(ValidationError, match="week of 09/11/2026 is not over yet"):
        store_hours(store, client, "2026-11-09", "1", "Trip", today=TODAY)
    with pytest.raises(ValidationError, match="expired on 07/09/2026"):
        store_hours(store, client, "2026-06-01", "1", "Trip", today=TODAY)
    with pytest.raises(ValidationError) as refused:
        store_hours(store, client, "2026-10-26", "0", " ", today=TODAY)
    assert {p.field for p in refused.value.problems} == {"hours", "purpose"}
    with pytest.raises(ValidationError, match="on or before today"):
        draw_hours(store, client, "1", "Trip", on="2026-11-16", today=TODAY)
    assert store.value("SELECT COUNT(*) FROM hours_bank") == 0


def test_a_back_dated_draw_cannot_leave_a_later_one_short(store):
    client = build(store)
    store_hours(store, client, "2026-10-26", "2", "Trips", today=dt.date(2026, 11, 3))
    draw_hours(store, client, "2", "Trip", on="2026-11-10", today=TODAY)
    with pytest.raises(ValidationError, match="would leave a later draw-down without enough hours"):
        draw_hours(store, client, "1", "Trip", on="2026-11-05", today=TODAY)


def test_contract_without_a_bank(store):
    client = make_client(store, expiry=0)
    with pytest.raises(ValidationError, match="has no hours bank"):
        store_hours(store, client, "2026-10-26", "1", "Trip", today=TODAY)
    assert storable_weeks(store, client, TODAY) == []


def test_storable_weeks_newest_first(store):
    client = build(store)
    store_hours(store, client, "2026-10-26", "8.75", "Trips", today=TODAY)
    weeks = storable_weeks(store, client, TODAY)
    assert weeks[0].use.week_start == dt.date(2026, 11, 2) and weeks[0].storable == Decimal("4")
    assert dt.date(2026, 10, 26) not in [w.use.week_start for w in weeks]
    assert all(w.expires_on > TODAY for w in weeks)
