"""Several independent generations at once, answered in the order they were asked.

`generate_all(backend, requests)` is the one entry point. A backend that
serves several sequences itself says so with `generate_batch(requests)`:
the server backend sends concurrent requests to a server's slots
(`ServerBackend.generate_batch`). The in-process llama.cpp backend is
driven by a `BatchDecoder` (batched.py) when `RLM_SUBCALL_PARALLEL=N` asks
for it: one extra context in which up to N sequences decode together, one
token each per `llama_decode`. It is off by default: on the 2-core machines
this project is measured on it gains only ~1.2x on sub-calls (their
prompts, which batching does not shorten, dominate their few answer
tokens; docs/scale.md), costs N+1 windows of KV cache, and its arithmetic
is not the sequential one (below). Any other backend answers one request
after the other. Whatever the route, result i belongs to request i.

Determinism: the requests and their order are fixed by the caller, each
keeps its own seed, and the results come back in request order, so the
log records them by index and a replay returns the same values in the same
order. The values themselves are what the model computed in that batch:
batched decoding (in-process, or a server's continuous batching) is not
bit for bit the arithmetic of one request at a time (other batch shapes,
other kernels), so a greedy choice between two near-tied tokens can differ
from a sequential run (measured in-process: 2 of 8 free-text summaries
worded differently after a few tokens; 16 of 16 short answers through
llama-server identical).
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from rlmlang.backend.base import Generation, Request

DEFAULT_PARALLEL = 1  # in-process; see the module doc


def subcall_parallel() -> int:
    """Sequences decoded together in-process: $RLM_SUBCALL_PARALLEL, else 1 (one at a time)."""
    env = os.environ.get("RLM_SUBCALL_PARALLEL", "")
    return max(1, int(env)) if env.isdigit() else DEFAULT_PARALLEL


_BATCHERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def batch_decoder(backend: Any, parallel: int) -> Any:
    """The backend's BatchDecoder (made on first use, kept as long as the backend)."""
    dec = _BATCHERS.get(backend)
    if dec is None or dec.n_seq != parallel:
        from rlmlang.backend.batched import BatchDecoder  # lazy: keeps llama.cpp out of start-up

        if dec is not None:
            dec.close()
        dec = _BATCHERS[backend] = BatchDecoder(backend, parallel)
    return dec


def sequential(backend: Any, requests: list[Request]) -> list[Generation]:
    return [backend.generate(r.prompt, grammar=r.grammar, max_tokens=r.max_tokens,
                             temperature=r.temperature, seed=r.seed,
                             stop=list(r.stop) if r.stop else None) for r in requests]


def generate_all(backend: Any, requests: list[Request],
                 parallel: int | None = None) -> list[Generation]:
    """Every request's Generation, in order; concurrently where the backend can."""
    if not requests:
        return []
    own = getattr(backend, "generate_batch", None)
    if callable(own):
        return list(own(requests, parallel=parallel))
    width = parallel or subcall_parallel()
    if width > 1 and len(requests) > 1 and hasattr(backend, "decoder") \
            and hasattr(backend, "llm"):
        return batch_decoder(backend, width).generate(requests)
    return sequential(backend, requests)
