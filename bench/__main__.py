"""Command line of the benchmarks.

    python -m bench tasks [--model M ...] [--profile P] [--split dev|test|all] [--quick]
                          [--modes grammar,direct] [--only IDS] [--limit N] [--report]
                          [--logs DIR]
    python -m bench micro [--quick]
    python -m bench scale [--quick] [--only batch,fanout,ray]

The logic lives in `bench.harness` (tasks) and `bench.micro` (micro); this
module only parses arguments, so `rlm` could expose the same commands through
`add_arguments` and `cmd_bench`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bench.tasks.manifest import DEFAULT_OUT, DEFAULT_SEED


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `tasks` and `micro` subcommands and their options."""
    sub = parser.add_subparsers(dest="bench_command", required=True)
    t = sub.add_parser("tasks", help="run the tasks with known answers (cached, resumable)")
    t.add_argument("--model", action="append", default=None,
                   help="registry name or GGUF path; repeat for several (default: the default)")
    t.add_argument("--profile", default=None,
                   help="controller profile: tiny or coder (default: each model's own)")
    t.add_argument("--split", default="all", choices=["dev", "test", "all"],
                   help="which split's tasks to run (default: all)")
    t.add_argument("--quick", action="store_true", help="only the small quick-set tasks (CI)")
    t.add_argument("--modes", default="grammar,direct",
                   help="comma-separated: grammar, free, direct (default: grammar,direct)")
    t.add_argument("--window", type=int, default=None,
                   help="token window for direct prompting (default 2048, at most the model's)")
    t.add_argument("--only", default=None,
                   help="comma-separated task ids, groups or families")
    t.add_argument("--limit", type=int, default=None,
                   help="at most N tasks of each split (in suite order)")
    t.add_argument("--per-family", type=int, default=None,
                   help="at most N tasks of each family in each split: a sample keeping them all")
    t.add_argument("--seconds", type=int, default=None,
                   help="each run's wall-time budget (default: the runtime's)")
    t.add_argument("--report", action="store_true",
                   help="run nothing: print the tables and regenerate docs/benchmarks.md")
    t.add_argument("--data", type=Path, default=DEFAULT_OUT, help="task data folder")
    t.add_argument("--seed", type=int, default=None,
                   help=f"task generator seed (default: the data folder's own, else "
                        f"{DEFAULT_SEED})")
    t.add_argument("--cache", type=Path, default=None, help="result cache folder")
    t.add_argument("--logs", type=Path, default=None,
                   help="keep each run's log in this folder (read them with rlm logs --dir DIR)")
    m = sub.add_parser("micro", help="run every bench/micro_*.py and print name=value lines")
    m.add_argument("--quick", action="store_true", help="smaller sizes (CI)")
    from bench.probe import add_arguments as probe_arguments

    probe_arguments(sub.add_parser("probe", help="a person's questions over real files no "
                                   "task uses (bench/probe.py; a tuning set)"))
    s = sub.add_parser("scale", help="batch, sub-call fan-out and Ray, measured (bench/scale.py)")
    s.add_argument("--quick", action="store_true", help="fewer tasks and chunks")
    s.add_argument("--only", default=None, help="comma-separated: batch, fanout, ray")
    s.add_argument("--tasks", type=int, default=None, help="tasks for batch vs run (20)")
    s.add_argument("--chunks", type=int, default=None, help="chunks for the fan-out (64)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the chosen subcommand; the exit status."""
    if args.bench_command == "probe":
        from bench.probe import run_probe

        return run_probe(args)
    if args.bench_command == "scale":
        from bench.scale import run_scale

        run_scale(args.quick, args.only.split(",") if args.only else None, args.tasks,
                  args.chunks)
        return 0
    if args.bench_command == "micro":
        from bench.micro import run_micro

        values = run_micro(quick=args.quick)
        return 1 if any(k.endswith("_error") for k in values) else 0
    from bench import report
    from bench.harness import RESULTS_DIR, run_tasks
    from rlmlang.backend.base import ModelError

    if args.report:
        from bench.cache import code_version

        version = code_version()
        for line in report.terminal(report.load(RESULTS_DIR), version):
            print(line)
        report.update_docs(RESULTS_DIR, version=version)
        return 0
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    only = [x.strip() for x in args.only.split(",")] if args.only else None
    extra: dict[str, Any] = {"cache_dir": args.cache} if args.cache else {}
    if args.logs:
        extra["logs_dir"] = args.logs
    try:
        run_tasks(args.model, args.profile, args.split, args.quick, modes, args.window,
                  args.data, args.seed, only, args.limit, args.per_family, args.seconds,
                  **extra)
    except ModelError as e:
        print(f"error E_MODEL: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return cmd_bench(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
