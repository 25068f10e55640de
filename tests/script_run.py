"""Run one script through the whole pipeline against str inputs: the tests' shared door."""

from __future__ import annotations

from rlmlang.pipeline import ScriptOutcome, ScriptSetup, execute_script
from rlmlang.tools import default_registry
from rlmlang.types import STR, Type


def run_script(script: str, output: Type, tier: str = "fast", **inputs: str) -> ScriptOutcome:
    """Parse, check, verify, compile and run `script` (no state, core tools only) on a VM
    tier (fast or reference)."""
    setup = ScriptSetup(registry=default_registry(include_plugins=False), inputs=dict(inputs),
                        input_types={name: STR for name in inputs}, output=output, state=None,
                        tier=tier)
    return execute_script(script, setup)
