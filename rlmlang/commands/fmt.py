"""`rlm fmt FILE...`: print (or rewrite) scripts in canonical form."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-w", "--write", action="store_true", help="rewrite the files in place")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if any file is not in canonical form")


def run(args: argparse.Namespace) -> int:
    from rlmlang.diagnostics import render_all
    from rlmlang.syntax.parser import parse_file
    from rlmlang.syntax.printer import print_script

    status = 0
    for path in args.files:
        result = parse_file(path)
        if result.script is None:
            text = None
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
            print(render_all(result.diagnostics, text), file=sys.stderr)
            status = 1
            continue
        canonical = print_script(result.script)
        if args.check:
            if Path(path).read_text(encoding="utf-8") != canonical:
                print(f"{path}: not in canonical form", file=sys.stderr)
                status = 1
        elif args.write:
            Path(path).write_text(canonical, encoding="utf-8")
        else:
            sys.stdout.write(canonical)
    return status
