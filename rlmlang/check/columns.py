"""The columns of the task's tables that hold numbers (written as text).

`records(orders)` gives each field as the text it is, as Python's csv module
does, so `max(rows, key=lambda r: r["total"])` compares totals as text:
"869.01" > "2490.85". A model means the numbers, and Python would not tell it.
The inputs are known before any script runs, so the checker knows which
column names hold numbers in every row, and refuses a key that orders such a
column's text, with a fix-it that orders its numbers (`float(r["total"])`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlmlang.tools import reader
from rlmlang.tools.values import parse_number

SAMPLE_ROWS = 2000  # rows read to decide (a column is numeric in all of them)


def numeric_columns(values: Mapping[str, Any]) -> frozenset[str]:
    """Names of the columns that hold a number in every row of some table input."""
    found: set[str] = set()
    for value in values.values():
        if not isinstance(value, str) or len(value) < 2:
            continue
        try:
            if not reader.detect(value).is_table:
                continue
            rows = reader.read(value).records[:SAMPLE_ROWS]
        except Exception:  # noqa: BLE001 - an input the reader cannot read has no columns
            continue
        if not rows:
            continue
        for col in rows[0]:
            cells = [r.get(col) for r in rows]
            if all(isinstance(c, str) and parse_number(c) is not None for c in cells):
                found.add(col)
    return frozenset(found)
