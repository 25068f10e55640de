"""llama.cpp's own grammar engine as the tests' oracle, with the vocabulary loaded once.

Resolving the model path (registry, GGUF header) costs more than a check, so
`accepts` resolves it once and hands the same vocabulary to every call.
"""

from __future__ import annotations

import functools
from unittest import mock

import pytest


def model_available() -> bool:
    try:
        from rlmlang.backend.registry import resolve_model

        resolve_model(None)
        return True
    except Exception:  # noqa: BLE001 - no default model installed
        return False


needs_vocab = pytest.mark.skipif(not model_available(), reason="default model not installed")


@functools.lru_cache(maxsize=1)
def vocab():
    from rlmlang.backend.decoding import vocab_model

    return vocab_model(None)


def accepts(grammar: str, text: str) -> bool:
    """Does llama.cpp accept `text` as a whole sentence of `grammar` (`grammar_accepts`)?"""
    from rlmlang.backend import decoding

    vm = vocab()
    with mock.patch.object(decoding, "vocab_model", lambda _path=None: vm):
        return decoding.grammar_accepts(grammar, text)
