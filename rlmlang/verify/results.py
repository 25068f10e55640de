"""The abstract result of a builtin or tool call, from its arguments' abstract values.

A tool declares an upper bound of its result's `Size` (`ToolSpec.result_size`);
for some builtins the verifier knows more: `len` is an interval, `range` a
list of ints in an interval, the pieces of a text (`lines`, `split`, ...)
add up to at most the text and are counted by lines, words or separators,
pairs (`items`, `enumerate`, `zip`) keep each position's own bound.
"""

from __future__ import annotations

from typing import Any

from rlmlang.syntax import ast
from rlmlang.tools.registry import Size, ToolSpec
from rlmlang.types import Type
from rlmlang.verify.proof import num
from rlmlang.verify.sizes import AV, INF, Num, clamp, fmt, join
from rlmlang.verify.values import from_size, top_of

# Builtins whose result is a list of pieces of one str argument (its position):
# the pieces' sizes sum to at most that argument's size.
_SPLITTERS = {"lines": 0, "split": 0, "split_max": 0, "rsplit": 0, "words": 0, "chunks": 0,
              "regex_findall": 1,
              "find_lines": 0, "column": 0}


def _piece_count(name: str, size: Num, a: list[AV], declared: Num) -> Num:
    """How many pieces a text of `size` characters can give (tighter than declared).

    A text of L >= 1 characters has at most L lines (a final line end adds no
    line), so at most L matching lines or table rows; words need a space
    between them, so at most (L+1)//2; a known separator of k characters
    occurs at most L//k times.
    """
    if size == INF:
        return declared
    if name in ("lines", "find_lines", "column"):
        return min(declared, size)
    sep = a[1].pieces if name == "split" and len(a) > 1 else None
    known = a[0].text if a else None
    line_of = a[0].line_of if a else None
    if name == "words" and known is not None:
        return min(declared, word_count(known))
    if name == "split" and sep is not None and len(sep) == 1 and isinstance(sep[0], str) \
            and sep[0] != "" and (known is not None or line_of is not None):
        # A known text: its pieces counted; a line of one: at most its busiest line's.
        return min(declared, separators(known if known is not None else line_of, sep[0],
                                        per_line=known is None) + 1)
    if name == "words" or (sep is not None and sep == ("",)):
        return min(declared, (size + 1) // 2)
    if sep is not None and len(sep) == 1 and isinstance(sep[0], str):
        return min(declared, size // len(sep[0]) + 1)
    return declared


RANGE_LIMIT = 100_000_000  # numbers in one range(...); beyond this it is a memory bomb

_SEPARATORS: dict[tuple[int, int, int, str, bool], int] = {}


def word_count(text: str) -> int:
    """How many words words() gives of a known text (a megabyte at a time, cut at a space,
    so no list of every word is held)."""
    key = (id(text), len(text), hash(text), "", False)
    got = _SEPARATORS.get(key)
    if got is None:
        got, start = 0, 0
        while start < len(text):
            end = min(len(text), start + (1 << 20))
            while end < len(text) and not text[end].isspace():
                end += 1
            got += len(text[start:end].split())
            start = end
        _SEPARATORS[key] = got
    return got


def separators(text: str, sep: str, per_line: bool) -> int:
    """How often `sep` occurs in a known text (per_line: in its busiest line), counted once
    per text and separator (the text is the input's value, alive while it is verified)."""
    key = (id(text), len(text), hash(text), sep, per_line)
    got = _SEPARATORS.get(key)
    if got is None:
        if len(_SEPARATORS) > 256:
            _SEPARATORS.clear()
        if not per_line:
            got = text.count(sep)
        elif "\n" in sep:
            got = text.count(sep)  # a separator across lines: no line holds more than all
        else:
            got = max(map(lambda line: line.count(sep), text.split("\n")), default=0)
        _SEPARATORS[key] = got
    return got


def call_result(e: ast.Call, spec: ToolSpec, a: list[AV], sizes: list[Size], t: Type | None,
                problem: Any) -> AV:
    """The abstract result of `e`, a call of `spec` with arguments `a` (sizes: their
    Sizes) whose type is t; `problem(node, message, fix, **data)` reports a size problem."""
    name = spec.name
    if name == "len" and a:
        return AV("int", 0, a[0].size if a[0].kind in ("str", "list", "dict") else INF)
    if name == "range" and a:
        if len(a) >= 2 and a[1].kind == "int":
            start, stop = a[0], a[1]
        else:
            start, stop = AV("int", 0, 0), a[0]
        count = max(0, stop.hi - start.lo) if stop.kind == "int" else INF
        if count > RANGE_LIMIT:
            problem(e, f"range(...) can hold up to {fmt(count)} numbers "
                    f"(limit {fmt(RANGE_LIMIT)})",
                    "bound the range: check the count with if first, or iterate "
                    "a smaller collection", bound=num(count))
        return AV("list", size=count, elem=AV("int", start.lo, stop.hi - 1))
    if name in _SPLITTERS and len(a) > _SPLITTERS[name] and \
            a[_SPLITTERS[name]].kind == "str":
        src = a[_SPLITTERS[name]]
        if name == "chunks":
            out = _chunks(a)
        else:
            out = from_size(t, spec.result_size(sizes))
        el = out.elem if out.elem is not None else AV("str", size=src.size)
        if src.shape is not None and name in ("lines", "find_lines"):
            # An input whose value is known: its real lines (or fewer of them).
            count, longest, total = src.shape
            return AV("list", size=min(out.size, count),
                      elem=AV("str", size=min(el.size, longest), line_of=src.text),
                      sum=total)
        # A piece of a line of a known text is in that line: its counts bound it too.
        return AV("list", size=_piece_count(name, src.size, a, out.size),
                  elem=AV("str", size=min(el.size, src.size), line_of=src.line_of),
                  sum=src.size)
    if name in ("items", "enumerate", "zip", "top_counts") and a:
        pairs = _pairs(name, a)
        if pairs is not None:
            return pairs
    if name == "str" and a and a[0].kind == "int":
        m = max(abs(a[0].lo), abs(a[0].hi))
        return AV("str", size=len(str(int(m))) + 1 if m != INF else 20)
    if name == "int" or name == "float":
        return top_of(t)
    try:
        rs = spec.result_size(sizes)
    except Exception:  # noqa: BLE001 - a tool's size function bug is a verifier limit
        rs = Size(clamp(INF), clamp(INF))
    size = INF if rs.len >= clamp(INF) else rs.len
    elem = INF if rs.elem >= clamp(INF) else rs.elem
    total = None if rs.sum is None or rs.sum >= clamp(INF) else rs.sum
    if any(x.kind in ("str", "list", "dict") and x.size == INF for x in a):
        size = elem = INF
        total = None
    return from_size(t, Size(size, elem, total))  # type: ignore[arg-type]


def _pairs(name: str, a: list[AV]) -> AV | None:
    """items(d), enumerate(xs), zip(a, b), top_counts(d): lists of pairs whose
    positions keep their own bounds (the key's length, the item, the index)."""
    x = a[0]
    if x.kind not in ("list", "dict"):
        return None
    if name in ("items", "top_counts"):
        if x.kind != "dict":
            return None
        key = AV("str", size=x.hi if x.hi != INF and x.hi > 0 else INF)
        val = x.elem if x.elem is not None else AV("any")
        n = x.size
        if name == "top_counts" and len(a) > 1 and a[1].kind == "int" and a[1].lo >= 0:
            n = min(n, a[1].hi)
        first, second, total = key, val, x.sum
    elif name == "enumerate":
        start = a[1] if len(a) > 1 and a[1].kind == "int" else AV("int", 0, 0)
        n = x.size
        first = AV("int", start.lo, start.hi + max(0, n - 1) if n != INF else INF)
        second = x.elem if x.elem is not None else AV("any")
        total = x.sum + n if x.sum != INF else INF
    else:
        y = a[1] if len(a) > 1 else None
        if y is None or y.kind != "list":
            return None
        n = min(x.size, y.size)
        first = x.elem if x.elem is not None else AV("any")
        second = y.elem if y.elem is not None else AV("any")
        total = x.sum + y.sum if INF not in (x.sum, y.sum) else INF
    pair = AV("list", size=2, elem=join(first, second), items=(first, second),
              sum=first.total + second.total)
    return AV("list", size=n, elem=pair, sum=total + 2 * n if total != INF else INF)


def _chunks(a: list[AV]) -> AV:
    step = a[1] if len(a) > 1 else AV("int")
    lo = max(1, step.lo) if step.kind == "int" else 1
    count = a[0].size if a[0].size == INF else -(-int(a[0].size) // int(lo))
    el = min(a[0].size, step.hi) if step.kind == "int" else a[0].size
    return AV("list", size=count, elem=AV("str", size=el), sum=a[0].size)
