"""Typing the Python forms: methods, comprehensions, tuples, f-strings, keys, imports.

A mixin of the Checker (typecheck.py), kept apart because every form here
is sugar: it is typed on the tree the model wrote, its resolution is
recorded as a `Plan` (sugar.py) by node id, and lowering (lower.py) then
writes it in the core language, which the checker checks once more. The
rules a user relies on:

- a method resolves by the static type of its value (`str`, `list`,
  `dict`); a method that changes its value (`append`, `extend`, `sort`)
  is a statement of its own, on a name (or `d[k].append(x)`);
- a comprehension's names belong to it (they may shadow a name outside,
  even with another type); its iterables are lists, dicts (their keys) or
  `range(...)`; `f(x for x in xs)` is `f([x for x in xs])`;
- a tuple has a fixed length and a type per position; it is unpacked into
  as many names (`for k, v in d.items()`), and a list may be unpacked too
  (its length is checked when it runs);
- `key=` of sorted, max and min is a lambda of one parameter, a def or
  builtin of one parameter, or `d.get`; the keys must be numbers, strings,
  or tuples of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rlmlang.check.columns import Tables
from rlmlang.check.narrow import facts, forget, join_none
from rlmlang.check.sugar import (
    MATCHERS,
    MODULE_FUNCS,
    Plan,
    import_diagnostic,
    suggest_method,
)
from rlmlang.diagnostics import expr_fixit
from rlmlang.syntax import ast
from rlmlang.syntax.methods import STR_METHODS, Method, method_table
from rlmlang.syntax.parser import FORMAT_SPEC
from rlmlang.syntax.printer import print_expr
from rlmlang.types import (
    BOOL,
    FLOAT,
    HOLE,
    INT,
    NONE,
    STR,
    UNKNOWN,
    DictT,
    Hole,
    ListT,
    OptionalT,
    RecordT,
    TupleT,
    Type,
    UnknownT,
)

if TYPE_CHECKING:
    from rlmlang.diagnostics import Span

ORDERED = (INT, FLOAT, STR, BOOL)


def value_kind(t: Type) -> str | None:
    if t == STR:
        return "str"
    if isinstance(t, ListT):
        return "list"
    if isinstance(t, (DictT, RecordT)):
        return "dict"
    return None


def orderable(t: Type) -> bool:
    if isinstance(t, TupleT):
        return all(orderable(i) for i in t.items)
    return t in ORDERED or isinstance(t, (UnknownT, Hole))


class FormsMixin:
    """Typing of the sugar forms; `self` is the Checker."""

    # These come from the Checker.
    scope: dict[str, Type]
    defined: set[str]
    registry: Any
    info: Any
    inputs: dict[str, Type]
    st: Any
    narrowed: dict[str, Type]
    tables: Tables
    lazy: int
    item_names: frozenset[str]  # names the comprehensions and lambdas around bind
    item_depth: int  # how many of lazy's levels are per_item's

    def plan(self, node: object, p: Plan) -> None:
        self.info.plans[id(node)] = p

    @contextmanager
    def lazily(self, on: bool = True) -> Iterator[None]:
        """Check what its statement may not evaluate (a branch of `a if c else b`, the right
        of and/or, a comprehension, a lambda): a read there cannot be checked before the
        statement (unassigned.py), so a maybe-None or maybe-unassigned one is an error."""
        self.lazy += on
        try:
            yield
        finally:
            self.lazy -= on

    @contextmanager
    def per_item(self, names: Iterable[str]) -> Iterator[None]:
        """Check what a comprehension or a lambda reads per item: lazily, except that a
        name of the frame that may be None is checked before the statement, as in a plain
        read (`next((s for s in sites if site in s), None)` with `site` from a `next(...,
        None)`): where Python would raise on the first item, the check fails first, and
        it fails too where no item reaches the read."""
        saved = self.item_names
        self.item_names = saved | frozenset(names)  # its own names: none is read before it
        self.item_depth += 1
        try:
            with self.lazily():
                yield
        finally:
            self.item_depth -= 1
            self.item_names = saved

    # ------------------------------------------------------------ iteration

    def elem_of(self, t: Type, where: ast.Expr, what: str = "a for loop") -> Type:
        """The type of the items a for loop or comprehension gets from a value of type t."""
        if isinstance(t, ListT):
            return t.elem
        if isinstance(t, (DictT, RecordT)):
            return STR
        if isinstance(t, UnknownT):
            return UNKNOWN
        if t == STR:
            return STR  # its characters
        src = print_expr(where)
        self.err("E_TYPE", where.span, f"cannot iterate over {self.show(t)}: {what} needs "
                 "a list, a dict, a str or range(...)", "for i in range(n): ... counts from 0 "
                 f"to n-1; for a text's lines: for line in {src}.splitlines()")
        return UNKNOWN

    def unpack_types(self, names: tuple[str, ...], t: Type, span: Span) -> list[Type]:
        """The type of each name when a value of type t is unpacked into `names`."""
        n = len(names)
        if isinstance(t, OptionalT):
            self.err("E_TYPE", span, f"the value unpacked into {', '.join(names)} may be None "
                     f"({self.show(t)})", "give it a name and check it first: if v is None: "
                     "fail(\"...\")")
            t = t.inner
        if isinstance(t, TupleT):
            if len(t.items) != n:
                self.err("E_TYPE", span, f"cannot unpack {self.show(t)} into {n} names: it "
                         f"holds {len(t.items)} values", f"unpack into {len(t.items)} names")
                return [UNKNOWN] * n
            return list(t.items)
        if isinstance(t, ListT):
            return [t.elem] * n  # the length is checked when it runs
        if not isinstance(t, UnknownT):
            self.err("E_TYPE", span, f"cannot unpack {self.show(t)} into {', '.join(names)}: "
                     "only a tuple or a list can be unpacked")
        return [UNKNOWN] * n

    # ------------------------------------------------------------ comprehensions

    def comprehension(self, node: ast.Expr, gens: tuple[ast.CompFor, ...], inner: Any) -> Any:
        """Type `inner()` with the comprehension's names bound; they are its own."""
        self.info.scopes[id(node)] = self.view()
        saved_scope, saved_defined = dict(self.scope), set(self.defined)
        saved_first, saved_narrowed = dict(self.first_line), dict(self.narrowed)
        try:
            with self.per_item(n for g in gens for n in g.targets):  # maybe never
                for g in gens:
                    iter_t = self.expr(g.iter)
                    elem = self.elem_of(iter_t, g.iter, "a comprehension")
                    types = [elem] if len(g.targets) == 1 else \
                        self.unpack_types(g.targets, elem, g.span)
                    for name, t in zip(g.targets, types, strict=True):
                        self.scope[name] = t
                        self.narrowed = forget(self.narrowed, [name])
                        self.defined.add(name)
                        self.first_line[name] = g.span.line
                        self.note_chars(name, iter_t if len(types) == 1 else None, g.iter)
                    for c in g.ifs:
                        self.cond(c, "a comprehension's if")
                        self.narrowed.update(facts(c, self.declared())[0])
                return inner()
        finally:
            self.scope, self.defined, self.first_line = saved_scope, saved_defined, saved_first
            self.narrowed = saved_narrowed

    def list_comp(self, e: ast.ListComp) -> Type:
        return ListT(self.comprehension(e, e.gens, lambda: self.expr(e.elt)))

    def dict_comp(self, e: ast.DictComp) -> Type:
        def inner() -> Type:
            kt = self.expr(e.key)
            if not self.fits(kt, STR):
                self.err("E_TYPE", e.key.span, f"dict keys are str, not {self.show(kt)}",
                         f"convert with str({print_expr(e.key)})")
            return DictT(self.expr(e.value))
        return self.comprehension(e, e.gens, inner)

    # ------------------------------------------------------------ small forms

    def if_exp(self, e: ast.IfExp) -> Type:
        self.cond(e.cond, "a conditional expression")
        when_true, when_false = facts(e.cond, self.declared())
        saved = dict(self.narrowed)
        self.narrowed.update(when_true)
        a = self.expr(e.body)
        self.narrowed = {**saved, **when_false}
        b = self.expr(e.orelse)
        self.narrowed = saved
        u = self.unify(a, b) or join_none(a, b, self.unify)
        if u is None:
            self.err("E_TYPE", e.span, f"the two values of a conditional expression need one "
                     f"type: {self.show(a)} and {self.show(b)}",
                     "convert one of them, e.g. str(...)")
            return UNKNOWN
        return u

    def tuple_lit(self, e: ast.TupleLit) -> Type:
        return TupleT(tuple(self.expr(i) for i in e.items))

    def fstring(self, e: ast.FString) -> Type:
        for p in e.parts:
            if isinstance(p, ast.FormatPart):
                t = self.expr(p.value)
                kind = p.spec[-1:] if p.spec[-1:].isalpha() or p.spec[-1:] == "%" else ""
                numeric = kind in ("d", "f", "e", "g", "%") or "," in p.spec or "." in p.spec
                if numeric:
                    t = self.need_value(t, p.value, f"format spec ':{p.spec}'")
                if numeric and t not in (INT, FLOAT) and not isinstance(t, UnknownT) \
                        and kind != "s":
                    self.err("E_TYPE", p.span, f"format spec ':{p.spec}' needs a number, not "
                             f"{self.show(t)}", f"convert first: {{float({print_expr(p.value)})"
                             f":{p.spec}}}")
                elif kind == "d" and t == FLOAT:
                    self.err("E_TYPE", p.span, "format spec 'd' needs an int, not float",
                             f"write {{int({print_expr(p.value)}):{p.spec}}} or use .0f")
                elif p.spec and not FORMAT_SPEC.fullmatch(p.spec):
                    self.err("E_SYNTAX", p.span, f"format spec ':{p.spec}' is not in the "
                             "language")
        return STR

    def tuple_index(self, t: TupleT, e: ast.Index) -> Type:
        k = e.index
        if isinstance(k, ast.Neg) and isinstance(k.operand, ast.Const):
            k = ast.Const(-k.operand.value, k.span)  # type: ignore[operator]
        if isinstance(k, ast.Const) and isinstance(k.value, int) and \
                not isinstance(k.value, bool):
            n = len(t.items)
            if -n <= k.value < n:
                return t.items[k.value]
            self.err("E_TYPE", e.index.span, f"index {k.value} is outside {self.show(t)} "
                     f"({n} values)")
            return UNKNOWN
        first = t.items[0]
        if all(i == first for i in t.items):
            return first
        self.err("E_TYPE", e.index.span, f"a tuple of mixed types ({self.show(t)}) is indexed "
                 "by a literal number", "write t[0], t[1], ... or unpack it: a, b = t")
        return UNKNOWN

    # ------------------------------------------------------------ imports

    def import_stmt(self, s: ast.Import) -> None:
        warn, msg, fix = import_diagnostic(s.module, s.names)
        self.err("E_SYNTAX", s.span, msg, fix, severity="warning" if warn else "error")

    # ------------------------------------------------------------ methods

    def value_name(self, head: str) -> bool:
        """Whether `head` (of `head.m(...)`) names a value rather than a tool namespace."""
        if head in self.scope or head in self.inputs:
            return True
        return head in self.frame_names() and head not in self.registry.namespaces()

    def method_call(self, node: ast.Expr, recv: ast.Expr, method: str,
                    args: tuple[ast.Expr, ...], kwargs: tuple[ast.Keyword, ...],
                    span: Span, statement: bool = False) -> Type:
        """`recv.method(args)`: resolve by recv's type, then type as the builtin's call."""
        if isinstance(recv, ast.Call) and recv.func in MATCHERS and method == "group":
            return self.match_group(node, recv, args, span)
        reported = len(self.diags)
        rt = self.need_value(self.expr(recv), recv, f".{method}(...)")
        if isinstance(rt, UnknownT):
            for a in args:
                self.expr(a)
            if len(self.diags) == reported:  # no earlier mistake: a value of no known type
                self.untyped_receiver(recv, method, span)
            return UNKNOWN
        kind = value_kind(rt)
        m = method_table(kind).get(method) if kind else None
        if m is None:
            return self.no_method(rt, kind, method, recv, span)
        if m.statement and not statement:
            self.err("E_TYPE", span, f"{print_expr(recv)}.{method}(...) changes "
                     f"{print_expr(recv)} and gives no value", "call it on a line of its own")
            return UNKNOWN
        if m.kind == "call":
            return self.method_as_call(node, recv, rt, m, method, args, kwargs, span)
        return self.mutating_method(node, recv, rt, m, method, args, kwargs, span)

    def untyped_receiver(self, recv: ast.Expr, method: str, span: Span) -> None:
        """`.method()` on a value whose type is known only at run time (json_decode's): the
        method is resolved by the receiver's type, so the script must say what it is."""
        text = print_expr(recv)
        decoded = "or say its type where it is decoded: json_decode(s) as dict[str, str]"
        fix = (f"make it a str first: str({text}).{method}(...); {decoded}"
               if method in method_table("str") else f"{decoded[3:]} (or list[str], ...)")
        self.err("E_TYPE", span, f"{text} has no known type here (a value json_decode gives is "
                 f"typed where it is used), and .{method}(...) needs one", fix)

    def no_method(self, rt: Type, kind: str | None, method: str, recv: ast.Expr,
                  span: Span) -> Type:
        what = kind or self.show(rt)
        guess = suggest_method(kind, method) if kind else None
        spec = self.registry.get(method)
        if guess:
            fix = f"did you mean .{guess}(...)?"
        elif spec is not None and "." not in method:
            fix = f"call the function with the value first: {method}({print_expr(recv)}, ...)"
        else:
            names = ", ".join(sorted(method_table(kind))) if kind else ""
            fix = f"the {what} methods are: {names}" if names else \
                f"a {what} has no methods; use a function"
        self.err("E_NAME", span, f"{what} has no method '{method}'", fix)
        return UNKNOWN

    def method_as_call(self, node: ast.Expr, recv: ast.Expr, rt: Type, m: Method, method: str,
                       args: tuple[ast.Expr, ...], kwargs: tuple[ast.Keyword, ...],
                       span: Span) -> Type:
        if method == "get" and len(args) == 1 and not kwargs and isinstance(rt, DictT):
            # d.get(k): the value, or None when the key is missing (check/narrow.py)
            self.plan(node, Plan("call", "get", m.recv, data="none_default"))
            kt = self.expr(args[0])
            if not self.fits(kt, STR):
                self.err("E_TYPE", args[0].span, f"dict keys are str, not {self.show(kt)}")
            return OptionalT(rt.value) if not isinstance(rt.value, OptionalT) else rt.value
        if method == "get" and 1 <= len(args) <= 2 and not kwargs and isinstance(rt, RecordT):
            # r.get("name"[, default]) of a record (a decoded JSON object): every record has
            # its fields, so it is r["name"], of the field's type: never the default's
            # (`o.get("total", 0.0)` of a `float | None` total was typed float, and None
            # reached the addition)
            for a in args[1:]:
                self.expr(a)
            if not (isinstance(args[0], ast.Const) and isinstance(args[0].value, str)):
                self.expr(args[0])
                self.err("E_TYPE", args[0].span, "a record's field must be named by a literal "
                         "string")
                return UNKNOWN
            self.plan(node, Plan("field"))
            return self.index(ast.Index(recv, args[0], span))
        if len(args) + len(kwargs) + 1 < m.min_args + 1 and m.min_args:
            # d.get(k) of a record: None when the key is missing, which has no type here.
            self.err("E_TYPE", span, f"{print_expr(recv)}.{method}(key) gives None for a "
                     "missing key, and a value here has one type",
                     f"give the default: {print_expr(recv)}.{method}(key, default), or test "
                     f"key in {print_expr(recv)} first")
            for a in args:
                self.expr(a)
            return UNKNOWN
        builtin = m.builtin
        spec = self.registry.get(builtin)
        if m.wide and spec is not None and len(args) + len(kwargs) + 1 > len(spec.params):
            builtin = m.wide
            spec = self.registry.get(builtin)
        if spec is None:
            self.err("E_NAME", span, f"{method} is not available in this task")
            return UNKNOWN
        nodes = list(args)
        nodes.insert(min(m.recv, len(nodes)), recv)
        self.plan(node, Plan("call", builtin, m.recv))
        return self.typed_call(builtin, spec, nodes, kwargs, span, {id(recv): rt},
                               f"{print_expr(recv)}.{method}")

    def mutating_method(self, node: ast.Expr, recv: ast.Expr, rt: Type, m: Method, method: str,
                        args: tuple[ast.Expr, ...], kwargs: tuple[ast.Keyword, ...],
                        span: Span) -> Type:
        if not (isinstance(recv, ast.Name) or (isinstance(recv, ast.Index)
                                               and isinstance(recv.value, ast.Name))):
            self.err("E_TYPE", span, f"{method} changes a list that has a name: call it on a "
                     "name, as in xs.append(x)", "assign the list to a name first")
            return NONE
        if m.kind in ("append", "extend"):
            if len(args) != 1 or kwargs:
                self.err("E_TYPE", span, f"{method} takes one value")
                return NONE
            at = self.expr(args[0])
            added = ListT(at) if m.kind == "append" else at
            if m.kind == "extend" and not isinstance(at, (ListT, UnknownT)):
                self.err("E_TYPE", args[0].span, f"extend takes a list, not {self.show(at)}",
                         f"to add one item write {print_expr(recv)}.append(...)")
                return NONE
            new = self.binop_type("+", rt, added, span, recv, args[0])
            self.assign(recv, new, args[0], span)
            self.plan(node, Plan(m.kind))
            return NONE
        if m.kind == "add":
            if len(args) != 1 or kwargs:
                self.err("E_TYPE", span, f"{method} takes one value")
                return NONE
            at = self.expr(args[0])
            if rt != DictT(BOOL) and rt != DictT(HOLE):
                self.err("E_TYPE", span, f"add is a set's method, and {print_expr(recv)} is "
                         f"{self.show(rt)}", f"set an item: {print_expr(recv)}[key] = value")
                return NONE
            if at != STR and not isinstance(at, UnknownT):
                self.err("E_TYPE", args[0].span, f"a set's items are str here, not "
                         f"{self.show(at)}", f"add the text: {print_expr(recv)}.add(str("
                         f"{print_expr(args[0])}))")
                return NONE
            self.assign(recv, DictT(BOOL), args[0], span)
            self.plan(node, Plan("add"))
            return NONE
        # rebind: xs.sort(key=..., reverse=...) / xs.reverse()
        if args:
            self.err("E_TYPE", span, f"{method} takes no positional arguments")
            return NONE
        if m.builtin == "sorted":
            t = self.keyed("sorted", node, [recv], kwargs, span, {id(recv): rt})
        else:
            for k in kwargs:
                self.err("E_TYPE", k.span, f"{method} has no parameter '{k.name}'")
            t = rt
        self.plan(node, Plan("rebind", m.builtin, data=self.info.plans.get(id(node))))
        return NONE if t is not None else NONE

    def match_group(self, node: ast.Expr, search: ast.Call, args: tuple[ast.Expr, ...],
                    span: Span) -> Type:
        """`re.search(p, s).group(n)`: the text of group n of the first match."""
        if len(search.args) != 2 or search.kwargs or len(args) > 1:
            self.err("E_TYPE", span, f"write {search.func}(pattern, text).group(n)")
            return UNKNOWN
        for a in search.args:
            t = self.expr(a)
            if not self.fits(t, STR):
                self.err("E_TYPE", a.span, f"{search.func} takes str arguments, not "
                         f"{self.show(t)}")
        if args:
            t = self.expr(args[0])
            if not self.fits(t, INT) or t == FLOAT:
                self.err("E_TYPE", args[0].span, f"group takes a group number, not {self.show(t)}")
        self.plan(node, Plan("group", "regex_group", data=search.func))
        return STR

    def module_call(self, e: ast.Call) -> Type | None:
        """`re.findall(p, s)` and the other module functions written with their prefix."""
        builtin = MODULE_FUNCS.get(e.func)
        if builtin is None:
            if e.func in MATCHERS:
                for a in e.args:
                    self.expr(a)
                self.err("E_TYPE", e.func_span if e.func_span.line else e.span,
                         f"{e.func}(...) gives a match object, which is not in the language",
                         f"take the text at once: {e.func}(pattern, text).group(1), or "
                         "regex_search(pattern, text) (\"\" when nothing matches)")
                return UNKNOWN
            return None
        spec = self.registry.get(builtin)
        if spec is None:
            return None
        self.plan(e, Plan("call", builtin))
        t = self.typed_call(builtin, spec, list(e.args), e.kwargs, e.span, {}, e.func)
        return self.decoded_call(builtin, e) or t

    # ------------------------------------------------------------ overloads

    def overload(self, e: ast.Call) -> Type | None:
        """Python's builtins where they take more forms than the core's: None if plain."""
        name, args, kw = e.func, e.args, e.kwargs
        if name in self.st.defs:
            return None
        if name in ("sorted", "max", "min") and any(k.name == "key" for k in kw):
            return self.keyed(name, e, list(args), kw, e.span, {})
        if name == "sorted" and kw and all(k.name == "reverse" for k in kw) and len(args) == 1:
            return self.keyed(name, e, list(args), kw, e.span, {})
        if name == "sorted" and len(args) == 1 and not kw and "sorted" in self.registry:
            t = self.expr(args[0])
            if isinstance(t, (DictT, RecordT)):
                self.plan(e, Plan("call", "sorted", data="keys"))
                return ListT(STR)
            if t == ListT(STR) and isinstance(args[0], ast.ListComp):
                self.numbers_as_text("sorted", args[0].elt)
            return self.typed_call("sorted", self.registry.get("sorted"), list(args), kw,
                                   e.span, {id(args[0]): t}, "sorted")
        if name in ("map", "filter") and len(args) == 2 and not kw:
            # filter(f, xs): the items whose f(x) is true, as [x for x in xs if f(x)] (the
            # 1.5B wrote next(filter(lambda x: ..., rows)) in 14 dev logs)
            t = self.expr(args[1])
            elem = self.elem_of(t, args[1], f"{name}(...)")
            form, kt = self.key_type(args[0], elem)
            if name == "filter" and kt != BOOL and not isinstance(kt, UnknownT):
                self.err("E_TYPE", args[0].span, f"filter's test must give a bool, not "
                         f"{self.show(kt)}", "write a comparison: lambda x: x[...] == ...")
            self.plan(e, Plan("keyed", name, data={
                "form": form, "key": args[0], "reverse": None, "elem": elem, "key_type": kt,
                "dict": isinstance(t, (DictT, RecordT)), "scope": self.view(),
                "text": t == STR}))  # a text's characters (string-transform, dev s31)
            return ListT(elem if name == "filter" else kt)
        if name in ("max", "min") and len(args) == 1 and [k.name for k in kw] in ([], ["default"]):
            t = self.expr(args[0])
            keys = isinstance(t, (DictT, RecordT))
            elem = STR if keys else self.elem_of(t, args[0], f"{name}(...)")
            if not orderable(elem):
                self.err("E_TYPE", args[0].span, f"{name} needs numbers or strings, not "
                         f"{self.show(elem)}", f"give a key: {name}(xs, key=lambda x: ...)")
            elif elem == STR and isinstance(args[0], ast.ListComp):
                self.numbers_as_text(name, args[0].elt)  # max([r["total"] for r in rows])
            if kw:  # max(xs, default=d): max_or(xs, default=d), of the items' type
                dt = self.expr(kw[0].value)
                if dt == NONE or not self.fits(dt, elem):
                    src = print_expr(args[0])
                    self.err("E_TYPE", kw[0].value.span, f"{name}'s default must be "
                             f"{self.show(elem)} (the items' type), not {self.show(dt)}",
                             f"{name}({src}) if len({src}) > 0 else None")
            self.plan(e, Plan("call", f"{name}_{'or' if kw else 'of'}",
                              data="keys" if keys else None))
            return elem
        if name in ("max", "min") and len(args) > 2 and not kw:
            types = [self.expr(a) for a in args]
            out: Type = types[0]
            for a, t in zip(args, types, strict=True):
                if t not in (INT, FLOAT) and not isinstance(t, UnknownT):
                    self.err("E_TYPE", a.span, f"{name} of several values needs numbers, not "
                             f"{self.show(t)}")
                out = FLOAT if FLOAT in (out, t) else out
            self.plan(e, Plan("nest", name))
            return out
        if name == "round" and len(args) == 1 and not kw:
            t = self.expr(args[0])
            if t not in (INT, FLOAT) and not isinstance(t, UnknownT):
                self.err("E_TYPE", args[0].span, f"round needs a number, not {self.show(t)}")
            self.plan(e, Plan("round"))
            return INT
        if name == "print" and (len(args) != 1 or kw):
            for a in args:
                self.expr(a)
            for k in kw:
                self.expr(k.value)
                self.err("E_TYPE", k.span, f"print has no parameter '{k.name}'",
                         "build the text first: print(a + \" \" + b)")
            self.plan(e, Plan("print"))
            return NONE
        if name in ("list", "set") and len(args) == 1 and not kw:
            t = self.expr(args[0])
            if isinstance(t, (DictT, RecordT)):
                self.plan(e, Plan("call", "keys" if name == "list" else "keys"))
                return ListT(STR)
            elem = self.elem_of(t, args[0], f"{name}(...)")
            self.plan(e, Plan("call", "copy" if name == "list" else "distinct"))
            return ListT(elem)
        if name == "next" and 1 <= len(args) <= 2 and not kw:
            return self.next_call(e)
        if name == "set" and not args and not kw:
            # a set filled by .add: a dict of its items (True), so that `x in s` and
            # `s.add(x)` are one step each; set(xs) of a whole list is distinct(xs)
            self.plan(e, Plan("empty", "dict"))
            return DictT(BOOL)
        if name in ("list", "dict") and not args and not kw:
            self.plan(e, Plan("empty", name))
            return ListT(HOLE) if name == "list" else DictT(HOLE)
        return None

    def next_call(self, e: ast.Call) -> Type:
        """`next((x for x in xs if c), default)`: the first item, else the default (else the
        script fails). `next(iter(xs))` and `next(xs)` take the first item of xs."""
        src = e.args[0]
        if isinstance(src, ast.Call) and src.func == "iter" and len(src.args) == 1 \
                and not src.kwargs and "iter" not in self.st.defs:
            src = src.args[0]
        if isinstance(src, ast.ListComp):
            elem = self.comprehension(src, src.gens, lambda: self.expr(src.elt))
            self.types[id(src)] = ListT(elem)
        else:
            t = self.need_value(self.expr(src), src, "next(...)")
            elem = self.elem_of(t, src, "next(...)")
        result = elem
        if len(e.args) == 2:
            dt = self.expr(e.args[1])
            u = self.unify(elem, dt) or join_none(elem, dt, self.unify)
            if u is None:
                self.err("E_TYPE", e.args[1].span, f"next's default must be {self.show(elem)} "
                         f"(the items' type) or None, not {self.show(dt)}",
                         "give a default of the items' type, or None and test it: "
                         "if x is None: ...")
                u = UNKNOWN
            result = u
        self.plan(e, Plan("next", data={"src": src, "scope": self.view(), "type": result}))
        return result

    def keyed(self, which: str, node: ast.Expr, args: list[ast.Expr],
              kwargs: tuple[ast.Keyword, ...], span: Span, pre: dict[int, Type]) -> Type:
        """sorted / max / min with key= (and sorted with reverse=)."""
        if len(args) != 1:
            self.err("E_TYPE", span, f"{which} with key= takes one list (or dict)",
                     f"{which}(xs, key=lambda x: ...)")
            for a in args:
                self.expr(a)
            return UNKNOWN
        src = args[0]
        t = pre[id(src)] if id(src) in pre else self.expr(src)
        if t == STR:  # Python would go through its characters: never what a key is for
            text = print_expr(src)
            rows, edit = self.rows_of(src)
            key_arg = next((k.value for k in kwargs if k.name == "key"), None)
            lines = f"{text}.splitlines()"
            if edit and _splits_its_item(key_arg) and isinstance(src, ast.Name) and \
                    src.id in self.tables.first_line:  # `key=lambda x: float(x.split(",")[3])`
                lines += "[1:]" if self.tables.first_line[src.id] else ""  # past its header
                edit = expr_fixit(src.span, lines)
            self.err("E_TYPE", src.span, f"{which}(...) with key= over a str goes through its "
                     f"characters", f"for its lines: {which}({lines}, key=...); for "
                     f"a table's rows as dicts: {which}({rows}, key=...)", **edit)
            return UNKNOWN
        elem = self.elem_of(t, src, f"{which}(...)")
        key: ast.Expr | None = None
        reverse: ast.Expr | None = None
        for k in kwargs:
            if k.name == "key":
                key = k.value
            elif k.name == "reverse" and which == "sorted":
                rt = self.expr(k.value)
                if not self.fits(rt, BOOL):
                    self.err("E_TYPE", k.value.span, f"reverse is a bool, not {self.show(rt)}")
                reverse = k.value
            else:
                self.err("E_TYPE", k.span, f"{which} has no parameter '{k.name}'")
        kt: Type = UNKNOWN
        form = "none"
        if key is not None:
            form, kt = self.key_type(key, elem)
            if not orderable(kt):
                self.err("E_TYPE", key.span, f"the key must give numbers or strings (or tuples "
                         f"of them), not {self.show(kt)}")
            elif kt == STR and isinstance(key, ast.Lambda):
                self.numbers_as_text(which, key.body)
        if key is None and not orderable(elem):
            self.err("E_TYPE", src.span, f"{which} needs numbers or strings, not "
                     f"{self.show(elem)}", "give a key=")
        elif key is None and elem == STR and isinstance(src, ast.ListComp):
            self.numbers_as_text(which, src.elt)  # sorted([r["total"] ...], reverse=True)
        self.plan(node, Plan("keyed", which, data={
            "form": form, "key": key, "reverse": reverse, "elem": elem, "key_type": kt,
            "dict": isinstance(t, (DictT, RecordT)), "scope": self.view()}))
        return ListT(elem) if which == "sorted" else elem

    def numbers_as_text(self, which: str, body: ast.Expr) -> None:
        """A key (`lambda r: r["total"]`), or the items of a comprehension ordered as they
        are (`max([r["total"] for r in rows])`), that orders the text of a column holding
        numbers in the task's tables: text order is not number order (check/columns.py)."""
        col = body.index.value if isinstance(body, ast.Index) and isinstance(
            body.index, ast.Const) else None
        if not isinstance(col, str) or col not in self.tables.numeric:
            return
        text = print_expr(body)
        self.err("E_TYPE", body.span, f"{which}(...) orders {text} as text, but the column "
                 f"'{col}' holds numbers (as text, \"9.5\" > \"10.0\")",
                 f"order the numbers: float({text})",
                 **expr_fixit(body.span, f"float({text})"))

    def key_type(self, key: ast.Expr, elem: Type) -> tuple[str, Type]:
        """How key= is given ("lambda", "def", "builtin", "get") and the keys' type."""
        if isinstance(key, ast.Lambda):
            if len(key.params) != 1:
                self.err("E_TYPE", key.span, "a key function takes one parameter")
                return "lambda", UNKNOWN
            saved_scope, saved_defined = dict(self.scope), set(self.defined)
            saved_narrowed = dict(self.narrowed)
            try:
                self.scope[key.params[0]] = elem
                self.narrowed = forget(self.narrowed, key.params)
                self.defined.add(key.params[0])
                with self.per_item(key.params):
                    return "lambda", self.expr(key.body)
            finally:
                self.scope, self.defined = saved_scope, saved_defined
                self.narrowed = saved_narrowed
        if isinstance(key, ast.Name):
            name = key.id
            if name in self.st.defs:
                d = self.st.defs[name]
                if len(d.node.params) != 1:
                    self.err("E_TYPE", key.span, f"key={name}: a key function takes one "
                             "parameter")
                    return "def", UNKNOWN
                pt = d.params[d.node.params[0].name]
                if pt is not None and not self.fits(elem, pt):
                    self.err("E_TYPE", key.span, f"key={name} takes {self.show(pt)}, but the "
                             f"items are {self.show(elem)}")
                return "def", d.returns if d.returns is not None else UNKNOWN
            spec = self.registry.get(name)
            if spec is not None and "." not in name:
                fn = spec.extra.get("result_type")
                rt = fn([elem]) if callable(fn) else spec.result
                if spec.params and not self.fits(elem, spec.params[0].type):
                    self.err("E_TYPE", key.span, f"key={name} takes "
                             f"{self.show(spec.params[0].type)}, but the items are "
                             f"{self.show(elem)}")
                return "builtin", rt
        if isinstance(key, ast.Dotted) and len(key.parts) == 2 and key.parts[1] == "get":
            head = key.parts[0]
            if self.value_name(head):
                dt = self.lookup(ast.Name(head, key.span))
                if isinstance(dt, DictT):
                    return "get", dt.value
        if isinstance(key, ast.Dotted) and len(key.parts) == 2 and key.parts[0] == "str" \
                and key.parts[1] in STR_METHODS:
            # `filter(str.isdigit, s)`, `sorted(xs, key=str.lower)`: Python's unbound
            # method, the lambda that calls it (the 1.5B's string-transform, dev s31)
            text = f"lambda x: x.{key.parts[1]}()"
            self.err("E_TYPE", key.span, f"str.{key.parts[1]} is not a value here: a key or "
                     "map function is a lambda", f"write {text}", **expr_fixit(key.span, text))
            return "none", UNKNOWN
        self.err("E_TYPE", key.span, "a key or map function is a lambda (lambda x: x[1]), a "
                 "function of one value (len, int, a def) or d.get", "write lambda x: ...")
        return "none", UNKNOWN


def _splits_its_item(key: ast.Expr | None) -> bool:
    """Whether a key is a lambda that reads its item as a line of text (`x.split(",")`):
    over a table's text it meant the lines, not records."""
    if not isinstance(key, ast.Lambda) or len(key.params) != 1:
        return False
    p = key.params[0]
    return any((isinstance(n, ast.Call) and n.func.startswith(p + ".")) or
               (isinstance(n, ast.MethodCall) and isinstance(n.value, ast.Name)
                and n.value.id == p) for n in ast.walk(key.body))
