"""Micro-benchmarks of the state store and the run log, measured in-process.

Each figure is a rate over a short, time-boxed loop on a temporary
directory, so the whole run takes a few seconds. Commits are durable
(WAL, synchronous=FULL: one fsync each), which is what a run pays per step.
Run as `python bench/micro_store.py` to print `name=value` lines.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rlmlang.runlog import LogWriter, check_chain
from rlmlang.store import StateStore


def _timed(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """Calls per second of `fn` over about `seconds`."""
    n = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        fn(n)
        n += 1
        if n % 16 == 0 and time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - t0)


def bench_store(tmp: Path, seconds: float = 1.0) -> dict[str, float]:
    store = StateStore(tmp / "state.db", {"count": "int", "notes.*": "str",
                                          "rows": "list[{id: int, name: str}]"})

    def commit(i: int) -> None:
        with store.transaction({"step": i, "script_hash": "0" * 64}) as txn:
            txn.set("count", i)
            txn.set(f"notes.n{i % 50}", f"note {i}")
            txn.set("rows", [{"id": j, "name": f"r{j}"} for j in range(5)])

    commits = _timed(commit, seconds)
    reads = _timed(lambda i: store.get("count"), seconds / 4)
    store.close()
    return {"store_commits_per_s": commits, "store_reads_per_s": reads}


def bench_log(tmp: Path, seconds: float = 1.0, events: int = 20000) -> dict[str, float]:
    payload = {"tool": "fs.read", "args": {"path": "data/a.txt"}, "ok": True, "cost": 12}
    out: dict[str, float] = {}
    with LogWriter(tmp / "append.log") as w:
        w.append("run_start", {})
        out["log_append_per_s"] = _timed(lambda i: w.append("tool_call", payload), seconds / 2)
    with LogWriter(tmp / "sync.log") as w:
        out["log_append_sync_per_s"] = _timed(
            lambda i: w.append("tool_call", payload, sync=True), seconds / 4)
    for name, key in (("log_check_events_per_s", None),
                      ("log_check_hmac_events_per_s", b"bench-key")):
        path = tmp / f"check-{name}.log"
        with LogWriter(path, key) as w:
            w.append("run_start", {})
            for i in range(events - 2):
                w.append("tool_call", {**payload, "i": i})
            w.append("run_end", {})
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            problems = check_chain(path, key)
            best = max(best, events / (time.perf_counter() - t0))
            assert problems == [], problems
        out[name] = best
    return out


def run(quick: bool = False) -> dict[str, float]:
    """Store commit rate and log append/check rates (a few seconds in all; `quick` is the same)."""
    with tempfile.TemporaryDirectory(prefix="rlm-bench-") as d:
        tmp = Path(d)
        results = bench_store(tmp)
        results.update(bench_log(tmp))
    return {k: round(v, 1) for k, v in results.items()}


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name}={value}")
