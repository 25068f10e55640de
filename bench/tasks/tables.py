"""Record tables: typed rows rendered as CSV, TSV or log lines.

Groups 2 to 5 all ask questions over records. A `Table` holds typed rows in
memory (so the generator computes the answer from values, not from text)
and renders them in one of three shapes: CSV with a header, TSV with a
header, or one log line per row from a template. For log shapes the table
also carries the regex (named groups = column names) that reads a line back;
the oracle hands that regex to the tests, which parse the written file with
it and must land on the same answer.

Fields never contain the delimiter, so `split(line, ",")` — what a small
model writes — is a correct parser for every CSV and TSV here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Value = str | int | float
Gen = Callable[[random.Random], Value]


@dataclass
class Column:
    """A named column and how to draw one of its values."""

    name: str
    gen: Gen
    decimals: int | None = None  # floats are rendered with this many decimals

    def render(self, v: Value) -> str:
        if self.decimals is not None and isinstance(v, float):
            return f"{v:.{self.decimals}f}"
        return str(v)


@dataclass
class Table:
    """Typed rows plus how they are written out."""

    columns: list[Column]
    fmt: str  # "csv" | "tsv" | "log"
    template: str = ""  # for "log": str.format template over column names
    pattern: str = ""  # for "log": regex with named groups, one per column
    rows: list[dict[str, Value]] = field(default_factory=list)
    planted: set[str] = field(default_factory=set)  # injected texts; never asked about

    def col(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def draw(self, rng: random.Random) -> dict[str, Value]:
        """One new row (not yet added)."""
        return {c.name: c.gen(rng) for c in self.columns}

    def line(self, row: dict[str, Value]) -> str:
        cells = {c.name: c.render(row[c.name]) for c in self.columns}
        if self.fmt == "log":
            return self.template.format(**cells)
        sep = "," if self.fmt == "csv" else "\t"
        return sep.join(cells[c.name] for c in self.columns)

    def header(self) -> str | None:
        if self.fmt == "log":
            return None
        sep = "," if self.fmt == "csv" else "\t"
        return sep.join(c.name for c in self.columns)

    def fill(self, rng: random.Random, size: int) -> str:
        """Draw rows until about `size` bytes of text; return the rendered text."""
        head = self.header()
        out: list[str] = [head] if head is not None else []
        n = len(head) + 1 if head is not None else 0
        while n < size:
            row = self.draw(rng)
            self.rows.append(row)
            text = self.line(row)
            out.append(text)
            n += len(text.encode()) + 1
        return "\n".join(out) + "\n"

    def pick(self, rng: random.Random) -> dict[str, Value]:
        """A random row without planted text, to build a question from."""
        while True:
            row = rng.choice(self.rows)
            if not any(v in self.planted for v in row.values()):
                return row

    def oracle_format(self) -> dict[str, Any]:
        """How the tests should read this table back."""
        if self.fmt == "log":
            return {"format": "regex", "pattern": self.pattern}
        return {"format": self.fmt}

    def select(self, where: dict[str, str]) -> list[dict[str, Value]]:
        """Rows whose rendered cells equal every value in `where`."""
        cols = {c.name: c for c in self.columns}
        return [
            r for r in self.rows if all(cols[k].render(r[k]) == v for k, v in where.items())
        ]


def aggregate(op: str, values: list[float]) -> float:
    """sum / max / min / avg of the selected values, the generator's own way."""
    if op == "sum":
        return sum(values)
    if op == "max":
        return max(values)
    if op == "min":
        return min(values)
    if op == "avg":
        return sum(values) / len(values)
    raise ValueError(f"unknown aggregate {op!r}")
