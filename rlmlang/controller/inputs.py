"""Task inputs: parsed from the command line, bound as typed values, described to the model.

A context may be thousands of times larger than the model's window, so the
model never sees it: it sees metadata (type, size, line count, the shape of
a line) and reaches the text only through the script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.tools.registry import Size, size_of
from rlmlang.tools.skills import looks_like_header, record_keys
from rlmlang.types import Prim, Type, conforms, format_type


def _usage(message: str, fix: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic("E_USAGE", message, fix=fix)])


def parse_input_flags(flags: list[str]) -> dict[str, str | Path]:
    """`name=value` or `name=@file` → raw text or a path to read."""
    out: dict[str, str | Path] = {}
    for flag in flags:
        name, eq, value = flag.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise _usage(f"bad --input {flag!r}", fix="write --input name=value or name=@file")
        if name in out:
            raise _usage(f"--input {name} is given twice")
        if value.startswith("@"):
            path = Path(value[1:])
            if not path.is_file():
                raise _usage(f"--input {name}: no such file {path}",
                             fix="check the path after @")
            out[name] = path
        else:
            out[name] = value
    return out


def read_raw(raw: str | Path) -> str:
    if isinstance(raw, Path):
        try:
            return raw.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise _usage(f"{raw} is not UTF-8 text (byte {e.start})") from None
    return raw


def bind_value(name: str, text: str, t: Type) -> Any:
    """Turn input text into a value of the declared type (str as is, others as JSON)."""
    if isinstance(t, Prim) and t.name == "str":
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise _usage(f"input {name} must be {format_type(t)} written as JSON: {e.msg} "
                     f"at char {e.pos}") from None
    if isinstance(t, Prim) and t.name == "float" and isinstance(value, int):
        value = float(value)
    if not conforms(value, t):
        raise _usage(f"input {name} must be {format_type(t)}; got {text[:60]!r}")
    return value


@dataclass(frozen=True)
class InputInfo:
    name: str
    type: Type
    size: Size
    chars: int
    lines: int
    sample: str  # short values in full; for delimited text, its columns

    def describe(self, with_sample: bool = True) -> str:
        t = format_type(self.type)
        if isinstance(self.type, Prim) and self.type.name == "str":
            if self.lines <= 1 and self.chars <= 200:
                return f'{self.name}: str = "{self.sample}"'
            text = f"{self.name}: str, {self.chars:,} characters, {self.lines:,} lines"
            # Free text gets no sample: a small model copies it instead of the question.
            if with_sample and self.sample:
                text += f"; {self.sample}"
            return text
        if self.chars <= 200:
            return f"{self.name}: {t} = {self.sample}"
        return f"{self.name}: {t}, {self.size.len:,} items"


def _shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SEPARATORS = (",", "\t", "|", ";")


def table_shape(text: str) -> tuple[str, list[str], bool] | None:
    """(separator, cells, is_header) for delimited text, else None.

    The cells are the header's when the first line is one, else those of a
    line from the middle; prose and log lines that merely contain commas are
    not tables.
    """
    lines = [ln for ln in text[:20000].splitlines() if ln.strip()][:60]
    if len(lines) < 2:
        return None
    for sep in _SEPARATORS:
        counts = [ln.count(sep) for ln in lines]
        common = max(set(counts), key=counts.count)
        if common >= 1 and counts.count(common) >= 0.8 * len(counts):
            middle = lines[len(lines) // 2].split(sep)
            first = lines[0].split(sep)
            if max(len(c) for c in middle) > 32:
                continue  # prose or log lines with commas, not a table
            header = looks_like_header(first, middle)
            return sep, (first if header else middle), header
    return None


def header_names(text: str) -> list[str]:
    """The column names a script may use: a table's header, or a record's keys."""
    keys = record_keys(text)
    if keys:
        return keys
    shape = table_shape(text)
    return [c.strip() for c in shape[1]] if shape and shape[2] else []


def columns_of(text: str) -> str:
    """`columns (sep ","): 0=id, 1=city` for delimited text, else "".

    Column numbers are what count_rows and sum_where take (a header's names
    work too). Lines of key=value pairs read `fields (key=value): user, action`:
    the skills take the keys as column names.
    """
    keys = record_keys(text)
    if keys:
        return "fields (key=value): " + ", ".join(_shorten(k, 24) for k in keys[:12])
    shape = table_shape(text)
    if shape is None:
        return ""
    sep, cells, header = shape
    shown = ", ".join(f"{i}={_shorten(c, 24)}" for i, c in enumerate(cells[:12]))
    kind = "header" if header else "columns"
    sep_text = "\\t" if sep == "\t" else sep
    return f'{kind} (sep "{sep_text}"): {shown}'


def describe_input(name: str, value: Any, t: Type) -> InputInfo:
    if isinstance(value, str):
        n_lines = value.count("\n") + (0 if value.endswith("\n") or not value else 1)
        if n_lines <= 1 and len(value) <= 200:
            sample = value
        else:
            sample = columns_of(value)
        return InputInfo(name, t, size_of(value), len(value), max(n_lines, 1), sample)
    text = json.dumps(value, ensure_ascii=False)
    return InputInfo(name, t, size_of(value), len(text), 1, _shorten(text, 200))
