"""The tool registry: one description of every callable a script can name.

Builtins (`len`, `lines`), stdlib functions written in RLM script, host
tools (`fs.read`, `llm.predict`) and plugins all become a `ToolSpec`. Every
stage reads the same spec: the checker its parameter and result types, the
verifier its cost and result-size functions (on upper bounds) and its
permission, the VM its implementation and the same cost function (on actual
sizes), the grammar specialiser its name, the prompt its signature and doc.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rlmlang.types import ListT, Type, format_type


@dataclass(frozen=True)
class Size:
    """How big a value is: `len` (chars, elements or 1) and `elem` (the largest element).

    The verifier passes upper bounds, the VM actual sizes; cost and size
    functions must be monotone so that the first always dominates the second.
    """

    len: int = 1
    elem: int = 1

    @property
    def total(self) -> int:
        """Characters (or elements) reachable: len for scalars, len * elem for lists."""
        return self.len * max(self.elem, 1)


def size_of(value: object) -> Size:
    """The actual Size of a runtime value (what the VM passes to cost functions)."""
    if isinstance(value, str):
        return Size(len(value), 1)
    if isinstance(value, list):
        elem = 1
        for v in value:
            s = size_of(v)
            elem = max(elem, s.total)
        return Size(len(value), elem)
    if isinstance(value, dict):
        # Keys count too: keys(d) and str(d) produce them.
        elem = 1
        for k, v in value.items():
            elem = max(elem, size_of(v).total, len(k))
        return Size(len(value), elem)
    return Size(1, 1)


CostFn = Callable[[list[Size]], int]
SizeFn = Callable[[list[Size]], Size]


@dataclass(frozen=True)
class Permission:
    """The grant a call needs: `kind` (e.g. "fs.read") and which parameter names the resource."""

    kind: str
    resource_param: str | None = None


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class ToolSpec:
    name: str  # as scripts write it: "len", "fs.read", "llm.predict"
    params: tuple[Param, ...]
    result: Type
    cost: CostFn  # fuel, from argument sizes
    result_size: SizeFn  # upper bound of the result's size, from argument sizes
    doc: str
    origin: str = "builtin"  # builtin | stdlib:<module> | host | plugin:<distribution>
    permission: Permission | None = None
    impl: Callable[..., Any] | None = None  # Python implementation (builtins, host tools)
    # Extra keyword arguments of one type (llm.predict's named snippets), or None.
    varkw: Type | None = None
    effect: bool = False  # has effects outside the VM (recorded in the log, replayed)
    example: str = ""
    # Extra data stages may need (e.g. a stdlib function's verified AST).
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def signature(self) -> str:
        parts = []
        for p in self.params:
            text = f"{p.name}: {format_type(p.type)}"
            if p.has_default:
                text += f" = {p.default!r}"
            parts.append(text)
        if self.varkw is not None:
            parts.append(f"**{format_type(self.varkw)}")
        return f"{self.name}({', '.join(parts)}) -> {format_type(self.result)}"


def linear_cost(base: int = 1, per: float = 0.0, params: tuple[int, ...] = (0,)) -> CostFn:
    """Cost `base + per * (sum of the totals of the given argument positions)`."""

    def cost(sizes: list[Size]) -> int:
        n = sum(sizes[i].total for i in params if i < len(sizes))
        return base + int(per * n)

    return cost


def const_size(n: int = 1, elem: int = 1) -> SizeFn:
    return lambda sizes: Size(n, elem)


def same_size(param: int = 0) -> SizeFn:
    """The result is no bigger than argument `param`."""
    return lambda sizes: sizes[param]


class Registry:
    """A name → ToolSpec table; later registrations must not silently replace earlier ones."""

    def __init__(self, specs: list[ToolSpec] | None = None) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for s in specs or []:
            self.add(s)

    def add(self, spec: ToolSpec, replace: bool = False) -> None:
        if spec.name in self._specs and not replace:
            raise ValueError(f"tool {spec.name!r} is already registered "
                             f"(by {self._specs[spec.name].origin})")
        self._specs[spec.name] = spec

    def get(self, name: str) -> ToolSpec | None:
        return self._specs.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._specs

    def names(self) -> list[str]:
        return sorted(self._specs)

    def specs(self) -> list[ToolSpec]:
        return [self._specs[n] for n in self.names()]

    def restricted(self, names: set[str]) -> Registry:
        """The same registry limited to `names` (a task's tools)."""
        return Registry([s for s in self.specs() if s.name in names])

    def namespaces(self) -> set[str]:
        return {n.split(".", 1)[0] for n in self._specs if "." in n}


def is_list_of_str(t: Type) -> bool:
    return isinstance(t, ListT) and format_type(t.elem) == "str"
