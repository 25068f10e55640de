"""The abstract result of a tool call, from its arguments' abstract values.

Every tool declares an upper bound of its result's `Size` (`result_size`).
A tool may also declare what more the verifier may assume
(`ToolSpec.result_bound`, one of the forms in tools/registry.py): an int from
0 to an argument's length (`Length`), the digits of an int, or a text as it is (`Digits`), the
ints of a range (`Numbers`), pieces cut out of a text that add up to at most
it and are counted by lines, words, separators or chunks (`Pieces`), pairs
whose positions keep their own bounds (`Pairs`). This module reads that
declaration, never a tool's name, so a plugin that declares one is bounded
as tightly as a builtin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from rlmlang.syntax import ast
from rlmlang.tools.registry import (
    AnItem,
    Digits,
    Length,
    Numbers,
    Pairs,
    Pieces,
    Size,
    Template,
    ToolSpec,
)
from rlmlang.tools.tables import records_size
from rlmlang.types import RECORD_MAX_FIELDS, Type
from rlmlang.verify.proof import num
from rlmlang.verify.sizes import AV, INF, Num, clamp, fmt, join
from rlmlang.verify.values import from_size


def call_result(e: ast.Call, spec: ToolSpec, a: list[AV], sizes: list[Size], t: Type | None,
                problem: Any) -> AV:
    """The abstract result of `e`, a call of `spec` with arguments `a` (sizes: their
    Sizes) whose type is t; `problem(node, message, fix, **data)` reports a size problem."""
    return _searched(e, spec, a, _call_result(e, spec, a, sizes, t, problem))


_UNKNOWN = object()


def _known(x: AV) -> Any:
    """The one value `x` stands for where it is exact (an input's text, a literal, an int
    of one value, None, a tuple or list literal of such), else _UNKNOWN."""
    if x.kind == "str":
        if x.text is not None:
            return x.text
        return x.literal if x.literal is not None else _UNKNOWN
    if x.kind == "int" and x.lo == x.hi and x.lo not in (INF, -INF):
        return int(x.lo)
    if x.kind == "none":
        return None
    if x.kind == "list" and x.items is not None:
        items = [_known(i) for i in x.items]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else items
    return _UNKNOWN


def _searched(e: ast.Call, spec: ToolSpec, a: list[AV], out: AV) -> AV:
    """A search (`extra["search"]`) of a known input for known phrases finds, at run time,
    exactly what it finds now: the lines `find_lines(context, "badge 4820")` gives are a
    handful, not as many as the input has lines (a loop over `lines_with(context, [...])`
    was bounded at 1.2M iterations and refused). A list of texts found is bounded by what
    it finds; each text keeps its declared bounds too."""
    if out.kind != "list" or not spec.extra.get("search") or spec.impl is None or \
            spec.effect or not any(x.kind == "str" and x.text is not None for x in a):
        return out
    if e.kwargs:
        return out
    args = [_argument(e.args[i] if i < len(e.args) else None, x) for i, x in enumerate(a)]
    if any(v is _UNKNOWN for v in args):
        return out
    text = next(x.text for x in a if x.kind == "str" and x.text is not None)

    def find() -> AV | None:
        try:
            found = spec.impl(*args)  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - it fails at run time too: the declared bound
            return None
        return shape_of(found) if isinstance(found, list) else None
    key = ("search", spec.name, *(_key_of(v) for v in args))
    known = _once(text, key, find)
    if known is None or known.size >= out.size or known.elem is None or \
            out.elem is None or not known.elem.kind == out.elem.kind == "str":
        return out  # (lines only: what a list of records holds is estimated otherwise)
    # a line keeps what is known of it (the input it is a line of: its separators)
    return dataclasses.replace(known, elem=dataclasses.replace(
        out.elem, size=min(out.elem.size, known.elem.size)))


def _argument(written: ast.Expr | None, x: AV) -> Any:
    """An argument's value: the literal written, else what its abstract value knows."""
    value = ast.literal_value(written, none=True) if written is not None else ast.NOT_LITERAL
    if value is ast.NOT_LITERAL and isinstance(written, ast.ListLit) and \
            len(written.items) == 1 and x.kind == "list" and x.elem is not None:
        # `["shipment " + ship_id]` in a def called with a literal: one item, known
        item = _known(x.elem)
        return _UNKNOWN if item is _UNKNOWN else [item]
    return _known(x) if value is ast.NOT_LITERAL else value


