"""What a permission question gets back: a `Decision` (concrete) or a
`SymbolicVerdict` (proven, refuted or unknown), each able to become the
diagnostic the verifier and the tools report; and `SymbolicPiece`, what the
verifier knows about an unknown part of a resource it asks about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from rlmlang.diagnostics import Diagnostic


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
