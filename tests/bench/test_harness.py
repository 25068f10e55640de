"""The harness: results cached per (model, profile, mode, code version, task); runs resume.

The controller is replaced by a stand-in hook (this tests the harness's
bookkeeping, not a model): it answers from a table of its own and can be told
to die part-way through, as a killed run would.
"""

from __future__ import annotations

import json

import pytest

from bench import harness, report
from bench.cache import ResultCache, code_version, task_digest
from bench.tasks.generate import generate
from bench.tasks.manifest import load_tasks


class Killed(BaseException):
    """Stands for the process being killed: not an Exception, so the harness does not catch it."""


class Hook:
    def __init__(self, answers: dict[str, object], die_after: int | None = None) -> None:
        self.answers, self.die_after, self.calls = answers, die_after, []

    def __call__(self, task, model, mode, profile=None):
        if self.die_after is not None and len(self.calls) >= self.die_after:
            raise Killed
        self.calls.append((task["id"], mode, profile))
        answer = self.answers.get(task["id"])
        status = "uncertain" if answer == "?" else "answered"
        return {"answer": None if status == "uncertain" else answer, "status": status,
                "uncertain": status == "uncertain", "scripts": 1, "wall_s": 1.5,
                "model_s": 1.0, "effects": [], "error": None}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick")
    generate(out, seed=7, quick=True)
    return out


def _run(tmp_path, data, hook, **kw):
    return harness.run_tasks(["smollm2-135m"], "tiny", "all", True, ["grammar"], None, data, 7,
                             results_dir=tmp_path / "results", cache_dir=tmp_path / "cache",
                             docs=tmp_path / "benchmarks.md", hook=hook,
                             backend_loader=lambda m: object(), **kw)


def test_cached_results_are_not_run_again_and_a_killed_run_resumes(tmp_path, data):
    tasks = load_tasks(data, quick=True)
    answers = {t["id"]: t["expected"] for t in tasks[:5]}
    answers[tasks[5]["id"]] = "?"  # an uncertain answer
    answers[tasks[6]["id"]] = "wrong"  # a wrong answer given with confidence
    with pytest.raises(Killed):
        _run(tmp_path, data, Hook(answers, die_after=4))
    version = code_version()
    cached = sorted((tmp_path / "cache" / "smollm2-135m" / "tiny" / "grammar" / version).iterdir())
    assert len(cached) == 4  # the four finished before the kill, each whole
    hook = Hook(answers)
    counts = _run(tmp_path, data, hook)
    assert counts["cached"] == 4 and counts["ran"] == len(tasks) - 4
    assert all(profile == "tiny" for _, _, profile in hook.calls)
    hook = Hook(answers)
    assert _run(tmp_path, data, hook)["ran"] == 0 and not hook.calls

    saved = json.loads((tmp_path / "results" / "bench-smollm2-135m.json").read_text())
    entries = saved["runs"]["tiny/grammar"]
    assert len(entries) == len(tasks)
    assert all(e["code_version"] == version for e in entries.values())
    rows = [r for r in report.matrix(report.load(tmp_path / "results"), version)
            if r["set"] == "quick"]
    (row,) = rows
    f = row["f"]
    assert f["dev"]["run"] + f["test"]["run"] == len(tasks)
    assert f["dev"]["correct"] + f["test"]["correct"] == 5
    split_of = {t["id"]: t["split"] for t in tasks}
    assert f[split_of[tasks[5]["id"]]]["uncertain"] == 1
    assert f[split_of[tasks[6]["id"]]]["confident_wrong"] >= 1
    docs = (tmp_path / "benchmarks.md").read_text()
    assert "**test completion**" in docs and "| smollm2-135m | tiny | grammar | quick |" in docs


def test_a_new_code_version_reruns_and_older_results_are_marked(tmp_path, data, monkeypatch):
    tasks = load_tasks(data, quick=True)
    _run(tmp_path, data, Hook({}))
    monkeypatch.setattr(harness, "code_version", lambda: "0123456789ab")
    hook = Hook({}, die_after=2)
    with pytest.raises(Killed):
        _run(tmp_path, data, hook)
    harness.write_results("smollm2-135m", tasks, ResultCache(tmp_path / "cache"), "0123456789ab",
                          {}, tmp_path / "results")
    (row,) = [r for r in report.matrix(report.load(tmp_path / "results"), "0123456789ab")
              if r["set"] == "quick"]
    assert row["f"]["older"] == len(tasks) - 2
    assert "older" in report.tables(report.load(tmp_path / "results"), "0123456789ab")


