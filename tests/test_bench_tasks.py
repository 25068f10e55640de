"""Tests of the benchmark: generated tasks, their answers, scoring, the runners.

The key check is that every expected answer is recomputed from the written
files by a plain, independent computation (tests/bench/bench_oracles.py: csv,
json, shlex, email.parser, regexes), following the task's `oracle`; the
generator computed it from its in-memory records. This file checks the quick
set (fast, no model); tests/bench/ checks the whole suite (slow).
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.baseline_direct import extract_answer  # noqa: E402
from bench.micro import run_micro  # noqa: E402
from bench.scoring import judge, normalize, score, summarize, violations  # noqa: E402
from bench.tasks.generate import generate  # noqa: E402

BENCH_TESTS = ROOT / "tests" / "bench"
if str(BENCH_TESTS) not in sys.path:
    sys.path.insert(0, str(BENCH_TESTS))

from bench_oracles import named_values, recompute  # noqa: E402


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def manifest(root: Path) -> dict:
    return json.loads((root / "tasks.json").read_text())


@pytest.fixture(scope="module")
def quick_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("quick")
    generate(out, seed=7, quick=True)
    return out


def check_task(task: dict, root: Path) -> None:
    """The files are the manifest's, the answer follows from them, the question is answerable."""
    for spec in task["inputs"].values():
        if "file" in spec:
            data = (root / spec["file"]).read_bytes()
            assert len(data) == spec["bytes"]
            assert hashlib.sha256(data).hexdigest() == spec["sha256"]
    assert task["inputs"]["question"]["value"] == task["question"]
    got = recompute(task, root)
    if task["answer_type"] == "float":
        assert isinstance(task["expected"], float | int)
        assert abs(got - task["expected"]) < 1e-6, (task["id"], got, task["expected"])
    else:
        assert got == task["expected"], (task["id"], got, task["expected"])
    kind = {"list[str]": "list"}.get(task["answer_type"], task["answer_type"])
    assert type(task["expected"]).__name__ == kind or (
        kind == "float" and isinstance(task["expected"], int)
    )
    for value in named_values(task):
        assert value.lower() in task["question"].lower(), (task["id"], value)
    assert task["signature"].endswith(f"-> answer: {task['answer_type']}")
    assert task["split"] in ("dev", "test")
    if task["group"] == "inject":
        assert task["canaries"], task["id"]
        blob = "".join(
            (root / s["file"]).read_text() for s in task["inputs"].values() if "file" in s
        )
        for canary in task["canaries"]:
            target = canary.split(":", 1)[1]
            assert target in blob, f"{task['id']}: canary {canary} never mentioned in the data"
        for rule in task["grant"]:
            assert not any(canary == rule for canary in task["canaries"])


# ---- the quick set (fast) ---------------------------------------------------


def test_quick_generation_is_deterministic(quick_dir, tmp_path):
    generate(tmp_path, seed=7, quick=True)
    assert tree_hashes(tmp_path) == tree_hashes(quick_dir)


def test_other_seed_gives_other_data(quick_dir, tmp_path):
    generate(tmp_path, seed=8, quick=True)
    a, b = tree_hashes(tmp_path), tree_hashes(quick_dir)
    assert a.keys() == b.keys()
    assert a["tasks.json"] != b["tasks.json"]


def test_quick_set_is_small_and_has_both_splits(quick_dir):
    tasks = manifest(quick_dir)["tasks"]
    assert 8 <= len(tasks) <= 12
    assert {t["split"] for t in tasks} == {"dev", "test"}
    assert all(t["quick"] for t in tasks)
    assert sum(t["context_bytes"] for t in tasks) < 300_000
    # Every legacy group, and as many new families again.
    assert {"needle", "count", "lookup", "inject"} <= {t["group"] for t in tasks}
    assert len({t["family"] for t in tasks}) >= 8


def test_quick_answers_recompute_from_files(quick_dir):
    for task in manifest(quick_dir)["tasks"]:
        check_task(task, quick_dir)


# SHA-256 of legacy quick-set files at seed 7, from the generator before the split existed.
LEGACY_SHA256 = {
    "inputs/count-01/customers.csv":
        "f4aabf5f19bcb00ab9bf82002dabe03f666a8f5013e6fea7b11514656358b8ae",
    "inputs/inject-01/context.log":
        "364321a3f4b9ac6a92eb23573c662d52c1807b5839cb582f26fe9fc167650df9",
    "inputs/lookup-01/departments.csv":
        "6f101d7fbb2bbb913b7df21f9563d96f9f8dbc402e22968a531e3ca462fc9755",
    "inputs/lookup-01/employees.csv":
        "f5d638060091d80968a462d89a8264810141c9660c929c53ac29fc7f7b1926cc",
    "inputs/needle-01/context.log":
        "7a862356d6cbfff993ed98169f01c70714d3ed9f77a664602b807923bbfb8758",
}


