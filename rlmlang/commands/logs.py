"""`rlm logs [RUN]`: list, search and show past runs, from the index beside the logs.

`rlm logs` lists the runs in `runs/` newest first (`--status`, `--model`,
`-q TEXT`, `--since DATE`, `-n N` filter them); `rlm logs RUN` shows one (an
id, the start of one, `latest`, or a log's path) with the script that gave
its answer; `rlm logs RUN --html` writes its audit report beside the log
(LOG.html, as `rlm audit --html` does) and opens it when run at a terminal.
The index (runs/index.sqlite) is brought up to date each time; `--rebuild`
makes it again from the logs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from rlmlang.commands.tools import plain_table


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", nargs="?", default=None, metavar="RUN",
                   help="show one run: its id (or the start of it), latest, or a log's path")
    p.add_argument("--dir", default="runs", help="the directory of the run logs (default runs)")
    p.add_argument("--status", choices=("answered", "uncertain", "no_answer", "error",
                                        "incomplete", "unreadable"), help="only runs that ended so")
    p.add_argument("--model", default=None, help="only runs of a model (a part of its name)")
    p.add_argument("-q", "--search", default=None, metavar="TEXT",
                   help="only runs whose task, answer or reason has TEXT (any case)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="only runs since a day")
    p.add_argument("-n", "--limit", type=int, default=20, help="at most N runs (default 20)")
    p.add_argument("--html", nargs="?", const="", default=None, metavar="FILE",
                   help="with RUN: write its HTML audit report (default LOG.html) and open it")
    p.add_argument("--rebuild", action="store_true", help="make the index again from the logs")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from rlmlang.logs import find_run, query, refresh  # lazy: not loaded by `rlm --help`
    from rlmlang.logs.index import day_start  # lazy: not loaded by `rlm --help`

    if args.rebuild:
        refresh(args.dir, rebuild=True)
    if args.run is None:
        if args.html is not None:
            print("rlm logs: --html needs a RUN (`rlm logs latest --html`)", file=sys.stderr)
            return 2
        since = day_start(args.since) if args.since else None
        runs = query(args.dir, status=args.status, model=args.model, text=args.search,
                     since=since, limit=args.limit)
        if args.json:
            print(json.dumps([r.to_json() for r in runs], ensure_ascii=False, indent=1))
        else:
            _print_list(runs)
        return 0
    entry = find_run(args.dir, args.run)
    if args.html is not None:
        return _html(entry, args.html)
    if args.json:
        print(json.dumps({**entry.to_json(), "script": _answering_script(entry)},
                         ensure_ascii=False, indent=1))
    else:
        print(_details(entry))
    return 0


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _short(text: Any, n: int) -> str:
    s = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n - 1] + "…"


def _print_list(runs: list[Any]) -> None:
    if not runs:
        print("no runs (`rlm run` writes them to runs/; --dir DIR looks elsewhere)",
              file=sys.stderr)
        return
    columns = ("run", "ended", "status", "model", "seconds", "answer", "task")
    rows = [[r.id, _when(r.ended), r.status, r.model or "-",
             f"{r.seconds:.0f}" if r.seconds is not None else "-",
             _short(r.answer_value(), 30) if r.answer is not None else "-",
             _short(r.task or "", 50)] for r in runs]
    print(plain_table(columns, rows))


def _answering_script(entry: Any) -> str | None:
    """The text of the script whose answer the run submitted (None if it submitted none)."""
    from rlmlang.runlog import read_events  # lazy: not loaded by `rlm --help`

    try:
        events = read_events(entry.path)
    except Exception:  # noqa: BLE001 - an unreadable log has no script to show
        return None
    sha = next((e["data"].get("script_sha256") for e in reversed(events)
                if e.get("kind") == "submit"), None)
    if sha is None:
        return None
    return next((e["data"].get("text") for e in events if e.get("kind") == "generation"
                 and e["data"].get("script_sha256") == sha), None)


def _details(entry: Any) -> str:
    seconds = f"{entry.seconds:.1f} s" if entry.seconds is not None else "-"
    lines = [f"run        {entry.id}",
             f"log        {entry.path}",
             f"ended      {_when(entry.ended)} ({seconds})",
             f"model      {entry.model or '-'}",
             f"task       {entry.task or '-'}",
             f"signature  {entry.signature or '-'}",
             f"status     {entry.status}" + (f": {entry.reason}" if entry.reason else ""),
             f"answer     {_short(entry.answer_value(), 200) if entry.answer else '-'}",
             f"iterations {entry.iterations if entry.iterations is not None else '-'}, "
             f"tokens {entry.tokens if entry.tokens is not None else '-'}"]
    script = _answering_script(entry)
    if script:
        lines += ["", "the script that gave the answer:"]
        lines += ["    " + line for line in script.rstrip("\n").splitlines()]
    lines += ["", f"everything it did: rlm audit {entry.path}   "
                  f"(report: rlm logs {entry.id} --html)"]
    return "\n".join(lines)


def _html(entry: Any, target: str) -> int:
    """Write (or reuse, when newer than the log) the run's audit report, and open it."""
    from pathlib import Path

    path = Path(target) if target else entry.path.with_name(entry.path.name + ".html")
    if not path.is_file() or path.stat().st_mtime_ns < entry.path.stat().st_mtime_ns:
        from rlmlang.audit.core import audit_log  # lazy: not loaded by `rlm --help`
        from rlmlang.audit.report_html import render_html  # lazy: not loaded by `rlm --help`

        report = audit_log(str(entry.path), None, None, "")
        try:
            path.write_text(render_html(report), encoding="utf-8")
        except OSError as e:
            print(f"rlm logs: cannot write {path}: {e.strerror or e}", file=sys.stderr)
            return 1
    print(f"report: {path}")
    if sys.stdout.isatty():  # a person at a terminal: show it (a pipe gets the path only)
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    return 0
