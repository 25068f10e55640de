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

A range of dates ("between Feb 18 2002 and Mar 9 2002") is compared the same way,
and read as text the same way: `find_lines(orders, "2024-05-03", "2024-05-25")` keeps
the lines that write one of the two bounds, and a script that compares nothing
(`"Feb" in r["date"] and "2002" in r["date"]`) keeps what writes a part of them: every
day of February, none of March (fresh dev date-range-04 took 137.5 so, twice). A part
of a bound is judged only in a script with no ordered comparison and no date reading
(`to_date`, `days_between`): a year tested before the dates are compared is a harmless
first cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rlmlang.syntax import ast
from rlmlang.syntax.ast import literal_value
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script
from rlmlang.tools.dates import read_date

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
    dates = date_range(question)
    if dates is not None and (said := _date_searched(parsed, dates, is_search)):
        return said
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


# "between D1 and D2", "from D1 through D2" (to, until, till), up to "inclusive", ", both
# ...", the sentence's end
_RANGE = re.compile(r"\b(?:between\s+(.+?)\s+and|from\s+(.+?)\s+(?:through|thru|to|until|till))"
                    r"\s+(.+?)(?=\s+inclusive\b|,\s+(?:both|inclusive)\b|\s*[?;]|\.\s|\.?\s*$)",
                    re.IGNORECASE)
_ORDERED = ("<", "<=", ">", ">=")
_DATE_CALLS = ("to_date", "days_between")


def date_range(question: str) -> tuple[str, str] | None:
    """The two dates of a range the question asks about ("between Feb 18 2002 and Mar 9
    2002", "from 2024-05-01 through 2024-05-14"), as it writes them, or None."""
    m = _RANGE.search(question)
    if m is None:
        return None
    low, high = (m.group(1) or m.group(2)).strip(" ,"), m.group(3).strip(" ,")
    return (low, high) if read_date(low) and read_date(high) else None


def _date_searched(parsed: ast.Script, dates: tuple[str, str],
                   is_search: Callable[[ast.Call], bool]) -> str | None:
    compares = any(isinstance(n, ast.Compare) and n.op in _ORDERED or
                   isinstance(n, ast.Call) and n.func in _DATE_CALLS for n in ast.walk(parsed))
    for node in ast.walk(parsed):
        for phrase in _searched(node, is_search):
            text = phrase.strip()
            whole = text.casefold() in (d.casefold() for d in dates)
            part = not compares and len(text) >= 3 and any(
                re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", d, re.IGNORECASE)
                for d in dates)
            if whole or part:
                return (f"The question asks for the dates between {dates[0]} and {dates[1]}, "
                        f"but {print_expr(node)} looks for the text {phrase!r}: it keeps the "
                        "lines that write it, not those whose date lies in the range. Read "
                        "each record's date and compare it with both ends: "
                        f"to_date({dates[0]!r}) <= to_date(r[\"...\"]) <= to_date({dates[1]!r}).")
    return None


def without_range_search(script: str, question: str,
                         is_search: Callable[[ast.Call], bool]) -> str | None:
    """The script with its search for a date range's ends (`find_lines(orders,
    "2024-02-28", "2024-03-07")`) reading the input's lines that hold a date instead, as a
    fix-it, where the script also compares dates: told to compare, the 1.5B added the
    comparison and kept the search, which kept nothing (fresh dev date-range-01, three
    rounds). None where there is no such search or no comparison."""
    dates = date_range(question)
    parsed = parse(script).script
    if dates is None or parsed is None or not any(
            isinstance(n, ast.Compare) and n.op in _ORDERED for n in ast.walk(parsed)):
        return None
    ends = {d.casefold() for d in dates}
    call = next((n for n in ast.walk(parsed) if isinstance(n, ast.Call) and is_search(n)
                 and isinstance(n.args[0], ast.Name) and _searched(n, is_search)
                 and all(p.strip().casefold() in ends for p in _searched(n, is_search))), None)
    if call is None:
        return None
    name = ast.unused_name("dated_line", ast.identifiers(parsed))
    text = print_expr(call.args[0])
    dated = parse(f"x = [{name} for {name} in lines({text}) if is_date({name})]\n").script
    assert dated is not None and isinstance(dated.body[0], ast.Assign)
    return print_script(ast.replace_node(parsed, call, dated.body[0].value))


def _searched(node: object, is_search: Callable[[ast.Call], bool]) -> list[str]:
    """The literal phrases `node` searches the data for."""
    if isinstance(node, ast.Compare) and node.op == "in":
        value = literal_value(node.left)
        return [value] if isinstance(value, str) else []
    if isinstance(node, ast.MethodCall) and node.method in ("startswith", "endswith") \
            and len(node.args) == 1:  # `r["date"].startswith("Dec 25 1999")` (date-range-04)
        value = literal_value(node.args[0])
        return [value] if isinstance(value, str) else []
    if isinstance(node, ast.Call) and len(node.args) >= 2 and is_search(node):
        found: list[str] = []
        for arg in node.args[1:]:  # find_lines(text, "a", "b"): each phrase
            value = literal_value(arg)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
        return found
    return []
