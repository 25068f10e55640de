"""The VM: every construct, fuel, budgets, errors with positions, state, replay."""

from __future__ import annotations

import time

import pytest

from rlmlang.compiler import compile_source
from rlmlang.policy import Policy
from rlmlang.store import StateStore
from rlmlang.tools import core_specs
from rlmlang.tools.context import ToolContext
from rlmlang.tools.declare import const_fuel, scalar, tool
from rlmlang.tools.registry import Permission, Registry
from rlmlang.vm import run

REG = Registry(core_specs())


def go(src: str, inputs: dict | None = None, registry: Registry = REG, **kw):
    code = compile_source(src, registry)
    return run(code, registry=registry, inputs=inputs or {}, ctx=kw.pop("ctx", None) or
               ToolContext(), **kw)


def value(src: str, inputs: dict | None = None):
    r = go(src, inputs)
    assert r.status == "submitted", [d.render(src) for d in r.diagnostics]
    return r.value


# ------------------------------------------------------------------ constructs

@pytest.mark.parametrize("src, expected", [
    ("submit(1 + 2 * 3 - 4)", 3),
    ("submit(7 // 2 + 7 % 3)", 4),
    ("submit(7 / 2)", 3.5),
    ("submit(1 + 0.5)", 1.5),
    ("submit(-(3))", -3),
    ('submit("ab" + "cd")', "abcd"),
    ('submit("ab" * 3)', "ababab"),
    ("submit([1, 2] + [3])", [1, 2, 3]),
    ('submit({"a": 1, "b": [2]})', {"a": 1, "b": [2]}),
    ("submit(1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 and 1 != 2 and 1 == 1)", True),
    ('submit("b" in "abc" and not ("z" in "abc") and "z" not in "abc")', True),
    ("submit(2 in [1, 2] and 3 not in [1, 2])", True),
    ('submit("a" in {"a": 1})', True),
    ("submit(True or 1 // 0 == 0)", True),  # short-circuit: the division never runs
    ("submit(False and 1 // 0 == 0)", False),
    ('submit("hello"[1:3] + "hello"[:2] + "hello"[3:] + "hello"[-1])', "elheloo"),
    ("submit([1, 2, 3][1:])", [2, 3]),
    ("x = [1, 2, 3]\nx[0] = 9\nsubmit(x)", [9, 2, 3]),
    ('d = {"a": 1}\nd["b"] = 2\nd["a"] += 5\nsubmit(d)', {"a": 6, "b": 2}),
    ("x = 1\nx += 2\nx -= 1\nx *= 5\nsubmit(x)", 10),
    ("x = 5\nif x > 3:\n    y = 1\nelif x > 1:\n    y = 2\nelse:\n    y = 3\nsubmit(y)", 1),
    ("x = 2\nif x > 3:\n    y = 1\nelif x > 1:\n    y = 2\nelse:\n    y = 3\nsubmit(y)", 2),
    ("x = 0\nif x > 3:\n    y = 1\nelif x > 1:\n    y = 2\nelse:\n    y = 3\nsubmit(y)", 3),
    ("t = 0\nfor i in range(5):\n    t += i\nsubmit(t)", 10),
    ("t = 0\nfor i in range(2, 5):\n    t += i\nsubmit(t)", 9),
    ("t = []\nfor x in [3, 1]:\n    t = t + [x * 2]\nsubmit(t)", [6, 2]),
    ('t = ""\nfor k in {"a": 1, "b": 2}:\n    t = t + k\nsubmit(t)', "ab"),
    ('n = 0\nfor c in "banana":\n    if c == "a":\n        n += 1\nsubmit(n)', 3),
    ("i = 0\nwhile i < 10:\n    i += 3\nsubmit(i)", 12),
    ("t = 0\nfor i in range(10):\n    if i == 5:\n        break\n    if i % 2 == 0:\n"
     "        continue\n    t += i\nsubmit(t)", 4),
    ("i = 0\nwhile i < 10:\n    i += 1\n    if i == 4:\n        break\nsubmit(i)", 4),
    ("t = 0\nfor i in range(3):\n    for j in range(3):\n        if j == 1:\n"
     "            break\n        t += 1\nsubmit(t)", 3),
    ("def sq(x: int) -> int:\n    return x * x\nsubmit(sq(4) + sq(2))", 20),
    ("k = 10\ndef add(x: int) -> int:\n    y = x + k\n    return y\nsubmit(add(1))", 11),
    ("def f(a: int, b: int) -> int:\n    return a - b\nsubmit(f(5, b=2))", 3),
    ("def g(x: int) -> int:\n    return x + 1\ndef f(x: int) -> int:\n    return g(g(x))\n"
     "submit(f(1))", 3),
    ("def f(xs: list[int]) -> int:\n    for x in xs:\n        if x > 2:\n            return x\n"
     "    return -1\nsubmit(f([1, 5, 3]) + f([]))", 4),
    ('submit(len(lines("a\\nb")) + len(split("a,b,c", ",")))', 5),
    ('submit(join(["a", "b"], "-"))', "a-b"),
    ('submit("7" as int)', 7),
])
def test_constructs(src: str, expected: object) -> None:
    got = value(src)
    assert got == expected and type(got) is type(expected)


