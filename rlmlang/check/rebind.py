"""Rebinding: a top-level name given a value of another type starts a new name.

Python programmers reuse a name for the next form of its value:
`employees = records(employees)`, `n = int(n)`, `words = text.split()` after
`words = ""`. The language keeps one type per name, so the checker refuses
these; coder models write them constantly. Where the new value is given
unconditionally (a statement of the script's top level or of a def's body, not
inside an `if` or a loop), the script means exactly what it would mean with a fresh name
from that statement on, and that is how it is read: the target and every later
use become `employees_2`, and the script is checked again (as widen.py does
for `total = 0` ... `total = total + price`). Checker, verifier and compiler
then see two names, each with one type.

A rename could change meaning only where the name is bound or read in a scope
of its own; so a top-level name that a def reads or binds, or a name that a
lambda, a comprehension or a `for` binds, is never renamed, and keeps its
error and fix. A def's locals are its own: renamed in its body alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast

REBINDABLE = "rebindable"  # the data key the checker sets on a type-changing assignment


def rebind_sites(diagnostics: list[Diagnostic]) -> set[tuple[str, int]]:
    """(name, line) of each assignment the checker refused for changing a name's type."""
    return {(d.data["name"], d.line) for d in diagnostics
            if d.code in ("E_TYPE", "E_NAME") and d.data.get(REBINDABLE) and isinstance(d.data.get("name"), str)}


def rebind(script: ast.Script, sites: set[tuple[str, int]],
           taken: set[str]) -> tuple[ast.Script, dict[str, str]]:
    """The script with each assignment in `sites` at the top level of the script or of a
    def's body starting a fresh name, and each fresh name's original (to say its
    diagnostics in the script's own words).

    `taken`: names the fresh ones must not be (the inputs, the tools)."""
    used = taken | ast.identifiers(script)
    original: dict[str, str] = {}
    defs = [s for s in script.body if isinstance(s, ast.Def)]
    # a def's name assigned at the top level: Python's name holds the value from there
    # on, and the calls before it stay calls; unless a def reads the name as a value,
    # or the script calls it after (Python would call the value)
    values = {s.name for s in defs} - {n for d in defs for n in ast.identifiers(d.body)} \
        - ast.bound_in_scopes(script)
    values = {name for name in values if not any(
        isinstance(n, ast.Call) and n.func == name and n.span.line > line
        for site, line in sites if site == name for n in ast.walk(script.body))}
    body = _rebind_body(script.body, sites, _scoped_names(script) - values, used, original)
    body = tuple(dataclasses.replace(s, body=_rebind_body(s.body, sites,
                                                          ast.bound_in_scopes(s.body),
                                                          used, original))
                 if isinstance(s, ast.Def) else s for s in body)
    return (dataclasses.replace(script, body=body) if original else script), original


def _rebind_body(body: tuple[ast.Stmt, ...], sites: set[tuple[str, int]], fixed: set[str],
                 used: set[str], original: dict[str, str]) -> tuple[ast.Stmt, ...]:
    """One frame's statements (the script's, or a def's: the same in a def, where
    `reporters = Counter(reporters)` follows `reporters = [...]`, fresh dev group-by-02),
    each rebinding in `sites` starting a fresh name for the rest of them."""
    renames: dict[str, str] = {}
    out: list[ast.Stmt] = []
    for s in body:
        target = s.target if isinstance(s, ast.Assign) else None
        if (isinstance(target, ast.Name) and (target.id, s.span.line) in sites
                and target.id not in fixed):
            value = _rename(s.value, renames)
            fresh = _fresh(target.id, used)
            used.add(fresh)
            renames[target.id] = fresh
            original[fresh] = target.id
            out.append(dataclasses.replace(s, target=dataclasses.replace(target, id=fresh),
                                           value=value))
        else:
            out.append(_rename(s, renames) if renames else s)
    return tuple(out) if renames else body


