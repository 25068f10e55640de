"""The controller: generate → verify → run → observe, until an answer or a budget trips.

One round draws several candidate scripts from the same prompt (the first
greedy, the rest sampled), runs every candidate that passes the static
pipeline, and votes on what they submit: scripts are cheap to verify and run,
and a tiny model's single greedy attempt is a coin toss. A round without an
answer feeds the most instructive failure back as the next user turn, so the
prompt only ever grows and the model's KV cache is reused. Each candidate's
state writes are held back; only the winner's are committed, in one
transaction. Every step goes to the hash-chained log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.controller.budgets import BudgetExceeded, Meter
from rlmlang.controller.difference import count_difference, first_zero_look, set_aside
from rlmlang.controller.examples import (
    adapted,
    assigned_names,
    data_shape,
    load_library,
    nearest,
)
from rlmlang.controller.fixits import (
    apply_fixits,
    carry_over,
    name_thrown_away,
    shadowed_loop_name,
)
from rlmlang.controller.inputs import InputInfo, describe_input, first_record, header_names
from rlmlang.controller.narrowing import VARIABLE_NAMES, task_narrowing
from rlmlang.controller.profiles import TINY_CORE_TOOLS, Profile, profile_for
from rlmlang.controller.prompt import (
    NO_VALUE_KINDS,
    PREVIEW_CHARS,
    Conversation,
    asked_key_lines,
    copied_line_message,
    copied_lines_in_disagreement,
    cut_token_message,
    empty_answer_message,
    failed_message,
    feedback_message,
    field_elsewhere_hint,
    first_lines,
    fresh_start_hint,
    guess_message,
    key_not_value_message,
    look_hint,
    no_value_message,
    stuck_note,
    task_message,
    task_reminder,
    zero_message,
)
from rlmlang.controller.resume import load_resume, recorded_state_path, write_pending
from rlmlang.controller.subcall import end_texts, predict_many
from rlmlang.controller.subcall import predict as run_predict
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import Limits, check_budget_table
from rlmlang.logs import index_run
from rlmlang.logschema import clean_script, input_digest, registry_digest
from rlmlang.pipeline import ScriptOutcome, ScriptSetup, execute_script
from rlmlang.policy import Policy
from rlmlang.runlog import LogWriter, record_failure
from rlmlang.store import StateConflict, StateStore, remove_store
from rlmlang.task.answers import (
    answer_key,
    asks_for_lines,
    copied_lines,
    copied_piece,
    cut_token,
    found_nothing,
    has_empty_item,
    no_value,
)
from rlmlang.task.bounds import without_range_search
from rlmlang.task.find_miss import find_guarded
from rlmlang.task.guess import QUESTION, data_inputs, data_texts, submits_from_data
from rlmlang.task.hops import hop_short
from rlmlang.task.inputs import bind_value, read_raw
from rlmlang.task.judgement import keyword_judgement
from rlmlang.task.key_lines import key_lines
from rlmlang.task.ordered import sorted_by_filter
from rlmlang.task.percent import as_percent
from rlmlang.task.positions import date_cell, positions_read
from rlmlang.task.searches import (
    each_key_search,
    empty_search,
    header_test,
    meaning_hint,
    search_results,
    search_spec,
    searched_elsewhere,
)
from rlmlang.task.signature import Signature, parse_signature, signature_for
from rlmlang.task.split_side import NOT_A_NUMBER, value_side
from rlmlang.task.spread import phrase_fields
from rlmlang.task.unasked import unasked_note, without_copied
from rlmlang.task.vote import (
    Tally,
    computation,
    counts_nothing,
    draws_text,
    lone_answer_rounds,
    whole_share,
)
from rlmlang.tools import default_registry
from rlmlang.tools.context import charge_current, current_usage
from rlmlang.tools.errors import ToolError
from rlmlang.tools.reader import current_question, task_question
from rlmlang.tools.registry import Registry, size_of
from rlmlang.types import Type, format_type
from rlmlang.version import __version__

Event = Callable[[str, dict[str, Any]], None]

# The stats counter a script that stopped at each stage adds to.
_FAILURE_COUNTER = {"parse": "parse_failures", "check": "check_rejections",
                    "verify": "verify_rejections", "compile": "verify_rejections",
                    "run": "runtime_failures"}

# At most this many fix-it candidates per round (each is verified and run).
_MAX_FIXITS = 2
REASON_ANSWER_CHARS = 200  # each candidate answer in an uncertain run's reason

# The outcome stages, from least to most instructive as feedback to the model.
_STAGE_RANK = {"parse": 0, "check": 1, "verify": 2, "compile": 2, "run": 3, "done": 4}


@dataclass
class RunOutcome:
    status: str  # "answered" | "uncertain" (the scripts disagree) | "no_answer"
    answer: Any = None  # for "uncertain": the best-supported candidate, not an answer
    reason: str = ""
    iterations: int = 0
    log_path: str | None = None
    used: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    vote: list[dict[str, Any]] = field(default_factory=list)  # every candidate answer
    output_name: str = "answer"  # the signature's output field: `out.<it>` is the answer

    @property
    def ok(self) -> bool:
        return self.status == "answered"

    def __getattr__(self, name: str) -> Any:
        """The answer under the signature's output name (`out.total` for `-> total: int`), and
        a record answer's fields (`out.city` for `-> place: {city: str, n: int}`)."""
        fields = self.__dict__
        if name == fields.get("output_name"):
            return fields.get("answer")
        answer = fields.get("answer")
        if isinstance(answer, dict) and name in answer and not name.startswith("_"):
            return answer[name]
        raise AttributeError(f"the outcome has no field {name!r}; the answer is "
                             f"out.{fields.get('output_name', 'answer')} (and out.answer)")

    @property
    def uncertain(self) -> bool:
        return self.status == "uncertain"


