"""Python that coder models write and the language now reads as Python does.

- A name started as an int literal and later given a float is a float
  (`total = 0` ... `total = total + float(x)`): its int literal starts are read
  as float literals, and every value it holds is a float (check/widen.py).
- A def's parameter may share an input's name: inside the def it is the
  parameter, as in Python; the verifier bounds the argument, not the input.
Each runs through the one pipeline, verified and executed.
"""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import FLOAT, INT, Type

CSV = "a,1.5\nb,2.25\nc,4\n"


def run(script: str, output: Type, context: str = CSV):
    return run_script(script, output, context=context)


@pytest.mark.parametrize("script, want", [
    # A running sum started at 0, by assignment and by +=.
    ("total = 0\nfor line in lines(context):\n    total = total + float(line.split(\",\")[1])\n"
     "submit(total)\n", 7.75),
    ("total = 0\nfor line in lines(context):\n    total += float(line.split(\",\")[1])\n"
     "submit(total)\n", 7.75),
    # A running maximum started at 0; an average over a count that stays an int.
    ("best = 0\nn = 0\nfor line in lines(context):\n"
     "    best = max(best, float(line.split(\",\")[1]))\n    n += 1\nsubmit(best + n)\n", 7.0),
    # Inside a def.
    ("def avg(xs: list[str]) -> float:\n    t = 0\n    for x in xs:\n        t = t + float(x)\n"
     "    return t / len(xs)\nsubmit(avg([\"1\", \"2.5\"]))\n", 1.75),
])
def test_an_int_start_widens_to_float(script: str, want: float) -> None:
    out = run(script, FLOAT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == want and isinstance(out.answer, float)


def test_a_computed_int_start_keeps_its_error_and_fix() -> None:
    out = run("n = len(lines(context))\nfor line in lines(context):\n    n = n + 0.5\nsubmit(n)\n",
              FLOAT)
    assert out.stage != "done"
    d = out.diagnostics[0]
    assert d.code == "E_TYPE" and "a name keeps its type" in d.message
    assert "start it as a float" in (d.fix or "")


def test_a_name_that_stays_an_int_is_not_widened() -> None:
    out = run("n = 0\nfor line in lines(context):\n    n += 1\nsubmit(n)\n", INT)
    assert out.stage == "done" and out.answer == 3 and isinstance(out.answer, int)


def test_a_parameter_may_share_an_input_name_and_is_bounded_as_the_argument() -> None:
    script = ("def count_words(context: str) -> int:\n    n = 0\n    for line in lines(context):\n"
              "        for w in line.split(\" \"):\n            n += 1\n    return n\n"
              "big = context + context + context + context\nsubmit(count_words(big + big))\n")
    text = "a b c d e f g h\n" * 500
    out = run(script, INT, context=text)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == 8 * 500 * 8  # the argument is 8 copies; no E_VERIFIER_BUG


DEF_LOCAL = ("def count_refunded(orders: str) -> int:\n    count_refunded = 0\n"
             "    for line in lines(orders):\n"
             "        if line.split(\",\")[0] == \"b\":\n            count_refunded += 1\n"
             "    return count_refunded\nsubmit(count_refunded(context))\n")


def test_a_def_s_local_may_have_a_def_s_name() -> None:
    """In Python a name assigned in a function's body is local to it, even one that names
    a function (the 1.5B wrote `count_refunded = 0` in `def count_refunded`); a def never
    calls itself here, so the body's uses are the local's. Its errors name it as written."""
    out = run(DEF_LOCAL, INT)
    assert out.stage == "done" and out.answer == 1, [d.message for d in out.diagnostics]
    bad = run(DEF_LOCAL.replace("count_refunded += 1", "count_refunded = \"x\""), INT)
    assert bad.stage == "check"
    assert any("count_refunded" in d.message and "count_refunded_2" not in d.message
               for d in bad.diagnostics), [d.message for d in bad.diagnostics]
    # A def's name given a value at the top level and called after: Python would call
    # the value, so refused (check/rebind.py renames only where the value is read).
    top = run(DEF_LOCAL.replace("submit(", "count_refunded = 2\nsubmit("), INT)
    assert top.stage == "check"
    assert any("it is a def" in d.message for d in top.diagnostics)