def test_a_changed_task_is_not_answered_from_the_cache(tmp_path, data):
    task = load_tasks(data, quick=True)[0]
    cache = ResultCache(tmp_path)
    cache.put("m", "tiny", "grammar", "v1", task, {"answer": 1, "correct": True})
    assert cache.get("m", "tiny", "grammar", "v1", task)["answer"] == 1
    changed = {**task, "expected": "something else"}
    assert task_digest(changed) != task_digest(task)
    assert cache.get("m", "tiny", "grammar", "v1", changed) is None
    assert cache.latest("m", "tiny", "grammar", changed) is None


def test_code_version_follows_content(tmp_path):
    for folder in ("rlmlang", "stdlib", "grammar", "models"):
        (tmp_path / folder).mkdir()
    (tmp_path / "rlmlang" / "a.py").write_text("x = 1\n")
    first = code_version(tmp_path)
    (tmp_path / "rlmlang" / "__pycache__").mkdir()
    (tmp_path / "rlmlang" / "__pycache__" / "a.pyc").write_bytes(b"junk")
    assert code_version(tmp_path) == first
    (tmp_path / "rlmlang" / "a.py").write_text("x = 2\n")
    assert code_version(tmp_path) != first


def test_select_by_split_family_and_limit(data):
    tasks = load_tasks(data, quick=True)
    assert {t["split"] for t in harness.select(tasks, "test", None, None)} == {"test"}
    assert [t["id"] for t in harness.select(tasks, "all", ["no-input"], None)] == ["no-input-01"]
    limited = harness.select(tasks, "all", None, 1)
    assert sorted(t["split"] for t in limited) == ["dev", "test"]


def test_a_per_family_sample_keeps_every_family_of_each_split() -> None:
    from bench.harness import select

    tasks = [{"id": f"{f}-{i}", "family": f, "group": f, "split": sp}
             for sp in ("dev", "test") for f in ("count", "needle") for i in range(3)]
    got = select(tasks, "test", None, None, per_family=2)
    assert [t["id"] for t in got] == ["count-0", "count-1", "needle-0", "needle-1"]
    assert {t["split"] for t in got} == {"test"}
    assert len(select(tasks, "all", None, None, per_family=1)) == 4


class LoggingHook(Hook):
    """Writes a log where the harness asks for one kept, as the real hook copies the run's."""

    def __call__(self, task, model, mode, profile=None, keep_log=None):
        if keep_log is not None:
            keep_log.write_text(task["id"])
        return super().__call__(task, model, mode, profile)


def test_logs_are_kept_per_model_mode_and_task_when_asked(tmp_path, data):
    tasks = load_tasks(data, quick=True)
    _run(tmp_path, data, LoggingHook({}), logs_dir=tmp_path / "logs")
    kept = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert kept == sorted(f"smollm2-135m-grammar-{t['id']}.log" for t in tasks)
    assert (tmp_path / "logs" / f"smollm2-135m-grammar-{tasks[0]['id']}.log").read_text() \
        == tasks[0]["id"]


def test_a_data_folder_keeps_its_own_seed_unless_another_is_named(tmp_path) -> None:
    """Data written with `--seed 5` was regenerated with the default seed by a later run
    that named the folder and not the seed: every "fresh" dev sample was the default."""
    from bench.tasks.manifest import ensure_tasks, manifest_seed

    out = tmp_path / "data"
    generate(out, seed=5, quick=True)
    written = (out / "tasks.json").stat().st_mtime_ns
    ensure_tasks(out, quick=True)
    assert manifest_seed(out) == 5 and (out / "tasks.json").stat().st_mtime_ns == written
    ensure_tasks(out, seed=6, quick=True)
    assert manifest_seed(out) == 6
    assert manifest_seed(tmp_path / "none") == 20240611


def test_the_rule_audit_counts_the_answers_each_rule_sets_aside(tmp_path) -> None:
    """`python -m bench.rule_audit`: over a kept dev log, the question's own key submitted
    is set aside as an echo (wrong), the right code is not; exit 0 when no right answer
    was set aside."""
    from bench.rule_audit import audit, main

    data = tmp_path / "data"
    generate(data, quick=True)
    from rlmlang.task.order import question_keys

    task = next(t for t in load_tasks(data, quick=True) if t["id"] == "needle-01")
    badge = question_keys(task["question"])[0]
    script = f'submit(find_line(context, "badge {badge}").split("code ")[1])'
    events = [{"kind": "generation", "data": {"iteration": 1, "candidate": c, "text": script}}
              for c in (1, 2)]
    events += [{"kind": "output", "data": {"iteration": 1, "candidate": 1,
                                           "status": "submitted", "answer": badge}},
               {"kind": "output", "data": {"iteration": 1, "candidate": 2,
                                           "status": "submitted", "answer": task["expected"]}}]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "m-grammar-needle-01.log").write_text("\n".join(json.dumps(e) for e in events))
    counts, _ = audit([logs], data)
    assert counts == {("echo", False): 1}
    assert main([str(logs), "--data", str(data)]) == 0
