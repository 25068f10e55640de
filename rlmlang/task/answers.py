"""Answers: turning what a script submits into the task's output type, and comparing them.

A scalar task output (`-> answer: int`) accepts any scalar submit: a tiny
model that finds "22" for an int answer, or 21.0 from a sum, has the answer,
not a type error. A text answer takes a list of texts, joined, but never a
dict: a mapping is not the one value a question asks for. The conversion is
exact or it fails with a message the model can act on (`"abc" is not a whole
number`); composite outputs (lists, dicts, records) must already have their
declared type.
"""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rlmlang.store import canonical_json
from rlmlang.task.fields import wrong_field
from rlmlang.task.order import keyed, miscounted, misordered, question_keys
from rlmlang.tools.reader import header_only
from rlmlang.types import Prim, Type, conforms, format_type, kind_of

SCALARS = ("int", "float", "str", "bool")


def is_scalar(t: Type | None) -> bool:
    return isinstance(t, Prim) and t.name in SCALARS


def check_type_for(output: Type | None) -> Type | None:
    """The type the checker holds submit to: none for scalar outputs (converted after)."""
    return None if is_scalar(output) else output


class AnswerError(ValueError):
    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


_LEADING_NUMBER = re.compile(r"\s*-?\d[\d,]*(\.\d+)?")


_WHOLE_TEXT = re.compile(r"\s*[-+]?\d{1,3}(?:,\d{3})*\.?\s*|\s*[-+]?\d+\.?\s*")


def _number(text: str) -> float:
    s = text.strip().replace(",", "").rstrip(".")
    try:
        return float(s)
    except ValueError:
        lead = _LEADING_NUMBER.match(text)
        # "9450.\n2 Kings 20:6 …": a split at the label kept the rest of the input after it
        fix = (f"the text starts with the number {lead.group(0).strip()} and runs on after it: "
               "submit the number alone, e.g. extract_int(text), or the text cut at the end "
               "of its line") if lead else None
        raise AnswerError(f"{text[:40]!r} is not a number", fix) from None


# "Round to 1 decimal.", "rounded to two places"; without "round", "in percent to 1
# decimal", "to 2 decimal places", "with 3 decimals" (not "to 2 places": a place is more)
_ROUND_TO = re.compile(r"(?:\bround(?:ed|ing)?\b[^.?!]{0,30}?\bto\s+(\d|one|two|three|four)\s+"
                       r"(?:decimals?|decimal\s+places?|places?|d\.\s?p\.)"
                       r"|\b(?:to|with|at)\s+(\d|one|two|three|four)\s+"
                       r"(?:decimals?|decimal\s+places?|d\.\s?p\.))", re.I)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4}


_DECIMAL_TEXT = re.compile(r"\s*-?\d+\.\d+\s*")


