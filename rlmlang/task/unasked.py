"""Filters the question does not ask for: a value of the data a script keeps lines or
records by, which the question never names.

Asked "Sum the response sizes of the requests for /api/v1/cart", the 1.5B drew two
scripts: one summed every request for the path, the other only those that also
hold 'POST'. Told only that they disagree, it could not tell which reading was
right, and wrote junk for two rounds. Where scripts disagree, each filter on a value
that is in the data but nowhere in the question is named, so the model can see the
difference. It is feedback only: no vote changes.

A literal is asked when one of its words (letters and digits, two or more) is a word
of the question, or shares a stem of four letters or more with one ("ERROR" and
"errors", "fail" and "failed").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rlmlang.syntax.parser import parse
from rlmlang.task.guess import data_texts
from rlmlang.task.searches import literal_tests, searched_literals

_WORD = re.compile(r"[^\W_]+")


def _asked(literal: str, question_words: set[str]) -> bool:
    for w in _WORD.findall(literal.casefold()):
        if len(w) < 2:
            continue
        if w in question_words:
            return True
        if len(w) >= 4 and any(len(q) >= 4 and (q.startswith(w) or w.startswith(q))
                               for q in question_words):
            return True
    return False


def unasked_filters(script: str, question: str, inputs: Mapping[str, Any],
                    registry: Any) -> list[str]:
    """The literals a script searches the inputs for or tests them with that the data
    holds and the question does not name, in the order written."""
    parsed = parse(script).script
    if parsed is None:
        return []
    words = set(_WORD.findall(question.casefold()))
    texts = data_texts(inputs)
    found = [*searched_literals(parsed, registry), *(v for _, v in literal_tests(parsed))]
    out: list[str] = []
    for lit in dict.fromkeys(found):
        if len(lit.strip()) < 2 or not _WORD.search(lit) or _asked(lit, words):
            continue
        if any(lit in t for t in texts):
            out.append(lit)
    return out


def unasked_note(script: str, question: str, inputs: Mapping[str, Any], registry: Any,
                 who: str = "That script") -> str | None:
    """The feedback line for `unasked_filters`, or None where a script has none."""
    lits = unasked_filters(script, question, inputs, registry)
    if not lits:
        return None
    shown = ", ".join(repr(x) for x in lits[:3])
    return (f"{who} keeps only what holds {shown}, which the question does not name: "
            "filter by what the question asks, nothing more.")
