"""Model backends: the interface (`base`), llama.cpp in-process (`llama`), the registry.

Importing this package is cheap; llama.cpp is loaded only by `load_backend`.
"""

from __future__ import annotations

from rlmlang.backend.base import Backend, Generation, GrammarError, ModelError

__all__ = ["Backend", "Generation", "GrammarError", "ModelError", "load_backend"]


def load_backend(model: str | None = None, **kwargs: object) -> Backend:
    """The in-process llama.cpp backend for a registry name or GGUF path (None: default)."""
    if isinstance(model, str) and model.startswith(("http://", "https://")):
        # an OpenAI-compatible server; lazy: keeps jinja2 out of start-up
        from rlmlang.backend.server import ServerBackend

        return ServerBackend(model, **kwargs)  # type: ignore[arg-type]
    from rlmlang.backend.llama import LlamaBackend  # lazy: keeps llama.cpp out of start-up

    return LlamaBackend(model, **kwargs)  # type: ignore[arg-type]