def _key_of(v: Any) -> Any:
    """An argument as part of a cache key: a long text by identity (an input's value,
    alive while it is verified), anything else by its whole repr."""
    if isinstance(v, str) and len(v) > 1000:
        return ("text", id(v), len(v), hash(v))
    return repr(v)


def _call_result(e: ast.Call, spec: ToolSpec, a: list[AV], sizes: list[Size],
                 t: Type | None, problem: Any) -> AV:
    bound = spec.result_bound
    if bound is not None:
        got = _RULES[type(bound)](e, spec, bound, a, sizes, t, problem)
        if got is not None:
            return got
    if spec.extra.get("shape_when_known") and spec.impl is not None and not spec.effect and a:
        args = [x.text for x in a]  # every argument a known text: the result's exact shape
        if all(isinstance(x, str) for x in args):
            known = _decoded(args, spec)  # type: ignore[arg-type]
            if known is not None:
                return known
    sizes = known_tables(spec, a, sizes)
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


def known_tables(spec: ToolSpec, a: list[AV], sizes: list[Size]) -> list[Size]:
    """`sizes` with each table argument whose text is known (an input's value) replaced by
    the exact Size of the records the one reader reads from it.

    A tool declares its table arguments (`extra["table_args"]`); its result-size function
    takes a text's Size or a list of records' at those positions. From a text's length
    alone the bound must allow the column names once per possible record (quadratic: a
    40 KB table was bounded at 1.6 GB), where the input's own records are linear in it."""
    positions = spec.extra.get("table_args", ())
    if not any(i < len(a) and a[i].kind == "str" and a[i].text is not None for i in positions):
        return sizes
    out = list(sizes)
    for i in positions:
        if i < len(a) and i < len(out) and a[i].kind == "str" and a[i].text is not None:
            out[i] = _records_size(a[i].text)
    return out


def _decoded(texts: list[str], spec: ToolSpec) -> AV | None:
    """The abstract value of a known text decoded (json_decode of an input; csv_rows of
    one, its separator known too): each list's length, each record's fields and each
    text's length as they are, so reading one field of a record deep in the document is
    bounded by that field, not by the document."""
    def shape() -> AV | None:
        try:
            return shape_of(spec.impl(*texts))  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - the call fails at run time: the declared bound
            return None
    return _once(texts[0], ("decoded", spec.name, *texts[1:]), shape)




def shape_of(v: Any) -> AV:
    """The abstract value of one known value, its sizes exact (strs carry no pieces)."""
    if isinstance(v, str):
        return AV("str", size=len(v))
    if isinstance(v, list):
        el = None
        total = 0
        for x in v:
            xv = shape_of(x)
            el = join(el, xv)
            total += xv.total
        return AV("list", size=len(v), elem=el, sum=total)
    if isinstance(v, dict):
        pairs = [(k, shape_of(x)) for k, x in v.items()]
        el = None
        for _, xv in pairs:
            el = join(el, xv)
        return AV("dict", size=len(v), elem=el, hi=max((len(k) for k in v), default=1),
                  sum=sum(len(k) + xv.total for k, xv in pairs),
                  fields=tuple(pairs) if len(pairs) <= RECORD_MAX_FIELDS else None)
    return AV.const(v)


def _records_size(text: str) -> Size:
    """records_size(text), read once per text."""
    return _once(text, ("records",), lambda: records_size(text))


def _length(e: ast.Call, spec: ToolSpec, bound: Length, a: list[AV], sizes: list[Size],
            t: Type | None, problem: Any) -> AV | None:
    """`len(x)`: from 0 to x's size."""
    if len(a) <= bound.of:
        return None
    x = a[bound.of]
    return AV("int", 0, x.size if x.kind in ("str", "list", "dict") else INF)


def _digits(e: ast.Call, spec: ToolSpec, bound: Digits, a: list[AV], sizes: list[Size],
            t: Type | None, problem: Any) -> AV | None:
    """`str(n)`: as many characters as the largest n in the interval has, and a sign; of
    a text, the text itself (its display), with all its bounds: the 1.5B's `penguins =
    str(penguins)` made a 15 KB input's lines count as 48 times its characters."""
    if len(a) > bound.of and a[bound.of].kind == "str":
        return a[bound.of]
    if len(a) <= bound.of or a[bound.of].kind != "int":
        return None
    m = max(abs(a[bound.of].lo), abs(a[bound.of].hi))
    return AV("str", size=len(str(int(m))) + 1 if m != INF else 20)


