"""A run log read back as a structure: iterations, candidates, what each did.

Why a view of its own: the log is a flat sequence of events, but every
question the audit asks ("which scripts were accepted", "what did candidate 2
of iteration 3 call") is about a candidate or an iteration. The controller
tags each per-script event (`generation`, `verdict`, `bytecode`, `tool_call`,
`output`) with `iteration` and `candidate`, and each per-round event
(`prompt`, `observation`, `submit`) with `iteration`; `state_commit` and
`budget` belong to the round in progress. Every event keeps its line number,
so any finding can be named by line.

Reading is tolerant: lines that do not parse are skipped here (the integrity
check reports them), so a damaged log can still be summarised.

A `resume` event re-runs the rounds the kill cut short: the rounds from its
`from_iteration` on that the log already holds are marked `abandoned` (kept,
since their scripts ran and may have had effects, but never replayed: they
did not finish), and the re-run's events make new ones. A round whose commit
had reached the store before the kill is not re-run: the resume logs its
`state_commit` and `submit` marked `recovered`, which complete the round
they belong to instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlmlang.logschema import clean_script, input_digest
from rlmlang.store import loads


@dataclass
class Event:
    line: int
    seq: int
    kind: str
    data: dict[str, Any]


@dataclass
class Candidate:
    """One script the model wrote, and everything the log says about it."""

    iteration: int
    number: int
    generation: Event | None = None
    verdict: Event | None = None
    bytecode: Event | None = None
    tool_calls: list[Event] = field(default_factory=list)
    output: Event | None = None
    duplicate_of: int | None = None  # an earlier candidate of the round with the same script

    @property
    def line(self) -> int:
        first = self.generation or self.verdict
        return first.line if first else 0

    @property
    def raw_text(self) -> str:
        return str(self.generation.data.get("text", "")) if self.generation else ""

    @property
    def script(self) -> str:
        """The script the pipeline saw: the generation cleaned as the controller cleans it."""
        return clean_script(self.raw_text)

    @property
    def script_sha256(self) -> str:
        for ev in (self.verdict, self.generation):
            if ev is not None and ev.data.get("script_sha256"):
                return str(ev.data["script_sha256"])
        return ""

    @property
    def accepted(self) -> bool:
        return bool(self.verdict and self.verdict.data.get("accepted"))

    @property
    def stage(self) -> str:
        return str(self.verdict.data.get("stage", "")) if self.verdict else ""

    @property
    def label(self) -> str:
        return f"iteration {self.iteration} script {self.number}"


@dataclass
class Iteration:
    number: int
    prompt: Event | None = None
    candidates: list[Candidate] = field(default_factory=list)
    observation: Event | None = None
    commits: list[Event] = field(default_factory=list)
    submit: Event | None = None
    budget: list[Event] = field(default_factory=list)
    abandoned: bool = False  # cut short by a kill, and run again after a resume

    def candidate(self, number: int) -> Candidate:
        for c in self.candidates:
            if c.number == number:
                return c
        c = Candidate(self.number, number)
        self.candidates.append(c)
        return c

    def winner(self) -> Candidate | None:
        """The candidate whose answer was submitted (the vote's winner)."""
        if self.submit is None:
            return None
        sha = self.submit.data.get("script_sha256")
        for c in self.candidates:
            if c.verdict is not None and c.script_sha256 == sha:
                return c
        return None


@dataclass
class RunView:
    events: list[Event]
    start: Event | None = None
    end: Event | None = None
    iterations: list[Iteration] = field(default_factory=list)
    errors: list[Event] = field(default_factory=list)
    resumes: list[Event] = field(default_factory=list)
    orphans: list[Event] = field(default_factory=list)  # events no iteration claims

    def candidates(self) -> list[Candidate]:
        return [c for it in self.iterations for c in it.candidates]

    @property
    def budgets(self) -> dict[str, Any]:
        return dict(self.start.data.get("budgets") or {}) if self.start else {}


def parse_lines(raw: bytes) -> list[Event]:
    """Every line that is a JSON event object; the rest are skipped (the checker names them)."""
    out: list[Event] = []
    for i, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("data"), dict):
            continue
        kind, seq = obj.get("kind"), obj.get("seq")
        if not isinstance(kind, str):
            continue
        out.append(Event(i, seq if isinstance(seq, int) else -1, kind, obj["data"]))
    return out


def build_view(events: list[Event]) -> RunView:
    """Group flat events into iterations and candidates."""
    view = RunView(events)
    by_number: dict[int, Iteration] = {}
    abandoned: dict[int, Iteration] = {}
    current: Iteration | None = None

    def iteration(n: Any) -> Iteration | None:
        nonlocal current
        if not isinstance(n, int) or isinstance(n, bool):
            return current
        it = by_number.get(n)
        if it is None:
            it = by_number[n] = Iteration(n)
            view.iterations.append(it)
        current = it
        return it

    for ev in events:
        d, k = ev.data, ev.kind
        if k == "run_start":
            view.start = view.start or ev
        elif k == "run_end":
            view.end = ev
        elif k == "error":
            view.errors.append(ev)
        elif k == "resume":
            view.resumes.append(ev)
            start = d.get("from_iteration")
            if isinstance(start, int):
                for n in [n for n in by_number if n >= start]:
                    it = abandoned[n] = by_number.pop(n)
                    it.abandoned = True
                current = None
        elif d.get("recovered") and k in ("state_commit", "submit") and \
                d.get("iteration") in abandoned:
            it = current = by_number[d["iteration"]] = abandoned.pop(d["iteration"])
            it.abandoned = False
            if k == "submit":
                it.submit = ev
            else:
                it.commits.append(ev)
        elif k in ("generation", "verdict", "bytecode", "tool_call", "output"):
            it = iteration(d.get("iteration"))
            num = d.get("candidate")
            if it is None or not isinstance(num, int):
                view.orphans.append(ev)
                continue
            c = it.candidate(num)
            if k == "tool_call":
                c.tool_calls.append(ev)
            else:
                setattr(c, k, ev)
        elif k in ("prompt", "observation", "submit"):
            it = iteration(d.get("iteration"))
            if it is None:
                view.orphans.append(ev)
            else:
                setattr(it, k, ev)
        elif k in ("state_commit", "budget"):
            it = current
            if it is None:
                view.orphans.append(ev)
            elif k == "state_commit":
                it.commits.append(ev)
            else:
                it.budget.append(ev)
        else:
            view.orphans.append(ev)
    for it in view.iterations:
        it.candidates.sort(key=lambda c: c.number)
        seen: dict[str, int] = {}
        for c in it.candidates:
            sha = c.script_sha256
            if c.verdict is None and sha in seen:
                c.duplicate_of = seen[sha]
            elif sha:
                seen.setdefault(sha, c.number)
    return view


def input_sha256(value: Any) -> str:
    """How run_start fingerprints an input (the writer's own function)."""
    return input_digest(value)
