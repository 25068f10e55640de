"""The tool layer: builtins, skills, stdlib functions, host tools and plugins.

`default_registry()` is the one place that gathers them, in a fixed order
(builtins, skills, stdlib, host tools, plugins) so that a name clash is
reported against whoever came first; a stdlib module or plugin that clashes
or fails to load is left out, and the diagnostics why are kept in the
registry's `problems` (the commands print them) rather than breaking every run.
"""

from __future__ import annotations

from rlmlang.tools.declare import infer_result
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host import host_specs
from rlmlang.tools.registry import Registry, ToolSpec


def core_specs() -> list[ToolSpec]:
    """Builtins, skills and table operations: pure, always available (tools/core.py)."""
    from rlmlang.tools.core import core_specs as specs  # loaded when used: start-up stays light

    return specs()


def default_registry(include_host: bool = True, include_plugins: bool = True,
                     include_stdlib: bool = True) -> Registry:
    """Every tool a script may name: builtins + skills + stdlib + host tools + plugins."""
    reg = Registry(core_specs())
    if include_stdlib:
        from rlmlang.tools.stdlib import stdlib_specs  # lazy: keeps lark out of start-up

        for spec in stdlib_specs(reg, problems=reg.problems):
            reg.add(spec)
    if include_host:
        for spec in host_specs():
            reg.add(spec)
    if include_plugins:
        # lazy: keeps importlib.metadata out of start-up
        from rlmlang.tools.plugins import add_plugins

        add_plugins(reg)
    return reg


__all__ = ["Registry", "ToolError", "ToolSpec", "core_specs", "default_registry",
           "infer_result"]
