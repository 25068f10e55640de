"""An answer listed in the data's order where the question names its own.

Asked "What are the codes of locker AT-24359, locker AT-75475 and locker
AT-90719? Answer in that order", the 1.5B collected the codes by going down the
input's lines and submitted them in the order the input has them; two such
scripts agreed, and the right values were taken in the wrong order (dev runs,
eleven times on one task). The values themselves say which key each belongs
to: each sits on a line of the input with exactly one of the question's keys.
Where every value of a list answer does, each to another key, and the keys so
found are not in the order the question names them, the answer is misordered:
no vote, and the model is told which value goes with which key. Nothing is
reordered for it. The keys are the question's words that hold a digit
(`AT-24359`, `SKU-82717`, `2196`): names without one are too often words of
every line to tell the lines apart.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = re.compile(r"(?<![\w-])[A-Za-z]*[-_]?\d[\w-]*(?<![-_])")
MAX_ITEMS = 16  # a longer list is not a list of keys' values


def question_keys(question: str) -> list[str]:
    """The question's words that hold a digit, in the order it names them, each once."""
    keys: list[str] = []
    for k in _KEY.findall(question):
        if k not in keys:
            keys.append(k)
    return keys


def _items(value: Any) -> list[str] | None:
    if isinstance(value, list):
        items = [str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool)]
        return items if len(items) == len(value) else None
    if isinstance(value, str) and "," in value:
        return [p.strip() for p in value.split(",")]
    return None


def standalone_word(text: str) -> re.Pattern[str]:
    """`text` where it stands as a word of its own (no word character or '-' beside it:
    'INC-65021' is not in 'INC-650210')."""
    return re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])")


def key_of(item: str, keys: list[str], texts: list[str]) -> int | None:
    """The index of the one key that every input line holding `item` holds, else None."""
    item_re = standalone_word(item)
    key_res = [standalone_word(k) for k in keys]
    found: set[int] = set()
    for text in texts:
        start = 0
        while (at := text.find(item, start)) >= 0:
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            line_end = len(text) if line_end < 0 else line_end
            line = text[line_start:line_end]
            start = line_end + 1
            if not item_re.search(line):
                continue
            held = {i for i, r in enumerate(key_res) if r.search(line)}
            if len(held) != 1:
                return None
            found |= held
            if len(found) > 1:
                return None
    return next(iter(found)) if found else None


def misordered(value: Any, question: str, texts: list[str]) -> list[tuple[str, str]] | None:
    """(value, its key) in the answer's order where a list answer gives the values of the
    question's keys in another order than the question names them; else None."""
    items = _items(value)
    keys = question_keys(question)
    if items is None or not 2 <= len(items) <= MAX_ITEMS or len(keys) != len(items) \
            or not texts or any(not i or i in keys for i in items):
        return None
    owners = [key_of(i, keys, texts) for i in items]
    if any(o is None for o in owners) or len(set(owners)) != len(owners):
        return None
    if owners == sorted(owners):  # type: ignore[type-var]
        return None
    return [(i, keys[o]) for i, o in zip(items, owners, strict=True)]  # type: ignore[index]


def keyed(value: Any, question: str) -> list[tuple[str, str]] | None:
    """(item, its key) where each item of a list answer writes a different one of the
    question's keys with more around it ('SH-15471 is 7107' for "the codes for locker
    SH-15471, ... and SH-92364"): the key and its value cut out together, not the value
    asked for (fresh dev multi-needle-02: two such scripts, taken with confidence). An
    item that is a key alone is an echo (answers.echoes_question); else None."""
    items = _items(value) if isinstance(value, list) else None
    keys = question_keys(question)
    if items is None or len(items) < 2 or len(keys) < 2:
        return None
    found: list[tuple[str, str]] = []
    for item in items:
        key = next((k for k in keys if standalone_word(k).search(item)), None)
        if key is None or item.strip() == key or any(key == k for _, k in found):
            return None
        found.append((item, key))
    return found


_IN_THAT_ORDER = re.compile(r"\bin (?:that|this|the same|the given) order\b", re.IGNORECASE)


def miscounted(value: Any, question: str) -> tuple[int, list[str]] | None:
    """(how many items, the keys) where a list answer to a question that names its keys
    and asks for their values "in that order" has more items than keys: one value a key
    is what it asks (the 1.5B collected the code of every locker of the input, thousands,
    for three, and a def-wrapped copy of its script confirmed them, dev s23); else None.
    Fewer items are not judged: a word of the question with a digit may be no key ("in
    2023")."""
    if not _IN_THAT_ORDER.search(question):
        return None
    items = value if isinstance(value, list) else _items(value)
    keys = question_keys(question)
    if items is None or len(keys) < 2 or len(items) <= len(keys):
        return None
    return len(items), keys
