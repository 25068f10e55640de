"""`rlm exec` end to end, in a subprocess: check, verify, compile, run, state, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rlmlang.store import StateStore

COUNT = """n = 0
for line in lines(context):
    if contains(line, "b"):
        n += 1
print("lines with b: " + str(n))
state.count = n
submit(n)
"""


def rlm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", "exec", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_exec_submits_and_commits_state(tmp_path: Path) -> None:
    (tmp_path / "count.rlm").write_text(COUNT)
    (tmp_path / "ctx.txt").write_text("a\nb\nbb\n")
    p = rlm("count.rlm", "--input", "context=@ctx.txt", "--state", "s.db",
            "--schema", "count=int", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "lines with b: 2\n2\n"
    with StateStore(tmp_path / "s.db") as store:
        assert store.snapshot() == {"count": 2} and store.version == 1


def test_exec_json(tmp_path: Path) -> None:
    (tmp_path / "s.rlm").write_text('print("hi")\nsubmit(len(x))\n')
    p = rlm("s.rlm", "--input", "x=abc", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["status"] == "submitted" and out["value"] == 3 and out["output"] == "hi\n"
    assert 0 < out["fuel_used"] <= out["fuel_bound"] and len(out["bytecode"]) == 64


def test_exec_rejected_script_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.rlm").write_text('x = 1 + "a"\nsubmit(x)\n')
    p = rlm("bad.rlm", cwd=tmp_path)
    assert p.returncode == 1
    assert "bad.rlm:1:" in p.stderr and "E_TYPE" in p.stderr and "Traceback" not in p.stderr


def test_exec_runtime_error_rolls_back(tmp_path: Path) -> None:
    (tmp_path / "err.rlm").write_text("state.count = 5\nxs = [1, 2]\nsubmit(xs[len(xs)])\n")
    p = rlm("err.rlm", "--state", "s.db", "--schema", "count=int", cwd=tmp_path)
    assert p.returncode == 1
    assert "err.rlm:3:" in p.stderr and "E_RUNTIME" in p.stderr and "out of range" in p.stderr
    with StateStore(tmp_path / "s.db") as store:
        assert store.snapshot() == {} and store.version == 0


def test_exec_fail_exits_1(tmp_path: Path) -> None:
    (tmp_path / "f.rlm").write_text('fail("nothing found")\n')
    p = rlm("f.rlm", cwd=tmp_path)
    assert p.returncode == 1 and "nothing found" in p.stderr


def test_exec_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "s.rlm").write_text("submit(1)\n")
    assert rlm("s.rlm", "--budget", "speed=3", cwd=tmp_path).returncode == 2
    assert rlm("s.rlm", "--input", "novalue", cwd=tmp_path).returncode == 2
    p = rlm("s.rlm", "--input", "n:int=abc", cwd=tmp_path)
    assert p.returncode == 2 and "input n must be int written as JSON" in p.stderr


def test_exec_budget_flag_reaches_the_verifier(tmp_path: Path) -> None:
    (tmp_path / "loop.rlm").write_text("t = 0\nfor i in range(1000):\n    t += i\nsubmit(t)\n")
    assert rlm("loop.rlm", cwd=tmp_path).returncode == 0
    p = rlm("loop.rlm", "--budget", "fuel=500", cwd=tmp_path)
    assert p.returncode == 1 and "E_COST" in p.stderr


def test_exec_output_type_refuses_an_answer_of_another_type(tmp_path: Path) -> None:
    """A key submitted where --output wants a number is E_SUBMIT, exit 1, nothing committed
    (it printed the key and exited 0: the run's answer check was skipped)."""
    (tmp_path / "key.rlm").write_text('state.count = 5\nsubmit(split(x, ",")[0])\n')
    p = rlm("key.rlm", "--input", "x=D985,22", "--output", "int", "--state", "s.db",
            "--schema", "count=int", cwd=tmp_path)
    assert p.returncode == 1 and p.stdout == ""
    assert "E_SUBMIT" in p.stderr and "'D985' is not a number" in p.stderr
    with StateStore(tmp_path / "s.db") as store:
        assert store.snapshot() == {} and store.version == 0
    (tmp_path / "plain.rlm").write_text('submit(split(x, ",")[0])\n')
    p = rlm("plain.rlm", "--input", "x=D985,22", "--output", "int", "--json", cwd=tmp_path)
    out = json.loads(p.stdout)
    assert p.returncode == 1 and out["value"] is None
    assert [d["code"] for d in out["diagnostics"]] == ["E_SUBMIT"]


def test_exec_output_type_converts_a_scalar(tmp_path: Path) -> None:
    (tmp_path / "num.rlm").write_text('submit(split(x, ",")[1])\n')
    p = rlm("num.rlm", "--input", "x=D985,22", "--output", "int", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["value"] == 22
