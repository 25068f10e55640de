"""Where a zero was made: which test of a count or a sum let nothing through, and the
first item it saw.

Told only that a 0 is what a test matching nothing gives, the 1.5B kept its tests and
drew them again: over the access log it summed the bytes of "/api/v1/cart" lines only
where `parts[3] != "401"` was false (it invented the status), and over a customer table
it kept the lines holding "CSV" (the question's word for the format) before looking
for "Porto" (fresh dev aggregate-03 and inject-02; both ended on an unconfirmed 0). What
answers "why 0" is the test that dropped every item and an item it dropped; a run
finds both. `zero_trace` rewrites the script so that each `if` directly in a loop's
body counts the items that reach it and those it keeps, and each comprehension that
filters counts its items before and after, each noting the first item it saw, and
submits those counts instead of its answer. The controller runs the rewrite as its
own look at the data (controller/difference.py); a script it cannot rewrite says
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script

_MAX_TESTS = 8
_SHOWN = 400  # characters of the first item shown


@dataclass(frozen=True)
class _Test:
    cond: str  # the test as the model wrote it
    line: int
    skips: bool  # its branch is `continue`: it keeps the items for which it is false
    over: str  # what the items come from: the loop's or the comprehension's iterable


@dataclass(frozen=True)
class ZeroTrace:
    """The rewritten script, and what each of its counts is about, in the order of the
    list it submits (reached, kept-by-branch, first item: three entries per test)."""

    script: str
    tests: tuple[_Test, ...]

    def judged(self, status: str | None, value: object) -> str:
        """The first test that let nothing through, said as the model is told it; "" where
        the run failed or every test kept something."""
        if status != "submitted" or not isinstance(value, list) \
                or len(value) != 3 * len(self.tests):
            return ""
        for i, test in enumerate(self.tests):
            reached, true, first = value[3 * i: 3 * i + 3]
            try:
                reached, true = int(reached), int(true)
            except (TypeError, ValueError):
                return ""
            kept = reached - true if test.skips else true
            if reached == 0 or kept != 0:
                continue
            shown = str(first) if len(str(first)) <= _SHOWN else str(first)[:_SHOWN] + "…"
            how = "skipped every one" if test.skips else "was true for none"
            return (f"Where the 0 comes from: of the {reached} items of `{test.over}` that "
                    f"reached the test `{test.cond}` (line {test.line}), it {how}, so "
                    f"nothing was counted. The first of them: {shown}\nPrint what the "
                    "test compares for a few of those items, and test the value as the "
                    "data writes it (or drop a condition the question does not ask for).")
        return ""


def zero_trace(script: str) -> ZeroTrace | None:
    """The rewrite of `script` that counts what each of its tests keeps, or None where it
    has no test in a loop or comprehension outside a `def`."""
    parsed = parse(script).script
    if parsed is None:
        return None
    body = parsed.body
    taken = set(ast.assigned_names(body)) | {n.id for n in ast.walk(body)
                                             if isinstance(n, ast.Name)}
    tests: list[_Test] = []
    names: list[str] = []

    def fresh(k: int) -> str:
        name = f"trace_{k}"
        while any(t.startswith(name) for t in taken):
            name += "_"
        return name

    def block(stmts: tuple[ast.Stmt, ...], loop: ast.For | None) -> tuple[ast.Stmt, ...]:
        out: list[ast.Stmt] = []
        for at, s in enumerate(stmts):
            if isinstance(s, ast.Def):
                out.append(s)
            elif isinstance(s, ast.If) and loop is not None and len(tests) < _MAX_TESTS:
                n = fresh(len(tests))
                cond, first_body = s.branches[0]
                tests.append(_Test(print_expr(cond), s.span.line, _skips(first_body),
                                   print_expr(loop.iter)))
                names.append(n)
                item = loop.var if not loop.unpack else f"({loop.var})"
                # with the values the test reads that the loop computed just before it
                # (`parts = line.split(" ", 4)`: the test's parts[3] is not the status)
                made = [m for m in ast.assigned_names(stmts[:at])
                        if m in _reads(cond) and m not in loop.unpack + (loop.var,)][:2]
                shown = "".join(f' + "\\n  {m} = " + str({m})' for m in made)
                out.extend(_stmts(f"{n}_reached += 1\nif {n}_reached == 1:\n"
                                  f"    {n}_first = str({item}){shown}"))
                branches = ((cond, (*_stmts(f"{n}_true += 1"), *block(first_body, loop))),
                            *((c, block(b, loop)) for c, b in s.branches[1:]))
                out.append(replace(s, branches=branches,
                                   orelse=block(s.orelse, loop) if s.orelse else s.orelse))
            elif isinstance(s, ast.If):
                out.append(replace(s, branches=tuple((c, block(b, loop))
                                                     for c, b in s.branches),
                                   orelse=block(s.orelse, loop) if s.orelse else s.orelse))
            elif isinstance(s, ast.For):
                out.append(replace(s, body=block(s.body, s),
                                   orelse=block(s.orelse, loop) if s.orelse else s.orelse))
            elif isinstance(s, ast.While):
                out.append(replace(s, body=block(s.body, None),
                                   orelse=block(s.orelse, loop) if s.orelse else s.orelse))
            else:
                comp = s.value if isinstance(s, ast.Assign) else None
                if isinstance(comp, ast.ListComp) and isinstance(s.target, ast.Name) \
                        and len(comp.gens) == 1 and comp.gens[0].ifs \
                        and len(tests) < _MAX_TESTS:
                    gen = comp.gens[0]
                    n = fresh(len(tests))
                    over = print_expr(gen.iter)
                    tests.append(_Test(" and ".join(print_expr(c) for c in gen.ifs),
                                       s.span.line, False, over))
                    names.append(n)
                    # what it filters, before the assignment (that may rebind its name)
                    out.extend(_stmts(f"{n}_reached = len(list({over}))\n"
                                      f"if {n}_reached > 0:\n"
                                      f"    {n}_first = str(list({over})[0])"))
                    out.append(s)
                    out.extend(_stmts(f"{n}_true = len({s.target.id})"))
                else:
                    out.append(s)
        return tuple(out)

    traced = block(body, None)
    if not tests:
        return None
    counts = ", ".join(f"str({n}_reached), str({n}_true), {n}_first" for n in names)
    traced = _submitting(traced, _stmts(f"submit([{counts}])")[0])
    starts = _stmts("\n".join(f'{n}_reached = 0\n{n}_true = 0\n{n}_first = ""'
                              for n in names))
    first = next((i for i, s in enumerate(traced) if not isinstance(s, ast.Def)), 0)
    return ZeroTrace(print_script(ast.Script((*traced[:first], *starts, *traced[first:]),
                                             parsed.span)), tuple(tests))


def _reads(e: ast.Expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def _stmts(text: str) -> tuple[ast.Stmt, ...]:
    """Statements written as text (the counting the rewrite adds)."""
    script = parse(text + "\n").script
    assert script is not None, text
    return script.body


def _skips(body: tuple[ast.Stmt, ...]) -> bool:
    return len(body) == 1 and isinstance(body[0], ast.Continue)


def _submitting(stmts: tuple[ast.Stmt, ...], counts: ast.Stmt) -> tuple[ast.Stmt, ...]:
    """The block with each submit (outside a def) submitting the counts instead."""
    out: list[ast.Stmt] = []
    for s in stmts:
        if isinstance(s, ast.Submit):
            out.append(counts)
        elif isinstance(s, ast.If):
            out.append(replace(s, branches=tuple((c, _submitting(b, counts))
                                                 for c, b in s.branches),
                               orelse=_submitting(s.orelse, counts) if s.orelse else s.orelse))
        elif isinstance(s, (ast.For, ast.While)):
            out.append(replace(s, body=_submitting(s.body, counts),
                               orelse=_submitting(s.orelse, counts) if s.orelse else s.orelse))
        else:
            out.append(s)
    return tuple(out)
