"""`rlm run TASK --input name=value|@file ...`: let the model answer by writing scripts.

Prints the answer on stdout (exit 0), or why there is none on stderr (exit 1).
Progress goes to stderr while it works, and only when stderr is a terminal
(commands/progress.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rlmlang.commands.common import (
    add_budget_argument,
    add_policy_arguments,
    policy_from_args,
    print_load_problems,
)
from rlmlang.commands.progress import Progress
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import parse_budget_flags


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", nargs="?", default=None, help="the question or task, in words")
    p.add_argument("--resume", default=None, metavar="LOG",
                   help="continue a run that was killed, from its last completed round")
    p.add_argument("--allow-model-change", action="store_true",
                   help="with --resume: continue with another model than the run started with")
    p.add_argument("--input", "-i", action="append", default=[],
                   metavar="NAME[:TYPE]=VALUE|@FILE",
                   help="an input bound as a variable (repeatable); @- reads stdin; :TYPE "
                        "declares its type (the value then is JSON), else the signature's")
    p.add_argument("--signature", "-s", default=None,
                   help='task signature, e.g. "context: str, question: str -> answer: int"; '
                        "default: the inputs given (text is str, a .json/.jsonl file its "
                        "value's type), then question: str, -> answer: str (int for \"How many ...\")")
    p.add_argument("--output", "-o", default=None, metavar="TYPE",
                   help="the answer's type when no --signature is given (default str; int "
                        "for a question asking \"How many ...\" of whole things)")
    p.add_argument("--model", "-m", default=None, help="model name (see rlm models) or a GGUF path")
    p.add_argument("--profile", default=None, choices=("tiny", "coder"),
                   help="the coaching the model gets (default: its registry entry's)")
    p.add_argument("--backend", default=None, metavar="URL",
                   help="an OpenAI-compatible server (llama-server, vLLM) instead of the "
                        "in-process model")
    add_policy_arguments(p)
    add_budget_argument(p, "iterations=5")
    p.add_argument("--log", default=None, metavar="PATH",
                   help="write the hash-chained run log here (a new file; default "
                        "runs/<time>-<random>.log)")
    p.add_argument("--no-log", action="store_true", help="write no log")
    p.add_argument("--state", default=None, metavar="PATH", help="the state store (SQLite)")
    p.add_argument("--hmac-key-file", default=None, metavar="FILE",
                   help="sign each log line with the key in FILE")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--free", action="store_true",
                   help="generate without the grammar, then parse (for comparison)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def run(args: argparse.Namespace) -> int:
    from rlmlang.audit.core import read_key_file  # lazy: not loaded by `rlm --help`
    from rlmlang.runlog import new_log_path  # lazy: not loaded by `rlm --help`
    from rlmlang.task.inputs import parse_input_flags  # lazy: not loaded by `rlm --help`
    from rlmlang.task.signature import signature_for  # lazy: not loaded by `rlm --help`

    progress = Progress(enabled=sys.stderr.isatty() and not args.quiet and not args.json)
    try:
        flags = parse_input_flags(args.input)
        inputs: dict[str, Any] = {n: f.raw if f.type is None else f.bind()[0]
                                  for n, f in flags.items()}
        declared = {n: f.type for n, f in flags.items() if f.type is not None}
        budgets = parse_budget_flags(args.budget)
        policy = None if args.resume and not (args.allow or args.deny or args.policy) \
            else _policy(args)
        key = read_key_file(args.hmac_key_file) if args.hmac_key_file else None
        log_path = None if args.no_log else (args.log or new_log_path())
        from rlmlang.controller.loop import Runtime  # lazy: not loaded by `rlm --help`

        backend = None
        if args.backend:
            from rlmlang.backend.server import backend_from_url  # lazy: not loaded by `rlm --help`

            backend = backend_from_url(args.backend, args.model)
        runtime = Runtime(backend, model=None if args.backend else args.model, policy=policy, budgets=budgets,
                          log_path=log_path, state_path=args.state, hmac_key=key,
                          grammar=not args.free, seed=args.seed, on_event=progress,
                          profile=args.profile)
        print_load_problems(runtime.registry)
        progress.describe(getattr(runtime.backend, "name", ""), runtime.profile.name)
        if args.resume:
            outcome = runtime.resume(args.resume, allow_model_change=args.allow_model_change)
        elif not args.task:
            print("rlm run: give the TASK, or --resume LOG", file=sys.stderr)
            return 2
        else:
            if args.signature and args.output is not None:
                print("rlm run: --output is for a task without --signature; give the type "
                      "in the signature (-> answer: TYPE)", file=sys.stderr)
                return 2
            signature = args.signature or signature_for(args.task, inputs, args.output,
                                                        declared)
            _agree(signature, declared)
            outcome = runtime.run(signature, args.task, **inputs)
    except DiagnosticError as e:
        progress.stop()
        for d in e.diagnostics:
            fix = d.fix
            if "missing_input" in d.data:  # the Runtime words it for Python; here, flags
                name = d.data["missing_input"]
                fix = f"pass --input {name}=VALUE or --input {name}=@FILE"
            print(f"rlm run: {d.code}: {d.message}" + (f"\n  fix: {fix}" if fix else ""),
                  file=sys.stderr)
        return 2 if all(d.code == "E_USAGE" for d in e.diagnostics) else 1
    progress.stop()
    if args.json:
        print(json.dumps({"status": outcome.status, "answer": outcome.answer,
                          "uncertain": outcome.uncertain, "vote": outcome.vote,
                          "reason": outcome.reason, "iterations": outcome.iterations,
                          "log": outcome.log_path, "used": outcome.used,
                          "stats": outcome.stats}, ensure_ascii=False, indent=2))
    elif outcome.ok:
        answer = outcome.answer
        print(answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False))
    if outcome.uncertain and not args.json:
        print("rlm run: uncertain: the scripts disagree and no answer has the support of "
              "most of them; nothing was committed", file=sys.stderr)
        for v in outcome.vote:
            n, distinct = v["draws"], v["scripts"]
            print(f"  {v['value']!r}: {n} script{'s' if n != 1 else ''} drawn"
                  + (f" ({distinct} distinct)" if distinct != n else ""), file=sys.stderr)
    elif not outcome.ok and not args.json:
        print(f"rlm run: no answer: {outcome.reason}", file=sys.stderr)
        if outcome.answer not in (None, ""):
            print(f"  best answer seen: {outcome.answer!r}", file=sys.stderr)
    if outcome.log_path and not args.json:
        print(f"log: {outcome.log_path}", file=sys.stderr)
    return 0 if outcome.ok else 1


def _policy(args: argparse.Namespace) -> Any:
    # Asking the model itself about a snippet is always granted (and budgeted by llm_calls);
    # `--deny llm` takes it away.
    return policy_from_args(args, always=("llm",))


def _agree(signature: Any, declared: dict[str, Any]) -> None:
    """An input declared `NAME:TYPE` has that type in the signature too."""
    from rlmlang.task.signature import parse_signature  # lazy: not loaded by `rlm --help`
    from rlmlang.types import format_type  # lazy: not loaded by `rlm --help`

    sig = parse_signature(signature) if isinstance(signature, str) else signature
    types = sig.input_types()
    for name, t in declared.items():
        if name in types and types[name] != t:
            raise DiagnosticError([Diagnostic(
                "E_USAGE", f"--input {name}:{format_type(t)} disagrees with the signature's "
                f"{name}: {format_type(types[name])}",
                fix="declare the type in one place: the signature or the input")])
