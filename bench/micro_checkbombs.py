"""Checking never hangs: the verifier's time on ordinary scripts and on check bombs.

`run(quick=False)` verifies (parse, check, verify, as `rlm check` does) the
realistic scripts of tests/verify/realistic at input sizes from 50 KB to
10 MB and the verifier's accept and reject corpus, and reports
`verify_p50_s` and `verify_p99_s` over them (goal: p99 at most 2 s); then
scripts written to make checking slow: a 4-deep nest of loops over pieces
of text, 60 while loops the solver cannot decide (Fermat's cubes), 60 it
refutes, a long script of straight code, and expressions nested to the
parser's limit: `verify_bomb_<name>_s` each, and `verify_max_s` over
everything (goal: at most 10 s; the verifier's own budget, solver.Budget,
turns a bomb into E_UNPROVEN).
Run: `python -m bench.micro_checkbombs [--quick]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "verify"))

from harness import chunks, parse_header, run_text  # noqa: E402
from realistic_data import SIGNATURE, cases  # noqa: E402

from rlmlang.pipeline import CheckOptions, analyze_source  # noqa: E402


def bombs() -> dict[str, tuple[str, str]]:
    """name -> (signature, script)."""
    nest = ("n = 0\nfor a in lines(context):\n    for b in split(a, \",\"):\n"
            "        for c in split(b, \" \"):\n            for d in split(c, \"-\"):\n"
            "                if contains(d, \"x\"):\n                    n = n + 1\n"
            "submit(str(n))\n")
    fermat = []
    for i in range(60):
        fermat += [f"x{i} = 100", f"while x{i} > 0:",
                   f"    if a * a * a + b * b * b == c * c * c + {i}:",
                   f"        x{i} = x{i} + 1", "    else:", f"        x{i} = x{i} - 1"]
    refuted = []
    for i in range(60):
        refuted += [f"y{i} = len(context)", f"while y{i} != 7:", f"    y{i} = y{i} * 3 + 1"]
    straight = ["n = 0"] + [f"n = n + {i} % 7" for i in range(3000)]
    deep = "x = " + "(" * 60 + "1" + ")" * 60
    return {
        "nest4": (SIGNATURE, nest),
        "fermat60": ("a: int, b: int, c: int -> answer: str",
                     "\n".join(fermat) + '\nsubmit("x")\n'),
        "refuted60": (SIGNATURE, "\n".join(refuted) + '\nsubmit("x")\n'),
        "straight3000": (SIGNATURE, "\n".join(straight) + "\nsubmit(str(n))\n"),
        "deep_expr": (SIGNATURE, deep + "\nsubmit(str(x))\n"),
    }


def _check(sig: str, text: str, size: int) -> tuple[float, list[str]]:
    sizes = {n.split(":")[0].strip(): size for n in sig.split("->")[0].split(",")}
    t = time.perf_counter()
    a = analyze_source(text, "bench.rlm", CheckOptions(signature=sig, input_sizes=sizes))
    return time.perf_counter() - t, [d.code for d in a.diagnostics if d.severity == "error"]


def run(quick: bool = False) -> dict[str, float]:
    times: list[float] = []
    for path in sorted((ROOT / "tests" / "verify").glob("*/*.rlm")):
        if path.parent.name not in ("accept", "reject"):
            continue
        for _, text in chunks(path):
            t = time.perf_counter()
            run_text(text, parse_header(text))
            times.append(time.perf_counter() - t)
    sizes = [52_310, 10_000_000] if quick else [52_310, 1_000_000, 10_000_000]
    for _, text, head in cases():
        for size in sizes:
            times.append(_check(head.get("signature", SIGNATURE), text, size)[0])
    times.sort()
    out: dict[str, float] = {
        "verify_checks": len(times),
        "verify_p50_s": round(statistics.median(times), 4),
        "verify_p99_s": round(times[min(len(times) - 1, int(0.99 * len(times)))], 4),
    }
    worst = times[-1]
    for name, (sig, text) in bombs().items():
        secs, codes = _check(sig, text, 1_000_000)
        worst = max(worst, secs)
        out[f"verify_bomb_{name}_s"] = round(secs, 3)
        print(f"# {name}: {secs:.2f} s, {sorted(set(codes))}", file=sys.stderr)
    out["verify_max_s"] = round(worst, 3)
    return out


if __name__ == "__main__":
    for k, v in sorted(run(quick="--quick" in sys.argv).items()):
        print(f"{k}={v}")
