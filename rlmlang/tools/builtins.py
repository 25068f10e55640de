"""The builtins: pure functions every script may call, with Python implementations.

Each is a ToolSpec (see registry.py) declared with `tool()`: its signature as
the model sees it, a doc line, a one-line example, a cost in fuel and a
bound on its result's size. Costs charge `size_fuel` on the data a builtin
touches; size bounds follow from the arguments' sizes. Both are monotone,
so the verifier's bound on upper sizes dominates the VM's charge on actual
sizes (tests/tools/test_builtins_props.py checks this, and that every real
result fits its declared bound).

Conventions:
- A parameter typed `any` (UNKNOWN) accepts every type; the impl checks
  what it needs at run time and raises ToolError with a plain message.
- Generic results (`sorted(xs)` is a list of xs's element type) are given by
  `extra["result_type"]`; see declare.infer_result.
- `print` is executed by the VM (its output is an observation, truncated);
  it is marked `extra["vm"] = "print"` and its impl only formats.
- `range` builds its list from the *values* of its arguments, which sizes
  cannot see: its length is capped at RANGE_MAX, its cost and size bound use
  that cap, and `extra["len_from_values"]` lets the verifier do better when
  it knows the values.
- Absence is not an error where a script naturally tests for it (`find`
  gives -1, `after` gives ""), and is an error where going on would give a
  wrong answer silently (`to_int("abc")`, `min_of([])`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from rlmlang.cost import size_fuel
from rlmlang.tools import regex
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
    Digits,
    Length,
    Numbers,
    Pieces,
    Size,
    ToolSpec,
    size_of,
)
from rlmlang.tools.values import (
    DISPLAY_BASE,
    DISPLAY_PER_UNIT,
    check_text_order,
    display,
    parse_number,
    to_int_value,
)
from rlmlang.types import (
    FLOAT,
    INT,
    STR,
    UNKNOWN,
    DictT,
    Hole,
    ListT,
    RecordT,
    Type,
    UnknownT,
    format_type,
    kind_of,
)

RANGE_MAX = 1_000_000
# Fuel for showing a value: per unit of its size (the text can be up to
# DISPLAY_PER_UNIT characters per unit, but the work per unit is small).
DISPLAY_WORK = 4
JSON_MAX_DEPTH = 32


def _need_str(fn: str, name: str, x: object) -> str:
    if not isinstance(x, str):
        raise ToolError(f"{fn}: {name} must be a str, not {kind_of(x)}",
                        f"convert it first, e.g. str({name})")
    return x


def _need_int(fn: str, name: str, x: object) -> int:
    if not isinstance(x, int) or isinstance(x, bool):
        raise ToolError(f"{fn}: {name} must be an int, not {kind_of(x)}",
                        f"convert it first, e.g. int({name})")
    return x


# ------------------------------------------------------------- result types


def _elem_of(t: Type) -> Type:
    return t.elem if isinstance(t, ListT) else UNKNOWN


def _same_list(ts: list[Type]) -> Type:
    return ts[0] if ts and isinstance(ts[0], ListT) else ListT(UNKNOWN)


def _numeric(ts: list[Type]) -> Type:
    """int if every argument is int, else float."""
    return INT if ts and all(t == INT for t in ts) else FLOAT


def _numeric_elems(ts: list[Type]) -> Type:
    return INT if ts and _elem_of(ts[0]) == INT else FLOAT


def _ordered_elems(ts: list[Type]) -> Type:
    """min_of/max_of: the items' own type for str, else int or float."""
    return STR if ts and _elem_of(ts[0]) == STR else _numeric_elems(ts)


def _elem_result(ts: list[Type]) -> Type:
    return _elem_of(ts[0]) if ts else UNKNOWN


def _append_result(ts: list[Type]) -> Type:
    if ts and isinstance(ts[0], ListT) and ts[0].elem != UNKNOWN:
        return ts[0]
    if len(ts) > 1:
        return ListT(ts[1])
    return ListT(UNKNOWN)


def _dict_values(ts: list[Type]) -> Type:
    return ListT(ts[0].value) if ts and isinstance(ts[0], DictT) else ListT(UNKNOWN)


def _known(t: Type) -> bool:
    return not isinstance(t, (UnknownT, Hole))


