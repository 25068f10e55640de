"""Result bounds declared on a tool's spec: the verifier reads them, the tools keep them.

The verifier knows a result's shape (pieces of a text, pairs, a range's
ints) from `ToolSpec.result_bound`, never from the tool's name, so a plugin
that declares one is bounded exactly as tightly as the builtin it imitates;
without it the plugin gets only its `result_size`. Each builtin's declaration
is a promise about values, checked here on its real implementation, and the
`@tool` wrapper checks a plugin's on every call.
"""

from __future__ import annotations

import pytest

from rlmlang.check import Env, check
from rlmlang.syntax.parser import parse
from rlmlang.tools import core_specs
from rlmlang.tools.declare import fuel, length
from rlmlang.tools.decorator import tool
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import Pieces, Registry, ResultBound, Size, ToolSpec
from rlmlang.types import STR
from rlmlang.verify import VerifyResult, verify

SCRIPT = """n = 0
for line in lines(context):
    for cell in {cut}(line, ","):
        if cell == "x":
            n = n + 1
submit(str(n))
"""

TEXT = "\n".join(",".join("x" if (i * j) % 7 == 0 else "ab" for j in range(i % 9 + 1))
                 for i in range(400))


def _cells(bound: ResultBound | None) -> ToolSpec:
    """A plugin tool that cuts a text at a separator, with split's cost and size bound."""

    @tool(name="cells", cost=fuel(0, 1),
          result_size=lambda s: Size(length(s, 0) + 1, max(length(s, 0), 1)),
          result_bound=bound)
    def cells(text: str, sep: str) -> list[str]:
        """The parts of text between each sep."""
        return text.split(sep)

    return cells.rlm_tool  # type: ignore[attr-defined]


def _verify(cut: str, spec: ToolSpec | None, budget: int, known: bool) -> VerifyResult:
    reg = Registry(core_specs() + ([spec] if spec is not None else []))
    script = parse(SCRIPT.format(cut=cut)).script
    assert script is not None
    cr = check(script, Env({"context": STR}, {}, STR, reg))
    assert cr.checked is not None, cr.diagnostics
    return verify(cr.checked, policy=None, budgets={"fuel": budget},
                  input_sizes={"context": Size.of_text(TEXT)},
                  input_values={"context": TEXT} if known else None)


@pytest.mark.parametrize("known", [False, True])
def test_a_plugin_that_declares_pieces_is_bounded_as_tightly_as_split(known: bool) -> None:
    big = 10**12
    builtin = _verify("split", None, big, known).program
    declared = _verify("cells", _cells(Pieces(count="separator", by=1)), big, known).program
    plain = _verify("cells", _cells(None), big, known).program
    assert builtin is not None and declared is not None and plain is not None
    assert declared.fuel_bound == builtin.fuel_bound
    assert plain.fuel_bound > declared.fuel_bound
    # Under the declared bound as the budget, the plugin without a declaration is refused.
    ok = _verify("cells", _cells(Pieces(count="separator", by=1)), declared.fuel_bound, known)
    refused = _verify("cells", _cells(None), declared.fuel_bound, known)
    assert ok.ok
    assert [d.code for d in refused.diagnostics] == ["E_COST"]


def test_the_wrapper_refuses_a_result_its_declared_bound_does_not_admit() -> None:
    @tool(name="letters", result_bound=Pieces(count="separator", by=1))
    def letters(text: str, sep: str) -> list[str]:
        """Every character (more pieces than the separators allow)."""
        return list(text)

    spec: ToolSpec = letters.rlm_tool  # type: ignore[attr-defined]
    assert spec.impl is not None
    assert spec.impl("a", ",") == ["a"]  # one piece: within the bound
    with pytest.raises(ToolError, match="declared bound does not admit"):
        spec.impl("abc,d", ",")


def test_a_bad_declaration_is_refused_when_it_is_made() -> None:
    with pytest.raises(ValueError, match="Pieces count 'cells'"):
        Pieces(count="cells")


