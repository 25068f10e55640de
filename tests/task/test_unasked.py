"""Filters on values the question does not name, said where scripts disagree
(task/unasked.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import disagreement_prompt  # tests/fakes.py

from rlmlang.task.unasked import unasked_filters
from rlmlang.tools import default_registry

LOG = "".join(f"10.0.0.{i % 9} - - [01/Jan/2025] \"{['GET', 'POST'][i % 2]} "
              f"{['/api/v1/cart', '/home'][i % 3 == 0]} HTTP/1.1\" 200 {100 + i}\n"
              for i in range(60))
QUESTION = "Sum the response sizes (last field) of the requests for /api/v1/cart."
ALL = ('submit(sum([int(l.split()[-1]) for l in find_lines(access_log, "/api/v1/cart")]))\n')
POST = ('total = 0\nfor l in find_lines(access_log, "/api/v1/cart", "POST"):\n'
        '    total += int(l.split(" ")[-1])\nsubmit(total)\n')
REGISTRY = default_registry(include_plugins=False)


def test_a_data_value_the_question_does_not_name_is_unasked() -> None:
    inputs = {"access_log": LOG}
    assert unasked_filters(POST, QUESTION, inputs, REGISTRY) == ["POST"]
    assert unasked_filters(ALL, QUESTION, inputs, REGISTRY) == []
    tested = ('submit(len([l for l in access_log.splitlines() if "/api/v1/cart" in l '
              'and "GET" in l]))\n')
    assert unasked_filters(tested, QUESTION, inputs, REGISTRY) == ["GET"]


def test_words_of_the_question_and_their_stems_are_asked() -> None:
    text = "t1 ERROR [mailer] failed\nt2 INFO [mailer] sent\n"
    q = "How many errors did the mailer service log?"
    script = 'submit(len(find_lines(log, "ERROR [mailer]")))\n'
    assert unasked_filters(script, q, {"log": text}, REGISTRY) == []
    # a value the data does not hold is another failure (searches.py), not this one
    absent = 'submit(len(find_lines(log, "CRITICAL")))\n'
    assert unasked_filters(absent, q, {"log": text}, REGISTRY) == []


def test_a_disagreement_names_the_unasked_filter(tmp_path: Path) -> None:
    """A filter on a value the data writes only after the first lines shown: the two
    scripts disagree, and the one that filters is told what it keeps."""
    late = "".join(LOG.splitlines(keepends=True)[:20]).replace("POST", "GET") + \
        "".join(LOG.splitlines(keepends=True)[20:])
    prompt = disagreement_prompt([ALL, POST], tmp_path,
                                 "access_log: str, question: str -> answer: int", QUESTION,
                                 access_log=late)
    assert "Your scripts disagree" in prompt
    assert "keeps only what holds 'POST', which the question does not name" in prompt


def test_a_filter_copied_from_the_first_lines_is_no_vote_in_a_run(tmp_path: Path) -> None:
    """'POST' is on the first lines shown: that script's answer is set aside, and the
    other stands alone, to be confirmed; the model is told why the other was set aside."""
    prompt = disagreement_prompt([ALL, POST], tmp_path,
                                 "access_log: str, question: str -> answer: int", QUESTION,
                                 fixits=False, access_log=LOG)  # (one confirms ALL)
    assert "Only one script gave an answer" in prompt
    assert "is set aside: That script keeps only what holds 'POST', which the question does " \
        "not name" in prompt


PENGUINS = "species,island,body_mass_g,sex\n" + "".join(
    f"{['Adelie', 'Gentoo', 'Chinstrap'][i % 3]},{['Dream', 'Biscoe'][i % 2]},"
    f"{3000 + 37 * i},{['male', 'female'][i % 2]}\n" for i in range(60))
SHARE = "What percentage of the penguins have island Dream? Round to 1 decimal."
COPIED = ('dream = [r for r in records(penguins) if r["species"] == "Adelie" and '
          'r["island"] == "Dream"]\nsubmit(round(len(dream) / len(records(penguins)) * 100, 1))\n')


def test_a_filter_on_a_value_of_the_first_lines_shown_is_no_vote() -> None:
    """Fresh dev percentage-03: the first penguin's species, copied beside the island the
    question asks about. The column names of those lines are names, not values."""
    from rlmlang.task.unasked import copied_filter

    inputs = {"penguins": PENGUINS}
    assert unasked_filters(COPIED, SHARE, inputs, REGISTRY, shown_first=True) == ["Adelie"]
    said = copied_filter(COPIED, 16.7, inputs, REGISTRY, SHARE)
    assert said is not None and said.startswith(
        "That script keeps only what holds 'Adelie', which the question does not name")
    asked = COPIED.replace('r["species"] == "Adelie" and ', "")
    assert copied_filter(asked, 50.0, inputs, REGISTRY, SHARE) is None
    # a lone test of a value the question does not write may be how the data writes
    # what it asks: no filter it names beside it, not judged
    lone = 'submit(len([r for r in records(penguins) if r["species"] == "Adelie"]))\n'
    assert copied_filter(lone, 20, inputs, REGISTRY, "How many penguins are there?") is None
    by_column = COPIED.replace('r["species"] == "Adelie"', '"species" in r')
    assert unasked_filters(by_column, SHARE, inputs, REGISTRY, shown_first=True) == []


def test_a_copied_filter_whose_result_is_bound_again_is_not_judged() -> None:
    """Fresh dev lookup-01: the first department's name filtered, then the floor bound
    again from the department the question reaches: what it submits does not use it."""
    script = ('dept = [r for r in records(penguins) if r["species"] == "Adelie"]\n'
              'found = dept[0]["island"]\n'
              'found = [r for r in records(penguins) if r["island"] == "Dream"][0]["sex"]\n'
              "submit(found)\n")
    assert unasked_filters(script, "Which sex has a penguin of Dream?", {"penguins": PENGUINS},
                           REGISTRY, shown_first=True) == []


def test_the_copied_test_is_taken_out_of_its_and_as_a_fix_it(tmp_path: Path) -> None:
    """Told that 'Adelie' was not asked, the 1.5B drew the same script again: the fix-it
    keeps the filter the question asks for, and runs as one more candidate."""
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime
    from rlmlang.runlog import read_events
    from rlmlang.task.unasked import without_copied

    inputs = {"penguins": PENGUINS}
    assert without_copied(COPIED, SHARE, inputs, REGISTRY) == (
        'dream = [r for r in records(penguins) if r["island"] == "Dream"]\n'
        "submit(round(len(dream) / len(records(penguins)) * 100, 1))\n")
    assert without_copied(COPIED.replace('r["species"] == "Adelie" and ', ""), SHARE, inputs,
                          REGISTRY) is None
    model = FakeModel([COPIED] * 3)
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 3}).run(
        "penguins: str, question: str -> answer: float", SHARE, penguins=PENGUINS)
    mended = [e["data"] for e in read_events(tmp_path / "run.log")
              if e["kind"] == "generation" and e["data"].get("fixit_of")]
    assert mended and '"species"' not in mended[0]["text"]
    assert [v["value"] for v in out.vote] == [50.0]


def test_a_copied_phrase_of_a_search_is_taken_out() -> None:
    """Fresh dev aggregate-03: `find_lines(access_log, "/api/v1/cart", "POST")`, told
    that 'POST' was not asked, drawn again three rounds; the fix-it searches for the path
    alone."""
    from rlmlang.task.unasked import without_copied

    inputs = {"access_log": LOG}
    assert without_copied(POST, QUESTION, inputs, REGISTRY) == (
        'total = 0\nfor l in find_lines(access_log, "/api/v1/cart"):\n'
        '    total += int(l.split(" ")[-1])\nsubmit(total)\n')


USERS_LOG = "".join(
    f"10.0.0.{i % 9} - - [2024-07-21T05:09:{i % 60:02d}Z] "
    f"\"GET {['/api/v1/users', '/home', '/healthz'][i % 3] if i >= 6 else '/home'} HTTP/1.1\" "
    f"{[304, 200, 404, 500][i % 4]} {100 + i}\n" for i in range(60))
USERS = "How many bytes in total were sent for requests to /api/v1/users?"
GUARDED = ('total = 0\nfor line in find_lines(access_log, "/api/v1/users"):\n'
           '    parts = line.split(" ", 4)\n'
           '    if len(parts) < 5 or parts[3] != "304":\n'
           '        continue\n'
           '    total += int(parts[4])\nsubmit(total)\n')


def test_a_value_copied_from_the_lines_shown_with_a_term_into_a_skip_guard() -> None:
    """Fresh dev aggregate-03: shown two of the many lines with '/api/v1/users', the
    1.5B skipped every line whose status was not the first one's (304) for three
    rounds. The status is no vote, and the fix-it keeps the guard's other side."""
    from rlmlang.task.unasked import copied_filter, without_copied

    inputs = {"access_log": USERS_LOG}
    assert "'304'" in (copied_filter(GUARDED, 0, inputs, REGISTRY, USERS) or "")
    assert without_copied(GUARDED, USERS, inputs, REGISTRY) == GUARDED.replace(
        ' or parts[3] != "304"', "")
    alone = GUARDED.replace('len(parts) < 5 or ', "")
    assert without_copied(alone, USERS, inputs, REGISTRY) == alone.replace(
        'if parts[3] != "304":\n        continue', "pass")


def test_a_value_of_the_one_line_with_the_key_is_read_off_not_copied() -> None:
    """A term only the lines shown hold is a record's key ('badge 4411'): the other
    values of its line are what the question asks to read, not filters copied."""
    from rlmlang.task.unasked import copied_filter

    staff = "".join(f"badge {4000 + i},dept D-{i % 7},floor {i % 5}\n" for i in range(40))
    question = "Which floor is the department of badge 4011 on?"
    script = ('rows = [l for l in find_lines(staff, "badge 4011")]\n'
              'dept = [l for l in staff.splitlines() if "dept D-4" in l and "badge" in l]\n'
              'submit(dept[0].split(",")[2])\n')
    assert copied_filter(script, "floor 1", {"staff": staff}, REGISTRY, question) is None
