"""`rlm fmt FILE...`: print (or rewrite) scripts in canonical form.

The canonical form is the printer's (rlmlang.syntax.printer): LF line ends,
no BOM, 4-space indents, with the script's comments and blank lines where
rlmlang.syntax.comments places them (every comment kept; runs of blank lines
kept as one, none at the start of a block or the file's ends).
`--drop-comments` gives the form without them (the normal form a run log
records). `--check` compares bytes, so a CRLF or BOM file is reported as not
canonical; `-w` rewrites a file only when it changes, through a temporary file
renamed over it, so a reader sees the old text or the new, never a part.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from rlmlang.diagnostics import render_all


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-w", "--write", action="store_true", help="rewrite the files in place")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if any file is not in canonical form")
    p.add_argument("--drop-comments", action="store_true",
                   help="leave out comments and blank lines (the form a run log records)")


def write_atomically(path: Path, data: bytes) -> None:
    """Replace the file's content with `data`: a temporary file beside it, renamed over
    it (keeping its permissions; a symbolic link is followed, not replaced)."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run(args: argparse.Namespace) -> int:
    from rlmlang.syntax.comments import collect_comments  # lazy: not loaded by `rlm --help`
    from rlmlang.syntax.parser import parse, parse_file  # lazy: not loaded by `rlm --help`
    from rlmlang.syntax.printer import print_script  # lazy: not loaded by `rlm --help`

    status = 0
    for path in args.files:
        try:
            data: bytes | None = Path(path).read_bytes()
        except OSError:
            data = None
        result = parse_file(path) if data is None else parse(data, path)
        if result.script is None:
            text = None if data is None else data.decode("utf-8", errors="replace")
            print(render_all(result.diagnostics, text), file=sys.stderr)
            status = 1
            continue
        assert data is not None  # it parsed
        source = data.decode("utf-8")
        comments = None if args.drop_comments else collect_comments(source, result.script)
        canonical = print_script(result.script, comments).encode("utf-8")
        if args.check:
            if data != canonical:
                print(f"{path}: not in canonical form (rlm fmt -w {path} rewrites it)",
                      file=sys.stderr)
                status = 1
        elif args.write:
            if data != canonical:
                write_atomically(Path(path), canonical)
        else:
            sys.stdout.write(canonical.decode("utf-8"))
    return status
