"""Filters the question does not ask for: a value of the data a script keeps lines or
records by, which the question never names.

Asked "Sum the response sizes of the requests for /api/v1/cart", the 1.5B drew two
scripts: one summed every request for the path, the other only those that also
hold 'POST'. Told only that they disagree, it could not tell which reading was
right, and wrote junk for two rounds. Where scripts disagree, each filter on a value
that is in the data but nowhere in the question is named, so the model can see the
difference. It is feedback only: no vote changes.

A literal is asked when one of its words (letters and digits, two or more) is a word
of the question, or shares a stem of four letters or more with one ("ERROR" and
"errors", "fail" and "failed").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.task.answers import offered_choices
from rlmlang.task.guess import data_texts
from rlmlang.task.judgement import keyword_judgement
from rlmlang.task.key_lines import key_lines
from rlmlang.task.searches import (
    asks_sub_model,
    guard_tests,
    literal_tests,
    search_spec,
    searched_literals,
    skip_guards,
)
from rlmlang.tools.reader import detect

_WORD = re.compile(r"[^\W_]+")
_JSON_KEY = re.compile(r'"[^"\n]*"\s*:')
_SHOWN_LINES = 4  # the first lines the prompt shows of an input, its header among them
_LONG = 12  # lines an input needs for its first lines to be a part of it
_KEY_LINES = 4  # lines with the question's terms the prompt shows (the coder profile's)


def _asked(literal: str, question_words: set[str]) -> bool:
    for w in _WORD.findall(literal.casefold()):
        if len(w) < 2:
            continue
        if w in question_words:
            return True
        if len(w) >= 4 and any(len(q) >= 4 and (q.startswith(w) or w.startswith(q))
                               for q in question_words):
            return True
    return False


def unasked_filters(script: str, question: str, inputs: Mapping[str, Any],
                    registry: Any, shown_first: bool = False) -> list[str]:
    """The literals a script searches the inputs for or tests them with that the data
    holds and the question does not name, in the order written. With `shown_first`, only
    those the first lines of an input hold (what the prompt shows; not a column name):
    a value copied from there into a filter (the first penguin's species "Adelie", kept
    beside the island the question asks about, fresh dev percentage-03)."""
    parsed = parse(script).script
    if parsed is None:
        return []
    words = set(_WORD.findall(question.casefold()))
    texts = data_texts(inputs)
    if shown_first:
        texts = [_shown_values(t, question) for t in texts]
        parsed = ast.Script(_submitted_from(parsed.body), parsed.span)
    found = _filtered_by(parsed, registry)
    out: list[str] = []
    for lit in dict.fromkeys(found):
        if len(lit.strip()) < 2 or not any(len(w) >= 3 for w in _WORD.findall(lit)) \
                or _asked(lit, words):
            continue  # (" is ", "," name nothing)
        if any(lit in t for t in texts):
            out.append(lit)
    return out


def copied_filter(script: str, answer: Any, inputs: Mapping[str, Any], registry: Any,
                  question: str) -> str | None:
    """Why an answer is no vote, said as the model is told it, where what its script
    submits is computed through a filter on a value the first lines of an input show
    and the question does not name (the first penguin's species "Adelie" kept beside
    the island asked about, fresh dev percentage-03; over the dev logs 16 answers so,
    none right), beside a filter on a value it names. Not judged: a yes or a no, one of the choices a question offers, a
    script that asks the sub-model, and a meaning the input never writes ("negative"
    reviews: judged by words the script chose, task/judgement.py sends it back once)."""
    if isinstance(answer, bool) or isinstance(answer, str) and \
            answer.strip().casefold() in ("yes", "no", "true", "false") \
            or offered_choices(question) is not None:
        return None
    parsed = parse(script).script
    if parsed is None or asks_sub_model(parsed):
        return None
    if keyword_judgement([script], inputs, question) is not None:
        return None
    copied = unasked_filters(script, question, inputs, registry, shown_first=True)
    if not copied or not _asks_too(parsed, question, registry):
        return None
    shown = ", ".join(repr(x) for x in copied[:3])
    return (f"That script keeps only what holds {shown}, which the question does not name: "
            "a value of the first lines shown, not of the question. Filter by what the "
            "question asks, nothing more.")


def _filtered_by(parsed: ast.Script, registry: Any) -> list[str]:
    """The literals a script searches for or keeps items by, in the order written."""
    return [*searched_literals(parsed, registry), *(v for _, v in literal_tests(parsed)),
            *(v for _, v in guard_tests(parsed))]


def _asks_too(parsed: ast.Script, question: str, registry: Any) -> bool:
    """Whether the script also filters by a value the question names: the copied one is
    then a condition more than the question asks for ("Adelie" beside "Dream"). A lone
    test of a value the question does not write may be how the data writes what it
    asks ("500" for a server error), and is left alone."""
    words = set(_WORD.findall(question.casefold()))
    found = _filtered_by(parsed, registry)
    return any(any(len(w) >= 2 for w in _WORD.findall(lit)) and _asked(lit, words)
               for lit in found)


def without_copied(script: str, question: str, inputs: Mapping[str, Any],
                   registry: Any) -> str | None:
    """The script with each test of a copied value (copied_filter) taken out of the `and`
    it is one side of, the other side kept, and each copied phrase given to a search
    beside the one asked for taken out of it (`find_lines(log, "/api/v1/cart", "POST")`):
    the filter the question asks for, as a fix-it (told that 'Adelie' was not asked, the
    1.5B drew the same script for two rounds, fresh dev percentage-03; 'POST', three
    rounds, fresh dev aggregate-03). None where there is no such test or phrase."""
    copied = set(unasked_filters(script, question, inputs, registry, shown_first=True))
    parsed = parse(script).script
    if not copied or parsed is None:
        return None
    tree: Any = parsed
    changed = False
    while True:
        both = next((n for n in ast.walk(tree) if isinstance(n, ast.BoolOp) and n.op == "and"
                     and (_tests(n.left, copied) or _tests(n.right, copied))), None)
        if both is None:
            break
        kept = both.right if _tests(both.left, copied) else both.left
        tree = ast.replace_node(tree, both, kept)
        changed = True
    while True:  # `if len(parts) < 5 or parts[3] != "304": continue`: the other side kept
        guard = next(((g, side) for g, side in skip_guards(tree)
                      if _tests(side, copied, op="!=")), None)
        if guard is None:
            break
        node, side = guard
        either = next((n for n in ast.walk(node.branches[0][0]) if isinstance(n, ast.BoolOp)
                       and n.op == "or" and side in (n.left, n.right)), None)
        tree = ast.replace_node(
            tree, node, ast.Pass(span=node.span)) if either is None else ast.replace_node(
            tree, either, either.right if either.left is side else either.left)
        changed = True
    while True:  # find_lines(log, "/api/v1/cart", "POST"): the phrase asked for alone
        call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and search_spec(n, registry) is not None and len(n.args) >= 3
                     and any(_copied_arg(a, copied) for a in n.args[2:])), None)
        if call is None:
            break
        args = (call.args[0], call.args[1],
                *(a for a in call.args[2:] if not _copied_arg(a, copied)))
        tree = ast.replace_node(tree, call, dataclasses.replace(call, args=args))
        changed = True
    return print_script(tree) if changed else None


def _copied_arg(e: ast.Expr, copied: set[str]) -> bool:
    return isinstance(e, ast.Const) and e.value in copied


def _tests(e: ast.Expr, copied: set[str], op: str = "==") -> bool:
    """Whether `e` compares with (`op`; `==` stands for `in` too) one of the `copied`
    literals."""
    ops = ("==", "in") if op == "==" else (op,)
    return isinstance(e, ast.Compare) and e.op in ops and any(
        isinstance(side, ast.Const) and side.value in copied for side in (e.left, e.right))


def _submitted_from(body: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
    """The top-level statements what the script submits is computed by: a name bound
    again later is the later binding's (fresh dev lookup-01 filtered the departments by
    one copied from the first lines, then bound the floor again from the right one)."""
    needed: set[str] = set()
    kept: list[ast.Stmt] = []
    for s in reversed(body):
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name):
            if s.target.id not in needed:
                continue
            needed.discard(s.target.id)
        elif isinstance(s, ast.Submit) or isinstance(s, (ast.If, ast.For, ast.While)) and (
                any(isinstance(n, ast.Submit) for n in ast.walk(s))
                or needed & set(ast.assigned_names((s,), in_place=True))):
            pass
        elif isinstance(s, ast.Def) or not needed & set(ast.assigned_names((s,),
                                                                          in_place=True)):
            continue
        read = s.value if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) else s
        needed |= {n.id for n in ast.walk(read) if isinstance(n, ast.Name)}
        kept.append(s)
    defs = tuple(s for s in body if isinstance(s, ast.Def))
    return (*defs, *reversed(kept))


def _incidental_lines(text: str, question: str) -> list[str]:
    """The lines the prompt shows with a term of the question that more lines hold
    (task/key_lines.py): the first few of many, whose other values are those lines'
    own, not the question's (the status 304 of the first request for /api/v1/users,
    kept beside the path asked for, fresh dev aggregate-03). A term only the lines
    shown hold is a record's key, and the other values of its line are what the
    question asks to read off."""
    first = tuple(text.splitlines()[:_SHOWN_LINES])
    return [line for _, found, more in key_lines(text, question, _KEY_LINES, skip=first)
            if more for line in found]


@lru_cache(maxsize=8)
def _shown_values(text: str, question: str) -> str:
    """The first lines of an input and the incidental lines with the question's terms
    (as the prompt shows them), without its column names; "" for an input short enough
    to be shown whole. Cached: every submitted answer of a task asks it again of the
    same inputs, and an input may be megabytes long."""
    lines = text.splitlines()
    if len(lines) <= _LONG:
        return ""  # all of it is shown: a value of it is read, not copied from a preview
    head = "\n".join(lines[:_SHOWN_LINES] + _incidental_lines(text, question))
    layout = detect(text, question)
    names = layout.columns if layout.names_from in ("header", "comment", "keys") else ()
    for column in sorted(names, key=len, reverse=True):
        head = head.replace(column, " ")
    return _JSON_KEY.sub(" ", head)  # the keys of JSON objects are names too


def unasked_note(script: str, question: str, inputs: Mapping[str, Any], registry: Any,
                 who: str = "That script") -> str | None:
    """The feedback line for `unasked_filters`, or None where a script has none."""
    lits = unasked_filters(script, question, inputs, registry)
    if not lits:
        return None
    shown = ", ".join(repr(x) for x in lits[:3])
    return (f"{who} keeps only what holds {shown}, which the question does not name: "
            "filter by what the question asks, nothing more.")