def rounded_as_asked(value: Any, question: str) -> Any:
    """A float rounded as the question asks ("Round to 1 decimal."), half up: 33.933...
    and 33.9 are one answer (the 1.5B's scripts split the vote between them). So is a
    decimal number written as text (`submit(f"{total}")` gave '61.800000000000004' for a
    total asked to 2 decimals, and '61.8' another script): rounded, as text."""
    if isinstance(value, str) and question and _DECIMAL_TEXT.fullmatch(value):
        rounded = rounded_as_asked(float(value), question)
        return value if rounded == float(value) else str(rounded)
    if not isinstance(value, float) or not question or math.isnan(value) or \
            math.isinf(value):
        return value
    m = _ROUND_TO.search(question)
    if m is None:
        return value
    said = m.group(1) or m.group(2)
    places = int(said) if said.isdigit() else _WORD_NUMBERS[said.lower()]
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def coerce_answer(value: Any, t: Type | None, question: str = "") -> Any:
    """`value` as a `t`, exactly, or AnswerError saying why not. None stays None, an empty
    answer whatever the type (it was written into a text answer as 'null', and the 1.5B's
    `submit(city)` of a lookup that found nothing was confirmed as the answer "null").
    A float is rounded as the `question` asks (rounded_as_asked)."""
    if value is None or t is None:
        return value
    if question:
        value = rounded_as_asked(value, question)
    if not is_scalar(t) and conforms(value, t):
        return [without_full_stop(v) for v in value] if isinstance(value, list) else value
    if not is_scalar(t):
        raise AnswerError(f"the answer must be {format_type(t)}")
    name = t.name  # type: ignore[attr-defined]
    if name == "str":
        if isinstance(value, str):
            return without_full_stop(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ", ".join(value)
        if isinstance(value, dict):  # the checker refuses it where it knows the type
            raise AnswerError(f"the answer must be one text, not {format_type_of(value)}")
        return json.dumps(value, ensure_ascii=False)
    if name == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
            return value.strip().lower() in ("true", "yes")
        raise AnswerError(f"{value!r} is not true or false")
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise AnswerError(f"the answer must be {name}, not {format_type_of(value)}")
    if name == "int" and isinstance(value, str) and _WHOLE_TEXT.fullmatch(value):
        # exactly: through a float, big_pow(10, 72)'s digits came out 9999…7216
        return int(value.strip().replace(",", "").rstrip("."))
    if name == "int" and isinstance(value, int):
        return value
    number = _number(value) if isinstance(value, str) else float(value)
    if math.isnan(number) or math.isinf(number):
        raise AnswerError(f"{value!r} is not a finite number")
    if name == "float":
        return rounded_as_asked(float(number), question)
    if not number.is_integer():
        raise AnswerError(f"{value!r} is not a whole number")
    return int(number)


_FULL_STOP = re.compile(r"(?<=[^\W_])\.$")
_ABBREVIATION = re.compile(r"(?:\w\.)+\w|\w{1,3}")


def without_full_stop(value: Any) -> Any:
    """A short one-line text without the full stop of the sentence it was read from:
    'silver copper.' of "Guest INV-97375 chose the pass phrase silver copper." (the
    1.5B's split at the label kept it, and the sub-model's wrong reading outvoted it).
    An abbreviation's stop stays ('Acme Inc.', 'U.S.')."""
    if not isinstance(value, str) or "\n" in value.strip() or len(value) > 80:
        return value
    text = value.strip()
    last = text.rsplit(None, 1)[-1][:-1] if text else ""
    if not _FULL_STOP.search(text) or _ABBREVIATION.fullmatch(last):
        return value
    return text[:-1]


def format_type_of(value: Any) -> str:
    kind = kind_of(value)
    return {"list": "a list", "dict": "a dict", "none": "None"}.get(kind, kind)


def answer_key(value: Any) -> str:
    """What two answers must share to count as the same vote."""
    if isinstance(value, str):
        if _DECIMAL_TEXT.fullmatch(value):  # '61.800000000000004' and '61.8' are one number
            return canonical_json(_same_number(float(value)))
        return value.strip().lower()
    return canonical_json(_same_number(value))


def _same_number(value: Any) -> Any:
    """Floats as the number they stand for: 39935.79999999999 (a loop's running sum) and
    39935.8 (`sum(...)` of the same weights) were two answers of a vote, each against the
    other; 763675.0 and 763675 are one number too. Twelve significant digits."""
    if isinstance(value, float) and math.isfinite(value):
        x = float(f"{value:.12g}")
        return int(x) if x.is_integer() and abs(x) < 2 ** 53 else x
    if isinstance(value, list):
        return [_same_number(v) for v in value]
    if isinstance(value, dict):
        return {k: _same_number(v) for k, v in value.items()}
    return value


# What a script writes for "nothing found": `badges.get("9876", "not found")`.
NOTHING_FOUND = frozenset({"not found", "none", "unknown", "n/a", "no match", "no matches",
                           "no answer", "no result", "no results", "not available",
                           "nothing found", "no data", "null"})
_LITERALS = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')
# A sentence the script writes for finding nothing: "no section found with 'blaze' in its
# title" (a def's fallback, dev s19), "No codes found for locker ...".
# "no terminal for flight TP7577" (a script's else branch, dev lookup-05) says the same.
_NOTHING_SAID = re.compile(r"^(?:no|not|nothing|none)\b.*\b(?:found|matche[sd]|match|exists?|"
                           r"mentions?|available)\b"
                           r"|^no\s+(?:[a-z_-]+\s+){1,2}(?:for|with|named|called|matching)\s")


def found_nothing(value: Any, script: str) -> bool:
    """Whether the answer says nothing was found: it is empty, or it is the script's own
    text for finding nothing, a phrase such as "not found" that the script writes as a
    literal (a default or a fallback), or a sentence that says so ("no section found with
    ..."), not a value it read. The 1.5B's
    `badges.get("9876", "not found")` over badges it had misread was submitted, and
    confirmed, as the answer."""
    if is_empty_answer(value) or has_empty_item(value):
        return True
    said = value.strip().lower() if isinstance(value, str) else ""
    if said not in NOTHING_FOUND and not _NOTHING_SAID.match(said):
        return False
    return any(said == (a or b).strip().lower() for a, b in _LITERALS.findall(script))


def is_empty_answer(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, dict)) and len(value) == 0


