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

from typing import Any

import z3

RLIMIT = 2_000_000  # solver steps per query; typical loop queries use < 5% of it
TIMEOUT_MS = 5_000  # backstop only

_cache: dict[str, tuple[str, dict[str, int] | None]] = {}


def solve(facts: list[z3.BoolRef], rlimit: int = RLIMIT,
          names: list[z3.ArithRef] | None = None) -> tuple[str, dict[str, int] | str | None]:
    """Check the conjunction of facts; for sat, the values of `names` (all ints if None)."""
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
    if r == z3.unknown:
        s = z3.Solver()
        s.set("rlimit", rlimit)
        s.set("timeout", TIMEOUT_MS)
        s.add(*facts)
        r = s.check()
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
