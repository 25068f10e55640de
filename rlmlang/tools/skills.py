"""Skills: one call for each common shape of work on a big input.

DESIGN.md ("What a 135M model needs") measured that a tiny model only gets
short scripts right, so the shapes that recur — the line that mentions X,
count the rows where a column is v, sum a column where another is v, follow
a key from one table into another, pull a code, number or name out of a
short text — are each one call. Their design is for a model that guesses:

- Matching is case-insensitive and prefers whole words: "badge 98" does not
  find "badge 987"; if no whole-word match exists anywhere, a plain
  substring match is used, so a partial word still finds something.
- A column is a 0-based number or a header name ("city"); a table is read
  by the one reader (reader.py), as the prompt describes it, unless the
  script gives a separator; text that is no table is split at a separator
  guessed from its first line.
- Cell values compare trimmed and case-insensitively; numbers compare as
  numbers ("2019" equals "2019.0").
- Absence gives "" for text (a script can test it); a number that is not
  there is an error, because 0 would be a silent wrong answer.

Searching uses RE2 on the whole text (linear time, no Python loop per line).
"""

from __future__ import annotations

import csv
import math
import re
from typing import Any

import re2

from rlmlang.syntax.ast import unused_name
from rlmlang.tools import reader
from rlmlang.tools.builtins import split_lines
from rlmlang.tools.declare import fuel, length, scalar, tool
from rlmlang.tools.errors import ToolError, preview
from rlmlang.tools.reader import looks_like_header
from rlmlang.tools.regex import (
    CALL_FUEL,
    LINE_FUEL,
    compile_pattern,
    lines_matching,
    matches,
)
from rlmlang.tools.registry import Pieces, Size, ToolSpec
from rlmlang.tools.tables import field_of, table_of
from rlmlang.tools.values import (
    display,
    matcher,
    numbers_outside_keys,
    parse_number,
    to_int_value,
)

_WORD = re.compile(r"\w")


def _s(fn: str, name: str, x: Any) -> str:
    if not isinstance(x, str):
        raise ToolError(f"{fn}: {name} must be a str, not {type(x).__name__}",
                        f"convert it first, e.g. str({name})")
    return x


# ---------------------------------------------------------------- matching


def _phrase_patterns(phrase: str) -> tuple[re2._Regexp, re2._Regexp]:
    """A whole-word pattern and a plain one, both case-insensitive, phrase in group 1."""
    body = "(?i:(" + re2.escape(phrase) + "))"
    left = r"(?:^|[^\pL\pN_])" if _WORD.match(phrase[0]) else ""
    right = r"(?:$|[^\pL\pN_])" if _WORD.match(phrase[-1]) else ""
    return compile_pattern("(?m)" + left + body + right), compile_pattern(body)


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def _clean(line: str) -> str:
    return line[:-1] if line.endswith("\r") else line


def matching_lines(fn: str, text: Any, phrase: Any, first: bool, also: Any = "") -> list[str]:
    """Lines mentioning phrase (and `also`, if given): whole-word matches, else substrings."""
    text, phrase = _s(fn, "text", text), _s(fn, "phrase", phrase)
    also = _s(fn, "also", also)
    if phrase.strip() == "":
        raise ToolError(f"{fn}: phrase must not be empty", "pass the words to look for")
    wanted = _phrase_patterns(also)[1] if also.strip() else None  # anywhere in the line
    for pattern in _phrase_patterns(phrase):
        out: list[str] = []
        # One search per matching line, resumed at the next line: a long line with many
        # matches is scanned once (linear), not once per match.
        for line in lines_matching(pattern, text):
            line = _clean(line)
            if wanted is not None and not matches(wanted, line):
                continue
            out.append(line)
            if first:
                return out
        if out:
            return out
    return []


def _find_line(text: Any, phrase: Any, also: Any = "") -> str:
    found = matching_lines("find_line", text, phrase, True, also)
    return found[0] if found else ""


def _find_lines(text: Any, phrase: Any, also: Any = "") -> list[str]:
    return matching_lines("find_lines", text, phrase, False, also)


