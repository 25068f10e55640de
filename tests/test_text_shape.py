"""text_shape counts lines without listing them: same figures as lines(text) gives.

The verifier bounds `for line in lines(context)` by these figures, so they
must match split_lines exactly, at chunk boundaries and with "\\r\\n" too.
"""

from __future__ import annotations

import random

import pytest

import rlmlang.tools.registry as registry
from rlmlang.tools.builtins import split_lines


def _by_list(text: str) -> tuple[int, int, int]:
    parts = split_lines(text)
    return len(parts), max(map(len, parts), default=0), sum(map(len, parts))


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_text_shape_matches_split_lines(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(registry, "_SHAPE_CHUNK", chunk)
    rng = random.Random(chunk)
    texts = ["", "\n", "\r", "\r\n", "a\r", "ab\r\ncd\r\n", "x\n\ny", "long line\r\nx\n"]
    texts += ["".join(rng.choice(["a", "bc", "\n", "\r", "\r\n", "wxyz"])
                      for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert registry.text_shape.__wrapped__(text) == _by_list(text), repr(text)
