"""The fast tier against the interpreter: identical RunResults on every program we have.

The interpreter (tier="interp") is the reference. Every program of the VM
tests, the verifier's accept corpus and hypothesis-generated programs (many
of them ill-typed on purpose: compile_source does not type-check, so the
error paths run too) is run on both tiers, whole and with fuel and memory
budgets that stop it part-way, and the results must match field by field.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlmlang.compiler import compile_program, compile_source
from rlmlang.compiler.bytecode import OP, Bytecode, Function
from rlmlang.compiler.validate import validate
from rlmlang.policy import Policy
from rlmlang.store import StateStore
from rlmlang.tools import core_specs
from rlmlang.tools.context import ToolContext
from rlmlang.tools.registry import Registry
from rlmlang.vm import fast, run
from rlmlang.vm.errors import OP_FAILURES
from rlmlang.vm.machine import UNSET

sys.path.insert(0, str(Path(__file__).parent / "verify"))
import test_vm  # noqa: E402  (its programs are part of the corpus)
from harness import ACCEPT_DIR, chunks, parse_header, registry, run_text  # noqa: E402

REG = Registry(core_specs())


class _Result(dict):
    """A RunResult's fields; equal when their reprs are (values may be cyclic: d[k] = d)."""

    def __eq__(self, other: object) -> bool:
        return repr(self) == repr(other)

    __hash__ = None  # type: ignore[assignment]


def result_of(r: Any) -> dict[str, Any]:
    d = _Result(r.to_json())
    d["value_type"] = type(r.value).__name__
    return d


def both(code: Bytecode, reg: Registry = REG, inputs: dict | None = None,
         ctx_factory: Any = ToolContext, **kw: Any) -> tuple[dict, dict]:
    a = run(code, registry=reg, inputs=dict(inputs or {}), ctx=ctx_factory(), tier="interp",
            **kw)
    b = run(code, registry=reg, inputs=dict(inputs or {}), ctx=ctx_factory(), tier="fast", **kw)
    return result_of(a), result_of(b)


def translated(code: Bytecode, reg: Registry, inputs: dict) -> bool:
    entry = tuple(fast._tag(inputs[n]) if n in inputs else "U" for n in code.globals)
    return fast.translate(code, entry, fast.tool_kinds(code, reg)) is not None


def check_same(code: Bytecode, reg: Registry = REG, inputs: dict | None = None,
               ctx_factory: Any = ToolContext, cuts: int = 6, seed: int = 0) -> dict:
    """Both tiers agree on the whole run and on runs stopped by the fuel budget."""
    a, b = both(code, reg, inputs, ctx_factory, budgets={"fuel": 10**9})
    assert a == b, code.disassemble()
    used = a["fuel_used"]
    rng = random.Random(seed)
    points = {0, 1, max(used - 1, 0), used} | {rng.randint(0, max(used, 1)) for _ in range(cuts)}
    for limit in sorted(points):
        x, y = both(code, reg, inputs, ctx_factory, budgets={"fuel": limit})
        assert x == y, (limit, code.disassemble())
        x, y = both(code, reg, inputs, ctx_factory, fuel_bound=limit)
        assert x == y, (limit, code.disassemble())
    return a


# ------------------------------------------------------------------ the VM tests' programs

def _vm_programs() -> list[str]:
    out = []
    for fn in (test_vm.test_constructs, test_vm.test_runtime_errors_carry_positions):
        for mark in fn.pytestmark:
            if mark.name == "parametrize":
                out.extend(case[0] for case in mark.args[1])
    return out + [test_vm.LOOP, 'x = "abc" as int', 'fail("no data")', "x = 1\nprint(x)",
                  'for i in range(100):\n    print("0123456789")',
                  'print("n =", len(context))\nprint([1, "a"])\nsubmit(context)',
                  "i = 0\nwhile i < 3000:\n    i += 1"]


@pytest.mark.parametrize("src", _vm_programs())
def test_vm_programs(src: str) -> None:
    code = compile_source(src, REG)
    inputs = {"context": "xyz\nab", "xs": [1, 2]}
    assert translated(code, REG, {k: v for k, v in inputs.items() if k in code.globals})
    check_same(code, REG, inputs)


