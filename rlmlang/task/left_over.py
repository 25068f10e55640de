"""A value left over from a search loop: a script that submits a `for` loop's variable
(or what it computed from it) after the loop, where the loop's last run ended without
its `break`. In Python the variable then holds the last item the loop went through, not
one that passed the test: the search found nothing, and the answer is whatever came last.

Fresh dev lookup-01: `for dept in departments: if dept["name"] == dept_id: ... break`
then `submit(dept["floor"])` compared a department's name with an id, never broke, and
three scripts submitted the last department's floor (31) against the one script that
compared ids (13). The same script is right wherever the loop breaks, so no reading of
its text can tell the two apart; a run can. `left_over_probe` rewrites the script so
that the loop's `else:` (run when it ends without a break) sets a flag, each of its
breaks clears it, and the script fails with a marker, just before it submits, while a
flag is set. The controller runs the rewrite as its own look at the data
(controller/difference.py) and the replay does the same; a script it cannot rewrite
(no such loop, a loop inside a `def`, a loop that has an `else:` of its own) says
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script

_MARK = "left over from loop "


@dataclass(frozen=True)
class LeftOverProbe:
    """The rewritten script, and for each marker it fails with, the loop's variable and
    header as the model wrote them."""

    script: str
    loops: dict[str, tuple[str, str]]

    def judged(self, status: str | None, answer: object) -> str | None:
        """What a run of the probe says about the original's answer, said as the model is
        told it, or None where the loop's last run broke."""
        if status != "failed" or not isinstance(answer, str) or answer not in self.loops:
            return None
        var, header = self.loops[answer]
        return (f"The loop `{header}` ran to its end without a `break`: no {var} passed its "
                f"test, so {var} is only the last item it went through, not one it found. "
                "Print the values its test compares to see why none matches.")


def left_over_probe(script: str) -> LeftOverProbe | None:
    """The probe for `script`, or None where no value it submits reads a variable of a
    breaking `for` loop after the loop."""
    parsed = parse(script).script
    if parsed is None:
        return None
    body = parsed.body
    top_level_defs = [s for s in body if isinstance(s, ast.Def)]
    in_defs = {id(n) for d in top_level_defs for n in ast.walk(d)}
    submits = [n for n in ast.walk(body) if isinstance(n, ast.Submit) and id(n) not in in_defs]
    loops = [n for n in ast.walk(body) if isinstance(n, ast.For) and id(n) not in in_defs
             and n.orelse is None and any(True for _ in _own_breaks(n.body))]
    assigns = [n for n in ast.walk(body) if isinstance(n, ast.Assign)
               and isinstance(n.target, ast.Name) and id(n) not in in_defs]
    taken = set(ast.assigned_names(body)) | {n.id for n in ast.walk(body)
                                             if isinstance(n, ast.Name)}
    flagged: dict[int, str] = {}
    for loop in sorted(loops, key=lambda n: (n.span.line, n.span.col)):
        names = set(loop.unpack or (loop.var,))
        end = loop.span.end_line
        if any(names & _feeding(s, assigns, end) for s in submits if s.span.line > end):
            flag = f"left_over_{len(flagged)}"
            while flag in taken:
                flag += "_"
            flagged[id(loop)] = flag
    if not flagged:
        return None
    by_flag = {flagged[id(n)]: n for n in loops if id(n) in flagged}
    marks = {f: f"{_MARK}{i}" for i, f in enumerate(by_flag)}
    rewritten = _mend(body, flagged, by_flag, marks)
    starts = tuple(ast.Assign(ast.Name(f), ast.Const(False)) for f in by_flag)
    first = next((i for i, s in enumerate(rewritten) if not isinstance(s, ast.Def)), 0)
    text = print_script(ast.Script((*rewritten[:first], *starts, *rewritten[first:]),
                                   parsed.span))
    return LeftOverProbe(text, {marks[f]: (n.var, f"for {n.var} in {print_expr(n.iter)}:")
                                for f, n in by_flag.items()})


def _own_breaks(body: Iterable[ast.Stmt]) -> Iterable[ast.Break]:
    """The breaks of the loop whose body this is (not those of loops nested in it)."""
    for s in body:
        if isinstance(s, ast.Break):
            yield s
        elif isinstance(s, ast.If):
            for _, b in s.branches:
                yield from _own_breaks(b)
            yield from _own_breaks(s.orelse or ())


def _feeding(submit: ast.Submit, assigns: list[ast.Assign], after: int) -> set[str]:
    """The names a submitted value reads, directly or through names bound after line
    `after` (the loop's end) from them."""
    names = _reads(submit.value)
    grew = True
    while grew:
        grew = False
        for a in assigns:
            assert isinstance(a.target, ast.Name)
            if after < a.span.line < submit.span.line and a.target.id in names:
                more = _reads(a.value) - names
                if more:
                    names |= more
                    grew = True
    return names


def _reads(e: ast.Expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def _mend(body: tuple[ast.Stmt, ...], flagged: dict[int, str],
          by_flag: dict[str, ast.For], marks: dict[str, str]) -> tuple[ast.Stmt, ...]:
    """The block with each flagged loop setting its flag in an `else:` and clearing it
    before each of its breaks, and a check of the flags of the loops that end before it
    put in front of each submit (failing with the loop's marker)."""
    out: list[ast.Stmt] = []
    for s in body:
        if isinstance(s, ast.Submit):
            for flag, loop in by_flag.items():
                if loop.span.end_line < s.span.line:
                    out.append(ast.If(((ast.Name(flag), (ast.Fail(ast.Const(marks[flag])),)),), None))
            out.append(s)
        elif isinstance(s, ast.For):
            inner = _mend(s.body, flagged, by_flag, marks)
            flag = flagged.get(id(s))
            if flag is None:
                out.append(replace(s, body=inner,
                                   orelse=_mend(s.orelse, flagged, by_flag, marks)
                                   if s.orelse is not None else None))
            else:
                out.append(replace(s, body=_clearing(inner, flag),
                                   orelse=(ast.Assign(ast.Name(flag), ast.Const(True)),)))
        elif isinstance(s, ast.While):
            out.append(replace(s, body=_mend(s.body, flagged, by_flag, marks),
                               orelse=_mend(s.orelse, flagged, by_flag, marks)
                               if s.orelse is not None else None))
        elif isinstance(s, ast.If):
            out.append(replace(
                s, branches=tuple((c, _mend(b, flagged, by_flag, marks)) for c, b in s.branches),
                orelse=_mend(s.orelse, flagged, by_flag, marks) if s.orelse is not None else None))
        else:
            out.append(s)
    return tuple(out)


def _clearing(body: tuple[ast.Stmt, ...], flag: str) -> tuple[ast.Stmt, ...]:
    """The loop body with `flag = False` before each of the loop's own breaks."""
    out: list[ast.Stmt] = []
    for s in body:
        if isinstance(s, ast.Break):
            out.append(ast.Assign(ast.Name(flag), ast.Const(False)))
            out.append(s)
        elif isinstance(s, ast.If):
            out.append(replace(
                s, branches=tuple((c, _clearing(b, flag)) for c, b in s.branches),
                orelse=_clearing(s.orelse, flag) if s.orelse is not None else None))
        else:
            out.append(s)
    return tuple(out)
