"""A name read where it may not have been assigned: Python's NameError, at run time.

Coder models write the search loop Python programmers write:

    for c in contacts:
        if c["name"] == "Ines":
            domain = c["email"].split("@")[1]
    submit(domain)

Python runs it, and raises NameError if no contact matched. The checker used to
refuse it ("may not be assigned here"), which only a default value would
satisfy, and a default turns "not found" into a confident wrong answer. So the
checker now records such reads (when the name's type has no None in it), and
lowering writes Python's meaning in the core language: the frame starts with
`domain = None` (the checker then types it `str | None`), and the statement
holding the read is preceded by

    if domain is None:
        fail("'domain' is used before it is assigned ...")

after which the checker narrows it to str. An elif condition that reads it gets
its check only on the way to that condition (the if is split), as Python
evaluates it only there. A name read before any assignment at all, in the text,
stays an error.

The same check serves a name that may hold None where Python would need a value
(`site = next((...), None)` then `site in s`, `site.split()`, `site[0]`): Python
raises TypeError there, and the script fails there with "'site' is None here,
and ... needs a value". Only reads the statement evaluates in any case are
checked so: one under an `x if c else y`, an `and`/`or`, a comprehension or a
lambda may not be evaluated, and keeps the error and its fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rlmlang.diagnostics import Span
from rlmlang.syntax import ast


@dataclass
class Unassigned:
    """What the checker found: reads (by node id) of names that may be unassigned, or
    None, where a value is needed."""

    reads: dict[int, str] = field(default_factory=dict)  # id(Name) -> the name
    # frame (a def's name, or resolve.MAIN) -> name -> the line of its assignment
    frames: dict[str, dict[str, int]] = field(default_factory=dict)
    why: dict[tuple[str, str], str] = field(default_factory=dict)  # (frame, name) -> fail

    def __bool__(self) -> bool:
        return bool(self.reads)

    def note(self, frame: str, name: str, line: int, read: ast.Name) -> None:
        """A read of a name that may not be assigned (it then starts as None)."""
        self.reads[id(read)] = name
        self.frames.setdefault(frame, {}).setdefault(name, line)
        self.why.setdefault((frame, name), f"'{name}' is used before it is assigned: its "
                            f"assignment (line {line}) is in a block that did not run")

    def note_none(self, frame: str, name: str, what: str, read: ast.Name) -> None:
        """A read of a name that may be None, where `what` needs a value."""
        self.reads[id(read)] = name
        self.why.setdefault((frame, name), f"'{name}' is None here, and {what} needs a value")


def starts(found: Unassigned, frame: str, span: Span) -> list[ast.Stmt]:
    """`name = None` for each name of the frame that may be read unassigned."""
    return [ast.Assign(ast.Name(n, span), ast.Const(None, span), span)
            for n in sorted(found.frames.get(frame, {}))]


def checks(found: Unassigned, frame: str, exprs: list[ast.Expr | None],
           span: Span, checked: set[str]) -> list[ast.Stmt]:
    """The `if name is None: fail(...)` for each name these expressions read unassigned,
    but those `checked` already (on every way here), which it adds them to."""
    names = sorted({found.reads[id(n)] for e in exprs if e is not None
                    for n in _names(e) if id(n) in found.reads} - checked)
    checked.update(names)
    return [ast.If(((ast.Compare("==", ast.Name(n, span), ast.Const(None, span), span),
                     (ast.Fail(ast.Const(found.why.get((frame, n), f"'{n}' is None here"),
                                         span), span),)),),
                   None, span)
            for n in names]


def _names(e: ast.Expr) -> Iterator[ast.Name]:
    for n in ast.walk(e):
        if isinstance(n, ast.Name):
            yield n


def own_exprs(s: ast.Stmt) -> list[ast.Expr | None]:
    """The expressions a statement evaluates itself (not those of the blocks it holds;
    of an if, only its first condition: the others are reached only past it)."""
    if isinstance(s, ast.ExprStmt):
        return [s.expr]
    if isinstance(s, (ast.Assign, ast.AugAssign)):
        return [s.target, s.value]
    if isinstance(s, (ast.Submit, ast.Return)):
        return [s.value]
    if isinstance(s, ast.Fail):
        return [s.message]
    if isinstance(s, ast.If):
        return [s.branches[0][0]]
    if isinstance(s, ast.While):
        return [s.cond, s.decreases]
    if isinstance(s, ast.For):
        return [s.iter]
    return []


def split_elif(found: Unassigned, s: ast.If) -> ast.If:
    """`if a: ... elif <reads x>: ...` as `if a: ... else: if <reads x>: ...`, so that the
    check of x runs only where Python evaluates that condition."""
    for k in range(1, len(s.branches)):
        if any(id(n) in found.reads for n in _names(s.branches[k][0])):
            rest = ast.If(s.branches[k:], s.orelse, s.span)
            return ast.If(s.branches[:k], (rest,), s.span)
    return s