def test_budgets_stop_both_tiers_alike() -> None:
    cases = [('for i in range(100):\n    print("0123456789")', {"output_chars": 25}),
             ('s = "ab" * 1000000000', {}),
             ('s = "x" * 4096\nfor i in range(12):\n    s = s + s', {"memory": 4_000_000}),
             ('s = "x" * 4096\nxs = []\nfor i in range(300):\n    xs = xs + [s + "y"]\n'
              '    t = join(xs, "")', {"memory": 3_000_000})]
    for src, budgets in cases:
        code = compile_source(src, REG)
        a, b = both(code, budgets=budgets)
        assert a == b
    a, b = both(compile_source(cases[2][0], REG), budgets={"memory": 4_000_000})
    assert a["status"] == "error" and a["memory_peak"] > 0


# Scripts that stop with an error, one or more for each kind of failure, with the code
# and the message both tiers must give (the texts of vm/errors.py's OP_FAILURES and explain).
FAILING: list[tuple[str, dict[str, Any], str, str]] = [
    ("x = 0\nsubmit(1 // x)", {}, "E_RUNTIME", "division by zero"),
    ("x = 0\nsubmit(1 / x)", {}, "E_RUNTIME", "division by zero"),
    ("x = 0\nsubmit(7 % x)", {}, "E_RUNTIME", "modulo by zero"),
    ("xs = [1, 2]\nsubmit(xs[5])", {}, "E_RUNTIME",
     "index 5 is out of range for a list of 2 items"),
    ('s = "a"\nsubmit(s[3])', {}, "E_RUNTIME",
     "index 3 is out of range for a string of 1 character"),
    ('d = {"a": 1}\nsubmit(d["b"])', {}, "E_RUNTIME", "key 'b' is not in the dict (it has 'a')"),
    ('d = {"a": 1}\nd["a"] = 2\nxs = [1]\nxs[4] = 0', {}, "E_RUNTIME",
     "index 4 is out of range for a list of 1 item"),
    ('s = "ab"\ns[0] = "x"', {}, "E_RUNTIME",
     "strings cannot be changed in place; build a new string instead"),
    ('x = "a" + 1', {}, "E_RUNTIME", "cannot apply '+' to a str and a int"),
    ('x = [1] < "a"', {}, "E_RUNTIME", "cannot apply '<' to a list and a str"),
    ("x = 9223372036854775807\ny = x + 1", {}, "E_RUNTIME",
     "integer overflow: 9223372036854775808 does not fit in 64 bits"),
    ("x = 9223372036854775807\nx += 1", {}, "E_RUNTIME",
     "integer overflow: 9223372036854775808 does not fit in 64 bits"),
    ("x = 4294967296\ny = x * x", {}, "E_RUNTIME",
     "integer overflow: 18446744073709551616 does not fit in 64 bits"),
    ("x = -9223372036854775807 - 1\ny = -x", {}, "E_RUNTIME", "integer overflow in negation"),
    ("def f(a: int) -> int:\n    return -a\nsubmit(f(-9223372036854775807 - 1))", {},
     "E_RUNTIME", "integer overflow in negation (in f)"),
    ("if len(xs) > 5:\n    y = 1\nsubmit(y)", {}, "E_RUNTIME",
     "'y' is used before it is given a value"),
    ("def f(a: int) -> int:\n    if a > 5:\n        b = 1\n    return b\nsubmit(f(1))", {},
     "E_RUNTIME", "'b' is used before it is given a value (in f)"),
    ("n = 5\nfor c in n:\n    pass", {}, "E_RUNTIME", "cannot loop over a int"),
    ("def f(a: int) -> int:\n    return 10 // a\nsubmit(f(0))", {}, "E_RUNTIME",
     "division by zero (in f)"),
    ('x = "abc" as int', {}, "E_RUNTIME", "the value 'abc' is not a int"),
    ("x = state.n", {}, "E_STATE", "the script uses state.n but no state store is open"),
    ("x = state.n + 1", {"state": {"n": "int"}}, "E_RUNTIME", "state.n has no value yet"),
    ("i = 0\nwhile i < 100000:\n    i += 1", {"budgets": {"fuel": 1000}}, "E_FUEL",
     "the script ran out of fuel: it needed more than the budget of 1,000"),
    ("i = 0\nwhile i < 100000:\n    i += 1", {"fuel_bound": 500}, "E_VERIFIER_BUG",
     "the script needed more than 500 fuel"),
    ('s = "ab" * 1000000000', {}, "E_BUDGET", "repeating a str of 2 items 1,000,000,000 times"),
]


