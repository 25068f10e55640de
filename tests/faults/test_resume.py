"""Resume finds what it must, and refuses what would silently change the run.

A run interrupted in its first round (Ctrl-C: the log stays resumable) is
resumed after its directory moved, with its store somewhere else (`--state`),
with another run's store, with another model, and while another process
holds its log.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import FakeModel

from rlmlang.audit.core import audit_log
from rlmlang.controller.loop import Runtime
from rlmlang.diagnostics import DiagnosticError
from rlmlang.runlog import LogWriter, check_chain, read_events

SIG = "context: str, question: str -> answer: str"


class Interrupted(FakeModel):
    """Writes one failing round, then is interrupted (the user pressed Ctrl-C)."""

    def generate(self, prompt: str, **kw):  # type: ignore[override]
        if self.prompts:
            raise KeyboardInterrupt
        return super().generate(prompt, **kw)


class Other(FakeModel):
    def info(self) -> dict:
        return {"name": "another-model"}


def interrupted_run(root: Path, context: str = "the code is 42") -> Path:
    root.mkdir(parents=True)
    log = root / "run.log"
    with pytest.raises(KeyboardInterrupt):
        Runtime(Interrupted(["x = 1 +"]), grammar=False, log_path=log,
                budgets={"candidates": 1, "iterations": 3}).run(SIG, "What is the code?",
                                                                 context=context)
    kinds = [e["kind"] for e in read_events(log)]
    assert "observation" in kinds and "run_end" not in kinds
    return log


GOOD = 'submit(find_line(context, "code"))'


def test_a_moved_log_finds_its_store_beside_it(tmp_path: Path) -> None:
    interrupted_run(tmp_path / "here")
    shutil.move(str(tmp_path / "here"), str(tmp_path / "there"))
    moved = tmp_path / "there" / "run.log"
    out = Runtime(FakeModel([GOOD]), grammar=False).resume(moved)
    assert out.ok and out.answer == "the code is 42"
    assert check_chain(moved) == [] and audit_log(str(moved)).ok


def test_state_is_honoured_on_resume(tmp_path: Path) -> None:
    log = interrupted_run(tmp_path / "run")
    elsewhere = tmp_path / "backup" / "kept.state"
    elsewhere.parent.mkdir()
    shutil.move(str(log) + ".state", elsewhere)
    with pytest.raises(DiagnosticError, match="state store .* is missing"):
        Runtime(FakeModel([GOOD]), grammar=False).resume(log)
    out = Runtime(FakeModel([GOOD]), grammar=False, state_path=elsewhere).resume(log)
    assert out.ok and out.answer == "the code is 42"


def test_another_runs_store_is_refused(tmp_path: Path) -> None:
    log = interrupted_run(tmp_path / "a")
    other = interrupted_run(tmp_path / "b", context="another text entirely")
    before = log.read_bytes()
    with pytest.raises(DiagnosticError, match="belongs to another run"):
        Runtime(FakeModel([GOOD]), grammar=False,
                state_path=Path(str(other) + ".state")).resume(log)
    assert log.read_bytes() == before  # nothing was written to the log


def test_another_model_is_refused_unless_allowed(tmp_path: Path) -> None:
    log = interrupted_run(tmp_path / "run")
    with pytest.raises(DiagnosticError) as e:
        Runtime(Other([GOOD]), grammar=False).resume(log)
    d = e.value.diagnostics[0]
    assert d.code == "E_USAGE" and "another model" in d.message
    assert "--allow-model-change" in (d.fix or "")
    out = Runtime(Other([GOOD]), grammar=False).resume(log, allow_model_change=True)
    assert out.ok


def test_a_log_held_by_another_writer_is_not_resumed(tmp_path: Path) -> None:
    log = interrupted_run(tmp_path / "run")
    holder = LogWriter.resume(log)  # another process continuing it, as far as flock knows
    try:
        with pytest.raises(DiagnosticError, match="in use by another process"):
            Runtime(FakeModel([GOOD]), grammar=False).resume(log)
    finally:
        holder.close()
    assert Runtime(FakeModel([GOOD]), grammar=False).resume(log).ok
