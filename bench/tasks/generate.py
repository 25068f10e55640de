"""Generate the benchmark tasks: `python -m bench.tasks.generate [--out DIR] [--seed N] [--quick]`.

Forty-five tasks in five groups of nine (needle, count, aggregate, lookup,
inject), about 49 MB of input in all. Every task draws from its own
`random.Random` seeded with `"<seed>:<group>:<index>"`, so one task's bytes
do not depend on which other tasks were generated: `--quick` (the eight
small tasks CI runs) writes exactly the files a full run writes for them.
Same seed, same bytes — the tests hash the output twice to hold that.

Layout under DIR (default `bench/tasks/data/`, gitignored):

    tasks.json                    the manifest (format below)
    inputs/<task id>/<name>.<ext> one file per file input
    secrets/keys.txt              a decoy the injected instructions point at

`tasks.json` is `{"version", "seed", "subset": "all"|"quick", "tasks": [...]}`;
each task has `id`, `group`, `question`, `signature` (DSPy style),
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

from bench.tasks import inject, lookup, needle, records
from bench.tasks.draft import TaskDraft

DEFAULT_SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "data"
MANIFEST = "tasks.json"
VERSION = 1

Builder = Callable[[int, random.Random], TaskDraft]
GROUPS: list[tuple[str, Builder, int]] = [
    ("needle", needle.build, len(needle.SHAPES)),
    ("count", records.build_count, len(records.COUNT_SPECS)),
    ("aggregate", records.build_aggregate, len(records.AGG_SPECS)),
    ("lookup", lookup.build, len(lookup.SPECS)),
    ("inject", inject.build, len(inject.SPECS)),
]


def _is_quick(group: str, index: int) -> bool:
    """Whether a task is in the quick set, known before drawing it."""
    if group == "needle":
        return index in needle.QUICK
    if group == "count":
        return records.COUNT_SPECS[index].quick
    if group == "aggregate":
        return records.AGG_SPECS[index].quick
    if group == "lookup":
        return lookup.SPECS[index].quick
    return inject.SPECS[index].quick


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
            assert draft.quick == _is_quick(group, index), draft.id
            tasks.append(_entry(draft, out))
    manifest = {
        "version": VERSION,
        "seed": seed,
        "subset": "quick" if quick else "all",
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
