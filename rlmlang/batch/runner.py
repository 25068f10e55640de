"""`run_batch`: load the tasks, plan them from disk, run what is left, record each result.

The output folder (default: beside the task file, `<name>.batch/`) holds
`results.jsonl` and `logs/<task id>.log` with each log's state store beside
it (`<id>.log.state`), so `rlm audit` and `rlm replay` work on any task's log
as on any run's. One batch at a time may write to a folder (a lock file).
"""

from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rlmlang.backend.registry import resolve_model
from rlmlang.batch.plan import RECOVER, RESUME, SKIP, START, Step, plan
from rlmlang.batch.pool import LocalPool, default_workers
from rlmlang.batch.progress import Progress
from rlmlang.batch.ray_pool import RayPool
from rlmlang.batch.results import ResultsFile, end_record
from rlmlang.batch.tasks import Defaults, Task, load_tasks
from rlmlang.diagnostics import Diagnostic, DiagnosticError


@dataclass
class BatchSummary:
    total: int
    skipped: int = 0  # had a result before this run
    started: int = 0
    resumed: int = 0
    recovered: int = 0
    finished: int = 0  # got a result in this run (recovered ones included)
    stopped: int = 0  # did not finish: resumed by the next run
    interrupted: bool = False  # stopped by Ctrl-C
    statuses: dict[str, int] = field(default_factory=dict)  # over every task with a result
    seconds: float = 0.0
    out: str = ""
    results: str = ""
    workers: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.skipped + self.finished == self.total

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "complete": self.complete}


def default_out(task_file: Path) -> Path:
    return task_file.with_name(task_file.stem + ".batch")


def _lock(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"another rlm batch is writing to {out}",
            fix="wait for it to finish, or give this one another --out")]) from None
    return fd


def _model_bytes(tasks: list[Task], factory: str | None) -> int | None:
    """The largest model file a worker may load (None: the models are behind servers)."""
    if any(t.backend for t in tasks):
        return None
    if factory:
        return 0
    return max(resolve_model(m).stat().st_size for m in {t.model for t in tasks})


def run_batch(task_file: str | os.PathLike[str], *, out: str | os.PathLike[str] | None = None,
              results: str | os.PathLike[str] | None = None, workers: int | None = None,
              defaults: Defaults | None = None, ray: str | None = None,
              ray_cpus: float | None = None, factory: str | None = None,
              stream: TextIO | None = None, live: bool | None = None,
              quiet: bool = False) -> BatchSummary:
    """Run every task of `task_file` that has no result yet; see the package doc.

    `ray` ("auto", an address, or "local") schedules on Ray instead of the
    local pool; `ray_cpus` is what one model declares there. `factory`
    ("module:function") builds each worker's backend instead of loading the
    task's model (a backend made in code).
    """
    t0 = time.monotonic()
    path = Path(task_file)
    tasks = load_tasks(path, defaults)
    out_dir = Path(out) if out else default_out(path)
    lock = _lock(out_dir)
    res = ResultsFile(results or out_dir / "results.jsonl")
    try:
        steps = plan(tasks, out_dir, set(res.done))
        summary = BatchSummary(total=len(tasks), out=str(out_dir), results=str(res.path))
        for s in steps:
            old = res.done.get(s.task.id)
            if s.action == SKIP and old is not None and old.get("task_sha256") not in (
                    None, s.task.digest):
                summary.notes.append(
                    f"task {s.task.id} (line {s.task.line}) changed since its result was "
                    f"written; the result is kept (delete its line in {res.path} to run it "
                    "again)")
        already: dict[str, int] = {}
        for s in steps:
            if s.action == SKIP:
                status = res.done[s.task.id].get("status", "error")
                already[status] = already.get(status, 0) + 1
        summary.skipped = sum(already.values())
        progress = Progress(len(tasks), already, stream, live, quiet, streamed=not ray)
        for note in summary.notes:
            progress.say(f"note: {note}")

        def record(rec: dict[str, Any]) -> None:
            if rec.get("stopped"):
                summary.stopped += 1
                if rec.get("reason"):
                    summary.notes.append(f"task {rec['id']} did not finish: {rec['reason']}")
            else:
                rec = {**rec, "log": res.log_ref(rec["log"])} if rec.get("log") else rec
                res.append(rec)
                summary.finished += 1
            progress.result(rec)

        for s in steps:
            if s.action == RECOVER:  # the run ended, its result line was lost
                summary.recovered += 1
                record({"id": s.task.id, "line": s.task.line, "log": str(s.log),
                        "resumed": False, "recovered": True, "model": s.task.model,
                        "task_sha256": s.task.digest, **end_record(s.end or {})})
        todo = [s for s in steps if s.action in (RESUME, START)]
        todo.sort(key=lambda s: tuple(str(k) for k in s.task.model_key()))  # stable: by model
        summary.started = sum(s.action == START for s in todo)
        summary.resumed = sum(s.action == RESUME for s in todo)
        if todo:
            _dispatch(todo, summary, ray, ray_cpus, workers, factory, progress, record,
                      _model_bytes([s.task for s in todo], factory))
        progress.close()
        for s in steps:
            rec = res.done.get(s.task.id)
            if rec is not None:
                st = rec.get("status", "error")
                summary.statuses[st] = summary.statuses.get(st, 0) + 1
        summary.seconds = round(time.monotonic() - t0, 3)
        return summary
    finally:
        res.close()
        os.close(lock)


def _dispatch(todo: list[Step], summary: BatchSummary, ray: str | None, ray_cpus: float | None,
              workers: int | None, factory: str | None, progress: Progress,
              record: Any, model_bytes: int | None) -> None:
    if ray:
        pool: Any = RayPool(ray, workers=workers, cpus=ray_cpus, factory=factory,
                            model_bytes=model_bytes)
    else:
        pool = LocalPool(workers or default_workers(len(todo), model_bytes), factory)
    summary.workers = pool.workers
    try:
        summary.interrupted = not pool.run(todo, progress.message, record)
    except KeyboardInterrupt:
        summary.notes.append("killed on the second Ctrl-C: the logs of running tasks may end "
                             "mid-round; the next run resumes them")
        raise
