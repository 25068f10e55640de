"""A for whose variable is named a line, over an input's words (`context.split()`): each
"line" is one word. The 1.5B counted the lines holding three words so, and two such
scripts agreed on 0; the checker says so and its fix-it goes through the lines."""

from __future__ import annotations

from script_run import run_script

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import INT

TEXT = "this and Then thee\nonly this\nthee Then this again\n"


def test_a_loop_named_line_over_the_words_is_an_error_with_the_lines_as_fix() -> None:
    script = ('words_in_context = context.split()\nn = 0\nfor line in words_in_context:\n'
              '    if all(w in line.split() for w in ["this", "Then", "thee"]):\n'
              '        n += 1\nsubmit(n)\n')
    out = run_script(script, INT, context=TEXT)
    errors = [d for d in out.diagnostics if d.severity == "error"]
    assert [d.message for d in errors] == [
        "context.split() cuts context at every space, so each 'line' is one word, not a line"]
    assert errors[0].fix == "for its lines: context.splitlines()"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and fixed.startswith("words_in_context = context.splitlines()\n")
    assert run_script(fixed, INT, context=TEXT).value == 2
    in_def = ('def count_in(text: str) -> int:\n    n = 0\n    for line in text.split():\n'
              '        n += 1\n    return n\nsubmit(count_in(context))\n')
    assert "for line in text.splitlines():" in (
        apply_fixits(in_def, run_script(in_def, INT, context=TEXT).diagnostics) or "")
    direct = "n = 0\nfor ln in context.split(\" \"):\n    n += 1\nsubmit(n)\n"
    assert apply_fixits(direct, run_script(direct, INT, context=TEXT).diagnostics) == \
        "n = 0\nfor ln in context.splitlines():\n    n += 1\nsubmit(n)\n"


def test_words_named_as_words_and_lines_split_at_breaks_are_left_alone() -> None:
    for script in ("n = 0\nfor word in context.split():\n    n += 1\nsubmit(n)\n",
                   'n = 0\nfor line in context.split("\\n"):\n    n += 1\nsubmit(n)\n',
                   "n = 0\nfor line in context.splitlines():\n    n += 1\nsubmit(n)\n",
                   "words = context.split()\nwords = ['a']\nn = 0\nfor line in words:\n"
                   "    n += 1\nsubmit(n)\n"):
        out = run_script(script, INT, context=TEXT)
        assert not [d for d in out.diagnostics if d.severity == "error"], script