@pytest.mark.parametrize("src,kw,code,message", FAILING, ids=[f[3][:40] for f in FAILING])
def test_failing_scripts_give_identical_diagnostics(src: str, kw: dict[str, Any], code: str,
                                                     message: str, tmp_path: Path) -> None:
    prog = compile_source(src, REG)
    inputs = {"xs": [1, 2]} if "xs" in prog.globals else {}
    assert translated(prog, REG, inputs)  # the fast tier really runs it, no fallback
    kw = dict(kw)
    store = StateStore(tmp_path / "s.db", kw.pop("state")) if "state" in kw else None
    txns: list[Any] = []
    if store is not None:
        kw["ctx_factory"] = lambda: ToolContext(state=txns.append(store.begin()) or txns[-1],
                                                policy=STATE_GRANTS)
    try:
        a, b = both(prog, inputs=inputs, **kw)
    finally:
        for t in txns:
            t.rollback()
        if store is not None:
            store.close()
    assert a == b
    assert a["status"] == "error" and len(a["diagnostics"]) == 1
    d = a["diagnostics"][0]
    assert d["code"] == code and d["message"].startswith(message), d
    assert d["line"] > 0


def test_every_opcode_failure_is_in_the_corpus() -> None:
    messages = [f[3] for f in FAILING]
    for op, failure in OP_FAILURES.items():
        pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(failure.message))
        assert any(re.match(pattern, m) for m in messages), (op, failure.message)


def test_inputs_are_not_mutated_and_aliasing_is_kept() -> None:
    inner = [1]
    data = {"a": inner, "b": inner}
    code = compile_source('x = d["a"]\nx[0] = 5\nsubmit(d["b"])', REG)
    a, b = both(code, inputs={"d": data})
    assert a == b and a["value"] == [5] and data == {"a": [1], "b": [1]}


# ------------------------------------------------------------------ effects and state

def _effect_registry(calls: list) -> Registry:
    return test_vm._effect_registry(calls)


def test_effects_replay_and_permissions() -> None:
    calls: list = []
    reg = _effect_registry(calls)
    pol = Policy.from_rules(["net:*.example.com"], ["net:evil.example.com"])
    for src in ['a = kv.fetch("a.example.com")\nb = kv.fetch("b.example.com")\nsubmit(a + b)',
                'a = kv.fetch("evil.example.com")',
                'for i in range(5):\n    a = kv.fetch("x.example.com")\nsubmit(a)']:
        code = compile_source(src, reg)
        logs: list[list] = [[], []]
        res = []
        for tier, log in zip(("interp", "fast"), logs, strict=True):
            r = run(code, registry=reg, ctx=ToolContext(policy=pol, recorder=log.append),
                    budgets={"tool_calls": 3}, tier=tier)
            res.append(result_of(r))
        assert res[0] == res[1] and logs[0] == logs[1]
        replayed = [result_of(run(code, registry=reg, tier=tier, budgets={"tool_calls": 3},
                                  ctx=ToolContext(policy=pol, replay=iter(logs[0]))))
                    for tier in ("interp", "fast")]
        assert replayed[0] == replayed[1]


STATE_GRANTS = Policy.from_rules(["state.read:**", "state.write:**"])  # none: no key is granted


