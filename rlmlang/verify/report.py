"""Diagnostics of the verifier, written for a model that will repair the script.

Each names the obligation in plain words, gives the numbers (budget, worst
case, factor, the dominant loop), a counterexample, and one concrete fix.
"""

from __future__ import annotations

from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.verify.cost import Analyzer
from rlmlang.verify.records import LoopRecord
from rlmlang.verify.sizes import INF, Num, fmt
from rlmlang.verify.solver import RLIMIT
from rlmlang.verify.symcost import SymResult
from rlmlang.verify.termination import LoopResult


def factor(worst: Num, budget: int) -> str:
    if worst == INF:
        return "an unbounded factor"
    f = worst / max(budget, 1)
    if f > 100:
        return "more than 100x"
    if f < 1.5:
        return f"factor {f:.3f}x"
    return f"factor {f:.1f}x"


def termination_diag(node: ast.While, r: LoopResult, file: str) -> Diagnostic:
    data: dict[str, Any] = {"obligation": "termination", "tried": r.tried}
    notes: list[str] = []
    if r.counterexample:
        data["counterexample"] = r.counterexample
        b = r.counterexample.get("before", {})
        a = r.counterexample.get("after")
        text = "before: " + (", ".join(f"{k} = {v}" for k, v in b.items()) or "any values")
        if a is not None:
            text += "; after one time round: " + (", ".join(f"{k} = {v}" for k, v in a.items())
                                                  or "unchanged")
        notes.append("counterexample: " + text)
    if r.tried and node.decreases is None:
        notes.append("measures tried: " + ", ".join(r.tried))
    if r.status == "unknown":
        if r.nonlinear:
            notes.append("nonlinear terms: " + ", ".join(r.nonlinear[:3]))
        return Diagnostic("E_UNPROVEN", f"could not prove this while loop ends: {r.message}",
                          node.span, file, r.fix or None, tuple(notes),
                          {**data, "failed": r.failed,
                           "nonlinear": r.nonlinear})
    if node.decreases is not None:
        m = node.decreases
        what = ("is not bounded below by 0" if r.failed == "bounded" else
                "might not decrease" if r.failed == "decrease" else "cannot be checked")
        return Diagnostic("E_DECREASES", f"decreases measure '{print_expr(m)}' {what}: "
                          f"{r.message}", m.span if m.span.line else node.span, file,
                          r.fix or None, tuple(notes), {**data, "failed": r.failed})
    return Diagnostic("E_TERMINATION", r.message, node.span, file, r.fix or None, tuple(notes),
                      data)


def dominant_chain(an: Analyzer, metric: str) -> list[LoopRecord]:
    """The loop with the largest total, then its dearest inner loop, and so on."""
    recs = list(an.loops.values())
    if not recs:
        return []
    chain: list[LoopRecord] = []
    tops = [r for r in recs if r.parent is None] or recs
    cur = max(tops, key=lambda r: getattr(r.total, metric))
    while cur is not None:
        chain.append(cur)
        kids = [r for r in recs if r.parent == id(cur.node)]
        cur = max(kids, key=lambda r: getattr(r.total, metric)) if kids else None
        if cur is not None and getattr(cur.total, metric) == 0:
            break
    return chain


