"""Ints are 64-bit; big_pow and big_product give the digits of bigger ones as text.

"What is the sum of the digits of 9 to the power 60?" (dev no-input-03): the
1.5B wrote `sum(int(d) for d in str(9 ** 60))` three rounds running, and each
stopped at "pow: 9 ** 60 does not fit in a 64-bit int", which said nothing it
could do instead.
"""

from __future__ import annotations

import math

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import INT


@pytest.mark.parametrize(("script", "expected"), [
    ("submit(sum(int(d) for d in big_pow(9, 60)))", sum(map(int, str(9 ** 60)))),
    ("submit(sum([int(d) for d in big_product(range(1, 101))]))",
     sum(map(int, str(math.factorial(100))))),
    ("submit(len(big_pow(-3, 41)))", len(str((-3) ** 41))),
    ("submit(len(big_product([])))", 1),
])
def test_the_digits_of_big_powers_and_products(script: str, expected: int) -> None:
    out = run_script(script, INT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == expected


@pytest.mark.parametrize("script", ["submit(len(big_pow(2, 100000)))",
                                    "submit(len(big_product(range(1, 5000))))"])
def test_more_digits_than_the_declared_bound_is_an_error(script: str) -> None:
    out = run_script(script, INT)
    assert out.stage == "run"
    assert "more than 10,000 digits" in out.diagnostics[0].message


@pytest.mark.parametrize(("script", "fix"), [
    ("submit(sum(int(d) for d in str(9 ** 60)))", "big_pow(9, 60)"),
    ("p = 1\nfor i in range(1, 51):\n    p = p * i\nsubmit(len(str(p)))", "big_product(xs)"),
])
def test_an_int_too_big_is_told_the_functions_that_give_its_digits(script: str,
                                                                    fix: str) -> None:
    for tier in ("fast", "interp"):
        out = run_script(script, INT, tier=tier)
        assert out.stage == "run"
        assert fix in (out.diagnostics[0].fix or ""), out.diagnostics[0]
