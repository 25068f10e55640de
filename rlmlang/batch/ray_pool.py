"""Ray for more than one machine: each worker is an actor that keeps its model loaded.

`rlm batch --ray ADDRESS|auto|local` (the `rlmlang[ray]` extra). Ray
places the actors, each declaring the CPUs one model takes (`--ray-cpus`,
default 1; llama.cpp runs that many threads in it), and `ray.util.ActorPool`
hands each task to the next free actor: no scheduler or RPC of our own.
Every node needs rlmlang and the models installed (the same `install.sh`).

What crosses the wire is plain data: the task (its file inputs read here
first, so the nodes need no shared disk), and back the result line with the
run's log and state store as bytes, which the caller writes into the
batch's folder (each file written beside and renamed, so the folder never
holds half a log). A task to resume travels with its log and store. A task
the batch was stopped in the middle of has left nothing in the folder, so
the next run starts it again; it is never recorded twice (only the caller
writes results).

`local` starts a Ray runtime in this process bound to the loopback address
only; `auto` joins the cluster this machine belongs to (`ray start`), an
address joins that one. Ray's usage statistics stay off unless the
environment turns them on.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rlmlang.batch.plan import RESUME, Step, store_path
from rlmlang.batch.tasks import read_inputs
from rlmlang.batch.worker import run_task
from rlmlang.diagnostics import Diagnostic, DiagnosticError

_STORE_SUFFIXES = ("", "-wal", "-shm")


def _import_ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", "--ray needs Ray, which is not installed",
            fix="pip install 'rlmlang[ray]' (or run without --ray: the local pool)")]) from None
    return ray


def connect(ray: Any, address: str) -> None:
    if ray.is_initialized():
        return
    if address == "local":
        # One machine: bind to loopback (Ray's own switch for single-machine use).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        ray.init(include_dashboard=False, log_to_driver=False)
        return
    try:
        ray.init(address=address, log_to_driver=False)
    except ConnectionError as e:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"no Ray cluster at {address!r}: {e}",
            fix="start one (`ray start --head`), give its address, or use --ray local")]) \
            from None


def _read_files(log: Path) -> dict[str, bytes]:
    files = {log.name: log.read_bytes()} if log.exists() else {}
    store = store_path(log)
    for suffix in _STORE_SUFFIXES:
        f = Path(str(store) + suffix)
        if f.exists():
            files[f.name] = f.read_bytes()
    return files


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)


class TaskActor:
    """A Ray actor: one process, one loaded model, many tasks (worker.run_task)."""

    def __init__(self, threads: int) -> None:
        if not os.environ.get("RLM_THREADS"):
            os.environ["RLM_THREADS"] = str(max(1, threads))

    def run(self, step: Step, factory: str | None,
            files: dict[str, bytes]) -> tuple[dict[str, Any], dict[str, bytes]]:
        tmp = Path(tempfile.mkdtemp(prefix="rlm-batch-"))
        try:
            log = tmp / step.log.name
            _write_files(tmp, files)
            rec = run_task(step.task, step.action, str(log), factory)
            return rec, ({} if rec.get("stopped") else _read_files(log))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def portable(step: Step) -> Step:
    """The step with its file inputs read into values: a remote node has no such files."""
    if not any("file" in spec for spec in step.task.inputs.values()):
        return step
    values = read_inputs(step.task)
    task = dataclasses.replace(step.task, inputs={k: {"value": v} for k, v in values.items()})
    return dataclasses.replace(step, task=task)


class RayPool:
    """Runs steps on Ray actors; the same contract as pool.LocalPool."""

    def __init__(self, address: str, workers: int | None = None, cpus: float | None = None,
                 factory: str | None = None, model_bytes: int | None = None) -> None:
        self.ray = _import_ray()
        connect(self.ray, address)
        total = float(self.ray.cluster_resources().get("CPU", 1))
        self.cpus = float(cpus) if cpus else 1.0
        self.workers = workers or max(1, int(total // self.cpus))
        self.factory = factory

    def run(self, steps: list[Step], on_message: Callable[[tuple[Any, ...]], None],
            on_result: Callable[[dict[str, Any]], None]) -> bool:
        from ray.util import ActorPool

        ray = self.ray
        n = min(self.workers, len(steps))
        actor_class = ray.remote(num_cpus=self.cpus)(TaskActor)
        actors = [actor_class.remote(int(self.cpus)) for _ in range(n)]
        pool = ActorPool(actors)
        by_id = {s.task.id: s for s in steps}
        unfinished = set(by_id)
        try:
            for s in steps:
                files = _read_files(s.log) if s.action == RESUME else {}
                pool.submit(lambda a, v: a.run.remote(v[0], v[1], v[2]),
                            (portable(s), self.factory, files))
            for s in steps[:n]:
                on_message(("start", s.task.id, s.action))
            started = n
            while pool.has_next():
                try:
                    rec, files = pool.get_next_unordered()
                except ray.exceptions.RayError as e:  # an actor died: its task is not done
                    on_message(("note", f"a Ray worker failed: {e}"))
                    continue
                step = by_id[rec["id"]]
                if files:
                    _write_files(step.log.parent, files)
                rec = {**rec, "log": str(step.log) if files else None}
                unfinished.discard(step.task.id)
                on_result(rec)
                if started < len(steps):
                    on_message(("start", steps[started].task.id, steps[started].action))
                    started += 1
        except KeyboardInterrupt:
            for tid in sorted(unfinished):  # nothing of theirs reached the folder: start again
                on_result({"id": tid, "stopped": True})
            return False
        finally:
            for a in actors:
                ray.kill(a, no_restart=True)
        return True
