"""Builtins behind the Python forms: what `s.rstrip()`, `enumerate(xs)`, `max(xs, key=f)` become.

The checker resolves a method or an overload to one of these (check/sugar.py)
and lowering writes the call, so each is an ordinary builtin: a declared
signature, an implementation, a monotone cost on its arguments' sizes and a
bound on its result's size (see builtins.py for the conventions). Tuples are
lists at run time (`enumerate` gives `[i, x]` pairs); their static types are
given by `result_type`. Functions that take a key take the keys already
computed (`sort_by(xs, keys)`): the loop that computes them is script code,
lowered from the `key=` and bounded by the verifier like any other.
`s.format(...)` formats each `{}` field as an f-string's does: `str(x)`, or
with a spec the one `format` builtin f-strings lower to.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from rlmlang.cost import size_fuel, work
from rlmlang.diagnostics import FIXIT_CALL
from rlmlang.syntax.parser import FORMAT_SPEC, MAX_INT  # the specs f-strings take
from rlmlang.tools import regex
from rlmlang.tools.builtins import (
    DISPLAY_WORK,
    _max_of,
    _min_of,
    _need_int,
    _need_str,
    _numeric,
    _ordered_elems,
    _same_length_case,
)
from rlmlang.tools.declare import (
    const_fuel,
    elem,
    fuel,
    length,
    scalar,
    str_size,
    tool,
    total,
)
from rlmlang.tools.errors import ToolError, preview
from rlmlang.tools.registry import (
    AnItem,
    ArgTypeError,
    Pairs,
    Pieces,
    Size,
    Template,
    ToolSpec,
)
from rlmlang.tools.template import (
    FORMAT_MAX,
    any_template_chars,
    template_chars,
    template_fields,
)
from rlmlang.tools.values import DISPLAY_PER_UNIT, check_text_order, display
from rlmlang.types import (
    HOLE,
    INT,
    STR,
    UNKNOWN,
    DictT,
    Hole,
    ListT,
    TupleT,
    Type,
    UnknownT,
    format_type,
    kind_of,
)

FORMAT_SLOTS = 8  # positional values s.format(...) takes: {0} to {7}
WIDTH_MAX = 99  # the widest field a spec or zfill pads to (as FORMAT_SPEC allows)


# ------------------------------------------------------------- result types


def _elem(t: Type) -> Type:
    return t.elem if isinstance(t, ListT) else UNKNOWN


def _pairs_enumerate(ts: list[Type]) -> Type:
    return ListT(TupleT((INT, _elem(ts[0]) if ts else UNKNOWN)))


def _pairs_zip(ts: list[Type]) -> Type:
    return ListT(TupleT(tuple(_elem(t) for t in ts[:2]) if len(ts) >= 2 else (UNKNOWN, UNKNOWN)))


def _pairs_items(ts: list[Type]) -> Type:
    v = ts[0].value if ts and isinstance(ts[0], DictT) else UNKNOWN
    return ListT(TupleT((STR, v)))


def _same(ts: list[Type]) -> Type:
    return ts[0] if ts else UNKNOWN


def _elem_result(ts: list[Type]) -> Type:
    return _elem(ts[0]) if ts else UNKNOWN


def _copied(fn: str, dicts: bool) -> Any:
    """copy and distinct (set) give what they were given; of a str, its characters."""

    def result(ts: list[Type]) -> Type:
        t = _same(ts)
        if t == STR:
            return ListT(STR)
        if not isinstance(t, (ListT, UnknownT, Hole)) and not (dicts and isinstance(t, DictT)):
            raise ArgTypeError(f"{fn} takes a list{', a dict' if dicts else ''} or a str, "
                               f"not {_show(t)}")
        return t

    return result


def _dict_of(ts: list[Type]) -> Type:
    """dict(pairs): a dict[str, T] from [key, value] pairs whose keys are str."""
    t = ts[0] if ts else UNKNOWN
    if isinstance(t, DictT):
        return t
    pair = t.elem if isinstance(t, ListT) else t
    if isinstance(pair, (UnknownT, Hole)):
        return DictT(HOLE) if isinstance(pair, Hole) else DictT(UNKNOWN)
    if isinstance(pair, TupleT) and len(pair.items) == 2:
        key, value = pair.items
    elif isinstance(pair, ListT):
        key = value = pair.elem
    else:
        raise ArgTypeError(f"dict takes [key, value] pairs or a dict, not {_show(t)}",
                           "dict(zip(keys, values)), or dict([k, v] for ... in ...)")
    if not isinstance(key, (UnknownT, Hole)) and key != STR:
        raise ArgTypeError(f"dict keys are str, not {_show(key)}",
                           "convert the keys: dict(zip([str(k) for k in keys], values))")
    return DictT(value)


_show = format_type


# ------------------------------------------------------------ implementations


def _list(fn: str, xs: Any) -> list[Any]:
    if not isinstance(xs, list):
        raise ToolError(f"{fn}: takes a list, not {kind_of(xs)}")
    return xs


def _enumerate(xs: Any, start: Any = 0) -> list[list[Any]]:
    return [[start + i, x] for i, x in enumerate(_list("enumerate", xs))]


def _zip(a: Any, b: Any) -> list[list[Any]]:
    return [[x, y] for x, y in zip(_list("zip", a), _list("zip", b), strict=False)]


def _items(d: Any) -> list[list[Any]]:
    if not isinstance(d, dict):
        raise ToolError(f"items: takes a dict, not {kind_of(d)}")
    return [[k, v] for k, v in d.items()]


def _bools(fn: str, xs: Any) -> list[bool]:
    if not isinstance(xs, list) or not all(isinstance(x, bool) for x in xs):
        raise ToolError(f"{fn}: takes a list of bool", f"compare first: {fn}(x > 0 for x in xs)")
    return xs


def _any(xs: Any) -> bool:
    return any(_bools("any", xs))


def _all(xs: Any) -> bool:
    return all(_bools("all", xs))


def _unique(xs: Any) -> list[Any]:
    seen: dict[Any, None] = {}
    for x in (list(xs) if isinstance(xs, str) else _list("set", xs)):
        if isinstance(x, (list, dict)):
            raise ToolError("set: the items must be numbers or strings")
        seen.setdefault(x, None)
    return list(seen)


def _copy(x: Any) -> Any:
    if isinstance(x, (list, dict)):
        return x.copy()
    if isinstance(x, str):
        return list(x)  # list(s): its characters
    raise ToolError(f"copy: takes a list, a dict or a str, not {kind_of(x)}")


def _dict(pairs: Any) -> dict[str, Any]:
    if isinstance(pairs, dict):
        return dict(pairs)
    out: dict[str, Any] = {}
    for p in _list("dict", pairs):
        if not isinstance(p, list) or len(p) != 2:
            raise ToolError(f"dict: each item must be a [key, value] pair, not "
                            f"{preview(display(p))}",
                            "split with a limit: line.split(\"=\", 1), and check its length")
        if not isinstance(p[0], str):
            raise ToolError(f"dict: the keys must be str, not {kind_of(p[0])}",
                            "convert the keys with str(k)")
        out[p[0]] = p[1]
    return out


def _or_default(best: Any) -> Any:
    """max(xs, default=d) / min(...): the default for an empty list, else max_of / min_of."""
    def pick(xs: Any, default: Any) -> Any:
        return default if isinstance(xs, list) and not xs else best(xs)
    return pick


def _zfill(text: Any, width: Any) -> str:
    text = _need_str("zfill", "text", text)
    if not isinstance(width, int) or isinstance(width, bool) or width > WIDTH_MAX:
        raise ToolError(f"zfill: the width must be an int up to {WIDTH_MAX}, not "
                        f"{preview(display(width))}")
    return text.zfill(width)


def _str_format(template: Any, *values: Any, **named: Any) -> str:
    template = _need_str("format", "template", template)
    out: list[str] = []
    for part in template_fields(template):
        if isinstance(part, str):
            out.append(part)
            continue
        key, spec = part
        if isinstance(key, int):
            if key >= len(values):
                raise ToolError(f"format: the template needs value {{{key}}} but "
                                f"{len(values)} were given",
                                "pass one value per {} field")
            x = values[key]
        elif key in named:
            x = named[key]
        else:
            raise ToolError(f"format: the template names {{{key}}} but no {key}= was given",
                            f"pass it by name: .format({key}=...)")
        out.append(_format(x, spec) if spec else display(x))
    return "".join(out)


def _unpack(xs: Any, n: Any) -> list[Any]:
    if len(_list("unpack", xs)) != n:
        raise ToolError(f"cannot unpack {len(xs)} values into {n} names",
                        "check the length first, or take items by index: xs[0]")
    return xs


def _comparable(fn: str, keys: list[Any]) -> None:
    kinds = {"num" if kind_of(k) in ("int", "float", "bool") else kind_of(k) for k in keys}
    if len(kinds) > 1 or kinds - {"num", "str", "list"}:
        raise ToolError(f"{fn}: the keys must all be numbers, or all strings")


def _keys_for(fn: str, xs: Any, keys: Any) -> tuple[list[Any], list[Any]]:
    xs, keys = _list(fn, xs), _list(fn, keys)
    if len(xs) != len(keys):
        raise ToolError(f"{fn}: {len(xs)} items but {len(keys)} keys")
    _comparable(fn, keys)
    return xs, keys


def _sort_by(xs: Any, keys: Any, reverse: Any = False) -> list[Any]:
    xs, keys = _keys_for("sorted", xs, keys)
    try:
        order = sorted(range(len(xs)), key=keys.__getitem__, reverse=bool(reverse))
    except TypeError:
        raise ToolError("sorted: these keys cannot be compared") from None
    check_text_order("sorted", keys, order=order, reverse=bool(reverse))
    return [xs[i] for i in order]


def _best(fn: str, xs: Any, keys: Any, better: Any) -> Any:
    xs, keys = _keys_for(fn, xs, keys)
    if not xs:
        raise ToolError(f"{fn}: the list is empty", "check len(xs) > 0 first")
    best = 0
    try:
        for i in range(1, len(xs)):
            if better(keys[i], keys[best]):
                best = i
    except TypeError:
        raise ToolError(f"{fn}: these keys cannot be compared") from None
    check_text_order(fn, keys, best=best)
    return xs[best]


def _max_by(xs: Any, keys: Any) -> Any:
    return _best("max", xs, keys, lambda a, b: a > b)


def _min_by(xs: Any, keys: Any) -> Any:
    return _best("min", xs, keys, lambda a, b: a < b)


def _regex_group(pattern: Any, text: Any, n: Any = 0) -> str:
    p = regex.compile_pattern(_need_str("re.search", "pattern", pattern))
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= p.groups:
        raise ToolError(f"re.search(...).group({n!r}): the pattern has {p.groups} group(s)")
    m = p.search(_need_str("re.search", "text", text))
    if m is None:
        raise ToolError(f"re.search: {preview(pattern)} does not match the text (Python "
                        "would fail with 'NoneType' has no attribute 'group')",
                        "test first with regex_search(pattern, text) != \"\"")
    g = m.group(n)
    return g if g is not None else ""


def _format(x: Any, spec: Any) -> str:
    spec = _need_str("format", "spec", spec)
    if not FORMAT_SPEC.fullmatch(spec):
        raise ToolError(f"format: the spec {spec!r} is not one the language takes")
    if spec and spec[-1] in "dfe%g," and (isinstance(x, bool) or
                                          not isinstance(x, (int, float))):
        raise ToolError(f"format: the spec {spec!r} needs a number, not {kind_of(x)}")
    try:
        return format(x if isinstance(x, (int, float, str)) else display(x), spec)
    except ValueError as e:
        raise ToolError(f"format: {e}") from None


def _split(fn: str, text: Any, sep: Any, maxsplit: Any, right: bool) -> list[str]:
    text, sep = _need_str(fn, "text", text), _need_str(fn, "sep", sep)
    if not isinstance(maxsplit, int) or isinstance(maxsplit, bool):
        raise ToolError(f"{fn}: maxsplit must be an int")
    how = text.rsplit if right else text.split
    return how(None if sep == "" else sep, maxsplit)


def _rsplit(text: Any, sep: Any = "", maxsplit: Any = -1) -> list[str]:
    return _split("rsplit", text, sep, maxsplit, True)


def _split_max(text: Any, sep: Any = "", maxsplit: Any = -1) -> list[str]:
    return _split("split", text, sep, maxsplit, False)


def _strip_with(fn: str, how: str) -> Any:
    def strip(text: Any, chars: Any = "") -> str:
        text, chars = _need_str(fn, "text", text), _need_str(fn, "chars", chars)
        return getattr(text, how)(chars or None)
    return strip


def _case(fn: str, how: str) -> Any:
    def change(text: Any) -> str:
        text = _need_str(fn, "text", text)
        r = getattr(text, how)()
        return r if len(r) == len(text) else _same_length_case(text, how == "upper")
    return change


def _test(fn: str, how: str) -> Any:
    def test(text: Any) -> bool:
        return bool(getattr(_need_str(fn, "text", text), how)())
    return test


def _rfind(text: Any, part: Any) -> int:
    return _need_str("rfind", "text", text).rfind(_need_str("rfind", "part", part))


def _str_index(text: Any, part: Any, start: Any = 0) -> int:
    i = _need_str("index", "text", text).find(_need_str("index", "part", part),
                                              _need_int("index", "start", start))
    if i < 0:
        raise ToolError(f"index: {preview(part)} is not in the text",
                        "use find (it gives -1 when the part is missing)")
    return i


def _index_of(xs: Any, x: Any) -> int:
    xs = _list("index", xs)
    for i, y in enumerate(xs):
        if type(y) is type(x) and y == x or (kind_of(y) in ("int", "float")
                                              and kind_of(x) in ("int", "float") and y == x):
            return i
    raise ToolError(f"index: {preview(display(x))} is not in the list",
                    "test first with: if x in xs")


def _count_of(xs: Any, x: Any) -> int:
    return sum(1 for y in _list("count", xs) if y == x and kind_of(y) == kind_of(x)
               or (kind_of(y) in ("int", "float") and kind_of(x) in ("int", "float") and y == x))


def _counter(xs: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in _list("Counter", xs):
        if not isinstance(x, str):
            raise ToolError("Counter: counts strings (dict keys are str)",
                            "convert first: Counter([str(x) for x in xs])")
        out[x] = out.get(x, 0) + 1
    return out


def _most_common(d: Any, n: Any = -1) -> list[list[Any]]:
    if not isinstance(d, dict):
        raise ToolError(f"most_common: takes a dict, not {kind_of(d)}")
    if not all(kind_of(v) in ("int", "float") for v in d.values()):
        raise ToolError("most_common: the values must be numbers (counts)")
    pairs = sorted(d.items(), key=lambda kv: kv[1], reverse=True)
    if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
        pairs = pairs[:n]
    return [[k, v] for k, v in pairs]


# The decimal digits big_pow and big_product give at most: a declared bound, as the
# verifier must know how long the text can be (an int of the language is 64-bit).
BIG_DIGITS = 10_000
_CHUNK_DIGITS = 4_000  # under Python's own limit on an int's text (4,300 digits)


def _digits(value: int) -> str:
    """An int's decimal text, of any length: str(int) refuses more than 4,300 digits."""
    if value < 0:
        return "-" + _digits(-value)
    chunk = 10 ** _CHUNK_DIGITS
    parts: list[str] = []
    while value >= chunk:
        value, low = divmod(value, chunk)
        parts.append(f"{low:0{_CHUNK_DIGITS}d}")
    parts.append(str(value))
    return "".join(reversed(parts))


