"""A name started with a placeholder literal (`found = 0`, `found = ""`, `found = False`)
and given a value of another type in a loop or a branch starts as None (check/sentinel.py):
the 1.5B's `found = 0` ... `found = line` was refused, and its only other script of the
round with it. Each runs through the one pipeline, verified and executed."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import INT, STR

TEXT = "alpha 1\nbeta 22\ngamma 333\n"

FIND = """found = {start}
for line in lines(context):
    if "beta" in line:
        found = line
        break
submit(found)
"""


@pytest.mark.parametrize("start", ["0", '""', "False", "0.0"])
def test_a_placeholder_start_becomes_none(start: str) -> None:
    out = run_script(FIND.format(start=start), STR, context=TEXT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == "beta 22"


def test_nothing_found_is_an_empty_answer_not_the_placeholder() -> None:
    out = run_script(FIND.format(start="0").replace('"beta"', '"delta"'), STR, context=TEXT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer is None


def test_a_text_placeholder_for_a_number() -> None:
    script = ('n = ""\nfor line in lines(context):\n    if "gamma" in line:\n'
              '        n = int(line.split(" ")[1])\nsubmit(n)\n')
    out = run_script(script, INT, context=TEXT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == 333


def test_a_start_used_as_a_number_keeps_its_error() -> None:
    script = FIND.format(start="0").replace("submit(found)", "submit(found + 1)")
    out = run_script(script, INT, context=TEXT)
    assert out.stage != "done"
    d = out.diagnostics[0]
    assert d.code == "E_TYPE" and "'found' is int (since line 1)" in d.message


@pytest.mark.parametrize("script", [
    # A start that is a value, not a placeholder, and a start the new value is made from.
    'n = "12"\nif len(context) > 0:\n    n = int(n)\nsubmit(n)\n',
    'n = ""\nfor line in lines(context):\n    n = len(n + line)\nsubmit(n)\n',
])
def test_a_start_that_is_a_value_keeps_its_error(script: str) -> None:
    out = run_script(script, INT, context=TEXT)
    assert out.stage != "done"
    assert "a name keeps its type" in out.diagnostics[0].message
