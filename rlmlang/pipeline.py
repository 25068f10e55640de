"""The pipeline: one way from a script's text to what it did.

    source → parsed → checked → verified → compiled → validated → result

Each stage is a function from one typed value to the next, or to the
`ScriptOutcome` that says where and why the script stopped. `execute_script`
runs them in order and is the one function every caller uses: `rlm run` (the
controller, once per candidate), `rlm exec`, `rlm check` (through
`analyze_source`, until the verifier), the audit's re-verification and replay,
and the tests. So a script is judged and run the same way wherever it comes
from, against what `ScriptSetup` says the task is.

Nothing here commits: a script's state writes come back in the outcome, and
its caller decides (the controller commits the winner's, `rlm exec` commits
when the script ends well, replay compares them with the log).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.check import CheckedScript, Env, check
from rlmlang.check.columns import NO_TABLES, Tables, tables
from rlmlang.check.decoded import NOTHING, Decoded, decoded_types
from rlmlang.check.rebind import in_own_words
from rlmlang.compiler import Bytecode, CompileError, compile_program, validate
from rlmlang.diagnostics import Diagnostic
from rlmlang.limits import Limits, as_limits
from rlmlang.policy import Policy
from rlmlang.syntax import ast
from rlmlang.syntax.parser import check_input, parse
from rlmlang.task.answers import AnswerError, check_type_for, coerce_answer
from rlmlang.task.signature import parse_signature
from rlmlang.tools import default_registry
from rlmlang.tools.context import ToolContext
from rlmlang.tools.reader import current_question
from rlmlang.tools.registry import Registry, Size, size_of
from rlmlang.tools.stdlib import attribute, check_module, expand, is_module
from rlmlang.types import Prim
from rlmlang.verify import VerifiedProgram, verify
from rlmlang.vm import RunResult
from rlmlang.vm import run as vm_run

DEFAULT_INPUT_SIZE = 1_000_000  # what `rlm check` assumes of a str input it has not seen


@dataclass
class ScriptSetup:
    """Everything a script is judged and run against, fixed for a run (its task)."""

    registry: Any
    inputs: dict[str, Any]
    input_types: dict[str, Any]
    output: Any  # the Type submit must produce
    state: Any  # a StateStore (its schema declares the keys scripts may use), or None
    policy: Policy | None = None  # None: none given, so `Policy.deny_all(root)`
    budgets: Limits | Mapping[str, int] = field(default_factory=Limits)  # a Limits once built
    root: Path = field(default_factory=Path.cwd)
    llm: Callable[..., Any] | None = None  # llm.predict hook
    llm_run: Callable[..., Any] | None = None  # llm.run hook
    recorder: Callable[[dict[str, Any]], None] | None = None
    replay: Any = None  # recorded tool results, fed back instead of calling tools
    deadline: float | None = None  # the run's end (time.monotonic()): tool calls stop by it
    strict: bool = True
    file: str = "<script>"
    # `rlm check` judges inputs it has not seen: their sizes stand in for their values.
    input_sizes: dict[str, Size] | None = None
    state_types: dict[str, Any] | None = None  # the keys' types when there is no store
    tier: str = "fast"  # the VM tier (the tests run both)
    # False only for `rlm check` without permission flags: the proof leaves permissions out
    # (and a note says so). A script that runs is always judged against its policy.
    check_permissions: bool = True

    @functools.cached_property
    def decoded(self) -> Decoded:
        """What json_decode gives for the JSON inputs (check/decoded.py); once per task, as
        every candidate is checked against the same inputs. Nothing where values are unseen."""
        if self.input_sizes is not None:
            return NOTHING
        return decoded_types(self.inputs)

    @functools.cached_property
    def tables(self) -> Tables:
        """The table inputs' rows and numeric columns (check/columns.py), once per task."""
        if self.input_sizes is not None:
            return NO_TABLES
        return tables(self.inputs)

    def __post_init__(self) -> None:
        if self.policy is None:
            self.policy = Policy.deny_all(self.root)
        self.budgets = as_limits(self.budgets)


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
    notes: list[str] = field(default_factory=list)  # the verifier's notes
    fuel_bound: int | None = None  # the verifier's bound on the fuel it may use
    code: Bytecode | None = None  # the validated bytecode
    vm: RunResult | None = None  # the VM's own result (printed text truncated, memory, ...)
    verified_stage: Verified | None = None  # what the static stages proved
    # a search of the script that finds nothing, where it submitted a zero (task/searches.py)
    empty_search: str | None = None

    @property
    def verified(self) -> bool:
        return self.stage in ("run", "done")


