"""How much of a coder model's free Python the language accepts.

    python -m bench.python_share DIR [--verify] [--show N] [--json]

Each `*.py` file in DIR is one script a model wrote without a grammar. A
script is judged in stages — parse, type-check (after the stdlib is brought
in, as the pipeline does), and with `--verify` the verifier too, against the
real sizes of the task's inputs — and the report gives the share that gets
through each stage and a histogram of what stopped the rest: the first
error's code and its message with the script's own words (names, numbers,
quoted text) blanked, so that one construct counts once however it is
spelled.

A file named after a bench task (`<model>-<group>-NN-<k>.py`, as
`python -m bench.free_corpus` writes them) is checked against that task's
signature (its input names and answer type); any other file against
`--signature`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic

DEFAULT_SIGNATURE = "context: str, question: str -> answer: str"
_TASK_ID = re.compile(r"([a-z]+-\d\d)-\d+\.py$")


@dataclass
class Verdict:
    file: str
    stage: str  # the stage that stopped it: parse | check | verify; "ok" when none did
    first: Diagnostic | None = None
    all_codes: list[str] = field(default_factory=list)
    fixed: bool = False  # refused by the checker, but its fix-its make it check (a run's
    # controller runs that fixed script as one more candidate: controller/fixits.py)


def _tasks(data: Path | None = None) -> dict[str, dict[str, Any]]:
    """The bench's tasks by id, from `data` (default: the bench's own task folder)."""
    try:
        from bench.tasks.manifest import DEFAULT_OUT, MANIFEST, load_tasks
    except ImportError:  # pragma: no cover - bench without its task generator
        return {}
    folder = Path(data or DEFAULT_OUT)
    if not (folder / MANIFEST).exists():
        return {}
    return {t["id"]: t for t in load_tasks(folder)}


def _shape(message: str) -> str:
    """The message with the script's own words blanked: quoted text, numbers, names."""
    m = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    m = re.sub(r"\b\d[\d,.]*\b", "N", m)
    m = re.sub(r": [A-Za-z_][\w.]*(\(\.\.\.\))?$", ": …", m)
    m = re.sub(r"\(did you mean [^)]*\)", "", m)
    m = re.sub(r"(undefined(?: function)?): [\w.]+", r"\1: …", m)
    return m.strip()


