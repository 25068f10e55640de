"""Differential tests: the generated GBNF and the Lark grammar accept the same language.

The GBNF is the canonical-layout subset of Lark's language (single spaces as the
printer writes them, 4-space indents, no comments or blank lines), so the two
directions are stated precisely as:

1. soundness, for EVERY string s:   GBNF accepts s  ==>  Lark parses s;
2. completeness, for canonical s:   Lark parses s, s == print(parse(s)), and no
   reserved word is used as a name (Lark's contextual lexer lets `as = 1`
   through)  ==>  GBNF accepts s.

Positives are random ASTs printed by the canonical printer (hypothesis), checked
in both directions; negatives are mutants of positives (deleted, inserted,
replaced, swapped characters, truncations), checked for soundness and, when
they happen to be canonical scripts, completeness. Acceptance is llama.cpp's
own grammar engine through the backend's oracle (real tokenizer, one token at
a time), never a re-implementation.
"""

from __future__ import annotations

import functools
import math
import re
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lark import Lark, Token
from lark.exceptions import LarkError

from rlmlang.syntax import ast
from rlmlang.syntax.gbnf import full_grammar, load
from rlmlang.syntax.parser import MAX_DEPTH, _RlmIndenter, grammar_text, parse
from rlmlang.syntax.printer import print_script
from rlmlang.types import BOOL, FLOAT, INT, NONE, STR, DictT, ListT, RecordT

pytest.importorskip("llama_cpp")


def _model_available() -> bool:
    try:
        from rlmlang.backend.registry import resolve_model

        resolve_model(None)
        return True
    except Exception:  # noqa: BLE001
        return False


pytestmark = pytest.mark.skipif(not _model_available(), reason="default model not installed")

KEYWORDS = load().keywords
# Each example costs a grammar run through llama.cpp; shrinking would take minutes.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
GBNF = full_grammar()


@functools.lru_cache(maxsize=1)
def _vocab():
    from rlmlang.backend.decoding import vocab_model

    return vocab_model(None)


def accepts(grammar: str, text: str) -> bool:
    """The backend's oracle (`grammar_accepts`), with the vocabulary resolved once:
    resolving the model path (registry, GGUF header) costs more than the check."""
    from rlmlang.backend import decoding

    vm = _vocab()
    with mock.patch.object(decoding, "vocab_model", lambda _path=None: vm):
        return decoding.grammar_accepts(grammar, text)


