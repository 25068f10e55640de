"""`rlm replay`: identical on a real log; every forged quantity is the first divergence."""

import hashlib
import json
from pathlib import Path

import pytest
from audit_helpers import rewrite

from rlmlang.cli import main
from rlmlang.runlog import read_events


def replay(capsys: pytest.CaptureFixture[str], log: Path, *extra: str) -> tuple[int, str]:
    code = main(["replay", str(log), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def find(evs: list[dict], kind: str, **match: object) -> dict:
    return next(e for e in evs if e["kind"] == kind
                and all(e["data"].get(k) == v for k, v in match.items()))


def test_a_real_run_replays_identically(run_log: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = replay(capsys, run_log)
    assert code == 0, out
    assert "replay: identical — 3 accepted script(s) re-executed from their recorded " \
        "bytecode, 2 recorded call(s) fed back, 1 state commit(s) reproduced" in out
    code, out = replay(capsys, run_log, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["replay"]["identical"]


def _output(evs: list[dict], it: int, cand: int) -> dict:
    return find(evs, "output", iteration=it, candidate=cand)["data"]


@pytest.mark.parametrize("forge, expect", [
    # What a script printed.
    (lambda evs: _output(evs, 1, 3).update(printed="9999\n"),
     ["line 10: iteration 1 script 3: printed differs", "recorded: '9999\\n'",
      "replayed: '10850\\n'"]),
    # Fuel.
    (lambda evs: _output(evs, 2, 2).update(fuel=1),
     ["iteration 2 script 2: fuel differs", "recorded: 1", "replayed: {fuel}"]),
    # State writes of a candidate.
    (lambda evs: _output(evs, 2, 1)["writes"].update(count=1),
     ["iteration 2 script 1: writes differs", '"count":1', '"count":17']),
    # A sub-model result: the script then submits something else.
    (lambda evs: find(evs, "tool_call", tool="llm.predict")["data"].update(result="ZZ-0"),
     ["iteration 2 script 1: value differs", "recorded: 'K7-19QX'", "replayed: 'ZZ-0'"]),
    # A tool call's arguments: the script's call no longer matches the recording.
    (lambda evs: find(evs, "tool_call", tool="fs.read")["data"].update(args=["data/b.txt"]),
     ["line 16: iteration 2 script 1: tool call 1 differs", "replay diverged",
      '"args":["data/b.txt"]', '"args":["data/a.txt"]']),
    # The committed state diff.
    (lambda evs: find(evs, "state_commit")["data"]["diff"]["count"].update(new=18),
     ["line 24: iteration 2: state diff differs", '"new":18', '"new":17']),
    # The submitted answer and the votes.
    (lambda evs: find(evs, "submit")["data"].update(value="forged"),
     ["line 25: iteration 2: submitted value differs", "recorded: 'forged'"]),
    (lambda evs: find(evs, "submit")["data"].update(votes={"k7-19qx": 5}),
     ["iteration 2: votes differs", '{"k7-19qx":5}', '{"k7-19qx":3}']),
    # The script text, with its recorded hash left alone.
    (lambda evs: find(evs, "generation", iteration=2, candidate=2)["data"].update(
        text='submit("forged")'),
     ["iteration 2 script 2: script sha256 differs"]),
])
def test_a_forged_quantity_is_the_first_divergence(run_log: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   forge, expect: list[str]) -> None:
    fuel = _output(read_events(run_log), 2, 2)["fuel"]  # what the script really used
    rewrite(run_log, forge)  # a consistent chain: only the replay can tell
    code, out = replay(capsys, run_log)
    assert code == 1
    assert "replay: DIVERGED — first divergence:" in out
    for e in expect:
        assert e.replace("{fuel}", str(fuel)) in out, out


def test_bytecode_edited_but_hash_kept_does_not_load(run_log: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    def forge(evs: list[dict]) -> None:
        find(evs, "bytecode", iteration=2, candidate=2)["data"]["code"]["consts"][0] = "badge 1"

    rewrite(run_log, forge)
    code, out = replay(capsys, run_log)
    assert code == 1 and "iteration 2 script 2: bytecode differs" in out
    assert "does not match the expected" in out


def test_bytecode_and_hash_both_replaced_differs_from_a_fresh_compile(
        run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def forge(evs: list[dict]) -> None:
        d = find(evs, "bytecode", iteration=2, candidate=2)["data"]
        d["code"]["consts"][0] = "badge 1"
        d["hash"] = hashlib.sha256(json.dumps(
            d["code"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()

    rewrite(run_log, forge)
    code, out = replay(capsys, run_log)
    assert code == 1
    assert "iteration 2 script 2: bytecode hash differs (a fresh compile of the logged " \
        "script gives other bytecode)" in out


def test_an_altered_log_is_reported_even_if_the_replay_matches(
        run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = run_log.read_bytes().splitlines(keepends=True)
    at = next(i for i, raw in enumerate(lines) if b'"kind":"observation"' in raw)
    ev = json.loads(lines[at])
    ev["data"]["text"] = "edited"  # replay does not compare what was fed back to the model
    lines[at] = json.dumps(ev, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    run_log.write_bytes(b"".join(lines))
    code, out = replay(capsys, run_log)
    assert code == 1 and "integrity: NOT INTACT" in out
    assert f"line {at + 1} was altered after it was written" in out
    assert "(the replay matched, but the log is not intact: it proves nothing)" in out
