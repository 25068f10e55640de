"""The `rlm` command line.

Each subcommand is a thin shell over a pipeline function: it reads files and
flags, calls the stage, prints what came back, and maps the outcome to an
exit code (0 success, 1 the input was rejected or the run found nothing,
2 the command itself was used wrongly). Subcommands whose logic lives in a
stage module are registered by name in _COMMANDS and imported lazily, so
`rlm check` never pays for loading llama.cpp.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from rlmlang import __version__

# name -> (module, help). The module provides add_arguments(parser) and run(args) -> int.
_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("rlmlang.commands.check", "parse, type-check and verify scripts"),
    "fmt": ("rlmlang.commands.fmt", "print scripts in canonical form"),
    "exec": ("rlmlang.commands.exec", "run a hand-written script (no model)"),
    "run": ("rlmlang.commands.run", "let the model solve a task by writing scripts"),
    "models": ("rlmlang.commands.models", "list the known models and whether each is present"),
    "grammar": ("rlmlang.commands.grammar", "print the model's grammar (GBNF)"),
    "tools": ("rlmlang.commands.tools", "list every tool with its signature and permission"),
    "doc": ("rlmlang.commands.doc", "show a tool's documentation"),
    "audit": ("rlmlang.commands.audit", "check a run log's integrity and re-verify its scripts"),
    "replay": ("rlmlang.commands.replay", "re-execute a run log and compare, byte for byte"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a plain message
        self.print_usage(sys.stderr)
        print(f"rlm: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[..., int]]]:
    parser = _Parser(prog="rlm", description="Verified scripts written by local models.")
    parser.add_argument("--version", action="version", version=f"rlm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    runners: dict[str, Callable[..., int]] = {}
    for name, (module_name, help_text) in _COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:
                continue  # a stage not built yet
            raise
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        runners[name] = module.run
    return parser, runners


def main(argv: list[str] | None = None) -> int:
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return runners[args.command](args)
    except KeyboardInterrupt:
        print("rlm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
