"""A task's inputs: read from the command line, files or stdin, and bound to their types.

`rlm run` and `rlm exec` take inputs in one syntax, `--input NAME[:TYPE]=VALUE`,
where VALUE is the text itself, `@PATH` for a file's text or `@-` for stdin.
Without `:TYPE` the type is the signature's (`rlm run`), else what the value
implies: text is `str`, a `.json`/`.jsonl` file its value's type
(`signature.input_type`). A non-str value is written as JSON; a list may also
be JSON Lines, one item per line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.task.signature import input_type, json_lines
from rlmlang.types import ListT, Prim, Type, TypeSyntaxError, conforms, format_type, parse_type


def _usage(message: str, fix: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic("E_USAGE", message, fix=fix)])


@dataclass(frozen=True)
class InputFlag:
    """One `--input`: its text or the file that holds it, and a declared type if any."""

    name: str
    raw: str | Path
    type: Type | None = None

    def bind(self) -> tuple[Any, Type]:
        """The value and its type: the declared type, else what the value implies."""
        t = self.type if self.type is not None else input_type(self.raw)
        return bind_value(self.name, read_raw(self.raw), t), t


def read_stdin(name: str) -> str:
    """The text piped into the command, for `--input NAME=@-` (UTF-8)."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _usage(f"--input {name}=@-: stdin is not UTF-8 text (byte {e.start})") from None


def parse_input_flags(flags: list[str]) -> dict[str, InputFlag]:
    """`NAME[:TYPE]=VALUE`, `=@FILE` or `=@-` (stdin), by name; raises E_USAGE."""
    out: dict[str, InputFlag] = {}
    if sum(f.partition("=")[2] == "@-" for f in flags) > 1:
        raise _usage("only one --input can read stdin (@-)")
    for flag in flags:
        head, eq, value = flag.partition("=")
        name, colon, type_text = head.partition(":")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise _usage(f"bad --input {flag!r}",
                         fix="write --input name=value, name=@file or name:TYPE=value")
        if name in out:
            raise _usage(f"--input {name} is given twice")
        t = None
        if colon:
            try:
                t = parse_type(type_text.strip())
            except TypeSyntaxError as e:
                raise _usage(f"--input {name}: {e}", fix="e.g. --input n:int=3") from None
        raw: str | Path
        if value == "@-":
            raw = read_stdin(name)
        elif value.startswith("@"):
            raw = Path(value[1:])
            if not raw.is_file():
                raise _usage(f"--input {name}: no such file {raw}",
                             fix="check the path after @")
        else:
            raw = value
        out[name] = InputFlag(name, raw, t)
    return out


def read_raw(raw: str | Path) -> str:
    if isinstance(raw, Path):
        try:
            return raw.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise _usage(f"{raw} is not UTF-8 text (byte {e.start})") from None
        except OSError as e:
            raise _usage(f"cannot read {raw}: {e.strerror or e}") from None
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
