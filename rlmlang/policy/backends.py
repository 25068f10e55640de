"""The two back ends a glob is built over (globs.build).

`RE2Backend` writes regex text over *normal* resources, compiled with RE2,
which matches in time linear in the resource (a glob like `logs/*-*-*.log`
would make a backtracking engine take cubic time on a path of dashes).
`Z3Backend` builds Z3 regexes over *raw* resources for the symbolic check;
for paths they are tolerant, accepting every spelling whose normal form
matches (`data/./x`, `data//x`), so a static verdict is the run-time one.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

import re2
import z3


class RE2Backend:
    """Regex text over *normal* resources, for RE2 (run-time check, linear time)."""

    tolerant = False

    def __init__(self, style: str):
        self.style = style

    def lit(self, s: str) -> str:
        return re2.escape(s)

    ci_lit = lit  # hosts are lower-cased before matching

    def cat(self, *xs: str) -> str:
        return "".join(xs)

    def alt(self, *xs: str) -> str:
        return "(?:" + "|".join(xs) + ")"

    def star(self, x: str) -> str:
        return f"(?:{x})*"

    def plus(self, x: str) -> str:
        return f"(?:{x})+"

    def opt(self, x: str) -> str:
        return f"(?:{x})?"

    def loop(self, x: str, lo: int, hi: int) -> str:
        return f"(?:{x}){{{lo},{hi}}}"

    def cls(self, name: str) -> str:
        return _PY_CLASSES[name]

    def full(self) -> str:
        return r"[\s\S]*"

    def sep(self) -> str:
        return "/" if self.style == "path" else re2.escape(".")

    def lead(self) -> str:
        return ""

    def comp(self, x: str) -> str:
        return x

    def last_label(self, x: str) -> str:
        return x  # a normal host never ends in a numeric label (hostnames.py made it a quad)


_PY_CLASSES = {
    "notslash": r"[^/]",
    "notdot": r"[^.]",
    "keychar": r"[^.\x00]",
    "labelchar": r"[a-z0-9_-]",
    "digit": r"[0-9]",
    "ipv6char": r"[0-9a-f:.]",
    "notnul": r"[^\x00]",
    "nonzero": r"[1-9]",
    "upto2": r"[0-2]",
    "upto4": r"[0-4]",
    "upto5": r"[0-5]",
    "upto5nz": r"[1-5]",
}


def zstr(s: str) -> z3.SeqRef:
    """A Z3 string literal with every character escaped: StringVal would read
    a literal backslash-u in user text as an escape and change the string."""
    esc = "".join(c if 32 <= ord(c) < 127 and c != "\\" else f"\\u{{{ord(c):x}}}" for c in s)
    return z3.SeqRef(z3.Z3_mk_string(z3.main_ctx().ref(), esc))


def zdecode(v: z3.SeqRef) -> str:
    """A Z3 string value back to Python, code point by code point."""
    ctx, ast = v.ctx_ref(), v.as_ast()
    n = z3.Z3_get_string_length(ctx, ast)
    arr = (ctypes.c_uint * n)()
    z3.Z3_get_string_contents(ctx, ast, n, arr)
    return "".join(chr(c) for c in arr)


def zlit(s: str) -> z3.ReRef:
    return z3.Re(zstr(s))


@functools.cache
def re_sort() -> z3.ReSortRef:
    """Z3's regex sort, made on first use: building it creates Z3's main context
    (about 14 MB), which a run whose scripts need no string proof never pays."""
    return z3.ReSort(z3.StringSort())


def znot(chars: str) -> z3.ReRef:
    """Any single character except those in `chars`."""
    excluded = z3.Union(*[zlit(c) for c in chars]) if len(chars) > 1 else zlit(chars)
    return z3.Intersect(z3.AllChar(re_sort()), z3.Complement(excluded))


def _zrange(lo: str, hi: str) -> z3.ReRef:
    return z3.Range(zstr(lo), zstr(hi))


class Z3Backend:
    """Z3 regexes over *raw* resources (symbolic check). For paths they are
    tolerant: they accept every spelling whose normal form matches."""

    tolerant = True

    def __init__(self, style: str):
        self.style = style

    def lit(self, s: str) -> z3.ReRef:
        return zlit(s)

    def ci_lit(self, s: str) -> z3.ReRef:
        parts = []
        for c in s:
            if c.isascii() and c.isalpha():
                parts.append(z3.Union(zlit(c.lower()), zlit(c.upper())))
            else:
                parts.append(zlit(c))
        return self.cat(*parts)

    def cat(self, *xs: z3.ReRef) -> z3.ReRef:
        xs = tuple(x for x in xs if x is not None)
        if not xs:
            return zlit("")
        return xs[0] if len(xs) == 1 else z3.Concat(*xs)

    def alt(self, *xs: z3.ReRef) -> z3.ReRef:
        return xs[0] if len(xs) == 1 else z3.Union(*xs)

    def star(self, x: z3.ReRef) -> z3.ReRef:
        return z3.Star(x)

    def plus(self, x: z3.ReRef) -> z3.ReRef:
        return z3.Plus(x)

    def opt(self, x: z3.ReRef) -> z3.ReRef:
        return z3.Option(x)

    def loop(self, x: z3.ReRef, lo: int, hi: int) -> z3.ReRef:
        return z3.Loop(x, lo, hi)

    def cls(self, name: str) -> z3.ReRef:
        return z3_class(name)

    def full(self) -> z3.ReRef:
        return z3.Full(re_sort())

    def sep(self) -> z3.ReRef:
        if self.style == "path":  # '/', then any run of '/' and './'
            return z3.Concat(zlit("/"), z3.Star(z3.Union(zlit("/"), zlit("./"))))
        return zlit(".")

    def lead(self) -> z3.ReRef | None:
        if self.style == "path":  # optional leading './', './/', '././', ...
            return z3.Option(z3.Concat(zlit("./"), z3.Star(z3.Union(zlit("/"), zlit("./")))))
        return None

    def comp(self, x: z3.ReRef) -> z3.ReRef:
        if self.style == "path":  # a wildcard component never matches '' or '.'
            return z3.Intersect(x, z3_class("realcomp"))
        return x

    def last_label(self, x: z3.ReRef) -> z3.ReRef:
        """A raw name's last label may not be a number: `127.1` is an address in
        another spelling, which the run-time check would canonicalise first."""
        return z3.Intersect(x, z3.Complement(z3_class("numeric")))


_Z3_CLASS_CACHE: dict[str, z3.ReRef] = {}


def z3_class(name: str) -> z3.ReRef:
    if name not in _Z3_CLASS_CACHE:
        if name == "notslash":
            r = znot("/")
        elif name == "notdot":
            r = znot(".")
        elif name == "keychar":
            r = znot(".\x00")
        elif name == "labelchar":
            r = z3.Union(_zrange("a", "z"), _zrange("A", "Z"), _zrange("0", "9"), zlit("-"), zlit("_"))
        elif name == "digit":
            r = _zrange("0", "9")
        elif name == "ipv6char":
            r = z3.Union(_zrange("0", "9"), _zrange("a", "f"), _zrange("A", "F"), zlit(":"), zlit("."))
        elif name == "notnul":
            r = znot("\x00")
        elif name in ("nonzero", "upto2", "upto4", "upto5", "upto5nz"):
            lo, hi = {"nonzero": "19", "upto2": "02", "upto4": "04", "upto5": "05",
                      "upto5nz": "15"}[name]
            r = _zrange(lo, hi)
        elif name == "realcomp":
            r = z3.Intersect(z3.Plus(znot("/")), z3.Complement(zlit(".")))
        elif name == "numeric":  # a label the WHATWG URL parser reads as a number
            hexd = z3.Union(_zrange("0", "9"), _zrange("a", "f"), _zrange("A", "F"))
            r = z3.Union(z3.Plus(_zrange("0", "9")),
                         z3.Concat(zlit("0"), z3.Union(zlit("x"), zlit("X")), z3.Star(hexd)))
        else:
            raise KeyError(name)
        _Z3_CLASS_CACHE[name] = r
    return _Z3_CLASS_CACHE[name]


def re2_matcher(pattern: str) -> Any:
    """A glob's run-time matcher: RE2, linear in the resource, never backtracking."""
    opts = re2.Options()
    opts.log_errors = False
    opts.dot_nl = True
    return re2.compile(pattern, opts)
