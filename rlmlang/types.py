"""Static types of RLM script, shared by every stage.

Types are small immutable values so that the checker, the verifier, the tool
registry, the state store's schema and task signatures all speak one
vocabulary. Runtime values are plain Python values (int, float, bool, str,
None, list, dict); `conforms` says whether such a value has a given type,
which is how the store checks writes and the controller checks answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    def __str__(self) -> str:
        return format_type(self)


@dataclass(frozen=True)
class Prim(Type):
    name: str  # "int" | "float" | "bool" | "str" | "none"


@dataclass(frozen=True)
class ListT(Type):
    elem: Type


@dataclass(frozen=True)
class DictT(Type):
    value: Type  # keys are always str


@dataclass(frozen=True)
class RecordT(Type):
    fields: tuple[tuple[str, Type], ...]

    def field(self, name: str) -> Type | None:
        for n, t in self.fields:
            if n == name:
                return t
        return None


@dataclass(frozen=True)
class TupleT(Type):
    """A fixed number of values of fixed types, `tuple[str, int]` (what `d.items()`,
    `enumerate` and `zip` give). At run time it is a list of that length."""

    items: tuple[Type, ...]


@dataclass(frozen=True)
class OptionalT(Type):
    """`T | None`: a value of type `inner`, or None. A name started with `None` and
    later given a T has this type; `x is None` tests narrow it to T (check/narrow.py)."""

    inner: Type


def optional(t: Type) -> Type:
    """`t | None` (None itself and `T | None` stay as they are)."""
    if isinstance(t, OptionalT) or t == Prim("none"):
        return t
    return OptionalT(t)


@dataclass(frozen=True)
class UnknownT(Type):
    """The type of an expression that already produced an error.

    It unifies with everything, so one mistake yields one diagnostic rather
    than a cascade.
    """


@dataclass(frozen=True)
class Hole(Type):
    """The element type of `[]` or `{}` before anything says what it is."""


@dataclass(frozen=True)
class FuncT(Type):
    params: tuple[Type, ...]
    result: Type


INT = Prim("int")
FLOAT = Prim("float")
BOOL = Prim("bool")
STR = Prim("str")
NONE = Prim("none")
UNKNOWN = UnknownT()
HOLE = Hole()

PRIMS = {"int": INT, "float": FLOAT, "bool": BOOL, "str": STR, "none": NONE}

# A decoded JSON object with more keys than this is a mapping (`dict[str, T]`), not a
# record: the checker types it so (check/decoded.py) and the verifier joins its values
# rather than keeping each field (verify/results.py).
RECORD_MAX_FIELDS = 40


def prim_of(value: object) -> Prim | None:
    """The primitive type of a scalar runtime value; None for a list, a dict or anything else.
    bool is asked first: in Python True is an int, in the language it is not."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    return NONE if value is None else None


def kind_of(value: object) -> str:
    """What a runtime value is, as messages name it: its type's head (bool, int, float, str,
    none, list or dict), or its Python class for a value no script can hold."""
    prim = prim_of(value)
    if prim is not None:
        return prim.name
    if isinstance(value, list):
        return "list"
    return "dict" if isinstance(value, dict) else type(value).__name__


def format_type(t: Type) -> str:
    if isinstance(t, Prim):
        return t.name
    if isinstance(t, ListT):
        return f"list[{format_type(t.elem)}]"
    if isinstance(t, DictT):
        return f"dict[str, {format_type(t.value)}]"
    if isinstance(t, RecordT):
        inner = ", ".join(f"{n}: {format_type(ft)}" for n, ft in t.fields)
        return "{" + inner + "}"
    if isinstance(t, TupleT):
        return f"tuple[{', '.join(format_type(i) for i in t.items)}]"
    if isinstance(t, OptionalT):
        return f"{format_type(t.inner)} | None"
    if isinstance(t, FuncT):
        ps = ", ".join(format_type(p) for p in t.params)
        return f"({ps}) -> {format_type(t.result)}"
    return "?"


class TypeSyntaxError(ValueError):
    pass


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9]*|[\[\]{}:,|]|\S)")


def parse_type(text: str) -> Type:
    """Parse `int`, `list[str]`, `dict[str, int]`, `{name: str, age: int}`."""
    tokens = [m.group(1) for m in _TOKEN.finditer(text)]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise TypeSyntaxError(f"unexpected end of type {text!r}")
        if expected is not None and tok != expected:
            raise TypeSyntaxError(f"expected {expected!r} in type {text!r}, found {tok!r}")
        pos += 1
        return tok

    def one() -> Type:
        t = single()
        if peek() == "|":  # `T | None`
            take("|")
            if take() not in ("None", "none"):
                raise TypeSyntaxError(f"only `T | None` is a union type, in {text!r}")
            t = optional(t)
        return t

    def single() -> Type:
        tok = take()
        if tok in PRIMS:
            return PRIMS[tok]
        if tok == "None":
            return NONE
        if tok == "list":
            take("[")
            elem = one()
            take("]")
            return ListT(elem)
        if tok == "tuple":
            take("[")
            items = [one()]
            while peek() == ",":
                take(",")
                items.append(one())
            take("]")
            return TupleT(tuple(items))
        if tok == "dict":
            take("[")
            key = one()
            if key != STR:
                raise TypeSyntaxError(f"dict keys must be str, not {format_type(key)}")
            take(",")
            value = one()
            take("]")
            return DictT(value)
        if tok == "{":
            fields: list[tuple[str, Type]] = []
            while peek() != "}":
                name = take()
                if not name.isidentifier():
                    raise TypeSyntaxError(f"expected a field name in {text!r}, found {name!r}")
                take(":")
                fields.append((name, one()))
                if peek() == ",":
                    take(",")
            take("}")
            names = [n for n, _ in fields]
            if len(set(names)) != len(names):
                raise TypeSyntaxError(f"duplicate field in record type {text!r}")
            return RecordT(tuple(fields))
        raise TypeSyntaxError(f"unknown type {tok!r} (known: int, float, bool, str, none, "
                              "list[T], dict[str, T], tuple[T, ...], {field: T, ...})")

    result = one()
    if peek() is not None:
        raise TypeSyntaxError(f"unexpected {peek()!r} after type in {text!r}")
    return result


def conforms(value: object, t: Type) -> bool:
    """Whether a runtime value has type `t` (ints are accepted where floats are)."""
    if isinstance(t, UnknownT):
        return True
    if isinstance(t, OptionalT):
        return value is None or conforms(value, t.inner)
    if isinstance(t, Prim):
        prim = prim_of(value)
        return prim == t or (t == FLOAT and prim == INT)
    if isinstance(t, ListT):
        return isinstance(value, list) and all(conforms(v, t.elem) for v in value)
    if isinstance(t, TupleT):
        return isinstance(value, (list, tuple)) and len(value) == len(t.items) and all(
            conforms(v, it) for v, it in zip(value, t.items, strict=True))
    if isinstance(t, DictT):
        return isinstance(value, dict) and all(
            isinstance(k, str) and conforms(v, t.value) for k, v in value.items()
        )
    if isinstance(t, RecordT):
        return (
            isinstance(value, dict)
            and set(value) == {n for n, _ in t.fields}
            and all(conforms(value[n], ft) for n, ft in t.fields)
        )
    return False