def cost_diag(an: Analyzer, metric: str, worst: Num, budget: int, budget_name: str,
              inputs_text: str, file: str, script: ast.Script,
              sym: SymResult | None = None) -> Diagnostic:
    chain = dominant_chain(an, metric)
    unit = {"fuel": "fuel", "tools": "tool calls", "llm": "sub-model calls"}[metric]
    span = chain[0].node.span if chain else (script.body[0].span if script.body else None)
    terms = []
    for r in chain:
        word = "for" if r.kind == "for" else "while"
        terms.append(f"{word} at line {r.node.span.line} ({r.iter_text}: "
                     f"≤ {fmt(r.iterations)} iterations)")
    if chain and chain[-1].amortized:
        inner = chain[-1]
        dom = " × ".join(terms[:-1] + [f"{terms[-1]}: {fmt(getattr(inner.total, metric))} "
                                       f"{unit} in all (amortized: the pieces add up to at "
                                       "most the size of what was split)"])
    elif chain:
        inner = chain[-1]
        dom = " × ".join(terms) + f" × {fmt(getattr(inner.per_iteration, metric))} {unit} " \
            "per iteration"
    else:
        dom = "straight-line code"
    msg = (f"worst-case {unit} {fmt(worst)} exceeds the budget {fmt(budget)} by "
           f"{factor(worst, budget)}")
    if worst == INF and sym is not None and sym.status == "refuted" and sym.worst is not None:
        msg = (f"worst-case {unit} exceeds the budget {fmt(budget)}: the interval bound is "
               f"unbounded, and Z3 found inputs (path conditions included) that take "
               f"{fmt(sym.worst)}")
    notes = [f"dominant term: {dom}"]
    unbounded = [r for r in chain if r.iterations == INF]
    if unbounded:
        notes.append(f"the loop at line {unbounded[0].node.span.line} has no bound on its "
                     f"iterations ({unbounded[0].why_bound})")
    if sym is not None and sym.status == "refuted" and sym.counterexample:
        vals = ", ".join(f"{k} = {v:,}" for k, v in sorted(sym.counterexample.items()))
        took = f", which takes {sym.worst:,} {unit}" if sym.worst is not None else ""
        notes.append(f"counterexample (z3, path conditions included): {vals}{took}")
    elif inputs_text:
        notes.append(f"counterexample: {inputs_text}")
    fix = _cost_fix(chain, metric, worst, budget_name)
    data = {"obligation": "cost", "metric": budget_name, "budget": budget,
            "worst_case": int(worst) if worst != INF else "unbounded",
            "factor": (round(worst / max(budget, 1), 3) if worst != INF else "unbounded"),
            "counterexample": dict(sym.counterexample) if sym is not None else {},
            "dominant": [{"line": r.node.span.line, "kind": r.kind, "iterations":
                          int(r.iterations) if r.iterations != INF else "unbounded",
                          "per_iteration": _int(getattr(r.per_iteration, metric)),
                          "total": _int(getattr(r.total, metric)), "amortized": r.amortized}
                         for r in chain]}
    return Diagnostic("E_COST", msg, span, file, fix, tuple(notes), data)


def unproven_cost_diag(an: Analyzer, worst: Num, budget: int, sym: SymResult, file: str,
                       script: ast.Script, rlimit: int = RLIMIT) -> Diagnostic:
    """Intervals say over budget, and Z3 could neither prove nor refute it in its steps."""
    chain = dominant_chain(an, "fuel")
    span = chain[0].node.span if chain else (script.body[0].span if script.body else None)
    notes = [f"the interval bound is {fmt(worst)} fuel; whether a path condition keeps it "
             f"within {fmt(budget)} was left open by the solver ({sym.reason}, rlimit "
             f"{rlimit:,} steps)"]
    if sym.nonlinear:
        notes.append("nonlinear terms: " + "; ".join(sym.nonlinear[:3]))
    fix = ("bound each loop on its own with a simple guard (e.g. `if n <= 1000:` before "
           "`for i in range(n)` and `if m <= 1000:` before `for j in range(m)`), so no product "
           "of unknowns has to be reasoned about; or split the loop")
    return Diagnostic("E_UNPROVEN", f"could not prove the cost stays within the budget "
                      f"{fmt(budget)}: the solver gave up (unknown) within its step limit",
                      span, file, fix, tuple(notes),
                      {"obligation": "cost", "budget": budget,
                       "worst_case": int(worst) if worst != INF else "unbounded",
                       "solver": sym.reason, "rlimit": rlimit, "nonlinear": sym.nonlinear})


