"""Benchmark tasks with known answers: loading the manifest, (re)generating on demand.

The task data is generated, not committed (`bench/tasks/data/` is
gitignored): `ensure_tasks` regenerates it when the manifest is missing, has
another seed, was written by other generator code, lacks tasks that were
asked for, or a file's hash does not match. `load_tasks` returns the manifest's task dicts with one key added,
`dir` (absolute folder the `inputs[...]["file"]` paths and grants are
relative to), and `read_inputs` turns a task's inputs into strings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from bench.tasks.generate import (
    DEFAULT_OUT,
    DEFAULT_SEED,
    MANIFEST,
    VERSION,
    generate,
    generator_digest,
)

__all__ = ["DEFAULT_OUT", "DEFAULT_SEED", "ensure_tasks", "load_tasks", "manifest_seed",
           "read_inputs"]


def _manifest_ok(out: Path, seed: int, quick: bool, check_hashes: bool) -> bool:
    path = out / MANIFEST
    if not path.exists():
        return False
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError:
        return False
    if manifest.get("version") != VERSION or manifest.get("seed") != seed:
        return False
    if manifest.get("generator") != generator_digest():
        return False
    if manifest.get("subset") != "all" and not quick:
        return False
    for task in manifest["tasks"]:
        for spec in task["inputs"].values():
            if "file" not in spec:
                continue
            f = out / spec["file"]
            if not f.exists() or f.stat().st_size != spec["bytes"]:
                return False
            if check_hashes and hashlib.sha256(f.read_bytes()).hexdigest() != spec["sha256"]:
                return False
    return True


def ensure_tasks(
    out: Path = DEFAULT_OUT, seed: int | None = None, quick: bool = False,
    check_hashes: bool = False,
) -> Path:
    """Make sure the task data under `out` is there and current; return its manifest path.
    Without a `seed`, the folder's own (from its manifest) is kept, else the default:
    data written with `--seed 19` was regenerated with the default seed by every later
    run that named the folder but not the seed, so a "fresh" dev sample was the default
    one (found 2026-12-06)."""
    out = Path(out)
    if seed is None:
        seed = manifest_seed(out)
    if not _manifest_ok(out, seed, quick, check_hashes):
        # Written beside, then swapped in: a run reading the old files is not cut short by
        # another process regenerating them (same seed, same bytes).
        tmp = out.with_name(f".{out.name}.new-{os.getpid()}")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        generate(tmp, seed, quick)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    return out / MANIFEST


def manifest_seed(out: Path) -> int:
    """The seed the data under `out` was written with, or the default where there is none."""
    try:
        seed = json.loads((Path(out) / MANIFEST).read_text()).get("seed")
    except (OSError, json.JSONDecodeError, AttributeError):
        return DEFAULT_SEED
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else DEFAULT_SEED


def load_tasks(out: Path = DEFAULT_OUT, quick: bool = False) -> list[dict[str, Any]]:
    """The tasks of the manifest under `out` (only the quick set if asked)."""
    out = Path(out).resolve()
    manifest = json.loads((out / MANIFEST).read_text())
    tasks = [t for t in manifest["tasks"] if t["quick"] or not quick]
    return [{**t, "dir": str(out)} for t in tasks]


def read_inputs(task: dict[str, Any]) -> dict[str, str]:
    """Every input of `task` as a string: file contents or the literal value."""
    base = Path(task["dir"])
    values: dict[str, str] = {}
    for name, spec in task["inputs"].items():
        if "file" in spec:
            values[name] = (base / spec["file"]).read_text()
        else:
            values[name] = str(spec["value"])
    return values