def test_inputs_and_print() -> None:
    r = go('print("n =", len(context))\nprint([1, "a"])\nsubmit(context)', {"context": "xyz"})
    assert r.status == "submitted" and r.value == "xyz"
    assert r.output == "n = 3\n[1, 'a']\n"


def test_fail_and_finished() -> None:
    r = go('fail("no data")')
    assert r.status == "failed" and r.value == "no data" and not r.diagnostics
    r = go("x = 1\nprint(x)")
    assert r.status == "finished" and r.output == "1\n"


def test_inputs_are_not_mutated() -> None:
    data = [1, 2]
    assert value("xs[0] = 5\nsubmit(xs)", {"xs": data}) == [5, 2]
    assert data == [1, 2]


# ------------------------------------------------------------------ runtime errors

@pytest.mark.parametrize("src, where, words", [
    ("x = [1, 2]\ny = x[5]", (2, 5), "index 5 is out of range for a list of 2 items"),
    ('d = {"a": 1}\ny = d["b"]', (2, 5), "key 'b' is not in the dict"),
    ("x = 0\ny = 3 // x", (2, 5), "division by zero"),
    ("x = 0\ny = 3 % x", (2, 5), "modulo by zero"),
    ('y = int("abc")', (1, 5), "'abc' is not a number"),
    ("x = 9223372036854775807\ny = x + 1", (2, 5), "integer overflow"),
    ('x = [1]\nx[3] = 1', (2, 1), "out of range"),
    ('y = "abc"[7]', (1, 5), "for a string of 3 characters"),
    ("def f(i: int) -> int:\n    return [1][i]\ny = f(3)", (2, 12), "(in f)"),
])
def test_runtime_errors_carry_positions(src: str, where: tuple[int, int], words: str) -> None:
    r = go(src)
    assert r.status == "error"
    (d,) = r.diagnostics
    assert d.code in ("E_RUNTIME", "E_TOOL")
    assert (d.span.line, d.span.col) == where
    assert words in d.message


@pytest.mark.parametrize("src, fix", [
    ('y = int("7297.")', "int(text.strip('.'))"),
    ('y = float("(12.5),")', "float(text.strip('(),'))"),
    ('y = int("seven")', "extract_int(text)"),
])
def test_a_number_in_punctuation_is_told_to_strip_it(src: str, fix: str) -> None:
    """Told to extract a number from "7297.", the 1.5B ran extract_number over the whole
    line and took the key's digits: the fix-it strips the punctuation instead."""
    (d,) = go(src).diagnostics
    assert "is not a number" in d.message and fix in (d.fix or "")


def test_cast_mismatch_is_an_error() -> None:
    r = go('x = "abc" as int')
    assert r.status == "error" and "is not a int" in r.diagnostics[0].message


