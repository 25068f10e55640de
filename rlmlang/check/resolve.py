"""Resolve: the structure of a script before its types.

One pass over the tree finds what later passes take for granted: the table
of `def`s (top level only, one definition per name, no clash with a tool or
an input), statements in the right place (`break`/`continue` inside a loop,
`return` inside a def), and the call graph between defs. The language has
no recursion, so the call graph must be acyclic: a cycle is reported once,
named in full (`walk -> visit -> walk`), at the call that closes it.
Defs are hoisted: a def may be called above the line that defines it,
because the call graph, not the text order, decides what may call what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.syntax import ast
from rlmlang.tools.registry import Registry
from rlmlang.types import Type

MAIN = "<main>"


@dataclass
class DefInfo:
    """A def as the checker, verifier and compiler see it."""

    node: ast.Def
    params: dict[str, Type]
    returns: Type | None  # declared, or inferred by the checker
    locals: dict[str, Type] = field(default_factory=dict)  # params and assigned names
    calls: set[str] = field(default_factory=set)  # defs it calls


@dataclass
class Structure:
    defs: dict[str, DefInfo]
    call_graph: dict[str, tuple[str, ...]]  # MAIN or a def -> the defs it calls
    order: tuple[str, ...]  # defs, callees before callers


def _calls_in(stmts: tuple[ast.Stmt, ...]) -> list[ast.Call]:
    """Every Call node under these statements, inner calls before outer ones and otherwise
    in source order (ast.walk backwards), those in f-strings and comprehensions included."""
    return [n for n in reversed(list(ast.walk(stmts))) if isinstance(n, ast.Call)]


def resolve_structure(script: ast.Script, registry: Registry, inputs: dict[str, Type],
                      file: str) -> tuple[Structure, list[Diagnostic]]:
    diags: list[Diagnostic] = []

    def err(code: str, span: Span | None, msg: str, fix: str | None = None, **data) -> None:
        diags.append(Diagnostic(code, msg, span, file, fix, data=data))

    defs: dict[str, DefInfo] = {}
    for stmt in script.body:
        if isinstance(stmt, ast.Def):
            if stmt.name in defs:
                first = defs[stmt.name].node.span.line
                err("E_NAME", stmt.span, f"'{stmt.name}' is defined twice (first at line {first})",
                    "give the second def another name")
                continue
            if stmt.name in registry and "." not in stmt.name:
                err("E_NAME", stmt.span, f"'{stmt.name}' is a builtin; a def cannot replace it",
                    f"name the function differently, e.g. my_{stmt.name}")
                continue
            if stmt.name in inputs:
                err("E_NAME", stmt.span, f"'{stmt.name}' is an input of the task; a def cannot "
                    "reuse its name", f"name the function differently, e.g. get_{stmt.name}")
                continue
            defs[stmt.name] = DefInfo(stmt, {p.name: p.type for p in stmt.params}, stmt.returns)

    # Placement of statements: walk with (in_loop, in_def, depth) context.
    stack: list[tuple[ast.Stmt, bool, bool, bool]] = [
        (s, False, False, True) for s in reversed(script.body)]
    while stack:
        s, in_loop, in_def, top = stack.pop()
        if isinstance(s, ast.Def):
            if not top:
                err("E_SYNTAX", s.span, "def is only allowed at the top level of a script",
                    "move the def out of the block, to the top level")
            for c in reversed(s.body):
                stack.append((c, False, True, False))
            continue
        if isinstance(s, (ast.Break, ast.Continue)) and not in_loop:
            word = "break" if isinstance(s, ast.Break) else "continue"
            err("E_SYNTAX", s.span, f"'{word}' outside a loop",
                "use it only inside a for or while body")
        if isinstance(s, ast.Return) and not in_def:
            err("E_SYNTAX", s.span, "'return' outside a def",
                "use submit(value) to give the answer, or fail(\"why\") to stop")
        loop = in_loop or isinstance(s, (ast.For, ast.While))
        for block in reversed(ast.child_blocks(s)):
            # a loop's else runs after the loop: its break is the enclosing loop's
            inside = in_loop if isinstance(s, (ast.For, ast.While)) and block is s.orelse \
                else loop
            for c in reversed(block):
                stack.append((c, inside, in_def, False))

    # Call graph.
    graph: dict[str, tuple[str, ...]] = {}
    sites: dict[tuple[str, str], ast.Call] = {}
    main_calls = [c for c in _calls_in(tuple(s for s in script.body
                                              if not isinstance(s, ast.Def)))
                  if c.func in defs]
    graph[MAIN] = tuple(dict.fromkeys(c.func for c in main_calls))
    for name, info in defs.items():
        callees: list[str] = []
        for c in _calls_in(info.node.body):
            if c.func in defs:
                callees.append(c.func)
                sites.setdefault((name, c.func), c)
        info.calls = set(callees)
        graph[name] = tuple(dict.fromkeys(callees))

    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset[str]] = set()
    for root in defs:
        if state.get(root):
            continue
        # Iterative DFS keeping the path, to name a cycle when one closes.
        path: list[str] = [root]
        its = [iter(graph[root])]
        state[root] = 1
        while its:
            nxt = next(its[-1], None)
            if nxt is None:
                done = path.pop()
                its.pop()
                state[done] = 2
                order.append(done)
                continue
            if state.get(nxt) == 1:
                cyc = path[path.index(nxt):] + [nxt]
                key = frozenset(cyc)
                if key not in reported:
                    reported.add(key)
                    site = sites[(path[-1], nxt)]
                    text = " -> ".join(cyc)
                    how = "calls itself" if len(cyc) == 2 else f"calls itself via {text}"
                    err("E_RECURSION", site.func_span if site.func_span.line else site.span,
                        f"function '{nxt}' {how}; recursion is not allowed",
                        "rewrite it as a for loop over a bounded collection, or a while loop "
                        "with a decreasing measure", cycle=cyc)
                continue
            if state.get(nxt) == 2:
                continue
            state[nxt] = 1
            path.append(nxt)
            its.append(iter(graph[nxt]))
    return Structure(defs, graph, tuple(order)), diags
