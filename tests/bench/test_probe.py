"""The user probe (bench/probe.py): its tasks are built from the files it names, and each
expected answer it computes agrees with a second reading of the written input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.probe import DPKG, build
from bench.scoring import score


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[str], Path]:
    out = tmp_path_factory.mktemp("probe")
    tasks, skipped = build(out)
    return {t["id"]: t for t in tasks}, skipped, out


def _text(task: dict, name: str) -> str:
    return (Path(task["dir"]) / task["inputs"][name]["file"]).read_text(encoding="utf-8")


def test_every_task_reads_its_inputs_and_scores_its_own_answer(built) -> None:
    tasks, skipped, _ = built
    assert len(tasks) + 3 * len(skipped) >= 12  # a missing source skips its questions only
    for task in tasks.values():
        assert task["signature"].endswith(f"-> answer: {task['answer_type']}")
        for name, spec in task["inputs"].items():
            assert "file" in spec or name == "question"
        assert score(task, task["expected"])


def test_the_answers_agree_with_a_second_reading(built) -> None:
    tasks, _, _ = built
    quakes = _text(tasks["quakes-count"], "quakes").splitlines()[1:]
    assert tasks["quakes-count"]["expected"] == sum(
        float(line.split("|")[3]) >= 5.5 for line in quakes)
    air = [json.loads(line) for line in _text(tasks["air-average"], "readings").splitlines()]
    temps = [r["Temp"] for r in air if r["Month"] == 7]
    assert tasks["air-average"]["expected"] == round(sum(temps) / len(temps), 2)
    cars = _text(tasks["mpg-join"], "cars").splitlines()[1:]
    japan = {m for m, c in (ln.split(" = ") for ln in _text(tasks["mpg-join"],
                                                           "makers").splitlines()) if c == "Japan"}
    assert tasks["mpg-join"]["expected"] == sum(ln.split(";")[0] in japan for ln in cars)


@pytest.mark.skipif(not DPKG.exists(), reason="no dpkg database on this machine")
def test_the_dpkg_answers_agree_with_a_line_count(built) -> None:
    tasks, _, _ = built
    text = _text(tasks["dpkg-count"], "context")
    assert tasks["dpkg-count"]["expected"] == len(re.findall(r"^Priority: required$", text,
                                                             re.M))
