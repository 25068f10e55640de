"""Numeric widening: a name started as an int literal and later given a float is a float.

Python lets `total = 0` then `total = total + price` hold a float; the language
keeps one type per name, and coder models write this constantly (measured in
the coder corpus: sums, averages, running maxima started at `0`). Rather than
give a name two types, the checker reads such a script as the programmer
meant it: the int literals that start the name become float literals
(`total = 0.0`), and the script is checked again. Only literals are widened,
so every value the name holds at run time is a float, as its type says; a name
whose int start is computed (`n = len(xs)`) keeps the error and its fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rlmlang.syntax import ast


def widened_names(diagnostics: list) -> set[str]:
    """Names the checker found holding a float after an int start."""
    return {d.data["name"] for d in diagnostics
            if d.code == "E_TYPE" and d.data.get("was") == "int" and d.data.get("got") == "float"
            and isinstance(d.data.get("name"), str)}


def widen(script: ast.Script, names: set[str]) -> ast.Script:
    """The script with `name = <int literal>` written `name = <float literal>` for `names`."""
    return rewrite_literal_starts(script, lambda name, c: dataclasses.replace(
        c, value=float(c.value)) if name in names and _int_literal(c) else None)


def rewrite_literal_starts(script: ast.Script,
                           rewrite: Callable[[str, ast.Const], ast.Const | None]) -> ast.Script:
    """The script with each `name = <literal>` (at any depth of ifs, loops and defs) given
    the literal `rewrite(name, literal)` returns, or left as it is where that is None."""
    def block(body: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
        return tuple(stmt(s) for s in body)

    def stmt(s: ast.Stmt) -> ast.Stmt:
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) \
                and isinstance(s.value, ast.Const):
            new = rewrite(s.target.id, s.value)
            return s if new is None else dataclasses.replace(s, value=new)
        if isinstance(s, ast.If):
            return dataclasses.replace(
                s, branches=tuple((c, block(b)) for c, b in s.branches),
                orelse=None if s.orelse is None else block(s.orelse))
        if isinstance(s, (ast.For, ast.While, ast.Def)):
            return dataclasses.replace(s, body=block(s.body))
        return s

    return dataclasses.replace(script, body=block(script.body))


def _int_literal(e: ast.Expr) -> bool:
    return isinstance(e, ast.Const) and isinstance(e.value, int) and not isinstance(e.value, bool)
