"""Resolve and typecheck: the stage between the parser and the verifier.

`check(script, env)` returns every error at once (never raises on a bad
script) and, when there are none, a `CheckedScript`: the tree, the
environment it was checked against, the type of every expression by node
id, and `ScriptInfo` (defs, call graph, how names and calls resolved) for
the verifier and the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rlmlang.check.alias import check_aliases
from rlmlang.check.columns import NO_TABLES, Tables
from rlmlang.check.decoded import NOTHING, Decoded
from rlmlang.check.leftover import loop_leftovers
from rlmlang.check.lower import lower, needs_lowering
from rlmlang.check.rebind import def_locals, in_own_words, rebind, rebind_sites
from rlmlang.check.resolve import MAIN, DefInfo, resolve_structure
from rlmlang.check.sentinel import as_none, placeholder_names
from rlmlang.check.typecheck import Checker, ScriptInfo, fits, show
from rlmlang.check.widen import widen, widened_names
from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.tools.registry import Registry
from rlmlang.types import Type

__all__ = ["MAIN", "CheckResult", "CheckedScript", "DefInfo", "Env", "ScriptInfo", "check",
           "fits", "show"]


@dataclass
class Env:
    """What a script may see: its inputs, the state schema, the output type, the tools."""

    inputs: dict[str, Type]
    state: dict[str, Type]
    output: Type | None  # the type submit must have (None: converted after the run)
    registry: Registry
    answer: Type | None = None  # the task's output type, where output is None
    decoded: Decoded = NOTHING  # what json_decode gives for the JSON inputs (decoded.py)
    tables: Tables = NO_TABLES  # the table inputs' rows and numeric columns (columns.py)


@dataclass(frozen=True)
class CheckedScript:
    script: ast.Script
    env: Env
    types: dict[int, Type]  # id(expression node) -> its type
    locals: ScriptInfo  # resolution facts for the verifier and the compiler
    # fresh name -> the name the script wrote (rebind.py): later stages' diagnostics say
    # what the model wrote, not `gates_2`
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def info(self) -> ScriptInfo:
        return self.locals

    def type_of(self, e: ast.Expr) -> Type | None:
        return self.types.get(id(e))


@dataclass
class CheckResult:
    checked: CheckedScript | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.checked is not None


def _check_once(script: ast.Script, env: Env, file: str) -> tuple[Checker, list[Diagnostic]]:
    preset: dict[tuple[str, str], Type] = {}
    for _ in range(4):  # a name started with None takes `T | None` from a later T (narrow.py)
        structure, diags = resolve_structure(script, env.registry, env.inputs, file)
        checker = Checker(structure, env.inputs, env.state, env.output, env.registry, file,
                          answer=env.answer, decoded=env.decoded,
                          tables=env.tables)
        checker.preset = preset
        checker.run(script)
        found = {k: t for k, t in checker.promoted.items() if preset.get(k) != t}
        if not found:
            break
        preset = {**preset, **found}
    diags = diags + checker.diags
    diags.sort(key=lambda d: (d.line, d.col))
    return checker, diags


def _errors(diags: list[Diagnostic]) -> int:
    return sum(1 for d in diags if d.severity == "error")


def check(script: ast.Script, env: Env, file: str = "<script>") -> CheckResult:
    """Resolve names and structure, infer and check types; collect every error.

    The script the model wrote is checked as written; its Python forms are
    then lowered to the core language (lower.py), which is checked again and
    is what the verifier and the compiler get (`CheckedScript.script`), and
    lists and dicts changed in place are checked to have one name (alias.py).
    """
    checker, diags = _check_once(script, env, file)
    diags = sorted(diags + loop_leftovers(script, file), key=lambda d: (d.line, d.col))
    renamed: dict[str, str] = {}
    if any(d.message.endswith("': it is a def") for d in diags):  # a def's local (rebind.py)
        own, original = def_locals(script, set(env.inputs) | set(env.registry.names()))
        if own is not script:
            own_checker, own_diags = _check_once(own, env, file)
            own_diags = in_own_words(own_diags, original)
            if _errors(own_diags) < _errors(diags):
                script, checker, diags = own, own_checker, own_diags
                renamed.update(original)
    widen_names = widened_names(diags)
    if widen_names:  # `total = 0` ... `total = total + price`: total is a float (widen.py)
        wide = widen(script, widen_names)
        wide_checker, wide_diags = _check_once(wide, env, file)
        if _errors(wide_diags) < _errors(diags):
            script, checker, diags = wide, wide_checker, wide_diags
    sites = rebind_sites(diags)
    if sites:  # `employees = records(employees)` at the top level: a new name (rebind.py)
        fresh, original = rebind(script, sites, set(env.inputs) | set(env.registry.names()))
        if fresh is not script:
            re_checker, re_diags = _check_once(fresh, env, file)
            re_diags = in_own_words(re_diags, original)
            # no more errors: the rest are the script's own, said past the rebinding
            if _errors(re_diags) <= _errors(diags):
                script, checker, diags = fresh, re_checker, re_diags
                renamed.update(original)
    placeholders = placeholder_names(diags)
    if placeholders:  # `found = 0` ... `found = line` in a loop: found starts as None
        started = as_none(script, placeholders)
        none_checker, none_diags = _check_once(started, env, file)
        if _errors(none_diags) < _errors(diags):
            script, checker, diags = started, none_checker, none_diags
    if any(d.severity == "error" for d in diags):
        return CheckResult(None, diags)
    if checker.info.plans or checker.info.truthy or checker.info.decoded \
            or checker.info.unassigned or checker.info.dead or needs_lowering(script):
        core = lower(script, checker.types, checker.info, env.inputs)
        checker, again = _check_once(core, env, file)
        errors = [d for d in again if d.severity == "error"]
        if errors:  # lowering's own mistake: say so, with what the checker found
            return CheckResult(None, [Diagnostic(
                "E_TYPE", "this script uses a Python form the language cannot yet lower "
                f"correctly: {errors[0].message}", errors[0].span, file,
                "write it with plain loops and function calls", data={"internal": True})])
        script = core
    diags = diags + check_aliases(script, checker.types, file)
    if any(d.severity == "error" for d in diags):
        return CheckResult(None, diags)
    return CheckResult(CheckedScript(script, env, checker.types, checker.info, renamed), diags)
