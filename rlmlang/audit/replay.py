"""Replay: run every accepted script again from its recorded bytecode, and compare.

For each accepted candidate, in log order:

1. the script text hashes to the recorded `script_sha256`;
2. the recorded bytecode loads and validates (`compiler.load` with the
   recorded hash as the expected one: the bytes are the ones that were
   verified), and a fresh compile of the recorded script text gives the same
   hash — so the bytecode is what the script means;
3. the script goes through the one pipeline (`pipeline.execute_script`, as
   the controller ran it), whose bytecode, equal to the recorded, runs against
   the state the script saw, with the recorded tool and sub-model results fed
   back through `ToolContext`'s replay iterator (no tool is touched; a call
   that differs from the recording diverges);
4. status, submitted value, printed text, fuel, state writes, runtime
   diagnostics and the tool calls made are compared with the log in
   canonical JSON, byte for byte.

Per round, the winner's writes are committed to a fresh in-memory store and
the diff must equal the logged `state_commit` diff (and, with the recorded
store at hand, the state hash of that version); the submitted value and the
votes (scripts drawn per answer, over every round so far, as the
controller counts them) are recomputed from the replayed outcomes. The first divergence stops
the replay (later state would differ anyway) and is reported with both sides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rlmlang.audit.recorded import RecordedRun
from rlmlang.audit.runview import Candidate, Iteration
from rlmlang.compiler import load
from rlmlang.store import canonical_json
from rlmlang.task.answers import AnswerError, coerce_answer

_CALL_META = ("iteration", "candidate")


@dataclass
class Divergence:
    line: int
    where: str  # "iteration 2 script 1"
    what: str  # which quantity differs
    recorded: Any
    replayed: Any
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "where": self.where, "what": self.what,
                "recorded": self.recorded, "replayed": self.replayed, "message": self.message}

    def render(self, limit: int = 400) -> str:
        def show(v: Any) -> str:
            t = canonical_json(v) if not isinstance(v, str) else repr(v)
            return t if len(t) <= limit else t[:limit] + f"… ({len(t)} chars)"

        head = f"line {self.line}: {self.where}: {self.what} differs"
        if self.message:
            head += f" ({self.message})"
        return f"{head}\n  recorded: {show(self.recorded)}\n  replayed: {show(self.replayed)}"


@dataclass
class ReplayResult:
    divergence: Divergence | None = None
    blocked: str | None = None
    blocked_code: str = "E_LOG"  # E_STATE when what is missing is the state store
    scripts: int = 0  # accepted scripts re-executed
    tool_calls: int = 0  # recorded calls fed back
    commits: int = 0
    events: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.blocked is None and self.divergence is None

    def to_json(self) -> dict[str, Any]:
        return {"identical": self.identical, "blocked": self.blocked,
                "blocked_code": self.blocked_code if self.blocked else None,
                "divergence": self.divergence.to_json() if self.divergence else None,
                "scripts": self.scripts, "tool_calls": self.tool_calls,
                "commits": self.commits, "events": self.events,
                "seconds": round(self.seconds, 4), "notes": list(self.notes)}


class _Diverged(Exception):
    def __init__(self, d: Divergence):
        super().__init__(d.what)
        self.d = d


def _answer(value: Any, rec: RecordedRun) -> Any:
    """The submitted value as the controller counted it: converted to the output type."""
    try:
        return coerce_answer(value, rec.signature.output.type if rec.signature else None,
                             current_question())  # the run's task, as the replay sets it
    except AnswerError:
        return None


from rlmlang.controller.difference import set_aside  # noqa: E402
from rlmlang.controller.profiles import PROFILES  # noqa: E402
from rlmlang.task.answers import found_nothing, no_value  # noqa: E402
from rlmlang.task.guess import data_inputs, data_texts, submits_from_data  # noqa: E402
from rlmlang.task.vote import Tally  # noqa: E402
from rlmlang.tools.reader import current_question, task_question  # noqa: E402


def replay(rec: RecordedRun) -> ReplayResult:
    """Re-execute the run; `identical` when every compared quantity matches."""
    t0 = time.perf_counter()
    res = ReplayResult(events=len(rec.view.events))
    if rec.blocked:
        res.blocked = rec.blocked
    elif rec.store is None:
        res.blocked_code = "E_STATE"
        res.blocked = (f"replay needs the run's state store ({rec.store_path}): it holds the "
                       "inputs the scripts read. Pass --state PATH if it was moved")
    elif rec.placeholders:
        res.blocked_code = "E_STATE"
        res.blocked = ("the state store does not hold a readable copy of input(s) "
                       + ", ".join(rec.placeholders) + ": nothing to replay against")
    if res.blocked:
        return res
    view = rec.view
    start_version = int(view.start.data.get("state_version") or 0) if view.start else 0
    store = rec.state_store(start_version)  # the replay's own, evolving state
    question = str(view.start.data.get("task") or "") if view.start else ""
    tally = Tally(question)  # the controller's vote, counted the same way
    earlier: dict[str, tuple[Candidate, dict[str, Any]]] = {}  # script sha -> its outcome
    try:
        with task_question(question):  # headerless tables are named as in the run
            for it in view.iterations:
                if it.abandoned:
                    continue  # cut short by a kill; the resume ran the round again
                store = _round_state(rec, it, store, res)
                _replay_round(rec, it, store, res, tally, earlier)
    except _Diverged as e:
        res.divergence = e.d
    finally:
        store.close()
        res.seconds = time.perf_counter() - t0
    return res


def _round_state(rec: RecordedRun, it: Iteration, store: Any, res: ReplayResult) -> Any:
    """The state a round's scripts read. Runs that share a store see other runs' commits
    between their rounds: the prompt records the version the round read, and when the
    replayed state is not that version's, the replay continues from the recorded one."""
    base = it.prompt.data.get("state_version") if it.prompt is not None else None
    if rec.store is None or not isinstance(base, int) or not 0 <= base <= rec.store.version:
        return store
    if store.state_hash() == rec.store.state_hash(base):
        return store
    res.notes.append(f"iteration {it.number} read version {base} of the store, which another "
                     "writer had changed since the previous round: replayed from that version")
    store.close()
    return rec.state_store(base)


