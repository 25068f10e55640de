"""Fix-its: a certain correction, applied as a new candidate.

A tiny model often names the wrong column (`count_rows(t, "status", "network")`
when "network" only ever appears under "team"). The tool knows the right
column from the data, and says so in its error's `data`
(`{"fixit": [[1, "team"]]}`: argument 1 becomes "team"), the way a
compiler's fix-it names the edit. The controller applies the edit to the
script's tree, prints the script again, and runs it through the whole
pipeline as one more candidate: it is parsed, checked and verified like any
other, and logged in full with the candidate it came from, so an auditor
sees exactly what ran and why. Nothing is corrected silently inside a tool.

The checker gives fix-its of its own (`{"fixit_expr": [[line, col, end_line,
end_col], "records(orders)"]}`: the expression at that span becomes that
text): a coder model writes `for order in orders: order["city"]` over a
table's text, which goes through its characters; the checker knows the text
is an input and how its rows are read, and the fix-it makes the `for` go
through them. Every such edit of a script is applied at once. One more edit is
of a def's header (`{"fixit_returns": [line, col]}`): a def declared `-> str`
that returns None where it finds nothing (Python runs it; the annotation is no
check) is declared `-> str | None`, and None submitted is no answer.

A model used to a notebook writes its next script as the next cell: it reads
names its previous script set (`west`, `words_to_find`), and each script here
starts afresh from the inputs. Where the names a script reads but never sets
were set at the top level of an earlier script of the run, the statements that
set them (and what those read in turn; never one that submits or fails) are
put in front of it, as the cell before would have run them (`carry_over`).

An answer set aside for a filter on a value the first lines shown write and the question
does not name (`r["species"] == "Adelie" and r["island"] == "Dream"`, task/unasked.py) is
mended by taking that test out of its `and` (`without_copied`).

A `for` whose variable takes the name of an earlier value of another type (`site =
rack["site"]`, then `for site in sites: if site["site"] == site:`) is refused for the
name's type; its variable is renamed where the loop uses it as the item, indexed by a
field name, and the other uses keep the earlier value (`shadowed_loop_name`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rlmlang.diagnostics import FIXIT_CALL, FIXIT_EXPR, FIXIT_RETURNS, FIXIT_STMT, Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.types import TypeSyntaxError, parse_type
from rlmlang.types import optional as opt

_LITERAL = (str, int, float, bool)


def fixit_of(diagnostic: Diagnostic) -> dict[int, Any] | None:
    """{argument index: replacement literal} if the diagnostic carries a fix-it."""
    edits = (diagnostic.data or {}).get("fixit")
    if not isinstance(edits, list) or not edits:
        return None
    out: dict[int, Any] = {}
    for edit in edits:
        if not (isinstance(edit, (list, tuple)) and len(edit) == 2):
            return None
        index, new = edit
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            return None
        if not isinstance(new, _LITERAL):
            return None
        out[index] = new
    return out


def apply_fixit(source: str, diagnostic: Diagnostic) -> str | None:
    """The script with the diagnostic's fix-it applied, or None if it does not apply.

    The call is the one the diagnostic points at (its line and column fall on
    the call's name or its start); its arguments at the given indexes are
    replaced by the literals.
    """
    edits = fixit_of(diagnostic)
    span = diagnostic.span
    if edits is None or span is None:
        return None
    parsed = parse(source)
    if parsed.script is None:
        return None
    target = _call_at(parsed.script, span.line, span.col)
    if target is None or max(edits) >= len(target.args):
        return None
    args = list(target.args)
    for index, new in edits.items():
        args[index] = ast.Const(new, getattr(args[index], "span", ast.NO_SPAN))
    if tuple(args) == target.args:
        return None
    script = ast.replace_node(parsed.script, target, dataclasses.replace(target, args=tuple(args)))
    return print_script(script)


def apply_fixits(source: str, diagnostics: list[Diagnostic]) -> str | None:
    """The script with its diagnostics' expression fix-its applied (all of them), else
    with the first tool fix-it that applies; None if none does."""
    edits: dict[tuple[int, ...], str] = {}
    stmts: dict[tuple[int, ...], str] = {}
    declared: dict[tuple[int, int], str | None] = {}  # defs to declare (as returning T | None)
    for d in diagnostics:
        for key, into in ((FIXIT_EXPR, edits), (FIXIT_STMT, stmts)):
            edit = (d.data or {}).get(key)
            if (isinstance(edit, list) and len(edit) == 2 and isinstance(edit[1], str)
                    and isinstance(edit[0], list) and len(edit[0]) == 4
                    and all(isinstance(x, int) for x in edit[0])):
                into.setdefault(tuple(edit[0]), edit[1])
        at = (d.data or {}).get(FIXIT_RETURNS)
        if isinstance(at, list) and len(at) in (2, 3) \
                and all(isinstance(x, int) for x in at[:2]):
            declared[(at[0], at[1])] = at[2] if len(at) == 3 and isinstance(at[2], str) else None
    if edits or stmts or declared:
        fixed = _apply_exprs(source, edits, declared, stmts)
        if fixed is not None:
            return fixed
    return next((f for d in diagnostics if (f := apply_fixit(source, d) or _as_call(source, d))
                 is not None), None)


def _as_call(source: str, diagnostic: Diagnostic) -> str | None:
    """A run-time fix-it: the operation the diagnostic points at (`9 ** 60`, too large for
    an int) written as a call of the builtin it names on its operands (big_pow(9, 60))."""
    name, span = (diagnostic.data or {}).get(FIXIT_CALL), diagnostic.span
    if not isinstance(name, str) or span is None:
        return None
    parsed = parse(source)
    if parsed.script is None:
        return None
    target = next((n for n in ast.walk(parsed.script) if isinstance(n, ast.BinOp)
                   and (n.span.line, n.span.col) == (span.line, span.col)), None)
    if target is None:
        return None
    call = ast.Call(name, (target.left, target.right), (), target.span, target.span)
    return print_script(ast.replace_node(parsed.script, target, call))


def _apply_exprs(source: str, edits: dict[tuple[int, ...], str],
                 declared: dict[tuple[int, int], str | None] | None = None,
                 stmts: dict[tuple[int, ...], str] | None = None) -> str | None:
    """`declared`: the defs (line, col) to declare as returning a type written out, or
    (None) their type or None."""
    parsed = parse(source)
    if parsed.script is None:
        return None
    script: Any = parsed.script
    declared = declared or {}
    for node in [n for n in ast.walk(script) if isinstance(n, ast.Def)
                 and (n.span.line, n.span.col) in declared and n.returns is not None]:
        text = declared[(node.span.line, node.span.col)]
        try:
            returns = parse_type(text) if text is not None else opt(node.returns)
        except TypeSyntaxError:
            return None
        script = ast.replace_node(script, node, dataclasses.replace(node, returns=returns))
    for where, text in edits.items():
        new = parse(f"x = {text}\n").script
        target = next((n for n in ast.walk(script) if isinstance(n, ast.Expr)
                       and _span_key(getattr(n, "span", None)) == where), None)
        if new is None or target is None or not isinstance(new.body[0], ast.Assign):
            return None
        script = ast.replace_node(script, target, new.body[0].value)
    for where, text in (stmts or {}).items():
        new = parse(text + "\n").script
        found = next((n for n in ast.walk(script) if isinstance(n, ast.Stmt)
                      and _span_key(getattr(n, "span", None)) == where), None)
        if new is None or found is None or len(new.body) != 1:
            return None
        script = ast.replace_node(script, found, new.body[0])
    fixed = print_script(script)
    return fixed if fixed != print_script(parsed.script) else None


def _span_key(span: Any) -> tuple[int, ...] | None:
    return None if span is None else (span.line, span.col, span.end_line, span.end_col)


def _call_at(root: ast.Script, line: int, col: int) -> ast.Call | None:
    return next((node for node in ast.walk(root) if isinstance(node, ast.Call)
                 and (line, col) in ((s.line, s.col) for s in (node.func_span, node.span))),
                None)


def carry_over(source: str, diagnostics: list[Diagnostic],
               earlier: list[str]) -> tuple[str, str] | None:
    """The script with the top-level statements of the latest earlier script that set the
    names it reads but never sets (and those these read in turn) put in front, and that
    earlier script; None where no earlier script sets them all."""
    missing = [d.data.get("name") for d in diagnostics if d.code == "E_NAME"
               and d.message.startswith(("undefined: ", "undefined function: "))
               and isinstance(d.data.get("name"), str)]
    parsed = parse(source)
    if not missing or parsed.script is None:
        return None
    for text in reversed(earlier):
        before = parse(text).script
        if before is None:
            continue
        kept = _setting(before.body, set(missing))
        if kept is not None:
            body = (*kept, *parsed.script.body)
            return print_script(dataclasses.replace(parsed.script, body=body)), text
    return None


def name_thrown_away(source: str, diagnostics: list[Diagnostic]) -> str | None:
    """The script with a call whose result it threw away assigned to the one name it
    then reads and never sets: `lines_with_all(context, ["wife", "Jesus"])` and then
    `submit(len(result))` (the 1.5B wrote it so in several dev runs, the right search
    and its count, rejected for `result`). The call is the last one thrown away before
    the name's first use; None where there is not exactly one such name and call."""
    missing = {d.data.get("name") for d in diagnostics if d.code == "E_NAME"
               and d.message.startswith("undefined: ") and isinstance(d.data.get("name"), str)}
    parsed = parse(source)
    if len(missing) != 1 or parsed.script is None:
        return None
    name = str(next(iter(missing)))
    if name in ast.assigned_names(parsed.script.body):
        return None
    uses = [n.span.line for n in ast.walk(parsed.script) if isinstance(n, ast.Name)
            and n.id == name and n.span.line]
    if not uses:
        return None
    first_use = min(uses)
    # a builtin's or stdlib function's call on its own line (the checker, stopped at the
    # undefined name, has not said it is thrown away); not a def of the script's own
    own = {d.name for d in ast.walk(parsed.script) if isinstance(d, ast.Def)} | {"print", "fail"}
    calls = [n for n in ast.walk(parsed.script) if isinstance(n, ast.ExprStmt)
             and isinstance(n.expr, ast.Call) and "." not in n.expr.func
             and n.expr.func not in own and n.span.line < first_use]
    if not calls:
        return None
    last = max(calls, key=lambda n: n.span.line)
    named = ast.Assign(ast.Name(name, last.span), last.expr, last.span)
    return print_script(ast.replace_node(parsed.script, last, named))


def shadowed_loop_name(source: str, diagnostics: list[Diagnostic]) -> str | None:
    """The script with a `for` variable that takes the name of an earlier value of
    another type renamed, in the loop, where it is used as the item (indexed by a field
    name): `site = rack["site"]`, then `for site in sites: if site["site"] == site:`
    (the 1.5B's three-hop join, refused three rounds running, dev three-hop-03; in Python
    the test compares the row with itself). The other uses keep the earlier value. None
    where no `for` is so refused, or its body binds the name, or uses it otherwise."""
    parsed = parse(source)
    if parsed.script is None:
        return None
    script: Any = parsed.script
    for d in diagnostics:
        name, span = (d.data or {}).get("name"), d.span
        if d.code != "E_TYPE" or not (d.data or {}).get("rebindable") or span is None \
                or not isinstance(name, str) or not str(d.data.get("got", "")).startswith(
                    ("dict[", "{")):
            continue
        loop = next((n for n in ast.walk(script) if isinstance(n, ast.For) and not n.unpack
                     and n.var == name and (n.span.line, n.span.col) == (span.line, span.col)),
                    None)
        if loop is None or name in ast.assigned_names(loop.body):
            continue
        items = [n for n in ast.walk(loop.body) if isinstance(n, ast.Index)
                 and n.value == ast.Name(name) and isinstance(n.index, ast.Const)
                 and isinstance(n.index.value, str)]
        if not items:
            continue
        taken = ast.identifiers(script)
        row = next(f"{name}_{k}" for k in ("row", "item", "rec", "entry")
                   if f"{name}_{k}" not in taken)
        body: Any = loop.body
        for node in items:
            body = ast.replace_node(body, node, dataclasses.replace(
                node, value=ast.Name(row, node.value.span)))
        script = ast.replace_node(script, loop, dataclasses.replace(loop, var=row, body=body))
    fixed = print_script(script)
    return fixed if fixed != print_script(parsed.script) else None


def _setting(body: tuple[ast.Stmt, ...], names: set[str]) -> tuple[ast.Stmt, ...] | None:
    """The top-level statements of `body` that set `names` and what they read, in order;
    None if some name is not set by one (or only by one that submits or fails)."""
    need = set(names)
    kept: list[ast.Stmt] = []
    for st in reversed(body):
        sets = set(ast.assigned_names((st,))) | ({st.name} if isinstance(st, ast.Def) else set())
        if not sets & need or _ends_run(st):
            continue
        kept.append(st)
        reads = ast.identifiers(st)
        if isinstance(st, ast.Assign):  # `x = ...` does not read x (`x += ...` does)
            reads -= sets
        need = (need - sets) | reads
    if names & need:
        return None
    return tuple(reversed(kept))


def _ends_run(st: ast.Stmt) -> bool:
    return any(isinstance(n, ast.Submit) or (isinstance(n, ast.Call) and n.func == "fail")
               for n in ast.walk(st))
