"""The amortized loop bound against brute force: it must cover the worst allocation.

For a monotone per-item cost c and a loop of at most n items, each at most S,
summing to at most T, `Amortizer.sum` (from c sampled at its grid) must be at
least the true maximum of Σ c(s_i), found here by dynamic programming over
every allocation. Cost shapes: affine, floored (the fuel table's), concave,
convex, steps, and arbitrary monotone sequences.
"""

from __future__ import annotations

import math
import random

import pytest

from rlmlang.verify.amortize import Amortizer, grid
from rlmlang.verify.sizes import INF


def _worst(c: list[int], n: int, size: int, total: int) -> int:
    """max Σ c(s_i) over at most n items with s_i <= size and Σ s_i <= total."""
    best = [0] * (total + 1)  # best with k items so far, for each total budget
    for _ in range(n):
        new = best[:]
        for t in range(total + 1):
            for s in range(min(size, t) + 1):
                v = best[t - s] + c[s]
                if v > new[t]:
                    new[t] = v
        best = new
    return best[total]


def _shape(rng: random.Random, size: int) -> list[int]:
    kind = rng.choice(["affine", "floor", "concave", "convex", "step", "random"])
    a, b = rng.randint(0, 20), rng.randint(0, 9)
    out = []
    for s in range(size + 1):
        if kind == "affine":
            v = a + b * s
        elif kind == "floor":
            v = 1 + (s + a) // 4
        elif kind == "concave":
            v = a + int(b * 5 * math.sqrt(s))
        elif kind == "convex":
            v = a + b * s * s
        elif kind == "step":
            v = a + (b * 10 if s > size // 2 else 0)
        else:
            v = rng.randint(0, 30)
        out.append(v)
    for s in range(1, size + 1):  # make it monotone
        out[s] = max(out[s], out[s - 1])
    return out


CASES = list(range(150))


@pytest.mark.parametrize("seed", CASES)
def test_bound_covers_the_worst_allocation(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(2, 24)
    n = rng.randint(1, 12)
    total = rng.randint(0, min(40, n * size))
    c = _shape(rng, size)
    am = Amortizer.make(n, size, total)
    if am is None:
        assert n * size <= total or size <= 1
        return
    worst = _worst(c, n, size, total)
    for sizes in (am.coarse, am.fine, sorted(set(am.coarse) | set(am.fine))):
        bound = am.sum({s: c[s] for s in sizes})
        assert bound >= worst, (c, n, size, total, sizes, bound, worst)


def test_affine_costs_are_near_linear_in_the_total() -> None:
    # 1,000,001 lines of one 1,000,000-char text, 5 + s/64 fuel each: n·5 + O(T), not n·S.
    am = Amortizer.make(1_000_001, 1_000_000, 1_000_000)
    assert am is not None
    bound = am.sum({s: 5 + s // 64 for s in am.fine})
    assert 5_000_005 <= bound <= 5_000_005 + 4 * 1_000_000 // 64
    assert am.sum({0: 1, 5: INF, 1_000_000: INF}) == INF


def test_no_gain_no_amortizer() -> None:
    assert Amortizer.make(10, 100, 1000) is None  # 10 chunks of 100: n·S = T already
    assert Amortizer.make(INF, 5, 5) is None
    assert grid(1000)[:4] == [0, 1, 2, 4] and grid(1000)[-1] == 1000