def test_state_reads_writes_and_refusals(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.db", {"n": "int", "tags": "list[str]"})
    try:
        for src in ['state.n = 5\nstate.tags = ["a"]\nstate.n += 1\nsubmit(state.n)',
                    'state.n = "text"', "x = state.tags", "state.n = 2\nx = [1][3]"]:
            code = compile_source(src, REG)
            out = []
            for tier in ("interp", "fast"):
                txn = store.begin()
                r = run(code, registry=REG, ctx=ToolContext(state=txn, policy=STATE_GRANTS),
                        tier=tier)
                txn.rollback()
                out.append(result_of(r))
            assert out[0] == out[1]
        txn = store.begin()
        pol = Policy.from_rules(["state.read:**"])
        code = compile_source("state.n = 1", REG)
        a, b = (result_of(run(code, registry=REG, ctx=ToolContext(state=txn, policy=pol),
                              tier=t)) for t in ("interp", "fast"))
        txn.rollback()
        assert a == b and a["diagnostics"][0]["code"] == "E_PERMISSION"
    finally:
        store.close()


# ------------------------------------------------------------------ the verifier's corpus

HOST = ("fs.", "net.", "llm.")


def _corpus() -> list[tuple[str, str]]:
    return [(f"{p.name}:{start}", text) for p in sorted(ACCEPT_DIR.glob("*.rlm"))
            for start, text in chunks(p)]


CORPUS = _corpus()


@pytest.mark.parametrize("name,text", CORPUS, ids=[c[0] for c in CORPUS])
def test_accept_corpus(name: str, text: str, tmp_path: Path) -> None:
    setup = parse_header(text)
    rng = random.Random(name)
    values: dict[str, Any] = {k: "".join(rng.choice("ab,x \nHanoi0123456789:ERROR")
                                         for _ in range(min(setup.sizes.get(k, 50), 3000)))
                              for k, t in setup.inputs.items() if t == "str"}
    setup.sizes = {k: len(v) for k, v in values.items()} | {
        k: v for k, v in setup.sizes.items() if k not in values}
    values.update(setup.values)
    out = run_text(text, setup, file=name)
    # A case the verifier refuses today is still a program both tiers must agree on.
    prog = out.verify.program if out.verify and out.verify.program else out.check.checked
    assert prog is not None, [d.message for d in out.diagnostics]
    code = compile_program(prog, registry())
    assert translated(code, registry(), {k: v for k, v in values.items() if k in code.globals})
    store = StateStore(tmp_path / "s.db", setup.state)
    pol = Policy.from_rules(setup.allow, setup.deny, root=str(tmp_path))
    txns: list[Any] = []

    def ctx() -> ToolContext:
        txns.append(store.begin())
        return ToolContext(policy=pol, root=tmp_path, state=txns[-1])

    try:
        check_same(code, registry(), values, ctx, cuts=3, seed=len(text))
    finally:
        for t in txns:
            if t.active if hasattr(t, "active") else True:
                try:
                    t.rollback()
                except Exception:  # noqa: BLE001 (already closed)
                    pass
        store.close()


# ------------------------------------------------------------------ generated programs

_ATOMS = ["a", "b", "n", "s", "xs", "d", "0", "1", "7", "-3", "2.5", '"ab"', '"b"', "True",
          "None", "[1, 2]", '{"k": 1}', "9223372036854775807"]
_BIN = ["+", "-", "*", "//", "%", "/", "==", "!=", "<", "<=", ">", ">=", "in", "not in",
        "and", "or"]


@st.composite
def exprs(draw: Any, depth: int = 0) -> str:
    k = draw(st.integers(0, 7 if depth < 2 else 0))
    if k <= 2:
        return draw(st.sampled_from(_ATOMS))
    if k <= 4:
        return f"({draw(exprs(depth + 1))} {draw(st.sampled_from(_BIN))} {draw(exprs(depth + 1))})"
    if k == 5:
        return draw(st.sampled_from(["not ", "-"])) + f"({draw(exprs(depth + 1))})"
    if k == 6:
        return f"{draw(st.sampled_from(['xs', 's', 'd']))}[{draw(exprs(depth + 1))}]"
    return draw(st.sampled_from([f"len({draw(exprs(depth + 1))})", f"f({draw(exprs(depth + 1))})",
                                 f"s[{draw(st.integers(-2, 3))}:]", "xs[:2]",
                                 f"str({draw(exprs(depth + 1))})"]))


@st.composite
def stmts(draw: Any, depth: int = 0, in_loop: bool = False) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, 13 if depth < 2 else 6))
        if k <= 3:
            out.append(f"{draw(st.sampled_from(['a', 'b', 'n', 's', 'xs', 'd']))} = "
                       f"{draw(exprs())}")
        elif k == 4:
            out.append(f"{draw(st.sampled_from(['a', 'n', 's']))} += {draw(exprs())}")
        elif k == 5:
            out.append(f"{draw(st.sampled_from(['xs', 'd']))}[{draw(exprs())}] = {draw(exprs())}")
        elif k == 6:
            out.append(draw(st.sampled_from(
                ["print(a, s)", f"print({draw(exprs())})",
                 "break" if in_loop else "pass", "continue" if in_loop else "pass",
                 f"submit({draw(exprs())})", 'fail("stop")', "xs = xs + [n]", "s = s * 3"])))
        else:
            body = draw(stmts(depth + 1, in_loop or k in (7, 8, 9)))
            ind = "\n".join("    " + line for s in body for line in s.split("\n"))
            if k == 7:
                head = f"for i in range({draw(st.sampled_from(['3', 'n', '-1', 'a']))}):"
            elif k == 8:
                head = f"for w in {draw(st.sampled_from(['xs', 's', 'd', 'a']))}:"
            elif k == 9:
                out.append(f"c = {draw(st.integers(0, 4))}\nwhile c > 0:\n    c = c - 1\n{ind}")
                continue
            elif k == 10:
                head = f"if {draw(exprs())}:"
            elif k == 11:
                other = "\n".join("    " + line for s in draw(stmts(depth + 1, in_loop))
                                  for line in s.split("\n"))
                out.append(f"if {draw(exprs())}:\n{ind}\nelif {draw(exprs())}:\n{other}\n"
                           f"else:\n    n = n + 1")
                continue
            else:
                head = f"if {draw(exprs())}:"
                out.append(f"{head}\n{ind}\nelse:\n    pass")
                continue
            out.append(f"{head}\n{ind}")
    return out


