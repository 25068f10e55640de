"""Micro-benchmark of the front end: how fast a script parses, next to CPython.

The figure that matters is the ratio to `ast.parse` of the nearest Python
equivalent, measured side by side in the same process and run (the machine
is shared, so absolute rates drift; the ratio drifts much less). The
script is 200 lines of the shapes a model writes (loops over lines, string
tests, calls of tools with keyword arguments, defs with typed parameters,
while loops with a measure, casts), built deterministically. Its Python twin
is the same text without the two things Python lacks (`decreases` clauses and
`as T` casts). Each figure is the median of several timed repetitions after
a warm-up, so the one-off grammar construction is not counted.
Run as `python bench/micro_parse.py` to print `name=value` lines.
"""

from __future__ import annotations

import ast as pyast
import re
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rlmlang.syntax.parser import parse  # noqa: E402

_BLOCK = '''\
# block {i}: scan the context for lines that mention the question
hits{i} = []
count{i} = 0
for line in lines(context):
    if contains(line, question) and len(line) > {i}:
        hits{i} = hits{i} + [line]
        count{i} += 1
    elif find_line(line, "total") != "":
        print("total line: " + line[0:40])
    else:
        continue
n{i} = len(hits{i})
while n{i} > 0 decreases n{i}:
    n{i} = n{i} - 1
def score{i}(text: str, weight: int) -> int:
    parts = split(text, ",")
    if len(parts) >= 3 and not contains(text, "#"):
        return len(parts) * weight + {i} % 7
    return 0
best{i} = llm.predict("Which line answers the question?", text=join(hits{i}, "\\n")) as str
state.notes = {{"block": "{i}", "best": best{i}, "n": str(count{i})}}
'''

_LINES_PER_BLOCK = _BLOCK.count("\n")


def rlm_script(lines: int = 200) -> str:
    """A deterministic script of `lines` lines (whole blocks, then a submit)."""
    blocks = max(1, (lines - 1) // _LINES_PER_BLOCK)
    text = "".join(_BLOCK.format(i=i) for i in range(blocks))
    pad = lines - 1 - blocks * _LINES_PER_BLOCK
    text += "".join(f"extra{j} = {j} + 1\n" for j in range(pad))
    return text + 'submit(join(hits0, "\\n"))\n'


def python_twin(rlm: str) -> str:
    """The nearest Python text: drop `decreases e` and `as T`, which Python lacks."""
    text = re.sub(r" decreases [^:]+:", ":", rlm)
    return re.sub(r"\) as [a-z]+(\[[a-z, ]+\])?$", ")", text, flags=re.M)


def _median_time(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(quick: bool = False) -> dict[str, float]:
    """Parse rate of a 200-line script and its ratio to CPython's ast.parse."""
    script = rlm_script(200)
    twin = python_twin(script)
    n_lines = script.count("\n")
    result = parse(script, "bench.rlm")  # warm-up: builds (or loads) the parser
    if not result.ok:
        raise RuntimeError(f"the benchmark script does not parse: {result.diagnostics}")
    pyast.parse(twin)
    reps = 5 if quick else 15
    rounds = []
    for _ in range(3):  # interleave, so a burst of load on the machine hits both sides
        t_rlm = _median_time(lambda: parse(script, "bench.rlm"), reps)
        t_py = _median_time(lambda: pyast.parse(twin), reps)
        rounds.append((t_rlm, t_py))
    t_rlm = statistics.median(r[0] for r in rounds)
    t_py = statistics.median(r[1] for r in rounds)
    ratio = statistics.median(r[0] / r[1] for r in rounds)
    return {
        "parse_lines_per_s": round(n_lines / t_rlm),
        "parse_ms_200_lines": round(t_rlm * 1000, 3),
        "ast_parse_ms_200_lines": round(t_py * 1000, 3),
        "parse_ratio_vs_ast_parse": round(ratio, 1),
    }


if __name__ == "__main__":
    for name, value in run(quick="--quick" in sys.argv).items():
        print(f"{name}={value}")
