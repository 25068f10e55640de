"""`rlm audit LOG`: is the log intact, would its scripts still pass, what did the run do.

Exit codes: 0 the log is intact and every script it accepted is still
accepted (under the recorded policy, and under --policy when given);
1 a problem was found (each named by line); 2 the command was used wrongly
(a missing key or policy file). Heavy modules load only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys

from rlmlang.diagnostics import DiagnosticError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("log", metavar="LOG", help="the run log (JSONL) written by rlm run")
    p.add_argument("--hmac-key-file", default=None, metavar="FILE",
                   help="check every line's signature with the key in FILE")
    p.add_argument("--policy", default=None, metavar="FILE",
                   help="also re-verify every script under this policy (TOML): today's policy")
    p.add_argument("--state", default=None, metavar="PATH",
                   help="the run's state store, if not beside the log as LOG.state")
    p.add_argument("--replay", action="store_true",
                   help="also replay the run (as rlm replay) and include the result")
    p.add_argument("--json", action="store_true", help="print the audit as JSON")
    p.add_argument("--html", default=None, metavar="FILE",
                   help="write a self-contained HTML report to FILE")


def run(args: argparse.Namespace) -> int:
    import os

    try:
        key = None
        if args.hmac_key_file:
            from rlmlang.audit.core import read_key_file  # lazy: not loaded by `rlm --help`

            key = read_key_file(args.hmac_key_file)
        policy = None
        if args.policy:
            from rlmlang.policy import Policy  # lazy: not loaded by `rlm --help`

            policy = Policy.from_toml(args.policy)
    except DiagnosticError as e:
        for d in e.diagnostics:
            print(f"rlm audit: {d.location()}: {d.code}: {d.message}"
                  + (f"\n  fix: {d.fix}" if d.fix else ""), file=sys.stderr)
        return 2
    if not os.path.exists(args.log):
        print(f"rlm audit: {args.log}: no such file", file=sys.stderr)
        return 2
    from rlmlang.audit.core import audit_log  # lazy: not loaded by `rlm --help`
    from rlmlang.audit.text import format_audit  # lazy: not loaded by `rlm --help`

    report = audit_log(args.log, key, policy, f"today's policy ({args.policy})",
                       state_path=args.state, replay=args.replay)
    if args.html:
        from rlmlang.audit.report_html import render_html  # lazy: not loaded by `rlm --help`

        try:
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(render_html(report))
        except OSError as e:
            print(f"rlm audit: cannot write {args.html}: {e.strerror or e}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_audit(report))
        if args.html:
            print(f"report: {args.html}")
    return 0 if report.ok else 1
