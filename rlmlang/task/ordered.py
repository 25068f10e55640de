"""A list asked for in an order, submitted in the input's order.

"List the order ids of the 4 largest orders, largest first." asks for a ranking. A
script that sorts the totals, keeps the top four, and then goes through the records
keeping those whose total is among them (`[r["order_id"] for r in records(orders) if
float(r["total"]) in top]`) has the right items in the order the input writes them:
the list it submits was made by a filter, and its order is the data's (fresh dev
top-k-05 ended so, uncertain between two such orders). Where the order of the list a
script submits comes, through names, slices and comprehensions, from an input's
records or lines, and nothing sorts it, the answer is no vote, and the model is told
to sort what it submits. A list whose order cannot be traced (a loop that picks a
maximum each time, a def's result) is not judged.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script

# "largest first", "highest first", "in descending order", "ranked by", "most ... first"
_RANK_WORDS = (r"\b(?:highest|largest|biggest|greatest|most|lowest|smallest|fewest|least|"
               r"top|best|worst|newest|oldest|earliest|latest|longest|shortest)\b")
_ORDER_ASKED = re.compile(
    _RANK_WORDS + r"[^.?!;]{0,30}?\bfirst\b|"
    r"\b(?:descending|ascending|decreasing|increasing)\s+order\b|\branked\b|"
    r"\bin\s+order\s+of\b", re.IGNORECASE)
_SORTS = frozenset({"sorted", "sort_by", "order_by", "top_k", "top_counts", "most_common",
                    "reversed", "nlargest", "nsmallest"})
# what gives an input's records or lines in the input's order
_DATA = frozenset({"records", "lines", "where", "rows_where", "find_lines", "lines_with",
                   "lines_with_all", "json_decode", "json.loads", "splitlines", "split",
                   "column", "numbers"})


def asks_order(question: str) -> str | None:
    """The words by which the question asks for an order, or None."""
    m = _ORDER_ASKED.search(question)
    if m is None:
        return None
    said = m.group(0)  # from the last rank word before "first": "largest first"
    last = list(re.finditer(_RANK_WORDS, said, re.IGNORECASE))
    return said[last[-1].start():] if last else said


def unsorted_list(script: str, answer: Any, question: str, inputs: set[str]) -> str | None:
    """What the model is told of a list answer, asked in an order, whose order is the
    input's (module doc); None otherwise."""
    asked = asks_order(question)
    if asked is None or not isinstance(answer, list) or len(answer) < 2:
        return None
    parsed, submitted = _one_submit(script)
    if parsed is None or submitted is None:
        return None
    sorted_names = {_head(n) for n in ast.walk(parsed) if _is_sort_call(n)}
    if _order_of(submitted, parsed, inputs, sorted_names, 0) != "data":
        return None
    return (f"The question asks for them in an order ({asked!r}), but the list that script "
            "submits keeps the order of the input: nothing sorts it (a filter keeps the "
            "items in the order it meets them). Sort what it submits by the value the "
            "question ranks, e.g. sorted(rows, key=lambda r: float(r[\"...\"]), "
            "reverse=True), then take its first items.")


_DOWN = re.compile(r"\b(?:highest|largest|biggest|greatest|most|top|best|newest|latest|"
                   r"longest|descending|decreasing)\b", re.IGNORECASE)
_UP = re.compile(r"\b(?:lowest|smallest|fewest|least|worst|oldest|earliest|shortest|"
                 r"ascending|increasing)\b", re.IGNORECASE)


