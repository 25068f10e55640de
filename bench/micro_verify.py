"""Micro-benchmark of check + verify: latency over the corpus and growth with length.

`run(quick=False)` returns verify_p50_ms and verify_p99_ms (check + verify of
every case of tests/verify/{accept,reject}, after parsing), and the time for
synthetic scripts of 50, 200 and 800 lines mixing straight code, branches,
for loops and while loops whose measures Z3 proves. The target is p99 under
100 ms for 200-line scripts. Run: `python -m bench.micro_verify [--quick]`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "verify"))

from harness import chunks, env_of, parse_header, policy_of, registry  # noqa: E402

from rlmlang.check import check  # noqa: E402
from rlmlang.syntax.parser import parse  # noqa: E402
from rlmlang.tools.registry import Size  # noqa: E402
from rlmlang.verify import solver, verify  # noqa: E402


def _verify_ms(text: str) -> float:
    setup = parse_header(text)
    script = parse(text).script
    if script is None:
        return 0.0
    env = env_of(setup)
    policy = policy_of(setup)
    solver._cache.clear()  # measure cold solver work, not the cache
    t0 = time.perf_counter()
    r = check(script, env)
    if r.checked is not None:
        verify(r.checked, policy=policy, budgets=setup.budget,
               input_sizes={k: Size(v, 1) for k, v in setup.sizes.items()},
               strict=setup.strict, input_values=setup.values or None)
    return (time.perf_counter() - t0) * 1000


_BLOCK = '''n{i} = len(context) // {k}
s{i} = ""
if n{i} > 10 and contains(question, "x{i}"):
    s{i} = upper(question[:20])
else:
    s{i} = lower(question[:10])
for line in lines(question):
    if startswith(line, "id{i}"):
        s{i} = s{i} + strip(line)[:5]
j{i} = 0
while j{i} < 20:
    j{i} = j{i} + 1
print(s{i} + str(j{i}))
'''


def synthetic(lines: int) -> str:
    out: list[str] = []
    i = 0
    while sum(b.count("\n") for b in out) < lines - 1:
        out.append(_BLOCK.format(i=i, k=i % 7 + 1))
        i += 1
    text = "".join(out)
    keep = text.split("\n")[: lines - 1]
    # Cut at a block boundary so the script stays well formed.
    while keep and (keep[-1].startswith(" ") or keep[-1].startswith(("if", "else", "for",
                                                                       "while"))):
        keep.pop()
    return "\n".join(keep) + '\nsubmit("done")\n'


def run(quick: bool = False) -> dict[str, float]:
    registry()
    cases = [text for kind in ("accept", "reject")
             for p in sorted((ROOT / "tests" / "verify" / kind).glob("*.rlm"))
             for _, text in chunks(p)]
    reps = 1 if quick else 3
    times = sorted(min(_verify_ms(t) for _ in range(reps)) for t in cases)
    result = {
        "verify_p50_ms": round(statistics.median(times), 2),
        "verify_p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
    }
    for n in (50, 200, 800):
        text = synthetic(n)
        result[f"verify_ms_{n}_lines"] = round(min(_verify_ms(text) for _ in range(reps)), 2)
    return result


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
