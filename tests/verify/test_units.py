"""Unit tests of the interval analysis and of the Z3 encodings."""

from __future__ import annotations

from harness import Setup, run_text

from rlmlang.limits import DEFAULT_BUDGETS
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr
from rlmlang.types import INT
from rlmlang.verify import termination
from rlmlang.verify.conditions import refine
from rlmlang.verify.sizes import AV, INF, iadd, ifloordiv, imod, imul, isub, join, leq


def test_interval_arithmetic() -> None:
    a, b = AV("int", -2, 3), AV("int", 4, 5)
    assert (iadd(a, b).lo, iadd(a, b).hi) == (2, 8)
    assert (isub(a, b).lo, isub(a, b).hi) == (-7, -1)
    assert (imul(a, b).lo, imul(a, b).hi) == (-10, 15)
    assert (ifloordiv(AV("int", 10, 20), AV("int", 3, 3)).hi) == 6
    assert imod(AV("int", 0, 100), AV("int", 7, 7)).hi == 6
    assert imul(AV("int", 0, 0), AV("int", 0, INF)).hi == 0  # 0 × unbounded is 0


def test_join_and_order() -> None:
    s1, s2 = AV("str", size=5, pieces=("ab",)), AV("str", size=9, pieces=("cd",))
    j = join(s1, s2)
    assert j is not None and j.size == 9 and j.pieces is None
    assert leq(s1, j) and not leq(j, s1)


def _cond(text: str) -> ast.Expr:
    script = parse(f"if {text}:\n    pass\n").script
    assert script is not None
    return script.body[0].branches[0][0]  # type: ignore[attr-defined]


def test_conditions_narrow_intervals() -> None:
    st = {"n": AV("int"), "xs": AV("list", size=1000, elem=AV("int"))}
    inside = refine(st, _cond("n <= 100 and n >= 0"), True)
    assert (inside["n"].lo, inside["n"].hi) == (0, 100)
    outside = refine(st, _cond("n > 100"), False)
    assert outside["n"].hi == 100
    short = refine(st, _cond("len(xs) < 10"), True)
    assert short["xs"].size == 9


def test_guessed_measures() -> None:
    assert [print_expr(m) for m in termination.candidates(_cond("i < n"))] == ["n - i"]
    assert [print_expr(m) for m in termination.candidates(_cond("i <= n"))] == ["n - i + 1"]
    assert [print_expr(m) for m in termination.candidates(_cond("x > 0"))] == ["x"]


def _loop(text: str) -> ast.While:
    script = parse(text).script
    assert script is not None
    return next(s for s in script.body if isinstance(s, ast.While))


def test_z3_proves_binary_search_and_refutes_a_step_of_two() -> None:
    types = {"lo": INT, "hi": INT, "mid": INT, "x": INT}
    w = _loop("while lo < hi decreases hi - lo:\n    mid = (lo + hi) // 2\n"
              "    if mid > 5:\n        hi = mid\n    else:\n        lo = mid + 1\n")
    assert termination.prove(w, types, {}).status == "proven"
    w = _loop("while x != 0 decreases x:\n    x = x - 2\n")
    r = termination.prove(w, types, {})
    assert r.status == "decreases" and r.failed == "bounded"
    assert r.counterexample["before"]["x"] < 0


def test_z3_decrease_counterexample_has_before_and_after() -> None:
    types = {"i": INT, "n": INT}
    w = _loop("while i < n decreases n - i:\n    if i > 5:\n        i = i + 1\n")
    r = termination.prove(w, types, {})
    assert r.status == "decreases" and r.failed == "decrease"
    before, after = r.counterexample["before"], r.counterexample["after"]
    assert before["i"] <= 5 and after["i"] == before["i"]


def test_a_condition_part_the_encoder_cannot_read_keeps_the_rest() -> None:
    # The shared encoder (encode.py) makes `contains(s, "x")` a fresh bool, so the guard
    # still says i < n, which keeps the written measure n - i >= 0.
    types = {"i": INT, "n": INT}
    w = _loop('while i < n and contains(s, "x") decreases n - i:\n    i = i + 1\n')
    assert termination.prove(w, types, {}).status == "proven"
    w = _loop('while contains(s, "x") decreases n - i:\n    i = i + 1\n')
    r = termination.prove(w, types, {})
    assert r.status == "decreases" and r.failed == "bounded"


def test_entry_facts_let_a_constant_step_through() -> None:
    types = {"x": INT, "step": INT}
    w = _loop("while x > 0:\n    x = x - step\n")
    assert termination.prove(w, types, {}).status != "proven"
    assert termination.prove(w, types, {"step": AV("int", 2, 2)}).status == "proven"


def test_path_condition_bounds_a_nonlinear_range() -> None:
    text = ("n2 = n\nif n2 > 100:\n    n2 = 100\ntotal = 0\nif n2 <= 100 and n2 >= 0:\n"
            "    for i in range(n2 * n2):\n        total = total + 1\nsubmit(str(total))\n")
    out = run_text(text, Setup(inputs={"n": "int"}, sizes={}))
    assert out.verify is not None and out.verify.program is not None
    loop = out.verify.program.proof["loops"][0]
    assert loop["iterations"] == 10_000


def test_guessed_measure_is_reported() -> None:
    out = run_text("i = 0\nwhile i < 10:\n    i = i + 1\nsubmit(str(i))\n", Setup())
    assert out.verify is not None and out.verify.program is not None
    m = out.verify.program.proof["measures"][0]
    assert m == {"line": 2, "measure": "10 - i", "guessed": True, "iterations": 11}
    assert any("10 - i" in n for n in out.verify.notes)


def test_non_strict_policy_inserts_a_guard() -> None:
    out = run_text('t = fs.read("data/" + question)\nsubmit(t)\n', Setup(strict=False))
    assert out.verify is not None and out.verify.program is not None
    (g,) = out.verify.program.guards
    assert g.kind == "fs.read" and g.line == 1 and '"data/" + question' in g.resource
    assert out.verify.program.proof["guards"][0]["tool"] == "fs.read"


def test_cost_error_has_numbers_and_fix() -> None:
    text = "n = 0\nfor a in lines(context):\n    for b in lines(context):\n        n = n + 1\nsubmit(str(n))\n"
    out = run_text(text, Setup(sizes={"context": 100_000}))
    d = next(d for d in out.diagnostics if d.code == "E_COST")
    budget = DEFAULT_BUDGETS["fuel"]
    assert d.data["budget"] == budget and d.data["worst_case"] > budget
    assert [x["line"] for x in d.data["dominant"]] == [2, 3]
    assert d.fix and "chunks(context, 4000)" in d.fix
    assert any(n.startswith("counterexample: len(context) = 100,000") for n in d.notes)


def test_infeasible_branches() -> None:
    from rlmlang.verify.conditions import infeasible
    st = {"x": AV("str", size=3), "n": AV("int", 0, 10)}
    assert infeasible(st, _cond('contains(x, "ERROR")'))
    assert infeasible(st, _cond('startswith(x, "abcd") and n > 0'))
    assert infeasible(st, _cond('x == "abcd"'))
    assert infeasible(st, _cond("len(x) > 3"))
    assert infeasible(st, _cond("n > 10"))
    assert not infeasible(st, _cond('contains(x, "abc")'))
    assert not infeasible(st, _cond("len(x) >= 3"))
    assert not infeasible(st, _cond('contains(x, "ERROR") or n > 5'))
