"""`rlm check FILE...`: every static stage (parse, type-check, verify), no execution."""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.commands.common import add_budget_argument, add_policy_arguments, policy_from_args
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import Limits, parse_budget_flags


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="scripts to check (- for stdin)")
    p.add_argument("--json", action="store_true", help="print diagnostics as a JSON list")
    p.add_argument("--signature", "-s", default=None,
                   help='the task signature scripts are checked against (default '
                        '"context: str, question: str -> answer: str")')
    p.add_argument("--input-size", action="append", default=[], metavar="NAME=N",
                   help="the size of an input (characters or items); default 1000000. "
                        "Without --signature, the inputs named are the signature's (str)")
    add_policy_arguments(p)
    add_budget_argument(p)
    p.add_argument("--parse-only", action="store_true", help="stop after parsing")


def _options(args: argparse.Namespace):
    from rlmlang.pipeline import CheckOptions  # lazy: not loaded by `rlm --help`

    opts = CheckOptions()
    if args.signature:
        from rlmlang.task.signature import parse_signature  # lazy: not loaded by `rlm --help`

        parse_signature(args.signature)  # a bad one is a usage error, before any file
        opts.signature = args.signature
    for item in args.input_size:
        name, eq, n = item.partition("=")
        if not eq or not n.strip().isdigit():
            raise ValueError(f"bad --input-size {item!r}: write NAME=N")
        opts.input_sizes[name.strip()] = int(n)
    if not args.signature and opts.input_sizes:  # as rlm run: the inputs named make it
        named = [n for n in opts.input_sizes if n != "question"]
        opts.signature = ", ".join([*(f"{n}: str" for n in named), "question: str"]) + \
            " -> answer: str"
    flags = parse_budget_flags(args.budget)
    if args.policy or args.allow or args.deny:
        opts.policy = policy_from_args(args)
    opts.budgets = Limits.resolve(opts.policy.budgets if opts.policy else None, flags)
    from rlmlang.tools import default_registry  # lazy: not loaded by `rlm --help`

    opts.registry = default_registry()
    return opts


def run(args: argparse.Namespace) -> int:
    from rlmlang.pipeline import analyze_file, analyze_source  # lazy: not loaded by `rlm --help`

    try:
        options = _options(args)
    except DiagnosticError as e:
        for d in e.diagnostics:
            print(f"rlm check: {d.message}" + (f"\n  fix: {d.fix}" if d.fix else ""),
                  file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"rlm check: {e}", file=sys.stderr)
        return 2
    # what loading the tools left out (a broken stdlib module or plugin) comes first
    all_diags: list[Diagnostic] = list(options.registry.problems)
    sources: dict[str, str | None] = {}
    notes: list[str] = []
    for path in args.files:
        if path == "-":
            result = analyze_source(sys.stdin.buffer.read(), "<stdin>", options,
                                    parse_only=args.parse_only)
        else:
            result = analyze_file(path, options, parse_only=args.parse_only)
        sources[result.file] = result.text
        all_diags.extend(result.diagnostics)
        notes.extend(n for n in result.notes if n not in notes)
    errors = [d for d in all_diags if d.severity == "error"]
    if args.json:
        print(json.dumps([d.to_json() for d in all_diags], indent=2, ensure_ascii=False))
    else:
        for d in all_diags:
            print(d.render(sources.get(d.file)), file=sys.stderr)
        for n in notes:
            print(f"note: {n}", file=sys.stderr)
        bad = {d.file for d in errors}
        ok = len(args.files) - len(bad)
        print(f"{ok} of {len(args.files)} file(s) valid", file=sys.stderr)
    return 1 if errors else 0
