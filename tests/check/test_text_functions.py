"""Python's functions over a text's characters: `map` and `filter` of a str, and a str
method as the function (`filter(str.isdigit, phone)`, fixed to its lambda)."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import STR


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_map_and_filter_go_through_a_texts_characters(tier: str) -> None:
    """`"".join(filter(lambda c: c.isdigit(), phone))`: Python's, over a str's characters
    (the 1.5B's string-transform; refused as a form the language could not lower)."""
    script = ('phone = context.splitlines()[1]\n'
              'digits = "".join(filter(lambda c: c.isdigit(), phone))\n'
              'upper = "".join(map(lambda c: c.upper(), phone[:3]))\n'
              'submit(digits + " " + upper)\n')
    out = run_script(script, STR, context="name,phone\nPriya H. Rossi,+46 86-31 925\n",
                     tier=tier)
    assert out.stage == "done", out.diagnostics
    assert out.answer == "468631925 PRI"


@pytest.mark.parametrize("script, want", [
    ('submit("".join(filter(str.isdigit, context)))\n', "1238"),
    ('submit(", ".join(sorted(context.splitlines(), key=str.lower)))\n', "a1b2, C3, x8"),
])
def test_a_str_method_as_a_function_is_fixed_to_its_lambda(script: str, want: str) -> None:
    from rlmlang.controller.fixits import apply_fixits

    out = run_script(script, STR, context="a1b2\nC3\nx8")
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert d.message.endswith("is not a value here: a key or map function is a lambda")
    mended = apply_fixits(script, out.diagnostics)
    assert mended is not None and "lambda x: x." in mended
    done = run_script(mended, STR, context="a1b2\nC3\nx8")
    assert done.stage == "done" and done.answer == want, done.diagnostics


def test_a_power_too_large_for_an_int_is_fixed_to_big_pow_at_run_time() -> None:
    """`str(9 ** 60)` stops (a 64-bit int); the run-time error's fix-it writes big_pow
    there, whose decimal digits are the same text (dev no-input: the 1.5B wrote its own
    `big_pow` def around `base ** exp` twice)."""
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import INT

    script = "n = 60\ntotal = sum(int(d) for d in str(9 ** n))\nsubmit(total)\n"
    out = run_script(script, INT)
    assert out.stage == "run" and out.diagnostics[0].message.startswith(
        "pow: 9 ** 60 does not fit in a 64-bit int")
    mended = apply_fixits(script, out.diagnostics)
    assert mended is not None and "str(big_pow(9, n))" in mended
    done = run_script(mended, INT)
    assert done.stage == "done" and done.answer == sum(int(d) for d in str(9 ** 60))
