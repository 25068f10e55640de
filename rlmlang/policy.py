"""Permission policy: deny by default, scoped grants, deny rules that win.

A policy is two lists of rules, `allow` and `deny`, each written `KIND`,
`KIND:SCOPE` or `KIND:key=N` (`fs.read:data/**`, `net:*.example.com`,
`llm:calls=20`). Every kind has a scope *style* that says what its scopes look
like: path globs under a root directory, host names, state-key patterns,
plain names (plugin kinds), or none (`llm`, `clock`). Nothing is allowed
unless an allow rule covers it, and a matching deny rule always wins.

Each rule is checked two ways, and the two are built to agree:

- concretely (`Policy.check`), on a resource value at run time: the resource
  is normalised (paths lexically, hosts to their canonical form, see
  hostnames.py), then matched with RE2, which runs in time linear in the
  resource (a glob like `logs/*-*-*.log` would make a backtracking engine
  take cubic time on a path of dashes);
- symbolically (`Policy.check_symbolic`), on a resource the verifier knows
  only as a concatenation of literal and unknown pieces. Every glob becomes a
  Z3 regular expression and Z3 is asked for values of the unknown pieces that
  escape. Path regexes accept every raw spelling whose *normal form* the glob
  matches (`data/./x`, `data//x`), so a static verdict is the run-time one.

Both matchers come from one builder (`_build`) over two back ends, so a glob
cannot mean one thing at run time and another in the proof. Solver work is
bounded by Z3's deterministic `rlimit`, so a verdict is the same on every
machine; `unknown` is reported as such and callers treat it as a rejection.
"""

from __future__ import annotations

import ctypes
import dataclasses
import difflib
import functools
import json
import os
import re
import threading
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import re2
import z3

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.hostnames import canonical_host, canonical_name, canonical_port, is_loopback
from rlmlang.limits import check_budget_table

# Solver budget per query, in Z3's deterministic resource units. Typical
# policy queries use 1,000 to 10,000 of them (see docs/policy.md).
DEFAULT_RLIMIT = 1_000_000
# Wall-clock backstop only; the rlimit is what makes verdicts reproducible.
TIMEOUT_MS = 10_000
# Z3's main context is not thread-safe; symbolic checks take turns.
_Z3_LOCK = threading.RLock()

Style = Literal["path", "host", "key", "name", "none"]

# Built-in kinds and their scope styles. Plugins add theirs with register_kind.
STYLES: dict[str, str] = {
    "fs.read": "path",
    "fs.write": "path",
    "fs.list": "path",
    "net": "host",
    "llm": "none",
    "clock": "none",
    "state.read": "key",
    "state.write": "key",
}
# Namespaces that belong to built-in kinds: `fs.raed` is a typo, not a plugin.
RESERVED = ("fs", "net", "llm", "clock", "state")

EXPECTED_FORM = {
    "path": "{k}:GLOB with the glob relative to the policy root, e.g. {k}:data/** or {k}:out/*.md",
    "host": "{k}:HOST or {k}:HOST:PORT, e.g. net:api.example.com, net:*.example.com, net:127.0.0.1:8080",
    "key": "{k}:KEY_PATTERN, e.g. {k}:notes.* or {k}:notes.**",
    "name": "{k}:SCOPE (a name or glob) or {k}:KEY=N",
    "none": "{k} alone, or a cap {k}:KEY=N, e.g. llm:calls=20",
}
GENERIC_FORM = ("KIND, KIND:SCOPE or KIND:KEY=N, e.g. fs.read:data/**, net:api.example.com, "
                "llm:calls=20, state.write:notes.*")

_KIND_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
_CAP_RE = re.compile(r"([a-z_][a-z0-9_]*)=(.*)")
_HOST_LABEL_RE = re.compile(r"[a-z0-9_*-]+")

# The caps each built-in kind has, and the tool that enforces each one.
CAP_KEYS: dict[str, dict[str, str]] = {
    "llm": {"calls": "llm.predict and llm.run count their calls, nested runs included",
            "tokens": "the sub-model calls count the tokens they generate"},
    "fs.read": {"bytes": "fs.read reads at most this many bytes of a file"},
    "fs.write": {"bytes": "fs.write writes at most this many bytes"},
    "net": {"bytes": "http.get reads at most this many bytes of a response"},
}


def register_kind(kind: str, style: str = "name") -> None:
    """Declare a plugin permission kind and its scope style (default: names)."""
    if not _KIND_RE.fullmatch(kind) or "." not in kind:
        raise ValueError(f"plugin permission kinds are dotted lower-case names like 'foo.bar', not {kind!r}")
    if kind.split(".")[0] in RESERVED and STYLES.get(kind) != style:
        raise ValueError(f"the namespace of {kind!r} is reserved for built-in kinds")
    if style not in ("path", "host", "key", "name", "none"):
        raise ValueError(f"unknown scope style {style!r}")
    STYLES[kind] = style


def kind_style(kind: str) -> str:
    """The scope style of a kind; unknown dotted kinds are plugin kinds (names)."""
    return STYLES.get(kind, "name")


# --------------------------------------------------------------------------- errors


