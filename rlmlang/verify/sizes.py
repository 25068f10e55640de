"""Abstract values: intervals for ints, upper bounds for sizes.

The verifier's fast path is abstract interpretation with one small value per
variable: an int is an interval `[lo, hi]`; a str, list or dict is an upper
bound on its length (and, for containers, an abstract element); a str may
also carry its *pieces* (literal text and unknown parts joined with `+`),
which the permission check hands to the policy. Bounds are Python numbers
(exact ints, or `INF`), so nothing overflows and every operation is monotone:
a bigger input never gives a smaller bound, which is what makes the result
an upper bound of what the VM will meter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from rlmlang.tools.registry import Size

INF = math.inf
Num = int | float  # float only for INF / -INF

# Pieces of a str: literal text, or an unknown part named by its source text.
UNKNOWN_PIECE_PREFIX = "\x00?"


@dataclass(frozen=True)
class Unknown:
    """An unknown part of a string (named by where it came from)."""

    name: str


Piece = str | Unknown


@dataclass(frozen=True)
class AV:
    """An abstract value. kind: int|float|bool|none|str|list|dict|any."""

    kind: str
    lo: Num = -INF  # ints: value bounds
    hi: Num = INF
    size: Num = 1  # str/list/dict: length upper bound
    elem: AV | None = None  # list elements / dict values
    pieces: tuple[Piece, ...] | None = None  # str: known shape
    # list: bound on the items' totals added up (the lines of a text add up to at most it);
    # dict: on its keys' lengths plus its values' totals. Independent of `size` and `elem`:
    # a dict counting the pieces of a text holds at most the text, however long a piece is.
    sum: Num = INF
    # str known to be one exact input value: (its lines, its longest line, their total)
    shape: tuple[int, int, int] | None = None
    # a tuple (a list of fixed length at run time): one abstract value per position
    items: tuple[AV, ...] | None = None
    # a record (a dict of known keys, `{name: str, ...}`): one abstract value per key, so
    # `r["customer"]["city"]` reads its field's value rather than the join of all fields
    fields: tuple[tuple[str, AV], ...] | None = None
    # str: one exact input value (`text`), or a line of one or a piece of such a line
    # (`line_of`): how often a literal separator occurs in it is then known (split counts)
    text: str | None = field(default=None, repr=False)
    line_of: str | None = field(default=None, repr=False)

    # -- constructors

    @staticmethod
    def const(v: object) -> AV:
        if isinstance(v, bool):
            return AV("bool")
        if isinstance(v, int):
            return AV("int", v, v)
        if isinstance(v, float):
            return AV("float")
        if isinstance(v, str):
            return AV("str", size=len(v), pieces=(v,))
        if v is None:
            return AV("none")
        if isinstance(v, list):
            el = join_all([AV.const(x) for x in v]) if v else None
            return AV("list", size=len(v), elem=el,
                      sum=sum(AV.const(x).total for x in v))
        if isinstance(v, dict):
            el = join_all([AV.const(x) for x in v.values()]) if v else None
            return AV("dict", hi=max((len(str(k)) for k in v), default=1), size=len(v), elem=el,
                      sum=sum(len(str(k)) + AV.const(x).total for k, x in v.items()))
        return AV("any")

    @property
    def total(self) -> Num:
        """Characters and items reachable, as `Size.total` counts them: for a container
        the lesser of len × its largest item and its items added up (each at least 1)."""
        if self.kind in ("list", "dict"):
            full = mul(self.size, self.item_bound())
            return min(full, self.sum + self.size)
        if self.kind in ("str", "any"):  # an "any" of two kinds: its size bounds them (join)
            return self.size
        return 1

    def item_bound(self) -> Num:
        """The largest item's total (a dict's keys count, as size_of counts them)."""
        if self.fields is not None:
            el = max([1, *(f.total for _, f in self.fields)])
        else:
            el = max(1, self.elem.total if self.elem else 1)
        if self.kind == "dict" and self.hi > 0:
            el = max(el, self.hi)
        return el

    def slots(self) -> Num:
        """Items at every level (0 for a str or scalar): how many values a walk visits."""
        if self.kind == "any":
            return self.size
        if self.kind not in ("list", "dict"):
            return 0
        if self.fields is not None:  # one value per field
            return self.size + sum(f.slots() for _, f in self.fields)
        inner = self.elem.slots() if self.elem is not None else 0
        if inner == 0:
            return self.size
        if self.elem is not None and self.elem.kind == "any":  # its depth is not known
            return self.size + mul(self.size, inner)
        # An item's slots are at most its total times its depth; the totals add up to sum.
        return self.size + min(mul(self.size, inner), mul(self.sum, self.elem.depth()))

    def depth(self) -> Num:
        """Levels of containers (0 for a str or scalar)."""
        if self.kind == "any":  # values of two kinds: no deeper than it has slots (+ 1 empty)
            return self.size + 1
        if self.fields is not None:
            return 1 + max((f.depth() for _, f in self.fields), default=0)
        return 0 if self.kind not in ("list", "dict") else 1 + (
            self.elem.depth() if self.elem is not None else 0)

    @property
    def literal(self) -> str | None:
        """The one text a str stands for where its pieces are all literal text (and
        nothing else fits its size), else None."""
        if self.kind != "str" or not self.pieces or \
                not all(isinstance(p, str) for p in self.pieces):
            return None
        text = "".join(self.pieces)  # type: ignore[arg-type]
        return text if len(text) == self.size else None

    def to_size(self) -> Size:
        """The registry's Size for this bound (ints and scalars are 1, as the VM passes)."""
        if self.kind in ("list", "dict"):
            # size_of counts each item at least 1: Σ max(1, t_i) <= Σ t_i + len.
            s = self.sum + self.size
            return Size(clamp(self.size), clamp(self.item_bound()),
                        None if s == INF else clamp(s), clamp(self.slots()))
        if self.kind == "str":
            if self.literal is not None:
                return Size.of_text(self.literal)
            # size_of counts line ends + 1: one more than lines() gives for a known text.
            lines = self.shape[0] + 1 if self.shape is not None else self.size + 1
            least = sum(len(p) for p in self.pieces if isinstance(p, str)) if self.pieces else 0
            return Size(clamp(self.size), 1, lines=clamp(min(lines, self.size + 1)),
                        min_len=least)
        return Size(1, 1)

    def bytes(self) -> Num:
        """A rough memory estimate: 1 byte per char, 8 per slot, plus element memory."""
        if self.kind == "str":
            return 49 + self.size
        if self.kind in ("list", "dict"):
            per = 8 + (self.elem.bytes() if self.elem else 0)
            if self.kind == "dict":  # and its key
                per += 49 + max(self.hi, 0)
            full = 56 + mul(self.size, per)
            if self.sum != INF:
                full = min(full, 56 + mul(self.size, 8 + 49) + self.sum)
            return full
        return 28


