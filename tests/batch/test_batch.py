"""`rlm batch` logic with a scripted model (tests/batch/fake_backend.py): the pool, the
results file, resuming a killed batch, stopping on Ctrl-C. Everything but generation is
real: parser, verifier, VM, state store, hash-chained logs, audit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlmlang.audit.core import audit_log
from rlmlang.batch import run_batch
from rlmlang.batch.tasks import load_tasks
from rlmlang.diagnostics import DiagnosticError
from rlmlang.runlog import read_events

HERE = Path(__file__).resolve().parent
FACTORY = "fake_backend:make"


@pytest.fixture(autouse=True)
def _factory_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))  # the workers inherit sys.path (spawn)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get(
        "PYTHONPATH", "")]))


def _write_tasks(path: Path, n: int) -> dict[str, int]:
    """n tasks whose answer is the length of their context; returns id -> answer."""
    lines, answers = [], {}
    for i in range(n):
        text = "x" * (10 + i)
        lines.append(json.dumps({"id": f"task-{i}", "question": "How long is the text?",
                                 "inputs": {"context": text}}))
        answers[f"task-{i}"] = len(text)
    path.write_text("\n".join(lines) + "\n")
    return answers


def _results(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def _start(tasks: Path, out: Path, delay: float) -> subprocess.Popen:
    code = ("import sys; from rlmlang.batch import run_batch; "
            f"s = run_batch({str(tasks)!r}, out={str(out)!r}, factory={FACTORY!r}, workers=2); "
            "sys.exit(130 if s.interrupted else 0)")
    env = {**os.environ, "FAKE_DELAY": str(delay)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_results(results: Path, n: int, proc: subprocess.Popen, limit: float = 60) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if results.exists() and len(_results(results)) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} results after {limit} s")


def _check_complete(out: Path, answers: dict[str, int]) -> list[dict]:
    """Every task exactly once in the results, right, and its log whole and auditable."""
    recs = _results(out / "results.jsonl")
    ids = [r["id"] for r in recs]
    assert sorted(ids) == sorted(answers), ids
    for r in recs:
        assert r["status"] == "answered", r
        assert r["answer"] == str(answers[r["id"]])
        log = out / r["log"]
        events = read_events(log)
        kinds = [e["kind"] for e in events]
        assert kinds.count("run_start") == 1 and kinds.count("run_end") == 1
        assert kinds.count("submit") == 1 and kinds[-1] == "run_end"
        assert ("resume" in kinds) == r["resumed"]
        report = audit_log(str(log), replay=True)
        assert report.ok, report.to_json()
    return recs


def test_batch_runs_every_task_once_and_a_second_run_skips_them(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    answers = _write_tasks(tasks, 4)
    s = run_batch(tasks, factory=FACTORY, workers=2, quiet=True)
    assert s.complete and s.finished == 4 and s.workers == 2
    out = tmp_path / "tasks.batch"
    recs = _check_complete(out, answers)
    # Every script drawn gave the one answer (the fake model writes the same script each time).
    assert all(r["uncertainty"]["support"] == r["uncertainty"]["scripts"] >= 1
               and r["uncertainty"]["share"] == 1.0 and r["uncertainty"]["candidates"] == 1
               for r in recs)
    again = run_batch(tasks, factory=FACTORY, workers=2, quiet=True)
    assert again.skipped == 4 and again.finished == 0 and again.complete
    assert len(_results(out / "results.jsonl")) == 4


def test_a_batch_killed_in_the_middle_completes_every_task_exactly_once(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    answers = _write_tasks(tasks, 8)
    out = tmp_path / "out"
    proc = _start(tasks, out, delay=0.4)
    _wait_for_results(out / "results.jsonl", 2, proc)
    t0 = time.monotonic()  # kill while a run is under way (its log begun, not ended)
    while time.monotonic() - t0 < 20 and not [
            p for p in (out / "logs").glob("*.log")
            if [e["kind"] for e in read_events(p)][-1:] not in ([], ["run_end"])]:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # no goodbye: the workers die with it (PDEATHSIG)
    proc.wait(30)
    logs = list((out / "logs").glob("*.log"))
    # A run cut in the middle: its log ends before run_end (or the kill came before its
    # first line was written).
    cut = [p for p in logs if [e["kind"] for e in read_events(p)][-1:] != ["run_end"]]
    assert cut, "the kill should have caught a run in the middle"
    begun = [p for p in cut if p.stat().st_size > 0]  # those with lines resume; empty ones start
    s = run_batch(tasks, out=out, factory=FACTORY, workers=2, quiet=True)
    assert s.complete and s.resumed == len(begun)
    assert s.skipped + s.finished == 8
    recs = _check_complete(out, answers)
    assert sum(r["resumed"] for r in recs) == s.resumed


def test_a_run_that_ended_without_its_result_line_is_recorded_from_its_log(
        tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    answers = _write_tasks(tasks, 2)
    out = tmp_path / "out"
    run_batch(tasks, out=out, factory=FACTORY, workers=1, quiet=True)
    results = out / "results.jsonl"
    first, second = results.read_text().splitlines()
    results.write_text(first + "\n" + second[:25])  # the kill fell mid-line, after run_end
    s = run_batch(tasks, out=out, factory=FACTORY, workers=1, quiet=True)
    assert s.recovered == 1 and s.started == 0 and s.resumed == 0
    recs = _check_complete(out, answers)
    assert [r["recovered"] for r in recs] == [False, True]


def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    answers = _write_tasks(tasks, 6)
    out = tmp_path / "out"
    proc = _start(tasks, out, delay=0.5)
    _wait_for_results(out / "results.jsonl", 1, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopping" in err and "Traceback" not in err
    assert len(_results(out / "results.jsonl")) < 6
    for log in (out / "logs").glob("*.log"):
        raw = log.read_bytes()
        assert raw == b"" or raw.endswith(b"\n")  # no torn line (or stopped before its first)
        kinds = [e["kind"] for e in read_events(log)]
        assert "error" not in kinds  # stopped, not failed: resumable
    s = run_batch(tasks, out=out, factory=FACTORY, workers=2, quiet=True)
    assert s.complete
    _check_complete(out, answers)


def test_task_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    cases = {
        '{"question": "q", "inputs": {"context": "@missing.txt"}}': "no such file missing.txt",
        '{"question": "q", "budget": {}}': "unknown field(s): budget",
        '{"inputs": {}}': "needs a 'question'",
        '{"question": "q", "id": "../x"}': "cannot name a log file",
        '{"question": "q", "budgets": {"iterations": -1}}': "whole number >= 0",
        '{"question": "q", "profile": "huge"}': "not one of tiny, coder",
        '{"question": "q", "inputs": {"rows": [[1], "a"]}}': "cannot tell its type",
        '[1, 2]': "a task is a JSON object",
        '{"question": "q"': "not JSON",
    }
    for line, message in cases.items():
        bad.write_text('# a comment\n\n{"question": "fine"}\n' + line + "\n")
        with pytest.raises(DiagnosticError) as e:
            load_tasks(bad)
        d = e.value.diagnostics[0]
        assert d.code == "E_USAGE" and f"{bad}:4: " in d.message and message in d.message, \
            d.message
    bad.write_text('{"id": "a", "question": "q"}\n{"id": "a", "question": "r"}\n')
    with pytest.raises(DiagnosticError, match="used again"):
        load_tasks(bad)


def test_tasks_without_ids_keep_their_names_when_lines_move(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    a, b = '{"question": "a"}', '{"question": "b"}'
    f.write_text(f"{a}\n{b}\n{a}\n")
    first = [t.id for t in load_tasks(f)]
    assert first[0] != first[1] and first[2] == first[0] + "-2"
    f.write_text(f"{b}\n{a}\n")
    assert [t.id for t in load_tasks(f)] == [first[1], first[0]]


def test_signature_comes_from_the_inputs_unless_given(tmp_path: Path) -> None:
    from rlmlang.batch.tasks import read_inputs, task_signature

    (tmp_path / "d.txt").write_text("text")
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps({"question": "q", "inputs": {"doc": "@d.txt", "n": 3,
                                                         "ids": ["a", "b"]}}) + "\n"
                 + json.dumps({"question": "q", "signature": "x: int -> answer: int",
                               "inputs": {"x": 1}}) + "\n")
    t1, t2 = load_tasks(f)
    assert read_inputs(t1) == {"doc": "text", "n": 3, "ids": ["a", "b"]}
    sig = task_signature(t1, read_inputs(t1))
    from rlmlang.task.signature import parse_signature

    parsed = parse_signature(sig)
    assert {"doc", "n", "ids"} <= {x.name for x in parsed.inputs}
    assert task_signature(t2, read_inputs(t2)) == "x: int -> answer: int"


def test_two_batches_cannot_write_one_folder(tmp_path: Path) -> None:
    from rlmlang.batch.runner import _lock

    fd = _lock(tmp_path / "out")
    try:
        tasks = tmp_path / "t.jsonl"
        _write_tasks(tasks, 1)
        with pytest.raises(DiagnosticError, match="another rlm batch"):
            run_batch(tasks, out=tmp_path / "out", factory=FACTORY, quiet=True)
    finally:
        os.close(fd)


def test_cli_reports_a_bad_task_file_as_a_usage_error(tmp_path: Path, capsys) -> None:
    from rlmlang.cli import main

    f = tmp_path / "t.jsonl"
    f.write_text('{"question": 3}\n')
    assert main(["batch", str(f)]) == 2
    err = capsys.readouterr().err
    assert "E_USAGE" in err and f"{f}:1:" in err and "Traceback" not in err
