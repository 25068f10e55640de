"""The proof summary: what was proven, how, and with which bounds.

A plain JSON-serialisable dict that the log records next to the bytecode
hash and that `rlm audit` can re-derive: one entry per obligation
(termination, cost, permissions, sizes) saying how it was discharged
("by construction", "interval", "z3"), the bounds (fuel, tool calls,
sub-model calls, largest values, memory), each while loop's proven measure,
and each run-time guard inserted in place of a static proof.
"""

from __future__ import annotations

from typing import Any

from rlmlang.verify.sizes import INF, Num


def num(x: Num) -> int | str:
    return "unbounded" if x == INF else int(x)


def build_proof(*, loops: list[dict[str, Any]], measures: list[dict[str, Any]],
                fuel: Num, tools: Num, llm: Num, budgets: dict[str, int],
                memory: Num, max_sizes: dict[str, Any], permission_checks: list[dict[str, Any]],
                guards: list[dict[str, Any]], policy: Any, strict: bool,
                used_z3_cost: bool) -> dict[str, Any]:
    has_while = bool(measures)
    term_by = "z3" if has_while else "by construction"
    perm_by = ("none needed" if not permission_checks else
               "z3" if any(c.get("by") == "z3" for c in permission_checks) else "concrete")
    return {
        "version": 1,
        "obligations": [
            {"name": "termination", "status": "proven", "by": term_by,
             "detail": "for loops iterate finite values; the call graph is acyclic"
             + ("; every while loop has a proven measure" if has_while else "")},
            {"name": "cost", "status": "proven", "by": "z3" if used_z3_cost else "interval",
             "fuel": num(fuel), "tool_calls": num(tools), "llm_calls": num(llm),
             "budgets": dict(budgets)},
            {"name": "permissions",
             "status": "skipped (no policy)" if policy is None else "proven",
             "by": perm_by, "strict": strict, "checks": permission_checks,
             "guards": len(guards)},
            {"name": "sizes", "status": "proven", "by": "interval", "memory_bytes": num(memory),
             "memory_budget": budgets.get("memory")},
        ],
        "bounds": {"fuel": num(fuel), "tool_calls": num(tools), "llm_calls": num(llm),
                   "memory_bytes": num(memory), "max_sizes": max_sizes},
        "loops": loops,
        "measures": measures,
        "guards": guards,
        "policy": policy.to_json() if policy is not None else None,
    }
