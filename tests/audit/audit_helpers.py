"""Helpers for the audit tests: a real logged run, and ways to tamper with it."""

import json
from pathlib import Path

CONTEXT = "\n".join(f"2026-01-01 badge {1000 + i} opened door {i % 7}" for i in range(300))
CONTEXT += "\n2026-01-02 badge 4820: access code K7-19QX issued\n"
SIG = "context: str, question: str -> answer: str"
QUESTION = "What is the access code of badge 4820?"
GOOD = 'line = find_line(context, "badge 4820")\nsubmit(value_after(line, "access code"))'
TOOLS = ('t = fs.read("data/a.txt")\nstate.notes = t\nstate.count = len(t)\n'
         'line = find_line(context, "badge 4820")\nprint(line)\n'
         'submit(llm.predict("What is the access code?", text=line))')
SCRIPTS = [
    "x = 1 +",  # parse error
    't = fs.read("../etc/passwd")\nsubmit(t)',  # refused by the verifier
    "print(len(context))",  # accepted, prints, no answer
    TOOLS,  # iteration 2, the greedy winner: a file read, a sub-model call, state writes
    GOOD,
    GOOD,  # a repeat: a vote, not a new run
]
GRANTS = ["fs.read:data/**", "llm", "state.write:notes", "state.write:count"]


def make_run(root: Path, key: bytes | None = None) -> Path:
    """A real run (fake model, everything else real) whose log exercises every event kind."""
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime
    from rlmlang.policy import Policy
    from rlmlang.store import StateStore

    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "a.txt").write_text("secret file text\n")
    log = root / "run.log"
    state = Path(str(log) + ".state")
    StateStore(state, schema={"notes": "str", "count": "int"}).close()
    policy = Policy.from_rules(GRANTS, [], root)
    model = FakeModel(SCRIPTS, sub_answers=["K7-19QX"])
    rt = Runtime(model, grammar=False, log_path=log, state_path=state, policy=policy,
                 budgets={"candidates": 3, "iterations": 3}, root=root, hmac_key=key)
    out = rt.run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    return log


def events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def rewrite(log: Path, change, key: bytes | None = None) -> None:
    """Rewrite the log with a consistent chain after `change(events)` edits the events.

    This is what a forger without the key can do: the chain checks out, so
    only re-verification and replay can catch the lie.
    """
    from rlmlang.runlog import LogWriter

    evs = events(log)
    change(evs)
    with LogWriter(log, key, overwrite=True) as w:
        for ev in evs:
            w.append(ev["kind"], ev["data"])


def write_lines(log: Path, lines: list[bytes]) -> None:
    log.write_bytes(b"".join(lines))
