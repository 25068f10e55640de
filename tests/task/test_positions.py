"""Cells read by position are said as the columns they name (task/positions.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import disagreement_prompt  # tests/fakes.py

from rlmlang.runlog import read_events
from rlmlang.task.positions import positions_read, unasked_column

PENGUINS = ("species,island,body_mass_g,sex,year\n"
            "Adelie,Torgersen,3750,male,2007\nAdelie,Biscoe,3800,female,2008\n"
            "Gentoo,Biscoe,5000,male,2009\n")
QUESTION = "What is the total body mass in grams of the male penguins?"
WEIGHT = "What is the total weight in grams of the male penguins?"
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
    """(The question names no column here: "weight" is not body_mass_g.)"""
    prompt = disagreement_prompt([BY_NAME, BY_PLACE], tmp_path,
                                 "penguins: str, question: str -> answer: float", WEIGHT,
                                 penguins=PENGUINS)
    assert "Your scripts disagree" in prompt
    assert ("The script that answered 4016.0 reads cells by position: cells[3] is column "
            "'sex' of penguins; cells[4] is column 'year' of penguins") in prompt


def test_a_column_read_by_position_that_the_question_does_not_ask_about() -> None:
    """Dev sum-04: cells[7], the year, summed for the body mass; the sex, read by place
    too, is asked by its value "male"."""
    inputs = {"penguins": PENGUINS}
    said = unasked_column(BY_PLACE, inputs, QUESTION)
    assert said == ("cells[4] is column 'year' of penguins, which the question does not ask "
                    "about; it asks about column 'body_mass_g' (its columns: 0=species, "
                    "1=island, 2=body_mass_g, 3=sex, 4=year).")
    assert unasked_column(BY_PLACE.replace("cells[4]", "cells[2]"), inputs, QUESTION) is None
    assert unasked_column(BY_PLACE, inputs, WEIGHT) is None  # no column named: no judgement
    assert unasked_column(BY_NAME, inputs, QUESTION) is None  # nothing read by position
    # the column asked is read by name beside the place: no judgement either
    both = BY_PLACE.replace("submit(total)", 'print(records(penguins)[0]["body_mass_g"])\n'
                                             "submit(total)")
    assert unasked_column(both, inputs, QUESTION) is None
    # a column read by place whose value the question writes is asked (a filter)
    island = BY_PLACE.replace("cells[3] == \"male\"", "cells[1] == \"Biscoe\"")
    assert unasked_column(island, inputs, QUESTION + " On Biscoe.") is not None  # the year
    assert unasked_column(island.replace("cells[4]", "cells[2]"), inputs,
                          QUESTION + " On Biscoe.") is None


def test_an_answer_from_an_unasked_column_is_no_vote(tmp_path: Path) -> None:
    """The by-place script's answer no longer ties with the by-name one: the run takes the
    one computation left at its greedy draw's second submission, and replay agrees."""
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime

    model = FakeModel([BY_NAME, BY_PLACE, BY_NAME, BY_PLACE])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(
        "penguins: str, question: str -> answer: float", QUESTION, penguins=PENGUINS)
    assert out.answer == 8750.0
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert list(submit["data"]["votes"]) == ["8750"]  # 4016, the years, had no vote
    from rlmlang.cli import main
    assert main(["replay", str(tmp_path / "run.log")]) == 0


QUOTED = '"Portland, OR"'
CITIES = ("name,city,qty,amount\n" + "".join(
    f"P{i},{QUOTED if i % 5 == 0 else 'Boise'},1,{i}\n" for i in range(20)))
CUT = 'submit(sum([int(l.split(",")[3]) for l in lines(orders)[1:]]))'


def test_a_plain_split_of_lines_with_quoted_separators_is_no_answer() -> None:
    """`"Portland, OR"` cut in two moves `amount` one place on those lines; a read from
    the end, or before the quoted cell, is not moved; records() is not judged."""
    from rlmlang.task.positions import quoted_split

    q = "What is the total amount?"
    said = quoted_split(CUT, {"orders": CITIES}, q)
    assert said is not None and said.startswith(
        "l.split(\",\")[3] reads a cell by position from a plain split of the lines of orders, "
        "but 4 of its 21 lines have a quoted cell that holds ',' ('Portland, OR')")
    assert quoted_split(CUT.replace("[3]", "[-1]"), {"orders": CITIES}, q) is None
    assert quoted_split(CUT.replace("[3])", "[0][1:])"), {"orders": CITIES}, q) is None
    assert quoted_split('submit(sum([int(r["amount"]) for r in records(orders)]))',
                        {"orders": CITIES}, q) is None
    plain = CITIES.replace('"Portland, OR"', "Portland")
    assert quoted_split(CUT, {"orders": plain}, q) is None


def test_an_answer_from_a_cut_quoted_cell_is_no_vote(tmp_path: Path) -> None:
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime

    by_name = 'submit(sum([int(r["amount"]) for r in records(orders)]))'
    cut_too = ('t = 0\nfor l in lines(orders)[1:]:\n    t += int(l.split(",")[3])\nsubmit(t)')
    model = FakeModel([CUT, cut_too, by_name, by_name.replace("sum(", "sum(list(") + ")"])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(
        "orders: str, question: str -> answer: int", "What is the total amount?",
        orders=CITIES)
    assert out.answer == 190  # the cut scripts agreed on 164: no vote
    assert "quoted cell" in model.prompts[2]