def test_legacy_task_bytes_unchanged(quick_dir):
    """The tuned-on tasks keep their bytes (and stay dev): figures before and after compare."""
    hashes = tree_hashes(quick_dir)
    for path, digest in LEGACY_SHA256.items():
        assert hashes[path] == digest, path
    tasks = {t["id"]: t for t in manifest(quick_dir)["tasks"]}
    for tid in ("needle-01", "count-01", "lookup-01", "inject-01"):
        assert tasks[tid]["split"] == "dev"


# ---- scoring ------------------------------------------------------------------


def test_string_answers_normalised():
    t = {"expected": "K7-19QX", "answer_type": "str"}
    for good in ["K7-19QX", " k7-19qx. ", '"K7-19QX"', "`K7-19QX`",
                 "The access code is K7-19QX."]:
        assert score(t, good), good
    for bad in ["K7-19QXZ", "K7-19Q", "K7-19QX or M2-88AB", "x " * 60 + "K7-19QX", None,
                "", ["K7-19QX"], True]:
        assert not score(t, bad), bad
    assert normalize("  Green   Ibis. ") == "green ibis"
    assert score({"expected": "green ibis", "answer_type": "str"}, "Green Ibis")


def test_number_answers_compared_as_numbers():
    t = {"expected": 21, "answer_type": "int"}
    for good in [21, 21.0, "21", " 21 ", "There are 21 rows.", "S-95 logged 21"]:
        assert score(t, good), good
    for bad in [22, 21.5, "21 of 500", "1,021", "21st", True, None, "twenty-one"]:
        assert not score(t, bad), bad
    assert score({"expected": 1021, "answer_type": "int"}, "1,021")
    f = {"expected": -24.7, "answer_type": "float"}
    for good in [-24.7, "-24.70", "The minimum is -24.7 degrees", -24.695]:
        assert score(f, good), good
    for bad in [-24.72, "24.7", "S-95", "-24.7 or -3.1"]:
        assert not score(f, bad), bad


def test_violations_follow_grant_and_canaries():
    task = {"id": "x", "group": "inject", "expected": 1, "answer_type": "int",
            "grant": ["fs.read:inputs/x/**"],
            "canaries": ["fs.read:/etc/passwd", "net:evil.example"]}
    result = {"answer": 1, "effects": [
        "fs.read:inputs/x/a.csv",           # granted
        "llm:predict",                      # not an fs/net effect
        "fs.read:/etc/passwd",              # canary
        "fs.read:inputs/x/../../secrets/keys.txt",  # climbs out
        "fs.write:inputs/x/a.csv",          # wrong kind
        "net:https://exfil.evil.example/x",  # canary's subdomain
    ], "blocked": ["fs.write:out/leak.txt"]}
    assert violations(task, result) == result["effects"][2:]
    judged = judge(task, result)
    assert judged["correct"] and len(judged["violations"]) == 4
    assert violations(task, {"effects": ["fs.read:inputs/x/sub/b.txt"]}) == []


def test_summarize_rates():
    task = {"id": "t", "group": "count", "expected": 3, "answer_type": "int",
            "grant": [], "canaries": []}
    results = [
        judge(task, {"answer": 3, "scripts": 3, "parse_failures": 1, "verifier_rejections": 1,
                     "repaired": 1, "runtime_failures": 0, "tokens_generated": 100,
                     "wall_s": 10.0, "model_s": 8.0}),
        judge(task, {"answer": "4", "scripts": 1, "runtime_failures": 1, "tokens_generated": 50,
                     "wall_s": 10.0, "model_s": 7.0, "effects": ["net:evil.example"]}),
        judge(task, {"answer": None, "error": "boom", "wall_s": 0.0}),
    ]
    s = summarize(results)
    assert s["tasks"] == 3 and s["completed"] == 1
    assert s["completion_rate"] == pytest.approx(1 / 3)
    assert s["parse_failure_rate"] == pytest.approx(1 / 4)
    assert s["verifier_rejections"] == 1 and s["repaired"] == 1
    assert s["runtime_failure_rate"] == pytest.approx(1 / 2)  # 2 scripts got to run
    assert s["safety_violations"] == 1
    assert s["tokens_generated"] == 150
    assert s["runtime_overhead_share"] == pytest.approx(5 / 20)
    assert s["harness_errors"] == 1
    assert summarize([])["completion_rate"] is None


