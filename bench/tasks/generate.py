"""Generate the benchmark tasks: `python -m bench.tasks.generate [--out DIR] [--seed N] [--quick]`.

Two parts. The 45 **legacy** tasks in five groups of nine (needle, count,
aggregate, lookup, inject) are the ones the prompts, examples and skills were
tuned on: all dev, their bytes unchanged, each seeded `"<seed>:<group>:<index>"`.
The **new** tasks of `bench.tasks.suite` (21 families, eight each, in the dev
or the test split) are seeded `"<seed>:<task id>"`. So one task's bytes do not
depend on which other tasks were generated: `--quick` (the small tasks CI
runs) writes exactly the files a full run writes for them. Same seed, same
bytes — the tests hash the output twice to hold that. Real-data tasks read
the installed packages of the `bench` extra (`bench.tasks.realdata`).

Layout under DIR (default `bench/tasks/data/`, gitignored):

    tasks.json                    the manifest (format below)
    inputs/<task id>/<name>.<ext> one file per file input
    secrets/keys.txt              a decoy the injected instructions point at

`tasks.json` is `{"version", "seed", "subset": "all"|"quick", "tasks": [...]}`;
each task has `id`, `group` (the legacy group, or the family), `family`,
`split` ("dev" | "test"), `formats` (input name -> format, e.g. `csv-noheader`),
`source` (where the data comes from), `question`, `signature` (DSPy style),
`inputs` (name -> `{"file", "bytes", "sha256"}` or `{"value"}`), `expected`,
`answer_type` ("str" | "int" | "float"), `grant` (allow rules, relative to
DIR), `canaries` (effects that must not happen, same syntax), `context_bytes`
(all file inputs together), `quick`, and `oracle` (how the answer follows
from the data; the tests recompute `expected` from the files with it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.tasks import inject, lookup, needle, records, suite
from bench.tasks.draft import TaskDraft
from bench.tasks.formats import describe

DEFAULT_SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "data"
MANIFEST = "tasks.json"
VERSION = 2

Builder = Callable[[int, random.Random], TaskDraft]
GROUPS: list[tuple[str, Builder, int]] = [
    ("needle", needle.build, len(needle.SHAPES)),
    ("count", records.build_count, len(records.COUNT_SPECS)),
    ("aggregate", records.build_aggregate, len(records.AGG_SPECS)),
    ("lookup", lookup.build, len(lookup.SPECS)),
    ("inject", inject.build, len(inject.SPECS)),
]


# The legacy tasks of the quick set (the new ones are marked in `suite`).
LEGACY_QUICK = {"needle-01", "count-01", "lookup-01", "inject-01"}
# The family of each legacy task: its group, or for aggregates the operation.
LEGACY_FAMILY = {"lookup": "two-hop", "sum": "sum", "max": "minmax", "min": "minmax",
                 "avg": "average"}


def _legacy_id(group: str, index: int) -> str:
    return f"{group}-{index + 1:02d}"


def _is_quick(group: str, index: int, legacy: bool = True) -> bool:
    """Whether a task is in the quick set, known before drawing it."""
    if not legacy:
        return suite.FAMILIES[group][index].quick
    return _legacy_id(group, index) in LEGACY_QUICK


def _family(draft: TaskDraft) -> str:
    if draft.group == "aggregate":
        return LEGACY_FAMILY[draft.oracle["op"]]
    return LEGACY_FAMILY.get(draft.group, draft.group)


def _formats(draft: TaskDraft) -> dict[str, str]:
    """Input name -> format name, from the oracle's parse specs (legacy: by extension)."""
    o = draft.oracle
    specs: dict[str, dict[str, Any]] = {}
    if "parse" in o:
        specs[o["input"]] = o["parse"]
    for step in o.get("steps", []):
        if "parse" in step:
            specs[step["input"]] = step["parse"]
    out = {}
    for name, (ext, _) in draft.files.items():
        if name in specs:
            out[name] = describe(specs[name])
        elif o.get("op") in ("facts", "lines_all", "topic", "sentiment"):
            out[name] = "prose"
        elif o.get("op") == "json_path":
            out[name] = "jsonl" if o.get("jsonl") else "json"
        else:
            out[name] = {".csv": "csv", ".tsv": "tsv", ".log": "log", ".txt": "text"}[ext]
    return out


def catalogue() -> list[dict[str, Any]]:
    """Every task's id, family, split and quick flag, known without generating anything."""
    out = []
    for group, _, count in GROUPS:
        for i in range(count):
            family = LEGACY_FAMILY[records.AGG_SPECS[i].op] if group == "aggregate" else \
                LEGACY_FAMILY.get(group, group)
            out.append({"id": _legacy_id(group, i), "family": family, "split": "dev",
                        "quick": _is_quick(group, i)})
    for family, variants in suite.FAMILIES.items():
        splits = suite.splits(family)
        for i, tid in enumerate(suite.task_ids(family)):
            out.append({"id": tid, "family": family, "split": splits[tid],
                        "quick": variants[i].quick})
    return out


def _write(path: Path, text: str) -> tuple[int, str]:
    data = text.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def _entry(draft: TaskDraft, out: Path) -> dict[str, Any]:
    inputs: dict[str, dict[str, Any]] = {}
    total = 0
    for name, (ext, text) in draft.files.items():
        rel = f"inputs/{draft.id}/{name}{ext}"
        n, digest = _write(out / rel, text)
        inputs[name] = {"file": rel, "bytes": n, "sha256": digest}
        total += n
    inputs["question"] = {"value": draft.question}
    return {
        "id": draft.id,
        "group": draft.group,
        "family": _family(draft),
        "split": draft.oracle.get("split", "dev"),
        "formats": _formats(draft),
        "source": draft.oracle.get("source", {"kind": "generated"}),
        "question": draft.question,
        "signature": draft.signature,
        "inputs": inputs,
        "expected": draft.expected,
        "answer_type": draft.answer_type,
        "grant": draft.grant,
        "canaries": draft.canaries,
        "context_bytes": total,
        "quick": draft.quick,
        "oracle": draft.oracle,
    }


def generator_digest() -> str:
    """A hash of the generator's own code: data written by other code is regenerated."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def generate(out: Path = DEFAULT_OUT, seed: int = DEFAULT_SEED, quick: bool = False) -> Path:
    """Write every task (or only the quick ones) under `out`; return the manifest path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("inputs", "secrets"):
        shutil.rmtree(out / sub, ignore_errors=True)
    _write(out / inject.DECOY_PATH, inject.DECOY_TEXT)
    tasks = []
    for group, build, count in GROUPS:
        for index in range(count):
            if quick and not _is_quick(group, index):
                continue
            rng = random.Random(f"{seed}:{group}:{index}")
            draft = build(index, rng)
            draft.quick = _is_quick(group, index)
            tasks.append(_entry(draft, out))
    for family, variants in suite.FAMILIES.items():
        for index in range(len(variants)):
            if quick and not _is_quick(family, index, legacy=False):
                continue
            draft = suite.build(family, index, seed)
            tasks.append(_entry(draft, out))
    manifest = {
        "version": VERSION,
        "seed": seed,
        "subset": "quick" if quick else "all",
        "generator": generator_digest(),
        "tasks": tasks,
    }
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tasks.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--quick", action="store_true", help="only the small quick-set tasks")
    args = parser.parse_args(argv)
    path = generate(args.out, args.seed, args.quick)
    tasks = json.loads(path.read_text())["tasks"]
    total = sum(t["context_bytes"] for t in tasks)
    print(f"wrote {len(tasks)} tasks, {total / 1e6:.1f} MB of inputs, manifest {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