PRELUDE = ('def f(x: int) -> int:\n    if x > 3:\n        return x - 1\n    y = g(x)\n'
           '    return y * 2\n'
           'def g(x: int) -> int:\n    t = 0\n    for q in range(2):\n        t = t + x\n'
           '    return t + k\n'
           'a = 1\nb = 2\nn = 3\ns = "a1b"\nxs = [0, 1]\nd = {"k": 2}\nk = 1\n')


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(stmts(), st.booleans())
def test_generated_programs(body: list[str], ends: bool) -> None:
    src = PRELUDE + "\n".join(body) + ("\nsubmit([a, b, n, s, xs, d])\n" if ends else "\n")
    try:
        code = compile_source(src, REG)
    except Exception:  # noqa: BLE001 (the generator can write what the compiler refuses)
        return
    assert translated(code, REG, {})
    check_same(code, REG, {}, cuts=3, seed=len(src))
    both(code, budgets={"memory": 20_000, "output_chars": 10})


_INT_ATOMS = ["a", "b", "n", "0", "1", "2", "7", "-3", "len(s)", "len(xs)", "f(a)", "g(n)"]
_INT_OPS = ["+", "-", "*", "//", "%", "+", "-", "<", "==", ">="]


@st.composite
def int_exprs(draw: Any, depth: int = 0) -> str:
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(_INT_ATOMS))
    op = draw(st.sampled_from(_INT_OPS))
    left, right = draw(int_exprs(depth + 1)), draw(int_exprs(depth + 1))
    if op in ("<", "==", ">="):  # keep the value an int: a comparison picks one of two
        return f"len(xs[({left} {op} {right}) + 0:])"
    return f"({left} {op} {right})"


@st.composite
def int_stmts(draw: Any, depth: int = 0, in_loop: bool = False) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, 9 if depth < 3 else 4))
        if k <= 2:
            out.append(f"{draw(st.sampled_from(['a', 'b', 'n']))} = {draw(int_exprs())} % 1000")
        elif k == 3:
            out.append(draw(st.sampled_from(
                ["xs = xs + [a]", "s = s + str(n)", "d[str(a % 3)] = b", "print(a, b, n)",
                 "break" if in_loop else "n += 1", "continue" if in_loop else "a += 1"])))
        elif k == 4:
            out.append(f"if {draw(int_exprs())} > {draw(int_exprs())} and a != b:\n"
                       f"    submit(a)" if draw(st.integers(0, 5)) == 0 else "b = b + 1")
        else:
            body = draw(int_stmts(depth + 1, in_loop or k in (5, 6, 7)))
            ind = "\n".join("    " + line for x in body for line in x.split("\n"))
            if k == 5:
                out.append(f"for i in range({draw(st.integers(0, 5))}):\n{ind}")
            elif k == 6:
                out.append(f"for w in xs[:4]:\n    a = a + w % 5\n{ind}")
            elif k == 7:
                out.append(f"c = {draw(st.integers(0, 4))}\nwhile c > 0 or a < 0:\n"
                           f"    c = c - 1\n    a = abs(a)\n{ind}")
            else:
                other = "\n".join("    " + line for x in draw(int_stmts(depth + 1, in_loop))
                                  for line in x.split("\n"))
                out.append(f"if {draw(int_exprs())} >= {draw(int_exprs())} or not (a in xs):\n"
                           f"{ind}\nelse:\n{other}")
    return out


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(int_stmts())
def test_generated_int_programs(body: list[str]) -> None:
    src = PRELUDE + "\n".join(body) + "\nsubmit([a, b, n, len(s), len(xs), d])\n"
    code = compile_source(src, REG)
    assert translated(code, REG, {})
    check_same(code, REG, {}, cuts=4, seed=len(src))


