"""`rlm audit` integrity: every kind of tampering and bad input, named by line."""

import json
from pathlib import Path

import pytest
from audit_helpers import events, make_run

from rlmlang.cli import main


def audit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["audit", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def lines_of(log: Path) -> list[bytes]:
    return log.read_bytes().splitlines(keepends=True)


def test_an_intact_log_passes(run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit(capsys, str(run_log))
    assert code == 0, out
    assert "integrity: intact — 26 lines, hash chain verified, not signed" in out
    assert "result: OK" in out


def test_json_output_is_complete(run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit(capsys, str(run_log), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["integrity"]["intact"]
    s = doc["summary"]
    assert s["answer"] == "K7-19QX" and s["iterations"] == 2
    assert s["scripts"] == {"written": 6, "fixits": 0, "distinct": 5, "repeats": 1, "accepted": 3,
                            "rejected": 2, "rejected_by_stage": {"parse": 1, "verify": 1},
                            "run_status": {"finished": 1, "submitted": 2}}
    assert s["tool_calls"] == {"fs.read": 1, "llm.predict": 1}
    assert s["sub_model_calls"] == {"llm.predict": 1}
    assert s["permissions_used"] == {"fs.read:data/a.txt": 1, "llm": 1,
                                     "state.write:count": 1, "state.write:notes": 1}
    assert s["used"]["tool_calls"] == 2 and s["budgets"]["iterations"] == 3
    assert s["state_commits"][0]["keys"] == ["count", "notes"]


@pytest.mark.parametrize("tamper, expect", [
    ("edit", "line 5 was altered after it was written (line 6 records a different hash"),
    ("delete", "event(s) missing between line 4 and line 5"),
    ("insert", "line 5 was inserted"),
    ("swap", "lines 5 and 6 are in the wrong order (swapped)"),
    ("truncate", "the log ends at line 20 without run_end"),
    ("cut", "line 26 is cut off mid-JSON"),
    ("kind", "line 3: unknown event kind 'promptx'"),
])
def test_tampering_is_named_by_line(run_log: Path, capsys: pytest.CaptureFixture[str],
                                    tamper: str, expect: str) -> None:
    ls = lines_of(run_log)
    if tamper == "edit":
        ev = json.loads(ls[4])
        ev["data"]["text"] = "submit(\"forged\")"
        ls[4] = json.dumps(ev, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    elif tamper == "delete":
        del ls[4]
    elif tamper == "insert":
        ls.insert(4, ls[4].replace(b'"candidate":2', b'"candidate":9'))
    elif tamper == "swap":
        ls[4], ls[5] = ls[5], ls[4]
    elif tamper == "truncate":
        ls = ls[:20]
    elif tamper == "cut":
        ls[-1] = ls[-1][:40]
    elif tamper == "kind":
        ls[2] = ls[2].replace(b'"kind":"generation"', b'"kind":"promptx"')
    run_log.write_bytes(b"".join(ls))
    code, out = audit(capsys, str(run_log))
    assert code == 1
    assert "integrity: NOT INTACT" in out and expect in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("content, expect", [
    (b"", "the log is empty (0 bytes)"),
    (b"hello, this is a README\n", "line 1 is not JSON"),
    (b"\x89PNG\r\n\x1a\n\0\0\0", "the file is binary"),
    (b'{"a": 1}\n', "line 1 is not an rlmlang log event"),
    (b'{"data":{},"kind":"run_start","prev":"' + b"0" * 64 + b'","seq":0,"v":2}\n',
     "line 1: log format version 2 is newer than this reader"),
    (b'{"data":{},"kind":"run_start","prev":"' + b"0" * 64 + b'","seq":0,"v":0}\n',
     "line 1: log format version 0 is older than any this reader understands"),
])
def test_bad_input_gets_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        content: bytes, expect: str) -> None:
    p = tmp_path / "x.log"
    p.write_bytes(content)
    for cmd in ("audit", "replay"):
        code = main([cmd, str(p)])
        out = capsys.readouterr()
        text = out.out + out.err
        assert code == 1 and expect in text, text
        assert "cannot be read as a run log" in text
        assert "Traceback" not in text


def test_a_missing_log_or_key_file_is_a_usage_error(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path / "nope.log")]) == 2
    (tmp_path / "x.log").write_text("")
    assert main(["audit", str(tmp_path / "x.log"), "--hmac-key-file",
                 str(tmp_path / "nokey")]) == 2
    assert "cannot read the key file" in capsys.readouterr().err


def test_hmac_signed_log_with_right_and_wrong_key(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    log = make_run(tmp_path / "signed", key=b"s3cret")
    (tmp_path / "k").write_bytes(b"s3cret\n")
    (tmp_path / "bad").write_bytes(b"other")
    code, out = audit(capsys, str(log), "--hmac-key-file", str(tmp_path / "k"))
    assert code == 0 and "signed, HMAC verified" in out
    code, out = audit(capsys, str(log))
    assert code == 0 and "HMAC not checked (no key)" in out
    code, out = audit(capsys, str(log), "--hmac-key-file", str(tmp_path / "bad"))
    assert code == 1 and "line 1: HMAC does not match" in out


def test_a_rechained_forgery_is_caught_by_the_key(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from audit_helpers import rewrite

    log = make_run(tmp_path / "signed", key=b"s3cret")
    (tmp_path / "k").write_bytes(b"s3cret")
    rewrite(log, lambda evs: evs[-1]["data"].update(answer="forged"), key=b"guess")
    code, out = audit(capsys, str(log), "--hmac-key-file", str(tmp_path / "k"))
    assert code == 1 and "HMAC does not match" in out


def test_the_state_store_must_agree_with_the_log(run_log: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    db = sqlite3.connect(str(run_log) + ".state")
    with db:
        db.execute("UPDATE blobs SET data = CAST(replace(CAST(data AS TEXT), 'K7-19QX', "
                   "'XX-00XX') AS BLOB) "
                   "WHERE name = 'input.context'")
        db.execute("UPDATE kv SET value = '99' WHERE key = 'count'")
    db.close()
    code, out = audit(capsys, str(run_log))
    assert code == 1
    assert "input 'context' in the state store" in out and "does not match the log" in out
    assert "line 24: the state diff of version 1 in the log differs from the state store's" \
        in out


def test_the_audit_never_writes_to_the_state_store(run_log: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    state = Path(str(run_log) + ".state")
    before = state.read_bytes()
    assert main(["audit", str(run_log), "--replay"]) == 0
    capsys.readouterr()
    assert state.read_bytes() == before


def test_events_parse(run_log: Path) -> None:
    kinds = [e["kind"] for e in events(run_log)]
    assert {"run_start", "prompt", "generation", "verdict", "bytecode", "tool_call", "output",
            "state_commit", "observation", "submit", "run_end"} <= set(kinds)


def test_a_log_cut_on_its_first_line(run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_log.write_bytes(run_log.read_bytes()[:300])
    code, out = audit(capsys, str(run_log))
    assert code == 1 and "line 1 is cut off mid-JSON" in out
    assert "cannot be read as a run log" in out and "summary:" not in out
