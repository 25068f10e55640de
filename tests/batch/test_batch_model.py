"""`rlm batch` with the real SmolLM2-135M (the suite's model, RLM_MODEL): the local pool, and Ray.

The Ray test starts a local Ray runtime in this process (2 CPUs, bound to the
loopback address), then `rlm batch --ray auto` joins it from another process
and runs 4 tasks on 2 actors that each keep the model loaded; their results
and logs come back to the caller's folder and pass `rlm audit`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlmlang.audit.core import audit_log
from rlmlang.runlog import read_events

pytestmark = [pytest.mark.model, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CODES = {"4820": "K7-19QX", "1313": "PX-88QA", "2077": "ZZ-1234", "5150": "MB-77RT"}


def _tasks(tmp: Path, badges: list[str]) -> Path:
    """A small access log per task, the code of one badge hidden among ordinary lines."""
    lines = []
    for badge in badges:
        rows = [f"2026-03-01 {h:02d}:{m:02d}:00 badge {1000 + 37 * h + m} opened lobby, "
                "status ok" for h in range(12) for m in range(0, 60, 7)]
        rows.insert(40, f"2026-03-01 07:15:00 badge {badge}: access code {CODES[badge]} "
                        "issued by security")
        (tmp / f"log-{badge}.txt").write_text("\n".join(rows) + "\n")
        lines.append(json.dumps({"id": f"badge-{badge}",
                                 "question": f"What is the access code of badge {badge}?",
                                 "inputs": {"context": f"@log-{badge}.txt"}}))
    f = tmp / "tasks.jsonl"
    f.write_text("\n".join(lines) + "\n")
    return f


def _rlm(*args: str, env: dict[str, str] | None = None,
         timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def _check(out: Path, badges: list[str]) -> None:
    recs = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in recs) == sorted(f"badge-{b}" for b in badges)
    right = 0
    for r in recs:
        assert r["status"] in ("answered", "uncertain", "no_answer"), r
        right += r["status"] == "answered" and r["answer"] == CODES[r["id"][6:]]
        log = out / r["log"]
        events = read_events(log)
        assert events[0]["kind"] == "run_start" and events[-1]["kind"] == "run_end"
        assert events[0]["data"]["model"]["name"] == "smollm2-135m"
        assert audit_log(str(log)).ok
    assert right >= len(badges) // 2, recs  # the tiny model finds most needles


def test_batch_on_two_workers_with_the_real_model(tmp_path: Path) -> None:
    badges = ["4820", "1313"]
    tasks = _tasks(tmp_path, badges)
    r = _rlm("batch", str(tasks), "--workers", "2", "--budget", "iterations=2")
    assert r.returncode == 0, r.stderr
    assert "[2/2]" in r.stderr and "Traceback" not in r.stderr  # piped: a line per task
    _check(tmp_path / "tasks.batch", badges)


def test_batch_on_ray_joins_a_local_runtime(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # bind to loopback only
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")
        badges = list(CODES)
        tasks = _tasks(tmp_path, badges)
        r = _rlm("batch", str(tasks), "--ray", "auto", "--budget", "iterations=2",
                 "--json", env=dict(os.environ))
        assert r.returncode == 0, r.stderr[-3000:]
        summary = json.loads(r.stdout)
        assert summary["workers"] == 2 and summary["complete"]
        _check(tmp_path / "tasks.batch", badges)
    finally:
        ray.shutdown()
