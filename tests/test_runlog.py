"""The hash-chained run log: every kind of tampering is found and named by line."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from rlmlang.diagnostics import DiagnosticError
from rlmlang.logschema import EVENT_KINDS
from rlmlang.runlog import GENESIS, LogWriter, check_chain, read_events

KEY = b"secret-key"


def write_log(path: Path, n_middle: int = 8, key: bytes | None = None, end: bool = True) -> Path:
    with LogWriter(path, key) as w:
        w.append("run_start", {"task": "count invoices", "model": "smollm2"})
        for i in range(n_middle):
            w.append("prompt" if i % 2 else "generation", {"i": i, "text": f"héllo {i} ✓"})
        if end:
            w.append("run_end", {"answer": "42"})
    return path


def lines_of(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    return raw[:-1].split(b"\n")


def tampered(path: Path, lines: list[bytes]) -> Path:
    out = path.with_name("tampered.log")
    out.write_bytes(b"".join(line + b"\n" for line in lines))
    return out


def problems(path: Path, key: bytes | None = None) -> list[tuple[int, str]]:
    diags = check_chain(path, key)
    for d in diags:
        assert d.code == "E_LOG"
        assert d.file == str(path)
    return [(d.line, d.message) for d in diags]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write_log(tmp_path / "run.log")


def test_valid_log_has_no_problems_and_exact_format(log: Path) -> None:
    assert check_chain(log) == []
    lines = lines_of(log)
    assert len(lines) == 10
    prev = GENESIS
    for seq, line in enumerate(lines):
        obj = json.loads(line)
        assert set(obj) == {"v", "seq", "kind", "prev", "data"}
        assert obj["v"] == 1 and obj["seq"] == seq and obj["prev"] == prev
        assert json.dumps(obj, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode() == line
        prev = hashlib.sha256(line).hexdigest()
    assert "✓".encode() in lines[1]  # ensure_ascii=False: UTF-8, not \\u escapes
    events = read_events(log)
    assert [e["kind"] for e in events][0] == "run_start" and events[-1]["kind"] == "run_end"
    assert events[3]["data"] == {"i": 2, "text": "héllo 2 ✓"}


def test_append_returns_event_and_validates(tmp_path: Path) -> None:
    w = LogWriter(tmp_path / "a.log")
    ev = w.append("run_start", {"t": (1, 2)})
    assert ev == {"v": 1, "seq": 0, "kind": "run_start", "prev": GENESIS, "data": {"t": [1, 2]}}
    with pytest.raises(ValueError, match="unknown log event kind 'nope'"):
        w.append("nope", {})
    with pytest.raises(TypeError, match="not JSON"):
        w.append("output", {"x": float("nan")})
    with pytest.raises(TypeError, match="not JSON"):
        w.append("output", {"x": object()})
    ev2 = w.append("output", {"x": 1}, sync=True)
    assert ev2["seq"] == 1  # the failed appends consumed nothing
    w.close()
    assert [e["seq"] for e in read_events(tmp_path / "a.log")] == [0, 1]
    with pytest.raises(DiagnosticError, match="already exists"):
        LogWriter(tmp_path / "a.log")


def test_edit_in_middle_names_the_edited_line(log: Path) -> None:
    lines = lines_of(log)
    obj = json.loads(lines[3])
    obj["data"]["i"] = 99  # re-serialised canonically: only the chain can tell
    lines[3] = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [4]
    assert "line 4 was altered" in got[0][1]


def test_non_canonical_edit_is_named(log: Path) -> None:
    lines = lines_of(log)
    lines[5] = lines[5].replace(b'"i":4', b'"i": 4')
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [6]
    assert "canonical" in got[0][1]


def test_edit_of_prev_field_names_that_line(log: Path) -> None:
    lines = lines_of(log)
    obj = json.loads(lines[4])
    obj["prev"] = "a" * 64
    lines[4] = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [5]
    assert "line 5 was altered" in got[0][1]


def test_edit_of_seq_field(log: Path) -> None:
    lines = lines_of(log)
    lines[6] = lines[6].replace(b'"seq":6', b'"seq":60')
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [7]
    assert "seq 60 where 6 was expected" in got[0][1]


@pytest.mark.parametrize("index", [1, 4, 8])
def test_deletion_is_named(log: Path, index: int) -> None:
    lines = lines_of(log)
    del lines[index]
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [index + 1]
    assert "1 event(s) missing" in got[0][1] and "deleted" in got[0][1]


def test_deleting_several_lines_counts_them(log: Path) -> None:
    lines = lines_of(log)
    del lines[3:6]
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [4]
    assert "3 event(s) missing between line 3 and line 4" in got[0][1]


def test_deleting_first_line(log: Path) -> None:
    lines = lines_of(log)
    got = problems(tampered(log, lines[1:]))
    assert got[0][0] == 1 and "start of the log was deleted" in got[0][1]


def test_truncation_at_a_line_boundary(log: Path) -> None:
    got = problems(tampered(log, lines_of(log)[:7]))
    assert got == [(7, "the log ends at line 7 without run_end: the run was interrupted or "
                       "the log was truncated")]


def test_truncation_mid_line(log: Path) -> None:
    raw = log.read_bytes()
    cut = log.with_name("cut.log")
    cut.write_bytes(raw[: raw.rfind(b"\n", 0, len(raw) - 1) + 30])
    got = problems(cut)
    assert (10, "line 10 is cut off mid-JSON: the writer was killed mid-write or the file "
                "was truncated") in got
    assert any(ln == 9 and "without run_end" in msg for ln, msg in got)


def test_insertion_of_forged_line_with_valid_link(log: Path) -> None:
    lines = lines_of(log)
    # A forged event that links correctly to line 4 and claims seq 4.
    forged = {"v": 1, "seq": 4, "kind": "tool_call", "prev": hashlib.sha256(lines[3]).hexdigest(),
              "data": {"tool": "fs.write"}}
    lines.insert(4, json.dumps(forged, sort_keys=True, separators=(",", ":")).encode())
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [5]
    assert "line 5 was inserted" in got[0][1]


def test_insertion_of_garbage_linked_line(log: Path) -> None:
    lines = lines_of(log)
    lines.insert(6, lines[2].replace(b'"i":1', b'"i":77'))  # a modified copy of another line
    got = problems(tampered(log, lines))
    assert [ln for ln, _ in got] == [7]
    assert "line 7 was inserted" in got[0][1]


def test_duplication_is_named(log: Path) -> None:
    lines = lines_of(log)
    lines.insert(6, lines[5])
    got = problems(tampered(log, lines))
    assert got == [(7, "line 7 is a copy of line 6 (duplicated)")]


def test_duplicated_run_end(log: Path) -> None:
    lines = lines_of(log)
    got = problems(tampered(log, lines + [lines[-1]]))
    assert got == [(11, "line 11 is a copy of line 10 (duplicated)")]


def test_swap_is_named(log: Path) -> None:
    lines = lines_of(log)
    lines[4], lines[5] = lines[5], lines[4]
    got = problems(tampered(log, lines))
    assert got == [(5, "lines 5 and 6 are in the wrong order (swapped)")]


def test_move_far_is_named(log: Path) -> None:
    lines = lines_of(log)
    moved = lines.pop(2)
    lines.insert(7, moved)
    got = problems(tampered(log, lines))
    assert got and {ln for ln, _ in got} <= {3, 8, 9}
    assert got[0][0] == 3 and "out of order" in got[0][1]


def test_hmac_valid_and_wrong_key(tmp_path: Path) -> None:
    log = write_log(tmp_path / "signed.log", key=KEY)
    assert all("mac" in json.loads(line) for line in lines_of(log))
    assert check_chain(log, KEY) == []
    assert check_chain(log) == []  # chain alone still verifies
    got = problems(log, b"wrong-key")
    assert len(got) == 10 and all("HMAC does not match" in m for _, m in got)
    assert got[0][0] == 1


def test_hmac_catches_recomputed_chain(tmp_path: Path) -> None:
    """A forger who edits a line and recomputes every later hash still fails the HMAC."""
    log = write_log(tmp_path / "signed.log", key=KEY)
    lines = lines_of(log)
    objs = [json.loads(line) for line in lines]
    objs[3]["data"]["i"] = 1000
    prev = objs[3]["prev"]
    out = []
    for k, obj in enumerate(objs):
        if k >= 3:
            obj["prev"] = prev
        line = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        prev = hashlib.sha256(line).hexdigest()
        out.append(line)
    forged = tampered(log, out)
    assert check_chain(forged) == []  # without a key the rewrite is undetectable...
    got = problems(forged, KEY)
    assert got and got[0][0] == 4 and "HMAC" in got[0][1]  # ...with it, line 4 is named


def test_hmac_stripped_or_missing(tmp_path: Path) -> None:
    plain = write_log(tmp_path / "plain.log")
    got = problems(plain, KEY)
    assert got and got[0][0] == 1 and "no mac" in got[0][1]
    signed = write_log(tmp_path / "signed.log", key=KEY)
    lines = lines_of(signed)
    obj = json.loads(lines[2])
    del obj["mac"]
    lines[2] = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    got = problems(tampered(signed, lines))
    assert got[0][0] == 3 and "lacks a mac" in got[0][1]


def test_not_a_log(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert "empty" in problems(empty)[0][1]
    binary = tmp_path / "bin.log"
    binary.write_bytes(bytes(range(256)) * 4)
    got = problems(binary)
    assert len(got) == 1 and "binary" in got[0][1]
    latin = tmp_path / "latin.log"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in problems(latin)[0][1]
    text = tmp_path / "notes.log"
    text.write_text("just some notes\nand more\n")
    got = problems(text)
    assert got == [(1, "line 1 is not JSON (Expecting value): this is not an rlmlang run log")]
    other_json = tmp_path / "other.jsonl"
    other_json.write_text('{"a": 1}\n{"a": 2}\n')
    got = problems(other_json)
    assert len(got) == 1 and "not an rlmlang log event" in got[0][1]
    missing = problems(tmp_path / "nope.log")
    assert "cannot read" in missing[0][1]


def test_crlf_conversion_is_one_plain_problem(log: Path) -> None:
    crlf = log.with_name("crlf.log")
    crlf.write_bytes(log.read_bytes().replace(b"\n", b"\r\n"))
    got = problems(crlf)
    assert len(got) == 1 and got[0][0] == 1 and "Windows line endings" in got[0][1]


def test_blank_line_in_middle(log: Path) -> None:
    lines = lines_of(log)
    lines.insert(3, b"")
    got = problems(tampered(log, lines))
    assert got == [(4, "line 4 is not JSON (Expecting value at column 1)")]


def test_non_json_line_in_middle(log: Path) -> None:
    lines = lines_of(log)
    lines[4] = b"garbage here"
    got = problems(tampered(log, lines))
    assert got[0][0] == 5 and "line 5 is not JSON" in got[0][1]


@pytest.mark.parametrize("v,word", [(2, "newer"), (0, "older"), ("1", "not a version")])
def test_unknown_format_version(tmp_path: Path, v: object, word: str) -> None:
    lines = lines_of(write_log(tmp_path / "run.log"))
    obj = json.loads(lines[0])
    obj["v"] = v
    lines[0] = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    got = problems(tampered(tmp_path / "run.log", lines))
    assert len(got) == 1 and got[0][0] == 1 and word in got[0][1]


def test_unknown_kind_and_custom_kinds(tmp_path: Path) -> None:
    kinds = EVENT_KINDS | {"checkpoint"}
    with LogWriter(tmp_path / "k.log", kinds=kinds) as w:
        w.append("run_start", {})
        w.append("checkpoint", {})
        w.append("run_end", {})
    got = problems(tmp_path / "k.log")
    assert got == [(2, "line 2: unknown event kind 'checkpoint'")]
    assert check_chain(tmp_path / "k.log", kinds=kinds) == []


def test_first_event_must_be_run_start_and_nothing_after_run_end(tmp_path: Path) -> None:
    with LogWriter(tmp_path / "a.log") as w:
        w.append("prompt", {})
        w.append("run_end", {})
        w.append("output", {})
    got = problems(tmp_path / "a.log")
    assert (1, "the first event is 'prompt', not 'run_start'") in got
    assert (3, "line 3 comes after run_end (line 2)") in got


def test_resume_continues_the_chain(tmp_path: Path) -> None:
    path = write_log(tmp_path / "run.log", key=KEY, end=False)
    w = LogWriter.resume(path, KEY)
    assert w.notes == [] and w.seq == 9
    ev = w.append("resume", {"from_step": 4})
    assert ev["seq"] == 9
    w.append("run_end", {"answer": "x"})
    w.close()
    assert check_chain(path, KEY) == []


def test_resume_removes_a_torn_line(tmp_path: Path) -> None:
    path = write_log(tmp_path / "run.log", end=False)
    intact = path.read_bytes()
    with open(path, "ab") as f:
        f.write(b'{"data":{"i":9,"te')  # the writer was killed mid-line
    assert any("cut off mid-JSON" in m for _, m in problems(path))
    w = LogWriter.resume(path)
    assert len(w.notes) == 1 and "line 10 was cut off mid-write" in w.notes[0]
    assert "removed it" in w.notes[0]
    assert path.read_bytes() == intact  # only the torn line went
    w.append("resume", {})
    w.append("run_end", {})
    w.close()
    assert check_chain(path) == []


def test_resume_keeps_a_complete_line_missing_its_newline(tmp_path: Path) -> None:
    path = write_log(tmp_path / "run.log", end=False)
    path.write_bytes(path.read_bytes()[:-1])
    w = LogWriter.resume(path)
    assert "lacked its final newline" in w.notes[0]
    assert w.seq == 9
    w.append("run_end", {})
    w.close()
    assert check_chain(path) == []


def test_resume_refuses_altered_or_finished_logs(tmp_path: Path, log: Path) -> None:
    with pytest.raises(DiagnosticError, match="already ended"):
        LogWriter.resume(log)
    path = write_log(tmp_path / "open.log", end=False)
    lines = lines_of(path)
    lines[2] = lines[2].replace(b'"i":1', b'"i": 1')
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    with pytest.raises(DiagnosticError) as exc:
        LogWriter.resume(path)
    assert exc.value.diagnostics[0].line == 3
    signed = write_log(tmp_path / "signed.log", key=KEY, end=False)
    with pytest.raises(DiagnosticError, match="HMAC"):
        LogWriter.resume(signed, b"wrong")


def test_read_events_rejects_garbage(tmp_path: Path) -> None:
    p = tmp_path / "x.log"
    p.write_bytes(b'{"v":1}\nnot json\n')
    with pytest.raises(DiagnosticError, match="line 2 is not JSON"):
        read_events(p)


def test_check_is_fast(tmp_path: Path) -> None:
    """The checker keeps up with >= 50k small events per second (measured, with margin)."""
    path = tmp_path / "big.log"
    n = 20000
    with LogWriter(path) as w:
        w.append("run_start", {})
        for i in range(n - 2):
            w.append("tool_call", {"tool": "fs.read", "i": i, "ok": True})
        w.append("run_end", {})
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        assert check_chain(path) == []
        best = max(best, n / (time.perf_counter() - t0))
    assert best >= 50_000 / 2  # half the target: the CI machine is shared


WRITER_CHILD = r"""
import os, sys
from rlmlang.runlog import LogWriter
path = sys.argv[1]
if os.path.exists(path):
    w = LogWriter.resume(path)  # an error here ends the child early: the test sees it
    w.append("resume", {"notes": w.notes}, sync=True)
else:
    w = LogWriter(path)
    w.append("run_start", {"task": "t"}, sync=True)
i = 0
while True:
    w.append("output", {"i": i, "text": "x" * (i % 5000)}, sync=(i % 10 == 0))
    i += 1
"""


def test_killed_writer_resumes_to_a_valid_chain(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    path = tmp_path / "run.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    for delay in (0.3, 0.15, 0.2):
        child = subprocess.Popen([sys.executable, "-c", WRITER_CHILD, str(path)], env=env,
                                 stderr=subprocess.PIPE)
        time.sleep(delay)
        assert child.poll() is None, child.stderr.read().decode()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()
        # Interrupted, never altered: the only problems are the missing end (and a torn line).
        reasons = {d.data["reason"] for d in check_chain(path)}
        assert reasons <= {"no_run_end", "torn"}
    w = LogWriter.resume(path)
    w.append("run_end", {})
    w.close()
    assert check_chain(path) == []
    assert len(read_events(path)) > 10
