"""The stdlib: functions written in RLM script, in `stdlib/*.rlm`.

A stdlib module is a file of top-level `def`s with typed parameters and a
declared result, each followed by a `# doc` comment line. Loading parses it,
and when the checker and verifier are present, type-checks and verifies it
like any script, so a stdlib function is held to the same rules as the
model's code (acyclic calls, bounded loops, only builtin tools).

How a script calls one: each function is registered as a ToolSpec without
a Python implementation, carrying its parsed `def` in `extra["def"]`.
Before a script is checked, `expand(script, registry)` prepends the defs the
script uses (and the defs those use), and returns a registry without the
stdlib names, so the checker, verifier and compiler see ordinary defs: the
cost bound of a stdlib call is derived by the verifier from its body at the
call site, never declared by hand. `ToolSpec.cost` of a stdlib function
therefore refuses to be used.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from dataclasses import fields, is_dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.resources import STDLIB_DIR
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.tools.registry import Param, Registry, Size, ToolSpec
from rlmlang.types import UNKNOWN


class StdlibError(Exception):
    """A stdlib module that does not parse, check or verify: a bug in the stdlib."""

    def __init__(self, module: str, diagnostics: list[Diagnostic]):
        self.module = module
        self.diagnostics = diagnostics
        first = diagnostics[0].render() if diagnostics else "(no detail)"
        super().__init__(f"stdlib module {module!r} is invalid: {first}")


def _expand_only(sizes: list[Size]) -> int:
    raise NotImplementedError("a stdlib function's cost is derived by the verifier: "
                              "expand its def into the script (rlmlang.tools.stdlib.expand)")


def _expand_size(sizes: list[Size]) -> Size:
    raise NotImplementedError("a stdlib function's result size is derived by the verifier: "
                              "expand its def into the script (rlmlang.tools.stdlib.expand)")


def _docs(source: str) -> dict[str, str]:
    """The `# ...` comment lines right after each `def NAME(` line, by name."""
    out: dict[str, str] = {}
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("def ") and "(" in line:
            name = line[4:line.index("(")].strip()
            doc = []
            for nxt in lines[i + 1:]:
                s = nxt.strip()
                if not s.startswith("#"):
                    break
                doc.append(s.lstrip("#").strip())
            out[name] = " ".join(doc)
    return out


def module_specs(path: Path, core: Registry | None = None) -> list[ToolSpec]:
    """The specs of one stdlib file; raises StdlibError if it does not parse or check."""
    module = path.stem
    source = path.read_text(encoding="utf-8")
    result = parse(source, str(path))
    if result.script is None or any(d.severity == "error" for d in result.diagnostics):
        raise StdlibError(module, list(result.diagnostics))
    docs = _docs(source)
    specs = []
    for stmt in result.script.body:
        if not isinstance(stmt, ast.Def):
            raise StdlibError(module, [Diagnostic(
                "E_SYNTAX", "a stdlib module may only contain defs", stmt.span, str(path))])
        if stmt.returns is None:
            raise StdlibError(module, [Diagnostic(
                "E_TYPE", f"stdlib function '{stmt.name}' must declare its result type",
                stmt.span, str(path), "add -> TYPE after the parameters")])
        doc = docs.get(stmt.name, "")
        specs.append(ToolSpec(
            name=stmt.name, params=tuple(Param(p.name, p.type) for p in stmt.params),
            result=stmt.returns or UNKNOWN, cost=_expand_only, result_size=_expand_size,
            doc=doc.split("example:", 1)[0].strip(), origin=f"stdlib:{module}", impl=None,
            example=_example_for(stmt), extra={"def": stmt, "module": module,
                                               "file": str(path)}))
    if core is not None:
        _check_module(module, result.script, core, specs, str(path))
    return specs


def _example_for(d: ast.Def) -> str:
    args = ", ".join(_sample_arg(p) for p in d.params)
    return f"print({d.name}({args}))"


def _sample_arg(p: ast.Param) -> str:
    from rlmlang.types import format_type

    t = format_type(p.type)
    return {"str": "context" if p.name == "text" else f'"{p.name}"', "int": "3",
            "float": "2.5", "list[str]": '["a", "b", "a"]',
            "list[float]": "[1.0, 2.0, 4.5]"}.get(t, p.name)


SAMPLE = Size(1_000, 100)  # the input size each def is verified at when loaded


def _check_module(module: str, script: ast.Script, core: Registry, specs: list[ToolSpec],
                  file: str) -> None:
    """Type-check and verify a module like a script, each def called once from a main.

    The verifier analyses what a script runs, so the main calls every def
    with inputs of its parameter types (at size SAMPLE): each def must then
    check, terminate and fit the default budgets like any script.
    """
    try:
        from rlmlang.check import Env, check
        from rlmlang.verify import verify
    except ImportError:
        return
    from rlmlang.types import format_type

    source = Path(file).read_text(encoding="utf-8").rstrip("\n") + "\n"
    inputs: dict[str, Any] = {}
    for d in (s for s in script.body if isinstance(s, ast.Def)):
        args = []
        for p in d.params:
            name = f"in_{d.name}_{p.name}"
            inputs[name] = p.type
            args.append(name)
        source += f"out_{d.name} = {d.name}({', '.join(args)})  # {format_type(d.returns)}\n"
    result = parse(source, file)
    if result.script is None:
        raise StdlibError(module, list(result.diagnostics))
    reg = Registry([s for s in core.specs() if s.name not in {x.name for x in specs}])
    checked = check(result.script, Env(inputs=inputs, state={}, output=None, registry=reg), file)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if checked.checked is None or errors:
        raise StdlibError(module, errors or list(checked.diagnostics))
    verified = verify(checked.checked, policy=None, budgets={},
                      input_sizes={k: SAMPLE for k in inputs}, state_sizes={}, file=file)
    errors = [d for d in verified.diagnostics if d.severity == "error"]
    if verified.program is None or errors:
        raise StdlibError(module, errors or list(verified.diagnostics))


def stdlib_specs(core: Registry | None = None, directory: Path | None = None,
                 strict: bool = False) -> list[ToolSpec]:
    """Every stdlib function; a broken module is skipped with a warning unless strict."""
    return list(_load(directory or STDLIB_DIR, core if core is not None else _core(), strict))


def _core() -> Registry:
    from rlmlang.tools import core_specs

    return Registry(core_specs())


@lru_cache(maxsize=8)
def _cached(directory: Path, strict: bool, stamp: tuple[tuple[str, float], ...],
            core_names: tuple[str, ...]) -> tuple[ToolSpec, ...]:
    core = Registry([s for s in _core().specs() if s.name in core_names]) if core_names else None
    out: list[ToolSpec] = []
    for path in sorted(directory.glob("*.rlm")):
        try:
            out.extend(module_specs(path, core))
        except StdlibError as e:
            if strict:
                raise
            warnings.warn(str(e), stacklevel=3)
        except Exception as e:  # noqa: BLE001 - a checker or verifier bug must not stop runs
            if strict:
                raise
            warnings.warn(f"stdlib module {path.stem!r} could not be verified and is skipped: "
                          f"{type(e).__name__}: {e}", stacklevel=3)
    return tuple(out)


def _load(directory: Path, core: Registry, strict: bool) -> tuple[ToolSpec, ...]:
    if not directory.is_dir():
        return ()
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(directory.glob("*.rlm")))
    return _cached(directory, strict, stamp, tuple(core.names()))


# ------------------------------------------------------------------ expansion


def _called(stmts: tuple[ast.Stmt, ...]) -> list[str]:
    """Names called anywhere under these statements."""
    out: list[str] = []
    stack: list[object] = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call):
            out.append(n.func)
        if isinstance(n, (ast.Stmt, ast.Expr, ast.Keyword)):
            stack.extend(vars(n).values())
        elif isinstance(n, tuple):
            stack.extend(n)
    return out


def is_stdlib(spec: ToolSpec) -> bool:
    return "def" in spec.extra and spec.origin.startswith("stdlib:")


def _rebuild(node: Any, fn: Any) -> Any:
    """A copy of an AST (frozen dataclasses and tuples) with `fn` applied bottom-up."""
    if isinstance(node, tuple):
        return tuple(_rebuild(x, fn) for x in node)
    if is_dataclass(node) and isinstance(node, (ast.Stmt, ast.Expr, ast.Keyword, ast.Param)):
        changes = {f.name: _rebuild(getattr(node, f.name), fn) for f in fields(node)
                   if f.name != "span"}
        return fn(replace(node, **changes))
    return node


def _locals(d: ast.Def) -> set[str]:
    names = {p.name for p in d.params}
    stack: list[ast.Stmt] = list(d.body)
    while stack:
        st = stack.pop()
        if isinstance(st, (ast.Assign, ast.AugAssign)) and isinstance(st.target, ast.Name):
            names.add(st.target.id)
        elif isinstance(st, ast.For):
            names.add(st.var)
        stack.extend(x for b in ast.child_blocks(st) for x in b)
    return names


def private_def(d: ast.Def, taken: Collection[str]) -> tuple[ast.Def, dict[str, str]]:
    """The def with its parameters and locals that clash with `taken` renamed, and the renaming.

    A prepended def lives in the script's namespace, where a parameter named
    like one of the task's inputs (`text`, `context`) would be refused as
    hiding it. Only clashing names change (to `NAME_DEF`), so messages about
    a stdlib call keep the parameter names the signature shows.
    """
    ren = {n: f"{n}_{d.name}" for n in sorted(_locals(d)) if n in taken}
    if not ren:
        return d, {}

    def fn(n: Any) -> Any:
        if isinstance(n, ast.Name) and n.id in ren:
            return replace(n, id=ren[n.id])
        if isinstance(n, ast.Param) and n.name in ren:
            return replace(n, name=ren[n.name])
        if isinstance(n, ast.For) and n.var in ren:
            return replace(n, var=ren[n.var])
        return n

    return _rebuild(d, fn), ren


def _rename_keywords(node: Any, params: dict[str, dict[str, str]]) -> Any:
    """Keyword arguments of calls to renamed defs follow their parameters' new names."""

    def fn(n: Any) -> Any:
        if isinstance(n, ast.Call) and n.func in params and n.kwargs:
            ren = params[n.func]
            return replace(n, kwargs=tuple(replace(k, name=ren.get(k.name, k.name))
                                           for k in n.kwargs))
        return n

    return _rebuild(node, fn)


