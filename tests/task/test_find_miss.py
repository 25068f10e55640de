"""A token cut by `s.find(x) + n` where s does not hold x is no vote; its fix-it starts
at 0 there (task/find_miss.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.task.find_miss import find_guarded, find_missed

CITIES = ["Perth", "Daegu", "Oslo", "Quito", "Lyon", "Graz"]
FIRE, CALM = "the fire was put out", "nothing burned"
CONTEXT = "".join(f"## Notes from {c} {i}\nThe team met and {FIRE if c == 'Daegu' else CALM} "
                  "that day.\n" for i, c in enumerate(CITIES * 5, start=40))
QUESTION = "Which section is about a fire that was put out? Give its title."
CUT = ('parts = context.split("## ")[1:]\n'
       'for part in parts:\n'
       '    if "fire" in part:\n'
       '        title_start = part.find("## ") + 3\n'
       '        title_end = part.find("\\n", title_start)\n'
       '        submit(part[title_start:title_end])\n'
       '        break\n')


def test_a_start_past_a_find_that_found_nothing_is_told_and_mended() -> None:
    said = find_missed(CUT, "tes from Daegu 41", [CONTEXT])
    assert said == ("that script submits 'tes from Daegu 41', a piece of 'Notes from Daegu "
                    "41': it starts at part.find(\"## \") + 3, and where part does not hold "
                    "'## ', find gives -1 and that start is 2 (test \"## \" in part first)")
    assert 'title_start = part.find("## ") + 3 if "## " in part else 0\n' in \
        find_guarded(CUT, "tes from Daegu 41", [CONTEXT])
    assert find_missed(CUT, "Notes from Daegu 41", [CONTEXT]) is None  # a whole token
    assert find_missed("submit(context[3:20])\n", "tes from Daegu 41", [CONTEXT]) is None


def test_the_mended_title_wins_the_vote_in_the_controller(tmp_path: Path) -> None:
    """Fresh dev semantic-05 (seeds 20261212 and 20261213): told its answer was a cut
    token, the 1.5B drew the same script again, and the cut title was taken."""
    other = CUT.replace("        break\n", "")
    model = FakeModel([CUT, other, CUT, other, CUT, other])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(
        "context: str, question: str -> answer: str", QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "Notes from Daegu 41"
