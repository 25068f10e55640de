"""The type of a JSON input once decoded, read from the input's own value.

Python programmers decode JSON and index into it: `orders = json.loads(orders)`,
`order["customer"]["address"]["city"]`. The language gives `json_decode` no type
of its own (a JSON text can hold anything), so such a script needed an
`as list[{...}]` nobody writes. But an input's value is known before any
script runs, so the type of `json_decode(orders)` is known too: the type every
value in the document has, joined across a list's items (an int and a float
are a float; a value and None are `T | None`; objects with the same keys are a
record, objects whose values share one type a `dict[str, T]`). The checker
types the call with it and lowering writes the call as `json_decode(orders) as
T`, so the VM still checks the value against T: the type is a fact about the
input, checked where it is used, never a guess.

A document no one type describes (objects with different keys and values of
different types, a list mixing numbers and text) has none, and
`json_decode(...)` keeps its old rule: say the type with `as`. So does any
text that is not an input; for a JSON Lines input, the type its lines share is
given to `json_decode` of anything but an input or a literal (`for line in
lines(events): e = json_decode(line)`), again checked by the VM; and the input
decoded whole is the list of those (json_decode reads JSON Lines as a list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rlmlang.tools.builtins import decode_json
from rlmlang.types import (
    FLOAT,
    HOLE,
    INT,
    NONE,
    RECORD_MAX_FIELDS,
    STR,
    DictT,
    Hole,
    ListT,
    OptionalT,
    RecordT,
    TupleT,
    Type,
    optional,
    parse_type,
    prim_of,
)


@dataclass(frozen=True)
class Decoded:
    """What json_decode gives for the task's JSON inputs."""

    inputs: Mapping[str, Type] = field(default_factory=dict)  # input name -> its document's type
    lines: Type | None = None  # the type the lines of the JSON Lines inputs share
    jsonl: frozenset[str] = frozenset()  # the inputs (in `inputs`) that are JSON Lines

    def __bool__(self) -> bool:
        return bool(self.inputs) or self.lines is not None


NOTHING = Decoded()


def decoded_types(values: Mapping[str, Any]) -> Decoded:
    """The Decoded of a task's inputs (those that are str holding JSON or JSON Lines)."""
    docs: dict[str, Type] = {}
    jsonl: set[str] = set()
    line_types: list[Type] = []
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        text = value.strip()
        if not text or text[0] not in "[{":
            continue
        try:
            whole, from_lines = decode_json(text)  # what scripts decode: the same refusals
        except Exception:  # noqa: BLE001 - any refusal means: no type from this text
            continue
        t = type_of_json(whole)
        if t is None:
            continue
        docs[name] = t
        if from_lines and isinstance(t, ListT):  # json_decode read its lines' values
            line_types.append(t.elem)
            jsonl.add(name)
    lines = None
    if line_types:
        joined: Type | None = line_types[0]
        for t in line_types[1:]:
            joined = _join(joined, t) if joined is not None else None
        lines = _closed(joined) if joined is not None else None
    return Decoded(docs, lines, frozenset(jsonl))


def type_of_json(value: Any) -> Type | None:
    """The type a decoded JSON value has, or None where no one type describes it."""
    t = _type(value)
    return None if t is None else _closed(t)


def _type(v: Any) -> Type | None:
    prim = prim_of(v)
    if prim is not None:
        return prim
    if isinstance(v, list):
        elem: Type | None = HOLE
        for item in v:
            t = _type(item)
            elem = None if t is None or elem is None else _join(elem, t)
            if elem is None:
                return _records_type(v)
        return ListT(elem)
    if isinstance(v, dict):
        types = [_type(x) for x in v.values()]
        if any(t is None for t in types):
            return None
        shared: Type | None = HOLE
        for t in types:
            shared = _join(shared, t) if shared is not None else None  # type: ignore[arg-type]
        if shared is not None or not v:
            return DictT(shared if shared is not None else HOLE)
        if len(v) <= RECORD_MAX_FIELDS and all(isinstance(k, str) and k.isidentifier() for k in v):
            return RecordT(tuple(zip(v, types, strict=True)))  # type: ignore[arg-type]
        return None
    return None


def _records_type(items: list[Any]) -> Type | None:
    """A list of objects of the same keys that no one type describes as they are: each
    read as a record of its keys, then joined (`{"id": "SH-3", "total": null}` alone is a
    `dict[str, str | None]`, its neighbours records `{id: str, total: float}`, and the list
    had no type); None if they are not objects of the same name keys, or a key's values
    differ in type."""
    keys = set(items[0]) if items and isinstance(items[0], dict) else set()
    if not keys or not all(isinstance(i, dict) and set(i) == keys for i in items) or \
            len(keys) > RECORD_MAX_FIELDS or not all(isinstance(k, str) and k.isidentifier()
                                                     for k in keys):
        return None
    elem: Type | None = HOLE
    for item in items:
        types = [_type(x) for x in item.values()]
        if any(t is None for t in types):
            return None
        t = RecordT(tuple(zip(item, types, strict=True)))  # type: ignore[arg-type]
        elem = _join(elem, t) if elem is not None else None
        if not isinstance(elem, RecordT):
            return None
    return ListT(elem)


def _join(a: Type, b: Type) -> Type | None:  # noqa: C901 (one case per pair of kinds)
    """The one type both a and b's values have, or None."""
    if a == b:
        return a
    if isinstance(a, Hole):
        return b
    if isinstance(b, Hole):
        return a
    if {a, b} == {INT, FLOAT}:
        return FLOAT
    if a == NONE:
        return optional(b)
    if b == NONE:
        return optional(a)
    if isinstance(a, OptionalT) or isinstance(b, OptionalT):
        inner = _join(_inner(a), _inner(b))
        return None if inner is None else optional(inner)
    if isinstance(a, ListT) and isinstance(b, ListT):
        elem = _join(a.elem, b.elem)
        return None if elem is None else ListT(elem)
    if isinstance(a, RecordT) and isinstance(b, RecordT) and \
            {n for n, _ in a.fields} == {n for n, _ in b.fields}:
        fields = []
        for n, t in a.fields:
            j = _join(t, b.field(n))  # type: ignore[arg-type]
            if j is None:
                return None
            fields.append((n, j))
        return RecordT(tuple(fields))
    if isinstance(a, (DictT, RecordT)) and isinstance(b, (DictT, RecordT)):
        value: Type | None = HOLE
        for t in _values(a) + _values(b):
            value = _join(value, t) if value is not None else None
        return None if value is None else DictT(value)
    return None


def _inner(t: Type) -> Type:
    return t.inner if isinstance(t, OptionalT) else t


def _values(t: DictT | RecordT) -> list[Type]:
    return [t.value] if isinstance(t, DictT) else [ft for _, ft in t.fields]


def _closed(t: Type) -> Type | None:
    """t with the element type of lists and dicts that were always empty made str (any
    type fits an empty one), or None where the type cannot be written as text."""
    t = _fill(t)
    try:
        parse_type(str(t))
    except ValueError:
        return None
    return t


def _fill(t: Type) -> Type:
    if isinstance(t, Hole):
        return STR
    if isinstance(t, ListT):
        return ListT(_fill(t.elem))
    if isinstance(t, DictT):
        return DictT(_fill(t.value))
    if isinstance(t, OptionalT):
        return optional(_fill(t.inner))
    if isinstance(t, RecordT):
        return RecordT(tuple((n, _fill(ft)) for n, ft in t.fields))
    if isinstance(t, TupleT):
        return TupleT(tuple(_fill(i) for i in t.items))
    return t
