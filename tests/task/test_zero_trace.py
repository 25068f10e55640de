"""Where a zero was made: the test that let nothing through, found by a run
(task/zero_trace.py, controller/difference.py).

Fresh dev aggregate-03 summed the bytes of "/api/v1/cart" requests only where the status
was "401" (a condition the question never asked for); inject-02 kept the lines holding
"CSV", the question's word for the format, before looking for "Porto". Each was told
only that a 0 is what a test matching nothing gives, drew the same tests again, and
ended on an unconfirmed 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rlmlang.controller.loop import Runtime
from rlmlang.pipeline import ScriptSetup, execute_script
from rlmlang.runlog import read_events
from rlmlang.task.zero_trace import zero_trace
from rlmlang.tools import default_registry
from rlmlang.types import STR

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakes import FakeModel  # noqa: E402

LOG = "".join(
    f'10.0.0.{i % 250} - - [2024-08-24T03:{i % 60:02d}:00Z] '
    f'"GET /api/v1/{"cart" if i % 3 else "home"} HTTP/1.1" {200 if i % 5 else 404} '
    f"{i * 10 + 7}\n" for i in range(600))
SIG = "access_log: str, question: str -> answer: int"
QUESTION = "How many bytes in total were sent for requests to /api/v1/cart?"
INVENTED = '''total = 0
for line in access_log.splitlines():
    parts = line.split(" ")
    if "/api/v1/cart" not in line:
        continue
    if parts[-2] == "401":
        total += int(parts[-1])
submit(total)
'''
RIGHT = '''total = 0
for line in access_log.splitlines():
    if "/api/v1/cart" in line:
        total += int(line.split(" ")[-1])
submit(total)
'''
FILTERED = '''kept = lines_with(access_log, ["cart"])
kept = [line for line in kept if "POST" in line]
submit(len(kept))
'''


def _run(script: str) -> tuple[str, object]:
    setup = ScriptSetup(registry=default_registry(), inputs={"access_log": LOG},
                        input_types={"access_log": STR}, output=None, state=None)
    trace = zero_trace(script)
    assert trace is not None
    outcome = execute_script(trace.script, setup)
    return trace.judged(outcome.status, outcome.value), outcome.value


def test_the_test_in_a_loop_that_let_nothing_through_is_named_with_an_item() -> None:
    said, counts = _run(INVENTED)
    cart = [x for x in LOG.splitlines() if "/api/v1/cart" in x]
    # the first test skips the 200 lines without "cart", and keeps the rest
    assert counts[:2] == ["600", str(600 - len(cart))]
    assert said.startswith(
        f"Where the 0 comes from: of the {len(cart)} items of `access_log.splitlines()` "
        'that reached the test `parts[-2] == "401"` (line 6), it was true for none, so '
        f"nothing was counted. The first of them: {cart[0]}\n"
        f"  parts = {cart[0].split(' ')}\n")


def test_a_comprehension_is_counted_before_it_rebinds_its_own_name() -> None:
    said, _ = _run(FILTERED)
    cart = [x for x in LOG.splitlines() if "cart" in x]
    assert said.startswith(f"Where the 0 comes from: of the {len(cart)} items of `kept` "
                           'that reached the test `"POST" in line` (line 2), it was true '
                           "for none")


def test_a_test_that_keeps_something_says_nothing() -> None:
    said, _ = _run(RIGHT)
    assert said == ""


@pytest.mark.parametrize("script", [
    "submit(0)",  # no test
    'submit(len(find_lines(access_log, "x")))',  # a search, not a test: empty_search's
    "def f(t: str) -> int:\n    n = 0\n    for x in t.splitlines():\n        if x == \"a\":\n"
    "            n += 1\n    return n\nsubmit(f(access_log))",  # the loop is in a def
])
def test_scripts_with_no_test_to_trace_get_none(script: str) -> None:
    assert zero_trace(script) is None


def test_the_model_is_told_which_test_made_the_zero(tmp_path: Path) -> None:
    """The real pipeline runs the rewrite over the real input; round 2 shows the test and
    a line it saw, and the observation names the script run."""
    model = FakeModel([INVENTED, RIGHT, RIGHT])
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
            budgets={"candidates": 1, "iterations": 3}).run(SIG, QUESTION, access_log=LOG)
    assert 'reached the test `parts[-2] == "401"` (line 6), it was true for none' \
        in model.prompts[1]
    observed = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "observation"]
    assert any("trace_0_reached += 1" in p for p in observed[0]["data"]["probes"])


def test_the_first_script_of_a_zero_that_says_where_it_comes_from_is_told() -> None:
    """An agreed 0 of two scripts: the first keeps something at each test (its zero comes
    from elsewhere), the second has the test that let nothing through (fresh dev
    several-words-06): that one is said."""
    from rlmlang.controller.difference import first_zero_look

    setup = ScriptSetup(registry=default_registry(), inputs={"access_log": LOG},
                        input_types={"access_log": STR}, output=None, state=None)
    said, probes = first_zero_look([RIGHT, INVENTED], setup)
    assert 'reached the test `parts[-2] == "401"` (line 6), it was true for none' in said
    assert len(probes) == 1 and "trace_0_reached" in probes[0]
    assert first_zero_look([RIGHT], setup) == ("", [])


VERSES = "\n".join([
    "Book 1:1 In the morning the boats went out, and the nets were empty.",
    "Book 1:2 Then came Simon, and with him his brother.",
    "Book 1:3 Andrew, who was one of the two, found Peter's boat at the shore.",
    "Book 1:4 And Peter said unto Andrew, Come.",
])
WORD_SPLIT = '''words2 = ["Andrew", "Peter"]
count1 = 0
for line in context.splitlines():
    line_words = line.split(" ")
    if all(word in line_words for word in words2):
        count1 += 1
submit(count1)
'''


def test_the_item_shown_is_the_first_that_holds_the_words_the_script_looks_for() -> None:
    """Fresh dev several-words-06: `line.split(" ")` keeps "Andrew," and the first verse
    held neither name, so showing it told the 1.5B nothing and it agreed on 0 three
    rounds running. The first line holding both words shows how the data writes them."""
    setup = ScriptSetup(registry=default_registry(), inputs={"context": VERSES},
                        input_types={"context": STR}, output=None, state=None)
    trace = zero_trace(WORD_SPLIT)
    assert trace is not None and trace.looked_for == ("Andrew", "Peter")
    outcome = execute_script(trace.script, setup)
    said = trace.judged(outcome.status, outcome.value)
    third = VERSES.splitlines()[2]
    assert f"The first of them that holds 'Andrew' and 'Peter': {third}\n" \
           f"  line_words = {third.split(' ')}\n" in said
    assert "There 'Andrew' is written 'Andrew,' and 'Peter' is written \"Peter's\": a " \
           "test for the word itself does not match it" in said


def test_a_comprehension_shows_the_first_item_that_holds_the_words() -> None:
    setup = ScriptSetup(registry=default_registry(), inputs={"context": VERSES},
                        input_types={"context": STR}, output=None, state=None)
    script = ('kept = [line for line in context.splitlines() '
              'if "Andrew" in line.split(" ")]\nsubmit(len(kept))\n')
    trace = zero_trace(script)
    assert trace is not None
    outcome = execute_script(trace.script, setup)
    said = trace.judged(outcome.status, outcome.value)
    assert f"The first of them that holds 'Andrew': {VERSES.splitlines()[2]}\n" in said


def test_a_zero_made_by_a_filter_the_question_does_not_name_is_told_so(tmp_path: Path) -> None:
    """Fresh dev aggregate-03: told which test made its 0, the 1.5B fixed where
    `parts[3] != "304"` looked and kept the status the question never named."""
    unasked = INVENTED.replace('parts[-2] == "401"', 'parts[3] == "404"')
    model = FakeModel([unasked, RIGHT, RIGHT])
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
            budgets={"candidates": 1, "iterations": 3}).run(SIG, QUESTION, access_log=LOG)
    assert "The script that made that 0 keeps only what holds '404', which the question " \
           "does not name" in model.prompts[1]
