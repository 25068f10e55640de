"""Termination of `while` loops: a measure proven with Z3.

A `for` loop iterates a finite value and ends by construction; defs cannot
recurse (the checker rejects cycles). What is left is `while`, which needs a
measure: an int expression that is >= 0 whenever the condition holds
(*bounded below*) and drops by at least 1 on every path through the body
that goes round again (*strictly decreasing*). Each is one Z3 query over the
loop's effect on its int variables:

- the state before an iteration is a set of fresh Z3 ints, one per int
  variable and one `len(x)` per str/list/dict variable (>= 0); expressions
  and conditions are encoded by encode.py, whose names resolve to these (or
  to their SSA versions);
- the body is turned into SSA: an assignment makes a new version, under an
  "active" flag so that `if` branches, `continue`, `break` and `return`
  are all paths of one formula; a path that leaves the loop (break, return,
  submit, fail) owes no decrease;
- anything the encoding does not understand (a call, a nested loop) gives
  the assigned variable a fresh value: the proof then holds for every value,
  which is sound, only less precise.

Variables the loop never assigns keep the interval the abstract interpreter
found at the loop's entry, which lets `while x > 0: x = x - step` go through
when `step = 2` was set before the loop. With no `decreases` clause the
obvious measures are guessed from the condition (`i < n` -> `n - i`,
`i > 0` -> `i`, `i <= n` -> `n - i + 1`) and the one that is proven is
reported. A sat answer is a counterexample (the values before and after one
iteration); `unknown` is a rejection with E_UNPROVEN.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import z3

from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.types import BOOL, INT, STR, DictT, ListT, RecordT, Type
from rlmlang.verify.encode import Encoder, nonlinear_terms_of
from rlmlang.verify.sizes import AV, INF
from rlmlang.verify.solver import RLIMIT, model_values, solve


def _is_sized(t: Type | None) -> bool:
    return t is not None and (t == STR or isinstance(t, (ListT, DictT, RecordT)))


@dataclass
class LoopResult:
    status: str  # "proven" | "decreases" (given measure fails) | "termination" | "unknown"
    measure: ast.Expr | None = None  # the proven (or failing) measure
    guessed: bool = False
    failed: str = ""  # "bounded" | "decrease" | "encode"
    message: str = ""
    fix: str = ""
    counterexample: dict[str, Any] = field(default_factory=dict)
    tried: list[str] = field(default_factory=list)
    nonlinear: list[str] = field(default_factory=list)  # products of unknowns (for unknown)


class _Enc:
    """Encodes a while loop's guard and body over fresh Z3 ints."""

    def __init__(self, types: dict[str, Type], facts: dict[str, AV]):
        self.types = types  # frame names -> types
        self.facts = facts  # names not assigned in the loop -> entry intervals
        self.pre: dict[str, z3.ArithRef] = {}
        self.side: list[z3.BoolRef] = []
        self.enc = Encoder(self.resolve)

    def var(self, key: str) -> z3.ArithRef:
        v = self.pre.get(key)
        if v is None:
            v = z3.Int(key)
            self.pre[key] = v
            if key.startswith("len("):
                self.side.append(v >= 0)
                av = self.facts.get(key[4:-1])
                if av is not None and av.size != INF:
                    self.side.append(v <= int(av.size))
            else:
                av = self.facts.get(key)
                if av is not None and av.kind == "int":
                    if av.lo != -INF:
                        self.side.append(v >= int(av.lo))
                    if av.hi != INF:
                        self.side.append(v <= int(av.hi))
        return v

    def resolve(self, key: str, env: dict[str, Any]) -> Any:
        """An int variable's term, or a sized variable's length: its version in env, or its
        value before the iteration (the encoder's name resolver)."""
        if key.startswith("len("):
            ok = _is_sized(self.types.get(key[4:-1]))
        else:
            ok = self.types.get(key) == INT
        if not ok:
            return None
        return env[key] if key in env else self.var(key)

    # -- statements: (env, act, cont) -> (env, act, cont)

    def block(self, stmts: tuple[ast.Stmt, ...], env: dict[str, Any], act: Any,
              cont: Any) -> tuple[dict[str, Any], Any, Any]:
        for s in stmts:
            env, act, cont = self.stmt(s, env, act, cont)
        return env, act, cont

    def set(self, env: dict[str, Any], key: str, act: Any, new: Any) -> None:
        old = env[key] if key in env else self.var(key)
        env[key] = z3.If(act, new, old)

    def assign_name(self, name: str, value: ast.Expr | None, env: dict[str, Any], act: Any,
                    aug: tuple[str, ast.Expr] | None = None) -> None:
        t = self.types.get(name)
        if aug is not None:
            value = ast.BinOp(aug[0], ast.Name(name), aug[1])
        if t == INT:
            new = self.enc.int_(value, env) if value is not None else None
            if new is None:
                new = Encoder.fresh(name)
            self.set(env, name, act, new)
        elif _is_sized(t):
            key = f"len({name})"
            new = self.enc.len_(value, env) if value is not None else None
            if new is None and value is not None:
                new = self.slice_len(name, value, env)
            if new is None:
                new = Encoder.fresh(key)
                self.side.append(new >= 0)
            self.set(env, key, act, new)

    def slice_len(self, name: str, value: ast.Expr, env: dict[str, Any]) -> Any:
        """`x = x[k:]` and friends: never longer than x; exact for a constant start."""
        if not (isinstance(value, ast.Slice) and isinstance(value.value, ast.Name)
                and value.value.id == name):
            return None
        old = self.enc.len_(value.value, env)
        lo = value.lower
        if value.upper is None and isinstance(lo, ast.Const) and isinstance(lo.value, int) \
                and lo.value >= 0:
            return z3.If(old >= lo.value, old - lo.value, 0)
        v = Encoder.fresh(f"len({name})")
        self.side.extend([v >= 0, v <= old])
        return v

    def stmt(self, s: ast.Stmt, env: dict[str, Any], act: Any,
             cont: Any) -> tuple[dict[str, Any], Any, Any]:
        if isinstance(s, ast.Assign):
            if isinstance(s.target, ast.Name):
                self.assign_name(s.target.id, s.value, env, act)
            elif isinstance(s.target, ast.Index) and isinstance(s.target.value, ast.Name):
                name = s.target.value.id
                if isinstance(self.types.get(name), (DictT, RecordT)):
                    key = f"len({name})"
                    old = env[key] if key in env else self.var(key)
                    v = Encoder.fresh(key)
                    self.side.extend([v >= old, v <= old + 1])
                    self.set(env, key, act, v)
        elif isinstance(s, ast.AugAssign):
            if isinstance(s.target, ast.Name):
                self.assign_name(s.target.id, None, env, act, aug=(s.op, s.value))
        elif isinstance(s, ast.If):
            conds = [self.enc.bool_(c, env) for c, _ in s.branches]
            outs = []
            none_before = z3.BoolVal(True)
            for c, (_, body) in zip(conds, s.branches, strict=True):
                a_i = z3.And(act, none_before, c)
                env, a_out, cont = self.block(body, env, a_i, cont)
                outs.append(a_out)
                none_before = z3.And(none_before, z3.Not(c))
            a_else = z3.And(act, none_before)
            if s.orelse is not None:
                env, a_else, cont = self.block(s.orelse, env, a_else, cont)
            outs.append(a_else)
            act = z3.Or(*outs)
        elif isinstance(s, ast.Break):
            cont = z3.And(cont, z3.Not(act))
            act = z3.BoolVal(False)
        elif isinstance(s, ast.Continue):
            act = z3.BoolVal(False)
        elif isinstance(s, (ast.Return, ast.Submit, ast.Fail)):
            cont = z3.And(cont, z3.Not(act))
            act = z3.BoolVal(False)
        elif isinstance(s, (ast.For, ast.While)):
            for name in assigned_in(s.body) | ({s.var} if isinstance(s, ast.For) else set()):
                self.assign_name(name, None, env, act)
        return env, act, cont


