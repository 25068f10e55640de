"""Path conditions: what a branch's condition says about the values on it.

`refine` narrows int intervals and sizes on the way into a branch (`if n <=
100:` bounds `n` inside, `len(xs) < 5` bounds `xs`), so a path condition
usually proves what a plain interval bound could not; `infeasible` finds the
branches that cannot run at all (their cost is then 0). Both read only
simple int expressions (`_peek`), without charging fuel.
"""

from __future__ import annotations

from rlmlang.syntax import ast
from rlmlang.verify.sizes import AV, iadd, imul, isub
from rlmlang.verify.values import State


def refine(st: State, cond: ast.Expr, truth: bool) -> State:
    """Narrow int intervals and sizes by what the condition says on this branch."""
    if isinstance(cond, ast.Not):
        return refine(st, cond.operand, not truth)
    if isinstance(cond, ast.BoolOp):
        if (cond.op == "and") == truth:
            return refine(refine(st, cond.left, truth), cond.right, truth)
        return st
    if not isinstance(cond, ast.Compare) or cond.op not in ("<", "<=", ">", ">=", "==", "!="):
        return st
    op = cond.op
    if not truth:
        op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}[op]
    out = dict(st)
    _narrow(out, cond.left, op, _peek(cond.right, st))
    flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
    _narrow(out, cond.right, flip, _peek(cond.left, st))
    return out


def infeasible(st: State, cond: ast.Expr) -> bool:
    """Whether the condition cannot hold in this state (its branch never runs).

    Intervals that cannot meet (`len(x) > 3` where x has at most 3 characters),
    and a str too short to hold a literal: `contains(x, "ERROR")`,
    `startswith(x, "ERROR")`, `endswith(...)` or `x == "ERROR"` need at least 5
    characters. A short piece of a text then costs nothing in that branch.
    """
    if isinstance(cond, ast.BoolOp) and cond.op == "and":
        return infeasible(st, cond.left) or infeasible(st, cond.right)
    if isinstance(cond, ast.Call) and cond.func in ("contains", "startswith", "endswith") \
            and len(cond.args) == 2:
        return _shorter(st, cond.args[0], cond.args[1])
    if not isinstance(cond, ast.Compare):
        return False
    if cond.op == "==":
        if _shorter(st, cond.left, cond.right) or _shorter(st, cond.right, cond.left):
            return True
    if cond.op not in ("<", "<=", ">", ">=", "=="):
        return False
    a, b = _peek(cond.left, st), _peek(cond.right, st)
    if a is None or b is None:
        return False
    if cond.op == "<":
        return a.lo >= b.hi
    if cond.op == "<=":
        return a.lo > b.hi
    if cond.op == ">":
        return a.hi <= b.lo
    if cond.op == ">=":
        return a.hi < b.lo
    return a.hi < b.lo or b.hi < a.lo


def _shorter(st: State, name: ast.Expr, lit: ast.Expr) -> bool:
    """Whether str `name` is shorter than the literal `lit`."""
    if not (isinstance(name, ast.Name) and isinstance(lit, ast.Const)
            and isinstance(lit.value, str)):
        return False
    v = st.get(name.id)
    return v is not None and v.kind == "str" and v.size < len(lit.value)


def _peek(e: ast.Expr, st: State) -> AV | None:
    """The interval of a simple int expression, without charging fuel."""
    if isinstance(e, ast.Const) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return AV("int", e.value, e.value)
    if isinstance(e, ast.Name):
        v = st.get(e.id)
        return v if v is not None and v.kind == "int" else None
    if isinstance(e, ast.Call) and e.func == "len" and len(e.args) == 1 and \
            isinstance(e.args[0], ast.Name):
        v = st.get(e.args[0].id)
        return AV("int", 0, v.size) if v is not None else None
    if isinstance(e, ast.BinOp) and e.op in "+-*":
        a, b = _peek(e.left, st), _peek(e.right, st)
        if a is None or b is None:
            return None
        return {"+": iadd, "-": isub, "*": imul}[e.op](a, b)
    return None


def _narrow(st: State, e: ast.Expr, op: str, other: AV | None) -> None:
    if other is None:
        return
    if isinstance(e, ast.Name):
        v = st.get(e.id)
        if v is None or v.kind != "int":
            return
        lo, hi = v.lo, v.hi
        if op == "<":
            hi = min(hi, other.hi - 1)
        elif op == "<=":
            hi = min(hi, other.hi)
        elif op == ">":
            lo = max(lo, other.lo + 1)
        elif op == ">=":
            lo = max(lo, other.lo)
        elif op == "==":
            lo, hi = max(lo, other.lo), min(hi, other.hi)
        st[e.id] = AV("int", lo, hi)
        return
    if isinstance(e, ast.Call) and e.func == "len" and len(e.args) == 1 and \
            isinstance(e.args[0], ast.Name):
        v = st.get(e.args[0].id)
        if v is None or v.kind not in ("str", "list", "dict"):
            return
        size = v.size
        if op == "<":
            size = min(size, max(0, other.hi - 1))
        elif op in ("<=", "=="):
            size = min(size, max(0, other.hi))
        st[e.args[0].id] = AV(v.kind, v.lo, v.hi, size, v.elem, v.pieces, v.sum)
