"""Property tests of the front end (hypothesis).

1. Round trip: a random AST, printed canonically, parses back to an equal AST
   (spans aside), and printing is a fixed point. The strategy builds only
   trees the grammar can express: block nesting within MAX_DEPTH, expressions
   well within MAX_EXPR_DEPTH, identifiers that are not keywords, ints within
   64 bits, non-negative literals (a minus sign is a Neg node).
2. Robustness: random text, and valid scripts with characters deleted,
   duplicated or inserted, never make the parser raise: the result is a
   script with no diagnostics, or no script and at least one diagnostic with
   a stable code and a position inside the text. Whatever parses also
   survives print → parse unchanged, and so does its formatting with its
   comments (rlm fmt), a fixed point.
3. Comments: a random script with comments and blank lines put in at random
   places keeps every comment, in order, through formatting; its formatting
   parses to the same tree and is a fixed point.
"""

from __future__ import annotations

import keyword
import math
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlmlang.diagnostics import CODES
from rlmlang.syntax import ast
from rlmlang.syntax.comments import collect_comments
from rlmlang.syntax.parser import MAX_DEPTH, MAX_INT, _parser, parse
from rlmlang.syntax.printer import print_script
from rlmlang.types import BOOL, FLOAT, INT, NONE, STR, DictT, ListT, RecordT

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Whole scripts are slow to draw (nested blocks of statements of expressions): fewer.
SCRIPT_SETTINGS = settings(SETTINGS, max_examples=100)

LANGUAGE_KEYWORDS = _parser()[1].keywords
RESERVED = LANGUAGE_KEYWORDS | set(keyword.kwlist) | {"submit", "fail"}

# ------------------------------------------------------------------ strategies

names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in RESERVED)

# Any character a string literal can hold: everything but NUL (not allowed in a
# script at all); quotes, backslashes and control characters are escaped.
string_values = st.text(st.characters(blacklist_characters="\x00",
                                      blacklist_categories=("Cs",)), max_size=12)

floats = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).filter(
    lambda f: math.copysign(1.0, f) > 0)

types = st.recursive(
    st.sampled_from([INT, FLOAT, BOOL, STR, NONE]),
    lambda inner: st.one_of(
        inner.map(ListT),
        inner.map(DictT),
        st.lists(st.tuples(names, inner), min_size=1, max_size=3,
                 unique_by=lambda f: f[0]).map(lambda fs: RecordT(tuple(fs))),
    ),
    max_leaves=4,
)

consts = st.one_of(
    st.integers(min_value=0, max_value=MAX_INT),
    floats,
    string_values,
    st.booleans(),
    st.none(),
).map(ast.Const)

dotted_names = st.lists(names, min_size=2, max_size=3).map(lambda ps: ast.Dotted(tuple(ps)))
func_names = st.one_of(names, dotted_names.map(lambda d: d.dotted))
leaves = st.one_of(consts, names.map(ast.Name), dotted_names)


def _calls(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    kwargs = st.lists(st.tuples(names, children), max_size=2, unique_by=lambda kv: kv[0]).map(
        lambda kvs: tuple(ast.Keyword(k, v) for k, v in kvs))
    return st.builds(lambda f, a, k: ast.Call(f, tuple(a), k),
                     func_names, st.lists(children, max_size=3), kwargs)


def _compound(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.BinOp, st.sampled_from(["+", "-", "*", "/", "//", "%"]), children,
                  children),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in",
                                                "not in"]), children, children),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), children, children),
        st.builds(ast.Not, children),
        st.builds(ast.Neg, children),
        st.builds(ast.Index, children, children),
        st.builds(ast.Slice, children, st.none() | children, st.none() | children),
        st.lists(children, max_size=3).map(lambda xs: ast.ListLit(tuple(xs))),
        st.lists(st.tuples(children, children), max_size=3).map(
            lambda kvs: ast.DictLit(tuple(kvs))),
        _calls(children),
        st.builds(ast.Cast, children, types),
    )


exprs = st.recursive(leaves, _compound, max_leaves=12)
# Scripts use smaller expressions: drawing is the slow part, and statements are what
# these trees add; test_expressions_round_trip_in_every_position covers big ones.
small_exprs = st.recursive(leaves, _compound, max_leaves=3)

