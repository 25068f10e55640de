"""The first record of a table-like input, as records() reads it, shown to a coder model
(controller/inputs.first_record): the fields by name, not by a guessed split."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.inputs import RECORD_HEAD_CHARS, first_record
from rlmlang.controller.loop import Runtime

SHIPMENTS = "".join(f"tracking=PKG-{i:06d} origin={'Tallinn' if i % 3 else 'Oslo'} "
                    f"weight_kg={i % 50}.5\n" for i in range(2000))


def test_each_table_like_format_gives_its_first_record() -> None:
    assert first_record(SHIPMENTS) == {"tracking": "PKG-000000", "origin": "Oslo",
                                       "weight_kg": "0.5"}
    assert first_record("id;city\n1;Perth\n2;Lima\n") == {"id": "1", "city": "Perth"}
    blocks = "Package: a\nVersion: 1\n\nPackage: b\nVersion: 2\n"
    assert first_record(blocks) == {"Package": "a", "Version": "1"}
    assert first_record('{"id": 1, "city": "Perth"}\n{"id": 2, "city": "Lima"}\n') == \
        {"id": "1", "city": "Perth"}
    # a record cut off at the head's end is never shown half: the head ends at a line
    long = "id,city,note\n" + "".join(f"{i},Perth,checked by desk {i % 7} before noon\n"
                                      for i in range(RECORD_HEAD_CHARS // 20))
    assert len(long) > RECORD_HEAD_CHARS
    assert first_record(long) == {"id": "0", "city": "Perth",
                                  "note": "checked by desk 0 before noon"}


def test_prose_and_a_json_document_have_none() -> None:
    prose = "It was a quiet morning in the harbour, and the gulls circled the masts.\n" * 40
    assert first_record(prose) is None
    assert first_record('[{"id": 1}, {"id": 2}]') is None


def test_the_coder_task_shows_it_and_the_tiny_one_does_not(tmp_path: Path) -> None:
    question = "Sum the weight in kg over the shipments whose origin is Tallinn."
    sig = "shipments: str, question: str -> answer: float"
    script = ('submit(sum(float(r["weight_kg"]) for r in records(shipments) '
              'if r["origin"] == "Tallinn"))')
    coder = FakeModel([script])
    Runtime(coder, grammar=False, log_path=tmp_path / "c.log", profile="coder",
            budgets={"candidates": 1}).run(sig, question, shipments=SHIPMENTS)
    assert "  records(shipments) reads each record as a dict, the first: {'tracking': " \
        "'PKG-000000', 'origin': 'Oslo', 'weight_kg': '0.5'}\n" in coder.prompts[0]
    tiny = FakeModel([script])
    Runtime(tiny, grammar=False, log_path=tmp_path / "t.log", profile="tiny",
            budgets={"candidates": 1}).run(sig, question, shipments=SHIPMENTS)
    assert "records(shipments) reads" not in tiny.prompts[0]
