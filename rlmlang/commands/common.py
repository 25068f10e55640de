"""Flags several commands share: permissions (`--allow`, `--deny`, `--policy`) and budgets;
and how they show what loading the tools left out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_policy_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow", action="append", default=[], metavar="GRANT",
                   help="grant a permission, e.g. fs.read:data/** (repeatable; deny by default)")
    p.add_argument("--deny", action="append", default=[], metavar="RULE",
                   help="deny a permission; deny rules win (repeatable)")
    p.add_argument("--policy", default=None, metavar="FILE", help="a policy TOML file")


def add_budget_argument(p: argparse.ArgumentParser, example: str = "fuel=100000") -> None:
    """`--budget NAME=N`, read by `rlmlang.limits.parse_budget_flags` in every command."""
    p.add_argument("--budget", action="append", default=[], metavar="K=V",
                   help=f"set a budget, e.g. {example} (repeatable; llm_calls sets both "
                        "llm_calls_per_script and llm_calls_per_run)")


def policy_from_args(args: argparse.Namespace, root: str | Path | None = None,
                     always: tuple[str, ...] = ()) -> Any:
    """The policy the flags describe: the file's rules, then the flags' (and `always`)."""
    from rlmlang.policy import Policy  # lazy: not loaded by `rlm --help`

    base = Path(root) if root is not None else Path.cwd()
    flags = Policy.from_rules([*always, *args.allow], args.deny, base)
    return Policy.from_toml(args.policy).merged(flags) if args.policy else flags


def print_load_problems(registry: Any) -> None:
    """What loading the tools left out (a broken stdlib module or plugin), on stderr."""
    for d in getattr(registry, "problems", ()):
        path = Path(d.file)
        try:
            source = path.read_text(encoding="utf-8") if d.span and path.is_file() else None
        except (OSError, UnicodeDecodeError):
            source = None
        print(d.render(source), file=sys.stderr)
