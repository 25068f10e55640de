"""Plugins: tools from other installed packages, by entry point.

A package adds tools by declaring an entry point in the group
`rlmlang.tools`, e.g. in its pyproject.toml:

    [project.entry-points."rlmlang.tools"]
    hello = "rlm_hello:tools"

The entry point resolves to a ToolSpec, a list of ToolSpecs, or a callable
returning either. Each spec's origin becomes `plugin:<distribution>`. A
plugin that fails to import, returns something else, or names a tool that
already exists is skipped with a warning naming the distribution: one
broken package must not stop every run. A plugin's tools use the same
Permission kinds as host tools, or their own (registered with
`rlmlang.policy.register_kind`, scope style "name" by default).
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from rlmlang.tools.registry import Registry, ToolSpec

GROUP = "rlmlang.tools"


class PluginWarning(UserWarning):
    """A plugin could not be loaded, or one of its tools was skipped."""


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return name or ep.value.split(":", 1)[0].split(".", 1)[0]


def _specs_of(obj: Any) -> list[ToolSpec]:
    if callable(obj) and not isinstance(obj, ToolSpec):
        obj = obj()
    if isinstance(obj, ToolSpec):
        return [obj]
    if isinstance(obj, (list, tuple)) and all(isinstance(s, ToolSpec) for s in obj):
        return list(obj)
    raise TypeError(f"expected a ToolSpec or a list of ToolSpecs, got {type(obj).__name__}")


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


def add_plugins(registry: Registry) -> list[str]:
    """Add every plugin's tools to `registry`; returns the warnings given (also warned)."""
    problems: list[str] = []
    for ep in plugin_entry_points():
        dist = _dist_name(ep)
        try:
            specs = load_entry_point(ep)
        except Exception as e:  # noqa: BLE001 - any plugin failure becomes a warning
            problems.append(f"plugin {dist!r} (entry point {ep.name} = {ep.value}) could not "
                            f"be loaded and is skipped: {type(e).__name__}: {e}")
            continue
        for s in specs:
            if s.name in registry:
                first = registry.get(s.name)
                problems.append(f"plugin {dist!r}: tool {s.name!r} is already provided by "
                                f"{first.origin if first else '?'}; the plugin's is skipped")
                continue
            registry.add(s)
    for p in problems:
        warnings.warn(p, PluginWarning, stacklevel=2)
    return problems
