"""clock.now and llm.predict / llm.run: grants, hooks, recording and replay."""

from __future__ import annotations

import time
from typing import Any

import pytest
from tools_helpers import run_script, spec

from rlmlang.policy import Policy
from rlmlang.tools.context import ToolContext, ToolFailure, invoke
from rlmlang.tools.errors import ToolError
from rlmlang.types import STR, ListT


def test_clock_needs_its_grant_and_replays_exactly() -> None:
    s = spec("clock.now")
    with pytest.raises(ToolFailure) as e:
        invoke(ToolContext(policy=Policy.from_rules([], [], ".")), s, [])
    assert e.value.code == "E_PERMISSION"
    records: list[dict] = []
    c = ToolContext(policy=Policy.from_rules(["clock"], [], "."), recorder=records.append)
    t = invoke(c, s, [])
    assert abs(t - time.time()) < 5
    replay = ToolContext(policy=c.policy, replay=iter(records))
    time.sleep(0.01)
    assert invoke(replay, s, []) == t  # the recorded value, not the time now


class Hooks:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def predict(self, prompt: str, snippets: dict[str, str], as_type: Any) -> Any:
        self.calls.append((prompt, snippets, as_type))
        return ["red", "blue"] if as_type == ListT(STR) else "red"

    def run(self, task: str, inputs: dict[str, str]) -> Any:
        self.calls.append((task, inputs))
        return "done"


def test_llm_predict_delegates_with_snippets_and_cast() -> None:
    h = Hooks()
    c = ToolContext(policy=Policy.from_rules(["llm"], [], "."), llm=h.predict, llm_run=h.run)
    s = spec("llm.predict")
    assert invoke(c, s, ["What colour?"], {"text": "Ana bought a red car"}) == "red"
    assert h.calls[-1] == ("What colour?", {"text": "Ana bought a red car"}, None)
    assert invoke(c, s, ["Colours?"], {"text": "x"}, expect=ListT(STR)) == ["red", "blue"]
    assert h.calls[-1][2] == ListT(STR)
    assert invoke(c, spec("llm.run"), ["Sum up."], {"text": "x"}) == "done"
    assert s.extra["castable"] and s.varkw == STR


def test_llm_refusals() -> None:
    h = Hooks()
    s = spec("llm.predict")
    with pytest.raises(ToolFailure) as e:
        invoke(ToolContext(policy=Policy.from_rules([], [], "."), llm=h.predict), s, ["q"])
    assert e.value.code == "E_PERMISSION" and not h.calls
    with pytest.raises(ToolError, match="no model"):
        s.impl(ToolContext(), "q")
    with pytest.raises(ToolError, match="must be a str"):
        s.impl(ToolContext(llm=h.predict), "q", text=3)
    with pytest.raises(ToolError, match="short snippet"):
        s.impl(ToolContext(llm=h.predict), "q", text="x" * 100_000)


def test_llm_predict_in_a_script() -> None:
    h = Hooks()
    r = run_script('line = find_line(context, "Ana bought")\n'
                   'submit(llm.predict("What colour is the car?", text=line))',
                   inputs={"context": "Bo sold a bike.\nAna bought a red car.\n"},
                   policy=Policy.from_rules(["llm"], [], "."), llm=h.predict)
    assert r.status == "submitted" and r.value == "red"
    assert h.calls == [("What colour is the car?", {"text": "Ana bought a red car."}, None)]
