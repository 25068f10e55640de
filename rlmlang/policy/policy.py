"""The `Policy` object: a root, allow rules, deny rules, budgets and a solver limit.

It answers the two questions the rest of rlmlang asks, concretely
(`check`, at run time: a matching deny rule wins, else an allow rule, else
no) and symbolically (`check_symbolic`, for the verifier); it is built from
rule strings, a policy file (loader.py) or the log's JSON, and merged with
another. Immutable once built.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import z3

from rlmlang.diagnostics import Diagnostic
from rlmlang.policy.decisions import Decision, Piece, SymbolicVerdict
from rlmlang.policy.kinds import kind_style
from rlmlang.policy.loader import read_policy_file
from rlmlang.policy.normal import FIX_SHAPE, normalise, suggest
from rlmlang.policy.rules import PolicyError, Rule, parse_rule
from rlmlang.policy.symbolic import DEFAULT_RLIMIT, Z3_LOCK, Compiled, SymbolicCheck, compile_kind


class Policy:
    """A set of grants under a root directory; immutable once built."""

    def __init__(self, root: str | Path, allow: Sequence[Rule], deny: Sequence[Rule],
                 budgets: dict[str, int] | None = None, rlimit: int = DEFAULT_RLIMIT):
        self.root = Path(os.path.abspath(root))
        self.allow: tuple[Rule, ...] = tuple(_dedupe(allow))
        self.deny: tuple[Rule, ...] = tuple(_dedupe(deny))
        self.budgets: dict[str, int] = dict(budgets or {})
        self.rlimit = rlimit
        self._z3: dict[str, Compiled] = {}

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
        f = read_policy_file(Path(path))
        return cls.from_rules(f.allow, f.deny, f.root, budgets=f.budgets, rlimit=f.rlimit,
                              source=f.source)

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
                                None, FIX_SHAPE[style])
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
               f"'{suggest(kind, normal)}' (--allow {suggest(kind, normal)})")
        return Decision(False, "E_PERMISSION", None,
                        f"{shown} is not covered by any grant ({have})", kind, normal, fix)

    # ---- symbolic

    def _compiled(self, kind: str) -> Compiled:
        c = self._z3.get(kind)
        if c is None:
            c = self._z3[kind] = compile_kind(kind, self.allow, self.deny)
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
        with Z3_LOCK:
            return SymbolicCheck(self.check, lambda: self._compiled(kind), kind, list(pieces),
                                 constraints, rlimit or self.rlimit).run()


def _dedupe(rules: Sequence[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for r in rules:
        if r.text not in seen:
            seen.add(r.text)
            out.append(r)
    return out
