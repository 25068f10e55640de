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
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.tools.registry import Param, Registry, Size, ToolSpec
from rlmlang.types import UNKNOWN

STDLIB_DIR = Path(__file__).resolve().parents[2] / "stdlib"


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


def _examples(source: str) -> dict[str, str]:
    """`# example: ...` lines inside a def's doc comment become its example."""
    out: dict[str, str] = {}
    for name, doc in _docs(source).items():
        if "example:" in doc:
            out[name] = doc.split("example:", 1)[1].strip()
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


def _check_module(module: str, script: ast.Script, core: Registry, specs: list[ToolSpec],
                  file: str) -> None:
    """Type-check and verify a module like a script, once the checker and verifier exist."""
    try:
        from rlmlang.check import Env, check
    except ImportError:
        return
    reg = Registry([s for s in core.specs() if s.name not in {x.name for x in specs}])
    env = Env(inputs={}, state={}, output=None, registry=reg)
    checked = check(script, env, file)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if checked.checked is None or errors:
        raise StdlibError(module, errors or list(checked.diagnostics))
    try:
        from rlmlang.verify import verify
    except ImportError:
        return
    verified = verify(checked.checked, policy=None, budgets={}, input_sizes={},
                      state_sizes={}, strict=True)
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


def expand(script: ast.Script, registry: Registry) -> tuple[ast.Script, Registry]:
    """The script with the stdlib defs it uses prepended, and the registry without the stdlib.

    A def the script writes itself wins over a stdlib function of the same name.
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
    defs = tuple(lib[n].extra["def"] for n in sorted(needed))
    rest = Registry([s for s in registry.specs() if not is_stdlib(s)])
    if not defs:
        return script, rest
    return replace(script, body=defs + script.body), rest
