"""Dates: read as ISO text, counted in days.

The language has no date type; a date is the text `YYYY-MM-DD`, which sorts and
compares (`<`, `==`) as the dates do, and whose slices are its parts
(`d[:7]` is the month). Data writes dates every way ("2024-05-09",
"Dec 21 2004", "21 December 2004", "May 9, 2024", "09/05/2024"); coder models
reach for `datetime.strptime` and `(d2 - d1).days`. `to_date` reads the first
date a text writes in any of those forms, and `days_between` counts the days
between two of them, so a script compares dates the data writes differently
without knowing the format.

A numeric date with the day and the month both 12 or under ("05/09/2024") is
read month first, as the US writes it; one whose first number is over 12 is
read day first. A text with no date is an error (`is_date` tests first): an
empty date would drop a line from a range silently.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from rlmlang.tools.builtins import _need_str
from rlmlang.tools.declare import fuel, scalar, str_size, tool
from rlmlang.tools.errors import ToolError, preview
from rlmlang.tools.registry import ToolSpec

_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_FORMS = [  # in the order tried at each position: the earliest match in the text wins
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})(?!\d)"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)", re.I),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+" + _MONTH + r",?[\s-]+(?P<y>\d{4})"
               r"(?!\d)", re.I),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
]
_WORD_EDGE = re.compile(r"[A-Za-z]")


def _read(text: str) -> _dt.date | None:
    """The earliest date written in `text`, or None."""
    found: list[tuple[int, _dt.date]] = []
    for form in _FORMS:
        for m in form.finditer(text):
            g = m.groupdict()
            if g.get("mon") and m.start() > 0 and _WORD_EDGE.match(text[m.start() - 1]):
                continue  # "Mayor 12 2004" holds no month
            y = int(g["y"])
            if g.get("mon"):
                month, day = _MONTHS[g["mon"].lower()], int(g["d"])
            elif g.get("a"):
                a, b = int(g["a"]), int(g["b"])
                month, day = (b, a) if a > 12 else (a, b)
            else:
                month, day = int(g["m"]), int(g["d"])
            try:
                found.append((m.start(), _dt.date(y, month, day)))
                break  # the first valid date of this form
            except ValueError:
                continue
    return min(found, key=lambda f: f[0])[1] if found else None


def read_date(text: str) -> _dt.date | None:
    """The earliest date `text` writes, in any of the forms to_date reads, or None."""
    return _read(text)


def _date(name: str, text: Any) -> _dt.date:
    d = _read(_need_str(name, "text", text))
    if d is None:
        raise ToolError(f"{name}: {preview(text)} holds no date",
                        "test first: if is_date(text): ...")
    return d


def _to_date(text: Any) -> str:
    return _date("to_date", text).isoformat()


def _is_date(text: Any) -> bool:
    return _read(_need_str("is_date", "text", text)) is not None


def _days_between(a: Any, b: Any) -> int:
    return (_date("days_between", b) - _date("days_between", a)).days


def date_specs() -> list[ToolSpec]:
    return [
        tool("to_date", "text: str", "str", _to_date,
             'The first date in text as ISO "YYYY-MM-DD" ("Dec 21 2004", "21/12/2004", '
             '"May 9, 2024", "2024-05-09T10:00" -> "2024-05-09"): compare with < and ==, '
             "d[:7] is the month; an error if there is none",
             cost=fuel(0), size=str_size(lambda s: 10), prompt=True,
             example='day = to_date(cells[2])\nif "2024-05-01" <= day <= "2024-05-31":\n    n += 1'),
        tool("is_date", "text: str", "bool", _is_date,
             "Whether text holds a date to_date reads.", cost=fuel(0), size=scalar(),
             example="if is_date(cells[0]):\n    print(to_date(cells[0]))"),
        tool("days_between", "a: str, b: str", "int", _days_between,
             "The days from date a to date b (negative if b is earlier), each read as "
             "to_date reads it.", cost=fuel(0, 1), size=scalar(), prompt=True,
             example='submit(days_between("2023-01-15", "Mar 1 2023"))'),
    ]