def assigned_in(stmts: tuple[ast.Stmt, ...]) -> set[str]:
    """Names a block changes: assigned, or changed in place (`xs[i] = v`)."""
    return set(ast.assigned_names(stmts, in_place=True))


def candidates(cond: ast.Expr) -> list[ast.Expr]:
    """Measures to try when none is written, from the shape of the condition."""
    out: list[ast.Expr] = []
    conj = [cond]
    parts: list[ast.Expr] = []
    while conj:
        c = conj.pop()
        if isinstance(c, ast.BoolOp) and c.op == "and":
            conj += [c.right, c.left]
        else:
            parts.append(c)
    one = ast.Const(1)
    for c in parts:
        if not isinstance(c, ast.Compare):
            continue
        a, b = c.left, c.right
        if c.op == "<":
            out.append(_ordered(_sub(b, a)))
        elif c.op == "<=":
            out.append(_ordered(ast.BinOp("+", _sub(b, a), one)))
        elif c.op == ">":
            out.append(_ordered(_sub(a, b)))
        elif c.op == ">=":
            out.append(_ordered(ast.BinOp("+", _sub(a, b), one)))
        elif c.op == "!=":
            out += [_sub(b, a), _sub(a, b)]
    return out


def _ordered(e: ast.Expr) -> ast.Expr:
    """Mark a guessed measure that the guard itself keeps >= 0 (on a fresh node)."""
    e = dataclasses.replace(e)
    object.__setattr__(e, "_from_order", True)  # frozen dataclass: a private mark only
    return e


