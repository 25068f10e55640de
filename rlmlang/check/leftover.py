"""A loop's variable read after a loop that never breaks: always its last item.

Coder models write the search loop with its answer inside it:

    for dept in departments:
        if dept["dept_id"] == dept_id:
            submit(dept["floor"])
            break
    submit(dept["floor"])

Where the test matches, the inner `submit` ends the script. Where it never
does, the loop runs to its end and the last `submit` reads `dept`, which
Python leaves holding the last department: a value the test never chose,
submitted with confidence (the 1.5B gave the last department's floor, twice,
for a lookup whose key it had compared with the wrong field; dev lookup-01).

The `break` after a `submit` is never reached, so this loop never breaks: after
it, `dept` is the last item, whatever the loop's tests found. The checker
refuses a read of a loop variable after such a loop (one that tests its items
with an `if`, has no reachable `break`, and no `else:` that ends the script),
and says how to write what was meant. A loop that can break leaves the
variable on the item it broke at, as Python's `for ... break` idiom means, and
a loop that tests nothing (`for r in found: print(r)`, then `r["size"]` of the
one record found) means its last item: both are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from rlmlang.check.unassigned import own_exprs
from rlmlang.diagnostics import Diagnostic, stmt_fixit
from rlmlang.syntax import ast

_ENDS = (ast.Submit, ast.Fail, ast.Return)


def loop_leftovers(script: ast.Script, file: str) -> list[Diagnostic]:
    """An error for each read of a loop variable after a loop that never breaks."""
    out: list[Diagnostic] = []
    _scan(script.body, {}, out, file)
    for d in ast.walk(script):
        if isinstance(d, ast.Def):
            _scan(d.body, {}, out, file)
    return out


def _scan(body: tuple[ast.Stmt, ...], live: dict[str, ast.For], out: list[Diagnostic],
          file: str) -> dict[str, ast.For]:
    """Check a block; `live` maps each name holding a finished loop's last item to the
    loop. Returns what is live after the block."""
    live = dict(live)
    for s in body:
        if isinstance(s, ast.Def):
            continue  # a frame of its own (loop_leftovers)
        for e in _reads(s):
            for name in _free_names(e):
                loop = live.get(name.id)
                if loop is not None:
                    out.append(_diagnostic(name, loop, s, file))
                    del live[name.id]  # once per loop and name
        if isinstance(s, ast.For):
            targets = s.unpack or (s.var,)
            inner = {k: v for k, v in live.items() if k not in targets}
            after_body = _scan(s.body, inner, out, file)
            if s.orelse:
                after_body = _scan(s.orelse, after_body, out, file)
            live = {k: v for k, v in after_body.items() if k not in targets}
            if _tests(s.body) and not _breaks(s.body) and not (s.orelse and _ends(s.orelse)):
                live.update({t: s for t in targets})
        elif isinstance(s, ast.While):
            live = _scan(s.body, live, out, file)
            if s.orelse:
                live = _scan(s.orelse, live, out, file)
        elif isinstance(s, ast.If):
            merged: dict[str, ast.For] = {}
            for _, block in s.branches:
                merged.update(_scan(block, live, out, file))
            merged.update(_scan(s.orelse, live, out, file) if s.orelse else live)
            live = merged
        for name in _assigned(s):
            live.pop(name, None)
        if isinstance(s, _ENDS):
            break  # what follows is never run
    return live


def _diagnostic(name: ast.Name, loop: ast.For, stmt: ast.Stmt, file: str) -> Diagnostic:
    """The error, with a fix-it that fails where the read is: the script as the model
    meant it where its loop's test matches (the submit inside the loop), and a clear
    failure, not the last item, where it does not."""
    var = name.id
    unreached = " (a break after submit is never reached)" \
        if any(isinstance(n, ast.Break) for n in ast.walk(loop.body)) else ""
    last = f"; for the last item, write {loop.iter.id}[-1]" \
        if isinstance(loop.iter, ast.Name) else ""
    message = (f"'{var}' is read after the for loop of line {loop.span.line}, which never "
               f"breaks{unreached}: there it is always the loop's last item, whatever the "
               "loop's tests found")
    stops = (f"the for loop of line {loop.span.line} ended without its test matching, and "
             f"'{var}' would be its last item")
    return Diagnostic(
        "E_LOOPVAR", message, name.span, file,
        f"keep what the test finds in a name of its own inside the if (found = {var}) and "
        f"read that after the loop, failing where it is still None{last}",
        data=stmt_fixit(stmt.span, f"fail({json.dumps(stops)})"))


def _tests(body: tuple[ast.Stmt, ...]) -> bool:
    """Whether the loop tests its items (an `if` of its own, not of a loop inside it): a
    loop that only prints or sums them leaves the last item as it means to."""
    return any(isinstance(s, ast.If) for s in body)


def _breaks(body: tuple[ast.Stmt, ...]) -> bool:
    """Whether a reachable `break` of this loop (not of a loop inside it) is in the body."""
    for s in body:
        if isinstance(s, ast.Break):
            return True
        if isinstance(s, ast.If):
            if any(_breaks(b) for _, b in s.branches) or (s.orelse and _breaks(s.orelse)):
                return True
        if isinstance(s, _ENDS):
            return False
    return False


def _ends(body: tuple[ast.Stmt, ...]) -> bool:
    """Whether the block always ends the script or the def (submit, fail, return)."""
    for s in body:
        if isinstance(s, _ENDS):
            return True
        if isinstance(s, ast.If) and s.orelse and all(_ends(b) for _, b in s.branches) \
                and _ends(s.orelse):
            return True
    return False


def _reads(s: ast.Stmt) -> list[ast.Expr]:
    """The expressions a statement reads itself (unassigned.own_exprs, but an assigned
    name, and with every condition of an if, each reached with what held before it)."""
    if isinstance(s, ast.Assign) and isinstance(s.target, (ast.Name, ast.TupleLit)):
        return [s.value]
    if isinstance(s, ast.If):
        return [c for c, _ in s.branches]
    return [e for e in own_exprs(s) if e is not None]


def _assigned(s: ast.Stmt) -> list[str]:
    """The names a statement assigns itself (a loop's own targets are handled apart)."""
    if isinstance(s, ast.Assign):
        t = s.target
        if isinstance(t, ast.Name):
            return [t.id]
        if isinstance(t, ast.TupleLit):
            return [x.id for x in t.items if isinstance(x, ast.Name)]
    return []


def _free_names(e: ast.Expr) -> Iterator[ast.Name]:
    """The names an expression reads, but those its comprehensions and lambdas bind."""
    bound: set[str] = set()
    for n in ast.walk(e):
        if isinstance(n, ast.CompFor):
            bound.update(n.targets)
        elif isinstance(n, ast.Lambda):
            bound.update(n.params)
    for n in ast.walk(e):
        if isinstance(n, ast.Name) and n.id not in bound:
            yield n