def _dict_value(ts: list[Type]) -> Type:
    """The dict's value type; the default's type when the dict's is not known yet ({})."""
    if ts and isinstance(ts[0], RecordT):  # typed as the default's, get(o, "id", 0) of a str
        raise ArgTypeError(f"get(...) of a record ({format_type(ts[0])}) has no one type: "
                           "its fields differ",
                           'name the field: r["name"] or r.get("name")')
    v = ts[0].value if ts and isinstance(ts[0], DictT) else UNKNOWN
    if not _known(v) and len(ts) > 2:
        return ts[2]
    return v


# ------------------------------------------------------------ implementations


def _len(x: Any) -> int:
    if isinstance(x, (str, list, dict)):
        return len(x)
    raise ToolError(f"len: takes a str, list or dict, not {kind_of(x)}")


def _str(x: Any) -> str:
    return display(x)


def _int(x: Any) -> int:
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        try:
            return to_int_value(x)
        except ValueError:
            raise ToolError(f"int: {x!r} is not a finite number") from None
    if isinstance(x, str):
        return _to_int(x)
    raise ToolError(f"int: cannot convert a {kind_of(x)} to int")


def _to_int(s: Any) -> int:
    s = _need_str("to_int", "s", s)
    v = parse_number(s)
    if v is None:
        raise ToolError(f"to_int: {preview(s)} is not a number",
                        _not_a_number_fix(s, "int", "extract_int"))
    return to_int_value(v)


_AROUND_NUMBERS = ".,;:!?()[]\"'"


def _not_a_number_fix(s: str, convert: str, extract: str) -> str:
    """A number with a sentence's punctuation on it ("7297." as the last word of "The code
    … is 7297.") is stripped of it; told to extract a number instead, the 1.5B ran
    extract_number over the whole line and took the key's digits (fresh dev needle-10)."""
    whole = s.strip()
    core = whole.strip(_AROUND_NUMBERS)
    if core and core != whole and parse_number(core) is not None:
        start = len(whole) - len(whole.lstrip(_AROUND_NUMBERS))
        cut = "".join(dict.fromkeys(whole[:start] + whole[start + len(core):]))
        return f"strip the punctuation around the number first: {convert}(text.strip({cut!r}))"
    return f"extract the number first, e.g. {extract}(text)"


def _float(x: Any) -> float:
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        return _to_float(x)
    raise ToolError(f"float: cannot convert a {kind_of(x)} to float")


def _to_float(s: Any) -> float:
    s = _need_str("to_float", "s", s)
    v = parse_number(s)
    if v is None:
        raise ToolError(f"to_float: {preview(s)} is not a number",
                        _not_a_number_fix(s, "float", "extract_number"))
    return v


def _print(x: Any) -> None:
    return None


def _range(a: int, b: int | None = None, step: int | None = None) -> list[int]:
    lo, hi = (0, a) if b is None else (a, b)
    step = 1 if step is None else step
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (lo, hi, step)):
        raise ToolError("range: takes int arguments")
    if step < 1:  # the checker admits only a literal step of 1 or more (typecheck.py)
        raise ToolError(f"range: the step must be 1 or more, not {step}")
    n = _range_len(lo, hi, step)
    if n > RANGE_MAX:
        raise ToolError(f"range: {n} numbers is more than the {RANGE_MAX} allowed",
                        "iterate over the data itself, e.g. for line in lines(text)")
    return list(range(lo, hi, step))