BIG = 10 ** 18  # what INF becomes where a tool's cost function needs an int


def clamp(x: Num) -> int:
    if x == INF:
        return BIG
    return max(0, int(x))


def mul(a: Num, b: Num) -> Num:
    """Multiplication where 0 × INF is 0 (no iterations cost nothing)."""
    if a == 0 or b == 0:
        return 0
    return a * b


def join(a: AV | None, b: AV | None) -> AV | None:
    """The least upper bound of two abstract values (None is 'unreachable')."""
    if a is None:
        return b
    if b is None or a is b:
        return a
    if a.kind != b.kind:
        if {a.kind, b.kind} <= {"int", "float"}:
            return AV("float")
        if "none" in (a.kind, b.kind):
            # A `T | None` (check/narrow.py): its T where the checker proved it is not None;
            # None is priced as a scalar (Size 1), which a T of size >= 1 bounds.
            v = b if a.kind == "none" else a
            return v if v.kind not in ("str", "list", "dict") or v.size >= 1 else \
                replace(v, size=1)
        # Values of two kinds (a record's fields): every dimension of either, nested ones
        # included, is within its total, so the "any" keeps that as its size and a value
        # read out of it can be given its checked type at that size (exprs.py, Index).
        return AV("any", size=max(_reach(a), _reach(b)))
    elem = join(a.elem, b.elem)
    pieces = a.pieces if a.pieces == b.pieces else None
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items, strict=True))  # type: ignore[misc]
    return AV(a.kind, min(a.lo, b.lo), max(a.hi, b.hi), max(a.size, b.size), elem, pieces,
              max(a.sum, b.sum), a.shape if a.shape == b.shape else None, items,
              fields=_pairwise(a.fields, b.fields, join))


