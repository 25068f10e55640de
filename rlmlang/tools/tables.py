"""Operations on tables: filter, count, aggregate, group, rank, sort and join records.

A table is either the text of an input (read by the one reader, reader.py,
whatever its format: CSV, TSV, whitespace columns, Key: value blocks, JSON,
JSON Lines, key=value logs) or a list of records a previous operation gave.
A record is a `dict[str, str]`: values are the text as written, and numbers
are read where a test or an aggregate needs one (`cell_number`: "1,234",
"$9.50", "45%", "512 kB"). A column is named as the description shows it:
by name (case and punctuation do not matter) or by its 0-based number.

The set is small and orthogonal, and each is one pass over the records:

- reading: `records(text)`, `columns(table)`;
- filtering: `where(table, col, value)`, `where(table, col, test, value)`,
  `where(table, "city == Perth and amount > 100")`; `count_where` counts;
- numbers: `numbers(table, col)` for `sum`, `min_of`, `max_of`, an average;
- the record with the largest or smallest number: `max_row`, `min_row`;
- groups: `group_count(table, col)` (distinct values and their counts),
  `group_sum(table, col, num_col)`;
- order: `order_by(table, col)`, `top_k(table, col, k)`;
- two tables: `join_on(left, right, key)`;
- text: `lines_with(text, phrases)`, `extract_records(text, pattern)` (RE2).

Aggregates take `where=` (the same test language as `where`'s one-string
form) so that a filter and an aggregate are one pass and one call: a list
of records made from a text has, for the verifier, as many field names per
record as the text could hold, while a number or a count per group is
bounded by the text itself (see `_records_of_text`).

Equality is the skills' (matcher): trimmed, case-insensitive, numbers as
numbers ("7" equals "7.0"). `<`, `>`, ... compare numbers when both sides
are numbers, and text otherwise (so ISO dates order correctly). A filter
that matches nothing where the value lies in another column is an error
that names that column, as the skills do.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable
from typing import Any

from rlmlang.tools import reader
from rlmlang.tools.declare import fuel, length, scalar, tool
from rlmlang.tools.errors import ToolError, preview
from rlmlang.tools.regex import compile_pattern
from rlmlang.tools.registry import Size, ToolSpec, size_of
from rlmlang.tools.values import display, matcher, parse_number
from rlmlang.types import DictT, ListT, Type, kind_of, parse_type

RECORDS = parse_type("list[dict[str, str]]")


# ---------------------------------------------------------------- tables in


class _View:
    """A table as the operations see it: its column names and its records."""

    def __init__(self, columns: list[str], records: list[dict[str, Any]], from_text: bool,
                 layout: reader.Layout | None = None) -> None:
        self.columns = columns
        self.records = records
        self.from_text = from_text
        self.layout = layout


def table_of(fn: str, table: Any, name: str = "table") -> _View:
    """The records of a table argument: an input's text (read by the reader) or records."""
    if isinstance(table, str):
        layout = reader.detect(table)
        if not layout.is_table:
            raise ToolError(
                f"{fn}: {name} is prose (no columns, fields or records in its first lines)",
                "use lines(text) or find_lines(text, phrase), or make records of its lines "
                "with extract_records(text, pattern)")
        read = reader.read(table)
        return _View(read.columns, read.records, True, layout)
    if isinstance(table, list) and all(isinstance(r, dict) for r in table):
        cols: dict[str, None] = {}
        for r in table:
            cols.update(dict.fromkeys(r))
        return _View(list(cols), table, False)
    raise ToolError(f"{fn}: {name} must be the text of an input or a list of records, not "
                    f"a {kind_of(table)}" + (" of " + kind_of(table[0]) if isinstance(table, list)
                                           and table else ""),
                    "pass the input itself, e.g. where(context, ...), or records(text)")


