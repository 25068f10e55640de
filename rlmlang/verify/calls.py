"""Calls: of builtins and tools (their declared cost), and of the script's defs.

A tool call costs `spec.cost(sizes)` on upper bounds of its arguments'
sizes, the same function the VM meters with, plus making the items of its
result; an effectful call is counted and recorded (with the pieces of its
resource argument) for the permission check. A def's body is evaluated with
its arguments' abstract values, memoized on them, so a helper called per
line is costed at that line's size. Methods of the Analyzer (cost.py).
"""

from __future__ import annotations

from rlmlang.cost import ITEM_WORK, result_fuel
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.tools.host.llm import llm_calls
from rlmlang.tools.registry import ToolSpec
from rlmlang.verify.records import CallSite, Cost, Frame
from rlmlang.verify.results import call_result
from rlmlang.verify.sizes import AV, INF, Unknown, clamp, join
from rlmlang.verify.values import State, top_of


class Calls:
    """The Analyzer's calls (mixed into cost.Analyzer)."""

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
        out = call_result(e, spec, ordered, sizes, self.types.get(id(e)), self.size_problem)
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
        self.frame = Frame()
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