class PolicyError(DiagnosticError):
    """A rule or policy file that cannot be read; carries one E_USAGE diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__([diagnostic])
        self.diagnostic = diagnostic


def _rule_error(text: str, problem: str, *, deny: bool, source: str, form: str) -> PolicyError:
    which = "deny" if deny else "allow"
    return PolicyError(Diagnostic(
        "E_USAGE", f"bad {which} rule {text!r}: {problem}", file=source,
        fix=f"write it as {form}", data={"rule": text, "expected": form}))


# --------------------------------------------------------------------------- globs

_STAR, _QMARK, _STARSTAR = "*", "?", "**"
_WILDLABEL = "*label*"  # a whole `*` label in a host pattern: one or more labels


def _tokens(text: str, allow_starstar: bool = False) -> list[str | tuple[str]]:
    """Split a glob component into literals (1-tuples) and wildcard markers."""
    out: list[str | tuple[str]] = []
    i = 0
    while i < len(text):
        if allow_starstar and text.startswith("**", i):
            out.append(_STARSTAR)
            i += 2
        elif text[i] == "*":
            out.append(_STAR)
            i += 1
        elif text[i] == "?":
            out.append(_QMARK)
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in "*?":
                j += 1
            out.append((text[i:j],))
            i = j
    return out


@dataclass(frozen=True)
class _Glob:
    """A parsed scope: the style and its structure (see _build for meaning)."""

    style: str
    comps: tuple[Any, ...] = ()   # path/key: components ("**" or token tuples)
    everything: bool = False
    port: str | None = None       # host only
    loopback: bool = False        # host deny rules only: names this machine, so it
    #                               matches every spelling of it (hostnames.is_loopback)
    tokens: tuple[Any, ...] = ()  # name only


class _PyBackend:
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


def _zstr(s: str) -> z3.SeqRef:
    """A Z3 string literal with every character escaped: StringVal would read
    a literal backslash-u in user text as an escape and change the string."""
    esc = "".join(c if 32 <= ord(c) < 127 and c != "\\" else f"\\u{{{ord(c):x}}}" for c in s)
    return z3.SeqRef(z3.Z3_mk_string(z3.main_ctx().ref(), esc))


def _zdecode(v: z3.SeqRef) -> str:
    """A Z3 string value back to Python, code point by code point."""
    ctx, ast = v.ctx_ref(), v.as_ast()
    n = z3.Z3_get_string_length(ctx, ast)
    arr = (ctypes.c_uint * n)()
    z3.Z3_get_string_contents(ctx, ast, n, arr)
    return "".join(chr(c) for c in arr)


def _zlit(s: str) -> z3.ReRef:
    return z3.Re(_zstr(s))


@functools.cache
def _re_sort() -> z3.ReSortRef:
    """Z3's regex sort, made on first use: building it creates Z3's main context
    (about 14 MB), which a run whose scripts need no string proof never pays."""
    return z3.ReSort(z3.StringSort())


def _znot(chars: str) -> z3.ReRef:
    """Any single character except those in `chars`."""
    excluded = z3.Union(*[_zlit(c) for c in chars]) if len(chars) > 1 else _zlit(chars)
    return z3.Intersect(z3.AllChar(_re_sort()), z3.Complement(excluded))


def _zrange(lo: str, hi: str) -> z3.ReRef:
    return z3.Range(_zstr(lo), _zstr(hi))


class _Z3Backend:
    """Z3 regexes over *raw* resources (symbolic check). For paths they are
    tolerant: they accept every spelling whose normal form matches."""

    tolerant = True

    def __init__(self, style: str):
        self.style = style

    def lit(self, s: str) -> z3.ReRef:
        return _zlit(s)

    def ci_lit(self, s: str) -> z3.ReRef:
        parts = []
        for c in s:
            if c.isascii() and c.isalpha():
                parts.append(z3.Union(_zlit(c.lower()), _zlit(c.upper())))
            else:
                parts.append(_zlit(c))
        return self.cat(*parts)

    def cat(self, *xs: z3.ReRef) -> z3.ReRef:
        xs = tuple(x for x in xs if x is not None)
        if not xs:
            return _zlit("")
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
        return _z3_class(name)

    def full(self) -> z3.ReRef:
        return z3.Full(_re_sort())

    def sep(self) -> z3.ReRef:
        if self.style == "path":  # '/', then any run of '/' and './'
            return z3.Concat(_zlit("/"), z3.Star(z3.Union(_zlit("/"), _zlit("./"))))
        return _zlit(".")

    def lead(self) -> z3.ReRef | None:
        if self.style == "path":  # optional leading './', './/', '././', ...
            return z3.Option(z3.Concat(_zlit("./"), z3.Star(z3.Union(_zlit("/"), _zlit("./")))))
        return None

    def comp(self, x: z3.ReRef) -> z3.ReRef:
        if self.style == "path":  # a wildcard component never matches '' or '.'
            return z3.Intersect(x, _z3_class("realcomp"))
        return x

    def last_label(self, x: z3.ReRef) -> z3.ReRef:
        """A raw name's last label may not be a number: `127.1` is an address in
        another spelling, which the run-time check would canonicalise first."""
        return z3.Intersect(x, z3.Complement(_z3_class("numeric")))


_Z3_CLASS_CACHE: dict[str, z3.ReRef] = {}


def _z3_class(name: str) -> z3.ReRef:
    if name not in _Z3_CLASS_CACHE:
        if name == "notslash":
            r = _znot("/")
        elif name == "notdot":
            r = _znot(".")
        elif name == "keychar":
            r = _znot(".\x00")
        elif name == "labelchar":
            r = z3.Union(_zrange("a", "z"), _zrange("A", "Z"), _zrange("0", "9"), _zlit("-"), _zlit("_"))
        elif name == "digit":
            r = _zrange("0", "9")
        elif name == "ipv6char":
            r = z3.Union(_zrange("0", "9"), _zrange("a", "f"), _zrange("A", "F"), _zlit(":"), _zlit("."))
        elif name == "notnul":
            r = _znot("\x00")
        elif name in ("nonzero", "upto2", "upto4", "upto5", "upto5nz"):
            lo, hi = {"nonzero": "19", "upto2": "02", "upto4": "04", "upto5": "05",
                      "upto5nz": "15"}[name]
            r = _zrange(lo, hi)
        elif name == "realcomp":
            r = z3.Intersect(z3.Plus(_znot("/")), z3.Complement(_zlit(".")))
        elif name == "numeric":  # a label the WHATWG URL parser reads as a number
            hexd = z3.Union(_zrange("0", "9"), _zrange("a", "f"), _zrange("A", "F"))
            r = z3.Union(z3.Plus(_zrange("0", "9")),
                         z3.Concat(_zlit("0"), z3.Union(_zlit("x"), _zlit("X")), z3.Star(hexd)))
        else:
            raise KeyError(name)
        _Z3_CLASS_CACHE[name] = r
    return _Z3_CLASS_CACHE[name]


def _build_tokens(b: Any, toks: Sequence[Any], wild: str) -> Any:
    parts = []
    for t in toks:
        if t == _STAR:
            parts.append(b.star(b.cls(wild)))
        elif t == _QMARK:
            parts.append(b.cls(wild))
        elif t == _STARSTAR:
            parts.append(b.full())
        elif isinstance(t, tuple):
            parts.append(b.ci_lit(t[0]) if b.style == "host" else b.lit(t[0]))
    return b.cat(*parts)


def _host_labels(b: Any) -> Any:
    """One or more labels joined by dots (what a whole `*` label of a pattern matches)."""
    label = b.plus(b.cls("labelchar"))
    return b.cat(label, b.star(b.cat(b.lit("."), label)))


def _host_name(b: Any) -> Any:
    """NAME: labels joined by dots, the last not a number (see last_label)."""
    label = b.plus(b.cls("labelchar"))
    return b.cat(b.star(b.cat(label, b.lit("."))), b.last_label(label))


def _octet(b: Any) -> Any:
    """0..255 without leading zeros: the canonical spelling of one IPv4 part."""
    d = b.cls("digit")
    return b.alt(b.cat(b.lit("25"), b.cls("upto5")), b.cat(b.lit("2"), b.cls("upto4"), d),
                 b.cat(b.lit("1"), d, d), b.cat(b.cls("nonzero"), d), d)


def _quad(b: Any, first: Any = None) -> Any:
    dot = b.lit(".")
    return b.cat(first if first is not None else _octet(b), dot, _octet(b), dot, _octet(b),
                 dot, _octet(b))


def _port(b: Any) -> Any:
    """1..65535 without leading zeros."""
    d = b.cls("digit")
    return b.alt(b.cat(b.cls("nonzero"), b.loop(d, 0, 3)),
                 b.cat(b.cls("upto5nz"), b.loop(d, 4, 4)),
                 b.cat(b.lit("6"), b.cls("upto4"), b.loop(d, 3, 3)),
                 b.cat(b.lit("65"), b.cls("upto4"), d, d),
                 b.cat(b.lit("655"), b.cls("upto2"), d),
                 b.cat(b.lit("6553"), b.cls("upto5")))


def _loopback(b: Any) -> Any:
    """Every canonical spelling of this machine: a deny rule on one denies them all."""
    label = b.plus(b.cls("labelchar"))
    return b.alt(b.cat(b.star(b.cat(label, b.lit("."))), b.ci_lit("localhost")),
                 _quad(b, b.lit("127")), _quad(b, b.lit("0")), b.lit("[::1]"), b.lit("[::]"))


def _host_valid(b: Any, ipv6: bool = True) -> Any:
    """The shape of a canonical host resource: NAME, IPV4 or [IPV6], optional :PORT.

    The symbolic check leaves IPv6 out (ipv6=False): its canonical form is not
    a regular shape worth proving, so an unknown piece there is refused."""
    forms = [_host_name(b), _quad(b)]
    if ipv6:
        forms.append(b.cat(b.lit("["), b.plus(b.cls("ipv6char")), b.lit("]")))
    return b.cat(b.alt(*forms), b.opt(b.cat(b.lit(":"), _port(b))))


def _key_valid(b: Any) -> Any:
    comp = b.plus(b.cls("keychar"))
    return b.cat(comp, b.star(b.cat(b.lit("."), comp)))


def _build(b: Any, g: _Glob) -> Any:
    """One glob, one matcher, for either back end (the single source of meaning)."""
    if g.style == "name":
        return _build_tokens(b, g.tokens, "notslash")
    if g.style == "host":
        if g.everything:
            return _host_valid(b)
        labels = []
        for c in g.comps:
            labels.append(_host_labels(b) if c == _WILDLABEL else _build_tokens(b, c, "labelchar"))
        parts = [labels[0]]
        for lab in labels[1:]:
            parts += [b.lit("."), lab]
        host = b.cat(*parts)
        if g.loopback:
            host = b.alt(host, _loopback(b))
        if g.port is not None:
            return b.cat(host, b.lit(":"), b.lit(g.port))
        return b.cat(host, b.opt(b.cat(b.lit(":"), _port(b))))
    # path and key: components joined by a separator; a pattern also covers
    # everything below what it matches (a granted directory grants its files).
    if g.everything:
        return b.full()
    wild = "notslash" if g.style == "path" else "notdot"
    anycomp = b.plus(b.cls(wild))
    parts = [b.lead()]
    for i, c in enumerate(g.comps):
        if c == _STARSTAR:
            if i == 0:
                parts.append(b.star(b.cat(anycomp, b.sep())))
            else:
                parts.append(b.star(b.cat(b.sep(), anycomp)))
            continue
        if i > 0 and not (i == 1 and g.comps[0] == _STARSTAR):
            parts.append(b.sep())
        node = _build_tokens(b, c, wild)
        if any(t in (_STAR, _QMARK) for t in c):
            node = b.comp(node)
        parts.append(node)
    sep_lit = "/" if g.style == "path" else "."
    parts.append(b.opt(b.cat(b.lit(sep_lit), b.full())))
    return b.cat(*parts)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One parsed rule. `text` is its canonical spelling (what logs and messages show)."""

    text: str
    kind: str
    style: str
    glob: _Glob | None = None          # None: the whole kind (no scope given)
    cap: tuple[str, int] | None = None
    regex: Any = field(default=None, compare=False, repr=False)  # a compiled RE2 pattern

    @property
    def grants(self) -> bool:
        """A cap on a scoped kind limits it but grants nothing on its own."""
        return self.cap is None or self.style == "none"

    def matches(self, normal: str | None) -> bool:
        """Whether this rule covers a normalised resource (None: the whole kind)."""
        if self.cap is not None or self.glob is None or self.glob.everything:
            return True
        if normal is None or (self.style == "path" and normal == "."):
            return False
        assert self.regex is not None
        return self.regex.fullmatch(normal) is not None


