"""The results file: one JSON line per finished task, the batch's record of what is done.

Only the batch's parent process writes it, one whole line per task with a
single `write` and an fsync, so a line is either there or not; a line cut
off by a kill (the last one) is dropped when the file is opened again. The
first line for a task is its result: a task with one is never run again.

A line holds: `id`, `line` (in the task file), `status` (`answered`,
`uncertain`, `no_answer`, `error`), `answer` (for `uncertain`, the
best-supported candidate, not an answer), `uncertainty` (how many of the
run's drawn scripts support that answer, of how many, and how many
candidate answers there were; null when no script submitted one), `reason`,
`log` (relative to the results file), `seconds`, `tokens`, `iterations`,
`resumed` (the run was continued from a killed attempt's log), `recovered`
(the run had ended but its line was missing: written from the log's
`run_end`), `model` and `task_sha256`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.task.answers import answer_key

STATUSES = ("answered", "uncertain", "no_answer", "error")


def uncertainty(status: str, answer: Any, vote: list[dict[str, Any]]) -> dict[str, Any] | None:
    """How much of the run's evidence (scripts drawn) stands behind the answer (or the
    leading candidate)."""
    if not vote:
        return None
    def draws(v: dict[str, Any]) -> int:  # logs from before draws were counted: scripts
        return int(v.get("draws", v.get("scripts", 0)))

    total = sum(draws(v) for v in vote)
    key = answer_key(answer) if answer is not None else None
    support = next((draws(v) for v in vote
                    if key is not None and answer_key(v.get("value")) == key), 0)
    return {"support": support, "scripts": total,
            "share": round(support / total, 3) if total else 0.0, "candidates": len(vote)}


def end_record(end: dict[str, Any]) -> dict[str, Any]:
    """The result fields of a run's end (a RunOutcome's fields, or a log's `run_end`)."""
    status = str(end.get("status") or "error")
    used = end.get("used") or {}
    stats = end.get("stats") or {}
    vote = end.get("vote") or []
    answer = end.get("answer")
    return {"status": status if status in STATUSES else "error", "answer": answer,
            "uncertainty": uncertainty(status, answer, vote), "reason": end.get("reason", ""),
            "seconds": round(float(used.get("seconds", stats.get("wall_seconds", 0.0))), 3),
            "tokens": int(used.get("tokens", stats.get("tokens", 0))),
            "iterations": int(end.get("iterations") or 0)}


class ResultsFile:
    """The results JSONL: read once when opened, then appended to, line by line."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.done: dict[str, dict[str, Any]] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as e:
            raise DiagnosticError([Diagnostic(
                "E_IO", f"cannot open the results file {self.path}: {e.strerror}")]) from None
        self._load()

    def _load(self) -> None:
        with open(self.path, "rb") as f:
            raw = f.read()
        if raw and not raw.endswith(b"\n"):  # a line cut off by a kill: it never happened
            cut = raw.rfind(b"\n") + 1
            os.ftruncate(self._fd, cut)
            raw = raw[:cut]
        for n, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise DiagnosticError([Diagnostic(
                    "E_USAGE", f"{self.path}:{n}: not a results line (not JSON)",
                    fix="remove the line, or give another --out")]) from None
            if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                self.done.setdefault(rec["id"], rec)

    def log_ref(self, log: str | os.PathLike[str]) -> str:
        """A log's path as the results file records it: relative to the file's folder."""
        return os.path.relpath(os.path.abspath(log), os.path.abspath(self.path.parent))

    def append(self, record: dict[str, Any]) -> None:
        if record["id"] in self.done:  # exactly once, whatever the caller does
            return
        try:
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in an answer: escaped, never fatal
            line = (json.dumps(record) + "\n").encode("ascii")
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)
        self.done[record["id"]] = record

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
