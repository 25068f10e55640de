"""The task's table inputs: how many rows each has, and the columns that hold numbers.

`records(orders)` gives each field as the text it is, as Python's csv module
does, so `max(rows, key=lambda r: r["total"])` compares totals as text:
"869.01" > "2490.85". A model means the numbers, and Python would not tell it.
The inputs are known before any script runs, so the checker knows which
column names hold numbers in every row, and refuses a key that orders such a
column's text, with a fix-it that orders its numbers (`float(r["total"])`).
Likewise `len(orders)` of a table input counts its text's characters, where a
model means its rows: the checker knows it has rows and says so, with a
fix-it that counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rlmlang.tools import reader
from rlmlang.tools.values import parse_number

SAMPLE_ROWS = 2000  # rows read to decide (a column is numeric in all of them)


@dataclass(frozen=True)
class Tables:
    """What the checker knows of the table inputs before any script runs."""

    rows: Mapping[str, int] = field(default_factory=dict)  # table input -> its records
    numeric: frozenset[str] = frozenset()  # columns holding a number in every row
    columns: frozenset[str] = frozenset()  # every column name of the table inputs
    # delimited table input -> the index of its first record line, where every line from
    # there on is a record (no '#' comments): 1 under a header line, else 0
    first_line: Mapping[str, int] = field(default_factory=dict)
    known: bool = False  # read from the inputs (else nothing is known of them)


NO_TABLES = Tables()


def tables(values: Mapping[str, Any]) -> Tables:
    """The rows of each table input, and the names of the columns that hold a number in
    every row (of the first SAMPLE_ROWS) of some table input."""
    found: set[str] = set()
    names: set[str] = set()
    sizes: dict[str, int] = {}
    starts: dict[str, int] = {}
    for name, value in values.items():
        if not isinstance(value, str) or len(value) < 2:
            continue
        try:
            layout = reader.detect(value)
            if not layout.is_table:
                continue
            records = reader.read(value).records
        except Exception:  # noqa: BLE001 - an input the reader cannot read has no columns
            continue
        sizes[name] = len(records)
        if layout.format == "delimited" and not layout.comments:
            starts[name] = 1 if layout.header else 0
        rows = records[:SAMPLE_ROWS]
        if not rows:
            continue
        names.update(rows[0])
        for col in rows[0]:
            cells = [r.get(col) for r in rows]
            if all(isinstance(c, str) and parse_number(c) is not None for c in cells):
                found.add(col)
    return Tables(sizes, frozenset(found), frozenset(names), starts, known=True)
