"""What a count counts: a question that counts lines, answered by a loop over words.

"How many lines contain all of the words 'sayest' and 'Peter'?" counts lines. The 1.5B's
greedy script went through `context.split(" ")`, the text's words, and counted how
often the words of the question came up in a run: 1 (the answer was 2, 18 in another
sample). It drew that script first in each of three samples of the template (dev23,
fresh dev 20 and 21), and the wrapped copy it drew next confirmed it. A loop over the
words of a whole input cannot count its lines, whatever it does with them, so its
answer is no vote, and the model is told what it went through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr

_COUNTS_LINES = re.compile(r"\b(?:how many|number of|count(?: the)?)\s+(?:\w+\s+)?lines\b",
                           re.IGNORECASE)


def words_for_lines(parsed: ast.Script, question: str, inputs: Iterable[str]) -> str | None:
    """What the model is told of a script that counts lines by going through the words of
    a whole input (module doc), or None."""
    if not _COUNTS_LINES.search(question):
        return None
    names = set(inputs)
    bound = {s.target.id: s.value for s in parsed.body
             if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name)}
    for node in ast.walk(parsed):
        if not isinstance(node, ast.For):
            continue
        over = bound.get(node.iter.id, node.iter) if isinstance(node.iter, ast.Name) \
            else node.iter
        text = ast.words_split(over)
        if text in names:
            return (f"The question counts lines, but that script goes through the words of "
                    f"{text} ({print_expr(over)} cuts it at every space): what it counts "
                    f"are words, not lines. Go through {text}.splitlines() and test each "
                    "line.")
    return None