def _numbers(e: ast.Call, spec: ToolSpec, bound: Numbers, a: list[AV], sizes: list[Size],
             t: Type | None, problem: Any) -> AV | None:
    """`range(stop)`, `range(start, stop)` or `range(start, stop, step)`: the ints
    between (a step, 1 or more, keeps fewer: the count bounds them), at most RANGE_LIMIT."""
    if not a:
        return None
    if len(a) >= 2 and a[1].kind == "int":
        start, stop = a[0], a[1]
    else:
        start, stop = AV("int", 0, 0), a[0]
    count = max(0, stop.hi - start.lo) if stop.kind == "int" else INF
    if count > RANGE_LIMIT:
        problem(e, f"{spec.name}(...) can hold up to {fmt(count)} numbers "
                f"(limit {fmt(RANGE_LIMIT)})",
                "bound the range: check the count with if first, or iterate "
                "a smaller collection", bound=num(count))
    return AV("list", size=count, elem=AV("int", start.lo, stop.hi - 1))


def _pieces(e: ast.Call, spec: ToolSpec, bound: Pieces, a: list[AV], sizes: list[Size],
            t: Type | None, problem: Any) -> AV | None:
    """Pieces of the text `a[bound.of]`: they add up to at most it (see Pieces)."""
    if len(a) <= bound.of or a[bound.of].kind != "str":
        return None
    src = a[bound.of]
    if bound.count == "chunks":
        out = _chunks(src, a[bound.by] if len(a) > bound.by else AV("int"))
    else:
        out = from_size(t, spec.result_size(sizes))
    el = out.elem if out.elem is not None else AV("str", size=src.size)
    if src.shape is not None and bound.count == "lines":
        # An input whose value is known: its real lines (or fewer of them).
        count, longest, total = src.shape
        return AV("list", size=min(out.size, count),
                  elem=AV("str", size=min(el.size, longest), line_of=src.text),
                  sum=total)
    # A piece of a line of a known text is in that line: its counts bound it too.
    return AV("list", size=_piece_count(bound, src, a, out.size),
              elem=AV("str", size=min(el.size, src.size), line_of=src.line_of),
              sum=src.size)