# ------------------------------------------------------------------ stage values


@dataclass(frozen=True)
class Source:
    text: str
    file: str


@dataclass(frozen=True)
class Parsed:
    source: Source
    script: ast.Script


@dataclass(frozen=True)
class Checked:
    parsed: Parsed
    script: ast.Script  # as parsed, with the stdlib defs it uses prepended
    checked: CheckedScript  # typed, its Python forms lowered to the core language
    registry: Registry  # the tools left to call: the stdlib's names are defs now
    warnings: tuple[Diagnostic, ...] = ()  # what the checker noted of a script it passed


@dataclass(frozen=True)
class Verified:
    checked: Checked
    program: VerifiedProgram
    notes: tuple[str, ...] = ()

    @property
    def registry(self) -> Registry:
        return self.checked.registry


@dataclass(frozen=True)
class Compiled:
    verified: Verified
    code: Bytecode


@dataclass(frozen=True)
class Validated:
    """Bytecode checked against the registry it will run with (jumps, stack, tools)."""

    compiled: Compiled

    @property
    def code(self) -> Bytecode:
        return self.compiled.code

    @property
    def verified(self) -> Verified:
        return self.compiled.verified


# ------------------------------------------------------------------ the stages


def parse_stage(text: str | bytes, file: str) -> Parsed | ScriptOutcome:
    parsed = parse(text, file)
    if parsed.script is None:
        return ScriptOutcome("parse", list(parsed.diagnostics))
    decoded = text if isinstance(text, str) else check_input(text, file)[0] or ""
    return Parsed(Source(decoded, file), parsed.script)


def check_stage(parsed: Parsed, setup: ScriptSetup) -> Checked | ScriptOutcome:
    # stdlib functions are defs written in RLM script: bring in the ones used, their
    # names private where they clash with the task's inputs (what goes wrong inside one
    # is reported at the call, naming the module's line).
    script, registry = expand(parsed.script, setup.registry, setup.input_types)
    env = Env(inputs=dict(setup.input_types), state=_state_types(setup),
              output=check_type_for(setup.output), registry=registry, answer=setup.output,
              decoded=setup.decoded, tables=setup.tables)
    checked = check(script, env, parsed.source.file)
    if checked.checked is None:
        return ScriptOutcome("check", attribute(checked.diagnostics, script))
    return Checked(parsed, script, checked.checked, registry,
                   tuple(attribute(checked.diagnostics, script)))


def verify_stage(checked: Checked, setup: ScriptSetup) -> Verified | ScriptOutcome:
    state_sizes = {}
    if setup.state is not None:
        state_sizes = {k: size_of(v) for k, v in setup.state.snapshot().items()}
    sizes = setup.input_sizes if setup.input_sizes is not None else {
        k: size_of(v) for k, v in setup.inputs.items()}
    verified = verify(checked.checked, policy=setup.policy if setup.check_permissions else None,
                      budgets=setup.budgets,
                      input_sizes=sizes, state_sizes=state_sizes, strict=setup.strict,
                      input_values=setup.inputs if setup.input_sizes is None else None,
                      file=checked.parsed.source.file)
    if verified.program is None:
        said = in_own_words(verified.diagnostics, checked.checked.renamed)
        return ScriptOutcome("verify", attribute(said, checked.script))
    return Verified(checked, verified.program, tuple(verified.notes))


