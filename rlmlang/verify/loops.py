"""Loops: iteration bounds, the hull that covers every iteration, amortized costs.

A loop costs its iteration bound times one iteration evaluated at its *hull*
(the state that covers the start of every iteration), which is sound
because every cost and size function is monotone. The hull is found in a few
rounds: a variable the body only grows by increments (loopbody.py) gets
`entry + N × growth`, with the growth measured at the hull itself; any other
variable gets the join of what the body produces, widened to unbounded if it
keeps growing, so a string that doubles each time round comes out unbounded.

A loop over the pieces of a text (`Split`) is also evaluated with the piece
at sample sizes, and amortize.py bounds the sum over all iterations by the
pieces' total. A `while` is handed to termination.py with its entry state;
its proven measure at entry (+1) is its iteration bound. These are methods of
the Analyzer (cost.py), kept here as one concept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlmlang.cost import CHARS_PER_FUEL, NODE_FUEL
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.verify import termination
from rlmlang.verify.amortize import Amortizer
from rlmlang.verify.conditions import refine
from rlmlang.verify.loopbody import incremental_names, item_growers, names_in
from rlmlang.verify.records import Cost, LoopRecord
from rlmlang.verify.sizes import AV, INF, Num, clamp, fmt, join, leq, mul, widen_av
from rlmlang.verify.values import State, cap, join_states

MAX_ROUNDS = 5  # rounds to find a loop's hull before widening to unbounded
# An accumulator whose hull is within this of its entry value is not worth the samples
# that would tighten it (each is one more evaluation of the loop body).
TIGHTEN_OVER = 1 << 16


@dataclass(frozen=True)
class Split:
    """A loop over pieces of a text: bind the item at a smaller size; its bounds."""

    bind_at: Any  # (state, size) -> state with the loop variable of at most `size`
    size: Num  # the largest item
    total: Num  # the items' sizes add up to at most this


class Loops:
    """The Analyzer's loop statements (mixed into cost.Analyzer)."""

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
        why = f"{print_expr(s.iter)} has at most {fmt(n)} items"

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
        elif it.kind == "list" and it.sum != INF and elem.kind in ("list", "dict"):
            # Lists of pieces (rows of cells, pairs) or of records (`records(t)`): each is
            # at most its share of the sum, so `[r for r in rows if ...]` keeps at most it.
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
            why = (f"measure {print_expr(res.measure)} is at most {fmt(m.hi)} at entry"
                   if m.hi != INF else f"measure {print_expr(res.measure)} has no upper bound "
                   "at entry")
        else:
            n = INF
            why = "no proven measure"

        def bind(h: State) -> State:
            return refine(h, s.cond, True)

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
        return refine(out, s.cond, False)

    def prove_while(self, s: ast.While, st: State) -> termination.LoopResult:
        """The loop's termination verdict for this entry state (Z3, memoized on its facts).

        Proven again for every entry state it is reached with (the entry state of a
        nested loop widens as the outer loop's hull grows); the verdict recorded is
        the one at the final hull, and a failure anywhere sticks.
        """
        names = self.loop_names.get(id(s))
        if names is None:
            names = self.loop_names[id(s)] = (names_in(s), self.body_facts(s.body)[0])
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
        assigned, incremental, growers = self.body_facts(body)
        saved = self.cost
        parent = self.loop_stack[-1] if self.loop_stack else None
        self.loop_stack.append(id(s))
        amort = Amortizer.make(n, split.size, split.total) if split is not None else None
        self.quiet += 1
        try:
            h = self._hull(st, n, bind, body, assigned, incremental, growers)
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
            why += (f"; their sizes add up to at most {fmt(split.total)}, so the per-item work "
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

    def body_facts(self, body: tuple[ast.Stmt, ...]) -> tuple[frozenset[str], ...]:
        """The names a loop body assigns, those it only grows by increments, and those whose
        items it grows (loopbody.py): read off its text once per loop, not per evaluation."""
        got = self.body_memo.get(id(body))
        if got is None:
            assigned = termination.assigned_in(body)
            got = self.body_memo[id(body)] = (
                frozenset(assigned), frozenset(incremental_names(body, assigned)),
                frozenset(item_growers(body, assigned)))
        return got

    def _hull(self, st: State, n: Num, bind: Any, body: tuple[ast.Stmt, ...],
              assigned: frozenset[str], incremental: frozenset[str],
              growers: frozenset[str]) -> State:
        """A state that covers the start of every iteration (see the module doc)."""
        h = dict(st)
        firsts: dict[str, AV | None] = {}
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

    def _tighten(self, h: State, st: State, body: tuple[ast.Stmt, ...],
                 incremental: frozenset[str], split: Split, amort: Amortizer) -> State:
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


def _spread(entry: AV, hull: AV) -> Num:
    """How far the hull reaches beyond the entry value (the largest of its bounds)."""
    if hull.kind == "int":
        return max(hull.hi - entry.hi, entry.lo - hull.lo)
    return max(hull.size - entry.size, hull.sum - entry.sum if hull.sum != INF else 0)


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

