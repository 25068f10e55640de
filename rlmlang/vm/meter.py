"""What the VM charges for work on data, and how it sizes what is live; both tiers.

A block's static fuel pays for the nodes it runs. Work that grows with the
data is charged where it happens, with the functions of `rlmlang.cost` that
the verifier applies to its upper bounds: a builtin's or tool's list or dict
result by its items (`result_fuel`), `==`/`<` on two strs or two containers
by what they compare, `x in xs` on a list by its items, a loop over a dict
by its keys (they are copied first), a cast by the value it checks, and a
state read or write by the JSON copied. Each function here is O(1) for a
scalar or a str; a container is walked once, in C where it is flat
(`registry.size_of`). The two formulas the loops apply most often, a str or
list's `size_charge` and an argument's `arg_size`, are written once here; the
fast tier's generated code holds inline copies made from one template each
(`size_charge_source`, `fast.arg_size_source`), tested equal to these.

Memory: every new big value, and every entry stored into a dict, is added to
an allocation count; past a threshold the live values are measured, deep
(dict keys included, each container and big str once), and the threshold
grows with what was live, so measuring costs time in proportion to what the
script allocated.
"""

from __future__ import annotations

from typing import Any

from rlmlang.cost import (
    CHARS_PER_FUEL,
    ITEM_WORK,
    compare_fuel,
    contains_fuel,
    result_fuel,
    size_fuel,
    state_fuel,
    walk_fuel,
)
from rlmlang.tools.registry import SCALAR_SIZE, Size, size_of

_NUMBERS = (int, float, bool)


def size_charge(v: Any) -> int:
    """A str or list made (`+`, `*`, `+=`), sliced or scanned (`in`): `cost.size_fuel` of
    its length, the verifier's charge for the same work."""
    return size_fuel(len(v))


def size_charge_source(expr: str) -> str:
    """`size_charge` as Python source over the expression `expr`, for the fast tier's
    generated code, where a call per str or list operation would cost more than the
    sum itself (tests/vm/test_meter_copies.py holds the two equal)."""
    return f"1 + _len({expr}) // {CHARS_PER_FUEL}"


def arg_size(x: Any) -> Size:
    """The Size a builtin's or tool's cost function reads for one argument: `size_of`,
    without its type tests for a number."""
    return SCALAR_SIZE if type(x) in _NUMBERS else size_of(x)


def arg_sizes(args: list[Any]) -> list[Size]:
    return [SCALAR_SIZE if type(x) in _NUMBERS else size_of(x) for x in args]


def item_work(spec: Any) -> int:
    """Units of work per item of this tool's results (regex matches are dear)."""
    extra = getattr(spec, "extra", None) or {}
    return int(extra.get("item_work", ITEM_WORK))


def result_charge(per_item: int, v: Any) -> int:
    t = type(v)
    if t is list or t is dict:
        return result_fuel(len(v), per_item)
    return 0


def compare_charge(x: Any, y: Any) -> int:
    """`x op y` for ==, !=, <, <=, >, >=: 0 unless both are strs, lists or dicts (two strs
    shorter than CHARS_PER_FUEL cost nothing: the tiers skip the call for them)."""
    tx = type(x)
    if tx is not type(y):
        return 0
    if tx is str:
        return min(len(x), len(y)) // CHARS_PER_FUEL
    if tx is list or tx is dict:
        return compare_fuel(size_of(x), size_of(y))
    return 0


def contains_charge(x: Any, y: Any) -> int:
    """`x in y`: a str is scanned, a list's items compared with x, a dict hashed (free)."""
    t = type(y)
    if t is str:
        return size_charge(y)
    if t is list:
        tx = type(x)
        if tx is str:  # as contains_fuel on size_of(x), without making the Size
            return 1 + len(y) * (ITEM_WORK + len(x)) // CHARS_PER_FUEL
        if tx is int or tx is float or tx is bool or x is None:
            return 1 + len(y) * (ITEM_WORK + 1) // CHARS_PER_FUEL
        return contains_fuel(size_of(x), len(y))
    return 0


def start_charge(values: list[Any]) -> int:
    """A run starts by copying its list and dict inputs and measuring them: a walk each."""
    return sum(walk_fuel(size_of(v)) for v in values if type(v) is list or type(v) is dict)


def iter_charge(x: Any) -> int:
    """A loop over a dict copies its keys first."""
    return len(x) // CHARS_PER_FUEL if type(x) is dict else 0


def cast_charge(v: Any) -> int:
    """A cast checks every item of a list or dict it returns."""
    t = type(v)
    return walk_fuel(size_of(v)) if t is list or t is dict else 0


def state_charge(v: Any) -> int:
    """`state.k` read or written: its value copied as JSON."""
    t = type(v)
    if t is str:
        return state_fuel(size_of(v))
    if t is list or t is dict:
        return state_fuel(size_of(v))
    return 0


# ------------------------------------------------------------------ memory

_STR_HEAD = 49
_LIST_HEAD, _LIST_SLOT = 56, 8
_DICT_HEAD, _DICT_SLOT = 232, 104
SHARED_STR = 4096  # a str at least this long is counted once however often it is held


def approx_bytes(v: Any) -> int:
    """Approximate bytes held by one value, shallow (its own slots and chars)."""
    t = type(v)
    if t is str:
        return _STR_HEAD + len(v) * (1 if v.isascii() else 4)
    if t is list:
        return _LIST_HEAD + _LIST_SLOT * len(v)
    if t is dict:
        return _DICT_HEAD + _DICT_SLOT * len(v)
    return 32


def entry_bytes(k: Any, v: Any) -> int:
    """What storing `d[k] = v` can add (an estimate that only decides when to measure): a
    slot, the key, and a str value."""
    n = _DICT_SLOT
    if type(k) is str:
        n += _STR_HEAD + len(k)
    if type(v) is str:
        n += _STR_HEAD + len(v)
    return n


def deep_bytes(roots: list[list[Any]]) -> int:
    """Bytes of everything reachable from the roots: every container once, its items,
    dict keys, and every str (one of SHARED_STR or more characters once)."""
    seen: set[int] = set()
    live = 0
    stack: list[Any] = []
    for root in roots:  # the roots' own scalars are slots of a frame, not values held
        for v in root:
            t = type(v)
            if t is str:  # a str in several slots is one value (the tiers hold alike)
                if id(v) not in seen:
                    seen.add(id(v))
                    live += approx_bytes(v)
            elif t is list or t is dict:
                stack.append(v)
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str:
            if len(v) >= SHARED_STR:
                if id(v) in seen:
                    continue
                seen.add(id(v))
            live += approx_bytes(v)
        elif t is list or t is dict:
            if id(v) in seen:
                continue
            seen.add(id(v))
            live += approx_bytes(v)
            items = v.values() if t is dict else v
            if t is dict:
                keys = list(v)
                live += _STR_HEAD * len(keys) + sum(map(len, keys)) if set(
                    map(type, keys)) == {str} else 32 * len(keys)
            types = set(map(type, items))
            if types == {str}:
                if any(len(s) >= SHARED_STR for s in items):
                    stack.extend(items)
                else:
                    chars = sum(map(len, items))
                    wide = not all(map(str.isascii, items))
                    live += _STR_HEAD * len(v) + chars * (4 if wide else 1)
            elif types <= {int, float, bool, type(None)}:
                live += 32 * len(v)
            else:
                stack.extend(items)
        elif v is not None:
            live += 32
    return live
