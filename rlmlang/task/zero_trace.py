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
filters counts its items before and after, each noting the first item it saw and
the first that holds the words the script looks for, and submits those counts instead
of its answer. The first item alone was no help where the words were there but written
otherwise: `line.split(" ")` keeps "Peter," and the first verse held neither name (fresh
dev several-words-06 agreed on 0 three rounds running); the first line that holds
'Andrew' and 'Peter' shows how the data writes them. The controller runs the rewrite as its
own look at the data (controller/difference.py); a script it cannot rewrite says
nothing.
"""

from __future__ import annotations

from ast import literal_eval
from dataclasses import dataclass, replace

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script

_MAX_TESTS = 8
_SHOWN = 400  # characters of the first item shown
_LOOKED_FOR = 4  # at most this many of the script's words are looked for in the items


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
    looked_for: tuple[str, ...] = ()  # the words the match entries hold

    def judged(self, status: str | None, value: object) -> str:
        """The first test that let nothing through, said as the model is told it; "" where
        the run failed or every test kept something."""
        if status != "submitted" or not isinstance(value, list) \
                or len(value) != 4 * len(self.tests):
            return ""
        for i, test in enumerate(self.tests):
            reached, true, first, match = value[4 * i: 4 * i + 4]
            try:
                reached, true = int(reached), int(true)
            except (TypeError, ValueError):
                return ""
            kept = reached - true if test.skips else true
            if reached == 0 or kept != 0:
                continue
            how = "skipped every one" if test.skips else "was true for none"
            which = "The first of them"
            if match and match != first:
                which += " that holds " + _listed(self.looked_for)
                first = match
            return (f"Where the 0 comes from: of the {reached} items of `{test.over}` that "
                    f"reached the test `{test.cond}` (line {test.line}), it {how}, so "
                    f"nothing was counted. {which}: {_shown(str(first))}\n"
                    f"{_written_otherwise(self.looked_for, str(match))}Print what the "
                    "test compares for a few of those items, and test the value as the "
                    "data writes it (or drop a condition the question does not ask for).")
        return ""


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _strings_in(match: str) -> list[str]:
    """The strings of the lists, tuples and dicts the match shows: the item where it is a
    printed record, and the values its loop computed (`  line_words = [...]`)."""
    out: list[str] = []
    shown = match.split("\n")
    for text in [shown[0]] + [line.partition(" = ")[2] for line in shown[1:]]:
        try:
            value = literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (list, tuple)):
            out.extend(v for v in value if isinstance(v, str))
    return out


def _listed(words: tuple[str, ...]) -> str:
    quoted = [repr(w) for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _written_otherwise(words: tuple[str, ...], match: str) -> str:
    """Where a value the item computed holds a looked-for word with more around it
    ('Peter,' for 'Peter'), a line saying so; "" otherwise."""
    items = _strings_in(match)
    said = []
    for word in words:
        if word in items:
            continue
        around = next((x for x in items if word in x and len(x) <= len(word) + 3), None)
        if around:
            said.append(f"{word!r} is written {around!r}")
        if len(said) == 2:
            break
    if not said:
        return ""
    return ("There " + " and ".join(said) + ": a test for the word itself does not "
            "match it; test whether the item's text holds the word.\n")


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
    looked_for = _looked_for(body)

    def holds(item: str) -> str:
        return " and ".join(f"{w!r} in {item}" for w in looked_for)

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
                if looked_for:
                    out.extend(_stmts(f'if {n}_match == "" and {holds(f"str({item})")}:\n'
                                      f"    {n}_match = str({item}){shown}"))
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
                    if looked_for:
                        out.extend(_stmts(f"for {n}_item in list({over}):\n"
                                          f"    if {holds(f'str({n}_item)')}:\n"
                                          f"        {n}_match = str({n}_item)\n"
                                          "        break"))
                    out.append(s)
                    out.extend(_stmts(f"{n}_true = len({s.target.id})"))
                else:
                    out.append(s)
        return tuple(out)

    traced = block(body, None)
    if not tests:
        return None
    counts = ", ".join(f"str({n}_reached), str({n}_true), {n}_first, {n}_match"
                       for n in names)
    traced = _submitting(traced, _stmts(f"submit([{counts}])")[0])
    starts = _stmts("\n".join(f'{n}_reached = 0\n{n}_true = 0\n{n}_first = ""\n'
                              f'{n}_match = ""' for n in names))
    first = next((i for i, s in enumerate(traced) if not isinstance(s, ast.Def)), 0)
    return ZeroTrace(print_script(ast.Script((*traced[:first], *starts, *traced[first:]),
                                             parsed.span)), tuple(tests), looked_for)


def _looked_for(body: tuple[ast.Stmt, ...]) -> tuple[str, ...]:
    """The words the script compares items with: string literals with a letter that are
    an operand of a comparison, an item of a list or tuple literal, or a name's whole
    value (`words = ["Andrew", "Peter"]`); not keys (`r["city"]`) nor separators."""
    found: list[str] = []

    def take(e: object) -> None:
        if isinstance(e, ast.Const) and isinstance(e.value, str) and len(e.value) >= 2 \
                and any(c.isalpha() for c in e.value) and e.value not in found \
                and not set(e.value) & set("'\"\\\n"):
            found.append(e.value)

    for node in ast.walk(body):
        if isinstance(node, ast.Compare):
            take(node.left)
            take(node.right)
        elif isinstance(node, (ast.ListLit, ast.TupleLit)):
            for item in node.items:
                take(item)
        elif isinstance(node, ast.Assign) and isinstance(node.target, ast.Name):
            take(node.value)
    return tuple(found[:_LOOKED_FOR])


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
