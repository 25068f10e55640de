"""Placeholders: a name started with a literal of another type than it later holds starts as None.

Python programmers start a search's result with whatever is at hand: `found = 0`
or `found = ""` or `found = False`, then `found = line` in the loop that finds
it. The language keeps one type per name, so the checker refuses the second
assignment; rebind.py cannot help, as the new value is given inside a loop or
an `if`. The start is a placeholder for "nothing yet", which is what None says:
each assignment of the name to a literal of its first type becomes `= None`,
the name is `T | None` (narrow.py), and the script is checked again; a read
before it is set must then be checked for None, as any other maybe-None name.
The rewrite is kept only where it leaves fewer errors (as widen.py's is), so
a script that really uses the number (`found + 1`) keeps its error and fix.
"""

from __future__ import annotations

import dataclasses

from rlmlang.check.widen import rewrite_literal_starts
from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast

_LITERAL_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


def placeholder_names(diagnostics: list[Diagnostic]) -> dict[str, type]:
    """Names started with a scalar literal and later given a value of another kind, with
    the Python type of the start (an int start given a float is widen.py's)."""
    out: dict[str, type] = {}
    for d in diagnostics:
        name, was, got = d.data.get("name"), d.data.get("was"), d.data.get("got")
        if d.code != "E_TYPE" or not d.data.get("rebindable") or not isinstance(name, str) \
                or was not in _LITERAL_TYPES or got in (was, "none", None):
            continue
        if was in ("int", "float") and got in ("int", "float"):
            continue
        out[name] = _LITERAL_TYPES[str(was)]
    return out


def as_none(script: ast.Script, names: dict[str, type]) -> ast.Script:
    """The script with each `name = <empty literal of its start type>` written `name = None`,
    for the names whose start is a placeholder: an empty literal (0, "", False) that no
    assignment of the name reads (`n = "12"` ... `n = int(n)` converts a value)."""
    names = {n: t for n, t in names.items() if n not in _self_reads(script)}
    if not names:
        return script
    return rewrite_literal_starts(script, lambda name, c: dataclasses.replace(c, value=None)
                                  if name in names and type(c.value) is names[name]
                                  and not c.value else None)


def _self_reads(script: ast.Script) -> set[str]:
    """Names an assignment to them reads (`n = int(n)`, `best = max(best, x)`)."""
    out: set[str] = set()
    for node in ast.walk(script):
        if isinstance(node, (ast.Assign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            if isinstance(node, ast.AugAssign) or any(
                    isinstance(n, ast.Name) and n.id == node.target.id
                    for n in ast.walk(node.value)):
                out.add(node.target.id)
    return out
