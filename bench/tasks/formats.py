"""One table, many file formats: how a task's rows are written out, and how to read them back.

The issue's formats, each from the same typed rows (`Source`):

| format | what it looks like |
|---|---|
| `delimited` | `,` `;` `\\|` or tab between fields, with or without a header line |
| `aligned` | whitespace-aligned columns under a header (two or more spaces between columns) |
| `logfmt` | one record a line, `key=value` pairs, values with spaces in double quotes |
| `colon` | `key: value` lines, one record per block, blank lines between blocks |
| `rfc822` | `Key: value` blocks whose long field runs on over indented lines (Debian control) |
| `json` / `jsonl` | an array of objects / one object a line; numbers as JSON numbers |
| `prose` | one sentence a row, from the source's own sentence template |

`#` comment lines can be added to `delimited`, `aligned` and `logfmt`. `render`
returns the text and the parse spec that goes into the task's oracle; the
tests read the file back from that spec with their own code (csv, json,
email.parser, regexes), so the renderer cannot agree with itself by mistake.
Values never contain the separator, a double space, a double quote or a
newline (except an rfc822 long field), which the sources guarantee.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COMMENTS = [
    "# exported by the nightly job; do not edit by hand",
    "# page break",
    "# values are as recorded, not corrected",
    "# continued",
    "# source: operations database snapshot",
]


@dataclass
class Col:
    """A column: its name in the file, its kind, and how a question names it."""

    name: str
    kind: str  # key | label | cat | num | date | text | long
    phrase: str = ""  # e.g. "body mass in grams"; defaults to the name

    def words(self) -> str:
        return self.phrase or self.name.replace("_", " ")


@dataclass
class Source:
    """Rows of one input, as text values, plus what the questions call them."""

    input: str  # the input's name in the signature
    entity: str  # plural noun for one row: "penguins"
    cols: list[Col]
    rows: list[dict[str, str]]
    label: str | None = None  # the column that names a row (argmax, top-k answers)
    origin: dict[str, Any] = field(default_factory=lambda: {"kind": "generated"})
    sentence: str = ""  # str.format template over column names, for `prose`
    date_format: str = "%Y-%m-%d"  # how the `date` columns are written

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)

    def names(self, kind: str) -> list[str]:
        return [c.name for c in self.cols if c.kind == kind]

    def flat(self) -> Source:
        """The source without its multi-line fields (formats that hold one line a value)."""
        cols = [c for c in self.cols if c.kind != "long"]
        keep = {c.name for c in cols}
        rows = [{k: v for k, v in r.items() if k in keep} for r in self.rows]
        return Source(self.input, self.entity, cols, rows, self.label, self.origin,
                      self.sentence, self.date_format)


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _with_comments(lines: list[str], rng: random.Random, every: int) -> list[str]:
    out = [rng.choice(COMMENTS)]
    for i, line in enumerate(lines):
        out.append(line)
        if i and i % every == 0 and rng.random() < 0.5:
            out.append(rng.choice(COMMENTS))
    return out


def _delimited(src: Source, spec: dict[str, Any], rng: random.Random) -> list[str]:
    sep = spec["sep"]
    names = [c.name for c in src.cols]
    body = [sep.join(r[n] for n in names) for r in src.rows]
    return ([sep.join(names)] + body) if spec.get("header", True) else body


def _aligned(src: Source, spec: dict[str, Any], rng: random.Random) -> list[str]:
    names = [c.name for c in src.cols]
    widths = {n: max(len(n), *(len(r[n]) for r in src.rows)) + 2 for n in names}
    nums = {c.name for c in src.cols if c.kind == "num"}

    def line(cells: dict[str, str], head: bool = False) -> str:
        parts = []
        for i, n in enumerate(names):
            last = i == len(names) - 1
            if n in nums and not head:
                parts.append(cells[n].rjust(widths[n] - 2) + ("" if last else "  "))
            else:
                parts.append(cells[n] if last else cells[n].ljust(widths[n]))
        return "".join(parts).rstrip()

    return [line({n: n for n in names}, head=True)] + [line(r) for r in src.rows]


def _logfmt(src: Source, spec: dict[str, Any], rng: random.Random) -> list[str]:
    def cell(v: str) -> str:
        return f'"{v}"' if (" " in v or "=" in v or not v) else v

    return [" ".join(f"{c.name}={cell(r[c.name])}" for c in src.cols) for r in src.rows]


def _blocks(src: Source, spec: dict[str, Any], rng: random.Random) -> list[str]:
    out: list[str] = []
    for r in src.rows:
        for c in src.cols:
            v = r[c.name]
            if c.kind == "long":
                first, *rest = v.split("\n")
                out.append(f"{c.name}: {first}")
                out.extend(f" {ln}" if ln else " ." for ln in rest)
            else:
                out.append(f"{c.name}: {v}")
        out.append("")
    return out[:-1]


def _json_obj(src: Source, r: dict[str, str]) -> dict[str, Any]:
    return {c.name: _number(r[c.name]) if c.kind == "num" else r[c.name] for c in src.cols}


def _prose(src: Source, spec: dict[str, Any], rng: random.Random) -> list[str]:
    return [src.sentence.format(**r) for r in src.rows]


RENDERERS: dict[str, Callable[[Source, dict[str, Any], random.Random], list[str]]] = {
    "delimited": _delimited,
    "aligned": _aligned,
    "logfmt": _logfmt,
    "colon": _blocks,
    "rfc822": _blocks,
    "prose": _prose,
}


def sentence_pattern(template: str) -> str:
    """The regex (named groups) that reads a sentence of `template` back."""
    parts = re.split(r"\{(\w+)\}", template)
    out = []
    for i, p in enumerate(parts):
        out.append(f"(?P<{p}>.+?)" if i % 2 else re.escape(p))
    return "^" + "".join(out) + "$"


def render(src: Source, fmt: dict[str, Any], rng: random.Random) -> tuple[str, dict[str, Any]]:
    """The file text of `src` in format `fmt`, and the parse spec for the oracle."""
    kind = fmt["format"]
    if kind != "rfc822" and kind not in ("json", "jsonl"):
        src = src.flat()
    spec = {**fmt, "columns": [c.name for c in src.cols]}
    if kind == "json":
        text = json.dumps([_json_obj(src, r) for r in src.rows], indent=fmt.get("indent"))
        return text + "\n", spec
    if kind == "jsonl":
        return "".join(json.dumps(_json_obj(src, r)) + "\n" for r in src.rows), spec
    lines = RENDERERS[kind](src, fmt, rng)
    if kind == "prose":
        spec["pattern"] = sentence_pattern(src.sentence)
    if fmt.get("comments"):
        head = lines[:1] if kind in ("delimited", "aligned") and fmt.get("header", True) else []
        lines = head + _with_comments(lines[len(head):], rng, 40)
    return "\n".join(lines) + "\n", spec


def describe(spec: dict[str, Any]) -> str:
    """A short name of the format, for reports: `csv;noheader#`, `rfc822`, …"""
    kind = spec["format"]
    if kind == "delimited":
        name = {",": "csv", ";": "semicolon", "|": "pipe", "\t": "tsv"}[spec["sep"]]
        name += "" if spec.get("header", True) else "-noheader"
    else:
        name = kind
    return name + ("+comments" if spec.get("comments") else "")
