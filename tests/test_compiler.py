"""The compiler: block fuel from the shared cost table, layout, serialised form, and the
property that the verifier's fuel bound covers what the VM meters."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlmlang.check import Env, check
from rlmlang.compiler import compile_program, compile_source, from_bytes
from rlmlang.compiler.bytecode import OP
from rlmlang.cost import ITEM_FUEL, NODE_FUEL
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.tools import core_specs
from rlmlang.tools.context import ToolContext
from rlmlang.tools.registry import Registry, size_of
from rlmlang.types import STR
from rlmlang.verify import verify
from rlmlang.vm import run

REG = Registry(core_specs())


def node_fuel(node: object) -> int:
    """NODE_FUEL summed over every AST node below `node` (straight-line code only)."""
    if isinstance(node, ast.Assign):  # the target is a place: only an index in it is charged
        t = node.target
        return (NODE_FUEL["Assign"] + node_fuel(node.value)
                + (node_fuel(t.index) if isinstance(t, ast.Index) else 0))
    total = NODE_FUEL.get(type(node).__name__, 0) if isinstance(node, (ast.Expr, ast.Stmt)) else 0
    if isinstance(node, (ast.ListLit, ast.DictLit)):
        total += ITEM_FUEL * len(node.items)
    for name in getattr(node, "__dataclass_fields__", {}):
        if name == "span":
            continue
        child = getattr(node, name)
        for c in (child if isinstance(child, tuple) else (child,)):
            for cc in (c if isinstance(c, tuple) else (c,)):
                if isinstance(cc, (ast.Expr, ast.Stmt, ast.Keyword)):
                    total += node_fuel(cc)
    return total


def test_straight_line_fuel_is_the_node_sum() -> None:
    src = 'x = 1 + 2 * 3\ny = [x, 4, -x]\nd = {"a": y}\nz = not (x > 2)\nsubmit(d)'
    script = parse(src).script
    expected = sum(node_fuel(s) for s in script.body)
    code = compile_source(src, REG)
    fuel_instrs = [a for op, a, _ in code.functions[0].code if op == OP["FUEL"]]
    assert fuel_instrs == [expected]  # one block, one charge
    assert run(code, registry=REG, ctx=ToolContext()).fuel_used == expected


def test_one_charge_per_block_and_loop_headers() -> None:
    code = compile_source("t = 0\nfor i in range(3):\n    t = t + i\nwhile t > 0:\n"
                          "    t = t - 1\nsubmit(t)", REG)
    fn = code.functions[0]
    assert len(fn.loop_headers) == 2
    for h in fn.loop_headers:  # every back-edge targets a marked header
        assert any(op == OP["JUMP"] and a == h for op, a, _ in fn.code[h:])
    assert fn.code[fn.loop_headers[0]][0] == OP["FOR_ITER"]
    assert fn.code[fn.loop_headers[1]][0] == OP["FUEL"]  # the while test's block


def test_max_stack_and_line_table() -> None:
    code = compile_source("x = [1, [2, [3, 4]]]\nsubmit(x)", REG)
    fn = code.functions[0]
    assert fn.max_stack == 4
    assert len(fn.lines) == len(fn.code)
    assert {line for line, _ in fn.lines} == {1, 2}


def test_serialised_form_is_canonical_and_stable() -> None:
    a = compile_source("x = 1\nsubmit(x)", REG)
    b = compile_source("x = 1\n\n# a comment\nsubmit(x)", REG)
    doc = json.loads(a.to_bytes())
    assert doc["format"] == "rlm-bytecode" and doc["functions"][0]["code"][0][0] == "FUEL"
    assert a.to_bytes() == compile_source("x = 1\nsubmit(x)", REG).to_bytes()
    assert a.hash != b.hash  # line numbers are part of the program
    assert from_bytes(a.to_bytes()).hash == a.hash
    assert "STORE_LOCAL" in a.disassemble()


def test_constants_keep_their_kind() -> None:
    code = compile_source("a = 1\nb = 1.0\nc = True\nd = -0.0\nsubmit([a])", REG)
    assert [type(c) for c in code.consts[:4]] == [int, float, bool, float]


# ------------------------------------------------------------- with the real verifier

def pipeline(src: str, inputs: dict[str, str], must_verify: bool = True):
    """parse -> check -> verify -> compile -> run; returns (fuel_bound, RunResult)."""
    script = parse(src).script
    assert script is not None
    env = Env(inputs={k: STR for k in inputs}, state={}, output=None, registry=REG)
    checked = check(script, env)
    assert checked.checked is not None, [d.render(src) for d in checked.diagnostics]
    res = verify(checked.checked, policy=None, budgets={"fuel": 10**9},
                 input_sizes={k: size_of(v) for k, v in inputs.items()}, input_values=inputs)
    if not must_verify and res.program is None:
        return None, None
    assert res.program is not None, [d.render(src) for d in res.diagnostics]
    code = compile_program(res.program, REG)
    return res.program.fuel_bound, run(code, registry=REG, inputs=inputs, ctx=ToolContext(),
                                       fuel_bound=res.program.fuel_bound)


def test_verified_script_end_to_end() -> None:
    bound, r = pipeline('n = 0\nfor line in lines(context):\n    if contains(line, "b"):\n'
                        '        n += 1\nsubmit(n)', {"context": "a\nb\nbb\n"})
    assert r.status == "submitted" and r.value == 2 and r.fuel_used <= bound


_SIMPLE = [
    "a = a + {k}", "b = b - a", "a = a * 2 + b % 7", "xs = xs + [a]", 's = s + "{k}"',
    "n = len(xs) + len(s)", 'if contains(s, "1"):\n    a = a + 1',
    "b = b + len(split(s, \"1\"))", 'a = a + len(lines(context))',
]


@st.composite
def programs(draw, depth: int = 0) -> list[str]:
    stmts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, (10 if depth == 0 else 9) if depth < 2 else 6))
        if kind == 10:  # a while loop, with the measure the verifier must find itself
            body = draw(programs(depth + 1))
            indented = "\n".join("    " + line for s in body for line in s.split("\n"))
            stmts.append(f"k = {draw(st.integers(0, 4))}\nwhile k > 0:\n{indented}\n"
                         "    k = k - 1")
        elif kind <= 6:
            stmts.append(draw(st.sampled_from(_SIMPLE)).format(k=draw(st.integers(0, 9))))
        else:
            body = draw(programs(depth + 1))
            indented = "\n".join("    " + line for s in body for line in s.split("\n"))
            if kind == 7:
                head = f"for i in range({draw(st.integers(0, 6))}):"
            elif kind == 8:
                head = f"if a > {draw(st.integers(-3, 3))}:"
            else:
                head = 'for w in split(s, "1"):'
            stmts.append(head + "\n" + indented)
    return stmts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.text(alphabet="ab1\n", max_size=40))
def test_fuel_bound_covers_fuel_used(body: list[str], context: str) -> None:
    src = 'a = 1\nb = 2\nxs = [0]\ns = ""\nn = 0\n' + "\n".join(body) + "\nsubmit(a)\n"
    bound, r = pipeline(src, {"context": context}, must_verify=False)
    assume(r is not None)  # a program the verifier refuses (e.g. E_SIZE) proves nothing here
    assert r.status == "submitted", [d.render(src) for d in r.diagnostics]
    assert r.fuel_used <= bound, (r.fuel_used, bound, src)


def test_a_node_the_checker_should_have_lowered_is_a_coded_error_not_a_crash() -> None:
    import pytest

    from rlmlang.compiler import CompileError
    from rlmlang.compiler.compile import _Compiler

    method_call = ast.MethodCall(ast.Name("x"), "strip", (), ())
    c = _Compiler.__new__(_Compiler)
    c.file = "<script>"
    with pytest.raises(CompileError) as e:
        c.charge(method_call)
    d = e.value.diagnostics[0]
    assert d.code == "E_INTERNAL" and "MethodCall node" in d.message
