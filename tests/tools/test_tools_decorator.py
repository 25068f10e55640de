"""`@rlmlang.tool`: a Python tool from an annotated function, through the real pipeline.

The spec comes from the function (types, defaults, doc), the cost and the
result bound have defaults by argument size, the bound is enforced on every
call, and a declared permission makes the tool effectful: refused without the
grant (statically, by the verifier), recorded in the log's calls with it.
"""

from __future__ import annotations

from typing import Any

import pytest

import rlmlang
from rlmlang.pipeline import ScriptSetup, execute_script
from rlmlang.policy import Policy
from rlmlang.tools import default_registry
from rlmlang.tools.decorator import tools_of
from rlmlang.tools.registry import Registry, Size
from rlmlang.types import STR


@rlmlang.tool(name="demo.repeat", example='submit(demo.repeat("ab", 3))')
def repeat(text: str, times: int = 2) -> str:
    """The text, `times` times over.

    (Only the first paragraph is the doc.)"""
    return text * times


@rlmlang.tool(name="demo.lengths")
def lengths(words: list[str]) -> dict[str, int]:
    """How long each word is."""
    return {w: len(w) for w in words}


@rlmlang.tool(name="demo.liar")
def liar(text: str) -> int:
    """Says it returns an int, but does not."""
    return text  # type: ignore[return-value]


@rlmlang.tool(name="demo.bloat", max_result=10)
def bloat(text: str) -> str:
    """Returns more than it declares."""
    return text * 20


SEEN: list[str] = []


@rlmlang.tool(name="demo.lookup", permission="demo.read", resource="city")
def lookup(ctx: Any, city: str) -> str:
    """The (made-up) weather in a city."""
    SEEN.append(city)
    return f"sunny in {city}"


def _registry() -> Registry:
    reg = default_registry(include_host=False, include_plugins=False)
    for f in (repeat, lengths, liar, bloat, lookup):
        reg.add(f.rlm_tool)
    return reg


def _run(text: str, policy: Policy | None = None, **inputs: Any) -> Any:
    calls: list[dict[str, Any]] = []
    setup = ScriptSetup(registry=_registry(), inputs=inputs,
                        input_types=dict.fromkeys(inputs, STR), output=None, state=None,
                        policy=policy, recorder=calls.append)
    return execute_script(text, setup), calls


def test_the_spec_comes_from_the_function() -> None:
    spec = repeat.rlm_tool
    assert spec.signature() == "demo.repeat(text: str, times: int = 2) -> str"
    assert spec.doc == "The text, `times` times over."
    assert spec.permission is None and not spec.effect
    assert lengths.rlm_tool.signature() == "demo.lengths(words: list[str]) -> dict[str, int]"
    assert repeat("x", 3) == "xxx"  # still an ordinary function


def test_default_cost_and_bound_grow_with_the_arguments() -> None:
    spec = repeat.rlm_tool
    costs = [spec.cost([Size(n, 1), Size(1, 1)]) for n in (1, 1_000, 1_000_000)]
    assert costs == sorted(costs) and costs[0] >= 1 and costs[2] > costs[1] > 0
    assert spec.result_size([Size(50, 1), Size(1, 1)]).total == 50 + 1 + 1_000


def test_a_decorated_tool_runs_in_a_script() -> None:
    out, _ = _run('submit(demo.repeat("ab", 3) + str(demo.lengths(["a", "bcd"])["bcd"]))')
    assert (out.stage, out.value) == ("done", "ababab3")


def test_the_declared_result_is_enforced() -> None:
    out, _ = _run('print(demo.liar("x"))\nsubmit("no")')
    assert out.stage == "run" and out.diagnostics[0].code == "E_TOOL"
    assert "demo.liar returned str, not the int it declares" in out.diagnostics[0].message
    out, _ = _run('submit(demo.bloat("abc"))')
    assert out.stage == "run"
    assert "returned 60 characters and items, more than the 10 it declares" in \
        out.diagnostics[0].message


def test_a_declared_permission_is_required_and_the_call_recorded() -> None:
    SEEN.clear()
    refused, _ = _run('submit(demo.lookup("Lima"))', Policy.from_rules([]))
    assert refused.stage == "verify" and refused.diagnostics[0].code == "E_PERMISSION"
    assert SEEN == []
    out, calls = _run('submit(demo.lookup("Lima"))', Policy.from_rules(["demo.read:Lima"]))
    assert (out.stage, out.value, SEEN) == ("done", "sunny in Lima", ["Lima"])
    assert [(c["tool"], c["args"], c["result"]) for c in calls] == [
        ("demo.lookup", ["Lima"], "sunny in Lima")]
    other, _ = _run('submit(demo.lookup("Oslo"))', Policy.from_rules(["demo.read:Lima"]))
    assert other.stage == "verify" and other.diagnostics[0].code == "E_PERMISSION"


@pytest.mark.parametrize("make, message", [
    (lambda: rlmlang.tool(lambda x: x), "has no type annotation"),
    (lambda: rlmlang.tool(_no_result), "annotate the result type"),
    (lambda: rlmlang.tool(_set_param), "has no type in the language"),
    (lambda: rlmlang.tool(permission="demo.read", resource="nope")(_one), "not a parameter"),
    (lambda: rlmlang.tool(permission="fs.raed")(_one), "reserved"),
    (lambda: rlmlang.tool(_with_ctx), "only a tool with a permission takes ctx"),
])
def test_what_cannot_be_a_tool_says_why(make: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def _no_result(x: str):  # noqa: ANN202 - the missing annotation is the point
    return x


def _set_param(x: set[str]) -> str:
    return ""


def _one(city: str) -> str:
    return city


def _with_ctx(ctx: Any, city: str) -> str:
    return city


def test_a_module_of_decorated_functions() -> None:
    import sys

    names = [s.name for s in tools_of(sys.modules[__name__]) or []]
    assert names == ["demo.repeat", "demo.lengths", "demo.liar", "demo.bloat", "demo.lookup"]