def sorted_by_filter(script: str, question: str, inputs: set[str]) -> str | None:
    """The script of `unsorted_list` with its filter's items sorted, as a fix-it: where
    it keeps the records whose number is among a list of numbers (`[r["order_id"] for r
    in records(orders) if float(r["total"]) in top]`, fresh dev top-k-05 twice, told to
    sort and drawing the filter again), the records it goes through are sorted by that
    number, in the direction the question asks. None where the filter is another, or
    the question's order has no direction."""
    asked = asks_order(question)
    if asked is None or bool(_DOWN.search(asked)) == bool(_UP.search(asked)):
        return None
    parsed, comp = _one_submit(script)
    if parsed is None:
        return None
    if isinstance(comp, ast.Name):
        sets = ast.assignments_to(parsed, comp.id)
        comp = sets[0].value if len(sets) == 1 and isinstance(sets[0], ast.Assign) else None
    if not isinstance(comp, ast.ListComp) or len(comp.gens) != 1 \
            or len(comp.gens[0].targets) != 1 or not comp.gens[0].ifs:
        return None
    gen = comp.gens[0]
    item = gen.targets[0]
    key = next((c.left for c in gen.ifs if isinstance(c, ast.Compare) and c.op == "in"
                and isinstance(c.left, ast.Call) and c.left.func in ("float", "int")
                and len(c.left.args) == 1 and isinstance(c.left.args[0], ast.Index)
                and isinstance(c.left.args[0].value, ast.Name)
                and c.left.args[0].value.id == item), None)
    if key is None or _order_of(gen.iter, parsed, inputs, set(), 0) != "data":
        return None
    kept = ast.ListComp(ast.Name(item, gen.span), (gen,), span=comp.span)
    ordered = ast.Call("sorted", (kept,), (
        ast.Keyword("key", ast.Lambda((item,), key, key.span), key.span),
        ast.Keyword("reverse", ast.Const(bool(_DOWN.search(asked))), key.span)),
        gen.span, gen.span)
    fixed = dataclasses.replace(comp, gens=(dataclasses.replace(gen, iter=ordered, ifs=()),))
    return print_script(ast.replace_node(parsed, comp, fixed))


def _one_submit(script: str) -> tuple[ast.Script | None, ast.Expr | None]:
    """The parsed script and the value of its one submit (None where it has several)."""
    parsed = parse(script).script
    if parsed is None:
        return None, None
    submits = [n for n in ast.walk(parsed.body) if isinstance(n, ast.Submit)]
    return parsed, submits[0].value if len(submits) == 1 else None


def _is_sort_call(n: object) -> bool:
    """`xs.sort(...)`: a list sorted in place (its name is `_head`)."""
    if isinstance(n, ast.Call):
        return n.func.endswith(".sort")
    return isinstance(n, ast.MethodCall) and n.method == "sort"


def _head(n: Any) -> str:
    if isinstance(n, ast.Call):
        return n.func.rsplit(".", 1)[0]
    return n.value.id if isinstance(n.value, ast.Name) else ""


def _func(e: ast.Expr) -> str | None:
    if isinstance(e, ast.Call):
        head, dot, method = e.func.rpartition(".")
        return method if dot and head not in ("json", "llm") else e.func
    if isinstance(e, ast.MethodCall):
        return e.method
    return None


def _order_of(e: ast.Expr, script: ast.Script, inputs: set[str], sorted_names: set[str],
              depth: int) -> str | None:
    """"data" where the order of `e`'s items is the input's, "sorted" where something
    orders them, None where it cannot be told."""
    if depth > 8:
        return None
    func = _func(e)
    if func in _SORTS:
        return "sorted"
    if func in _DATA:
        return "data"
    if isinstance(e, ast.Slice):
        return _order_of(e.value, script, inputs, sorted_names, depth + 1)
    if isinstance(e, ast.ListComp) and len(e.gens) == 1:
        return _order_of(e.gens[0].iter, script, inputs, sorted_names, depth + 1)
    if isinstance(e, ast.Name):
        if e.id in sorted_names:
            return "sorted"
        if e.id in inputs:
            return "data"
        return _name_order(e.id, script, inputs, sorted_names, depth)
    return None


def _name_order(name: str, script: ast.Script, inputs: set[str], sorted_names: set[str],
                depth: int) -> str | None:
    """The order of a name's list: its one assignment's, or, for a list started empty
    and appended to in one `for`, the order of what that loop goes through."""
    sets = ast.assignments_to(script, name)
    if len(sets) != 1 or not isinstance(sets[0], ast.Assign):
        return None
    value = sets[0].value
    if not (isinstance(value, ast.ListLit) and not value.items):
        return _order_of(value, script, inputs, sorted_names, depth + 1)
    loops = [n for n in ast.walk(script) if isinstance(n, ast.For) and any(
        isinstance(c, ast.Call) and c.func == f"{name}.append" for c in ast.walk(n.body))]
    if len(loops) != 1 or any(isinstance(n, ast.For) for n in ast.walk(loops[0].body)):
        return None
    return _order_of(loops[0].iter, script, inputs, sorted_names, depth + 1)
