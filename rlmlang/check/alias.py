"""One name per list or dict changed in place.

`xs += [x]` (what `xs.append(x)` is), `d[k] = v` and `d[k] += v` change a
list or dict in place, as in Python. The verifier bounds each name's value
separately, so a second name for the same list would keep a bound the
change has outgrown, and the VM would then meter more fuel than was proven.
The rule that keeps the bounds sound is simple, checked per function (and
for the script body), on the core script:

- a name changed in place is never a parameter (the caller's value) and
  only ever holds a list or dict of its own: a literal, a comprehension,
  the result of `+`, a slice, a copy, or of a builtin that builds a new one
  (not `x = y`, `x = d[k]`, a loop variable, or a def's result);
- it is never stored anywhere else while it can still change: not assigned
  to another name, put into a list or dict, passed to a def that returns a
  list or dict, or given as `get`'s default (a state write copies, a return
  or a submit ends its frame, a builtin reads it and keeps nothing);
- a loop over it does not make it longer (it might never end).

Where a script breaks the rule, E_ALIAS says where, and the fix is a copy.
"""

from __future__ import annotations

from typing import Any

from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.syntax import ast
from rlmlang.types import ListT, Type

# Builtins whose result may be one of their arguments (not a new value).
_RETURNS_ARG = {"get": (2,), "unpack": (0,)}
_CONTAINER_RESULTS = ("list", "dict", "tuple", "{")


def _mutations(body: tuple[ast.Stmt, ...], types: dict[int, Type]) -> dict[str, ast.Stmt]:
    out: dict[str, ast.Stmt] = {}
    for s in _stmts(body):
        t = getattr(s, "target", None)
        if isinstance(s, (ast.Assign, ast.AugAssign)) and isinstance(t, ast.Index) and \
                isinstance(t.value, ast.Name):
            out.setdefault(t.value.id, s)
        elif isinstance(s, ast.AugAssign) and isinstance(t, ast.Name) and \
                isinstance(types.get(id(t)), ListT):
            out.setdefault(t.id, s)
    return out


def _stmts(body: tuple[ast.Stmt, ...]) -> list[ast.Stmt]:
    """Every statement of a frame, nested blocks included, defs excluded."""
    out: list[ast.Stmt] = []
    stack = list(reversed(body))
    while stack:
        s = stack.pop()
        if isinstance(s, ast.Def):
            continue
        out.append(s)
        for b in reversed(ast.child_blocks(s)):
            stack.extend(reversed(b))
    return out


def _fresh(e: ast.Expr, defs: dict[str, ast.Def]) -> bool:
    """Whether `e` always evaluates to a list or dict no name holds yet."""
    if isinstance(e, (ast.ListLit, ast.DictLit, ast.TupleLit, ast.BinOp, ast.Slice,
                      ast.Const, ast.Dotted)):
        return True
    if isinstance(e, ast.Cast):
        return _fresh(e.value, defs)
    if isinstance(e, ast.IfExp):
        return _fresh(e.body, defs) and _fresh(e.orelse, defs)
    if isinstance(e, ast.Call):
        if e.func in defs:
            return "@" in e.func  # lowering's own defs build what they return
        return e.func not in _RETURNS_ARG
    return False


def _stored(e: ast.Expr) -> list[ast.Name]:
    """The names whose value `e` is, or holds as an item (so storing e stores them)."""
    if isinstance(e, ast.Name):
        return [e]
    if isinstance(e, (ast.ListLit, ast.TupleLit)):
        return [n for i in e.items for n in _stored(i)]
    if isinstance(e, ast.DictLit):
        return [n for _, v in e.items for n in _stored(v)]
    if isinstance(e, ast.IfExp):
        return _stored(e.body) + _stored(e.orelse)
    if isinstance(e, ast.Cast):
        return _stored(e.value)
    return []


def _calls(node: Any) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def check_aliases(script: ast.Script, types: dict[int, Type],
                  file: str = "<script>") -> list[Diagnostic]:
    defs = {d.name: d for d in script.body if isinstance(d, ast.Def)}
    frames: list[tuple[tuple[ast.Stmt, ...], set[str]]] = [
        (tuple(s for s in script.body if not isinstance(s, ast.Def)), set())]
    frames += [(d.body, {p.name for p in d.params}) for d in defs.values()]
    diags: list[Diagnostic] = []
    for body, params in frames:
        diags.extend(_frame(body, params, defs, types, file))
    return diags


def _frame(body: tuple[ast.Stmt, ...], params: set[str], defs: dict[str, ast.Def],
           types: dict[int, Type], file: str) -> list[Diagnostic]:
    changed = _mutations(body, types)
    if not changed:
        return []
    diags: list[Diagnostic] = []
    reported: set[str] = set()

    def report(name: str, span: Span, msg: str, fix: str) -> None:
        if name in reported or "@" in name:
            return
        reported.add(name)
        line = changed[name].span.line
        diags.append(Diagnostic("E_ALIAS", msg.format(name=name, line=line), span, file, fix,
                                data={"name": name, "changed_at": line}))

    for name in changed:
        if name in params:
            report(name, changed[name].span, "'{name}' is a parameter, and changing it in place "
                   "(line {line}) would change the caller's value too",
                   f"work on a copy: {name}2 = copy({name})")
    for s in _stmts(body):
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) and \
                s.target.id in changed and not _fresh(s.value, defs):
            report(s.target.id, s.value.span, "'{name}' is changed in place (line {line}), so "
                   "it must hold a list or dict of its own; here it takes one that something "
                   "else holds too", f"take a copy: {s.target.id} = copy(...)")
        if isinstance(s, ast.For):
            if s.var in changed:
                report(s.var, s.span, "'{name}' is changed in place (line {line}), so it must "
                       "hold a list or dict of its own, not an item of what the loop reads",
                       f"copy the item first: {s.var}2 = copy({s.var})")
            if isinstance(s.iter, ast.Name) and s.iter.id in changed:
                grows = [m for m in _stmts(s.body) if isinstance(m, ast.AugAssign) and
                         isinstance(m.target, ast.Name) and m.target.id == s.iter.id]
                if grows:
                    report(s.iter.id, s.iter.span, "the loop over '{name}' makes '{name}' "
                           "longer (line {line}), so it might never end",
                           f"loop over a copy: for ... in copy({s.iter.id}):")
        # Where a value is stored: the right of '=', an item added with +=.
        stored: list[ast.Name] = []
        if isinstance(s, ast.Assign):
            stored = _stored(s.value)
        elif isinstance(s, ast.AugAssign) and not isinstance(s.value, ast.Name):
            stored = _stored(s.value)
        for n in stored:
            if n.id in changed and not (isinstance(s, ast.Assign) and
                                        isinstance(s.target, ast.Dotted)):
                report(n.id, n.span, "'{name}' is changed in place (line {line}) and is stored "
                       "here too, so two names would share it",
                       f"store a copy: copy({n.id})")
        for c in _calls(s):
            positions: tuple[int, ...] = ()
            if c.func in _RETURNS_ARG:
                positions = _RETURNS_ARG[c.func]
            elif c.func in defs and "@" not in c.func:
                ret = defs[c.func].returns
                if ret is None or str(ret).startswith(_CONTAINER_RESULTS):
                    positions = tuple(range(len(c.args)))
            for i in positions:
                if i < len(c.args):
                    for n in _stored(c.args[i]):
                        if n.id in changed:
                            report(n.id, n.span, "'{name}' is changed in place (line {line}) "
                                   f"and is passed to {c.func}, which may give it back, so "
                                   "two names would share it", f"pass a copy: copy({n.id})")
    return diags
