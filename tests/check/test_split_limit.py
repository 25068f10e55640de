"""An index past the parts of a split cut n times is out of range on every line, so it is
an error before the script runs, with the fix-it that splits at every separator.

Fresh dev aggregate-03: `int(line.split(" ", 1)[3])` summed the bytes of a log's lines;
it failed at run time a round running, and the model wrote it again.
"""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import INT

LOG = "".join(f"10.0.0.{i} GET /api/v1/users {100 + i}\n" for i in range(40))


@pytest.mark.parametrize(("expr", "fixed"), [
    ('line.split(" ", 1)[3]', 'line.split(" ")[3]'),
    ('line.strip().split(" ", 2)[3]', 'line.strip().split(" ")[3]'),
])
def test_an_index_past_a_split_limit_is_refused_and_fixed(expr: str, fixed: str) -> None:
    script = f"n = 0\nfor line in log.splitlines():\n    n += int({expr})\nsubmit(n)\n"
    out = run_script(script, INT, log=LOG)
    assert out.stage == "check"
    (d,) = out.diagnostics
    assert "into" in d.message and "is never one of them" in d.message
    mended = apply_fixits(script, [d]) or ""
    assert fixed in mended
    done = run_script(mended, INT, log=LOG)
    assert done.stage == "done" and done.answer == sum(100 + i for i in range(40))


@pytest.mark.parametrize("expr", ['line.split(" ", 3)[3]', 'line.split(" ", 1)[-2]',
                                  'line.split(" ")[3]'])
def test_an_index_within_the_parts_is_left_alone(expr: str) -> None:
    script = f"n = 0\nfor line in log.splitlines():\n    n += len({expr})\nsubmit(n)\n"
    assert run_script(script, INT, log=LOG).stage == "done"
