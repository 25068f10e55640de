"""An answer from the wrong field of the record the question names.

"What is the serial number of asset AT-66844?" names one record (the one line
holding AT-66844) and one of its fields (serial). A script that splits the
line and takes the wrong index submits another field of that very record, the
owner 'Mara Kim': a value read from the data, which a second script may repeat.
The data says what went wrong: the answer sits in the `owner` column of the
one record whose key the question writes, and that record's `serial` is
another value, which the question does not write.

Guards keep a right answer from being judged so: the record must be the only
one holding the question's key (a lookup, not "the store in Paris with the
highest sales", where many records hold Paris), the asked field must hold a
value the question does not write (else the question keys on that field:
"Which asset has serial SN-...?"), and no record may hold the answer in the
asked field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rlmlang.tools import reader

_MAX_CHARS = 4_000_000  # larger inputs are not read again for this
_MIN_KEY = 3  # a record value shorter than this is no key the question names
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# a question that asks for a number computed over the records, not one read from one
_AGGREGATE = re.compile(r"\bhow (many|much)\b|\b(number|count|total|sum|average|mean|"
                        r"percent(age)?|share|proportion|ratio)\b", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(\.\d+)?%?")


@dataclass(frozen=True)
class WrongField:
    """Where the answer was read from, and where the question points."""

    held: str  # the column the answer sits in
    asked: str  # the column the question asks for
    key: str  # the question's key, held by that one record
    line: str  # the record's line


def wrong_field(value: object, question: str, texts: Iterable[str]) -> WrongField | None:
    """The record and fields of an answer taken from the wrong field (module doc), or None."""
    for v, _, text, table, asked in tables_asked(value, question, enumerate(texts)):
        rows = [{k: str(x).strip() for k, x in r.items()} for r in table.records]
        if any(r.get(asked) == v for r in rows):
            return None  # the answer is an asked field somewhere: no misreading to judge
        for row in rows:
            held = next((k for k, x in row.items() if x == v), None)
            want = row.get(asked, "")
            if held is None or not want or _written(want, question):
                continue
            key_col = next((k for k, x in row.items() if k not in (held, asked)
                            and len(x) >= _MIN_KEY and _written(x, question)), None)
            if key_col is None:
                continue
            key = row[key_col]
            if sum(1 for r in rows if r.get(key_col) == key) != 1:
                continue  # the question's value holds in several records: no lookup
            line = next((ln for ln in text.splitlines() if key in ln and v in ln), "")
            return WrongField(held, asked, key, line.strip()[:200])
    return None


def tables_asked(value: object, question: str, texts: Iterable[tuple[Any, str]]
                 ) -> Iterator[tuple[str, Any, str, reader.Table, str]]:
    """(the answer stripped, the text's name, the text, its records, the column the
    question asks) for each text of records that holds a text answer the question does
    not write, and a column the question names."""
    if not isinstance(value, str) or not value.strip() \
            or value.strip().casefold() in question.casefold():
        return
    v = value.strip()
    if counted(v, question):
        return
    for name, text in texts:
        if len(text) > _MAX_CHARS or v not in text:
            continue
        try:
            table = reader.read(text, question)
        except Exception:  # noqa: BLE001 - a text of no records has no field to judge
            continue
        asked = asked_field(question, table.columns)
        if asked is not None:
            yield v, name, text, table, asked


def counted(value: str, question: str) -> bool:
    """A number answering a question that asks for a count, a total or a share: computed
    over the records, so a record's field that happens to hold it says nothing of how it
    was found ("How many packages have Priority: required?" is 36, and 36 is also some
    package's Installed-Size: the 1.5B, told it was a hop short, took that record's
    Status instead)."""
    return _NUMBER.fullmatch(value) is not None and _AGGREGATE.search(question) is not None


def _written(value: str, question: str) -> bool:
    """Does the question write this value, as a word of its own?"""
    return re.search(r"(?<!\w)" + re.escape(value.casefold()) + r"(?!\w)",
                     question.casefold()) is not None


# where a question asks ("what is the", "give its", "find the", ...): the column named
# after the last of these is asked, the rest of the question says where to look
# (at a clause's start: "Which name has ..." asks a name, it does not "name has")
_ASKS = re.compile(r"(?:^|[,.:;!?]\s*|\band\s+|\bthen\s+)"
                   r"(?:what(?:'s|\s+is|\s+are|\s+was|\s+were)|which(?:\s+is|\s+are)?|"
                   r"give(?:\s+me)?|find|name|report|tell\s+me|look\s+up|return)\s+"
                   r"(?:(?:the|its|their|that|this)\s+)?", re.IGNORECASE)


def asked_field(question: str, columns: tuple[str, ...] | list[str]) -> str | None:
    """The column the question asks for, outside quotes: the first one named after the
    last phrase that asks ("what is the", "give that rack's ...": a possessive names
    where to look), else the first one named ("the city of the site of ..." asks the
    city). "Starting from parcel P, follow its depot to the region: what is the hub
    city?" asks the hub city, not the region it names first (fresh dev three-hop-04 was
    told to take the region of its right answer's record). "CSV lines 'id,city,amount'"
    names a headerless table's columns; it does not ask for the id."""
    q = _QUOTED.sub(" ", question).casefold()
    found = []
    for c in columns:
        for m in re.finditer(r"(?<!\w)" + re.escape(c.casefold().replace("_", " ")) + r"(?!\w)",
                             q):
            if not q.startswith("'s", m.end()):
                found.append((m.start(), c))
    if not found:
        return None
    for ask in reversed(list(_ASKS.finditer(q))):
        after = [f for f in found if f[0] >= ask.end()]
        if after:
            return min(after)[1]
    return min(found)[1]
