"""Audit and replay speed on a 10,000-event log made by a real controller run.

The log is not synthetic JSON: a scripted model (generation is the only fake
part) drives the real controller — parser, checker, Z3 verifier, compiler,
VM, state store, hash-chained log — through ~1,200 rounds of two candidates
each, a realistic mix: syntax errors, scripts the verifier refuses, accepted
scripts that search the input and print, accepted scripts that read a file
through a tool (so replay feeds recorded results back), and a last round
that submits and commits state. Every script differs (a literal varies), so
no cache can make re-verification look faster than it is.

Figures: `audit_events_per_s` (integrity + store check + re-verification of
every script + summary), `replay_events_per_s` (integrity + re-execution of
every accepted script from its bytecode, compared byte for byte),
`audit_integrity_events_per_s` (the chain alone), and the log's size.
`quick=True` uses a ~1,000-event log. Run as `python bench/micro_audit.py`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

EVENTS = 10_000
QUICK_EVENTS = 1_000
CONTEXT = "\n".join(f"2026-01-01 badge {1000 + i} opened door {i % 7}" for i in range(400)) \
    + "\n2026-01-02 badge 4820: access code K7-19QX issued\n"


class ScriptedModel:
    """Hands out scripts in order (the only fake in the run); answers sub-calls with ''."""

    name = "scripted"
    context_size = 8192

    def __init__(self, scripts: list[str]) -> None:
        self.scripts = scripts
        self.i = 0

    def generate(self, prompt: str, *, grammar: Any = None, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int = 0, stop: Any = None,
                 on_token: Any = None) -> Any:
        from rlmlang.backend.base import Generation

        text = self.scripts[self.i] if self.i < len(self.scripts) else 'submit("")'
        self.i += 1
        return Generation(text, len(text.split()), 100, 90, 0.001, 0.01, "eos")

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def chat_prompt(self, messages: list[dict[str, str]], add_generation_prompt: bool = True
                    ) -> str:
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages) + \
            ("<assistant>" if add_generation_prompt else "")

    def info(self) -> dict[str, Any]:
        return {"name": "scripted", "backend": "bench"}


def _round(i: int) -> tuple[list[str], int]:
    """The two candidates of round i, and how many log events the round writes."""
    if i % 2 == 0:
        return [f"x = {i} +",  # parse error
                f't = fs.read("../secret{i}.txt")\nsubmit(t)'], 6  # refused: '..'
    return [f'line = find_line(context, "badge {1000 + i % 400}")\nprint(line)',
            f't = fs.read("data/a.txt")\nn = len(t) + {i}\nprint(n)'], 11


def build_log(root: Path, events: int) -> tuple[Path, int]:
    """Run the controller until the log holds about `events` events; return it and the count."""
    from rlmlang.controller.loop import Runtime
    from rlmlang.policy import Policy
    from rlmlang.runlog import read_events
    from rlmlang.store import StateStore

    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "a.txt").write_text("a small file\n" * 20)
    scripts: list[str] = []
    total, rounds = 2, 0  # run_start and run_end
    while total + 8 < events:
        pair, n = _round(rounds)
        scripts += pair
        total += n
        rounds += 1
    good = 'line = find_line(context, "badge 4820")\nstate.notes = line\n' \
        'submit(value_after(line, "access code"))'
    scripts += [good, good]
    log = root / "bench.log"
    state = Path(str(log) + ".state")
    StateStore(state, schema={"notes": "str"}).close()
    policy = Policy.from_rules(["fs.read:data/**", "state.write:notes"], [], root)
    rt = Runtime(ScriptedModel(scripts), grammar=False, log_path=log, state_path=state,
                 policy=policy, root=root,
                 budgets={"candidates": 2, "iterations": rounds + 1, "tokens": 10 ** 9,
                          "seconds": 10 ** 6})
    out = rt.run("context: str, question: str -> answer: str",
                 "What is the access code of badge 4820?", context=CONTEXT)
    assert out.ok, out.reason
    return log, len(read_events(log))


def run(quick: bool = False) -> dict[str, float]:
    from rlmlang.audit.core import audit_log, replay_log
    from rlmlang.audit.integrity import check_log

    n = QUICK_EVENTS if quick else EVENTS
    with tempfile.TemporaryDirectory(prefix="rlm-bench-audit-") as d:
        t0 = time.perf_counter()
        log, events = build_log(Path(d), n)
        build_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        integ = check_log(str(log))
        integrity_s = time.perf_counter() - t0
        assert integ.intact, integ.problems[:3]

        t0 = time.perf_counter()
        report = audit_log(str(log))
        audit_s = time.perf_counter() - t0
        assert report.ok, "the bench log did not audit clean"
        scripts = len(report.recorded.results) if report.recorded else 0

        t0 = time.perf_counter()
        integ, result, _ = replay_log(str(log))
        replay_s = time.perf_counter() - t0
        assert result is not None and result.identical, result and result.divergence
        return {
            "audit_log_events": events,
            "audit_log_bytes": log.stat().st_size,
            "audit_log_scripts": scripts,
            "audit_log_build_s": round(build_s, 2),
            "audit_integrity_events_per_s": round(events / integrity_s, 1),
            "audit_events_per_s": round(events / audit_s, 1),
            "audit_scripts_per_s": round(scripts / audit_s, 1),
            "replay_events_per_s": round(events / replay_s, 1),
            "replay_scripts_per_s": round(result.scripts / replay_s, 1),
        }


if __name__ == "__main__":
    import sys

    for name, value in run(quick="--quick" in sys.argv).items():
        print(f"{name}={value}")
