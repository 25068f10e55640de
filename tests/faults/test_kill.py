"""kill -9 during a run, then `--resume`: nothing is lost, nothing is done twice.

A child process runs the real controller (a scripted model, everything else
real) on a shared counter: each answer is `state.count + 1`. The parent
kills it, resumes the run and checks what a user relies on: the counter
moved by exactly one per submitted answer, the log is intact and complete,
the audit passes and the replay is identical. One kill is placed exactly
between the store's COMMIT and the `submit` line (the issue's example);
the others fall at random moments.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakes import FakeModel

from rlmlang.audit.core import audit_log, replay_log
from rlmlang.controller.loop import Runtime
from rlmlang.runlog import check_chain, read_events
from rlmlang.store import StateStore

TESTS = str(Path(__file__).resolve().parents[1])
SIG = "context: str, question: str -> answer: str"
COUNT = "n = state.count + 1\nstate.count = n\nsubmit(str(n))"
GRANTS = ["state.read:count", "state.write:count"]

CHILD = r"""
import os, signal, sys, time
sys.path.insert(0, sys.argv[5])
from fakes import FakeModel
from rlmlang.controller.loop import Runtime
from rlmlang.policy import Policy
from rlmlang.store import StateStore
root, log, state, mode = sys.argv[1:5]
if mode == "after_commit":
    real = StateStore.commit_writes
    def commit_then_die(self, *args, **kwargs):
        real(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    StateStore.commit_writes = commit_then_die

class Slow(FakeModel):
    def generate(self, prompt, **kw):
        time.sleep(0.12)
        return super().generate(prompt, **kw)

scripts = [s + f"\n# candidate {i}" for s in [sys.argv[6]] for i in range(3)]
policy = Policy.from_rules(sys.argv[7].split(","), [], root)
rt = Runtime(Slow(scripts), grammar=False, log_path=log, state_path=state, policy=policy,
             budgets={"candidates": 3, "iterations": 2}, root=root)
rt.run("context: str, question: str -> answer: str", "How many?", context="abc")
"""


def _seeded_store(path: Path) -> None:
    with StateStore(path, {"count": "int"}) as s, s.transaction({"seed": True}) as t:
        t.set("count", 0)


def _child(tmp: Path, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp), str(tmp / "run.log"), str(tmp / "state.db"),
         mode, TESTS, COUNT, ",".join(GRANTS)], stderr=subprocess.PIPE)


def _check_done(tmp: Path, submits_expected: int) -> None:
    log = tmp / "run.log"
    assert check_chain(log) == [], check_chain(log)
    events = read_events(log)
    kinds = [e["kind"] for e in events]
    assert kinds.count("submit") == submits_expected and kinds[-1] == "run_end"
    assert len({e["seq"] for e in events}) == len(events)  # no line twice
    with StateStore(tmp / "state.db") as s:
        assert s.get("count") == submits_expected, (s.get("count"), kinds)
        assert s.version == 1 + submits_expected  # the seed, then one commit per answer
    report = audit_log(str(log))
    assert report.ok, [d.message for d in report.integrity.problems +
                       report.integrity.store_problems]
    integ, result, _ = replay_log(str(log))
    assert result is not None and result.identical, result


def test_kill_between_commit_and_submit_then_resume(tmp_path: Path) -> None:
    _seeded_store(tmp_path / "state.db")
    child = _child(tmp_path, "after_commit")
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()  # type: ignore
    kinds = [e["kind"] for e in read_events(tmp_path / "run.log")]
    assert "submit" not in kinds and "state_commit" not in kinds  # the kill came first
    model = FakeModel([])  # a resume that re-ran the round would ask it for a script
    out = Runtime(model, grammar=False, budgets={"candidates": 3}).resume(tmp_path / "run.log")
    assert out.ok and out.answer == "1", out
    assert model.prompts == []  # the round was not run again
    events = read_events(tmp_path / "run.log")
    assert [e["kind"] for e in events[-4:]] == ["resume", "state_commit", "submit", "run_end"]
    _check_done(tmp_path, 1)


def test_kill_at_random_moments_then_resume(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("RLM_FAULT_SEED", "15")))
    for trial in range(3):
        tmp = tmp_path / f"t{trial}"
        tmp.mkdir()
        _seeded_store(tmp / "state.db")
        child = _child(tmp, "random")
        delay = rng.uniform(0.45, 1.1)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        log = tmp / "run.log"
        events = read_events(log) if log.exists() and log.stat().st_size else []
        finished = bool(events) and events[-1]["kind"] == "run_end"
        if not any(e["kind"] == "run_start" for e in events):
            with StateStore(tmp / "state.db") as s:  # killed before the run began
                assert s.get("count") == 0
            continue
        if not finished:
            scripts = [COUNT + f"\n# candidate {i}" for i in range(3)]
            out = Runtime(FakeModel(scripts), grammar=False).resume(log)
            assert out.ok and out.answer == "1", (delay, out)
        _check_done(tmp, 1)