def expand(script: ast.Script, registry: Registry,
           inputs: Collection[str] = ()) -> tuple[ast.Script, Registry]:
    """The script with the stdlib defs it uses prepended, and the registry without the stdlib.

    A def the script writes itself wins over a stdlib function of the same
    name. Pass the task's input names as `inputs`: a prepended def's
    parameters and locals named like one are renamed (see `private_def`),
    and keyword arguments naming them follow.
    """
    own = {s.name for s in script.body if isinstance(s, ast.Def)}
    lib = {s.name: s for s in registry.specs() if is_stdlib(s)}
    needed: list[str] = []
    todo = [n for n in _called(script.body) if n in lib and n not in own]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.append(name)
        todo.extend(n for n in _called(lib[name].extra["def"].body)
                    if n in lib and n not in own and n not in needed)
    rest = Registry([s for s in registry.specs() if not is_stdlib(s)])
    if not needed:
        return script, rest
    defs: list[ast.Def] = []
    params: dict[str, dict[str, str]] = {}
    for n in sorted(needed):
        d, ren = private_def(lib[n].extra["def"], set(inputs))
        defs.append(d)
        params[n] = {p.name: ren[p.name] for p in lib[n].extra["def"].params if p.name in ren}
    body = _rename_keywords(tuple(defs) + script.body, params)
    return replace(script, body=body), rest
