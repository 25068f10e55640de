"""range's step: Python's chunking, `for i in range(0, len(xs), 50)`, verified and
metered (the 1.5B's chunked sub-model calls wrote it; the language refused it)."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import INT, STR

TEXT = "\n".join(f"line {i}" for i in range(103))


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_a_literal_step_counts_by_it_within_the_proven_bound(tier: str) -> None:
    script = ("xs = context.splitlines()\nn = 0\n"
              "for i in range(0, len(xs), 10):\n    chunk = xs[i:i + 10]\n"
              "    n += len(chunk) * 1000 + 1\n"
              "firsts = [xs[i] for i in range(3, 30, 7)]\n"
              "submit(str(n) + ' ' + ', '.join(firsts))\n")
    out = run_script(script, STR, context=TEXT, tier=tier)
    assert out.stage == "done", out.diagnostics
    assert out.answer == "103011 line 3, line 10, line 17, line 24"
    assert out.fuel_bound is not None and out.fuel_used <= out.fuel_bound


@pytest.mark.parametrize("step", ["0", "-1", "k", "2.5"])
def test_a_step_that_is_no_literal_of_one_or_more_is_refused(step: str) -> None:
    out = run_script(f"k = 2\nn = 0\nfor i in range(0, 10, {step}):\n    n += 1\nsubmit(n)\n",
                     INT)
    assert out.stage == "check"
    assert any(d.code == "E_TYPE" and (d.message.startswith("range's step must be")
                                       or "must be int" in d.message)
               for d in out.diagnostics), out.diagnostics


def test_the_range_builtin_checks_its_step_at_run_time_too() -> None:
    from rlmlang.tools.builtins import _range, _range_len
    from rlmlang.tools.errors import ToolError

    assert _range(0, 10, 3) == [0, 3, 6, 9] and _range_len(0, 10, 3) == 4
    assert _range_len(5, 2, 2) == 0 and _range_len(4) == 4
    with pytest.raises(ToolError):
        _range(0, 10, 0)

