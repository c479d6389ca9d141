"""Dates as the branch writes them: ISO ``YYYY-MM-DD`` in storage, ``31/10/2026`` on screen."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value) -> dt.date:
    """A date from a date, datetime, ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

    Raises ``ValueError`` with a plain message for anything else, including
    impossible dates such as 31/02/2026.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if " " in text or "T" in text:  # "2026-10-01 00:00:00" from a spreadsheet
        head = re.split(r"[ T]", text, maxsplit=1)[0]
        if _ISO.match(head):
            text = head
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(text)
        if not match:
            raise ValueError(f"“{text}” is not a date (write it as 31/10/2026 or 2026-10-31)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}” is not a real date") from None


def parse_optional_date(value) -> dt.date | None:
    """Like ``parse_date`` but empty values give None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def iso(day: dt.date | None) -> str | None:
    """``YYYY-MM-DD`` for storage; None stays None."""
    return day.isoformat() if day else None


def from_iso(text: str | None) -> dt.date | None:
    """A stored ISO date back to a date; None or empty stays None."""
    return dt.date.fromisoformat(text) if text else None


def format_date(day: dt.date | str | None) -> str:
    """``31/10/2026`` for screens and printouts; empty for None."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day.strftime("%d/%m/%Y")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the month's end.

    31 August + 6 months is 28 February (29 in a leap year).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def parse_month(text: str) -> tuple[int, int]:
    """``(year, month)`` from ``YYYY-MM``; ``ValueError`` with a plain message otherwise."""
    match = re.match(r"^(\d{4})-(\d{1,2})$", str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"“{text}” is not a month (use YYYY-MM, e.g. 2026-10)")
    return int(match.group(1)), int(match.group(2))


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def month_key(year: int, month: int) -> str:
    """``YYYY-MM``."""
    return f"{year:04d}-{month:02d}"


def month_name(year: int, month: int) -> str:
    """``October 2026``."""
    return f"{calendar.month_name[month]} {year}"


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def days_between(first: dt.date, last: dt.date):
    """Every day from ``first`` to ``last`` inclusive."""
    day = first
    one = dt.timedelta(days=1)
    while day <= last:
        yield day
        day += one


def day_ranges(days) -> list[tuple[dt.date, dt.date]]:
    """Sorted days grouped into runs of consecutive days: ``[(first, last), ...]``."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def format_day_range(first: dt.date, last: dt.date) -> str:
    """``1–17 Oct`` or ``30 Sep–2 Oct`` or ``5 Oct`` for explanations."""
    if first == last:
        return f"{first.day} {first:%b}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b}–{last.day} {last:%b}"


def format_ranges(days) -> str:
    """Days as compact runs: ``1–17 Oct, 20–31 Oct``."""
    return ", ".join(format_day_range(a, b) for a, b in day_ranges(days))


def iso_week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def iso_week_label(day: dt.date) -> str:
    """``2026-W43``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso_weeks(first: dt.date, last: dt.date) -> list[dt.date]:
    """Mondays of every ISO week touching ``first``..``last``."""
    monday = iso_week_start(first)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks
