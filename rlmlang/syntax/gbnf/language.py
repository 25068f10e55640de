"""The whole language as GBNF: what grammar/rlm.gbnf holds.

Every rule of grammar/rlm.lark in canonical layout (no comments, no blank
lines, single spaces as the printer writes them), blocks unrolled to a depth,
names kept apart from the keywords.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rlmlang.syntax.gbnf.emit import Policy, compile_grammar, render_terminal
from rlmlang.syntax.gbnf.ir import GbnfError, Node, Raw, Rep, seq
from rlmlang.syntax.gbnf.names import name_rules
from rlmlang.syntax.gbnf.source import Grammar, load
from rlmlang.syntax.parser import MAX_DEPTH

_HEADER_FULL = """\
GBNF for RLM script, generated from grammar/rlm.lark by rlmlang/syntax/gbnf/.
Do not edit: run `rlm grammar --gbnf > grammar/rlm.gbnf` (a test checks it is fresh).
The whole language in canonical layout: single spaces as `rlm fmt` prints them,
4-space indentation unrolled to depth {depth}, no comments or blank lines."""


def _name_terminal(g: Grammar, exclude: Iterable[str], max_len: int | None) -> dict[str, Node]:
    """The NAME terminal as trie rules; checks the Lark NAME is the identifier pattern."""
    name_node = g.terminals.get("NAME")
    expected = seq(Raw("[A-Za-z_]"), Rep(Raw("[A-Za-z0-9_]"), 0, None))
    if name_node != expected:
        raise GbnfError("NAME is no longer /[A-Za-z_][A-Za-z0-9_]*/: update the keyword "
                        "exclusion in rlmlang/syntax/gbnf/language.py")
    return name_rules("NAME", exclude, max_len)


@lru_cache(maxsize=8)
def full_grammar(depth: int = MAX_DEPTH) -> str:
    """The whole language (canonical spacing), blocks nested up to `depth`."""
    if not 0 <= depth <= MAX_DEPTH:
        raise GbnfError(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    g = load()
    extern: dict[str, Node] = {n: Raw(render_terminal(b)) for n, b in g.terminals.items()
                               if n != "NAME"}
    helpers = _name_terminal(g, g.keywords, None)
    extern["NAME"] = helpers.pop("NAME")
    return compile_grammar(dict(g.rules), extern, helpers, Policy(depth), g.rules[g.start],
                           _HEADER_FULL.format(depth=depth), start_rule=g.start,
                           stmt_rule=g.stmt_rule)
