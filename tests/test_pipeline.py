"""One pipeline for every way a script is judged and run.

`rlm run` (the controller), `rlm exec`, `rlm check`, the audit's replay and the
tests all go through `rlmlang.pipeline`, so a script means the same thing
wherever it comes from. The regression here: a stdlib function whose
parameter is named like one of the task's inputs (`first_line(text: str)`
with an input `text`) was refused (E_NAME, "parameter 'text' hides the input")
by every copy of the pipeline except the tests' own.
"""

from __future__ import annotations

import json
from pathlib import Path

from fakes import FakeModel
from rlm_cli import rlm

from rlmlang.audit.core import audit_log
from rlmlang.controller.loop import Runtime
from rlmlang.pipeline import CheckOptions, ScriptSetup, analyze_source, execute_script
from rlmlang.tools import default_registry
from rlmlang.types import STR

TEXT = "hello\nworld\n"
USES_TEXT = "submit(first_line(text))\n"


def test_exec_passes_a_stdlib_parameter_named_like_an_input(tmp_path: Path) -> None:
    (tmp_path / "s.rlm").write_text(USES_TEXT)
    p = rlm("exec", "s.rlm", "--input", "text=" + TEXT, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hello\n" and "E_NAME" not in p.stderr


def test_execute_script_passes_a_stdlib_parameter_named_like_an_input() -> None:
    setup = ScriptSetup(registry=default_registry(include_plugins=False),
                        inputs={"text": TEXT}, input_types={"text": STR}, output=STR,
                        state=None)
    out = execute_script(USES_TEXT, setup)
    assert [d.code for d in out.diagnostics] == [] and out.stage == "done"
    assert out.answer == "hello"


def test_check_passes_a_stdlib_parameter_named_like_an_input() -> None:
    opts = CheckOptions(signature="text: str -> answer: str",
                        registry=default_registry(include_plugins=False))
    analysis = analyze_source(USES_TEXT, "s.rlm", opts)
    assert analysis.ok, [d.render(USES_TEXT) for d in analysis.diagnostics]


def test_run_and_replay_pass_a_stdlib_parameter_named_like_an_input(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    rt = Runtime(FakeModel([USES_TEXT]), grammar=False, log_path=log,
                 budgets={"candidates": 1})
    out = rt.run("text: str, question: str -> answer: str", "What is the first line?",
                 text=TEXT)
    assert out.ok and out.answer == "hello", out.reason
    report = audit_log(str(log), replay=True)
    assert report.replay is not None and report.replay.identical, json.dumps(
        report.replay.to_json() if report.replay else None)
