"""Z3 helpers: deterministic queries and readable models.

Every query runs under Z3's `rlimit` (a count of solver steps, the same on
every machine), never a wall-clock timeout alone, so a verdict does not
depend on the machine's load: `unknown` means "ran out of steps" and the
caller rejects with E_UNPROVEN. A wall-clock timeout stays as a backstop
against solver bugs only. A query is a list of facts; the answer is
`("sat", model)`, `("unsat", None)` or `("unknown", reason)`. Identical
queries are cached (the controller re-verifies similar scripts often).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import z3

RLIMIT = 2_000_000  # solver steps per query; typical loop queries use < 5% of it
TIMEOUT_MS = 5_000  # backstop only

# What one verification may spend in all (bench/micro_verify.py measures it): solver steps
# over all its queries, statements the analysis evaluates (loops are evaluated again at
# sample sizes, nests multiply that), and seconds, a backstop for the machine's speed.
TOTAL_RLIMIT = 3 * RLIMIT
MAX_STEPS = 30_000
MAX_SECONDS = 10.0


class OutOfBudget(Exception):  # noqa: N818 (a verdict: E_UNPROVEN, naming what ran out)
    """The verification spent its budget; `what` says which one, in words."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class Budget:
    """The budget of one verification: solver steps, analysis steps, seconds."""

    solver_steps: int = TOTAL_RLIMIT
    steps: int = MAX_STEPS
    seconds: float = MAX_SECONDS
    start: float = field(default_factory=time.monotonic)
    spent_solver: int = 0
    spent_steps: int = 0

    def step(self) -> None:
        """One statement evaluated; OutOfBudget past the step or time budget."""
        self.spent_steps += 1
        if self.spent_steps > self.steps:
            raise OutOfBudget(f"the analysis evaluated {self.steps:,} statements (its step "
                              "budget)")
        if self.spent_steps % 512 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.start > self.seconds:
            raise OutOfBudget(f"verification took more than {self.seconds:g} s (its time "
                              "budget)")

    def solver_left(self) -> int:
        return self.solver_steps - self.spent_solver


CURRENT: ContextVar[Budget | None] = ContextVar("verify_budget", default=None)

_cache: dict[str, tuple[str, dict[str, int] | None]] = {}


def solve(facts: list[z3.BoolRef], rlimit: int = RLIMIT,
          names: list[z3.ArithRef] | None = None) -> tuple[str, dict[str, int] | str | None]:
    """Check the conjunction of facts; for sat, the values of `names` (all ints if None).

    Inside a verification (`CURRENT` set) each query also draws from its total solver
    budget: a query that would overdraw it runs with what is left, and with nothing left
    the answer is unknown, saying so.
    """
    budget = CURRENT.get()
    if budget is not None:
        budget.check_time()
        rlimit = min(rlimit, budget.solver_left())
        if rlimit <= 0:
            return ("unknown", f"the verifier's solver budget of {budget.solver_steps:,} "
                    "steps over all queries is spent")
    key = None
    if len(facts) < 200:
        key = f"{rlimit}|" + "|".join(f.sexpr() for f in facts)
        hit = _cache.get(key)
        if hit is not None:
            return hit
    # The plain SMT core first (no tactic preprocessing: 2-4x faster on these small
    # queries); the full solver only when the core gives up. Both run under the rlimit.
    s = z3.SimpleSolver()
    s.set("rlimit", rlimit)
    s.set("timeout", TIMEOUT_MS)
    s.add(*facts)
    r = s.check()
    _spend(budget, s)
    if r == z3.unknown and (budget is None or budget.solver_left() > 0):
        s = z3.Solver()
        s.set("rlimit", rlimit if budget is None else min(rlimit, budget.solver_left()))
        s.set("timeout", TIMEOUT_MS)
        s.add(*facts)
        r = s.check()
        _spend(budget, s)
    out: tuple[str, Any]
    if r == z3.sat:
        m = s.model()
        vals: dict[str, int] = {}
        for d in m.decls():
            v = m[d]
            if z3.is_int_value(v):
                vals[d.name()] = v.as_long()
            elif z3.is_true(v) or z3.is_false(v):
                vals[d.name()] = int(z3.is_true(v))
        out = ("sat", vals)
    elif r == z3.unsat:
        out = ("unsat", None)
    else:
        out = ("unknown", s.reason_unknown())
    if key is not None:
        if len(_cache) > 4096:
            _cache.clear()
        _cache[key] = out
    return out


_COUNT = [0]  # Z3's resource counter as last read: it counts for the whole context


def _spend(budget: Budget | None, s: Any) -> None:
    """Charge a query's solver steps (Z3's own count, the same on every machine): the
    context's counter now, less what it was after the previous query."""
    try:
        now = int(s.statistics().get_key_value("rlimit count"))
    except (z3.Z3Exception, KeyError, ValueError):
        return
    used = now - _COUNT[0] if now >= _COUNT[0] else now
    _COUNT[0] = now
    if budget is not None:
        budget.spent_solver += used


def model_values(facts: list[z3.BoolRef], terms: dict[Any, Any],
                 rlimit: int = RLIMIT) -> dict[Any, int]:
    """One model of the facts, read on the given int terms (for counterexamples)."""
    for make in (z3.SimpleSolver, z3.Solver):
        s = make()
        s.set("rlimit", rlimit)
        s.set("timeout", TIMEOUT_MS)
        s.add(*facts)
        if s.check() == z3.sat:
            m = s.model()
            out: dict[Any, int] = {}
            for key, t in terms.items():
                v = m.eval(t, model_completion=True)
                if z3.is_int_value(v):
                    out[key] = v.as_long()
            return out
    return {}
