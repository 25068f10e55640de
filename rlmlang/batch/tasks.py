"""The task file: one JSON object a line, each a task for the controller.

    {"id": "inv-7", "question": "What is the total of invoice 7?",
     "inputs": {"context": "@data/invoices.csv"}, "budgets": {"iterations": 4}}

Fields: `question` (required); `inputs` (name → a value; a string starting
with `@` names a file, relative to the task file's folder, `@@` escapes a
literal `@`); `id`; `signature`; `model`; `profile` (`tiny` | `coder`);
`backend` (an OpenAI-compatible server URL); `allow` and `deny` (permission
rules, as `--allow`/`--deny`); `budgets` (name → whole number); `seed`.
Blank lines and lines starting with `#` are skipped. The batch's own flags
give the defaults; a task's fields override them (`allow` and `deny` add to
them).

A task without an `id` is named by the digest of its line, so reordering or
inserting lines never renames a task (and its finished result still counts);
an identical line repeated gets `-2`, `-3`. Every problem is an `E_USAGE`
naming the line, found before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import check_budget_table
from rlmlang.task import signature as sigmod
from rlmlang.task.inputs import read_raw
from rlmlang.task.signature import parse_signature

FIELDS = ("id", "question", "inputs", "signature", "model", "profile", "backend", "allow",
          "deny", "budgets", "seed")
PROFILES = ("tiny", "coder")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z")


@dataclass
class Defaults:
    """What the batch's flags say for every task (a task's own fields win)."""

    signature: str | None = None
    model: str | None = None
    profile: str | None = None
    backend: str | None = None
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    budgets: dict[str, int] = field(default_factory=dict)
    seed: int = 0


@dataclass
class Task:
    """One task, resolved: plain data, so it pickles to a worker process or a Ray actor."""

    id: str
    line: int
    question: str
    # name -> {"value": v} or {"file": absolute path}
    inputs: dict[str, dict[str, Any]]
    signature: str | None
    model: str | None
    profile: str | None
    backend: str | None
    allow: list[str]
    deny: list[str]
    budgets: dict[str, int]
    seed: int
    root: str  # the task file's folder: relative grants and paths resolve under it
    digest: str  # SHA-256 of the line's JSON in canonical form

    def model_key(self) -> tuple[str | None, str | None, str | None]:
        """Tasks with equal keys share one loaded model in a worker."""
        return (self.backend, self.model, self.profile)


def _usage(path: Path, line: int, message: str, fix: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic("E_USAGE", f"{path}:{line}: {message}", fix=fix)])


def _strings(path: Path, line: int, name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _usage(path, line, f"'{name}' must be a list of rules",
                     fix=f'write "{name}": ["fs.read:data/**"]')
    return list(value)


def _inputs(path: Path, line: int, raw: Any) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _usage(path, line, "'inputs' must be an object of name -> value",
                     fix='write "inputs": {"context": "@file.txt"}')
    out: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if not name.isidentifier():
            raise _usage(path, line, f"input name {name!r} is not a name",
                         fix="use letters, digits and _, not starting with a digit")
        if isinstance(value, str) and value.startswith("@@"):
            out[name] = {"value": value[1:]}
        elif isinstance(value, str) and value.startswith("@"):
            file = (path.parent / value[1:]).resolve()
            if not file.is_file():
                raise _usage(path, line, f"input {name}: no such file {value[1:]} "
                             f"(relative to {path.parent})", fix="check the path after @")
            out[name] = {"file": str(file)}
        else:
            out[name] = {"value": value}
    return out


def _budgets(path: Path, line: int, raw: Any) -> dict[str, int]:
    if raw is None:
        return {}
    try:
        return check_budget_table(raw, "'budgets'", fix='write "budgets": {"iterations": 3}')
    except DiagnosticError as e:
        d = e.diagnostics[0]
        raise _usage(path, line, d.message, d.fix) from None


def _optional_str(path: Path, line: int, obj: dict[str, Any], name: str) -> str | None:
    v = obj.get(name)
    if v is not None and (not isinstance(v, str) or not v.strip()):
        raise _usage(path, line, f"'{name}' must be a non-empty string")
    return v


def parse_task(path: Path, line: int, text: str, defaults: Defaults) -> Task:
    """One line of the task file, checked and merged with the batch's defaults."""
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise _usage(path, line, f"not JSON ({e.msg} at column {e.colno})",
                     fix="each line is one JSON object") from None
    if not isinstance(obj, dict):
        raise _usage(path, line, f"a task is a JSON object, not {type(obj).__name__}")
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise _usage(path, line, f"unknown field(s): {', '.join(unknown)}",
                     fix="the fields are " + ", ".join(FIELDS))
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _usage(path, line, "a task needs a 'question' (a non-empty string)")
    tid = obj.get("id")
    if tid is not None and (not isinstance(tid, str) or not _ID.match(tid)):
        raise _usage(path, line, f"id {tid!r} cannot name a log file",
                     fix="use up to 80 letters, digits, '.', '_' or '-'")
    profile = _optional_str(path, line, obj, "profile")
    if profile is not None and profile not in PROFILES:
        raise _usage(path, line, f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    seed = obj.get("seed", defaults.seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _usage(path, line, f"seed must be a whole number, not {seed!r}")
    signature = _optional_str(path, line, obj, "signature") or defaults.signature
    if signature is not None:
        try:
            parse_signature(signature)
        except DiagnosticError as e:
            raise _usage(path, line, f"signature: {e.diagnostics[0].message}") from None
    inputs = _inputs(path, line, obj.get("inputs"))
    if signature is None:  # the inputs will imply it: their values must say their types
        for name, spec in inputs.items():
            if "value" in spec:
                try:
                    _type_of(name, spec["value"])
                except DiagnosticError as e:
                    d = e.diagnostics[0]
                    raise _usage(path, line, d.message, d.fix) from None
    canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Task(
        id=tid or "", line=line, question=question, inputs=inputs,
        signature=signature, model=_optional_str(path, line, obj, "model") or defaults.model,
        profile=profile or defaults.profile,
        backend=_optional_str(path, line, obj, "backend") or defaults.backend,
        allow=[*defaults.allow, *_strings(path, line, "allow", obj.get("allow", []))],
        deny=[*defaults.deny, *_strings(path, line, "deny", obj.get("deny", []))],
        budgets={**defaults.budgets, **_budgets(path, line, obj.get("budgets"))}, seed=seed,
        root=str(path.parent.resolve()),
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def load_tasks(path: str | Path, defaults: Defaults | None = None) -> list[Task]:
    """Every task of the file, in order, each with a unique id."""
    path = Path(path)
    defaults = defaults or Defaults()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DiagnosticError([Diagnostic("E_USAGE", f"no task file {path}")]) from None
    except UnicodeDecodeError as e:
        raise DiagnosticError([Diagnostic("E_USAGE", f"{path} is not UTF-8 (byte {e.start})")
                               ]) from None
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        task = parse_task(path, n, raw, defaults)
        if task.id:
            if task.id in seen:
                raise _usage(path, n, f"id {task.id!r} is used again (first on line "
                             f"{seen[task.id]})", fix="give every task its own id")
        else:
            base = "t" + task.digest[:12]
            task.id, k = base, 2
            while task.id in seen:
                task.id, k = f"{base}-{k}", k + 1
        seen[task.id] = n
        tasks.append(task)
    if not tasks:
        raise DiagnosticError([Diagnostic("E_USAGE", f"{path} holds no task",
                                          fix='write one JSON object a line: {"question": ...}')])
    return tasks


def read_inputs(task: Task) -> dict[str, Any]:
    """The task's input values, files read (as `rlm run --input name=@file` reads them)."""
    return {name: read_raw(Path(spec["file"])) if "file" in spec else spec["value"]
            for name, spec in task.inputs.items()}


def task_signature(task: Task, values: dict[str, Any]) -> str:
    """The task's signature: its own, else one its inputs imply.

    `rlmlang.task.signature.signature_for(question, inputs)` decides
    where the controller has it; otherwise each input becomes a parameter of
    its value's type (text: str), then `question: str -> answer: str`.
    """
    if task.signature:
        return task.signature
    implied = getattr(sigmod, "signature_for", None)
    if callable(implied):
        return str(implied(task.question, values))
    params = [f"{name}: {_type_of(name, v)}" for name, v in values.items() if name != "question"]
    return ", ".join([*params, "question: str"]) + " -> answer: str"


def _type_of(name: str, value: Any) -> str:
    scalar = {bool: "bool", int: "int", float: "float", str: "str"}
    if type(value) in scalar:
        return scalar[type(value)]
    if isinstance(value, list) and value and len({type(v) for v in value}) == 1 \
            and type(value[0]) in scalar:
        return f"list[{scalar[type(value[0])]}]"
    if isinstance(value, dict) and value and len({type(v) for v in value.values()}) == 1 \
            and type(next(iter(value.values()))) in scalar:
        return f"dict[str, {scalar[type(next(iter(value.values())))]}]"
    raise DiagnosticError([Diagnostic(
        "E_USAGE", f"input {name}: cannot tell its type from the value",
        fix="give the task a 'signature', e.g. \"rows: list[list[str]], question: str -> "
            "answer: str\"")])