def lines_of_each(where: str, phrases: list[str], used: set[str]) -> str:
    """The expression that reads the lines of each phrase in turn (`where` and `phrases`
    as the script writes them; `used`: its names): what a script that gave find_lines
    several keys at once meant, where the call keeps only the lines holding them all."""
    key, line = unused_name("asked_key", used), unused_name("found_line", used)
    return (f"[{line} for {key} in [{', '.join(phrases)}] for {line} in "
            f"find_lines({where}, {key})]")


def _count_lines(text: Any, phrase: Any, also: Any = "") -> int:
    return len(matching_lines("count_lines", text, phrase, False, also))


# ------------------------------------------------------------------- tables


def guess_sep(text: str) -> str:
    """The separator of text that is not a table, from its first non-blank line."""
    for line in text.split("\n", 20)[:20]:
        if line.strip():
            for sep in ("\t", ",", ";", "|"):
                if sep in line:
                    return sep
            return ","
    return ","


class Table(list[list[str]]):
    """Rows of cells; `keyed` when row 0 is a header made of record keys (always skipped)."""

    keyed = False


def record_keys(text: str) -> list[str]:
    """The keys of key=value record lines (from the first lines), or [] if not records."""
    layout = reader.detect(text)
    return list(layout.columns) if layout.format == "logfmt" else []


def table(fn: str, text: Any, sep: Any) -> Table:
    """The rows of a text as the one reader reads it (reader.py), for the skills' scans.

    A delimited table's rows are its lines' cells, header line first (as the
    text has it); a file of `key: value` lines (one record) is a row [key,
    value] per line, so lookup(text, key) is its value. Other formats read as
    records (key=value lines, Key: value blocks, whitespace columns, JSON)
    give a row of their column names first, marked `keyed`, so a column can
    be named by its key. Text that is not a
    table (prose, logs) is split at a separator guessed from its first line,
    so a lookup can still find the cell after a key; so is any text whose
    `sep` the script gives.
    """
    text, sep = _s(fn, "text", text), _s(fn, "sep", sep)
    key = (sep, reader.current_question())
    cached = _LAST_TABLE.get("entry")
    if cached is not None and cached[0] is text and cached[1] == key:
        return cached[2]
    rows = _parse_table(text, sep)
    if len(text) <= _CACHE_LIMIT:
        _LAST_TABLE["entry"] = (text, key, rows)
    return rows


# The candidates of a round call the same skills on the same input: the last
# table parsed is kept (by the identity of its text, which it holds alive),
# measured at a third of the runtime's own time on the bench. Callers only
# read it; `csv_rows` hands a script copies. Inputs over the limit are parsed
# each time, so a huge input never doubles in memory.
_CACHE_LIMIT = 16_000_000
_LAST_TABLE: dict[str, tuple[str, tuple[str, str], Table]] = {}


def _parse_table(text: str, sep: str) -> Table:
    layout = reader.detect(text) if sep == "" else None
    if layout is not None and layout.format == "delimited":
        read = reader.read(text)
        out = Table(([read.first] if read.first is not None else []) + read.rows)
        if layout.names_from in ("comment", "question"):  # names the text itself lacks
            out.insert(0, list(read.columns))
            out.keyed = True
        return out
    if layout is not None and layout.format == "keyvalue":  # one record: a row per line
        return Table([k, v] for rec in reader.read(text).records for k, v in rec.items())
    if layout is not None and layout.is_table:
        read = reader.read(text)
        out = Table([list(read.columns), *read.rows])
        out.keyed = True
        return out
    if sep == "":
        sep = guess_sep(text)
    lines = [ln for ln in split_lines(text) if ln.strip()]
    if len(sep) == 1 and sep not in "\"\r\n":
        try:
            reader_ = csv.reader(lines, delimiter=sep, strict=False)
            return Table([c.strip() for c in row] for row in reader_)
        except csv.Error:  # a stray carriage return or NUL: fall back to plain splitting
            pass
    return Table([c.strip() for c in ln.split(sep)] for ln in lines)


def _norm_header(h: str) -> str:
    return "".join(ch for ch in h.casefold() if ch.isalnum())


