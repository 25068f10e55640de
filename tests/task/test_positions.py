"""Cells read by position are said as the columns they name (task/positions.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import disagreement_prompt  # tests/fakes.py

from rlmlang.task.positions import positions_read

PENGUINS = ("species,island,body_mass_g,sex,year\n"
            "Adelie,Torgersen,3750,male,2007\nAdelie,Biscoe,3800,female,2008\n"
            "Gentoo,Biscoe,5000,male,2009\n")
QUESTION = "What is the total body mass in grams of the male penguins?"
BY_PLACE = ('total = 0\nfor line in penguins.splitlines()[1:]:\n    cells = line.split(",")\n'
            '    if cells[3] == "male":\n        total += int(cells[4])\nsubmit(total)\n')
BY_NAME = ('submit(sum([float(r["body_mass_g"]) for r in records(penguins) '
           'if r["sex"] == "male"]))\n')


def test_each_index_is_named_by_the_header() -> None:
    said = positions_read(BY_PLACE, {"penguins": PENGUINS}, QUESTION)
    assert said is not None
    assert "cells[3] is column 'sex' of penguins; cells[4] is column 'year' of penguins" in said
    assert "2=body_mass_g" in said


def test_an_inline_split_and_a_headerless_table_named_by_the_question() -> None:
    rows = "1,Perth,20\n2,Hanoi,35\n3,Perth,12\n"
    question = "The context is CSV lines 'id,city,amount'. What is the total amount for Perth?"
    said = positions_read('submit(sum([int(l.split(",")[2]) for l in lines(context) '
                          'if l.split(",")[1] == "Perth"]))', {"context": rows}, question)
    assert said is not None and "is column 'amount' of context" in said
    assert "is column 'city' of context" in said


def test_no_note_where_nothing_is_read_by_position_or_the_separator_differs() -> None:
    inputs = {"penguins": PENGUINS}
    assert positions_read(BY_NAME, inputs, QUESTION) is None
    assert positions_read('submit(penguins.split("\\t")[1])', inputs, QUESTION) is None
    assert positions_read('x = "a,b".split(",")\nsubmit(x[1])', inputs, QUESTION) is None


def test_a_disagreement_says_which_column_each_place_is(tmp_path: Path) -> None:
    prompt = disagreement_prompt([BY_NAME, BY_PLACE], tmp_path,
                                 "penguins: str, question: str -> answer: float", QUESTION,
                                 penguins=PENGUINS)
    assert "Your scripts disagree" in prompt
    assert ("The script that answered 4016.0 reads cells by position: cells[3] is column "
            "'sex' of penguins; cells[4] is column 'year' of penguins") in prompt
