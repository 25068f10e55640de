"""Searches that found nothing: a zero that is a misreading of the data, not an answer.

`sum(prices)` over the lines `find_lines(stocks, "2004-12-21")` matched is 0.0,
and two scripts that looked for the same misread date (the data writes it
"Dec 21 2004") confirmed 0.0 as the answer. A search whose arguments are an
input (never assigned in the script) and literals finds the same lines however
the script uses them, so it can be run again on the task's inputs: where one
finds nothing, a zero the script submitted is what its search found, nothing,
and not a count or a sum of what the question asks about. A tool says it
searches in its declaration (`extra["search"]`), never by its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr
from rlmlang.task.guess import NO_ANSWER, literal_value


def empty_search(script: str, inputs: Mapping[str, Any], registry: Any) -> str | None:
    """The first search of `script` that finds nothing in the inputs (as the script
    wrote it, `find_lines(stocks, "2004-12-21")`), or None."""
    parsed = parse(script).script
    if parsed is None:
        return None
    assigned = _bound_names(parsed)
    for node in ast.walk(parsed):
        if not isinstance(node, ast.Call):
            continue
        spec = registry.get(node.func) if registry is not None else None
        if spec is None or not spec.extra.get("search") or spec.impl is None:
            continue
        args: list[Any] = []
        reads_input = False
        for a in node.args:
            if isinstance(a, ast.Name) and a.id not in assigned \
                    and isinstance(inputs.get(a.id), str):
                args.append(inputs[a.id])
                reads_input = True
                continue
            value = literal_value(a)
            if value is NO_ANSWER:
                break
            args.append(value)
        else:
            kwargs = {k.name: literal_value(k.value) for k in node.kwargs}
            if not reads_input or any(v is NO_ANSWER for v in kwargs.values()):
                continue
            try:
                found = spec.impl(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a search that fails finds nothing to judge by
                continue
            if not isinstance(found, bool) and found in ([], "", 0):
                return print_expr(node)
    return None


def _bound_names(script: ast.Script) -> set[str]:
    """Every name the script assigns or binds (an input so named is no longer the input)."""
    out = ast.bound_in_scopes(script)
    for n in ast.walk(script):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            out.update(x.id for x in ast.walk(n.target) if isinstance(x, ast.Name))
        elif isinstance(n, ast.Def):
            out.update(p.name for p in n.params)
    return out
