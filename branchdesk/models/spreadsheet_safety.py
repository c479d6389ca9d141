"""Values made safe to put in a spreadsheet cell that someone else will open (SPEC §9).

Text beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs skip before reading a formula) would be taken for a formula; it gets a leading
single quote so it stays text. Numbers, dates and empty cells pass through unchanged.
"""

from __future__ import annotations

import re

#: control characters a workbook cannot hold (the same set openpyxl refuses); kept here so that
#: code which only makes values safe does not load openpyxl
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` ready for a cell: formula-like text neutralised, characters a workbook cannot
    hold removed; anything that is not text is returned as it is."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values) -> list:
    """``safe_cell`` applied to every value of a row."""
    return [safe_cell(value) for value in values]
