"""Run budgets: circuit breakers that stop a run, each with its own message.

The limits themselves are one `rlmlang.limits.Limits`. Its per-script ones
(fuel, tool calls, memory) are enforced by the verifier before a script runs
and by the VM while it runs; the per-run ones metered here (iterations,
tokens, sub-model calls, wall time) are checked by the controller between
steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rlmlang.limits import Limits

# The run's meters (the log's `used` names) and the limit each is held to.
_LIMIT_OF = {"iterations": "iterations_per_run", "tokens": "tokens_per_run",
             "llm_calls": "llm_calls_per_run", "seconds": "seconds_per_run"}


class BudgetExceeded(Exception):
    def __init__(self, name: str, limit: int, used: int | float):
        self.name, self.limit, self.used = name, limit, used
        super().__init__(f"the {name} budget tripped: {used} used of {limit}")


@dataclass
class Meter:
    """What a run has used so far, against its limits."""

    limits: Limits
    used: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, name: str, amount: float = 1) -> None:
        self.used[name] = self.used.get(name, 0) + amount

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def limit(self, name: str) -> int:
        return int(getattr(self.limits, _LIMIT_OF[name]))

    def left(self, name: str) -> float:
        if name == "seconds":
            return self.limit("seconds") - self.elapsed()
        return self.limit(name) - self.used.get(name, 0)

    def check(self, name: str) -> None:
        if self.left(name) < 0 or (name != "seconds" and self.left(name) <= 0
                                   and name in ("iterations",)):
            used = self.elapsed() if name == "seconds" else self.used.get(name, 0)
            raise BudgetExceeded(name, self.limit(name), round(used, 1))

    def snapshot(self) -> dict[str, float]:
        snap = {k: round(v, 3) for k, v in self.used.items()}
        snap["seconds"] = round(self.elapsed(), 3)
        return snap
