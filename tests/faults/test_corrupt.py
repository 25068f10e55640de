"""Damaged stores and logs: every command says what is wrong, and the audit fails.

Issue 15: `rlm audit` with a garbage or truncated LOG.state printed a note,
then `result: OK`; a store truncated to its first page raised raw sqlite3
errors. Here a real run's store and log are damaged in several ways and each
command must answer with a code (and the audit must not pass).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from faultlib import make_run
from rlm_cli import has_traceback, rlm, rlm_here

from rlmlang.audit.core import audit_log
from rlmlang.store import StateError, StateStore


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("pristine") / "run")


@pytest.fixture()
def run_log(pristine: Path, tmp_path: Path) -> Path:
    shutil.copytree(pristine.parent, tmp_path / "run")
    return tmp_path / "run" / "run.log"


def _store(log: Path) -> Path:
    return Path(str(log) + ".state")


def _first_page(log: Path) -> None:
    data = _store(log).read_bytes()
    _store(log).write_bytes(data[:4096])


def _garbage(log: Path) -> None:
    _store(log).write_bytes(b"this is not a database, just text\n" * 100)


def _flipped(log: Path) -> None:
    data = bytearray(_store(log).read_bytes())
    rng = random.Random(7)
    for i in rng.sample(range(100, len(data)), 40):
        data[i] ^= 0xFF
    _store(log).write_bytes(bytes(data))


def _empty(log: Path) -> None:
    _store(log).write_bytes(b"")


DAMAGE = {"first_page": _first_page, "garbage": _garbage, "flipped": _flipped, "empty": _empty}


@pytest.mark.parametrize("damage", ["first_page", "garbage"])
def test_a_damaged_store_fails_the_audit_and_names_the_damage(run_log: Path,
                                                              damage: str) -> None:
    DAMAGE[damage](run_log)
    report = audit_log(str(run_log))
    assert not report.ok
    problems = report.integrity.store_problems
    assert problems, report.notes
    text = " ".join(d.message for d in problems)
    assert "damaged" in text or "does not hold" in text or "differs" in text, text
    assert "disk is too full" not in text


@pytest.mark.parametrize("damage", ["first_page", "garbage"])
def test_every_command_on_a_damaged_store_is_coded(run_log: Path, damage: str) -> None:
    DAMAGE[damage](run_log)
    cwd = run_log.parent
    audit = rlm("audit", "run.log", cwd=cwd)
    assert audit.returncode == 1 and not has_traceback(audit), audit.stderr
    assert "result: OK" not in audit.stdout
    replay = rlm_here("replay", "run.log", cwd=cwd)
    assert replay.returncode == 1 and not has_traceback(replay), replay.stderr
    (cwd / "s.rlm").write_text("submit(state.count)\n")
    ex = rlm_here("exec", "s.rlm", "--state", "run.log.state", "--output", "int", cwd=cwd)
    assert ex.returncode == 1 and not has_traceback(ex), ex.stderr
    assert "E_STATE" in ex.stderr


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_flipped_bytes_are_found_or_harmless(pristine: Path, run_log: Path, seed: int) -> None:
    """Bytes flipped at random: the audit passes only if every committed state still reads
    as the pristine store's (the flips fell where SQLite keeps no data)."""
    data = bytearray(_store(run_log).read_bytes())
    rng = random.Random(seed)
    for i in rng.sample(range(100, len(data)), 200):
        data[i] ^= 0xFF
    _store(run_log).write_bytes(bytes(data))
    report = audit_log(str(run_log))
    if report.ok:
        with StateStore.copy_of(_store(pristine)) as a, StateStore.copy_of(_store(run_log)) as b:
            assert a.history() == b.history()
            assert all(a.state_hash(v) == b.state_hash(v) for v in range(a.version + 1))
    p = rlm_here("replay", "run.log", cwd=run_log.parent)
    assert not has_traceback(p), p.stderr


def test_an_empty_store_file_is_not_the_runs_store(run_log: Path) -> None:
    _empty(run_log)
    report = audit_log(str(run_log))
    assert not report.ok  # an empty file holds none of the inputs run_start fingerprinted


def test_opening_damaged_stores_raises_coded_errors(tmp_path: Path) -> None:
    log = make_run(tmp_path / "r")
    for name, damage in DAMAGE.items():
        shutil.copy(_store(log), tmp_path / "copy.db")
        damage_target = tmp_path / "copy.log"
        shutil.copy(tmp_path / "copy.db", Path(str(damage_target) + ".state"))
        damage(damage_target)
        try:
            with StateStore(Path(str(damage_target) + ".state")) as s:
                s.snapshot()
                s.history()
                s.diff(s.version) if s.version else None
        except StateError as e:
            assert e.diagnostic.data["reason"] in ("corrupt", "other"), (name, e)


def test_a_truncated_log_is_audited_and_resumed(run_log: Path) -> None:
    raw = run_log.read_bytes()
    lines = raw.split(b"\n")
    cut = b"\n".join(lines[:-4]) + b"\n" + lines[-4][: len(lines[-4]) // 2]
    run_log.write_bytes(cut)
    audit = rlm("audit", "run.log", cwd=run_log.parent)
    assert audit.returncode == 1 and not has_traceback(audit)
    assert "cut off mid-JSON" in audit.stdout
    replay = rlm_here("replay", "run.log", cwd=run_log.parent)
    assert not has_traceback(replay)
    # The cut fell after the store's commit: the resume finishes the round from the store.
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime

    out = Runtime(FakeModel([]), grammar=False).resume(run_log)
    assert out.ok and out.answer == "1"
    assert audit_log(str(run_log)).ok
    with StateStore(_store(run_log)) as s:
        assert s.get("count") == 1 and s.version == 2


@pytest.mark.parametrize("junk", [b"\x00\x01\x02binary", b"[" * 100_000, b"{}\n{}\n",
                                  b'{"v":1,"seq":0,"kind":"run_start","prev":"0","data":{}}\n'])
def test_logs_that_are_not_logs(tmp_path: Path, junk: bytes) -> None:
    (tmp_path / "x.log").write_bytes(junk)
    for command in (["audit", "x.log"], ["replay", "x.log"], ["audit", "x.log", "--json"]):
        p = rlm_here(*command, cwd=tmp_path)
        assert p.returncode == 1 and not has_traceback(p), (command, p.stderr)