def compile_stage(verified: Verified) -> Compiled:
    return Compiled(verified, compile_program(verified.program, verified.registry,
                                              verified.checked.parsed.source.file))


def validate_stage(compiled: Compiled) -> Validated | ScriptOutcome:
    problems = validate(compiled.code, compiled.verified.registry)
    if problems:
        return ScriptOutcome("compile", problems, proof=compiled.verified.program.proof,
                             bytecode_hash=compiled.code.hash)
    return Validated(compiled)


def run_stage(validated: Validated, setup: ScriptSetup) -> ScriptOutcome:
    """Run on the VM inside a transaction that is always rolled back: the writes come back."""
    program = validated.verified.program
    code = validated.code
    txn = setup.state.begin({"script": setup.file}) if setup.state is not None else None
    ctx = ToolContext(policy=setup.policy, root=setup.root, state=txn,
                      recorder=setup.recorder, replay=setup.replay, llm=setup.llm,
                      llm_run=setup.llm_run, deadline=setup.deadline)
    try:
        result = vm_run(code, registry=validated.verified.registry, inputs=setup.inputs,
                        ctx=ctx, budgets=setup.budgets, fuel_bound=program.fuel_bound,
                        tier=setup.tier)
    finally:
        if txn is not None:
            txn.rollback()
    outcome = ScriptOutcome("run" if result.status == "error" else "done",
                            attribute(list(result.diagnostics),
                                      validated.verified.checked.parsed.script),
                            result.status, result.value, result.output, program.proof,
                            code.hash, code.to_json(), result.fuel_used,
                            dict(result.state_writes))
    outcome.answer = result.value
    outcome.calls = {"tool_calls": result.tool_calls, "llm_calls": result.llm_calls}
    outcome.vm = result
    if result.status == "submitted":
        try:
            outcome.answer = coerce_answer(result.value, setup.output, current_question())
        except AnswerError as e:  # the run itself is as recorded; only its answer is refused
            outcome.answer = None
            outcome.answer_error = Diagnostic(
                "E_SUBMIT", f"the script submitted {result.value!r:.60}, but {e}",
                fix=e.fix or "submit a value of the task's answer type")
    return outcome


# ------------------------------------------------------------------ the pipeline

UNTIL = ("verify", "validate", "run")


def execute_script(text: str | bytes, setup: ScriptSetup, *, until: str = "run",
                   expect_hash: str | None = None) -> ScriptOutcome:
    """The whole pipeline, up to `until`; state writes come back uncommitted in `writes`.

    `expect_hash` (replay) is the bytecode hash the log recorded: a fresh compile
    that gives other bytecode stops at the compile stage, its own hash shown.
    """
    parsed = parse_stage(text, setup.file)
    if isinstance(parsed, ScriptOutcome):
        return parsed
    return execute_parsed(parsed, setup, until=until, expect_hash=expect_hash)


def execute_parsed(parsed: Parsed, setup: ScriptSetup, *, until: str = "run",
                   expect_hash: str | None = None) -> ScriptOutcome:
    """`execute_script` from the parsed script on (`rlm check` has parsed it already)."""
    assert until in UNTIL, until
    checked = check_stage(parsed, setup)
    if isinstance(checked, ScriptOutcome):
        return checked
    verified = verify_stage(checked, setup)
    if isinstance(verified, ScriptOutcome):
        return verified
    program = verified.program
    done = ScriptOutcome("run", proof=program.proof, notes=list(verified.notes),
                         fuel_bound=program.fuel_bound, verified_stage=verified)
    if until == "verify":
        return done
    try:
        compiled = compile_stage(verified)
    except CompileError as e:  # input the checker should have refused: one coded outcome
        return ScriptOutcome("compile", list(e.diagnostics), proof=program.proof)
    if expect_hash is not None and compiled.code.hash != expect_hash:
        return ScriptOutcome("compile", [Diagnostic(
            "E_BYTECODE", f"the script compiles to bytecode {compiled.code.hash}, not the "
            f"expected {expect_hash}")], proof=program.proof, bytecode_hash=compiled.code.hash)
    validated = validate_stage(compiled)
    if isinstance(validated, ScriptOutcome):
        return validated
    if until == "validate":
        done.bytecode_hash, done.bytecode = compiled.code.hash, compiled.code.to_json()
        done.code = compiled.code
        return done
    outcome = run_stage(validated, setup)
    outcome.notes = done.notes
    outcome.fuel_bound = program.fuel_bound
    outcome.code = compiled.code
    outcome.verified_stage = verified
    return outcome


