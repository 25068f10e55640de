"""A script that names the one input `context` (the usual name) where it is named
otherwise is told its name, and its fix-it writes it (the 1.5B wrote `log = context`
three rounds running, told only "assign it first, or use an input: log, question")."""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import INT

LOG = "\n".join(f"t{i} {'ERROR' if i % 3 == 0 else 'INFO'} [mailer] sent" for i in range(30))


@pytest.mark.parametrize("name", ["context", "data", "text"])
def test_a_usual_input_name_is_fixed_to_the_one_input(name: str) -> None:
    script = f"lines = {name}.splitlines()\nsubmit(len([x for x in lines if 'ERROR' in x]))\n"
    out = run_script(script, INT, log=LOG)
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert (d.code, d.message, d.fix) == ("E_NAME", f"undefined: {name} (the input is named "
                                          "log)", "write log")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and fixed.startswith("lines = log.splitlines()")
    done = run_script(fixed, INT, log=LOG)
    assert done.stage == "done" and done.answer == 10


def test_with_two_inputs_the_name_is_not_guessed() -> None:
    out = run_script("submit(len(context))\n", INT, log=LOG, hosts="a\nb\n")
    d = out.diagnostics[0]
    assert d.code == "E_NAME" and "fixit_expr" not in d.data
    assert d.message.startswith("undefined: context (the inputs are ")
