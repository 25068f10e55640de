"""The symbolic check: is every value of a partly unknown resource allowed?

The verifier knows a resource only as a concatenation of literal and unknown
pieces. Every rule of the kind becomes a Z3 regex (globs.build over the Z3
back end) and Z3 is asked for values of the unknown pieces that escape: that
are malformed, hit a deny rule, or miss every grant. Solver work is bounded
by Z3's deterministic `rlimit`, so a verdict is the same on every machine;
`unknown` is reported as such and callers treat it as a rejection.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from rlmlang.policy.backends import Z3Backend, re_sort, z3_class, zdecode, zlit, znot, zstr
from rlmlang.policy.decisions import Decision, Piece, SymbolicPiece, SymbolicVerdict
from rlmlang.policy.globs import build, host_valid, key_valid
from rlmlang.policy.kinds import kind_style
from rlmlang.policy.normal import FIX_SHAPE
from rlmlang.policy.rules import Rule

# Solver budget per query, in Z3's deterministic resource units. Typical
# policy queries use 1,000 to 10,000 of them (see docs/policy.md).
DEFAULT_RLIMIT = 1_000_000
# Wall-clock backstop only; the rlimit is what makes verdicts reproducible.
TIMEOUT_MS = 10_000
# Z3's main context is not thread-safe; symbolic checks take turns.
Z3_LOCK = threading.RLock()


@dataclass
class Compiled:
    """Z3 regexes of one kind in one policy (built once, on first use)."""

    bad: Any
    allow: list[tuple[Rule, Any]]
    deny: list[tuple[Rule, Any]]
    allow_union: Any
    deny_union: Any


def compile_kind(kind: str, allow: Sequence[Rule], deny: Sequence[Rule]) -> Compiled:
    """The Z3 regexes of one kind's grants and deny rules, and of what is refused anyway."""
    style = kind_style(kind)
    b = Z3Backend(style)
    grants = [(r, b.full() if r.glob is None else build(b, r.glob))
              for r in allow if r.kind == kind and r.grants]
    denies = [(r, b.full() if r.glob is None else build(b, r.glob))
              for r in deny if r.kind == kind]
    empty = z3.Empty(re_sort())
    return Compiled(_bad_shape(style), grants, denies,
                    z3.Union(*[x for _, x in grants]) if len(grants) > 1 else
                    (grants[0][1] if grants else empty),
                    z3.Union(*[x for _, x in denies]) if len(denies) > 1 else
                    (denies[0][1] if denies else empty))


_BAD_CACHE: dict[str, Any] = {}


def _bad_shape(style: str) -> Any:
    """Resources refused whatever the grants: for paths '..', absolute, NUL."""
    if style not in _BAD_CACHE:
        b = Z3Backend(style)
        full = b.full()
        if style == "path":
            dotdot = z3.Concat(z3.Option(z3.Concat(full, zlit("/"))), zlit(".."),
                               z3.Option(z3.Concat(zlit("/"), full)))
            bad = z3.Union(dotdot, z3.Concat(zlit("/"), full), z3.Concat(full, zlit("\x00"), full))
        elif style == "host":
            bad = z3.Complement(host_valid(b, ipv6=False))
        elif style == "key":
            bad = z3.Complement(key_valid(b))
        else:
            bad = z3.Complement(z3.Plus(z3_class("notnul")))
        _BAD_CACHE[style] = bad
    return _BAD_CACHE[style]


def _piece_regex(style: str, kind: str) -> Any:
    if kind == "segment":
        if style == "path":
            return z3.Intersect(z3.Plus(znot("/\x00")),
                                z3.Complement(z3.Union(zlit("."), zlit(".."))))
        if style == "host":
            return z3.Plus(z3_class("labelchar"))
        if style == "key":
            return z3.Plus(z3_class("keychar"))
        return z3.Plus(znot("/\x00"))
    if kind == "no_dotdot":
        full = z3.Full(re_sort())
        return z3.Complement(z3.Concat(full, zlit(".."), full))
    if kind == "relpath":
        if style != "path":
            raise ValueError("SymbolicPiece(kind='relpath') is for path kinds only")
        seg = _piece_regex("path", "segment")
        return z3.Concat(seg, z3.Star(z3.Concat(zlit("/"), seg)))
    raise KeyError(kind)


