"""Narrowing the model grammar for one task: what a small model may write.

The language is unchanged: a narrowed grammar accepts a subset of it, so
every script it admits still goes through the whole pipeline.

String literals: phrases of the question, and separators.

Measured before the project (DESIGN.md): a 135M model copies literals from
its examples or from an input's preview instead of the question. The
specialised grammar therefore offers, as string literals, only the
question's own phrases (each run of up to five words, with punctuation and
possessives trimmed) and the usual separators; everything else a script needs
it can compute. Calls: each tool with the number of arguments it takes (a small model
otherwise keeps adding arguments), and as statements only the calls that do
something (print and effectful tools), never a value thrown away.

This module decides what to offer; the grammar is narrowed by passes over its
IR (`rlmlang.syntax.gbnf.narrow`), as `model_grammar(..., narrowing=...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rlmlang.syntax.gbnf import CallShape, Narrowing

SEPARATORS = (",", "\\n", " ", ":", ";", "|", "\\t", "=", "-")
MAX_WORDS = 5

_TRIM = "?!.,;:()[]{}\"'`"


def _clean(word: str) -> str:
    w = word.strip(_TRIM)
    if w.endswith("'s") or w.endswith("’s"):
        w = w[:-2]
    return w


def word_runs(text: str, longest: int) -> Iterator[str]:
    """Each run of one to `longest` consecutive words of the text (split at white space),
    by its first word, shortest first: the phrases a grammar may offer as literals."""
    words = text.split()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + longest) + 1):
            yield " ".join(words[i:j])


def _phrases(text: str) -> list[str]:
    out: list[str] = []
    for raw in word_runs(text, MAX_WORDS):
        # Trim punctuation at the phrase's ends only ("Priya A. Ahmed" keeps its dot).
        core = raw.strip(_TRIM)
        for p in (core, core if " " in raw else _clean(core), core.rstrip(".")):
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


# Names a script may give its variables: short, common, never a builtin's name.
VARIABLE_NAMES = ("line", "found", "hits", "row", "n", "total", "result", "answer", "value",
                  "key", "dept", "name", "code", "number", "text", "part", "parts", "x", "i",
                  "items", "best", "manager", "amount", "first", "second", "matches", "cells",
                  "rows", "temps", "ids", "k", "price", "city", "date", "floor", "team")


# Optional parameters a small model only misuses (it fills `sep` with a phrase).
HIDDEN_OPTIONAL = ("sep",)


def call_shape(spec: Any) -> CallShape:
    """One tool's call as a small model is offered it: the arguments it takes, hidden
    optionals left out; as a statement only when it prints or has an effect."""
    required = sum(1 for p in spec.params if not p.has_default)
    # Optional parameters are positional: stop at the first hidden one.
    optional = 0
    for p in spec.params[required:]:
        if p.name in HIDDEN_OPTIONAL and len(spec.params) > 2:  # split/join keep their sep
            break
        optional += 1
    return CallShape(spec.name, required, optional, keywords=spec.varkw is not None,
                     statement=bool(spec.effect) or spec.name == "print")


def task_narrowing(question: str, headers: list[str], names: list[str],
                   specs: list[Any]) -> Narrowing:
    """The narrowing for one task: the question's phrases and the inputs' column names
    as string literals, `names` as variable names, the `specs`' calls by arity."""
    return Narrowing(strings=tuple(question_literals(question, headers)),
                     names=tuple(sorted(set(names))),
                     calls=tuple(call_shape(s) for s in specs))