def test_memory_is_measured_alike_inside_defs() -> None:
    src = ('def grow(t: str, k: int) -> str:\n    u = t\n    for i in range(k):\n'
           '        u = u + t\n    return u\n'
           'big = "y" * 5000\nparts = []\nfor j in range(40):\n'
           '    parts = parts + [len((big + "z") + grow(big, j))]\nsubmit(parts)')
    code = compile_source(src, REG)
    assert translated(code, REG, {})
    statuses = set()
    for budget in (300_000, 400_000, 2_000_000, 10**9):
        a, b = both(code, budgets={"memory": budget})
        assert a == b
        assert a["memory_peak"] > 0
        statuses.add(a["status"])
    assert statuses == {"error", "submitted"}


# ------------------------------------------------------------------ the fallback

def test_unstructured_bytecode_runs_on_the_interpreter() -> None:
    # Valid bytecode our compiler never writes: a jump out of a then-part into the
    # middle of the code after the if.
    code = [(OP["FUEL"], 3, 0), (OP["CONST"], 2, 0), (OP["JUMP_IF_FALSE"], 5, 0),
            (OP["JUMP"], 6, 0), (OP["NOP"], 0, 0), (OP["NOP"], 0, 0), (OP["CONST"], 1, 0),
            (OP["SUBMIT"], 0, 0)]
    fn = Function("<script>", 0, 0, 1, code, [(1, 1)] * len(code), [], [])
    prog = Bytecode([fn], [1, 2, False], [], [], [])
    assert validate(prog) == []
    assert fast.translate(prog, (), ()) is None
    a, b = both(prog)
    assert a == b and a["status"] == "submitted" and a["value"] == 2


def test_def_assigning_a_global_runs_on_the_interpreter() -> None:
    main = [(OP["FUEL"], 1, 0), (OP["CONST"], 0, 0), (OP["STORE_LOCAL"], 0, 0),
            (OP["CALL_FUNC"], 1, 0), (OP["POP"], 0, 0), (OP["LOAD_LOCAL"], 0, 0),
            (OP["SUBMIT"], 0, 0)]
    setter = [(OP["FUEL"], 1, 0), (OP["CONST"], 1, 0), (OP["STORE_GLOBAL"], 0, 0),
              (OP["CONST"], 2, 0), (OP["RETURN"], 0, 0)]
    prog = Bytecode([Function("<script>", 0, 1, 1, main, [(1, 1)] * 7, [], ["x"]),
                     Function("set", 0, 0, 1, setter, [(2, 1)] * 5, [], [])],
                    [1, 2, None], ["x"], [], [])
    assert validate(prog) == []
    assert fast.translate(prog, ("U",), ()) is None
    a, b = both(prog)
    assert a == b and a["value"] == 2


def test_generated_source_holds_no_script_text() -> None:
    src = 'evil = "x\\"); import os #"\nsneaky_name = evil + "__import__"\nsubmit(sneaky_name)'
    code = compile_source(src, REG)
    tr = fast.translate(code, tuple("U" for _ in code.globals), fast.tool_kinds(code, REG))
    assert tr is not None
    for word in ("evil", "sneaky", "import", "__import__", "os"):
        assert word not in tr.source
    assert both(code)[0] == both(code)[1]


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError):
        run(compile_source("submit(1)", REG), registry=REG, tier="jit")


def test_unset_marker_is_the_interpreters() -> None:
    assert fast.run.__module__ == "rlmlang.vm.fast" and UNSET is not None
