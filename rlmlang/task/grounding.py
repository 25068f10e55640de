"""Keys the question never reaches: a lookup of a record the question does not ask about.

Asked "What is the city of the site of the rack of server SER-76560?", the 1.5B
looked up rack RAC-83503, the first record of the racks input that the prompt
showed, not the rack of SER-76560: its answer, a city, was some other server's,
and it was taken with confidence (dev three-hop-07). An identifier a script tests
the data for is *grounded* when the question names it, or when it is on a record
that holds a grounded token (a hop: SER-76560's line names RAC-41701, whose record
names SIT-53719, ...; a hop may go through a capitalised name too: an employee's
line names the department "Sales", whose line names D-77). A script that tests
for an identifier the data holds but no hop from the question reaches gives no
vote, whatever it submits, and the model is told where to start.

An identifier is a token of letters and digits both, four characters or more
("RAC-83503", "SIT-53719", "b2196x"); the rule applies only to questions that name
one. A record is the line that holds the token, or, on a line longer than
`_LONG_LINE` (a JSON document on one line), the `{...}` object around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN = re.compile(r"[\w-]+")
_NAME = re.compile(r"[A-Z][a-z]{2,}")  # a name a hop may go through ("Sales", "Bilbao")
_HOPS = 4  # lookups a question may chain (three-hop tasks take three)
_MAX_FOLLOWED = 150  # tokens followed, at most, before the rule gives up
_MAX_SITES = 60  # occurrences of one identifier looked at
_LONG_LINE = 1000


def is_identifier(token: str) -> bool:
    return len(token) >= 4 and any(c.isdigit() for c in token) and \
        any(c.isalpha() for c in token) and _TOKEN.fullmatch(token) is not None


def _seeds(question: str) -> set[str]:
    """The question's identifiers and numbers of three digits or more, folded."""
    return {t.casefold() for t in _TOKEN.findall(question)
            if is_identifier(t) or (t.isdigit() and len(t) >= 3)}


def _record_at(text: str, pos: int) -> str:
    start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    end = len(text) if end < 0 else end
    if end - start <= _LONG_LINE:
        return text[start:end]
    lo, hi = text.rfind("{", start, pos), text.find("}", pos, end)
    lo = lo if lo >= 0 else max(start, pos - 300)
    hi = hi + 1 if hi >= 0 else min(end, pos + 300)
    return text[lo:hi]


def _word(token: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(token) + r"(?![\w-])", re.IGNORECASE)


def grounded(question: str, texts: list[str],
             targets: Iterable[str] = ()) -> set[str] | None:
    """The tokens (folded) reached from the question's own in up to `_HOPS` hops, or
    None where following `_MAX_FOLLOWED` of them could not tell (then nothing is judged:
    a 10 MB input with a name on every line must not cost minutes). Stops early once
    every one of `targets` is reached. Identifiers are followed before names."""
    reached = _seeds(question)
    wanted = {t.casefold() for t in targets}
    frontier = set(reached)
    followed = 0
    for _ in range(_HOPS):
        if wanted and wanted <= reached:
            return reached
        found: set[str] = set()
        for token in sorted(frontier, key=lambda t: (not is_identifier(t), t)):
            followed += 1
            if followed > _MAX_FOLLOWED:
                return None
            pattern = _word(token)
            for text in texts:
                for i, m in enumerate(pattern.finditer(text)):
                    if i >= _MAX_SITES:
                        break
                    found.update(t.casefold() for t in _TOKEN.findall(_record_at(text, m.start()))
                                 if is_identifier(t) or _NAME.fullmatch(t))
        frontier = found - reached
        reached |= frontier
        if not frontier:
            break
    return reached


def ungrounded_key(literals: Iterable[str], question: str, texts: list[str]) -> str | None:
    """What the model is told of a script that tests the data for an identifier no hop
    from the question reaches (module doc), or None."""
    seeds = _seeds(question)
    if not any(is_identifier(s) for s in seeds):
        return None
    folded_q = question.casefold()
    candidates = [lit.strip() for lit in dict.fromkeys(literals)
                  if is_identifier(lit.strip()) and lit.strip().casefold() not in folded_q
                  and any(_word(lit.strip()).search(t) for t in texts)]
    if not candidates:
        return None
    reached = grounded(question, texts, candidates)
    if reached is None:
        return None
    lost = next((c for c in candidates if c.casefold() not in reached), None)
    if lost is None:
        return None
    named = ", ".join(sorted(t for t in _TOKEN.findall(question) if is_identifier(t)))
    return (f"That script looks up {lost!r}, which the question does not name, and no "
            f"record reached from what it names ({named}) holds it: it is another "
            f"record's key (one of the first lines shown?), so what the script finds from "
            f"it answers for another record. Start from {named}: find its record, take "
            "the key it gives, and follow that key into the next input.")


def keyless(literals: Iterable[str], question: str, texts: list[str]) -> str | None:
    """What the model is told of a script that writes none of the keys the question names
    (an identifier some input holds: "SH-69043"), nor any other identifier, where the
    question names such a key: what it submits is read from a record at a fixed place,
    not from the one asked about (fresh dev nested-json-07: `json.loads(lines(orders)[1])`,
    the second order, drawn three times, outvoted the lookup of SH-69043). None where the
    script writes a key, or its digits, or a value with a digit read off a key's record
    (the IP of the host asked about); a script that reads the question itself, or
    submits a literal (task/guess.py judges that), is not asked about (the caller's)."""
    keys = [t for t in dict.fromkeys(_TOKEN.findall(question))
            if is_identifier(t) and any(_word(t).search(x) for x in texts)]
    if not keys:
        return None
    records = [_record_at(x, m.start()) for k in keys for x in texts
               for m in list(_word(k).finditer(x))[:_MAX_SITES]]
    for lit in literals:
        folded = lit.casefold()
        if any(k.casefold() in folded for k in keys) or any(
                is_identifier(t) for t in _TOKEN.findall(lit)):
            return None
        digits = re.sub(r"\D", "", lit)
        if len(digits) >= 3 and any(digits in re.sub(r"\D", "", k) for k in keys):
            return None
        if digits and len(lit) >= 3 and any(lit in r for r in records):
            return None  # a value read off the key's record ("10.52.16.208": a hop)
    named = ", ".join(keys)
    return (f"That script never writes {named}, which the question names: what it submits "
            f"is read from a record at a fixed place, not from the one asked about. Find "
            f"the record that holds {keys[0]} (search for it), and read the answer from it.")
