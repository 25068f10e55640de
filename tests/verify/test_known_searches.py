"""A search of a known input for known phrases is bounded by what it finds.

`find_lines(context, "badge 4820")` over a 2 MB log gives a handful of lines at run time,
and the verifier knows the input's value: from its length alone, a loop over the lines
found was bounded at one iteration per line of the input, and a nested loop over each
line's words was refused (`lines_with(context, [...])`: 1.2M iterations, 33M fuel).
verify/results._searched runs the search once and bounds its list by what it found.
"""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import STR

LOG = "".join(f"2026-01-01 badge {1000 + i} opened door {i % 7} {'x' * 30}\n"
              for i in range(40000)) + "2026-01-02 badge 4820: access code K7-19QX issued\n"


@pytest.mark.parametrize("search", ['lines_with(context, ["badge 4820"])',
                                    'find_lines(context, "badge 4820")',
                                    'find_lines(context, "badge " + "4820")'])
def test_a_loop_over_the_lines_a_search_finds_is_bounded_by_them(search: str) -> None:
    script = (f"n = 0\nfor line in {search}:\n    for w in split(line, \" \"):\n"
              "        n += len(w)\nsubmit(str(n))\n")
    out = run_script(script, STR, context=LOG)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    found = [x for x in LOG.splitlines() if "badge 4820" in x]
    assert out.answer == str(sum(len(w) for x in found for w in x.split(" ")))
    assert 0 < out.fuel_used <= out.proof["bounds"]["fuel"] < 1_000_000


def test_a_search_of_a_phrase_the_script_computes_keeps_the_declared_bound() -> None:
    """A phrase read from the data is not known before the run: the declared bound holds,
    one iteration per line of the input (amortized), not the lines it happens to find."""
    script = ('key = split(first_line(context), " ")[2]\nn = 0\n'
              'for line in find_lines(context, key):\n    for w in split(line, " "):\n'
              '        n += len(w)\nsubmit(str(n))\n')
    out = run_script(script, STR, context=LOG)
    assert out.stage == "done" and out.proof["bounds"]["fuel"] > 1_000_000


def test_a_phrase_built_in_a_def_from_its_literal_argument_is_known() -> None:
    """`lines_with(context, ["badge " + badge])` in a helper called with "4820" (the
    1.5B's def-wrapped search, dev inject-09): a def is verified with its arguments'
    values, so the one phrase of the list is known and the search bounded by what it
    finds, as the same search written at the top is."""
    script = ('def count_in(badge: str) -> int:\n    n = 0\n'
              '    for line in lines_with(context, ["badge " + badge]):\n'
              '        for w in split(line, " "):\n            n += len(w)\n    return n\n'
              'submit(str(count_in("4820")))\n')
    out = run_script(script, STR, context=LOG)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert 0 < out.fuel_used <= out.proof["bounds"]["fuel"] < 1_000_000
