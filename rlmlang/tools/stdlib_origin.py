"""Where a prepended stdlib def came from, so its diagnostics point at the module and the call.

`expand` prepends the stdlib defs a script calls, and every later stage
(checker, verifier, compiler, VM) reports positions as if they were the
script's own lines. To tell them apart without a file in every span, each
module's defs are shifted when loaded to lines `number * LINE_BASE + line`:
a script has at most a million lines, so a line at or above LINE_BASE can
only be a stdlib line, and its module and real line follow by division (the
way a `#line` directive works in C). The number is derived from the module's
name, so it is the same in every process (bytecode line tables, and so
hashes, do not depend on load order).

`attribute` turns a diagnostic with such a line back into words: it is
reported at the script's call that led there (the line the script's author
can change), its message says which stdlib function and which module line,
and every "line N" in its text is the module's real line.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.syntax import ast

LINE_BASE = 10_000_000  # above any script's line count (scripts are at most 1 MB)
_SLOTS = 50_000  # module numbers 1.._SLOTS
_BIG = re.compile(r"\b(line |@)(\d{8,})\b")


@dataclass
class ModuleLines:
    """One loaded module: how to name it, its text, and each def's line range and calls."""

    number: int
    display: str  # stdlib/text.rlm for a shipped module, the path for a user's
    lines: list[str]
    defs: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (first, last)
    calls: dict[str, set[str]] = field(default_factory=dict)  # name -> names it calls


_MODULES: dict[int, ModuleLines] = {}
_BY_DISPLAY: dict[str, int] = {}


def module_number(display: str) -> int:
    """A stable number for a module (from its name; the next free one on a clash)."""
    if display in _BY_DISPLAY:
        return _BY_DISPLAY[display]
    n = 1 + zlib.crc32(display.encode()) % _SLOTS
    while n in _MODULES and _MODULES[n].display != display:
        n = n % _SLOTS + 1
    _BY_DISPLAY[display] = n
    return n


def register(display: str, source: str, defs: list[ast.Def]) -> int:
    """Record a module's text and defs (with their real lines); returns its number."""
    n = module_number(display)
    mod = ModuleLines(n, display, source.splitlines())
    for d in defs:
        mod.defs[d.name] = (d.span.line, d.span.end_line)
        mod.calls[d.name] = {c.func for c in ast.walk(d) if isinstance(c, ast.Call)}
    _MODULES[n] = mod
    return n


def _is_node(x: object) -> bool:
    return is_dataclass(x) and not isinstance(x, type) and type(x).__module__ == ast.__name__


def shift(node: Any, number: int) -> Any:
    """A copy of an AST with every span moved to module `number`'s lines."""
    delta = number * LINE_BASE
    if isinstance(node, tuple):
        return tuple(shift(x, number) for x in node)
    if isinstance(node, Span):
        return Span(node.line + delta, node.col, node.end_line + delta, node.end_col)
    if _is_node(node):
        return replace(node, **{f.name: shift(getattr(node, f.name), number)
                                for f in fields(node) if f.init})
    return node


def _where(line: int) -> tuple[ModuleLines, int] | None:
    mod = _MODULES.get(line // LINE_BASE) if line >= LINE_BASE else None
    return (mod, line % LINE_BASE) if mod is not None else None


def _plain(text: str | None) -> str | None:
    """`line 10000012` → `line 12 of stdlib/lists.rlm` (and `x@10000012:5` alike)."""
    if not text or not _BIG.search(text):
        return text

    def sub(m: re.Match[str]) -> str:
        found = _where(int(m.group(2)))
        if found is None:
            return m.group(0)
        mod, line = found
        return f"line {line} of {mod.display}" if m.group(1) == "line " \
            else f"@{mod.display}:{line}"

    return _BIG.sub(sub, text)


def _function_at(mod: ModuleLines, line: int) -> str | None:
    return next((n for n, (a, b) in mod.defs.items() if a <= line <= b), None)


def _chain(start: str, target: str) -> list[str] | None:
    """The stdlib functions from `start` down to `target` through their calls (breadth first)."""
    calls = {n: c for m in _MODULES.values() for n, c in m.calls.items()}
    paths: list[list[str]] = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        if path[-1] == target:
            return path
        for nxt in sorted(calls.get(path[-1], ())):
            if nxt in calls and nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return None


def _user_calls(script: ast.Script | None) -> list[ast.Call]:
    """The script's own calls (not those inside prepended stdlib defs), in source order."""
    if script is None:
        return []
    found = [n for n in ast.walk(script.body) if isinstance(n, ast.Call)
             and n.span.line < LINE_BASE]
    return sorted(found, key=lambda c: (c.span.line, c.span.col))


def attribute(diagnostics: list[Diagnostic],
              script: ast.Script | str | bytes | None) -> list[Diagnostic]:
    """Diagnostics inside prepended stdlib defs, placed at the script's call that led there.

    `script` is the script as parsed (or its text, parsed only when needed):
    its calls are the candidates. Other diagnostics come back unchanged.
    """
    if not any((d.span is not None and d.span.line >= LINE_BASE)
               or any(_BIG.search(t or "") for t in (d.message, d.fix, *d.notes))
               for d in diagnostics):
        return diagnostics
    if isinstance(script, (str, bytes)):
        from rlmlang.syntax.parser import parse  # lazy: keeps lark out of start-up

        script = parse(script).script
    calls = _user_calls(script)
    return [_attribute_one(d, calls) for d in diagnostics]


def _attribute_one(d: Diagnostic, calls: list[ast.Call]) -> Diagnostic:
    notes = tuple(_plain(n) or "" for n in d.notes)
    message, fix = _plain(d.message) or "", _plain(d.fix)
    found = _where(d.span.line) if d.span is not None else None
    if found is None or d.span is None:
        return replace(d, message=message, fix=fix, notes=notes)
    mod, line = found
    where = f"{mod.display}:{line}:{d.span.col}"
    function = _function_at(mod, line)
    text = mod.lines[line - 1].strip() if 0 < line <= len(mod.lines) else ""
    data = {**d.data, "stdlib": {"file": mod.display, "line": line, "col": d.span.col,
                                 "function": function}}
    site, chain = None, None
    if function is not None:
        for call in calls:
            chain = _chain(call.func, function)
            if chain is not None:
                site = call
                break
    if site is None or chain is None:  # not reached from the script: the module's own line
        span = Span(line, d.span.col, d.span.end_line % LINE_BASE, d.span.end_col)
        return replace(d, message=message, fix=fix, notes=notes, span=span,
                       file=mod.display, data=data)
    inner = f"in {function} ({where})"
    if len(chain) > 1:
        inner += ", called by " + " from ".join(reversed(chain[:-1]))
    others = sorted({c.span.line for c in calls if c is not site and c.func == site.func})
    more = (f"; {site.func} is also called on line{'s' if len(others) > 1 else ''} "
            + ", ".join(map(str, others))) if others else ""
    data["stdlib"]["chain"] = chain
    return replace(d, message=f"{inner}: {message}", fix=fix, span=site.span,
                   notes=(f"{where}: {text}{more}", *notes), data=data)