def def_locals(script: ast.Script, taken: set[str]) -> tuple[ast.Script, dict[str, str]]:
    """The script with each def's local that has the name of a def (`count = 0` in
    `def count(...)`) renamed within that def's body, and each fresh name's original.

    In Python a name assigned in a function's body is local to it throughout, even one
    that names a function; the language keeps a def's name for the def, and refused
    the 1.5B's `def count_refunded(...): count_refunded = 0 ...`. A def never calls
    itself here, so the body's every use of the name is the local's. Left alone where
    the body also calls a def of that name, or binds it in a `for`, a comprehension or
    a lambda (the rename would change what a call means, or miss a binding)."""
    defs = {s.name for s in script.body if isinstance(s, ast.Def)}
    if not defs:
        return script, {}
    used = taken | ast.identifiers(script)
    original: dict[str, str] = {}
    body: list[ast.Stmt] = []
    for st in script.body:
        if not isinstance(st, ast.Def):
            body.append(st)
            continue
        assigned = {n.target.id for n in ast.walk(st.body)
                    if isinstance(n, (ast.Assign, ast.AugAssign))
                    and isinstance(n.target, ast.Name)} & defs
        called = {n.func for n in ast.walk(st.body) if isinstance(n, ast.Call)}
        bound = ast.bound_in_scopes(st.body)
        renames: dict[str, str] = {}
        for name in sorted(assigned - called - bound - {p.name for p in st.params}):
            fresh = _fresh(name, used)
            used.add(fresh)
            renames[name] = fresh
            original[fresh] = name
        body.append(dataclasses.replace(st, body=_rename(st.body, renames)) if renames else st)
    if not original:
        return script, {}
    return dataclasses.replace(script, body=tuple(body)), original


def in_own_words(diags: list[Diagnostic], original: dict[str, str]) -> list[Diagnostic]:
    """The diagnostics of a rebound script with each fresh name written as the script
    wrote it: a message or fix-it that said `str(weights_2)` named a name the script
    does not have, and a fix-it applied so would not check."""
    if not original:
        return diags
    # a fresh name may begin a longer one a fix-it made of it (`count_2_str`)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, original)) + r")(?![A-Za-z0-9])")

    def back(v: Any) -> Any:
        if isinstance(v, str):
            return pattern.sub(lambda m: original[m.group(1)], v)
        if isinstance(v, list):
            return [back(x) for x in v]
        if isinstance(v, tuple):
            return tuple(back(x) for x in v)
        if isinstance(v, dict):
            return {k: back(x) for k, x in v.items()}
        return v

    return [dataclasses.replace(d, message=back(d.message), fix=back(d.fix),
                                notes=back(d.notes), data=back(d.data)) for d in diags]


def _fresh(name: str, used: set[str]) -> str:
    k = 2
    while f"{name}_{k}" in used:
        k += 1
    return f"{name}_{k}"


def _scoped_names(script: ast.Script) -> set[str]:
    """Names a def reads from the top level, and names a lambda, comprehension or `for`
    binds. A def's own names (its parameters and what its body assigns) are locals of its
    frame, whatever the top level calls the same names (`def f(racks: list[...])` beside
    `racks = records(racks)`: the 1.5B wrote both, and the rebinding was refused)."""
    out = ast.bound_in_scopes(script)
    for n in ast.walk(script):
        if isinstance(n, ast.Def):
            out.add(n.name)
            own = {p.name for p in n.params} | set(ast.assigned_names(n.body))
            out.update(ast.identifiers(n.body) - own)
    return out


def _rename(node: Any, renames: dict[str, str]) -> Any:
    """`node` with every use of a renamed name (a Name, or the value of `name.method(...)`)
    written with its new name; untouched subtrees are returned as they are."""
    if isinstance(node, ast.Name):
        new = renames.get(node.id)
        return node if new is None else dataclasses.replace(node, id=new)
    if isinstance(node, tuple):
        items = tuple(_rename(n, renames) for n in node)
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, Any] = {}
    if isinstance(node, ast.Call):
        head, dot, rest = node.func.partition(".")
        if dot and head in renames:
            changes["func"] = f"{renames[head]}.{rest}"
    elif isinstance(node, ast.Dotted) and node.parts[0] in renames:
        changes["parts"] = (renames[node.parts[0]], *node.parts[1:])
    for f in dataclasses.fields(node):
        if f.name in changes:
            continue
        old = getattr(node, f.name)
        new = _rename(old, renames)
        if new is not old:
            changes[f.name] = new
    return dataclasses.replace(node, **changes) if changes else node
