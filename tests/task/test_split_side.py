"""A number converted from the key's side of a split is read from the value's side, as a
fix-it (task/split_side.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.diagnostics import Diagnostic
from rlmlang.task.split_side import value_side

CONTEXT = "".join(f"Line {i} of the manual says nothing.\n" for i in range(300)) \
    + "The code for locker ORD-15800 is 361.\n" \
    + "".join(f"The code for locker ORD-{20000 + i} is {i}.\n" for i in range(50)) \
    + "The code for locker ORD-67111 is 1739.\n"
QUESTION = "Add together the codes of locker ORD-15800 and locker ORD-67111. What do you get?"
KEY_SIDE = ('codes = [int(line.split("The code for locker ")[1].split(" is ")[0]) '
            'for line in [l for k in ["ORD-15800", "ORD-67111"] for l in lines(context) '
            'if k in l]]\n'
            'submit(sum(codes))\n')
STOPPED = [Diagnostic("E_TOOL", "to_int: 'ORD-15800' is not a number (in listcomp@1:9)")]


def test_the_value_side_is_read_where_the_key_was_converted() -> None:
    fixed = value_side(KEY_SIDE, STOPPED, QUESTION)
    assert fixed is not None and fixed.startswith(
        'codes = [extract_int(line.split("The code for locker ")[1].split(" is ")[-1]) ')
    assert value_side(KEY_SIDE, STOPPED, "Add together the codes of lockers 1 and 2.") \
        is None  # not a key the question names
    other = [Diagnostic("E_TOOL", "to_int: 'n/a' is not a number")]
    assert value_side(KEY_SIDE, other, QUESTION) is None
    assert value_side(KEY_SIDE.replace(")[0])", ")[1])"), STOPPED, QUESTION) is None


def test_the_fixit_answers_in_the_controller(tmp_path: Path) -> None:
    """Fresh dev multi-needle-03 (seed 20261213): both scripts converted the key."""
    other = KEY_SIDE.replace("codes = ", "found = ").replace("sum(codes)", "sum(found)")
    model = FakeModel([KEY_SIDE, other])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 1}).run(
        "context: str, question: str -> answer: int", QUESTION, context=CONTEXT)
    assert out.ok and out.answer == 2100