def _norm(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _text_of(v: Any) -> str:
    return v if isinstance(v, str) else display(v)


def field_of(fn: str, view: _View, col: Any, argument: int | None = 1) -> str:
    """The column a script names: a name (any case and punctuation) or a 0-based number.

    `argument` is the column's position in the call, for a fix-it that swaps a value
    passed as the column (None when the column sits inside a test string)."""
    cols = view.columns
    if isinstance(col, bool) or not isinstance(col, (int, str)):
        raise ToolError(f"{fn}: the column must be a name or a number (0 is the first), "
                        f"not a {kind_of(col)}")
    if isinstance(col, str):
        if col in cols:
            return col
        want = _norm(col)
        for c in cols:
            if want and _norm(c) == want:
                return c
        if col.strip().lstrip("-").isdigit():
            col = int(col.strip())
    if isinstance(col, int):
        if -len(cols) <= col < len(cols):
            return cols[col]
        raise ToolError(f"{fn}: there is no column {col}; the table has {len(cols)} "
                        f"(0 to {len(cols) - 1}): {_names(cols)}",
                        "use one of those names or numbers")
    holder = _column_holding(view, col)
    if holder is not None:
        raise ToolError(f"{fn}: {col!r} is a value in column {holder!r}, not a column",
                        f"pass the column, then the value: {holder!r}, {col!r}",
                        None if argument is None else
                        {"fixit": [[argument, holder], [argument + 1, col]]})
    if view.layout is not None and view.layout.names_from == "numbers":
        row = ", ".join(repr(c) for c in view.layout.sample[:8])
        raise ToolError(f"{fn}: no column is named {col!r}: the text has no header line, so "
                        f"its columns are numbered from 0 (a row: {row})",
                        "name the column by its number, e.g. 1 for the second")
    raise ToolError(f"{fn}: no column is named {col!r}; the columns are {_names(cols)}",
                    "use one of those names, or a column number (0 is the first)")


def _names(cols: list[str]) -> str:
    shown = ", ".join(repr(c) for c in cols[:20])
    return (shown + ", ...") if len(cols) > 20 else (shown or "(none: the table is empty)")


def _column_holding(view: _View, value: Any, skip: str = "") -> str | None:
    """The one column (other than skip) some record holds value in, or None."""
    same = matcher(value)
    held = {c for r in view.records for c, v in r.items()
            if c != skip and isinstance(v, str) and same(v)}
    return held.pop() if len(held) == 1 else None


# ----------------------------------------------------------------- numbers

_UNIT = re.compile(r"\s*([-+$]?[\d.,]+)\s*[A-Za-z%]{1,5}\s*")


def cell_number(cell: Any) -> float | None:
    """The number a cell holds ("1,234", "$9.50", "45%", "512 kB"), or None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    if not isinstance(cell, str):
        return None
    v = parse_number(cell)
    if v is None:
        m = _UNIT.fullmatch(cell)
        v = parse_number(m.group(1)) if m else None
    return v


def _no_numbers(fn: str, view: _View, col: str, rows: list[dict[str, Any]]) -> ToolError:
    """Why a column gave no numbers, naming a column that has them."""
    if not rows:
        return ToolError(f"{fn}: no record is left to take {col!r} from",
                         "check the where= test: it matched no record")
    shown = ", ".join(preview(_text_of(r.get(col, "")), 20) for r in rows[:3])
    numeric = [c for c in view.columns if c != col and
               sum(cell_number(r.get(c)) is not None for r in rows[:50]) >= min(len(rows), 50)
               * 0.8]
    hint = f"; column {numeric[0]!r} holds numbers" if len(numeric) == 1 else (
        f"; columns {', '.join(map(repr, numeric[:6]))} hold numbers" if numeric else "")
    return ToolError(f"{fn}: column {col!r} holds no numbers (it has {shown}){hint}",
                     "name the column with the numbers the question asks about")


def _numbers_of(fn: str, view: _View, col: str,
                rows: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    out = [(v, r) for r in rows if (v := cell_number(r.get(col))) is not None]
    if not out:
        raise _no_numbers(fn, view, col, rows)
    return out


# ------------------------------------------------------------------- tests

TESTS = ("==", "!=", "<", "<=", ">", ">=", "contains", "startswith", "endswith")
_ALIASES = {"=": "==", "is": "==", "<>": "!=", "is not": "!="}


def _test(fn: str, test: Any, value: Any) -> Callable[[Any], bool]:
    """A predicate on a cell for `col test value`."""
    op = _ALIASES.get(test, test) if isinstance(test, str) else test
    if op not in TESTS:
        raise ToolError(f"{fn}: unknown test {test!r}; use one of {', '.join(TESTS)}",
                        f"e.g. {fn}(context, \"amount\", \">\", 100)")
    if op == "==":
        return _equal(value)
    if op == "!=":
        same = _equal(value)
        return lambda c: not same(c)
    if op in ("contains", "startswith", "endswith"):
        part = _text_of(value).strip().casefold()
        method = {"contains": str.__contains__, "startswith": str.startswith,
                  "endswith": str.endswith}[op]
        return lambda c: isinstance(c, str) and method(c.strip().casefold(), part)
    number = cell_number(value) if not isinstance(value, str) or \
        parse_number(value) is not None else None
    text = _text_of(value).strip().casefold()
    compare = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__,
               ">=": float.__ge__}[op]
    text_compare = {"<": str.__lt__, "<=": str.__le__, ">": str.__gt__, ">=": str.__ge__}[op]
    if number is not None:
        return lambda c: (n := cell_number(c)) is not None and compare(n, number)
    return lambda c: isinstance(c, str) and bool(c.strip()) and \
        text_compare(c.strip().casefold(), text)


def _equal(value: Any) -> Callable[[Any], bool]:
    same = matcher(value)
    return lambda c: same(c if isinstance(c, str) else display(c))


_OPS = re.compile(r"\s*(==|!=|<>|<=|>=|=|<|>)\s*|\s+(contains|startswith|endswith)\s+",
                  re.IGNORECASE)
_AND = re.compile(r"\s+and\s+|\s*&&?\s*", re.IGNORECASE)


def parse_query(fn: str, query: str) -> list[tuple[str, str, str]]:
    """`city == Perth and amount > 100` → [(col, test, value), ...]; quotes may hold either."""
    out: list[tuple[str, str, str]] = []
    for part in _split_outside_quotes(query):
        m = _find_op(part)
        if m is None:
            raise ToolError(f"{fn}: {part.strip()!r} is not a test; write column, test, "
                            "value", "e.g. \"city == Perth and amount > 100\" (tests: "
                            + ", ".join(TESTS) + ")")
        col = _unquote(part[:m.start()])
        value = _unquote(part[m.end():])
        test = (m.group(1) or m.group(2)).lower()
        if not col:
            raise ToolError(f"{fn}: the test {part.strip()!r} names no column")
        out.append((col, _ALIASES.get(test, test), value))
    if not out:
        raise ToolError(f"{fn}: the test is empty", "e.g. \"city == Perth\"")
    return out


def _find_op(part: str) -> re.Match[str] | None:
    quote = ""
    for i, ch in enumerate(part):
        if quote:
            quote = "" if ch == quote else quote
            continue
        if ch in "'\"`":
            quote = ch
            continue
        m = _OPS.match(part, i)
        if m is not None and (m.group(1) or i > 0):
            return m
    return None


def _split_outside_quotes(query: str) -> list[str]:
    parts, quote, start, i = [], "", 0, 0
    while i < len(query):
        ch = query[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        else:
            m = _AND.match(query, i)
            if m is not None and m.end() > i and i > start:
                parts.append(query[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(query[start:])
    return [p for p in parts if p.strip()]


def _unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"`":
        return s[1:-1]
    return s


def _select(fn: str, view: _View, conds: list[tuple[Any, Any, Any]],
            first_arg: int | None = 1) -> list[dict[str, Any]]:
    """The records passing every (col, test, value); an equality that matches nothing
    while its value lies in one other column is refused, naming that column."""
    rows = view.records
    for col, test, value in conds:
        name = field_of(fn, view, col, first_arg)
        ok = _test(fn, test, value)
        kept = [r for r in rows if ok(r.get(name, ""))]
        if not kept and rows and _ALIASES.get(test, test) == "==":
            holder = _column_holding(view, value, skip=name)
            if holder is not None:
                raise ToolError(f"{fn}: no record has {_text_of(value)!r} in column {name!r};"
                                f" column {holder!r} holds it", f"use column {holder!r}",
                                None if first_arg is None else {"fixit": [[first_arg, holder]]})
        rows = kept
    return rows


def _conditions(fn: str, col: Any, test: Any, value: Any) -> list[tuple[Any, Any, Any]]:
    """where's three spellings: (col, value) (or col and value=), (col, test, value), or
    one query string."""
    if test is None and value is None:
        if not isinstance(col, str):
            raise ToolError(f"{fn}: give a column and a value, or one test such as "
                            "\"amount > 100\"")
        return [tuple(c) for c in parse_query(fn, col)]
    if value is None:
        return [(col, "==", test)]
    if test is None:  # `where(t, "city", value="Perth")`: the value named, the test left out
        return [(col, "==", value)]
    return [(col, test, value)]


def _filtered(fn: str, view: _View, where: Any) -> list[dict[str, Any]]:
    if not isinstance(where, str):
        raise ToolError(f"{fn}: where= must be a test in a str, e.g. \"city == Perth\"")
    if not where.strip():
        return view.records
    return _select(fn, view, [tuple(c) for c in parse_query(fn, where)], first_arg=None)


# ------------------------------------------------------------- operations


def _records(text: Any) -> list[dict[str, str]]:
    if not isinstance(text, str):
        raise ToolError(f"records: text must be a str, not {kind_of(text)}",
                        "records(text) reads an input's text")
    return [dict(r) for r in table_of("records", text, "text").records]


def _columns(table: Any) -> list[str]:
    return list(table_of("columns", table).columns)


def _matching(fn: str, table: Any, col: Any, test: Any, value: Any) -> tuple[_View, list[Any]]:
    view = table_of(fn, table)
    one_string = test is None and value is None
    return view, _select(fn, view, _conditions(fn, col, test, value),
                         first_arg=None if one_string else 1)


def _where(table: Any, col: Any, test: Any = None, value: Any = None) -> list[dict[str, Any]]:
    view, rows = _matching("where", table, col, test, value)
    return [dict(r) for r in rows] if view.from_text else rows


def _count_where(table: Any, col: Any, test: Any = None, value: Any = None) -> int:
    return len(_matching("count_where", table, col, test, value)[1])


def _numbers(table: Any, col: Any, where: Any = "") -> list[float]:
    view = table_of("numbers", table)
    name = field_of("numbers", view, col)
    return [v for v, _ in _numbers_of("numbers", view, name, _filtered("numbers", view, where))]


def _group_count(table: Any, col: Any, where: Any = "") -> dict[str, int]:
    view = table_of("group_count", table)
    name = field_of("group_count", view, col)
    counts: dict[str, int] = {}
    for r in _filtered("group_count", view, where):
        key = _text_of(r.get(name, "")).strip()
        counts[key] = counts.get(key, 0) + 1
    return counts


def _group_sum(table: Any, col: Any, num_col: Any, where: Any = "") -> dict[str, float]:
    view = table_of("group_sum", table)
    name = field_of("group_sum", view, col)
    num = field_of("group_sum", view, num_col, argument=2)
    parts: dict[str, list[float]] = {}
    for v, r in _numbers_of("group_sum", view, num, _filtered("group_sum", view, where)):
        parts.setdefault(_text_of(r.get(name, "")).strip(), []).append(v)
    return {k: math.fsum(vs) for k, vs in parts.items()}


def _extreme(fn: str, table: Any, col: Any, where: Any, largest: bool) -> dict[str, Any]:
    view = table_of(fn, table)
    name = field_of(fn, view, col)
    found = _numbers_of(fn, view, name, _filtered(fn, view, where))
    best = found[0]
    for pair in found[1:]:  # the first of equals wins, as max() does
        if (pair[0] > best[0]) if largest else (pair[0] < best[0]):
            best = pair
    return dict(best[1])


def _max_row(table: Any, col: Any, where: Any = "") -> dict[str, Any]:
    return _extreme("max_row", table, col, where, True)


def _min_row(table: Any, col: Any, where: Any = "") -> dict[str, Any]:
    return _extreme("min_row", table, col, where, False)


def _sort_key(fn: str, view: _View, name: str) -> Callable[[dict[str, Any]], Any]:
    """Numbers by value when most cells are numbers (the rest last), else text."""
    rows = view.records
    numeric = sum(cell_number(r.get(name)) is not None for r in rows)
    if rows and numeric >= 0.8 * len(rows):
        return lambda r: (0, v) if (v := cell_number(r.get(name))) is not None else (1, 0.0)
    return lambda r: (0, _text_of(r.get(name, "")).strip().casefold())


def _order_by(table: Any, col: Any, descending: Any = False) -> list[dict[str, Any]]:
    view = table_of("order_by", table)
    name = field_of("order_by", view, col)
    if not isinstance(descending, bool):
        raise ToolError("order_by: descending must be True or False")
    key = _sort_key("order_by", view, name)
    rows = sorted(view.records, key=key)
    if descending:  # largest first; records without a number stay last, in order
        ranked = [r for r in rows if key(r)[0] == 0]
        rows = sorted(ranked, key=key, reverse=True) + [r for r in rows if key(r)[0] != 0]
    return [dict(r) for r in rows] if view.from_text else rows


def _top_k(table: Any, col: Any, k: Any, where: Any = "") -> list[dict[str, Any]]:
    view = table_of("top_k", table)
    name = field_of("top_k", view, col)
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ToolError("top_k: k must be an int of 0 or more", "e.g. top_k(context, "
                        "\"amount\", 3)")
    found = _numbers_of("top_k", view, name, _filtered("top_k", view, where))
    order = {id(r): i for i, (_, r) in enumerate(found)}
    best = heapq.nlargest(k, found, key=lambda p: (p[0], -order[id(p[1])]))
    return [dict(r) for _, r in best]


def _join_key(v: Any) -> tuple[str, Any]:
    s = _text_of(v).strip()
    n = parse_number(s)
    return ("n", n) if n is not None else ("s", s.casefold())


def _join_on(left: Any, right: Any, key: Any, right_key: Any = None) -> list[dict[str, Any]]:
    lv = table_of("join_on", left, "left")
    rv = table_of("join_on", right, "right")
    lk = field_of("join_on", lv, key, argument=2)
    rk = field_of("join_on", rv, key if right_key is None else right_key,
                  argument=2 if right_key is None else 3)
    index: dict[tuple[str, Any], dict[str, Any]] = {}
    for r in rv.records:
        index.setdefault(_join_key(r.get(rk, "")), r)
    out: list[dict[str, Any]] = []
    for r in lv.records:
        match = index.get(_join_key(r.get(lk, "")))
        if match is None:
            continue
        merged = dict(r)
        for c, v in match.items():
            if c == rk and _norm(c) == _norm(lk):
                continue
            merged[c if c not in merged else _free_name(c, merged)] = v
        out.append(merged)
    if not out and lv.records and rv.records:
        raise ToolError(f"join_on: no value of column {lk!r} of the left table is in column "
                        f"{rk!r} of the right one",
                        "join on the columns that hold the same ids (an id, a code); "
                        "right_key names the right table's column when it differs")
    return out


def _free_name(c: str, taken: dict[str, Any]) -> str:
    k = 2
    while f"{c}_{k}" in taken:
        k += 1
    return f"{c}_{k}"


def _lines_with(text: Any, phrases: Any) -> list[str]:
    if not isinstance(text, str):
        raise ToolError(f"lines_with: text must be a str, not {kind_of(text)}")
    if not isinstance(phrases, list) or not phrases or \
            not all(isinstance(p, str) and p.strip() for p in phrases):
        raise ToolError("lines_with: phrases must be a non-empty list of words or phrases",
                        'e.g. lines_with(context, ["ERROR", "mailer"])')
    wanted = [p.strip().casefold() for p in phrases]
    rarest = max(wanted, key=len)
    pattern = compile_pattern("(?im)^.*" + _re2_escape(rarest) + ".*$")
    out = []
    for m in pattern.finditer(text):
        line = m.group(0)
        low = line.casefold()
        if all(w in low for w in wanted):
            out.append(line[:-1] if line.endswith("\r") else line)
    return out


def _re2_escape(s: str) -> str:
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", s)


def _extract_records(text: Any, pattern: Any) -> list[dict[str, str]]:
    if not isinstance(text, str) or not isinstance(pattern, str):
        raise ToolError("extract_records: takes a text and a pattern (str)",
                        'e.g. extract_records(log, "(?P<ip>\\\\S+) .* (?P<status>\\\\d{3}) ")')
    p = compile_pattern(pattern)
    names = {i: n for n, i in p.groupindex.items()}
    keys = [names.get(i, str(i)) for i in range(1, p.groups + 1)] or ["0"]
    out = []
    for line in reader.iter_lines(text):
        m = p.search(line)
        if m is None:
            continue
        if p.groups == 0:
            out.append({"0": m.group(0)})
        else:
            out.append({k: (g if g is not None else "") for k, g in zip(keys, m.groups(),
                                                                         strict=True)})
    return out


# ------------------------------------------------------------------- sizes


def _is_text(s: Size) -> bool:
    """A str argument: a Size with no items (a list's has its items as slots)."""
    return s.slots == 0


def _rows_of_text(n: int) -> int:
    """Records in n characters: each takes a non-blank character and a line end (a
    JSON object "{}" and its comma) but the last, so at most (n+1)/2 of them."""
    return (n + 1) // 2 + 1


def _records_of_text(n: int) -> Size:
    """Records read from n characters: one record at most its own line(s), the column
    names and a separator per field (3n+2); all of them together at most the text plus
    the names once per record (the names are not in each line: a bound quadratic in n,
    which only the verifier's knowledge of an input's value can tighten, records_size)."""
    r = _rows_of_text(n)
    return Size(r, 3 * n + 2, r * (2 * n + 2) + n)


def _table_size(sizes: list[Size], i: int = 0) -> Size:
    """The records a table argument stands for: a text's, or the list itself."""
    s = sizes[i] if i < len(sizes) else Size(0, 1)
    if _is_text(s):
        return _records_of_text(s.len)
    return Size(max(s.len, 1), max(s.elem, 2), _sum(s))


def _sum(s: Size) -> int:
    return s.sum if s.sum is not None else s.len * max(s.elem, 1)


def _cells_of(sizes: list[Size], i: int = 0) -> tuple[int, int, int]:
    """(records, longest cell, all cells together) bound for a table argument."""
    s = sizes[i] if i < len(sizes) else Size(0, 1)
    if _is_text(s):
        return _rows_of_text(s.len), s.len, s.len
    return max(s.len, 1), max(s.elem, 1), _sum(s)


def _records_size(sizes: list[Size]) -> Size:
    return _table_size(sizes, 0)


def _names_size(sizes: list[Size]) -> Size:
    """The union of the records' field names: of records, at most a name per field of any
    record (each field counts at least 1 in its record's total), their characters at most
    the fields' (a record's entries add up to at most twice its total, `_entries`)."""
    rows, longest, cells = _cells_of(sizes)
    t = _table_size(sizes)
    return Size(max(t.elem, cells) + 1, max(longest, t.elem), t.elem + _entries(cells) + 1)


def _entries(total: int) -> int:
    """The entries of a dict added up (Size.sum) when its total is at most `total`: an
    entry's key and value are each at most its elem, so the sum is at most 2 len * elem,
    and the total is min(len * elem, sum)."""
    return 2 * total


def _numbers_size(sizes: list[Size]) -> Size:
    rows, _, _ = _cells_of(sizes)
    return Size(rows, 1, rows)


def _groups_size(sizes: list[Size]) -> Size:
    """A dict of distinct cell values: each a cell of the table, each counted once."""
    rows, longest, cells = _cells_of(sizes)
    return Size(rows, max(longest, 1), cells + 2 * rows)


def _row_size(sizes: list[Size]) -> Size:
    """One record: of a text, at most a field per character, each no longer than the text
    (its names and cells at most 3n+2 together); of records, at most the largest."""
    s = sizes[0] if sizes else Size(0, 1)
    if _is_text(s):
        return Size(s.len + 1, s.len + 1, 3 * s.len + 2)
    e = max(s.elem, 1)
    return Size(e, e, _entries(e))


def _join_size(sizes: list[Size]) -> Size:
    """A merged record is the left one's entries and the right one's, each right name the
    left has renamed "<name>_<k>" (`_free_name`), k at most two more than the fields of
    both. Entries add up to at most twice a record's total (`_entries`), and a right record
    has at most its total in fields, so a merged record's total is at most
    2 left + (2 + suffix) right; each left record is merged at most once."""
    left, right = _table_size(sizes, 0), _table_size(sizes, 1)
    suffix = 1 + len(str(left.elem + right.elem + 2))
    per_right = _entries(right.elem) + suffix * right.elem
    one = _entries(left.elem) + per_right
    return Size(left.len, one, _entries(_sum(left)) + left.len * per_right)


def _lines_size(sizes: list[Size]) -> Size:
    n = length(sizes, 0)
    return Size(n + 1, max(n, 1), 2 * n + 1)


def _extracted_size(sizes: list[Size]) -> Size:
    """A record per matching line (at most the text's lines); a record's values are its
    groups, each within its line, and a pattern of p characters has at most p // 2 of
    them (each takes a "(" and a ")"; nested ones overlap, so the values of one record
    can add up to that many times its line)."""
    n, p = length(sizes, 0), length(sizes, 1)
    keys = p + 1  # group names come from the pattern; "1", "2", ... are shorter than it
    groups = max(1, p // 2)
    pattern = sizes[1].text if len(sizes) > 1 else None
    if pattern is not None:  # a literal pattern: its groups are known
        try:
            groups = max(1, compile_pattern(pattern).groups)
        except ToolError:
            pass  # the call fails before it makes anything
    rows = min(n + 1, sizes[0].lines) if sizes else 1
    return Size(rows, keys + groups * n + 1, groups * n + rows * (keys + 1))


def records_size(text: str) -> Size:
    """The exact Size of records(text): for a verifier that knows an input's value.

    Put in place of the text's Size at a position a spec lists in `extra["table_args"]`,
    it makes that operation's result-size function a bound linear in the data (from the
    text's length alone, the bound must allow the column names once per possible record).
    The cost stays the text's: reading it is the work."""
    return size_of(reader.read(text).records)


def _same_records(ts: list[Type]) -> Type:
    t = ts[0] if ts else RECORDS
    return t if isinstance(t, ListT) and isinstance(t.elem, DictT) else RECORDS


def _one_record(ts: list[Type]) -> Type:
    t = _same_records(ts)
    return t.elem if isinstance(t, ListT) else RECORDS.elem


# ------------------------------------------------------------------- specs


def table_specs() -> list[ToolSpec]:
    """The table operations (each also named in docs/stdlib.md under "Tables")."""
    scan = fuel(0, factor=4)  # reading a text as records and one pass over them
    scan_q = fuel(0, 1, 2, 3, factor=4)
    return [
        tool("records", "text: str", "list[dict[str, str]]", _records,
             "The records of an input, whatever its format (CSV, TSV, columns, Key: value "
             "blocks, JSON, key=value lines): one dict of field -> text per record.",
             table_args=(0,), cost=scan, size=_records_size,
             example='for r in records(context)[:3]:\n    print(r["city"])'),
        tool("columns", "table: any", "list[str]", _columns,
             "The column (field) names of a table: an input's text or a list of records.",
             table_args=(0,), cost=scan, size=_names_size, example="print(columns(context))"),
        tool("where", "table: any, col: any, test: any = None, value: any = None",
             "list[dict[str, str]]", _where,
             "The records whose column col equals value: where(t, col, value); or passes "
             'a test: where(t, "amount", ">", 100); or several: where(t, "city == Perth '
             'and amount > 100"). Tests: ==, !=, <, <=, >, >=, contains, startswith, '
             "endswith.", table_args=(0,), search=True, cost=scan_q, size=_records_size,
             result_type=_same_records,
             example='paid = where(orders, "status", "paid")\nprint(len(paid))'),
        tool("count_where", "table: any, col: any, test: any = None, value: any = None", "int",
             _count_where, "How many records where(...) with the same arguments gives.",
             table_args=(0,), search=True, cost=scan_q, size=scalar(),
             example='submit(count_where(context, "amount", ">=", 100))'),
        tool("numbers", "table: any, col: any, where: str = ''", "list[float]", _numbers,
             "The numbers in a column (cells that hold none are left out), of the records "
             "passing where (a test such as \"region == West\"); for sum, min_of, max_of.", table_args=(0,), cost=scan_q, size=_numbers_size,
             example='submit(sum(numbers(sales, "amount", where="region == West")))'),
        tool("group_count", "table: any, col: any, where: str = ''", "dict[str, int]",
             _group_count, "The distinct values of a column and how many records have each, "
             "in first-seen order (of the records passing where).",
             table_args=(0,), cost=scan_q, size=_groups_size,
             example='counts = group_count(orders, "status")\nsubmit(counts["refunded"])'),
        tool("group_sum", "table: any, col: any, num_col: any, where: str = ''",
             "dict[str, float]", _group_sum,
             "For each distinct value of col, the sum of column num_col over its records.",
             table_args=(0,), cost=scan_q, size=_groups_size,
             example='totals = group_sum(sales, "region", "amount")\nsubmit(totals["West"])'),
        tool("max_row", "table: any, col: any, where: str = ''", "dict[str, str]", _max_row,
             "The record with the largest number in column col (the first of equals).",
             table_args=(0,), cost=scan_q, size=_row_size, result_type=_one_record,
             example='submit(max_row(employees, "salary")["name"])'),
        tool("min_row", "table: any, col: any, where: str = ''", "dict[str, str]", _min_row,
             "The record with the smallest number in column col (the first of equals).",
             table_args=(0,), cost=scan_q, size=_row_size, result_type=_one_record,
             example='submit(min_row(readings, "temp", where="sensor == S4")["time"])'),
        tool("order_by", "table: any, col: any, descending: bool = False",
             "list[dict[str, str]]", _order_by,
             "The records sorted by column col: by number when it holds numbers (records "
             "without one last), else by text; stable.",
             table_args=(0,), cost=fuel(0, factor=16), size=_records_size,
             result_type=_same_records,
             example='for r in order_by(context, "amount", True)[:3]:\n    print(r)'),
        tool("top_k", "table: any, col: any, k: int, where: str = ''", "list[dict[str, str]]",
             _top_k, "The k records with the largest numbers in column col, largest first.",
             table_args=(0,), cost=fuel(0, 3, factor=8), size=_records_size,
             result_type=_same_records,
             example='for r in top_k(sales, "amount", 3):\n    print(r["date"])'),
        tool("join_on", "left: any, right: any, key: any, right_key: any = None",
             "list[dict[str, str]]", _join_on,
             "Each left record with the fields of the first right record whose column "
             "right_key (default: key) has the same value; left records without one are "
             'left out; a field both have is kept from the left, the right one as "<name>_2".',
             table_args=(0, 1), cost=fuel(0, 1, factor=8), size=_join_size,
             result_type=_same_records,
             example='rows = join_on(employees, departments, "dept_id")\n'
                     'submit(where(rows, "name", "Ana")[0]["floor"])'),
        tool("lines_with", "text: str, phrases: list[str]", "list[str]", _lines_with,
             "The lines that contain every one of the phrases (any case).",
             search=True, cost=fuel(0, 1, factor=2), size=_lines_size,
             example='submit(len(lines_with(log, ["ERROR", "mailer"])))'),
        tool("extract_records", "text: str, pattern: str", "list[dict[str, str]]",
             _extract_records,
             "A record for each line the RE2 pattern matches: its groups by name "
             "((?P<name>...)) or number (\"1\", \"2\", ...).",
             cost=fuel(0, 1, factor=4), size=_extracted_size,
             example='hits = extract_records(log, "(?P<ip>[0-9.]+) .* (?P<status>[0-9]{3}) ")'
                     '\nsubmit(group_count(hits, "status")["404"])'),
    ]


