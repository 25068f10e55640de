"""Micro-benchmark: the VM against CPython and against smolagents' LocalPythonExecutor.

Each workload is one loop-heavy script written twice with the same meaning:
in RLM script (compiled once, then run by our VM with fuel metering on, on
both tiers: the fast tier, the default, and the reference interpreter) and
in Python (run by CPython as a script, i.e. module-level code, and inside a
function, the stricter comparison; and by smolagents' AST-walking executor,
the interpreter a peer agent framework runs model code with). Times are the
best of a few repeats, per loop iteration, so smolagents can run a smaller N.

The VM, the interpreter and CPython are timed in turns within each
repetition (best of the repetitions), so a noisy, shared machine slows them
alike and the ratios stay comparable.

Figures (geometric means over the workloads), for the default (fast) tier:
- vm_ratio_vs_cpython: our time / CPython's on the same script (module level);
- vm_ratio_vs_cpython_fn: the same against CPython running it inside a def;
- vm_speedup_vs_smolagents: smolagents' time / ours (skipped with a note if
  smolagents is not installed: `pip install smolagents`, only for this);
and the same for the interpreter (interp_ratio_vs_cpython, ...), plus
fast_speedup_vs_interp. store_commits_per_s is bench/micro_store.py's.

Run: python -m bench.micro_vm [--quick] [--repeat N]
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


def _turns(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, Any]]:
    """Best time of each function, running them in turns `repeat` times."""
    best: dict[str, tuple[float, Any]] = {k: (math.inf, None) for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t
            if dt < best[k][0]:
                best[k] = (dt, out)
    return best


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    return _turns({"x": fn}, repeat)["x"]


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


def run(quick: bool = False, repeat: int | None = None) -> dict[str, float]:
    n = 20_000 if quick else 200_000
    n_smol = 2_000 if quick else 20_000
    repeat = repeat or (2 if quick else 5)
    reg = Registry(core_specs())
    executor_cls = _smolagents()
    if executor_cls is None:
        print("note: smolagents is not installed (pip install smolagents); "
              "vm_speedup_vs_smolagents is skipped", file=sys.stderr)
    out: dict[str, float] = {}
    geo: dict[str, list[float]] = {k: [] for k in (
        "vm_ratio_vs_cpython", "vm_ratio_vs_cpython_fn", "vm_speedup_vs_smolagents",
        "interp_ratio_vs_cpython", "interp_ratio_vs_cpython_fn", "interp_speedup_vs_smolagents",
        "fast_speedup_vs_interp")}
    for name, (rlm, py, make) in WORKLOADS.items():
        inputs = make(n)
        code = compile_source(rlm, reg)
        compiled = compile(py, "<bench>", "exec")
        fn = _as_function(py, list(inputs))

        def vm(tier: str, code: Any = code, inputs: dict[str, Any] = inputs) -> Any:
            return vm_run(code, registry=reg, inputs=inputs, ctx=ToolContext(),
                          budgets={"fuel": 10**12, "memory": 10**10}, tier=tier)

        def module_level(compiled: Any = compiled, inputs: dict[str, Any] = inputs) -> Any:
            ns = dict(inputs)
            exec(compiled, ns)
            return ns["result"]

        vm("fast")  # translate and compile once, outside the timing (it is cached)
        best = _turns({"fast": lambda: vm("fast"), "interp": lambda: vm("interp"),
                       "py": module_level, "fn": lambda fn=fn, inputs=inputs: fn(**inputs)},
                      repeat)
        (t_vm, res), (t_in, res_in) = best["fast"], best["interp"]
        (t_py, want), (t_fn, want_fn) = best["py"], best["fn"]
        assert res.status == "submitted", res.diagnostics
        assert res.value == want == want_fn, (name, res.value, want)
        assert (res_in.value, res_in.fuel_used) == (res.value, res.fuel_used), name
        out[f"{name}_vm_ns_per_iter"] = round(t_vm / n * 1e9, 1)
        out[f"{name}_interp_ns_per_iter"] = round(t_in / n * 1e9, 1)
        out[f"{name}_vm_ratio_vs_cpython"] = round(t_vm / t_py, 2)
        out[f"{name}_interp_ratio_vs_cpython"] = round(t_in / t_py, 2)
        out[f"{name}_fuel_per_iter"] = round(res.fuel_used / n, 2)
        for tier, t in (("vm", t_vm), ("interp", t_in)):
            geo[f"{tier}_ratio_vs_cpython"].append(t / t_py)
            geo[f"{tier}_ratio_vs_cpython_fn"].append(t / t_fn)
        geo["fast_speedup_vs_interp"].append(t_in / t_vm)
        if executor_cls is not None:
            ex = executor_cls(additional_authorized_imports=[])
            ex.send_tools({})
            small = make(n_smol)
            ex.send_variables(small)
            t_sm, got = _best(lambda ex=ex, py=py: ex(py + "result"), 1)
            assert got.output == module_level(compiled, small), name
            for tier, t in (("vm", t_vm), ("interp", t_in)):
                speedup = (t_sm / n_smol) / (t / n)
                out[f"{name}_{tier}_speedup_vs_smolagents"] = round(speedup, 1)
                geo[f"{tier}_speedup_vs_smolagents"].append(speedup)
    for k, xs in geo.items():
        if xs:
            out[k] = round(_geo(xs), 2)
    return out


def _geo(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


if __name__ == "__main__":
    rep = sys.argv[sys.argv.index("--repeat") + 1] if "--repeat" in sys.argv else None
    for k, v in run(quick="--quick" in sys.argv, repeat=int(rep) if rep else None).items():
        print(f"{k}: {v}")