def column_index(fn: str, rows: list[list[str]], col: Any) -> tuple[int, bool]:
    """(index, whether row 0 is a header to skip) for a column number or header name."""
    if isinstance(col, bool) or not isinstance(col, (int, str)):
        raise ToolError(f"{fn}: the column must be a number (0 is the first) or a header name")
    if isinstance(col, int):
        return col, getattr(rows, "keyed", False)
    header = rows[0] if rows else []
    want = _norm_header(col)
    for i, h in enumerate(header):
        if _norm_header(h) == want and want:
            return i, True
    if col.strip().lstrip("-").isdigit():
        return int(col.strip()), getattr(rows, "keyed", False)
    names = ", ".join(repr(h) for h in header[:20]) or "(the text is empty)"
    if header and not getattr(rows, "keyed", False) and not _has_header(rows):
        raise ToolError(f"{fn}: no column is named {col!r}: the table has no header line "
                        f"(its first row, {names}, is data)",
                        "name the column by its number: 0 is the first")
    raise ToolError(f"{fn}: no column is named {col!r}; the first line has {names}",
                    "use one of those names, or a column number (0 is the first)")


def _cell(row: list[str], i: int) -> str | None:
    if -len(row) <= i < len(row):
        return row[i]
    return None


def _data_rows(fn: str, text: Any, sep: Any, col: Any) -> tuple[list[list[str]], int]:
    rows = table(fn, text, sep)
    i, skip = column_index(fn, rows, col)
    return (rows[1:] if skip else rows), i


def _csv_rows(text: Any, sep: Any = "") -> list[list[str]]:
    return [list(row) for row in table("csv_rows", text, sep)]


def _column(text: Any, col: Any, sep: Any = "") -> list[str]:
    if isinstance(text, list):  # records, e.g. where(...)'s: the same column by name
        view = table_of("column", text)
        name = field_of("column", view, col)
        return [v if isinstance(v, str) else display(v) for v in
                (r.get(name, "") for r in view.records)]
    rows, i = _data_rows("column", text, sep, col)
    return [c for c in (_cell(r, i) for r in rows) if c is not None]


def _count_rows(text: Any, col: Any, value: Any, sep: Any = "") -> int:
    rows = table("count_rows", text, sep)
    i, skip = _where_column("count_rows", rows, col, value, 1)
    body = rows[1:] if skip else rows
    same = matcher(value)
    n = sum(1 for r in body if (c := _cell(r, i)) is not None and same(c))
    if n == 0:
        _misplaced("count_rows", rows, skip, i, col, value, argument=1, absent_ok=True)
    return n


