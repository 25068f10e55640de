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

from rlmlang.tools.errors import ToolError

MAX_PATTERN = 2_000  # characters; a longer pattern is almost surely a mistake
MAX_MEM = 64 << 20  # RE2's memory budget per compiled program


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


def findall(pattern: str, text: str) -> list[str]:
    """Every non-overlapping match (group 1 if the pattern has groups)."""
    p = compile_pattern(pattern)
    return [_pick(m, p.groups) for m in p.finditer(text)]
