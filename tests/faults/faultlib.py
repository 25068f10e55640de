"""A small real run to damage (a log with a state commit, its store beside it); filling a disk."""

from __future__ import annotations

import os
from pathlib import Path

from fakes import FakeModel

from rlmlang.controller.loop import Runtime
from rlmlang.policy import Policy
from rlmlang.store import StateStore

SIG = "context: str, question: str -> answer: str"
COUNT = "n = state.count + 1\nstate.count = n\nsubmit(str(n))"


def make_run(root: Path, context: str = "abc") -> Path:
    """A finished run in `root`: run.log and run.log.state (count committed at version 2)."""
    root.mkdir(parents=True, exist_ok=True)
    log = root / "run.log"
    state = Path(str(log) + ".state")
    with StateStore(state, {"count": "int"}) as s, s.transaction({"seed": True}) as t:
        t.set("count", 0)
    policy = Policy.from_rules(["state.read:count", "state.write:count"], [], root)
    out = Runtime(FakeModel([COUNT]), grammar=False, log_path=log, state_path=state,
                  policy=policy, budgets={"candidates": 1}, root=root).run(
        SIG, "How many?", context=context)
    assert out.ok and out.answer == "1", out
    return log


def fill(directory: Path, leave: int = 0) -> None:
    """Fill a small disk, leaving about `leave` bytes free."""
    st = os.statvfs(directory)
    free = st.f_bavail * st.f_frsize
    with open(directory / "filler", "wb") as f:
        try:
            f.write(b"\0" * max(0, free - leave))
        except OSError:
            pass
