"""The audit and replay results as plain text for a terminal.

Findings first (what is wrong, by line), then the summary: an auditor reads
the top of the output, so the verdict and every problem come before the
numbers. Problems use the diagnostics' own `file:line: error CODE: message`
form, so editors can jump to the line.
"""

from __future__ import annotations

import json
from typing import Any

from rlmlang.audit.core import AuditReport
from rlmlang.audit.integrity import Integrity
from rlmlang.audit.replay import ReplayResult
from rlmlang.audit.reverify import Reverification


def _short(v: Any, n: int = 120) -> str:
    t = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    t = t.replace("\n", "\\n")
    return t if len(t) <= n else t[:n] + "…"


def integrity_lines(integ: Integrity) -> list[str]:
    out: list[str] = []
    if integ.intact:
        sig = "signed, HMAC verified" if integ.signed and integ.key_given else (
            "signed, HMAC not checked (no key)" if integ.signed else "not signed")
        out.append(f"integrity: intact — {integ.lines} lines, hash chain verified, {sig}")
        if integ.last_hash:
            out.append(f"  last line's hash: {integ.last_hash} (keep it elsewhere to detect "
                       "a rewritten tail)")
    else:
        n = len(integ.problems) + len(integ.store_problems)
        out.append(f"integrity: NOT INTACT — {n} problem(s)")
        for d in integ.problems + integ.store_problems:
            out.append("  " + d.render().replace("\n", "\n  "))
        if integ.fatal:
            out.append("  (the file cannot be read as a run log: nothing more to check)")
    for note in integ.notes:
        out.append(f"  note: {note}")
    return out


def reverify_lines(rv: Reverification, source: dict[int, str] | None = None) -> list[str]:
    out = [f"re-verification under {rv.label}: "]
    if rv.blocked:
        out[0] += "NOT POSSIBLE"
        out.append(f"  {rv.blocked}")
        return out
    bad, new = rv.now_rejected, rv.newly_accepted
    n = len(rv.results) - len(rv.skipped)
    if not bad:
        out[0] += f"{n} script(s) judged; every accepted script is still accepted"
    else:
        out[0] += f"{len(bad)} of {n} script(s) the log accepted would now be REJECTED"
    for r in bad:
        c = r.candidate
        out.append(f"  line {c.line}: {c.label} (sha256 {c.script_sha256[:12]}…), rejected "
                   f"at the {r.now_stage} stage:")
        for d in r.diagnostics:
            shown = d.with_file(c.label) if d.file == "<script>" else d
            out.append("    " + shown.render(c.script).replace("\n", "\n    "))
    for r in rv.skipped:
        c = r.candidate
        out.append(f"  line {c.line}: {c.label} could not be judged: {r.skipped}")
    for r in new:
        c = r.candidate
        out.append(f"  line {c.line}: {c.label} was rejected in the log ({c.stage}) but would "
                   "now be accepted")
    for note in rv.notes:
        out.append(f"  note: {note}")
    return out


def summary_lines(s: dict[str, Any]) -> list[str]:
    if not s:
        return []
    m = s.get("model") or {}
    sc = s["scripts"]
    out = ["summary:",
           f"  task:        {_short(s.get('task'))}",
           f"  signature:   {s.get('signature')}",
           f"  model:       {m.get('name', '?')}" + (f" (sha256 {str(m['sha256'])[:12]}…)"
                                                      if m.get("sha256") else ""),
           f"  outcome:     {s.get('status')}" + (f" — {s['reason']}" if s.get("reason") else ""),
           f"  answer:      {_short(json.dumps(s.get('answer'), ensure_ascii=False))}",
           f"  iterations:  {s['iterations']}",
           f"  scripts:     {sc['written']} written"
           + (f" ({sc['fixits']} by a tool's fix-it)" if sc.get("fixits") else "")
           + f", {sc['distinct']} distinct, "
           f"{sc['accepted']} accepted, {sc['rejected']} rejected"
           + (" (" + ", ".join(f"{k}: {v}" for k, v in sc["rejected_by_stage"].items()) + ")"
              if sc["rejected_by_stage"] else "")]
    if sc["run_status"]:
        out.append("  runs:        " + ", ".join(f"{k}: {v}" for k, v in sc["run_status"].items()))
    tools = s["tool_calls"]
    out.append("  tool calls:  " + (", ".join(f"{k} ×{v}" for k, v in tools.items()) or "none"))
    sub = s["sub_model_calls"]
    out.append("  sub-model:   " + (", ".join(f"{k} ×{v}" for k, v in sub.items()) or "none"))
    perms = s["permissions_used"]
    out.append("  permissions: " + (", ".join(f"{k} ×{v}" for k, v in perms.items()) or "none used"))
    grants = s.get("grants_proven") or {}
    if grants:
        out.append("  grants:      " + ", ".join(f"{k} ×{v}" for k, v in grants.items())
                   + " (the policy rules the verifier's permission proofs used)")
    pol = s.get("policy") or {}
    if pol:
        out.append(f"  policy:      allow {pol.get('allow') or []}, deny {pol.get('deny') or []}, "
                   f"root {pol.get('root')}")
    budgets, used = s.get("budgets") or {}, s.get("used") or {}
    parts = []
    for k in ("iterations", "tokens", "tool_calls", "llm_calls", "seconds"):
        if k in used:
            lim = budgets.get(k)
            val = used[k]
            val = round(val, 1) if isinstance(val, float) else val
            parts.append(f"{k} {val}" + (f"/{lim}" if lim is not None else ""))
    out.append("  budgets:     " + ", ".join(parts))
    for c in s.get("state_commits") or []:
        out.append(f"  state:       version {c['version']} (line {c['line']}) changed "
                   + ", ".join(c["keys"]))
    for e in s.get("errors") or []:
        out.append(f"  error:       line {e['line']}: {_short(e)}")
    return out


def replay_lines(r: ReplayResult) -> list[str]:
    if r.blocked:
        return [f"replay: NOT POSSIBLE — {r.blocked_code}: {r.blocked}"]
    if r.divergence is not None:
        return ["replay: DIVERGED — first divergence:",
                "  " + r.divergence.render().replace("\n", "\n  ")]
    return [f"replay: identical — {r.scripts} accepted script(s) re-executed from their "
            f"recorded bytecode, {r.tool_calls} recorded call(s) fed back, {r.commits} state "
            f"commit(s) reproduced ({r.events} events in {r.seconds:.3f} s)"]


def format_audit(report: AuditReport) -> str:
    lines = [f"audit of {report.path}"]
    lines += integrity_lines(report.integrity)
    for note in report.notes:
        lines.append(f"note: {note}")
    for rv in (report.recorded, report.today):
        if rv is not None:
            lines += reverify_lines(rv)
    if report.replay is not None:
        lines += replay_lines(report.replay)
    lines += summary_lines(report.summary)
    lines.append("result: " + ("OK" if report.ok else "PROBLEMS FOUND (see above)"))
    return "\n".join(lines)
