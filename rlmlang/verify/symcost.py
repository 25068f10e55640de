"""The cost bound with Z3: path conditions the intervals cannot use.

Interval arithmetic bounds each statement alone; where its total is over the
budget, this module asks whether the budget can really be exceeded. It builds
one Z3 term for the script's fuel, over the int inputs and int variables:

- a simple statement costs what the interval pass measured for one run of it
  (`Analyzer.node_fuel`), a constant; an unbounded one is a fresh symbol >= 0
  with no upper bound, so it only matters on paths that can be taken;
- `if c: A else: B` costs its conditions plus `If(c, A, B)`, with c encoded
  when it is int arithmetic and comparisons (a fresh bool otherwise);
- `for i in range(a, b)` costs its iterable, `2·(k+1)` and `k × body` with
  k = max(0, b - a); the body sees i as a fresh int in [a, b), so `k × body`
  is k times the dearest iteration, an upper bound of their sum;
- `while` with a proven measure m costs `(k+1)·test + k × body`, k = m + 1 at
  entry; any other loop min(its interval total, count × body);
- ints assigned from int arithmetic keep their Z3 term; anything else, and
  whatever a loop or a branch assigns, becomes a fresh symbol (any value).

Expressions and conditions are encoded by encode.py (the encoder termination.py
uses too); here a name resolves to its last int term, an int input's symbol,
or the length of an input the script never changes.

Every part is an upper bound of what the VM meters on that path, so if
`C > budget` is unsat under the inputs' facts, the budget holds (proof "by
z3"); sat gives concrete inputs for the counterexample; unknown (the rlimit
ran out, typically on products of unknowns) is E_UNPROVEN, never accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.types import INT
from rlmlang.verify import solver
from rlmlang.verify.cost import Analyzer
from rlmlang.verify.encode import Encoder
from rlmlang.verify.sizes import AV, INF, Num
from rlmlang.verify.termination import assigned_in

_SIMPLE = (ast.Assign, ast.AugAssign, ast.ExprStmt, ast.Submit, ast.Fail, ast.Return,
           ast.Break, ast.Continue, ast.Pass)
_ENDS = (ast.Submit, ast.Fail, ast.Return, ast.Break, ast.Continue)


@dataclass
class SymResult:
    status: str  # "proven" | "refuted" | "unknown" | "skipped"
    counterexample: dict[str, int] = field(default_factory=dict)
    worst: int | None = None  # the fuel of the counterexample, where it is finite
    reason: str = ""
    nonlinear: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, an: Analyzer, inputs: dict[str, AV], script: ast.Script | None = None):
        self.an = an
        self.inputs = inputs
        # Inputs the script assigns or changes in place (`context = context + context`,
        # `d[k] = v`, `xs += ys`): their length is no longer the input's.
        self.changed = assigned_in(script.body) if script is not None else set(inputs)
        self.facts: list[z3.BoolRef] = []
        self.syms: dict[str, z3.ArithRef] = {}  # input name (or len(input)) -> symbol
        self.nonlinear: list[str] = []  # of the comparisons encoded, and of range loops
        self.enc = Encoder(self.resolve, self.nonlinear)
        # range(...) of each for loop whose bounds are int terms: (path condition, count)
        self.ranges: dict[int, tuple[list[Any], Any]] = {}

    # -- values

    def const(self, fuel: Num) -> z3.ArithRef:
        if fuel == INF:
            v = Encoder.fresh("unbounded")
            self.facts.append(v >= 0)
            return v
        return z3.IntVal(int(fuel))

    def input_sym(self, key: str, av: AV, is_len: bool) -> z3.ArithRef:
        v = self.syms.get(key)
        if v is None:
            v = self.syms[key] = z3.Int(key)
            lo, hi = (0, av.size) if is_len else (av.lo, av.hi)
            if lo != -INF:
                self.facts.append(v >= int(lo))
            if hi != INF:
                self.facts.append(v <= int(hi))
        return v

    def resolve(self, key: str, env: dict[str, Any]) -> Any:
        """The encoder's name resolver: an int variable's last term, an int input's symbol,
        or the length of an input the script leaves as it is."""
        if key.startswith("len("):
            name = key[4:-1]
            av = self.inputs.get(name)
            if name not in env and name not in self.changed and av is not None and \
                    av.kind in ("str", "list", "dict"):
                return self.input_sym(key, av, True)
            return None
        if key in env:
            return env[key]
        av = self.inputs.get(key)
        if av is not None and av.kind == "int":
            return self.input_sym(key, av, False)
        return None

    # -- statements: (cost term, env after, whether every path ends here)

    def block(self, stmts: tuple[ast.Stmt, ...], env: dict[str, Any],
              pc: list[Any]) -> tuple[Any, dict, bool]:
        total: Any = z3.IntVal(0)
        for s in stmts:
            c, env, ends = self.stmt(s, env, pc)
            total = total + c
            if ends:
                return total, env, True
        return total, env, False

    def havoc(self, env: dict[str, Any], names: set[str]) -> dict[str, Any]:
        env = dict(env)
        types = self.an.frame_types
        for n in names:
            if types.get(n) == INT or n in env:
                env[n] = Encoder.fresh(n)
        return env

    def stmt(self, s: ast.Stmt, env: dict[str, Any], pc: list[Any]) -> tuple[Any, dict, bool]:
        an = self.an
        if isinstance(s, ast.Def):
            return z3.IntVal(0), env, False
        if isinstance(s, _SIMPLE):
            if id(s) not in an.node_fuel:
                return z3.IntVal(0), env, True  # never reached
            cost = self.const(an.node_fuel[id(s)])
            if isinstance(s, (ast.Assign, ast.AugAssign)) and isinstance(s.target, ast.Name):
                name = s.target.id
                value = s.value if isinstance(s, ast.Assign) else \
                    ast.BinOp(s.op, s.target, s.value)
                env = dict(env)
                if an.frame_types.get(name) == INT:
                    env[name] = self.enc.int_or_fresh(value, env, name)
                else:
                    env.pop(name, None)
            return cost, env, isinstance(s, _ENDS)
        if isinstance(s, ast.If):
            return self.if_(s, env, pc)
        if isinstance(s, ast.For):
            return self.for_(s, env, pc)
        if isinstance(s, ast.While):
            return self.while_(s, env, pc)
        return z3.IntVal(0), env, False

    def if_(self, s: ast.If, env: dict[str, Any], pc: list[Any]) -> tuple[Any, dict, bool]:
        conds = self.an.cond_fuel.get(id(s))
        if conds is None:
            return z3.IntVal(0), env, True  # never reached
        parts: list[tuple[Any, Any, Any]] = []  # (cond, cond cost, branch cost)
        all_end = True
        before: list[Any] = []
        for i, (cond, body) in enumerate(s.branches):
            if i >= len(conds):
                break  # not reached (an earlier branch always taken)
            b = self.enc.bool_(cond, env)
            c, _, ends = self.block(body, env, pc + before + [b])
            before.append(z3.Not(b))
            all_end = all_end and ends
            parts.append((b, self.const(conds[i]), c))
        if s.orelse is not None and len(parts) == len(s.branches):
            tail, _, ends = self.block(s.orelse, env, pc + before)
            all_end = all_end and ends
        else:
            tail, all_end = z3.IntVal(0), False
        for cond, cc, c in reversed(parts):
            tail = cc + z3.If(cond, c, tail)
        assigned = set().union(*(assigned_in(b) for _, b in s.branches),
                               assigned_in(s.orelse or ()))
        return tail, self.havoc(env, assigned), all_end

    def for_(self, s: ast.For, env: dict[str, Any], pc: list[Any]) -> tuple[Any, dict, bool]:
        an = self.an
        rec = an.loops.get(id(s))
        if rec is None or id(s) not in an.node_fuel:
            return z3.IntVal(0), env, False
        iter_cost = self.const(an.node_fuel[id(s)])
        assigned = assigned_in(s.body) | {s.var}
        inner = self.havoc(env, assigned)
        total = self.const(rec.total.fuel)
        it = s.iter
        if isinstance(it, ast.Call) and it.func == "range" and 1 <= len(it.args) <= 3 \
                and not it.kwargs:
            # a step (a literal of 1 or more: the checker) visits fewer: b - a bounds them
            lo = self.enc.int_(it.args[0], env) if len(it.args) >= 2 else z3.IntVal(0)
            hi = self.enc.int_(it.args[1] if len(it.args) == 3 else it.args[-1], env)
            if lo is not None and hi is not None:
                k = z3.If(hi > lo, hi - lo, 0)
                self.ranges[id(it)] = (list(pc), k)
                v = Encoder.fresh(s.var)
                inner[s.var] = v
                body, _, _ = self.block(s.body, inner, pc + [lo <= v, v < hi])
                if not z3.is_int_value(z3.simplify(k)) and \
                        not z3.is_int_value(z3.simplify(body)):
                    self.nonlinear.append(f"{print_expr(it)} × the cost of its body "
                                          f"(line {s.span.line})")
                alt = 2 * (k + 1) + k * z3.If(z3.And(lo <= v, v < hi), body, 0)
                total = alt if rec.total.fuel == INF else z3.If(alt < total, alt, total)
                return iter_cost + total, self.havoc(env, assigned), False
        if rec.iterations != INF:
            n = z3.IntVal(int(rec.iterations))
            body, _, _ = self.block(s.body, inner, pc)
            alt = 2 * (n + 1) + n * body
            total = alt if rec.total.fuel == INF else z3.If(alt < total, alt, total)
        return iter_cost + total, self.havoc(env, assigned), False

    def while_(self, s: ast.While, env: dict[str, Any], pc: list[Any]) -> tuple[Any, dict, bool]:
        an = self.an
        rec = an.loops.get(id(s))
        res = an.term.get(id(s))
        if rec is None:
            return z3.IntVal(0), env, False
        assigned = assigned_in(s.body)
        total = self.const(rec.total.fuel)
        if res is not None and res.status == "proven" and res.measure is not None \
                and id(s) in an.node_fuel:
            m = self.enc.int_(res.measure, env)
            if m is not None:
                k = z3.If(m + 1 > 0, m + 1, 0)
                inner = self.havoc(env, assigned)
                body, _, _ = self.block(s.body, inner, pc + [self.enc.bool_(s.cond, inner)])
                alt = (k + 1) * self.const(an.node_fuel[id(s)]) + k * body
                total = alt if rec.total.fuel == INF else z3.If(alt < total, alt, total)
        return total, self.havoc(env, assigned), False


class SymCost:
    """The script's fuel as one Z3 term, with the path conditions of its range loops."""

    def __init__(self, an: Analyzer, script: ast.Script, inputs: dict[str, AV],
                 rlimit: int = solver.RLIMIT):
        self.b = _Builder(an, inputs, script)
        self.rlimit = rlimit
        body = tuple(s for s in script.body if not isinstance(s, ast.Def))
        self.cost, _, _ = self.b.block(body, {}, [])
        self.cost = self.cost + self.b.const(an.start_fuel)  # the inputs copied at start

    @property
    def nonlinear(self) -> list[str]:
        return list(dict.fromkeys(self.b.nonlinear))

    def range_within(self, node: ast.Expr, limit: int) -> str | None:
        """Whether `range(...)` at node holds at most `limit` numbers on every path that
        reaches it: "unsat" (proven), "sat", "unknown", or None (not modelled)."""
        got = self.b.ranges.get(id(node))
        if got is None:
            return None
        pc, k = got
        st, _ = solver.solve(self.b.facts + pc + [k > limit], rlimit=self.rlimit)
        return st

    def within(self, budget: int) -> SymResult:
        """Is the fuel <= budget on every path? (Only asked when intervals say no.)"""
        b = self.b
        goal = self.cost > budget
        st, model = solver.solve(b.facts + [goal], rlimit=self.rlimit)
        nonlinear = list(dict.fromkeys(b.nonlinear))
        if st == "unsat":
            return SymResult("proven", nonlinear=nonlinear)
        if st == "unknown":
            return SymResult("unknown", reason=str(model), nonlinear=nonlinear)
        cex: dict[str, int] = {}
        worst = None
        if isinstance(model, dict):
            cex = {k: v for k, v in model.items() if k in b.syms}
            got = solver.model_values(b.facts + [goal], {"cost": self.cost},
                                      rlimit=self.rlimit)
            worst = got.get("cost")
        return SymResult("refuted", cex, worst, nonlinear=nonlinear)
