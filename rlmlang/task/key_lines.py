"""Key lines: where in a big input the question's subject is, shown beside its first lines.

A coder model writes its parser from the lines it is shown. The first lines of
a log or a book say nothing of the one record a question is about ("badge
9876", "locker SKU-82717", "Priya A. Ahmed"), buried thousands of lines down
in another shape: the 1.5B parsed the first lines' format, found nothing, and
wrote the same script for three rounds. So the task also shows a few lines
that hold the question's most specific terms, the way a person would grep for
them before writing the script.

A term is a run of one to four words of the question with a digit or a
capital letter in it (not its opening word alone), matched whole and without
regard to case. The longest terms that occur go first, and a term inside one
already shown adds nothing. Only the lines are shown, never how many match:
a count in the prompt is a number the model would copy as the answer. But
whether more lines hold the term is said: shown the two lines of a country
table with 'Japan' (of four), the 1.5B counted the cars of those two makers.
"""

from __future__ import annotations

import re

from rlmlang.task.searches import line_at

MAX_WORDS = 4
_TRIM = "?!.,;:()[]{}\"'`"
_OPENERS = frozenset({"what", "which", "who", "whom", "whose", "how", "when", "where", "why",
                      "is", "are", "was", "were", "does", "do", "did", "list", "give", "name",
                      "find", "count", "return", "in", "on", "of", "the", "a", "an", "answer",
                      "reply", "submit", "use", "please", "note", "only", "and", "or", "to",
                      "with", "by", "for", "from", "at", "as", "if", "then", "each", "all"})


def question_terms(question: str) -> list[str]:
    """The question's specific terms, longest first: each run of words with a digit, or a
    capital past a sentence's opening word, that does not cross a comma or a sentence's end."""
    words = question.split()
    opening = {0} | {i + 1 for i, w in enumerate(words)
                     if w.endswith(("?", "!")) or (w.endswith(".") and len(w) > 3)}
    terms: list[str] = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + MAX_WORDS) + 1):
            if any(w.endswith((",", "?", "!", ";", ":")) for w in words[i:j - 1]):
                break  # a run does not cross a comma or a sentence's end
            term = " ".join(words[i:j]).strip(_TRIM)
            low = term.lower().split()
            if len(term) < 3 or term in terms or low[0] in _OPENERS or low[-1] in _OPENERS:
                continue
            capital = any(w[:1].isupper() and (k not in opening or
                                               w.strip(_TRIM).lower() not in _OPENERS)
                          for k, w in enumerate(words[i:j], i))
            if capital or any(c.isdigit() for c in term):
                terms.append(term)
    return sorted(terms, key=lambda t: (-len(t.split()), -len(t)))


def key_lines(text: str, question: str, limit: int, per_term: int = 2,
              skip: tuple[str, ...] = (), width: int = 160
              ) -> list[tuple[str, list[str], bool]]:
    """Up to `limit` lines of `text` holding the question's terms, as (term, lines, whether
    more lines hold it), each line cut to `width`; lines in `skip` (the first lines already
    shown) are left out."""
    if limit <= 0 or not question:
        return []
    folded = text.lower()  # to skip absent terms fast; matching is on the text itself
    out: list[tuple[str, list[str], bool]] = []
    shown: set[str] = set(skip)
    taken: list[str] = []
    left = limit
    for term in question_terms(question):
        low = term.lower()
        if left <= 0:
            break
        if low not in folded or any(low in t for t in taken):
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        found: list[str] = []
        more = False
        for m in pattern.finditer(text):
            line = line_at(text, m.start())
            cut = line if len(line) <= width else line[:width] + "…"
            if cut.strip() and cut not in shown and cut not in found:
                if len(found) >= min(per_term, left):
                    more = True  # one line past those shown is enough to say so
                    break
                found.append(cut)
        if found:
            taken.append(low)
            shown.update(found)
            out.append((term, found, more))
            left -= len(found)
    return out
