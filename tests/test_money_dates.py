"""Exact money and UK dates."""

import datetime as dt
from decimal import Decimal

import pytest

from branchdesk.models.dates import (
    add_months,
    format_date,
    format_ranges,
    iso_week_start,
    iso_weeks,
    parse_date,
    parse_month,
)
from branchdesk.models.money import (
    amount_string,
    format_money,
    format_share,
    parse_money,
    pounds_to_pence,
    to_decimal,
)


@pytest.mark.parametrize(
    "pounds, pence",
    [("1.005", 101), ("1.004", 100), ("0.125", 13), ("-1.005", -101), (Decimal("2.675"), 268), ("10", 1000)],
)
def test_rounding_is_half_up_once(pounds, pence):
    assert pounds_to_pence(pounds) == pence


def test_money_is_never_float():
    assert to_decimal(0.1) == Decimal("0.1")  # a spreadsheet float becomes the number the user typed
    assert parse_money("£1,234.56") == 123456
    with pytest.raises(ValueError):
        parse_money("12.345")
    with pytest.raises(ValueError):
        parse_money("twelve")


def test_money_formats():
    assert format_money(123456) == "£1,234.56"
    assert format_money(-1200) == "-£12.00"
    assert amount_string(5) == "0.05"
    assert amount_string(-123456) == "-1234.56"
    assert format_share(Decimal("0.8")) == "80%"


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "2026-02-30", "yesterday", ""])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_dates_read_and_written_the_uk_way():
    assert parse_date("2026-10-31") == dt.date(2026, 10, 31)
    assert parse_date("31/10/2026") == dt.date(2026, 10, 31)
    assert parse_date(dt.datetime(2026, 10, 31, 0, 0)) == dt.date(2026, 10, 31)
    assert format_date(dt.date(2026, 10, 1)) == "01/10/2026"


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 12, dt.date(2027, 11, 15)),
        (dt.date(2026, 12, 31), 6, dt.date(2027, 6, 30)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    ],
)
def test_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_months_and_weeks():
    assert parse_month("2026-10") == (2026, 10)
    with pytest.raises(ValueError):
        parse_month("2026-13")
    assert iso_week_start(dt.date(2026, 11, 22)) == dt.date(2026, 11, 16)  # a Sunday
    assert iso_weeks(dt.date(2026, 11, 1), dt.date(2026, 11, 30))[0] == dt.date(2026, 10, 26)
    days = [dt.date(2026, 10, d) for d in (1, 2, 3, 7, 30, 31)] + [dt.date(2026, 11, 1)]
    assert format_ranges(days) == "1–3 Oct, 7 Oct, 30 Oct–1 Nov"