def _sub(a: ast.Expr, b: ast.Expr) -> ast.Expr:
    if isinstance(b, ast.Const) and b.value == 0:
        return a
    return ast.BinOp("-", a, b)


def _names(e: ast.Expr) -> list[str]:
    """The names in e, each once, in the order the counterexamples show them."""
    return list(dict.fromkeys(n.id for n in ast.walk(e) if isinstance(n, ast.Name)))


def _show(vals: dict[str, int], keys: list[str]) -> str:
    return ", ".join(f"{k} = {vals[k]}" for k in keys if k in vals) or "(any values)"


def prove(loop: ast.While, types: dict[str, Type], entry: dict[str, AV],
          rlimit: int = RLIMIT) -> LoopResult:
    """Prove the loop terminates; entry: the abstract values at the loop's entry."""
    body_assigns = assigned_in(loop.body)
    facts = {k: v for k, v in entry.items() if k not in body_assigns}
    if loop.decreases is not None:
        r = _check_measure(loop, loop.decreases, types, facts, rlimit=rlimit)
        if r.status != "proven":
            r.status = "unknown" if r.status == "unknown" else "decreases"
        return r
    tried: list[str] = []
    first_fail: LoopResult | None = None
    for m in candidates(loop.cond):
        # A measure read off an ordering conjunct of the guard is >= 0 whenever the guard
        # holds (i < n gives n - i >= 1): only its decrease needs the solver.
        r = _check_measure(loop, m, types, facts, bounded_known=_from_order(m), rlimit=rlimit)
        tried.append(print_expr(m))
        if r.status == "proven":
            r.guessed = True
            r.tried = tried
            return r
        if first_fail is None or (first_fail.failed == "encode" and r.failed != "encode"):
            first_fail = r
    cond = print_expr(loop.cond)
    res = LoopResult("termination", None, tried=tried)
    if first_fail is None:
        res.message = (f"cannot prove this while loop ends: no measure could be guessed from "
                       f"the condition '{cond}' and none is written")
        res.fix = (f"write `while {cond} decreases EXPR:` with an int EXPR that is >= 0 while "
                   "the loop runs and drops by at least 1 each time round, or use a for loop")
        return res
    res.failed = first_fail.failed
    res.counterexample = first_fail.counterexample
    res.measure = first_fail.measure
    m_text = print_expr(first_fail.measure) if first_fail.measure is not None else "?"
    if first_fail.status == "unknown":
        res.status = "unknown"
        res.message = f"guessed measure '{m_text}': {first_fail.message}"
        res.fix, res.nonlinear = first_fail.fix, first_fail.nonlinear
        return res
    what = {"bounded": "can be negative while the loop runs",
            "decrease": "does not drop on every path through the body",
            "encode": "cannot be reasoned about"}.get(first_fail.failed, "could not be proven")
    res.message = (f"cannot prove this while loop ends: the guessed measure '{m_text}' "
                   f"{what}" + (f" ({first_fail.message})" if first_fail.counterexample else ""))
    res.fix = first_fail.fix or (f"write `while {cond} decreases EXPR:` with a measure that "
                                 "drops by at least 1 every time round")
    if first_fail.status == "unknown":
        res.status = "unknown"
    return res


