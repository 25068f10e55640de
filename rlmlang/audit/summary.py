"""What a run did, in numbers a person can check at a glance.

The summary is computed from the events alone (no store, no re-execution), so
it is available for any readable log, even a damaged one: the task, the
model, how many scripts were written, accepted and rejected (by the stage
that stopped them), the tool and sub-model calls by tool, the permissions
those calls used, the budgets and how much of each was used, and the answer.
The budget series (cumulative use after each script) feeds the report's chart.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rlmlang.audit.runview import RunView
from rlmlang.tools.context import permission_resource

SUB_MODEL_TOOLS = ("llm.predict", "llm.run")


def _model(start: dict[str, Any]) -> dict[str, Any]:
    m = start.get("model") or {}
    if not isinstance(m, dict):
        return {"name": str(m)}
    keep = ("name", "general_name", "backend", "sha256", "path", "context_size", "n_threads",
            "llama_cpp_python")
    return {k: m[k] for k in keep if k in m}


def permission_of(registry: Any, call: dict[str, Any]) -> str | None:
    """`kind:resource` (or `kind`) of the grant a logged call needed, per today's registry."""
    if registry is None:
        return None
    try:
        spec = registry.get(call.get("tool"))
    except (KeyError, LookupError, TypeError):
        return None
    if spec is None or spec.permission is None:
        return None
    resource = permission_resource(spec, call.get("args") or [], call.get("kwargs") or {})
    return f"{spec.permission.kind}:{resource}" if resource else spec.permission.kind


def _permission_checks(proof: Any) -> list[dict[str, Any]]:
    """The verifier's permission checks recorded in a proof (which rule allowed what)."""
    if not isinstance(proof, dict):
        return []
    out = []
    for o in proof.get("obligations") or []:
        if isinstance(o, dict) and o.get("name") == "permissions":
            out.extend(c for c in o.get("checks") or [] if isinstance(c, dict))
    return out


def summarize(view: RunView, registry: Any = None) -> dict[str, Any]:
    start = view.start.data if view.start else {}
    end = view.end.data if view.end else {}
    cands = view.candidates()
    judged = [c for c in cands if c.verdict is not None]
    rejected = Counter(c.stage for c in judged if not c.accepted)
    statuses = Counter(str(c.output.data.get("status")) for c in judged if c.output)
    tools: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    perms: Counter[str] = Counter()
    for c in cands:
        for ev in c.tool_calls:
            name = str(ev.data.get("tool"))
            tools[name] += 1
            if "error" in ev.data:
                errors[name] += 1
            p = permission_of(registry, ev.data)
            if p:
                perms[p] += 1
    grants: Counter[str] = Counter()
    for c in judged:
        if c.output is not None:
            for key in c.output.data.get("writes") or {}:
                perms[f"state.write:{key}"] += 1
        for check in _permission_checks(c.verdict.data.get("proof") if c.verdict else None):
            if check.get("allowed") and check.get("rule"):
                grants[str(check["rule"])] += 1
    budgets = view.budgets
    used = dict(end.get("used") or {})
    used.setdefault("tool_calls", sum(tools.values()))
    used.setdefault("llm_calls", sum(n for t, n in tools.items() if t in SUB_MODEL_TOOLS))
    fuel = [int(c.output.data.get("fuel") or 0) for c in judged if c.output]
    used.setdefault("fuel_max_script", max(fuel, default=0))
    submit = next((it.submit for it in reversed(view.iterations) if it.submit), None)
    commits = [ev for it in view.iterations for ev in it.commits]
    return {
        "task": start.get("task"), "signature": start.get("signature"),
        "rlmlang": start.get("rlmlang"), "model": _model(start), "seed": start.get("seed"),
        "grammar": start.get("grammar"), "depth": start.get("depth"),
        "inputs": start.get("inputs") or {},
        "status": end.get("status", "unfinished" if view.end is None else None),
        "reason": end.get("reason"), "answer": end.get("answer"),
        "submitted": submit.data.get("value") if submit else None,
        "votes": submit.data.get("votes") if submit else None,
        "iterations": len(view.iterations),
        "scripts": {"written": len(cands), "distinct": len(judged),
                    "fixits": sum(1 for c in cands if c.generation is not None
                                  and c.generation.data.get("stop_reason") == "fixit"),
                    "repeats": sum(1 for c in cands if c.duplicate_of is not None),
                    "accepted": sum(1 for c in judged if c.accepted),
                    "rejected": sum(rejected.values()),
                    "rejected_by_stage": dict(sorted(rejected.items())),
                    "run_status": dict(sorted(statuses.items()))},
        "tool_calls": dict(sorted(tools.items())),
        "tool_errors": dict(sorted(errors.items())),
        "sub_model_calls": {t: tools[t] for t in SUB_MODEL_TOOLS if tools.get(t)},
        "permissions_used": dict(sorted(perms.items())),
        "grants_proven": dict(sorted(grants.items())),
        "policy": start.get("policy"),
        "budgets": budgets, "used": used,
        "state_commits": [{"line": ev.line, "version": ev.data.get("version"),
                           "keys": sorted((ev.data.get("diff") or {}).keys())}
                          for ev in commits],
        "errors": [{"line": ev.line, **ev.data} for ev in view.errors],
        "events": len(view.events),
    }


def budget_series(view: RunView) -> dict[str, list[tuple[int, float]]]:
    """Cumulative use after each logged script, per budget: {name: [(line, used)]}."""
    series: dict[str, list[tuple[int, float]]] = {
        "tokens": [], "tool_calls": [], "llm_calls": [], "seconds": [], "iterations": []}
    tokens = seconds = 0.0
    calls = llm = 0
    for it in view.iterations:
        for c in it.candidates:
            g = c.generation.data if c.generation else {}
            tokens += float(g.get("tokens") or 0)
            seconds += float(g.get("seconds") or 0)
            for ev in c.tool_calls:
                calls += 1
                llm += ev.data.get("tool") in SUB_MODEL_TOOLS
            x = c.line
            series["tokens"].append((x, tokens))
            series["seconds"].append((x, seconds))
            series["tool_calls"].append((x, calls))
            series["llm_calls"].append((x, llm))
            series["iterations"].append((x, it.number))
    return series
