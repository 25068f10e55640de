"""Limits and the policy a run gets when none is given.

One `Limits` value, resolved once from defaults, profile, policy file and flags, each
budget with its scope in its name; one parser for `--budget NAME=N` in every command;
and `Policy.deny_all()` for a run given no policy, refusing the same way at the door,
inside the file and HTTP tools, and for state keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeModel
from rlm_cli import rlm

from rlmlang.controller.loop import Runtime
from rlmlang.diagnostics import DiagnosticError
from rlmlang.limits import NAMES, Limits, parse_budget_flags
from rlmlang.paths import PermissionDenied
from rlmlang.pipeline import ScriptSetup, execute_script
from rlmlang.policy import Policy, PolicyError
from rlmlang.store import StateStore
from rlmlang.tools import default_registry
from rlmlang.tools.context import ToolContext, ToolFailure, check_permission
from rlmlang.types import INT, STR

# ------------------------------------------------------------------ Limits


def test_llm_calls_sets_both_scopes_and_the_scoped_names_one_each() -> None:
    both = Limits.resolve({"llm_calls": 7})
    assert (both.llm_calls_per_script, both.llm_calls_per_run) == (7, 7)
    # within one layer the scoped name wins over llm_calls, whatever the order written
    one = Limits.resolve({"llm_calls_per_script": 2, "llm_calls": 9})
    assert (one.llm_calls_per_script, one.llm_calls_per_run) == (2, 9)


def test_layers_apply_in_order_over_the_defaults() -> None:
    profile, policy_file, flags = {"candidates": 2, "tokens": 8000}, {"candidates": 3}, \
        {"iterations": 5}
    got = Limits.resolve(profile, policy_file, flags)
    assert (got.candidates_per_round, got.tokens_per_run, got.iterations_per_run) == (3, 8000, 5)
    assert got.fuel_per_script == Limits().fuel_per_script


def test_the_record_round_trips_and_old_records_still_read() -> None:
    limits = Limits.resolve({"llm_calls_per_script": 3, "llm_calls_per_run": 11, "fuel": 99})
    record = limits.to_record()
    assert record["llm_calls"] == 11 and record["llm_calls_per_script"] == 3  # per run, as before
    assert Limits.resolve(record) == limits
    # a log written before the two scopes had names: llm_calls meant both
    old = {"fuel": 10, "tool_calls": 5, "llm_calls": 4, "memory": 1000, "output_chars": 10,
           "iterations": 2, "candidates": 1, "tokens": 100, "depth": 2, "seconds": 60,
           "script_tokens": 50}
    got = Limits.resolve(old)
    assert (got.llm_calls_per_script, got.llm_calls_per_run, got.fuel_per_script) == (4, 4, 10)
    assert set(NAMES) >= set(record)


@pytest.mark.parametrize("flag,problem", [
    ("speed=3", "unknown budget 'speed'"),
    ("iterations", "unknown budget 'iterations'"),
    ("fuel=lots", "--budget fuel needs a whole number, not 'lots'"),
    ("fuel=-1", "--budget fuel cannot be negative"),
])
def test_a_bad_budget_is_e_usage_naming_every_budget(flag: str, problem: str) -> None:
    with pytest.raises(DiagnosticError) as e:
        parse_budget_flags([flag])
    d = e.value.diagnostics[0]
    assert d.code == "E_USAGE" and problem in d.message
    assert all(name in d.message for name in NAMES)


def test_run_and_exec_read_budgets_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "s.rlm").write_text("submit(1)\n")
    ex = rlm("exec", "s.rlm", "--budget", "fuel=-2", cwd=tmp_path)
    run = rlm("run", "what?", "--budget", "fuel=-2", cwd=tmp_path, scripts=["submit(1)"])
    assert ex.returncode == run.returncode == 2
    line = "--budget fuel cannot be negative (the budgets are " + ", ".join(NAMES) + ")"
    assert line in ex.stderr and line in run.stderr


def test_a_policy_file_budget_must_be_a_known_name(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text("[budget]\nfeul = 5\n")
    with pytest.raises(PolicyError) as e:
        Policy.from_toml(f)
    assert e.value.diagnostic.code == "E_USAGE"
    assert "[budget]: unknown budget 'feul'" in e.value.diagnostic.message


def test_llm_calls_per_script_reaches_the_verifier_and_per_run_does_not(tmp_path: Path) -> None:
    script = 'a = llm.predict("q", text="x")\nb = llm.predict("q", text="y")\nsubmit(a + b)\n'
    grants = Policy.from_rules(["llm"], [], tmp_path)

    def judged(**budgets: int) -> str:
        setup = ScriptSetup(registry=default_registry(), inputs={}, input_types={},
                            output=STR, state=None, policy=grants,
                            budgets=Limits.resolve(budgets), root=tmp_path)
        return execute_script(script, setup, until="verify").stage

    assert judged(llm_calls_per_script=1) == "verify"  # rejected: E_COST, 2 calls > 1
    assert judged(llm_calls_per_run=1) != "verify"


def test_a_run_records_its_limits_by_name(tmp_path: Path) -> None:
    rt = Runtime(FakeModel(["submit(1)"]), grammar=False, log_path=tmp_path / "run.log",
                 budgets={"candidates": 1, "llm_calls_per_script": 3})
    assert rt.limits.llm_calls_per_script == 3 and rt.limits.llm_calls_per_run == 20
    rt.run("question: str -> answer: int", "one?")
    start = json.loads((tmp_path / "run.log").read_text().splitlines()[0])["data"]
    assert start["budgets"] == rt.limits.to_record()
    assert start["policy"] == Policy.deny_all(Path.cwd()).to_json()  # none given: deny-all


# ------------------------------------------------------------------ no policy given


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("secret")
    return tmp_path


@pytest.mark.parametrize("tool,args", [
    ("fs.read", ["data/a.txt"]),
    ("fs.write", ["data/b.txt", "x"]),
    ("fs.list", ["data"]),
    ("http.get", ["http://127.0.0.1:9/x"]),
])
def test_no_policy_refuses_alike_at_the_door_and_inside_the_tool(files: Path, tool: str,
                                                                 args: list[str]) -> None:
    spec = default_registry().get(tool)
    ctx = ToolContext(root=files)  # no policy given
    with pytest.raises(ToolFailure) as door:
        check_permission(ctx, spec, args, {})
    with pytest.raises(PermissionDenied) as inside:
        spec.impl(ctx, *args)
    d = inside.value.diagnostics[0]
    assert door.value.code == d.code == "E_PERMISSION"
    assert door.value.message.startswith(f"{tool}: {d.message}")
    assert not (files / "data" / "b.txt").exists()


def test_no_policy_refuses_state_keys_and_file_reads_when_a_script_runs(files: Path) -> None:
    store = StateStore(files / "s.db", {"n": "int"})
    try:
        setup = ScriptSetup(registry=default_registry(), inputs={}, input_types={},
                            output=INT, state=store, root=files)
        assert setup.policy == Policy.deny_all(files)
        wrote = execute_script("state.n = 1\nsubmit(1)\n", setup)
        assert wrote.stage == "run" and wrote.diagnostics[0].code == "E_PERMISSION"
        assert "writing state.n" in wrote.diagnostics[0].message
        read = execute_script('submit(len(fs.read("data/a.txt")))\n', setup)
        assert read.stage == "verify" and read.diagnostics[0].code == "E_PERMISSION"
        assert "no fs.read grant" in read.diagnostics[0].message
    finally:
        store.close()


def test_the_python_api_refuses_a_misspelt_budget() -> None:
    with pytest.raises(DiagnosticError) as e:
        Runtime(FakeModel(["submit(1)"]), grammar=False, budgets={"candiates": 1})
    assert e.value.diagnostics[0].code == "E_USAGE"
    assert "Runtime(budgets=...): unknown budget 'candiates'" in e.value.diagnostics[0].message