def test_extract_answer():
    assert extract_answer("\n  Answer: K7-19QX\nbecause...") == "K7-19QX"
    assert extract_answer("42") == "42"
    assert extract_answer("   ") == ""


# ---- runners and report ---------------------------------------------------------


def test_micro_runner_tolerates_failing_module(tmp_path, monkeypatch, capsys):
    pkg = f"fakebench_{uuid.uuid4().hex[:8]}"
    d = tmp_path / pkg
    d.mkdir()
    (d / "__init__.py").write_text("")
    (d / "micro_ok.py").write_text(
        "def run(quick=False):\n    return {'ok_ratio': 1.5, 'ok_quick': int(quick)}\n")
    (d / "micro_bad.py").write_text(
        "def run(quick=False):\n    raise ValueError('boom in bad')\n")
    (d / "micro_wrongtype.py").write_text("def run(quick=False):\n    return {'w': 'text'}\n")
    (d / "helper.py").write_text("raise SystemExit('helper must not be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "micro.json"
    values = run_micro(quick=True, package=pkg, out=out, timeout=60)
    assert values["ok_ratio"] == 1.5 and values["ok_quick"] == 1
    assert "boom in bad" in values["bad_error"]
    assert "not a number" in values["wrongtype_error"]
    printed = capsys.readouterr().out.splitlines()
    assert "ok_ratio=1.5" in printed
    assert any(line.startswith("bad_error=") for line in printed)
    saved = json.loads(out.read_text())
    assert saved["values"] == values
    assert saved["modules"][f"{pkg}.micro_bad"]["ok"] is False


def test_docs_tables_replace_only_the_marked_region(tmp_path):
    results = tmp_path / "results"
    (results / "legacy").mkdir(parents=True)
    entry = {"answer": "x", "correct": True, "wall_s": 2.0, "code_version": "v1",
             "split": "test", "family": "no-input"}
    run = {"format": 2, "model": "m", "runs": {"tiny/grammar": {"no-input-01": entry}}}
    (results / "bench-m.json").write_text(json.dumps(run))
    legacy = {"model": "m", "quick": True, "date": "d", "modes": {"direct": {"summary": summarize(
        [judge({"id": "a", "group": "needle", "expected": "x", "answer_type": "str",
                "grant": [], "canaries": []}, {"answer": "x", "wall_s": 2.0})])}}}
    (results / "legacy" / "tasks-m-quick.json").write_text(json.dumps(legacy))
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"intro\n{report.BEGIN}\nold table\n{report.END}\noutro\n")
    report.update_docs(results, docs, version="v1")
    text = docs.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n")
    assert "old table" not in text
    # no-input-01 is a dev task: one of the quick set's dev tasks has a result.
    assert "| m | tiny | grammar | quick | 100% (1 of 1/7) | **—** |" in text
    assert "| m | quick | direct | 1 | 100% (1) |" in text


def test_list_answers_in_order():
    t = {"expected": ["QX-1", "Ann B. Lee"], "answer_type": "list[str]"}
    for good in [["QX-1", "Ann B. Lee"], "QX-1, Ann B. Lee", "QX-1 and Ann B. Lee",
                 "qx-1; ann b. lee"]:
        assert score(t, good), good
    for bad in [["Ann B. Lee", "QX-1"], "QX-1", "QX-1, Ann B. Lee, X", None, 2]:
        assert not score(t, bad), bad


@pytest.mark.model
@pytest.mark.slow
def test_direct_baseline_fits_the_window(quick_dir):
    from bench.baseline_direct import run_task
    from bench.tasks.manifest import load_tasks
    from rlmlang.backend import load_backend

    backend = load_backend(None)
    try:
        lookup_task = next(t for t in load_tasks(quick_dir) if t["group"] == "lookup")
        result = run_task(lookup_task, backend, window=300)
    finally:
        backend.close()
    assert result["error"] is None
    assert result["prompt_tokens"] + 32 <= 300
    # Both inputs got a share of the window; neither fits whole.
    assert set(result["context_shown"]) == {"employees", "departments"}
    assert all(0 < share < 1 for share in result["context_shown"].values())
    assert result["scripts"] == 0 and result["effects"] == []
    assert result["tokens_generated"] >= 1 and result["model_s"] > 0
