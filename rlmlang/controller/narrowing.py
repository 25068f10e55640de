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
"""

from __future__ import annotations

import re
from typing import Any

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


def _rep(item: str, lo: int, hi: int) -> str:
    if hi <= 0:
        return ""
    if lo == hi:
        return f" ({item}){{{lo}}}" if lo > 1 else f" {item}"
    return f" ({item}){{{lo},{hi}}}"


# Optional parameters a small model only misuses (it fills `sep` with a phrase).
HIDDEN_OPTIONAL = ("sep",)


def call_rule(spec: Any) -> str:
    """One tool's call, with as many arguments as it takes (hidden optionals left out)."""
    required = sum(1 for p in spec.params if not p.has_default)
    # Optional parameters are positional: stop at the first hidden one.
    optional = 0
    for p in spec.params[required:]:
        if p.name in HIDDEN_OPTIONAL and len(spec.params) > 2:  # split/join keep their sep
            break
        optional += 1
    name = _gbnf_literal(spec.name + "(")
    kw = _rep('", " var "=" expr', 0, 3) if spec.varkw is not None else ""
    if required == 0 and optional == 0:
        return f'{name}{kw} ")"' if not kw else f'{name} (var "=" expr (", " var "=" expr){{0,2}})? ")"'
    if required == 0:
        rest = _rep('", " argument', 0, optional - 1)
        return f'{name} (argument{rest})?{kw} ")"'
    rest = _rep('", " argument', required - 1, required - 1 + optional)
    return f'{name} argument{rest}{kw} ")"'


def restrict_calls(gbnf: str, specs: list[Any]) -> str:
    """Calls with each tool's own arity; as statements, only print and effectful tools."""
    calls = [call_rule(s) for s in specs]
    stmt_calls = [call_rule(s) for s in specs if s.effect or s.name == "print"]
    generic = '(callee "(" arguments? ")")'
    if generic not in gbnf:
        raise ValueError("the grammar has no generic call to restrict")
    out = []
    for line in gbnf.split("\n"):
        if line.startswith("simple-stmt"):
            if stmt_calls:
                line = line.replace(generic, "stmt-call")
            else:
                line = line.replace(f" | {generic}", "").replace(f"{generic} | ", "")
        else:
            line = line.replace(generic, "call")
        out.append(line)
    out.append("call ::= " + " | ".join(f"({c})" for c in calls))
    if stmt_calls:
        out.append("stmt-call ::= " + " | ".join(f"({c})" for c in stmt_calls))
    return "\n".join(out)
