"""`rlm exec FILE.rlm`: run a hand-written script through the whole pipeline, no model.

parse → check → verify → compile → validate → run, against an optional
state store; the script's state writes commit only when it ends well
(submitted, or finished without submitting) and roll back when it fails or
errs. Prints what the script printed (stdout), then its submitted value;
diagnostics go to stderr. Exit code 0 when the script submits (or ends
without submitting), 1 when it is rejected, fails or errs, 2 for misuse.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rlmlang.commands.common import (
    add_budget_argument,
    add_policy_arguments,
    policy_from_args,
    print_load_problems,
)
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import Limits, parse_budget_flags


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.rlm", help="the script to run")
    p.add_argument("--input", action="append", default=[], metavar="NAME[:TYPE]=VALUE|@FILE",
                   help="an input: text, @path for a file's text, @- for stdin; with :TYPE (int, "
                        "list[str], ...) the value is read as JSON; a .json or .jsonl file "
                        "without :TYPE is its value, typed as rlm run types it")
    p.add_argument("--state", metavar="PATH", help="the state store (SQLite file) to run against")
    p.add_argument("--schema", action="append", default=[], metavar="KEY=TYPE",
                   help="declare a state key (added to the store's schema)")
    p.add_argument("--output", metavar="TYPE", help="the type submit must produce")
    add_policy_arguments(p)
    add_budget_argument(p)
    p.add_argument("--root", default=".", help="the directory file grants are relative to")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--dump", action="store_true", help="print the bytecode listing to stderr")


class _Usage(Exception):
    pass


def _report(diags: list[Diagnostic], source: str | None) -> None:
    for d in diags:
        print(d.render(source), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _Usage as e:
        print(f"rlm exec: {e}", file=sys.stderr)
        return 2
    except DiagnosticError as e:  # flags, a policy file or a state store that cannot be used
        for d in e.diagnostics:
            if d.code == "E_USAGE" and d.file is None:  # a flag: said as rlm run says it
                print(f"rlm exec: {d.message}" + (f"\n  fix: {d.fix}" if d.fix else ""),
                      file=sys.stderr)
            else:
                print(d.render(None), file=sys.stderr)
        return 2 if any(d.code == "E_USAGE" for d in e.diagnostics) else 1


def _run(args: argparse.Namespace) -> int:
    from rlmlang.pipeline import ScriptSetup, execute_script  # lazy: not loaded by `rlm --help`
    from rlmlang.policy import Policy  # lazy: not loaded by `rlm --help`
    from rlmlang.syntax.parser import check_input  # lazy: not loaded by `rlm --help`
    from rlmlang.task.inputs import parse_input_flags  # lazy: not loaded by `rlm --help`
    from rlmlang.tools import default_registry  # lazy: not loaded by `rlm --help`
    from rlmlang.types import TypeSyntaxError, parse_type  # lazy: not loaded by `rlm --help`

    inputs: dict[str, Any] = {}
    input_types: dict[str, Any] = {}
    for name, flag in parse_input_flags(args.input).items():
        inputs[name], input_types[name] = flag.bind()
    flags = parse_budget_flags(args.budget)
    output = None
    if args.output:
        try:
            output = parse_type(args.output)
        except TypeSyntaxError as e:
            raise _Usage(f"--output: {e}") from None
    schema: dict[str, str] = {}
    for item in args.schema:
        key, sep, t = item.partition("=")
        if not sep:
            raise _Usage(f"--schema {item!r}: expected KEY=TYPE")
        schema[key] = t
    if schema and not args.state:
        raise _Usage("--schema needs --state PATH")

    policy = policy_from_args(args, root=args.root)
    if args.state:  # the user's own store: its keys are theirs to read and write
        policy = policy.merged(Policy.from_rules(["state.read:**", "state.write:**"], [],
                                                 policy.root))
    limits = Limits.resolve(policy.budgets, flags)  # a script's own: the per-script ones apply

    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        _report([Diagnostic("E_INPUT", f"cannot read the file: {e.strerror or e}", None,
                            args.file)], None)
        return 1
    source, _ = check_input(data, args.file)
    registry = default_registry()
    print_load_problems(registry)

    store = None
    if args.state:
        from rlmlang.store import StateStore  # lazy: not loaded by `rlm --help`

        store = StateStore(args.state, schema or None)
    try:
        setup = ScriptSetup(registry=registry, inputs=inputs, input_types=input_types,
                            output=output, state=store, policy=policy, budgets=limits,
                            root=policy.root, file=args.file)
        base = store.version if store is not None else 0
        outcome = execute_script(data, setup)
        if outcome.vm is None:  # stopped before it ran: rejected
            _report(outcome.diagnostics, source)
            return 1
        for note in outcome.notes:
            print(f"note: {note}", file=sys.stderr)
        assert outcome.code is not None
        if args.dump:
            print(outcome.code.disassemble(), file=sys.stderr)
        result = outcome.vm
        refused = outcome.answer_error  # submitted, but not a value of --output's type
        version = None
        if store is not None and result.status in ("submitted", "finished") and not refused:
            txn = store.begin({"script": args.file, "bytecode": outcome.bytecode_hash})
            txn.base = base  # the version the script read: another writer since is a conflict
            for key, value in outcome.writes.items():
                txn.set(key, value)
            version = txn.commit()
    finally:
        if store is not None:
            store.close()

    if args.json:
        out = result.to_json()
        out.update({"bytecode": outcome.bytecode_hash, "fuel_bound": outcome.fuel_bound,
                    "state_version": version})
        if result.status == "submitted":
            out["value"] = outcome.answer  # as --output's type (None where refused)
        if refused is not None:
            out["diagnostics"] = [*out.get("diagnostics", []), refused.to_json()]
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        sys.stdout.write(result.output)
        if result.output_truncated:
            print(f"[output truncated: {result.output_dropped} more characters]",
                  file=sys.stderr)
        if result.status == "submitted" and refused is None:
            print(_show(outcome.answer))
        elif result.status == "failed":
            print(f"script failed: {_show(result.value)}", file=sys.stderr)
        elif result.status == "finished":
            print("note: the script ended without submit", file=sys.stderr)
        _report(outcome.diagnostics + ([refused] if refused is not None else []), source)
    return 0 if result.status in ("submitted", "finished") and refused is None else 1


def _show(value: Any) -> str:
    from rlmlang.tools.values import display  # lazy: not loaded by `rlm --help`

    return display(value)
