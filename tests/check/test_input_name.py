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


@pytest.mark.parametrize(("name", "written"), [
    ("lines_of_log", "lines(log)"), ("log_lines", "lines(log)"), ("all_lines", "lines(log)"),
    ("lines_of_context", "lines(log)"), ("rows", "records(log)")])
def test_a_name_for_the_inputs_lines_is_fixed_to_the_call_that_gives_them(
        name: str, written: str) -> None:
    """Told "did you mean context?" for `lines_of_context`, the 1.5B wrote
    `context = lines_of_context` three rounds running (fresh dev multi-needle-03)."""
    script = f"hits = [x for x in {name} if 'ERROR' in str(x)]\nsubmit(len(hits))\n"
    out = run_script(script, INT, log=LOG)
    d = out.diagnostics[0]
    assert (d.code, d.fix) == ("E_NAME", f"write {written}")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and written in fixed
    if written == "lines(log)":
        assert run_script(fixed, INT, log=LOG).answer == 10


def test_a_lines_name_of_no_input_is_not_guessed() -> None:
    out = run_script("submit(len(error_lines))\n", INT, log=LOG)
    assert "fixit_expr" not in out.diagnostics[0].data
