"""Re-verification: every logged script judged again, as recorded and under today's policy."""

import json
from pathlib import Path

import pytest
from audit_helpers import rewrite

from rlmlang.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_recorded_verdicts_reproduce(run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "audit", str(run_log), "--json")
    rv = json.loads(out)["reverify"]["recorded_policy"]
    assert code == 0 and rv["scripts"] == 5 and rv["now_rejected"] == []
    stages = [(r["iteration"], r["candidate"], r["recorded_stage"], r["now_stage"])
              for r in rv["results"]]
    assert stages == [(1, 1, "parse", "parse"), (1, 2, "verify", "verify"),
                      (1, 3, "done", "accepted"), (2, 1, "done", "accepted"),
                      (2, 2, "done", "accepted")]


def test_todays_stricter_policy_lists_each_script_it_would_reject(
        run_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = tmp_path / "today.toml"
    pol.write_text('[policy]\nroot = "."\nallow = ["llm", "state.write:notes", '
                   '"state.write:count"]\ndeny = ["fs.read:data/**"]\n')
    code, out = run(capsys, "audit", str(run_log), "--policy", str(pol))
    assert code == 1
    assert "re-verification under the recorded policy: 5 script(s) judged; every accepted " \
        "script is still accepted" in out
    assert f"re-verification under today's policy ({pol}): 1 of 5 script(s) the log " \
        "accepted would now be REJECTED" in out
    assert "line 13: iteration 2 script 1" in out
    assert "iteration 2 script 1:1:5: error E_DENIED: fs.read of 'data/a.txt' matches deny " \
        "rule 'fs.read:data/**'" in out
    assert 't = fs.read("data/a.txt")' in out  # the diagnostic shows the source line


def test_todays_policy_that_allows_everything_used_passes(
        run_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = tmp_path / "today.toml"
    pol.write_text('[policy]\nroot = "."\nallow = ["fs.read:data/**", "llm", '
                   '"state.write:notes", "state.write:count"]\n')
    code, out = run(capsys, "audit", str(run_log), "--policy", str(pol))
    assert code == 0, out


def test_a_forged_acceptance_is_caught(run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A forger re-chains the log so a refused script reads as accepted: the chain is intact."""
    def forge(evs: list[dict]) -> None:
        v = evs[5]["data"]
        assert evs[5]["kind"] == "verdict" and v["stage"] == "verify"
        v.update(accepted=True, stage="done", diagnostics=[])

    rewrite(run_log, forge)
    code, out = run(capsys, "audit", str(run_log))
    assert code == 1
    assert "integrity: intact" in out
    assert "1 of 5 script(s) the log accepted would now be REJECTED" in out
    assert "line 5: iteration 1 script 2" in out and "E_PERMISSION" in out


def test_without_the_state_store_it_says_so_and_judges_by_size(
        run_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path(str(run_log) + ".state").unlink()
    code, out = run(capsys, "audit", str(run_log))
    # run_start records the store relative to the log: it is the one beside it, now gone
    # (not the original run's store, wherever that was).
    assert "run.log.state is missing: it holds the run's inputs" in out
    gone = str(run_log.parent / "gone.state")
    code, out = run(capsys, "audit", str(run_log), "--state", gone)
    assert "is missing: it holds the run's inputs" in out
    assert "stand-in inputs of the recorded sizes for context" in out
    assert "5 script(s) judged; every accepted script is still accepted" in out
    # run_start records the state schema, so even the script that uses state.* is judged.
    assert "could not be judged" not in out
    assert code == 0
    code, out = run(capsys, "replay", str(run_log), "--state", gone)
    assert code == 1 and "replay: NOT POSSIBLE" in out and "state store" in out