def has_empty_item(value: Any) -> bool:
    """A list answer with an empty text among its items: what a split or `value_after`
    gives for a key it did not find. Asked the codes of two lockers, a script that looked
    after the first key on both lines submitted ['5956', ''] and kept the right answer
    from standing alone (fresh dev multi-needle-01)."""
    return isinstance(value, list) and any(isinstance(v, str) and not v.strip() for v in value)


_LINE_WORDS = frozenset({"line", "lines", "row", "rows", "record", "records", "entry",
                         "entries"})
_FIELD_SPLIT = re.compile(r"[\s,;|\t]+")


def asks_for_lines(question: str) -> bool:
    """Does the question ask for lines or records themselves ("Which line mentions ...")?"""
    return any(w in _LINE_WORDS for w in re.findall(r"[a-z]+", question.lower()))


def part_of(value: Any, wholes: list[Any]) -> bool:
    """Is the answer (or each item of a list answer) a part of one of `wholes` (texts, or
    lists of them), whole words, and not all of it: the value a line holds, taken out of a
    line sent back as copied? A model told "submit only the part that answers" often
    writes the part as a literal (`submit("K7-19QX")`), read off the line it was shown;
    the line was computed from the data, so its part is too."""
    texts = [w for whole in wholes for w in (whole if isinstance(whole, list) else [whole])
             if isinstance(w, str)]
    items = value if isinstance(value, list) else [value]
    if not items or not texts:
        return False
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            return False
        text = str(item).strip()
        if not text or not any(
                text != t.strip() and re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", t)
                for t in texts):
            return False
    return True


_JSON_PUNCTUATION = re.compile(r'"\s*:\s*["{\[\d-]|"\s*,\s*"|[{\[]\s*"|"\s*[}\]]')


# A piece sent back is one record's worth: a part of it submitted next is taken at once
# (tally.taken_from_dropped), so a piece as large as a table would vouch for any word of it
# (the 1.5B submitted a whole table, was sent back, and its first city was taken).
PIECE_LINES, PIECE_CHARS = 12, 1500


