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

from rlmlang.syntax import ast


def widened_names(diagnostics: list) -> set[str]:
    """Names the checker found holding a float after an int start."""
    return {d.data["name"] for d in diagnostics
            if d.code == "E_TYPE" and d.data.get("was") == "int" and d.data.get("got") == "float"
            and isinstance(d.data.get("name"), str)}


def widen(script: ast.Script, names: set[str]) -> ast.Script:
    """The script with `name = <int literal>` written `name = <float literal>` for `names`."""
    return dataclasses.replace(script, body=_block(script.body, names))


def _block(body: tuple[ast.Stmt, ...], names: set[str]) -> tuple[ast.Stmt, ...]:
    return tuple(_stmt(s, names) for s in body)


def _stmt(s: ast.Stmt, names: set[str]) -> ast.Stmt:
    if (isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) and s.target.id in names
            and _int_literal(s.value)):
        value = s.value
        assert isinstance(value, ast.Const)
        return dataclasses.replace(s, value=dataclasses.replace(value, value=float(value.value)))
    if isinstance(s, ast.If):
        return dataclasses.replace(
            s, branches=tuple((c, _block(b, names)) for c, b in s.branches),
            orelse=None if s.orelse is None else _block(s.orelse, names))
    if isinstance(s, (ast.For, ast.While, ast.Def)):
        return dataclasses.replace(s, body=_block(s.body, names))
    return s


def _int_literal(e: ast.Expr) -> bool:
    return isinstance(e, ast.Const) and isinstance(e.value, int) and not isinstance(e.value, bool)
