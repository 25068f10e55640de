"""A bound searched for as a phrase: a comparison read as a text search.

"How many earthquakes had a magnitude of 5.5 or more?" compares each
magnitude with 5.5. A script that looks for the text "5.5"
(`find_lines(quakes, "5.5")`, `"5.5" in line`) finds the lines that write 5.5
itself, not those whose magnitude is 6.1: its count, 14, is a count of another
thing, and a second script that filtered the same search by `>= 5.5` agreed
with it (a probe of real data: the vote took 14; the answer was 38). Whatever
the script does with the lines after, the search has already dropped every
value past the bound, so its answer is no vote, and the model is told to
compare the value as a number.

The bound is a number the question writes beside a comparison ("5.5 or more",
"at least 3", "more than 100", "over 2,000", "below 0"); a search is a search
tool's literal argument (which calls search is searches.search_spec's to say,
passed in as `is_search`) or a test of the script's own that a literal is
`in` a text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rlmlang.syntax import ast
from rlmlang.syntax.ast import literal_value
from rlmlang.syntax.printer import print_expr

_NUMBER = r"-?\$?\d[\d,]*(?:\.\d+)?"
_BEFORE = re.compile(r"\b(at least|at most|more than|less than|greater than|fewer than|"
                     r"higher than|lower than|larger than|smaller than|bigger than|over|"
                     r"above|below|under|exceeding|exceeds?|beyond|up to)\s+(" + _NUMBER + ")",
                     re.IGNORECASE)
_AFTER = re.compile(r"(" + _NUMBER + r")\s*(?:[a-z%]+\s+)?or\s+(more|less|greater|higher|"
                    r"lower|fewer|above|below|over|under|larger|smaller|bigger|better|worse)\b",
                    re.IGNORECASE)


def question_bounds(question: str) -> dict[str, str]:
    """The numbers the question compares with, as it writes them -> the phrase that
    compares ("5.5" -> "5.5 or more")."""
    found: dict[str, str] = {}
    for m in _BEFORE.finditer(question):
        found.setdefault(_plain(m.group(2)), m.group(0))
    for m in _AFTER.finditer(question):
        found.setdefault(_plain(m.group(1)), m.group(0))
    return found


def _plain(number: str) -> str:
    return number.replace("$", "").replace(",", "")


def bound_searched(parsed: ast.Script, question: str,
                   is_search: Callable[[ast.Call], bool]) -> str | None:
    """What the model is told of a search for a bound the question compares with (module
    doc), or None."""
    bounds = question_bounds(question)
    if not bounds:
        return None
    for node in ast.walk(parsed):
        for phrase in _searched(node, is_search):
            text = phrase.strip().replace(",", "")
            if text in bounds:
                return (f"The question compares with {text} ({bounds[text]!r}), but "
                        f"{print_expr(node)} looks for the text {phrase!r}: it finds only "
                        f"the lines that write {text} itself, never a larger or a smaller "
                        "value, so what the script counts or takes from them is not what "
                        "the question asks. Read the value from each record as a number "
                        f"and compare it with {text} (e.g. float(r[\"...\"]) >= {text}).")
    return None


def _searched(node: object, is_search: Callable[[ast.Call], bool]) -> list[str]:
    """The literal phrases `node` searches the data for."""
    if isinstance(node, ast.Compare) and node.op == "in":
        value = literal_value(node.left)
        return [value] if isinstance(value, str) else []
    if isinstance(node, ast.Call) and len(node.args) >= 2 and is_search(node):
        value = literal_value(node.args[1])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
    return []
