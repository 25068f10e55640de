"""Run budgets: circuit breakers that stop a run, each with its own message.

Per-script limits (fuel, tool calls, memory) are enforced by the verifier
before a script runs and by the VM while it runs; the run-level ones here
(iterations, candidates, tokens, sub-model calls, depth, wall time) are
checked by the controller between steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rlmlang.cost import DEFAULT_BUDGETS
from rlmlang.diagnostics import Diagnostic, DiagnosticError

RUN_DEFAULTS: dict[str, int] = {
    "iterations": 3,  # generate → verify → run rounds
    "candidates": 4,  # scripts drawn per round (voted on)
    "tokens": 6_000,  # generated tokens, all calls together
    "llm_calls": 20,  # sub-model calls from scripts
    "depth": 2,  # nesting of llm.run
    "seconds": 600,  # wall time
    "script_tokens": 160,  # tokens one script may take
}

ALL_DEFAULTS: dict[str, int] = {**DEFAULT_BUDGETS, **RUN_DEFAULTS}


def parse_budget_flags(flags: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for flag in flags:
        key, eq, value = flag.partition("=")
        key = key.strip()
        if not eq or key not in ALL_DEFAULTS:
            raise DiagnosticError([Diagnostic(
                "E_USAGE", f"bad --budget {flag!r}: the budgets are "
                + ", ".join(sorted(ALL_DEFAULTS)), fix="write --budget name=N, e.g. iterations=5")])
        try:
            n = int(value.replace("_", ""))
        except ValueError:
            raise DiagnosticError([Diagnostic("E_USAGE", f"--budget {key} needs a whole number, "
                                              f"not {value!r}")]) from None
        if n < 0:
            raise DiagnosticError([Diagnostic("E_USAGE", f"--budget {key} cannot be negative")])
        out[key] = n
    return out


class BudgetExceeded(Exception):
    def __init__(self, name: str, limit: int, used: int | float):
        self.name, self.limit, self.used = name, limit, used
        super().__init__(f"the {name} budget tripped: {used} used of {limit}")


@dataclass
class Meter:
    """What a run has used so far, against its limits."""

    limits: dict[str, int]
    used: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, name: str, amount: float = 1) -> None:
        self.used[name] = self.used.get(name, 0) + amount

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self, name: str) -> float:
        if name == "seconds":
            return self.limits["seconds"] - self.elapsed()
        return self.limits[name] - self.used.get(name, 0)

    def check(self, name: str) -> None:
        if self.left(name) < 0 or (name != "seconds" and self.left(name) <= 0
                                   and name in ("iterations",)):
            used = self.elapsed() if name == "seconds" else self.used.get(name, 0)
            raise BudgetExceeded(name, self.limits[name], round(used, 1))

    def snapshot(self) -> dict[str, float]:
        snap = {k: round(v, 3) for k, v in self.used.items()}
        snap["seconds"] = round(self.elapsed(), 3)
        return snap