def gbnf_accepts(text: str) -> bool:
    return accepts(GBNF, text)


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    """Lark's LALR parser with the parser's indenter: the grammar itself, no AST checks."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", postlex=_RlmIndenter())


def lark_parses(text: str) -> bool:
    try:
        _lark().parse(text)
        return True
    except (LarkError, ValueError):
        return False
    except IndexError:  # Lark's Indenter on a comment that ends the text ('br#eak#');
        return False  # parser.parse ends every text with a newline before Lark sees it


def keyword_used_as_name(text: str) -> bool:
    tree = _lark().parse(text)
    return any(t.value in KEYWORDS for t in tree.scan_values(
        lambda v: isinstance(v, Token) and v.type == "NAME"))


# ------------------------------------------------------------- AST strategy

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda s: s not in KEYWORDS)
short_names = st.sampled_from(["x", "n", "line", "parts", "total", "i", "s_2", "Acc",
                               "ifx", "notes", "in_", "Nonesuch", "or1"])
ident = st.one_of(short_names, names)
# The model vocabulary spells the BMP; astral characters are beyond the oracle.
# Control characters other than \n and \t (written as escapes) are not spellable either.
text_chars = st.characters(codec="utf-8", min_codepoint=1, max_codepoint=0xFFFF,
                           exclude_categories=("Cs", "Cc"))
strings = st.one_of(st.text(alphabet=text_chars, max_size=12),
                    st.sampled_from(["", "a b", "\"q\"", "\\", "x\ny", "tab\t", "é中🙂"]))
floats = st.floats(min_value=0, max_value=1e9, allow_nan=False).filter(
    lambda f: re.fullmatch(r"[0-9]+\.[0-9]+", repr(f)) is not None and not math.isinf(f))

prim_types = st.sampled_from([INT, FLOAT, BOOL, STR, NONE])
types = st.recursive(
    prim_types,
    lambda inner: st.one_of(
        st.builds(ListT, inner), st.builds(DictT, inner),
        st.lists(st.tuples(ident, inner), min_size=1, max_size=3,
                 unique_by=lambda f: f[0]).map(lambda fs: RecordT(tuple(fs)))),
    max_leaves=4)

leaves = st.one_of(
    st.integers(min_value=-10**6, max_value=10**12).map(ast.Const),
    floats.map(ast.Const),
    strings.map(ast.Const),
    st.sampled_from([True, False, None]).map(ast.Const),
    ident.map(ast.Name),
    ident.map(lambda n: ast.Dotted(("state", n))),
)


def _compound(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    kwargs = st.lists(st.tuples(ident, inner), max_size=2, unique_by=lambda k: k[0]).map(
        lambda ks: tuple(ast.Keyword(k, v) for k, v in ks))
    func = st.one_of(ident, st.sampled_from(["llm.predict", "fs.read", "text.find_line"]))
    return st.one_of(
        st.builds(ast.BinOp, st.sampled_from(["+", "-", "*", "/", "//", "%"]), inner, inner),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in",
                                                "not in"]), inner, inner),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), inner, inner),
        st.builds(ast.Not, inner),
        st.builds(ast.Neg, inner),
        st.builds(ast.Index, inner, inner),
        st.builds(ast.Slice, inner, st.none() | inner, st.none() | inner),
        st.builds(ast.Call, func, st.lists(inner, max_size=3).map(tuple), kwargs),
        st.lists(inner, max_size=3).map(lambda xs: ast.ListLit(tuple(xs))),
        st.lists(st.tuples(inner, inner), max_size=2).map(lambda xs: ast.DictLit(tuple(xs))),
        st.builds(ast.Cast, inner, types),
    )


exprs = st.recursive(leaves, _compound, max_leaves=8)
targets = st.one_of(ident.map(ast.Name), st.builds(ast.Index, ident.map(ast.Name), exprs),
                    ident.map(lambda n: ast.Dotted(("state", n))))
simple_stmts = st.one_of(
    st.builds(ast.Assign, targets, exprs),
    st.builds(ast.AugAssign, targets, st.sampled_from(["+", "-", "*"]), exprs),
    st.builds(ast.ExprStmt, exprs),
    st.builds(ast.Submit, exprs),
    st.builds(ast.Fail, exprs),
    st.builds(ast.Return, st.none() | exprs),
    st.just(ast.Break()), st.just(ast.Continue()), st.just(ast.Pass()),
)


def stmts(depth: int) -> st.SearchStrategy[ast.Stmt]:
    if depth >= MAX_DEPTH:
        return simple_stmts
    body = st.lists(st.deferred(lambda: stmts(depth + 1)), min_size=1, max_size=3).map(tuple)
    params = st.lists(st.builds(ast.Param, ident, types), max_size=3,
                      unique_by=lambda p: p.name).map(tuple)
    compound = st.one_of(
        st.builds(ast.If, st.lists(st.tuples(exprs, body), min_size=1, max_size=3).map(tuple),
                  st.none() | body),
        st.builds(ast.For, ident, exprs, body),
        st.builds(ast.While, exprs, st.none() | exprs, body),
        st.builds(ast.Def, ident, params, st.none() | types, body),
    )
    return st.one_of(simple_stmts, simple_stmts, compound)


scripts = st.lists(stmts(0), min_size=1, max_size=4).map(lambda b: ast.Script(tuple(b)))


# --------------------------------------------------------------------- tests


def _check_positive(script: ast.Script) -> str:
    text = print_script(script)
    assert lark_parses(text), f"the printer wrote a script Lark rejects:\n{text}"
    assert gbnf_accepts(text), f"GBNF rejects a canonical script Lark accepts:\n{text}"
    return text


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
          phases=NO_SHRINK)
@given(scripts)
def test_canonical_scripts_are_accepted(script):
    _check_positive(script)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck),
          phases=NO_SHRINK)
@given(scripts)
def test_canonical_scripts_are_accepted_many(script):
    _check_positive(script)


ALPHABET = list(" \n:()[]{},.=+-*/%<>!\"'#\\_aZ09") + [
    "if ", " in ", "not ", " as ", "else", "    ", "True"]


@st.composite
def mutants(draw) -> str:
    text = print_script(draw(scripts))
    n = draw(st.integers(min_value=1, max_value=2))
    for _ in range(n):
        if not text:
            break
        i = draw(st.integers(min_value=0, max_value=len(text) - 1))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "swap", "truncate",
                                     "dup"]))
        piece = draw(st.sampled_from(ALPHABET))
        if kind == "delete":
            text = text[:i] + text[i + 1:]
        elif kind == "insert":
            text = text[:i] + piece + text[i:]
        elif kind == "replace":
            text = text[:i] + piece + text[i + 1:]
        elif kind == "swap" and i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif kind == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i] + text[i:]
    return text


def _check_mutant(text: str) -> None:
    g = gbnf_accepts(text)
    if g:
        assert lark_parses(text), f"GBNF accepts what Lark rejects: {text!r}"
    if not g and lark_parses(text) and not keyword_used_as_name(text):
        result = parse(text)
        if result.script is not None and print_script(result.script) == text:
            pytest.fail(f"GBNF rejects a canonical script Lark accepts: {text!r}")


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck),
          phases=NO_SHRINK)
@given(mutants())
def test_mutants_soundness(text):
    _check_mutant(text)


@pytest.mark.slow
@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck),
          phases=NO_SHRINK)
@given(mutants())
def test_mutants_soundness_many(text):
    _check_mutant(text)


# Near misses found while building the generator, pinned.
@pytest.mark.parametrize("text", [
    "x = ab\n", "x = a b\n", "x = 1.5\n", "x = 1 .5\n", "x = 1.\n", "x = notx\n",
    "x = not x\n", "x = a not in b\n", "x = a notin b\n", "x = Truex\n", "x = True x\n",
    "x = -1\n", "x = - 1\n", "if x:\n    pass\n", "if x :\n    pass\n", "ifx = 1\n",
    "x = f(k=1)\n", "x = f(k = 1)\n", "x = d[1:]\n", "x = d[1 :]\n", "x = a as int\n",
    "x = a asint\n", "return\n", "return \n", "x = \"a\\\"b\"\n", "x = \"a\\qb\"\n",
    "x = 'it''s'\n", "for i in x:\n    pass\n", "for iin x:\n    pass\n",
    "while x decreases y:\n    pass\n", "while xdecreases y:\n    pass\n",
    "x = {}\n", "x = { }\n", "x = []\n", "x = [1,]\n", "x = (1)\n", "x = ((a))\n",
    "def f() -> int:\n    return 1\n", "def f()->int:\n    return 1\n",
])
def test_pinned_near_misses(text):
    _check_mutant(text)
    if lark_parses(text) and not keyword_used_as_name(text):
        r = parse(text)
        if r.script is not None and print_script(r.script) == text:
            assert gbnf_accepts(text)
