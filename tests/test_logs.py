"""`rlm logs`: the index beside the run logs, kept by the Runtime and by `rlm logs` itself."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fakes import FakeModel

from rlmlang.cli import main
from rlmlang.controller.loop import Runtime
from rlmlang.logs import INDEX_NAME, find_run, query

SIG = "context: str, question: str -> answer: str"
CONTEXT = "id,city\n1,Lima\n2,Oslo\n3,Lima\n"


def _run(runs: Path, name: str, scripts: list[str], question: str) -> Path:
    log = runs / f"{name}.log"
    Runtime(FakeModel(scripts), grammar=False, log_path=log,
            budgets={"candidates": 1, "iterations": 2}).run(SIG, question, context=CONTEXT)
    return log


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("runs")
    _run(d, "20260101-000000-aaaaaa", ['submit(str(count_rows(context, "city", "Lima")))'],
         "How many rows are in Lima?")
    _run(d, "20260102-000000-bbbbbb", ["x = 1 +", "print(1)"], "Which city is first?")
    return d


def _rows(directory: Path) -> dict[str, tuple]:
    db = sqlite3.connect(directory / INDEX_NAME)
    try:
        return {r[0]: r[1:] for r in db.execute("SELECT log, status, model FROM runs")}
    finally:
        db.close()


def test_the_runtime_indexes_a_run_when_it_ends(runs: Path) -> None:
    assert _rows(runs) == {"20260101-000000-aaaaaa.log": ("answered", "fake"),
                           "20260102-000000-bbbbbb.log": ("no_answer", "fake")}
    assert sorted(p.name for p in runs.iterdir() if "sqlite" in p.name) == [INDEX_NAME]


def test_list_and_filter(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "--dir", str(runs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["run", "ended", "status", "model", "seconds", "answer", "task"]
    assert [line.split()[0] for line in lines[1:]] == ["20260102-000000-bbbbbb",
                                                       "20260101-000000-aaaaaa"]
    assert "How many rows are in Lima?" in lines[2] and '"2"' not in lines[2]
    assert [r.id for r in query(runs, status="answered")] == ["20260101-000000-aaaaaa"]
    assert [r.id for r in query(runs, text="which CITY")] == ["20260102-000000-bbbbbb"]
    assert [r.id for r in query(runs, model="fak", limit=1)] == ["20260102-000000-bbbbbb"]
    assert main(["logs", "--dir", str(runs), "--json", "--status", "answered"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert (only["answer"], only["iterations"], only["task"]) == \
        ("2", 1, "How many rows are in Lima?")


def test_show_one_run_with_its_script(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "--dir", str(runs), "20260101"]) == 0
    out = capsys.readouterr().out
    assert "status     answered" in out and "answer     2" in out
    assert '    submit(str(count_rows(context, "city", "Lima")))' in out
    assert main(["logs", "--dir", str(runs), "2026"]) == 2  # two runs start so
    assert "names 2 runs" in capsys.readouterr().err
    assert find_run(runs, "latest").id == "20260102-000000-bbbbbb"


def test_html_report(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "--dir", str(runs), "20260101-000000-aaaaaa", "--html"]) == 0
    report = runs / "20260101-000000-aaaaaa.log.html"
    assert capsys.readouterr().out == f"report: {report}\n"
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_the_index_follows_the_directory_and_is_rebuilt(
        runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "copy"
    d.mkdir()
    for p in runs.glob("*.log"):
        (d / p.name).write_bytes(p.read_bytes())
    (d / "torn.log").write_text('{"kind": "run_start", "da')
    assert {r.id: r.status for r in query(d)} == {
        "20260101-000000-aaaaaa": "answered", "20260102-000000-bbbbbb": "no_answer",
        "torn": "unreadable"}
    (d / "torn.log").unlink()
    assert len(query(d)) == 2
    (d / INDEX_NAME).write_bytes(b"")  # an index lost or emptied: only a cache
    assert main(["logs", "--dir", str(d), "--rebuild", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_no_run_directory_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "--dir", str(tmp_path / "none")]) == 2
    assert "E_USAGE: no run directory" in capsys.readouterr().err
