"""The one reader of inputs: what format a text is in, and its records.

The prompt describes each input to the model and the tools read it; both
ask this module, so a description can never name a column the tools do not
find, nor count rows they do not see. Two steps:

- `detect(text)` judges the format from the head of the text only (the first
  64 KB, at most 200 lines), so describing a 10 MB input stays fast;
- `read(text)` parses all of it into a `Table`: its columns and its records,
  each record a `dict[str, str]` of field → text as written (trimmed).
  Values stay text: one static type for every record, and ids such as
  "007" or "2024-05-01" keep their form; the operations (tables.py) read
  numbers where a test or an aggregate needs them. `count_records(text)`
  walks the same lines as `read`, a megabyte at a time, without building
  the records, so the description's count is the tools' count.

Formats, in the order they are tried (`Layout.format`):

| format      | what it looks like                              | one record is        |
|-------------|-------------------------------------------------|----------------------|
| `json`      | a JSON document (`[...]` or `{...}`)            | an object of a list  |
| `jsonl`     | one JSON object per line                        | a line               |
| `blocks`    | `Key: value` lines in blank-line separated      | a block              |
|             | blocks, indented continuation lines (RFC 822,   |                      |
|             | Debian control files, /proc/cpuinfo)            |                      |
| `logfmt`    | lines of two or more `key=value` pairs (words   | a line               |
|             | before them: `time`, `level`, `text` fields)    |                      |
| `keyvalue`  | one `key: value` or `key=value` per line        | the whole text       |
| `delimited` | cells between `,` `;` `|` or tab, the same      | a line               |
|             | number on most lines (a quoted cell may hold    |                      |
|             | the separator, not a line end)                  |                      |
| `whitespace`| cells between runs of spaces or tabs, aligned   | a line               |
|             | in columns (`ps`, `df`, /etc/services)          |                      |
| `prose`     | anything else                                   | (none: use lines)    |

Lines starting with `#` are comments wherever they are not data, and are
skipped. Column names come from, in order: a header line (the first line,
when it names the columns, see `looks_like_header`); a `#` comment line just
before the data that has exactly the data's number of cells (`#codes
coordinates TZ comments`, or `# <file system> <mount point> ...`); the task's
question, when it quotes them (`CSV lines 'id,city,amount'`) or lists them
after "columns"; else the 0-based column numbers "0", "1", ... (the numbers
the skills and `split(line, sep)[i]` use). The question is the one of the
running task (`task_question`), which the controller sets around a run.
"""

from __future__ import annotations

import contextvars
import csv
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rlmlang.tools.errors import ToolError

HEAD_CHARS = 65_536  # how much of a text detection looks at
HEAD_LINES = 200
CHUNK = 1 << 20  # counting and reading walk the text a megabyte at a time
MAX_COLUMNS = 64

FORMATS = ("json", "jsonl", "blocks", "logfmt", "keyvalue", "delimited", "whitespace", "prose")


# ------------------------------------------------------------------ the question

_QUESTION: contextvars.ContextVar[str] = contextvars.ContextVar("rlm_task_question", default="")


@contextmanager
def task_question(question: str) -> Iterator[None]:
    """Within it, a table without a header takes its column names from this question."""
    token = _QUESTION.set(question or "")
    try:
        yield
    finally:
        _QUESTION.reset(token)


def current_question() -> str:
    return _QUESTION.get()


