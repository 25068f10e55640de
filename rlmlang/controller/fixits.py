"""Fix-its: a tool's certain correction of one argument, applied as a new candidate.

A tiny model often names the wrong column (`count_rows(t, "status", "network")`
when "network" only ever appears under "team"). The tool knows the right
column from the data, and says so in its error's `data`
(`{"argument": 1, "replacement": "team"}`), the way a compiler's fix-it names
the edit. The controller applies that one edit to the script's tree, prints
the script again, and runs it through the whole pipeline as one more
candidate: it is parsed, checked and verified like any other, and logged in
full with the candidate it came from, so an auditor sees exactly what ran
and why. Nothing is corrected silently inside a tool.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script

_LITERAL = (str, int, float, bool)


def fixit_of(diagnostic: Diagnostic) -> tuple[int, Any] | None:
    """(argument index, replacement literal) if the diagnostic carries a fix-it."""
    data = diagnostic.data or {}
    arg, new = data.get("argument"), data.get("replacement")
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
        return None
    if new is None or not isinstance(new, _LITERAL):
        return None
    return arg, new


def apply_fixit(source: str, diagnostic: Diagnostic) -> str | None:
    """The script with the diagnostic's fix-it applied, or None if it does not apply.

    The call is the one the diagnostic points at (its line and column fall on
    the call's name or its start); its argument at the given index is replaced
    by the literal.
    """
    fix = fixit_of(diagnostic)
    span = diagnostic.span
    if fix is None or span is None:
        return None
    parsed = parse(source)
    if parsed.script is None:
        return None
    index, new = fix
    target = _call_at(parsed.script, span.line, span.col)
    if target is None or index >= len(target.args):
        return None
    old = target.args[index]
    replacement = ast.Const(new, old.span if hasattr(old, "span") else ast.NO_SPAN)
    if old == replacement:
        return None
    patched = dataclasses.replace(
        target, args=target.args[:index] + (replacement,) + target.args[index + 1:])
    script = _swap(parsed.script, target, patched)
    return print_script(script)


def _nodes(node: Any) -> list[Any]:
    if isinstance(node, (list, tuple)):
        return list(node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return [getattr(node, f.name) for f in dataclasses.fields(node)]
    return []


def _call_at(root: ast.Script, line: int, col: int) -> ast.Call | None:
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            for s in (node.func_span, node.span):
                if (s.line, s.col) == (line, col):
                    return node
        stack.extend(_nodes(node))
    return None


def _swap(node: Any, old: Any, new: Any) -> Any:
    """`node` with the object `old` (by identity) replaced by `new`."""
    if node is old:
        return new
    if isinstance(node, tuple):
        items = tuple(_swap(x, old, new) for x in node)
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            swapped = _swap(value, old, new)
            if swapped is not value:
                changes[f.name] = swapped
        return dataclasses.replace(node, **changes) if changes else node
    return node
