"""The run index: one row per log, read from its run_start, run_end and error events.

A row remembers the size and modification time of the log it was read from,
so a log that changed (a resumed run, a run still at work when it was first
indexed) is read again, and a row whose log is gone is dropped. The index
is SQLite in rollback-journal mode (it leaves no `-wal` beside the logs),
written by whichever process ends a run, so every write waits its turn
(`timeout`). Its format number changes when its table does; an index of
another format is simply made again from the logs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.runlog import read_events

INDEX_NAME = "index.sqlite"
FORMAT = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    log TEXT PRIMARY KEY,        -- the log's file name in the directory
    size INTEGER NOT NULL,       -- the log's size and modification time when it was read
    mtime_ns INTEGER NOT NULL,
    ended REAL NOT NULL,         -- when the log was last written (UNIX seconds)
    seconds REAL,                -- the run's wall time, from run_end
    status TEXT NOT NULL,        -- run_end's status, or error | incomplete | unreadable
    answer TEXT,                 -- JSON
    reason TEXT,
    task TEXT,
    signature TEXT,
    model TEXT,
    iterations INTEGER,
    tokens INTEGER
);
CREATE INDEX IF NOT EXISTS runs_ended ON runs (ended);
"""
_COLUMNS = ("log", "size", "mtime_ns", "ended", "seconds", "status", "answer", "reason",
            "task", "signature", "model", "iterations", "tokens")


@dataclass
class RunEntry:
    """What the index knows of one run; `log` is the file name inside `directory`."""

    log: str
    size: int
    mtime_ns: int
    ended: float
    seconds: float | None
    status: str
    answer: str | None  # JSON text
    reason: str | None
    task: str | None
    signature: str | None
    model: str | None
    iterations: int | None
    tokens: int | None
    directory: str = "."

    @property
    def id(self) -> str:
        """How `rlm logs` names a run: the log's file name without `.log`."""
        return self.log[:-4] if self.log.endswith(".log") else self.log

    @property
    def path(self) -> Path:
        return Path(self.directory) / self.log

    def answer_value(self) -> Any:
        return json.loads(self.answer) if self.answer is not None else None

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("directory", "answer")}
        return {"id": self.id, "path": str(self.path), **out, "answer": self.answer_value()}


def summarize(path: Path) -> RunEntry:
    """Read one log into an entry (an unreadable log is an entry that says why)."""
    st = path.stat()
    entry = RunEntry(path.name, st.st_size, st.st_mtime_ns, st.st_mtime, None, "incomplete",
                     None, None, None, None, None, None, None, str(path.parent))
    try:
        events = read_events(path)
    except DiagnosticError as e:
        entry.status, entry.reason = "unreadable", e.diagnostics[0].message
        return entry
    for ev in events:
        data = ev.get("data") if isinstance(ev.get("data"), dict) else {}
        kind = ev.get("kind")
        if kind == "run_start":
            model = data.get("model") if isinstance(data.get("model"), dict) else {}
            entry.task, entry.signature = data.get("task"), data.get("signature")
            entry.model = model.get("name") or model.get("general_name")
        elif kind == "error" and entry.status == "incomplete":
            entry.status = "error"
            entry.reason = str(data.get("message") or data.get("code") or "")
        elif kind == "run_end":
            used = data.get("used") if isinstance(data.get("used"), dict) else {}
            entry.status = str(data.get("status") or "ended")
            entry.answer = json.dumps(data.get("answer"), ensure_ascii=False)
            entry.reason = data.get("reason")
            entry.iterations = data.get("iterations")
            entry.tokens = int(used["tokens"]) if "tokens" in used else None
            entry.seconds = used.get("seconds")
    return entry


@contextmanager
def _open(directory: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(directory / INDEX_NAME, timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        fmt = None
        try:
            fmt = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.OperationalError:
            pass
        if fmt is not None and fmt[0] != FORMAT:  # another format: a cache, made again
            db.execute("DROP TABLE IF EXISTS runs")
        for stmt in _DDL.split(";"):
            if stmt.strip():
                db.execute(stmt)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


def _put(db: sqlite3.Connection, e: RunEntry) -> None:
    db.execute(f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES "
               f"({', '.join('?' * len(_COLUMNS))})", [getattr(e, c) for c in _COLUMNS])


def index_run(log_path: str | os.PathLike[str]) -> RunEntry:
    """Add (or update) one run in the index beside its log; what the Runtime calls at the end."""
    path = Path(log_path)
    entry = summarize(path)
    with _open(path.parent) as db:
        _put(db, entry)
    return entry


def refresh(directory: str | os.PathLike[str], rebuild: bool = False) -> None:
    """Bring the index up to date with the directory's `*.log` files (or make it again)."""
    d = Path(directory)
    if not d.is_dir():
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"no run directory {d}", fix="run `rlm run` first, or pass --dir DIR")])
    with _open(d) as db:
        if rebuild:
            db.execute("DELETE FROM runs")
        known = {r[0]: (r[1], r[2]) for r in db.execute("SELECT log, size, mtime_ns FROM runs")}
        seen = set()
        for path in d.glob("*.log"):
            seen.add(path.name)
            st = path.stat()
            if known.get(path.name) != (st.st_size, st.st_mtime_ns):
                _put(db, summarize(path))
        for name in set(known) - seen:  # another name (--log) still there is kept
            if not (d / name).is_file():
                db.execute("DELETE FROM runs WHERE log = ?", (name,))


def query(directory: str | os.PathLike[str], *, status: str | None = None,
          model: str | None = None, text: str | None = None, since: float | None = None,
          limit: int | None = 20) -> list[RunEntry]:
    """Runs newest first, filtered: status, model name, a text in task or answer, end time."""
    d = Path(directory)
    refresh(d)
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if model:
        where.append("model LIKE ?")
        args.append(f"%{model}%")
    if text:
        where.append("(task LIKE ? OR answer LIKE ? OR reason LIKE ?)")
        args += [f"%{text}%"] * 3
    if since is not None:
        where.append("ended >= ?")
        args.append(since)
    sql = f"SELECT {', '.join(_COLUMNS)} FROM runs"
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY ended DESC, log DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    db = sqlite3.connect(d / INDEX_NAME, timeout=30)
    try:
        return [RunEntry(*row, directory=str(d)) for row in db.execute(sql, args)]
    finally:
        db.close()


def find_run(directory: str | os.PathLike[str], ref: str) -> RunEntry:
    """One run by its id, a unique start of it, `latest`, or a log's path."""
    as_path = Path(ref)
    if as_path.is_file():
        return index_run(as_path)
    runs = query(directory, limit=None)
    if ref == "latest" and runs:
        return runs[0]
    exact = [r for r in runs if ref in (r.id, r.log)]
    found = exact or [r for r in runs if r.id.startswith(ref)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"no run {ref!r} in {directory}",
            fix="`rlm logs` lists the runs; give an id, the start of one, `latest` or a path")])
    raise DiagnosticError([Diagnostic(
        "E_USAGE", f"{ref!r} names {len(found)} runs: {', '.join(r.id for r in found[:5])}",
        fix="give more of the id")])


def day_start(text: str) -> float:
    """`YYYY-MM-DD` as local midnight (UNIX seconds), for --since."""
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d"))
    except ValueError:
        raise DiagnosticError([Diagnostic("E_USAGE", f"--since {text!r} is not a date",
                                          fix="write YYYY-MM-DD")]) from None
