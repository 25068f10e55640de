"""What a count counts: a script whose answer is a count or a sum, rewritten to submit the
items it takes in, so that two disagreeing counts can be told apart by their items.

Shown only that 414 and 401 disagree, the 1.5B drew the two scripts again and again
(`"404" in line` against `find_lines(access_log, "404")`) and never printed what
differed: thirteen lines whose byte count held the digits 404 (dev count-05). The
difference of the two scripts' items is the evidence the disagreement asks for, and
the controller can compute it: `counted_items` rewrites a script so that it submits
the list it counts (the forms the coder models write: `len(E)`, `sum(E)`, a name
bound to either, a comprehension, a loop that adds to a counter), and
`items_difference` says which items one script takes in and the other leaves out.
The rewritten scripts go through the whole pipeline (checked, verified, metered) like
any other; a form it cannot rewrite, or a rewrite the checker refuses, says nothing.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script

_WRAPPERS = ("int", "float", "round", "abs")  # a count or sum converted or rounded
_AGGREGATES = ("len", "sum")


def counted_items(script: str) -> str | None:
    """The script with the count (or sum) it submits last replaced by the list of the items
    it counts, or None where its form is not one of those known."""
    parsed = parse(script)
    if parsed.script is None:
        return None
    body = list(parsed.script.body)
    at = next((i for i in range(len(body) - 1, -1, -1) if isinstance(body[i], ast.Submit)),
              None)
    if at is None:
        return None
    submit = body[at]
    assert isinstance(submit, ast.Submit)
    before = body[:at]
    items = _items(submit.value, before)
    if items is None:
        counter = _counter(submit.value)
        if counter is None:
            return None
        before = _as_list(counter, before)
        if before is None:
            return None
        items = ast.Name(counter)
    return print_script(ast.Script((*before, ast.Submit(items)), parsed.script.span))


def _items(e: ast.Expr, before: list[ast.Stmt]) -> ast.Expr | None:
    """The list behind a count or sum `e`, as an expression valid where `e` is."""
    if isinstance(e, ast.Call) and e.func in _WRAPPERS and e.args:
        return _items(e.args[0], before)
    if isinstance(e, ast.Call) and e.func in _AGGREGATES and len(e.args) == 1 and not e.kwargs:
        return _listed(e.args[0], before)
    if isinstance(e, ast.Name):
        bound = _bound(e.id, before)
        return _items(bound[0], before[:bound[1]]) if bound is not None else None
    return None


def _listed(e: ast.Expr, before: list[ast.Stmt]) -> ast.Expr | None:
    """The items of a list `e` is (a comprehension yields its loop's items, not what it
    computes from them)."""
    if isinstance(e, ast.ListComp):
        if len(e.gens) != 1 or len(e.gens[0].targets) != 1:
            return None
        return replace(e, elt=ast.Name(e.gens[0].targets[0]), generator=False)
    if isinstance(e, ast.Name):
        bound = _bound(e.id, before)
        if bound is None:
            return None
        if isinstance(bound[0], ast.ListComp):
            gen = bound[0].gens[0] if len(bound[0].gens) == 1 else None
            if gen is not None and bound[0].elt == ast.Name(gen.targets[0]) \
                    and len(gen.targets) == 1 and not _rebound(before[bound[1] + 1:], e.id):
                return e  # the list itself, unchanged since
            return _listed(bound[0], before[:bound[1]])
        return e if isinstance(bound[0], (ast.Call, ast.MethodCall)) else None
    if isinstance(e, (ast.Call, ast.MethodCall)):
        return e
    return None


def _rebound(after: list[ast.Stmt], name: str) -> bool:
    return name in ast.assigned_names(tuple(after), in_place=True)


def _bound(name: str, before: list[ast.Stmt]) -> tuple[ast.Expr, int] | None:
    """The value a top-level statement last bound `name` to, and that statement's place;
    None where a loop or branch binds it, or nothing does."""
    for i in range(len(before) - 1, -1, -1):
        s = before[i]
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) and s.target.id == name:
            return s.value, i
        if name in ast.assigned_names((s,)):
            return None
    return None


def _counter(e: ast.Expr) -> str | None:
    if isinstance(e, ast.Call) and e.func in _WRAPPERS and e.args:
        return _counter(e.args[0])
    return e.id if isinstance(e, ast.Name) else None


def _as_list(name: str, before: list[ast.Stmt]) -> list[ast.Stmt] | None:
    """The statements with counter `name` (set to 0 at the top level, then added to in a
    loop) made a list of the loop items it was added for; None for any other use."""
    start = next((i for i in range(len(before) - 1, -1, -1)
                  if isinstance(s := before[i], ast.Assign) and isinstance(s.target, ast.Name)
                  and s.target.id == name), None)
    if start is None or not _zero(before[start]):
        return None
    out = list(before[:start]) + [ast.Assign(ast.Name(name), ast.ListLit(()))]
    added = False
    for s in before[start + 1:]:
        if isinstance(s, ast.For):
            try:
                new = _appending(s, name, None)
            except _NotCounted:
                return None
            added = added or new is not s
            out.append(new)
        elif name in ast.assigned_names((s,)):
            return None
        else:
            out.append(s)
    return out if added else None


def _zero(s: ast.Stmt) -> bool:
    return isinstance(s, ast.Assign) and isinstance(s.value, ast.Const) \
        and s.value.value in (0, 0.0) and not isinstance(s.value.value, bool)


def _appending(s: ast.Stmt, name: str, item: str | None) -> ast.Stmt:
    """`s` with each `name += ...` in it made `name.append(item)` (`item`, the innermost
    loop's variable); unchanged where there is none."""
    if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) and s.target.id == name:
        if item is None:
            raise _NotCounted
        return ast.ExprStmt(ast.Call(f"{name}.append", (ast.Name(item),)))
    if isinstance(s, ast.For):
        body = _block(s.body, name, s.var if not s.unpack else None)
        return replace(s, body=body) if body is not s.body else s
    if isinstance(s, ast.While):
        body = _block(s.body, name, item)
        return replace(s, body=body) if body is not s.body else s
    if isinstance(s, ast.If):
        branches = tuple((c, _block(b, name, item)) for c, b in s.branches)
        orelse = _block(s.orelse, name, item) if s.orelse is not None else None
        if any(b is not o for (_, b), (_, o) in zip(branches, s.branches, strict=True)) \
                or orelse is not s.orelse:
            return replace(s, branches=branches, orelse=orelse)
    return s


