"""Reading a killed run back from its log and state store, so it can continue.

Everything a run needs to go on is already on disk: the task, signature,
policy, budgets and seed in `run_start`; the inputs as blobs in the run's
state store; each completed round's script and feedback in its
`observation`. Only completed rounds count: a round the kill cut short is
run again, which is safe because a round commits state only when it submits.

Three things make a resume safe rather than merely possible:

- **The log is held.** `load_resume` opens the log with `LogWriter.resume`,
  which takes its lock before reading or repairing it, and hands that writer
  to the controller: a second `--resume` of the same run, or a resume of a
  run still writing, is refused instead of interleaving lines.
- **The store decides what was committed.** A kill can fall between the
  store's COMMIT and the `submit` line. The store's version meta names the
  run (`run_id`) and the round (`step`), so a round whose commit is in the
  store is treated as submitted: its `state_commit` and `submit` are written
  from the store and the round's logged output, and it is never run (and
  committed) twice.
- **Nothing is silently swapped.** The store must hold the inputs
  `run_start` fingerprinted (so `--state` may point at a moved store, never
  at another run's), and the model must be the one `run_start` recorded,
  unless the caller allows a change.

The store's path is recorded relative to the log's directory
(`state_path_base: "log"`), so a log moved with its store still finds it;
older logs recorded it relative to the working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.logschema import input_digest
from rlmlang.runlog import LogWriter
from rlmlang.store import StateStore, loads
from rlmlang.task.signature import Signature, parse_signature

# The fields of a model's description that say which model it is.
_MODEL_IDENTITY = ("backend", "name", "model", "sha256")


@dataclass
class ResumeState:
    question: str
    signature: Signature
    values: dict[str, Any]
    budgets: dict[str, int]
    seed: int
    grammar: bool
    policy: Any
    state_path: Path | None
    rounds: int = 0  # completed rounds (each ended with an observation)
    attempts: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""  # said with the task after the attempts were dropped (forget_attempts)
    used: dict[str, float] = field(default_factory=dict)
    answer: Any = None  # submitted before the kill, if it was
    last_prompt: str = ""
    log: LogWriter | None = None  # the log, locked and repaired, to continue
    run_id: str | None = None
    # A round whose commit is in the store but whose submit never reached the log:
    # {"iteration", "version", "script_sha256", "value", "logged_commit"}.
    pending: dict[str, Any] | None = None
    profile: str | None = None  # the profile the run was started with (older logs: None)


def _fail(message: str, fix: str | None = None, code: str = "E_LOG",
          **data: Any) -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, message, fix=fix, data=data)])


def recorded_state_path(state_path: Path | None, log_path: Path | None) -> dict[str, Any]:
    """How run_start records the store: relative to the log's directory when there is a log."""
    if state_path is None:
        return {"state_path": None}
    if log_path is None:
        return {"state_path": str(state_path)}
    rel = os.path.relpath(os.path.abspath(state_path), os.path.abspath(log_path.parent))
    return {"state_path": rel, "state_path_base": "log"}


def resolve_state_path(start: dict[str, Any], log_path: Path) -> Path | None:
    """Where run_start says the store is, read the way it was written."""
    recorded = start.get("state_path")
    if not isinstance(recorded, str) or not recorded:
        return None
    if start.get("state_path_base") == "log":
        return log_path.parent / recorded
    return Path(recorded)  # older logs: relative to the working directory of the run


def model_identity(info: dict[str, Any] | None) -> dict[str, Any]:
    return {k: info[k] for k in _MODEL_IDENTITY if isinstance(info, dict) and k in info}


def load_resume(log_path: Path, hmac_key: bytes | None = None, *,
                state_path: Path | None = None, model: dict[str, Any] | None = None,
                allow_model_change: bool = False) -> ResumeState:
    """Read a killed run back; the returned state holds the log, locked, to continue.

    `state_path` overrides the store's recorded path (`--state`); `model` is
    the description of the model about to continue (backend.info()), which
    must be the recorded one unless `allow_model_change`.
    """
    if not log_path.is_file():
        raise _fail(f"no run log at {log_path}", "give the --log path of the run to resume")
    try:
        writer = LogWriter.resume(log_path, hmac_key)
    except DiagnosticError as e:
        d = e.diagnostics[0]
        if d.data.get("reason") == "ended":
            raise _fail(f"the run in {log_path} already finished", "start a new run instead",
                        reason="ended") from None
        if d.data.get("reason") == "locked" or d.line == 0:
            raise
        raise _fail(f"cannot resume {log_path}: {d.message} (line {d.line})",
                    "run `rlm audit` on the log") from None
    try:
        return _load(log_path, writer, state_path, model, allow_model_change)
    except BaseException:
        writer.close()
        raise


def _load(log_path: Path, writer: LogWriter, override: Path | None,
          model: dict[str, Any] | None, allow_model_change: bool) -> ResumeState:
    try:
        raw = log_path.read_bytes()
    except OSError as e:
        raise _fail(f"cannot read log {log_path}: {e.strerror or e}") from None
    events = [loads(line, "a log line") for line in raw.splitlines() if line.strip()]
    start = next((e["data"] for e in events if e["kind"] == "run_start"), None)
    if start is None:
        raise _fail(f"{log_path} has no run_start event")
    recorded, current = model_identity(start.get("model")), model_identity(model)
    if model is not None and recorded and current != recorded and not allow_model_change:
        raise _fail(f"the run in {log_path} was made with another model ({_show(recorded)}) "
                    f"than this one ({_show(current)}): its next prompts and scripts would "
                    "not be the ones the run would have written",
                    "resume with the recorded model (--model), or pass "
                    "--allow-model-change to continue anyway", code="E_USAGE",
                    recorded=recorded, current=current)
    state_path = override or resolve_state_path(start, log_path)
    if state_path is None or not state_path.exists():
        raise _fail(f"the run's state store ({state_path}) is missing: it holds the inputs",
                    "restore the .state file beside the log, or pass --state PATH")
    sig = parse_signature(start["signature"])
    store = StateStore(state_path)
    try:
        values = _inputs(store, sig, start, state_path)
        run_id = start.get("run_id")
        state = ResumeState(start["task"], sig, values, dict(start["budgets"]),
                            int(start.get("seed", 0)), bool(start.get("grammar", True)),
                            _policy(start), state_path, log=writer, run_id=run_id,
                            profile=start.get("profile"))
        _rounds(state, events)
        if state.answer is None:
            state.pending = _committed_round(store, events, state, run_id)
            if state.pending is not None:
                state.answer = state.pending["value"]
    finally:
        store.close()
    return state


