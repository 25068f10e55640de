"""`lo <= x < hi` reads as Python's chained comparison, run through the whole pipeline."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.types import INT

DATES = "2023-12-01,5\n2023-12-16,7\n2024-01-10,11\n2024-01-23,13\n2024-02-01,17\n"


def run(script: str):
    return run_script(script, INT, context=DATES)


@pytest.mark.parametrize("script, want", [
    # Dates in a range, both ends kept (ISO dates order as strings).
    ("n = 0\nfor line in lines(context):\n    d = line.split(\",\")[0]\n"
     "    if \"2023-12-16\" <= d <= \"2024-01-23\":\n        n += 1\nsubmit(n)\n", 3),
    # An item in the middle; the second comparison is not tried when the first is false.
    ("n = 0\nfor line in lines(context):\n    cells = line.split(\",\")\n"
     "    if \"5\" < cells[1] < \"9\":\n        n += int(cells[1])\nsubmit(n)\n", 7),
    ("x = 4\nsubmit(1 if 0 < x > 3 else 0)\n", 1),
    # A builtin's call in the middle (dev logs: `lo <= to_date(x) <= hi` was refused).
    ("n = 0\nfor line in lines(context):\n"
     "    if \"2023-12-16\" <= to_date(line) <= \"2024-01-23\":\n        n += 1\nsubmit(n)\n", 3),
])
def test_a_chain_is_both_comparisons(script: str, want: int) -> None:
    out = run(script)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == want


def test_a_chain_prints_as_its_two_comparisons() -> None:
    script = parse("x = 3\nok = 1 <= x < 5\nsubmit(\"a\")\n").script
    assert "ok = 1 <= x and x < 5" in print_script(script)


def test_a_middle_computed_from_a_row_chains_and_a_tool_call_there_is_refused() -> None:
    """Coder models chain on a field they split out (`lo <= line.split(",")[0] <= hi`:
    dev date-range-01 was refused so); a tool's call there would run twice."""
    script = ("n = 0\nfor line in lines(context):\n"
              "    if \"2023-12-16\" <= line.split(\",\")[0].strip() <= \"2024-01-23\" and "
              "5 < int(line.split(\",\")[1]) * 2 <= 24:\n        n += 1\nsubmit(n)\n")
    for tier in ("fast", "interp"):
        out = run_script(script, INT, tier=tier, context=DATES)
        assert out.stage == "done" and out.answer == 2, [d.message for d in out.diagnostics]
    tool = "n = 0\nif 0 < http.get(context).count(\"a\") < 3:\n    n = 1\nsubmit(n)\n"
    out = run(tool)
    assert out.stage == "check"
    assert "http.get(...) in the middle of a chained comparison would run twice" in \
        out.diagnostics[0].message
    helper = "def f(x: str) -> int:\n    return len(x)\nsubmit(1 if 0 < f(context) < 9 else 0)\n"
    out = run(helper)  # a def may call a tool: refused by the checker too
    assert out.stage == "check" and "f(...) in the middle" in out.diagnostics[0].message
