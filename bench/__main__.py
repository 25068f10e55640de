"""Command line of the benchmarks.

    python -m bench tasks [--model M] [--quick] [--modes direct,grammar,free] [--window N]
    python -m bench micro [--quick]

The logic lives in `bench.harness` (tasks) and `bench.micro` (micro); this
module only parses arguments, so `rlm` could expose the same commands through
`add_arguments` and `cmd_bench`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.tasks.manifest import DEFAULT_OUT, DEFAULT_SEED


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `tasks` and `micro` subcommands and their options."""
    sub = parser.add_subparsers(dest="bench_command", required=True)
    t = sub.add_parser("tasks", help="run the tasks with known answers in each mode")
    t.add_argument("--model", default=None, help="registry name or GGUF path (default: default)")
    t.add_argument("--quick", action="store_true", help="only the small quick-set tasks (CI)")
    t.add_argument("--modes", default="direct,grammar,free",
                   help="comma-separated: direct, grammar, free")
    t.add_argument("--window", type=int, default=None,
                   help="token window for direct prompting (default 2048, at most the model's)")
    t.add_argument("--only", default=None,
                   help="comma-separated task ids or group names (results marked partial)")
    t.add_argument("--data", type=Path, default=DEFAULT_OUT, help="task data folder")
    t.add_argument("--seed", type=int, default=DEFAULT_SEED, help="task generator seed")
    m = sub.add_parser("micro", help="run every bench/micro_*.py and print name=value lines")
    m.add_argument("--quick", action="store_true", help="smaller sizes (CI)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the chosen subcommand; the exit status."""
    if args.bench_command == "micro":
        from bench.micro import run_micro

        values = run_micro(quick=args.quick)
        return 1 if any(k.endswith("_error") for k in values) else 0
    from bench.harness import run_tasks
    from rlmlang.backend.base import ModelError

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    only = [x.strip() for x in args.only.split(",")] if args.only else None
    try:
        run_tasks(args.model, args.quick, modes, args.window, args.data, args.seed, only)
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