@functools.cache
def _printable() -> z3.ReRef:
    return z3.Star(z3.Range(zstr(" "), zstr("~")))


class SymbolicCheck:
    """One check_symbolic call: build the string, ask Z3, explain the answer.

    `check` is the policy's concrete check (which explains a counterexample);
    `compiled` gives the kind's regexes, built only when a piece is unknown.
    """

    def __init__(self, check: Callable[[str, str | None], Decision],
                 compiled: Callable[[], Compiled], kind: str, pieces: list[Piece],
                 constraints: Any, rlimit: int):
        self.check, self.compiled, self.kind, self.rlimit = check, compiled, kind, rlimit
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
                parts.append(zstr(p))
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
        self.s = parts[0] if len(parts) == 1 else (z3.Concat(*parts) if parts else zstr(""))
        self.expr = " + ".join(shown) or '""'
        if callable(constraints):
            self.facts += list(constraints([v for _, v in self.vars]))
        elif constraints is not None:
            self.facts += list(constraints)

    def run(self) -> SymbolicVerdict:
        if not self.vars or self.style == "none":
            return self._concrete()
        c = self.compiled()
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
        if cex.isprintable() and self.check(self.kind, cex).resource is None:
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
                return zdecode(m.eval(term.translate(ctx), model_completion=True))

            return "sat", (value(self.s), {name: value(v) for name, v in self.vars})
        if r == z3.unsat:
            return "unsat", None
        return "unknown", s.reason_unknown()

    def _concrete(self) -> SymbolicVerdict:
        if self.vars:  # a scopeless kind: the pieces do not matter
            value = None
        else:
            value = "".join(p for p in self.pieces if isinstance(p, str))
        d = self.check(self.kind, value if self.style != "none" else None)
        if d.allowed:
            return SymbolicVerdict("proven", d.reason, d.rule, expr=self.expr)
        return SymbolicVerdict("refuted", d.reason, d.rule, value, d.code, expr=self.expr, fix=d.fix)

    def _likely_rule(self, c: Compiled) -> tuple[Rule, Any] | None:
        if len(c.allow) < 2 or not all(isinstance(p, (str, SymbolicPiece)) or p is None
                                       for p in self.pieces):
            return None
        sample = "".join(p if isinstance(p, str) else "x" for p in self.pieces)
        d = self.check(self.kind, sample)
        return next(((r, rx) for r, rx in c.allow if r.text == d.rule), None) if d.allowed else None

    def _proven(self, c: Compiled, rule: str | None) -> SymbolicVerdict:
        by = f"grant '{rule}'" if rule else "the grants " + ", ".join(f"'{r.text}'" for r, _ in c.allow)
        denies = " and matches no deny rule" if c.deny else ""
        return SymbolicVerdict("proven", f"every value of {self.kind} of {self.expr} is covered by "
                               f"{by}{denies}", rule or " | ".join(r.text for r, _ in c.allow),
                               expr=self.expr)

    def _refuted(self, found: tuple[str, dict[str, str]]) -> SymbolicVerdict:
        cex, values = found
        d = self.check(self.kind, cex)
        where = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        if d.allowed:  # e.g. an absolute path that happens to lie inside the root
            if self.style == "path":
                why = "is absolute; a path built by a script must be relative to the policy root"
            elif self.style == "host" and d.resource and d.resource != cex.lower():
                why = (f"is another spelling of {d.resource!r}; a proof covers hosts written "
                       "in canonical form only (the run-time check canonicalises first)")
            else:
                why = "is not a valid resource"
            code, rule, fix = "E_PERMISSION", None, FIX_SHAPE[self.style]
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
