"""Rules: `KIND`, `KIND:SCOPE` or `KIND:key=N`, parsed once into a `Rule`.

Parsing checks everything a rule can get wrong and says which rule and what
form was expected (E_USAGE, never a traceback): unknown kinds (with the
nearest known one), scopes of the wrong shape, caps no tool enforces, '..'
or paths outside the root. A rule's `text` is its canonical spelling, which
logs and messages show, and its RE2 matcher is compiled here, once.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.hostnames import canonical_name, canonical_port, is_loopback
from rlmlang.policy.backends import RE2Backend, re2_matcher
from rlmlang.policy.globs import STARSTAR, WILDLABEL, Glob, build, glob_tokens
from rlmlang.policy.kinds import CAP_KEYS, KIND_RE, RESERVED, STYLES, kind_style

EXPECTED_FORM = {
    "path": "{k}:GLOB with the glob relative to the policy root, e.g. {k}:data/** or {k}:out/*.md",
    "host": "{k}:HOST or {k}:HOST:PORT, e.g. net:api.example.com, net:*.example.com, net:127.0.0.1:8080",
    "key": "{k}:KEY_PATTERN, e.g. {k}:notes.* or {k}:notes.**",
    "name": "{k}:SCOPE (a name or glob) or {k}:KEY=N",
    "none": "{k} alone, or a cap {k}:KEY=N, e.g. llm:calls=20",
}
GENERIC_FORM = ("KIND, KIND:SCOPE or KIND:KEY=N, e.g. fs.read:data/**, net:api.example.com, "
                "llm:calls=20, state.write:notes.*")

_CAP_RE = re.compile(r"([a-z_][a-z0-9_]*)=(.*)")
_HOST_LABEL_RE = re.compile(r"[a-z0-9_*-]+")


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


@dataclass(frozen=True)
class Rule:
    """One parsed rule. `text` is its canonical spelling (what logs and messages show)."""

    text: str
    kind: str
    style: str
    glob: Glob | None = None          # None: the whole kind (no scope given)
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
    if not KIND_RE.fullmatch(kind):
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
        rx = re2_matcher(build(RE2Backend(style), glob))
        rule = Rule(rule.text, kind, style, glob=glob, regex=rx)
    return rule


def _parse_scope(style: str, scope: str, root: str,
                 bad: Callable[[str], PolicyError]) -> tuple[Glob, str]:
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
    toks = glob_tokens(scope, allow_starstar=True)
    return Glob("name", tokens=tuple(toks), everything=scope in ("*", "**")), scope


def _components(style: str, raw: list[str], bad: Callable[[str], PolicyError],
                sep: str) -> tuple[Glob, str]:
    comps: list[Any] = []
    for c in raw:
        if c == "**":
            if comps and comps[-1] == STARSTAR:
                continue
            comps.append(STARSTAR)
        elif "**" in c:
            raise bad(f"'**' must be a whole part of the pattern (like data/**/x.txt); use '*' "
                      f"inside a name, not {c!r}")
        else:
            comps.append(tuple(glob_tokens(c)))
    canon = sep.join(c if c == STARSTAR else "".join(t if isinstance(t, str) else t[0] for t in c)
                     for c in comps) or "**"
    while comps and comps[-1] == STARSTAR:  # `data/**` covers data and all below it
        comps.pop()
    return Glob(style, comps=tuple(comps), everything=not comps), canon


def _parse_host(scope: str, bad: Callable[[str], PolicyError]) -> tuple[Glob, str]:
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
            return Glob("host", everything=True), "*"
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
            comps_l.append(WILDLABEL if lab == "*" else tuple(glob_tokens(lab)))
        comps = tuple(comps_l)
    if port is not None:
        port, problem = canonical_port(port)
        if port is None:
            raise bad(str(problem))
    text = name + (f":{port}" if port is not None else "")
    return Glob("host", comps=comps, port=port, loopback=literal and is_loopback(name)), text