targets = st.one_of(
    names.map(ast.Name),
    st.builds(lambda n, e: ast.Index(ast.Name(n), e), names, small_exprs),
    names.map(lambda k: ast.Dotted(("state", k))),
)

simple_stmts = st.one_of(
    st.builds(ast.Assign, targets, small_exprs),
    st.builds(ast.AugAssign, targets, st.sampled_from(["+", "-", "*"]), small_exprs),
    st.builds(ast.ExprStmt, small_exprs),
    st.builds(ast.Submit, small_exprs),
    st.builds(ast.Fail, small_exprs),
    st.builds(ast.Return, st.none() | small_exprs),
    st.just(ast.Break()),
    st.just(ast.Continue()),
    st.just(ast.Pass()),
)


@cache
def blocks(depth: int) -> st.SearchStrategy[tuple[ast.Stmt, ...]]:
    """Statement lists whose compound statements nest at most `depth` more levels."""
    return st.lists(stmts(depth), min_size=1, max_size=3 if depth == MAX_DEPTH else 2).map(tuple)


@cache
def stmts(depth: int) -> st.SearchStrategy[ast.Stmt]:
    if depth == 0:
        return simple_stmts
    body = st.deferred(lambda: blocks(depth - 1))
    params = st.lists(st.tuples(names, types), max_size=3, unique_by=lambda p: p[0]).map(
        lambda ps: tuple(ast.Param(n, t) for n, t in ps))
    compound = st.one_of(
        st.builds(lambda br, orelse: ast.If(tuple(br), orelse),
                  st.lists(st.tuples(small_exprs, body), min_size=1, max_size=3), st.none() | body),
        st.builds(ast.For, names, small_exprs, body),
        st.builds(ast.While, small_exprs, st.none() | small_exprs, body),
        st.builds(ast.Def, names, params, st.none() | types, body),
    )
    return st.one_of(simple_stmts, simple_stmts, compound)


scripts = blocks(MAX_DEPTH).map(ast.Script)


# ------------------------------------------------------------------ round trip


@SCRIPT_SETTINGS
@given(scripts)
def test_print_then_parse_gives_the_same_tree(script: ast.Script) -> None:
    text = print_script(script)
    result = parse(text)
    assert result.diagnostics == [], (text, result.diagnostics)
    assert result.script == script, text
    assert print_script(result.script) == text  # printing is a fixed point


# A comment's text: anything on one line ('#' and quotes included), trailing spaces and all.
comment_texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.just("\t"),
                        max_size=10).map(lambda t: "#" + t)
# What goes between two lines: own-line comments at any indentation, and blank lines.
own_lines = st.lists(st.one_of(
    st.tuples(st.integers(0, 24), comment_texts).map(lambda ic: " " * ic[0] + ic[1]),
    st.sampled_from(["", "  "])), max_size=3)


@st.composite
def commented(draw: st.DrawFn) -> tuple[ast.Script, str, list[str]]:
    """A random script printed with comments and blank lines put in at random: the
    script, the text, and the comments in order."""
    script = draw(scripts)
    out: list[str] = []
    comments: list[str] = []
    for line in print_script(script).split("\n")[:-1] + [None]:
        for own in draw(own_lines):
            out.append(own)
            if own.strip():
                comments.append(own.lstrip(" ").rstrip())
        if line is None:
            break
        trail = draw(st.none() | comment_texts)
        if trail is None:
            out.append(line)
        else:
            out.append(line + " " * draw(st.integers(0, 3)) + trail)
            comments.append(trail.rstrip())
    return script, "\n".join(out) + "\n", comments


@SCRIPT_SETTINGS
@given(commented())
def test_formatting_keeps_every_comment_and_is_a_fixed_point(
        case: tuple[ast.Script, str, list[str]]) -> None:
    script, text, comments = case
    parsed = parse(text).script
    assert parsed == script, text
    found = collect_comments(text, parsed)
    assert found.texts() == comments, text
    out = print_script(parsed, found)
    assert parse(out).script == script, out
    again = collect_comments(out, script)
    assert again.texts() == comments, out
    assert print_script(script, again) == out, out  # a fixed point
    code = iter(print_script(script).split("\n"))  # the lines without comments, in order
    lines = out.split("\n")
    assert lines[0] != "" and lines[-2] != "" and lines[-1] == ""
    for prev, line in zip(lines[:-2], lines[1:-1], strict=True):
        assert line == line.rstrip() and not (prev == line == "")
    for line in lines[:-1]:
        if line.lstrip(" ").startswith("#") or not line:
            continue  # a comment of its own, or a blank line
        expected = next(code)
        assert line == expected or line.startswith(expected + "  #"), (line, expected)


