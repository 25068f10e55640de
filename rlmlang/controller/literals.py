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


def _phrases(text: str) -> list[str]:
    words = _WORD.findall(text)
    out: list[str] = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + MAX_WORDS) + 1):
            raw = " ".join(words[i:j])
            # Trim punctuation at the phrase's ends only ("Priya A. Ahmed" keeps its dot).
            core = raw.strip(_TRIM)
            for p in (core, _clean(core) if j == i + 1 else core, core.rstrip(".")):
                if p and p not in out:
                    out.append(p)
            if core.endswith("'s") or core.endswith("’s"):
                out.append(core[:-2])
    return out


def question_literals(question: str, extra: list[str] | None = None) -> list[str]:
    """The question's phrases (up to five words), `extra` (header names), and separators."""
    phrases: list[str] = []
    for p in _phrases(question) + list(extra or []):
        if p and '"' not in p and "\\" not in p and len(p) <= 60 and p not in phrases:
            phrases.append(p)
    return phrases + [s for s in SEPARATORS if s not in phrases]


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Names a script may give its variables: short, common, never a builtin's name.
VARIABLE_NAMES = ("line", "found", "hits", "row", "n", "total", "result", "answer", "value",
                  "key", "dept", "name", "code", "number", "text", "part", "parts", "x", "i",
                  "items", "best", "manager", "amount", "first", "second", "matches", "cells",
                  "rows", "temps", "ids", "k", "price", "city", "date", "floor", "team")


def restrict_names(gbnf: str, names: list[str]) -> str:
    """Replace the grammar's free variable names by a choice among `names`.

    Free names let a small model start a line with prose ("Here -= ...");
    a short list of plain names leaves it only the script's own words.
    """
    choice = " | ".join(_gbnf_literal(n) for n in sorted(set(names)))
    lines = gbnf.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("var ::= "):
            lines[i] = f"var ::= {choice}"
            return "\n".join(lines)
    raise ValueError("the grammar has no var rule to restrict")


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
