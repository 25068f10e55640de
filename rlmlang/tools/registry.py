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
from functools import lru_cache
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
    def text(self) -> str | None:
        """The str itself where it is known exactly (an actual value, or a literal the
        verifier knows): a size function may read what a pattern holds, not only its length."""
        return self._value if isinstance(self._value, str) else None

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


class ArgTypeError(Exception):
    """Raised by a tool's `result_type` (extra) when no result fits its argument types
    (`dict` of pairs whose keys are ints): the checker reports it as E_TYPE at the call."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


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


# ------------------------------------------------------------------ result bounds


@lru_cache(maxsize=8)
def text_shape(text: str) -> tuple[int, int, int]:
    """(how many lines, the longest, their summed length), as lines(text) splits it.

    Counted a megabyte of lines at a time, never as one list of every line:
    that list costs about twice the text's own memory (measured: +17 MB of
    peak RSS for an 8 MB context).
    """
    if not text:
        return 0, 0, 0
    ends = text.count("\n")
    open_tail = not text.endswith("\n")  # a last line without its end
    # Each "\r\n" drops its "\r" from a line, as does a lone "\r" ending the text.
    total = len(text) - ends - text.count("\r\n") - (open_tail and text.endswith("\r"))
    longest, start = 0, 0
    while start < len(text):
        cut = text.find("\n", start + _SHAPE_CHUNK)
        end = len(text) if cut < 0 else cut + 1
        piece = text[start:end]
        parts = piece.split("\n")
        m = max(map(len, parts))
        if "\r" in piece and not any(len(p) == m and not p.endswith("\r") for p in parts):
            m -= 1  # every longest line loses its "\r"
        longest = max(longest, m)
        start = end
    return ends + open_tail, longest, total


_SHAPE_CHUNK = 1 << 20


@dataclass(frozen=True)
class Length:
    """The result is an int from 0 to the length of argument `of` (`len`)."""

    of: int = 0

    def admits(self, args: list[Any], value: Any) -> str | None:
        x = args[self.of] if self.of < len(args) else None
        if isinstance(x, (str, list, dict)) and not (isinstance(value, int)
                                                     and 0 <= value <= len(x)):
            return f"{value!r} is not from 0 to the length of its argument ({len(x)})"
        return None


@dataclass(frozen=True)
class Digits:
    """The result is the text of the int argument `of`: its digits and a sign; of a text
    argument, that text as it is (`str`)."""

    of: int = 0

    def admits(self, args: list[Any], value: Any) -> str | None:
        x = args[self.of] if self.of < len(args) else None
        if isinstance(x, str) and value != x:
            return "not the text it was given"
        if isinstance(x, int) and not isinstance(x, bool) and \
                len(value) > len(str(abs(x))) + 1:
            return f"{len(value)} characters, more than the digits of {x}"
        return None


@dataclass(frozen=True)
class Numbers:
    """The result is a list of the ints from argument 0 up to (not including) argument 1,
    or, with argument 1 not an int, from 0 up to argument 0 (`range`)."""

    def admits(self, args: list[Any], value: Any) -> str | None:
        lo, hi = (args[0], args[1]) if len(args) > 1 and isinstance(args[1], int) \
            else (0, args[0] if args else 0)
        if not (isinstance(lo, int) and isinstance(hi, int)):
            return None
        if len(value) > max(0, hi - lo) or any(not lo <= v < hi for v in value):
            return f"not a list of at most {max(0, hi - lo)} ints from {lo} up to {hi}"
        return None


# How many pieces a Pieces result can have, beyond what result_size says.
PIECE_COUNTS = ("", "lines", "rows", "words", "separator", "chunks")


@dataclass(frozen=True)
class Pieces:
    """The result is a list of pieces cut out of the str argument `of`.

    Each piece is a part of that text (so a piece of one line of it stays in
    that line), and their lengths add up to at most its length. `count`
    bounds how many there are, for a text of L characters:

    - "lines": one per line: at most L, and for a known text its lines, each
      no longer than its longest line (`lines`, `find_lines`);
    - "rows": at most L (`column`);
    - "words": at most (L + 1) // 2, or a known text's words (`words`);
    - "separator": the parts between the separator in argument `by`: at most
      L // k + 1 for one of k characters, the occurrences in a known text (or
      in the busiest line of one) + 1, and words for "" (`split`);
    - "chunks": pieces of at most argument `by` characters (`chunks`);
    - "": as many as `result_size` says.
    """

    of: int = 0
    count: str = ""
    by: int = 1

    def __post_init__(self) -> None:
        if self.count not in PIECE_COUNTS:
            raise ValueError(f"Pieces count {self.count!r}: one of {PIECE_COUNTS}")

    def admits(self, args: list[Any], value: Any) -> str | None:
        text = args[self.of] if self.of < len(args) else None
        if not isinstance(text, str):
            return None
        n = len(text)
        if not all(isinstance(p, str) for p in value):
            return "not a list of str"
        if sum(map(len, value)) > n:
            return f"its pieces add up to more than the {n:,} characters of the text"
        most, longest = len(value), n  # "": as many as result_size says (checked there)
        by = args[self.by] if self.by < len(args) else None
        if self.count == "rows":
            most = n
        elif self.count == "lines":
            most, longest, _ = text_shape(text)
        elif self.count == "words" or (self.count == "separator" and by == ""):
            most = len(text.split()) if self.count == "words" else (n + 1) // 2
        elif self.count == "separator" and isinstance(by, str):
            most = text.count(by) + 1
        elif self.count == "chunks" and isinstance(by, int) and by > 0:
            most, longest = -(-n // by), by
        if len(value) > most or any(len(p) > longest for p in value):
            return f"{len(value):,} pieces, more (or longer) than it declares ({self.count})"
        return None


PAIR_KINDS = ("items", "enumerate", "zip")


@dataclass(frozen=True)
class Pairs:
    """The result is a list of [a, b] pairs, each position keeping its own bound:

    - "items": [key, value] of the dict argument 0 (`items`);
    - "enumerate": [index, item] of the list argument 0, indices from argument 1;
    - "zip": [item of list argument 0, item of list argument 1];

    at most as many as the argument `limit` says, where that is an int >= 0
    (`top_counts`).
    """

    of: str
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.of not in PAIR_KINDS:
            raise ValueError(f"Pairs of {self.of!r}: one of {PAIR_KINDS}")

    def admits(self, args: list[Any], value: Any) -> str | None:
        x = args[0] if args else None
        if self.of == "items" and isinstance(x, dict):
            ok = all(p[0] in x and p[1] == x[p[0]] for p in value)
        elif self.of == "enumerate" and isinstance(x, list):
            start = args[1] if len(args) > 1 and isinstance(args[1], int) else 0
            ok = all(0 <= p[0] - start < len(x) and p[1] == x[p[0] - start] for p in value)
        elif self.of == "zip" and isinstance(x, list) and len(args) > 1:
            ok = len(value) <= min(len(x), len(args[1])) and all(
                p == [a, b] for p, a, b in zip(value, x, args[1], strict=False))
        else:
            return None
        cap = args[self.limit] if self.limit is not None and self.limit < len(args) else -1
        if isinstance(cap, int) and cap >= 0 and len(value) > cap:
            ok = False
        return None if ok else f"not the {self.of} pairs of its arguments"


@dataclass(frozen=True)
class AnItem:
    """The result is one of the items of the list argument `of` (`max(xs, key=...)`,
    `min(xs)`), or, with `default` an argument's position, that argument (`max(xs,
    default=d)`): it keeps their bounds. Declared as a size alone, an item of a list of
    pairs lost its positions, and `max(d.items(), key=...)[0]`, a key of a few
    characters, could be any text as long as the input."""

    of: int = 0
    default: int | None = None

    def admits(self, args: list[Any], value: Any) -> str | None:
        x = args[self.of] if self.of < len(args) else None
        if not isinstance(x, list):
            return None
        if self.default is not None and self.default < len(args) and \
                value == args[self.default]:
            return None
        return None if any(v == value for v in x) else "not one of the items of its argument"


@dataclass(frozen=True)
class Template:
    """The result is the str argument 0, a template (`"{} of {:.1f}"`), filled with the
    other arguments as `s.format(...)` fills it: at most `measure(template, sizes)`
    characters (sizes: of every argument) where the template is known, as a literal is
    to the verifier (tools/template.py's template_chars)."""

    measure: Callable[[str, list[Size]], int]

    def admits(self, args: list[Any], value: Any) -> str | None:
        if not args or not isinstance(args[0], str):
            return None
        most = self.measure(args[0], [size_of(a) for a in args])
        return None if len(value) <= most else f"{len(value)} characters, more than {most}"


# What the verifier may assume of a tool's result beyond its `result_size`: one of these,
# declared on the tool (never known by its name), so a plugin's result is bounded as
# tightly as a builtin's. `admits(args, value)` is the same promise checked on values.
ResultBound = Length | Digits | Numbers | Pieces | Pairs | Template | AnItem


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
    # What the verifier may assume of the result beyond result_size (see ResultBound).
    result_bound: ResultBound | None = None

    def summary(self) -> str:
        """The doc's first sentence, on one line (a card's or a hint's tool line)."""
        first = self.doc.strip().splitlines()[0] if self.doc.strip() else ""
        return first.split(". ")[0].rstrip(".")

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