def _piece_count(bound: Pieces, src: AV, a: list[AV], declared: Num) -> Num:
    """How many pieces a text of `src.size` characters can give (tighter than declared).

    A text of L >= 1 characters has at most L lines (a final line end adds no
    line), so at most L matching lines or table rows; words need a space
    between them, so at most (L+1)//2; a known separator of k characters
    occurs at most L//k times.
    """
    size = src.size
    if size == INF:
        return declared
    if bound.count in ("lines", "rows"):
        return min(declared, size)
    sep = a[bound.by].pieces if bound.count == "separator" and len(a) > bound.by else None
    known, line_of = src.text, src.line_of
    if bound.count == "words" and known is not None:
        return min(declared, word_count(known))
    if sep is not None and len(sep) == 1 and isinstance(sep[0], str) \
            and sep[0] != "" and (known is not None or line_of is not None):
        # A known text: its pieces counted; a line of one: at most its busiest line's.
        return min(declared, separators(known if known is not None else line_of, sep[0],
                                        per_line=known is None) + 1)
    if bound.count == "words" or (sep is not None and sep == ("",)):
        return min(declared, (size + 1) // 2)
    if sep is not None and len(sep) == 1 and isinstance(sep[0], str):
        return min(declared, size // len(sep[0]) + 1)
    return declared


RANGE_LIMIT = 100_000_000  # numbers in one range(...); beyond this it is a memory bomb

_KNOWN: dict[tuple[Any, ...], Any] = {}


def _once(text: str, what: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """`compute()`, a figure of a known text, once per text and `what` (the text is an
    input's value, alive while it is verified, so its id is not reused meanwhile)."""
    key = (id(text), len(text), hash(text), *what)
    got = _KNOWN.get(key)
    if got is None:
        if len(_KNOWN) > 256:
            _KNOWN.clear()
        got = _KNOWN[key] = compute()
    return got


def word_count(text: str) -> int:
    """How many words words() gives of a known text (a megabyte at a time, cut at a space,
    so no list of every word is held)."""
    def count() -> int:
        got, start = 0, 0
        while start < len(text):
            end = min(len(text), start + (1 << 20))
            while end < len(text) and not text[end].isspace():
                end += 1
            got += len(text[start:end].split())
            start = end
        return got
    return _once(text, ("words",), count)


def separators(text: str, sep: str, per_line: bool) -> int:
    """How often `sep` occurs in a known text (per_line: in its busiest line)."""
    if not per_line or "\n" in sep:  # a separator across lines: no line holds more than all
        return _once(text, ("count", sep), lambda: text.count(sep))
    return _once(text, ("busiest line", sep),
                 lambda: max(map(lambda line: line.count(sep), text.split("\n")), default=0))


def _pairs(e: ast.Call, spec: ToolSpec, bound: Pairs, a: list[AV], sizes: list[Size],
           t: Type | None, problem: Any) -> AV | None:
    """Lists of pairs whose positions keep their own bounds (the key's length, the
    item, the index): see Pairs."""
    if not a:
        return None
    x = a[0]
    if x.kind not in ("list", "dict"):
        return None
    if bound.of == "items":
        if x.kind != "dict":
            return None
        key = AV("str", size=x.hi if x.hi != INF and x.hi > 0 else INF)
        val = x.elem if x.elem is not None else AV("any")
        n = x.size
        lim = bound.limit
        if lim is not None and len(a) > lim and a[lim].kind == "int" and a[lim].lo >= 0:
            n = min(n, a[lim].hi)
        first, second, total = key, val, x.sum
    elif bound.of == "enumerate":
        start = a[1] if len(a) > 1 and a[1].kind == "int" else AV("int", 0, 0)
        n = x.size
        first = AV("int", start.lo, start.hi + max(0, n - 1) if n != INF else INF)
        second = x.elem if x.elem is not None else AV("any")
        total = x.sum + n if x.sum != INF else INF
    elif bound.of == "zip":
        y = a[1] if len(a) > 1 else None
        if y is None or y.kind != "list":
            return None
        n = min(x.size, y.size)
        first = x.elem if x.elem is not None else AV("any")
        second = y.elem if y.elem is not None else AV("any")
        total = x.sum + y.sum if INF not in (x.sum, y.sum) else INF
    else:
        return None
    pair = AV("list", size=2, elem=join(first, second), items=(first, second),
              sum=first.total + second.total)
    return AV("list", size=n, elem=pair, sum=total + 2 * n if total != INF else INF)


def _an_item(e: ast.Call, spec: ToolSpec, bound: AnItem, a: list[AV], sizes: list[Size],
             t: Type | None, problem: Any) -> AV | None:
    """One of the list's items (or the default): their abstract value, each position of a
    pair and each field of a record kept."""
    x = a[bound.of] if bound.of < len(a) else None
    if x is None or x.kind != "list" or x.elem is None:
        return None
    if bound.default is None:
        return x.elem
    d = a[bound.default] if bound.default < len(a) else None
    return None if d is None else join(x.elem, d)


def _chunks(text: AV, step: AV) -> AV:
    """Pieces of at most `step` characters: as many as the text needs at the least step."""
    lo = max(1, step.lo) if step.kind == "int" else 1
    count = text.size if text.size == INF else -(-int(text.size) // int(lo))
    el = min(text.size, step.hi) if step.kind == "int" else text.size
    return AV("list", size=count, elem=AV("str", size=el), sum=text.size)


def _template(e: ast.Call, spec: ToolSpec, bound: Template, a: list[AV], sizes: list[Size],
              t: Type | None, problem: Any) -> AV | None:
    """`"{}: {:.1f}".format(k, v)` with a known template: its text and each field's value."""
    p = a[0].pieces if a and a[0].kind == "str" else None
    if p is None or len(p) != 1 or not isinstance(p[0], str):
        return None
    if any(x.kind in ("str", "list", "dict") and x.size == INF for x in a):
        return None
    return AV("str", size=bound.measure(p[0], sizes))


# How the verifier reads each form a tool may declare (registry.ResultBound); a rule that
# does not apply to these arguments gives None, and the declared result_size is used.
_RULES: dict[type, Any] = {Length: _length, Digits: _digits, Numbers: _numbers,
                           Pieces: _pieces, Pairs: _pairs, Template: _template,
                           AnItem: _an_item}
