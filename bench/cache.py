"""The result cache: one judged result per (model, profile, mode, code version, task).

A full matrix (four models, two profiles, 213 tasks) takes many hours on two
cores, so `python -m bench tasks` runs only what is not cached yet and a killed
run resumes where it stopped. Layout (gitignored, under `bench/cache/` unless
`--cache DIR` says otherwise):

    <model>/<profile>/<mode>/<code version>/<task id>.json

`profile` is `none` for the direct mode (no controller). The **code version**
is a hash of the content of `rlmlang/`, `stdlib/`, `grammar/` and `models/`
(not a git commit, so uncommitted work is told apart); a change there starts a
new folder and older results stay for the report, which says when it shows
them. Each file is the judged result plus `task_digest` (a hash of the task's
question, expected answer and input hashes): a task whose data changed is not
answered from the cache. Files are written whole (temp file, then rename),
so a kill never leaves half a result.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / "bench" / "cache"
VERSIONED = ("rlmlang", "stdlib", "grammar", "models")
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def code_version(repo: Path = REPO) -> str:
    """A 12-hex hash of every file under the versioned folders (paths and bytes)."""
    h = hashlib.sha256()
    for folder in VERSIONED:
        for path in sorted((repo / folder).rglob("*")):
            rel = path.relative_to(repo)
            if not path.is_file() or _SKIP_PARTS & set(rel.parts) or path.suffix == ".pyc":
                continue
            h.update(str(rel).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:12]


def task_digest(task: dict[str, Any]) -> str:
    """What a cached answer was judged against: question, answer, types, input bytes."""
    inputs = {k: v.get("sha256", v.get("value")) for k, v in task["inputs"].items()}
    blob = json.dumps([task["question"], task["expected"], task["answer_type"],
                       task["signature"], inputs, task.get("grant"), task.get("canaries")],
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "_"


class ResultCache:
    """Judged results on disk, see the module's doc for the layout."""

    def __init__(self, root: Path = CACHE_DIR) -> None:
        self.root = Path(root)

    def _dir(self, model: str, profile: str, mode: str) -> Path:
        return self.root / safe(model) / safe(profile) / safe(mode)

    def path(self, model: str, profile: str, mode: str, version: str, task_id: str) -> Path:
        return self._dir(model, profile, mode) / version / f"{safe(task_id)}.json"

    def get(self, model: str, profile: str, mode: str, version: str,
            task: dict[str, Any]) -> dict[str, Any] | None:
        """The result for this code version, if the task is unchanged."""
        path = self.path(model, profile, mode, version, task["id"])
        return self._read(path, task_digest(task))

    def latest(self, model: str, profile: str, mode: str,
               task: dict[str, Any]) -> dict[str, Any] | None:
        """The newest result of any code version for the unchanged task."""
        digest = task_digest(task)
        base = self._dir(model, profile, mode)
        if not base.is_dir():
            return None
        found = [self._read(v / f"{safe(task['id'])}.json", digest) for v in base.iterdir()]
        found = [r for r in found if r is not None]
        return max(found, key=lambda r: r.get("finished", ""), default=None)

    def put(self, model: str, profile: str, mode: str, version: str, task: dict[str, Any],
            result: dict[str, Any]) -> None:
        path = self.path(model, profile, mode, version, task["id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {**result, "task_digest": task_digest(task), "code_version": version}
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(body, sort_keys=True, default=str) + "\n")
        tmp.replace(path)

    def combos(self) -> list[tuple[str, str, str]]:
        """Every (model, profile, mode) that has results."""
        if not self.root.is_dir():
            return []
        return sorted((m.name, p.name, d.name) for m in self.root.iterdir() if m.is_dir()
                      for p in m.iterdir() if p.is_dir() for d in p.iterdir() if d.is_dir())

    @staticmethod
    def _read(path: Path, digest: str) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None
        return data if data.get("task_digest") == digest else None
