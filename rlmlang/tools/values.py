"""How tools show values as text and read numbers out of text.

`display` is the one text form of a value: `str(x)`, `print(x)` and the
skills agree on it, and it is Python's (a small model reads and writes
Python). `parse_number` is forgiving in the ways data is untidy (spaces,
thousands separators, a currency sign, a trailing %), and strict otherwise:
"12abc" is not a number; `matcher` is when a table's cell is a value (the
skills' and the table operations' one equality). The size constants bound how long `display` can
make a value, for the verifier's size obligations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from rlmlang.tools.errors import ToolError

# Characters of display text per unit of Size.total: Python's repr escapes a
# character to at most 10 (\U000e0001), an int or float is at most 24, and a
# container adds quotes, brackets, ": " and ", " per element.
DISPLAY_PER_UNIT = 48
DISPLAY_BASE = 32


def display(x: object) -> str:
    """The text form of a value: strings as they are, everything else as Python shows it."""
    if isinstance(x, str):
        return x
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return repr(x)
    return repr(x) if isinstance(x, (list, dict)) else str(x)


_CURRENCY = "$€£¥₹"
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")
# A number inside text: a sign only at the start or after a space or bracket
# (so "D-14" gives 14, not -14); not glued to letters on its left.
_IN_TEXT = re.compile(r"(?:(?<=^)|(?<=[\s(\[:=,;/]))[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
                      r"(?:\.\d+)?|(?<![A-Za-z0-9.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
                      r"(?:\.\d+)?")


_PLAIN_NUMBER = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*")


def numbers_as_text(keys: list[Any]) -> list[float] | None:
    """The numbers, where every key is a text that is a plain number ("4050.95", "-3"):
    what a text comparison gets wrong ('9' > '10'); else None."""
    if len(keys) < 2 or not all(isinstance(k, str) and _PLAIN_NUMBER.fullmatch(k)
                                for k in keys):
        return None
    return [float(k) for k in keys]


def check_text_order(fn: str, keys: list[Any], best: int | None = None,
                     order: list[int] | None = None, reverse: bool = False) -> None:
    """Fail (ToolError, with the fix to convert) where `_text_order_message` finds the text
    order wrong; max, min and sorted, in every spelling, ask it alike."""
    message = _text_order_message(fn, keys, best, order, reverse)
    if message:
        raise ToolError(message, _TEXT_ORDER_FIX)


def _text_order_message(fn: str, keys: list[Any], best: int | None = None,
                        order: list[int] | None = None, reverse: bool = False) -> str | None:
    """The message where numbers written as text are compared as text and that picks
    another item (`best`, the index max/min chose) or another order (`order`) than the
    numbers would: max of ["980.5", "4050.95"] is "980.5". None where the text
    comparison gives what the numbers give (codes of one width, single digits)."""
    nums = numbers_as_text(keys)
    if nums is None:
        return None
    if best is not None:
        pick = max(nums) if fn.startswith("max") else min(nums)
        if nums[best] == pick:
            return None
        what = "the largest" if fn.startswith("max") else "the smallest"
        return (f"{fn}: these are numbers written as text, and text compares them letter by "
                f"letter ('9' > '10'): {what} as text, {keys[best]!r}, is not {what} as "
                "a number")
    if order is not None and [nums[i] for i in order] != sorted(nums, reverse=reverse):
        return (f"{fn}: these are numbers written as text, and text sorts them letter by "
                "letter ('9' after '10'): the order as text is not the order as numbers")
    return None


_TEXT_ORDER_FIX = ("convert them to numbers first: float(x) (max(rows, key=lambda r: "
                  "float(r[\"balance\"])), sorted(xs, key=float))")


def parse_number(text: str) -> float | None:
    """The number a short text spells ("1,234.5", " $12 ", "-3", "45%"), or None."""
    s = text.strip()
    if s.endswith("%"):
        s = s[:-1].strip()
    if s[:1] in _CURRENCY:
        s = s[1:].strip()
    elif s[:1] in "+-" and s[1:2] in _CURRENCY:
        s = s[0] + s[2:].strip()
    if not s or _NUMBER.fullmatch(s) is None:
        return None
    v = float(s.replace(",", ""))
    return v if math.isfinite(v) else None


def numbers_in(text: str) -> list[str]:
    """The numbers written in a text, in order, as they appear (e.g. "1,234", "-3.5")."""
    return [m.group(0) for m in _IN_TEXT.finditer(text)]


_IN_KEY = re.compile(r"[A-Za-z][-_]$")


def numbers_outside_keys(text: str) -> list[str]:
    """numbers_in, less the digits of a key of letters joined to them by a hyphen or an
    underscore ("INV-24779", "SER_12"); all of numbers_in where nothing else is left.
    "Guest INV-24779 chose the pass phrase 5555." gave its first number, the key's, to
    extract_number, and a script summed two guests' keys (fresh dev multi-needle-03)."""
    found = [m.group(0) for m in _IN_TEXT.finditer(text)
             if not _IN_KEY.search(text[max(0, m.start() - 2):m.start()])]
    return found or numbers_in(text)


def to_int_value(v: float) -> int:
    """A float to int toward zero, refusing values no int can hold."""
    if not math.isfinite(v):
        raise ValueError("not a finite number")
    return int(v)


def matcher(value: Any) -> Callable[[str], bool]:
    """Whether a cell is `value`: trimmed, case-insensitive; numbers compare as numbers.

    A function of the cell, so the value's forms are computed once per scan.
    """
    v = display(value).strip()
    folded = v.casefold()
    number = parse_number(v)

    def same(cell: str) -> bool:
        c = cell.strip()
        if c.casefold() == folded:
            return True
        return number is not None and parse_number(c) == number

    return same
