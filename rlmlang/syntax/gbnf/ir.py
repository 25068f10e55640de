"""The grammar's IR: rules as small trees of literals, references, sequences, choices and
bounded repeats, and the rewrites every grammar goes through.

Everything that holds a model to a grammar is built as these nodes: the Lark grammar
read in (`source`), the passes that narrow it for a task or a profile (`model`,
`narrow`), the answers a sub-model writes (`answers`). Only `emit` turns them into
GBNF text, so there is one writer and a pass can never break the text's syntax.
The constructors normalise as they build (nested sequences flatten, adjacent literals
merge, duplicate options drop), so two passes that mean the same grammar build equal
trees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


class GbnfError(ValueError):
    """The Lark grammar (or a task) uses something this generator cannot translate."""


@dataclass(frozen=True)
class Node:
    pass


@dataclass(frozen=True)
class Lit(Node):
    text: str


@dataclass(frozen=True)
class Ref(Node):
    name: str


@dataclass(frozen=True)
class Plain(Node):
    """A reference to a rule's plain (context-free) variant, bypassing placement checks."""

    name: str


@dataclass(frozen=True)
class Seq(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt(Node):
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Rep(Node):
    item: Node
    lo: int
    hi: int | None


@dataclass(frozen=True)
class Raw(Node):
    """Pre-rendered GBNF (a character class, a terminal's body)."""

    gbnf: str


EMPTY = Seq(())


def seq(*items: Node) -> Node:
    flat: list[Node] = []
    for it in items:
        if isinstance(it, Seq):
            flat.extend(it.items)
        else:
            flat.append(it)
    # Merge adjacent literals; the spacing table never asks for two spaces in a row.
    out: list[Node] = []
    for it in flat:
        if isinstance(it, Lit) and out and isinstance(out[-1], Lit):
            a, b = out[-1].text, it.text
            if a.endswith(" ") and b.startswith(" "):
                b = b[1:]
            out[-1] = Lit(a + b)
        elif isinstance(it, Lit) and not it.text:
            continue
        else:
            out.append(it)
    return out[0] if len(out) == 1 else Seq(tuple(out))


def alt(*options: Node) -> Node:
    flat: list[Node] = []
    for o in options:
        for x in (o.options if isinstance(o, Alt) else (o,)):
            if x not in flat:
                flat.append(x)
    return flat[0] if len(flat) == 1 else Alt(tuple(flat))


def opt(item: Node) -> Node:
    return Rep(item, 0, 1)


def repeat(item: Node, lo: int, hi: int) -> Node:
    """`item` lo to hi times, in the plainest form: nothing, the item itself, or a Rep."""
    if hi <= 0:
        return EMPTY
    if lo == hi == 1:
        return item
    return Rep(item, lo, hi)


def walk(node: Node) -> Iterable[Node]:
    yield node
    if isinstance(node, Seq):
        for x in node.items:
            yield from walk(x)
    elif isinstance(node, Alt):
        for x in node.options:
            yield from walk(x)
    elif isinstance(node, Rep):
        yield from walk(node.item)


def refs(node: Node) -> list[Ref]:
    return [n for n in walk(node) if isinstance(n, Ref)]


def lits(node: Node) -> list[str]:
    return [n.text for n in walk(node) if isinstance(n, Lit)]


def rewrite(node: Node, f: Callable[[Node], Node | None]) -> Node:
    """Bottom-up rewrite: f returns a replacement or None to keep the node."""
    if isinstance(node, Seq):
        node = seq(*(rewrite(x, f) for x in node.items))
    elif isinstance(node, Alt):
        node = alt(*(rewrite(x, f) for x in node.options))
    elif isinstance(node, Rep):
        node = Rep(rewrite(node.item, f), node.lo, node.hi)
    got = f(node)
    return node if got is None else got


def _first_rest(node: Node) -> tuple[Node, Node]:
    if isinstance(node, Seq) and node.items:
        return node.items[0], seq(*node.items[1:])
    return node, EMPTY


def _align_heads(options: tuple[Node, ...], rules: dict[str, Node] | None) -> list[Node]:
    """Rewrite options so that those that can start alike start with the same item.

    Two shapes hide a shared start from plain left-factoring, and each costs
    llama.cpp one more parse per nesting level (so 2^n at n levels: `[[[[...`):
    an optional first item (`a? ":" | a "]"`, the slice beside the index) is
    split into `a ":" | ":"`; a reference to a rule that itself starts with
    another option's first item (`expr ...` beside `test comp_for`, where
    `expr: test (" as " type)?`) is replaced by that rule's body. One level of
    each, where another option starts with the item found: the language is the same.
    """
    def head(o: Node) -> Node:
        return _first_rest(o)[0]

    heads = {head(o) for o in options}
    out: list[Node] = []
    for o in options:
        first, rest = _first_rest(o)
        if isinstance(first, Rep) and first.lo == 0 and first.hi == 1:
            inner = seq(first.item, rest)
            if any(h == head(inner) or _unfolds_to(head(inner), h, rules) for h in heads
                   if h != first):
                out += [inner, rest]
                continue
        out.append(o)
    heads = {head(o) for o in out}
    aligned: list[Node] = []
    for o in out:
        first, rest = _first_rest(o)
        target = next((h for h in heads if h != first and _unfolds_to(first, h, rules)), None)
        if target is not None and rules is not None and isinstance(first, Ref):
            o = seq(rules[first.name], rest)
        aligned.append(o)
    return aligned


def _unfolds_to(first: Node, other: Node, rules: dict[str, Node] | None) -> bool:
    """Is `first` a reference to a rule whose (factored) body starts with `other`?"""
    if rules is None or not isinstance(first, Ref) or first.name not in rules:
        return False
    return _first_rest(rules[first.name])[0] == other


def factor(node: Node, rules: dict[str, Node] | None = None) -> Node:
    """Left-factor alternatives sharing a first item: `a b | a c` becomes `a (b | c)`.

    With `rules` (the rule set the node refers into, each body already factored,
    minus rules that must stay whole), options that only start alike after an
    optional item or inside a referenced rule are aligned first (`_align_heads`).
    """
    if isinstance(node, Seq):
        return seq(*(factor(x, rules) for x in node.items))
    if isinstance(node, Rep):
        return Rep(factor(node.item, rules), node.lo, node.hi)
    if not isinstance(node, Alt):
        return node
    groups: dict[Node, list[Node]] = {}
    order: list[Node] = []
    for o in _align_heads(node.options, rules):
        first, rest = _first_rest(o)
        if first not in groups:
            groups[first] = []
            order.append(first)
        groups[first].append(rest)
    out: list[Node] = []
    for first in order:
        rests = groups[first]
        if len(rests) == 1:
            out.append(factor(seq(first, rests[0]), rules))
            continue
        nonempty = [r for r in rests if r != EMPTY]
        tail = factor(alt(*nonempty), rules) if nonempty else EMPTY
        if len(nonempty) < len(rests) and nonempty:
            tail = opt(tail)
        out.append(seq(factor(first, rules), tail))
    return alt(*out)
