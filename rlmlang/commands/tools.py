"""`rlm tools`: every tool a script may call, with signature, permission and origin.

On a terminal, a table drawn to its width; piped, plain lines (one per tool,
never wrapped), so `rlm tools | grep fs.` shows whole signatures.
"""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.commands.common import print_load_problems


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the tools as JSON")
    p.add_argument("--kind", choices=["builtin", "skill", "stdlib", "host", "plugin"],
                   help="only tools of this kind")
    p.add_argument("--no-plugins", action="store_true", help="leave installed plugins out")


def run(args: argparse.Namespace) -> int:
    from rlmlang.tools import default_registry  # lazy: not loaded by `rlm --help`
    from rlmlang.tools.describe import describe  # lazy: not loaded by `rlm --help`

    reg = default_registry(include_plugins=not args.no_plugins)
    print_load_problems(reg)  # a broken stdlib module or plugin, on stderr
    rows = [describe(s) for s in reg.specs()]
    if args.kind:
        rows = [r for r in rows if r["kind"] == args.kind]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    columns = ("signature", "permission", "kind", "origin")
    table = [[r[k] for k in columns] for r in rows]
    if sys.stdout.isatty():
        _rich_table(columns, table)
    else:  # piped: one line per tool, never wrapped, so grep and cut see whole lines
        print(plain_table(columns, table))
    print(f"{len(rows)} tools; `rlm doc NAME` shows one in full.")
    return 0


def plain_table(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart; the last one not padded."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in [list(columns), *rows])


def _rich_table(columns: tuple[str, ...], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(escape(cell) for cell in r))
    Console().print(table)