def task_of(file_name: str, tasks: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The task a `<model>-<task id>-<k>.py` file was written for (ids may hold dashes:
    `date-range-04`), or None."""
    m = _TASK_ID.search(file_name)
    if m is None:
        return None
    parts = file_name[: m.end(1)].split("-")
    for i in range(len(parts) - 1):
        task = tasks.get("-".join(parts[i:]))
        if task is not None:
            return task
    return None


def _values(task: dict[str, Any] | None) -> dict[str, Any]:
    """The task's input values (a run checks and verifies against them); {} if unknown."""
    if task is None or "dir" not in task:
        return {}
    from bench.tasks.manifest import read_inputs

    return read_inputs(task)


def _decoded(task: dict[str, Any] | None) -> Any:
    """What json_decode gives for the task's JSON inputs, as a run would check it."""
    from rlmlang.check.decoded import decoded_types

    return decoded_types(_values(task))


def _fixes(path: Path, diagnostics: list[Diagnostic], env: Any) -> bool:
    """Whether the checker's fix-its make the script check (as a run would try it)."""
    from rlmlang.check import check
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.syntax.parser import parse
    from rlmlang.tools.stdlib import expand

    fixed = apply_fixits(path.read_text(encoding="utf-8", errors="replace"), diagnostics)
    parsed = parse(fixed) if fixed is not None else None
    if parsed is None or parsed.script is None:
        return False
    script, _ = expand(parsed.script, env.registry)
    return check(script, env, path.name).checked is not None


def judge(path: Path, signature: str, tasks: dict[str, dict[str, Any]],
          verify: bool) -> Verdict:
    from rlmlang.check import Env, check
    from rlmlang.syntax.parser import parse
    from rlmlang.task.answers import check_type_for
    from rlmlang.task.signature import parse_signature
    from rlmlang.tools import default_registry
    from rlmlang.tools.registry import Size
    from rlmlang.tools.stdlib import expand

    task = task_of(path.name, tasks)
    sig = parse_signature(task["signature"] if task else signature)
    parsed = parse(path.read_bytes(), path.name)
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if parsed.script is None or errors:
        return Verdict(path.name, "parse", errors[0] if errors else None,
                       [d.code for d in errors])
    script, registry = expand(parsed.script, _registry(default_registry))
    from rlmlang.check.columns import tables

    env = Env(inputs=sig.input_types(), state={}, output=check_type_for(sig.output.type),
              registry=registry, decoded=_decoded(task), tables=tables(_values(task)))
    checked = check(script, env, path.name)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if checked.checked is None:
        return Verdict(path.name, "check", errors[0] if errors else None,
                       [d.code for d in errors], _fixes(path, checked.diagnostics, env))
    if verify:
        from rlmlang.tools.registry import size_of
        from rlmlang.verify import verify as run_verify

        values = _values(task)
        sizes = {}
        for f in sig.inputs:
            spec = (task or {}).get("inputs", {}).get(f.name, {})
            n = spec.get("bytes") or len(spec.get("value", "")) or 1_000_000
            sizes[f.name] = size_of(values[f.name]) if f.name in values else Size(n, n)
        res = run_verify(checked.checked, policy=None, budgets={}, input_sizes=sizes,
                         input_values=values or None, file=path.name)
        errors = [d for d in res.diagnostics if d.severity == "error"]
        if res.program is None:
            return Verdict(path.name, "verify", errors[0] if errors else None,
                           [d.code for d in errors])
    return Verdict(path.name, "ok")


_REGISTRY: list[Any] = []


def _registry(make: Any) -> Any:
    if not _REGISTRY:
        _REGISTRY.append(make())
    return _REGISTRY[0]


def report(verdicts: list[Verdict], verify: bool, show: int) -> str:
    n = len(verdicts)
    if n == 0:
        return "no scripts"
    stages = ["parse", "check"] + (["verify"] if verify else [])
    out: list[str] = []
    passed = n
    for st in stages:
        stopped = sum(1 for v in verdicts if v.stage == st)
        passed -= stopped
        label = {"parse": "parse", "check": "parse + type-check",
                 "verify": "parse + type-check + verify"}[st]
        out.append(f"{label:<28} {passed:4d} / {n}  ({100 * passed / n:5.1f}%)")
        if st == "check":
            fixed = passed + sum(1 for v in verdicts if v.fixed)
            out.append(f"{'  with the checker fix-its':<28} {fixed:4d} / {n}  "
                       f"({100 * fixed / n:5.1f}%)")
    hist: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for v in verdicts:
        if v.stage == "ok":
            continue
        d = v.first
        key = f"{v.stage:6s} {d.code:10s} {_shape(d.message)}" if d else f"{v.stage} (none)"
        hist[key] += 1
        examples.setdefault(key, []).append(
            f"{v.file}:{d.span.line if d and d.span else 0}")
    if hist:
        out.append("")
        out.append("what stopped the rest (first error of each script):")
        for key, count in hist.most_common():
            ex = ", ".join(examples[key][:show])
            out.append(f"{count:4d}  {key}" + (f"   e.g. {ex}" if show else ""))
    return "\n".join(out)


def census(paths: list[Path]) -> Counter[str]:
    """How many scripts use each Python construct (by Python's own parser)."""
    import ast as pyast

    counts: Counter[str] = Counter()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = pyast.parse(text)
        except SyntaxError:
            counts["(not Python)"] += 1
            continue
        counts.update(_constructs(tree, text))
    return counts


def _constructs(tree: Any, text: str) -> set[str]:
    import ast as pyast

    found: set[str] = set()
    if '"""' in text or "'''" in text:
        found.add("triple-quoted string")
    names = {
        pyast.ListComp: "list comprehension", pyast.DictComp: "dict comprehension",
        pyast.SetComp: "set comprehension", pyast.GeneratorExp: "generator expression",
        pyast.IfExp: "conditional expression", pyast.JoinedStr: "f-string",
        pyast.Lambda: "lambda", pyast.Try: "try/except", pyast.ClassDef: "class",
        pyast.With: "with", pyast.While: "while", pyast.Set: "set literal",
        pyast.Tuple: "tuple", pyast.Global: "global", pyast.Delete: "del",
        pyast.Assert: "assert", pyast.Raise: "raise", pyast.Starred: "star-args",
    }
    for node in pyast.walk(tree):
        kind = names.get(type(node))
        if kind:
            found.add(kind)
        if isinstance(node, (pyast.Import, pyast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, pyast.Import) else \
                [f"{node.module}.{a.name}" for a in node.names]
            found.update(f"import {m}" for m in mods)
        elif isinstance(node, pyast.Call) and isinstance(node.func, pyast.Attribute):
            base = node.func.value
            owner = base.id if isinstance(base, pyast.Name) and base.id in (
                "re", "json", "csv", "math", "collections", "datetime", "statistics",
                "os", "sys", "io", "itertools", "string") else ""
            found.add(f"call {owner}.{node.func.attr}(...)" if owner else
                      f"method .{node.func.attr}(...)")
        elif isinstance(node, pyast.Attribute) and not isinstance(
                getattr(node, "ctx", None), pyast.Store):
            pass
        elif isinstance(node, pyast.Compare) and any(
                isinstance(o, (pyast.Is, pyast.IsNot)) for o in node.ops):
            found.add("is / is not")
        elif isinstance(node, pyast.Compare) and len(node.ops) > 1:
            found.add("chained comparison")
        elif isinstance(node, (pyast.Assign, pyast.For, pyast.comprehension)):
            tgt = node.targets[0] if isinstance(node, pyast.Assign) else node.target
            if isinstance(tgt, pyast.Tuple):
                found.add("tuple unpacking")
        elif isinstance(node, pyast.Call) and isinstance(node.func, pyast.Name):
            if node.keywords:
                found.update(f"{node.func.id}(..., {k.arg}=)" for k in node.keywords)
            if node.func.id in ("open", "eval", "exec", "getattr", "isinstance", "type",
                                "enumerate", "zip", "sorted", "max", "min", "sum", "any",
                                "all", "map", "filter", "set", "tuple", "dict", "list",
                                "round", "abs", "float", "int", "str", "len", "print",
                                "input", "next", "iter", "reversed", "range", "divmod",
                                "Counter", "defaultdict"):
                found.add(f"{node.func.id}()")
        elif isinstance(node, pyast.Subscript) and isinstance(node.slice, pyast.Slice) \
                and node.slice.step is not None:
            found.add("slice with step")
        elif isinstance(node, pyast.FunctionDef):
            found.add("def")
            if node.args.defaults:
                found.add("default parameter")
            if any(a.annotation is None for a in node.args.args):
                found.add("untyped parameter")
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.python_share", description=__doc__.split(
        "\n\n")[0])
    p.add_argument("dir", type=Path, help="a folder of *.py scripts")
    p.add_argument("--signature", default=DEFAULT_SIGNATURE,
                   help="for files not named after a bench task")
    p.add_argument("--verify", action="store_true", help="also run the verifier")
    p.add_argument("--show", type=int, default=2, help="example files per row (0: none)")
    p.add_argument("--json", action="store_true", help="one JSON object per script")
    p.add_argument("--census", action="store_true",
                   help="also count the Python constructs each script uses")
    p.add_argument("--match", default="", help="only files whose name contains this")
    p.add_argument("--data", type=Path, default=None,
                   help="the task folder (as `python -m bench tasks --data` takes it)")
    args = p.parse_args(argv)
    files = sorted(f for f in args.dir.glob("*.py") if args.match in f.name)
    if not files:
        print(f"no *.py files in {args.dir}", file=sys.stderr)
        return 2
    tasks = _tasks(args.data)
    if not tasks and any(_TASK_ID.search(f.name) for f in files):  # each would be checked against the wrong inputs, silently
        print("no bench task manifest found (`python -m bench tasks` writes one; or give "
              "--data DIR): scripts named after bench tasks are checked with --signature "
              f"({args.signature})", file=sys.stderr)
    verdicts = [judge(f, args.signature, tasks, args.verify) for f in files]
    if args.json:
        for v in verdicts:
            print(json.dumps({"file": v.file, "stage": v.stage, "codes": v.all_codes,
                              "first": v.first.to_json() if v.first else None}))
        return 0
    print(report(verdicts, args.verify, args.show))
    if args.census:
        print("\nPython constructs (scripts using each):")
        for key, count in census(files).most_common():
            print(f"{count:4d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