def _range_len(a: int, b: int | None = None, step: int | None = None) -> int:
    lo, hi = (0, a) if b is None else (a, b)
    return max(0, -(-(hi - lo) // max(1, step or 1)))


def _num(fn: str, x: Any) -> float | int:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ToolError(f"{fn}: takes numbers, not {kind_of(x)}")
    return x


def _abs(x: Any) -> float | int:
    return abs(_num("abs", x))


def _min(a: Any, b: Any) -> float | int:
    return min(_num("min", a), _num("min", b))


def _max(a: Any, b: Any) -> float | int:
    return max(_num("max", a), _num("max", b))


def _nums(fn: str, xs: Any) -> list[float | int]:
    if not isinstance(xs, list):
        raise ToolError(f"{fn}: takes a list of numbers, not {kind_of(xs)}")
    return [_num(fn, x) for x in xs]


def _ordered(fn: str, xs: Any) -> list[Any]:
    """Numbers, or strings: what min and max compare."""
    if isinstance(xs, list) and xs and all(isinstance(x, str) for x in xs):
        return xs
    return _nums(fn, xs)


def _extreme(fn: str, xs: Any, pick: Any) -> Any:
    v = _ordered(fn, xs)
    if not v:
        raise ToolError(f"{fn}: the list is empty", "check len(xs) > 0 first")
    best = v.index(pick(v))
    check_text_order(fn, v, best=best)
    return v[best]


def _min_of(xs: Any) -> float | int:
    return _extreme("min_of", xs, min)


def _max_of(xs: Any) -> float | int:
    return _extreme("max_of", xs, max)


def _sum(xs: Any) -> float | int:
    v = _nums("sum", xs)
    if all(isinstance(x, int) for x in v):
        return sum(v)
    return math.fsum(v)


def _round(x: Any, digits: int = 0) -> float:
    v = _num("round", x)
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 15:
        raise ToolError("round: digits must be an int from 0 to 15")
    return float(round(float(v), digits))


def _sort_key(fn: str, xs: list[Any]) -> list[Any]:
    kinds = {"num" if kind_of(x) in ("int", "float") else kind_of(x) for x in xs}
    if len(kinds) > 1 or (kinds and kinds - {"num", "str", "bool"}):
        raise ToolError(f"{fn}: can only sort a list of numbers or of strings")
    return xs


def _sorted(xs: Any) -> list[Any]:
    if not isinstance(xs, list):
        raise ToolError(f"sorted: takes a list, not {kind_of(xs)}")
    out = sorted(_sort_key("sorted", xs))
    check_text_order("sorted", out, order=list(range(len(out))))
    return out


def _reversed(xs: Any) -> list[Any]:
    if not isinstance(xs, list):
        raise ToolError(f"reversed: takes a list, not {kind_of(xs)}")
    return xs[::-1]


def _append(xs: Any, x: Any) -> list[Any]:
    if not isinstance(xs, list):
        raise ToolError(f"append: takes a list first, not {kind_of(xs)}")
    return [*xs, x]


def _dict(fn: str, d: Any) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ToolError(f"{fn}: takes a dict, not {kind_of(d)}")
    return d


def _keys(d: Any) -> list[str]:
    return list(_dict("keys", d))


def _values(d: Any) -> list[Any]:
    return list(_dict("values", d).values())


def _has(d: Any, k: Any) -> bool:
    return _need_str("has", "key", k) in _dict("has", d)


def _get(d: Any, k: Any, default: Any) -> Any:
    return _dict("get", d).get(_need_str("get", "key", k), default)


# text


def split_lines(text: str) -> list[str]:
    """Lines without their ends ("\\n" or "\\r\\n"); a final line end adds no empty line."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def _lines(text: Any) -> list[str]:
    return split_lines(_need_str("lines", "text", text))


def _split(text: Any, sep: Any = "") -> list[str]:
    text = _need_str("split", "text", text)
    sep = _need_str("split", "sep", sep)
    return text.split() if sep == "" else text.split(sep)


def _join(xs: Any, sep: Any = "") -> str:
    if not isinstance(xs, list) or not all(isinstance(x, str) for x in xs):
        raise ToolError("join: takes a list of str", "convert numbers first, e.g. str(n)")
    return _need_str("join", "sep", sep).join(xs)


def _strip(text: Any, chars: Any = "") -> str:
    return _need_str("strip", "text", text).strip(_need_str("strip", "chars", chars) or None)


def _same_length_case(text: str, up: bool) -> str:
    """Case mapping that never lengthens text: a character whose mapping is longer
    ('ß' -> 'SS') stays as it is, so the result is exactly as long as the text."""
    r = text.upper() if up else text.lower()
    if len(r) == len(text):
        return r
    out = []
    for ch in text:
        m = ch.upper() if up else ch.lower()
        out.append(m if len(m) == 1 else ch)
    return "".join(out)


def _lower(text: Any) -> str:
    return _same_length_case(_need_str("lower", "text", text), False)


def _upper(text: Any) -> str:
    return _same_length_case(_need_str("upper", "text", text), True)


def _contains(text: Any, part: Any) -> bool:
    return _need_str("contains", "part", part) in _need_str("contains", "text", text)


def _startswith(text: Any, prefix: Any) -> bool:
    return _need_str("startswith", "text", text).startswith(
        _need_str("startswith", "prefix", prefix))


def _endswith(text: Any, suffix: Any) -> bool:
    return _need_str("endswith", "text", text).endswith(
        _need_str("endswith", "suffix", suffix))


def _find(text: Any, part: Any, start: Any = 0) -> int:
    return _need_str("find", "text", text).find(_need_str("find", "part", part),
                                                _need_int("find", "start", start))


def _replace(text: Any, old: Any, new: Any) -> str:
    old = _need_str("replace", "old", old)
    if old == "":
        raise ToolError("replace: old must not be empty")
    return _need_str("replace", "text", text).replace(old, _need_str("replace", "new", new))


def _count(text: Any, part: Any) -> int:
    part = _need_str("count", "part", part)
    if part == "":
        raise ToolError("count: part must not be empty")
    return _need_str("count", "text", text).count(part)


def _chunks(text: Any, size: Any) -> list[str]:
    text = _need_str("chunks", "text", text)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ToolError("chunks: size must be a positive int", "e.g. chunks(text, 4000)")
    return [text[i:i + size] for i in range(0, len(text), size)]


def _before(text: Any, sep: Any) -> str:
    text, sep = _need_str("before", "text", text), _need_str("before", "sep", sep)
    i = text.find(sep)
    return "" if i < 0 else text[:i]


def _after(text: Any, sep: Any) -> str:
    text, sep = _need_str("after", "text", text), _need_str("after", "sep", sep)
    i = text.find(sep)
    return "" if i < 0 else text[i + len(sep):]


def _words(text: Any) -> list[str]:
    return _need_str("words", "text", text).split()


def _is_number(s: Any) -> bool:
    return isinstance(s, str) and parse_number(s) is not None


def _regex_search(pattern: Any, text: Any) -> str:
    return regex.search(_need_str("regex_search", "pattern", pattern),
                        _need_str("regex_search", "text", text))


def _regex_findall(pattern: Any, text: Any) -> list[str]:
    return regex.findall(_need_str("regex_findall", "pattern", pattern),
                         _need_str("regex_findall", "text", text))


def _json_encode(x: Any) -> str:
    try:
        return json.dumps(x, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ToolError("json_encode: NaN and infinity have no JSON form") from None


def _decoded_size(s: Any) -> Size:
    """A JSON text of n characters holds at most n items and characters in all (each item
    spends a character or more of it): its items add up to n too, so a check of each
    line's value (`json_decode(line) as T`) is bounded by the line, not its square."""
    n = max(length(s, 0), 1)
    return Size(n, n, n)


def _json_decode(s: Any) -> Any:
    return decode_json(_need_str("json_decode", "s", s))[0]


def decode_json(s: str) -> tuple[Any, bool]:
    """What json_decode gives for `s`, and whether `s` was JSON Lines (the value is then
    the list of its lines' values); ToolError where json_decode refuses it."""
    if s.count("[") + s.count("{") > 0 and _bracket_depth(s) > JSON_MAX_DEPTH:
        raise ToolError(f"json_decode: nested deeper than {JSON_MAX_DEPTH} levels")
    lines = False
    try:
        v = json.loads(s, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as e:
        v, lines = _json_lines(s), True
        if v is None:
            raise ToolError(f"json_decode: not valid JSON: {e}") from None
    # The declared bound (no dimension above the text's length) must hold: the
    # verifier relied on it. Only oddly nested documents can exceed it.
    got, n = size_of(v), max(len(s), 1)
    if got.len > n or got.elem > n:
        raise ToolError("json_decode: the document nests lists of very different sizes, so "
                        "its size cannot be bounded by its length",
                        "decode the parts separately")
    return v, lines


def _json_lines(s: str) -> list[Any] | None:
    """JSON Lines (one document per line, two or more): the list of their values, as
    `[json.loads(line) for line in s.splitlines() if line.strip()]` gives; None if the
    text is not that."""
    lines = [ln for ln in s.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    try:
        return [json.loads(ln, parse_constant=_no_constant) for ln in lines]
    except (json.JSONDecodeError, RecursionError):
        return None


def _no_constant(name: str) -> Any:
    raise ToolError(f"json_decode: {name} is not allowed")


def _bracket_depth(s: str) -> int:
    """Upper bound of a JSON text's nesting, counting brackets outside strings."""
    depth = best = 0
    in_str = esc = False
    for ch in s:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


# ------------------------------------------------------------------- sizes


def _lines_size(i: int = 0) -> Any:
    return lambda s: Size(length(s, i) + 1, max(length(s, i), 1))


def _display_chars(s: list[Size]) -> int:
    return DISPLAY_PER_UNIT * total(s, 0) + DISPLAY_BASE


def _list_same(s: list[Size]) -> Size:
    return s[0]


def _append_size(s: list[Size]) -> Size:
    return Size(length(s, 0) + 1, max(elem(s, 0), total(s, 1), 1))


def _replace_size(s: list[Size]) -> Size:
    return Size((length(s, 0) + 1) * (length(s, 2) + 1), 1)


def _join_size(s: list[Size]) -> Size:
    return Size(total(s, 0) + length(s, 0) * length(s, 1), 1)


def _get_size(s: list[Size]) -> Size:
    """A value of the dict (total <= its elem) or the default."""
    b = max(elem(s, 0), total(s, 2), length(s, 2), elem(s, 2), 1)
    return Size(b, b)


def _an_item(s: list[Size]) -> Size:
    b = max(elem(s, 0), 1)
    return Size(b, b)


def _range_size(s: list[Size]) -> Size:
    return Size(RANGE_MAX, 1)


# -------------------------------------------------------------------- specs


def builtin_specs() -> list[ToolSpec]:
    """Every builtin of the core language (those behind the Python forms: pyforms.py;
    skills: skills.py; all of them together: core.py)."""
    text1 = fuel(0)
    text2 = fuel(0, 1)
    return [
        tool("len", "x: any", "int", _len,
             "The number of characters of a str, or of items of a list or dict.",
             cost=const_fuel(1), size=scalar(), bound=Length(),
             example="print(len(lines(context)))"),
        tool("str", "x: any", "str", _str,
             "The text form of any value (numbers as digits, lists as [..]).",
             cost=fuel(0, factor=DISPLAY_WORK), size=str_size(_display_chars), bound=Digits(),
             example='submit("total: " + str(n))'),
        tool("int", "x: any", "int", _int,
             "A number or numeric text as an int (strips spaces and commas; 3.9 -> 3).",
             cost=text1, size=scalar(), example='n = int(split(line, ",")[1])'),
        tool("float", "x: any", "float", _float,
             "A number or numeric text as a float (strips spaces, commas, a $ sign).",
             cost=text1, size=scalar(), example='price = float(split(line, ",")[3])'),
        tool("print", "x: any", "none", _print,
             "Show a value to yourself in the next turn (output is truncated).",
             cost=fuel(0, factor=DISPLAY_WORK), size=scalar(), vm="print",
             example="print(find_lines(context, \"error\")[:5])"),
        tool("range", "a: int, b: int = None, step: int = None", "list[int]", _range,
             "range(n) is 0, 1, ..., n-1; range(a, b) is a, ..., b-1; range(a, b, k) every "
             "k-th of those (k a whole number of 1 or more, written in the script).",
             cost=const_fuel(1 + RANGE_MAX // 64), size=_range_size, bound=Numbers(),
             len_from_values=_range_len, example="for i in range(3):\n    print(i)"),
        tool("abs", "x: float", "float", _abs, "The absolute value of a number.",
             cost=const_fuel(1), size=scalar(), result_type=_numeric,
             example="d = abs(a - b)"),
        tool("min", "a: float, b: float", "float", _min, "The smaller of two numbers.",
             cost=const_fuel(1), size=scalar(), result_type=_numeric,
             example="low = min(a, b)"),
        tool("max", "a: float, b: float", "float", _max, "The larger of two numbers.",
             cost=const_fuel(1), size=scalar(), result_type=_numeric,
             example="high = max(a, b)"),
        tool("min_of", "xs: list[any]", "float", _min_of,
             "The smallest number (or string) in a non-empty list: min(xs).", cost=text1,
             size=_an_item, bound=AnItem(),
             result_type=_ordered_elems, example="submit(min_of([3, 1, 2]))"),
        tool("max_of", "xs: list[any]", "float", _max_of,
             "The largest number (or string) in a non-empty list: max(xs).", cost=text1,
             size=_an_item, bound=AnItem(),
             result_type=_ordered_elems, example="submit(max_of([3, 1, 2]))"),
        tool("sum", "xs: list[float]", "float", _sum,
             "The sum of a list of numbers (0 for an empty list).", cost=text1,
             size=scalar(), result_type=_numeric_elems, example="submit(sum([1, 2, 3]))"),
        tool("round", "x: float, digits: int = 0", "float", _round,
             "A number rounded to `digits` decimals (half to even).",
             cost=const_fuel(1), size=scalar(), example="submit(round(total, 2))"),
        tool("sorted", "xs: list[any]", "list[any]", _sorted,
             "A new list with the items in increasing order (numbers or strings).",
             cost=fuel(0, factor=16), size=_list_same, result_type=_same_list,
             example="print(sorted([3, 1, 2]))"),
        tool("reversed", "xs: list[any]", "list[any]", _reversed,
             "A new list with the items in reverse order.", cost=text1, size=_list_same,
             result_type=_same_list, example="print(reversed(lines(context))[:3])"),
        tool("append", "xs: list[any], x: any", "list[any]", _append,
             "A new list: xs with x added at the end (xs itself is unchanged).",
             cost=fuel(0, 1), size=_append_size, result_type=_append_result,
             example="hits = append(hits, line)"),
        tool("keys", "d: dict[str, any]", "list[str]", _keys, "The keys of a dict, in order.",
             cost=lambda s: size_fuel(length(s, 0)), size=lambda s: Size(length(s, 0), elem(s, 0)),
             example="for k in keys(counts):\n    print(k)"),
        tool("values", "d: dict[str, any]", "list[any]", _values,
             "The values of a dict, in key order.", cost=lambda s: size_fuel(length(s, 0)),
             size=lambda s: Size(length(s, 0), elem(s, 0)), result_type=_dict_values,
             example="submit(sum(values(counts)))"),
        tool("has", "d: dict[str, any], key: str", "bool", _has, "Whether the dict has the key.",
             cost=fuel(1), size=scalar(), example='if has(counts, "x"):\n    print(counts["x"])'),
        tool("get", "d: dict[str, any], key: str, default: any", "any", _get,
             "d[key] if the key is there, else default.", cost=fuel(1),
             size=_get_size,
             result_type=_dict_value, example='n = get(counts, "x", 0)'),
        tool("lines", "text: str", "list[str]", _lines,
             "The lines of a text, without line ends.", cost=text1, size=_lines_size(),
             bound=Pieces(count="lines"),
             example="for line in lines(context):\n    print(line)", prompt=True),
        tool("split", "text: str, sep: str = ''", "list[str]", _split,
             "The parts of text between each sep; with no sep, the words.",
             cost=text2, size=_lines_size(), bound=Pieces(count="separator", by=1),
             example='cells = split(line, ",")', prompt=True),
        tool("join", "xs: list[str], sep: str = ''", "str", _join,
             "The strings of xs with sep between them.", cost=fuel(0, 1),
             size=_join_size, example='submit(join(names, ", "))', prompt=True),
        tool("strip", "text: str, chars: str = ''", "str", _strip,
             "The text without spaces (or the given chars) at either end.",
             cost=text1, size=_list_same, example="name = strip(cells[1])"),
        tool("lower", "text: str", "str", _lower, "The text in lower case.", cost=text1,
             size=_list_same, example="if contains(lower(line), \"error\"):\n    print(line)"),
        tool("upper", "text: str", "str", _upper, "The text in upper case.", cost=text1,
             size=_list_same, example="submit(upper(code))"),
        tool("contains", "text: str, part: str", "bool", _contains,
             "Whether part occurs in text (case-sensitive).", cost=text2, size=scalar(),
             example='if contains(line, "Paris"):\n    n = n + 1', prompt=True),
        tool("startswith", "text: str, prefix: str", "bool", _startswith,
             "Whether text begins with prefix.", cost=fuel(1), size=scalar(),
             example='if startswith(line, "ERROR"):\n    print(line)'),
        tool("endswith", "text: str, suffix: str", "bool", _endswith,
             "Whether text ends with suffix.", cost=fuel(1), size=scalar(),
             example='if endswith(name, ".csv"):\n    print(name)'),
        tool("find", "text: str, part: str, start: int = 0", "int", _find,
             "The position of the first part in text at or after start, or -1.", cost=text2,
             size=scalar(),
             example='i = find(line, ":")'),
        tool("replace", "text: str, old: str, new: str", "str", _replace,
             "The text with every old replaced by new.",
             cost=lambda s: fuel(0)(s) + fuel(0)([Size((length(s, 0) + 1)
                                                        * (length(s, 2) + 1), 1)]),
             size=_replace_size, example='clean = replace(line, ",", "")'),
        tool("count", "text: str, part: str", "int", _count,
             "How many times part occurs in text (not overlapping).", cost=text2,
             size=scalar(), example='submit(count(context, "ERROR"))'),
        tool("chunks", "text: str, size: int", "list[str]", _chunks,
             "The text cut into pieces of `size` characters (the last may be shorter).",
             cost=text1, size=lambda s: Size(length(s, 0), max(length(s, 0), 1)),
             bound=Pieces(count="chunks", by=1),
             example="for part in chunks(context, 4000):\n    print(len(part))"),
        tool("before", "text: str, sep: str", "str", _before,
             'The text before the first sep ("" if sep is not there).', cost=text2,
             size=_list_same, example='name = before(line, ",")', prompt=True),
        tool("after", "text: str, sep: str", "str", _after,
             'The text after the first sep ("" if sep is not there).', cost=text2,
             size=_list_same, example='submit(after(line, "access code "))', prompt=True),
        tool("words", "text: str", "list[str]", _words,
             "The words of a text (split at spaces and line ends).", cost=text1,
             size=_lines_size(), bound=Pieces(count="words"),
             example="submit(len(words(context)))"),
        tool("is_number", "s: str", "bool", _is_number,
             'Whether s is a number ("12", "-3.5", "1,234", "$9.99").', cost=text1,
             size=scalar(), example="if is_number(cell):\n    total = total + to_float(cell)"),
        tool("to_int", "s: str", "int", _to_int,
             'The int a text spells ("1,234" -> 1234, " 42 " -> 42, "3.9" -> 3).',
             cost=text1, size=scalar(), example='submit(to_int(lookup(rooms, "Ana", "floor")))',
             prompt=True),
        tool("to_float", "s: str", "float", _to_float,
             'The float a text spells ("1,234.5", "$9.99", "45%" -> 45.0).',
             cost=text1, size=scalar(), example='price = to_float("$9.99")'),
        tool("regex_search", "pattern: str, text: str", "str", _regex_search,
             'The first match of a regular expression (its group 1 if it has one), or "".',
             cost=fuel(0, 1, base=regex.CALL_FUEL), size=lambda s: Size(length(s, 1), 1),
             example=r'submit(regex_search("code ([A-Z0-9-]+)", line))'),
        tool("regex_findall", "pattern: str, text: str", "list[str]", _regex_findall,
             "Every match of a regular expression (group 1 if it has one).",
             search=True, cost=fuel(0, 1, base=regex.CALL_FUEL), item_work=regex.MATCH_WORK,
             size=lambda s: Size(length(s, 1) + 1, max(length(s, 1), 1)), bound=Pieces(of=1),
             example=r'submit(len(regex_findall("ERROR [0-9]+", context)))'),
        tool("json_encode", "x: any", "str", _json_encode, "A value as JSON text.",
             cost=fuel(0, factor=DISPLAY_WORK), size=str_size(_display_chars),
             example="state.report = json_encode(counts)"),
        tool("json_decode", "s: str", "any", _json_decode,
             "JSON text as a value (JSON Lines: the list of the lines' values). Of a JSON "
             "input, it has the type of the input's value; of any other text say its type "
             "with `as`, e.g. json_decode(s) as list[int].",
             cost=text1, size=_decoded_size,
             castable=True, needs_cast=True, fits_text=True, shape_when_known=True,
             example='xs = json_decode("[1, 2, 3]") as list[int]'),
    ]
