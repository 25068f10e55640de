"""A count of lines by a loop over words is no vote (task/units.py)."""

from __future__ import annotations

import pytest

from rlmlang.task.searches import nothing_found
from rlmlang.tools import default_registry

TEXT = "".join(f"John {i}:1 Peter said to Andrew {'in Galilee' if i % 3 else ''}\n"
               for i in range(40))
QUESTION = "How many lines contain all of the words 'Peter' and 'Galilee'?"
WORDS = ('words1 = context.split(" ")\nn = 0\nfor word in words1:\n    if word in ["Peter", '
         '"Galilee"]:\n        n += 1\nsubmit(n)')


def test_a_loop_over_the_words_of_an_input_counts_no_lines() -> None:
    said = nothing_found(WORDS, 53, {"context": TEXT}, default_registry(), QUESTION)
    assert said == ('The question counts lines, but that script goes through the words of '
                    'context (context.split(" ") cuts it at every space): what it counts are '
                    "words, not lines. Go through context.splitlines() and test each line.")


@pytest.mark.parametrize(("script", "question"), [
    # lines, each cut into words: a count of lines
    ('n = 0\nfor line in context.splitlines():\n    ws = line.split()\n    if "Peter" in ws '
     'and "Galilee" in ws:\n        n += 1\nsubmit(n)', QUESTION),
    # a question that counts words
    (WORDS, "How many times does the word 'Peter' occur?"),
])
def test_lines_or_a_count_of_words_are_not_judged(script: str, question: str) -> None:
    assert nothing_found(script, 26, {"context": TEXT}, default_registry(), question) is None
