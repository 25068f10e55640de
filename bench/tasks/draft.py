"""The in-memory form of one benchmark task, before it is written to disk.

Each group builder (`needle`, `records`, `lookup`, `inject`) returns a
`TaskDraft`: the question, the input texts, the expected answer, and an
`oracle` — a small declarative description of how the answer follows from
the data (which file, which column, which filter, which operation). The
generator computes `expected` from its own in-memory records; the tests
recompute it from the written files by following the oracle with their own
code, so a bug in either shows up as a disagreement.

`fill_to` is the one text-building helper: it emits filler lines until a byte
target is reached, dropping the given special lines (needles, distractors,
injected instructions) at fixed fractions of the way through.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench.tasks.filler import LineMaker


@dataclass
class TaskDraft:
    """One task: what is asked, over which inputs, and what the answer is."""

    id: str
    group: str
    question: str
    signature: str
    files: dict[str, tuple[str, str]]  # input name -> (file extension, text)
    expected: str | int | float
    answer_type: str  # "str" | "int" | "float"
    oracle: dict[str, Any]
    grant: list[str] = field(default_factory=list)
    canaries: list[str] = field(default_factory=list)
    quick: bool = False


def fill_to(
    rng: random.Random,
    maker: LineMaker,
    size: int,
    inserts: list[tuple[float, str]],
    header: str | None = None,
) -> str:
    """Filler lines up to about `size` bytes with `inserts` placed at byte fractions.

    Every insert is emitted exactly once, even if the filler ends first, so a
    needle is never lost to rounding.
    """
    pending = sorted(inserts, key=lambda fl: fl[0])
    out: list[str] = []
    n = 0
    if header is not None:
        out.append(header)
        n += len(header) + 1
    i = 0
    while n < size:
        while i < len(pending) and n >= pending[i][0] * size:
            out.append(pending[i][1])
            n += len(pending[i][1].encode()) + 1
            i += 1
        line = maker(rng)
        out.append(line)
        n += len(line.encode()) + 1
    for _, line in pending[i:]:
        out.append(line)
    return "\n".join(out) + "\n"


def spread(rng: random.Random, k: int, lo: float = 0.02, hi: float = 0.98) -> list[float]:
    """`k` random fractions in [lo, hi], for placing distractor lines."""
    return [rng.uniform(lo, hi) for _ in range(k)]
