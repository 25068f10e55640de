"""Task signatures in the DSPy style: `context: str, question: str -> answer: str`.

The signature names the script's inputs (bound as typed variables) and the
type its `submit(...)` must produce. Types use the language's own syntax, so
a record or a list is written as it would be in a script.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.types import STR, Type, TypeSyntaxError, format_type, parse_type

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
