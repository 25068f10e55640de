"""Bounds by abstract interpretation: fuel, tool calls, sub-model calls, sizes.

One walk over the checked tree with an abstract state (name -> `AV`: int
intervals, size bounds, string pieces). Each node adds its entry of the
shared cost table (`rlmlang.cost.NODE_FUEL`), so the bound is in the very
units the VM meters; builtins and tools add `spec.cost(sizes)` on upper
bounds of their arguments' sizes. Branches cost their condition plus the
dearer branch; loops cost their iteration bound times one iteration at the
loop's *hull* (the state that covers every iteration), which is sound
because every cost and size function is monotone.

The hull of a loop is found in a few rounds. A variable that the body only
ever grows by increments (`s = s + e`, `n += 1`, also inside nested loops)
gets `entry + N × growth-per-iteration`, with the growth measured at the
hull itself; any other variable gets the join of what the body produces,
widened to "unbounded" if it keeps growing. A string that doubles each time
round therefore comes out unbounded, which the size check rejects.

Conditions narrow intervals on the way into a branch (`if n <= 100:`
bounds `n` inside), so a path condition usually proves what a plain
interval bound could not. Permission-relevant calls are recorded with the
abstract pieces of their resource argument for `permissions.py`; `while`
loops are handed to `termination.py` with their entry state, and their
proven measure at entry (+1) is their iteration bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlmlang.check import CheckedScript
from rlmlang.cost import (
    CHARS_PER_FUEL,
    ITEM_FUEL,
    ITEM_WORK,
    NODE_FUEL,
    compare_fuel,
    concat_fuel,
    contains_fuel,
    result_fuel,
    size_fuel,
    state_fuel,
    walk_fuel,
)
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.tools.host.llm import llm_calls
from rlmlang.tools.registry import Size, ToolSpec
from rlmlang.types import (
    BOOL,
    FLOAT,
    INT,
    NONE,
    STR,
    DictT,
    Hole,
    ListT,
    RecordT,
    TupleT,
    Type,
)
from rlmlang.verify import solver, termination
from rlmlang.verify.amortize import Amortizer
from rlmlang.verify.sizes import (
    AV,
    INF,
    Num,
    Piece,
    Unknown,
    clamp,
    fmt,
    iadd,
    ifloordiv,
    imod,
    imul,
    ineg,
    isub,
    join,
    leq,
    mul,
    widen_av,
)

MAX_ROUNDS = 5  # rounds to find a loop's hull before widening to unbounded
# An accumulator whose hull is within this of its entry value is not worth the samples
# that would tighten it (each is one more evaluation of the loop body).
TIGHTEN_OVER = 1 << 16


@dataclass
class Cost:
    fuel: Num = 0
    tools: Num = 0
    llm: Num = 0

    def add(self, o: Cost) -> None:
        self.fuel += o.fuel
        self.tools += o.tools
        self.llm += o.llm

    def scaled(self, n: Num) -> Cost:
        return Cost(mul(self.fuel, n), mul(self.tools, n), mul(self.llm, n))

    def max(self, o: Cost) -> Cost:
        return Cost(max(self.fuel, o.fuel), max(self.tools, o.tools), max(self.llm, o.llm))


@dataclass
class LoopRecord:
    node: ast.Stmt
    kind: str  # "for" | "while"
    iterations: Num
    per_iteration: Cost
    total: Cost
    parent: int | None  # id of the enclosing loop node
    iter_text: str = ""
    measure: str | None = None
    guessed: bool = False
    why_bound: str = ""  # how the iteration count is known
    amortized: bool = False  # the body's total is bounded by the items' summed size


@dataclass
class CallSite:
    """An effectful call: its spec and the abstract pieces of its resource argument."""

    node: ast.Call
    spec: ToolSpec
    pieces: set[tuple[Piece, ...] | None] = field(default_factory=set)
    in_loop: bool = False


@dataclass
class SizeProblem:
    node: Any
    message: str
    fix: str
    data: dict[str, Any]


State = dict[str, AV]


class _Frame:
    def __init__(self) -> None:
        self.loop_breaks: list[list[State]] = []
        self.loop_conts: list[list[State]] = []
        # Per enclosing loop of this frame: the dearest branch that leaves it (runs once).
        self.once: list[Cost] = []
        self.returns: list[AV] = []


@dataclass(frozen=True)
class Split:
    """A loop over pieces of a text: bind the item at a smaller size; its bounds."""

    bind_at: Any  # (state, size) -> state with the loop variable of at most `size`
    size: Num  # the largest item
    total: Num  # the items' sizes add up to at most this


def top_of(t: Type | None, size: Num = INF) -> AV:
    """The abstract value of an unknown value of type t (sizes as given)."""
    if t == INT:
        return AV("int")
    if t == FLOAT:
        return AV("float")
    if t == BOOL:
        return AV("bool")
    if t == NONE:
        return AV("none")
    if t == STR:
        return AV("str", size=size)
    if isinstance(t, ListT):
        return AV("list", size=size, elem=top_of(t.elem, size))
    if isinstance(t, DictT):
        return AV("dict", size=size, elem=top_of(t.value, size), hi=size)
    if isinstance(t, RecordT):
        el = None
        for _, ft in t.fields:
            el = join(el, top_of(ft, size))
        return AV("dict", size=len(t.fields), elem=el, hi=max((len(n) for n, _ in t.fields),
                                                              default=1))
    if isinstance(t, TupleT):
        items = tuple(top_of(i, size) for i in t.items)
        el = None
        for i in items:
            el = join(el, i)
        return AV("list", size=len(items), elem=el, items=items)
    if isinstance(t, Hole):
        return AV("any", size=0)
    return AV("any", size=size)


def from_size(t: Type | None, s: Size) -> AV:
    """An AV of type t whose size is at most `s` (tool results, inputs)."""
    if t == STR:
        return AV("str", size=s.len)
    total = INF if s.sum is None else s.sum  # Σ max(1, t_i) bounds Σ t_i
    if isinstance(t, ListT):
        return AV("list", size=s.len, elem=top_of(t.elem, s.elem), sum=total)
    if isinstance(t, DictT):
        return AV("dict", size=s.len, elem=top_of(t.value, s.elem), hi=s.elem, sum=total)
    if isinstance(t, RecordT):
        return top_of(t, s.elem)
    return top_of(t)


class Analyzer:
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
        self.frame = _Frame()
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
        self.loop_names: dict[int, tuple[set[str], set[str]]] = {}
        # Fuel of one run of each simple statement, of each if's conditions, of each for's
        # iterable, of one test of each while's condition (for the Z3 cost path, symcost).
        self.node_fuel: dict[int, Num] = {}
        self.cond_fuel: dict[int, list[Num]] = {}

    # ------------------------------------------------------------------ entry

    def run(self) -> State | None:
        body = tuple(s for s in self.checked.script.body if not isinstance(s, ast.Def))
        self.frame_types = dict(self.info.globals)
        for k, t in self.checked.env.inputs.items():
            self.frame_types.setdefault(k, t)
        st: State = dict(self.inputs)
        for k, v in self.state_avs.items():
            st["state." + k] = v
        # The VM copies and measures list and dict inputs before the first instruction.
        self.start_fuel = sum(_sized(v, walk_fuel) for v in self.inputs.values()
                              if v.kind in ("list", "dict"))
        self.cost.fuel += self.start_fuel
        return self.block(body, st)

    # ------------------------------------------------------------------ statements

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
            self.cost.fuel += _sized(v, state_fuel)  # the value is copied as JSON
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
                cur = refine(cur, cond, False, self)
                continue
            out = self.block(body, refine(cur, cond, True, self))
            outs.append(out)
            branch_costs.append((self.cost, out is None and not _continues(body)))
            cur = refine(cur, cond, False, self)
        self.cost = Cost()
        if s.orelse is not None and cur is not None:
            out = self.block(s.orelse, cur)
            outs.append(out)
            branch_costs.append((self.cost, out is None and not _continues(s.orelse)))
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

    # ------------------------------------------------------------------ loops

    def for_stmt(self, s: ast.For, st: State) -> State | None:
        self.charge("For", 0)
        saved = self.cost
        self.cost = Cost()
        self.lazy_range = id(s.iter)  # `for i in range(...)` builds no list
        it = self.expr(s.iter, st)
        kind = self.info.iter_kinds.get(id(s), "list")
        if kind == "dict":  # the VM copies the keys first
            self.cost.fuel += clamp(it.size) // CHARS_PER_FUEL if it.size != INF else INF
        self.note_fuel(s, self.cost.fuel)
        saved.add(self.cost)
        self.cost = saved
        n = it.size if it.kind in ("list", "dict", "str") else INF
        if kind == "dict":
            elem = AV("str", size=it.hi if it.hi != INF and it.hi > 0 else INF)
        elif it.kind == "str":  # the characters of a text
            elem = AV("str", size=1)
        else:
            elem = it.elem if it.elem is not None else AV("any", size=0)
        why = f"{print_expr(s.iter)} has at most {_n(n)} items"

        def bind(h: State) -> State:
            h = dict(h)
            h[s.var] = elem
            return h

        def overhead(iters: Num) -> Cost:
            return Cost(mul(NODE_FUEL["For"], iters + 1))

        split = None
        # The pieces of a text, or the keys of a dict built from them: their sizes add up
        # to at most the list's (the dict's) sum, so the loop is amortized over them.
        if it.kind in ("list", "dict") and it.sum != INF and elem.kind == "str":
            def bind_at(h: State, size: Num) -> State:
                h = dict(h)
                h[s.var] = AV("str", size=min(size, elem.size), line_of=elem.line_of)
                return h
            split = Split(bind_at, elem.size, it.sum)
        elif it.kind == "list" and it.sum != INF and elem.kind == "list":
            # Lists of pieces (rows of cells, pairs): each is at most its share of the sum.
            def bind_list(h: State, size: Num) -> State:
                h = dict(h)
                h[s.var] = cap(elem, size)
                return h
            split = Split(bind_list, elem.total, it.sum)
        return self.loop(s, "for", st, n, bind, s.body, overhead, why, print_expr(s.iter),
                         split=split)

    def while_stmt(self, s: ast.While, st: State) -> State | None:
        res = self.prove_while(s, st)
        if res.status == "proven" and res.measure is not None:
            saved = self.cost
            self.cost = Cost()
            m = self.expr(res.measure, st)
            self.cost = saved
            n: Num = max(0, m.hi + 1) if m.kind == "int" else INF
            why = (f"measure {print_expr(res.measure)} is at most {_n(m.hi)} at entry"
                   if m.hi != INF else f"measure {print_expr(res.measure)} has no upper bound "
                   "at entry")
        else:
            n = INF
            why = "no proven measure"

        def bind(h: State) -> State:
            return refine(h, s.cond, True, self)

        def overhead(iters: Num) -> Cost:
            saved = self.cost
            self.cost = Cost()
            self.charge("While")
            self.expr(s.cond, st)
            c = self.cost
            self.cost = saved
            self.note_fuel(s, c.fuel)
            return c.scaled(iters + 1)

        out = self.loop(s, "while", st, n, bind, s.body, overhead, why, print_expr(s.cond),
                        measure=res)
        if out is None:
            return None
        return refine(out, s.cond, False, self)

    def prove_while(self, s: ast.While, st: State) -> termination.LoopResult:
        """The loop's termination verdict for this entry state (Z3, memoized on its facts).

        Proven again for every entry state it is reached with (the entry state of a
        nested loop widens as the outer loop's hull grows); the verdict recorded is
        the one at the final hull, and a failure anywhere sticks.
        """
        names = self.loop_names.get(id(s))
        if names is None:
            names = self.loop_names[id(s)] = (_names_in(s), termination.assigned_in(s.body))
        mentioned, assigned = names
        # Only what the encoding can read: the names the loop mentions, with their types.
        types = {k: t for k, t in termination.types_for_frame(self.frame_types).items()
                 if k in mentioned}
        facts = tuple(sorted((k, st[k]) for k in types if k not in assigned and k in st))
        key = (id(s), facts, tuple(sorted((k, str(t)) for k, t in types.items())))
        res = self.term_memo.get(key)
        if res is None:
            res = termination.prove(s, types, {k: st[k] for k in types if k in st},
                                    self.rlimit)
            self.term_memo[key] = res
        old = self.term.get(id(s))
        if not self.quiet and (old is None or old.status == "proven"):
            self.term[id(s)] = res
        return res

    def loop(self, s: ast.Stmt, kind: str, st: State, n: Num, bind: Any,
             body: tuple[ast.Stmt, ...], overhead: Any, why: str, text: str,
             measure: termination.LoopResult | None = None,
             split: Split | None = None) -> State | None:
        assigned = termination.assigned_in(body)
        incremental = _incremental_names(body, assigned)
        saved = self.cost
        parent = self.loop_stack[-1] if self.loop_stack else None
        self.loop_stack.append(id(s))
        amort = Amortizer.make(n, split.size, split.total) if split is not None else None
        self.quiet += 1
        try:
            h = self._hull(st, n, bind, body, assigned, incremental)
            if amort is not None and split is not None and incremental:
                h = self._tighten(h, st, body, incremental, split, amort)
        finally:
            self.quiet -= 1
        per_iter, out_state, breaks, once = self._iterate(body, bind(h))
        body_total = per_iter.scaled(n)
        amortized = False
        if amort is not None and split is not None:
            self.quiet += 1
            try:
                cand = self._amortized_cost(body, h, split, amort, per_iter)
            finally:
                self.quiet -= 1
            if cand is not None and cand.fuel < body_total.fuel:
                amortized = True
            if cand is not None:
                body_total = Cost(min(body_total.fuel, cand.fuel),
                                  min(body_total.tools, cand.tools),
                                  min(body_total.llm, cand.llm))
        self.loop_stack.pop()
        total = overhead(n)
        total.add(body_total)
        total.add(once)
        self.cost = saved
        self.cost.add(total)
        if amortized and split is not None:
            why += (f"; their sizes add up to at most {_n(split.total)}, so the per-item work "
                    "is bounded by the total (amortized)")
        rec = LoopRecord(s, kind, n, per_iter, total, parent, text, why_bound=why,
                         amortized=amortized)
        if measure is not None and measure.measure is not None and measure.status == "proven":
            rec.measure = print_expr(measure.measure)
            rec.guessed = measure.guessed
        if not self.quiet:
            self.loops[id(s)] = rec
        for name, v in h.items():
            if name in assigned:
                self.note_peak(name, v, s)
        return join_states([h, out_state, *breaks])

    def _iterate(self, body: tuple[ast.Stmt, ...],
                 state: State) -> tuple[Cost, State | None, list[State], Cost]:
        """One iteration from `state`: (its cost, state after, states at break, once-cost)."""
        self.cost = Cost()
        self.frame.loop_breaks.append([])
        self.frame.loop_conts.append([])
        self.frame.once.append(Cost())
        end = self.block(body, state)
        breaks = self.frame.loop_breaks.pop()
        conts = self.frame.loop_conts.pop()
        once = self.frame.once.pop()
        return self.cost, join_states([end, *conts]), breaks, once

    def _hull(self, st: State, n: Num, bind: Any, body: tuple[ast.Stmt, ...],
              assigned: set[str], incremental: set[str]) -> State:
        """A state that covers the start of every iteration (see the module doc)."""
        h = dict(st)
        firsts: dict[str, AV | None] = {}
        growers = _item_growers(body, assigned)
        for rnd in range(MAX_ROUNDS + 1):
            _, out_state, _, _ = self._iterate(body, bind(h))
            new_h = dict(h)
            stable = True
            for name in assigned:
                old = h.get(name)
                got = out_state.get(name) if out_state is not None else None
                if got is None:
                    continue
                if old is None:
                    new_h[name] = got
                    stable = False
                    continue
                if name in incremental:
                    if firsts.get(name) is None and name in growers:
                        firsts[name] = got.elem  # items as first made: the base of growth
                    cand = _accelerate(st.get(name, old), old, got, n, firsts.get(name))
                else:
                    cand = join(old, got)
                    if cand is not None and rnd >= 2 and not leq(cand, old):
                        cand = widen_av(old, cand)
                if cand is not None and not leq(cand, old):
                    new_h[name] = join(old, cand)  # type: ignore[assignment]
                    stable = False
            h = new_h
            if stable:
                return h
        for name in assigned:
            if name in h and name in st and not leq(h[name], st[name]):
                h[name] = widen_av(st[name], h[name])
        return h

    def _sweep(self, body: tuple[ast.Stmt, ...], h: State, split: Split, amort: Amortizer,
               measure: Any, at_size: tuple[Num, ...] | None = None,
               ) -> list[dict[int, Num]] | None:
        """`measure(cost, state after)` of one iteration at sample sizes, one dict
        (size -> value) per component; None when the body does not depend on the size
        (the values at 0 and at the largest size agree)."""
        got: dict[int, tuple[Num, ...]] = {}

        def at(size: int) -> None:
            if size not in got:
                c, out, _, _ = self._iterate(body, split.bind_at(h, size))
                got[size] = measure(c, out)
        if at_size is not None:
            got[amort.size] = at_size
        at(amort.size)
        at(0)
        if got[0] == got[amort.size]:
            return None
        for s in amort.coarse:
            at(s)

        def comps() -> list[dict[int, Num]]:
            return [{s: v[i] for s, v in got.items()} for i in range(len(got[0]))]
        # Finer samples only for the outer loops: in a nest, every sample of an outer loop
        # evaluates the inner ones again, so their sweeps multiply.
        if self.quiet <= 2 and any(amort.loose(c) for c in comps()):
            for s in amort.fine:
                at(s)
        return comps()

    def _amortized_cost(self, body: tuple[ast.Stmt, ...], h: State, split: Split,
                        amort: Amortizer, per_iter: Cost) -> Cost | None:
        """Σ over the iterations of their cost, bounded by the items' total size."""
        def measure(c: Cost, _: State | None) -> tuple[Num, ...]:
            return (c.fuel, c.tools, c.llm)
        vals = self._sweep(body, h, split, amort, measure, measure(per_iter, None))
        if vals is None:
            return None
        return Cost(*(amort.sum(v) for v in vals))

    def _tighten(self, h: State, st: State, body: tuple[ast.Stmt, ...], incremental: set[str],
                 split: Split, amort: Amortizer) -> State:
        """Bound the accumulators by their amortized growth (`out = out + line`: <= T)."""
        names = sorted(x for x in incremental if x in h and x in st
                       and h[x].kind in ("int", "str", "list", "dict")
                       and _spread(st[x], h[x]) > TIGHTEN_OVER)
        if not names:
            return h

        def measure(_: Cost, out: State | None) -> tuple[Num, ...]:
            vals: list[Num] = []
            for x in names:
                got = out.get(x) if out is not None else None
                old = h[x]
                if got is None or got.kind != old.kind:
                    vals += [INF, INF]
                elif old.kind == "int":
                    vals += [_up(got.hi, old.hi), _down(got.lo, old.lo)]
                else:
                    vals += [_up(got.size, old.size), _up(got.sum, old.sum)]
            return tuple(vals)
        vals = self._sweep(body, h, split, amort, measure)
        if vals is None:
            return h
        out = dict(h)
        for i, x in enumerate(names):
            g1 = amort.sum(vals[2 * i])
            g2 = amort.sum(vals[2 * i + 1])
            e, cur = st[x], h[x]
            if cur.kind == "int":
                out[x] = AV("int", max(cur.lo, e.lo - g2), min(cur.hi, e.hi + g1))
            else:
                out[x] = AV(cur.kind, cur.lo, cur.hi, min(cur.size, e.size + g1), cur.elem,
                            cur.pieces, min(cur.sum, e.sum + g2))
        return out

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr, st: State) -> AV:
        kind = type(e).__name__
        self.charge(kind)
        if isinstance(e, ast.Const):
            return AV.const(e.value)
        if isinstance(e, ast.Name):
            v = st.get(e.id)
            if v is None:
                v = top_of(self.types.get(id(e)))
            return v
        if isinstance(e, ast.Dotted):
            v = st.get("state." + e.parts[-1])
            v = v if v is not None else top_of(self.types.get(id(e)))
            self.cost.fuel += _sized(v, state_fuel)  # the value is copied as JSON
            return v
        if isinstance(e, ast.ListLit):
            self.cost.fuel += ITEM_FUEL * len(e.items)
            el = None
            total: Num = 0
            for it in e.items:
                v = self.expr(it, st)
                el = join(el, v)
                total += v.total
            return AV("list", size=len(e.items), elem=el, sum=total)
        if isinstance(e, ast.TupleLit):
            self.cost.fuel += ITEM_FUEL * len(e.items)
            items = tuple(self.expr(it, st) for it in e.items)
            el = None
            for v in items:
                el = join(el, v)
            return AV("list", size=len(items), elem=el, sum=sum(v.total for v in items),
                      items=items)
        if isinstance(e, ast.IfExp):
            self.expr(e.cond, st)
            saved = self.cost
            self.cost = Cost()
            yes = self.expr(e.body, refine(st, e.cond, True, self))
            c_yes = self.cost
            self.cost = Cost()
            no = self.expr(e.orelse, refine(st, e.cond, False, self))
            c_no = self.cost
            self.cost = saved
            self.cost.add(c_yes.max(c_no))
            return join(yes, no) or yes
        if isinstance(e, ast.DictLit):
            self.cost.fuel += ITEM_FUEL * len(e.items)
            el = None
            key = 0
            total: Num = 0
            for k, v in e.items:
                kv = self.expr(k, st)
                key = max(key, kv.size)
                vv = self.expr(v, st)
                el = join(el, vv)
                total += kv.size + vv.total
            return AV("dict", hi=key, size=len(e.items), elem=el, sum=total)
        if isinstance(e, ast.BinOp):
            a, b = self.expr(e.left, st), self.expr(e.right, st)
            return self.binop(e.op, a, b, e, self.types.get(id(e)))
        if isinstance(e, ast.Compare):
            a, b = self.expr(e.left, st), self.expr(e.right, st)
            if e.op in ("in", "not in") and b.kind == "str":
                self.cost.fuel += size_fuel(clamp(b.size)) if b.size != INF else INF
            elif e.op in ("in", "not in") and b.kind == "list":
                self.cost.fuel += contains_fuel(a.to_size(), clamp(b.size)) \
                    if b.size != INF and _finite(a) else INF
            elif e.op not in ("in", "not in"):
                self.cost.fuel += _compared(a, b)
            return AV("bool")
        if isinstance(e, ast.BoolOp):
            self.expr(e.left, st)
            self.expr(e.right, refine(st, e.left, e.op == "and", self))
            return AV("bool")
        if isinstance(e, ast.Not):
            self.expr(e.operand, st)
            return AV("bool")
        if isinstance(e, ast.Neg):
            v = self.expr(e.operand, st)
            return ineg(v) if v.kind == "int" else v
        if isinstance(e, ast.Index):
            v = self.expr(e.value, st)
            k = self.expr(e.index, st)
            if v.kind == "str":
                return AV("str", size=1)
            if v.items is not None and k.kind == "int" and k.lo == k.hi and \
                    -len(v.items) <= k.lo < len(v.items):
                return v.items[int(k.lo)]
            if v.elem is not None:
                return v.elem
            return top_of(self.types.get(id(e)))
        if isinstance(e, ast.Slice):
            v = self.expr(e.value, st)
            lo = self.expr(e.lower, st) if e.lower is not None else AV("int", 0, 0)
            hi = self.expr(e.upper, st) if e.upper is not None else None
            size = v.size
            if hi is not None and hi.kind == "int" and lo.lo >= 0 and hi.hi >= 0:
                size = min(size, max(0, hi.hi - max(0, lo.lo)))
            self.cost.fuel += size_fuel(clamp(size)) if size != INF else INF
            return AV(v.kind, v.lo, v.hi, size, v.elem, None, v.sum)
        if isinstance(e, ast.Call):
            return self.call(e, st)
        if isinstance(e, ast.Cast):
            v = self.expr(e.value, st)
            t = self.types.get(id(e))
            if v.kind == "str" and t is not None and t != STR:
                # A sub-model answer parsed as T: no bigger than the text it came from (JSON
                # spends at least a character on each item).
                v = top_of(t, v.size)
                if v.kind in ("list", "dict"):
                    v = AV(v.kind, v.lo, v.hi, v.size, v.elem, v.pieces, v.size)
            elif v.kind == "any" and t is not None:
                v = top_of(t, v.size)
            if v.kind in ("list", "dict"):  # the VM checks every item
                self.cost.fuel += _sized(v, walk_fuel)
            return v
        return AV("any")

    def binop(self, op: str, a: AV, b: AV, node: Any, t: Type | None,
              in_place: bool = False) -> AV:
        if a.kind == "int" and b.kind == "int":
            fn = {"+": iadd, "-": isub, "*": imul, "//": ifloordiv, "%": imod}.get(op)
            return fn(a, b) if fn else AV("float")
        if op == "+" and a.kind == "str" and b.kind == "str":
            size = a.size + b.size
            self.cost.fuel += concat_fuel(clamp(size)) if size != INF else INF
            pieces = None
            if a.pieces is not None and b.pieces is not None:
                pieces = _concat(a.pieces, b.pieces)
            elif isinstance(node, ast.BinOp):
                pa = a.pieces if a.pieces is not None else (Unknown(print_expr(node.left)),)
                pb = b.pieces if b.pieces is not None else (Unknown(print_expr(node.right)),)
                pieces = _concat(pa, pb)
            return AV("str", size=size, pieces=pieces)
        if op == "+" and a.kind == "list" and b.kind == "list":
            size = a.size + b.size
            # `xs += ys` extends xs in place: the work is the items added, not those held.
            work = b.size if in_place else size
            self.cost.fuel += concat_fuel(clamp(work)) if work != INF else INF
            return AV("list", size=size, elem=join(a.elem, b.elem), sum=a.sum + b.sum)
        if op == "*" and {a.kind, b.kind} & {"str", "list"} and "int" in (a.kind, b.kind):
            seq, k = (a, b) if a.kind in ("str", "list") else (b, a)
            size = mul(seq.size, max(0, k.hi))
            self.cost.fuel += concat_fuel(clamp(size)) if size != INF else INF
            if size > self.memory_cap:
                self.size_problem(node, f"repeating a {seq.kind} of up to {_n(seq.size)} "
                                  f"items {_n(k.hi)} times builds up to {_n(size)} items",
                                  "repeat a bounded number of times (check the count with if "
                                  "first)", bound=_num(size))
            return AV(seq.kind, size=size, elem=seq.elem)
        if t == FLOAT or a.kind == "float" or b.kind == "float":
            return AV("float")
        return top_of(t)

    # ------------------------------------------------------------------ calls

    def call(self, e: ast.Call, st: State) -> AV:
        args = [self.expr(a, st) for a in e.args]
        kw = {k.name: self.expr(k.value, st) for k in e.kwargs}
        kind = self.info.calls.get(id(e))
        if kind == "def":
            return self.call_def(e, args, kw)
        spec = self.registry.get(e.func)
        if spec is None:
            return top_of(self.types.get(id(e)))
        ordered = self.ordered_args(spec, args, kw)
        sizes = [a.to_size() for a in ordered] + [v.to_size() for k, v in kw.items()
                                                   if k not in {p.name for p in spec.params}]
        if any(a.kind in ("str", "list", "dict") and a.size == INF for a in ordered):
            self.cost.fuel += INF
        else:
            self.cost.fuel += spec.cost(sizes)
        if spec.name.startswith("llm."):  # llm.map: one sub-model call per chunk
            unbounded = "llm_calls" in spec.extra and any(
                a.kind == "list" and a.size == INF for a in ordered)
            self.cost.llm += INF if unbounded else llm_calls(spec, sizes)
        elif spec.effect:
            self.cost.tools += 1
        if spec.permission is not None or spec.effect:
            site = self.sites.get(id(e))
            if site is None:
                site = self.sites[id(e)] = CallSite(e, spec)
            site.in_loop = site.in_loop or bool(self.loop_stack)
            rp = spec.permission.resource_param if spec.permission else None
            if rp is not None:
                names = [p.name for p in spec.params]
                idx = names.index(rp) if rp in names else -1
                av = ordered[idx] if 0 <= idx < len(ordered) else None
                src = e.args[idx] if 0 <= idx < len(e.args) else next(
                    (k.value for k in e.kwargs if k.name == rp), None)
                if av is not None and av.pieces is not None:
                    site.pieces.add(av.pieces)
                elif src is not None:
                    site.pieces.add((Unknown(print_expr(src)),))
        out = self.result(e, spec, ordered, sizes)
        lazy = spec.name == "range" and self.lazy_range == id(e)
        if out.kind in ("list", "dict") and not lazy:  # making its items
            per = int(spec.extra.get("item_work", ITEM_WORK)) if spec.extra else ITEM_WORK
            self.cost.fuel += result_fuel(clamp(out.size), per) if out.size != INF else INF
        return out

    def ordered_args(self, spec: ToolSpec, args: list[AV], kw: dict[str, AV]) -> list[AV]:
        out = list(args)
        for p in spec.params[len(args):]:
            if p.name in kw:
                out.append(kw[p.name])
            elif p.has_default:
                out.append(AV.const(p.default) if p.default is not None else AV("none"))
            else:
                out.append(AV("any"))
        return out

    def result(self, e: ast.Call, spec: ToolSpec, a: list[AV], sizes: list[Size]) -> AV:
        t = self.types.get(id(e))
        name = spec.name
        if name == "len" and a:
            return AV("int", 0, a[0].size if a[0].kind in ("str", "list", "dict") else INF)
        if name == "range" and a:
            if len(a) >= 2 and a[1].kind == "int":
                start, stop = a[0], a[1]
            else:
                start, stop = AV("int", 0, 0), a[0]
            count = max(0, stop.hi - start.lo) if stop.kind == "int" else INF
            if count > RANGE_LIMIT:
                self.size_problem(e, f"range(...) can hold up to {_n(count)} numbers "
                                  f"(limit {_n(RANGE_LIMIT)})",
                                  "bound the range: check the count with if first, or iterate "
                                  "a smaller collection", bound=_num(count))
            return AV("list", size=count, elem=AV("int", start.lo, stop.hi - 1))
        if name in _SPLITTERS and len(a) > _SPLITTERS[name] and \
                a[_SPLITTERS[name]].kind == "str":
            src = a[_SPLITTERS[name]]
            if name == "chunks":
                out = self._chunks(a)
            else:
                out = from_size(t, spec.result_size(sizes))
            el = out.elem if out.elem is not None else AV("str", size=src.size)
            if src.shape is not None and name in ("lines", "find_lines"):
                # An input whose value is known: its real lines (or fewer of them).
                count, longest, total = src.shape
                return AV("list", size=min(out.size, count),
                          elem=AV("str", size=min(el.size, longest), line_of=src.text),
                          sum=total)
            # A piece of a line of a known text is in that line: its counts bound it too.
            return AV("list", size=_piece_count(name, src.size, a, out.size),
                      elem=AV("str", size=min(el.size, src.size), line_of=src.line_of),
                      sum=src.size)
        if name in ("items", "enumerate", "zip", "top_counts") and a:
            pairs = self._pairs(name, a)
            if pairs is not None:
                return pairs
        if name == "str" and a and a[0].kind == "int":
            m = max(abs(a[0].lo), abs(a[0].hi))
            return AV("str", size=len(str(int(m))) + 1 if m != INF else 20)
        if name == "int" or name == "float":
            return top_of(t)
        try:
            rs = spec.result_size(sizes)
        except Exception:  # noqa: BLE001 - a tool's size function bug is a verifier limit
            rs = Size(clamp(INF), clamp(INF))
        size = INF if rs.len >= clamp(INF) else rs.len
        elem = INF if rs.elem >= clamp(INF) else rs.elem
        total = None if rs.sum is None or rs.sum >= clamp(INF) else rs.sum
        if any(x.kind in ("str", "list", "dict") and x.size == INF for x in a):
            size = elem = INF
            total = None
        return from_size(t, Size(size, elem, total))  # type: ignore[arg-type]

    def _pairs(self, name: str, a: list[AV]) -> AV | None:
        """items(d), enumerate(xs), zip(a, b), top_counts(d): lists of pairs whose
        positions keep their own bounds (the key's length, the item, the index)."""
        x = a[0]
        if x.kind not in ("list", "dict"):
            return None
        if name in ("items", "top_counts"):
            if x.kind != "dict":
                return None
            key = AV("str", size=x.hi if x.hi != INF and x.hi > 0 else INF)
            val = x.elem if x.elem is not None else AV("any")
            n = x.size
            if name == "top_counts" and len(a) > 1 and a[1].kind == "int" and a[1].lo >= 0:
                n = min(n, a[1].hi)
            first, second, total = key, val, x.sum
        elif name == "enumerate":
            start = a[1] if len(a) > 1 and a[1].kind == "int" else AV("int", 0, 0)
            n = x.size
            first = AV("int", start.lo, start.hi + max(0, n - 1) if n != INF else INF)
            second = x.elem if x.elem is not None else AV("any")
            total = x.sum + n if x.sum != INF else INF
        else:
            y = a[1] if len(a) > 1 else None
            if y is None or y.kind != "list":
                return None
            n = min(x.size, y.size)
            first = x.elem if x.elem is not None else AV("any")
            second = y.elem if y.elem is not None else AV("any")
            total = x.sum + y.sum if INF not in (x.sum, y.sum) else INF
        pair = AV("list", size=2, elem=join(first, second), items=(first, second),
                  sum=first.total + second.total)
        return AV("list", size=n, elem=pair, sum=total + 2 * n if total != INF else INF)

    def _chunks(self, a: list[AV]) -> AV:
        step = a[1] if len(a) > 1 else AV("int")
        lo = max(1, step.lo) if step.kind == "int" else 1
        count = a[0].size if a[0].size == INF else -(-int(a[0].size) // int(lo))
        el = min(a[0].size, step.hi) if step.kind == "int" else a[0].size
        return AV("list", size=count, elem=AV("str", size=el), sum=a[0].size)

    def call_def(self, e: ast.Call, args: list[AV], kw: dict[str, AV]) -> AV:
        d = self.info.defs[e.func]
        params = [p.name for p in d.node.params]
        bound = dict(zip(params, args, strict=False))
        for k, v in kw.items():
            bound[k] = v
        key = (e.func, tuple(sorted(bound.items())))
        hit = self.def_memo.get(key)
        if hit is not None:
            ret, c = hit
            self.cost.add(c)
            return ret
        saved_cost, saved_frame, saved_types = self.cost, self.frame, self.frame_types
        saved_stack = self.loop_stack
        self.cost = Cost()
        self.frame = _Frame()
        self.frame_types = dict(d.locals)
        self.loop_stack = list(saved_stack)
        st: State = dict(self.inputs)
        st.update(bound)
        self.block(d.node.body, st)
        ret = None
        for r in self.frame.returns:
            ret = join(ret, r)
        if ret is None:
            ret = AV("none")
        c = self.cost
        self.cost, self.frame, self.frame_types = saved_cost, saved_frame, saved_types
        self.loop_stack = saved_stack
        self.def_memo[key] = (ret, c)
        self.cost.add(c)
        return ret


# Builtins whose result is a list of pieces of one str argument (its position):
# the pieces' sizes sum to at most that argument's size.
_SPLITTERS = {"lines": 0, "split": 0, "split_max": 0, "rsplit": 0, "words": 0, "chunks": 0,
              "regex_findall": 1,
              "find_lines": 0, "column": 0}


def _piece_count(name: str, size: Num, a: list[AV], declared: Num) -> Num:
    """How many pieces a text of `size` characters can give (tighter than declared).

    A text of L >= 1 characters has at most L lines (a final line end adds no
    line), so at most L matching lines or table rows; words need a space
    between them, so at most (L+1)//2; a known separator of k characters
    occurs at most L//k times.
    """
    if size == INF:
        return declared
    if name in ("lines", "find_lines", "column"):
        return min(declared, size)
    sep = a[1].pieces if name == "split" and len(a) > 1 else None
    known = a[0].text if a else None
    line_of = a[0].line_of if a else None
    if name == "words" and known is not None:
        return min(declared, word_count(known))
    if name == "split" and sep is not None and len(sep) == 1 and isinstance(sep[0], str) \
            and sep[0] != "" and (known is not None or line_of is not None):
        # A known text: its pieces counted; a line of one: at most its busiest line's.
        return min(declared, separators(known if known is not None else line_of, sep[0],
                                        per_line=known is None) + 1)
    if name == "words" or (sep is not None and sep == ("",)):
        return min(declared, (size + 1) // 2)
    if sep is not None and len(sep) == 1 and isinstance(sep[0], str):
        return min(declared, size // len(sep[0]) + 1)
    return declared

RANGE_LIMIT = 100_000_000  # numbers in one range(...); beyond this it is a memory bomb

_SEPARATORS: dict[tuple[int, int, int, str, bool], int] = {}


def word_count(text: str) -> int:
    """How many words words() gives of a known text (a megabyte at a time, cut at a space,
    so no list of every word is held)."""
    key = (id(text), len(text), hash(text), "", False)
    got = _SEPARATORS.get(key)
    if got is None:
        got, start = 0, 0
        while start < len(text):
            end = min(len(text), start + (1 << 20))
            while end < len(text) and not text[end].isspace():
                end += 1
            got += len(text[start:end].split())
            start = end
        _SEPARATORS[key] = got
    return got


def separators(text: str, sep: str, per_line: bool) -> int:
    """How often `sep` occurs in a known text (per_line: in its busiest line), counted once
    per text and separator (the text is the input's value, alive while it is verified)."""
    key = (id(text), len(text), hash(text), sep, per_line)
    got = _SEPARATORS.get(key)
    if got is None:
        if len(_SEPARATORS) > 256:
            _SEPARATORS.clear()
        if not per_line:
            got = text.count(sep)
        elif "\n" in sep:
            got = text.count(sep)  # a separator across lines: no line holds more than all
        else:
            got = max(map(lambda line: line.count(sep), text.split("\n")), default=0)
        _SEPARATORS[key] = got
    return got


def _finite(v: AV) -> bool:
    """Whether every bound of a str or container is finite (its Size is meaningful)."""
    if v.kind not in ("str", "list", "dict"):
        return v.kind != "any" or v.size != INF
    return v.size != INF and (v.kind == "str" or v.elem is None or _finite(v.elem) or
                              v.sum != INF)


def _sized(v: AV, fn: Any) -> Num:
    """A charge on v's Size (state, walks, results): unbounded where v's size is."""
    if v.kind in ("str", "list", "dict") and not _finite(v):
        return INF
    if v.kind == "any" and v.size == INF:
        return INF
    return fn(v.to_size())


def _compared(a: AV, b: AV) -> Num:
    """What the VM charges for `a == b`, `a < b`, ... (compare_fuel on two strs or two
    containers of the same kind, bounded by the smaller; 0 when the kinds differ)."""
    data = ("str", "list", "dict")
    kinds = {a.kind, b.kind}
    if not kinds & {*data, "any"} or len(kinds - {"any"}) > 1:
        return 0  # scalars, or different kinds: the VM compares nothing
    known = [x for x in (a, b) if x.kind in data and _finite(x)]
    if not known:
        return INF  # both unknown or unbounded
    if len(known) == 1:
        return compare_fuel(known[0].to_size(), known[0].to_size())
    return compare_fuel(a.to_size(), b.to_size())


def _n(x: Num) -> str:
    return fmt(x)


def _num(x: Num) -> int | str:
    return "unbounded" if x == INF else int(x)


def _concat(a: tuple[Piece, ...], b: tuple[Piece, ...]) -> tuple[Piece, ...]:
    out = list(a)
    for p in b:
        if out and isinstance(out[-1], str) and isinstance(p, str):
            out[-1] = out[-1] + p
        else:
            out.append(p)
    if len(out) > 32:  # keep pieces small: a long tail becomes one unknown
        out = out[:31] + [Unknown("...")]
    return tuple(out)


def _grow_fix(name: str, v: AV) -> str:
    if v.kind == "str":
        return (f"do not let '{name}' feed on itself (like {name} = {name} + {name}); add a "
                "bounded piece each time round, or collect parts in a list and join them once")
    return (f"grow '{name}' by a bounded amount each time round (like {name} = {name} + [x]), "
            "or stop the loop once it is big enough")


def _spread(entry: AV, hull: AV) -> Num:
    """How far the hull reaches beyond the entry value (the largest of its bounds)."""
    if hull.kind == "int":
        return max(hull.hi - entry.hi, entry.lo - hull.lo)
    return max(hull.size - entry.size, hull.sum - entry.sum if hull.sum != INF else 0)


def _names_in(loop: ast.While) -> set[str]:
    """Every name a while loop mentions (condition, measure, body)."""
    out: set[str] = set()
    stack: list[Any] = [loop]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.For):
            out.add(n.var)
        if isinstance(n, (ast.Expr, ast.Stmt, ast.Keyword)):
            for v in vars(n).values():
                if isinstance(v, (ast.Expr, ast.Stmt, ast.Keyword)):
                    stack.append(v)
                elif isinstance(v, tuple):
                    for x in v:
                        if isinstance(x, (ast.Expr, ast.Stmt, ast.Keyword)):
                            stack.append(x)
                        elif isinstance(x, tuple):
                            stack.extend(y for y in x if isinstance(y, (ast.Expr, ast.Stmt)))
    return out


def _up(got: Num, hull: Num) -> Num:
    """How far an upper bound rose in one iteration measured at the hull (INF: unknown)."""
    if got == INF or hull == INF:
        return INF
    return max(0, got - hull)


def _down(got: Num, hull: Num) -> Num:
    """How far a lower bound fell in one iteration measured at the hull (INF: unknown)."""
    if got == -INF or hull == -INF:
        return INF
    return max(0, hull - got)


def _continues(stmts: tuple[ast.Stmt, ...]) -> bool:
    """Whether a `continue` of the enclosing loop occurs in these statements."""
    stack = list(stmts)
    while stack:
        s = stack.pop()
        if isinstance(s, ast.Continue):
            return True
        if isinstance(s, (ast.For, ast.While)):
            continue  # its continue statements are its own
        for b in ast.child_blocks(s):
            stack.extend(b)
    return False


def _incremental_names(body: tuple[ast.Stmt, ...], assigned: set[str]) -> set[str]:
    """Names whose every assignment in the body is `x = x + e` / `x += e` / `x = x - e`,
    with `e` not mentioning `x` (their growth per iteration does not depend on their size)."""
    ok = set(assigned)
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ast.Assign):
            t = s.target
            name = t.id if isinstance(t, ast.Name) else (
                t.value.id if isinstance(t, ast.Index) and isinstance(t.value, ast.Name)
                else None)
            if name is None:
                pass
            elif isinstance(t, ast.Index):
                pass  # adds at most one item, whatever the value is
            else:
                if not _grows_by_itself(s.value, name):
                    ok.discard(name)
        elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
            if s.op not in "+-" or _mentions(s.value, s.target.id):
                ok.discard(s.target.id)
        elif isinstance(s, ast.For):
            ok.discard(s.var)
        for b in ast.child_blocks(s):
            stack.extend(b)
    return ok


def _item_growers(body: tuple[ast.Stmt, ...], assigned: set[str]) -> set[str]:
    """Names whose items the body only makes from values fixed for the loop and grows by
    such values: `d[k] = []`, `d[k] = [x]`, `d[k] = d[k] + [x]`, `d[k] += 1`, where x
    is the loop's item or anything the body does not assign. An item is then at most
    as big as it is made plus n times its growth (see _accelerate); an item made from
    an accumulator would not be, so such a name gets no such bound."""
    out: set[str] = set()
    bad: set[str] = set()

    def fixed(e: ast.Expr) -> bool:
        return not any(_mentions(e, a) for a in assigned)

    for st in _all_stmts(body):
        t = getattr(st, "target", None)
        if not (isinstance(t, ast.Index) and isinstance(t.value, ast.Name)):
            continue
        name = t.value.id
        v = st.value  # type: ignore[attr-defined]
        if isinstance(st, ast.AugAssign):
            ok = fixed(v)
        elif isinstance(v, ast.BinOp) and v.op == "+" and isinstance(v.left, ast.Index) \
                and isinstance(v.left.value, ast.Name) and v.left.value.id == name:
            ok = fixed(v.right)
        else:
            ok = isinstance(v, (ast.Const, ast.ListLit, ast.DictLit)) and fixed(v)
        (out if ok else bad).add(name)
    return out - bad


def _all_stmts(body: tuple[ast.Stmt, ...]) -> list[ast.Stmt]:
    out: list[ast.Stmt] = []
    stack = list(body)
    while stack:
        st = stack.pop()
        out.append(st)
        for b in ast.child_blocks(st):
            stack.extend(b)
    return out


def _grows_by_itself(v: ast.Expr, name: str) -> bool:
    """`name + a + b - c ...`: name leftmost in a chain of + and -, not used elsewhere."""
    rest: list[ast.Expr] = []
    while isinstance(v, ast.BinOp) and v.op in "+-":
        rest.append(v.right)
        v = v.left
    return bool(rest) and isinstance(v, ast.Name) and v.id == name and \
        not any(_mentions(r, name) for r in rest)


def _mentions(e: ast.Expr, name: str) -> bool:
    stack: list[Any] = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and n.id == name:
            return True
        if isinstance(n, (ast.Expr, ast.Keyword)):
            for v in vars(n).values():
                if isinstance(v, (ast.Expr, ast.Keyword)):
                    stack.append(v)
                elif isinstance(v, tuple):
                    for x in v:
                        if isinstance(x, (ast.Expr, ast.Keyword)):
                            stack.append(x)
                        elif isinstance(x, tuple):
                            stack.extend(y for y in x if isinstance(y, ast.Expr))
    return False


def _accelerate(entry: AV, hull: AV, got: AV, n: Num, made: AV | None = None) -> AV:
    """entry + n × (growth of one iteration measured at the hull); `made` bounds the
    items as the loop first makes them, when there are none at entry."""
    if entry.kind != hull.kind or got.kind != hull.kind:
        return join(hull, got) or got
    if hull.kind == "int":
        up = max(0, got.hi - hull.hi) if got.hi != INF else INF
        down = max(0, hull.lo - got.lo) if got.lo != -INF else INF
        return AV("int", entry.lo - mul(n, down), entry.hi + mul(n, up))
    if hull.kind in ("str", "list", "dict"):
        grow = max(0, got.size - hull.size) if got.size != INF else INF
        grow_sum = max(0, got.sum - hull.sum) if got.sum != INF and hull.sum != INF else INF
        el = join(hull.elem, got.elem)
        if hull.elem is not None and el is not None and not leq(el, hull.elem):
            base = entry.elem if entry.elem is not None else made
            if got.elem is not None and base is not None and \
                    base.kind == hull.elem.kind == got.elem.kind and \
                    hull.elem.kind in ("int", "str", "list", "dict"):
                # One item grows each time round (`d[k] = d[k] + [x]`, `d[k] += 1`): the
                # largest is at most the largest at entry (or as made) plus n times that.
                # That covers the item at the start of every pass (what the hull is for).
                el = join(hull.elem, _accelerate(base, hull.elem, got.elem, n))
            else:
                el = widen_av(hull.elem, el)  # items that keep changing: their bounds jump
        return AV(hull.kind, max(entry.lo, got.lo) if hull.kind == "dict" else hull.lo,
                  max(entry.hi, got.hi), entry.size + mul(n, grow), el, None,
                  entry.sum + mul(n, grow_sum))
    return join(hull, got) or got


def cap(v: AV, size: Num) -> AV:
    """`v` no bigger than `size` in total: a str of at most `size` characters, a list or
    dict of at most `size` items, each capped the same way (scalars as they are)."""
    if v.kind == "str":
        return AV("str", size=min(v.size, size), pieces=v.pieces if v.size <= size else None)
    if v.kind not in ("list", "dict"):
        return v
    items = tuple(cap(i, size) for i in v.items) if v.items is not None else None
    return AV(v.kind, v.lo, min(v.hi, size) if v.kind == "dict" else v.hi, min(v.size, size),
              cap(v.elem, size) if v.elem is not None else None, None, min(v.sum, size),
              None, items)


def join_states(states: list[State | None]) -> State | None:
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    out: State = {}
    keys = set(live[0])
    for s in live[1:]:
        keys &= set(s)
    for k in keys:
        v = None
        for s in live:
            v = join(v, s[k])
        out[k] = v  # type: ignore[assignment]
    return out


# ---------------------------------------------------------------------- conditions


def refine(st: State, cond: ast.Expr, truth: bool, an: Analyzer | None = None) -> State:
    """Narrow int intervals and sizes by what the condition says on this branch."""
    if isinstance(cond, ast.Not):
        return refine(st, cond.operand, not truth, an)
    if isinstance(cond, ast.BoolOp):
        if (cond.op == "and") == truth:
            return refine(refine(st, cond.left, truth, an), cond.right, truth, an)
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