def _did_you_mean(kind: str) -> str:
    close = difflib.get_close_matches(kind, list(STYLES), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_rule(text: str, *, root: str, deny: bool = False, source: str = "<policy>") -> Rule:
    """Parse one `KIND[:SCOPE|:KEY=N]` rule; raises PolicyError naming the rule."""
    if not isinstance(text, str):
        raise _rule_error(repr(text), "a rule must be a string", deny=deny, source=source,
                          form=GENERIC_FORM)
    orig = text
    text = text.strip()
    kind, has_scope, scope = text.partition(":")
    kind, scope = kind.strip(), scope.strip()

    def bad(problem: str, style: str | None = None) -> PolicyError:
        form = EXPECTED_FORM[style].format(k=kind) if style else GENERIC_FORM
        return _rule_error(orig, problem, deny=deny, source=source, form=form)

    if not text:
        raise bad("the rule is empty")
    if not _KIND_RE.fullmatch(kind):
        raise bad(f"{kind!r} is not a permission kind{_did_you_mean(kind)}")
    if kind not in STYLES and ("." not in kind or kind.split(".")[0] in RESERVED):
        raise bad(f"unknown permission kind {kind!r}{_did_you_mean(kind)}")
    style = kind_style(kind)
    if has_scope and not scope:
        raise bad("nothing follows ':'", style)
    if "\x00" in scope:
        raise bad("the scope contains a NUL character", style)
    if not has_scope:
        return Rule(kind, kind, style)
    cap = _CAP_RE.fullmatch(scope)
    if cap or style == "none":
        if not cap:
            raise bad(f"{kind} takes no scope", style)
        key, value = cap.group(1), cap.group(2).strip()
        if not value.isdigit() or not value.isascii():
            raise bad(f"the cap {key}={value} is not a whole number >= 0", style)
        if deny:
            raise bad("a deny rule cannot carry a cap (put the cap in an allow rule)", style)
        known = CAP_KEYS.get(kind)
        if kind in STYLES and kind.split(".")[0] in RESERVED and key not in (known or {}):
            caps = ", ".join(f"{kind}:{k}=N" for k in known) if known else "none"
            raise bad(f"{kind} has no cap {key!r} (its caps: {caps}); a cap no tool "
                      "enforces would promise a limit that does not hold", style)
        n = int(value)
        return Rule(f"{kind}:{key}={n}", kind, style, cap=(key, n))
    if "," in scope:
        raise bad("one scope per rule (repeat the rule for more scopes)", style)
    glob, canon = _parse_scope(style, scope, root, lambda p: bad(p, style))
    if glob.loopback and not deny:  # a grant of 127.0.0.1 does not grant localhost
        glob = dataclasses.replace(glob, loopback=False)
    rule = Rule(f"{kind}:{canon}", kind, style, glob=glob)
    if not glob.everything or style in ("host", "name"):
        rx = _re2(_build(_PyBackend(style), glob))
        rule = Rule(rule.text, kind, style, glob=glob, regex=rx)
    return rule


def _parse_scope(style: str, scope: str, root: str,
                 bad: Callable[[str], PolicyError]) -> tuple[_Glob, str]:
    if style == "path":
        if scope.startswith("/"):
            norm = os.path.normpath(scope)
            if ".." in scope.split("/"):
                raise bad("'..' is not allowed in a path scope")
            if norm == root or norm.startswith(root.rstrip("/") + "/"):
                scope = os.path.relpath(norm, root)
            else:
                raise bad(f"the absolute path is outside the policy root {root}")
        raw = scope.split("/")
        if ".." in raw:
            raise bad("'..' is not allowed in a path scope")
        return _components(style, [c for c in raw if c not in ("", ".")], bad, "/")
    if style == "key":
        raw = scope.split(".")
        if "" in raw:
            raise bad("a key pattern has an empty part (two dots, or a dot at an end)")
        return _components(style, raw, bad, ".")
    if style == "host":
        return _parse_host(scope.lower(), bad)
    toks = _tokens(scope, allow_starstar=True)
    return _Glob("name", tokens=tuple(toks), everything=scope in ("*", "**")), scope


def _components(style: str, raw: list[str], bad: Callable[[str], PolicyError],
                sep: str) -> tuple[_Glob, str]:
    comps: list[Any] = []
    for c in raw:
        if c == "**":
            if comps and comps[-1] == _STARSTAR:
                continue
            comps.append(_STARSTAR)
        elif "**" in c:
            raise bad(f"'**' must be a whole part of the pattern (like data/**/x.txt); use '*' "
                      f"inside a name, not {c!r}")
        else:
            comps.append(tuple(_tokens(c)))
    canon = sep.join(c if c == _STARSTAR else "".join(t if isinstance(t, str) else t[0] for t in c)
                     for c in comps) or "**"
    while comps and comps[-1] == _STARSTAR:  # `data/**` covers data and all below it
        comps.pop()
    return _Glob(style, comps=tuple(comps), everything=not comps), canon


def _parse_host(scope: str, bad: Callable[[str], PolicyError]) -> tuple[_Glob, str]:
    """A host scope in canonical form (hostnames.py), so it compares with what
    a connection reaches; a literal loopback host stands for every spelling."""
    if "/" in scope or "@" in scope:
        raise bad("a net scope is a host name, not a URL")
    port = None
    if scope.startswith("["):
        end = scope.find("]")
        if end < 0:
            raise bad("an IPv6 address needs a closing ']'")
        name, rest = scope[: end + 1], scope[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise bad("expected ':PORT' after the IPv6 address")
            port = rest[1:]
        if not re.fullmatch(r"\[[0-9a-f:.]+\]", name):
            raise bad(f"{name!r} is not an IPv6 address")
    else:
        name, colon, p = scope.partition(":")
        if colon:
            port = p
        if name == "*":
            if port is not None:
                raise bad("'*' with a port is not supported; name the host")
            return _Glob("host", everything=True), "*"
    literal = "*" not in name
    if literal:
        canon, problem = canonical_name(name)
        if canon is not None:
            name = canon
        elif name.startswith("[") or not ("empty label" in str(problem)
                                          or "not a host name" in str(problem)):
            raise bad(str(problem))
    if name.startswith("["):
        comps: tuple[Any, ...] = (((name,),),)
    else:
        labels = name.split(".")
        if any(not lab for lab in labels):
            raise bad("a host name has an empty label (two dots, or a dot at an end)")
        comps_l: list[Any] = []
        for lab in labels:
            if not _HOST_LABEL_RE.fullmatch(lab) or "**" in lab:
                raise bad(f"{lab!r} is not a host label (letters, digits, '-', '_', '*')")
            comps_l.append(_WILDLABEL if lab == "*" else tuple(_tokens(lab)))
        comps = tuple(comps_l)
    if port is not None:
        port, problem = canonical_port(port)
        if port is None:
            raise bad(str(problem))
    text = name + (f":{port}" if port is not None else "")
    return _Glob("host", comps=comps, port=port, loopback=literal and is_loopback(name)), text


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    """The answer to one concrete permission question."""

    allowed: bool
    code: str | None          # None, "E_PERMISSION" or "E_DENIED"
    rule: str | None          # the rule that decided (allow or deny), if any
    reason: str
    kind: str = ""
    resource: str | None = None  # the normalised resource that was matched
    fix: str | None = None

    def to_diagnostic(self, span: Any = None, file: str = "<script>") -> Diagnostic:
        """A diagnostic for a refusal (the verifier and the tools both report these)."""
        if self.allowed or self.code is None:
            raise ValueError("an allowed decision is not a diagnostic")
        return Diagnostic(self.code, self.reason, span, file, self.fix,
                          data={"kind": self.kind, "resource": self.resource, "rule": self.rule})


@dataclass(frozen=True)
class SymbolicPiece:
    """An unknown part of a resource, with what the verifier knows about it.

    kind: "any" (nothing known), "segment" (one non-empty component of the
    resource: for paths no '/' and not '.' or '..', for hosts one DNS label,
    for state keys no '.'), "no_dotdot" (does not contain '..'), "relpath" (a
    normal relative path: segments joined by single '/'; paths only).
    """

    kind: str = "any"
    name: str | None = None
    max_len: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("any", "segment", "no_dotdot", "relpath"):
            raise ValueError(f"unknown SymbolicPiece kind {self.kind!r}")


Piece = str | SymbolicPiece | z3.SeqRef | None


@dataclass(frozen=True)
class SymbolicVerdict:
    """The answer to one symbolic permission question."""

    status: str                     # "proven", "refuted" or "unknown"
    reason: str
    rule: str | None = None         # proven: the allow rule; refuted: the deny rule hit, if any
    counterexample: str | None = None
    code: str | None = None         # None, "E_PERMISSION", "E_DENIED" or "E_UNPROVEN"
    values: dict[str, str] = field(default_factory=dict)  # unknown piece -> its value
    expr: str = ""
    fix: str | None = None

    @property
    def proven(self) -> bool:
        return self.status == "proven"

    def to_diagnostic(self, span: Any = None, file: str = "<script>") -> Diagnostic:
        if self.proven or self.code is None:
            raise ValueError("a proven verdict is not a diagnostic")
        notes = ()
        if self.counterexample is not None:
            notes = (f"counterexample: {self.counterexample!r}"
                     + (" (" + ", ".join(f"{k} = {v!r}" for k, v in self.values.items()) + ")"
                        if self.values else ""),)
        return Diagnostic(self.code, self.reason, span, file, self.fix, notes,
                          data={"counterexample": self.counterexample, "values": self.values,
                                "rule": self.rule, "status": self.status})


# --------------------------------------------------------------------------- resources


def normalise_path(resource: str, root: str) -> tuple[str | None, str | None]:
    """Lexical normal form of a path relative to `root`, or the problem with it."""
    if "\x00" in resource:
        return None, "the path contains a NUL character"
    if ".." in resource.split("/"):
        return None, "the path has a '..' component"
    if resource.startswith("/"):
        norm = os.path.normpath(resource)
        if norm == root:
            return ".", None
        if not norm.startswith(root.rstrip("/") + "/"):
            return None, f"the absolute path is outside the policy root {root}"
        resource = norm[len(root.rstrip("/")) + 1:]
    comps = [c for c in resource.split("/") if c not in ("", ".")]
    return ("/".join(comps) or "."), None


def _re2(pattern: str) -> Any:
    """A glob's run-time matcher: RE2, linear in the resource, never backtracking."""
    opts = re2.Options()
    opts.log_errors = False
    opts.dot_nl = True
    return re2.compile(pattern, opts)


_HOST_RE = _re2(_build(_PyBackend("host"), _Glob("host", everything=True)))
_KEY_RE = _re2(_key_valid(_PyBackend("key")))


def normalise(style: str, resource: str, root: str) -> tuple[str | None, str | None]:
    """A resource's normal form for its style, or why it is refused outright."""
    try:
        resource.encode("utf-8")
    except UnicodeEncodeError:
        return None, "it contains a lone surrogate, which no file, host or key name can hold"
    if style == "path":
        return normalise_path(resource, root)
    if style == "host":
        normal, problem = canonical_host(resource)
        if normal is None or not _HOST_RE.fullmatch(normal):
            return None, problem or "it is not a host name (expected NAME or NAME:PORT, e.g. " \
                "api.example.com:443)"
        return normal, None
    if style == "key":
        if not _KEY_RE.fullmatch(resource):
            return None, "it is not a state key (expected names joined by '.', e.g. notes.today)"
        return resource, None
    if not resource or "\x00" in resource:
        return None, "it is empty or contains a NUL character"
    return resource, None


def _suggest(kind: str, normal: str) -> str:
    return f"{kind}:{normal}" if normal != "." else f"{kind}:**"


# --------------------------------------------------------------------------- policy


@dataclass
class _Compiled:
    """Z3 regexes of one kind in one policy (built once, on first use)."""

    bad: Any
    allow: list[tuple[Rule, Any]]
    deny: list[tuple[Rule, Any]]
    allow_union: Any
    deny_union: Any


class Policy:
    """A set of grants under a root directory; immutable once built."""

    def __init__(self, root: str | Path, allow: Sequence[Rule], deny: Sequence[Rule],
                 budgets: dict[str, int] | None = None, rlimit: int = DEFAULT_RLIMIT):
        self.root = Path(os.path.abspath(root))
        self.allow: tuple[Rule, ...] = tuple(_dedupe(allow))
        self.deny: tuple[Rule, ...] = tuple(_dedupe(deny))
        self.budgets: dict[str, int] = dict(budgets or {})
        self.rlimit = rlimit
        self._z3: dict[str, _Compiled] = {}

    # ---- construction

    @classmethod
    def from_rules(cls, allow: Sequence[str], deny: Sequence[str] = (), root: str | Path = ".",
                   *, budgets: dict[str, int] | None = None, rlimit: int = DEFAULT_RLIMIT,
                   source: str = "<policy>") -> Policy:
        """Parse `--allow`/`--deny` rule strings; raises PolicyError on the first bad rule."""
        r = os.path.abspath(root)
        a = [parse_rule(t, root=r, deny=False, source=source) for t in allow]
        d = [parse_rule(t, root=r, deny=True, source=source) for t in deny]
        return cls(r, a, d, budgets, rlimit)

    @classmethod
    def deny_all(cls, root: str | Path = ".") -> Policy:
        """The policy of a run given none: no grants, so every effect and state key is
        refused, the same way at the door (`tools.context.check_permission`), inside the
        file and HTTP tools, and for `state.*`."""
        return cls(root, [], [])

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read `[policy] root/allow/deny/rlimit` and `[budget]`; root is relative to the file."""
        path = Path(path)
        src = str(path)

        def bad(msg: str) -> PolicyError:
            return PolicyError(Diagnostic(
                "E_USAGE", msg, file=src,
                fix='write [policy] with root = ".", allow = ["fs.read:data/**"], deny = [...], '
                    'and optionally [budget] with whole numbers'))

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise bad(f"cannot read the policy file: {e.strerror or e}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise bad(f"the policy file is not valid TOML: {e}") from None
        unknown = set(data) - {"policy", "budget"}
        if unknown:
            raise bad(f"unknown table(s) {', '.join(sorted(unknown))} (expected [policy] and [budget])")
        pol = data.get("policy", {})
        if not isinstance(pol, dict):
            raise bad("[policy] must be a table")
        extra = set(pol) - {"root", "allow", "deny", "rlimit"}
        if extra:
            raise bad(f"unknown key(s) in [policy]: {', '.join(sorted(extra))}")
        root = pol.get("root", ".")
        if not isinstance(root, str):
            raise bad("[policy] root must be a string")
        lists = {}
        for key in ("allow", "deny"):
            v = pol.get(key, [])
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise bad(f"[policy] {key} must be a list of strings")
            lists[key] = v
        rlimit = pol.get("rlimit", DEFAULT_RLIMIT)
        if not isinstance(rlimit, int) or isinstance(rlimit, bool) or rlimit <= 0:
            raise bad("[policy] rlimit must be a whole number > 0")
        try:
            budgets = check_budget_table(data.get("budget", {}), "[budget]", src,
                                         fix=bad("").diagnostic.fix or "")
        except DiagnosticError as e:
            raise PolicyError(e.diagnostics[0]) from None
        base = path.parent if path.parent != Path("") else Path(".")
        return cls.from_rules(lists["allow"], lists["deny"], base / root, budgets=budgets,
                              rlimit=rlimit, source=src)

    def to_json(self) -> dict[str, Any]:
        """The policy as the log records it; `from_json(p.to_json()) == p`."""
        return {"version": 1, "root": str(self.root), "allow": [r.text for r in self.allow],
                "deny": [r.text for r in self.deny], "budgets": dict(self.budgets),
                "rlimit": self.rlimit}

    @classmethod
    def from_json(cls, d: dict[str, Any] | str) -> Policy:
        if isinstance(d, str):
            d = json.loads(d)
        if not isinstance(d, dict) or d.get("version") != 1:
            raise PolicyError(Diagnostic("E_USAGE", "not a version-1 policy record",
                                         file="<policy json>"))
        return cls.from_rules(d.get("allow", []), d.get("deny", []), d["root"],
                              budgets=d.get("budgets", {}), rlimit=d.get("rlimit", DEFAULT_RLIMIT),
                              source="<policy json>")

    def merged(self, other: Policy) -> Policy:
        """Both policies' grants and deny rules; `other`'s caps, budgets and rlimit replace ours.

        The result keeps our root. When `other` has another root, its path
        scopes are re-expressed under ours (PolicyError if one lies outside).
        """
        replaced = {(r.kind, r.cap[0]) for r in other.allow if r.cap}
        mine = [r for r in self.allow if not (r.cap and (r.kind, r.cap[0]) in replaced)]
        return Policy(self.root, mine + self._rebased(other.allow, other.root, False),
                      list(self.deny) + self._rebased(other.deny, other.root, True),
                      {**self.budgets, **other.budgets}, other.rlimit)

    def _rebased(self, rules: Sequence[Rule], root: Path, deny: bool) -> list[Rule]:
        if root == self.root:
            return list(rules)
        out = []
        for r in rules:
            if r.style == "path" and r.cap is None:
                scope = r.text.partition(":")[2] or "**"
                r = parse_rule(f"{r.kind}:{os.path.join(root, scope)}", root=str(self.root),
                               deny=deny, source=f"policy rooted at {root}")
            out.append(r)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_json(), sort_keys=True))

    def __repr__(self) -> str:
        return (f"Policy(root={str(self.root)!r}, allow={[r.text for r in self.allow]}, "
                f"deny={[r.text for r in self.deny]})")

    # ---- questions

    def grants(self, kind: str) -> list[str]:
        """The allow rules of one kind, as written in the policy."""
        return [r.text for r in self.allow if r.kind == kind]

    def describe(self) -> str:
        """One line per rule, for prompts and `rlm` output."""
        lines = [f"root: {self.root}"]
        lines += [f"allow {r.text}" for r in self.allow] or ["allow nothing"]
        lines += [f"deny  {r.text}" for r in self.deny]
        return "\n".join(lines)

    def cap(self, kind: str, key: str) -> int | None:
        """The tightest cap `kind:key=N` among the grants, or None when uncapped."""
        caps = [r.cap[1] for r in self.allow if r.kind == kind and r.cap and r.cap[0] == key]
        return min(caps) if caps else None

    def check(self, kind: str, resource: str | None = None) -> Decision:
        """Decide one concrete access: a matching deny rule wins, else an allow rule, else no."""
        style = kind_style(kind)
        shown = kind if resource is None or style == "none" else f"{kind} of {resource!r}"
        normal: str | None = None
        if style != "none" and resource is not None:
            normal, problem = normalise(style, resource, str(self.root))
            if problem:
                return Decision(False, "E_PERMISSION", None, f"{shown} is refused: {problem}", kind,
                                None, _FIX_SHAPE[style])
        for r in self.deny:
            if r.kind == kind and (r.matches(normal) if normal is not None or style == "none"
                                   else True):
                return Decision(False, "E_DENIED", r.text,
                                f"{shown} matches deny rule '{r.text}' "
                                "(deny rules take precedence over grants)", kind, normal,
                                "deny rules cannot be overridden; use a resource the policy allows")
        for r in self.allow:
            if r.kind == kind and r.grants and (style == "none" or r.matches(normal)):
                return Decision(True, None, r.text, f"{shown} is allowed by grant '{r.text}'",
                                kind, normal)
        granted = self.grants(kind)
        have = f"granted: {', '.join(granted)}" if granted else f"no {kind} grant"
        if style == "none" or normal is None:
            what = f"{kind} is not granted" if style == "none" else \
                f"unrestricted {kind} needs the grant '{kind}'"
            return Decision(False, "E_PERMISSION", None, f"{what} ({have})", kind, None,
                            f"ask the host for the grant '{kind}' (--allow {kind})")
        fix = (f"use a resource the grants cover, or ask the host for "
               f"'{_suggest(kind, normal)}' (--allow {_suggest(kind, normal)})")
        return Decision(False, "E_PERMISSION", None,
                        f"{shown} is not covered by any grant ({have})", kind, normal, fix)

    # ---- symbolic

    def _compiled(self, kind: str) -> _Compiled:
        c = self._z3.get(kind)
        if c is None:
            style = kind_style(kind)
            b = _Z3Backend(style)
            allow = [(r, b.full() if r.glob is None else _build(b, r.glob))
                     for r in self.allow if r.kind == kind and r.grants]
            deny = [(r, b.full() if r.glob is None else _build(b, r.glob))
                    for r in self.deny if r.kind == kind]
            empty = z3.Empty(_re_sort())
            c = _Compiled(_bad_shape(style), allow, deny,
                          z3.Union(*[x for _, x in allow]) if len(allow) > 1 else
                          (allow[0][1] if allow else empty),
                          z3.Union(*[x for _, x in deny]) if len(deny) > 1 else
                          (deny[0][1] if deny else empty))
            self._z3[kind] = c
        return c

    def check_symbolic(self, kind: str, pieces: Sequence[Piece],
                       constraints: Sequence[z3.BoolRef]
                       | Callable[[list[z3.SeqRef]], Sequence[z3.BoolRef]] | None = None,
                       *, rlimit: int | None = None) -> SymbolicVerdict:
        """Prove that every value of `"".join(pieces)` is allowed, or find one that is not.

        pieces: literal strings; None or SymbolicPiece for unknown parts; or
        a Z3 string term of the caller's own. constraints: Z3 facts about the
        unknowns (a list, or a function of the unknowns' Z3 variables in order).
        """
        with _Z3_LOCK:
            return _SymbolicCheck(self, kind, list(pieces), constraints,
                                  rlimit or self.rlimit).run()


_FIX_SHAPE = {
    "path": "use a plain relative path under the policy root, without '..'",
    "host": "use a host name such as api.example.com or api.example.com:443",
    "key": "use a state key such as notes.today",
    "name": "use a non-empty name",
    "none": "",
}


def _dedupe(rules: Sequence[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for r in rules:
        if r.text not in seen:
            seen.add(r.text)
            out.append(r)
    return out


_BAD_CACHE: dict[str, Any] = {}


def _bad_shape(style: str) -> Any:
    """Resources refused whatever the grants: for paths '..', absolute, NUL."""
    if style not in _BAD_CACHE:
        b = _Z3Backend(style)
        full = b.full()
        if style == "path":
            dotdot = z3.Concat(z3.Option(z3.Concat(full, _zlit("/"))), _zlit(".."),
                               z3.Option(z3.Concat(_zlit("/"), full)))
            bad = z3.Union(dotdot, z3.Concat(_zlit("/"), full), z3.Concat(full, _zlit("\x00"), full))
        elif style == "host":
            bad = z3.Complement(_host_valid(b, ipv6=False))
        elif style == "key":
            bad = z3.Complement(_key_valid(b))
        else:
            bad = z3.Complement(z3.Plus(_z3_class("notnul")))
        _BAD_CACHE[style] = bad
    return _BAD_CACHE[style]


def _piece_regex(style: str, kind: str) -> Any:
    if kind == "segment":
        if style == "path":
            return z3.Intersect(z3.Plus(_znot("/\x00")),
                                z3.Complement(z3.Union(_zlit("."), _zlit(".."))))
        if style == "host":
            return z3.Plus(_z3_class("labelchar"))
        if style == "key":
            return z3.Plus(_z3_class("keychar"))
        return z3.Plus(_znot("/\x00"))
    if kind == "no_dotdot":
        full = z3.Full(_re_sort())
        return z3.Complement(z3.Concat(full, _zlit(".."), full))
    if kind == "relpath":
        if style != "path":
            raise ValueError("SymbolicPiece(kind='relpath') is for path kinds only")
        seg = _piece_regex("path", "segment")
        return z3.Concat(seg, z3.Star(z3.Concat(_zlit("/"), seg)))
    raise KeyError(kind)


@functools.cache
def _printable() -> z3.ReRef:
    return z3.Star(z3.Range(_zstr(" "), _zstr("~")))


class _SymbolicCheck:
    """One check_symbolic call: build the string, ask Z3, explain the answer."""

    def __init__(self, policy: Policy, kind: str, pieces: list[Piece], constraints: Any,
                 rlimit: int):
        self.policy, self.kind, self.rlimit = policy, kind, rlimit
        self.style = kind_style(kind)
        self.pieces = pieces
        self.constraints = constraints
        self.vars: list[tuple[str, z3.SeqRef]] = []
        self.facts: list[z3.BoolRef] = []
        self.ctx: z3.Context | None = None
        self.zfacts: list[z3.BoolRef] = []
        parts, shown = [], []
        for i, p in enumerate(pieces):
            if isinstance(p, str):
                parts.append(_zstr(p))
                shown.append(json.dumps(p, ensure_ascii=False))
            elif isinstance(p, z3.SeqRef):
                parts.append(p)
                shown.append(str(p))
                self.vars.append((str(p), p))
            elif p is None or isinstance(p, SymbolicPiece):
                sp = p or SymbolicPiece()
                name = sp.name or f"p{i}"
                v = z3.String(f"__piece{i}")
                self.vars.append((name, v))
                parts.append(v)
                shown.append(name)
                if sp.kind in ("segment", "relpath"):
                    self.facts.append(z3.InRe(v, _piece_regex(self.style, sp.kind)))
                elif sp.kind == "no_dotdot":
                    self.facts.append(z3.InRe(v, _piece_regex(self.style, "no_dotdot")))
                if sp.max_len is not None:
                    self.facts.append(z3.Length(v) <= sp.max_len)
            else:
                raise TypeError(f"a piece must be str, None, SymbolicPiece or a Z3 string, not {p!r}")
        self.s = parts[0] if len(parts) == 1 else (z3.Concat(*parts) if parts else _zstr(""))
        self.expr = " + ".join(shown) or '""'
        if callable(constraints):
            self.facts += list(constraints([v for _, v in self.vars]))
        elif constraints is not None:
            self.facts += list(constraints)

    def run(self) -> SymbolicVerdict:
        if not self.vars or self.style == "none":
            return self._concrete()
        c = self.policy._compiled(self.kind)
        in_bad = z3.InRe(self.s, c.bad)
        in_allow = z3.InRe(self.s, c.allow_union)
        in_deny = z3.InRe(self.s, c.deny_union)
        # With several grants, first try the one a sample value would use:
        # usually it alone covers every value, and then one query names it.
        likely = self._likely_rule(c)
        if likely is not None:
            rule, rx = likely
            st, _ = self._solve([z3.Or(in_bad, z3.Not(z3.InRe(self.s, rx)), in_deny)])
            if st == "unsat":
                return self._proven(c, rule.text)
        status, model = self._solve([z3.Or(in_bad, z3.Not(in_allow), in_deny)])
        if status == "unknown":
            return self._unknown(model)
        if status == "unsat":
            return self._proven(c, c.allow[0][0].text if len(c.allow) == 1 else None)
        # Escapes: find the most telling counterexample, printable if possible
        # (a malformed resource, then a deny hit, then a plain miss). These
        # searches only choose the example; a cheaper limit is enough.
        cex = model[0]
        if cex.isprintable() and self.policy.check(self.kind, cex).resource is None:
            return self._refuted(model)  # already the first choice
        goals = ([in_bad], [z3.Not(in_bad), in_deny],
                 [z3.Not(in_bad), z3.Not(in_deny), z3.Not(in_allow)])
        printable = [z3.InRe(v, _printable()) for _, v in self.vars]
        for extra in (printable, []):
            for goal in goals:
                st, m = self._solve(goal + extra, self.rlimit // 10)
                if st == "sat":
                    return self._refuted(m)
        return self._refuted(model)

    def _solve(self, goal: list[z3.BoolRef], rlimit: int | None = None) -> tuple[str, Any]:
        """One query. Each check_symbolic call gets a fresh Z3 context, so its
        answers and models depend only on the question, not on what this
        process asked before (Z3 caches would otherwise change the models)."""
        if self.ctx is None:
            self.ctx = z3.Context()
            self.zfacts = [f.translate(self.ctx) for f in self.facts]
        ctx = self.ctx
        s = z3.Solver(ctx=ctx)
        s.set("rlimit", rlimit or self.rlimit)
        s.set("timeout", TIMEOUT_MS)
        s.add(*self.zfacts, *[g.translate(ctx) for g in goal])
        r = s.check()
        if r == z3.sat:
            m = s.model()

            def value(term: z3.SeqRef) -> str:
                return _zdecode(m.eval(term.translate(ctx), model_completion=True))

            return "sat", (value(self.s), {name: value(v) for name, v in self.vars})
        if r == z3.unsat:
            return "unsat", None
        return "unknown", s.reason_unknown()

    def _concrete(self) -> SymbolicVerdict:
        if self.vars:  # a scopeless kind: the pieces do not matter
            value = None
        else:
            value = "".join(p for p in self.pieces if isinstance(p, str))
        d = self.policy.check(self.kind, value if self.style != "none" else None)
        if d.allowed:
            return SymbolicVerdict("proven", d.reason, d.rule, expr=self.expr)
        return SymbolicVerdict("refuted", d.reason, d.rule, value, d.code, expr=self.expr, fix=d.fix)

    def _likely_rule(self, c: _Compiled) -> tuple[Rule, Any] | None:
        if len(c.allow) < 2 or not all(isinstance(p, (str, SymbolicPiece)) or p is None
                                       for p in self.pieces):
            return None
        sample = "".join(p if isinstance(p, str) else "x" for p in self.pieces)
        d = self.policy.check(self.kind, sample)
        return next(((r, rx) for r, rx in c.allow if r.text == d.rule), None) if d.allowed else None

    def _proven(self, c: _Compiled, rule: str | None) -> SymbolicVerdict:
        by = f"grant '{rule}'" if rule else "the grants " + ", ".join(f"'{r.text}'" for r, _ in c.allow)
        denies = " and matches no deny rule" if c.deny else ""
        return SymbolicVerdict("proven", f"every value of {self.kind} of {self.expr} is covered by "
                               f"{by}{denies}", rule or " | ".join(r.text for r, _ in c.allow),
                               expr=self.expr)

    def _refuted(self, found: tuple[str, dict[str, str]]) -> SymbolicVerdict:
        cex, values = found
        d = self.policy.check(self.kind, cex)
        where = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        if d.allowed:  # e.g. an absolute path that happens to lie inside the root
            if self.style == "path":
                why = "is absolute; a path built by a script must be relative to the policy root"
            elif self.style == "host" and d.resource and d.resource != cex.lower():
                why = (f"is another spelling of {d.resource!r}; a proof covers hosts written "
                       "in canonical form only (the run-time check canonicalises first)")
            else:
                why = "is not a valid resource"
            code, rule, fix = "E_PERMISSION", None, _FIX_SHAPE[self.style]
        else:
            prefix = f"{self.kind} of {cex!r} "
            why = d.reason[len(prefix):] if d.reason.startswith(prefix) else d.reason
            code, rule, fix = d.code, d.rule, d.fix
        hint = _symbolic_hint(self.style)
        return SymbolicVerdict(
            "refuted", f"{self.kind} of {self.expr} can be {cex!r} (when {where}), which {why}",
            rule, cex, code, values, self.expr,
            f"{fix}; {hint}" if fix and hint and code == "E_PERMISSION" else (fix or hint))

    def _unknown(self, why: Any) -> SymbolicVerdict:
        return SymbolicVerdict(
            "unknown", f"could not decide whether every value of {self.kind} of {self.expr} is "
            f"allowed (solver: unknown, {why}, rlimit {self.rlimit})", None, None, "E_UNPROVEN",
            expr=self.expr,
            fix="build the resource from literal text and checked parts, or rely on the run-time check")


def _symbolic_hint(style: str) -> str:
    if style == "path":
        return "or build the path from literal directories and a file name that cannot contain '/' or '..'"
    return ""
