"""A percent asked for, a fraction submitted: a division without its hundred.

"What share of the shipments, in percent to 1 decimal, have DHL as carrier?" The 1.5B
counted the DHL records, divided by the count of all of them, and submitted 0.166375
(0.2 once rounded as asked); three scripts, written three ways, agreed on it (fresh dev
percentage-08, seed 20261213). A number between 0 and 1 from a script that divides and
writes no hundred anywhere is the fraction, not the percent the question asks for: no
vote, and the fix-it submits a hundred times what the script submitted.
"""

from __future__ import annotations

import re
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.task.vote import as_number

_PERCENT = re.compile(r"\bper\s?cent(?:age)?s?\b|%", re.IGNORECASE)
_HUNDRED = re.compile(r"\b100(?:\.0*)?\b|%")  # written as a number, or a '%' format


def _fraction_script(script: str, answer: Any, question: str) -> ast.Script | None:
    """The parsed script where its answer is a fraction asked as a percent, or None."""
    number = as_number(answer)
    if number is None or not 0 < number < 1 or not _PERCENT.search(question) \
            or _HUNDRED.search(script):
        return None
    parsed = parse(script).script
    if parsed is None or not any(isinstance(n, ast.BinOp) and n.op == "/"
                                 for n in ast.walk(parsed)):
        return None
    return parsed


def fraction_for_percent(script: str, answer: Any, question: str) -> str | None:
    """What the model is told of a fraction submitted for a percent (module doc), or None."""
    if _fraction_script(script, answer, question) is None:
        return None
    return (f"the question asks for a percent, and that script submits a fraction, "
            f"{answer!r} (it divides, and multiplies by 100 nowhere): a percent is 100 "
            "times the fraction")


def as_percent(script: str, answer: Any, question: str) -> str | None:
    """The script of a fraction submitted for a percent, submitting 100 times it, or None."""
    parsed = _fraction_script(script, answer, question)
    if parsed is None:
        return None
    submits = [n for n in ast.walk(parsed) if isinstance(n, ast.Submit)]
    for submit in submits:
        hundred = ast.BinOp("*", submit.value, ast.Const(100, submit.span), submit.span)
        parsed = ast.replace_node(parsed, submit, ast.Submit(hundred, submit.span))
    return print_script(parsed)