def _from_order(m: ast.Expr) -> bool:
    return getattr(m, "_from_order", False)


def _check_measure(loop: ast.While, m: ast.Expr, types: dict[str, Type],
                   facts: dict[str, AV], bounded_known: bool = False,
                   rlimit: int = RLIMIT) -> LoopResult:
    enc = _Enc(types, facts)
    env0: dict[str, Any] = {}
    g = enc.enc.bool_(loop.cond, env0)
    m0 = enc.enc.int_(m, env0)
    m_text = print_expr(m)
    if m0 is None:
        return LoopResult("termination", m, failed="encode",
                          message=f"the measure '{m_text}' is not an int expression the verifier "
                          "can reason about (use int names, + - * // %, constants and len(name))",
                          fix="write the measure from int variables and len(name), e.g. n - i")
    facts0 = [*enc.side, g]
    pre0 = list(enc.pre)  # what a counterexample shows: the names known before the body

    def shown() -> list[str]:
        names = list(dict.fromkeys(_names(m) + _names(loop.cond)))
        return [k for k in names if k in pre0] + \
            [k for k in pre0 if k.startswith("len(") and k not in names]

    st, model = ("unsat", None) if bounded_known else solve(facts0 + [m0 < 0], rlimit)
    if st == "unknown":
        return _unknown(loop, m, "bounded", str(model), rlimit)
    if st == "sat":
        vals = model if isinstance(model, dict) else {}
        val_m = _eval_text(m, vals)
        keys = shown()
        cex = {"before": {k: vals[k] for k in keys if k in vals}}
        return LoopResult(
            "decreases", m, failed="bounded",
            message=f"'{m_text}' = {val_m} when {_show(vals, keys)}, and the condition "
                    f"'{print_expr(loop.cond)}' still holds",
            fix=_bounded_fix(loop, m), counterexample=cex)
    env1, _, cont = enc.block(loop.body, dict(env0), z3.BoolVal(True), z3.BoolVal(True))
    m1 = enc.enc.int_(m, env1)
    facts1 = [*enc.side, g]
    st, model = solve(facts1 + [cont, z3.Not(m1 < m0)], rlimit)
    if st == "unknown":
        return _unknown(loop, m, "decrease", str(model), rlimit)
    if st == "sat":
        keys = shown()
        terms = {("before", k): enc.pre[k] for k in keys if k in enc.pre}
        terms.update({("after", k): env1.get(k, enc.pre.get(k)) for k in keys
                      if k in env1 or k in enc.pre})
        got = model_values(facts1 + [cont, z3.Not(m1 < m0)], terms, rlimit)
        before = {k: v for (w, k), v in got.items() if w == "before"}
        after = {k: v for (w, k), v in got.items() if w == "after"}
        cex = {"before": before, "after": after}
        b = ", ".join(f"{k} = {v}" for k, v in before.items()) or "(any values)"
        a = ", ".join(f"{k} = {v}" for k, v in after.items()) or "(unchanged)"
        return LoopResult("decreases", m, failed="decrease",
                          message=f"one time round can go from {b} to {a}, so '{m_text}' "
                          "does not drop", fix=_decrease_fix(loop, m), counterexample=cex)
    return LoopResult("proven", m)


