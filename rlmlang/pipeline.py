"""The static pipeline as one call: text → parse → check → verify.

`rlm check`, `rlm exec`, the controller and the audit all go through here,
so a script is judged the same way wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import check_input, parse

DEFAULT_INPUT_SIZE = 1_000_000  # what `rlm check` assumes of a str input it has not seen


@dataclass
class CheckOptions:
    """What a script is judged against when there is no run: `rlm check`'s flags."""

    signature: str = "context: str, question: str -> answer: str"
    input_sizes: dict[str, int] = field(default_factory=dict)
    policy: Any = None  # None: permissions are not checked (and a note says so)
    budgets: dict[str, int] = field(default_factory=dict)
    state_schema: dict[str, Any] = field(default_factory=dict)
    registry: Any = None


@dataclass
class Analysis:
    file: str
    text: str | None
    script: ast.Script | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    proof: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.script is not None and not any(
            d.severity == "error" for d in self.diagnostics)


def analyze_source(data: bytes | str, file: str = "<script>",
                   options: CheckOptions | None = None, *, parse_only: bool = False) -> Analysis:
    """Every static stage: parse, then type-check and verify against `options`."""
    from rlmlang.task.signature import parse_signature
    from rlmlang.tools.registry import Size
    from rlmlang.types import Prim

    text, _ = check_input(data, file)
    result = parse(data, file)
    analysis = Analysis(file, text, result.script, list(result.diagnostics))
    if result.script is None or parse_only:
        return analysis
    opts = options or CheckOptions()
    sig = parse_signature(opts.signature)
    registry = opts.registry
    if registry is None:
        from rlmlang.tools import default_registry

        registry = default_registry()
    from rlmlang.tools.stdlib import check_module, is_module

    if is_module(result.script) and text is not None:  # only defs: a stdlib module
        analysis.diagnostics.extend(check_module(text, file, registry))
        analysis.notes.append("checked as a stdlib module (a file of only defs), as loading "
                              "it would check it")
        return analysis
    sizes = {}
    for f in sig.inputs:
        n = opts.input_sizes.get(f.name, DEFAULT_INPUT_SIZE)
        sizes[f.name] = Size(n, n) if not (isinstance(f.type, Prim) and f.type.name in (
            "int", "float", "bool", "none")) else Size(1, 1)
    from rlmlang.task.answers import check_type_for

    program, stopped = _judge(result.script, file, registry, sig.input_types(),
                              opts.state_schema, check_type_for(sig.output.type), opts.policy,
                              opts.budgets, sizes, None, True)
    if stopped is not None:
        analysis.diagnostics.extend(stopped.diagnostics)
        analysis.script = None if not analysis.ok else analysis.script
        return analysis
    verified, notes = program
    analysis.proof = verified[0].proof
    analysis.notes = notes
    if opts.policy is None:
        analysis.notes.append("permissions not checked: no policy given (use --allow, --deny "
                              "or --policy)")
    return analysis


def analyze_file(path: str | Path, options: CheckOptions | None = None, *,
                 parse_only: bool = False) -> Analysis:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        return Analysis(str(path), None, None, [Diagnostic(
            "E_INPUT", f"cannot read the file: {e.strerror or e}", None, str(path))])
    return analyze_source(data, str(path), options, parse_only=parse_only)


# ------------------------------------------------------------------ execution


@dataclass
class ScriptSetup:
    """Everything a script runs against, fixed for a run (the controller fills it)."""

    registry: Any
    inputs: dict[str, Any]
    input_types: dict[str, Any]
    output: Any  # the Type submit must produce
    state: Any  # a StateStore (its schema declares the keys scripts may use)
    policy: Any = None
    budgets: dict[str, int] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)
    llm: Callable[..., Any] | None = None  # llm.predict hook
    llm_run: Callable[..., Any] | None = None  # llm.run hook
    recorder: Callable[[dict[str, Any]], None] | None = None
    replay: Any = None  # recorded tool results, fed back instead of calling tools
    deadline: float | None = None  # the run's end (time.monotonic()): tool calls stop by it
    strict: bool = True
    file: str = "<script>"


@dataclass
class ScriptOutcome:
    """How far a script got and what it did. `stage` is where it stopped."""

    stage: str  # parse | check | verify | compile | run | done
    diagnostics: list[Diagnostic] = field(default_factory=list)
    status: str | None = None  # the VM's: submitted | failed | error | finished
    value: Any = None
    output: str = ""
    proof: dict[str, Any] | None = None
    bytecode_hash: str | None = None
    bytecode: Any = None
    fuel_used: int = 0
    writes: dict[str, Any] = field(default_factory=dict)
    script_sha256: str = ""
    answer: Any = None  # `value` converted to the task's output type
    answer_error: Diagnostic | None = None  # why `value` could not be converted
    calls: dict[str, int] = field(default_factory=dict)  # tool_calls, llm_calls it made

    @property
    def verified(self) -> bool:
        return self.stage in ("run", "done")