def _big(fn: str, value: int, log10: float) -> str:
    """The digits of `value`, whose size in digits is about `log10` (known before it is
    turned into text, to refuse a result far over the bound without writing it)."""
    if log10 > BIG_DIGITS + 1:
        raise ToolError(f"{fn}: the result has more than {BIG_DIGITS:,} digits")
    text = _digits(value)
    if len(text.lstrip("-")) > BIG_DIGITS:
        raise ToolError(f"{fn}: the result has more than {BIG_DIGITS:,} digits")
    return text


def _whole(fn: str, x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise ToolError(f"{fn}: takes ints, not {kind_of(x)}")
    return x


def _log10(v: int) -> float:
    return math.log10(abs(v)) if v else 0.0


def _big_pow(base: Any, exp: Any) -> str:
    """base ** exp in decimal digits, for a power an int cannot hold (9 ** 60)."""
    a, b = _whole("big_pow", base), _whole("big_pow", exp)
    if b < 0:
        raise ToolError(f"big_pow: {a} ** {b} is a fraction", f"use float({a}) ** {b}")
    size = b * _log10(a)
    if size > BIG_DIGITS + 1:  # before computing it
        raise ToolError(f"big_pow: {a} ** {b} has more than {BIG_DIGITS:,} digits")
    return _big("big_pow", a ** b, size)


def _big_product(xs: Any) -> str:
    """The product of a list of ints in decimal digits (a factorial: range(1, n + 1))."""
    if not isinstance(xs, list):
        raise ToolError(f"big_product: takes a list of ints, not {kind_of(xs)}")
    product, size = 1, 0.0
    for x in xs:
        v = _whole("big_product", x)
        size += _log10(v)
        if size > BIG_DIGITS + 1:
            raise ToolError(f"big_product: the product has more than {BIG_DIGITS:,} digits")
        product *= v
    return _big("big_product", product, size if product else 0.0)


def _num(fn: str, x: Any) -> float | int:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ToolError(f"{fn}: takes a number, not {kind_of(x)}")
    return x


def _pow(x: Any, y: Any) -> float | int:
    """`x ** y` as Python computes it, within the language's numbers: a 64-bit int, or a
    finite real float."""
    a, b = _num("pow", x), _num("pow", y)
    if isinstance(a, int) and isinstance(b, int):
        if b < 0:
            raise ToolError(f"pow: {a} ** {b} is a fraction, and ints are whole",
                            f"make it a float: float({a}) ** {b}")
        big = (f"pow: {a} ** {b} does not fit in a 64-bit int",
               f"for its decimal digits, big_pow({a}, {b}) gives them as a str "
               f"(e.g. sum(int(d) for d in big_pow({a}, {b})))")
        call = {FIXIT_CALL: "big_pow"}  # the controller writes big_pow(a, b) there
        if abs(a) > 1 and b > 63:  # 2 ** 64 and beyond: not worth computing to refuse
            raise ToolError(*big, data=call)
        v = a ** b
        if not -MAX_INT - 1 <= v <= MAX_INT:
            raise ToolError(*big, data=call)
        return v
    if a == 0 and b < 0:
        raise ToolError("pow: 0 to a negative power divides by zero")
    if a < 0 and not float(b).is_integer():
        raise ToolError(f"pow: {a} ** {b} is not a real number (a negative number to a "
                        "fractional power)")
    try:
        v = math.pow(a, b)
    except OverflowError:
        raise ToolError(f"pow: {a} ** {b} is too large for a float") from None
    return v


def _sqrt(x: Any) -> float:
    v = _num("math.sqrt", x)
    if v < 0:
        raise ToolError("math.sqrt: the number is negative")
    return math.sqrt(v)


def _floor(x: Any) -> int:
    v = _num("math.floor", x)
    if not math.isfinite(v):
        raise ToolError("math.floor: the number is not finite")
    return math.floor(v)


def _ceil(x: Any) -> int:
    v = _num("math.ceil", x)
    if not math.isfinite(v):
        raise ToolError("math.ceil: the number is not finite")
    return math.ceil(v)


def _numbers(fn: str, xs: Any) -> list[float | int]:
    v = [_num(fn, x) for x in _list(fn, xs)]
    if not v:
        raise ToolError(f"{fn}: the list is empty", "check len(xs) > 0 first")
    return v


def _mean(xs: Any) -> float:
    return float(math.fsum(_numbers("statistics.mean", xs)) / len(xs))


def _median(xs: Any) -> float:
    return float(statistics.median(_numbers("statistics.median", xs)))


# ------------------------------------------------------------------- costs


def items_fuel(*positions: int, factor: int = 1, keys: int | None = None) -> Any:
    """Fuel for work per item (not per character) of the lists at `positions`, plus
    the total size of the `keys` argument when the items are compared by their keys."""

    def cost(s: list[Size]) -> int:
        n = factor * sum(length(s, i) for i in positions)
        return size_fuel(n + (total(s, keys) if keys is not None else 0))

    return cost


# ------------------------------------------------------------------- sizes


def _pairs(len_of: Any) -> Any:
    """A list of pairs: `len_of(sizes)` of them, each at most twice the largest item."""
    return lambda s: Size(len_of(s), 2 * max(elem(s, 0), elem(s, 1), 1))


def _same_size(s: list[Size]) -> Size:
    return s[0]


def _an_item(s: list[Size]) -> Size:
    b = max(elem(s, 0), 1)
    return Size(b, b)


def _an_item_or_default(s: list[Size]) -> Size:
    b = max(elem(s, 0), total(s, 1), 1)
    return Size(b, b)


def _format_size(s: list[Size]) -> Size:
    return Size(DISPLAY_PER_UNIT * total(s, 0) + FORMAT_MAX, 1)


def _pieces(s: list[Size]) -> Size:
    return Size(length(s, 0) + 1, max(length(s, 0), 1))


def _all_args_fuel(s: list[Size]) -> int:
    """Copying the template and every value's text; showing a container costs as str()."""
    return size_fuel(sum(work(x) * (DISPLAY_WORK if x.slots else 1) for x in s))


# -------------------------------------------------------------------- specs


def pyform_specs() -> list[ToolSpec]:
    text1 = fuel(0)
    text2 = fuel(0, 1)
    specs = [
        tool("enumerate", "xs: list[any], start: int = 0", "list[any]", _enumerate,
             "Pairs [i, x] of each item's position and the item: for i, x in enumerate(xs).",
             cost=items_fuel(0), size=_pairs(lambda s: length(s, 0)), bound=Pairs("enumerate"),
             result_type=_pairs_enumerate,
             example="for i, line in enumerate(lines(context)):\n    print(i, line)"),
        tool("zip", "a: list[any], b: list[any]", "list[any]", _zip,
             "Pairs [a[i], b[i]] of two lists, as long as the shorter.",
             cost=items_fuel(0, 1), size=_pairs(lambda s: min(length(s, 0), length(s, 1))),
             bound=Pairs("zip"),
             result_type=_pairs_zip, example="for name, n in zip(names, counts):\n    print(name)"),
        tool("items", "d: dict[str, any]", "list[any]", _items,
             "Pairs [key, value] of a dict, in order: for k, v in d.items().",
             cost=items_fuel(0), size=_pairs(lambda s: length(s, 0)), result_type=_pairs_items,
             bound=Pairs("items"),
             example="for k, v in counts.items():\n    print(k, v)"),
        tool("any", "xs: list[bool]", "bool", _any, "Whether any of the bools is True.",
             cost=text1, size=scalar(), example="if any(x > 10 for x in xs):\n    print(1)"),
        tool("all", "xs: list[bool]", "bool", _all, "Whether all of the bools are True.",
             cost=text1, size=scalar(), example="ok = all(x > 0 for x in xs)"),
        tool("distinct", "xs: any", "list[any]", _unique,
             "The distinct items of a list (or characters of a str), in first-seen order "
             "(what set(xs) is here).",
             cost=text1, size=_same_size, result_type=_copied("set", False),
             example="submit(len(distinct(words(context))))"),
        tool("copy", "x: any", "any", _copy,
             "A new list or dict with the same items; of a str, its characters (list(s)).",
             cost=items_fuel(0), size=_same_size, result_type=_copied("copy", True),
             example="ys = copy(xs)"),
        tool("dict", "pairs: any", "dict[str, any]", _dict,
             "A dict from [key, value] pairs (keys are str), or a copy of a dict: "
             "dict(zip(keys, values)).", cost=fuel(0), size=_same_size, result_type=_dict_of,
             example='ages = dict(zip(["ana", "bo"], [31, 27]))'),
        tool("str_format", "template: str, " + ", ".join(
                 f"v{i}: any = None" for i in range(FORMAT_SLOTS)) + ", **named: any", "str",
             _str_format, "The template with each {} (or {0}, {name}) field replaced by a "
             "value, as str() shows it or by a spec like {:.2f}; {{ and }} are braces "
             "(s.format(...)).", cost=_all_args_fuel, size=lambda s: Size(any_template_chars(s), 1),
             bound=Template(template_chars),
             example='print("{} of {}: {:.1f}%".format(3, 8, 37.5))'),
        tool("max_or", "xs: list[any], default: any", "any", _or_default(_max_of),
             "The largest number (or string) in the list, or default when it is empty: "
             "max(xs, default=d).", cost=fuel(0), size=_an_item_or_default,
             bound=AnItem(default=1), result_type=_ordered_elems, example="top = max_or([3, 1, 2], 0)"),
        tool("min_or", "xs: list[any], default: any", "any", _or_default(_min_of),
             "The smallest number (or string) in the list, or default when it is empty: "
             "min(xs, default=d).", cost=fuel(0), size=_an_item_or_default,
             bound=AnItem(default=1), result_type=_ordered_elems, example="low = min_or([], 0)"),
        tool("zfill", "text: str, width: int", "str", _zfill,
             f"The text padded with zeros on the left to width (at most {WIDTH_MAX}); a sign "
             "stays first (s.zfill(width)).", cost=fuel(0),
             size=lambda s: Size(max(length(s, 0), WIDTH_MAX), 1),
             example='print(zfill("42", 5))'),
        tool("unpack", "xs: list[any], n: int", "list[any]", _unpack,
             "xs itself when it has exactly n items (what a, b = xs checks), else an error.",
             cost=const_fuel(1), size=_same_size, result_type=_same,
             example="parts = unpack(split(line, \"=\"), 2)"),
        tool("sort_by", "xs: list[any], keys: list[any], reverse: bool = False", "list[any]",
             _sort_by, "xs ordered by the keys (one per item), stable: sorted(xs, key=...).",
             cost=items_fuel(0, factor=16, keys=1), size=_same_size, result_type=_same,
             example="by_len = sort_by(names, [len(n) for n in names])"),
        tool("max_by", "xs: list[any], keys: list[any]", "any", _max_by,
             "The first item with the largest key: max(xs, key=...).",
             cost=items_fuel(0, keys=1),
             size=_an_item, bound=AnItem(), result_type=_elem_result,
             example="longest = max_by(names, [len(n) for n in names])"),
        tool("min_by", "xs: list[any], keys: list[any]", "any", _min_by,
             "The first item with the smallest key: min(xs, key=...).",
             cost=items_fuel(0, keys=1),
             size=_an_item, bound=AnItem(), result_type=_elem_result,
             example="shortest = min_by(names, [len(n) for n in names])"),
        tool("regex_group", "pattern: str, text: str, n: int = 0", "str", _regex_group,
             "Group n of the first match (0: all of it): re.search(p, s).group(n).",
             cost=text2, size=lambda s: Size(length(s, 1), 1),
             example=r'code = regex_group("code ([A-Z0-9-]+)", line, 1)'),
        tool("format", "x: any, spec: str", "str", _format,
             "x formatted by a spec such as .2f, ',', >8 (what f\"{x:.2f}\" does).",
             cost=fuel(0, factor=4), size=_format_size, example='print(format(3.14159, ".2f"))'),
        tool("split_max", "text: str, sep: str = '', maxsplit: int = -1", "list[str]",
             _split_max, "Like split, with at most maxsplit cuts from the left "
             "(s.split(sep, maxsplit)).", cost=text2, size=_pieces, bound=Pieces(),
             example='key, value = split_max(line, "=", 1)'),
        tool("rsplit", "text: str, sep: str = '', maxsplit: int = -1", "list[str]", _rsplit,
             "Like split, counting maxsplit from the right.", cost=text2, size=_pieces,
             bound=Pieces(),
             example='name = rsplit(path, "/", 1)[-1]'),
        tool("lstrip", "text: str, chars: str = ''", "str", _strip_with("lstrip", "lstrip"),
             "The text without spaces (or chars) at its start.", cost=text2, size=_same_size,
             example='n = lstrip(code, "0")'),
        tool("rstrip", "text: str, chars: str = ''", "str", _strip_with("rstrip", "rstrip"),
             "The text without spaces (or chars) at its end.", cost=text2, size=_same_size,
             example='line = rstrip(line, ",")'),
        tool("title", "text: str", "str", _case("title", "title"),
             "The text with each word capitalised.", cost=text1, size=_same_size,
             example="print(title(name))"),
        tool("capitalize", "text: str", "str", _case("capitalize", "capitalize"),
             "The text with its first letter upper case, the rest lower.", cost=text1,
             size=_same_size, example="print(capitalize(word))"),
        tool("rfind", "text: str, part: str", "int", _rfind,
             "The position of the last part in text, or -1.", cost=text2, size=scalar(),
             example='i = rfind(path, "/")'),
        tool("str_index", "text: str, part: str, start: int = 0", "int", _str_index,
             "The position of the first part in text at or after start; an error if it is "
             "not there (s.index).",
             cost=text2, size=scalar(), example='i = str_index(line, ":")'),
        tool("list_index", "xs: list[any], x: any", "int", _index_of,
             "The position of the first x in the list; an error if it is not there (xs.index).",
             cost=text1, size=scalar(), example='col = list_index(header, "city")'),
        tool("list_count", "xs: list[any], x: any", "int", _count_of,
             "How many items of the list equal x (xs.count).", cost=text1, size=scalar(),
             example='n = list_count(cells, "")'),
        tool("Counter", "xs: list[str]", "dict[str, int]", _counter,
             "How many times each string occurs: {item: count} in first-seen order.",
             cost=text1, size=lambda s: Size(length(s, 0), max(elem(s, 0), 1)),
             example="counts = Counter(words(context))"),
        tool("top_counts", "d: dict[str, float], n: int = -1", "list[any]", _most_common,
             "Pairs [key, count], largest count first (all, or the first n).",
             cost=fuel(0, factor=16), size=_pairs(lambda s: length(s, 0)),
             bound=Pairs("items", limit=1),
             result_type=lambda ts: ListT(TupleT((STR, ts[0].value if ts and isinstance(
                 ts[0], DictT) else UNKNOWN))),
             example="top = top_counts(Counter(words(context)), 3)"),
        tool("pow", "x: float, y: float", "float", _pow,
             "x to the power y (x ** y): an int where both are ints and y >= 0, else a float.",
             cost=const_fuel(1), size=scalar(), result_type=_numeric,
             example="area = pow(r, 2)"),
        tool("big_pow", "base: int, exp: int", "str", _big_pow,
             f"The decimal digits of base ** exp as text, for a power too big for an int "
             f"(ints are 64-bit); at most {BIG_DIGITS:,} digits.",
             cost=const_fuel(BIG_DIGITS // 4), size=str_size(lambda s: BIG_DIGITS + 1),
             example="submit(sum(int(d) for d in big_pow(2, 100)))"),
        tool("big_product", "xs: list[int]", "str", _big_product,
             f"The decimal digits of the product of the ints as text, for a product too big "
             f"for an int (a factorial: big_product(range(1, 51))); at most {BIG_DIGITS:,} "
             f"digits.",
             cost=lambda s: BIG_DIGITS // 4 + 40 * length(s, 0),
             size=str_size(lambda s: BIG_DIGITS + 1),
             example="submit(len(big_product(range(1, 51))))"),
        tool("sqrt", "x: float", "float", _sqrt, "The square root (math.sqrt).",
             cost=const_fuel(1), size=scalar(), example="d = sqrt(x * x + y * y)"),
        tool("floor", "x: float", "int", _floor, "The largest int <= x (math.floor).",
             cost=const_fuel(1), size=scalar(), example="n = floor(x)"),
        tool("ceil", "x: float", "int", _ceil, "The smallest int >= x (math.ceil).",
             cost=const_fuel(1), size=scalar(), example="pages = ceil(n / 20)"),
        tool("stats_mean", "xs: list[float]", "float", _mean,
             "The average of a non-empty list of numbers (statistics.mean).", cost=text1,
             size=scalar(), example="avg = stats_mean([1, 2, 3])"),
        tool("stats_median", "xs: list[float]", "float", _median,
             "The middle value of a non-empty list of numbers (statistics.median).",
             cost=fuel(0, factor=16), size=scalar(), example="mid = stats_median([3, 1, 2])"),
    ]
    for name, what in (("isdigit", "digits"), ("isalpha", "letters"),
                       ("isalnum", "letters and digits"), ("isspace", "spaces"),
                       ("isupper", "upper case where it has letters"),
                       ("islower", "lower case where it has letters")):
        specs.append(tool(name, "text: str", "bool", _test(name, name),
                          f"Whether the text is non-empty and all {what} (s.{name}()).",
                          cost=text1, size=scalar(), example=f"if {name}(cell):\n    print(cell)"))
    return specs