def _pairwise(a: tuple[tuple[str, AV], ...] | None, b: tuple[tuple[str, AV], ...] | None,
              fn: Any) -> tuple[tuple[str, AV], ...] | None:
    """Two records' fields combined key by key (None unless both have the same keys)."""
    if a is None or b is None or [k for k, _ in a] != [k for k, _ in b]:
        return None
    return tuple((k, fn(x, y)) for (k, x), (_, y) in zip(a, b, strict=True))


def _reach(v: AV) -> Num:
    """A bound on every dimension of v: its length, its items', theirs, and so on."""
    return v.size if v.kind == "any" else max(v.size, v.total, v.slots()) if v.kind in (
        "str", "list", "dict") else 1


def join_all(vals: list[AV]) -> AV | None:
    out: AV | None = None
    for v in vals:
        out = join(out, v)
    return out


def leq(a: AV | None, b: AV | None) -> bool:
    """Whether `a` is within `b` (used to detect a loop's values settling)."""
    if a is None:
        return True
    if b is None:
        return False
    if a.kind != b.kind:
        return b.kind == "any" or a.kind == "none"  # join(None, T) is T
    if a.lo < b.lo or a.hi > b.hi or a.size > b.size or a.sum > b.sum:
        return False
    if a.pieces != b.pieces and b.pieces is not None:
        return False
    if a.shape != b.shape and b.shape is not None:
        return False
    if b.items is not None:
        if a.items is None or len(a.items) != len(b.items) or not all(
                leq(x, y) for x, y in zip(a.items, b.items, strict=True)):
            return False
    if b.fields is not None:
        pairs = _pairwise(a.fields, b.fields, leq)
        if pairs is None or not all(ok for _, ok in pairs):
            return False
    return leq(a.elem, b.elem)


def widen_av(old: AV, new: AV) -> AV:
    """Jump bounds that keep moving to infinity (so loops settle)."""
    lo = old.lo if new.lo >= old.lo else -INF
    hi = old.hi if new.hi <= old.hi else INF
    size = old.size if new.size <= old.size else INF
    elem = new.elem
    if old.elem is not None and new.elem is not None:
        elem = widen_av(old.elem, new.elem)
    pieces = old.pieces if old.pieces == new.pieces else None
    total = old.sum if new.sum <= old.sum else INF
    items = None
    if old.items is not None and new.items is not None and len(old.items) == len(new.items):
        items = tuple(widen_av(x, y) for x, y in zip(old.items, new.items, strict=True))
    return AV(new.kind, lo, hi, size, elem, pieces, total, None, items,
              fields=_pairwise(old.fields, new.fields, widen_av))


# ---------------------------------------------------------------------- ints


def iadd(a: AV, b: AV) -> AV:
    return AV("int", a.lo + b.lo, a.hi + b.hi)


def isub(a: AV, b: AV) -> AV:
    return AV("int", a.lo - b.hi, a.hi - b.lo)


def imul(a: AV, b: AV) -> AV:
    cands = [_m(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return AV("int", min(cands), max(cands))


def _m(x: Num, y: Num) -> Num:
    if x == 0 or y == 0:
        return 0
    return x * y


def ifloordiv(a: AV, b: AV) -> AV:
    if b.lo > 0 and a.lo >= 0:
        hi = a.hi if a.hi == INF else a.hi // b.lo
        lo = 0 if b.hi == INF else a.lo // b.hi
        return AV("int", lo, hi)
    if b.lo > 0:
        m = max(abs(a.lo), abs(a.hi))
        return AV("int", -m, m)
    return AV("int")


def imod(a: AV, b: AV) -> AV:
    if b.lo > 0:
        top = b.hi - 1
        if a.lo >= 0:
            return AV("int", 0, min(top, a.hi))
        return AV("int", -top if top != INF else -INF, top)
    return AV("int")


def ineg(a: AV) -> AV:
    return AV("int", -a.hi, -a.lo)


def fmt(x: Num) -> str:
    """A bound for messages: 1,234,567 or 'unbounded'."""
    if x == INF:
        return "unbounded"
    if x == -INF:
        return "-unbounded"
    return f"{int(x):,}"


def interval(a: AV) -> str:
    if a.lo == a.hi:
        return fmt(a.lo)
    return f"[{fmt(a.lo)}, {fmt(a.hi)}]"