def _block(block: tuple[ast.Stmt, ...], name: str, item: str | None) -> tuple[ast.Stmt, ...]:
    new = tuple(_appending(s, name, item) for s in block)
    return new if any(a is not b for a, b in zip(new, block, strict=True)) else block


class _NotCounted(Exception):
    """A counter added to where no single loop variable names the item."""


def items_difference(a: Any, b: Any, items_a: Any, items_b: Any, limit: int = 3,
                     limit_chars: int = 160) -> str:
    """What the script that answered `a` takes in and the one that answered `b` leaves
    out, and the other way round; where they are not of one kind (lines against
    records) or have nothing in common, only how many each takes in (the 1.5B's sum of
    the year, cells[7], took in as many lines as the other script's records, dev sum-04:
    the difference is in the column read); "" where they are not two lists."""
    if not isinstance(items_a, list) or not isinstance(items_b, list) \
            or not items_a and not items_b:
        return ""
    kinds = {type(x).__name__ for x in items_a + items_b}
    keys_a = {_key(x) for x in items_a}
    keys_b = {_key(x) for x in items_b}
    if len(kinds) != 1 or not keys_a & keys_b and keys_a and keys_b:
        # lines against records (or nothing in common): only how many each takes in
        if len(items_a) == len(items_b):
            return (f"The scripts that answered {a!r} and {b!r} take in as many items each "
                    f"({len(items_a)}): they differ in what they compute from them.")
        # one item of each: words against lines is what tells a count of words apart
        eg = [f", e.g. {_shown(xs[0], limit_chars)!r}" if xs else "" for xs in (items_a, items_b)]
        return (f"The script that answered {a!r} takes in {_many(len(items_a), 'item')}{eg[0]}; "
                f"the one that answered {b!r}, {len(items_b)}{eg[1]}.")
    word = "line" if kinds == {"str"} else "record" if kinds == {"dict"} else "value"
    only_a = [x for x in items_a if _key(x) not in keys_b]
    only_b = [x for x in items_b if _key(x) not in keys_a]
    if not only_a and not only_b:
        return (f"The scripts that answered {a!r} and {b!r} take in the same "
                f"{len(keys_a)} {word}s: they differ in what they compute from them.")
    parts = []
    for this, other, only in ((a, b, only_a), (b, a, only_b)):
        n = len(only)
        head = (f"The script that answered {this!r} takes in {_many(n, word)}"
                f" that the one that answered {other!r} leaves out")
        if not only:
            parts.append(head + ".")
            continue
        shown = [_shown(x, limit_chars) for x in only[:limit]]
        parts.append(head + ", e.g.:\n" + "\n".join(f"  | {s}" for s in shown))
    parts.append(f"Which of these {word}s does the question ask about? Write the script "
                 f"that keeps exactly those.")
    return "\n".join(parts)


def _many(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _key(x: Any) -> str:
    return x if isinstance(x, str) else json.dumps(x, sort_keys=True, default=str)


def _shown(x: Any, limit_chars: int) -> str:
    text = x if isinstance(x, str) else json.dumps(x, default=str)
    text = text.replace("\n", " ")
    return text if len(text) <= limit_chars else text[:limit_chars] + "…"
