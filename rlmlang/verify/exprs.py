"""Expressions: the abstract value of each expression and the fuel it charges.

Each node adds its entry of the shared cost table (`rlmlang.cost.NODE_FUEL`),
plus the charges for work on data that the VM meters (concatenation, `in`,
comparison of strs and containers, slices, state reads, casts), on upper
bounds of the sizes involved. Methods of the Analyzer (cost.py).
"""

from __future__ import annotations

from typing import Any

from rlmlang.cost import ITEM_FUEL, concat_fuel, contains_fuel, size_fuel, state_fuel, walk_fuel
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.types import FLOAT, NONE, STR, OptionalT, Type, UnknownT
from rlmlang.verify.conditions import refine
from rlmlang.verify.proof import num
from rlmlang.verify.records import Cost
from rlmlang.verify.sizes import (
    AV,
    INF,
    Num,
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
    mul,
)
from rlmlang.verify.values import State, compared, concat_pieces, finite, sized, top_of


class Expressions:
    """The Analyzer's expressions (mixed into cost.Analyzer)."""

    def expr(self, e: ast.Expr, st: State) -> AV:
        kind = type(e).__name__
        self.charge(kind)
        if isinstance(e, ast.Const):
            return AV.const(e.value)
        if isinstance(e, ast.Name):
            v = st.get(e.id)
            if v is None:
                v = top_of(self.types.get(id(e)))
            elif v.kind == "none" and self.types.get(id(e)) not in (None, NONE) and \
                    not isinstance(self.types.get(id(e)), (OptionalT, UnknownT)):
                # The checker proved it is not None here (check/narrow.py), and only None
                # reaches here: no run gets here, so the least value of its type bounds it.
                v = top_of(self.types.get(id(e)), 0)
            return v
        if isinstance(e, ast.Dotted):
            v = st.get("state." + e.parts[-1])
            v = v if v is not None else top_of(self.types.get(id(e)))
            self.cost.fuel += sized(v, state_fuel)  # the value is copied as JSON
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
            yes = self.expr(e.body, refine(st, e.cond, True))
            c_yes = self.cost
            self.cost = Cost()
            no = self.expr(e.orelse, refine(st, e.cond, False))
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
                    if b.size != INF and finite(a) else INF
            elif e.op not in ("in", "not in"):
                self.cost.fuel += compared(a, b)
            return AV("bool")
        if isinstance(e, ast.BoolOp):
            self.expr(e.left, st)
            self.expr(e.right, refine(st, e.left, e.op == "and"))
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
            if v.fields is not None and k.pieces is not None and len(k.pieces) == 1 and \
                    isinstance(k.pieces[0], str):  # a record's field by its name
                for name, fv in v.fields:
                    if name == k.pieces[0]:
                        return fv
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
                v = top_of(t, v.size, whole=True)
            elif v.kind == "any" and t is not None:
                spec = self.registry.get(e.value.func) if isinstance(e.value, ast.Call) else None
                # fits_text: the value adds up to at most its text (json_decode's)
                v = top_of(t, v.size, whole=spec is not None and bool(spec.extra.get("fits_text")))
            if v.kind in ("list", "dict"):  # the VM checks every item
                self.cost.fuel += sized(v, walk_fuel)
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
                pieces = concat_pieces(a.pieces, b.pieces)
            elif isinstance(node, ast.BinOp):
                pa = a.pieces if a.pieces is not None else (Unknown(print_expr(node.left)),)
                pb = b.pieces if b.pieces is not None else (Unknown(print_expr(node.right)),)
                pieces = concat_pieces(pa, pb)
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
                self.size_problem(node, f"repeating a {seq.kind} of up to {fmt(seq.size)} "
                                  f"items {fmt(k.hi)} times builds up to {fmt(size)} items",
                                  "repeat a bounded number of times (check the count with if "
                                  "first)", bound=num(size))
            return AV(seq.kind, size=size, elem=seq.elem)
        if t == FLOAT or a.kind == "float" or b.kind == "float":
            return AV("float")
        return top_of(t)

