"""The log's records, as `rlmlang.logschema` declares them, are what the controller writes.

The writer and the readers (audit, replay, resume, `rlm logs`) share that one
module; these tests hold a real run's log (fake model, real pipeline, real
log) to it, so a field the writer drops or renames fails here, not in the
audit of some later run.
"""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel

from rlmlang.controller.loop import Runtime
from rlmlang.logschema import PAYLOADS, clean_script, input_digest, script_digest
from rlmlang.runlog import read_events

CONTEXT = "a,1\nb,2\nc,3\n"
FAIL_THEN_GOOD = ["submit(missing)", "```python\nsubmit(len(lines(context)))\n```"]


def test_every_record_carries_its_declared_fields(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    out = Runtime(FakeModel(FAIL_THEN_GOOD), grammar=False, log_path=log,
                  budgets={"candidates": 1}).run(
        "context: str, question: str -> answer: int", "How many lines?", context=CONTEXT)
    assert out.ok and out.answer == 3
    events = read_events(log)
    kinds = {e["kind"] for e in events}
    assert {"run_start", "prompt", "generation", "verdict", "bytecode", "output",
            "observation", "submit", "run_end"} <= kinds
    for e in events:
        missing = set(PAYLOADS[e["kind"]]) - set(e["data"])
        assert not missing, (e["kind"], missing)


def test_digests_are_the_writers(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    Runtime(FakeModel(FAIL_THEN_GOOD[1:]), grammar=False, log_path=log,
            budgets={"candidates": 1}).run(
        "context: str, question: str -> answer: int", "How many lines?", context=CONTEXT)
    events = read_events(log)
    start = next(e["data"] for e in events if e["kind"] == "run_start")
    assert start["inputs"]["context"]["sha256"] == input_digest(CONTEXT)
    gen = next(e["data"] for e in events if e["kind"] == "generation")
    assert clean_script(gen["text"]) == "submit(len(lines(context)))\n"
    assert gen["script_sha256"] == script_digest(clean_script(gen["text"]))
