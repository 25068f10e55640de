"""`rlm check FILE...`: every static stage, no execution."""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.diagnostics import Diagnostic


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="scripts to check (- for stdin)")
    p.add_argument("--json", action="store_true", help="print diagnostics as a JSON list")


def _read(path: str) -> bytes | None:
    if path == "-":
        return sys.stdin.buffer.read()
    return None


def run(args: argparse.Namespace) -> int:
    from rlmlang.pipeline import analyze_file, analyze_source

    all_diags: list[Diagnostic] = []
    sources: dict[str, str | None] = {}
    for path in args.files:
        data = _read(path)
        if data is not None:
            result = analyze_source(data, "<stdin>")
        else:
            result = analyze_file(path)
        sources[result.file] = result.text
        all_diags.extend(result.diagnostics)
    if args.json:
        print(json.dumps([d.to_json() for d in all_diags], indent=2, ensure_ascii=False))
    else:
        for d in all_diags:
            print(d.render(sources.get(d.file)), file=sys.stderr)
        bad = {d.file for d in all_diags if d.severity == "error"}
        ok = len(args.files) - len(bad)
        print(f"{ok} of {len(args.files)} file(s) valid", file=sys.stderr)
    return 1 if any(d.severity == "error" for d in all_diags) else 0
