"""`rlm replay LOG`: re-execute every accepted script and compare with the log, byte for byte.

Exit codes: 0 identical; 1 the log is not intact, the replay diverged (the
first divergence is printed with both sides) or cannot be done (no state
store); 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.diagnostics import DiagnosticError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("log", metavar="LOG", help="the run log (JSONL) written by rlm run")
    p.add_argument("--hmac-key-file", default=None, metavar="FILE",
                   help="check every line's signature with the key in FILE first")
    p.add_argument("--state", default=None, metavar="PATH",
                   help="the run's state store, if not beside the log as LOG.state")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    import os

    key = None
    if args.hmac_key_file:
        from rlmlang.audit.core import read_key_file  # lazy: not loaded by `rlm --help`

        try:
            key = read_key_file(args.hmac_key_file)
        except DiagnosticError as e:
            d = e.diagnostics[0]
            print(f"rlm replay: {d.location()}: {d.code}: {d.message}", file=sys.stderr)
            return 2
    if not os.path.exists(args.log):
        print(f"rlm replay: {args.log}: no such file", file=sys.stderr)
        return 2
    from rlmlang.audit.core import replay_log  # lazy: not loaded by `rlm --help`
    from rlmlang.audit.text import integrity_lines, replay_lines  # lazy: not loaded by `rlm --help`

    integ, result, store = replay_log(args.log, key, args.state)
    ok = integ.intact and result is not None and result.identical
    if args.json:
        print(json.dumps({"log": args.log, "ok": ok, "state_store": store,
                          "integrity": integ.to_json(),
                          "replay": result.to_json() if result else None},
                         ensure_ascii=False, indent=2))
        return 0 if ok else 1
    lines = [f"replay of {args.log}"] + integrity_lines(integ)
    if result is not None:
        lines += [f"note: {n}" for n in result.notes]
        lines += replay_lines(result)
    if not integ.intact and result is not None and result.identical:
        lines.append("(the replay matched, but the log is not intact: it proves nothing)")
    print("\n".join(lines))
    return 0 if ok else 1