def _has_header(rows: list[list[str]]) -> bool:
    return len(rows) >= 2 and looks_like_header(rows[0], rows[len(rows) // 2])


def _col_name(rows: list[list[str]], skip: bool, j: int) -> str | int:
    return rows[0][j] if skip and j < len(rows[0]) and rows[0][j] else j


def _misplaced(fn: str, rows: list[list[str]], skip: bool, i: int, col: Any, value: Any,
               argument: int, absent_ok: bool = False) -> None:
    """No row has value in column col: say where it is instead (raises), unless nowhere.

    A count or sum of nothing is rarely what was meant: a small model picks a
    wrong column more often than it asks about an absent value. When the value
    lies in exactly one other column, the error carries that column as a
    fix-it (`data`), which the controller may apply and verify as a new script.
    """
    skip = skip or _has_header(rows)
    body = rows[1:] if skip else rows
    hits: dict[int, int] = {}
    same = matcher(value)
    for r in body:
        for j, c in enumerate(r):
            if j != i and same(c):
                hits[j] = hits.get(j, 0) + 1
    shown = display(value)
    if len(hits) == 1:
        (j, n), = hits.items()
        name = _col_name(rows, skip, j)
        rows_have = "1 row has" if n == 1 else f"{n} rows have"
        raise ToolError(f"{fn}: no row has {shown!r} in column {col!r}; {rows_have} it in "
                        f"column {name!r}", f"use column {name!r}",
                        {"fixit": [[argument, name]]})
    if hits:
        names = ", ".join(repr(_col_name(rows, skip, j)) for j in sorted(hits))
        raise ToolError(f"{fn}: no row has {shown!r} in column {col!r}; it is in columns "
                        f"{names}", "use the column the question means")
    header = [_norm_header(h) for h in rows[0]] if skip and rows else []
    if _norm_header(shown) in header and _norm_header(shown):
        raise ToolError(f"{fn}: {shown!r} is the name of a column, not a value in column "
                        f"{col!r}", "pass the value from the question, e.g. a name or a code")
    if not absent_ok:
        raise ToolError(f"{fn}: no row has {shown!r} in any column",
                        "use a value exactly as the question writes it")


def _where_column(fn: str, rows: list[list[str]], where_col: Any, value: Any,
                  argument: int) -> tuple[int, bool]:
    """column_index of the where-column; a value passed as the column is named as such.

    `count_rows(t, "Lima", "city")` swaps the column and the value: when the
    "column" is a value of exactly one column, the error's fix-it swaps them.
    """
    try:
        return column_index(fn, rows, where_col)
    except ToolError:
        if isinstance(where_col, str):
            skip = _has_header(rows)
            same = matcher(where_col)
            held = {j for r in (rows[1:] if skip else rows) for j, c in enumerate(r) if same(c)}
            if len(held) == 1:
                name = _col_name(rows, skip, held.pop())
                raise ToolError(
                    f"{fn}: {where_col!r} is a value in column {name!r}, not a column",
                    f"pass the column, then the value: {name!r}, {where_col!r}",
                    {"fixit": [[argument, name], [argument + 1, where_col]]}) from None
        raise


def _numbers_where(fn: str, text: Any, num_col: Any, where_col: Any, value: Any,
                   sep: Any) -> list[float]:
    """The numbers in column num_col of the rows whose column where_col is value."""
    rows = table(fn, text, sep)
    si, skip1 = column_index(fn, rows, num_col)
    wi, skip2 = _where_column(fn, rows, where_col, value, 2)
    body = rows[1:] if (skip1 or skip2) else rows
    out: list[float] = []
    matched = 0
    same = matcher(value)
    for r in body:
        w = _cell(r, wi)
        if w is None or not same(w):
            continue
        matched += 1
        n = parse_number(_cell(r, si) or "")
        if n is not None:
            out.append(n)
    if not matched:
        _misplaced(fn, rows, skip1 or skip2, wi, where_col, value, argument=2)
    if not out:
        raise ToolError(f"{fn}: {matched} rows match {display(value)!r}, but column "
                        f"{num_col!r} holds no numbers in them",
                        "the first column is the one with the numbers, the second the one "
                        "to match")
    return out


def _sum_where(text: Any, sum_col: Any, where_col: Any, value: Any, sep: Any = "") -> float:
    return math.fsum(_numbers_where("sum_where", text, sum_col, where_col, value, sep))


def _max_where(text: Any, max_col: Any, where_col: Any, value: Any, sep: Any = "") -> float:
    return max(_numbers_where("max_where", text, max_col, where_col, value, sep))


def _min_where(text: Any, min_col: Any, where_col: Any, value: Any, sep: Any = "") -> float:
    return min(_numbers_where("min_where", text, min_col, where_col, value, sep))


def _avg_where(text: Any, avg_col: Any, where_col: Any, value: Any, sep: Any = "") -> float:
    found = _numbers_where("avg_where", text, avg_col, where_col, value, sep)
    return math.fsum(found) / len(found)


def _lookup(text: Any, key: Any, col: Any = None, sep: Any = "") -> str:
    rows = table("lookup", text, sep)
    ci: int | None = None
    if col is not None:
        ci, _ = column_index("lookup", rows, col)
    is_key = matcher(key)
    for r in rows:
        for j, c in enumerate(r):
            if is_key(c):
                if ci is None:
                    return r[j + 1] if j + 1 < len(r) else ""
                got = _cell(r, ci)
                return "" if got is None else got
    return ""


def _cells(row: list[str]) -> list[str]:
    """A row's cells; a line that is not delimited counts its words as cells."""
    if len(row) == 1:
        return [w.strip(".,;:()[]\"'") for w in row[0].split()]
    return row


def _follow(text: Any, key: Any, other: Any, col: Any) -> str:
    rows = table("follow", text, "")
    is_key = matcher(key)
    found = next((r for r in rows if any(is_key(c) for c in _cells(r))), None)
    if found is None:
        raise ToolError(f"follow: no row of the first text has {display(key)!r}",
                        "use the key exactly as the question writes it")
    links = [c for c in _cells(found) if c and not is_key(c)]
    targets = table("follow", other, "")
    ci, skip = column_index("follow", targets, col)
    body = targets[1:] if (skip or _has_header(targets)) else targets
    # A link is most often the other table's key (its first column), else any cell: the
    # first row (in order) with a cell equal to the link, as matcher compares them (same
    # text trimmed and case-folded, or the same number), found through an index of the
    # rows' cells built once (links x rows was quadratic).
    numeric = any(parse_number(display(c).strip()) is not None for c in links)
    for first_only in (True, False):
        by_text: dict[str, int] = {}
        by_number: dict[float, int] = {}
        for i, r in enumerate(body):
            for c in (r[:1] if first_only else r):
                c = c.strip()
                by_text.setdefault(c.casefold(), i)
                if numeric:
                    n = parse_number(c)
                    if n is not None:
                        by_number.setdefault(n, i)
        for link in links:
            v = display(link).strip()
            hits = [by_text.get(v.casefold(), len(body))]
            n = parse_number(v)
            if n is not None:
                hits.append(by_number.get(n, len(body)))
            if min(hits) < len(body):
                got = _cell(body[min(hits)], ci)
                return "" if got is None else got
    return ""


# --------------------------------------------------------------- extraction

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILLER = {"is", "was", "are", "were", "be", "equals", "of", "to", "as", "set", "now"}
_LEAD = re.compile(r"[\s:=\-–—>#]+")
_WORD_AT = re.compile(r"\s*(\S+)\s*")  # a word and the space after it (str.split's)
_TRAIL = ".,;:!?)]}\"'"


def _extract_code(text: Any) -> str:
    text = _s("extract_code", "text", text)
    tiers: list[list[str]] = [[], [], []]
    for word in text.split():
        tok = word.strip(".,;:!?()[]{}<>\"'")
        # Times, dates and key=value pairs are not codes.
        if not _TOKEN.fullmatch(tok) or _DATE.match(tok) or len(tok) < 3:
            continue
        has_d = any(ch.isdigit() for ch in tok)
        has_a = any(ch.isalpha() for ch in tok)
        if has_d and has_a and any(ch in "-_/" for ch in tok):
            tiers[0].append(tok)
        elif has_d and has_a and any(ch.isupper() for ch in tok):
            tiers[1].append(tok)
        elif has_a and tok.isupper() and "-" in tok:
            tiers[2].append(tok)
    for t in tiers:
        if t:
            return t[0]
    return ""


def _extract_number(text: Any) -> float:
    text = _s("extract_number", "text", text)
    for n in numbers_outside_keys(text):
        v = parse_number(n)
        if v is not None:
            return v
    raise ToolError(f"extract_number: there is no number in {preview(text)}",
                    "find the right line first, e.g. find_line(text, phrase)")


def _extract_int(text: Any) -> int:
    text = _s("extract_int", "text", text)
    for n in numbers_outside_keys(text):
        v = parse_number(n)
        if v is not None:
            return to_int_value(v)
    raise ToolError(f"extract_int: there is no number in {preview(text)}",
                    "find the right line first, e.g. find_line(text, phrase)")


_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ '\-](?:[A-Z]\.|[A-Z][a-z]+))+")


def _extract_name(text: Any) -> str:
    text = _s("extract_name", "text", text)
    m = _NAME.search(text)
    return m.group(0) if m else ""


def value_after(text: Any, label: Any) -> str:
    text, label = _s("value_after", "text", text), _s("value_after", "label", label)
    if label.strip() == "":
        raise ToolError("value_after: label must not be empty")
    pos = -1
    for pattern in _phrase_patterns(label):
        m = pattern.search(text)
        if m is not None:
            pos = m.end(1)
            break
    if pos < 0:
        return ""
    # Skip separators and filler words ("is", "was", ...) by position: copying the rest of
    # the text at each word made "is is is ..." quadratic.
    while True:
        lead = _LEAD.match(text, pos)
        if lead is not None:
            pos = lead.end()
        word = _WORD_AT.match(text, pos)
        if word is not None and word.end() < len(text) and \
                word.group(1).casefold().rstrip(":") in _FILLER:
            pos = word.end()
            continue
        break
    rest = text[pos:]
    if rest and rest[0] in "\"'":
        q = rest[0]
        end = rest.find(q, 1)
        if end > 0:
            return rest[1:end]
    first = rest.split(None, 1)
    token = first[0] if first else ""
    token = token.lstrip("([{\"'")
    return token.rstrip(_TRAIL)


# -------------------------------------------------------------------- specs


def _text_size(s: list[Size]) -> Size:
    return Size(length(s, 0), 1)


def _lines_size(s: list[Size]) -> Size:
    return Size(length(s, 0) + 1, max(length(s, 0), 1))


def _column_size(s: list[Size]) -> Size:
    """Cells of a text add up to at most the text (each counted at least 1); of records,
    to at most the records."""
    t = s[0] if s else Size(0, 1)
    if t.slots == 0:  # a str
        n = t.len
        return Size(n + 1, max(n, 1), 2 * n + 2)
    return Size(max(t.len, 1), max(t.elem, 1), t.sum if t.sum is not None else t.total)


def _rows_size(s: list[Size]) -> Size:
    """At most n+1 rows of a text of n characters. Each cell but a line's last ends at a
    separator, each last at a line end or the text's end: at most n+1 cells in all, of at
    most n characters together. So a row's total (cells, each counted at least 1, and
    one for the row) is at most 2n+2, and all rows' together at most 3n+3; the rows and
    cells a walk visits, at most 2n+2."""
    n = length(s, 0)
    return Size(n + 1, 2 * n + 2, 3 * n + 3, slots=2 * n + 2)


def skill_specs() -> list[ToolSpec]:
    """Every skill; all are offered in the model's prompt."""
    scan = fuel(0, 1, factor=2)
    # Reading a text as a table costs 80-300 ns a character (short rows are dearest).
    parse = fuel(0, 2, factor=16)

    def per_line(sizes: list[Size]) -> int:
        """A scan with work on each matching line: at most the text's lines, and at most
        one per phrase and line end the text can hold."""
        if not sizes:
            return scan(sizes)
        text, phrase = sizes[0], sizes[1] if len(sizes) > 1 else Size(0, 1)
        matching = min(text.lines, text.len // (phrase.min_len + 1) + 1)
        also = len(sizes) > 2 and sizes[2].len > 0  # a second search in each such line
        return scan(sizes) + (LINE_FUEL + (2 if also else 0)) * matching

    return [
        tool("find_line", "text: str, phrase: str, also: str = ''", "str", _find_line,
             'The first line that mentions phrase (and also, if given; any case), or "" if '
             'none does.',
             search=True, cost=per_line, size=_text_size, prompt=True,
             example='line = find_line(context, "badge 4820")\n'
                     'submit(value_after(line, "access code"))'),
        tool("find_lines", "text: str, phrase: str, also: str = ''", "list[str]", _find_lines,
             "Every line that mentions phrase (and also, if given; any case).",
             search=True, cost=per_line, size=_lines_size, bound=Pieces(count="lines"),
             prompt=True, example='for line in find_lines(context, "error"):\n    print(line)'),
        tool("count_lines", "text: str, phrase: str, also: str = ''", "int", _count_lines,
             "How many lines mention phrase (and also, if given; any case).",
             search=True, cost=per_line,
             size=scalar(), prompt=True,
             example='submit(count_lines(context, "timeout", "[api]"))'),
        tool("csv_rows", "text: str, sep: str = ''", "list[list[str]]", _csv_rows,
             "The rows of a table (CSV, TSV, ...), each a list of trimmed cells.",
             cost=parse, size=_rows_size, shape_when_known=True,
             example="for row in csv_rows(context):\n    print(row[0])"),
        tool("column", "text: any, col: any, sep: str = ''", "list[str]", _column,
             "The cells of one column (a number from 0, or a header name), of a text or "
             "of records.", cost=parse, size=_column_size, prompt=True,
             bound=Pieces(count="rows"),
             example='names = column(context, "name")'),
        tool("count_rows", "text: str, col: any, value: any, sep: str = ''", "int",
             _count_rows, "How many rows have value in column col (a number from 0, or a "
             "header name).", cost=parse, size=scalar(), prompt=True,
             example='submit(count_rows(context, "city", "Lima"))'),
        tool("sum_where", "text: str, sum_col: any, where_col: any, value: any, sep: str = ''",
             "float", _sum_where, "The sum of column sum_col over the rows whose column "
             "where_col is value.", cost=parse, size=scalar(), prompt=True,
             example='submit(sum_where(context, "amount", "region", "West"))'),
        tool("max_where", "text: str, max_col: any, where_col: any, value: any, sep: str = ''",
             "float", _max_where, "The largest number in column max_col over the rows whose "
             "column where_col is value.", cost=parse, size=scalar(), prompt=True,
             example='submit(max_where(context, "temp", "station", "S4"))'),
        tool("min_where", "text: str, min_col: any, where_col: any, value: any, sep: str = ''",
             "float", _min_where, "The smallest number in column min_col over the rows whose "
             "column where_col is value.", cost=parse, size=scalar(), prompt=True,
             example='submit(min_where(context, 2, 1, "S4"))'),
        tool("avg_where", "text: str, avg_col: any, where_col: any, value: any, sep: str = ''",
             "float", _avg_where, "The average (mean) of column avg_col over the rows whose "
             "column where_col is value.", cost=parse, size=scalar(), prompt=True,
             example='submit(avg_where(context, "latency_ms", "action", "view"))'),
        tool("lookup", "text: str, key: any, col: any = None, sep: str = ''", "str", _lookup,
             'In the first row with a cell equal to key: the cell in column col, or the next '
             'cell if col is not given ("" if no row has key).', cost=parse, size=_text_size,
             prompt=True, example='dept = lookup(employees, "Omar", "dept_id")\n'
                                  'submit(lookup(departments, dept, "floor"))'),
        tool("follow", "text: str, key: any, other: str, col: any", "str", _follow,
             "Find the row of text that has key, then the row of other that shares a value "
             'with it (an id, a code); its cell in column col ("" if none).',
             cost=fuel(0, 2, factor=24), size=lambda s: Size(length(s, 2), 1), prompt=True,
             example='submit(follow(employees, "Omar", departments, "floor"))'),
        tool("value_after", "text: str, label: str", "str", value_after,
             'The word that follows label in text (skipping ":", "=", "is"), or "".',
             cost=fuel(0, 1, factor=24, base=2 * CALL_FUEL), size=_text_size, prompt=True,
             example='line = find_line(context, "locker 630")\n'
                     'submit(value_after(line, "locker 630"))'),
        tool("extract_code", "text: str", "str", _extract_code,
             'The first code-like word (K7-19QX, ABC-123, X9Q2) in text, or "".',
             cost=fuel(0), size=_text_size, prompt=True,
             example='submit(extract_code(find_line(context, "badge 4820")))'),
        tool("extract_number", "text: str", "float", _extract_number,
             'The first number in text ("1,234.5" -> 1234.5), past the digits of a key such '
             'as INV-24779; an error if there is none.',
             cost=fuel(0), size=scalar(), prompt=True,
             example='submit(extract_number(find_line(context, "total")))'),
        tool("extract_int", "text: str", "int", _extract_int,
             "The first number in text as an int, past the digits of a key such as "
             "INV-24779; an error if there is none.",
             cost=fuel(0), size=scalar(), prompt=True,
             example='submit(extract_int(find_line(context, "room of Ana")))'),
        tool("extract_name", "text: str", "str", _extract_name,
             'The first name of two or more capitalised words (e.g. "Priya Ahmed"), or "".',
             cost=fuel(0), size=_text_size,
             example='submit(extract_name(find_line(context, "approved the budget")))'),
    ]
