"""Re-verification: judge every logged script again, as the controller judged it.

Each distinct script of the log goes through `pipeline.execute_script` up to
the verifier (parse, type-check, verify) with the setup rebuilt from the log
(`recorded.py`):
under the policy and budgets recorded in run_start, and — when the auditor
passes today's policy — under that one too. What matters is the difference:

- a script the log says was accepted and that is now rejected under the
  *recorded* policy means the log and the checker disagree (the verifier
  changed, or the log was forged with a self-consistent chain);
- under *today's* policy, the scripts that would now be rejected are the ones
  a stricter host would have stopped, each with the diagnostic it would get.

The state a script is judged against is the one it ran against: the version
committed before its round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlmlang.audit.recorded import RecordedRun
from rlmlang.audit.runview import Candidate
from rlmlang.diagnostics import Diagnostic
from rlmlang.limits import Limits


@dataclass
class Reverdict:
    candidate: Candidate
    now_stage: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fuel_bound: int | None = None
    skipped: str | None = None

    @property
    def now_accepted(self) -> bool:
        return self.skipped is None and self.now_stage == "accepted"

    @property
    def now_rejected(self) -> bool:
        """Accepted in the log, rejected now."""
        return self.skipped is None and self.candidate.accepted and not self.now_accepted

    @property
    def newly_accepted(self) -> bool:
        return self.skipped is None and not self.candidate.accepted and self.now_accepted and \
            self.candidate.stage in ("parse", "check", "verify")

    def to_json(self) -> dict[str, Any]:
        c = self.candidate
        return {"iteration": c.iteration, "candidate": c.number, "line": c.line,
                "script_sha256": c.script_sha256, "recorded_accepted": c.accepted,
                "recorded_stage": c.stage, "now_stage": self.now_stage,
                "now_accepted": self.now_accepted, "fuel_bound": self.fuel_bound,
                "skipped": self.skipped,
                "diagnostics": [d.to_json() for d in self.diagnostics]}


@dataclass
class Reverification:
    label: str  # "the recorded policy" | "today's policy (FILE)"
    policy: dict[str, Any] | None
    results: list[Reverdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocked: str | None = None

    @property
    def now_rejected(self) -> list[Reverdict]:
        return [r for r in self.results if r.now_rejected]

    @property
    def newly_accepted(self) -> list[Reverdict]:
        return [r for r in self.results if r.newly_accepted]

    @property
    def skipped(self) -> list[Reverdict]:
        return [r for r in self.results if r.skipped]

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "policy": self.policy, "blocked": self.blocked,
                "notes": list(self.notes), "scripts": len(self.results),
                "now_rejected": [r.to_json() for r in self.now_rejected],
                "newly_accepted": [r.to_json() for r in self.newly_accepted],
                "results": [r.to_json() for r in self.results]}


def reverify(rec: RecordedRun, policy: Any = ..., label: str = "the recorded policy") -> Reverification:
    """Judge every distinct logged script again; `policy` defaults to the recorded one."""
    from rlmlang.pipeline import execute_script  # lazy: keeps Z3 and lark out of start-up

    use_policy = rec.policy if policy is ... else policy
    # The recorded budgets, then today's policy's [budget] (its caps apply too), by name.
    budgets = Limits.resolve(rec.budgets, getattr(policy, "budgets", None) if policy is not ...
                             else None)
    out = Reverification(label, use_policy.to_json() if use_policy is not None else None)
    if rec.blocked:
        out.blocked = rec.blocked
        return out
    if rec.placeholders:
        out.notes.append("judged with stand-in inputs of the recorded sizes for "
                         + ", ".join(rec.placeholders) + " (the state store is missing)")
    memo: dict[tuple[str, int], Reverdict] = {}
    version = int(rec.view.start.data.get("state_version") or 0) if rec.view.start else 0
    for it in rec.view.iterations:
        for c in it.candidates:
            if c.verdict is None:
                continue  # a repeat of an earlier candidate: the same verdict
            r = Reverdict(c)
            if c.generation is None:
                r.skipped = f"line {c.verdict.line}: the verdict has no generation event " \
                    "(the script text is not in the log)"
                out.results.append(r)
                continue
            if not rec.schema_known and "state." in c.script:
                r.skipped = ("it uses state.*, and the state schema is not known without the "
                             "state store (run_start does not record it)")
                out.results.append(r)
                continue
            key = (c.script_sha256, version)
            if key in memo:
                prev = memo[key]
                r.now_stage, r.diagnostics, r.fuel_bound = (prev.now_stage, prev.diagnostics,
                                                            prev.fuel_bound)
                out.results.append(r)
                continue
            setup = rec.setup(rec.cached_state(version), use_policy, budgets)
            judged = execute_script(c.script, setup, until="verify")
            if not judged.verified:
                r.now_stage = judged.stage
                r.diagnostics = list(judged.diagnostics)
            else:
                r.now_stage = "accepted"
                r.fuel_bound = judged.fuel_bound
            memo[key] = r
            out.results.append(r)
        for ev in it.commits:
            v = ev.data.get("version")
            if isinstance(v, int):
                version = v
    return out
