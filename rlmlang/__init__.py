"""rlmlang: a runtime in which a local model writes scripts that are verified before they run."""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Runtime", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so `rlm check` never loads llama.cpp.
    if name == "Runtime":
        from rlmlang.controller.loop import Runtime

        return Runtime
    raise AttributeError(name)
