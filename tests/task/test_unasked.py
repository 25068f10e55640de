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
    prompt = disagreement_prompt([ALL, POST], tmp_path,
                                 "access_log: str, question: str -> answer: int", QUESTION,
                                 access_log=LOG)
    assert "Your scripts disagree" in prompt
    assert "keeps only what holds 'POST', which the question does not name" in prompt
