"""The stdlib: functions written in RLM script, in `stdlib/*.rlm` and the user's own modules.

A stdlib module is a file of top-level `def`s with typed parameters and a
declared result, each followed by a `# doc` comment line. Loading parses it,
type-checks and verifies it like any script (each def called once from a
synthesized main, at a sample input size), so a stdlib function is held to
the same rules as the model's code (acyclic calls, bounded loops, only
builtin tools).

Modules come from the shipped `stdlib/` (package data), then from each
directory in `$RLM_STDLIB_PATH` (separated by `os.pathsep`), then from the
user's `$XDG_CONFIG_HOME/rlmlang/stdlib` (`~/.config/rlmlang/stdlib`). A
module that does not load is left out and reported as the diagnostics that
refused it (its file, line and code), never as a Python warning; a function
named like a tool that is already there is refused (E_NAME) rather than
shadowing it. `rlm check` of a file of only defs reports the same
diagnostics, so a module can be checked before it is installed.

How a script calls one: each function is registered as a ToolSpec without
a Python implementation, carrying its parsed `def` in `extra["def"]`, its
spans moved to the module's own line range (stdlib_origin.py).
Before a script is checked, `expand(script, registry)` prepends the defs the
script uses (and the defs those use), and returns a registry without the
stdlib names, so the checker, verifier and compiler see ordinary defs: the
cost bound of a stdlib call is derived by the verifier from its body at the
call site, never declared by hand. `ToolSpec.cost` of a stdlib function
therefore refuses to be used. `attribute` (from stdlib_origin) puts what
those stages report inside a def back at the module's line and the call.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from rlmlang.check import Env, check
from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.limits import DEFAULT_BUDGETS
from rlmlang.resources import STDLIB_DIR
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.tools.core import core_specs
from rlmlang.tools.registry import Param, Registry, Size, ToolSpec
from rlmlang.tools.stdlib_origin import attribute, register, shift
from rlmlang.types import INT, UNKNOWN, format_type

__all__ = ["STDLIB_DIR", "StdlibError", "attribute", "check_module", "expand", "is_module",
           "module_specs", "stdlib_dirs", "stdlib_specs", "user_stdlib_dir"]


class StdlibError(Exception):
    """A stdlib module that does not parse, check or verify, with the diagnostics why."""

    def __init__(self, module: str, diagnostics: list[Diagnostic]):
        self.module = module
        self.diagnostics = diagnostics
        first = diagnostics[0].render() if diagnostics else "(no detail)"
        super().__init__(f"stdlib module {module!r} is invalid: {first}")


def user_stdlib_dir() -> Path:
    """The user's own modules: $XDG_CONFIG_HOME/rlmlang/stdlib, or ~/.config/rlmlang/stdlib."""
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join("~", ".config")
    return Path(config).expanduser() / "rlmlang" / "stdlib"


def stdlib_dirs() -> list[Path]:
    """Where modules are loaded from, in order: shipped, $RLM_STDLIB_PATH, the user's."""
    extra = [Path(p).expanduser() for p in os.environ.get("RLM_STDLIB_PATH", "").split(
        os.pathsep) if p.strip()]
    out: list[Path] = []
    for d in (STDLIB_DIR, *extra, user_stdlib_dir()):
        if d not in out:
            out.append(d)
    return out


def _display(path: Path) -> str:
    """How diagnostics name a module: stdlib/NAME.rlm when shipped, else its path."""
    return f"stdlib/{path.name}" if path.parent == STDLIB_DIR else str(path)


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


def is_module(script: ast.Script | None) -> bool:
    """A file of only defs: as a script it would do nothing, so it is a stdlib module."""
    return script is not None and bool(script.body) and all(
        isinstance(s, ast.Def) for s in script.body)


