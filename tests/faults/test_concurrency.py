"""Two processes at once: on one state store, on one log, on one resume.

Issue 15: two `rlm run --state S` both answered from version 1 and one update
was lost; two runs on one `--log` (or two without `--log` started in the
same second) truncated each other's logs; two `--resume LOG` duplicated lines
and committed a step twice. Here the real controller runs in child
processes (a scripted model, everything else real) and each of these must
end with every update applied exactly once and every log intact.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rlm_cli import has_traceback, rlm, rlm_popen

from rlmlang.audit.core import audit_log, replay_log
from rlmlang.runlog import check_chain, read_events
from rlmlang.store import StateStore

TESTS = str(Path(__file__).resolve().parents[1])
COUNT = "n = state.count + 1\nstate.count = n\nsubmit(str(n))"
GRANTS = ["--allow", "state.read:count", "--allow", "state.write:count"]
FREE = ["--free", "--budget", "candidates=1"]

# Both children read the store, then meet at a barrier before committing: the
# overlap the issue describes, every time.
CHILD = r"""
import os, sys, time
sys.path.insert(0, sys.argv[4])
from fakes import FakeModel
from rlmlang.controller.loop import Runtime
from rlmlang.policy import Policy
from rlmlang.store import StateStore
root, name, state = sys.argv[1:4]
real = StateStore.commit_writes
def meet_then_commit(self, *args, **kwargs):
    open(os.path.join(root, "ready-" + name), "w").close()
    end = time.monotonic() + 20
    while len([f for f in os.listdir(root) if f.startswith("ready-")]) < 2:
        if time.monotonic() > end:
            raise SystemExit("the other process never came")
        time.sleep(0.01)
    return real(self, *args, **kwargs)
StateStore.commit_writes = meet_then_commit
policy = Policy.from_rules(["state.read:count", "state.write:count"], [], root)
rt = Runtime(FakeModel([sys.argv[5]] * 3), grammar=False, log_path=os.path.join(root, name + ".log"),
             state_path=state, policy=policy, budgets={"candidates": 1, "iterations": 3},
             root=root)
out = rt.run("context: str, question: str -> answer: str", "How many?", context="abc")
print(out.status, out.answer, flush=True)
"""


def _seeded_store(path: Path) -> None:
    with StateStore(path, {"count": "int"}) as s, s.transaction({"seed": True}) as t:
        t.set("count", 0)


def test_two_runs_on_one_store_lose_no_update(tmp_path: Path) -> None:
    _seeded_store(tmp_path / "shared.db")
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), name,
                                  str(tmp_path / "shared.db"), TESTS, COUNT],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for name in ("a", "b")]
    outs = [c.communicate(timeout=90) for c in children]
    assert all(c.returncode == 0 for c in children), outs
    answers = sorted(o.split()[1] for o, _ in outs)
    assert answers == ["1", "2"], outs  # each saw the other's update, none was lost
    with StateStore(tmp_path / "shared.db") as s:
        assert s.get("count") == 2 and s.version == 3
    conflicts = 0
    for name in ("a", "b"):
        log = tmp_path / f"{name}.log"
        assert check_chain(log) == []
        obs = [e["data"] for e in read_events(log) if e["kind"] == "observation"]
        conflicts += sum(1 for o in obs if o.get("conflict"))
        assert audit_log(str(log), state_path=str(tmp_path / "shared.db")).ok
        integ, result, _ = replay_log(str(log), state_path=str(tmp_path / "shared.db"))
        assert result is not None and result.identical, (name, result)
    assert conflicts == 1  # the loser was told, and ran its round again


def test_a_second_run_on_the_same_log_is_refused_and_harms_nothing(tmp_path: Path) -> None:
    first = rlm_popen("run", "What?", "--input", "context=abc", "--log", "r.log", *FREE,
                      cwd=tmp_path, scripts=['submit("first")'], delay=1.5)
    deadline = time.monotonic() + 30
    while not (tmp_path / "r.log").exists() or not (tmp_path / "r.log").stat().st_size:
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = rlm("run", "What?", "--input", "context=xyz", "--log", "r.log", *FREE,
                 cwd=tmp_path, scripts=['submit("second")'])
    assert second.returncode == 1 and "E_LOG" in second.stderr and not has_traceback(second)
    assert (tmp_path / "r.log.state").exists()  # its store was not deleted
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0 and out.strip() == "first", err
    assert check_chain(tmp_path / "r.log") == []
    assert audit_log(str(tmp_path / "r.log")).ok


def test_runs_without_log_started_together_get_their_own_logs(tmp_path: Path) -> None:
    procs = [rlm_popen("run", "What?", "--input", f"context={i}", *FREE, cwd=tmp_path,
                       scripts=[f'submit("{i}")'], delay=0.3) for i in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    logs = sorted((tmp_path / "runs").glob("*.log"))
    assert len(logs) == 2
    answers = set()
    for log in logs:
        assert check_chain(log) == []
        answers.add(read_events(log)[-1]["data"]["answer"])
    assert answers == {"0", "1"}


def test_two_resumes_of_one_run_at_once(tmp_path: Path) -> None:
    # A run killed in its first round (the model died): its log has no run_end yet.
    killed = rlm_popen("run", "What?", "--input", "context=abc", "--log", "r.log", *FREE,
                       *GRANTS, cwd=tmp_path, scripts=[COUNT], delay=30)
    deadline = time.monotonic() + 30
    while b'"kind":"prompt"' not in ((tmp_path / "r.log").read_bytes()
                                     if (tmp_path / "r.log").exists() else b""):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    killed.kill()
    killed.communicate()
    resumes = [rlm_popen("run", "--resume", "r.log", cwd=tmp_path, scripts=['submit("ok")'],
                         delay=1.0) for _ in range(2)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in resumes]
    codes = sorted(r[2] for r in results)
    assert codes == [0, 1], results
    loser = next(r for r in results if r[2] == 1)
    assert "in use by another process" in loser[1] or "already finished" in loser[1], loser
    assert not any("Traceback" in r[1] for r in results)
    assert check_chain(tmp_path / "r.log") == []
    kinds = [e["kind"] for e in read_events(tmp_path / "r.log")]
    assert kinds.count("resume") == 1 and kinds.count("submit") == 1 and kinds[-1] == "run_end"
