"""The Python API as a caller meets it: the README's samples, outcomes, and coded errors."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from fakes import FakeModel

import rlmlang
from rlmlang import CODES, DiagnosticError, ModelError, Runtime

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.model
@pytest.mark.slow
def test_the_readme_python_samples_run_as_written(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # anywhere: the example ships with the package
    blocks = _python_blocks()
    assert len(blocks) == 2 and "out.code" in blocks[0]
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the sample
    lines = printed.getvalue().splitlines()
    assert "K7-19QX" in lines[0]
    assert lines[1].startswith("E_USAGE - pass it as a keyword argument: run(")
    assert (tmp_path / "runs" / "api.log").is_file()


def _runtime(tmp_path: Path, scripts: list[str]) -> Runtime:
    return Runtime(FakeModel(scripts), grammar=False, log_path=tmp_path / "run.log",
                   budgets={"candidates": 1})


def test_the_answer_is_named_by_the_signature(tmp_path: Path) -> None:
    out = _runtime(tmp_path, ["submit(len(lines(context)))"]).run(
        "context: str, question: str -> total: int", "How many lines?", context="a\nb\nc\n")
    assert out.ok and out.total == 3 and out.answer == 3
    with pytest.raises(AttributeError, match=r"the answer is out\.total"):
        _ = out.totl
    rec = _runtime(tmp_path / "r", ['submit({"city": "Lima", "n": 2})']).run(
        "question: str -> place: {city: str, n: int}", "Where?")
    assert rec.place == {"city": "Lima", "n": 2} and (rec.city, rec.n) == ("Lima", 2)


def test_errors_are_coded_and_worded_for_python(tmp_path: Path) -> None:
    rt = _runtime(tmp_path, [])
    with pytest.raises(DiagnosticError) as caught:
        rt.run("context: str, question: str -> answer: str", "What?")
    e = caught.value
    assert e.code == "E_USAGE" and e.code in CODES
    assert e.diagnostics[0].fix.startswith("pass it as a keyword argument: run(")
    assert "--input" not in str(e) + (e.diagnostics[0].fix or "")
    with pytest.raises(ModelError) as model:
        Runtime(model="no-such-model")
    assert isinstance(model.value, DiagnosticError) and model.value.code == "E_MODEL"


def test_the_exports() -> None:
    for name in rlmlang.__all__:
        assert getattr(rlmlang, name) is not None, name
    assert issubclass(rlmlang.PolicyError, DiagnosticError)
    assert issubclass(rlmlang.StateError, DiagnosticError)
    assert rlmlang.example("needle/context.txt").stat().st_size > 400_000
    with pytest.raises(AttributeError):
        _ = rlmlang.NoSuchThing


@pytest.mark.model
def test_the_command_line_words_the_same_error_with_flags(
        capsys: pytest.CaptureFixture[str]) -> None:
    from rlmlang.cli import main

    assert main(["run", "What?", "--signature", "context: str, question: str -> answer: str",
                 "--no-log", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == ("rlm run: E_USAGE: the signature needs input 'context' (str)\n"
                   "  fix: pass --input context=VALUE or --input context=@FILE\n")
