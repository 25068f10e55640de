"""Searches that found nothing: a zero that is a misreading of the data, not an answer.

`sum(prices)` over the lines `find_lines(stocks, "2004-12-21")` matched is 0.0,
and two scripts that looked for the same misread date (the data writes it
"Dec 21 2004") confirmed 0.0 as the answer. A search whose arguments are an
input (never assigned in the script) and literals finds the same lines however
the script uses them, so it can be run again on the task's inputs: where one
finds nothing, a zero the script submitted is what its search found, nothing,
and not a count or a sum of what the question asks about. A tool says it
searches in its declaration (`extra["search"]`), never by its name. A test
the script writes itself searches too: `"2004-12-21" in line`, `name ==
"Perth"`, `line.startswith("ERROR")` can only be true where the literal is
written in the data, so a literal that no input holds, in any case, is a test
that matches nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.ast import NOT_LITERAL, literal_value
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script
from rlmlang.task.answers import offered_choices
from rlmlang.task.bounds import bound_searched
from rlmlang.task.grounding import is_identifier, ungrounded_key
from rlmlang.task.guess import data_inputs
from rlmlang.task.order import question_keys
from rlmlang.task.ordered import unsorted_list
from rlmlang.task.positions import quoted_split, split_sep, unasked_column
from rlmlang.task.units import words_for_lines
from rlmlang.task.vote import as_number, counts_nothing
from rlmlang.tools.reader import detect, header_only
from rlmlang.tools.skills import lines_of_each


def empty_search(script: str, inputs: Mapping[str, Any], registry: Any) -> str | None:
    """What finds nothing in the inputs, said as the model is told it
    (`find_lines(stocks, "2004-12-21") finds nothing in the input`), or None: the first
    search tool, else the first literal test, of `script` that matches nothing."""
    parsed = parse(script).script
    if parsed is None:
        return None
    return _empty_tool_search(parsed, inputs, registry) or _empty_test(parsed, inputs)


def nothing_found(script: str, answer: Any, inputs: Mapping[str, Any], registry: Any,
                  question: str) -> str | None:
    """Why a submitted answer is what its script found for nothing, said as the model is
    told it, or None. A zero (a count or a sum) whose search finds nothing (empty_search);
    any other answer (not a yes or a no, the question offering no choice) of a script
    that tests the data for a word of the question the inputs never write: the test is
    never true, so what it submits is a value left over from its loop or a default, not
    what it looked for ("Leeds 67", the last section's title, for the section "about a
    blaze", dev s19). The controller and the replay ask it alike. Before all, a search
    for a number the question compares with (task/bounds.py), a lookup of a key no
    hop from the question reaches (task/grounding.py), said as whole sentences; and,
    for a number other than a zero, a column read by position that the question does
    not ask about, where it asks about another (positions.unasked_column; a text read
    from another field of the asked record is answers.no_value's "field"); and a number
    counted by a loop over the words of an input for a question that counts lines
    (units.words_for_lines); cells read by position from a plain split of lines whose
    quoted cells hold the separator (positions.quoted_split); a list asked for in an
    order that keeps the input's (ordered.unsorted_list). A filter copied from the first lines shown
    (unasked.copied_filter) and a value left over from a loop are asked beside this, by
    controller/difference.set_aside."""
    whole = parse(script).script
    if whole is not None and (bound := bound_searched(
            whole, question, lambda call: search_spec(call, registry) is not None)):
        return bound
    texts = _data_texts(inputs)
    if whole is not None and (lost := ungrounded_key(
            [*(v for _, v in literal_tests(whole)), *searched_literals(whole, registry)],
            question, texts)):
        return lost
    if whole is not None and as_number(answer) is not None and \
            (words := words_for_lines(whole, question, data_inputs(inputs))):
        return words
    if whole is not None and (cut := quoted_split(script, inputs, question)):
        return cut
    if whole is not None and (unsorted := unsorted_list(script, answer, question,
                                                        set(inputs))):
        return unsorted
    if counts_nothing(answer):  # (a zero's own notes say where its test misses)
        return empty_search(script, inputs, registry) or _never_together(script, inputs) \
            or header_test(script, inputs)
    if whole is not None and as_number(answer) is not None and \
            (off := unasked_column(script, inputs, question)):
        return (f"That script reads cells by position: {off} Read the column the question "
                "asks about, by its name (records(...) gives each record as a dict).")
    if isinstance(answer, bool) or isinstance(answer, str) and \
            answer.strip().casefold() in ("yes", "no", "true", "false") \
            or offered_choices(question) is not None:
        return None
    parsed = parse(script).script
    if parsed is None or asks_sub_model(parsed) or any(
            literal_value(n) == answer for n in ast.walk(parsed) if isinstance(n, ast.Const)):
        return None  # a literal it submits is a guess (task/guess.py), said so with its line
    asked = set(_WORDS.findall(question.casefold()))
    skips = _skip_guards(parsed)
    # `if "continue" in line: continue` never true skips nothing: no harm
    tests = [(node, value) for node, value in literal_tests(parsed) if id(node) not in skips]
    # a test of the question's words only first: no input is searched for a script without
    if not texts or not any(all(w in asked for w in _WORDS.findall(v.casefold()) or ["-"])
                            for _, v in tests):
        return None
    found = {v: any(re.search(re.escape(v), t, re.IGNORECASE) for t in texts)
             for v in dict.fromkeys(v for _, v in tests)}  # each literal searched once
    if any(found.values()):
        # a test that finds something may be what the answer comes from ("errors" in l or
        # "ERROR" in l): only a script whose every test finds nothing is judged
        return None
    node, value = next((n, v) for n, v in tests
                       if all(w in asked for w in _WORDS.findall(v.casefold()) or ["-"]))
    return f"{value!r} is written nowhere in the input, so the test {print_expr(node)} " \
           "is never true"


def _data_texts(inputs: Mapping[str, Any]) -> list[str]:
    """The data inputs as text (a value passed from Python as its JSON)."""
    return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
            for n, v in inputs.items() if n in data_inputs(inputs)]


def _skip_guards(parsed: ast.Script) -> set[int]:
    """The nodes of the conditions of `if` statements that only skip (skip_guards)."""
    return {id(n) for node, _ in skip_guards(parsed) for n in ast.walk(node.branches[0][0])}


def _never_together(script: str, inputs: Mapping[str, Any]) -> str | None:
    """Tests of one value joined by `and` whose literals, of one shape, are each on some
    line of the data, but never on one line together: `"2004" in r["date"] and "2005" in r["date"]`
    for the dates between Dec 21 2004 and Jan 3 2005 (six draws of a zero, dev s23)."""
    parsed = parse(script).script
    if parsed is None:
        return None
    texts = [v.casefold() for n, v in inputs.items()
             if n in data_inputs(inputs) and isinstance(v, str)]
    if not texts:
        return None
    negated = _negated(parsed)
    known = _constant_names(parsed)
    for node in ast.walk(parsed):
        if not isinstance(node, ast.BoolOp) or node.op != "and" or id(node) in negated:
            continue
        by_subject: dict[str, list[str]] = {}
        for test in _operands(node, "and"):
            tested = _tested_literal(test, known)
            if tested is not None:
                by_subject.setdefault(tested[0], []).append(tested[1])
        for subject, lits in by_subject.items():
            folded = [x.casefold() for x in dict.fromkeys(lits)]
            if len(folded) < 2 or len({_shape(x) for x in folded}) != 1 \
                    or not all(any(x in t for t in texts) for x in folded):
                continue  # (values of one shape, two years, are alternatives; two phrases
                # of the question that no line holds together may be its answer of 0)
            if any(all(x in line for x in folded) for t in texts for line in t.splitlines()):
                continue
            said = " and ".join(repr(x) for x in dict.fromkeys(lits))
            return (f"{said} are each on some line of the input but never on one line "
                    f"together, so the test {print_expr(node)} is never true (for a range, "
                    f"compare the values: to_date({subject}) >= to_date(...))")
    return None


def _tested_literal(test: ast.Expr, known: Mapping[str, Any]) -> tuple[str, str] | None:
    """(the value tested, the literal) of `"lit" in x`, `x.startswith("lit")` or
    `x.endswith("lit")` (a def's parameter that every call gives one literal read as it:
    `r.startswith(start)` in `count(orders, "2023-06-24", "2023-07-28")`), else None.
    Each is true only on a line that holds the literal."""
    if isinstance(test, ast.Compare) and test.op == "in":
        lit, subject = _folded(test.left, known), test.right
    elif isinstance(test, ast.MethodCall) and test.method in ("startswith", "endswith") \
            and len(test.args) == 1:
        lit, subject = _folded(test.args[0], known), test.value
    elif isinstance(test, ast.Call) and test.func.endswith((".startswith", ".endswith")) \
            and len(test.args) == 1:
        lit, subject = _folded(test.args[0], known), test.func.rsplit(".", 1)[0]
    else:
        return None
    if not (isinstance(lit, str) and lit.strip()):
        return None
    return (subject if isinstance(subject, str) else print_expr(subject)), lit


def _negated(parsed: ast.Script) -> set[int]:
    """The nodes under a `not`: a test there is true where its literal is missing."""
    return {id(n) for top in ast.walk(parsed) if isinstance(top, ast.Not)
            for n in ast.walk(top.operand)}


def _shape(text: str) -> str:
    """'2004' -> '9999', 'Dec' -> 'aaa': values of one kind have one shape."""
    return re.sub(r"[^\W\d_]", "a", re.sub(r"\d", "9", text))


def _operands(node: ast.Expr, op: str) -> Iterator[ast.Expr]:
    """The sides of a chain of `op` (`and`, `or`), left to right."""
    if isinstance(node, ast.BoolOp) and node.op == op:
        yield from _operands(node.left, op)
        yield from _operands(node.right, op)
    else:
        yield node


def _empty_tool_search(parsed: ast.Script, inputs: Mapping[str, Any],
                       registry: Any) -> str | None:
    for node, found, args in _literal_searches(parsed, inputs, registry):
        if not isinstance(found, bool) and found in ([], "", 0):
            return f"{print_expr(node)} finds nothing in the input" + _each_alone(args)
    return None


def _each_alone(args: list[Any]) -> str:
    """Where a search given several phrases finds nothing, but each phrase alone is on some
    line of the text searched: it keeps the lines that hold them all, and the script meant
    the lines of any (`find_lines(context, "locker INC-65021", "locker INC-29595")`, three
    rounds of the 1.5B on dev s19)."""
    text = args[0] if args and isinstance(args[0], str) else ""
    phrases = [p for a in args[1:] for p in (a if isinstance(a, list) else [a])
               if isinstance(p, str) and p.strip()]
    if len(phrases) < 2 or not text:
        return ""
    lines = text.casefold().splitlines()
    if not all(any(p.casefold() in ln for ln in lines) for p in phrases):
        return ""
    return (" (it keeps only the lines that mention every phrase it is given, and no line "
            "mentions them all, though each is on some line: for the lines of any of them, "
            "search for each phrase on its own)")


def each_key_search(script: str, inputs: Mapping[str, Any], registry: Any,
                    question: str) -> str | None:
    """The script with a `find_lines` given two keys of the question or more at once,
    which finds nothing though each is on some line (`_each_alone`), reading the lines
    of each key in turn: the fix-it. Keys of one shape ("guest INC-84428", "guest
    INC-13462") are alternatives, never one line's two parts: told that the search found
    nothing, the 1.5B drew it again for three rounds (fresh dev multi-needle-03). The
    checker mends three keys or more without the data (typecheck.lines_of_keys)."""
    parsed = parse(script).script
    if parsed is None or not any(isinstance(n, ast.Call) and n.func == "find_lines"
                                 and len(n.args) >= 3 for n in ast.walk(parsed)):
        return None  # (before any search is run on the data)
    # identifiers (letters and digits both): two dates are a range's ends, not keys
    keys = [k for k in question_keys(question) if is_identifier(k)]
    for node, found, args in _literal_searches(parsed, inputs, registry):
        phrases = node.args[1:]
        if node.func != "find_lines" or found or node.kwargs or len(phrases) < 2 \
                or not _each_alone(args) or not all(
                    isinstance(a, ast.Const) and isinstance(a.value, str) for a in phrases):
            continue
        held = [next((k for k in keys if k in str(a.value)), None)  # type: ignore[attr-defined]
                for a in phrases]
        if None in held or len(set(held)) != len(held) or \
                len({_shape(k) for k in held if k is not None}) != 1:
            continue
        expr = lines_of_each(print_expr(node.args[0]), [print_expr(a) for a in phrases],
                             ast.identifiers(parsed))
        each = parse(f"found = {expr}\n").script
        if each is None:
            continue
        value = each.body[0].value  # type: ignore[attr-defined]
        return print_script(ast.replace_node(parsed, node, value))
    return None


def search_spec(node: Any, registry: Any) -> Any:
    """The search tool a call is (its declaration says `extra["search"]`; a stdlib
    function that only passes its arguments on to one is that one), else None."""
    if not isinstance(node, ast.Call) or registry is None:
        return None
    spec = registry.get(node.func)
    if spec is not None and spec.impl is None and spec.extra.get("alias_of"):
        spec = registry.get(spec.extra["alias_of"])
    return spec if spec is not None and spec.extra.get("search") else None


def searched_literals(parsed: ast.Script, registry: Any) -> Iterator[str]:
    """Each phrase a search call is given that is known before the run (`_folded`: a
    literal, a name holding one, their `+` and `join`; a list of them)."""
    known = _constant_names(parsed)
    for node in ast.walk(parsed):
        if search_spec(node, registry) is None:
            continue
        for a in node.args[1:]:
            value = _folded(a, known)
            yield from (v for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, str))


def field_tested(parsed: ast.Script) -> set[str]:
    """The literals a script compares with a record's field (`r["origin"] == "Tallinn"`,
    `"Tallinn" in r["origin"]`, a name holding the literal alike)."""
    return {value for _, side, value, _ in _literal_tests(parsed, ("in", "=="))
            if isinstance(value, str) and isinstance(side, ast.Index)
            and isinstance(side.index, ast.Const) and isinstance(side.index.value, str)}


def _literal_searches(parsed: ast.Script, inputs: Mapping[str, Any], registry: Any
                      ) -> Iterator[tuple[ast.Call, Any, list[Any]]]:
    """Each call of a search tool over an input whose other arguments are known (literals,
    or built from them: `_folded`), with what it finds there and its arguments' values."""
    assigned = _bound_names(parsed)
    known: dict[str, Any] | None = None
    for node in ast.walk(parsed):
        spec = search_spec(node, registry)
        if spec is None or spec.impl is None:
            continue
        if known is None:
            known = _constant_names(parsed)
        args: list[Any] = []
        reads_input = False
        for a in node.args:
            if isinstance(a, ast.Name) and a.id not in assigned \
                    and isinstance(inputs.get(a.id), str):
                args.append(inputs[a.id])
                reads_input = True
                continue
            value = _folded(a, known)
            if value is NOT_LITERAL:
                break
            args.append(value)
        else:
            kwargs = {k.name: literal_value(k.value) for k in node.kwargs}
            if not reads_input or any(v is NOT_LITERAL for v in kwargs.values()):
                continue
            try:
                found = spec.impl(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a search that fails finds nothing to judge by
                continue
            yield node, found, args


def search_results(script: str, inputs: Mapping[str, Any], registry: Any,
                   limit_chars: int = 160) -> str | None:
    """What the searches of a script that stopped at its own fail() found, where one found
    several lines: `find_lines(context, "locker PKG-")` found 412 where the script wanted
    2, and the 1.5B, told only that it stopped, searched for the same phrase three rounds
    running. None where no such search."""
    parsed = parse(script).script
    if parsed is None:
        return None
    said = []
    for node, found, _ in _literal_searches(parsed, inputs, registry):
        if isinstance(found, list) and len(found) >= 2:
            first = str(found[0])
            first = first if len(first) <= limit_chars else first[:limit_chars] + "…"
            said.append(f"{print_expr(node)} finds {len(found)} items, the first: {first!r}")
        if len(said) == 2:
            break
    if not said:
        return None
    return ("What its searches found: " + "; ".join(said) + ". If it needs fewer, search "
            "for what only those hold (each one's own key or name).")


def _folded(e: ast.Expr, known: Mapping[str, Any]) -> Any:
    """The value of a text or list built from literals alone: a literal, a name that only
    holds one, their `+`, and `sep.join(words)` (the 1.5B searched for
    `" ".join(["this", "Then", "thee"])`, a phrase no line writes, and counted 0); else
    NOT_LITERAL."""
    value = literal_value(e)
    if value is not NOT_LITERAL:
        return value
    if isinstance(e, ast.Name):
        return known.get(e.id, NOT_LITERAL)
    if isinstance(e, ast.MethodCall) and e.method == "join" and len(e.args) == 1 \
            and not e.kwargs:
        sep, items = _folded(e.value, known), _folded(e.args[0], known)
        if isinstance(sep, str) and isinstance(items, list) and \
                all(isinstance(i, str) for i in items):
            return sep.join(items)
    if isinstance(e, ast.BinOp) and e.op == "+":
        left, right = _folded(e.left, known), _folded(e.right, known)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    return NOT_LITERAL


def searched_elsewhere(script: str, inputs: Mapping[str, Any], registry: Any) -> str | None:
    """Where a search tool of `script` looks in one input for a phrase written only in
    another (`find_line(warehouses, "PKG65647553")`, the package being in scans: the 1.5B
    looked there three rounds running), that said with the line that holds it; else None."""
    parsed = parse(script).script
    if parsed is None or registry is None:
        return None
    assigned = _bound_names(parsed)
    texts = {n: v for n, v in inputs.items() if n in data_inputs(list(inputs))
             and isinstance(v, str)}
    for node in ast.walk(parsed):
        spec = registry.get(node.func) if isinstance(node, ast.Call) else None
        if spec is None or not spec.extra.get("search") or len(node.args) < 2:
            continue
        where, phrase = node.args[0], literal_value(node.args[1])
        if not (isinstance(where, ast.Name) and where.id in texts and where.id not in assigned
                and isinstance(phrase, str) and len(phrase.strip()) >= 3):
            continue
        if phrase.lower() in texts[where.id].lower():
            continue
        for other, text in texts.items():
            at = text.lower().find(phrase.lower())
            if other != where.id and at >= 0:
                line = line_at(text, at).strip()[:200]
                return (f"{phrase!r} is not in {where.id}, where {print_expr(node)} looks for "
                        f"it; it is in {other}, on this line:\n{line}")
    tests = list(_literal_tests(parsed, ("in", "==", *_HOLDS)))
    return _tested_elsewhere(parsed, texts, assigned) or _tested_in_other_field(
        tests, texts) or _tested_in_no_field(parsed, tests, texts, assigned, registry) \
        or _tested_beyond_range(tests, texts, registry)


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
_HOLDS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b,
          "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}


_Test = tuple[ast.Compare, ast.Expr, Any, str]  # what _literal_tests yields


def _tested_beyond_range(tests: list[_Test], texts: Mapping[str, str],
                         registry: Any) -> str | None:
    """`float(r["wt"]) > 1000` where no record's wt is (mtcars writes weights in 1000
    lbs, 1.5 to 5.4; the 1.5B's filter kept nothing and its script failed on the empty
    list two rounds): the field's range in the inputs that have it."""
    spec = registry.get("records") if registry is not None else None
    if spec is None or spec.impl is None:
        return None
    for node, field_side, bound, op in tests:
        if node.op not in _HOLDS:
            continue
        inner = field_side.args[0] if isinstance(field_side, ast.Call) and \
            field_side.func in ("float", "int") and len(field_side.args) == 1 \
            else field_side
        if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not (
                isinstance(inner, ast.Index) and isinstance(inner.index, ast.Const)
                and isinstance(inner.index.value, str)):
            continue
        name = inner.index.value
        for n, text in texts.items():
            numbers = _column_numbers(spec, text, name)
            if numbers and not any(_HOLDS[op](x, bound) for x in numbers):
                return (f"No record of {n} has {name} {op} {bound}: its {name} runs "
                        f"from {_shown(min(numbers))} to {_shown(max(numbers))}, so "
                        f"{print_expr(node)} keeps nothing.")
    return None


def _column_numbers(spec: Any, text: str, name: str) -> list[float]:
    try:
        rows = spec.impl(text)
    except Exception:  # noqa: BLE001 - no records: nothing to say of their fields
        return []
    out = []
    for r in rows:
        try:
            out.append(float(str(r.get(name, "")).replace(",", "")))
        except ValueError:
            continue
    return out


def _shown(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _literal_tests(parsed: ast.Script, ops: tuple[str, ...]) -> Iterator[_Test]:
    """(test, the side it tests, the literal's value, the operator read from that side)
    of each comparison of `ops` with a literal: `x == "v"` and `"v" == x` alike, `"v" in
    x` tests x, and `1000 < x` is `x > 1000`."""
    known = _constant_names(parsed)
    for node in ast.walk(parsed):
        if not (isinstance(node, ast.Compare) and node.op in ops):
            continue
        if node.op == "in":
            pairs = [(node.right, node.left, "in")]
        else:
            pairs = [(node.left, node.right, node.op),
                     (node.right, node.left, _FLIP.get(node.op, node.op))]
        for tested, lit, op in pairs:
            value = literal_value(lit)
            if value is NOT_LITERAL and isinstance(lit, ast.Name):
                value = known.get(lit.id, NOT_LITERAL)
            if value is not NOT_LITERAL:
                yield node, tested, value, op


def _constant_names(parsed: ast.Script) -> dict[str, Any]:
    """Names that only ever hold one literal: assigned it and nothing else, or a def's
    parameter every call passes it for (`def count(text: str, city: str)` called as
    `count(customers, "Medan")`: its test `line.split(",")[3] == city` tests "Medan")."""
    seen: dict[str, list[Any]] = {}
    for name in ast.bound_in_scopes(parsed):  # loop and comprehension names vary
        seen.setdefault(name, []).append(NOT_LITERAL)
    defs = {d.name: d for d in ast.walk(parsed) if isinstance(d, ast.Def)}
    for n in ast.walk(parsed):
        if isinstance(n, ast.Assign) and isinstance(n.target, ast.Name):
            seen.setdefault(n.target.id, []).append(literal_value(n.value))
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            seen.setdefault(n.target.id, []).append(NOT_LITERAL)
        elif isinstance(n, ast.Call) and n.func in defs:
            given = {k.name: k.value for k in n.kwargs}
            for i, p in enumerate(defs[n.func].params):
                arg = n.args[i] if i < len(n.args) else given.get(p.name)
                seen.setdefault(p.name, []).append(
                    literal_value(arg) if arg is not None else NOT_LITERAL)
    return {k: v[0] for k, v in seen.items()
            if v[0] is not NOT_LITERAL and all(x == v[0] for x in v)}


def _split_field(e: ast.Expr) -> tuple[str | None, int] | None:
    """(separator, index) of `x.split(sep)[k]` or `split(x, sep)[k]` (sep None for
    `x.split()`), else None."""
    if not (isinstance(e, ast.Index) and isinstance(e.index, ast.Const)
            and isinstance(e.index.value, int) and not isinstance(e.index.value, bool)):
        return None
    is_split, sep = split_sep(e.value)
    return (sep, e.index.value) if is_split else None


def _tested_in_other_field(tests: list[_Test], texts: Mapping[str, str]) -> str | None:
    """`line.split(",")[3] == "Medan"` where no line has 'Medan' in field 3 and some
    line has it in another field (the city was field 2: the 1.5B's zero, written twice,
    outvoted the right count): that field, its header's name, and the line."""
    for node, field_side, value, _ in tests:
        spot = _split_field(field_side) if node.op in ("in", "==") else None
        if spot is None or not isinstance(value, str) or len(value.strip()) < 2:
            continue
        sep, k = spot
        found: tuple[str, str, int, str] | None = None
        for name, text in texts.items():
            lines = text.splitlines()[:20000]
            for line in lines:
                fields = line.split(sep)
                if -len(fields) <= k < len(fields) and _holds(fields[k], value, node.op):
                    return None  # the test is true somewhere: not this
                if found is None:
                    at = next((j for j, f in enumerate(fields) if _holds(f, value, node.op)),
                              None)
                    if at is not None:
                        found = (name, line, at, next((h for h in lines if h.strip()), ""))
        if found is not None:
            name, line, at, first = found
            head = first.split(sep)
            called = f" ({head[at].strip()!r} in its first line)" \
                if at < len(head) and head[at].strip() else ""
            return (f"No line of {name} has {value!r} in field {k} of "
                    f"{print_expr(field_side.value)}, which that script tests; it is "
                    f"field {at}{called}, as in this line:\n{line.strip()[:200]}")
    return None


def _holds(field: str, value: str, op: str) -> bool:
    return value in field if op == "in" else field.strip() == value.strip()


def _tested_in_no_field(parsed: ast.Script, tests: list[_Test], texts: Mapping[str, str],
                        assigned: set[str], registry: Any) -> str | None:
    """`r["req"] == "shipment SH-138487"` over records(context), the phrase being written
    in the line but in no record's field (a log's message is no key=value field; the 1.5B
    tested that field three rounds running): the line, and how records() reads it."""
    spec = registry.get("records")
    # `log = [r for r in records(log) if ...]`: records(log) reads the input
    read = [n for n in texts if (n not in assigned or _rebound_from_itself(parsed, n)) and any(
        isinstance(c, ast.Call) and c.func == "records" and c.args and
        isinstance(c.args[0], ast.Name) and c.args[0].id == n for c in ast.walk(parsed))]
    if spec is None or spec.impl is None or not read:
        return None
    for node, field_side, value, _ in tests:
        if node.op not in ("in", "==") or not (isinstance(field_side, ast.Index) and isinstance(field_side.index, ast.Const)
                and isinstance(field_side.index.value, str) and isinstance(value, str)
                and len(value.strip()) >= 3):
            continue
        name = field_side.index.value
        if not any(value in texts[n] for n in read):
            joined = _held_by_another(value, name, read, texts)
            if joined is not None:
                return joined
        for n in read:
            at = texts[n].find(value)
            if at < 0:
                continue
            try:
                rows = spec.impl(texts[n])
            except Exception:  # noqa: BLE001 - no records: nothing to say of their fields
                continue
            cells = [str(r.get(name, "")) for r in rows if isinstance(r, dict)]
            if node.op == "==" and value not in cells and (
                    parts := [c for c in cells if value in c]):
                # the field holds it within longer values (`r["1"] == "udp"` over "7/udp")
                return (f"No record of {n} has its field {name!r} equal to {value!r}, but "
                        f"{len(parts)} hold it within that field, as {parts[0][:80]!r}: "
                        f"test {json.dumps(value)} in r[{json.dumps(name)}] (or "
                        f"r[{json.dumps(name)}].endswith({json.dumps(value)})) instead of ==.")
            if any(value in c for c in cells):
                continue
            held = next(((f, r) for r in rows if isinstance(r, dict)
                         for f, v in r.items() if value in str(v)), None)
            if held is not None:  # another field of the records holds it: test that one
                f, r = held
                shown = json.dumps(r, ensure_ascii=False)
                return (f"No record of {n} has {value!r} in its field {name!r}; its field "
                        f"{f!r} holds it, as in this record of records({n}):\n"
                        f"{shown[:300]}\nTest that field: {json.dumps(value)} in "
                        f"r[{json.dumps(f)}].")
            line = line_at(texts[n], at).strip()[:200]
            return (f"No record of {n} has {value!r} in its field {name!r}, but this line "
                    f"of {n} holds it:\n{line}\nSearch the lines for it "
                    f"(find_line({n}, {json.dumps(value)})) and take the answer out of "
                    "that line.")
    return None


def _held_by_another(value: str, name: str, read: list[str],
                     texts: Mapping[str, str]) -> str | None:
    """`r["manufacturer"] == "Japan"` over records(cars), where no car holds 'Japan' and
    the makers input does ("honda = Japan"): the question joins the two inputs, and the
    test compares the records with a value of the other one (the 1.5B counted 0 cars
    from Japan, twice, on a probe of real data). Said with the line of the other input."""
    for other, text in texts.items():
        at = text.find(value)
        if other in read or at < 0:
            continue
        line = line_at(text, at).strip()[:200]
        tested = ", ".join(read)
        return (f"No record of {tested} holds {value!r} (its field {name!r} never does); "
                f"{other} holds it, on lines like this one:\n{line}\nThe question joins "
                f"the two inputs: first take from {other} what its lines with {value!r} "
                f"give (their keys), then test the records of {tested} against those keys "
                f"(e.g. a list of them: r[{json.dumps(name)}] in keys).")
    return None


def _tested_elsewhere(parsed: ast.Script, texts: Mapping[str, str],
                      assigned: set[str]) -> str | None:
    """A literal the script tests for (`r["name"] == "Farah K. Raman"`) that none of the
    inputs it reads holds and one it does not read does (the person was in employees, the
    1.5B filtered departments): that input, and the line."""
    # an input rebound from itself (`racks = json.loads(racks)`) is still the one read
    targets = {id(n.target) for n in ast.walk(parsed) if isinstance(n, ast.Assign)}
    read = {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name) and n.id in texts
            and (n.id not in assigned or id(n) not in targets and _rebound_from_itself(
                parsed, n.id))}
    if not read or len(read) == len(texts):
        return None
    for node in ast.walk(parsed):
        if not (isinstance(node, ast.Compare) and node.op in ("in", "==")):
            continue
        for side in ([node.left] if node.op == "in" else [node.left, node.right]):
            value = literal_value(side)
            if not (isinstance(value, str) and len(value.strip()) >= 3 and
                    any(ch.isalnum() for ch in value)):
                continue
            low = value.casefold()
            if any(low in texts[n].casefold() for n in read):
                continue
            for other in sorted(set(texts) - read):
                at = texts[other].casefold().find(low)
                if at >= 0:
                    line = line_at(texts[other], at).strip()[:200]
                    which = "the input that script reads" if len(read) == 1 else \
                        "the inputs that script reads"
                    return (f"{value!r} is not in {', '.join(sorted(read))}, {which}; it is "
                            f"in {other}, on this line:\n{line}")
    return None


def _rebound_from_itself(parsed: ast.Script, name: str) -> bool:
    """Whether every assignment to `name` reads `name` (`racks = json.loads(racks)`, a
    three-hop script that tested the racks for the server's key: fresh dev three-hop-07)."""
    sets = [s for s in ast.assignments_to(parsed, name) if isinstance(s, ast.Assign)]
    return bool(sets) and all(any(isinstance(m, ast.Name) and m.id == name
                                  for m in ast.walk(s.value)) for s in sets)


def line_at(text: str, pos: int) -> str:
    """The line of `text` that holds position `pos` (without its line break)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end >= 0 else len(text)].rstrip("\r")


_TESTS = ("startswith", "endswith", "count", "find", "index")


def _empty_test(parsed: ast.Script, inputs: Mapping[str, Any]) -> str | None:
    """The first test `"lit" in x`, `x == "lit"` or `x.startswith("lit")` (not under a
    `not`) whose literal no input holds, in any case: of three characters or more, one
    a letter or digit, so that a separator looked for (`"\t" in line`) is not taken for
    a search. A test under `not`, or `not in`, is true where the literal is missing. A
    script that asks a sub-model tests what it said ("yes"), not the data: not judged."""
    for node, value in _absent_tests(parsed, inputs):
        return f"{value!r} is written nowhere in the input, so the test {print_expr(node)} " \
               "is never true"
    return None


def header_test(script: str, inputs: Mapping[str, Any]) -> str | None:
    """Where a script keeps items by a literal that only a table input's header line
    writes, a column's name (`[l for l in find_lines(context, "C-93149") if "signed" in
    l]` for "When was contract C-93149 signed?"): the test is true for no record, said
    as the model is told it, with the column to read instead; else None. Told only that
    its fail() stopped it, the 1.5B drew the same test for three rounds (fresh dev
    needle-08). A skip guard (`if "signed" in line: continue` skips the header) and a
    test under `not` are not such filters."""
    parsed = parse(script).script
    if parsed is None:
        return None
    skips = _skip_guards(parsed)
    tested = [(n, v) for n, v in literal_tests(parsed) if id(n) not in skips]
    for name, text in inputs.items():
        if name not in data_inputs(inputs) or not isinstance(text, str) or \
                name not in script:
            continue
        for node, value in tested:
            at = header_only(text, value)
            if at is not None:
                return (f"{value!r} is the name of column {at} of {name}: only its header "
                        f"line writes it, so the test {print_expr(node)} is true for no "
                        "record. Keep what finds the record, and read that column from "
                        f"it: its cell {at}, or r[{value!r}] of records({name}).")
    return None


def meaning_hint(script: str, inputs: Mapping[str, Any], question: str) -> str | None:
    """Where a script tests prose for a word of the question that the inputs never write
    ("Which section is about people choosing a mayor?": `"mayor" in section`, the
    section speaking of ballots and candidates), say that the text may say it in other
    words, and how to ask the sub-model about each part; else None. For a run that grants
    the sub-model."""
    parsed = parse(script).script
    if parsed is None or not any(isinstance(v, str) and not detect(v).is_table
                                 for n, v in inputs.items() if n in data_inputs(inputs)):
        return None
    asked = set(_WORDS.findall(question.casefold()))
    for _, value in _absent_tests(parsed, inputs):
        words = _WORDS.findall(value.casefold())
        if words and all(w in asked for w in words):
            topic = _topic(question) or value
            return (f"{value!r} is written nowhere in the input: the text may say it in other "
                    "words. Instead of testing for the word, ask the sub-model about each "
                    f"part, e.g. llm.predict(\"Is this text about {topic}? Answer yes or "
                    "no.\", text=part), and keep the parts it says yes to.")
    return None


_WORDS = re.compile(r"\w+")
# "the section that deals with a river bursting its banks", "which chapter describes the
# storm at sea", "is about people choosing a mayor": what a part is asked to be about
_TOPIC = re.compile(r"\b(?:is|are|was|were)\s+about\s+|\b(?:deals?|dealing)\s+with\s+|"
                    r"\b(?:describes?|describing|concerns?|discuss(?:es)?|covers?|tells? of)\s+",
                    re.IGNORECASE)


def _topic(question: str) -> str | None:
    """The words that say what the part asked for is about, to the sentence's end; None
    where the question does not say so. (Shown "Is this text about ...?", the 1.5B asked
    the sub-model exactly that, dots and all: fresh dev semantic-05.)"""
    m = _TOPIC.search(question)
    if m is None:
        return None
    topic = re.split(r"[?.!;]\s|[?!;]|\.$", question[m.end():].strip(), maxsplit=1)[0].strip()
    topic = re.sub(r"[\s,]+(?:give|answer|and give|name)\b.*$", "", topic, flags=re.I)
    return topic if 2 <= len(topic) <= 80 and '"' not in topic else None


def _absent_tests(parsed: ast.Script, inputs: Mapping[str, Any]
                  ) -> Iterator[tuple[ast.Expr, str]]:
    """The tests of `_empty_test` whose literal no input holds, with the literal."""
    if asks_sub_model(parsed):
        return
    texts = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
             for n, v in inputs.items() if n in data_inputs(inputs)]
    if not texts:
        return
    haystack = "\n".join(texts).casefold()
    for node, value in literal_tests(parsed):
        if value.casefold() not in haystack:
            yield node, value


def asks_sub_model(parsed: ast.Script) -> bool:
    return any(isinstance(n, ast.Call) and n.func.startswith("llm.") for n in ast.walk(parsed))


def literal_tests(parsed: ast.Script) -> Iterator[tuple[ast.Expr, str]]:
    """Each test of a literal a script writes, not under a `not`: `"lit" in x`, `x ==
    "lit"`, `x.startswith("lit")`, with the literal (three characters or more, one a
    letter or digit), a name that only ever holds one read as it (`plan = "CSV"` and
    `r["plan"] == plan`)."""
    known = _constant_names(parsed)
    negated = _negated(parsed)
    for node in ast.walk(parsed):
        if id(node) in negated:
            continue
        if isinstance(node, ast.Compare) and node.op in ("in", "=="):
            sides = [node.left] if node.op == "in" else [node.left, node.right]
        elif isinstance(node, ast.MethodCall) and node.method in _TESTS and node.args or \
                isinstance(node, ast.Call) and "." in node.func and node.args \
                and node.func.rsplit(".", 1)[1] in _TESTS:  # `line.startswith(...)`
            sides = [node.args[0]]
        else:
            continue
        for side in sides:
            value = _folded(side, known)
            if isinstance(value, str) and len(value.strip()) >= 3 \
                    and any(ch.isalnum() for ch in value):
                yield node, value


def skip_guards(parsed: ast.Script) -> Iterator[tuple[ast.If, ast.Expr]]:
    """Each `if` that only skips (`continue` or `pass`, no `elif` or `else`), with each side
    of its `or`: a loop with `if a or b: continue` keeps the items where every side is
    false, so `x != "lit"` there keeps what equals "lit"."""
    for node in ast.walk(parsed):
        if isinstance(node, ast.If) and len(node.branches) == 1 and not node.orelse \
                and all(isinstance(b, (ast.Continue, ast.Pass)) for b in node.branches[0][1]):
            for side in _operands(node.branches[0][0], "or"):
                yield node, side


def guard_tests(parsed: ast.Script) -> Iterator[tuple[ast.Expr, str]]:
    """Each literal a skip guard keeps the items equal to (`if parts[3] != "304":
    continue`), with the `!=` test that does it: a filter, as literal_tests' `==` is.
    The 1.5B writes its filters this way as often as the other (fresh dev aggregate-03)."""
    known = _constant_names(parsed)
    for node, side in skip_guards(parsed):
        if isinstance(side, ast.Compare) and side.op == "!=" and \
                any(isinstance(b, ast.Continue) for b in node.branches[0][1]):
            for part in (side.left, side.right):
                value = _folded(part, known)
                if isinstance(value, str) and len(value.strip()) >= 3 \
                        and any(ch.isalnum() for ch in value):
                    yield side, value


def _bound_names(script: ast.Script) -> set[str]:
    """Every name the script assigns or binds (an input so named is no longer the input)."""
    out = ast.bound_in_scopes(script)
    for n in ast.walk(script):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            out.update(x.id for x in ast.walk(n.target) if isinstance(x, ast.Name))
        elif isinstance(n, ast.Def):
            out.update(p.name for p in n.params)
    return out
