"""A number read from the key's side of a split: `line.split(" is ")[0]` for "… X is V".

"Add together the codes of locker ORD-15800 and locker ORD-67111." The 1.5B cut each
line "The code for locker ORD-15800 is 361." at " is " and converted the piece before
it, `int(line.split(…)[1].split(" is ")[0])`: the run stopped at `to_int: 'ORD-15800'
is not a number`, the question's own key (fresh dev multi-needle-03 of seed 20261213;
multi-needle-02 of seed 20261212 kept `.split(" is ")[0]` three rounds, told the key was
no value). Where the piece a conversion stopped at is a key the question names, and
the conversion reads the first piece of a split, the fix-it reads the last piece, with
the number taken out of it (`extract_int`, `extract_number`: the sentence's full stop
stays on "361.").
"""

from __future__ import annotations

import re

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.task.order import standalone_word

# a run's conversion that stopped at a text (group 1: int or float; group 2: the text),
# read here and by the controller's feedback (key_not_value_message)
NOT_A_NUMBER = re.compile(r"^to_(int|float): '(.{3,40})' is not a number")
_EXTRACT = {"int": "extract_int", "float": "extract_number"}


def _asked_key(diagnostics: list[Diagnostic], question: str) -> str | None:
    """The conversion ('int' or 'float') a run stopped at on a key the question names."""
    for d in diagnostics:
        m = NOT_A_NUMBER.match(d.message)
        if m and standalone_word(m.group(2)).search(question):
            return m.group(1)
    return None


def _first_piece(e: ast.Expr) -> bool:
    """Whether `e` is `<text>.split("<sep>")[0]`."""
    return isinstance(e, ast.Index) and isinstance(e.index, ast.Const) \
        and type(e.index.value) is int and e.index.value == 0 \
        and (isinstance(e.value, ast.Call) and e.value.func.endswith(".split")
             or isinstance(e.value, ast.MethodCall) and e.value.method == "split") \
        and len(e.value.args) == 1 and isinstance(e.value.args[0], ast.Const) \
        and isinstance(e.value.args[0].value, str) and e.value.args[0].value.strip() != ""


def value_side(script: str, diagnostics: list[Diagnostic], question: str) -> str | None:
    """The script converting the last piece of each split it converted the first piece
    of, where its run stopped at converting a key the question names (module doc)."""
    convert = _asked_key(diagnostics, question)
    if convert is None:
        return None
    parsed = parse(script).script
    if parsed is None:
        return None
    calls = [n for n in ast.walk(parsed) if isinstance(n, ast.Call) and n.func == convert
             and len(n.args) == 1 and not n.kwargs and _first_piece(n.args[0])]
    for call in calls:
        piece = call.args[0]
        last = ast.Index(piece.value, ast.Neg(ast.Const(1, piece.span), piece.span),
                         piece.span)
        parsed = ast.replace_node(parsed, call, ast.Call(_EXTRACT[convert], (last,),
                                                         span=call.span))
    return print_script(parsed) if calls else None