def _judge(script: ast.Script, file: str, registry: Any, input_types: dict[str, Any],
           state_types: dict[str, Any], output: Any, policy: Any, budgets: dict[str, int],
           input_sizes: dict[str, Any], input_values: dict[str, Any] | None,
           strict: bool, state_sizes: dict[str, Any] | None = None,
           ) -> tuple[Any, ScriptOutcome | None]:
    """Type-check and verify a parsed script: ((program, registry), notes) or the stop."""
    from rlmlang.check import Env, check
    from rlmlang.tools.stdlib import attribute, expand
    from rlmlang.verify import verify

    # stdlib functions are defs written in RLM script: bring in the ones used
    # (what goes wrong inside one is reported at the call, naming the module's line).
    script, registry = expand(script, registry)
    env = Env(inputs=dict(input_types), state=dict(state_types), output=output,
              registry=registry)
    checked = check(script, env, file)
    if checked.checked is None:
        return None, ScriptOutcome("check", attribute(checked.diagnostics, script))
    verified = verify(checked.checked, policy=policy, budgets=budgets,
                      input_sizes=input_sizes, state_sizes=state_sizes or {}, strict=strict,
                      input_values=input_values, file=file)
    if verified.program is None:
        return None, ScriptOutcome("verify", attribute(verified.diagnostics, script))
    return ((verified.program, registry), list(verified.notes)), None


def static_check(text: str | bytes, setup: ScriptSetup) -> tuple[Any, ScriptOutcome | None]:
    """Parse, type-check and verify; (program, registry), or the outcome that stopped it."""
    from rlmlang.tools.registry import size_of

    parsed = parse(text, setup.file)
    if parsed.script is None:
        return None, ScriptOutcome("parse", parsed.diagnostics)
    state_types = dict(setup.state.schema.exact) if setup.state is not None else {}
    state_sizes = {}
    if setup.state is not None:
        state_sizes = {k: size_of(v) for k, v in setup.state.snapshot().items()}
    from rlmlang.task.answers import check_type_for

    judged, stopped = _judge(parsed.script, setup.file, setup.registry, setup.input_types,
                             state_types, check_type_for(setup.output), setup.policy,
                             setup.budgets,
                             {k: size_of(v) for k, v in setup.inputs.items()}, setup.inputs,
                             setup.strict, state_sizes)
    if stopped is not None:
        return None, stopped
    return judged[0], None


def execute_script(text: str | bytes, setup: ScriptSetup) -> ScriptOutcome:
    """The whole per-script pipeline; state writes come back uncommitted in `writes`."""
    from rlmlang.compiler import compile_program, validate
    from rlmlang.tools.context import ToolContext
    from rlmlang.vm import run as vm_run

    verified, stopped = static_check(text, setup)
    if stopped is not None:
        return stopped
    program, registry = verified
    code = compile_program(program, registry, setup.file)
    problems = validate(code, registry)
    if problems:
        return ScriptOutcome("compile", problems, proof=program.proof)
    txn = setup.state.begin({"script": setup.file}) if setup.state is not None else None
    ctx = ToolContext(policy=setup.policy, root=setup.root, state=txn,
                      recorder=setup.recorder, replay=setup.replay, llm=setup.llm,
                      llm_run=setup.llm_run, deadline=setup.deadline)
    try:
        result = vm_run(code, registry=registry, inputs=setup.inputs, ctx=ctx,
                        budgets=setup.budgets, fuel_bound=program.fuel_bound)
    finally:
        if txn is not None:
            txn.rollback()
    stage = "run" if result.status == "error" else "done"
    from rlmlang.tools.stdlib import attribute

    outcome = ScriptOutcome(stage, attribute(list(result.diagnostics), text),
                            result.status, result.value,
                            result.output, program.proof, code.hash, code.to_json(),
                            result.fuel_used, dict(result.state_writes))
    outcome.answer = result.value
    outcome.calls = {"tool_calls": result.tool_calls, "llm_calls": result.llm_calls}
    if result.status == "submitted":
        from rlmlang.task.answers import AnswerError, coerce_answer

        try:
            outcome.answer = coerce_answer(result.value, setup.output)
        except AnswerError as e:  # the run itself is as recorded; only its answer is refused
            outcome.answer = None
            outcome.answer_error = Diagnostic(
                "E_SUBMIT", f"the script submitted {result.value!r:.60}, but {e}",
                fix="submit a value of the task's answer type")
    return outcome
