"""Permissions: every effect is covered by a grant and by no deny rule.

The abstract interpreter records each call of a tool that declares a
permission, with its resource argument as *pieces*: literal text and
unknown parts, through `+` and through names assigned from literals. A
resource made of literals only is checked concretely (`Policy.check`); one
with unknown parts is checked symbolically (`Policy.check_symbolic`, Z3
string theory over the policy's globs), which either proves every value is
allowed or returns a counterexample such as `data/../secret.txt`.

Where a resource is not known statically the policy's strictness decides:
strict rejects (E_PERMISSION, E_DENIED, or E_UNPROVEN when the solver ran
out of steps); non-strict accepts and records a run-time guard, which the
VM enforces at the call and the proof lists. Sub-model calls are also
counted against an `llm:calls=N` cap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.policy import Policy, SymbolicPiece
from rlmlang.verify.records import CallSite
from rlmlang.verify.sizes import INF, Num, Unknown, fmt


@dataclass(frozen=True)
class Guard:
    """A run-time permission check the VM performs before a call."""

    line: int
    col: int
    tool: str
    kind: str
    resource: str  # the argument as written
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "col": self.col, "tool": self.tool, "kind": self.kind,
                "resource": self.resource, "reason": self.reason}


@dataclass
class PermissionReport:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    guards: list[Guard] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)


def _show(pieces: tuple[Any, ...]) -> str:
    return " + ".join(json.dumps(p) if isinstance(p, str) else p.name for p in pieces) or '""'


def check_permissions(sites: list[CallSite], policy: Policy | None, strict: bool,
                      llm_bound: Num, file: str) -> PermissionReport:
    rep = PermissionReport()
    if policy is None:
        return rep
    for site in sorted(sites, key=lambda s: (s.node.span.line, s.node.span.col)):
        spec, node = site.spec, site.node
        perm = spec.permission
        if perm is None:
            continue
        if perm.resource_param is None:
            d = policy.check(perm.kind)
            rep.checks.append({"line": node.span.line, "tool": spec.name, "kind": perm.kind,
                               "by": "concrete", "allowed": d.allowed, "rule": d.rule})
            if not d.allowed:
                rep.diagnostics.append(d.to_diagnostic(node.span, file))
            continue
        for pieces in sorted(site.pieces, key=lambda p: _show(p or ())):
            pieces = pieces or (Unknown("?"),)
            mapper = spec.extra.get("resource_pieces")  # e.g. http.get: URL -> host:port
            if callable(mapper):
                pieces = tuple(mapper(tuple(pieces)))
            text = _show(pieces)
            if all(isinstance(p, str) for p in pieces):
                resource = "".join(pieces)  # type: ignore[arg-type]
                d = policy.check(perm.kind, resource)
                rep.checks.append({"line": node.span.line, "tool": spec.name,
                                   "kind": perm.kind, "resource": resource, "by": "concrete",
                                   "allowed": d.allowed, "rule": d.rule})
                if not d.allowed:
                    diag = d.to_diagnostic(node.span, file)
                    rep.diagnostics.append(_with(diag, counterexample=resource))
                continue
            sym = [p if isinstance(p, str) else SymbolicPiece("any", name=p.name)
                   for p in pieces]
            v = policy.check_symbolic(perm.kind, sym)
            rep.checks.append({"line": node.span.line, "tool": spec.name, "kind": perm.kind,
                               "resource": text, "by": "z3", "status": v.status,
                               "rule": v.rule, "counterexample": v.counterexample})
            if v.proven:
                continue
            if not strict:
                rep.guards.append(Guard(node.span.line, node.span.col, spec.name, perm.kind,
                                        text, v.reason))
                continue
            diag = v.to_diagnostic(node.span, file)
            rep.diagnostics.append(_with(diag, resource=text))
    cap = policy.cap("llm", "calls")
    if cap is not None and llm_bound > cap:
        llm_sites = [s for s in sites if s.spec.name.startswith("llm.")]
        span = llm_sites[0].node.span if llm_sites else None
        in_loop = any(s.in_loop for s in llm_sites)
        rep.diagnostics.append(Diagnostic(
            "E_PERMISSION", f"the script can make up to {fmt(llm_bound)} sub-model calls, but "
            f"the grant llm:calls={cap} allows {cap}", span, file,
            ("call llm.predict once on the joined text instead of once per item"
             if in_loop else "make fewer llm calls") + f", or ask the host for llm:calls="
            f"{int(llm_bound) if llm_bound != INF else 'N'}",
            data={"cap": cap, "worst_case": int(llm_bound) if llm_bound != INF else "unbounded"}))
    return rep


def _with(d: Diagnostic, **extra: Any) -> Diagnostic:
    data = dict(d.data)
    for k, v in extra.items():
        data.setdefault(k, v)
    return Diagnostic(d.code, d.message, d.span, d.file, d.fix, d.notes, data, d.severity)
