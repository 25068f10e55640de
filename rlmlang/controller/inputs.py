"""Task inputs: parsed from the command line, bound as typed values, described to the model.

A context may be thousands of times larger than the model's window, so the
model never sees it: it sees metadata (type, size, line count, the shape of
a line) and reaches the text only through the script.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.task.signature import json_lines
from rlmlang.tools import reader
from rlmlang.tools.registry import Size, size_of
from rlmlang.types import ListT, Prim, Type, conforms, format_type


def _usage(message: str, fix: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic("E_USAGE", message, fix=fix)])


def read_stdin(name: str) -> str:
    """The text piped into the command, for `--input NAME=@-` (UTF-8)."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _usage(f"--input {name}=@-: stdin is not UTF-8 text (byte {e.start})") from None


def parse_input_flags(flags: list[str]) -> dict[str, str | Path]:
    """`name=value`, `name=@file` or `name=@-` (stdin) → raw text or a path to read."""
    out: dict[str, str | Path] = {}
    if sum(f.partition("=")[2] == "@-" for f in flags) > 1:
        raise _usage("only one --input can read stdin (@-)")
    for flag in flags:
        name, eq, value = flag.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise _usage(f"bad --input {flag!r}", fix="write --input name=value or name=@file")
        if name in out:
            raise _usage(f"--input {name} is given twice")
        if value == "@-":
            out[name] = read_stdin(name)
        elif value.startswith("@"):
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
    """Turn input text into a value of the declared type (str as is, others as JSON;
    a list may also be JSON Lines, one item per line)."""
    if isinstance(t, Prim) and t.name == "str":
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        value = _json_lines(text) if isinstance(t, ListT) else None
        if value is None:
            raise _usage(f"input {name} must be {format_type(t)} written as JSON: {e.msg} "
                         f"at char {e.pos}") from None
    if isinstance(t, Prim) and t.name == "float" and isinstance(value, int):
        value = float(value)
    if not conforms(value, t):
        raise _usage(f"input {name} must be {format_type(t)}; got {text[:60]!r}")
    return value


def _json_lines(text: str) -> list[Any] | None:
    try:
        return json_lines(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class InputInfo:
    name: str
    type: Type
    size: Size
    chars: int
    lines: int
    sample: str  # short values in full; for records and tables, their layout (reader.py)
    records: int = 0  # how many records the tools read from it (0 for prose)
    columns: tuple[str, ...] = ()  # the names the tools take for its fields
    format: str = ""  # the reader's format ("delimited", "blocks", ...; "" if not text)

    def describe(self, with_sample: bool = True, with_count: bool = False) -> str:
        """One line for the prompt; `with_count` adds the records the tools will read."""
        t = format_type(self.type)
        if isinstance(self.type, Prim) and self.type.name == "str":
            if self.lines <= 1 and self.chars <= 200:
                return f'{self.name}: str = "{self.sample}"'
            text = f"{self.name}: str, {self.chars:,} characters, {self.lines:,} lines"
            # Free text gets no sample: a small model copies it instead of the question.
            if with_sample and self.sample:
                text += f"; {self.sample}"
                if with_count:
                    text += f"; {self.records:,} record{'s' if self.records != 1 else ''}"
            return text
        if self.chars <= 200:
            return f"{self.name}: {t} = {self.sample}"
        return f"{self.name}: {t}, {self.size.len:,} items"


def _shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header_names(text: str, question: str | None = None) -> list[str]:
    """The column names a script may use: a table's header, or a record's keys."""
    layout = reader.detect(text, question)
    return [] if layout.names_from == "numbers" else list(layout.columns)


def columns_of(text: str, question: str | None = None) -> str:
    """`header (sep ","): 0=id, 1=city` for a table, `fields (key=value): user, ms` for
    records, "" for prose: the reader's description of its layout (see reader.Layout)."""
    return reader.detect(text, question).describe()


def describe_input(name: str, value: Any, t: Type, question: str | None = None) -> InputInfo:
    """What the prompt says about an input; a text's layout and count come from the reader,
    so they are what the tools will find (`question` names a headerless table's columns)."""
    if isinstance(value, str):
        n_lines = value.count("\n") + (0 if value.endswith("\n") or not value else 1)
        if n_lines <= 1 and len(value) <= 200:
            return InputInfo(name, t, size_of(value), len(value), max(n_lines, 1), value)
        found = reader.shape(value, question)
        return InputInfo(name, t, size_of(value), len(value), max(n_lines, 1),
                         found.layout.describe(), found.records, found.columns,
                         found.layout.format)
    text = json.dumps(value, ensure_ascii=False)
    n = len(value) if isinstance(value, (list, dict)) else 1
    return InputInfo(name, t, size_of(value), len(text), 1, _shorten(text, 200), n)
