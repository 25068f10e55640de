"""The user's stdlib modules, and where diagnostics inside stdlib functions are reported.

A module in `$XDG_CONFIG_HOME/rlmlang/stdlib` or `$RLM_STDLIB_PATH` is loaded
and checked like a shipped one; one that fails is a coded diagnostic naming
its file (and `rlm check` of it says the same), never a Python warning. A
problem inside a stdlib function is reported at the script's call that led
there, with the module's own file and line.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from rlmlang.cli import main
from rlmlang.pipeline import analyze_source
from rlmlang.tools import default_registry
from rlmlang.tools.stdlib import STDLIB_DIR, check_module, user_stdlib_dir
from rlmlang.tools.stdlib_origin import LINE_BASE

DOCS = Path(__file__).resolve().parents[2] / "docs"
BAD = ("def spin(n: int) -> int:\n    # Never ends.\n    while n > 0:\n        n = n + 1\n"
       "    return n\n")


def _shout() -> str:
    """docs/language.md's `shout` example: its def, as a module holds it."""
    text = (DOCS / "language.md").read_text(encoding="utf-8")
    block = re.search(r"```rlm\n(def shout\(.*?)\n\n", text, re.S)
    assert block is not None, "docs/language.md lost its shout example"
    return block.group(1) + "\n"


def _line_of(module: str, text: str) -> int:
    lines = (STDLIB_DIR / module).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == text)


def _big_numbers(text: str) -> list[str]:
    """Line numbers of the shifted stdlib lines that leaked into a message."""
    return [n for n in re.findall(r"(?:line |:|@)(\d+)", text) if int(n) >= LINE_BASE]


def test_a_problem_inside_a_stdlib_function_is_reported_at_the_call() -> None:
    script = "xs = lines(context)\nu = unique(xs)\nsubmit(str(len(u)))\n"
    (d,) = analyze_source(script, "usestd2.rlm").diagnostics
    loop = _line_of("lists.rlm", "for x in xs:")
    assert (d.code, d.file, d.line, d.col) == ("E_COST", "usestd2.rlm", 2, 5)
    assert d.message.startswith(f"in unique (stdlib/lists.rlm:{loop}:5): worst-case fuel")
    assert d.notes[0] == f"stdlib/lists.rlm:{loop}:5: for x in xs:"
    assert any(f"line {loop} of stdlib/lists.rlm" in n for n in d.notes)
    assert d.data["stdlib"] == {"file": "stdlib/lists.rlm", "line": loop, "col": 5,
                                "function": "unique", "chain": ["unique"]}
    assert not _big_numbers(d.render(script))


def test_the_chain_of_stdlib_calls_is_named() -> None:
    (d,) = analyze_source('n = 1\nsubmit(str(column_sum(context, "amount")))\n',
                          "s.rlm").diagnostics
    loop = _line_of("numbers.rlm", "for x in xs:")
    assert (d.code, d.line) == ("E_COST", 2)
    assert d.message.startswith(f"in to_numbers (stdlib/numbers.rlm:{loop}:5), called by "
                                "column_sum:")


def test_a_run_time_error_inside_a_stdlib_function(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    script, table = tmp_path / "cs.rlm", tmp_path / "t.csv"
    script.write_text('total = column_sum(context, "nope")\nsubmit(str(total))\n')
    table.write_text("region,amount\nWest,5\n")
    assert main(["exec", str(script), "--input", f"context=@{table}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{script}:1:9: error E_TOOL: in column_sum (stdlib/numbers.rlm:")
    assert "no column is named 'nope'" in err and not _big_numbers(err)


@pytest.mark.parametrize("where", ["config", "env"])
def test_the_docs_shout_example_works_from_a_user_module(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    directory = user_stdlib_dir() if where == "config" else tmp_path / "mine"
    if where == "env":
        monkeypatch.setenv("RLM_STDLIB_PATH", str(directory))
    directory.mkdir(parents=True)
    (directory / "mine.rlm").write_text(_shout())
    script = tmp_path / "use.rlm"
    script.write_text('print(shout("hey", 2))\nsubmit(shout("ho", 1))\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning anywhere on the way
        assert main(["exec", str(script)]) == 0
        out = capsys.readouterr()
        assert (out.out, out.err) == ("hey!hey!\nho!\n", "")
        assert main(["check", str(directory / "mine.rlm")]) == 0
    spec = default_registry().get("shout")
    assert spec is not None and spec.origin == "stdlib:mine"


def test_a_broken_user_module_is_a_coded_diagnostic_naming_its_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RLM_STDLIB_PATH", str(tmp_path / "lib"))
    (tmp_path / "lib").mkdir()
    bad = tmp_path / "lib" / "bad.rlm"
    bad.write_text(BAD)
    script = tmp_path / "s.rlm"
    script.write_text('submit(first_word("ok fine"))\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["exec", str(script)]) == 0  # the run goes on without the module
    out = capsys.readouterr()
    assert out.out == "ok\n"
    assert out.err.startswith(f"{bad}:3:5: warning E_TERMINATION: cannot prove this while "
                              "loop ends")
    assert "    while n > 0:" in out.err  # the module's own line, with a caret
    assert "stdlib module bad.rlm is not loaded" in out.err and "Warning" not in out.err
    # `rlm check` of the module says what loading it said, as errors
    loaded = [(d.code, d.line, d.message) for d in default_registry().problems]
    checked = [(d.code, d.line, d.message) for d in check_module(BAD, str(bad))]
    assert loaded == checked and checked[0][:2] == ("E_TERMINATION", 3)
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:5: error E_TERMINATION" in err and "checked as a stdlib module" in err


def test_a_user_function_may_not_replace_a_tool(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLM_STDLIB_PATH", str(tmp_path))
    (tmp_path / "mine.rlm").write_text("def mean(xs: list[float]) -> float:\n    return 0.0\n")
    reg = default_registry()
    assert reg.get("mean").origin == "stdlib:numbers"
    (d,) = reg.problems
    assert (d.code, d.file, d.line, d.severity) == ("E_NAME", str(tmp_path / "mine.rlm"), 1,
                                                    "warning")
    assert d.message == "'mean' is already a tool (stdlib:numbers); a stdlib function may " \
        "not replace it"


def test_a_user_module_may_call_the_shipped_stdlib(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLM_STDLIB_PATH", str(tmp_path))
    (tmp_path / "mine.rlm").write_text(
        "def spread(xs: list[float]) -> float:\n    # Largest minus mean.\n"
        "    return max_of(xs) - mean(xs)\n")
    reg = default_registry()
    assert reg.problems == [] and reg.get("spread") is not None
    r = analyze_source("submit(spread([1.0, 2.0, 6.0]))\n", "s.rlm")
    assert r.ok, [d.render() for d in r.diagnostics]


def test_check_takes_the_signature_from_the_inputs_sized(tmp_path) -> None:
    """`rlm check --input-size orders=N` checks against `orders: str, question: str -> ...`,
    as `rlm run --input orders=...` runs; before, `orders` was undefined."""
    from rlmlang.cli import main

    script = tmp_path / "s.rlm"
    script.write_text('submit(str(len(lines(orders))))\n')
    assert main(["check", str(script), "--input-size", "orders=5000"]) == 0
    assert main(["check", str(script)]) == 1  # the default signature has context only