# ---------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """What `detect` found: the format, how to split it, and the columns' names."""

    format: str
    sep: str = ""  # delimited: the separator; keyvalue: ":" or "="; whitespace: " "
    columns: tuple[str, ...] = ()
    names_from: str = ""  # header | comment | question | keys | numbers ("" for prose)
    header: bool = False  # the first data line is the header (not a record)
    comments: bool = False  # lines starting with '#' are skipped
    sample: tuple[str, ...] = ()  # a middle line's cells, shown when the columns are numbers
    wide: bool = False  # whitespace: a cell may hold one space, cells part at two or more

    @property
    def is_table(self) -> bool:
        return self.format != "prose"

    def describe(self, limit: int = 12) -> str:
        """The input's shape for the prompt: separator, column numbers and names."""
        f = self.format
        if f == "prose":
            return ""
        if f == "delimited" or f == "whitespace":
            sep = "\\t" if self.sep == "\t" else self.sep
            how = f'sep "{sep}"' if f == "delimited" else \
                "sep 2+ spaces; a cell may hold one space, which split() breaks: " \
                "records() reads it whole" if self.wide else "sep spaces"
            if self.names_from == "numbers":
                cells = self.sample or self.columns
                shown = ", ".join(f"{i}={_shorten(c, 24)}" for i, c in enumerate(cells[:limit]))
                return f"columns ({how}): {shown}"
            shown = ", ".join(f"{i}={_shorten(c, 24)}"
                              for i, c in enumerate(self.columns[:limit]))
            where = {"header": "", "comment": ", named by a # line",
                     "question": ", named by the question"}[self.names_from]
            kind = "header" if self.names_from == "header" else "columns"
            return f"{kind} ({how}{where}): {shown}"
        names = ", ".join(_shorten(c, 24) for c in self.columns[:limit])
        if f == "logfmt":
            return f"fields (key=value): {names}"
        if f == "keyvalue":
            return f"fields (key{self.sep}{' ' if self.sep == ':' else ''}value, one record): " \
                   f"{names}"
        if f == "blocks":
            return f"records (Key: value blocks between blank lines): {names}"
        return f"records ({'JSON lines' if f == 'jsonl' else 'JSON'}): {names}"


def _shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------- line helpers


def iter_lines(text: str) -> Iterator[str]:
    """The lines of a text as lines(text) gives them (a byte-order mark dropped), cut a
    megabyte at a time."""
    start, n = (1 if text.startswith("\ufeff") else 0), len(text)
    while start < n:
        cut = text.find("\n", start + CHUNK)
        end = n if cut < 0 else cut
        for line in text[start:end].split("\n"):
            yield line[:-1] if line.endswith("\r") else line
        start = end + 1


def _head_lines(text: str) -> list[str]:
    head = text[:HEAD_CHARS]
    lines = head.split("\n")
    if len(text) > HEAD_CHARS and len(lines) > 1:
        lines.pop()  # cut mid-line
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines[:HEAD_LINES]]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


_TRAILING_COMMENT = re.compile(r"\s+#.*$|^#.*$")


# ------------------------------------------------------------- column names


