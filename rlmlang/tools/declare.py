"""A compact way to declare a tool: a signature string, an implementation, a cost.

Builtins, skills and host tools are many small declarations; writing each
ToolSpec by hand buries the signature in boilerplate. `tool()` takes the
signature as it is shown to the model (`"text: str, sep: str = ''"`), parses
the types with the shared type parser, and fills the ToolSpec. `any` in a
parameter means UNKNOWN, which the checker treats as "accepts every type".

Cost and size helpers here are monotone by construction (sums and products
of non-negative sizes, then `size_fuel`), which the property tests check.

A tool whose result type depends on its argument types (`sorted`, `get`)
sets `result_type`: a function from the argument types to the result type,
stored as `spec.extra["result_type"]`; `infer_result` applies it.
"""

from __future__ import annotations

import ast as pyast
import re
from collections.abc import Callable
from typing import Any

from rlmlang.cost import size_fuel, work
from rlmlang.tools.registry import CostFn, Param, Permission, ResultBound, Size, SizeFn, ToolSpec
from rlmlang.types import INT, UNKNOWN, DictT, ListT, RecordT, Type, parse_type


def split_top(text: str) -> list[str]:
    """Split at commas outside brackets and quotes."""
    parts, depth, cur, quote = [], 0, [], ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


_ANY = RecordT((("__any__", INT),))


def _unany(t: Type) -> Type:
    if t == _ANY:
        return UNKNOWN
    if isinstance(t, ListT):
        return ListT(_unany(t.elem))
    if isinstance(t, DictT):
        return DictT(_unany(t.value))
    if isinstance(t, RecordT):
        return RecordT(tuple((n, _unany(ft)) for n, ft in t.fields))
    return t


def parse_type_any(text: str) -> Type:
    """The shared type parser, plus `any` (UNKNOWN) anywhere a type may stand."""
    return _unany(parse_type(re.sub(r"\bany\b", "{__any__: int}", text.strip())))


def parse_params(text: str) -> tuple[tuple[Param, ...], Type | None]:
    """`"a: int, b: str = ','", **kw: str"` → Params and the varkw type."""
    params: list[Param] = []
    varkw: Type | None = None
    for part in split_top(text):
        if part.startswith("**"):
            _, t = part[2:].split(":", 1)
            varkw = parse_type_any(t)
            continue
        name, rest = part.split(":", 1)
        if "=" in rest:
            t, default = rest.split("=", 1)
            params.append(Param(name.strip(), parse_type_any(t),
                                pyast.literal_eval(default.strip()), True))
        else:
            params.append(Param(name.strip(), parse_type_any(rest)))
    return tuple(params), varkw


def tool(name: str, params: str, result: str, impl: Callable[..., Any] | None, doc: str, *,
         cost: CostFn, size: SizeFn, example: str = "", origin: str = "builtin",
         permission: Permission | None = None, effect: bool = False,
         result_type: Callable[[list[Type]], Type] | None = None,
         prompt: bool = False, bound: ResultBound | None = None, **extra: Any) -> ToolSpec:
    """Declare one tool; `prompt=True` offers it in the model's prompt; `bound` says what
    the verifier may assume of the result beyond `size` (registry.ResultBound)."""
    ps, varkw = parse_params(params)
    ex = dict(extra)
    if result_type is not None:
        ex["result_type"] = result_type
    if prompt:
        ex["prompt"] = True
    return ToolSpec(name=name, params=ps, result=parse_type_any(result), cost=cost,
                    result_size=size, doc=doc.strip(), origin=origin, permission=permission,
                    impl=impl, varkw=varkw, effect=effect, example=example.strip(), extra=ex,
                    result_bound=bound)


def infer_result(spec: ToolSpec, arg_types: list[Type]) -> Type:
    """The result type of a call with these argument types (generic tools use extra)."""
    fn = spec.extra.get("result_type")
    if fn is None:
        return spec.result
    return fn(arg_types)


# --------------------------------------------------------------- cost helpers


def _total(sizes: list[Size], i: int) -> int:
    return sizes[i].total if i < len(sizes) else 0


def fuel(*positions: int, base: int = 0, factor: int = 1) -> CostFn:
    """Fuel `base + size_fuel(factor * (the work of walking the arguments at positions))`:
    a str's characters; a list's or dict's characters and items, items weighted by
    cost.ITEM_WORK (going over an item in Python costs more than over a character)."""

    def cost(sizes: list[Size]) -> int:
        n = 0
        for i in positions:
            if i < len(sizes):
                n += work(sizes[i])
        return base + size_fuel(factor * n)

    return cost


def const_fuel(n: int = 1) -> CostFn:
    return lambda sizes: n


def str_size(fn: Callable[[list[Size]], int]) -> SizeFn:
    """A string result of at most `fn(sizes)` characters."""
    return lambda sizes: Size(max(fn(sizes), 0), 1)


def scalar() -> SizeFn:
    return lambda sizes: Size(1, 1)


def total(sizes: list[Size], i: int) -> int:
    """The total of argument i (0 when it was not passed)."""
    return _total(sizes, i)


def length(sizes: list[Size], i: int) -> int:
    return sizes[i].len if i < len(sizes) else 0


def elem(sizes: list[Size], i: int) -> int:
    return sizes[i].elem if i < len(sizes) else 1
