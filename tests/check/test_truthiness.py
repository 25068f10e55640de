"""Truth in conditions as Python reads it (a str, list or dict: not empty; a number: not 0),
run through the whole pipeline; outside a condition `and`/`or` stay bool-only."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.diagnostics import FIXIT_EXPR
from rlmlang.types import INT

TEXT = "a,1\n\nb,0\nc,3\n"


@pytest.mark.parametrize("script, want", [
    ("n = 0\nfor line in context.splitlines():\n    if line.strip():\n        n += 1\n"
     "submit(n)\n", 3),
    ("submit(len([l for l in context.splitlines() if l]))\n", 3),
    ("xs = [l for l in context.splitlines() if l.strip() and not l.startswith(\"b\")]\n"
     "submit(len(xs))\n", 2),
    ("n = 0\nfor l in context.splitlines():\n    if l and int(l.split(\",\")[1]):\n"
     "        n += 1\nsubmit(n)\n", 2),
    ("hits = [l for l in context.splitlines() if \"z\" in l]\nif not hits:\n    submit(-1)\n"
     "submit(len(hits))\n", -1),
    ("x = \"q\"\nsubmit(5 if x else 6)\n", 5),
])
def test_a_value_in_a_condition_is_true_when_not_empty_or_zero(script: str, want: int) -> None:
    out = run_script(script, INT, context=TEXT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == want


@pytest.mark.parametrize("script", [
    "y = context or \"d\"\nsubmit(len(y))\n",  # Python gives a str: here it would be a bool
    "ok = len(context) > 0 and context\nsubmit(1)\n",
])
def test_and_or_outside_a_condition_stay_bool_only(script: str) -> None:
    out = run_script(script, INT, context=TEXT)
    assert out.stage == "check"
    assert "no truthiness outside a condition" in out.diagnostics[0].message


EVENTS = "user=nadia45 action=logout\nuser=omar action=logout\nuser=nadia45 action=login\n"


@pytest.mark.parametrize("script, fix", [
    # Python's `"a" and "b" in line` tests only "b": the 1.5B counted every logout
    ("n = 0\nfor line in context.splitlines():\n"
     "    if \"user=nadia45\" and \"action=logout\" in line:\n        n += 1\nsubmit(n)\n",
     '"user=nadia45" in line'),
    ("submit(len([l for l in context.splitlines() if \"user=nadia45\" and \"logout\" in l]))\n",
     '"user=nadia45" in l'),
    # `x == "a" or "b"` tests nothing: the fix compares the literal as its neighbour does
    ("n = 0\nfor line in context.splitlines():\n"
     "    if line == \"a\" or \"b\":\n        n += 1\nsubmit(n)\n", 'line == "b"'),
    ("n = 0\nif \"x\":\n    n = 1\nsubmit(n)\n", None),
    ("submit(5 if 0 else 6)\n", None),
])
def test_a_literal_as_a_condition_tests_nothing(script: str, fix: str | None) -> None:
    out = run_script(script, INT, context=EVENTS)
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert d.code == "E_TYPE" and "as a condition: it tests nothing" in d.message
    if fix is None:
        assert FIXIT_EXPR not in d.data
    else:
        assert d.fix == f"test it: {fix}" and d.data[FIXIT_EXPR][1] == fix


def test_the_fix_it_of_a_literal_condition_counts_what_was_meant() -> None:
    script = ("n = 0\nfor line in context.splitlines():\n"
              "    if \"user=nadia45\" and \"action=logout\" in line:\n        n += 1\nsubmit(n)\n")
    fixed = apply_fixits(script, run_script(script, INT, context=EVENTS).diagnostics)
    assert fixed is not None
    out = run_script(fixed, INT, context=EVENTS)
    assert out.stage == "done" and out.answer == 1


@pytest.mark.parametrize("script", [
    # the comprehension's own `for ticker` hides the outer one: every item passes
    "prices = {\"a\": 1.0, \"b\": 2.0}\n"
    "total = {t: sum(prices[t] for t in prices if t == t) for t in prices}\n"
    "submit(len(total))\n",
    "n = 0\nfor line in context.splitlines():\n    if line != line:\n        n += 1\nsubmit(n)\n",
])
def test_a_name_compared_with_itself_tests_nothing(script: str) -> None:
    out = run_script(script, INT, context=EVENTS)
    assert out.stage == "check"
    assert "with itself: always" in out.diagnostics[0].message
