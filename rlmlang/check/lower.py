"""Lowering: the checked surface script, written in the core language.

The checker types the Python forms a model writes (forms.py) and records a
`Plan` for each sugar it resolved. Here each is written as core code, whose
meaning, cost and bounds the verifier and both VM tiers already know:

- a method or module function -> a call of its builtin (`s.split(",")` ->
  `split(s, ",")`); `xs.append(x)` -> `xs += [x]`, which extends the list
  in place (one unit of fuel per item added, not per item held);
- a comprehension (or a generator argument) -> a call of a new top-level
  def whose body is the loop: `out += [elt]` under the `if`s, one nested
  `for` per clause; the names it reads from outside become its parameters,
  so it sees what Python's comprehension sees and cannot change any of it;
- `sorted`/`max`/`min` with `key=` -> a def that computes the keys in one
  loop and calls `sort_by`/`max_by`/`min_by`;
- `for k, v in ...` / `a, b = ...` -> one name for the pair, then `k = it[0]`
  (a list is checked for its length first, by `unpack`);
- an f-string -> `+` of its text and `str(x)` or `format(x, spec)`;
- `x ** y` -> `pow(x, y)`;
- imports -> nothing; so are statements that never run (after the one that ends
  their block: the checker warns and leaves them untyped);
- a loop's `else:` -> its body after the loop, under `if not broke@:` where a
  break may leave the loop (each break sets the flag first).

New defs are named `<what>@<line>:<col>`, a name no script can write, and
carry the span of the form they came from, so every later diagnostic points
at the text the model wrote. The checker checks the result again (check/
__init__.py), which makes lowering's own mistakes errors, never runs.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from rlmlang.check.resolve import MAIN
from rlmlang.check.sugar import Plan
from rlmlang.check.unassigned import Unassigned, checks, own_exprs, split_elif, starts
from rlmlang.diagnostics import Span
from rlmlang.syntax import ast
from rlmlang.types import FLOAT, INT, STR, ListT, TupleT, Type

_Scope = dict[str, Type]


class Lowerer:
    def __init__(self, types: dict[int, Type], info: Any, inputs: dict[str, Type]) -> None:
        self.types = types
        self.plans: dict[int, Plan] = info.plans
        self.receivers: dict[int, ast.Name] = info.receivers
        self.truthy: dict[int, str] = info.truthy
        self.decoded: dict[int, Type] = info.decoded
        self.scopes: dict[int, _Scope] = info.scopes
        self.unassigned: Unassigned = info.unassigned
        self.dead: set[int] = info.dead
        self.frame = MAIN  # the def being lowered (MAIN: the script's body)
        self.checked: set[str] = set()  # names checked not None on every way to here
        self.inputs = inputs
        self.new_defs: list[ast.Def] = []

    # ------------------------------------------------------------ script

    def script(self, s: ast.Script) -> ast.Script:
        body = self.block(s.body)
        if self.unassigned and s.body:
            body = tuple(starts(self.unassigned, MAIN, s.body[0].span)) + body
        return ast.Script(body + tuple(self.new_defs), s.span)

    def block(self, stmts: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
        out: list[ast.Stmt] = []
        outer = set(self.checked)  # a check holds for the rest of its block, not after it
        for st in stmts:
            if id(st) not in self.dead:  # never runs, never typed (typecheck.block)
                out.extend(self.stmt(st))
        self.checked = outer
        return tuple(out) if out else (ast.Pass(stmts[0].span),) if stmts else ()

    def stmt(self, s: ast.Stmt) -> list[ast.Stmt]:
        """The statement in the core language, after the checks of the names it reads
        that may be unassigned (unassigned.py)."""
        if not self.unassigned:
            return self.core_stmt(s)
        if isinstance(s, ast.If):
            s = split_elif(self.unassigned, s)
        pre = checks(self.unassigned, self.frame, own_exprs(s), s.span, self.checked)
        return pre + self.core_stmt(s)

    def core_stmt(self, s: ast.Stmt) -> list[ast.Stmt]:  # noqa: C901 (one case per statement)
        if isinstance(s, ast.Import):
            return []
        if isinstance(s, ast.ExprStmt):
            e = s.expr
            plan = self.plans.get(id(e))
            if plan is not None and plan.kind in ("append", "extend", "rebind", "add"):
                return [self.mutation(e, plan, s.span)]
            return [ast.ExprStmt(self.expr(e), s.span)]
        if isinstance(s, ast.Assign):
            if isinstance(s.target, ast.TupleLit):
                return self.unpack_assign(s)
            return [ast.Assign(self.expr(s.target), self.expr(s.value), s.span)]
        if isinstance(s, ast.AugAssign):
            return [ast.AugAssign(self.expr(s.target), s.op, self.expr(s.value), s.span)]
        if isinstance(s, ast.Submit):
            return [ast.Submit(self.expr(s.value), s.span)]
        if isinstance(s, ast.Fail):
            return [ast.Fail(self.expr(s.message), s.span)]
        if isinstance(s, ast.Return):
            return [ast.Return(self.expr(s.value) if s.value is not None else None, s.span)]
        if isinstance(s, ast.If):
            branches = tuple((self.expr(c), self.block(b)) for c, b in s.branches)
            orelse = self.block(s.orelse) if s.orelse is not None else None
            return [ast.If(branches, orelse, s.span)]
        if isinstance(s, ast.For):
            return self.loop_else(s, self.for_stmt(s))
        if isinstance(s, ast.While):
            dec = self.expr(s.decreases) if s.decreases is not None else None
            return self.loop_else(s, ast.While(self.expr(s.cond), dec, self.block(s.body),
                                               s.span))
        if isinstance(s, ast.Def):
            params = tuple(p for p in s.params)
            outer, self.frame = self.frame, s.name
            known, self.checked = self.checked, set()
            body = self.block(s.body)
            self.checked = known
            if self.unassigned and s.body:
                body = tuple(starts(self.unassigned, s.name, s.body[0].span)) + body
            self.frame = outer
            return [ast.Def(s.name, params, s.returns, body, s.span)]
        return [s]

    def loop_else(self, s: ast.For | ast.While, loop: ast.For | ast.While) -> list[ast.Stmt]:
        """A loop's `else:` after the (lowered) loop: as it stands where no break leaves
        the loop; else under `if not broke@:`, a flag each break sets first."""
        if s.orelse is None:
            return [loop]
        orelse = self.block(s.orelse)
        if not ast.loop_breaks(loop.body):
            return [loop, *orelse]
        flag = ast.Name(f"broke@{s.span.line}:{s.span.col}", s.span)
        return [ast.Assign(flag, ast.Const(False, s.span), s.span),
                replace(loop, body=_flag_breaks(loop.body, flag)),
                ast.If(((ast.Not(flag, s.span), orelse),), None, s.span)]

    def for_stmt(self, s: ast.For) -> ast.For:
        it = self.expr(s.iter)
        body = self.block(s.body)
        if not s.unpack:
            return ast.For(s.var, it, body, s.span)
        tmp = f"{s.var}@{s.span.line}:{s.span.col}"
        elem = self.types.get(id(s.iter))
        item = elem.elem if isinstance(elem, ListT) else None
        return ast.For(tmp, it, self.unpack(s.unpack, tmp, item, s.span) + body, s.span)

    def unpack(self, names: tuple[str, ...], tmp: str, t: Type | None,
               span: Span) -> tuple[ast.Stmt, ...]:
        """`a = tmp[0]; b = tmp[1]` (a list's length checked first by `unpack`)."""
        out: list[ast.Stmt] = []
        src = tmp
        if not isinstance(t, TupleT):
            src = tmp + "!"
            out.append(ast.Assign(ast.Name(src, span), ast.Call(
                "unpack", (ast.Name(tmp, span), ast.Const(len(names), span)), (), span, span),
                span))
        for i, n in enumerate(names):
            out.append(ast.Assign(ast.Name(n, span), ast.Index(ast.Name(src, span),
                                                               ast.Const(i, span), span), span))
        return tuple(out)

    def unpack_assign(self, s: ast.Assign) -> list[ast.Stmt]:
        names = tuple(n.id for n in s.target.items if isinstance(n, ast.Name))  # type: ignore[attr-defined]
        tmp = f"{', '.join(names)}@{s.span.line}:{s.span.col}"
        t = self.types.get(id(s.value))
        return [ast.Assign(ast.Name(tmp, s.span), self.expr(s.value), s.span),
                *self.unpack(names, tmp, t, s.span)]

    def mutation(self, e: ast.Expr, plan: Plan, span: Span) -> ast.Stmt:
        """`xs.append(x)`, `xs.extend(ys)`, `xs.sort(...)`, `d[k].append(x)` as statements."""
        recv, args, _ = self.parts(e)
        target = self.expr(recv)
        if plan.kind == "add":  # s.add(x) of a set(): s[x] = True
            return ast.Assign(ast.Index(target, self.expr(args[0]), span),
                              ast.Const(True, span), span)
        if plan.kind in ("append", "extend"):
            v = self.expr(args[0])
            added = ast.ListLit((v,), v.span) if plan.kind == "append" else v  # type: ignore[attr-defined]
            if isinstance(target, ast.Name):
                return ast.AugAssign(target, "+", added, span)
            # d[k].append(x): the item is replaced by a longer copy (d[k] = d[k] + [x]).
            return ast.Assign(target, ast.BinOp("+", target, added, span), span)
        inner = plan.data
        if isinstance(inner, Plan) and inner.kind == "keyed":
            value = self.keyed(e, inner, [recv])
        else:
            value = ast.Call(plan.builtin, (target,), (), span, span)
        return ast.Assign(target, value, span)

    # ------------------------------------------------------------ expressions

    def parts(self, e: ast.Expr) -> tuple[ast.Expr, tuple[ast.Expr, ...], tuple[ast.Keyword, ...]]:
        """(value, args, kwargs) of a method call in either spelling."""
        if isinstance(e, ast.MethodCall):
            return e.value, e.args, e.kwargs
        assert isinstance(e, ast.Call)
        return self.receivers[id(e)], e.args, e.kwargs

    def expr(self, e: ast.Expr) -> ast.Expr:
        test = self.truthy.get(id(e))
        if test is None:
            return self.value(e)
        span = e.span  # type: ignore[attr-defined]
        if test == "len":  # a str, list or dict read for its truth: not empty
            return ast.Compare(">", ast.Call("len", (self.value(e),), (), span, span),
                               ast.Const(0, span), span)
        return ast.Compare("!=", self.value(e), ast.Const(0, span), span)  # a number: not 0

    def value(self, e: ast.Expr) -> ast.Expr:  # noqa: C901 (one case per node)
        decoded = self.decoded.get(id(e))
        plan = self.plans.get(id(e))
        if decoded is not None:  # json_decode of a JSON input: `as` its type (decoded.py)
            inner = self.planned(e, plan) if plan is not None else self.rebuild(e)
            return ast.Cast(inner, decoded, e.span)  # type: ignore[attr-defined]
        if plan is not None:
            return self.planned(e, plan)
        if isinstance(e, ast.ListComp):
            return self.comprehension(e, "listcomp")
        if isinstance(e, ast.DictComp):
            return self.comprehension(e, "dictcomp")
        if isinstance(e, ast.FString):
            return self.fstring(e)
        if isinstance(e, (ast.Const, ast.Name, ast.Dotted)):
            return e
        if isinstance(e, ast.BinOp) and e.op == "**":  # an int to a negative literal: a float
            base = self.expr(e.left)
            if self.types.get(id(e)) == FLOAT and self.types.get(id(e.left)) == INT:
                base = ast.Call("float", (base,), (), e.span, e.span)
            return ast.Call("pow", (base, self.expr(e.right)), (), e.span, e.span)
        return self.rebuild(e)

    def rebuild(self, node: Any) -> Any:
        """`node` with its sub-expressions lowered (same class, same span)."""
        changes = {}
        for f in fields(node):
            v = getattr(node, f.name)
            nv = self.sub(v)
            if nv is not v:
                changes[f.name] = nv
        return replace(node, **changes) if changes else node

    def sub(self, v: Any) -> Any:
        if isinstance(v, ast.Expr):
            return self.expr(v)
        if isinstance(v, ast.Keyword):
            nv = self.expr(v.value)
            return v if nv is v.value else ast.Keyword(v.name, nv, v.span)
        if isinstance(v, tuple):
            items = tuple(self.sub(x) for x in v)
            return v if all(a is b for a, b in zip(items, v, strict=True)) else items
        return v

    def planned(self, e: ast.Expr, plan: Plan) -> ast.Expr:
        span = e.span  # type: ignore[attr-defined]
        if plan.kind == "call":
            if isinstance(e, (ast.MethodCall, ast.Call)) and (
                    isinstance(e, ast.MethodCall) or id(e) in self.receivers):
                recv, args, kwargs = self.parts(e)
                new = [self.expr(a) for a in args]
                new.insert(min(plan.recv, len(new)), self.expr(recv))
                if plan.data == "none_default":  # d.get(k) is get(d, k, None)
                    new.append(ast.Const(None, span))
                return ast.Call(plan.builtin, tuple(new), tuple(self.sub(k) for k in kwargs),
                                span, span)
            assert isinstance(e, ast.Call)
            args = tuple(self.expr(a) for a in e.args)
            if plan.data == "keys":
                args = (ast.Call("keys", args, (), span, span),)
            return ast.Call(plan.builtin, args, tuple(self.sub(k) for k in e.kwargs), span,
                            e.func_span)
        if plan.kind == "group":
            assert isinstance(e, ast.MethodCall) and isinstance(e.value, ast.Call)
            search = e.value
            pattern, text = (self.expr(a) for a in search.args)
            if plan.data == "re.match":
                pattern = ast.BinOp("+", ast.BinOp("+", ast.Const("^(?:", span), pattern, span),
                                    ast.Const(")", span), span)
            elif plan.data == "re.fullmatch":
                pattern = ast.BinOp("+", ast.BinOp("+", ast.Const("^(?:", span), pattern, span),
                                    ast.Const(")$", span), span)
            n = self.expr(e.args[0]) if e.args else ast.Const(0, span)
            return ast.Call(plan.builtin, (pattern, text, n), (), span, span)
        if plan.kind == "keyed":
            assert isinstance(e, ast.Call)
            return self.keyed(e, plan, list(e.args))
        if plan.kind == "round":
            assert isinstance(e, ast.Call)
            return ast.Call("int", (ast.Call("round", (self.expr(e.args[0]),), (), span,
                                             span),), (), span, span)
        if plan.kind == "nest":
            assert isinstance(e, ast.Call)
            args = [self.expr(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = ast.Call(plan.builtin, (out, a), (), span, span)
            return out
        if plan.kind == "print":
            assert isinstance(e, ast.Call)
            parts: ast.Expr | None = None
            for a in e.args:
                piece = self.as_str(self.expr(a), self.types.get(id(a)), span)
                parts = piece if parts is None else ast.BinOp(
                    "+", ast.BinOp("+", parts, ast.Const(" ", span), span), piece, span)
            return ast.Call("print", (parts or ast.Const("", span),), (), span, e.func_span)
        if plan.kind == "next":
            assert isinstance(e, ast.Call)
            return self.next_call(e, plan)
        if plan.kind == "field":
            recv, args, _ = self.parts(e)
            return ast.Index(self.expr(recv), self.expr(args[0]), span)
        if plan.kind == "empty":
            return ast.ListLit((), span) if plan.builtin == "list" else ast.DictLit((), span)
        raise AssertionError(f"no lowering for plan {plan.kind}")

    def as_str(self, e: ast.Expr, t: Type | None, span: Span) -> ast.Expr:
        return e if t == STR else ast.Call("str", (e,), (), span, span)

    def fstring(self, e: ast.FString) -> ast.Expr:
        out: ast.Expr | None = None
        for p in e.parts:
            if isinstance(p, ast.FormatPart):
                v = self.expr(p.value)
                piece = (ast.Call("format", (v, ast.Const(p.spec, p.span)), (), p.span, p.span)
                         if p.spec else self.as_str(v, self.types.get(id(p.value)), p.span))
            else:
                piece = ast.Const(p, e.span)
            out = piece if out is None else ast.BinOp("+", out, piece, e.span)
        return out or ast.Const("", e.span)

    # ------------------------------------------------------------ new defs

    def new_def(self, kind: str, span: Span, scope: _Scope, body: list[ast.Stmt],
                bound: set[str], first: list[tuple[str, ast.Expr, Type]]) -> ast.Call:
        """A def `<kind>@line:col` running `body`; its free names become parameters.

        `first` are (parameter, argument, type) passed before the free names.
        """
        name = f"{kind}@{span.line}:{span.col}"
        while any(d.name == name for d in self.new_defs):
            name += "'"
        own = {p for p, _, _ in first} | bound
        free = [n for n in _free_names(tuple(body)) if n not in own and
                (n in scope or n in self.inputs)]
        params = [ast.Param(p, t, span) for p, _, t in first]
        params += [ast.Param(n, scope.get(n) or self.inputs[n], span) for n in free]
        self.new_defs.append(ast.Def(name, tuple(params), None, tuple(body), span))
        args = tuple(a for _, a, _ in first) + tuple(ast.Name(n, span) for n in free)
        return ast.Call(name, args, (), span, span)

    def comprehension(self, e: ast.ListComp | ast.DictComp, kind: str) -> ast.Expr:
        span = e.span
        out = ast.Name("out@", span)
        if isinstance(e, ast.ListComp):
            inner: ast.Stmt = ast.AugAssign(out, "+", ast.ListLit((self.expr(e.elt),), span),
                                            span)
            start: ast.Expr = ast.ListLit((), span)
        else:
            inner = ast.Assign(ast.Index(out, self.expr(e.key), span), self.expr(e.value), span)
            start = ast.DictLit((), span)
        bound: set[str] = {"out@"}
        body = self.loops(e.gens, (inner,), bound)
        stmts = [ast.Assign(out, start, span), *body, ast.Return(out, span)]
        return self.new_def(kind, span, self.scopes.get(id(e), {}), stmts, bound, [])

    def loops(self, gens: tuple[ast.CompFor, ...], inner: tuple[ast.Stmt, ...],
              bound: set[str]) -> tuple[ast.Stmt, ...]:
        """A comprehension's clauses as nested `for`s and `if`s around `inner` (the names
        they bind are added to `bound`)."""
        body = inner
        for g in reversed(gens):
            for c in reversed(g.ifs):
                body = (ast.If(((self.expr(c), body),), None, c.span),)
            var = g.targets[0]
            if len(g.targets) > 1:
                var = f"{', '.join(g.targets)}@{g.span.line}:{g.span.col}"
                it_t = self.types.get(id(g.iter))
                item = it_t.elem if isinstance(it_t, ListT) else None
                body = self.unpack(g.targets, var, item, g.span) + body
                bound.add(var)
            bound.update(g.targets)
            body = (ast.For(var, self.expr(g.iter), body, g.span),)
        return body

    def next_call(self, e: ast.Call, plan: Plan) -> ast.Expr:
        """`next((elt for x in xs if c), d)`: a def whose loop returns the first elt, then d
        (without d it fails, as Python's StopIteration would end the script)."""
        span = e.span
        src = plan.data["src"]
        if isinstance(src, ast.ListComp):
            gens, elt = src.gens, src.elt
        else:
            gens = (ast.CompFor(("item@",), src, (), span),)
            elt = ast.Name("item@", span)
        bound: set[str] = {"default@"}
        body = self.loops(gens, (ast.Return(self.expr(elt), span),), bound)
        first: list[tuple[str, ast.Expr, Type]] = []
        if len(e.args) == 2:
            first.append(("default@", self.expr(e.args[1]), plan.data["type"]))
            end: ast.Stmt = ast.Return(ast.Name("default@", span), span)
        else:
            end = ast.Fail(ast.Const("next(...) found no item and has no default (Python's "
                                     "StopIteration); give one: next(..., None)", span), span)
        return self.new_def("next", span, plan.data["scope"], [*body, end], bound, first)

    def keyed(self, e: ast.Expr, plan: Plan, args: list[ast.Expr]) -> ast.Expr:
        """sorted/max/min with key= (or sorted with reverse=): a def computing the keys."""
        d = plan.data
        span = e.span  # type: ignore[attr-defined]
        which = plan.builtin
        src = self.expr(args[1] if which in ("map", "filter") else args[0])
        if d["dict"]:
            src = ast.Call("keys", (src,), (), span, span)
        elem: Type = d["elem"]
        items = ast.Name("items@", span)
        keys = ast.Name("keys@", span)
        key = d["key"]
        form = d["form"]
        var = key.params[0] if form == "lambda" else "item@"
        x = ast.Name(var, span)
        body: list[ast.Stmt] = []
        if form == "none":
            keys = items
        else:
            if form == "lambda":
                k = self.expr(key.body)
            elif form in ("def", "builtin"):
                k = ast.Call(key.id, (x,), (), key.span, key.span)
            else:  # d.get
                k = ast.Index(ast.Name(key.parts[0], key.span), x, key.span)
            kept = ast.AugAssign(keys, "+", ast.ListLit((x if which == "filter" else k,), span),
                                 span)
            if which == "filter":  # the items that pass, in order
                kept = ast.If(((k, (kept,)),), None, span)
            body = [ast.Assign(keys, ast.ListLit((), span), span),
                    ast.For(var, items, (kept,), span)]
        if which in ("map", "filter"):
            result: ast.Expr = keys
        elif which == "sorted":
            rev = self.expr(d["reverse"]) if d["reverse"] is not None else ast.Const(False, span)
            result = ast.Call("sort_by", (items, keys, rev), (), span, span)
        else:
            result = ast.Call(f"{which}_by", (items, keys), (), span, span)
        body.append(ast.Return(result, span))
        scope = dict(d["scope"])
        return self.new_def(which, span, scope, body, {"items@", "keys@", var},
                            [("items@", src, STR if d.get("text") else ListT(elem))])


def _free_names(stmts: tuple[ast.Stmt, ...]) -> list[str]:
    """Names read in these statements, in the order they are first met going backwards
    over ast.walk (inner before outer, otherwise source order; defs' own names included)."""
    out: dict[str, None] = {}
    for n in reversed(list(ast.walk(stmts))):
        if isinstance(n, ast.Name):
            out.setdefault(n.id, None)
        elif isinstance(n, ast.For):
            out.setdefault(n.var, None)
    return list(out)


def lower(script: ast.Script, types: dict[int, Type], info: Any,
          inputs: dict[str, Type]) -> ast.Script:
    """The core script for a checked surface script (see the module doc)."""
    return Lowerer(types, info, inputs).script(script)


def _flag_breaks(body: tuple[ast.Stmt, ...], flag: ast.Name) -> tuple[ast.Stmt, ...]:
    """`body` with `flag = True` before each break that leaves its loop (in the lowered
    body an inner loop's else is an `if` after it: its breaks are found there)."""
    out: list[ast.Stmt] = []
    for s in body:
        if isinstance(s, ast.Break):
            out.append(ast.Assign(flag, ast.Const(True, s.span), s.span))
        elif isinstance(s, ast.If):
            s = ast.If(tuple((c, _flag_breaks(b, flag)) for c, b in s.branches),
                       _flag_breaks(s.orelse, flag) if s.orelse is not None else None, s.span)
        out.append(s)
    return tuple(out)


def needs_lowering(script: ast.Script) -> bool:
    """Whether the script uses any surface form (else it is core already)."""
    surface = (ast.MethodCall, ast.ListComp, ast.DictComp, ast.FString, ast.Lambda,
               ast.Import, ast.Attribute)
    for n in ast.walk(script):
        if isinstance(n, surface):
            return True
        if isinstance(n, ast.For) and n.unpack:
            return True
        if isinstance(n, (ast.For, ast.While)) and n.orelse is not None:
            return True
        if isinstance(n, ast.BinOp) and n.op == "**":
            return True
        if isinstance(n, ast.Assign) and isinstance(n.target, ast.TupleLit):
            return True
    return False
