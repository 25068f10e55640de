"""Grammars for a sub-model's answer, and reading the answer back.

`llm.predict(...) as T` holds the answer to one JSON value of type T
(`value_grammar`), read back by `parse_value`; an extractive answer is one of a
given list of texts (`choice_grammar`, the snippet's own spans). Both are built
as IR and printed by the one emitter, like the script grammars.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from rlmlang.syntax.gbnf.emit import emit_rules
from rlmlang.syntax.gbnf.ir import EMPTY, GbnfError, Lit, Node, Raw, Ref, Rep, Seq, alt, opt, seq
from rlmlang.tools.errors import ToolError
from rlmlang.types import FLOAT, NONE, STR, DictT, ListT, Prim, RecordT, Type, conforms, format_type

VALUE_STRING_MAX = 200
VALUE_ITEMS_MAX = 32

_DIGITS = Rep(Raw("[0-9]"), 0, 17)
_PRIMS: dict[str, tuple[str, Node]] = {
    "int": ("int", alt(Lit("0"), seq(opt(Lit("-")), Raw("[1-9]"), _DIGITS))),
    "float": ("float", seq(opt(Lit("-")), alt(Lit("0"), seq(Raw("[1-9]"), _DIGITS)),
                           opt(seq(Lit("."), Rep(Raw("[0-9]"), 1, 17))))),
    "bool": ("bool", alt(Lit("true"), Lit("false"))),
    "str": ("string", seq(Lit('"'), Rep(Ref("json-char"), 0, VALUE_STRING_MAX), Lit('"'))),
    "none": ("null", Lit("null")),
}
_JSON_CHAR = alt(Raw('[^"\\\\\\x00-\\x1F\\x7F]'), seq(Lit("\\"), Raw('["\\\\/nrt]')))


def _items(item: Node) -> Node:
    """`item` then up to VALUE_ITEMS_MAX - 1 more, comma-separated (JSON's `, `)."""
    return seq(item, Rep(seq(Lit(", "), item), 0, VALUE_ITEMS_MAX - 1))


@lru_cache(maxsize=64)
def value_grammar(t: Type) -> str:
    """GBNF for one JSON value of type `t` (compact: `, ` and `: ` separators)."""
    rules: dict[str, Node] = {}
    names: dict[Type, str] = {}

    def rule(tt: Type) -> str:
        if tt in names:
            return names[tt]
        if isinstance(tt, Prim):
            name, body = _PRIMS[tt.name]
            names[tt] = name
            rules[name] = body
            if name == "string":
                rules["json-char"] = _JSON_CHAR
            return name
        name = f"v{len(names)}"
        names[tt] = name
        if isinstance(tt, ListT):
            rules[name] = seq(Lit("["), opt(_items(Ref(rule(tt.elem)))), Lit("]"))
        elif isinstance(tt, DictT):
            s, v = rule(STR), rule(tt.value)
            rules[name] = seq(Lit("{"), opt(_items(seq(Ref(s), Lit(": "), Ref(v)))), Lit("}"))
        elif isinstance(tt, RecordT):
            parts: list[Node] = [Lit("{")]
            for i, (f, ft) in enumerate(tt.fields):
                parts += [Lit(", ")] if i else []
                parts += [Lit(json.dumps(f) + ": "), Ref(rule(ft))]
            # Built as is (not by seq): each key stays its own literal, as JSON spells it.
            rules[name] = Seq((*parts, Lit("}"))) if tt.fields else Lit("{}")
        else:
            raise GbnfError(f"no JSON grammar for type {format_type(tt)}")
        return name

    root = rule(t)
    return emit_rules({"root": Ref(root), **rules},
                      f"JSON value of type {format_type(t)} (rlmlang/syntax/gbnf/answers.py)")


def choice_grammar(texts: Iterable[str]) -> str:
    """GBNF for exactly one of `texts` (an extractive answer)."""
    options = [Lit(x) for x in texts]
    return emit_rules({"root": alt(*options) if options else EMPTY})


def parse_value(text: str, t: Type) -> object:
    """Read a JSON value of type `t` (as written under `value_grammar(t)`).

    A ToolError (the VM reports it at the call) when the text is cut short or is
    not a `t`: a generation that hit its token limit is not a value.
    """
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as e:
        raise ToolError(f"the model's answer is not a complete {format_type(t)} value "
                        f"({e.msg} at character {e.pos}): {text[:80]!r}") from None
    value = _coerce(value, t)
    if not conforms(value, t):
        raise ToolError(f"the model's answer {text[:80]!r} is not a {format_type(t)}")
    return value


def _coerce(v: object, t: Type) -> object:
    if t == FLOAT and isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(t, ListT) and isinstance(v, list):
        return [_coerce(x, t.elem) for x in v]
    if isinstance(t, DictT) and isinstance(v, dict):
        return {k: _coerce(x, t.value) for k, x in v.items()}
    if isinstance(t, RecordT) and isinstance(v, dict):
        return {k: _coerce(x, t.field(k) or NONE) for k, x in v.items()}
    return v