def unproven_size_diag(node: Any, limit: int, file: str, rlimit: int = RLIMIT,
                       nonlinear: list[str] | None = None) -> Diagnostic:
    notes = [f"the interval bound is over the limit; whether the conditions around it keep "
             f"it within was left open by the solver (rlimit {rlimit:,} steps)"]
    if nonlinear:
        notes.append("nonlinear terms: " + "; ".join(nonlinear[:3]))
    return Diagnostic("E_UNPROVEN", f"could not prove that {print_expr(node)} holds at most "
                      f"{fmt(limit)} numbers: the solver gave up (unknown) within its step "
                      "limit", getattr(node, "span", None), file,
                      "check the count with a simple guard first (e.g. `if n <= 1000:`), not "
                      "a product of unknowns", tuple(notes),
                      {"obligation": "sizes", "limit": limit, "rlimit": rlimit,
                       "nonlinear": list(nonlinear or [])})


def _int(x: Num) -> int | str:
    return "unbounded" if x == INF else int(x)


def _cost_fix(chain: list[LoopRecord], metric: str, worst: Num, budget_name: str) -> str:
    raise_it = (f"raise the budget with --budget {budget_name}={int(worst * 1.1) + 1}"
                if worst != INF else "")
    if metric == "llm":
        base = "call llm.predict once on the joined or filtered text instead of once per item"
    elif metric == "tools":
        base = "call the tool once outside the loop, or on fewer items"
    elif chain and any("lines(" in r.iter_text for r in chain):
        r = next(r for r in chain if "lines(" in r.iter_text)
        src = r.iter_text[r.iter_text.index("lines(") + 6:].rstrip(")")
        base = (f"process chunks({src}, 4000) instead of every line, or find the lines you need "
                f"with find_line/contains first")
    elif len(chain) > 1 and isinstance(chain[-1].node, ast.For) and \
            isinstance(chain[-2].node, ast.For) and not chain[-1].node.unpack:
        # A join written as a loop in a loop: a dict made once does the inner loop's work.
        # (A slice such as xs[:100] would fit the budget by dropping data, and change the
        # answer with it.)
        v, items = chain[-1].node.var, chain[-1].iter_text
        base = (f"look the items of {items} up by key instead of looping over them for "
                f"every {chain[-2].node.var}: build a dict once, before the outer loop "
                f"(e.g. `by_key = {{{v}[\"key\"]: {v} for {v} in {items}}}`, then "
                f"`by_key.get(...)` in the loop), or pick the outer items you need first "
                "with a filter")
    elif len(chain) > 1:
        base = "move work out of the inner loop, or filter the items before looping over them"
    elif not chain:
        base = "make fewer passes over the big inputs (a call that reads a whole input costs its size)"
    elif chain[0].iterations == INF:
        base = "bound the loop: iterate a list, or range(n) with n checked by an if first"
    else:
        base = "filter the items before looping over them, or do less work per item"
    return f"{base}; or {raise_it}" if raise_it else base


def size_diag(node: Any, message: str, fix: str, data: dict[str, Any], file: str) -> Diagnostic:
    span = getattr(node, "span", None)
    return Diagnostic("E_SIZE", message, span, file, fix, (), {"obligation": "sizes", **data})


def out_of_budget_diag(node: Any, what: str, file: str, budget: Any) -> Diagnostic:
    """The verification spent its budget (steps, solver steps or seconds): E_UNPROVEN."""
    span = getattr(node, "span", None)
    where = f"while bounding the statement at line {span.line}" if span else ""
    return Diagnostic(
        "E_UNPROVEN", f"could not finish verifying the script: {what} {where}".rstrip(),
        span, file,
        "nest fewer loops over pieces of text inside each other (split the work into "
        "separate loops, or loop over chunks(context, 4000)), and keep while loops few and "
        "their conditions simple",
        (f"spent: {budget.spent_steps:,} of {budget.steps:,} statement evaluations, "
         f"{budget.spent_solver:,} of {budget.solver_steps:,} solver steps",),
        {"obligation": "budget", "ran_out": what, "steps": budget.spent_steps,
         "solver_steps": budget.spent_solver})
