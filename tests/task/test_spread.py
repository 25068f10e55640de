"""A phrase searched for in lines that the records hold in two fields (task/spread.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import disagreement_prompt  # tests/fakes.py

from rlmlang.task.spread import phrase_fields
from rlmlang.tools import default_registry

SHIPMENTS = "".join(
    f"tracking=PKG-{i:04d} origin={['Tallinn', 'Riga', 'Oslo'][i % 3]} "
    f"destination={['Oslo', 'Tallinn', 'Riga', 'Tallinn'][i % 4]} weight_kg={i % 7 + 1}.5\n"
    for i in range(60))
QUESTION = "Sum the weight in kg over the shipments whose origin is Tallinn."
BY_LINE = ('submit(sum([float(l.split("weight_kg=")[1]) for l in '
           'find_lines(shipments, "Tallinn")]))\n')
BY_FIELD = ('submit(sum([float(r["weight_kg"]) for r in records(shipments) '
            'if r["origin"] == "Tallinn"]))\n')
REGISTRY = default_registry(include_plugins=False)


def test_a_line_search_is_told_the_fields_that_hold_its_phrase() -> None:
    said = phrase_fields(BY_LINE, {"shipments": SHIPMENTS}, REGISTRY, QUESTION)
    assert said is not None
    assert said.startswith("'Tallinn' is in more than one field of the records of shipments: "
                           "field 'destination' on 30, field 'origin' on 20 of them.")
    assert 'test the field the question means (r["origin"] == "Tallinn")' in said
    tested = BY_LINE.replace('find_lines(shipments, "Tallinn")',
                             '[x for x in lines(shipments) if "Tallinn" in x]')
    assert phrase_fields(tested, {"shipments": SHIPMENTS}, REGISTRY, QUESTION) is not None


def test_no_note_for_a_field_test_or_a_phrase_of_one_field() -> None:
    inputs = {"shipments": SHIPMENTS}
    assert phrase_fields(BY_FIELD, inputs, REGISTRY, QUESTION) is None
    one_field = BY_LINE.replace('"Tallinn"', '"PKG-0012"')
    assert phrase_fields(one_field, inputs, REGISTRY, QUESTION) is None
    prose = {"shipments": "The Tallinn office shipped more than the Tallinn depot.\n" * 5}
    assert phrase_fields(BY_LINE, prose, REGISTRY, QUESTION) is None


def test_a_disagreement_says_where_the_phrase_is(tmp_path: Path) -> None:
    prompt = disagreement_prompt([BY_FIELD, BY_LINE], tmp_path,
                                 "shipments: str, question: str -> answer: float", QUESTION,
                                 shipments=SHIPMENTS)
    assert "Your scripts disagree" in prompt
    assert "'Tallinn' is in more than one field of the records of shipments" in prompt
