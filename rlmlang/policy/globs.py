"""Globs: one parsed scope, one meaning, built for either matcher.

A scope (`data/**/*.csv`, `*.example.com:443`, `notes.*`) is parsed once into
a `Glob`; `build` turns it into a matcher over a back end (backends.py): RE2
text for the run-time check, a Z3 regex for the proof. Because both come from
this one builder, a glob cannot mean one thing at run time and another in the
proof. The shapes of a valid host and state key are built the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

STAR, QMARK, STARSTAR = "*", "?", "**"
WILDLABEL = "*label*"  # a whole `*` label in a host pattern: one or more labels


def glob_tokens(text: str, allow_starstar: bool = False) -> list[str | tuple[str]]:
    """Split a glob component into literals (1-tuples) and wildcard markers."""
    out: list[str | tuple[str]] = []
    i = 0
    while i < len(text):
        if allow_starstar and text.startswith("**", i):
            out.append(STARSTAR)
            i += 2
        elif text[i] == "*":
            out.append(STAR)
            i += 1
        elif text[i] == "?":
            out.append(QMARK)
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in "*?":
                j += 1
            out.append((text[i:j],))
            i = j
    return out


@dataclass(frozen=True)
class Glob:
    """A parsed scope: the style and its structure (see build for meaning)."""

    style: str
    comps: tuple[Any, ...] = ()   # path/key: components ("**" or token tuples)
    everything: bool = False
    port: str | None = None       # host only
    loopback: bool = False        # host deny rules only: names this machine, so it
    #                               matches every spelling of it (hostnames.is_loopback)
    tokens: tuple[Any, ...] = ()  # name only


def _build_tokens(b: Any, toks: Sequence[Any], wild: str) -> Any:
    parts = []
    for t in toks:
        if t == STAR:
            parts.append(b.star(b.cls(wild)))
        elif t == QMARK:
            parts.append(b.cls(wild))
        elif t == STARSTAR:
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


def host_valid(b: Any, ipv6: bool = True) -> Any:
    """The shape of a canonical host resource: NAME, IPV4 or [IPV6], optional :PORT.

    The symbolic check leaves IPv6 out (ipv6=False): its canonical form is not
    a regular shape worth proving, so an unknown piece there is refused."""
    forms = [_host_name(b), _quad(b)]
    if ipv6:
        forms.append(b.cat(b.lit("["), b.plus(b.cls("ipv6char")), b.lit("]")))
    return b.cat(b.alt(*forms), b.opt(b.cat(b.lit(":"), _port(b))))


def key_valid(b: Any) -> Any:
    comp = b.plus(b.cls("keychar"))
    return b.cat(comp, b.star(b.cat(b.lit("."), comp)))


def build(b: Any, g: Glob) -> Any:
    """One glob, one matcher, for either back end (the single source of meaning)."""
    if g.style == "name":
        return _build_tokens(b, g.tokens, "notslash")
    if g.style == "host":
        if g.everything:
            return host_valid(b)
        labels = []
        for c in g.comps:
            labels.append(_host_labels(b) if c == WILDLABEL else _build_tokens(b, c, "labelchar"))
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
        if c == STARSTAR:
            if i == 0:
                parts.append(b.star(b.cat(anycomp, b.sep())))
            else:
                parts.append(b.star(b.cat(b.sep(), anycomp)))
            continue
        if i > 0 and not (i == 1 and g.comps[0] == STARSTAR):
            parts.append(b.sep())
        node = _build_tokens(b, c, wild)
        if any(t in (STAR, QMARK) for t in c):
            node = b.comp(node)
        parts.append(node)
    sep_lit = "/" if g.style == "path" else "."
    parts.append(b.opt(b.cat(b.lit(sep_lit), b.full())))
    return b.cat(*parts)
