"""Bounds by abstract interpretation: fuel, tool calls, sub-model calls, sizes.

One walk over the checked tree with an abstract state (name -> `AV`, see
sizes.py and values.py). Each node adds its entry of the shared cost table
(`rlmlang.cost.NODE_FUEL`), so the bound is in the very units the VM meters;
builtins and tools add `spec.cost(sizes)` on upper bounds of their arguments'
sizes. Branches cost their condition plus the dearer branch; loops cost their
iteration bound times one iteration at the loop's hull. Permission-relevant
calls are recorded with the abstract pieces of their resource argument for
permissions.py.

The Analyzer is one object with its parts in modules of one concept each:
this module holds its state and the statements; loops.py the loops (hulls,
amortized sums, while loops proven by termination.py), exprs.py the
expressions, calls.py the calls, results.py what a builtin returns,
conditions.py what a branch's condition narrows, records.py what is recorded.
"""

from __future__ import annotations

from typing import Any

from rlmlang.check import CheckedScript
from rlmlang.cost import NODE_FUEL, state_fuel, walk_fuel
from rlmlang.syntax import ast
from rlmlang.types import Type
from rlmlang.verify import solver, termination
from rlmlang.verify.calls import Calls
from rlmlang.verify.conditions import infeasible, refine
from rlmlang.verify.exprs import Expressions
from rlmlang.verify.loopbody import continues
from rlmlang.verify.loops import Loops
from rlmlang.verify.records import CallSite, Cost, Frame, LoopRecord, SizeProblem
from rlmlang.verify.results import RANGE_LIMIT
from rlmlang.verify.sizes import AV, INF, Num, join, mul
from rlmlang.verify.values import State, from_size, join_states, sized, top_of

# The names other modules import from here.
__all__ = ["RANGE_LIMIT", "Analyzer", "CallSite", "LoopRecord", "from_size", "infeasible",
           "refine", "top_of"]


