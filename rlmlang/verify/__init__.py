"""Verify: prove termination, cost, permissions and sizes before anything runs.

`verify(checked, policy=..., budgets=..., input_sizes=...)` takes a checked
script and the facts of this run (the policy, the run's `Limits`, the actual sizes
of the inputs and state) and returns a `VerifiedProgram` with its proof, or
every diagnostic. The work is one abstract interpretation (`cost.py`: fuel,
call counts and size bounds, interval arithmetic on ints) that calls the Z3
obligations where they are needed: `termination.py` for each `while`,
`permissions.py` for resources that are not plain literals. Solver queries
are bounded by `rlimit`, so the verdict is the same on every machine, and a
solver `unknown` is a rejection (E_UNPROVEN), never an acceptance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rlmlang.check import CheckedScript
from rlmlang.diagnostics import Diagnostic
from rlmlang.limits import Limits, as_limits
from rlmlang.policy import Policy
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.tools.registry import Size, text_shape
from rlmlang.types import INT, Type
from rlmlang.verify import solver
from rlmlang.verify.cost import Analyzer
from rlmlang.verify.loopbody import statements
from rlmlang.verify.permissions import Guard, check_permissions
from rlmlang.verify.proof import build_proof, num
from rlmlang.verify.report import (
    cost_diag,
    out_of_budget_diag,
    size_diag,
    termination_diag,
    unproven_cost_diag,
    unproven_size_diag,
)
from rlmlang.verify.results import RANGE_LIMIT
from rlmlang.verify.sizes import AV, INF, fmt
from rlmlang.verify.symcost import SymCost
from rlmlang.verify.values import from_size, top_of

__all__ = ["Guard", "VerifiedProgram", "VerifyResult", "verify"]


@dataclass(frozen=True)
class VerifiedProgram:
    checked: CheckedScript
    proof: dict[str, Any]
    guards: tuple[Guard, ...]
    fuel_bound: int
    tool_call_bound: int
    llm_call_bound: int


@dataclass
class VerifyResult:
    program: VerifiedProgram | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. which guessed measure was proven

    @property
    def ok(self) -> bool:
        return self.program is not None


def input_av(t: Type, size: Size | None, value: object = None, has_value: bool = False) -> AV:
    """The abstract value of an input: its actual size (and value, for ints)."""
    if has_value and t == INT and isinstance(value, int):
        return AV("int", value, value)
    if has_value and isinstance(value, str):
        # Data, not literal text: no pieces; its lines are known (lines(context) then
        # loops over as many lines as it really has, not len(context) of them).
        return AV("str", size=len(value), shape=text_shape(value), text=value)
    if size is None:
        return top_of(t)
    if t == INT:
        return AV("int")
    return from_size(t, size)


def verify(checked: CheckedScript, *, policy: Policy | None,
           budgets: Limits | Mapping[str, int],
           input_sizes: dict[str, Size], state_sizes: dict[str, Size] | None = None,
           strict: bool = True, input_values: dict[str, object] | None = None,
           file: str | None = None, rlimit: int = solver.RLIMIT,
           budget: solver.Budget | None = None) -> VerifyResult:
    """Prove the four obligations; return the verified program or every diagnostic.

    `budgets` is the run's Limits, resolved once by the caller (the policy file's
    `[budget]` is already in it), or a few budgets by name over the defaults; the
    per-script ones apply. `policy=None` leaves permissions out of this proof (the
    proof says "skipped (no policy)"): for a stdlib module, whose calls are checked
    where a script calls them, and `rlm check` without permission flags. A run never
    does that: it is judged against its policy, `Policy.deny_all()` when none is given.

    `rlimit` caps each Z3 query (termination, path-sensitive cost and sizes) in
    solver steps, so the verdict is the same on every machine. `budget` (default
    `solver.Budget()`) caps the whole verification: solver steps over all queries,
    statements the analysis evaluates, seconds; past it the script is rejected with
    E_UNPROVEN naming what ran out, so checking never hangs.
    """
    b = budget or solver.Budget()
    token = solver.CURRENT.set(b)
    try:
        return _verify(checked, policy=policy, budgets=budgets, input_sizes=input_sizes,
                       state_sizes=state_sizes, strict=strict, input_values=input_values,
                       file=file, rlimit=rlimit)
    except solver.OutOfBudget as e:
        node = getattr(e, "node", None)
        return VerifyResult(None, [out_of_budget_diag(node, e.what, file or _file_of(checked),
                                                       b)])
    finally:
        solver.CURRENT.reset(token)


def _verify(checked: CheckedScript, *, policy: Policy | None,
            budgets: Limits | Mapping[str, int],
            input_sizes: dict[str, Size], state_sizes: dict[str, Size] | None,
            strict: bool, input_values: dict[str, object] | None,
            file: str | None, rlimit: int) -> VerifyResult:
    file = file or _file_of(checked)
    b = as_limits(budgets).script_record()  # per script, by the names diagnostics use
    env = checked.env
    values = input_values or {}
    inputs = {k: input_av(t, input_sizes.get(k), values.get(k), k in values)
              for k, t in env.inputs.items()}
    state_avs = {k: (from_size(t, state_sizes[k]) if state_sizes and k in state_sizes
                     else top_of(t)) for k, t in env.state.items()}
    an = Analyzer(checked, inputs, state_avs, b["memory"], rlimit)
    an.run()

    diags: list[Diagnostic] = []
    notes: list[str] = []
    measures: list[dict[str, Any]] = []
    term_failed = False
    for loop in _whiles(checked.script):
        r = an.term.get(id(loop))
        if r is None:
            continue  # unreachable code
        if r.status != "proven":
            term_failed = True
            diags.append(termination_diag(loop, r, file))
            continue
        m = print_expr(r.measure) if r.measure is not None else "?"
        rec = an.loops.get(id(loop))
        measures.append({"line": loop.span.line, "measure": m, "guessed": r.guessed,
                         "iterations": num(rec.iterations) if rec else "unbounded"})
        if r.guessed:
            notes.append(f"line {loop.span.line}: the while loop ends: guessed measure "
                         f"'{m}' proven (>= 0 while it runs, drops each time round)")

    # Sizes.
    size_failed = False
    failed_spans = [w.span for w in _whiles(checked.script)
                    if id(w) in an.term and an.term[id(w)].status != "proven"]
    sym: SymCost | None = None

    def symbolic() -> SymCost:
        nonlocal sym
        if sym is None:
            sym = SymCost(an, checked.script, inputs, rlimit)
        return sym

    z3_sizes = False
    for p in sorted(an.size_problems.values(), key=lambda p: _line(p.node)):
        if any(s.line <= _line(p.node) <= s.end_line for s in failed_spans):
            continue  # a loop that may not end: its termination error says it all
        if isinstance(p.node, ast.Call) and p.node.func == "range" and not term_failed:
            # Over the limit by intervals: a path condition may still bound the count.
            verdict = symbolic().range_within(p.node, RANGE_LIMIT)
            if verdict == "unsat":
                z3_sizes = True
                notes.append(f"line {_line(p.node)}: {print_expr(p.node)} holds at most "
                             f"{fmt(RANGE_LIMIT)} numbers on every path that reaches it "
                             "(proven with Z3 from the conditions around it)")
                continue
            if verdict == "unknown":
                diags.append(unproven_size_diag(p.node, RANGE_LIMIT, file, rlimit,
                                                symbolic().nonlinear))
                size_failed = True
                continue
        diags.append(size_diag(p.node, p.message, p.fix, p.data, file))
        size_failed = True
    memory = sum(bts for bts, _, _ in an.peak.values())
    # Inputs are the host's memory, not the script's: only what the script builds counts.
    if not size_failed and not term_failed and memory > b["memory"]:
        biggest = max(an.peak.values(), key=lambda x: x[0], default=None)
        if biggest is not None:
            bts, node, name = biggest
            diags.append(size_diag(node, f"the values can take up to {fmt(memory)} bytes, over "
                                   f"the memory budget of {fmt(b['memory'])}; the largest is "
                                   f"'{name}' (up to {fmt(bts)} bytes)",
                                   f"keep '{name}' smaller (take a slice, or keep counts instead "
                                   f"of copies), or raise the budget with --budget memory="
                                   f"{int(memory * 1.1) + 1 if memory != INF else 'N'}",
                                   {"memory": num(memory), "budget": b["memory"], "name": name},
                                   file))
            size_failed = True

    # Cost.
    inputs_text = ", ".join(f"len({k}) = {fmt(v.size)}" if v.kind in ("str", "list", "dict")
                            else f"{k} in [{fmt(v.lo)}, {fmt(v.hi)}]" if v.kind == "int" else k
                            for k, v in inputs.items())
    c = an.cost
    fuel_bound = c.fuel
    used_z3 = False
    if not term_failed and not size_failed:
        for metric, name in (("fuel", "fuel"), ("tools", "tool_calls"), ("llm", "llm_calls")):
            worst = getattr(c, metric)
            if worst <= b[name]:
                continue
            res = None
            if metric == "fuel":
                # Over budget by intervals: ask Z3 whether a path condition rules it out.
                res = symbolic().within(b[name])
                if res.status == "proven":
                    fuel_bound, used_z3 = b[name], True
                    notes.append(f"cost: the interval bound ({fmt(worst)} fuel) is over the "
                                 f"budget {fmt(b[name])}, but Z3 proved that no path, with "
                                 "its conditions, can exceed it")
                    continue
                if res.status == "unknown":
                    diags.append(unproven_cost_diag(an, worst, b[name], res, file,
                                                    checked.script, rlimit))
                    continue
            diags.append(cost_diag(an, metric, worst, b[name], name, inputs_text, file,
                                   checked.script, res))

    # Permissions.
    rep = check_permissions(list(an.sites.values()), policy, strict, c.llm, file)
    diags.extend(rep.diagnostics)

    diags.sort(key=lambda d: (d.line, d.col, d.code))
    if any(d.severity == "error" for d in diags):
        return VerifyResult(None, diags, notes)
    max_sizes = {name: num(bts) for bts, _, name in an.peak.values()}
    loops = [{"line": r.node.span.line, "kind": r.kind, "iterations": num(r.iterations),
              "per_iteration_fuel": num(r.per_iteration.fuel), "fuel": num(r.total.fuel),
              "bound": r.why_bound}
             for r in sorted(an.loops.values(), key=lambda r: r.node.span.line)]
    proof = build_proof(loops=loops, measures=measures, fuel=c.fuel, tools=c.tools, llm=c.llm,
                        budgets=b, memory=memory, max_sizes=max_sizes,
                        permission_checks=rep.checks, guards=[g.to_json() for g in rep.guards],
                        policy=policy, strict=strict, used_z3_cost=used_z3)
    if z3_sizes:
        proof["obligations"][3]["by"] = "z3"
    if used_z3:
        proof["bounds"]["fuel"] = num(fuel_bound)
        proof["obligations"][1]["fuel"] = num(fuel_bound)
        proof["obligations"][1]["interval_fuel"] = num(c.fuel)
    prog = VerifiedProgram(checked, proof, tuple(rep.guards), int(fuel_bound), int(c.tools),
                           int(c.llm))
    return VerifyResult(prog, diags, notes)


def _line(node: Any) -> int:
    span = getattr(node, "span", None)
    return span.line if span else 0


def _whiles(script: ast.Script) -> list[ast.While]:
    out = [s for s in statements(script.body) if isinstance(s, ast.While)]
    return sorted(out, key=lambda w: (w.span.line, w.span.col))


def _file_of(checked: CheckedScript) -> str:
    return getattr(checked, "file", None) or "<script>"
