"""A full disk: every writer says so with a code, and nothing committed is lost.

Where a small tmpfs can be mounted (root in CI's container) the disk really
fills; everywhere, the store's own size limit (SQLite's `max_page_count`)
and /dev/full (which answers every write with ENOSPC) stand in for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from faultlib import fill, make_run
from rlm_cli import has_traceback, rlm

from rlmlang.audit.core import audit_log, replay_log
from rlmlang.diagnostics import DiagnosticError
from rlmlang.runlog import LogWriter, check_chain
from rlmlang.store import StateError, StateStore


def test_a_commit_past_the_store_size_limit_is_full_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with StateStore(path, {"text": "str", "n": "int"}) as s:
        with s.transaction({"step": 1}) as t:
            t.set("text", "small")
            t.set("n", 1)
        pages = s._db.execute("PRAGMA page_count").fetchone()[0]
        s._db.execute(f"PRAGMA max_page_count={pages + 2}")
        for value in ("x" * 200_000, "y" * 50_000):
            with pytest.raises(StateError) as e:
                with s.transaction({"step": 2}) as t:
                    t.set("text", value)
                    t.set("n", 2)
            d = e.value.diagnostic
            assert d.code == "E_STATE" and d.data["reason"] == "full", d
            assert "disk is full" in d.message
            assert s.version == 1 and s.get("text") == "small" and s.get("n") == 1
        s._db.execute("PRAGMA max_page_count=1073741823")
        with s.transaction({"step": 2}) as t:  # room again: the next commit lands whole
            t.set("text", "x" * 200_000)
        assert s.version == 2
    with StateStore(path) as s:
        assert s.integrity_check() == "ok" and len(s.get("text")) == 200_000


def test_log_appends_on_a_full_device_are_coded(tmp_path: Path) -> None:
    w = LogWriter(tmp_path / "a.log")
    w.append("run_start", {"task": "t"}, sync=True)
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, w._fd)  # the log's descriptor now answers ENOSPC
    os.close(full)
    for sync in (False, True):
        with pytest.raises(DiagnosticError) as e:
            w.append("output", {"x": "y" * 10_000}, sync=sync)
        d = e.value.diagnostics[0]
        assert d.code == "E_LOG" and d.data["reason"] == "full" and "disk is full" in d.message
    with pytest.raises(DiagnosticError):
        w.close()
    assert {d.data["reason"] for d in check_chain(tmp_path / "a.log")} == {"no_run_end"}


def test_opening_a_new_store_on_a_full_disk(small_disk: Path) -> None:
    fill(small_disk)
    with pytest.raises(StateError) as e:
        StateStore(small_disk / "new.db", {"n": "int"})
    d = e.value.diagnostic
    assert d.data["reason"] in ("full", "io"), d  # never "cannot rollback"
    assert "rollback" not in d.message


def test_exec_commit_on_a_full_disk(small_disk: Path, tmp_path: Path) -> None:
    store = small_disk / "s.db"
    with StateStore(store, {"note": "str"}) as s, s.transaction() as t:
        t.set("note", "before")
    fill(small_disk, leave=8 << 10)
    (tmp_path / "w.rlm").write_text('state.note = "x" * 300000\nsubmit("done")\n')
    p = rlm("exec", "w.rlm", "--state", str(store), cwd=tmp_path)
    assert p.returncode == 1 and not has_traceback(p), p.stderr
    assert "E_STATE" in p.stderr and "disk is full" in p.stderr
    (small_disk / "filler").unlink()
    with StateStore(store) as s:
        assert s.get("note") == "before" and s.version == 1


def test_run_on_a_full_disk_ends_with_a_code(small_disk: Path, tmp_path: Path) -> None:
    fill(small_disk, leave=64 << 10)
    (tmp_path / "big.txt").write_text("line of text\n" * 20_000)  # 260 kB: it cannot fit
    p = rlm("run", "What?", "--input", "context=@big.txt", "--log", str(small_disk / "r.log"),
            "--free", "--budget", "candidates=1", cwd=tmp_path, scripts=['submit("a")'])
    assert p.returncode == 1 and not has_traceback(p), p.stderr
    assert "disk is full" in p.stderr and ("E_STATE" in p.stderr or "E_LOG" in p.stderr)


def test_audit_and_replay_read_an_intact_store_when_the_temp_disk_is_full(
        small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = make_run(tmp_path / "run", context="x" * 300_000)  # a store larger than the disk
    fill(small_disk)
    monkeypatch.setenv("TMPDIR", str(small_disk))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    report = audit_log(str(log))
    assert report.ok, [d.message for d in report.integrity.store_problems]
    integ, result, _ = replay_log(str(log))
    assert result is not None and result.identical
    p = rlm("audit", str(log), cwd=tmp_path, env={"TMPDIR": str(small_disk)})
    assert p.returncode == 0 and "result: OK" in p.stdout, p.stdout + p.stderr
