"""What each task needs, read from disk: skip it, write its result from its log, resume, start.

The results file and the task's log are the only memory between attempts.
A log is read leniently here (whole lines only, no chain check): the run
that continues it checks the chain itself (`LogWriter.resume`), and the
audit checks everything.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlmlang.batch.tasks import Task
from rlmlang.store import remove_store

SKIP, RECOVER, RESUME, START = "skip", "recover", "resume", "start"


@dataclass
class Step:
    task: Task
    action: str  # skip | recover | resume | start
    log: Path
    end: dict[str, Any] | None = None  # the log's run_end payload (recover)


def log_path(out: Path, task: Task) -> Path:
    return out / "logs" / f"{task.id}.log"


def store_path(log: Path) -> Path:
    """Where a run keeps its state store by default: beside its log."""
    return log.with_name(log.name + ".state")


def _whole_events(path: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # cut off mid-write: resume removes it
            try:
                obj = json.loads(raw)
            except ValueError:
                break
            if isinstance(obj, dict):
                events.append(obj)
    return events


def plan(tasks: list[Task], out: Path, done: set[str]) -> list[Step]:
    """One step per task, in the file's order."""
    steps = []
    for task in tasks:
        log = log_path(out, task)
        if task.id in done:
            steps.append(Step(task, SKIP, log))
            continue
        events = _whole_events(log) if log.is_file() else []
        if not events or events[0].get("kind") != "run_start":
            # Nothing was recorded (killed before the first line): start afresh.
            if log.exists():
                os.unlink(log)
            remove_store(store_path(log))
            steps.append(Step(task, START, log))
        elif events[-1].get("kind") == "run_end":
            steps.append(Step(task, RECOVER, log, events[-1].get("data") or {}))
        else:
            steps.append(Step(task, RESUME, log))
    return steps