def _unknown(loop: ast.While, m: ast.Expr, failed: str, reason: str,
             rlimit: int) -> LoopResult:
    """The solver ran out of steps: say which query, which terms, and what to write."""
    m_text = print_expr(m)
    what = (f"that '{m_text}' stays >= 0 while '{print_expr(loop.cond)}' holds"
            if failed == "bounded" else
            f"that '{m_text}' drops by at least 1 on every path through the body")
    terms = nonlinear_terms(loop)
    simple = next((print_expr(c) for c in candidates(loop.cond)
                   if not nonlinear_terms_of(c)), "n - i")
    fix = (f"use a measure built with + and - only, such as `decreases {simple}`, and make "
           "it drop by 1 on every path whatever the other values are")
    if terms:
        fix += (f"; the solver cannot settle the nonlinear arithmetic ({', '.join(terms[:3])}), "
                "so keep it out of what decides the loop's progress")
    return LoopResult("unknown", m, failed=failed,
                      message=f"the solver ran out of steps (rlimit {rlimit:,}, {reason}) "
                      f"before it could show {what}", fix=fix, nonlinear=terms)


def nonlinear_terms(loop: ast.While) -> list[str]:
    """The nonlinear terms of a while loop's condition, measure and body (in order)."""
    exprs: list[Any] = [loop.cond] + ([loop.decreases] if loop.decreases is not None else [])
    stack = list(loop.body)
    while stack:
        s = stack.pop(0)
        for v in vars(s).values():
            if isinstance(v, ast.Expr):
                exprs.append(v)
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, ast.Expr):
                        exprs.append(x)
                    elif isinstance(x, tuple):
                        exprs.extend(y for y in x if isinstance(y, ast.Expr))
        for b in ast.child_blocks(s):
            stack.extend(b)
    out: list[str] = []
    for e in exprs:
        out.extend(nonlinear_terms_of(e))
    return list(dict.fromkeys(out))


def _eval_text(m: ast.Expr, vals: dict[str, int]) -> str:
    try:
        return str(_py_eval(m, vals))
    except Exception:  # noqa: BLE001 - a display helper only
        return "a negative number"


def _py_eval(e: ast.Expr, vals: dict[str, int]) -> int:
    if isinstance(e, ast.Const):
        return int(e.value)  # type: ignore[arg-type]
    if isinstance(e, ast.Name):
        return vals[e.id]
    if isinstance(e, ast.Neg):
        return -_py_eval(e.operand, vals)
    if isinstance(e, ast.Call) and e.func == "len" and isinstance(e.args[0], ast.Name):
        return vals[f"len({e.args[0].id})"]
    if isinstance(e, ast.BinOp):
        a, b = _py_eval(e.left, vals), _py_eval(e.right, vals)
        return {"+": a + b, "-": a - b, "*": a * b, "//": a // b if b else 0,
                "%": a % b if b else 0}[e.op]
    raise ValueError(e)


def _bounded_fix(loop: ast.While, m: ast.Expr) -> str:
    m_text = print_expr(m)
    if loop.decreases is None:
        return (f"make the condition stop the loop before {m_text} goes below 0, e.g. "
                f"`while {m_text} > 0:`")
    return (f"change the condition so the loop stops before {m_text} goes below 0 (e.g. "
            f"`while {m_text} > 0`), or choose a measure that stays >= 0 while it runs")


def _decrease_fix(loop: ast.While, m: ast.Expr) -> str:
    changed = assigned_in(loop.body)
    names = [n for n in _names(m)]
    untouched = [n for n in names if n not in changed]
    m_text = print_expr(m)
    if names and len(untouched) == len(names):
        # Which way should the first name move? +1 if it is subtracted in the measure.
        n = names[0]
        step = "+ 1" if isinstance(m, ast.BinOp) and m.op == "-" and \
            isinstance(m.right, ast.Name) and m.right.id == n else "- 1"
        if isinstance(m, ast.BinOp) and m.op == "+" and isinstance(m.left, ast.BinOp) and \
                m.left.op == "-" and isinstance(m.left.right, ast.Name) and m.left.right.id == n:
            step = "+ 1"
        return f"the body never changes {', '.join(names)}: add `{n} = {n} {step}` to the loop body"
    return (f"make '{m_text}' drop by at least 1 on every path through the body (every if "
            f"branch, and before every continue)")


def types_for_frame(checked_types: dict[str, Type]) -> dict[str, Type]:
    """Only the types the encoding can use (int, bool, and sized values)."""
    return {k: v for k, v in checked_types.items()
            if v in (INT, BOOL) or _is_sized(v)}