def _same(a: Any, b: Any) -> bool:
    return canonical_json(a) == canonical_json(b)


def _check(line: int, where: str, what: str, recorded: Any, replayed: Any,
           message: str = "") -> None:
    if not _same(recorded, replayed):
        raise _Diverged(Divergence(line, where, what, recorded, replayed, message))


def _replay_round(rec: RecordedRun, it: Iteration, store: Any, res: ReplayResult,
                  tally: Tally, earlier: dict[str, tuple[Candidate, dict[str, Any]]]) -> None:
    outcomes: dict[int, dict[str, Any]] = {}  # candidate number -> replayed outcome
    for c in it.candidates:
        if c.duplicate_of is not None:
            if c.duplicate_of in outcomes:
                outcomes[c.number] = outcomes[c.duplicate_of]
            continue
        if not c.accepted:
            continue
        outcomes[c.number] = _replay_candidate(rec, c, store, res)
    start = rec.view.start.data if rec.view.start else {}
    profile = PROFILES.get(str(start.get("profile") or ""))
    data = data_inputs(list(start.get("inputs") or {})) if profile and profile.no_guesses else []
    spaces = {n.split(".", 1)[0] for n in start.get("tools") or {} if "." in n}
    setup = None
    known = tally.values()  # as the controller: the earlier rounds' answers
    for n, o in sorted(outcomes.items()):  # the controller's vote: every draw counts
        answer = _answer(o["value"], rec)
        c = next(c for c in it.candidates if c.number == n)
        if o["status"] == "submitted":  # as the controller: what it found for nothing
            setup = setup or rec.setup(store)
            if set_aside(c.raw_text, answer, setup, current_question()) is not None:
                continue
        if o["status"] == "submitted" and profile is not None:
            texts: list[str] = []
            if profile.challenge_copied_lines:
                setup = setup or rec.setup(store)
                texts = data_texts(setup.inputs)
            if no_value(answer, str(start.get("task") or ""), texts, echo=profile.no_guesses,
                        bulk=profile.challenge_copied_lines):
                continue  # as the controller: what the question writes, or a bulk of an input
        if o["status"] == "submitted" and not found_nothing(answer, c.raw_text):
            # a guess is no vote (task/guess.py), unless the run vouches for it (Tally.vouched)
            if submits_from_data(c.raw_text, data, spaces, answer, o.get("end_line", 0)) \
                    or tally.vouched(answer, known):
                tally.add(answer, c.script_sha256, c.raw_text, it.number)
    for c in it.candidates:  # as the controller: what a later round may read off
        o = outcomes.get(c.duplicate_of if c.duplicate_of is not None else c.number)
        if o is not None:
            tally.saw(c.raw_text, str(o.get("printed") or ""))
    if it.observation is not None and it.observation.data.get("conflict"):
        tally.clear()  # as the controller: answers computed on a state that changed are void
    if it.observation is not None and it.observation.data.get("copied_line"):
        tally.drop(it.observation.data["copied_line"])  # sent back as a copied line
    if it.observation is not None and it.observation.data.get("whole_token"):
        tally.offer(it.observation.data["whole_token"])  # the token it was cut from
    for c in it.candidates:  # what an answer taken at the run's end may come from
        if c.number in outcomes:
            earlier.setdefault(c.script_sha256, (c, outcomes[c.number]))
    submit = it.submit
    winner = it.winner()
    if submit is not None and winner is None and submit.data.get("from_iteration") and \
            submit.data.get("script_sha256") in earlier:  # the run's one answer, taken at its end
        winner, found = earlier[submit.data["script_sha256"]]
        outcomes[winner.number] = found
    if it.commits:
        if winner is None or winner.number not in outcomes:
            ev = it.commits[0]
            raise _Diverged(Divergence(ev.line, f"iteration {it.number}", "state_commit",
                                       ev.data.get("diff"), None,
                                       "a state commit with no accepted, submitted script "
                                       "that could have made it"))
        writes = outcomes[winner.number]["writes"]
        with store.transaction({"step": it.number}) as txn:
            for k, v in writes.items():
                txn.set(k, v)
        ev = it.commits[0]
        _check(ev.line, f"iteration {it.number}", "state diff", ev.data.get("diff"),
               store.diff(store.version))
        if "state_hash" in ev.data:  # what the controller recorded, when it records it
            _check(ev.line, f"iteration {it.number}", "state hash", ev.data["state_hash"],
                   store.state_hash())
        version = ev.data.get("version")
        if rec.store is not None and isinstance(version, int) and 1 <= version <= \
                rec.store.version:
            _check(ev.line, f"iteration {it.number}", "state hash",
                   rec.store.state_hash(version), store.state_hash(),
                   f"the recorded store's version {version} against the replayed state")
        res.commits += 1
    if submit is not None:
        where = f"iteration {it.number}"
        if winner is None or winner.number not in outcomes:
            raise _Diverged(Divergence(submit.line, where, "submitted value",
                                       submit.data.get("value"), None,
                                       "no accepted script of this round made the submission"))
        _check(submit.line, where, "submitted value", submit.data.get("value"),
               _answer(outcomes[winner.number]["value"], rec))
        votes = tally.votes()
        if "votes" in submit.data:
            _check(submit.line, where, "votes", submit.data["votes"], votes)


