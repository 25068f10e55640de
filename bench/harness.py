"""`python -m bench tasks`: run the task suite per model × profile × mode, cached and resumable.

Modes: `direct` (the floor: the model prompted with the inputs cut to its
window, `bench.baseline_direct`), `grammar` and `free` (rlmlang with and without
the grammar), which go through `rlmlang.bench_hooks.run_task(task, model, mode,
profile=...)`, the controller's side of the contract (fields in
`bench.scoring`). Each task dict handed to a mode is the manifest entry plus
`dir` (absolute folder of its files).

Every judged result goes to the cache (`bench.cache`) under the model, the
profile (`none` for direct), the mode and the code version, and is never run
again for that code version: a second call resumes where a killed one
stopped, and the matrix is built over several runs. After the runs, one
results file per model, `bench/results/bench-<model>.json`, is rewritten from
the cache (compact per-task results, newest code version first, older ones
marked), and the tables in `docs/benchmarks.md` are regenerated from every
results file. One task failing (an exception) is recorded as a failed task
with `error`; it never stops the run.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench import report
from bench.baseline_direct import DEFAULT_WINDOW
from bench.cache import CACHE_DIR, ResultCache, code_version, safe, task_digest
from bench.scoring import judge
from bench.tasks.manifest import DEFAULT_OUT, ensure_tasks, load_tasks

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODES = ("direct", "grammar", "free")
MODELS = ("smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
SPLITS = ("dev", "test", "all")
# Per-task fields kept in the committed results file (the cache keeps everything).
KEEP = ("answer", "correct", "status", "uncertain", "error", "scripts", "parse_failures",
        "verifier_rejections", "repaired", "runtime_failures", "violations", "blocked",
        "tokens_generated", "wall_s", "model_s", "peak_rss_mb", "code_version", "finished",
        "task_digest", "split", "family", "group", "quick", "formats")

Runner = Callable[[dict[str, Any]], dict[str, Any]]


def load_hook() -> Callable[..., dict[str, Any]] | None:
    """`rlmlang.bench_hooks.run_task`, or None (with the reason printed) if it is missing."""
    try:
        from rlmlang import bench_hooks
    except ModuleNotFoundError as e:
        if e.name not in ("rlmlang.bench_hooks", "rlmlang"):
            raise
        print("modes grammar/free need rlmlang.bench_hooks.run_task: running direct only.",
              file=sys.stderr)
        return None
    return getattr(bench_hooks, "run_task", None)


def model_profile(model: str | None) -> tuple[str, str]:
    """The model's registry name (or file stem) and its default profile, without loading it."""
    from rlmlang.backend.registry import default_name, load_registry
    from rlmlang.controller.profiles import TINY_MODEL_BYTES

    reg = load_registry()
    key = model or default_name(reg)
    entry = reg.models.get(key)
    if entry is not None:
        return entry.name, entry.profile or "tiny"
    path = Path(key).expanduser()
    if not path.is_file():
        raise ValueError(f"unknown model {key!r}; use one of: {', '.join(reg.models)}")
    return safe(path.stem), ("coder" if path.stat().st_size >= TINY_MODEL_BYTES else "tiny")


def select(tasks: list[dict[str, Any]], split: str, only: list[str] | None,
           limit: int | None, per_family: int | None = None) -> list[dict[str, Any]]:
    """The tasks of one split (or all), by id, group or family; the first `per_family` of
    each family in each split (a sample that keeps every family); the first `limit` of
    each split."""
    out = [t for t in tasks if split == "all" or t["split"] == split]
    if only:
        out = [t for t in out if t["id"] in only or t["group"] in only or t["family"] in only]
    if per_family is not None:
        seen: dict[tuple[str, str], int] = {}
        sample = []
        for t in out:
            key = (t["split"], t["family"])
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= per_family:
                sample.append(t)
        out = sample
    if limit is not None:
        kept: list[dict[str, Any]] = []
        for s in ("dev", "test"):
            kept += [t for t in out if t["split"] == s][:limit]
        out = [t for t in out if t in kept]
    return out


