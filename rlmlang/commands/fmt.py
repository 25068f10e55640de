"""`rlm fmt FILE...`: print (or rewrite) scripts in canonical form.

The canonical form is the printer's (rlmlang.syntax.printer): LF line ends,
no BOM, 4-space indents. The AST keeps no comments, so the canonical form has
none; `-w` therefore refuses to rewrite a file that has comments (it would
delete them) unless `--drop-comments` says that is wanted. `--check` compares
bytes, so a CRLF or BOM file is reported as not canonical.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# A string (so that '#' inside one is not a comment) or a comment.
_STRING_OR_COMMENT = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|(#)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-w", "--write", action="store_true", help="rewrite the files in place")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if any file is not in canonical form")
    p.add_argument("--drop-comments", action="store_true",
                   help="with -w, rewrite files even though their comments will be lost")


def has_comments(text: str) -> bool:
    """Whether the script has a comment (a '#' outside every string)."""
    return any(m.group(1) for m in _STRING_OR_COMMENT.finditer(text))


def run(args: argparse.Namespace) -> int:
    from rlmlang.diagnostics import render_all
    from rlmlang.syntax.parser import parse_file
    from rlmlang.syntax.printer import print_script

    status = 0
    for path in args.files:
        result = parse_file(path)
        text = None
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        if result.script is None:
            print(render_all(result.diagnostics, text), file=sys.stderr)
            status = 1
            continue
        canonical = print_script(result.script)
        if args.check:
            if Path(path).read_bytes() != canonical.encode("utf-8"):
                print(f"{path}: not in canonical form", file=sys.stderr)
                status = 1
        elif args.write:
            if text is not None and has_comments(text) and not args.drop_comments:
                print(f"{path}: has comments, which the canonical form drops; not rewritten "
                      "(pass --drop-comments to rewrite anyway)", file=sys.stderr)
                status = 1
                continue
            Path(path).write_bytes(canonical.encode("utf-8"))
        else:
            sys.stdout.write(canonical)
    return status
