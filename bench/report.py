"""The benchmark's tables: from `bench/results/bench-*.json` to the terminal and `docs/benchmarks.md`.

Per model × profile × mode, for the quick set and for the whole suite, side by
side for the **dev split** (tuned on) and the **test split** (never tuned on):
completion, the dev − test gap, parse / verifier / runtime failures, uncertain
answers, wrong answers given with confidence (an answer, not marked
uncertain, that is wrong), seconds per task (p50, p90), peak RSS, the
direct-prompting floor of the same model, and how many of the figures come
from an older code version than the current one. Completion counts only the
tasks that have a result; the coverage column says how many of the set's
tasks that is, so a partial matrix never reads as a whole one.

Only the text between `<!-- bench:tasks:begin -->` and `<!-- bench:tasks:end -->`
is replaced, so the prose around it is edited by hand and survives. The runs
of the 45-task suite from before the split are kept in `bench/results/legacy/`
and shown in their own table.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.scoring import summarize

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:tasks:begin -->"
END = "<!-- bench:tasks:end -->"
LEGACY_GROUPS = ["needle", "count", "aggregate", "lookup", "inject"]
SETS = ("quick", "full")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def load(results_dir: Path) -> list[dict[str, Any]]:
    runs = []
    for path in sorted(Path(results_dir).glob("bench-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if data.get("format") == 2:
            runs.append(data)
    return runs


def _catalogue() -> list[dict[str, Any]]:
    from bench.tasks.generate import catalogue

    return catalogue()


def uncertain(r: dict[str, Any]) -> bool:
    return bool(r.get("uncertain")) or r.get("status") == "uncertain"


def confident_wrong(r: dict[str, Any]) -> bool:
    """An answer was given, not marked uncertain, and it is wrong."""
    return (not r.get("correct") and r.get("answer") is not None and not r.get("error")
            and not uncertain(r))


def _quantile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=10, method="inclusive")[int(q * 10) - 1]


def figures(entries: dict[str, dict[str, Any]], tasks: list[dict[str, Any]],
            version: str) -> dict[str, Any]:
    """The figures of one (model, profile, mode) over one set of tasks."""
    out: dict[str, Any] = {}
    rows = []
    for split in ("dev", "test"):
        ids = [t["id"] for t in tasks if t["split"] == split]
        got = [entries[i] for i in ids if i in entries]
        rows += got
        ok = sum(1 for r in got if r.get("correct"))
        out[split] = {"tasks": len(ids), "run": len(got), "correct": ok,
                      "completion": ok / len(got) if got else None,
                      "uncertain": sum(1 for r in got if uncertain(r)),
                      "confident_wrong": sum(1 for r in got if confident_wrong(r))}
    s = summarize(rows)
    walls = sorted(float(r.get("wall_s") or 0) for r in rows)
    rss = [float(r["peak_rss_mb"]) for r in rows if r.get("peak_rss_mb")]
    by_family: dict[str, list[bool]] = defaultdict(list)
    fam = {t["id"]: t["family"] for t in tasks if t["split"] == "test"}
    for i, f in fam.items():
        if i in entries:
            by_family[f].append(bool(entries[i].get("correct")))
    older = sorted({r.get("code_version") for r in rows if r.get("code_version") != version})
    out.update(
        parse_failure_rate=s["parse_failure_rate"], verifier_rejections=s["verifier_rejections"],
        runtime_failure_rate=s["runtime_failure_rate"], safety_violations=s["safety_violations"],
        p50=_quantile(walls, 0.5), p90=_quantile(walls, 0.9),
        peak_rss_mb=max(rss) if rss else None,
        older=sum(1 for r in rows if r.get("code_version") != version), older_versions=older,
        test_by_family={f: sum(v) / len(v) for f, v in sorted(by_family.items())},
    )
    return out


def matrix(runs: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """One row per (model, profile, mode, set) that has results, the direct floor attached."""
    cat = _catalogue()
    sets = {"quick": [t for t in cat if t["quick"]], "full": cat}
    rows = []
    for run in runs:
        direct = run["runs"].get("none/direct", {})
        for key, entries in sorted(run["runs"].items()):
            profile, mode = key.split("/", 1)
            for set_name, tasks in sets.items():
                f = figures(entries, tasks, version)
                if not (f["dev"]["run"] or f["test"]["run"]):
                    continue
                floor = figures(direct, tasks, version) if direct else None
                rows.append({"model": run["model"], "profile": profile, "mode": mode,
                             "set": set_name, "f": f, "floor": floor})
    return rows


def _cell(split: dict[str, Any]) -> str:
    if not split["run"]:
        return "—"
    cover = "" if split["run"] == split["tasks"] else f" of {split['run']}/{split['tasks']}"
    return f"{_pct(split['completion'])} ({split['correct']}{cover})"


def _secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def tables(runs: list[dict[str, Any]], version: str) -> str:
    rows = matrix(runs, version)
    if not rows:
        return "_No results yet: run `python -m bench tasks`._"
    head = (
        "| model | profile | mode | set | dev completion | **test completion** | gap (points) "
        "| test: uncertain | test: wrong, confident | parse failures | verifier rejections "
        "| runtime failures | safety violations | s/task p50 | p90 | peak RSS MB "
        "| direct floor dev / test | code |\n"
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    fam_rows = []
    for r in rows:
        if r["mode"] == "direct":
            continue
        f, floor = r["f"], r["floor"]
        dev, test = f["dev"], f["test"]
        gap = ("—" if dev["completion"] is None or test["completion"] is None
               else f"{100 * (dev['completion'] - test['completion']):+.0f}")
        floor_s = (f"{_pct(floor['dev']['completion'])} / {_pct(floor['test']['completion'])}"
                   if floor else "—")
        code = "current" if not f["older"] else f"{f['older']} older ({', '.join(f['older_versions'])})"
        lines.append(
            f"| {r['model']} | {r['profile']} | {r['mode']} | {r['set']} | {_cell(dev)} | "
            f"**{_cell(test)}** | {gap} | {test['uncertain']} | {test['confident_wrong']} | "
            f"{_pct(f['parse_failure_rate'])} | {f['verifier_rejections']} | "
            f"{_pct(f['runtime_failure_rate'])} | {f['safety_violations']} | {_secs(f['p50'])} | "
            f"{_secs(f['p90'])} | {_secs(f['peak_rss_mb'])} | {floor_s} | {code} |")
        if r["set"] == "full" and f["test_by_family"]:
            fam_rows.append(r)
    out = ["_Generated by `python -m bench tasks`; code version `" + version + "`. "
           "**Test completion** is on the test split, which no prompt, example or skill was "
           "chosen on; dev completion is on the tasks the runtime was tuned on._", "", *lines]
    if fam_rows:
        families = sorted({k for r in fam_rows for k in r["f"]["test_by_family"]})
        out += ["", "Test split, completion by family (whole suite):", "",
                "| model | profile | mode | " + " | ".join(families) + " |",
                "|---|---|---|" + "---:|" * len(families)]
        for r in fam_rows:
            by = r["f"]["test_by_family"]
            out.append(f"| {r['model']} | {r['profile']} | {r['mode']} | "
                       + " | ".join(_pct(by.get(k)) for k in families) + " |")
    out += ["", *[f"- {run['model']}: results updated {run.get('updated', '?')}, "
                  f"{(run.get('model_info') or {}).get('n_threads', '?')} llama.cpp thread(s) on "
                  f"{(run.get('machine') or {}).get('cpus', '?')} CPUs." for run in runs]]
    return "\n".join(out)


def terminal(runs: list[dict[str, Any]], version: str) -> list[str]:
    """One line per row of the matrix, for the end of a run."""
    out = []
    for r in matrix(runs, version):
        f = r["f"]
        older = f" ({f['older']} from older code)" if f["older"] else ""
        out.append(
            f"{r['model']} {r['profile']} {r['mode']} [{r['set']}]: dev {_cell(f['dev'])}, "
            f"TEST {_cell(f['test'])}, test uncertain {f['test']['uncertain']}, test wrong "
            f"with confidence {f['test']['confident_wrong']}, p50 {_secs(f['p50'])} s, "
            f"p90 {_secs(f['p90'])} s, peak RSS {_secs(f['peak_rss_mb'])} MB{older}")
    return out


# ---- the 45-task runs from before the split -----------------------------------------


def legacy_tables(runs: list[dict[str, Any]]) -> str:
    """The tables of the old results files (all 45 tasks are dev tasks)."""
    head = ("| model | set | mode | tasks | completion | parse failures | verifier rejections "
            "(repaired) | runtime failures | safety violations | wall s |\n"
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for run in runs:
        subset = "quick" if run.get("quick") else "full"
        for mode, data in run["modes"].items():
            s = data["summary"]
            rows.append(
                f"| {run['model']} | {subset} | {mode} | {s['tasks']} | "
                f"{_pct(s['completion_rate'])} ({s['completed']}) | "
                f"{_pct(s['parse_failure_rate'])} | {s['verifier_rejections']} "
                f"({s['repaired']}) | {_pct(s['runtime_failure_rate'])} | "
                f"{s['safety_violations']} | {s['wall_s']:.1f} |")
    return "\n".join([head, *rows])


def _legacy_runs(results_dir: Path) -> list[dict[str, Any]]:
    runs = []
    for path in sorted((Path(results_dir) / "legacy").glob("tasks-*.json")):
        try:
            runs.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    return runs


def update_docs(results_dir: Path, docs: Path = DOCS, version: str | None = None) -> None:
    """Replace the marked region of `docs` with tables from `results_dir`."""
    from bench.cache import code_version

    text = docs.read_text() if docs.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    body = tables(load(results_dir), version or code_version())
    legacy = _legacy_runs(results_dir)
    if legacy:
        body += ("\n\nThe 45 tuned-on tasks (all dev) before the split, for comparison "
                 "(`bench/results/legacy/`):\n\n" + legacy_tables(legacy))
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(f"{before}{BEGIN}\n{body}\n{END}{after}")