def _show(identity: dict[str, Any]) -> str:
    return ", ".join(f"{k} {str(v)[:16]}" for k, v in identity.items()) or "unknown"


def _inputs(store: StateStore, sig: Signature, start: dict[str, Any],
            state_path: Path) -> dict[str, Any]:
    """The inputs kept in the store, checked against run_start's fingerprints."""
    values: dict[str, Any] = {}
    recorded = start.get("inputs") or {}
    for f in sig.inputs:
        if store.blob_info(f"input.{f.name}") is None:
            raise _fail(f"the state store {state_path} does not hold the run's input "
                        f"'{f.name}': it is not this run's store", "pass the run's own store "
                        "with --state PATH")
        text = store.get_blob(f"input.{f.name}")
        try:
            values[f.name] = text if getattr(f.type, "name", "") == "str" else \
                loads(text, f"input '{f.name}'")
        except ValueError as e:
            raise _fail(f"the state store {state_path} holds an unreadable input "
                        f"'{f.name}' ({e})", "restore the run's store") from None
        want = (recorded.get(f.name) or {}).get("sha256")
        if want is not None and input_digest(values[f.name]) != want:
            raise _fail(f"input '{f.name}' in the state store {state_path} differs from the "
                        "one run_start recorded: the store belongs to another run",
                        "pass the run's own store with --state PATH")
    return values


def _policy(start: dict[str, Any]) -> Any:
    if not start.get("policy"):
        return None
    from rlmlang.policy import Policy  # lazy: keeps Z3 out of start-up

    return Policy.from_json(start["policy"])


def _rounds(state: ResumeState, events: list[dict[str, Any]]) -> None:
    """Completed rounds, their attempts, what was used, and an answer already submitted."""
    prompt = ""
    for e in events:
        d = e["data"]
        if e["kind"] == "observation":
            state.rounds = int(d["iteration"])
            if d.get("forget"):  # the attempts were dropped, their failure said with the task
                state.attempts.clear()
                state.note = d["text"]
            elif not d.get("conflict"):  # a round retried for a conflict taught it nothing
                state.attempts.append((d.get("script", ""), d["text"]))
        elif e["kind"] == "generation" and int(d["iteration"]) <= state.rounds + 1:
            state.used["tokens"] = state.used.get("tokens", 0) + int(d.get("tokens", 0))
        elif e["kind"] == "submit":
            state.answer = d.get("value")
        elif e["kind"] == "prompt":
            prompt = (prompt + d["text"]) if d.get("extends_previous") else d["text"]
    state.used["iterations"] = state.rounds
    state.last_prompt = prompt if state.rounds else ""


def _committed_round(store: StateStore, events: list[dict[str, Any]], state: ResumeState,
                     run_id: str | None) -> dict[str, Any] | None:
    """The round after the last completed one, if its commit reached the store.

    The commit is found by the run's id and the round's number in the
    version's meta (logs from before run ids: the store's last version, if
    its script is one of the round's). Its answer is the winner's logged
    output; its state_commit may or may not have been logged.
    """
    step = state.rounds + 1
    outputs = {(e["data"].get("script_sha256") or _sha_of(events, e["data"])): e["data"]
               for e in events if e["kind"] == "output" and e["data"].get("iteration") == step}
    if run_id is not None:
        version = store.find_commit(run_id=run_id, step=step)
    else:
        last = store.last_meta() or {}
        version = store.version if last.get("step") == step and \
            last.get("script_sha256") in outputs else None
    if version is None:
        return None
    meta = store.meta(version)
    out = outputs.get(meta.get("script_sha256"))
    if out is None or out.get("status") != "submitted":
        return None
    logged = any(e["kind"] == "state_commit" and e["data"].get("iteration") == step
                 for e in events)
    return {"iteration": step, "version": version, "script_sha256": meta.get("script_sha256"),
            "value": out.get("answer"), "logged_commit": logged}


def _sha_of(events: list[dict[str, Any]], output: dict[str, Any]) -> str | None:
    """An output event's script hash, from its candidate's verdict."""
    for e in events:
        d = e["data"]
        if e["kind"] == "verdict" and d.get("iteration") == output.get("iteration") and \
                d.get("candidate") == output.get("candidate"):
            return d.get("script_sha256")
    return None


def write_pending(log: LogWriter | None, store: StateStore, state: ResumeState) -> None:
    """Log what a kill between commit and submit left unlogged, from the store itself."""
    p = state.pending
    if p is None or log is None:
        return
    if not p["logged_commit"]:
        v = p["version"]
        log.append("state_commit", {"iteration": p["iteration"], "version": v,
                                    "state_hash": store.state_hash(v), "diff": store.diff(v),
                                    "recovered": True}, sync=True)
    log.append("submit", {"iteration": p["iteration"], "value": p["value"],
                          "script_sha256": p["script_sha256"], "recovered": True}, sync=True)
