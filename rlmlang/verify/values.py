"""Abstract values of the script's types, abstract states, and the VM's charges on them.

`sizes.py` holds the domain (one `AV` per value: intervals, size bounds,
pieces); this module maps the checker's types into it (`top_of`: an unknown
value of a type; `from_size`: a value no bigger than a tool's declared
`Size`), joins the states of paths that meet, and prices the VM's work on
an abstract value with the shared cost table (`sized`, `compared`): a charge
on an unbounded value is unbounded, so the bound never undercounts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rlmlang.cost import compare_fuel
from rlmlang.tools.registry import Size
from rlmlang.types import (
    BOOL,
    FLOAT,
    INT,
    NONE,
    STR,
    DictT,
    Hole,
    ListT,
    OptionalT,
    RecordT,
    TupleT,
    Type,
)
from rlmlang.verify.sizes import AV, INF, Num, Piece, Unknown, join

State = dict[str, AV]


def top_of(t: Type | None, size: Num = INF, whole: bool = False) -> AV:
    """The abstract value of an unknown value of type t (sizes as given).

    whole: `size` bounds the whole value (characters and items reachable, as a JSON text
    of that length holds), so every list and dict in it adds up to at most `size` too."""
    if whole and size != INF:
        return _whole(top_of(t, size), size)
    if isinstance(t, OptionalT):  # None, or a T: the T bounds it (sizes.join)
        return join(AV("none"), top_of(t.inner, size)) or top_of(t.inner, size)
    if t == INT:
        return AV("int")
    if t == FLOAT:
        return AV("float")
    if t == BOOL:
        return AV("bool")
    if t == NONE:
        return AV("none")
    if t == STR:
        return AV("str", size=size)
    if isinstance(t, ListT):
        return AV("list", size=size, elem=top_of(t.elem, size))
    if isinstance(t, DictT):
        return AV("dict", size=size, elem=top_of(t.value, size), hi=size)
    if isinstance(t, RecordT):
        fields = tuple((n, top_of(ft, size)) for n, ft in t.fields)
        el = None
        for _, fv in fields:
            el = join(el, fv)
        return AV("dict", size=len(t.fields), elem=el, hi=max((len(n) for n, _ in t.fields),
                                                              default=1), fields=fields)
    if isinstance(t, TupleT):
        items = tuple(top_of(i, size) for i in t.items)
        el = None
        for i in items:
            el = join(el, i)
        return AV("list", size=len(items), elem=el, items=items)
    if isinstance(t, Hole):
        return AV("any", size=0)
    return AV("any", size=size)


def _whole(v: AV, size: Num) -> AV:
    """v with each list and dict in it adding up to at most `size` (top_of's `whole`)."""
    if v.kind not in ("list", "dict"):
        return v
    return replace(v, sum=min(v.sum, size),
                   elem=_whole(v.elem, size) if v.elem is not None else None,
                   items=tuple(_whole(i, size) for i in v.items) if v.items else v.items,
                   fields=tuple((n, _whole(f, size)) for n, f in v.fields)
                   if v.fields else v.fields)


def from_size(t: Type | None, s: Size) -> AV:
    """An AV of type t whose size is at most `s` (tool results, inputs)."""
    if t == STR:
        return AV("str", size=s.len)
    total = INF if s.sum is None else s.sum  # Σ max(1, t_i) bounds Σ t_i
    # `s.elem` is the largest item's total (what it reaches, nested lists and dicts
    # included), so each item is bounded as a whole: a record of extract_records(t)
    # holds at most its line, not len(t) fields of len(t) characters each.
    if isinstance(t, ListT):
        return AV("list", size=s.len, elem=top_of(t.elem, s.elem, whole=True), sum=total)
    if isinstance(t, DictT):
        return AV("dict", size=s.len, elem=top_of(t.value, s.elem, whole=True), hi=s.elem,
                  sum=total)
    if isinstance(t, RecordT):  # its fields add up to the sum, where that is known
        return top_of(t, s.elem) if s.sum is None else top_of(t, min(s.elem, s.sum), whole=True)
    return top_of(t)


def cap(v: AV, size: Num) -> AV:
    """`v` no bigger than `size` in total: a str of at most `size` characters, a list or
    dict of at most `size` items, each capped the same way (scalars as they are)."""
    if v.kind == "str":
        return AV("str", size=min(v.size, size), pieces=v.pieces if v.size <= size else None)
    if v.kind not in ("list", "dict"):
        return v
    items = tuple(cap(i, size) for i in v.items) if v.items is not None else None
    fields = tuple((k, cap(f, size)) for k, f in v.fields) if v.fields is not None else None
    return AV(v.kind, v.lo, min(v.hi, size) if v.kind == "dict" else v.hi, min(v.size, size),
              cap(v.elem, size) if v.elem is not None else None, None, min(v.sum, size),
              None, items, fields)


def join_states(states: list[State | None]) -> State | None:
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    out: State = {}
    keys = set(live[0])
    for s in live[1:]:
        keys &= set(s)
    for k in keys:
        v = None
        for s in live:
            v = join(v, s[k])
        out[k] = v  # type: ignore[assignment]
    return out


def finite(v: AV) -> bool:
    """Whether every bound of a str or container is finite (its Size is meaningful)."""
    if v.kind not in ("str", "list", "dict"):
        return v.kind != "any" or v.size != INF
    return v.size != INF and (v.kind == "str" or v.elem is None or finite(v.elem) or
                              v.sum != INF)


def sized(v: AV, fn: Any) -> Num:
    """A charge on v's Size (state, walks, results): unbounded where v's size is."""
    if v.kind in ("str", "list", "dict") and not finite(v):
        return INF
    if v.kind == "any" and v.size == INF:
        return INF
    return fn(v.to_size())


def compared(a: AV, b: AV) -> Num:
    """What the VM charges for `a == b`, `a < b`, ... (compare_fuel on two strs or two
    containers of the same kind, bounded by the smaller; 0 when the kinds differ)."""
    data = ("str", "list", "dict")
    kinds = {a.kind, b.kind}
    if not kinds & {*data, "any"} or len(kinds - {"any"}) > 1:
        return 0  # scalars, or different kinds: the VM compares nothing
    known = [x for x in (a, b) if x.kind in data and finite(x)]
    if not known:
        return INF  # both unknown or unbounded
    if len(known) == 1:
        return compare_fuel(known[0].to_size(), known[0].to_size())
    return compare_fuel(a.to_size(), b.to_size())


def fmt(x: Num) -> str:
    return fmt(x)


def num(x: Num) -> int | str:
    return "unbounded" if x == INF else int(x)


def concat_pieces(a: tuple[Piece, ...], b: tuple[Piece, ...]) -> tuple[Piece, ...]:
    out = list(a)
    for p in b:
        if out and isinstance(out[-1], str) and isinstance(p, str):
            out[-1] = out[-1] + p
        else:
            out.append(p)
    if len(out) > 32:  # keep pieces small: a long tail becomes one unknown
        out = out[:31] + [Unknown("...")]
    return tuple(out)

