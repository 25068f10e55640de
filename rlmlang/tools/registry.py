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

from rlmlang.cost import work
from rlmlang.types import ListT, Type, format_type

_SCALAR_TYPES = frozenset({int, float, bool, type(None)})
_UNMEASURED = object()


class Size:
    """How big a value is: what cost and size functions read, on bounds or actual values.

    - `len`: characters of a str, items of a list or dict, 1 for a scalar;
    - `elem`: the largest item's `total` (a dict's keys count: `keys(d)` and
      `str(d)` produce them), 1 for a str or scalar;
    - `sum`: for a container, the items' totals added up, each counted at
      least 1 (a dict entry: its key's length plus its value's total); None
      where only `len` and `elem` are known;
    - `slots`: container items at every level (0 for a str or scalar): how
      many values a walk over it visits;
    - `lines`: for a str, at most how many lines it has (its line ends + 1;
      len + 1 where only the length is known): what a scan that does work per
      matching line can cost;
    - `min_len`: a lower bound of `len` (exact from size_of; from the verifier, the
      literal text it knows a str holds, else 0): a phrase of k characters can match
      at most len // k times. Costs are monotone *decreasing* in it.

    `total` (characters and items reachable) is `min(len * elem, sum)`: the
    lines of a text are at most as many characters as the text, however long
    the longest is. The verifier passes upper bounds, the VM actual sizes;
    cost and size functions must be monotone in every field so that the
    first always dominates the second. `size_of` measures a container only
    when a cost function first reads `elem`, `sum`, `total` or `slots`, so a
    call that charges by `len` (or not at all) never walks its argument.
    """

    __slots__ = ("len", "_elem", "_sum", "_slots", "_value", "_lines", "min_len")

    def __init__(self, len: int = 1, elem: int = 1, sum: int | None = None,  # noqa: A002
                 slots: int = 0, lines: int | None = None, min_len: int = 0) -> None:
        self.len = len
        self.min_len = min_len
        self._elem = elem
        self._sum = sum
        self._slots = slots
        self._value: Any = None
        self._lines = lines

    @classmethod
    def of_text(cls, text: str) -> Size:
        """The Size of a str; its lines are counted on first need."""
        s = object.__new__(cls)
        s.len, s._elem, s._sum, s._slots, s._value, s._lines = len(text), 1, None, 0, text, None
        s.min_len = s.len
        return s

    @property
    def lines(self) -> int:
        if self._lines is None:
            v = self._value
            self._lines = v.count("\n") + 1 if isinstance(v, str) else max(self.len, 0) + 1
        return self._lines

    @classmethod
    def lazy(cls, value: list[Any] | dict[str, Any]) -> Size:
        """The Size of a container, measured on first need."""
        s = cls(len(value), 1)
        s._value = value
        s._elem = _UNMEASURED  # type: ignore[assignment]
        return s

    def _measure(self) -> None:
        self._elem, self._sum, self._slots = _measure(self._value)
        self._value = None

    @property
    def elem(self) -> int:
        if self._elem is _UNMEASURED:
            self._measure()
        return self._elem

    @property
    def sum(self) -> int | None:
        if self._elem is _UNMEASURED:
            self._measure()
        return self._sum

    @property
    def slots(self) -> int:
        if self._elem is _UNMEASURED:
            self._measure()
        return self._slots

    @property
    def total(self) -> int:
        """Characters and items reachable: len for a str or scalar (see the class doc)."""
        if self._elem is _UNMEASURED:
            self._measure()
        e = self._elem
        full = self.len * (e if e > 1 else 1)
        s = self._sum
        return full if s is None or s >= full else (s if s > 0 else 0)

    def _key(self) -> tuple[int, int, int | None, int]:
        return (self.len, self.elem, self.sum, self.slots)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Size) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        extra = "" if self.sum is None else f", sum={self.sum}"
        extra += f", slots={self.slots}" if self.slots else ""
        return f"Size(len={self.len}, elem={self.elem}{extra})"


SCALAR_SIZE = Size(1, 1)


def size_of(value: object) -> Size:
    """The actual Size of a runtime value (what the VM passes to cost functions).

    O(1) for a str or scalar; a list or dict is measured only when its
    `elem`, `sum`, `total` or `slots` is first read (see Size).
    """
    t = type(value)
    if t is str:
        return Size.of_text(value)  # type: ignore[arg-type]
    if t is list or t is dict:
        return Size.lazy(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        return Size.of_text(value)
    if isinstance(value, (list, dict)):
        return Size.lazy(value)
    return SCALAR_SIZE


def _measure(value: Any) -> tuple[int, int, int]:
    """(elem, sum, slots) of a list or dict; flat ones in a few C-level passes."""
    n = len(value)
    if n == 0:
        return 1, 0, 0
    if type(value) is dict:
        keys = list(map(len, value)) if set(map(type, value)) == {str} else None
        vals = value.values()
        vtypes = set(map(type, vals))
        if keys is not None and vtypes <= _SCALAR_TYPES:
            return max(max(keys), 1), sum(keys) + n, n
        if keys is not None and vtypes == {str}:
            vl = list(map(len, vals))
            both = list(map(int.__add__, keys, vl))
            return max(max(keys), max(vl), 1), sum(both) + both.count(0), n
        elem, total, slots = 1, 0, n
        for k, v in value.items():
            s = size_of(v)
            kl = len(k) if isinstance(k, str) else 1
            elem = max(elem, s.total, kl)
            total += max(1, kl + s.total)
            slots += s.slots
        return elem, total, slots
    types = set(map(type, value))
    if types == {str}:
        lens = list(map(len, value))
        return max(max(lens), 1), sum(lens) + lens.count(0), n
    if types <= _SCALAR_TYPES:
        return 1, n, n
    elem, total, slots = 1, 0, n
    for v in value:
        s = size_of(v)
        elem = max(elem, s.total)
        total += max(1, s.total)
        slots += s.slots
    return elem, total, slots


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
    """Cost `base + per * (the work of walking the given arguments)` (cost.work)."""

    def cost(sizes: list[Size]) -> int:
        n = sum(work(sizes[i]) for i in params if i < len(sizes))
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
        # What loading left out (a stdlib module or plugin that failed), as diagnostics.
        self.problems: list[Any] = []
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
