"""Reading a killed run back from its log and state store, so it can continue.

Everything a run needs to go on is already on disk: the task, signature,
policy, budgets and seed in `run_start`; the inputs as blobs in the run's
state store; each completed round's script and feedback in its
`observation`. Only completed rounds count: a round the kill cut short is
run again, which is safe because a round commits state only when it submits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.controller.signature import Signature, parse_signature
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.store import StateStore


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
    used: dict[str, float] = field(default_factory=dict)
    answer: Any = None  # submitted before the kill, if it was
    last_prompt: str = ""


def _fail(message: str, fix: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic("E_LOG", message, fix=fix)])


def load_resume(log_path: Path, hmac_key: bytes | None = None) -> ResumeState:
    from rlmlang.runlog import check_chain

    if not log_path.is_file():
        raise _fail(f"no run log at {log_path}", "give the --log path of the run to resume")
    problems = [d for d in check_chain(log_path, hmac_key)
                if d.data.get("reason") not in ("no_run_end", "torn")]
    if problems:
        raise _fail(f"cannot resume {log_path}: {problems[0].message} "
                    f"(line {problems[0].line})", "run `rlm audit` on the log")
    raw = log_path.read_bytes()
    if not raw.endswith(b"\n"):  # a line torn by the kill: resume drops it, so do we
        raw = raw[: raw.rfind(b"\n") + 1]
    events = [json.loads(line) for line in raw.splitlines() if line.strip()]
    if any(e["kind"] == "run_end" for e in events):
        raise _fail(f"the run in {log_path} already finished", "start a new run instead")
    start = next((e["data"] for e in events if e["kind"] == "run_start"), None)
    if start is None:
        raise _fail(f"{log_path} has no run_start event")
    state_path = Path(start["state_path"]) if start.get("state_path") else None
    if state_path is None or not state_path.exists():
        raise _fail(f"the run's state store ({state_path}) is missing: it holds the inputs",
                    "restore the .state file beside the log")
    sig = parse_signature(start["signature"])
    store = StateStore(state_path)
    try:
        values: dict[str, Any] = {}
        for f in sig.inputs:
            text = store.get_blob(f"input.{f.name}")
            values[f.name] = text if getattr(f.type, "name", "") == "str" else json.loads(text)
    finally:
        store.close()
    policy = None
    if start.get("policy"):
        from rlmlang.policy import Policy

        policy = Policy.from_json(start["policy"])
    state = ResumeState(start["task"], sig, values, dict(start["budgets"]),
                        int(start.get("seed", 0)), bool(start.get("grammar", True)), policy,
                        state_path)
    prompt = ""
    for e in events:
        d = e["data"]
        if e["kind"] == "observation":
            state.rounds = int(d["iteration"])
            state.attempts.append((d.get("script", ""), d["text"]))
        elif e["kind"] == "generation" and int(d["iteration"]) <= state.rounds + 1:
            state.used["tokens"] = state.used.get("tokens", 0) + int(d.get("tokens", 0))
        elif e["kind"] == "submit":
            state.answer = d.get("value")
        elif e["kind"] == "prompt":
            prompt = (prompt + d["text"]) if d.get("extends_previous") else d["text"]
    state.used["iterations"] = state.rounds
    state.last_prompt = prompt if state.rounds else ""
    return state
