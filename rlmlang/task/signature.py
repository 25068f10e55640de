"""Task signatures in the DSPy style: `context: str, question: str -> answer: str`.

The signature names the script's inputs (bound as typed variables) and the
type its `submit(...)` must produce. Types use the language's own syntax, so
a record or a list is written as it would be in a script.

Without one, `signature_for(question, inputs)` makes it from the inputs
given, in their order, and the question: any number of inputs, any names,
or none. Text is `str` (the reader finds its format when it is read); a
`.json` file is its parsed value and a `.jsonl` file the list of its lines'
values, typed by `type_of_value` when one static type fits them (else they
stay text, which the reader still reads as JSON); a value passed from Python
is typed the same way. `question: str` is the last input (scripts may read
it) and the output is `answer: str` unless given (a str answer takes any
scalar the script submits: task/answers.py), or `answer: int` for a question
that asks "How many ..." of whole things (`answer_type_for`): a count written
as text ("36 packages", or the record that was counted) is then no answer.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.types import (
    INT,
    NONE,
    STR,
    DictT,
    ListT,
    RecordT,
    Type,
    TypeSyntaxError,
    format_type,
    parse_type,
    prim_of,
)

DEFAULT_SIGNATURE = "context: str, question: str -> answer: str"


@dataclass(frozen=True)
class Field:
    name: str
    type: Type


@dataclass(frozen=True)
class Signature:
    inputs: tuple[Field, ...]
    output: Field

    def __str__(self) -> str:
        ins = ", ".join(f"{f.name}: {format_type(f.type)}" for f in self.inputs)
        return f"{ins} -> {self.output.name}: {format_type(self.output.type)}"

    def input_types(self) -> dict[str, Type]:
        return {f.name: f.type for f in self.inputs}


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside brackets (so `dict[str, int]` stays whole)."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _field(text: str, where: str) -> Field:
    name, colon, type_text = text.partition(":")
    name = name.strip()
    if not name.isidentifier():
        raise ValueError(f"{where}: {name!r} is not a valid name")
    if not colon:
        return Field(name, STR)  # DSPy's default: an untyped field is text
    try:
        return Field(name, parse_type(type_text.strip()))
    except TypeSyntaxError as e:
        raise ValueError(f"{where}: {e}") from None


def parse_signature(text: str) -> Signature:
    """Parse a signature; raises DiagnosticError (E_USAGE) with the expected form."""
    try:
        if text.count("->") != 1:
            raise ValueError("a signature has exactly one '->' between inputs and output")
        left, right = text.split("->")
        inputs = tuple(_field(p, "input") for p in _split_top(left, ",") if p.strip())
        outs = [p for p in _split_top(right, ",") if p.strip()]
        if len(outs) != 1:
            raise ValueError("a signature has exactly one output field "
                             "(use a record type for several: -> out: {a: str, b: int})")
        output = _field(outs[0], "output")
        names = [f.name for f in inputs] + [output.name]
        if len(set(names)) != len(names):
            raise ValueError("field names must be distinct")
    except ValueError as e:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"bad signature {text!r}: {e}",
            fix='write it as "context: str, question: str -> answer: str"')]) from None
    return Signature(inputs, output)


# ------------------------------------------------------------ from the inputs

MAX_FIELDS = 32  # a JSON object typed as a record has at most this many fields


def _unify(a: Type | None, b: Type | None) -> Type | None:
    """One type for values of types a and b (the checker's: int and float give float)."""
    from rlmlang.check.typecheck import unify  # lazy: keeps lark out of start-up

    return None if a is None or b is None else unify(a, b)


def type_of_value(value: Any) -> Type | None:
    """The static type of a JSON-like value, or None when no one type fits it.

    A list's items must share a type; an object is `dict[str, T]` when its values
    share one, else a record `{field: T, ...}` when its keys are names; null fits
    no type but none.
    """
    prim = prim_of(value)
    if prim is not None:
        return prim
    if isinstance(value, list):
        t: Type | None = type_of_value(value[0]) if value else STR
        for v in value[1:]:
            t = _unify(t, type_of_value(v))
            if t is None:
                return None
        return None if t is None or t == NONE else ListT(t)
    if isinstance(value, dict):
        ts = [type_of_value(v) for v in value.values()]
        if any(t is None or t == NONE for t in ts) or not all(isinstance(k, str)
                                                              for k in value):
            return None
        common: Type | None = ts[0] if ts else STR
        for t in ts[1:]:
            common = _unify(common, t)
        if common is not None:
            return DictT(common)
        if len(value) <= MAX_FIELDS and all(k.isidentifier() and not keyword.iskeyword(k)
                                            for k in value):
            return RecordT(tuple(zip(value, ts, strict=True)))  # type: ignore[arg-type]
    return None


def read_json_file(path: Path) -> Any:
    """A `.json` file's value, or a `.jsonl` file's list of values; raises ValueError."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        return json_lines(text)
    return json.loads(text)


def json_lines(text: str) -> list[Any]:
    """The values of the non-blank lines of JSON Lines text; raises ValueError."""
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def input_type(value: Any) -> Type:
    """The type an input is bound as: text is str; a path is its text, or its JSON
    value when it is a .json/.jsonl file whose value has a type; a Python value, its."""
    if isinstance(value, Path):
        if value.suffix.lower() in (".json", ".jsonl"):
            try:
                t = type_of_value(read_json_file(value))
            except (OSError, UnicodeDecodeError, ValueError, RecursionError):
                t = None
            if t is not None and t != NONE:
                return t
        return STR
    if isinstance(value, str):
        return STR
    t = type_of_value(value)
    if t is None or t == NONE:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"no one type fits this input's value ({_preview(value)})",
            fix="pass a signature that declares its type, or its JSON text as str")])
    return t


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


_HOW_MANY = re.compile(r"^\W*(?:how many|what is the number of|what number of)\b", re.I)
# A "how many" that may be a fraction: an average, a share, a ratio, a measure.
_NOT_WHOLE = re.compile(r"\b(?:average|mean|median|percent(?:age)?|share|ratio|fraction|"
                        r"proportion|per|times\s+(?:as|more|larger|bigger|smaller)|hours?|"
                        r"minutes?|seconds?|km|miles?|kg|litres?|liters?|meters?|metres?|"
                        r"dollars?|euros?)\b|%", re.I)


def answer_type_for(question: str | None) -> Type:
    """The answer's type where none is given: int for "How many <things> ...?" (not an
    average, a share or a measure, which may be fractional), else str."""
    q = question or ""
    return INT if _HOW_MANY.search(q) and not _NOT_WHOLE.search(q) else STR


def signature_for(question: str | None, inputs: Mapping[str, Any],
                  output: str | Type | None = None, types: Mapping[str, Type] | None = None
                  ) -> Signature:
    """The signature of a task from the inputs given (name -> text, Path or value).

    Inputs keep their order and names, and the types in `types` (`--input
    NAME:TYPE=...`) or their values'; `question: str` comes last when there is a
    question and no input has that name; the output is `answer` (`result` if an input
    is named answer), of type `output`, or answer_type_for(question) when none is given.
    """
    fields: list[Field] = []
    for name, value in inputs.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise DiagnosticError([Diagnostic(
                "E_USAGE", f"input name {name!r} is not a name a script can use",
                fix="name it with letters, digits and _, not a keyword (e.g. --input "
                    "data=@file.csv)")])
        fields.append(Field(name, (types or {}).get(name) or input_type(value)))
    if question is not None and "question" not in inputs:
        fields.append(Field("question", STR))
    out_type = answer_type_for(question) if output is None else \
        output if isinstance(output, Type) else _output_type(output)
    out_name = "answer" if "answer" not in inputs else "result"
    return Signature(tuple(fields), Field(out_name, out_type))


def _output_type(text: str) -> Type:
    try:
        return parse_type(text)
    except TypeSyntaxError as e:
        raise DiagnosticError([Diagnostic("E_USAGE", f"bad output type {text!r}: {e}",
                                          fix="e.g. int, float, str, list[str]")]) from None