# ------------------------------------------------------------------ fuel

LOOP = "t = 0\nfor i in range(200):\n    t = t + i * 2\nsubmit(t)"


def test_fuel_is_deterministic() -> None:
    a, b = go(LOOP), go(LOOP)
    assert a.value == b.value and a.fuel_used == b.fuel_used > 200 * 7


def test_fuel_counts_nodes_per_iteration() -> None:
    # The loop body's block: For 2 + Assign 1 + BinOp 1 + Name 1 + BinOp 1 + Name 1 +
    # Const 1 = 8 per iteration (the target `t` is a place, not charged); the
    # difference between 200 and 100 iterations is exactly 100 of those.
    small = go(LOOP.replace("200", "100"))
    assert go(LOOP).fuel_used - small.fuel_used == 100 * 8


def test_fuel_exhaustion() -> None:
    r = go("i = 0\nwhile i < 1000000:\n    i += 1", budgets={"fuel": 5000})
    assert r.status == "error"
    (d,) = r.diagnostics
    assert d.code == "E_FUEL" and d.span.line in (2, 3) and "5,000" in d.message
    assert r.fuel_used > 5000


def test_verifier_bug_is_reported_with_both_numbers() -> None:
    r = go(LOOP, fuel_bound=100)
    (d,) = r.diagnostics
    assert d.code == "E_VERIFIER_BUG"
    assert d.data["fuel_bound"] == 100 and d.data["fuel_used"] > 100
    assert "100" in d.message


