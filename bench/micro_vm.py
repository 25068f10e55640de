"""Micro-benchmark: the VM against CPython and against smolagents' LocalPythonExecutor.

Each workload is one loop-heavy script written twice with the same meaning:
in RLM script (compiled once, then run by our VM with fuel metering on) and
in Python (run by CPython as a script, i.e. module-level code, and inside a
function, the stricter comparison; and by smolagents' AST-walking executor,
the interpreter a peer agent framework runs model code with). Times are the
best of a few repeats, per loop iteration, so smolagents can run a smaller N.

Figures (geometric means over the workloads):
- vm_ratio_vs_cpython: our time / CPython's on the same script (module level);
- vm_ratio_vs_cpython_fn: the same against CPython running it inside a def;
- vm_speedup_vs_smolagents: smolagents' time / ours (skipped with a note if
  smolagents is not installed: `pip install smolagents`, only for this).
store_commits_per_s is bench/micro_store.py's.

Run: python -m bench.micro_vm [--quick]
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

from rlmlang.compiler import compile_source
from rlmlang.tools import core_specs
from rlmlang.tools.context import ToolContext
from rlmlang.tools.registry import Registry
from rlmlang.vm import run as vm_run

# name -> (RLM script, Python script, inputs(n)); the Python leaves its answer in `result`.
WORKLOADS: dict[str, tuple[str, str, Callable[[int], dict[str, Any]]]] = {
    "string_scan": (
        'n = 0\nfor ch in text:\n    if ch == "a" or ch == "e":\n        n += 1\nsubmit(n)\n',
        'n = 0\nfor ch in text:\n    if ch == "a" or ch == "e":\n        n += 1\nresult = n\n',
        lambda n: {"text": ("the quick brown fox jumps over a lazy dog " * (n // 40 + 1))[:n]},
    ),
    "arith_loop": (
        "total = 0\nfor i in range(n):\n    total = total + i * i % 7\nsubmit(total)\n",
        "total = 0\nfor i in range(n):\n    total = total + i * i % 7\nresult = total\n",
        lambda n: {"n": n},
    ),
    "list_building": (
        "acc = 0\nfor i in range(n):\n    row = [i, i + 1, i * 2]\n    acc = acc + row[2]\n"
        "submit(acc)\n",
        "acc = 0\nfor i in range(n):\n    row = [i, i + 1, i * 2]\n    acc = acc + row[2]\n"
        "result = acc\n",
        lambda n: {"n": n},
    ),
    "dict_counting": (
        "counts = {}\nfor w in words:\n    if w in counts:\n        counts[w] += 1\n    else:\n"
        "        counts[w] = 1\nsubmit(len(counts))\n",
        "counts = {}\nfor w in words:\n    if w in counts:\n        counts[w] += 1\n    else:\n"
        "        counts[w] = 1\nresult = len(counts)\n",
        lambda n: {"words": [f"w{(i * 7919) % 997}" for i in range(n)]},
    ),
}


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _as_function(py: str, names: list[str]) -> Callable[..., Any]:
    body = "\n".join("    " + line for line in py.splitlines())
    src = f"def _f({', '.join(names)}):\n{body}\n    return result\n"
    ns: dict[str, Any] = {}
    exec(compile(src, "<bench>", "exec"), ns)
    return ns["_f"]


def _smolagents() -> Any:
    try:
        from smolagents.local_python_executor import LocalPythonExecutor
    except ImportError:
        return None
    return LocalPythonExecutor


def run(quick: bool = False) -> dict[str, float]:
    n = 20_000 if quick else 200_000
    n_smol = 2_000 if quick else 20_000
    repeat = 2 if quick else 3
    reg = Registry(core_specs())
    executor_cls = _smolagents()
    if executor_cls is None:
        print("note: smolagents is not installed (pip install smolagents); "
              "vm_speedup_vs_smolagents is skipped", file=sys.stderr)
    out: dict[str, float] = {}
    ratios, ratios_fn, speedups = [], [], []
    for name, (rlm, py, make) in WORKLOADS.items():
        inputs = make(n)
        code = compile_source(rlm, reg)
        t_vm, res = _best(lambda code=code, inputs=inputs: vm_run(
            code, registry=reg, inputs=inputs, ctx=ToolContext(),
            budgets={"fuel": 10**12, "memory": 10**10}), repeat)
        assert res.status == "submitted", res.diagnostics
        compiled = compile(py, "<bench>", "exec")

        def module_level(compiled=compiled, inputs=inputs) -> Any:
            ns = dict(inputs)
            exec(compiled, ns)
            return ns["result"]

        t_py, want = _best(module_level, repeat)
        fn = _as_function(py, list(inputs))
        t_fn, want_fn = _best(lambda fn=fn, inputs=inputs: fn(**inputs), repeat)
        assert res.value == want == want_fn, (name, res.value, want)
        out[f"{name}_vm_ns_per_iter"] = round(t_vm / n * 1e9, 1)
        out[f"{name}_vm_ratio_vs_cpython"] = round(t_vm / t_py, 2)
        out[f"{name}_vm_ratio_vs_cpython_fn"] = round(t_vm / t_fn, 2)
        out[f"{name}_fuel_per_iter"] = round(res.fuel_used / n, 2)
        ratios.append(t_vm / t_py)
        ratios_fn.append(t_vm / t_fn)
        if executor_cls is not None:
            ex = executor_cls(additional_authorized_imports=[])
            ex.send_tools({})
            small = make(n_smol)
            ex.send_variables(small)
            t_sm, got = _best(lambda ex=ex, py=py: ex(py + "result"), 1)
            assert got.output == module_level(compiled, small), name
            speedup = (t_sm / n_smol) / (t_vm / n)
            out[f"{name}_vm_speedup_vs_smolagents"] = round(speedup, 1)
            speedups.append(speedup)
    out["vm_ratio_vs_cpython"] = round(_geo(ratios), 2)
    out["vm_ratio_vs_cpython_fn"] = round(_geo(ratios_fn), 2)
    if speedups:
        out["vm_speedup_vs_smolagents"] = round(_geo(speedups), 1)
    return out


def _geo(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


if __name__ == "__main__":
    for k, v in run(quick="--quick" in sys.argv).items():
        print(f"{k}: {v}")