class Runtime:
    """Runs tasks with one model, one policy, one set of tools. See `run`."""

    def __init__(self, backend: Any = None, *, model: str | None = None,
                 policy: Policy | None = None, budgets: Mapping[str, int] | Limits | None = None,
                 registry: Registry | None = None, log_path: str | os.PathLike[str] | None = None,
                 state_path: str | os.PathLike[str] | None = None,
                 hmac_key: bytes | None = None, grammar: bool = True, seed: int = 0,
                 on_event: Event | None = None, examples: int | None = None, depth: int = 0,
                 root: str | os.PathLike[str] | None = None,
                 profile: str | Profile | None = None,
                 call_limits: dict[str, int] | None = None) -> None:
        if backend is None:
            from rlmlang.backend.llama import LlamaBackend  # lazy: keeps llama.cpp out of start-up

            backend = LlamaBackend(model)
        self.backend = backend
        self.root = Path(root) if root else Path.cwd()
        # None: none given, so nothing is granted (a resumed run takes the log's instead).
        self._policy_given = policy is not None
        self.policy = policy if policy is not None else Policy.deny_all(self.root)
        self.profile = profile_for(backend, profile)
        self._profile_asked = profile is not None
        # A nested run (llm.run) draws its scripts' tool and sub-model calls from what the
        # calling script had left: these limits hold for all of its scripts together.
        self.call_limits = dict(call_limits) if call_limits is not None else None
        self.calls_spent = {"tool_calls": 0, "llm_calls": 0}
        # Defaults, the profile's, then the policy file's [budget], then the caller's flags,
        # resolved once; a nested run (llm.run) is handed its parent's, already resolved.
        self.limits = budgets if isinstance(budgets, Limits) else Limits.resolve(
            self.profile.budgets, self.policy.budgets,
            check_budget_table(budgets or {}, "Runtime(budgets=...)"))
        if registry is None:
            registry = default_registry()
        self.registry = registry
        self.log_path = Path(log_path) if log_path else None
        self.state_path = Path(state_path) if state_path else None
        self.hmac_key = hmac_key
        self.use_grammar = grammar
        self.seed = seed
        self.on_event = on_event
        self.n_examples = self.profile.n_examples if examples is None else examples
        self._examples_asked = examples is not None
        self._resuming: Any = None
        self._budget_flags = dict(budgets or {}) if not isinstance(budgets, Limits) else {}
        self.depth = depth
        self._library = load_library(self.profile.examples_path())
        self._run_id = uuid.uuid4().hex  # names this run's commits in a shared store
        self._sub_backend: Any = None

    # ---------------------------------------------------------------- public

    def run(self, signature: str | Signature | None, task: str | None = None,
            **inputs: Any) -> RunOutcome:
        """Answer `task` over `inputs` (values, or `pathlib.Path`s to read).

        With `signature=None` the inputs given (any names, any number, none)
        and the task form it, as `rlm run` does without `--signature`.
        """
        if signature is None:
            signature = signature_for(task, inputs)
        sig = parse_signature(signature) if isinstance(signature, str) else signature
        values = self._bind(sig, task, inputs)
        question = task or str(values.get("question", ""))
        outcome = self._run(sig, question, values)
        outcome.output_name = sig.output.name
        return outcome

    def ask(self, task: str, output: str | None = None, **inputs: Any) -> RunOutcome:
        """`run` with the signature made from the inputs: `rt.ask("How many?", "int", log=text)`
        (without `output`, signature_for's answer type)."""
        return self.run(signature_for(task, inputs, output), task, **inputs)

    # --------------------------------------------------------------- helpers

    def _bind(self, sig: Signature, task: str | None, raw: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in sig.inputs:
            if f.name in raw:
                v = raw[f.name]
                if isinstance(v, Path):
                    v = bind_value(f.name, read_raw(v), f.type)
                elif isinstance(v, str) and f.type != sig.output.type and not isinstance(
                        f.type, type(sig.output.type)):
                    v = bind_value(f.name, v, f.type)
                values[f.name] = v
            elif f.name == "question" and task is not None:
                values[f.name] = task
            else:
                raise DiagnosticError([Diagnostic(  # `rlm run` words the fix as --input
                    "E_USAGE", f"the signature needs input '{f.name}' ({format_type(f.type)})",
                    fix=f"pass it as a keyword argument: run(signature, task, {f.name}=...), "
                        "a value or a pathlib.Path to read", data={"missing_input": f.name})])
        extra = set(raw) - {f.name for f in sig.inputs}
        if extra:
            raise DiagnosticError([Diagnostic(
                "E_USAGE", f"input(s) not in the signature: {', '.join(sorted(extra))}",
                fix=f"the signature is: {sig}")])
        return values

    def _emit(self, kind: str, payload: dict[str, Any]) -> None:
        if self.on_event is not None:
            self.on_event(kind, payload)

    def _open_log(self) -> LogWriter | None:
        if self.log_path is None:
            return None
        return LogWriter(self.log_path, self.hmac_key, parents=True)

    def _tool_names(self, examples: list[Any]) -> list[str]:
        """The tools offered (in the prompt and the grammar), as the profile says.

        A tiny model picks among few names far better than among eighty: it gets
        a core and what its examples use. A capable one gets every tool the
        policy grants (a tool without a permission is always granted).
        """
        if self.profile.offer_all_tools:
            return [s.name for s in self.registry.specs() if self._granted(s)]
        wanted = set(TINY_CORE_TOOLS)
        for ex in examples:
            wanted.update(ex.tools)
        return [n for n in self.registry.names() if n in wanted]

    def _unasked_zero(self, scripts: Iterable[str], question: str,
                      values: Mapping[str, Any]) -> str:
        """The filter the question does not name in the first of a zero's scripts that has
        one, as a feedback line ("" where none): told where its zero came from, the 1.5B
        fixed where `parts[3] != "304"` looked and kept the test (fresh dev
        aggregate-03, a status the question never named)."""
        for script in list(scripts)[:3]:
            said = unasked_note(script, question, values, self.registry,
                                "The script that made that 0")
            if said:
                return "\n" + said
        return ""

    def _meaning(self, script: str, values: Mapping[str, Any], question: str) -> str | None:
        """meaning_hint (task/searches.py) where the run grants the sub-model."""
        if not question or not self._predict_granted():
            return None
        return meaning_hint(script, values, question)

    def _predict_granted(self) -> bool:
        predict = self.registry.get("llm.predict")
        return predict is not None and self._granted(predict)

    def _challenge(self, value: Any, scripts: list[str], accept: bool, question: str,
                   big_texts: list[str], tables: Mapping[str, str],
                   values: Mapping[str, Any]) -> tuple[str, str | None]:
        """Why the leading answer is sent back once before it is taken, or "", and the
        whole token offered for it where it is a cut one: a copied
        line (at once, confirmed or not: asked only to check it, the model draws the same
        line again, and a round is lost before it is asked for the value in it), a part of
        a longer token (answers.cut_token, at once: split at a piece of it), a key of
        the record asked about (a hop short), and, of an answer the vote would take, a zero
        or a share of 100% the scripts agree on, or a meaning judged by words the scripts
        chose (keyword_judgement, where the run grants the sub-model)."""
        piece = copied_piece(value, big_texts)
        if not asks_for_lines(question) and (piece or copied_lines(value, big_texts)):
            return copied_line_message(value, question, piece=piece), None
        if (cut := cut_token(value, big_texts)) is not None:
            return cut_token_message(value, *cut), cut[0]
        if self.profile.challenge_hops and \
                (short := hop_short(value, question, tables)) is not None:
            return short, None
        if not accept or not self.profile.challenge_zeros:
            return "", None
        if counts_nothing(value) or whole_share(value, question):
            # where the zero's test misses, when that can be said (searched_elsewhere)
            found = next((f for s in scripts if (f := searched_elsewhere(s, values,
                                                                         self.registry))),
                         None) if counts_nothing(value) and self.profile.look_after_failure \
                else None
            return zero_message(value, question) + ("\n" + found if found else ""), None
        if not question or not self._predict_granted():
            return "", None
        return keyword_judgement(scripts, values, question,
                                 calls=self.limits.llm_calls_per_script) or "", None

    def _granted(self, spec: Any) -> bool:
        if spec.permission is None:
            return True
        return bool(self.policy.grants(spec.permission.kind))

    def _grammar(self, sig: Signature, state_keys: list[str], tools: list[str],
                 question: str, headers: list[str], names: list[str]) -> str | None:
        if not self.use_grammar:
            return None
        narrowing = None
        if self.profile.narrow_grammar and question:
            specs = [s for s in (self.registry.get(t) for t in tools) if s is not None]
            narrowing = task_narrowing(question, headers,
                                       [n for n in names if n not in self.registry
                                        and n not in sig.input_types()], specs)
        gbnf = self.profile.base_grammar(tools, [f.name for f in sig.inputs], state_keys,
                                         sig.output.type, narrowing)
        check = getattr(self.backend, "check_grammar", None)
        if callable(check):  # an invalid grammar would crash llama.cpp: refuse it here
            check(gbnf)
        return gbnf

    def _llm_hook(self, meter: Meter, log: LogWriter | None) -> Callable[..., Any]:
        def predict(prompt: str, snippets: dict[str, str], as_type: Type | None) -> Any:
            meter.add("llm_calls")
            if meter.left("llm_calls") < 0:
                raise BudgetExceeded("llm_calls", self.limits.llm_calls_per_run,
                                     meter.used["llm_calls"])
            if self._sub_backend is None:
                self._sub_backend = self._make_sub_backend()
            value, gen = run_predict(self._sub_backend, prompt, snippets, as_type,
                                     seed=self.seed,
                                     extractive=self.profile.extractive_predict)
            meter.add("tokens", gen.tokens)
            charge_current("llm", "tokens", gen.tokens)
            meter.add("sub_seconds", gen.prompt_seconds + gen.gen_seconds)
            return value

        def many(prompt: str, snippets: list[dict[str, str]], as_type: Type | None) -> list[Any]:
            """llm.map: the same counts as len(snippets) predicts, generated together."""
            meter.add("llm_calls", len(snippets))
            if meter.left("llm_calls") < 0:
                raise BudgetExceeded("llm_calls", self.limits.llm_calls_per_run,
                                     meter.used["llm_calls"])
            if self._sub_backend is None:
                self._sub_backend = self._make_sub_backend()
            t0 = time.monotonic()
            values, gens = predict_many(self._sub_backend, prompt, snippets, as_type,
                                        seed=self.seed, extractive=self.profile.extractive_predict)
            tokens = sum(g.tokens for g in gens)
            meter.add("tokens", tokens)
            charge_current("llm", "tokens", tokens)
            meter.add("sub_seconds", time.monotonic() - t0)
            return values

        predict.many = many  # type: ignore[attr-defined]
        return predict

    def _run_hook(self, meter: Meter) -> Callable[..., Any]:
        """`llm.run(task, **inputs)`: a nested controller with a smaller budget.

        It shares the model, the tools and the policy; its answer comes back as
        the tool's result, which the parent's log records (and replay feeds back).
        """
        def run_nested(task: str, inputs: dict[str, str]) -> Any:
            if self.depth + 1 >= self.limits.depth_per_run:
                raise ToolError(f"llm.run: the depth budget ({self.limits.depth_per_run}) "
                                "allows no deeper nested run",
                                "answer the sub-task in this script instead")
            meter.add("llm_calls")
            if meter.left("llm_calls") < 0:
                raise ToolError("llm.run: the llm_calls budget is spent")
            usage = current_usage()  # the calling script's counts, this call included
            limits = {
                "tool_calls": self.limits.tool_calls_per_script - (usage.tool_calls if usage
                                                                    else 0),
                "llm_calls": min(int(meter.left("llm_calls")),
                                 self.limits.llm_calls_per_script - (usage.llm_calls if usage
                                                                     else 0)),
            }
            if min(limits.values()) <= 0:
                raise ToolError("llm.run: the calling script has no tool or sub-model calls "
                                "left for a nested run", "answer the sub-task in this script")
            budgets = dataclasses.replace(
                self.limits, iterations_per_run=max(1, self.limits.iterations_per_run // 2),
                candidates_per_round=max(1, self.limits.candidates_per_round // 2),
                tokens_per_run=max(1, int(meter.left("tokens")) // 2),
                seconds_per_run=max(1, int(meter.left("seconds"))),
                tool_calls_per_script=limits["tool_calls"],
                llm_calls_per_script=limits["llm_calls"], llm_calls_per_run=limits["llm_calls"])
            if self._sub_backend is None:
                self._sub_backend = self._make_sub_backend()
            nested = Runtime(self._sub_backend, policy=self.policy, budgets=budgets,
                             registry=self.registry, grammar=self.use_grammar, seed=self.seed,
                             examples=self.n_examples, depth=self.depth + 1, root=self.root,
                             profile=self.profile, call_limits=limits)
            names = list(inputs) or ["context"]
            sig = ", ".join(f"{n}: str" for n in names) + ", question: str -> answer: str"
            values = {n: inputs.get(n, "") for n in names}
            try:
                out = nested.run(sig, task, **values)
            finally:  # what the nested run spent, the calling script spent
                spent = nested.calls_spent
                meter.add("llm_calls", spent["llm_calls"])
                if usage is not None:
                    usage.tool_calls += spent["tool_calls"]
                    usage.llm_calls += spent["llm_calls"]
            meter.add("tokens", out.stats.get("tokens", 0))
            charge_current("llm", "tokens", int(out.stats.get("tokens", 0)))
            if not out.ok:
                raise ToolError(f"llm.run: the nested run found no answer: {out.reason}")
            return out.answer if isinstance(out.answer, str) else json.dumps(out.answer)

        return run_nested

    def _make_sub_backend(self) -> Any:
        # A second context for sub-model calls keeps the main prompt's KV cache warm.
        fork = getattr(self.backend, "fork", None)
        return fork() if callable(fork) else self.backend

    # ------------------------------------------------------------------ loop

    def resume(self, log_path: str | os.PathLike[str], *,
               allow_model_change: bool = False) -> RunOutcome:
        """Continue a run that was killed, from its last completed round.

        The task, signature, inputs (kept in the run's state store), policy,
        budgets and seed come from the log; each completed round's script and
        feedback rebuild the conversation, so the next prompt is the one the
        killed run would have written. A round cut off midway is run again (its
        state writes were never committed). A run whose answer was already
        submitted just gets its missing end.
        """
        state = load_resume(Path(log_path), self.hmac_key, state_path=self.state_path,
                            model=self.backend.info() if hasattr(self.backend, "info") else None,
                            allow_model_change=allow_model_change)
        self.log_path = Path(log_path)
        self.state_path = state.state_path
        self.limits = Limits.resolve(state.budgets, self._budget_flags)
        self.seed = state.seed
        self.use_grammar = state.grammar
        if state.profile and not self._profile_asked:  # resume as the run was coached
            self.profile = profile_for(self.backend, state.profile)
            self._library = load_library(self.profile.examples_path())
            if not self._examples_asked:  # the resumed profile's, as the run was shown
                self.n_examples = self.profile.n_examples
        if not self._policy_given and state.policy is not None:
            self.policy = state.policy
        self._resuming = state
        outcome = self._run(state.signature, state.question, state.values)
        outcome.output_name = state.signature.output.name
        return outcome

    def _run(self, sig: Signature, question: str, values: dict[str, Any]) -> RunOutcome:
        meter = Meter(self.limits)
        resuming = self._resuming
        if resuming is not None:
            log = resuming.log
            for name, amount in resuming.used.items():
                meter.add(name, amount)
            state_path = self.state_path
        else:
            log = self._open_log()
            # Beside the log by default, so `rlm replay` finds the inputs and every version.
            state_path = self.state_path or (
                self.log_path.with_suffix(self.log_path.suffix + ".state")
                if self.log_path else None)
        if state_path is not None and self.state_path is None and state_path.exists():
            remove_store(state_path)  # a fresh run's own store, like the log it sits beside
        self._state_file = state_path
        store = StateStore(state_path if state_path else ":memory:")
        stats: dict[str, Any] = {"candidates": 0, "parse_failures": 0, "check_rejections": 0,
                                 "verify_rejections": 0, "runtime_failures": 0,
                                 "repaired": 0, "gen_seconds": 0.0, "tokens": 0}
        try:
            # A table without a header takes its column names from the question, in the
            # prompt's description and in every tool the scripts call (tools/reader.py).
            with task_question(question):
                return self._loop(sig, question, values, meter, log, store, stats)
        except Exception as exc:
            record_failure(log, exc, used=meter.snapshot(), stats=stats)
            raise
        finally:
            store.close()
            if log is not None:
                log.close()
                self._index_run()

    def _index_run(self) -> None:
        """Add the ended run to the index beside its log (`rlm logs`); never fails the run."""
        if self.depth > 0 or self.log_path is None:
            return
        try:
            index_run(self.log_path)
        except Exception:  # noqa: BLE001 - the index is a cache: `rlm logs` catches up
            pass

    def _loop(self, sig: Signature, question: str, values: dict[str, Any], meter: Meter,
              log: LogWriter | None, store: StateStore, stats: dict[str, Any]) -> RunOutcome:
        state_path = self._state_file
        infos: list[InputInfo] = []
        for f in sig.inputs:
            if f.name == "question" and values[f.name] == question:
                continue
            infos.append(describe_input(f.name, values[f.name], f.type, question))
        resuming = self._resuming
        for f in sig.inputs:  # inputs are kept with the state, for replay and resume
            if resuming is None:
                store.put_blob(f"input.{f.name}", json.dumps(values[f.name],
                               ensure_ascii=False)
                               if not isinstance(values[f.name], str) else values[f.name])
        state_keys = store.schema.names()
        info = self.backend.info() if hasattr(self.backend, "info") else {}
        start = {
            "rlmlang": __version__, "task": question, "signature": str(sig),
            "model": info, "depth": self.depth,
            "inputs": {n: {"sha256": input_digest(v), "size": size_of(v).len}
                       for n, v in values.items()},
            "policy": self.policy.to_json(),
            "budgets": self.limits.to_record(), "grammar": self.use_grammar, "seed": self.seed,
            "profile": self.profile.name,
            **recorded_state_path(state_path, self.log_path), "run_id": self._run_id,
            "state_schema": store.schema.to_json(),
            "tools": registry_digest(self.registry),
            "state_version": store.version,
        }
        if resuming is None:
            self._write(log, "run_start", start, sync=True)
        else:
            self._write(log, "resume", {"from_iteration": resuming.rounds + 1,
                                        "state_version": store.version,
                                        "last_meta": store.last_meta(),
                                        "repairs": list(log.notes) if log else []},
                        sync=True)
        self._emit("run_start", start)

        text_inputs = [i.name for i in infos if isinstance(values[i.name], str)
                       and i.chars > 200]
        prose = frozenset(i.name for i in infos if i.format == "prose")
        # each text input's first record, read once: the prompt shows the big inputs', the
        # failure feedback looks through every data input's (small ones too)
        read = self._first_records(values, [n for n in values if isinstance(values[n], str)],
                                   question)
        firsts = {n: r for n, r in read.items() if n != QUESTION}
        texts = data_texts(values)
        examples = self._examples(question, infos, text_inputs)
        tools = self._tool_names(examples)
        conv = Conversation.start(self.profile.card, self.registry, tools, examples,
                                  task_message(infos, question, sig.output.type,
                                               preview=(preview := self._preview(
                                                   values, text_inputs)),
                                               keys=self._key_lines(values, text_inputs,
                                                                    question, preview),
                                               records={n: read[n] for n in text_inputs
                                                        if n in read},
                                               with_count=self.profile.record_counts,
                                               with_decoded=self.profile.decoded_types),
                                  familiar=self.profile.familiar,
                                  featured=self.profile.featured)
        if self.profile.remind_task:
            conv.reminder = task_reminder(question, [i.name for i in infos
                                                     if i.name != QUESTION])
        headers = [h for n in text_inputs for h in header_names(values[n], question)]
        names = set(VARIABLE_NAMES).union(*(assigned_names(e.script) for e in examples))
        grammar = self._grammar(sig, state_keys, tools, question, headers, sorted(names))
        self._warm(conv, stats)
        setup = ScriptSetup(
            registry=self.registry, inputs=values,
            input_types=sig.input_types(), output=sig.output.type,
            state=store, policy=self.policy, budgets=self.limits, root=self.root,
            llm=self._llm_hook(meter, log),
            llm_run=self._run_hook(meter),
            recorder=None, deadline=meter.started + float(self.limits.seconds_per_run))
        prev_prompt = ""
        best_answer: Any = None
        failed_before = False
        first = 1
        data = data_inputs([f.name for f in sig.inputs]) if self.profile.no_guesses else []
        tally = Tally(question, needed=2 if self.limits.candidates_per_round >= 2 else 1,
                      distinct=self.profile.distinct_votes,
                      resubmissions=lone_answer_rounds(self.limits.iterations_per_run),
                      strict=bool(data))
        challenged: set[str] = set()  # answers sent back once (copied lines, hops short)
        tables = {n: v for n, v in values.items()  # where a join's records are (hops.py)
                  if n in data_inputs(list(values)) and isinstance(v, str)}
        big_texts = [values[n] for n in text_inputs]  # where copied lines are looked for
        tried = _Tried()
        answered: dict[str, tuple[ScriptOutcome, int]] = {}  # answer key -> its first script
        spaces = self.registry.namespaces()
        if resuming is not None:
            if resuming.note:
                conv.forget_attempts(resuming.note)
            for script, feedback in resuming.attempts:
                conv.add_attempt(script, feedback)
            first = resuming.rounds + 1
            failed_before = resuming.rounds > 0
            prev_prompt = resuming.last_prompt
            if resuming.answer is not None:  # decided before the kill: only the end is missing
                write_pending(log, store, resuming)
                return self._finish(log, meter, stats, "answered", resuming.answer,
                                    "submitted (resumed)", resuming.rounds + 1)
        try:
            for iteration in range(first, self.limits.iterations_per_run + 1):
                meter.add("iterations")
                meter.check("seconds")
                prompt = self._fitting_prompt(conv)
                shared = bool(prev_prompt) and prompt.startswith(prev_prompt)
                base = store.version  # what this round's scripts read: its commit checks it
                self._write(log, "prompt", {
                    "iteration": iteration,
                    "sha256": hashlib.sha256(prompt.encode()).hexdigest(),
                    "extends_previous": shared, "state_version": base,
                    "text": prompt[len(prev_prompt):] if shared else prompt})
                prev_prompt = prompt
                tried.earlier = conv.scripts()  # what a fix-it may carry names over from
                outcomes = self._round(iteration, prompt, grammar, setup, meter, log, stats,
                                       tried)
                answers = [(o, s) for o, s in outcomes if o.status == "submitted"]
                useful = [(o, s) for o, s in answers if not _finds_nothing(o, s)]
                # an answer from a script that read no data is a guess: not a vote
                known = tally.values()  # the earlier rounds' answers
                read = [submits_from_data(s, data, spaces, o.answer,
                                          o.vm.end_line if o.vm is not None else 0)
                        or tally.vouched(o.answer, known) for o, s in useful]
                guessed = [p for p, r in zip(useful, read, strict=True) if not r]
                useful = [p for p, r in zip(useful, read, strict=True) if r]
                # (coder) what the question itself writes, or a bulk of an input cut out as
                # it stands, is no value read from the data
                why = [no_value(o.answer, question, texts, echo=self.profile.no_guesses,
                                bulk=self.profile.challenge_copied_lines) for o, _ in useful]
                # (rank of its kind, place, answer): the first is the one the feedback speaks of
                valueless = sorted(((NO_VALUE_KINDS.index(w), i, p) for i, (p, w) in
                                    enumerate(zip(useful, why, strict=True)) if w),
                                   key=lambda t: t[:2])
                useful = [p for p, w in zip(useful, why, strict=True) if w is None]
                # no value: drawn again, it is no fresh draw (tried.stuck)
                tried.no_value.update(o.script_sha256
                                      for o, _ in guessed + [p for _, _, p in valueless])
                # a round whose answers all repeat computations already counted adds no
                # evidence: in a disagreement, the next round draws hot, with no greedy draw
                rut = bool(useful) and all(tally.knows(script) for _, script in useful)
                for o, script in useful:
                    answered.setdefault(answer_key(o.answer), (o, iteration))
                    tally.add(o.answer, o.script_sha256, script, iteration,
                              greedy=o.script_sha256 in tried.greedy, printed=o.output,
                              same_as=tried.carried.get(o.script_sha256),
                              copied=copied_lines(o.answer, big_texts))
                for o, script in outcomes:  # what a later round may read off
                    tally.saw(script, o.output)
                last = iteration >= self.limits.iterations_per_run
                accept = bool(useful) and (tally.confident() or tally.taken_unconfirmed(last))
                challenge = challenged_key = ""
                whole: str | None = None  # the token a cut answer was cut from, offered
                probes: list[str] = []  # the scripts the controller ran to look (observed)
                # what may be sent back once before it is taken (_challenge)
                alone = bool(useful) and tally.unopposed()
                if (accept or alone) and not last and self.profile.challenge_copied_lines:
                    leader = tally.leader()
                    assert leader is not None
                    if leader.key not in challenged:
                        challenge, whole = self._challenge(
                            leader.value, list(leader.scripts.values()), accept, question,
                            big_texts, tables, values)
                    if challenge and counts_nothing(leader.value) and \
                            self.profile.look_after_failure:  # where the zero comes from
                        rounded, probes = first_zero_look(leader.scripts.values(), setup)
                        challenge += "\n" + rounded if rounded else ""
                        challenge += self._unasked_zero(leader.scripts.values(), question,
                                                        values)
                    if challenge:  # once: submitted again, it is taken as any answer is
                        challenged.add(leader.key)
                        tally.drop(leader.key)
                        if whole is not None:
                            tally.offer(whole)
                        challenged_key = leader.key
                        accept = False
                elif accept and last and self.profile.challenge_hops:
                    # no round left to take the last hop in: a disagreement, not an answer;
                    # nor to check a zero or a share of the whole (_challenge) never sent
                    # back: dev percentage-03 took 100.0, confirmed only in the last round
                    leader = tally.leader()
                    assert leader is not None
                    accept = hop_short(leader.value, question, tables) is None and not (
                        self.profile.challenge_zeros and leader.key not in challenged
                        and (counts_nothing(leader.value)
                             or whole_share(leader.value, question)))
                if accept:
                    leader = tally.leader()
                    assert leader is not None
                    # The earliest script of this round that gave it speaks for it (its
                    # writes commit): the greedy one, where it agrees.
                    winner = next((o for o, _ in useful if answer_key(o.answer) == leader.key),
                                  None)
                    if winner is not None:
                        if failed_before:
                            stats["repaired"] += 1
                        try:
                            return self._submit(log, meter, stats, store, iteration, winner,
                                                tally, len(outcomes), base)
                        except StateConflict as e:  # another run committed: run it again
                            tally.clear()  # every answer so far read the old state
                            self._write(log, "observation", {
                                "iteration": iteration, "text": e.diagnostic.message,
                                "script": "", "conflict": True}, sync=True)
                            continue
                if answers and best_answer is None:
                    best_answer = answers[0][0].answer
                failed_before = True
                forget = False  # the attempts dropped from the chat (a model stuck on one)
                if useful:  # answers that disagree, or one not confirmed: say so
                    script = useful[0][1]
                    tried.diversify = rut and not tally.unopposed()
                    feedback = challenge or tally.feedback()
                    if not challenge and not tally.unopposed() and \
                            self.profile.challenge_copied_lines and not asks_for_lines(question):
                        copied = [s.value for s in tally.ranked()[:4]
                                  if copied_lines(s.value, big_texts)]
                        if copied:
                            feedback += "\n" + copied_lines_in_disagreement(copied, question)
                    if not challenge and not tally.unopposed() and self.profile.look_after_failure:
                        notes: list[str] = []
                        # two counts: the items one takes in and the other leaves out
                        said, ran = count_difference(tally.ranked(), setup)
                        if said:
                            notes.append(said)
                            probes += ran
                        for s in tally.ranked()[:4]:
                            for text in s.scripts.values():
                                # cells read by place: which column each is; a phrase
                                # searched for in lines that two fields hold
                                for said in (positions_read(text, values, question,
                                                            f"The script that answered "
                                                            f"{s.shown()}"),
                                             phrase_fields(text, values, self.registry,
                                                           question),
                                             unasked_note(text, question, values,
                                                          self.registry,
                                                          f"The script that answered "
                                                          f"{s.shown()}")):
                                    if said and said not in notes:
                                        notes.append(said)
                        feedback += "".join("\n" + n for n in notes[:3])
                    if not challenge and self.profile.look_after_failure:
                        # a script of this round whose answer was set aside, and why: else
                        # the model draws it again, told only of the answer that stood
                        # (fresh dev lookup-01: a search that never matched, drawn 3 times)
                        kept = {s.key for s in tally.ranked()}
                        aside = next((o for o, _ in answers if o.empty_search is not None
                                      and answer_key(o.answer) not in kept), None)
                        if aside is not None and aside.empty_search not in feedback:
                            feedback += (f"\nAnother script answered {aside.answer!r}, which "
                                         f"is set aside: {aside.empty_search}")
                    # a zero against a count, or a lone zero: where its test misses, if known
                    zero = next((s for s in tally.ranked() if tally.zero_against_count(s)
                                 or tally.unopposed() and counts_nothing(s.value)), None)
                    if not challenge and zero is not None and self.profile.look_after_failure:
                        found = searched_elsewhere(next(iter(zero.scripts.values())), values,
                                                   self.registry)
                        feedback += "\n" + found if found else ""
                        rounded, ran = first_zero_look(zero.scripts.values(), setup)
                        feedback += "\n" + rounded if rounded else ""
                        feedback += self._unasked_zero(zero.scripts.values(), question, values)
                        probes += ran
                    if self.profile.look_after_failure:  # a failed search for a concept
                        meaning = next((m for o, s in outcomes if o.status != "submitted"
                                        or _finds_nothing(o, s)
                                        if (m := self._meaning(s, values, question))), None)
                        feedback += "\n" + meaning if meaning else ""
                else:
                    if valueless:
                        kind, _, (o, script) = valueless[0]
                        feedback = no_value_message(NO_VALUE_KINDS[kind], o.answer, question,
                                                    texts)
                    elif guessed:
                        script = guessed[0][1]
                        feedback = guess_message(guessed[0][0].answer, data,
                                                 {n: values[n] for n in text_inputs},
                                                 question, printed=guessed[0][0].output)
                        # a script that read the data and stopped on the way (dev
                        # needle-02: the combination's line cut as "1669, as noted by
                        # ...", and int() of it) is nearer an answer than the guess:
                        # its error is said too, or the model wrote the guess again
                        crashed = [(o, t) for o, t in outcomes if o.stage == "run"
                                   and o.status == "error" and o.diagnostics]
                        if crashed and self.profile.look_after_failure:
                            o, t = crashed[0]
                            feedback += ("\nAnother script of this round read the data and "
                                         "stopped:\n" + o.diagnostics[0].render(t)[:700]
                                         + "\nMend that script, rather than write the "
                                         "answer in.")
                    else:
                        feedback, script = self._failure_feedback(outcomes, text_inputs,
                                                                  conv.scripts(), prose,
                                                                  firsts, values,
                                                                  question, tried.mended)
                        if tried.same_failure_as_before(outcomes):
                            feedback += ("\nThis failed the same way as your previous "
                                         "attempt. Take a different approach.")
                            tried.diversify = True
                    forget = tried.stuck and self.profile.forget_when_stuck
                    if forget:
                        feedback = stuck_note(feedback)
                observed = {"iteration": iteration, "text": feedback, "script": script}
                if probes:  # the controller's own scripts behind what the feedback says
                    observed["probes"] = probes
                if challenge:  # the answer the vote forgot (replay forgets it too)
                    observed["copied_line"] = challenged_key
                if whole is not None:  # ... and the whole token offered for it
                    observed["whole_token"] = whole
                if forget:
                    observed["forget"] = True
                self._write(log, "observation", observed, sync=True)
                self._emit("observation", {"iteration": iteration, "text": feedback})
                if forget:
                    conv.forget_attempts(feedback)
                else:
                    conv.add_attempt(script, feedback)
            iterations = int(meter.used.get("iterations", 0))
            leader = tally.leader()
            if leader is not None and tally.taken_unconfirmed(True, again=True) \
                    and leader.key in answered and answered[leader.key][1] < iterations \
                    and not (self.profile.challenge_hops
                             and hop_short(leader.value, question, tables) is not None):
                # the run's one answer, which the last round would have taken had it given it
                # again, and no later round contradicted (each failed): taken as it would be
                # (on dev runs, 4 of the 4 such answers were right)
                winner, round_of = answered[leader.key]
                return self._submit(log, meter, stats, store, iterations, winner, tally, 0,
                                    store.version, from_iteration=round_of)
            if tally.answers:
                return self._uncertain(log, meter, stats, tally, iterations)
            reason = f"the iterations budget ({self.limits.iterations_per_run}) ran out " \
                     "without an answer"
            return self._finish(log, meter, stats, "no_answer", best_answer, reason,
                                iterations)
        except BudgetExceeded as e:
            self._write(log, "budget", {"iteration": int(meter.used.get("iterations", 0)),
                                        "name": e.name, "limit": e.limit, "used": e.used})
            iterations = int(meter.used.get("iterations", 0))
            if tally.answers:
                return self._uncertain(log, meter, stats, tally, iterations,
                                       f"the {e.name} budget tripped ({e.used} used of "
                                       f"{e.limit}) before the scripts agreed")
            reason = f"the {e.name} budget tripped ({e.used} used of {e.limit})"
            return self._finish(log, meter, stats, "no_answer", best_answer, reason,
                                iterations)

    def _submit(self, log: LogWriter | None, meter: Meter, stats: dict[str, Any],
                store: StateStore, iteration: int, winner: ScriptOutcome, tally: Tally,
                candidates: int, base: int, from_iteration: int = 0) -> RunOutcome:
        """Commit the winner's state writes, log the submit and end the run (the winner
        `from_iteration`, an earlier round, where the run's one answer is taken at its end)."""
        version = store.commit_writes(winner.writes, {
            "step": iteration, "script_sha256": winner.script_sha256, "run_id": self._run_id},
            base) if winner.writes else None
        if version is not None:
            self._write(log, "state_commit", {
                "iteration": iteration, "version": version,
                "state_hash": store.state_hash(version),
                "diff": store.diff(version)}, sync=True)
        payload = {"iteration": iteration, "value": winner.answer,
                   "script_sha256": winner.script_sha256,
                   "votes": tally.votes(),
                   "candidates": candidates}
        if from_iteration:
            payload["from_iteration"] = from_iteration
        self._write(log, "submit", payload, sync=True)
        self._emit("submit", payload)
        return self._finish(log, meter, stats, "answered", winner.answer, "submitted",
                            iteration, tally)

    def _uncertain(self, log: LogWriter | None, meter: Meter, stats: dict[str, Any],
                   tally: Tally, iterations: int, why: str = "") -> RunOutcome:
        """No answer has the evidence: report every candidate answer, commit nothing."""
        leader = tally.leader()
        shown = "; ".join(f"{s.shown(REASON_ANSWER_CHARS)} "
                          f"({draws_text(s.draws, len(s.scripts))})"
                          for s in tally.ranked()[:5])  # an answer may be a whole input
        reason = (why or "the scripts disagree and no round was left") + f": {shown}"
        return self._finish(log, meter, stats, "uncertain",
                            leader.value if leader else None, reason, iterations, tally)

    def _failure_feedback(self, outcomes: list[tuple[ScriptOutcome, str]],
                          text_inputs: list[str], earlier: list[str],
                          prose: frozenset[str], firsts: Mapping[str, Mapping[str, str]],
                          values: Mapping[str, Any], question: str = "",
                          mended: Collection[str] = ()) -> tuple[str, str]:
        """The most instructive failure of a round, as the model's next user turn
        (`earlier`: the scripts of the rounds before; `prose`: the inputs of no table;
        `firsts`: each table input's first record; `values`: the inputs; `mended`: the
        fix-its, preferred at the same stage: their errors are what is left to mend)."""
        best, script = max(outcomes, key=lambda p: (_failure_rank(p[0], mended),
                                                    p[0].script_sha256 in mended,
                                                    -outcomes.index(p)))
        if best.answer_error is not None:
            return feedback_message(script, [best.answer_error], best.output), script
        fresh = fresh_start_hint(best.diagnostics, earlier)
        texts = [v for n in text_inputs if isinstance(v := values.get(n), str)]
        look = ""
        elsewhere = field_elsewhere_hint(best.diagnostics, firsts) if best.stage == "run" \
            else ""
        if not elsewhere and best.stage in ("done", "run") and self.profile.look_after_failure:
            found = searched_elsewhere(script, values, self.registry)
            found = found or self._meaning(script, values, question)
            elsewhere = "\n" + found if found else ""
        if elsewhere:  # the field, or the phrase, is in another input: say which, not "look"
            look = elsewhere
        elif self.profile.look_after_failure and best.stage in ("done", "run") \
                and not best.output.strip():
            look = look_hint([n for n in text_inputs if n in script], crashed=best.stage == "run",
                             prose=prose)
        if best.status == "submitted":  # an empty answer: what it printed, if anything
            lines = _empty_answer_lines(best, script, question, texts,
                                        self.profile.look_after_failure)
            return empty_answer_message(best.output, best.answer, search=best.empty_search,
                                        lines=lines) + ("" if lines else look), script
        if best.status == "failed":  # its own fail(...): the message it wrote says why
            found = search_results(script, values, self.registry) \
                if self.profile.look_after_failure and not elsewhere else None
            # what it looked for that no line writes (no record's field), said first
            nothing = header_test(script, values) or empty_search(
                script, values, self.registry) \
                if self.profile.look_after_failure and not elsewhere and not found else None
            if found:  # it found lines: "if it found nothing" does not apply
                look = "\n" + found
            elif nothing:
                look = f"\n{nothing.rstrip('.')}." + look
            return failed_message(best.answer, best.output) + look + fresh, script
        said = feedback_message(script, best.diagnostics, best.output)
        key = next((m.group(2) for d in best.diagnostics[:1]
                    if (m := NOT_A_NUMBER.match(d.message))), None)
        hint = key_not_value_message(key, question, texts) if key and best.stage == "run" \
            else None
        if hint:  # the question's key converted as if it were the value
            return said + "\n" + hint + fresh, script
        return said + look + fresh, script

    def _examples(self, question: str, infos: list[InputInfo],
                  text_inputs: list[str]) -> list[Any]:
        """Worked examples for the prompt: the nearest by kind and shape, or the library's own."""
        if not self.profile.examples_by_kind:
            return self._library[:self.n_examples]
        return [adapted(e, text_inputs) for e in nearest(
            question, self._library, k=self.n_examples,
            input_names=tuple(i.name for i in infos), n_text_inputs=len(text_inputs),
            shape=data_shape(" ".join(i.sample for i in infos if i.name in text_inputs)))]

    def _preview(self, values: dict[str, Any], text_inputs: list[str]) -> dict[str, list[str]]:
        """The first lines of each text input, as many as the profile shows (none: tiny)."""
        n = self.profile.preview_lines
        if n <= 0:
            return {}
        return {name: first_lines(values[name], n) for name in text_inputs}

    def _first_records(self, values: dict[str, Any], text_inputs: list[str],
                       question: str) -> dict[str, dict[str, str]]:
        """Each table-like text input's first record as records() reads it (none: tiny)."""
        if not self.profile.record_preview:
            return {}
        found = {name: first_record(values[name], question) for name in text_inputs}
        return {name: r for name, r in found.items() if r}

    def _key_lines(self, values: dict[str, Any], text_inputs: list[str], question: str,
                   preview: dict[str, list[str]]) -> dict[str, list[tuple[str, list[str], bool]]]:
        """Lines of each text input that hold the question's terms (none: tiny)."""
        n = self.profile.key_lines
        if n <= 0:
            return {}
        return {name: key_lines(values[name], question, n, skip=tuple(preview.get(name, ())),
                                width=PREVIEW_CHARS) for name in text_inputs}

    def _warm(self, conv: Conversation, stats: dict[str, Any]) -> None:
        """Load (or evaluate and keep) the state of the prompt's fixed part: card, tools, examples.

        The task's own turn and everything after it vary; what comes before is
        the same for every task with the same model, profile and tools. Its time is
        the model's (`warm_seconds`): evaluated afresh, after the card changed, it is
        half a minute of prefill that the bench had counted as the runtime's overhead.
        """
        warm = getattr(self.backend, "warm_prefix", None)
        if not callable(warm) or conv.fixed < 2 or not self.profile.keep_prefix:
            return
        self._emit("warm", {"model": getattr(self.backend, "name", "")})
        prefix = self.backend.chat_prompt(conv.messages[:conv.fixed - 1],
                                          add_generation_prompt=False)
        started = time.perf_counter()
        warm(prefix)
        stats["warm_seconds"] = round(time.perf_counter() - started, 3)

    def _fitting_prompt(self, conv: Conversation) -> str:
        """The chat as a prompt, oldest attempts dropped until it fits with a script."""
        prompt = self.backend.chat_prompt(conv.messages)
        room = int(self.backend.context_size) - self.limits.tokens_per_script
        while self.backend.count_tokens(prompt) > room and conv.drop_oldest_attempt():
            prompt = self.backend.chat_prompt(conv.messages)
        return prompt

    def _round(self, iteration: int, prompt: str, grammar: str | None, setup: ScriptSetup,
               meter: Meter, log: LogWriter | None, stats: dict[str, Any],
               tried: _Tried) -> list[tuple[ScriptOutcome, str]]:
        outcomes: list[tuple[ScriptOutcome, str]] = []
        seen: dict[str, ScriptOutcome] = {}
        n = max(1, self.limits.candidates_per_round)
        # A repeat is drawn once more, hotter (profile.redraw_repeats): a model that
        # writes the same script at 1.0 too rarely changes it at a second hot draw, and
        # each draw of the 1.5B costs about ten seconds.
        draws = n
        c = -1
        fresh = 0  # draws of a script not run before
        while c + 1 < draws:
            c += 1
            meter.check("seconds")
            left = meter.left("tokens")
            if left <= 0:
                raise BudgetExceeded("tokens", self.limits.tokens_per_run, meter.used["tokens"])
            # After a round that failed like the one before it, no greedy draw: the
            # greedy script would be the same one again; nor for a draw after a repeat.
            temperature = 1.0 if tried.diversify or c >= n else (0.0 if c == 0 else 0.7)
            seed = self.seed + 1000 * iteration + c
            self._emit("generate", {"iteration": iteration, "candidate": c + 1,
                                    "of": draws, "used": meter.snapshot()})
            gen = self.backend.generate(
                prompt, grammar=grammar,
                max_tokens=int(min(self.limits.tokens_per_script, left)),
                temperature=temperature, seed=seed,
                stop=None if grammar else self._free_stops())
            meter.add("tokens", gen.tokens)
            stats["tokens"] += gen.tokens
            stats["gen_seconds"] += gen.prompt_seconds + gen.gen_seconds
            stats["candidates"] += 1
            script = clean_script(gen.text)
            sha = hashlib.sha256(script.encode()).hexdigest()
            if c == 0:
                tried.greedy = {sha} if temperature == 0.0 else set()
            self._write(log, "generation", {
                "iteration": iteration, "candidate": c + 1, "temperature": temperature,
                "seed": seed, "text": gen.text, "script_sha256": sha,
                "tokens": gen.tokens, "prompt_tokens": gen.prompt_tokens,
                "cached_tokens": gen.cached_tokens,
                "seconds": round(gen.prompt_seconds + gen.gen_seconds, 3),
                "stop_reason": gen.stop_reason})
            self._emit("generation", {"iteration": iteration, "candidate": c + 1,
                                      "tokens": gen.tokens,
                                      "tokens_per_s": round(gen.tokens_per_second, 1),
                                      "script": script})
            if self.profile.redraw_repeats and draws < n + 1 and (
                    sha in seen or sha in tried.failed or computation(script) in tried.answered):
                draws += 1  # a repeat: another draw instead
            if sha in seen:  # the same script again in this round
                outcomes.append((seen[sha], script))
                continue
            earlier = tried.failed.get(sha)
            if earlier is not None:  # failed in an earlier round: never run again
                self._write(log, "verdict", {
                    "iteration": iteration, "candidate": c + 1, "script_sha256": sha,
                    "stage": earlier[0].stage, "accepted": False, "bytecode_hash": None,
                    "diagnostics": [d.to_json() for d in earlier[0].diagnostics],
                    "proof": None, "repeat_of": earlier[1]})
                stats["repeats"] = stats.get("repeats", 0) + 1
                failure = _FAILURE_COUNTER.get(earlier[0].stage)
                if failure is not None:  # a generated script that fails, though not run again
                    stats[failure] += 1
                outcomes.append((earlier[0], script))
                seen[sha] = earlier[0]
                continue
            outcome = seen[sha] = self._execute(iteration, c + 1, script, sha, setup, log)
            fresh += sha not in tried.no_value
            if outcome.status != "submitted" or _finds_nothing(outcome, script):
                tried.failed[sha] = (outcome, {"iteration": iteration, "candidate": c + 1})
            elif self.profile.redraw_repeats:
                tried.answered.add(computation(script))
            failure = _FAILURE_COUNTER.get(outcome.stage)
            if failure is not None:
                stats[failure] += 1
            outcomes.append((outcome, script))
        if self.profile.fixits:
            self._fixits(iteration, outcomes, seen, setup, log, stats, tried)
        tried.diversify = False
        tried.stuck = fresh == 0  # every draw a script that had failed (or given no value)
        return outcomes

    def _free_stops(self) -> list[str]:
        """Where free generation stops: the model's end-of-turn texts and the profile's own."""
        return end_texts(self.backend) + list(self.profile.free_stops)

    def _fixits(self, iteration: int, outcomes: list[tuple[ScriptOutcome, str]],
                seen: dict[str, ScriptOutcome], setup: ScriptSetup, log: LogWriter | None,
                stats: dict[str, Any], tried: _Tried) -> None:
        """Run, as extra candidates, the scripts a tool's fix-it corrects (see fixits.py);
        the fix-it of the greedy draw joins `tried.greedy`; a carried-over one is recorded
        with the script it carries from (`tried.carried`), whose computation it is."""
        generated = list(outcomes)
        number = len(generated)
        for parent, (outcome, script) in enumerate(generated, start=1):
            if number - len(generated) >= _MAX_FIXITS:
                break
            # a loop variable named like an earlier value or an input first: the checker
            # read its items as that value, and its other fix-its mend the wrong thing
            # (`for staff in staffs: staff["name"]`, staff an input, became a list of
            # every record's name: fresh dev inject-14)
            fixed, source = shadowed_loop_name(script, outcome.diagnostics), None
            fixed = fixed or apply_fixits(script, outcome.diagnostics) \
                or name_thrown_away(script, outcome.diagnostics) \
                or value_side(script, outcome.diagnostics, current_question())
            if fixed is None and outcome.empty_search is not None:  # a filter not asked for
                fixed = without_copied(script, current_question(), setup.inputs,
                                       self.registry) \
                    or sorted_by_filter(script, current_question(), set(setup.inputs)) \
                    or without_range_search(script, current_question(), lambda call:
                                            search_spec(call, self.registry) is not None) \
                    or as_percent(script, outcome.answer, current_question()) \
                    or find_guarded(script, outcome.answer, data_texts(setup.inputs))
            if fixed is None and outcome.verified:  # keys searched for at once
                fixed = each_key_search(script, setup.inputs, self.registry,
                                        current_question())
            if outcome.verified:  # a date read from a column of none (the range fix-it's too)
                fixed = date_cell(fixed or script, setup.inputs, current_question()) or fixed
            if fixed is None:
                carried = carry_over(script, outcome.diagnostics, tried.earlier)
                if carried is None:
                    continue
                fixed, source = carried
            sha = hashlib.sha256(fixed.encode()).hexdigest()
            if source is not None:
                tried.carried[sha] = source
            if sha in seen:
                continue
            number += 1
            self._write(log, "generation", {
                "iteration": iteration, "candidate": number, "temperature": None,
                "seed": None, "text": fixed, "script_sha256": sha, "tokens": 0,
                "prompt_tokens": 0, "cached_tokens": 0, "seconds": 0.0,
                "stop_reason": "fixit", "fixit_of": parent})
            tried.mended.add(sha)
            if outcome.script_sha256 in tried.greedy:  # the greedy draw, mended
                tried.greedy.add(sha)
            fixed_outcome = seen[sha] = self._execute(iteration, number, fixed, sha, setup, log)
            stats["fixits"] = stats.get("fixits", 0) + 1
            outcomes.append((fixed_outcome, fixed))

    def _execute(self, iteration: int, number: int, script: str, sha: str,
                 setup: ScriptSetup, log: LogWriter | None) -> ScriptOutcome:
        """Run one candidate through the pipeline, recording its tool calls, and log it."""
        calls: list[dict[str, Any]] = []
        setup.recorder = calls.append
        if self.call_limits is not None:  # nested: what the calling script has left
            left = {k: max(0, v - self.calls_spent[k]) for k, v in self.call_limits.items()}
            setup.budgets = dataclasses.replace(self.limits,
                                                tool_calls_per_script=left["tool_calls"],
                                                llm_calls_per_script=left["llm_calls"])
        outcome = execute_script(script, setup)
        if outcome.status == "submitted":
            outcome.empty_search = set_aside(script, outcome.answer, setup, current_question())
        for k in self.calls_spent:
            self.calls_spent[k] += outcome.calls.get(k, 0)
        outcome.script_sha256 = sha
        self._log_outcome(log, iteration, number, sha, outcome, calls)
        return outcome

    def _log_outcome(self, log: LogWriter | None, iteration: int, candidate: int, sha: str,
                     outcome: ScriptOutcome, calls: list[dict[str, Any]]) -> None:
        self._write(log, "verdict", {
            "iteration": iteration, "candidate": candidate, "script_sha256": sha,
            "stage": outcome.stage, "accepted": outcome.verified,
            "bytecode_hash": outcome.bytecode_hash,
            "diagnostics": [d.to_json() for d in outcome.diagnostics],
            "proof": outcome.proof})
        if outcome.bytecode_hash:
            self._write(log, "bytecode", {"iteration": iteration, "candidate": candidate,
                                          "hash": outcome.bytecode_hash,
                                          "code": outcome.bytecode})
        for call in calls:
            self._write(log, "tool_call", {"iteration": iteration, "candidate": candidate,
                                           **call})
        if outcome.verified:
            self._write(log, "output", {
                "iteration": iteration, "candidate": candidate, "status": outcome.status,
                "value": outcome.value, "answer": outcome.answer, "printed": outcome.output,
                "fuel": outcome.fuel_used, "writes": outcome.writes,
                "end_line": outcome.vm.end_line if outcome.vm is not None else 0}, sync=True)
        self._emit("verdict", {"iteration": iteration, "candidate": candidate,
                               "stage": outcome.stage, "status": outcome.status,
                               "value": outcome.answer,
                               "diagnostics": [d.code for d in outcome.diagnostics]})

    def _finish(self, log: LogWriter | None, meter: Meter, stats: dict[str, Any], status: str,
                answer: Any, reason: str, iterations: int,
                tally: Tally | None = None) -> RunOutcome:
        used = meter.snapshot()
        stats["wall_seconds"] = used["seconds"]
        stats["sub_seconds"] = used.get("sub_seconds", 0.0)
        vote = tally.to_json() if tally is not None else []
        payload = {"status": status, "answer": answer, "reason": reason,
                   "iterations": iterations, "used": used, "stats": stats, "vote": vote}
        self._write(log, "run_end", payload, sync=True)
        self._emit("run_end", payload)
        return RunOutcome(status, answer, reason, iterations,
                          str(self.log_path) if self.log_path else None, used, stats, vote)

    @staticmethod
    def _write(log: LogWriter | None, kind: str, payload: dict[str, Any],
               sync: bool = False) -> None:
        if log is not None:
            log.append(kind, payload, sync=sync)


def now() -> float:
    return time.time()


def _empty_answer_lines(outcome: ScriptOutcome, script: str, question: str,
                        texts: list[str], look: bool) -> list[str]:
    """The lines shown beside an empty answer: those of the question's key for a list
    with an empty item; for an empty text from a script that splits and printed nothing
    (a piece a split cut empty), where the profile looks, those of what the question
    names."""
    if has_empty_item(outcome.answer):
        return asked_key_lines(question, texts)
    if look and isinstance(outcome.answer, str) and not outcome.answer.strip() \
            and not outcome.output.strip() and ".split(" in script:
        return [line for t in texts for _, found, _ in key_lines(t, question, 2)
                for line in found][:2]
    return []


def _failure_rank(outcome: ScriptOutcome, mended: Collection[str]) -> int:
    """How far a failed script got (_STAGE_RANK); a fix-it that crashed when it ran got
    past what stopped its parent (the parent's search that found nothing, its fail()
    after it): its error is what is left to mend (fresh dev multi-needle-03: the keys
    searched one by one, `int("9643.")` crashed, and the model was shown its parent's
    fail() again, two rounds)."""
    if outcome.stage == "run" and outcome.script_sha256 in mended:
        return _STAGE_RANK["done"]
    return _STAGE_RANK.get(outcome.stage, 0)


def _finds_nothing(outcome: ScriptOutcome, script: str) -> bool:
    """A submitted answer that says nothing was found: empty, the script's own text for
    it, or a zero its search found nothing for (task/searches.py). No vote, and the
    script counts as failed."""
    return found_nothing(outcome.answer, script) or outcome.empty_search is not None


@dataclass
class _Tried:
    """What a run has already tried: failed and answering scripts by digest, and the last
    round's failure.

    A script identical to one that failed is never run again; a round that fails
    the same way as the one before makes the next round draw only samples.
    """

    failed: dict[str, tuple[ScriptOutcome, dict[str, int]]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # computations that gave an answer
    last_failure: frozenset[tuple[str, str]] | None = None
    diversify: bool = False
    stuck: bool = False  # the last round drew only scripts that had failed before
    greedy: set[str] = field(default_factory=set)  # this round's greedy draw and its fix-it
    earlier: list[str] = field(default_factory=list)  # the scripts the chat shows so far
    # a carried-over fix-it -> the earlier script it carries its statements from
    carried: dict[str, str] = field(default_factory=dict)
    # scripts whose answer was no value read from the data (a guess, an echo, a bulk):
    # run again when drawn again (an output since may vouch for a literal), but no fresh
    # draw: the 1.5B drew the script that submitted a guess at every temperature, three
    # rounds running, and each round said the same to it
    no_value: set[str] = field(default_factory=set)
    # fix-its run this run: at a failing stage no earlier than their parent's, a fix-it's
    # errors are the ones still left once the parent's are mended, so its failure is the
    # one the model is shown (top-k: shown the parent's `for r in shipments`, which the
    # fix-it had mended, the greedy draw wrote the same script three rounds running)
    mended: set[str] = field(default_factory=set)

    def same_failure_as_before(self, outcomes: list[tuple[ScriptOutcome, str]]) -> bool:
        failure = frozenset((o.stage, d.code + ":" + d.message) for o, _ in outcomes
                            for d in o.diagnostics[:1])
        same = failure == self.last_failure
        self.last_failure = failure
        return same
