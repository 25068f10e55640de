"""Narrowing a model grammar further, for one task: which literals, names and calls.

A profile for a small model narrows what it may write beyond the task's tools
and keys (controller/narrowing.py decides what; this module says how, as rules
of the IR): string literals from a given list (the question's own phrases),
variable names from a given list, and calls with each tool's own number of
arguments, as statements only for the tools that do something. The result is a
subset of the model grammar, so every script it admits is still checked whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlmlang.syntax.gbnf.ir import EMPTY, GbnfError, Lit, Node, Ref, Rep, alt, opt, repeat, seq


@dataclass(frozen=True)
class CallShape:
    """One tool's call as a narrowed grammar offers it."""

    name: str
    required: int  # positional arguments it needs
    optional: int  # further positional arguments offered
    keywords: bool  # takes `name=value` arguments (up to three)
    statement: bool  # may stand alone as a statement (it has an effect, or prints)


@dataclass(frozen=True)
class Narrowing:
    """What a narrowed grammar offers (None: as the model grammar does)."""

    strings: tuple[str, ...] | None = None  # the only string literals
    names: tuple[str, ...] | None = None  # the only variable names
    calls: tuple[CallShape, ...] | None = None  # the only calls

    def describe(self) -> str:
        parts = []
        if self.strings is not None:
            parts.append(f"{len(self.strings)} string literals")
        if self.names is not None:
            parts.append(f"{len(self.names)} variable names")
        if self.calls is not None:
            parts.append("calls with each tool's own arguments")
        return ", ".join(parts)


_MAX_KEYWORDS = 3


def call_node(shape: CallShape) -> Node:
    """`name(` the required arguments, up to `optional` more, keyword arguments `)`."""
    name = Lit(shape.name + "(")
    arg = Ref("argument")
    more = seq(Lit(", "), arg)
    keyword = seq(Ref("var"), Lit("="), Ref("expr"))
    kw = Rep(seq(Lit(", "), keyword), 0, _MAX_KEYWORDS) if shape.keywords else EMPTY
    if shape.required == 0 and shape.optional == 0:
        if not shape.keywords:
            return seq(name, Lit(")"))
        return seq(name, opt(seq(keyword, Rep(seq(Lit(", "), keyword), 0, _MAX_KEYWORDS - 1))),
                   Lit(")"))
    if shape.required == 0:
        return seq(name, opt(seq(arg, repeat(more, 0, shape.optional - 1))), kw, Lit(")"))
    return seq(name, arg, repeat(more, shape.required - 1, shape.required - 1 + shape.optional),
               kw, Lit(")"))


def string_rule(literals: tuple[str, ...]) -> Node:
    """A string literal that is one of `literals` (written between double quotes)."""
    if not literals:
        raise GbnfError("a narrowed grammar needs at least one string literal")
    return seq(Lit('"'), alt(*(Lit(s) for s in literals)), Lit('"'))


def name_rule(names: tuple[str, ...]) -> Node:
    """A variable name that is one of `names`."""
    if not names:
        raise GbnfError("a narrowed grammar needs at least one variable name")
    return alt(*(Lit(n) for n in sorted(set(names))))


def call_rules(calls: tuple[CallShape, ...]) -> dict[str, Node]:
    """`call` (any offered call) and, when some tool may stand alone, `stmt_call`."""
    if not calls:
        raise GbnfError("a narrowed grammar needs at least one call")
    rules = {"call": alt(*(call_node(c) for c in calls))}
    statements = [call_node(c) for c in calls if c.statement]
    if statements:
        rules["stmt_call"] = alt(*statements)
    return rules
