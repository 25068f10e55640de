"""Cells read by position: which column of the input each index names.

`cells = line.split(",")` and then `cells[7]` is a column read by its place in
the line, and the place is easy to get wrong: summing the "body mass" of the
penguins, the 1.5B read `cells[7]` (the year; the mass is `cells[5]`) and
answered 337351 against the 763675 of a script that named the column
(`r["body_mass_g"]`). The two disagreed, and nothing in the feedback said which
reading was wrong. The one reader (tools/reader.py) knows each delimited
input's columns, from its header, its comment line or the question, so the
index a script writes can be said as the column it names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.ast import literal_value
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script
from rlmlang.tools import reader
from rlmlang.tools.dates import read_date
from rlmlang.tools.reader import Layout, csv_line, detect, iter_lines


def split_sep(e: ast.Expr) -> tuple[bool, str | None]:
    """(is a split of a text, its literal separator or None for `x.split()`)."""
    if isinstance(e, ast.MethodCall) and e.method == "split":
        args = e.args
    elif isinstance(e, ast.Call) and e.func.endswith(".split"):
        args = e.args  # `line.split(",")` parses as a call of `line.split`
    elif isinstance(e, ast.Call) and e.func == "split" and 1 <= len(e.args) <= 2:
        args = e.args[1:]
    else:
        return False, None
    if len(args) > 1:
        return False, None
    sep = literal_value(args[0]) if args else None
    if args and not (isinstance(sep, str) and sep):
        return False, None
    return True, sep


def _reads(parsed: ast.Script) -> Iterator[tuple[ast.Index, str | None, int]]:
    """Each `cells[k]` (k a literal int) of a name assigned a split, or `x.split(sep)[k]`."""
    split_names: dict[str, str | None] = {}
    for n in ast.walk(parsed):
        if isinstance(n, ast.Assign) and isinstance(n.target, ast.Name):
            is_split, sep = split_sep(n.value)
            if is_split:
                split_names[n.target.id] = sep
    for n in ast.walk(parsed):
        if not (isinstance(n, ast.Index) and isinstance(n.index, ast.Const)
                and isinstance(n.index.value, int) and not isinstance(n.index.value, bool)):
            continue
        if isinstance(n.value, ast.Name) and n.value.id in split_names:
            yield n, split_names[n.value.id], n.index.value
        else:
            is_split, sep = split_sep(n.value)
            if is_split:
                yield n, sep, n.index.value


def positions_read(script: str, inputs: Mapping[str, Any], question: str,
                   who: str = "That script") -> str | None:
    """`cells[7] is column 'year' of penguins` for each cell the script reads by position
    from a delimited input it names (the one whose separator its split uses), or None."""
    parsed = parse(script).script
    if parsed is None:
        return None
    for name, _, layout, reads in _columns_read(parsed, inputs, question):
        said = list(dict.fromkeys(f"{print_expr(node)} is column {layout.columns[k]!r} of "
                                  f"{name}" for node, k in reads))
        return f"{who} reads cells by position: {'; '.join(said[:6])} ({_listed(layout)})."
    return None


def _listed(layout: Layout) -> str:
    return "its columns: " + ", ".join(f"{i}={c}" for i, c in enumerate(layout.columns))


def _columns_read(parsed: ast.Script, inputs: Mapping[str, Any], question: str
                  ) -> Iterator[tuple[str, str, Layout, list[tuple[ast.Index, int]]]]:
    """(input name, its text, its layout, the cells read by position from it, in source
    order) for each delimited or whitespace input with named columns that the script
    names and reads cells of by position with its separator."""
    reads = sorted(_reads(parsed), key=lambda r: (r[0].span.line, r[0].span.col))
    if not reads:
        return
    named = ast.identifiers(parsed)
    for name, value in inputs.items():
        if name not in named or not isinstance(value, str):
            continue
        layout = detect(value, question)
        if layout.format not in ("delimited", "whitespace") or not layout.columns or \
                layout.names_from == "numbers":
            continue
        cols = layout.columns
        mine = [(node, k) for node, sep, k in reads
                if (sep == layout.sep or sep is None and layout.format == "whitespace")
                and -len(cols) <= k < len(cols)]
        if mine:
            yield name, value, layout, mine


_MAX_CHARS = 4_000_000  # larger inputs are not read again for this
_NAME_WORDS = re.compile(r"[^\W_]+")
_MAX_VALUES = 2_000  # distinct values of a column looked for in the question


def unasked_column(script: str, inputs: Mapping[str, Any], question: str) -> str | None:
    """Why an answer read by position from a column the question does not ask about is
    no vote, or None. The question names a column of the input (its words: "body mass"
    names body_mass_g) that the script reads neither by position nor by name, and the
    script reads by position a column the question neither names nor writes a value of
    (cells[7], the year, summed for "the total body mass of the male penguins"; cells[6],
    the sex, is asked by its value "male"). The 1.5B's script so drew one vote against
    the five of `r["body_mass_g"]` and left the run uncertain (dev sum-04)."""
    parsed = parse(script).script
    if parsed is None:
        return None
    literals = {v for n in ast.walk(parsed) if isinstance(n, ast.Const)
                and isinstance(v := n.value, str)}
    words = set(_NAME_WORDS.findall(question.casefold()))
    for name, value, layout, reads in _columns_read(parsed, inputs, question):
        if len(value) > _MAX_CHARS or layout.names_from == "question":
            continue
        cols = layout.columns
        read = {cols[k]: node for node, k in reads}
        asked = [c for c in cols if _names(c, words)]
        if not asked or all(c in read or c in literals for c in asked):
            continue
        table = reader.read(value, question)
        unasked = [c for c in read if c not in asked and not _value_written(
            table, cols.index(c), question)]
        if not unasked:
            continue
        c = unasked[0]
        missed = next(a for a in asked if a not in read and a not in literals)
        return (f"{print_expr(read[c])} is column {c!r} of {name}, which the question does "
                f"not ask about; it asks about column {missed!r} ({_listed(layout)}).")
    return None


def quoted_split(script: str, inputs: Mapping[str, Any], question: str) -> str | None:
    """Why cells read by position from a plain split of lines whose quoted cells hold the
    separator are no answer, or None. CSV quotes a cell that holds a comma
    (`"Portland, OR"`): `line.split(",")` cuts it in two, and every cell after it moves
    one place on those lines, so `cells[4]` reads another column there. Two scripts that
    split alike agree on the same wrong sum; `records()` reads the cell whole."""
    parsed = parse(script).script
    if parsed is None:
        return None
    for name, value, layout, reads in _columns_read(parsed, inputs, question):
        if layout.format != "delimited" or '"' not in value or len(value) > _MAX_CHARS:
            continue
        ks = sorted({k for _, k in reads})
        moved, example, total = 0, "", 0
        for ln in iter_lines(value):
            if not ln.strip():
                continue
            total += 1
            if '"' not in ln:
                continue
            plain, cells = ln.split(layout.sep), csv_line(ln, layout.sep)
            if len(plain) == len(cells):
                continue
            if any(k >= len(plain) or -k > len(plain) or plain[k] != cells[k] for k in ks):
                moved += 1
                example = example or next((c for c in cells if layout.sep in c), "")
        if moved:
            node = next(node for node, _ in reads)
            return (f"{print_expr(node)} reads a cell by position from a plain split of "
                    f"the lines of {name}, but {moved} of its {total} lines have a quoted cell "
                    f"that holds {layout.sep!r} ({example!r}): the split cuts it in two, "
                    "and the cells after it move one place on those lines. "
                    f"records({name}) reads each quoted cell whole; read the column by "
                    "its name.")
    return None


def _names(column: str, words: set[str]) -> bool:
    """Whether the question's words name a column: each word of its name of three letters
    or more ('g' of body_mass_g is a unit), as it is or plural."""
    parts = [p for p in _NAME_WORDS.findall(column.casefold()) if len(p) >= 3]
    return bool(parts) and all(p in words or p + "s" in words or p + "es" in words
                               for p in parts)


def _value_written(table: reader.Table, index: int, question: str) -> bool:
    """Whether the question writes a value of the column (a filter's: "male")."""
    q = question.casefold()
    seen: set[str] = set()
    for row in table.rows:
        if index >= len(row):
            continue
        v = row[index].strip().casefold()
        if v in seen or len(v) < 2:
            continue
        seen.add(v)
        if re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", q):
            return True
        if len(seen) >= _MAX_VALUES:
            return False
    return False


_DATE_CALLS = ("to_date", "is_date", "days_between")
_SAMPLE_ROWS = 50  # rows a column's values are read from to tell a date column


def date_cell(script: str, inputs: Mapping[str, Any], question: str) -> str | None:
    """The script with each cell read by position into a date tool (`to_date(cells[3])`)
    from a column that holds no dates, read from the one column of the input that does:
    the fix-it; None where there is no such read, or not one date column. The range
    fix-it read `to_date(line.split(",")[3])`, the items, from orders whose only date
    is column 5, and failed on every line (fresh dev date-range-01, two seeds)."""
    parsed = parse(script).script
    if parsed is None:
        return None
    dated = {id(_unwrapped(c.args[0])) for c in ast.walk(parsed)
             if isinstance(c, ast.Call) and c.func in _DATE_CALLS and c.args}
    tree: Any = parsed
    for _name, value, layout, reads in _columns_read(parsed, inputs, question):
        if layout.format != "delimited" or len(value) > _MAX_CHARS:
            continue
        rows = reader.read(value, question).rows[:_SAMPLE_ROWS]
        width = len(layout.columns)
        holds = [bool(rows) and all(k < len(r) and read_date(r[k]) is not None for r in rows)
                 for k in range(width)]
        if holds.count(True) != 1:
            continue
        at = holds.index(True)
        for node, k in reads:
            if id(node) in dated and not holds[k % width]:
                tree = ast.replace_node(tree, node, dataclasses.replace(
                    node, index=ast.Const(at, node.index.span)))
    return print_script(tree) if tree is not parsed else None


def _unwrapped(e: ast.Expr) -> ast.Expr:
    """`x.strip()` (and the like) read as `x`: the cell it cleans."""
    while isinstance(e, ast.MethodCall) and e.method in ("strip", "lstrip", "rstrip") \
            and not e.args:
        e = e.value
    return e
