"""Cost and result-size functions: monotone in every size, and sound for real results.

The verifier evaluates a tool's cost and size functions on upper bounds and
the VM on actual sizes; the first dominates the second only if the
functions are monotone. And a declared result-size bound is only useful if
every real result fits it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tools_helpers import registry

from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import Size, ToolSpec, size_of
from rlmlang.tools.stdlib import is_stdlib
from rlmlang.types import BOOL, FLOAT, INT, STR, DictT, ListT, Type, UnknownT

SPECS = [s for s in registry().specs() if not is_stdlib(s)]
PURE = [s for s in SPECS if not s.effect]

sizes = st.builds(Size, st.integers(0, 10**7), st.integers(1, 10**6))


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_cost_and_size_are_monotone(spec: ToolSpec, data: st.DataObject) -> None:
    n = len(spec.params)
    small = data.draw(st.lists(sizes, min_size=n, max_size=n))
    grow = data.draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**5)),
                              min_size=n, max_size=n))
    big = [Size(s.len + a, s.elem + b) for s, (a, b) in zip(small, grow, strict=True)]
    assert 0 <= spec.cost(small) <= spec.cost(big)
    rs, rb = spec.result_size(small), spec.result_size(big)
    assert rs.len <= rb.len and rs.elem <= rb.elem


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
table_text = st.text(alphabet="ab1,\t\n\r ;|'\"", max_size=40)
scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e9, 1e9, allow_nan=False),
                    st.booleans(), st.none(), text)
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                    st.dictionaries(text, c, max_size=4)),
                      max_leaves=10)
BY_NAME = {
    "sep": st.sampled_from(["", ",", "\t", " - "]),
    "col": st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b", "1"])),
    "sum_col": st.one_of(st.integers(0, 2), st.just("b")),
    "where_col": st.one_of(st.integers(0, 2), st.just("a")),
    # nested groups overlap: a record's values can add up to more than its line
    "pattern": st.sampled_from([r"a+", r"(\d)", r"[ab]{2}", r"", r"(a)|b", r"((a+))",
                                r"(?P<x>(a+)(b?))"]),
    "size": st.integers(1, 6),
    "digits": st.integers(0, 3),
    "text": st.one_of(text, table_text),
}
# Table operations (tables.py) take a table: a text in some format, or records.
records = st.lists(st.dictionaries(st.sampled_from(["a", "b", "1"]),
                                   st.one_of(text, st.integers(0, 9).map(str)), max_size=3),
                   max_size=5)
tables = st.one_of(table_text, st.sampled_from(["a,b\n1,x\n2,y\n", "a: 1\nb: 2\n",
                                                 '[{"a": 1}, {"a": 2, "b": "x"}]',
                                                 "k=1 v=a\nk=2 v=b\n"]), records)
BY_NAME.update({"table": tables, "left": tables, "right": tables,
                "where": st.sampled_from(["", "a == 1", "b contains x and a > 0"]),
                "num_col": st.sampled_from(["a", "b", 0, 1]), "k": st.integers(0, 4),
                "phrases": st.lists(st.sampled_from(["a", "1", "b"]), min_size=1, max_size=2)})


def strategy(spec: ToolSpec, name: str, t: Type) -> st.SearchStrategy:
    if spec.name == "json_decode":  # compact too: the fewest characters per item
        return st.one_of(values.map(json.dumps),
                         values.map(lambda v: json.dumps(v, separators=(",", ":"))))
    if name in BY_NAME:
        return BY_NAME[name]
    if isinstance(t, UnknownT):
        return values
    if t == STR:
        return st.one_of(text, table_text)
    if t == INT:
        return st.integers(-50, 50)
    if t == BOOL:
        return st.booleans()
    if t == FLOAT:
        return st.one_of(st.integers(-10**6, 10**6), st.floats(-1e9, 1e9, allow_nan=False))
    if isinstance(t, ListT):
        return st.lists(strategy(spec, "", t.elem), max_size=6)
    if isinstance(t, DictT):
        return st.dictionaries(text, strategy(spec, "", t.value), max_size=5)
    raise AssertionError(f"no strategy for {t}")


@pytest.mark.parametrize("spec", PURE, ids=[s.name for s in PURE])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_real_results_fit_the_declared_size(spec: ToolSpec, data: st.DataObject) -> None:
    args = [data.draw(strategy(spec, p.name, p.type), label=p.name) for p in spec.params
            if not (p.has_default and p.default is None)]
    if spec.name == "range":
        args = [data.draw(st.integers(-5, 50))]
    try:
        result = spec.impl(*args)
    except ToolError:
        return
    got = size_of(result)
    bound = spec.result_size([size_of(a) for a in args])
    assert got.len <= bound.len and got.total <= bound.total, (args, result, bound)
    assert got.elem <= bound.elem or got.len == 0, (args, result, bound)
    if bound.sum is not None and isinstance(result, (list, dict)):
        assert got.sum is not None and got.sum <= bound.sum, (args, result, bound)


def test_every_tool_is_documented_with_an_example() -> None:
    for s in registry().specs():
        assert s.doc, s.name
        assert s.example, s.name
