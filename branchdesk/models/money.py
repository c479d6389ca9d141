"""Exact money: integer pence in storage, ``Decimal`` pounds in sums, rounded once, half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")


def to_decimal(value) -> Decimal:
    """A Decimal from an int, str or Decimal, never via float.

    Raises ``ValueError`` with a plain message for text that is not a number.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Spreadsheet cells arrive as floats; their shortest repr is the number the user typed.
        return Decimal(repr(value))
    text = str(value).strip().replace(",", "").replace("£", "")
    if not text:
        raise ValueError("expected a number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}” is not a number") from None
    if not number.is_finite():
        raise ValueError(f"“{value}” is not a number")
    return number


def pounds_to_pence(pounds) -> int:
    """Round an amount in pounds to whole pence, half up (the only rounding a claim line gets)."""
    return int((to_decimal(pounds) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pence_to_pounds(pence: int) -> Decimal:
    """Exact pounds for an integer number of pence."""
    return (Decimal(pence) / 100).quantize(PENNY)


def parse_money(text) -> int:
    """Pence from what a user typed (``"£1,234.56"``, ``"12.5"``, ``12``).

    Refuses more than two decimal places rather than guessing.
    """
    number = to_decimal(text)
    if (number * 100) != (number * 100).to_integral_value():
        raise ValueError(f"“{text}” has more than two decimal places")
    return int(number * 100)


def format_money(pence: int | None, symbol: bool = True) -> str:
    """``£1,234.56`` (or ``-£12.00``) for display and print; empty for None."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}{'£' if symbol else ''}{pounds:,}.{pennies:02d}"


def amount_string(pence: int) -> str:
    """``"1234.56"``: two decimals, no symbol or separators (JSON and spreadsheets)."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}{pounds}.{pennies:02d}"


def format_decimal(number: Decimal | str | int | None, places: int | None = None) -> str:
    """A tidy decimal for explanations: ``10.5``, ``7``, ``0.25``; empty for None."""
    if number is None or number == "":
        return ""
    value = to_decimal(number)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value.normalize(), "f")
    return text


def format_share(share: Decimal | str | None) -> str:
    """A share as a percentage: ``Decimal("0.8")`` → ``80%``."""
    if share is None or share == "":
        return ""
    return f"{format_decimal(to_decimal(share) * 100)}%"