def module_specs(path: Path, core: Registry | None = None,
                 display: str | None = None) -> list[ToolSpec]:
    """The specs of one stdlib file; raises StdlibError if it does not parse or check.

    `core` holds the tools the module may call (builtins, skills, and the
    stdlib functions loaded before it); with it, each def is type-checked
    and verified, and a def named like one of those tools is refused (E_NAME).
    """
    file = display or _display(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StdlibError(path.stem, [Diagnostic("E_INPUT", f"cannot read the module: {e}",
                                                 None, file)]) from None
    return _specs(source, file, path.stem, core)


def _specs(source: str, file: str, module: str, core: Registry | None) -> list[ToolSpec]:
    result = parse(source, file)
    if result.script is None or any(d.severity == "error" for d in result.diagnostics):
        raise StdlibError(module, list(result.diagnostics))
    docs = _docs(source)
    defs: list[ast.Def] = []
    errors: list[Diagnostic] = []
    for stmt in result.script.body:
        if not isinstance(stmt, ast.Def):
            errors.append(Diagnostic(
                "E_SYNTAX", "a stdlib module may only contain defs", stmt.span, file,
                "move this statement into a script; a module holds only `def`s"))
        elif stmt.returns is None:
            errors.append(Diagnostic(
                "E_TYPE", f"stdlib function '{stmt.name}' must declare its result type",
                stmt.span, file, "add -> TYPE after the parameters"))
        else:
            defs.append(stmt)
    if errors:  # not a module that can be checked as one
        raise StdlibError(module, errors)
    for d in defs:
        first = core.get(d.name) if core is not None else None
        if first is not None:
            errors.append(Diagnostic(
                "E_NAME", f"'{d.name}' is already a tool ({first.origin}); a stdlib function "
                "may not replace it", d.span, file, "give the function a name of its own"))
    if core is not None:
        errors.extend(_check_module(result.script, core, [d.name for d in defs], source, file))
    if errors:
        raise StdlibError(module, sorted(errors, key=lambda d: (d.line, d.col)))
    number = register(file, source, defs)
    specs = []
    for stmt in defs:
        doc = docs.get(stmt.name, "")
        specs.append(ToolSpec(
            name=stmt.name, params=tuple(Param(p.name, p.type) for p in stmt.params),
            result=stmt.returns or UNKNOWN, cost=_expand_only, result_size=_expand_size,
            doc=doc.split("example:", 1)[0].strip(), origin=f"stdlib:{module}", impl=None,
            example=_example_for(stmt), extra={"def": shift(stmt, number), "module": module,
                                               "file": file, "alias_of": _alias_of(stmt)}))
    return specs


def _alias_of(d: ast.Def) -> str | None:
    """The tool a function only passes its parameters on to (`lines_with_all` returns
    `lines_with(text, phrases)`): what a check of a script's searches may run in its stead
    (task/searches.py). None for any other body."""
    body = [s for s in d.body if not isinstance(s, ast.Pass)]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    call = body[0].value
    params = [p.name for p in d.params]
    if not isinstance(call, ast.Call) or call.kwargs or \
            [a.id if isinstance(a, ast.Name) else None for a in call.args] != params:
        return None
    return call.func


def _example_for(d: ast.Def) -> str:
    args = ", ".join(_sample_arg(p) for p in d.params)
    return f"print({d.name}({args}))"


def _sample_arg(p: ast.Param) -> str:
    t = format_type(p.type)
    return {"str": "context" if p.name == "text" else f'"{p.name}"', "int": "3",
            "float": "2.5", "list[str]": '["a", "b", "a"]',
            "list[float]": "[1.0, 2.0, 4.5]"}.get(t, p.name)


SAMPLE = Size(1_000, 100)  # the input size each def is verified at when loaded
_NO_LIMIT = 10**15  # the budgets of that check: a bound must exist, the run's budget applies later


def _check_module(script: ast.Script, core: Registry, names: list[str], source: str,
                  file: str) -> list[Diagnostic]:
    """Type-check and verify a module like a script, each def called once from a main.

    The verifier analyses what a script runs, so the main calls every def
    with inputs of its parameter types (at size SAMPLE, and an int parameter
    with the value SAMPLE.len, so that `range(n)` is bounded as it is at a
    call with a known count): each def must then check, terminate, and keep
    its cost and sizes bounded. Budgets are not applied here: how much a
    call may cost depends on its arguments, and every call is verified
    against the run's budget with the real ones.
    """
    from rlmlang.verify import verify  # lazy: keeps Z3 out of start-up

    text = source.rstrip("\n") + "\n"
    main_calls: dict[int, ast.Def] = {}  # line of the synthesized call -> the def it calls
    inputs: dict[str, Any] = {}
    for d in (s for s in script.body if isinstance(s, ast.Def)):
        main_calls[text.count("\n") + 1] = d
        args = []
        for p in d.params:
            name = f"in_{d.name}_{p.name}"
            inputs[name] = p.type
            args.append(name)
        text += f"out_{d.name} = {d.name}({', '.join(args)})  # {format_type(d.returns)}\n"
    result = parse(text, file)
    if result.script is None:
        return list(result.diagnostics)
    # stdlib functions of other modules are brought in as at a call
    script, reg = expand(result.script, Registry([s for s in core.specs() if s.name not in names]))
    checked = check(script, Env(inputs=inputs, state={}, output=None, registry=reg), file)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if checked.checked is None or errors:
        return _in_defs(attribute(errors or list(checked.diagnostics), script), main_calls)
    values = {k: SAMPLE.len for k, t in inputs.items() if t == INT}
    budgets = dict.fromkeys(DEFAULT_BUDGETS, _NO_LIMIT)  # per script: all the verifier reads
    verified = verify(checked.checked, policy=None, budgets=budgets,
                      input_sizes={k: SAMPLE for k in inputs}, state_sizes={}, file=file,
                      input_values=values)
    errors = [d for d in verified.diagnostics if d.severity == "error"]
    if verified.program is None or errors:
        return _in_defs(attribute(errors or list(verified.diagnostics), script), main_calls)
    return []


def _in_defs(diagnostics: list[Diagnostic], main_calls: dict[int, ast.Def]) -> list[Diagnostic]:
    """Diagnostics on the synthesized main's lines, moved to the def its line calls.

    One there is a consequence of the def's body (its result cannot be
    bounded, ...): when the def has a diagnostic of its own it says it
    already; else the def's line gets it, saying how it was called.
    """
    out = [d for d in diagnostics if d.line not in main_calls]
    for d in diagnostics:
        called = main_calls.get(d.line)
        if called is None or any(called.span.line <= o.line <= called.span.end_line
                                 for o in out):
            continue
        out.append(replace(d, span=Span(called.span.line, 1, called.span.line, 4), notes=(
            *d.notes, f"found when {called.name} is called with inputs of "
            f"{SAMPLE.len:,} characters or items (an int: {SAMPLE.len:,})")))
    return out


def _not_loaded(path: Path, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A refused module's diagnostics as warnings for a run: it goes on without the module."""
    note = (f"stdlib module {path.name} is not loaded: its functions are not available "
            f"(`rlm check {path}` shows this again)")
    return [replace(d, severity="warning", notes=(*d.notes, note)) for d in diagnostics]


@dataclass(frozen=True)
class _Loaded:
    specs: tuple[ToolSpec, ...]
    problems: tuple[Diagnostic, ...]


def stdlib_specs(core: Registry | None = None, directory: Path | None = None,
                 strict: bool = False,
                 problems: list[Diagnostic] | None = None) -> list[ToolSpec]:
    """Every stdlib function (of `directory`, or of every stdlib_dirs() directory).

    A module that does not load is left out and its diagnostics are added to
    `problems`; with `strict`, StdlibError is raised instead (the tests use it).
    """
    core = core if core is not None else _core()
    dirs = [directory] if directory is not None else stdlib_dirs()
    files = tuple((str(p), p.stat().st_mtime) for d in dirs if d.is_dir()
                  for p in sorted(d.glob("*.rlm")))
    loaded = _cached(files, strict, tuple(core.names()))
    if problems is not None:
        problems.extend(loaded.problems)
    return list(loaded.specs)


def _core() -> Registry:
    return Registry(core_specs())


@lru_cache(maxsize=8)
def _cached(files: tuple[tuple[str, float], ...], strict: bool,
            core_names: tuple[str, ...]) -> _Loaded:
    core = Registry([s for s in _core().specs() if s.name in core_names])
    out: list[ToolSpec] = []
    problems: list[Diagnostic] = []
    for name, _ in files:
        path = Path(name)
        try:
            specs = module_specs(path, core)
        except StdlibError as e:
            if strict:
                raise
            problems.extend(_not_loaded(path, e.diagnostics))
            continue
        except Exception as e:  # noqa: BLE001 - a checker or verifier bug must not stop runs
            if strict:
                raise
            problems.append(Diagnostic(
                "E_INTERNAL", f"stdlib module {path.name} could not be verified "
                f"({type(e).__name__}: {e}); it is not loaded", None, _display(path),
                severity="warning"))
            continue
        for s in specs:
            core.add(s)
        out.extend(specs)
    return _Loaded(tuple(out), tuple(problems))


def check_module(source: str, file: str, registry: Registry | None = None) -> list[Diagnostic]:
    """What loading `source` (a file of only defs) as a stdlib module would report.

    Its functions may call the pure tools of `registry` (default: the default
    registry) and may not be named like them, its own module's functions
    aside (it may be installed already).
    """
    if registry is None:  # the core tools and the stdlib, as loading would see them
        registry = _core()
        for spec in stdlib_specs(registry):
            registry.add(spec)
    reg = registry
    module = Path(file).stem
    core = Registry([s for s in reg.specs() if not s.effect
                     and s.origin != f"stdlib:{module}"])
    try:
        _specs(source, file, module, core)
    except StdlibError as e:
        return list(e.diagnostics)
    return []


# ------------------------------------------------------------------ expansion


def _called(stmts: tuple[ast.Stmt, ...]) -> list[str]:
    """Names called anywhere under these statements (a comprehension's clauses included:
    `{s: 0 for s in unique(...)}` was "undefined function: unique")."""
    return [n.func for n in ast.walk(stmts) if isinstance(n, ast.Call)]


def is_stdlib(spec: ToolSpec) -> bool:
    return "def" in spec.extra and spec.origin.startswith("stdlib:")


def _rebuild(node: Any, fn: Any) -> Any:
    """A copy of an AST (frozen dataclasses and tuples) with `fn` applied bottom-up."""
    if isinstance(node, tuple):
        return tuple(_rebuild(x, fn) for x in node)
    if is_dataclass(node) and not isinstance(node, type) and \
            type(node).__module__ == ast.__name__:
        changes = {f.name: _rebuild(getattr(node, f.name), fn) for f in fields(node)
                   if f.name != "span"}
        return fn(replace(node, **changes))
    return node


def private_def(d: ast.Def, taken: Collection[str]) -> tuple[ast.Def, dict[str, str]]:
    """The def with its parameters and locals that clash with `taken` renamed, and the renaming.

    A prepended def lives in the script's namespace, where a parameter named
    like one of the task's inputs (`text`, `context`) would be refused as
    hiding it. Only clashing names change (to `NAME_DEF`), so messages about
    a stdlib call keep the parameter names the signature shows.
    """
    own = {p.name for p in d.params}.union(ast.assigned_names(d.body))
    ren = {n: f"{n}_{d.name}" for n in sorted(own) if n in taken}
    if not ren:
        return d, {}

    def fn(n: Any) -> Any:
        if isinstance(n, ast.Name) and n.id in ren:
            return replace(n, id=ren[n.id])
        if isinstance(n, ast.Param) and n.name in ren:
            return replace(n, name=ren[n.name])
        if isinstance(n, ast.For) and n.unpack:
            unpack = tuple(ren.get(u, u) for u in n.unpack)
            return replace(n, var=", ".join(unpack), unpack=unpack)
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
