"""`python -m bench tasks`: run the task suite in each mode and record the figures.

Modes: `direct` (baseline a, `bench.baseline_direct`), and `grammar` /
`free` (rlmlang with and without the grammar), which go through
`rlmlang.bench_hooks.run_task(task, model, mode) -> dict` — the controller's
side of the contract, returning the result fields `bench.scoring` documents.
When that hook does not exist yet, the harness says so and runs `direct` only.

Each task dict handed to a mode is the manifest entry plus `dir` (absolute
folder of its files; `bench.tasks.manifest.read_inputs(task)` loads them).
One task failing (an exception) is recorded as a failed task with `error`,
never stops the run. Results go to `bench/results/tasks-<model>[-quick].json`
and the tables in `docs/benchmarks.md` are regenerated from every results file.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report
from bench.baseline_direct import DEFAULT_WINDOW
from bench.scoring import judge, summarize
from bench.tasks.manifest import DEFAULT_OUT, DEFAULT_SEED, ensure_tasks, load_tasks

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODES = ("direct", "grammar", "free")

Runner = Callable[[dict[str, Any]], dict[str, Any]]


def load_hook() -> Callable[..., dict[str, Any]] | None:
    """`rlmlang.bench_hooks.run_task`, or None (with the reason printed) if it is missing."""
    try:
        bench_hooks = importlib.import_module("rlmlang.bench_hooks")
    except ModuleNotFoundError as e:
        if e.name not in ("rlmlang.bench_hooks", "rlmlang"):
            raise
        print("modes grammar/free need rlmlang.bench_hooks.run_task(task, model, mode), "
              "which does not exist yet: running mode direct only.", file=sys.stderr)
        return None
    hook = getattr(bench_hooks, "run_task", None)
    if hook is None:
        print("rlmlang.bench_hooks has no run_task(task, model, mode): running mode direct only.",
              file=sys.stderr)
    return hook


def safe_name(model: str) -> str:
    """A model name or path as a file-name fragment."""
    stem = Path(model).stem if ("/" in model or model.endswith(".gguf")) else model
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) or "model"


def _compact(result: dict[str, Any]) -> dict[str, Any]:
    """A result fit for the JSON file: long texts cut."""
    out = {}
    for k, v in result.items():
        if isinstance(v, str) and len(v) > 400:
            v = v[:400] + "…"
        out[k] = v
    return out


def run_mode(mode: str, tasks: list[dict[str, Any]], runner: Runner) -> dict[str, Any]:
    """Run `runner` on every task, judge each result, and summarise."""
    results = []
    for task in tasks:
        start = time.perf_counter()
        try:
            raw = runner(task)
        except Exception as e:  # noqa: BLE001 - one task's failure must not stop the run
            raw = {"answer": None, "error": f"{type(e).__name__}: {e}",
                   "wall_s": time.perf_counter() - start}
        res = judge(task, raw)
        res["mode"] = mode
        results.append(_compact(res))
        mark = "ok  " if res["correct"] else ("ERR " if res.get("error") else "miss")
        shown = str(res.get("answer"))[:40].replace("\n", " ")
        print(f"[{mode}] {task['id']:<13} {mark} {res.get('wall_s', 0):6.1f}s "
              f"answer={shown!r} expected={task['expected']!r}", file=sys.stderr, flush=True)
    return {"summary": summarize(results), "results": results}


def run_tasks(
    model: str | None = None,
    quick: bool = False,
    modes: list[str] | None = None,
    window: int | None = None,
    data_dir: Path = DEFAULT_OUT,
    seed: int = DEFAULT_SEED,
    only: list[str] | None = None,
    results_dir: Path = RESULTS_DIR,
    docs: Path | None = report.DOCS,
) -> dict[str, Any]:
    """Run the suite; write the results file and the docs tables; return the report."""
    started = time.perf_counter()
    modes = list(modes or MODES)
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise ValueError(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    ensure_tasks(data_dir, seed, quick)
    tasks = load_tasks(data_dir, quick)
    if only:
        tasks = [t for t in tasks if t["id"] in only or t["group"] in only]
    hook = load_hook() if any(m != "direct" for m in modes) else None
    if hook is None:
        modes = [m for m in modes if m == "direct"]

    from rlmlang.backend import load_backend

    backend = load_backend(model)
    model_name = backend.name
    info = backend.info()
    out: dict[str, Any] = {
        "model": model_name,
        "model_info": {k: info.get(k) for k in ("name", "sha256", "size_bytes", "context_size",
                                                "n_threads", "llama_cpp_python")},
        "quick": quick,
        "seed": seed,
        "window": window or min(DEFAULT_WINDOW, backend.context_size),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "modes": {},
    }
    for mode in modes:
        if mode == "direct":
            from bench.baseline_direct import run_task as direct

            out["modes"][mode] = run_mode(mode, tasks, lambda t: direct(t, backend, window))
        else:
            assert hook is not None
            out["modes"][mode] = run_mode(mode, tasks, lambda t, m=mode: hook(t, model, m))
    if hasattr(backend, "close"):
        backend.close()
    results_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if quick else ""
    if only:
        suffix += "-partial"
    path = results_dir / f"tasks-{safe_name(model_name)}{suffix}.json"
    out["wall_s"] = round(time.perf_counter() - started, 1)
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    out["path"] = str(path)
    if docs is not None and not only:
        report.update_docs(results_dir, docs)
    for mode, data in out["modes"].items():
        print(report.summary_line(model_name, mode, data["summary"]))
    print(f"the whole run took {out['wall_s'] / 60:.1f} min")
    return out
