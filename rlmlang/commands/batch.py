"""`rlm batch TASKS.jsonl`: run many tasks on a pool of workers that keep their model loaded.

Exit codes: 0 every task has a result and none is an error; 1 some task
ended in an error or could not finish; 2 the command was used wrongly (a
bad task line names its line); 130 stopped by Ctrl-C (run the same command
again to resume). The task file's format is in `rlmlang/batch/tasks.py` and
docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.commands.common import add_budget_argument
from rlmlang.diagnostics import DiagnosticError
from rlmlang.limits import parse_budget_flags


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("tasks", metavar="TASKS.jsonl", help="one JSON task a line")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="logs and results (default: TASKS.batch/ beside the task file)")
    p.add_argument("--results", default=None, metavar="FILE",
                   help="the results JSONL (default: DIR/results.jsonl)")
    p.add_argument("--workers", "-j", type=int, default=None, metavar="N",
                   help="worker processes (default: from the cores, memory and model size)")
    p.add_argument("--ray", default=None, metavar="ADDRESS|auto|local",
                   help="schedule the tasks on Ray (pip install 'rlmlang[ray]'): a cluster's "
                        "address, auto (the running cluster) or local (start one here)")
    p.add_argument("--ray-cpus", type=float, default=None, metavar="N",
                   help="CPUs one model takes on Ray (default: the node's CPUs / workers, "
                        "at least 1)")
    p.add_argument("--signature", "-s", default=None,
                   help="the signature of tasks that give none (default: their inputs')")
    p.add_argument("--model", "-m", default=None, help="the model of tasks that name none")
    p.add_argument("--profile", default=None, choices=("tiny", "coder"))
    p.add_argument("--backend", default=None, metavar="URL",
                   help="an OpenAI-compatible server the workers share")
    p.add_argument("--allow", action="append", default=[], metavar="GRANT",
                   help="grant a permission to every task (repeatable)")
    p.add_argument("--deny", action="append", default=[], metavar="RULE",
                   help="deny a permission to every task (repeatable)")
    add_budget_argument(p, "iterations=3")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def run(args: argparse.Namespace) -> int:
    from rlmlang.batch import run_batch  # lazy: not loaded by `rlm --help`
    from rlmlang.batch.tasks import Defaults  # lazy: not loaded by `rlm --help`

    if args.workers is not None and args.workers < 1:
        print("rlm batch: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        defaults = Defaults(signature=args.signature, model=args.model, profile=args.profile,
                            backend=args.backend, allow=list(args.allow), deny=list(args.deny),
                            budgets=parse_budget_flags(args.budget), seed=args.seed)
        summary = run_batch(args.tasks, out=args.out, results=args.results,
                            workers=args.workers, defaults=defaults, ray=args.ray,
                            ray_cpus=args.ray_cpus, quiet=args.quiet or args.json)
    except DiagnosticError as e:
        for d in e.diagnostics:
            print(f"rlm batch: {d.code}: {d.message}" + (f"\n  fix: {d.fix}" if d.fix else ""),
                  file=sys.stderr)
        return 2 if all(d.code == "E_USAGE" for d in e.diagnostics) else 1
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"results: {summary.results}")
        for note in summary.notes:
            print(f"rlm batch: {note}", file=sys.stderr)
    if summary.stopped:
        if not args.json:
            print(f"rlm batch: stopped; {summary.stopped} task(s) did not finish: run the same "
                  "command again to resume them", file=sys.stderr)
        return 130 if summary.interrupted else 1
    return 0 if summary.complete and not summary.statuses.get("error") else 1
