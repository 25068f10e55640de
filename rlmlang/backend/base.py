"""The model backend interface the controller talks to.

A backend turns a prompt (plus an optional GBNF grammar) into text. The
controller never sees llama.cpp: it sees `Generation` values, which carry the
numbers the log records (tokens, cache hits, timings, why generation stopped).
Errors that stop a run (no model file, a corrupt GGUF, an invalid grammar)
are `ModelError`s carrying an `E_MODEL` diagnostic with a concrete fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from rlmlang.diagnostics import Diagnostic, DiagnosticError

# Why generation ended: the model's end token or the grammar's end ("eos"),
# the token limit or the context window ("length"), a stop string ("stop").
STOP_REASONS = ("eos", "length", "stop")


@dataclass
class Generation:
    """One completed generation and what it cost."""

    text: str
    tokens: int
    prompt_tokens: int
    cached_tokens: int
    prompt_seconds: float
    gen_seconds: float
    stop_reason: str
    # Decoding-engine counters (grammar fast-path hits and fallbacks), for the log.
    stats: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.gen_seconds if self.gen_seconds > 0 else 0.0


@dataclass(frozen=True)
class Request:
    """One generation's arguments, as `Backend.generate` takes them."""

    prompt: str
    grammar: str | None = None
    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] | None = None


@runtime_checkable
class Backend(Protocol):
    """What the controller needs from a model."""

    name: str
    context_size: int

    def generate(
        self,
        prompt: str,
        *,
        grammar: str | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int = 0,
        stop: list[str] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation: ...

    def count_tokens(self, text: str) -> int: ...

    def chat_prompt(
        self, messages: list[dict[str, str]], add_generation_prompt: bool = True
    ) -> str: ...

    def info(self) -> dict[str, Any]: ...


class ModelError(DiagnosticError):
    """A model that cannot be found, loaded or run; always code E_MODEL."""

    def __init__(self, message: str, fix: str | None = None, **data: Any):
        self.message = message
        self.fix = fix
        diag = Diagnostic("E_MODEL", message, file="<model>", fix=fix, data=dict(data))
        super().__init__([diag])

    def __str__(self) -> str:
        return self.message + (f" (fix: {self.fix})" if self.fix else "")


class GrammarError(ModelError):
    """A GBNF grammar that llama.cpp's grammar engine refuses."""
