"""`rlm doc TOOL`: one tool's documentation, signature, cost, permission and example."""

from __future__ import annotations

import argparse
import difflib
import json
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("tool", metavar="TOOL", help="a tool name, e.g. find_line or fs.read")
    p.add_argument("--json", action="store_true", help="print the documentation as JSON")


def run(args: argparse.Namespace) -> int:
    import warnings

    from rlmlang.tools import default_registry  # lazy: not loaded by `rlm --help`
    from rlmlang.tools.describe import describe, doc_text  # lazy: not loaded by `rlm --help`

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = default_registry()
    spec = reg.get(args.tool)
    if spec is None:
        close = difflib.get_close_matches(args.tool, reg.names(), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        print(f"rlm doc: E_USAGE: no tool named {args.tool!r}{hint}; `rlm tools` lists them "
              "all", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(describe(spec), ensure_ascii=False, indent=1))
    else:
        print(doc_text(spec))
    return 0
