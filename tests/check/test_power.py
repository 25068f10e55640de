"""`x ** y` as in Python, lowered to pow(x, y): its precedence, grouping and types, and a
clear error where Python's result is not one of the language's numbers."""

from __future__ import annotations

import pytest
from script_run import run_script

from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.types import FLOAT, INT

CASES = ["2 ** 10", "-2 ** 2", "(-2) ** 3", "2 ** 3 ** 2", "2 ** -1", "2.5 ** 2",
         "10 ** 0", "3 * 2 ** 2 + 1", "(1 + 0.05) ** 12", "4 ** 0.5", "-(2 ** 2) ** 2"]


@pytest.mark.parametrize("tier", ["fast", "interp"])
@pytest.mark.parametrize("expr", CASES)
def test_power_computes_what_python_does(expr: str, tier: str) -> None:
    want = eval(expr)  # noqa: S307 - our own literal cases
    out = run_script(f"submit({expr})\n", FLOAT if isinstance(want, float) else INT,
                     tier=tier)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == want and type(out.answer) is type(want)


@pytest.mark.parametrize("expr", CASES)
def test_the_printer_writes_it_back_as_it_parses(expr: str) -> None:
    script = parse(f"x = {expr}\n").script
    assert script is not None
    printed = print_script(script)
    again = parse(printed).script
    assert again is not None and print_script(again) == printed
    assert eval(printed.split(" = ", 1)[1]) == eval(expr)  # noqa: S307


@pytest.mark.parametrize("script, message", [
    ("submit(2 ** 64)\n", "pow: 2 ** 64 does not fit in a 64-bit int"),
    ("n = 3\nsubmit(2 ** n * 2 ** 62)\n", "does not fit"),
    ("n = -3\nsubmit(2 ** n)\n", "pow: 2 ** -3 is a fraction, and ints are whole"),
    ("x = -8.0\nsubmit(x ** 0.5)\n", "is not a real number"),
    ("x = 10.0\nsubmit(x ** 400)\n", "is too large for a float"),
])
def test_a_result_outside_the_numbers_is_a_clear_runtime_error(script: str, message: str):
    out = run_script(script, FLOAT)
    assert out.stage == "run" and message in out.diagnostics[0].message


def test_keyword_unpacking_keeps_its_own_message() -> None:
    out = run_script('d = {"a": 1}\nsubmit(max(**d))\n', INT)
    assert out.stage == "parse"
    assert "unpacking a dict into keyword arguments (**d) is not in the language" in \
        out.diagnostics[0].message
