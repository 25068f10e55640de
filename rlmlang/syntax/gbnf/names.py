"""Identifiers minus a set of words, as grammar rules.

Lark's lexer keeps keywords out of names; GBNF has no negative lookahead, so
the complement is spelled out as a trie over the excluded words: at each node,
a character that leaves the trie frees the rest of the name; one that follows
it goes on to the child; the node may end the name unless it spells an
excluded word. A banned prefix is a child never gone to: no name begins with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rlmlang.syntax.gbnf.emit import cls_char
from rlmlang.syntax.gbnf.ir import EMPTY, GbnfError, Lit, Node, Raw, Ref, Rep, alt, opt, seq

_FIRST = [(ord("A"), ord("Z")), (ord("a"), ord("z")), (ord("_"), ord("_"))]
_REST = _FIRST + [(ord("0"), ord("9"))]
_NAME_CHAR = Raw("[a-zA-Z0-9_]")


def _class_minus(ranges: list[tuple[int, int]], minus: set[int]) -> str | None:
    chars = sorted({c for a, b in ranges for c in range(a, b + 1)} - minus)
    if not chars:
        return None
    runs: list[tuple[int, int]] = []
    for c in chars:
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    body = "".join(cls_char(a) if a == b else f"{cls_char(a)}-{cls_char(b)}" for a, b in runs)
    return f"[{body}]"


def name_rules(rule: str, exclude: Iterable[str], max_len: int | None = None,
               lower_first: bool = False, prefixes: Iterable[str] = ()) -> dict[str, Node]:
    """Rules (GBNF names -> IR) for identifiers ([A-Za-z_][A-Za-z0-9_]*) other than the
    `exclude` words and the names that begin with one of `prefixes`; `rule` is the first.

    `max_len` bounds the name's length (so sampling cannot run away). `lower_first`
    names start with [a-z_]: a line of prose ("Here is the script") then cannot
    begin as an assignment to a name `Here`.
    """
    first_chars = _FIRST[1:] if lower_first else _FIRST
    banned = {p for p in prefixes if not lower_first or not p[:1].isupper()}
    words = sorted(w for w in set(exclude) | banned if not lower_first or not w[:1].isupper())
    for w in words:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", w):
            raise GbnfError(f"{w!r} is not a name")
    rules: dict[str, Node] = {}
    counter = [0]
    tails: dict[str, Node] = {}

    def tail(used: int) -> Node:
        if max_len is None:
            return Rep(_NAME_CHAR, 0, None)
        left = max_len - used
        if left <= 0:
            return EMPTY
        name = f"{rule}-tail{left}"  # shared, so llama.cpp expands each bound once
        tails[name] = Rep(_NAME_CHAR, 0, left)
        return Ref(name)

    def node(prefix: str) -> str | None:
        """The rule for what may follow `prefix`; None when only the end may."""
        kids = sorted({w[len(prefix)] for w in words
                       if w.startswith(prefix) and len(w) > len(prefix)})
        alts: list[Node] = []
        if max_len is None or len(prefix) < max_len:
            free = _class_minus(first_chars if not prefix else _REST, {ord(k) for k in kids})
            if free:
                alts.append(seq(Raw(free), tail(len(prefix) + 1)))
            for k in kids:
                if prefix + k in banned:  # no name goes on past it
                    continue
                child = node(prefix + k)
                alts.append(seq(Lit(k), Ref(child)) if child else Lit(k))
        can_end = bool(prefix) and prefix not in words
        if not alts:
            if can_end:
                return None
            raise GbnfError(f"no name can continue {prefix!r}")
        body = alt(*alts)
        if can_end:
            body = opt(body)
        if not prefix:
            here = rule
        else:
            counter[0] += 1
            here = f"{rule}-{counter[0]}"
        rules[here] = body
        return here

    node("")
    return {rule: rules.pop(rule), **rules, **dict(sorted(tails.items()))}