def _replay_candidate(rec: RecordedRun, c: Candidate, store: Any,
                      res: ReplayResult) -> dict[str, Any]:
    import hashlib

    from rlmlang.pipeline import execute_script  # lazy: keeps Z3 and lark out of start-up

    where = c.label
    line = c.line
    if c.generation is None:
        raise _Diverged(Divergence(c.verdict.line if c.verdict else 0, where, "script text",
                                   c.script_sha256, None, "no generation event holds it"))
    script = c.script
    _check(c.generation.line, where, "script sha256", c.script_sha256,
           hashlib.sha256(script.encode()).hexdigest(),
           "the logged text does not hash to the logged script_sha256")
    if c.bytecode is None:
        raise _Diverged(Divergence(c.verdict.line if c.verdict else line, where, "bytecode",
                                   "an accepted script has a bytecode event", None,
                                   "the log has no bytecode for this accepted script"))
    bline = c.bytecode.line
    recorded_hash = c.bytecode.data.get("hash")
    code_json = c.bytecode.data.get("code")
    if code_json is None:
        raise _Diverged(Divergence(bline, where, "bytecode", recorded_hash, None,
                                   "the bytecode event holds only the hash, not the code"))
    loaded, problems = load(canonical_json(code_json), expect_hash=recorded_hash)
    if loaded is None:
        raise _Diverged(Divergence(bline, where, "bytecode", recorded_hash,
                                   [d.message for d in problems],
                                   "the recorded bytecode does not load and validate"))
    # A nested run's calls are in the log (marked "nested") for the record; the script
    # itself made only its own, and the llm.run result that stands for the rest.
    own = [ev for ev in c.tool_calls if not ev.data.get("nested")]
    calls = [{k: v for k, v in ev.data.items() if k not in _CALL_META} for ev in own]
    made: list[dict[str, Any]] = []
    setup = rec.setup(store)
    setup.recorder, setup.replay = made.append, iter(calls)
    # The pipeline compiles the script afresh: bytecode equal to the recorded (same hash)
    # is the recorded bytecode, which it validates against today's tools and runs.
    outcome = execute_script(script, setup, expect_hash=recorded_hash)
    if outcome.stage in ("parse", "check", "verify"):
        raise _Diverged(Divergence(
            c.verdict.line if c.verdict else line, where, "verdict", "accepted",
            [d.to_json() for d in outcome.diagnostics],
            f"the script is now rejected at the {outcome.stage} stage, so it cannot be "
            "compiled afresh"))
    _check(bline, where, "bytecode hash", recorded_hash, outcome.bytecode_hash,
           "a fresh compile of the logged script gives other bytecode")
    if outcome.stage == "compile":
        raise _Diverged(Divergence(bline, where, "bytecode", recorded_hash,
                                   [d.message for d in outcome.diagnostics],
                                   "the bytecode does not validate against today's tools"))
    assert outcome.vm is not None
    result = outcome.vm
    res.scripts += 1
    res.tool_calls += len(made)
    cline = own[0].line if own else line
    for d in result.diagnostics:
        if d.message.startswith("replay diverged"):
            k = len(made)
            at = own[k].line if k < len(own) else cline
            raise _Diverged(Divergence(at, where, f"tool call {k + 1}",
                                       d.data.get("recorded", calls[k] if k < len(calls) else None),
                                       d.data.get("actual"), d.message))
    for i, (want, got) in enumerate(zip(calls, made, strict=False)):
        _check(own[i].line, where, f"tool call {i + 1} ({want.get('tool')})", want, got)
    if len(made) != len(calls):
        _check(cline, where, "number of tool calls", len(calls), len(made),
               "the replayed script made a different number of calls")
    out = c.output
    replayed = {"status": result.status, "value": result.value, "printed": result.output,
                "fuel": result.fuel_used, "writes": dict(result.state_writes),
                "end_line": result.end_line}
    if out is None:
        raise _Diverged(Divergence(line, where, "output", None, replayed,
                                   "the log has no output event for this accepted script"))
    for field_name in ("status", "value", "printed", "fuel", "writes"):
        _check(out.line, where, field_name, out.data.get(field_name), replayed[field_name])
    if "end_line" in out.data:  # logs before it was recorded have none
        _check(out.line, where, "end_line", out.data["end_line"], replayed["end_line"])
    if c.verdict is not None:
        _check(c.verdict.line, where, "runtime diagnostics", c.verdict.data.get("diagnostics"),
               [d.to_json() for d in outcome.diagnostics])
    return replayed
