"""Shared helpers for the tool-layer tests: specs by name, and running a real script."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from rlmlang.tools import default_registry
from rlmlang.tools.registry import Registry, ToolSpec


@lru_cache(maxsize=1)
def registry() -> Registry:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return default_registry(include_plugins=False)


def spec(name: str) -> ToolSpec:
    s = registry().get(name)
    assert s is not None, name
    return s


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """A pure tool's implementation, called the way the VM calls it."""
    s = spec(name)
    assert s.impl is not None and not s.effect
    return s.impl(*args, **kwargs)


def run_script(text: str, inputs: dict[str, Any] | None = None, output: Any = None,
               policy: Any = None, root: Path | None = None, llm: Any = None,
               types: dict[str, str] | None = None) -> Any:
    """The script through the one pipeline (parse, stdlib, check, verify, compile,
    validate, run); the VM's result."""
    from rlmlang.pipeline import ScriptSetup, execute_script
    from rlmlang.task.signature import input_type
    from rlmlang.types import STR, parse_type

    inputs = dict(inputs or {})
    declared = {k: parse_type(t) for k, t in (types or {}).items()}
    setup = ScriptSetup(
        registry=registry(), inputs=inputs,
        input_types={k: declared.get(k) or input_type(v) for k, v in inputs.items()},
        output=parse_type(output) if isinstance(output, str) else (output or STR),
        state=None, policy=policy, root=root or Path.cwd(), llm=llm, file="<test>")
    outcome = execute_script(text, setup)
    assert outcome.vm is not None, [d.render(text) for d in outcome.diagnostics]
    return outcome.vm
