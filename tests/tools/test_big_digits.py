"""Ints are 64-bit; big_pow and big_product give the digits of bigger ones as text.

"What is the sum of the digits of 9 to the power 60?" (dev no-input-03): the
1.5B wrote `sum(int(d) for d in str(9 ** 60))` three rounds running, and each
stopped at "pow: 9 ** 60 does not fit in a 64-bit int", which said nothing it
could do instead.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import INT, STR


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


BIG_CASES = [
    ("big_pow(3, 10000)", lambda: 3 ** 10000),  # 4,772 digits: past Python's str(int) limit
    ("big_pow(2, 20000)", lambda: 2 ** 20000),  # 6,021 digits (2 is a 2-bit base)
    ("big_pow(10, 9999)", lambda: 10 ** 9999),  # 10,000 digits: the bound itself
    ("big_pow(-7, 4001)", lambda: (-7) ** 4001),
    ("big_product(range(1, 3249))", lambda: math.factorial(3248)),  # 9,998 digits
]


@pytest.mark.parametrize(("script", "value"), BIG_CASES, ids=[c[0] for c in BIG_CASES])
def test_every_result_within_the_bound_is_given_whole(script: str,
                                                      value: Callable[[], int]) -> None:
    """Up to 10,000 digits as declared: str(int) alone stops at 4,300 (E_RUNTIME "Exceeds
    the limit ... for integer string conversion"), and a bound read off the bases' bit
    lengths refused 2 ** 20000."""
    out = run_script(f"submit({script})", STR)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        assert out.answer == str(value())
    finally:
        sys.set_int_max_str_digits(limit)
