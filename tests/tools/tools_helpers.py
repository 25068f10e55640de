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
    """Parse, expand stdlib, check, verify, compile and run; the VM's result."""
    from rlmlang.check import Env, check
    from rlmlang.compiler import compile_program
    from rlmlang.syntax.parser import parse
    from rlmlang.tools.context import ToolContext
    from rlmlang.tools.registry import size_of
    from rlmlang.tools.stdlib import expand
    from rlmlang.types import STR, parse_type
    from rlmlang.verify import verify
    from rlmlang.vm import run as vm_run

    inputs = dict(inputs or {})
    parsed = parse(text, "<test>")
    assert parsed.script is not None, [d.render(text) for d in parsed.diagnostics]
    script, reg = expand(parsed.script, registry(), inputs)
    declared = {k: parse_type(t) for k, t in (types or {}).items()}
    types_ = {k: declared.get(k) or _type_of(v) for k, v in inputs.items()}
    out_t = parse_type(output) if isinstance(output, str) else (output or STR)
    checked = check(script, Env(inputs=types_, state={}, output=out_t, registry=reg), "<test>")
    assert checked.checked is not None, [d.render(text) for d in checked.diagnostics]
    verified = verify(checked.checked, policy=policy, budgets={},
                      input_sizes={k: size_of(v) for k, v in inputs.items()}, state_sizes={},
                      input_values=inputs, file="<test>")
    assert verified.program is not None, [d.render(text) for d in verified.diagnostics]
    code = compile_program(verified.program, reg, "<test>")
    ctx = ToolContext(policy=policy, root=root or Path.cwd(), llm=llm)
    return vm_run(code, registry=reg, inputs=inputs, ctx=ctx, budgets={},
                  fuel_bound=verified.program.fuel_bound)


def _type_of(v: Any) -> Any:
    from rlmlang.types import FLOAT, INT, STR, ListT

    if isinstance(v, str):
        return STR
    if isinstance(v, bool):
        raise TypeError("bool inputs are not used in these tests")
    if isinstance(v, int):
        return INT
    if isinstance(v, float):
        return FLOAT
    if isinstance(v, list):
        return ListT(_type_of(v[0]) if v else STR)
    raise TypeError(type(v))
