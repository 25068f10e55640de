"""rlmlang: a runtime in which a local model writes scripts that are verified before they run.

From Python:

    from rlmlang import Runtime, example
    rt = Runtime(log_path="runs/api.log")
    out = rt.run("context: str, question: str -> code: str",
                 "What is the access code of badge 4820?",
                 context=example("needle/context.txt"))
    print(out.code)  # the signature's output field; also out.answer

Every error a caller can meet is a `DiagnosticError` (or a subclass: `ModelError`,
`PolicyError`, `StateError`) whose `.code` is a stable `E_...` code (`CODES`
lists them) and whose `.diagnostics` say what and how to fix it. A plugin's
tools are functions decorated with `@rlmlang.tool`; they raise `ToolError`.
Everything is imported on first use, so `import rlmlang` stays cheap.
"""

from importlib import import_module
from typing import Any

from rlmlang.version import __version__

_EXPORTS: dict[str, str] = {
    "Runtime": "rlmlang.controller.loop",
    "RunOutcome": "rlmlang.controller.loop",
    "tool": "rlmlang.tools.decorator",
    "ToolError": "rlmlang.tools.errors",
    "Diagnostic": "rlmlang.diagnostics",
    "DiagnosticError": "rlmlang.diagnostics",
    "CODES": "rlmlang.diagnostics",
    "ModelError": "rlmlang.backend.base",
    "PolicyError": "rlmlang.policy",
    "StateError": "rlmlang.store",
    "StdlibError": "rlmlang.tools.stdlib",
    "Policy": "rlmlang.policy",
    "example": "rlmlang.resources",
}
__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so `rlm check` never loads llama.cpp.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rlmlang' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