def test_data_proportional_charges() -> None:
    short = go('s = "x" * 10\nt = s + s')
    long = go('s = "x" * 100000\nt = s + s')
    assert long.fuel_used - short.fuel_used >= 2 * (100000 // 64)


# ------------------------------------------------------------------ budgets

def test_output_truncated_and_recorded() -> None:
    r = go('for i in range(100):\n    print("0123456789")', budgets={"output_chars": 25})
    assert len(r.output) == 25 and r.output_truncated and r.output_dropped == 1100 - 25


def test_memory_bomb_is_refused_before_allocating() -> None:
    r = go('s = "ab" * 1000000000')
    assert r.status == "error" and r.diagnostics[0].code == "E_BUDGET"


def test_live_memory_is_measured() -> None:
    src = 's = "x" * 4096\nfor i in range(12):\n    s = s + s'
    r = go(src, budgets={"memory": 4_000_000})
    assert r.status == "error" and r.diagnostics[0].code == "E_BUDGET"
    assert go(src).status == "finished"


# ------------------------------------------------------------------ tools

def _effect_registry(calls: list, sleep: float = 0.0) -> Registry:
    def fetch(ctx, key):
        calls.append(key)
        if sleep:
            time.sleep(sleep)
        return f"value of {key}"

    spec = tool("kv.fetch", "key: str", "str", fetch, "Fetch a value.", cost=const_fuel(3),
                size=scalar(), effect=True, permission=Permission("net", "key"))
    return Registry([*core_specs(), spec])


def test_effect_tools_go_through_invoke_and_are_recorded() -> None:
    calls: list = []
    log: list = []
    reg = _effect_registry(calls)
    ctx = ToolContext(policy=Policy.from_rules(["net:*.example.com"]), recorder=log.append)
    src = 'a = kv.fetch("a.example.com")\nb = kv.fetch("b.example.com")\nsubmit(a + b)'
    r = go(src, registry=reg, ctx=ctx)
    assert r.status == "submitted" and r.tool_calls == 2 and calls == ["a.example.com",
                                                                      "b.example.com"]
    assert log == [{"tool": "kv.fetch", "args": ["a.example.com"], "kwargs": {},
                    "result": "value of a.example.com"},
                   {"tool": "kv.fetch", "args": ["b.example.com"], "kwargs": {},
                    "result": "value of b.example.com"}]
    # Replay: same result, same fuel, and the tool is never called.
    calls.clear()
    replayed = go(src, registry=reg, ctx=ToolContext(policy=ctx.policy, replay=iter(log)))
    assert calls == []
    assert (replayed.value, replayed.fuel_used) == (r.value, r.fuel_used)


def test_replay_divergence_is_an_error() -> None:
    reg = _effect_registry([])
    rec = [{"tool": "kv.fetch", "args": ["other.example.com"], "kwargs": {}, "result": "x"}]
    r = go('a = kv.fetch("a.example.com")', registry=reg,
           ctx=ToolContext(policy=Policy.from_rules(["net:*.example.com"]), replay=iter(rec)))
    assert r.status == "error" and "replay diverged" in r.diagnostics[0].message


def test_permission_is_checked_again_at_run_time() -> None:
    calls: list = []
    reg = _effect_registry(calls)
    ctx = ToolContext(policy=Policy.from_rules(["net:*.example.com"], ["net:evil.example.com"]))
    r = go('a = kv.fetch("evil.example.com")', registry=reg, ctx=ctx)
    assert r.status == "error" and r.diagnostics[0].code == "E_DENIED" and calls == []
    assert r.diagnostics[0].span.line == 1


def test_host_call_deadline() -> None:
    reg = _effect_registry([], sleep=1.0)
    ctx = ToolContext(policy=Policy.from_rules(["net:*"]), deadline_s=0.05)
    t0 = time.monotonic()
    r = go('a = kv.fetch("x.org")', registry=reg, ctx=ctx)
    assert time.monotonic() - t0 < 0.8
    assert r.status == "error" and "deadline" in r.diagnostics[0].message


def test_tool_call_budget() -> None:
    reg = _effect_registry([])
    ctx = ToolContext(policy=Policy.from_rules(["net:*"]))
    r = go('for i in range(5):\n    a = kv.fetch("x.org")', registry=reg, ctx=ctx,
           budgets={"tool_calls": 3})
    assert r.status == "error" and r.diagnostics[0].code == "E_BUDGET" and r.tool_calls == 3


# ------------------------------------------------------------------ state

@pytest.fixture
def store(tmp_path):
    s = StateStore(tmp_path / "s.db", {"n": "int", "tags": "list[str]"})
    yield s
    s.close()


def _with_state(store: StateStore, src: str):
    txn = store.begin({"test": True})
    grants = Policy.from_rules(["state.read:**", "state.write:**"])  # none: no key is granted
    r = go(src, ctx=ToolContext(state=txn, policy=grants))
    if r.status == "submitted":
        txn.commit()
    else:
        txn.rollback()
    return r


def test_state_commits_on_submit(store: StateStore) -> None:
    r = _with_state(store, 'state.n = 5\nstate.tags = ["a"]\nstate.n += 1\nsubmit(state.n)')
    assert r.value == 6 and r.state_writes == {"n": 6, "tags": ["a"]}
    assert store.snapshot() == {"n": 6, "tags": ["a"]}


def test_state_rolls_back_on_error(store: StateStore) -> None:
    _with_state(store, "state.n = 1\nsubmit(0)")
    r = _with_state(store, "state.n = 2\nx = [1][3]")
    assert r.status == "error" and store.snapshot() == {"n": 1}


def test_state_type_checked_on_write(store: StateStore) -> None:
    r = _with_state(store, 'state.n = "text"')
    assert r.status == "error" and r.diagnostics[0].code == "E_STATE"
    assert r.diagnostics[0].span.line == 1


def test_state_read_before_write_is_a_plain_error(store: StateStore) -> None:
    r = _with_state(store, "x = state.n")
    assert r.status == "error" and "state.n has no value yet" in r.diagnostics[0].message


def test_state_permission_rechecked(store: StateStore) -> None:
    txn = store.begin()
    r = go("state.n = 1", ctx=ToolContext(state=txn, policy=Policy.from_rules(["state.read:**"])))
    assert r.status == "error" and r.diagnostics[0].code == "E_PERMISSION"