_NAME = re.compile(r"[A-Za-z_%#][\w %#./()-]{0,31}")
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|`([^`\n]+)`|“([^”\n]+)”|‘([^’\n]+)’")
_LISTED = re.compile(r"\b(?:columns?|fields?)\b(?:\s+(?:are|is|named|called))?\s*:?\s*"
                     r"([A-Za-z_][\w.-]*(?:\s*(?:,|\band\b)\s*[A-Za-z_][\w.-]*)+)", re.I)


_LONG_NAME = re.compile(r"[A-Za-z_%#][\w %#./(),-]{0,63}")


def _names(cells: list[str], loose: bool = False) -> bool:
    """Whether cells read as column names (a comment line's may be longer, with commas)."""
    pattern = _LONG_NAME if loose else _NAME
    return bool(cells) and all(pattern.fullmatch(c) and not c.strip().replace(".", "").isdigit()
                               for c in cells)


def question_names(question: str, k: int, sep: str, at_most: bool = False) -> list[str] | None:
    """The column names a question gives for a table of k columns, or None.

    Quoted lists (`'id,city,amount'`, in the table's separator or commas) and
    lists after "columns"/"fields" count; `at_most` accepts fewer than k
    names (a whitespace table whose last column takes the rest of the line).
    """
    if not question:
        return None
    found: list[str] = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(question)]
    found += [m.group(1) for m in _LISTED.finditer(question)]
    for cand in found:
        for splitter in (sep, "|", ";", "\t"):
            if splitter and splitter not in " ," and splitter in cand:
                cells = [c.strip() for c in cand.split(splitter)]
                break
        else:
            cells = [c.strip() for c in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", cand)]
            if len(cells) == 1:
                cells = cand.split()
        cells = [c.rstrip(".;:") for c in cells if c.rstrip(".;:")]
        if len(cells) >= 2 and _names(cells) and (len(cells) == k or (at_most and len(cells) < k)):
            return cells
    return None


def looks_like_header(first: list[str], row: list[str]) -> bool:
    """Whether a table's first line names its columns, judged against a data row.

    Names hold no digits. Either the data has a number where the first line
    has none (`id,city` over `17,Lima`), or every cell of the first line is a
    plain name and some data cell below it carries a digit (`asset_tag,owner`
    over `AT-4409,Sana Ito`).
    """
    def number(c: str) -> bool:
        return c.strip().replace(".", "").isdigit()

    if any(number(c) for c in first):
        return False
    if any(number(c) for c in row):
        return True
    return all(_NAME_CELL.fullmatch(c.strip()) for c in first) and any(
        any(ch.isdigit() for ch in c) for c in row)


_NAME_CELL = re.compile(r"[A-Za-z_][A-Za-z_ ]*")


def _unique(names: list[str]) -> tuple[str, ...]:
    """Names made distinct ("name", "name_2") and never empty (the column number)."""
    out: list[str] = []
    for i, n in enumerate(names):
        n = n.strip() or str(i)
        base, k = n, 2
        while n in out:
            n, k = f"{base}_{k}", k + 1
        out.append(n)
    return tuple(out)


def _numbers(k: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(k))


# ------------------------------------------------------------------ detection

_KEY_COLON = re.compile(r"([A-Za-z_][\w .()/-]{0,63}?)\s*:(?:\s+(.*)|)$")
_KEY_EQ = re.compile(r"([A-Za-z_][\w.-]{0,63})\s*=\s*(.*)$")
_PAIR = re.compile(r'(?:^|\s)([A-Za-z_][\w.-]*)=("[^"]*"|\S*)')
_SEPARATORS = (",", "\t", "|", ";")


def _is_logfmt(lines: list[str]) -> bool:
    """The first lines are key=value records (logfmt): two or more pairs each, no tab."""
    seen = 0
    for line in lines[:6]:
        if "\t" in line or len(_PAIR.findall(line)) < 2:
            return False
        seen += 1
    return seen > 0


_LEAD_TIME = re.compile(r"\[?(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?)\]?(?:\s+|$)")
_LEAD_LEVEL = re.compile(r"\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|CRIT|"
                         r"FATAL|ALERT|EMERG|SEVERE)\]?:?(?:\s+|$)", re.IGNORECASE)


def _logfmt_record(line: str) -> dict[str, str]:
    """One key=value line as a record; the words before its first pair are kept too.

    A log line ("2024-04-13T17:54:16Z ERROR [search] slow query host=db-03
    dur_ms=855") or a keyed line ("10.0.0.7 rack=R33 dc=ams1") holds part of
    its record before the pairs: an ISO time becomes `time`, a log level
    `level`, and the rest `text`, so no record loses what its line says.
    A key of the pairs wins over these names.
    """
    pairs = list(_PAIR.finditer(line))
    rec: dict[str, str] = {}
    lead = line[:pairs[0].start()].strip() if pairs else ""
    if lead:
        m = _LEAD_TIME.match(lead)
        if m:
            rec["time"], lead = m.group(1), lead[m.end():]
        m = _LEAD_LEVEL.match(lead)
        if m:
            rec["level"], lead = m.group(1), lead[m.end():]
        if lead.strip():
            rec["text"] = lead.strip()
    for m in pairs:
        rec.pop(m.group(1), None)  # the pair's key goes after the lead's fields
        rec[m.group(1)] = m.group(2).strip('"').strip()
    return rec


def _logfmt_keys(lines: list[str]) -> tuple[str, ...]:
    keys: dict[str, None] = {}
    for ln in lines[:60]:
        keys.update(dict.fromkeys(_logfmt_record(ln)))
    return tuple(keys)


def _json_layout(text: str, lines: list[str]) -> Layout | None:
    """JSON Lines when the first lines are each an object, else a whole JSON document."""
    if text.lstrip()[:1] not in ("{", "["):
        return None
    rows = [ln for ln in lines if ln.strip()][:5]
    if len(rows) >= 2 and all(_json_object(ln) for ln in rows):
        keys: dict[str, None] = {}
        for ln in (x for x in lines if x.strip()):
            v = _json_object(ln)
            if isinstance(v, dict):
                keys.update(dict.fromkeys(map(str, v)))
        return Layout("jsonl", columns=tuple(keys), names_from="keys")
    try:
        recs = _json_records(text, Layout("json"))
    except ToolError:
        return None  # "[2024-05-01] ..." is a log, not JSON
    keys = {}
    for r in recs[:HEAD_LINES]:
        keys.update(dict.fromkeys(r))
    return Layout("json", columns=tuple(keys), names_from="keys")


def _json_object(line: str) -> Any:
    s = line.strip()
    if not (s.startswith("{") and s.endswith("}")):
        return None
    try:
        return json.loads(s)
    except ValueError:
        return None


def _blocks_layout(lines: list[str], comments: bool) -> Layout | None:
    """Key: value lines in blank-line separated blocks whose first keys repeat."""
    blocks: list[list[str]] = [[]]
    fields = matched = 0
    for ln in lines:
        if comments and _is_comment(ln):
            continue
        if not ln.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if ln[0] in " \t":
            continue  # a continuation line
        fields += 1
        m = _KEY_COLON.match(ln)
        if m:
            matched += 1
            blocks[-1].append(m.group(1).strip())
    blocks = [b for b in blocks if b]
    if fields == 0 or matched < 0.8 * fields:
        return None
    firsts = [b[0] for b in blocks]
    common = max(set(firsts), key=firsts.count) if firsts else ""
    if len(blocks) < 2 or firsts.count(common) < 0.5 * len(blocks):
        return None
    keys: dict[str, None] = {}
    for b in blocks:
        for k in b:
            keys.setdefault(k)
    return Layout("blocks", ":", tuple(keys), "keys", comments=comments)


def _keyvalue_layout(data: list[str], comments: bool) -> Layout | None:
    """One key: value (or key=value) per line, keys mostly distinct: one record."""
    body = [ln for ln in data if ln[0] not in " \t"]
    if len(body) < 2:
        return None
    for sep, pattern in ((":", _KEY_COLON), ("=", _KEY_EQ)):
        keys = [m.group(1).strip() for m in map(pattern.match, body) if m]
        if len(keys) >= 0.8 * len(body) and len(set(keys)) >= 0.9 * len(keys) \
                and not _item_labels(keys):
            return Layout("keyvalue", sep, _unique(list(dict.fromkeys(keys))), "keys",
                          comments=comments)
    return None


def _item_labels(keys: list[str]) -> bool:
    """Keys that differ only by their numbers ("Review INV-97748 (hinge)", "Review
    INV-34045 (sprocket)"): each line labels an item, not a field of one record; read as
    one record of 400 fields, the reviews hid every line from records() and the model."""
    if len(keys) < 8:
        return False
    shapes = {re.sub(r"\s*\(.*\)$", "", re.sub(r"\d+", "#", k)) for k in keys}
    return len(shapes) <= 0.5 * len(keys)


def _delimited_layout(data: list[str], comment_lines: list[str], comments: bool,
                      question: str) -> Layout | None:
    """Cells between one separator, as many on most lines (legacy window: 60 lines)."""
    lines = data[:60]
    if len(lines) < 2:
        return None
    for sep in _SEPARATORS:
        counts = [ln.count(sep) for ln in lines]
        common = max(set(counts), key=counts.count)
        middle = lines[len(lines) // 2].split(sep)
        if common < 1 or counts.count(common) < 0.8 * len(counts):
            # Ragged right (trailing cells left out) under a header naming them all.
            if not (1 <= min(counts) and max(counts) == counts[0] and
                    looks_like_header(csv_line(lines[0], sep), middle)):
                continue
        if max(len(c) for c in middle) > 32:
            continue  # prose or log lines with commas, not a table
        if sep == "\t" and sum(bool(re.search(r"\t\t|\t | \t", ln)) for ln in lines) \
                >= 0.3 * len(lines):
            return None  # tabs as padding: a whitespace-aligned table
        first = csv_line(lines[0], sep)
        k = max(counts) + 1
        if looks_like_header(first, middle):
            return Layout("delimited", sep, _unique(first), "header", True, comments,
                          tuple(middle))
        names = _comment_names(comment_lines, sep, k)
        if names:
            return Layout("delimited", sep, _unique(names), "comment", False, comments,
                          tuple(middle))
        names = question_names(question, k, sep)
        if names:
            return Layout("delimited", sep, _unique(names), "question", False, comments,
                          tuple(middle))
        return Layout("delimited", sep, _numbers(k), "numbers", False, comments, tuple(middle))
    return None


def csv_line(line: str, sep: str) -> list[str]:
    """One line's cells as CSV reads them (a quoted cell whole), else split plainly."""
    try:
        return next(csv.reader([line], delimiter=sep, strict=False), [])
    except csv.Error:
        return line.split(sep)


def _comment_names(comment_lines: list[str], sep: str, k: int) -> list[str] | None:
    """The names in the last comment line before the data, when it has k of them."""
    if not comment_lines:
        return None
    body = comment_lines[-1].lstrip().lstrip("#").strip()
    if "<" in body and ">" in body:
        cells = re.findall(r"<([^<>]+)>", body)
    elif sep != " " and sep in body:
        cells = [c.strip() for c in body.split(sep)]
    else:
        cells = body.split()
    return cells if len(cells) == k and _names(cells, loose=True) else None


def _spans(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", line.expandtabs(8))]


def _whitespace_layout(data: list[str], comment_lines: list[str], comments: bool,
                       question: str) -> Layout | None:
    """Cells between runs of blanks, lined up in columns on most lines."""
    lines = [_TRAILING_COMMENT.sub("", ln) if comments else ln for ln in data[:HEAD_LINES]]
    lines = [ln for ln in lines if ln.strip()]
    if len(lines) < 2:
        return None
    spans = [_spans(ln) for ln in lines]
    if sum(len(s) >= 2 for s in spans) < 0.9 * len(spans):
        return None
    padded = sum(bool(re.search(r"\S(?:\s{2,}|\t)\S", ln)) for ln in lines)
    if padded < 0.6 * len(lines):
        return None
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    for s in spans:
        for a, _b, _ in s[1:]:
            starts[a] = starts.get(a, 0) + 1
        for _, b, _ in s[:-1]:
            ends[b] = ends.get(b, 0) + 1
    aligned = [p for p, n in (*starts.items(), *ends.items()) if n >= 0.7 * len(spans)]
    counts = [len(s) for s in spans]
    uniform = counts.count(max(set(counts), key=counts.count)) >= 0.9 * len(counts)
    if not aligned and not uniform:
        return None
    body = spans[1:]
    typical = max(set(counts[1:]), key=counts[1:].count)
    header_cells = _header_columns(spans[0], body) if counts[0] > typical else \
        [t for _, _, t in spans[0]]
    middle = [t for _, _, t in spans[len(spans) // 2]]
    if len(header_cells) >= 2 and all(_HEADER_WORD.search(c) and c[0] != "/" for c in
                                      header_cells) and looks_like_header(header_cells, middle):
        return Layout("whitespace", " ", _unique(header_cells), "header", True, comments,
                      tuple(middle), _wide(lines, len(header_cells)))
    k = min(max(len(s) for s in spans), MAX_COLUMNS)
    names = _comment_names(comment_lines, " ", k)
    if names:
        return Layout("whitespace", " ", _unique(names), "comment", False, comments,
                      tuple(middle), _wide(lines, k))
    names = question_names(question, k, " ", at_most=True)
    if names:
        return Layout("whitespace", " ", _unique(names), "question", False, comments,
                      tuple(middle), _wide(lines, k))
    return Layout("whitespace", " ", _numbers(k), "numbers", False, comments, tuple(middle))


_HEADER_WORD = re.compile(r"[A-Za-z]")


def _header_columns(header: list[tuple[int, int, str]],
                    body: list[list[tuple[int, int, str]]]) -> list[str]:
    """A header line's names; a word that no column lines up with joins the one before
    ("Mounted on" in df's header is one name)."""
    if not body:
        return [t for _, _, t in header]
    edges = [({a for a, _, _ in s}, {b for _, b, _ in s}) for s in body]
    out: list[str] = []
    for j, (a, b, word) in enumerate(header):
        support = sum(1 for st, en in edges if a in st or b in en)
        if j > 0 and support < 0.5 * len(body):
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _layout(text: str, question: str) -> Layout:
    lines = _head_lines(text)
    js = _json_layout(text, lines)
    if js is not None:
        return js
    comments = any(_is_comment(ln) for ln in lines)
    blocks = _blocks_layout(lines, comments)
    if blocks is not None:
        return blocks
    data: list[str] = []
    before: list[str] = []  # the comment lines before the first data line
    for ln in lines:
        if not ln.strip():
            continue
        if comments and _is_comment(ln):
            if not data:
                before.append(ln)
            continue
        data.append(ln)
    if _is_logfmt(data):
        return Layout("logfmt", "=", _logfmt_keys(data), "keys", comments=comments)
    if not data:
        return Layout("prose", comments=comments)
    kv = _keyvalue_layout(data, comments)
    if kv is not None:
        return kv
    found = _delimited_layout(data, before, comments, question) or \
        _whitespace_layout(data, before, comments, question)
    return found or Layout("prose", comments=comments)


class _ByText:
    """The last few results computed from texts, by the text's identity and the question.

    Each entry holds its text alive (so its id cannot be reused by another text): at
    most `entries` of them, and at most `chars` characters of text in all.
    """

    def __init__(self, entries: int, chars: int) -> None:
        self.entries, self.chars = entries, chars
        self.items: dict[tuple[int, str], tuple[str, Any]] = {}

    def get(self, text: str, question: str) -> Any:
        hit = self.items.get((id(text), question))
        return hit[1] if hit is not None and hit[0] is text else None

    def put(self, text: str, question: str, value: Any) -> None:
        if len(text) > self.chars:
            return
        while self.items and (len(self.items) >= self.entries or
                              sum(len(t) for t, _ in self.items.values()) + len(text)
                              > self.chars):
            self.items.pop(next(iter(self.items)))
        self.items[(id(text), question)] = (text, value)


# Candidates of a round, and the calls of one script, read the same inputs again.
CACHE_CHARS = 16_000_000
_DETECTED = _ByText(4, 4 * CACHE_CHARS)
_READ = _ByText(4, CACHE_CHARS)  # a table takes several times its text: fewer chars


def detect(text: str, question: str | None = None) -> Layout:
    """The format of a text, judged from its head (cached for the last few texts)."""
    q = current_question() if question is None else question
    found = _DETECTED.get(text, q)
    if found is None:
        found = _layout(text.lstrip("\ufeff"), q)
        _DETECTED.put(text, q, found)
    return found


# -------------------------------------------------------------------- reading


def header_only(text: str, word: str) -> int | None:
    """The column `word` names, where `text` is a table with a header line and only that
    line writes `word` (no record holds it): a test for it in a record's line is never
    true, and an answer that is it was read off the header, not a record; else None."""
    layout = detect(text)
    if layout.names_from != "header" or not layout.header or word not in layout.columns:
        return None
    head = next((line for line in text[:20_000].splitlines() if line.strip()), "")
    if word not in head or text.count(word) != head.count(word):
        return None
    return layout.columns.index(word)


def _data_lines(text: str, layout: Layout) -> Iterator[str]:
    """The lines that hold records, in order, header included (delimited, whitespace)."""
    strip = layout.comments and layout.format == "whitespace"
    for ln in iter_lines(text):
        if not ln.strip() or (layout.comments and _is_comment(ln)):
            continue
        yield _TRAILING_COMMENT.sub("", ln) if strip else ln


def _cells(text: str, layout: Layout) -> list[list[str]]:
    """Each data line's cells, trimmed; quotes as in CSV for delimited text."""
    lines = _data_lines(text, layout)
    if layout.format == "whitespace":
        k = len(layout.columns)
        if not k:
            return [ln.split() for ln in lines]
        if layout.wide:
            return [_wide_cells(ln, k) for ln in lines]
        return [ln.split(None, k - 1) for ln in lines]
    sep = layout.sep
    try:
        rows = list(csv.reader(lines, delimiter=sep, strict=False))
        if _needs_strip(text, sep):
            rows = [[c.strip() for c in row] for row in rows]
        return rows
    except csv.Error:  # a stray carriage return or NUL: plain splitting, as the lines are
        return [[c.strip() for c in ln.split(sep)] for ln in _data_lines(text, layout)]


_WIDE_GAP = re.compile(r"\s{2,}|\t")


def _wide(lines: list[str], k: int) -> bool:
    """Whether some line has more blank-separated words than the k columns, and exactly k
    cells between runs of two blanks or more: a cell that holds a space."""
    return any(len(ln.split()) > k and len(_WIDE_GAP.split(ln.strip())) == k for ln in lines)


def _wide_cells(line: str, k: int) -> list[str]:
    """A line's cells where a cell may hold one space ("Mazda RX4" in R's mtcars, a
    name in a report): cut at runs of two blanks or more when that gives the k columns,
    else at every blank (the last cell taking the rest, as `ps` writes its command)."""
    cells = _WIDE_GAP.split(line.strip())
    return cells if len(cells) == k else line.split(None, k - 1)


def _needs_strip(text: str, sep: str) -> bool:
    """Whether some cell may have blanks around it (one scan in C, not one per cell)."""
    return any(b in text for b in (f" {sep}", f"{sep} ", f"\t{sep}", f"{sep}\t", "\n ", " \n",
                                   "\n\t", "\t\n", " \r")) or text[:1].isspace() or \
        text[-1:] in (" ", "\t")


def _json_records(text: str, layout: Layout) -> list[dict[str, str]]:
    if layout.format == "jsonl":
        out = []
        for i, ln in enumerate(iter_lines(text)):
            if not ln.strip():
                continue
            try:
                out.append(_flat(_loads(ln)))
            except ValueError as e:
                raise ToolError(f"line {i + 1} is not JSON: {e}",
                                "fix the line, or read the text with lines(text)") from None
        return out
    try:
        doc = _loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as e:
        raise ToolError(f"the text starts like JSON but is not valid JSON: {e}",
                        "read it with lines(text) instead") from None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and v and
                 all(isinstance(x, dict) for x in v)]
        if len(lists) == 1:  # {"items": [{...}, ...]}: the records are the items
            doc = lists[0]
        else:
            return [_flat(doc)]
    if isinstance(doc, list):
        return [_flat(x) for x in doc]
    return [{"value": _cell(doc)}]


class _Number(str):
    """A JSON number as its source wrote it ("1e5" stays "1e5", not "100000.0")."""


def _loads(s: str) -> Any:
    return json.loads(s, parse_int=_Number, parse_float=_Number, parse_constant=_Number)


def _cell(v: Any) -> str:
    """A JSON value as text no longer than its source: strings as they are, numbers as
    written, true/false, null as "", arrays and objects as compact JSON."""
    if isinstance(v, str):
        return str(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return _compact(v)


def _compact(v: Any) -> str:
    if isinstance(v, _Number):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ",".join(_compact(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _compact(x)
                          for k, x in v.items()) + "}"


def _flat(v: Any) -> dict[str, str]:
    """A JSON value as a record: an object's fields as text (nested ones as JSON)."""
    if isinstance(v, dict):
        return {str(k): _cell(x) for k, x in v.items()}
    return {"value": _cell(v)}


def _block_records(text: str, layout: Layout) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    last = ""
    for ln in iter_lines(text):
        if not ln.strip():
            if cur:
                out.append(cur)
                cur, last = {}, ""
            continue
        if layout.comments and ln.startswith("#"):
            continue
        if ln[0] in " \t":
            if last:
                more = ln.strip()
                cur[last] = f"{cur[last]}\n{'' if more == '.' else more}" if cur[last] \
                    else more
            continue
        m = _KEY_COLON.match(ln)
        if m:
            last = m.group(1).strip()
            cur[last] = (m.group(2) or "").strip()
    if cur:
        out.append(cur)
    return out


def _keyvalue_record(text: str, layout: Layout) -> list[dict[str, str]]:
    pattern = _KEY_COLON if layout.sep == ":" else _KEY_EQ
    rec: dict[str, str] = {}
    last = ""
    for ln in iter_lines(text):
        if not ln.strip() or (layout.comments and _is_comment(ln)):
            continue
        if ln[0] in " \t" and last:
            rec[last] = (rec[last] + "\n" + ln.strip()).strip()
            continue
        m = pattern.match(ln)
        if m:
            last = m.group(1).strip()
            value = (m.group(2) or "").strip()
            if layout.sep == "=" and len(value) >= 2 and value[0] == value[-1] and \
                    value[0] in "\"'":
                value = value[1:-1]
            rec[last] = value
    return [rec] if rec else []


def _logfmt_rows(text: str, layout: Layout) -> tuple[list[str], list[list[str]]]:
    """key=value lines: the keys in order of first use, and each line's values."""
    keys: dict[str, int] = {}
    recs: list[dict[str, str]] = []
    for ln in iter_lines(text):
        if not ln.strip() or (layout.comments and _is_comment(ln)):
            continue
        rec = _logfmt_record(ln)
        for k in rec:
            keys.setdefault(k, len(keys))
        recs.append(rec)
    names = list(keys)
    return names, [[r.get(k, "") for k in names] for r in recs]


class Table:
    """A text read as records: `columns`, `rows` (cells in column order), `records`.

    `rows` is what the skills scan (no dict per row: a scan stays a list walk);
    `records` are built from it on first use. `first` holds a delimited or
    whitespace table's header line, which is not a record.
    """

    def __init__(self, layout: Layout, columns: list[str], rows: list[list[str]],
                 first: list[str] | None = None,
                 records: list[dict[str, str]] | None = None) -> None:
        self.layout = layout
        self.columns = columns
        self.rows = rows
        self.first = first
        self._records = records

    @property
    def records(self) -> list[dict[str, str]]:
        if self._records is None:
            cols = self.columns
            k = len(cols)
            if all(n == k for n in set(map(len, self.rows))):
                self._records = [dict(zip(cols, r, strict=True)) for r in self.rows]
                return self._records
            out = []
            for r in self.rows:
                rec = dict(zip(cols, r, strict=False))
                if len(r) < k:
                    rec.update((c, "") for c in cols[len(r):])
                elif len(r) > k:  # more cells than names: kept under their numbers
                    rec.update((str(i), c) for i, c in enumerate(r[k:], k))
                out.append(rec)
            self._records = out
        return self._records

    def __len__(self) -> int:
        return len(self.rows) if self._records is None else len(self._records)


def _from_records(layout: Layout, recs: list[dict[str, str]]) -> Table:
    keys: dict[str, None] = dict.fromkeys(layout.columns)
    for r in recs:
        for k in r:
            keys.setdefault(k)
    cols = list(keys)
    return Table(layout, cols, [[r.get(c, "") for c in cols] for r in recs], records=recs)


def parse(text: str, layout: Layout) -> Table:
    """Every record of a text in the given layout."""
    f = layout.format
    if f in ("json", "jsonl"):
        return _from_records(layout, _json_records(text, layout))
    if f == "blocks":
        return _from_records(layout, _block_records(text, layout))
    if f == "keyvalue":
        return _from_records(layout, _keyvalue_record(text, layout))
    if f == "logfmt":
        names, rows = _logfmt_rows(text, layout)
        return Table(layout, names, rows)
    if f == "prose":
        return Table(layout, [], [])
    rows = _cells(text, layout)
    first = rows.pop(0) if layout.header and rows else None
    return Table(layout, list(layout.columns), rows, first)


def read(text: str, question: str | None = None) -> Table:
    """The records of a text, in the format `detect` finds (kept for the next call)."""
    q = current_question() if question is None else question
    table = _READ.get(text, q)
    if table is None:
        table = parse(text, detect(text, q))
        _READ.put(text, q, table)
    return table


def count_records(text: str, layout: Layout | None = None) -> int:
    """How many records `read` gives, walking the lines without building them."""
    layout = layout or detect(text)
    f = layout.format
    if f == "prose":
        return 0
    if f == "json":
        return len(parse(text, layout))
    if f == "keyvalue":
        pattern = _KEY_COLON if layout.sep == ":" else _KEY_EQ
        return 1 if any(pattern.match(ln) for ln in _data_lines(text, layout)
                        if ln[0] not in " \t") else 0
    if f == "blocks":
        n, has = 0, False
        for ln in iter_lines(text):
            if not ln.strip():
                n, has = n + has, False
            elif not has and ln[0] not in " \t" and \
                    not (layout.comments and ln.startswith("#")) and _KEY_COLON.match(ln):
                has = True
        return n + has
    if f in ("jsonl", "logfmt"):
        return sum(1 for _ in _data_lines(text, layout))
    if f == "delimited" and '"' in text:  # a quoted cell may span lines: count as read does
        try:
            n = sum(1 for _ in csv.reader(_data_lines(text, layout), delimiter=layout.sep,
                                          strict=False))
        except csv.Error:
            n = sum(1 for _ in _data_lines(text, layout))
    else:
        n = sum(1 for _ in _data_lines(text, layout))
    return max(n - 1, 0) if layout.header else n


@dataclass
class Shape:
    """A description's facts about one input (what the prompt shows, what tools will see)."""

    layout: Layout
    records: int
    columns: tuple[str, ...] = field(default=())


def shape(text: str, question: str | None = None) -> Shape:
    """The layout and record count of a text, for describing it."""
    layout = detect(text, question)
    n = count_records(text, layout)
    cols = layout.columns
    if layout.format == "json":
        cols = tuple(read(text, question).columns)
    return Shape(layout, n, cols)