class Analyzer(Loops, Expressions, Calls):
    """One walk over a checked script: its cost, loops, call sites, sizes (module doc)."""

    def __init__(self, checked: CheckedScript, inputs: State, state_avs: State,
                 memory_cap: int, rlimit: int = termination.RLIMIT):
        self.checked = checked
        self.types = checked.types
        self.info = checked.locals
        self.registry = checked.env.registry
        self.inputs = inputs
        self.state_avs = state_avs
        self.memory_cap = memory_cap
        self.rlimit = rlimit  # solver steps per query (termination here, cost in symcost)
        self.budget = solver.CURRENT.get() or solver.Budget()  # of the whole verification
        self.cost = Cost()
        self.loops: dict[int, LoopRecord] = {}
        self.loop_stack: list[int] = []
        self.sites: dict[int, CallSite] = {}
        self.size_problems: dict[int, SizeProblem] = {}
        self.term: dict[int, termination.LoopResult] = {}
        self.peak: dict[str, tuple[Num, Any, str]] = {}  # frame:name -> (bytes, node, name)
        self.frame = Frame()
        self.frame_types: dict[str, Type] = {}
        self.def_memo: dict[tuple[Any, ...], tuple[AV, Cost]] = {}
        self.quiet_memo: dict[tuple[Any, ...], tuple[AV, Cost]] = {}
        self.lazy_range: int | None = None  # the range(...) a for header iterates lazily
        self.start_fuel: Num = 0  # what the VM charges before the first instruction
        self.unbounded: set[str] = set()  # frame:name already reported as unbounded
        # > 0 while a loop body is evaluated only to find its hull or to sample its cost:
        # records (loops, peaks, size problems, termination verdicts) come from the one
        # evaluation at the final hull, never from these.
        self.quiet = 0
        self.term_memo: dict[tuple[Any, ...], termination.LoopResult] = {}
        self.loop_names: dict[int, tuple[set[str], frozenset[str]]] = {}
        self.body_memo: dict[int, tuple[frozenset[str], ...]] = {}  # id(loop body) -> facts
        # Fuel of one run of each simple statement, of each if's conditions, of each for's
        # iterable, of one test of each while's condition (for the Z3 cost path, symcost).
        self.node_fuel: dict[int, Num] = {}
        self.cond_fuel: dict[int, list[Num]] = {}


    def run(self) -> State | None:
        body = tuple(s for s in self.checked.script.body if not isinstance(s, ast.Def))
        self.frame_types = dict(self.info.globals)
        for k, t in self.checked.env.inputs.items():
            self.frame_types.setdefault(k, t)
        st: State = dict(self.inputs)
        for k, v in self.state_avs.items():
            st["state." + k] = v
        # The VM copies and measures list and dict inputs before the first instruction.
        self.start_fuel = sum(sized(v, walk_fuel) for v in self.inputs.values()
                              if v.kind in ("list", "dict"))
        self.cost.fuel += self.start_fuel
        return self.block(body, st)


    def block(self, stmts: tuple[ast.Stmt, ...], st: State | None) -> State | None:
        for s in stmts:
            if st is None:
                return None
            st = self.stmt(s, st)
        return st

    def charge(self, kind: str, times: Num = 1) -> None:
        self.cost.fuel += mul(NODE_FUEL.get(kind, 1), times)

    def stmt(self, s: ast.Stmt, st: State) -> State | None:
        self.budget.step()  # OutOfBudget past the verification's step or time budget
        if self.quiet or isinstance(s, (ast.If, ast.For, ast.While, ast.Def)):
            try:
                return self._stmt(s, st)
            except solver.OutOfBudget as e:
                e.node = s  # the outermost statement it ran out in, as it propagates
                raise
        saved = self.cost
        self.cost = Cost()
        out = self._stmt(s, st)
        self.note_fuel(s, self.cost.fuel)
        saved.add(self.cost)
        self.cost = saved
        return out

    def note_fuel(self, node: Any, fuel: Num) -> None:
        if not self.quiet:
            self.node_fuel[id(node)] = max(self.node_fuel.get(id(node), 0), fuel)

    def _stmt(self, s: ast.Stmt, st: State) -> State | None:
        kind = type(s).__name__
        if isinstance(s, ast.Assign):
            self.charge(kind)
            v = self.expr(s.value, st)
            return self.assign(s.target, v, st, s)
        if isinstance(s, ast.AugAssign):
            self.charge(kind)
            cur = self.expr(s.target, st)
            val = self.expr(s.value, st)
            in_place = isinstance(s.target, ast.Name) and s.op == "+" and cur.kind == "list"
            v = self.binop(s.op, cur, val, s, self.types.get(id(s.target)), in_place)
            return self.assign(s.target, v, st, s)
        if isinstance(s, ast.ExprStmt):
            self.charge(kind)
            self.expr(s.expr, st)
            return st
        if isinstance(s, ast.Submit):
            self.charge(kind)
            self.expr(s.value, st)
            return None
        if isinstance(s, ast.Fail):
            self.charge(kind)
            self.expr(s.message, st)
            return None
        if isinstance(s, ast.Return):
            self.charge(kind)
            v = self.expr(s.value, st) if s.value is not None else AV("none")
            self.frame.returns.append(v)
            return None
        if isinstance(s, ast.Break):
            self.charge(kind)
            if self.frame.loop_breaks:
                self.frame.loop_breaks[-1].append(st)
            return None
        if isinstance(s, ast.Continue):
            self.charge(kind)
            if self.frame.loop_conts:
                self.frame.loop_conts[-1].append(st)
            return None
        if isinstance(s, ast.Pass):
            self.charge(kind)
            return st
        if isinstance(s, ast.If):
            return self.if_stmt(s, st)
        if isinstance(s, ast.For):
            return self.for_stmt(s, st)
        if isinstance(s, ast.While):
            return self.while_stmt(s, st)
        return st

    def assign(self, target: ast.Expr, v: AV, st: State, node: ast.Stmt) -> State:
        st = dict(st)
        if isinstance(target, ast.Name):
            st[target.id] = v
            self.note_peak(target.id, v, node)
        elif isinstance(target, ast.Index) and isinstance(target.value, ast.Name):
            name = target.value.id
            old = st.get(name) or top_of(self.frame_types.get(name))
            kav = self.expr(target.index, st)
            grow = 1 if old.kind == "dict" else 0
            key_hi = max(old.hi, kav.size) if old.kind == "dict" else old.hi
            # A new entry adds its key and value; a replaced one at most its new value.
            added = v.total + (kav.size if old.kind == "dict" else 0)
            st[name] = AV(old.kind, old.lo, key_hi, old.size + grow, join(old.elem, v), None,
                          old.sum + added)
            self.note_peak(name, st[name], node)
        elif isinstance(target, ast.Dotted):
            self.cost.fuel += sized(v, state_fuel)  # the value is copied as JSON
            st["state." + target.parts[1]] = v
            self.note_peak("state." + target.parts[1], v, node)
        return st

    def note_peak(self, name: str, v: AV, node: Any) -> None:
        if self.quiet:
            return
        key = f"{id(self.frame)}:{name}"
        b = v.bytes()
        old = self.peak.get(key)
        if old is None or b > old[0]:
            self.peak[key] = (b, node, name)
        if v.kind in ("str", "list", "dict") and v.size == INF and key not in self.unbounded:
            self.unbounded.add(key)
            self.size_problem(node, f"'{name}' can grow without a safe bound",
                              _grow_fix(name, v), name=name, bound="unbounded")

    def size_problem(self, node: Any, message: str, fix: str, **data: Any) -> None:
        if not self.quiet and id(node) not in self.size_problems:
            self.size_problems[id(node)] = SizeProblem(node, message, fix, data)

    def if_stmt(self, s: ast.If, st: State) -> State | None:
        outs: list[State | None] = []
        branch_costs: list[tuple[Cost, bool]] = []  # (cost, whether it leaves the loop)
        saved = self.cost
        cur: State | None = st
        cond_cost = Cost()
        conds: list[Num] = []
        for cond, body in s.branches:
            if cur is None:
                break
            self.cost = Cost()
            self.charge("If")
            self.expr(cond, cur)
            cond_cost.add(self.cost)
            conds.append(self.cost.fuel)
            self.cost = Cost()
            if infeasible(cur, cond):
                outs.append(None)
                branch_costs.append((Cost(), False))
                cur = refine(cur, cond, False)
                continue
            out = self.block(body, refine(cur, cond, True))
            outs.append(out)
            branch_costs.append((self.cost, out is None and not continues(body)))
            cur = refine(cur, cond, False)
        self.cost = Cost()
        if s.orelse is not None and cur is not None:
            out = self.block(s.orelse, cur)
            outs.append(out)
            branch_costs.append((self.cost, out is None and not continues(s.orelse)))
        else:
            outs.append(cur)
            branch_costs.append((self.cost, False))
        # A branch every path of which leaves the enclosing loop (break, return, submit,
        # fail; no continue) runs at most once per run of that loop: charged there, once.
        in_loop = bool(self.frame.once)
        worst = Cost()
        once = Cost()
        for c, leaves in branch_costs:
            if leaves and in_loop:
                once = once.max(c)
            else:
                worst = worst.max(c)
        if in_loop:
            self.frame.once[-1] = self.frame.once[-1].max(once)
        if not self.quiet:
            old = self.cond_fuel.get(id(s), [])
            self.cond_fuel[id(s)] = [max(a, b) for a, b in zip(conds, old, strict=False)] + \
                conds[len(old):] + old[len(conds):]
        self.cost = saved
        self.cost.add(cond_cost)
        self.cost.add(worst)
        return join_states(outs)


def _grow_fix(name: str, v: AV) -> str:
    if v.kind == "str":
        return (f"do not let '{name}' feed on itself (like {name} = {name} + {name}); add a "
                "bounded piece each time round, or collect parts in a list and join them once")
    return (f"grow '{name}' by a bounded amount each time round (like {name} = {name} + [x]), "
            "or stop the loop once it is big enough")

