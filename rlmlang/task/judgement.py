"""A judgement made by keywords the model chose, where the question asks for a meaning.

Asked "How many of the reviews are negative?" over prose that never writes
"negative", the 1.5B counted the lines holding "Terrible" or "Horrible", words
it saw in the input's first lines, and two such scripts agreed on a count far
below the right one (dev runs: eleven times on one task, each confident). A
word of the question that the text never writes is a meaning the text says in
its own words; a script that tests the text only for words the question never
says, and asks no sub-model, has chosen what that meaning looks like. Such an
answer is sent back once (where the run grants the sub-model) with the way to
ask the sub-model about each part; given again, it is taken as any answer is.
Tables are left alone: their columns hold the values the question names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rlmlang.syntax.parser import parse
from rlmlang.task.guess import data_inputs
from rlmlang.task.searches import asks_sub_model, literal_tests
from rlmlang.tools.reader import detect

_WORD = re.compile(r"[^\W\d_]{5,}")
# Words of a question's own scaffolding, not of the meaning it asks about.
_SCAFFOLD = frozenset({
    "which", "where", "there", "their", "these", "those", "whose", "about", "among",
    "times", "number", "count", "total", "lines", "words", "contain", "contains",
    "mention", "mentions", "mentioned", "answer", "order", "separated", "commas", "round",
    "decimal", "decimals", "places", "inclusive", "between", "first", "last", "input",
    "inputs", "context", "given", "write", "written", "listed", "should", "would", "could",
})


def unwritten_words(question: str, texts: list[str]) -> list[str]:
    """The question's words (five letters or more, not its scaffolding) that none of the
    texts writes, in any case or ending ("reviews" is written where "Review 7" is)."""
    haystack = "\n".join(texts).casefold()
    out: list[str] = []
    for w in _WORD.findall(question.casefold()):
        if w not in _SCAFFOLD and w not in out and w[:max(5, len(w) - 3)] not in haystack:
            out.append(w)
    return out


def keyword_judgement(scripts: list[str], inputs: Mapping[str, Any],
                      question: str, calls: int = 20) -> str | None:
    """What the model is told where every one of `scripts` (those behind one answer)
    judges prose by literals none of which holds a word of the question, asks no
    sub-model, and the question has a word the prose never writes; else None. `calls`:
    the sub-model calls a script may make; a text of more lines than that is asked about
    in groups of lines (one call a line of 26 reviews was refused for 20 calls)."""
    texts = [v for n, v in inputs.items() if n in data_inputs(inputs) and isinstance(v, str)]
    if not texts or any(detect(t).is_table for t in texts):
        return None
    unwritten = unwritten_words(question, texts)
    if not unwritten:
        return None
    asked = set(re.findall(r"\w+", question.casefold()))
    chosen: list[str] = []
    for script in scripts:
        parsed = parse(script).script
        if parsed is None or asks_sub_model(parsed):
            return None
        tested = [v for _, v in literal_tests(parsed)]
        if not tested or any(set(re.findall(r"\w+", v.casefold())) & asked for v in tested):
            return None
        chosen.extend(v for v in tested if v not in chosen)
    said = ", ".join(repr(v) for v in chosen[:4])
    lines = max(t.count("\n") + 1 for t in texts)
    if lines <= calls:
        how = (f"Ask the sub-model about each line instead, e.g. llm.predict(\"Is this text "
               f"{unwritten[0]}? Answer yes or no.\", text=line), and count or keep the lines "
               "it says yes to.")
    else:
        per = -(-lines // max(1, calls // 2))  # lines a group, in half the calls
        how = (f"Ask the sub-model about groups of lines instead (the input has {lines} "
               f"lines, and a script may make {calls} sub-model calls): for each group of "
               f"{per} lines, e.g. llm.predict(\"How many of these lines are "
               f"{unwritten[0]}? Answer with a number.\", text=group) as int, and add "
               "up what it says.")
    return (f"The question asks about {unwritten[0]!r}, which the input never writes, and "
            f"your scripts decide it by words they chose ({said}): the text may say it in "
            f"many other ways. {how} If you are sure the words decide it, submit the same "
            "answer again.")
