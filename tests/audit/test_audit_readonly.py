"""`rlm audit` and `rlm replay` only read: nothing beside the log or the store changes.

A WAL database opened read-only gets `-wal` and `-shm` files made beside it,
which a read-only connection cannot remove. The store is read so that no
file appears, whether its last writer closed it cleanly (no `-wal`), is
still at work or was killed (`-wal` and `-shm`), or left a `-wal` alone.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from rlmlang.cli import main


def _snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.parametrize("command", [["audit"], ["audit", "--replay"], ["replay"]])
def test_a_clean_store_is_left_as_it_was(run_log: Path, command: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(run_log.parent)
    assert not any(n.endswith(("-wal", "-shm")) for n in before)
    assert main([*command, str(run_log)]) == 0, capsys.readouterr()
    assert _snapshot(run_log.parent) == before


def test_a_store_with_a_live_writer_is_read_through_its_wal(
        run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = Path(f"{run_log}.state")
    writer = sqlite3.connect(state)  # holds the WAL open, as a running process would
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE extra(x)")
    writer.commit()
    try:
        before = _snapshot(run_log.parent)
        assert {f"{state.name}-wal", f"{state.name}-shm"} <= set(before)
        main(["audit", str(run_log)])
        capsys.readouterr()
        assert set(_snapshot(run_log.parent)) == set(before)
        # a -wal whose -shm is gone (copied without it): read from a copy, no -shm made
        lone = run_log.parent / "lone"
        lone.mkdir()
        shutil.copy(run_log, lone / run_log.name)
        shutil.copy(state, lone / state.name)
        shutil.copy(f"{state}-wal", lone / f"{state.name}-wal")
        from rlmlang.store import StateStore

        copy = StateStore.copy_of(lone / state.name)
        tables = {r[0] for r in copy._db.execute("SELECT name FROM sqlite_master")}
        copy.close()
        assert "extra" in tables  # what only the -wal held was read
        assert sorted(p.name for p in lone.iterdir()) == sorted(
            [run_log.name, state.name, f"{state.name}-wal"])
    finally:
        writer.close()
