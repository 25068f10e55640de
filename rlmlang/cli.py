"""The `rlm` command line.

Each subcommand is a thin shell over a pipeline function: it reads files and
flags, calls the stage, prints what came back, and maps the outcome to an
exit code (0 success, 1 the input was rejected or the run found nothing,
2 the command itself was used wrongly). Subcommands whose logic lives in a
stage module are registered by name in _COMMANDS and imported lazily, so
`rlm check` never pays for loading llama.cpp.

No subcommand ends in a Python traceback. Output that Python cannot encode
(a lone surrogate a script built) is escaped, never fatal; a coded error
that escapes a subcommand is printed as one (`rlm CMD: E_CODE: message`,
exit 1, or 2 for E_USAGE); an OSError is E_IO; anything else is a bug,
printed as E_INTERNAL with its one-line cause (RLM_DEBUG=1 shows the
traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable

from rlmlang.version import __version__

# name -> (module, help). The module provides add_arguments(parser) and run(args) -> int.
_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("rlmlang.commands.check", "parse, type-check and verify scripts"),
    "fmt": ("rlmlang.commands.fmt", "print scripts in canonical form"),
    "exec": ("rlmlang.commands.exec", "run a hand-written script (no model)"),
    "run": ("rlmlang.commands.run", "let the model solve a task by writing scripts"),
    "batch": ("rlmlang.commands.batch", "run many tasks on workers that keep their model loaded"),
    "models": ("rlmlang.commands.models", "list the known models and whether each is present"),
    "grammar": ("rlmlang.commands.grammar", "print the model's grammar (GBNF)"),
    "tools": ("rlmlang.commands.tools", "list every tool with its signature and permission"),
    "doc": ("rlmlang.commands.doc", "show a tool's documentation"),
    "audit": ("rlmlang.commands.audit", "check a run log's integrity and re-verify its scripts"),
    "replay": ("rlmlang.commands.replay", "re-execute a run log and compare, byte for byte"),
    "logs": ("rlmlang.commands.logs", "list, search and show past runs (the index beside runs/)"),
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


def _escape_unencodable() -> None:
    """Print what cannot be encoded as an escape (`\\ud800`) instead of failing on it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    _escape_unencodable()
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
    except Exception as exc:  # the last line of defence: a coded error, never a traceback
        return _report(args.command, exc)


def _report(command: str, exc: Exception) -> int:
    from rlmlang.runlog import failure_diagnostics  # lazy: not loaded by `rlm --help`

    if os.environ.get("RLM_DEBUG"):
        raise exc
    diags = failure_diagnostics(exc)
    for d in diags:
        where = f"{d.location()}: " if d.file not in ("<script>", "") else ""
        print(f"rlm {command}: {where}{d.code}: {d.message}"
              + (f"\n  fix: {d.fix}" if d.fix else ""), file=sys.stderr)
    if diags[0].code == "E_INTERNAL":
        print("  (this is a bug in rlmlang; RLM_DEBUG=1 shows where)", file=sys.stderr)
    return 2 if all(d.code == "E_USAGE" for d in diags) else 1


if __name__ == "__main__":
    raise SystemExit(main())
