"""Regular expressions in linear time, through RE2.

Scripts are written by a model and run on inputs of megabytes, so a regex
engine that backtracks (Python's `re`) could be made to run for hours by one
pattern such as `(a+)+$`. RE2 matches in time linear in the text, with a
memory cap, and rejects the features that need backtracking (backreferences,
lookaround) at compile time, which we report as a plain tool error.
Compiled patterns are cached, because scripts call the same pattern in loops.
"""

from __future__ import annotations

from functools import lru_cache

import re2

from rlmlang.cost import CHARS_PER_FUEL
from rlmlang.tools.errors import ToolError

MAX_PATTERN = 2_000  # characters; a longer pattern is almost surely a mistake
MAX_MEM = 64 << 20  # RE2's memory budget per compiled program
# The RE2 binding spends microseconds on each call and each match, whatever their length
# (measured: about 4 us a call, 2.5-13 us a match; bench/micro_fuel.py), so both are
# charged: a call's base fuel, and each match of findall as this many units of work.
CALL_FUEL = 16
MATCH_WORK = 16 * CHARS_PER_FUEL
# A skill that does work per matching line (a search resumed after each) spends about
# 2.5-4 us on each, a second phrase checked in it 1.3 more (bench/micro_fuel.py): the
# binding's call costs the same on a quiet machine as on a loaded one.
LINE_FUEL = 3


def _options() -> re2.Options:
    o = re2.Options()
    o.log_errors = False
    o.max_mem = MAX_MEM
    return o


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re2._Regexp:
    """The compiled pattern, or a ToolError saying why it is not a valid RE2 pattern."""
    if len(pattern) > MAX_PATTERN:
        raise ToolError(f"the pattern is {len(pattern)} characters long; at most "
                        f"{MAX_PATTERN} are allowed")
    try:
        return re2.compile(pattern, _options())
    except re2.error as e:
        why = e.args[0].decode("utf-8", "replace") if e.args and isinstance(
            e.args[0], bytes) else str(e)
        raise ToolError(f"invalid regular expression {pattern!r}: {why}",
                        "use RE2 syntax: no backreferences (\\1) and no lookaround "
                        "((?=...), (?!...), (?<=...)); escape literal ( ) [ ] . * + ? "
                        "with a backslash") from None


def _pick(m: re2._Match, groups: int) -> str:
    if groups == 0:
        return m.group(0)
    g = m.group(1)
    return g if g is not None else ""


def search(pattern: str, text: str) -> str:
    """The first match (group 1 if the pattern has groups), or "" if none."""
    p = compile_pattern(pattern)
    m = p.search(text)
    return "" if m is None else _pick(m, p.groups)


def lines_matching(p: re2._Regexp, text: str) -> list[str]:
    """The lines of text (split at "\\n", without it) in which p matches, each once, in
    order; the line of a match is the one its group 1 (else the match) starts in.

    One search per matching line, resumed after it, on the text encoded once: the
    binding's finditer spends microseconds on every match and re-encodes the text on
    every search, so a line holding many matches, or many searches, would not be linear.
    """
    rx = getattr(p, "_regexp", None)
    if rx is None or not hasattr(rx, "Match"):  # another binding: finditer, line by line
        return _lines_matching_slow(p, text)
    data = text.encode("utf-8")
    n = len(data)
    group = 1 if p.groups else 0
    out: list[str] = []
    pos = 0
    while pos <= n:
        spans = rx.Match(re2._Anchor.UNANCHORED, data, pos, n)
        if spans[0][0] < 0:
            break
        at = spans[group][0] if spans[group][0] >= 0 else spans[0][0]
        start = data.rfind(b"\n", max(pos - 1, 0), at) + 1
        end = data.find(b"\n", at)
        end = n if end < 0 else end
        out.append(data[start:end].decode("utf-8"))
        pos = end + 1
    return out


def matches(p: re2._Regexp, text: str) -> bool:
    """Whether p matches anywhere in text (one search, no match object made)."""
    rx = getattr(p, "_regexp", None)
    if rx is None or not hasattr(rx, "Match"):
        return p.search(text) is not None
    data = text.encode("utf-8")
    return rx.Match(re2._Anchor.UNANCHORED, data, 0, len(data))[0][0] >= 0


def _lines_matching_slow(p: re2._Regexp, text: str) -> list[str]:
    out: list[str] = []
    line_end = -1
    for m in p.finditer(text):
        at = m.start(1) if p.groups else m.start(0)
        if at <= line_end:
            continue  # the line already found
        start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        out.append(text[start:line_end])
    return out


def findall(pattern: str, text: str) -> list[str]:
    """Every non-overlapping match (group 1 if the pattern has groups)."""
    p = compile_pattern(pattern)
    return [_pick(m, p.groups) for m in p.finditer(text)]
