"""kill -9 at random moments never leaves the store half-written or loses a commit.

A child process commits transactions in a loop; each writes several keys
whose values must agree (money moved between accounts keeps the total, a
counter equals the version, a padding string is derived from the counter).
It prints each version after `commit` returns. The parent kills it at a
random moment, reopens the store and checks: readable, intact, at a version
no older than the last one printed, every version's invariants hold.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlmlang.store import StateStore

ACCOUNTS = 5
TOTAL = 1000

CHILD = r"""
import random, sys
from rlmlang.store import StateStore
path, seed = sys.argv[1], int(sys.argv[2])
accounts, total = int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
schema = {"acct.*": "int", "count": "int", "recent": "list[int]", "pad": "str"}
store = StateStore(path, schema)
if store.version == 0:
    with store.transaction({"step": 0, "init": True}) as txn:
        for i in range(accounts):
            txn.set(f"acct.a{i}", total // accounts)
        txn.set("count", 1)
        txn.set("recent", [1])
        txn.set("pad", "1")
    print(store.version, flush=True)
while True:
    txn = store.begin({"step": store.version, "seed": seed})
    a, b = rng.sample(range(accounts), 2)
    amount = rng.randint(0, 50)
    txn.set(f"acct.a{a}", txn.get(f"acct.a{a}") - amount)
    txn.set(f"acct.a{b}", txn.get(f"acct.a{b}") + amount)
    count = txn.get("count") + 1
    txn.set("count", count)
    txn.set("recent", (txn.get("recent") + [count])[-20:])
    txn.set("pad", str(count) * rng.randint(1, 20000))  # sometimes a large write
    v = txn.commit()
    print(v, flush=True)
"""


def check_invariants(snap: dict, version: int) -> None:
    accts = {k: v for k, v in snap.items() if k.startswith("acct.")}
    assert len(accts) == ACCOUNTS
    assert sum(accts.values()) == TOTAL, f"money not conserved at version {version}: {accts}"
    count = snap["count"]
    assert count == version  # one commit per step, each increments the counter
    assert snap["recent"][-1] == count
    pad = snap["pad"]
    assert len(pad) % len(str(count)) == 0 and pad == str(count) * (len(pad) // len(str(count)))


def kill_loop(tmp_path: Path, iterations: int, seed: int) -> None:
    rng = random.Random(seed)
    db = tmp_path / "state.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    last_printed = 0
    for it in range(iterations):
        out = tmp_path / f"out{it}.txt"
        with open(out, "wb") as f:
            child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(it), str(ACCOUNTS),
                                      str(TOTAL)],
                                     stdout=f, stderr=subprocess.PIPE, env=env)
            time.sleep(rng.uniform(0.05, 0.45))
            if child.poll() is not None:
                pytest.fail(f"child exited early: {child.stderr.read().decode()[-2000:]}")
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stderr.close()
        printed = [int(x) for x in out.read_text().split()]
        if printed:
            assert printed == sorted(printed)
            last_printed = max(last_printed, printed[-1])
        with StateStore(db) as store:
            assert store.integrity_check() == "ok"
            v = store.version
            assert v >= last_printed, f"iteration {it}: lost commits ({v} < {last_printed})"
            if v == 0:
                continue
            history = store.history()
            assert [h[0] for h in history] == list(range(1, v + 1))
            assert all(meta["step"] == ver - 1 for ver, meta in history)
            check_invariants(store.snapshot(), v)
            for ver in rng.sample(range(1, v + 1), min(3, v)):
                check_invariants(store.snapshot(ver), ver)
                assert set(store.diff(ver)) <= {f"acct.a{i}" for i in range(ACCOUNTS)} | {
                    "count", "recent", "pad"}
            last_printed = v  # what is on disk now is committed, whatever was printed


def test_kill_a_few_times(tmp_path: Path) -> None:
    kill_loop(tmp_path, iterations=4, seed=1)


@pytest.mark.slow
def test_kill_many_times(tmp_path: Path) -> None:
    kill_loop(tmp_path, iterations=30, seed=2)
