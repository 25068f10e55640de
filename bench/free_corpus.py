"""Free scripts for `bench.python_share`: what a model writes for the bench's tasks, no grammar.

    python -m bench.free_corpus OUT [--model M] [--split dev|test] [--per-family N]
                                    [--only IDS] [--data DIR]

Each task runs through the real controller in free mode with one round of one
greedy draw, so the script is the one a run would first write: the same
profile, prompt, examples and input description. The script is taken from
the run's own log (its `generation` event, cleaned as the controller cleans
it) and written as `OUT/<model>-<task id>-0.py`, the name python_share reads
the task's signature from. A task whose script exists already is skipped, so a
killed run resumes.

Measure the held-out share on the test split's corpus; choose nothing on it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.cache import safe
from bench.harness import model_profile, select
from bench.tasks.manifest import DEFAULT_OUT, ensure_tasks, load_tasks
from rlmlang.logschema import clean_script
from rlmlang.runlog import read_events

ONE_DRAW = {"iterations": 1, "candidates": 1}


def first_script(log_path: Path) -> str | None:
    """The first script the run generated, as the controller ran it; None if none was."""
    for event in read_events(log_path):
        if event["kind"] == "generation":
            return clean_script(event["data"]["text"])
    return None


def write_corpus(out: Path, model: str | None, tasks: list[dict[str, Any]],
                 profile: str | None = None) -> int:
    """Write one free script per task into `out`; how many were written."""
    from rlmlang.bench_hooks import release, run_task

    name, _ = model_profile(model)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        for i, task in enumerate(tasks, 1):
            target = out / f"{safe(name)}-{task['id']}-0.py"
            if target.exists():
                continue
            with tempfile.TemporaryDirectory(prefix="rlm-corpus-") as tmp:
                log = Path(tmp) / "run.log"
                run_task(task, model, "free", budgets=ONE_DRAW, profile=profile, keep_log=log)
                script = first_script(log)
            if script is None:
                print(f"[{i}/{len(tasks)}] {task['id']}: no script generated", file=sys.stderr)
                continue
            target.write_text(script, encoding="utf-8")
            written += 1
            print(f"[{i}/{len(tasks)}] {task['id']}: {len(script.splitlines())} lines",
                  file=sys.stderr, flush=True)
    finally:
        release(model)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.free_corpus",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="the folder the scripts are written to")
    p.add_argument("--model", default=None, help="registry name or GGUF path (default: the default)")
    p.add_argument("--profile", default=None, help="controller profile (default: the model's own)")
    p.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    p.add_argument("--per-family", type=int, default=None,
                   help="at most N tasks of each family in each split")
    p.add_argument("--only", default=None, help="comma-separated task ids, groups or families")
    p.add_argument("--data", type=Path, default=DEFAULT_OUT, help="task data folder")
    args = p.parse_args(argv)
    ensure_tasks(args.data, None, False)
    only = [x.strip() for x in args.only.split(",")] if args.only else None
    tasks = select(load_tasks(args.data), args.split, only, None, args.per_family)
    if not tasks:
        print("no task matches", file=sys.stderr)
        return 2
    n = write_corpus(args.out, args.model, tasks, args.profile)
    print(f"{n} scripts written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
