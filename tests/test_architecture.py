"""The import order docs/architecture.md declares, held by the code.

Every import of an rlmlang module by another — at the top of a module or
inside a function, where an import can hide — must point down the stage
order (or stay within its own layer), and the imports between modules must
form no cycle. A module belongs to the layer of the longest prefix listed for
it below; a module no prefix names fails the test until it is placed.

A function-local import is kept only where it keeps start-up light (llama.cpp,
Z3 and the like load when first used, not when `rlm --help` starts): each
one says so in a comment on its line or the line above.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rlmlang"

# Lowest first. An import may point to its own layer or any layer before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("rlmlang.types", "rlmlang.diagnostics", "rlmlang.cost", "rlmlang.limits",
              "rlmlang.policy", "rlmlang.hostnames", "rlmlang.paths", "rlmlang.resources",
              "rlmlang.version", "rlmlang.highlight", "rlmlang.tools.registry",
              "rlmlang.tools.errors", "rlmlang.tools.values", "rlmlang.tools.declare")),
    ("syntax", ("rlmlang.syntax",)),
    ("tools", ("rlmlang.tools.builtins", "rlmlang.tools.skills", "rlmlang.tools.tables",
               "rlmlang.tools.reader", "rlmlang.tools.regex", "rlmlang.tools.pyforms",
               "rlmlang.tools.template",
               "rlmlang.tools.context", "rlmlang.tools.host", "rlmlang.tools.plugins",
               "rlmlang.tools.decorator", "rlmlang.tools.describe")),
    ("check", ("rlmlang.check",)),
    ("verify", ("rlmlang.verify",)),
    ("library", ("rlmlang.tools", "rlmlang.tools.stdlib", "rlmlang.tools.stdlib_origin",
                 "rlmlang.tools.gendoc")),
    ("compile", ("rlmlang.compiler",)),
    ("vm", ("rlmlang.vm",)),
    ("store", ("rlmlang.store",)),
    ("task", ("rlmlang.task",)),
    ("log", ("rlmlang.logschema", "rlmlang.runlog", "rlmlang.logs")),
    ("pipeline", ("rlmlang.pipeline",)),
    ("backend", ("rlmlang.backend",)),
    ("controller", ("rlmlang.controller",)),
    ("audit", ("rlmlang.audit",)),
    ("batch", ("rlmlang.batch",)),
    ("cli", ("rlmlang", "rlmlang.commands", "rlmlang.cli", "rlmlang.bench_hooks")),
]

# What may justify a function-local import: its comment says it keeps start-up light.
LIGHT = ("start-up", "startup", "lazy", "loaded when", "load when", "heavy")


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def layer_of(module: str) -> int | None:
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def _target(name: str) -> str | None:
    """The rlmlang module an imported name lives in (`a.b.c` → `a.b` if c is not a module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@lru_cache(maxsize=1)
def imports() -> list[tuple[str, str, int, bool]]:
    """(importer, imported, line, inside a function) for every rlmlang-to-rlmlang import."""
    out = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        local: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local.update(id(n) for n in ast.walk(node) if n is not node)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                names = [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] != "rlmlang":
                    continue
                target = _target(name)
                if target is not None and target != module:
                    out.append((module, target, node.lineno, id(node) in local))
    return out


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_no_import_runs_against_the_stage_order() -> None:
    names = [n for n, _ in LAYERS]
    against = [f"{m}:{line} imports {t} ({names[layer_of(m)]} -> {names[layer_of(t)]})"
               for m, t, line, _ in imports()
               if layer_of(m) is not None and layer_of(t) is not None
               and layer_of(t) > layer_of(m)]
    assert against == []


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for m, t, _, _ in imports():
        graph.setdefault(m, set()).add(t)
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(path[path.index(t):] + [t]))
            elif t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == []


def test_function_local_imports_say_why() -> None:
    """An import inside a function hides an arrow from the reader of the module's head:
    it stays only to keep start-up light, and its comment says so."""
    unexplained = []
    for m, _, line, local in imports():
        if not local:
            continue
        lines = MODULES[m].read_text(encoding="utf-8").splitlines()
        near = " ".join(lines[max(0, line - 2):line + 1]).lower()
        if not any(word in near for word in LIGHT):
            unexplained.append(f"{m}:{line}")
    assert sorted(set(unexplained)) == []