def peak_rss_mb() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_one(task: dict[str, Any], runner: Runner, mode: str) -> dict[str, Any]:
    """Run and judge one task; an exception is a failed task, not a stopped run."""
    start = time.perf_counter()
    try:
        raw = runner(task)
    except Exception as e:  # noqa: BLE001 - one task's failure must not stop the run
        raw = {"answer": None, "error": f"{type(e).__name__}: {e}",
               "wall_s": time.perf_counter() - start}
    res = judge(task, raw)
    res.update(mode=mode, split=task["split"], family=task["family"], quick=task["quick"],
               formats=task.get("formats", {}), peak_rss_mb=peak_rss_mb(),
               finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    for k, v in list(res.items()):
        if isinstance(v, str) and len(v) > 400:
            res[k] = v[:400] + "…"
    return res


def _print(mode: str, task: dict[str, Any], res: dict[str, Any], cached: bool) -> None:
    mark = "ok  " if res["correct"] else ("ERR " if res.get("error") else "miss")
    if res.get("uncertain") or res.get("status") == "uncertain":
        mark = "unc " if not res["correct"] else mark
    shown = str(res.get("answer"))[:40].replace("\n", " ")
    print(f"[{mode}] {task['id']:<20} {task['split']:<4} {mark} {res.get('wall_s') or 0:6.1f}s"
          f"{' (cached)' if cached else ''} answer={shown!r} expected={task['expected']!r}",
          file=sys.stderr, flush=True)


def results_file(model: str, results_dir: Path = RESULTS_DIR) -> Path:
    return results_dir / f"bench-{safe(model)}.json"


def write_results(model: str, tasks: Iterable[dict[str, Any]], cache: ResultCache,
                  version: str, info: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Rewrite the model's results file from the cache; keep entries of tasks not loaded."""
    path = results_file(model, results_dir)
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        old = {}
    runs: dict[str, dict[str, dict[str, Any]]] = old.get("runs", {})
    tasks = list(tasks)
    for m, profile, mode in cache.combos():
        if m != safe(model):
            continue
        key = f"{profile}/{mode}"
        entries = runs.setdefault(key, {})
        for task in tasks:
            res = cache.get(m, profile, mode, version, task) or cache.latest(m, profile, mode,
                                                                             task)
            if res is not None:
                entries[task["id"]] = {k: res.get(k) for k in KEEP if k in res}
            elif task["id"] in entries and entries[task["id"]].get("task_digest") != \
                    task_digest(task):
                del entries[task["id"]]  # the task changed: its old result no longer applies
    out = {"format": 2, "model": model, "code_version": version, "model_info": info or
           old.get("model_info", {}), "machine": {"python": platform.python_version(),
                                                  "cpus": os.cpu_count()},
           "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
           "runs": {k: dict(sorted(v.items())) for k, v in sorted(runs.items()) if v}}
    results_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, sort_keys=True, default=str) + "\n")
    return path


def run_tasks(
    models: list[str | None] | None = None,
    profile: str | None = None,
    split: str = "all",
    quick: bool = False,
    modes: list[str] | None = None,
    window: int | None = None,
    data_dir: Path = DEFAULT_OUT,
    seed: int | None = None,
    only: list[str] | None = None,
    limit: int | None = None,
    per_family: int | None = None,
    seconds: int | None = None,
    results_dir: Path = RESULTS_DIR,
    cache_dir: Path = CACHE_DIR,
    docs: Path | None = report.DOCS,
    hook: Callable[..., dict[str, Any]] | None = None,
    backend_loader: Callable[[str | None], Any] | None = None,
    logs_dir: Path | None = None,
) -> dict[str, Any]:
    """Run what is not cached; write the results files and the docs tables; return counts.
    With `logs_dir`, each run's log is kept there as `<model>-<mode>-<task>.log`."""
    started = time.perf_counter()
    modes = list(modes or ("grammar", "direct"))
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise ValueError(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    ensure_tasks(data_dir, seed, quick)
    tasks = select(load_tasks(data_dir, quick), split, only, limit, per_family)
    hook = hook or (load_hook() if any(m != "direct" for m in modes) else None)
    if hook is None:
        modes = [m for m in modes if m == "direct"]
    version = code_version()
    cache = ResultCache(cache_dir)
    if logs_dir is not None:
        logs_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {"ran": 0, "cached": 0}
    for model in models or [None]:
        name, default_profile = model_profile(model)
        prof = profile or default_profile
        backend: Any = None
        info: dict[str, Any] = {}
        for mode in modes:
            mode_profile = "none" if mode == "direct" else prof
            for task in tasks:
                res = cache.get(name, mode_profile, mode, version, task)
                if res is not None:
                    counts["cached"] += 1
                    _print(mode, task, res, cached=True)
                    continue
                if backend is None:
                    from rlmlang.bench_hooks import backend_for

                    backend = (backend_loader or backend_for)(model)
                    binfo = backend.info() if hasattr(backend, "info") else {}
                    info = {k: binfo.get(k) for k in ("name", "sha256", "size_bytes",
                                                      "context_size", "n_threads")}
                keep = logs_dir / f"{safe(name)}-{mode}-{task['id']}.log" if logs_dir else None
                runner = _runner(mode, backend, model, mode_profile, window, hook, seconds, keep)
                res = run_one(task, runner, mode)
                cache.put(name, mode_profile, mode, version, task, res)
                counts["ran"] += 1
                _print(mode, task, res, cached=False)
        if backend is not None and backend_loader is None:
            from rlmlang.bench_hooks import release

            release(model)
        write_results(name, load_tasks(data_dir, quick), cache, version, info, results_dir)
    if docs is not None:
        report.update_docs(results_dir, docs)
    for line in report.terminal(report.load(results_dir), version):
        print(line)
    wall = time.perf_counter() - started
    print(f"{counts['ran']} task runs, {counts['cached']} from the cache; {wall / 60:.1f} min")
    return {**counts, "code_version": version, "wall_s": wall}


def _runner(mode: str, backend: Any, model: str | None, profile: str, window: int | None,
            hook: Callable[..., dict[str, Any]] | None, seconds: int | None = None,
            keep_log: Path | None = None) -> Runner:
    if mode == "direct":
        from bench.baseline_direct import run_task as direct

        win = window or min(DEFAULT_WINDOW, getattr(backend, "context_size", DEFAULT_WINDOW))
        return lambda t: direct(t, backend, win)
    assert hook is not None
    extra: dict[str, Any] = {"budgets": {"seconds": seconds}} if seconds else {}
    if keep_log is not None:
        extra["keep_log"] = keep_log
    return lambda t: hook(t, model, mode, profile=profile, **extra)
