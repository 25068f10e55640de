"""The fast tier's inline copies of the VM's size formulas equal the functions.

The dispatch loop charges a str or list it makes, slices or scans with
`meter.size_charge`, and sizes a builtin's arguments with `meter.arg_size`;
the fast tier writes both inline into its generated Python (a call per
operation would cost more than the charge). Each inline copy is produced by
one function (`meter.size_charge_source`, `fast.arg_size_source`), and here
evaluated on nested values and compared with the function it copies, and
with the verifier's formula (`cost.size_fuel`, `registry.size_of`).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rlmlang.cost import contains_fuel, size_fuel
from rlmlang.tools.registry import SCALAR_SIZE, size_of
from rlmlang.vm import fast
from rlmlang.vm.meter import (
    arg_size,
    arg_sizes,
    contains_charge,
    size_charge,
    size_charge_source,
)

SCALARS = (st.none() | st.booleans() | st.integers()
           | st.floats(allow_nan=False) | st.text(max_size=300))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=8)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=6), max_leaves=40)
SEQUENCES = st.text(max_size=400) | st.lists(VALUES, max_size=200)

# What the generated code can see of these names (fast._globals binds the same objects).
HELPERS = {"__builtins__": {}, "_len": len, "_SC": SCALAR_SIZE, "_so": size_of, "_sz": arg_size}


def inline(source: str, value: Any) -> Any:
    return eval(source, dict(HELPERS), {"x": value})  # noqa: S307 (our own template)


@settings(max_examples=300, deadline=None)
@given(SEQUENCES)
def test_size_charge_inline_equals_the_function(v: Any) -> None:
    assert inline(size_charge_source("x"), v) == size_charge(v) == size_fuel(len(v))


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_arg_size_inline_equals_size_of(v: Any) -> None:
    want = size_of(v)
    assert arg_size(v) == want
    assert inline(fast.arg_size_source("x", fast._tag(v)), v) == want
    assert inline(fast.arg_size_source("x", "any"), v) == want  # a type the tier cannot see


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, max_size=6))
def test_arg_sizes_equal_size_of_each(args: list[Any]) -> None:
    assert arg_sizes(args) == [size_of(a) for a in args]


@settings(max_examples=300, deadline=None)
@given(VALUES, st.lists(VALUES, max_size=50))
def test_contains_charge_on_a_list_equals_contains_fuel(x: Any, xs: list[Any]) -> None:
    assert contains_charge(x, xs) == contains_fuel(size_of(x), len(xs))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=10), st.text(max_size=400))
def test_contains_charge_on_a_str_is_its_size_charge(x: str, s: str) -> None:
    assert contains_charge(x, s) == size_charge(s)
