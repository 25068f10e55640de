"""What a person sees at a terminal, and what a pipe gets: the live status line, plain
tables when piped, and `--input NAME=@-` reading stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from rlmlang.commands.progress import Progress, verdict_line
from rlmlang.diagnostics import DiagnosticError
from rlmlang.task.inputs import parse_input_flags


def _rlm(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_the_status_line_ticks_between_events_and_names_model_and_profile() -> None:
    screen = io.StringIO()
    progress = Progress(True, Console(file=screen, force_terminal=True, width=200))
    progress.describe("smollm2-135m", "tiny")
    progress("generate", {"iteration": 1, "candidate": 1, "of": 3, "used": {"tokens": 0}})
    time.sleep(1.4)  # no event: only the clock moves
    progress.stop()
    out = screen.getvalue()
    line = "smollm2-135m · profile tiny · iteration 1 · writing script 1/3 · "
    assert f"{line}0s" in out and f"{line}1s" in out


def test_verdicts() -> None:
    base = {"iteration": 2, "candidate": 1, "diagnostics": []}
    assert verdict_line({**base, "stage": "done", "status": "submitted", "value": "K7"}) == \
        "  ✓ iteration 2 script 1: submitted → 'K7'"
    for empty in ("", "  ", [], None):
        assert verdict_line({**base, "stage": "done", "status": "submitted",
                             "value": empty}) == \
            "  ✗ iteration 2 script 1: submitted an empty answer"
    assert verdict_line({**base, "stage": "verify", "status": None, "value": None,
                         "diagnostics": ["E_COST"]}) == "  ✗ iteration 2 script 1: E_COST"


def test_a_disabled_display_draws_nothing() -> None:
    progress = Progress(False)
    progress("generate", {"iteration": 1, "candidate": 1, "of": 1, "used": {}})
    progress.stop()
    assert progress.status is None and progress.console is None


def test_rlm_tools_piped_is_one_plain_line_per_tool() -> None:
    listed = json.loads(_rlm("tools", "--json", "--no-plugins").stdout)
    r = _rlm("tools", "--no-plugins")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "│" not in r.stdout
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["signature", "permission", "kind", "origin"]
    assert len(lines) == len(listed) + 2  # header, tools, the count
    for tool, line in zip(listed, lines[1:], strict=False):
        assert line.startswith(tool["signature"]) and line.endswith(tool["origin"])
    assert max(map(len, lines)) > 80  # not wrapped at a pretend terminal's width


def test_exec_reads_an_input_from_stdin(tmp_path: Path) -> None:
    script = tmp_path / "count.rlm"
    script.write_text("submit(str(len(lines(context))))\n")
    r = _rlm("exec", str(script), "--input", "context=@-", stdin="a\nb\nc\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "3\n", "")
    r = _rlm("exec", str(script), "--input", "context=@-", "--input", "other=@-", stdin="x")
    assert r.returncode == 2 and "only one --input can read stdin" in r.stderr


def test_run_reads_an_input_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("ünï\ncode\n".encode())))
    flags = parse_input_flags(["context=@-", "question=What?"])
    assert {n: f.raw for n, f in flags.items()} == {
        "context": "ünï\ncode\n", "question": "What?"}
    with pytest.raises(DiagnosticError, match="only one --input can read stdin"):
        parse_input_flags(["a=@-", "b=@-"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe")))
    with pytest.raises(DiagnosticError, match="stdin is not UTF-8 text"):
        parse_input_flags(["a=@-"])
