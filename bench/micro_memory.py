"""Peak memory of `rlm run` on a needle task, against the size of its context.

Each run is a fresh `rlm run` process (real model, one round, one candidate,
a log and state store on disk), measured by the kernel's peak resident set of
that child. The model's own file size is subtracted, so what remains is the
runtime's overhead plus what the context costs; two context sizes (1 MB and
8 MB, or 256 KB and 2 MB with `quick`) show how it grows:

- `peak_rss_mb_8mb_context`: peak RSS minus the GGUF's size, in MB, at 8 MB;
- `rss_per_context_byte`: (peak at 8 MB − peak at 1 MB) / (8 MB − 1 MB).

Goal (issue 9): about 3 bytes per context byte at most, and under 150 MB of
runtime overhead besides. With `huge` it also runs a 100 MB context once
(`peak_rss_mb_100mb_context`; measured 403 MB beyond the model: far from what
a 24 GB machine holds).

The two sizes need not run the same script (the prompt states the size, so the
model may write another), so the per-byte figure mixes in that difference.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(peak_kb)
print(proc.returncode)
print(proc.stdout.strip()[-200:].replace(chr(10), " "))
"""


def make_context(path: Path, size: int, seed: int = 7) -> str:
    """A log of about `size` bytes with one needle line in the middle; returns the answer."""
    rng = random.Random(seed)
    lines: list[str] = []
    total = 0
    while total < size:
        line = (f"2026-02-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:00 badge "
                f"{rng.randint(1000, 9999)} opened door {rng.randint(1, 40)}, status ok")
        if "badge 4820" in line:
            continue
        lines.append(line)
        total += len(line) + 1
    lines.insert(len(lines) // 2, "2026-02-14 03:14 badge 4820: access code Q4-77ZK issued")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "Q4-77ZK"


def peak_mb(context: Path, workdir: Path) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "rlmlang.cli", "run", "What is the access code of badge 4820?",
           "--input", f"context=@{context}", "--log", str(workdir / "run.log"),
           "--budget", "iterations=1", "--budget", "candidates=1"]
    out = subprocess.run([sys.executable, "-c", _CHILD, *cmd], capture_output=True, text=True,
                         timeout=900)
    peak_kb, _code, answer = (out.stdout.splitlines() + ["0", "1", ""])[:3]
    return int(peak_kb) / 1024, answer


def run(quick: bool = False, huge: bool = False) -> dict[str, float]:
    from rlmlang.backend.registry import resolve_model

    model_mb = resolve_model(None).stat().st_size / 2**20
    small, big = (256_000, 2_000_000) if quick else (1_000_000, 8_000_000)
    results: dict[str, float] = {}
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="rlm-mem-") as tmp:
        for size in (small, big):
            work = Path(tmp) / str(size)
            work.mkdir()
            ctx = work / "context.txt"
            expected = make_context(ctx, size)
            peak, answer = peak_mb(ctx, work)
            real = ctx.stat().st_size
            peaks[size] = (peak, real)
            print(f"# context {real:,} bytes: peak RSS {peak:.1f} MB, answer {answer!r} "
                  f"(expected {expected})", file=sys.stderr)
            ctx.unlink()
        if huge:
            work = Path(tmp) / "huge"
            work.mkdir()
            make_context(work / "context.txt", 100_000_000)
            peak, answer = peak_mb(work / "context.txt", work)
            results["peak_rss_mb_100mb_context"] = round(peak - model_mb, 1)
            print(f"# context 100 MB: peak RSS {peak:.1f} MB, answer {answer!r}", file=sys.stderr)
    (p_small, b_small), (p_big, b_big) = peaks[small], peaks[big]
    label = "8mb" if not quick else "2mb"
    results[f"peak_rss_mb_{label}_context"] = round(p_big - model_mb, 1)
    results["rss_per_context_byte"] = round((p_big - p_small) * 2**20 / (b_big - b_small), 3)
    results["model_file_mb"] = round(model_mb, 1)
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv, huge="--huge" in sys.argv)))
