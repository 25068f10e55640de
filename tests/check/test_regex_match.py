"""regex_search gives the matched text, not a match object: `m[1]` (Python's group 1)
would be its second character, so the checker says so and the fix-it drops the index."""

from __future__ import annotations

from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import STR

LOG = "2026-03-11 badge 4820: access code K7-19QX issued by security\n"
SCRIPT = ('regex = "badge 4820: access code (.+?) issued"\n'
          'match = regex_search(regex, context)\n'
          'if match:\n    print(match[1])\nsubmit(match[1])\n')


def test_a_match_indexed_as_python_s_match_object_is_refused_and_fixed() -> None:
    out = run_script(SCRIPT, STR, context=LOG)
    assert out.stage == "check"
    assert [d.message for d in out.diagnostics] == [
        "match is the text regex_search matched (group 1 where the pattern has one), not a "
        "match object: match[1] is its character at 1"] * 2
    fixed = apply_fixits(SCRIPT, out.diagnostics)
    assert fixed is not None and "match[1]" not in fixed
    out = run_script(fixed, STR, context=LOG)
    assert out.stage == "done" and out.answer == "K7-19QX"


def test_other_texts_index_as_before() -> None:
    out = run_script('code = "K7-19QX"\nsubmit(code[1])\n', STR, context=LOG)
    assert out.stage == "done" and out.answer == "7"
    again = ('match = regex_search("code (.+?) ", context)\nmatch = "xyz"\n'
             'submit(match[1])\n')
    out = run_script(again, STR, context=LOG)
    assert out.stage == "done" and out.answer == "y"