TEXTS = ["", "a", "a,b\nc,,d\r\n", "x y  z\n\nw", "one\ntwo\nthree\n", "p, q, r\n" * 5]

# Arguments (all of them, defaults included) for each builtin that declares a bound.
CASES: dict[str, list[tuple[object, ...]]] = {
    "len": [("abc",), ([1, 2],), ({"a": 1},), ("",)],
    "str": [(123,), (-45,), (0,)],
    "range": [(5,), (2, 7), (7, 2), (0,)],
    "lines": [(t,) for t in TEXTS],
    "split": [(t, s) for t in TEXTS for s in (",", "", ", ", "\n")],
    "split_max": [(t, s, m) for t in TEXTS for s in (",", "") for m in (-1, 1)],
    "rsplit": [(t, s, m) for t in TEXTS for s in (",", "") for m in (-1, 1)],
    "chunks": [(t, k) for t in TEXTS for k in (1, 3)],
    "words": [(t,) for t in TEXTS],
    "regex_findall": [(r"[a-z]+", t) for t in TEXTS],
    "find_lines": [(t, "o", "") for t in TEXTS],
    "column": [("name,n\nana,1\nbo,2\n", "name", ","), ("a b\nc d\n", 1, "")],
    "enumerate": [(["a", "b"], 0), ([1, 2, 3], 5), ([], 0)],
    "zip": [([1, 2, 3], ["a"]), (["x"], [2, 3])],
    "items": [({"a": 1, "bb": 2},), ({},)],
    "top_counts": [({"a": 3, "b": 1, "c": 2}, 2), ({"a": 3}, -1)],
    "str_format": [("{} of {}", 3, "eight"), ("{0}{0}{0} {{}}", 1.5), ("{:>99}|{:.2f}", "x", 2.0),
                   ("{1}: {0}", [1, 2], ["ab"]), ("{:,}", 10**18), ("", )],
    "max_by": [([["a", 1], ["bb", 3]], [1, 3]), (["x", "yy"], [2, 2])],
    "min_by": [([["a", 1], ["bb", 3]], [1, 3]), (["x", "yy"], [2, 2])],
    "max_of": [([3, 1, 2],), (["b", "a"],)],
    "min_of": [([3, 1, 2],), ([1.5],)],
    "max_or": [([3, 1, 2], 0), ([], -1)],
    "min_or": [([3, 1, 2], 0), ([], "none")],
}


def test_every_builtin_keeps_the_bound_it_declares() -> None:
    specs = {s.name: s for s in core_specs() if s.result_bound is not None}
    assert set(specs) == set(CASES), "a builtin declares a bound: add its cases here"
    for name, cases in CASES.items():
        spec = specs[name]
        assert spec.impl is not None
        for args in cases:
            value = spec.impl(*args)
            assert spec.result_bound.admits(list(args), value) is None, (name, args, value)


PAIRS_SCRIPT = """totals = {}
for line in lines(context):
    name = split(line, ",")[0]
    totals[name] = totals.get(name, 0) + 1
best = max(totals.items(), key=lambda kv: kv[1])
print(f"{best[0]}: {best[1]}")
submit(best[0])
"""


def test_the_item_max_picks_keeps_the_bounds_of_the_list_s_items() -> None:
    """`max(d.items(), key=...)` is one of the pairs, whose key is no longer than the
    dict's keys: printing it was refused as unbounded while the same script without the
    print was accepted (a key could have been any text as long as the input)."""
    text = "\n".join(f"{'abcde'[i % 5]}x,{i}" for i in range(3000))
    parsed = parse(PAIRS_SCRIPT).script
    assert parsed is not None
    cr = check(parsed, Env({"context": STR}, {}, STR, Registry(core_specs())))
    assert cr.checked is not None, cr.diagnostics
    got = verify(cr.checked, policy=None, budgets={"fuel": 10_000_000},
                 input_sizes={"context": Size.of_text(text)})
    assert got.ok, [d.message for d in got.diagnostics]
