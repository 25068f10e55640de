"""Maybe-None values: the type `T | None`, and the tests that narrow it to T.

Coder models write Python's "maybe nothing" idioms constantly: `best = None`
then `best = row` in a loop, `next((e for e in xs if ...), None)`, a def that
returns a value on one path and None on another. Such a value has the type
`T | None` (types.OptionalT), and a use that needs a T (an index, a method,
arithmetic, an argument of type T) is an error until a test says it cannot be
None. The checker follows Python's flow, as a type checker for Python does:

- `x is None` / `x is not None` (also `==`, `!=`, `not`, `and`, `or`) give
  facts: what x is when the test is true, and when it is false (`facts`);
- the right side of `a and b` sees a's true facts, of `a or b` a's false
  facts; a branch of `if` sees its test's true facts and the earlier tests'
  false facts; after the `if`, what holds at the end of every branch that
  can fall through (so `if x is None: fail(...)` narrows the rest);
- assigning a T narrows the name, assigning None or a maybe-None value
  forgets it, and a loop forgets, at its start and after it, every name its
  body assigns (a later pass may have changed it);
- a field of a named record or dict, `r["Month"]` (a JSON field that is
  null in some records), narrows as a name does, under the key 'r["Month"]'
  (`path_key`): `r["Month"] is not None and float(r["Month"]) == 7`. Binding
  `r` again, or storing into any of its items, forgets it. Nothing else can
  change r's items in between: a dict changed in place has one name and is
  never a def's parameter (alias.py).

A name's narrowing is a fact about one frame at one point, and never changes
the value: nothing of it is compiled, so the VM needs no check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from rlmlang.syntax import ast
from rlmlang.types import NONE, OptionalT, Type

Facts = dict[str, Type]  # name -> the type it has where the facts hold


def join_none(a: Type, b: Type, unify: object) -> Type | None:
    """The type of a value that is an `a` or a `b` where one of them may be None
    (`x if c else None`, a def returning a value or None); None if they do not meet."""
    a_none, b_none = a == NONE or isinstance(a, OptionalT), b == NONE or isinstance(b, OptionalT)
    if not (a_none or b_none) or a == b:
        return None
    a_inner = a.inner if isinstance(a, OptionalT) else a
    b_inner = b.inner if isinstance(b, OptionalT) else b
    if a_inner == NONE:
        return OptionalT(b_inner) if b_inner != NONE else NONE
    if b_inner == NONE:
        return OptionalT(a_inner)
    u = unify(a_inner, b_inner)  # type: ignore[operator]
    return None if u is None else OptionalT(u)


def path_key(e: ast.Expr) -> str | None:
    """The key under which `r["field"]` (a name's item by a literal key) is narrowed."""
    if isinstance(e, ast.Index) and isinstance(e.value, ast.Name) and \
            isinstance(e.index, ast.Const) and isinstance(e.index.value, str):
        return f"{e.value.id}[{json.dumps(e.index.value)}]"
    return None


def forget(narrowed: Facts, names: Iterable[str], items_only: bool = False) -> Facts:
    """`narrowed` less what it says of the given names' items, and of the names themselves
    unless `items_only`."""
    gone = set(names)
    return {k: v for k, v in narrowed.items()
            if k.split("[", 1)[0] not in gone or (items_only and "[" not in k)}


def facts(e: ast.Expr, declared: Mapping[str, Type]) -> tuple[Facts, Facts]:
    """(what holds when `e` is true, what holds when it is false) about maybe-None names
    and items (`declared`: their types where nothing is narrowed, by name or path_key)."""
    if isinstance(e, ast.Compare) and e.op in ("==", "!="):
        name = _none_test(e)
        if name is None:
            return {}, {}
        t = declared.get(name)
        if not isinstance(t, OptionalT):
            return {}, {}
        some: Facts = {name: t.inner}
        return ({}, some) if e.op == "==" else (some, {})
    if isinstance(e, ast.Not):
        t, f = facts(e.operand, declared)
        return f, t
    if isinstance(e, ast.BoolOp):
        lt, lf = facts(e.left, declared)
        rt, rf = facts(e.right, declared)
        if e.op == "and":  # true: both; false: the left false, or the left true and right false
            return {**lt, **rt}, meet(lf, {**lt, **rf})
        return meet(lt, {**lf, **rt}), {**lf, **rf}
    return {}, {}


def meet(a: Facts, b: Facts) -> Facts:
    """What holds on both of two paths."""
    return {k: v for k, v in a.items() if b.get(k) == v}


def meet_all(paths: list[Facts]) -> Facts:
    if not paths:
        return {}
    out = paths[0]
    for p in paths[1:]:
        out = meet(out, p)
    return out


def _none_test(e: ast.Compare) -> str | None:
    """The name (or path_key) of `name == None` / `None != r["f"]`, else None."""
    for a, b in ((e.left, e.right), (e.right, e.left)):
        if isinstance(b, ast.Const) and b.value is None:
            if isinstance(a, ast.Name):
                return a.id
            if path_key(a) is not None:
                return path_key(a)
    return None