@SETTINGS
@given(exprs)
def test_expressions_round_trip_in_every_position(e: ast.Expr) -> None:
    script = ast.Script((
        ast.Assign(ast.Name("x"), e),
        ast.ExprStmt(ast.Call("f", (e,), (ast.Keyword("k", e),))),
        ast.If(((e, (ast.Submit(ast.ListLit((e, e))),)),), None),
    ))
    text = print_script(script)
    assert parse(text).script == script, text


def _operators(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.BinOp, st.sampled_from(["+", "-", "*", "/", "//", "%"]), children,
                  children),
        st.builds(ast.Compare, st.sampled_from(["<", "==", "in", "not in"]), children, children),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), children, children),
        st.builds(ast.Not, children),
        st.builds(ast.Neg, children),
        st.builds(ast.Cast, children, st.just(INT)),
    )


# Only operators over names: the trees where precedence and associativity matter.
operator_trees = st.recursive(st.sampled_from("abc").map(ast.Name), _operators, max_leaves=6)


@SETTINGS
@given(operator_trees)
def test_operator_precedence_round_trips(e: ast.Expr) -> None:
    text = print_script(ast.Script((ast.Assign(ast.Name("x"), e),)))
    assert parse(text).script == ast.Script((ast.Assign(ast.Name("x"), e),)), text


# ------------------------------------------------------------------ robustness


def _check_outcome(text: str | bytes) -> None:
    result = parse(text, "fuzz.rlm")  # must not raise
    if result.script is not None:
        assert result.diagnostics == []
        printed = print_script(result.script)
        again = parse(printed)
        assert again.script == result.script, printed
        # Formatted with its comments, it parses back the same, and is a fixed point.
        source = text if isinstance(text, str) else text.decode("utf-8")
        formatted = print_script(result.script, collect_comments(source, result.script))
        script = parse(formatted).script
        assert script == result.script, formatted
        assert print_script(script, collect_comments(formatted, script)) == formatted
    else:
        assert result.diagnostics, "no script and no diagnostic"
        n_lines = (text.count("\n") if isinstance(text, str) else text.count(b"\n")) + 2
        for d in result.diagnostics:
            assert d.code in CODES and d.message
            assert d.file == "fuzz.rlm"
            if d.span is not None:
                assert 1 <= d.span.line <= n_lines and d.span.col >= 1
            d.render(text if isinstance(text, str) else None)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_never_crashes(text: str) -> None:
    _check_outcome(text)


_ALPHABET = st.sampled_from(list("abcxyz019 _:()[]{}\"'\\,.=+-*/%<>!#\n\t") +
                            ["    ", "if ", "for ", "while ", "def ", " in ", " as ", "not ",
                             "and ", "\r\n", "é", "\x00", "\ufeff"])


@SETTINGS
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_random_token_soup_never_crashes(text: str) -> None:
    _check_outcome(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    _check_outcome(data)


_SEEDS = [p.read_text(encoding="utf-8")
          for p in sorted((Path(__file__).parent / "golden").glob("valid_*.rlm"))]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        if op == "delete":
            text = text[:i] + text[i + 1:]
        elif op == "duplicate":
            text = text[:i] + text[i:i + 1] + text[i:]
        elif op == "insert":
            text = text[:i] + draw(_ALPHABET) + text[i:]
        elif i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


@SETTINGS
@given(mutated())
def test_mutated_scripts_never_crash(text: str) -> None:
    _check_outcome(text)


@SCRIPT_SETTINGS
@given(scripts)
def test_printed_scripts_with_one_line_dropped_never_crash(script: ast.Script) -> None:
    lines = print_script(script).split("\n")
    for i in range(min(len(lines), 5)):
        _check_outcome("\n".join(lines[:i] + lines[i + 1:]))