def copied_piece(value: Any, texts: list[str]) -> bool:
    """Is the answer (or an item of a list answer) a piece of one of the texts, verbatim,
    that carries its structure: a line's JSON punctuation (two `": "`, `", "`, `{"`... or
    more), or a line break (two lines of a record or more): raw text cut out with split()
    rather than a field read? The 1.5B split an order's JSON line after "name" and
    submitted '": "Emeka Holm", "address": {"city": ...' for the customer's name, and
    split Key: value blocks after "tracking: " and submitted the rest of each block for
    its tracking number."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str):
            continue
        piece = item.strip()
        if piece.count("\n") >= PIECE_LINES or len(piece) > PIECE_CHARS:
            continue  # a table, or the whole input: every word of it is no value read
        structured = len(_JSON_PUNCTUATION.findall(piece)) >= 2 or \
            sum(1 for line in piece.splitlines() if line.strip()) >= 2
        if structured and any(piece in text for text in texts):
            return True
    return False


def copied_bulk(value: Any, texts: list[str]) -> bool:
    """Is a text answer a bulk of one of the texts, verbatim: a table's worth of lines
    or more (PIECE_LINES, PIECE_CHARS), or the rest of a text from inside a line? No
    question's value is that, and none is read
    from the data by cutting it out: the 1.5B submitted a whole input table for a
    customer's city, and everything after a key's name in a log for the key; each was
    taken, in the last round, as a lone answer."""
    if not isinstance(value, str):
        return False
    piece = value.strip()
    if "\n" in piece and any(_tail_from_mid_line(piece, text) for text in texts):
        return True
    if piece.count("\n") < PIECE_LINES and len(piece) <= PIECE_CHARS:
        return False
    return any(piece in text for text in texts)


def _tail_from_mid_line(piece: str, text: str) -> bool:
    """Is `piece` (several lines) the rest of `text` from inside one of its lines: what a
    split at a label keeps after it (`context.split("pass phrase ")[1]`: the phrase, then
    every line to the end of a 4 KB input, taken in the last round as a lone answer)?"""
    body = text.rstrip()
    return len(body) > len(piece) and body.endswith(piece) and body[-len(piece) - 1] != "\n"


def echoes_question(value: Any, question: str) -> bool:
    """Is a text answer (or each text of a list) a part of the question itself (whole
    words), the question offering no choice (no " or ")? Then it is what the question
    gives, the key looked up, not what it asks for: "What is the access code of badge
    4820?" answered '4820' (a script that split the line at "badge "), which kept the run
    uncertain."""
    if " or " in f" {question} ":
        return False
    if isinstance(value, list):
        # "What are the codes of locker AT-24359, locker AT-75475 and locker AT-90719?"
        # answered ['AT-24359', 'AT-75475', 'AT-90719'], or every locker of the input's
        # lines, those three among them; "Which of …" may pick them
        if len(value) < 2 or not all(isinstance(v, str) for v in value) or \
                re.search(r"\bwhich\b", question, re.I) is not None:
            return False
        keys = question_keys(question)
        return part_of(value, [question]) or (
            len(keys) >= 2 and set(keys) <= {v.strip() for v in value}) or \
            any(digits_of_key(v, question) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return key_of_number(value, question) is not None
    if not isinstance(value, str) or not value.strip():
        return False
    return part_of(value, [question])


def digits_of_key(item: str, question: str) -> str | None:
    """The key whose digits a list's text item is: "What are the codes of locker
    PKG-43268 and locker PKG-10138?" answered ['56651', '87491', '10138', '30057',
    '43268'], the split at "locker PKG-" keeping each locker's own number (fresh dev
    multi-needle-01, three rounds)."""
    text = item.strip()
    return key_of_number(int(text), question) if text.isdigit() and len(text) < 16 else None


def key_of_number(value: float, question: str) -> str | None:
    """The key the question names with letters whose digits a whole number of three
    digits or more is, or None. "Find the code for locker C-59288." answered 59288:
    `extract_number` of the line took its first number, the key's, and two draws agreed
    on it (fresh dev needle-10)."""
    if not math.isfinite(value) or value != int(value) or abs(value) < 100:
        return None
    return next((key for key in question_keys(question)
                 if re.search(r"[A-Za-z]", key) is not None
                 and any(len(run) >= 3 and int(run) == abs(int(value))
                         for run in re.findall(r"\d+", key))), None)


# A question that offers a choice: "Is review INV-5 positive or negative?" (asked with a
# verb, so "How many A or B lines…" offers none; "… or not?" asks yes or no).
_CHOICE = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|had|will|would|can|could|"
                     r"should)\b(?P<first>.*?)\bor\b(?P<second>.+?)\?\s*$", re.I)
_CHOICE_SENTENCE = re.compile(r"[^.?!]*\?")
_WORD = re.compile(r"[\w'-]+")


def offered_choices(question: str) -> tuple[str, str] | None:
    """The two sides of the choice a question offers ("positive", "negative"), the first
    side its last three words before the "or"; None where it offers none."""
    for sentence in _CHOICE_SENTENCE.findall(question):
        m = _CHOICE.match(sentence.strip())
        if m is None:
            continue
        first = _WORD.findall(m["first"])[-3:]
        second = _WORD.findall(m["second"])
        if first and second and [w.casefold() for w in second] != ["not"]:
            return " ".join(first), " ".join(second)
    return None


def off_choice(value: Any, question: str) -> bool:
    """Does an answer name neither side of the choice the question offers? Asked "Is review
    INV-51834 positive or negative?", a script that asked the sub-model "Answer yes or
    no." submitted its 'Yes', three draws agreed on it, and it was taken: an answer that
    shares no word with either side answers another question. Lenient otherwise ('not
    positive', 'in stock' for "in stock or out of stock" are answers)."""
    choices = offered_choices(question)
    if choices is None or isinstance(value, (list, dict)) or value is None:
        return False
    said = {w.casefold() for w in _WORD.findall(str(value))}
    return not any(said & {w.casefold() for w in _WORD.findall(side)} for side in choices)


def no_value(value: Any, question: str, texts: list[str], echo: bool,
             bulk: bool) -> str | None:
    """Why an answer, though its script read the data, is no value read from it: "echo"
    (what the question writes, `echo`), "choice" (neither side of a choice the question
    offers, `echo`), "order" (the values of the question's keys in another order than it
    names them, `echo`: task/order.py), "count" (another number of values than the keys
    whose values the question asks for in their order, `echo`), "field" (another field of the one record the question
    names than the one it asks for, `echo`: task/fields.py), "keyed" (list items that
    each write a key of the question with its value, `echo`: task/order.keyed), "header"
    (a column's name only a table's header line writes, `echo`), "bulk" (an input cut out as it stands, `bulk`, the
    question not asking for lines); None for an answer. The controller and the replay
    ask it alike."""
    if echo and echoes_question(value, question):
        return "echo"
    if echo and off_choice(value, question):
        return "choice"
    if echo and misordered(value, question, texts):
        return "order"
    if echo and miscounted(value, question):
        return "count"
    if echo and wrong_field(value, question, texts) is not None:
        return "field"
    if echo and keyed(value, question) is not None:
        return "keyed"
    if echo and header_name(value, question, texts) is not None:
        return "header"
    if bulk and not asks_for_lines(question) and copied_bulk(value, texts):
        return "bulk"
    return None


_ASKS_COLUMNS = re.compile(r"\b(?:columns?|fields?|headers?|headings?)\b", re.IGNORECASE)


def header_name(value: Any, question: str, texts: list[str]) -> int | None:
    """The column a text answer names, where it is a column's name that only a table's
    header line writes and the question does not ask about columns: read off the header,
    not from a record (fresh dev needle-08: `"signed" in line` over every line kept the
    header, and 'value', the next column's name, was taken); else None."""
    if not isinstance(value, str) or not value.strip() or _ASKS_COLUMNS.search(question):
        return None
    return next((at for t in texts if (at := header_only(t, value.strip())) is not None),
                None)


def copied_lines(value: Any, texts: list[str]) -> bool:
    """Is the answer (or every item of a list answer) a whole line of one of the texts,
    verbatim, of four fields or more: a record copied out rather than the value asked for?

    A short line ("Ghent", "Lincoln Continental") is a value as it stands and never counts."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and len(_FIELD_SPLIT.split(i.strip())) >= 4
                            for i in items):
        return False
    lines = set()
    for text in texts:
        lines.update(line.strip() for line in text.splitlines())
    if all(i.strip() in lines for i in items):
        return True
    # the line split into its words, submitted as a list and so written "a, b, c" (the
    # 1.5B's `line.split()` of a log line, confirmed with the line itself)
    said = [i for i in items if ", " in i]
    if len(said) != len(items):
        return False
    spaced = {" ".join(line.split()) for line in lines}
    return all(" ".join(i.replace(", ", " ").split()) in spaced for i in said)


_TOKEN_CHAR = re.compile(r"\w")
_MAX_CUT_SITES = 200  # occurrences of an answer looked at for a whole one


def cut_token(value: Any, texts: list[str]) -> tuple[str, str] | None:
    """(the whole token, its line) where a code-like text answer (letters and digits, no
    space), or a few words, is in the texts only as a part of a longer token (words cut
    at either end): its script split the value
    at a piece of it. The 1.5B split "new key sk_f961636f17" at "sk_" and submitted
    'f961636f17' (dev needle-04). None where some occurrence stands alone (between
    non-word characters: '65021' of "INC-65021" does), or where there is none."""
    if not isinstance(value, str):
        return None
    part = value.strip()
    words = part.split()
    # a few words cut as well: "tes from Kochi 92" of "## Notes from Kochi 92", its start
    # found by `part.find("## ") + 3` where the split had taken the "## " (fresh dev
    # semantic-05)
    phrase = 2 <= len(words) <= 8 and "\n" not in part and len(part) >= 6
    if len(part) < 4 or not part.isascii() or not any(c.isalpha() for c in part) \
            or not phrase and (len(words) != 1 or not any(c.isdigit() for c in part)):
        return None
    first: tuple[str, str] | None = None
    for text in texts:
        at = text.find(part)
        for _ in range(_MAX_CUT_SITES):
            if at < 0:
                break
            end = at + len(part)
            before = at > 0 and _TOKEN_CHAR.match(text[at - 1]) is not None
            after = end < len(text) and _TOKEN_CHAR.match(text[end]) is not None
            if not before and not after:
                return None  # it stands alone here: a value the data writes so
            if first is None:
                start = at
                while start > 0 and _TOKEN_CHAR.match(text[start - 1]):
                    start -= 1
                stop = end
                while stop < len(text) and _TOKEN_CHAR.match(text[stop]):
                    stop += 1
                line_start = text.rfind("\n", 0, at) + 1
                line_end = text.find("\n", end)
                first = (text[start:stop], text[line_start:line_end if line_end >= 0
                                                 else len(text)])
            at = text.find(part, end)
    return first