def static_check(text: str | bytes, setup: ScriptSetup) -> tuple[Verified | None,
                                                                   ScriptOutcome | None]:
    """Parse, type-check and verify: (what was proved, None), or (None, why it stopped)."""
    outcome = execute_script(text, setup, until="verify")
    if outcome.verified_stage is None:
        return None, outcome
    return outcome.verified_stage, None


def _state_types(setup: ScriptSetup) -> dict[str, Any]:
    if setup.state is not None:
        return dict(setup.state.schema.exact)
    return dict(setup.state_types or {})


# ------------------------------------------------------------------ rlm check


@dataclass
class CheckOptions:
    """What a script is judged against when there is no run: `rlm check`'s flags."""

    signature: str = "context: str, question: str -> answer: str"
    input_sizes: dict[str, int] = field(default_factory=dict)
    policy: Policy | None = None  # None: permissions are not checked (and a note says so)
    budgets: Limits | Mapping[str, int] = field(default_factory=Limits)  # resolved by the caller
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


def check_setup(options: CheckOptions | None = None, file: str = "<script>") -> ScriptSetup:
    """The setup `rlm check` judges a script against: the signature's inputs at their
    given (or default) sizes, no values, no store."""
    opts = options or CheckOptions()
    sig = parse_signature(opts.signature)
    registry = opts.registry
    if registry is None:
        registry = default_registry()
    sizes = {}
    for f in sig.inputs:
        n = opts.input_sizes.get(f.name, DEFAULT_INPUT_SIZE)
        scalar = isinstance(f.type, Prim) and f.type.name in ("int", "float", "bool", "none")
        sizes[f.name] = Size(1, 1) if scalar else Size(n, n)
    return ScriptSetup(registry=registry, inputs={}, input_types=sig.input_types(),
                       output=sig.output.type, state=None, policy=opts.policy,
                       check_permissions=opts.policy is not None, budgets=opts.budgets,
                       file=file, input_sizes=sizes, state_types=dict(opts.state_schema))


def analyze_source(data: bytes | str, file: str = "<script>",
                   options: CheckOptions | None = None, *, parse_only: bool = False) -> Analysis:
    """Every static stage: parse, then type-check and verify against `options`."""
    text, _ = check_input(data, file)
    result = parse(data, file)
    analysis = Analysis(file, text, result.script, list(result.diagnostics))
    if result.script is None or parse_only:
        return analysis
    setup = check_setup(options, file)
    if is_module(result.script) and text is not None:  # only defs: a stdlib module
        analysis.diagnostics.extend(check_module(text, file, setup.registry))
        analysis.notes.append("checked as a stdlib module (a file of only defs), as loading "
                              "it would check it")
        return analysis
    parsed = Parsed(Source(text or "", file), result.script)
    outcome = execute_parsed(parsed, setup, until="verify")
    if outcome.verified_stage is None:
        analysis.diagnostics.extend(outcome.diagnostics)
        analysis.script = None if not analysis.ok else analysis.script
        return analysis
    analysis.diagnostics.extend(outcome.verified_stage.checked.warnings)
    analysis.proof = outcome.proof
    analysis.notes = list(outcome.notes)
    if not setup.check_permissions:
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
