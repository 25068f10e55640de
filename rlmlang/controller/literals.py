"""String literals a small model may write: phrases of the question, and separators.

Measured before the project (DESIGN.md): a 135M model copies literals from
its examples or from an input's preview instead of the question. The
specialised grammar therefore offers, as string literals, only the
question's own phrases (each run of up to five words, with punctuation and
possessives trimmed) and the usual separators; everything else a script needs
it can compute. The language is unchanged: this narrows only what the model
can write for one task.
"""

from __future__ import annotations

import re

SEPARATORS = (",", "\\n", " ", ":", ";", "|", "\\t", "=", "-")
MAX_WORDS = 5

_WORD = re.compile(r"[^\s]+")
_TRIM = "?!.,;:()[]{}\"'`"


def _clean(word: str) -> str:
    w = word.strip(_TRIM)
    if w.endswith("'s") or w.endswith("’s"):
        w = w[:-2]
    return w


def question_literals(question: str, extra: list[str] | None = None) -> list[str]:
    """Every phrase of up to five consecutive words of the question (RLM-escaped)."""
    words = [_clean(w) for w in _WORD.findall(question)]
    words = [w for w in words if w and '"' not in w and "\\" not in w]
    phrases: list[str] = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + MAX_WORDS) + 1):
            phrase = " ".join(words[i:j])
            if phrase not in phrases:
                phrases.append(phrase)
    for e in extra or []:
        if e and '"' not in e and "\\" not in e and len(e) <= 60 and e not in phrases:
            phrases.append(e)
    return phrases + [s for s in SEPARATORS if s not in phrases]


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def restrict_strings(gbnf: str, literals: list[str]) -> str:
    """Replace the grammar's STRING rule by a choice among `literals`."""
    choice = " | ".join(_gbnf_literal(lit) for lit in literals)
    rule = f'STRING ::= "\\"" ({choice}) "\\""'
    lines = gbnf.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("STRING ::= "):
            lines[i] = rule
            return "\n".join(lines)
    raise ValueError("the grammar has no STRING rule to restrict")
