"""Amortized loop bounds: a loop over the pieces of a text costs about the text.

`for line in lines(t)` runs at most n = len(t)+1 times, each line can be up to
len(t) long, yet all the lines together hold at most T = len(t) characters.
Bounding the loop by n × (cost of one iteration with the longest line) is
quadratic; the real cost is linear. This module turns a few samples of the
per-iteration cost c(s) (the body evaluated with the item bounded by size s)
into a sound bound on the sum over all iterations, using only what the cost
model already guarantees: c is monotone in s.

- Sample c at 0 = s_0 < s_1 < ... < s_k = S (the item's size bound), doubling.
- Sizes are whole numbers and c is monotone, so c(s) <= c(s_j) for s in
  s_{j-1}+1 .. s_j: the points (0, c(0)), (s_{j-1}+1, c(s_j)) and
  (s_j, c(s_j)) lie above c at every size; their upper concave hull ĉ is a
  concave, non-decreasing function >= c.
- For m <= n items of sizes s_i with Σ s_i <= T, Jensen gives
  Σ c(s_i) <= m·ĉ(Σ s_i / m) <= m·ĉ(min(S, T/m)), and m·ĉ(min(S, T/m)) grows
  with m (ĉ(0) >= 0, concave), so the bound is n·ĉ(min(S, T/n)).

For a cost that is affine in the item's size, a + b·s, this is about
n·a + 2·b·T instead of n·(a + b·S). Nothing is assumed about the shape of c
beyond monotonicity, so a quadratic body (an inner loop over the pieces of
the item) is still bounded soundly, by its chord. The same argument bounds
the total growth of an accumulator (`out = out + line` grows by at most T).
"""

from __future__ import annotations

from dataclasses import dataclass

from rlmlang.verify.sizes import INF, Num


def grid(size: int, ratio: int = 2) -> list[int]:
    """Sample sizes 0, 1, r, r², ... below `size`, then `size` itself."""
    out = [0]
    s = 1
    while s < size:
        out.append(s)
        s *= ratio
    out.append(size)
    return out


def scaled_majorant(points: list[tuple[int, int]], n: int, nx: int) -> int:
    """n × (least concave majorant of the points at x), rounded up, where nx = n·x.

    The majorant at x is the highest chord between a point at or left of x and
    one at or right of x; all in integers (n·x is an integer here).
    """
    best = 0
    for i, (px, py) in enumerate(points):
        if px * n == nx:
            best = max(best, n * py)
        if px * n > nx:
            continue
        for qx, qy in points[i + 1:]:
            if qx > px and qx * n >= nx:
                num = py * (qx * n - nx) + qy * (nx - px * n)
                best = max(best, -(-num // (qx - px)))
    return best


@dataclass(frozen=True)
class Amortizer:
    """How to sum a per-item quantity over a loop of n items totalling T, each <= S.

    Sampling costs one evaluation of the loop body per size, so the caller
    samples `coarse` sizes (ratio 4) first and the `fine` ones (ratio 2) only
    where `loose` says the coarse bound is far above what the samples suggest.
    """

    n: int
    size: int  # S: the largest item
    total: int  # T: the items' sizes add up to at most this
    coarse: tuple[int, ...]  # 0 = s_0 < s_1 < ... < s_k = S
    fine: tuple[int, ...]

    @staticmethod
    def make(n: Num, size: Num, total: Num) -> Amortizer | None:
        """None where the amortized bound cannot beat n × (value at S)."""
        if INF in (n, size, total) or n <= 0 or size <= 1:
            return None
        n, size, total = int(n), int(size), int(total)
        if n * size <= total:
            return None
        return Amortizer(n, size, total, tuple(grid(size, 4)), tuple(grid(size, 2)))

    @property
    def nx(self) -> int:
        return min(self.n * self.size, self.total)

    def sum(self, samples: dict[int, Num]) -> Num:
        """Bound on Σ over the iterations, from values sampled at sizes 0..S (a monotone
        quantity: the value at size s bounds every item of at most s)."""
        sizes = sorted(samples)
        if not sizes or sizes[0] != 0 or sizes[-1] != self.size:
            raise ValueError("samples must include sizes 0 and S")
        values = [samples[s] for s in sizes]
        if any(v == INF for v in values):
            return INF
        if values[0] == values[-1]:  # the same at every size (monotone): n × it
            return self.n * int(values[0])
        # Sizes are whole numbers: for s in s_{j-1}+1 .. s_j, c(s) <= c(s_j).
        pts: list[tuple[int, int]] = [(0, int(values[0]))]
        for j in range(1, len(values)):
            pts += [(sizes[j - 1] + 1, int(values[j])), (sizes[j], int(values[j]))]
        return scaled_majorant(pts, self.n, self.nx)

    def loose(self, samples: dict[int, Num]) -> bool:
        """Whether finer samples could tighten the bound by more than a quarter: the
        bound is compared with the hull of the samples themselves (not an upper bound
        between them, only an estimate of what a fine grid could reach)."""
        got = self.sum(samples)
        if got == INF:
            return False
        est = scaled_majorant([(s, int(v)) for s, v in sorted(samples.items())], self.n,
                              self.nx)
        return got > est + est // 4 + 16
