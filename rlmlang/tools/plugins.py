"""Plugins: tools from other installed packages, by entry point.

A package adds tools by declaring an entry point in the group
`rlmlang.tools`, e.g. in its pyproject.toml:

    [project.entry-points."rlmlang.tools"]
    hello = "rlm_hello"

The entry point resolves to a module (every function in it decorated with
`@rlmlang.tool` is a tool), a decorated function, a ToolSpec, a list of
those, or a callable returning one of them. Each spec's origin becomes
`plugin:<distribution>`. A plugin that fails to import, returns something
else, or names a tool that already exists is left out and reported as an
E_PLUGIN diagnostic naming the distribution and the entry point (kept in
the registry's `problems`, which the commands print): one broken package
must not stop every run. A plugin's tools use the same Permission kinds as
host tools, or their own (registered with `rlmlang.policy.register_kind`,
scope style "name" by default; the decorator registers them).
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.tools.decorator import tools_of
from rlmlang.tools.registry import Registry, ToolSpec

GROUP = "rlmlang.tools"


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return name or ep.value.split(":", 1)[0].split(".", 1)[0]


def _specs_of(obj: Any) -> list[ToolSpec]:
    found = tools_of(obj)
    if found is not None:
        if not found:
            raise TypeError(f"module {obj.__name__} has no function decorated with "
                            "@rlmlang.tool")
        return found
    if callable(obj) and not isinstance(obj, ToolSpec):
        obj = obj()
    if isinstance(obj, ToolSpec):
        return [obj]
    if isinstance(obj, (list, tuple)):
        out: list[ToolSpec] = []
        for item in obj:
            specs = tools_of(item) if not isinstance(item, ToolSpec) else [item]
            if specs is None:
                break
            out.extend(specs)
        else:
            return out
    raise TypeError(f"expected a module or function decorated with @rlmlang.tool, a ToolSpec "
                    f"or a list of them, got {type(obj).__name__}")


def load_entry_point(ep: EntryPoint) -> list[ToolSpec]:
    """The specs one entry point provides, with their origin set; raises on any failure."""
    dist = _dist_name(ep)
    specs = _specs_of(ep.load())
    out = []
    for s in specs:
        if s.impl is None and "def" not in s.extra:
            raise TypeError(f"tool {s.name!r} has no implementation")
        if s.effect and s.permission is None:
            raise TypeError(f"tool {s.name!r} has effects but declares no permission")
        out.append(replace(s, origin=f"plugin:{dist}"))
    return out


def plugin_entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=GROUP), key=lambda ep: (ep.name, ep.value))


def _problem(dist: str, ep: EntryPoint, message: str, fix: str) -> Diagnostic:
    return Diagnostic("E_PLUGIN", f"plugin {dist!r} (entry point {ep.name} = {ep.value}): "
                      f"{message}", file=f"plugin:{dist}", fix=fix, severity="warning",
                      data={"distribution": dist, "entry_point": ep.name, "value": ep.value})


def add_plugins(registry: Registry) -> list[Diagnostic]:
    """Add every plugin's tools to `registry`; what was left out, why, is returned and
    added to `registry.problems`."""
    problems: list[Diagnostic] = []
    for ep in plugin_entry_points():
        dist = _dist_name(ep)
        try:
            specs = load_entry_point(ep)
        except Exception as e:  # noqa: BLE001 - any plugin failure is reported, not raised
            problems.append(_problem(
                dist, ep, f"could not be loaded and is left out: {type(e).__name__}: {e}",
                f"fix the package, or uninstall it (pip uninstall {dist})"))
            continue
        for s in specs:
            if s.name in registry:
                first = registry.get(s.name)
                problems.append(_problem(
                    dist, ep, f"tool {s.name!r} is already provided by "
                    f"{first.origin if first else '?'}; the plugin's is left out",
                    "name plugin tools in a namespace of their own, e.g. hello.greet"))
                continue
            registry.add(s)
    registry.problems.extend(problems)
    return problems
