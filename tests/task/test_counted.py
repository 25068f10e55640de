"""Two disagreeing counts told apart by their items (task/counted.py, controller/difference.py).

Dev count-05: `"404" in line` counted 414 requests, `find_lines(access_log, "404")` 401;
shown only the two numbers, the 1.5B drew both scripts again for three rounds. The
thirteen lines between them (a byte count holding the digits 404) are what the feedback
now shows, found by running each script rewritten to submit what it counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rlmlang.controller.loop import Runtime
from rlmlang.runlog import read_events
from rlmlang.task.counted import counted_items, items_difference

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakes import FakeModel  # noqa: E402

LOG = "\n".join(
    f'10.0.{i % 250}.{i % 7} - - [2024-08-24T03:{i % 60:02d}:00Z] "GET /api/v{i % 3} HTTP/1.1" '
    f'{404 if i % 9 == 0 else 200} {(i * 7919) % 90000 + 404 if i % 13 == 0 else i * 31 + 5}'
    for i in range(900)) + "\n"
SIG = "access_log: str, question: str -> answer: int"
QUESTION = "Count the requests answered with HTTP status 404."
SUBSTRING = 'hits = [line for line in access_log.splitlines() if "404" in line]\nsubmit(len(hits))'
FIELD = ('n = 0\nfor line in access_log.splitlines():\n    if line.split(" ")[-2] == "404":\n'
         '        n += 1\nsubmit(n)')


@pytest.mark.parametrize(("script", "items"), [
    (SUBSTRING, 'hits = [line for line in access_log.splitlines() if "404" in line]\n'
                "submit(hits)\n"),
    ('submit(len(find_lines(log, "ERROR")))', 'submit(find_lines(log, "ERROR"))\n'),
    ('submit(sum(float(r["amount"]) for r in records(t) if r["city"] == "Graz"))',
     'submit([r for r in records(t) if r["city"] == "Graz"])\n'),
    ('vals = [float(r["amount"]) for r in records(t) if r["city"] == "Graz"]\n'
     "total = round(sum(vals), 2)\nsubmit(total)",
     'vals = [float(r["amount"]) for r in records(t) if r["city"] == "Graz"]\n'
     "total = round(sum(vals), 2)\n"
     'submit([r for r in records(t) if r["city"] == "Graz"])\n'),
    ('total = 0\nfor r in records(t):\n    if r["city"] == "Graz":\n'
     '        total += float(r["amount"])\nprint(total)\nsubmit(round(total, 2))',
     'total = []\nfor r in records(t):\n    if r["city"] == "Graz":\n'
     "        total.append(r)\nprint(total)\nsubmit(total)\n"),
])
def test_a_count_or_sum_is_rewritten_to_submit_what_it_takes_in(script: str, items: str) -> None:
    assert counted_items(script) == items


@pytest.mark.parametrize("script", [
    'submit(count_rows(t, "c", "x"))',  # a builtin that counts: its items are not to hand
    "n = 0\nfor k, v in d.items():\n    n += v\nsubmit(n)",  # no one item per addition
    'n = len(find_lines(t, "x"))\nn = n + 1\nsubmit(n)',  # bound again after the count
    "submit(41)",
    "submit(",
])
def test_what_it_cannot_rewrite_it_leaves(script: str) -> None:
    assert counted_items(script) is None


def test_the_difference_shows_each_sides_items_or_nothing_for_unrelated_lists() -> None:
    said = items_difference(3, 2, ["a 404", "b 200 4041", "c 404"], ["a 404", "c 404"])
    assert said.startswith("The script that answered 3 takes in 1 line that the one that "
                           "answered 2 leaves out, e.g.:\n  | b 200 4041\n"
                           "The script that answered 2 takes in 0 lines that the one that "
                           "answered 3 leaves out.")
    # nothing in common: one item of each (a count of words against one of lines, fresh
    # dev several-words-06)
    assert items_difference(1, 2, ["Galilee"], ["Mark 1:9 from Galilee, John", "Luke 3:2 John"]) \
        == ("The script that answered 1 takes in 1 item, e.g. 'Galilee'; the one that answered "
            "2, 2, e.g. 'Mark 1:9 from Galilee, John'.")
    assert items_difference(3, 2, ["x"], [{"a": 1}]) == (  # lines against records
        "The scripts that answered 3 and 2 take in as many items each (1): they differ in "
        "what they compute from them.")
    assert items_difference(3, 2, "x", ["x"]) == ""  # not two lists
    assert "take in the same 2 records" in items_difference(
        4.5, 9.0, [{"a": 1}, {"a": 2}], [{"a": 2}, {"a": 1}])


def test_a_disagreement_of_counts_shows_the_lines_between_them(tmp_path: Path) -> None:
    """The real pipeline runs both rewritten scripts over the real input; the feedback
    shows the lines only the substring test counts, and the log names the probes."""
    model = FakeModel([SUBSTRING, FIELD, FIELD, FIELD])
    runtime = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                      budgets={"candidates": 2})
    runtime.run(SIG, QUESTION, access_log=LOG)
    lines = LOG.splitlines()
    only_substring = [x for x in lines if "404" in x and x.split(" ")[-2] != "404"]
    assert only_substring  # the data has such lines
    assert (f"The script that answered {len(only_substring) + 100} takes in "
            f"{len(only_substring)} lines that the one that answered 100 leaves out, "
            f"e.g.:\n  | {only_substring[0]}") in model.prompts[2]  # round 2's
    observed = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "observation"]
    assert any("submit(hits)" in p for p in observed[0]["data"]["probes"])


def test_a_script_that_acts_is_never_run_for_a_look(tmp_path: Path) -> None:
    """A count whose script writes a file, or asks the sub-model, is not run again to
    compare: a look at the data must not act on anything."""
    from rlmlang.controller.difference import count_difference
    from rlmlang.pipeline import ScriptSetup
    from rlmlang.task.vote import Tally
    from rlmlang.tools import default_registry
    from rlmlang.types import STR

    setup = ScriptSetup(registry=default_registry(), inputs={"access_log": LOG},
                        input_types={"access_log": STR}, output=None, state=None)
    writes = SUBSTRING.replace("submit(", 'fs.write("out.txt", "x")\nsubmit(')
    for first in (writes, SUBSTRING.replace("submit(", 'v = llm.predict("q?", text="x")\n'
                                                       "submit(")):
        tally = Tally(QUESTION, distinct=True)
        tally.add(102, "a", first)
        tally.add(100, "b", FIELD)
        assert count_difference(tally.ranked(), setup) == ("", [])
    tally = Tally(QUESTION, distinct=True)
    tally.add(102, "a", SUBSTRING)
    tally.add(100, "b", FIELD)
    said, probes = count_difference(tally.ranked(), setup)
    assert "leaves out" in said and len(probes) == 2


ORDERS = "order,status,items,total\n" + "".join(
    f"O-{i},{'shipped' if i % 3 else 'open'},{1 + i % 5},{150 + 7 * i}.50\n" for i in range(300))
RATIO = ('items = sum([int(r["items"]) for r in records(orders) if r["status"] == "shipped"])\n'
         'money = sum([float(r["total"]) for r in records(orders) if r["status"] == "shipped"])\n'
         "submit(round(items / money, 2))")


def test_a_zero_rounded_away_is_shown_its_value_before_rounding(tmp_path: Path) -> None:
    """Dev average-05: items divided by money, rounded to 0.0, and told only that a zero is
    what a test matching nothing gives."""
    model = FakeModel([RATIO, 'fail("no")', 'fail("no")', 'fail("no")'])
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
            budgets={"candidates": 1, "iterations": 2}).run(
        "orders: str, question: str -> answer: float",
        "What is the average number of items of the shipped orders?", orders=ORDERS)
    told = model.prompts[1]
    assert "Before round(), that zero was 0.00" in told
    assert "its tests matched; the value is smaller than the places round() keeps." in told
    observed = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "observation"]
    assert "submit(items / money)" in observed[0]["data"]["probes"][0]
