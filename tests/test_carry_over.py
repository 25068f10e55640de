"""A script written as a notebook's next cell: the names it reads that the cell before set.

The 1.5B, told to check an answer, wrote a script that reads `west` (dev aggregate-01)
or `words_to_find` (dev several-words-06), set by its previous script; each script
here starts afresh from the inputs. The carry-over fix-it puts the earlier script's
statements that set them in front, and the result runs as one more candidate."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel
from test_controller import CONTEXT, QUESTION, SIG, replays_identically, runtime

from rlmlang.controller.fixits import carry_over, name_thrown_away
from rlmlang.diagnostics import Diagnostic

EARLIER = ('words = ["badge", "4820"]\nprint(words)\nhits = lines_with(context, words)\n'
           'if len(hits) == 0:\n    fail("none")\nsubmit(str(len(hits)))\n')
NEXT = 'for h in hits:\n    print(h)\nsubmit(value_after(hits[0], "access code"))\n'


def undefined(name: str) -> Diagnostic:
    return Diagnostic("E_NAME", f"undefined: {name}", data={"name": name})


def test_the_statements_that_set_a_name_and_what_they_read_are_carried_over() -> None:
    carried = carry_over(NEXT, [undefined("hits")], ["print(1)\n", EARLIER])
    assert carried is not None
    fixed, source = carried
    assert source == EARLIER  # the script whose computation it is (Tally.add same_as)
    assert fixed.startswith('words = ["badge", "4820"]\nhits = lines_with(context, words)\n')
    assert "print(words)" not in fixed and "fail(" not in fixed and fixed.count("submit(") == 1
    # a name no earlier script sets, or one set only where it submits: nothing to carry
    assert carry_over(NEXT, [undefined("rows")], [EARLIER]) is None
    ends = 'for line in lines(context):\n    hits = line\n    submit(hits)\n'
    assert carry_over(NEXT, [undefined("hits")], [ends]) is None
    assert carry_over(NEXT, [], [EARLIER]) is None


def test_the_carried_over_script_runs_as_a_candidate(tmp_path: Path, capsys) -> None:
    first = 'hits = find_lines(context, "badge 4820:")\nprint(len(hits))\n'
    model = FakeModel([first, NEXT])
    out = runtime(model, tmp_path, profile="coder",
                  budgets={"candidates": 1, "iterations": 2}).run(SIG, QUESTION,
                                                                   context=CONTEXT)
    assert out.answer == "K7-19QX"
    assert replays_identically(tmp_path / "run.log", capsys)


def test_a_def_an_earlier_script_made_is_carried_over() -> None:
    earlier = ('def code_of(text: str) -> str:\n    return value_after(find_line(text, '
               '"badge 4820"), "access code")\nprint(code_of(context))\n')
    missing = Diagnostic("E_NAME", "undefined function: code_of", data={"name": "code_of"})
    carried = carry_over("submit(code_of(context))\n", [missing], [earlier])
    assert carried is not None and carried[0].startswith("def code_of(text: str) -> str:")


def test_a_call_thrown_away_is_named_only_where_one_name_is_missing() -> None:
    def undefined(*names: str) -> list[Diagnostic]:
        return [Diagnostic("E_NAME", f"undefined: {n}", None, data={"name": n}) for n in names]
    thrown = 'lines_with(context, ["a", "b"])\nsubmit(len(hits))'
    assert name_thrown_away(thrown, undefined("hits")) == \
        'hits = lines_with(context, ["a", "b"])\nsubmit(len(hits))\n'
    assert name_thrown_away(thrown, undefined("hits", "other")) is None, "which one?"
    assert name_thrown_away('submit(len(hits))\nlines_with(context, ["a"])',
                            undefined("hits")) is None, "the call comes after the use"
    assert name_thrown_away('print(context)\nsubmit(len(hits))', undefined("hits")) is None
