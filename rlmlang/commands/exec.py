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

from rlmlang.commands.common import add_policy_arguments, policy_from_args, print_load_problems
from rlmlang.diagnostics import Diagnostic


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
    p.add_argument("--budget", action="append", default=[], metavar="K=V",
                   help="override a budget: fuel, tool_calls, llm_calls, memory, output_chars")
    p.add_argument("--root", default=".", help="the directory file grants are relative to")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--dump", action="store_true", help="print the bytecode listing to stderr")


class _Usage(Exception):
    pass


def _parse_inputs(items: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    from rlmlang.task.signature import input_type
    from rlmlang.types import STR, ListT, TypeSyntaxError, conforms, format_type, parse_type

    values: dict[str, Any] = {}
    types: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise _Usage(f"--input {item!r}: expected NAME=VALUE or NAME=@FILE")
        name, raw = item.split("=", 1)
        t = STR
        if ":" in name:
            name, type_text = name.split(":", 1)
            try:
                t = parse_type(type_text)
            except TypeSyntaxError as e:
                raise _Usage(f"--input {name}: {e}") from None
        if not name.isidentifier():
            raise _Usage(f"--input {name!r}: the name must be an identifier")
        if raw == "@-":  # the text piped in
            from rlmlang.controller.inputs import read_stdin

            if sum(i.partition("=")[2] == "@-" for i in items) > 1:
                raise _Usage("only one --input can read stdin (@-)")
            raw = read_stdin(name)
        elif raw.startswith("@"):
            path = Path(raw[1:])
            try:
                raw = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise _Usage(f"--input {name}: cannot read {path}: {e}") from None
            if ":" not in item.split("=", 1)[0]:
                t = input_type(path)  # a JSON file is its value, as in rlm run
        value: Any = raw
        if t != STR:
            try:
                value = json.loads(raw) if not isinstance(t, ListT) else _json_or_lines(raw)
            except ValueError:
                raise _Usage(f"--input {name}: the value is not JSON for {format_type(t)}") from None
            if not conforms(value, t):
                raise _Usage(f"--input {name}: the value is not a {format_type(t)}")
        values[name] = value
        types[name] = t
    return values, types


def _json_or_lines(raw: str) -> Any:
    """A JSON value, or the values of JSON Lines (one per line); raises ValueError."""
    from rlmlang.task.signature import json_lines

    try:
        return json.loads(raw)
    except ValueError:
        return json_lines(raw)


def _parse_budgets(items: list[str]) -> dict[str, int]:
    from rlmlang.cost import DEFAULT_BUDGETS

    out: dict[str, int] = {}
    for item in items:
        key, _, val = item.partition("=")
        if key not in DEFAULT_BUDGETS:
            raise _Usage(f"--budget {item!r}: unknown budget (known: {', '.join(DEFAULT_BUDGETS)})")
        try:
            out[key] = int(val.replace("_", ""))
        except ValueError:
            raise _Usage(f"--budget {item!r}: the value must be a whole number") from None
        if out[key] < 0:
            raise _Usage(f"--budget {item!r}: the value must not be negative")
    return out


def _report(diags: list[Diagnostic], source: str | None) -> None:
    from rlmlang.tools.stdlib import attribute

    for d in attribute(diags, source):  # a stdlib def's lines: at the call that led there
        print(d.render(source), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rlmlang.diagnostics import DiagnosticError

    try:
        return _run(args)
    except _Usage as e:
        print(f"rlm exec: {e}", file=sys.stderr)
        return 2
    except DiagnosticError as e:  # a policy file or state store that cannot be used
        _report(e.diagnostics, None)
        return 2 if any(d.code == "E_USAGE" for d in e.diagnostics) else 1


def _run(args: argparse.Namespace) -> int:
    from rlmlang.check import Env, check
    from rlmlang.compiler import compile_program
    from rlmlang.policy import Policy
    from rlmlang.tools import default_registry
    from rlmlang.tools.context import ToolContext
    from rlmlang.tools.registry import size_of
    from rlmlang.types import TypeSyntaxError, parse_type
    from rlmlang.verify import verify
    from rlmlang.vm import run as vm_run

    inputs, input_types = _parse_inputs(args.input)
    budgets = _parse_budgets(args.budget)
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
    budgets = {**policy.budgets, **budgets}

    analysis = _parse_file(args.file)
    if analysis.script is None or analysis.diagnostics:
        _report(analysis.diagnostics, analysis.text)
        return 1
    source = analysis.text
    registry = _registry(default_registry)
    print_load_problems(registry)
    script = analysis.script
    try:  # stdlib functions are defs written in RLM script: bring in the ones used
        from rlmlang.tools.stdlib import expand
    except ImportError:
        pass
    else:
        script, registry = expand(script, registry)

    store = None
    if args.state:
        from rlmlang.store import StateStore

        store = StateStore(args.state, schema or None)
    try:
        state_types = dict(store.schema.exact) if store is not None else {}
        env = Env(inputs=input_types, state=state_types, output=output, registry=registry)
        checked = check(script, env, analysis.file)
        if checked.checked is None:
            _report(checked.diagnostics, source)
            return 1
        state_sizes = {}
        if store is not None:
            state_sizes = {k: size_of(v) for k, v in store.snapshot().items()}
        verified = verify(checked.checked, policy=policy, budgets=budgets,
                          input_sizes={k: size_of(v) for k, v in inputs.items()},
                          state_sizes=state_sizes, input_values=inputs, file=analysis.file)
        if verified.program is None:
            _report(verified.diagnostics, source)
            return 1
        for note in verified.notes:
            print(f"note: {note}", file=sys.stderr)
        program = verified.program
        code = compile_program(program, registry, analysis.file)
        if args.dump:
            print(code.disassemble(), file=sys.stderr)
        txn = store.begin({"script": analysis.file, "bytecode": code.hash}) \
            if store is not None else None
        ctx = ToolContext(policy=policy, root=policy.root, state=txn)
        result = vm_run(code, registry=registry, inputs=inputs, ctx=ctx, budgets=budgets,
                        fuel_bound=program.fuel_bound)
        version = None
        if txn is not None:
            if result.status in ("submitted", "finished"):
                version = txn.commit()
            else:
                txn.rollback()
    finally:
        if store is not None:
            store.close()

    if args.json:
        out = result.to_json()
        out.update({"bytecode": code.hash, "fuel_bound": program.fuel_bound,
                    "state_version": version})
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        sys.stdout.write(result.output)
        if result.output_truncated:
            print(f"[output truncated: {result.output_dropped} more characters]",
                  file=sys.stderr)
        if result.status == "submitted":
            print(_show(result.value))
        elif result.status == "failed":
            print(f"script failed: {_show(result.value)}", file=sys.stderr)
        elif result.status == "finished":
            print("note: the script ended without submit", file=sys.stderr)
        _report(result.diagnostics, source)
    return 0 if result.status in ("submitted", "finished") else 1


def _parse_file(path: str) -> Any:
    """Read and parse only: exec checks against its own flags, not `rlm check`'s defaults."""
    from rlmlang.pipeline import Analysis
    from rlmlang.syntax.parser import check_input, parse

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return Analysis(path, None, None, [Diagnostic(
            "E_INPUT", f"cannot read the file: {e.strerror or e}", None, path)])
    text, _ = check_input(data, path)
    result = parse(data, path)
    return Analysis(path, text, result.script, list(result.diagnostics))


def _registry(default_registry: Any) -> Any:
    """Every tool there is; parts not installed yet (plugins, stdlib) are left out."""
    for opts in ({}, {"include_plugins": False},
                 {"include_plugins": False, "include_stdlib": False}):
        try:
            return default_registry(**opts)
        except ImportError:
            continue
    return default_registry(include_plugins=False, include_stdlib=False, include_host=False)


def _show(value: Any) -> str:
    from rlmlang.tools.values import display

    return display(value)
