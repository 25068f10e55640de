"""Two fix-its of the checker: a range step held by a name bound once to a number is
written as that number, and a record passed to a sub-model as its text is passed as
str(record). Fresh dev semantic-04 wrote `size = 3 ... range(0, len(x), size)` and
`llm.predict(..., text=review)` over records, and was refused both."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import INT

REVIEWS = "\n".join(f"review {i}: {'great' if i % 3 else 'awful'}" for i in range(12))
STEP = ("size = 3\nrows = reviews.splitlines()\nn = 0\nfor i in range(0, len(rows), size):\n"
        "    n += 1\nsubmit(n)\n")


def test_a_step_bound_once_to_a_number_is_written_as_the_number() -> None:
    out = run_script(STEP, INT, reviews=REVIEWS)
    (d,) = out.diagnostics
    assert d.fix == "write the number size holds: 3"
    fixed = apply_fixits(STEP, out.diagnostics)
    assert fixed is not None and "range(0, len(rows), 3)" in fixed
    assert run_script(fixed, INT, reviews=REVIEWS).answer == 4


@pytest.mark.parametrize("script", [
    STEP.replace("size = 3\n", "size = 3\nsize = 4\n"),  # bound twice
    STEP.replace("size = 3\n", "size = len(reviews) // 100\n"),  # not a literal
    STEP.replace("size = 3\n", "size = 0\n"),  # no step of 1 or more
])
def test_a_step_that_is_no_one_number_keeps_its_error_without_an_edit(script: str) -> None:
    out = run_script(script, INT, reviews=REVIEWS)
    step = [d for d in out.diagnostics if "range's step" in d.message]
    assert step and "fixit_expr" not in step[0].data


def test_a_record_passed_to_the_sub_model_is_passed_as_text() -> None:
    script = ('n = 0\nfor r in records(reviews):\n'
              '    v = llm.predict("Is it bad? Answer yes or no.", text=r)\n    n += 1\nsubmit(n)\n')
    out = run_script(script, INT, reviews="id,text\n1,bad\n2,good\n")
    (d,) = out.diagnostics
    assert d.fix == "pass it as text: str(r)"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "text=str(r)" in fixed
