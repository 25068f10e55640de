"""The metered virtual machine: the dispatch loop (machine.py) and its fast tier (fast.py).

`run` picks the tier. The fast tier translates the program to Python and runs
it against the dispatch loop's machine (its meters, tools and state); a
program it cannot translate runs in the loop, the reference both are tested
against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlmlang.compiler.bytecode import Bytecode
from rlmlang.limits import Limits, as_limits
from rlmlang.tools.context import ToolContext
from rlmlang.vm import fast
from rlmlang.vm.machine import RunResult, _Machine

__all__ = ["TIERS", "RunResult", "run"]

TIERS = ("fast", "interp")


def run(bytecode: Bytecode, *, registry: Any, inputs: dict[str, Any] | None = None,
        ctx: ToolContext | None = None, budgets: Limits | Mapping[str, int] | None = None,
        fuel_bound: int | None = None, tier: str = "fast") -> RunResult:
    """Run validated bytecode to the end; never raises for anything the script does.

    `tier="fast"` (the default) runs the program translated to Python
    (rlmlang.vm.fast), or in the dispatch loop when it cannot be translated;
    `tier="interp"` always runs the dispatch loop (machine.py), the reference
    the fast tier is tested against. Both give the same RunResult (elapsed_s aside).
    `budgets` is the run's Limits (its per-script fields apply), or a few budgets by
    name over the defaults (`{"fuel": 5000}`).
    """
    if tier not in TIERS:
        raise ValueError(f"unknown VM tier {tier!r} (one of: {', '.join(TIERS)})")
    m = _Machine(bytecode, registry, dict(inputs or {}), ctx or ToolContext(),
                 as_limits(budgets), fuel_bound)
    if tier == "fast":
        r = fast.run(m)
        if r is not None:
            return r
    return m.run()
