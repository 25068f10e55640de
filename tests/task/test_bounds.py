"""A number the question compares with, searched for as a phrase (task/bounds.py): what
the search keeps is the lines that write the bound, so the answer is no vote."""

from __future__ import annotations

from typing import Any

import pytest

from rlmlang.task.bounds import question_bounds
from rlmlang.task.searches import nothing_found
from rlmlang.tools import default_registry

READINGS = "station|temp|wind\nA1|30.0|4\nB2|31.5|9\nC3|29.0|30\nD4|45.2|2\n"
INPUTS = {"readings": READINGS}


@pytest.mark.parametrize(("question", "bounds"), [
    ("How many readings were 30.0 or more?", {"30.0": "30.0 or more"}),
    ("Which stations had a wind of at least 9?", {"9": "at least 9"}),
    ("How many orders over $2,500 were there?", {"2500": "over $2,500"}),
    ("Count the days with 12 mm or less of rain", {"12": "12 mm or less"}),
    ("What is the wind at station A1?", {}),
    ("What is the temp of reading 30?", {}),
])
def test_the_numbers_a_question_compares_with(question: str, bounds: dict[str, str]) -> None:
    assert question_bounds(question) == bounds


@pytest.mark.parametrize("script", [
    'hits = find_lines(readings, "30.0")\nsubmit(len(hits))',
    'n = 0\nfor line in readings.splitlines():\n    if "30.0" in line:\n        n += 1\n'
    'submit(n)',
    # filtered by the bound after the search: the search has dropped 31.5 and 45.2 already
    'hits = [float(l.split("|")[1]) for l in lines_with(readings, ["30.0"])]\n'
    'submit(len([t for t in hits if t >= 30.0]))',
])
def test_a_search_for_the_bound_is_no_answer(script: str) -> None:
    why = nothing_found(script, 1, INPUTS, default_registry(),
                        "How many readings were 30.0 or more?")
    assert why is not None and why.startswith("The question compares with 30.0 ('30.0 or more')")
    assert why.endswith("compare it with 30.0 (e.g. float(r[\"...\"]) >= 30.0).")


def test_a_numeric_comparison_or_an_equality_question_is_not_judged() -> None:
    reg = default_registry()
    script = 'submit(len([r for r in records(readings) if float(r["temp"]) >= 30.0]))'
    assert nothing_found(script, 3, INPUTS, reg, "How many readings were 30.0 or more?") \
        is None
    # the question looks the number up: searching for it is the lookup
    lookup = 'submit(find_line(readings, "45.2").split("|")[0])'
    assert nothing_found(lookup, "D4", INPUTS, reg, "Which station read 45.2?") is None


STOCKS = "symbol,date,price\n" + "".join(
    f"IBM,{m} {d} 2002,{100 + d}.5\n" for m in ("Jan", "Feb", "Mar") for d in (3, 12, 21))
RANGE = "What is the total price with a date between Feb 18 2002 and Mar 9 2002 inclusive?"


@pytest.mark.parametrize(("question", "dates"), [
    (RANGE, ("Feb 18 2002", "Mar 9 2002")),
    ("How many orders have a date between 2024-05-03 and 2024-05-25?",
     ("2024-05-03", "2024-05-25")),
    ("Which were placed between May 3, 2024 and May 25, 2024?", ("May 3, 2024", "May 25, 2024")),
    ("How many readings are between 3 and 5?", None),
    # "from ... through/to ..." (fresh dev date-range-05 searched for both ends)
    ("Add up the units of sales with sale date from 2024-05-01 through 2024-05-14.",
     ("2024-05-01", "2024-05-14")),
    ("Count the sales whose date falls from 2024-05-01 to 2024-05-14, both days included.",
     ("2024-05-01", "2024-05-14")),
    ("How many went from Paris to Rome?", None),
])
def test_the_dates_of_a_range_the_question_asks_about(question: str, dates: object) -> None:
    from rlmlang.task.bounds import date_range
    assert date_range(question) == dates


@pytest.mark.parametrize("script", [
    # fresh dev date-range-04: the month and the year as text, nothing compared
    'submit(sum([float(r["price"]) for r in records(stocks) if "Feb" in r["date"] and '
    '"2002" in r["date"]]))',
    # an end tested as the start of the date (fresh dev date-range-04, a seed later)
    'submit(sum([float(r["price"]) for r in records(stocks) if '
    'r["date"].startswith("Feb 18 2002")]))',
    # a search for the two ends as text
    'submit(sum([float(x.split(",")[2]) for x in find_lines(stocks, "Feb 18 2002", '
    '"Mar 9 2002")]))',
])
def test_a_date_range_read_as_text_is_no_answer(script: str) -> None:
    said = nothing_found(script, 123.5, {"stocks": STOCKS}, default_registry(), RANGE)
    assert said is not None and said.startswith(
        "The question asks for the dates between Feb 18 2002 and Mar 9 2002, but ")
    assert "to_date('Feb 18 2002') <= to_date(r[\"...\"]) <= to_date('Mar 9 2002')" in said


def test_a_year_cut_before_the_dates_are_compared_is_not_judged() -> None:
    script = ('rows = [r for r in records(stocks) if "2002" in r["date"]]\n'
              'lo = to_date("Feb 18 2002")\nhi = to_date("Mar 9 2002")\n'
              'submit(sum([float(r["price"]) for r in rows if lo <= to_date(r["date"]) <= hi]))')
    assert nothing_found(script, 224.0, {"stocks": STOCKS}, default_registry(), RANGE) is None


def test_a_search_for_the_ranges_ends_beside_a_comparison_is_dropped_by_a_fix_it() -> None:
    """Told to compare, the 1.5B kept `find_lines(orders, lo, hi)` and compared what it
    kept (fresh dev date-range-01, three rounds of 0): the fix-it reads every line that
    holds a date instead, and the script's own comparison does the rest."""
    from script_run import run_script

    from rlmlang.task.bounds import without_range_search
    from rlmlang.task.searches import search_spec
    from rlmlang.types import FLOAT

    def is_search(call: object) -> bool:
        return search_spec(call, default_registry()) is not None

    script = ('hits = [x for x in find_lines(stocks, "Feb 18 2002", "Mar 9 2002") '
              'if to_date("Feb 18 2002") <= to_date(x.split(",")[1]) <= to_date("Mar 9 2002")]\n'
              'submit(sum([float(x.split(",")[2]) for x in hits]))\n')
    fixed = without_range_search(script, RANGE, is_search)
    assert fixed is not None and "for x in [dated_line for dated_line in lines(stocks) " \
        "if is_date(dated_line)] if" in fixed
    out = run_script(fixed, FLOAT, stocks=STOCKS)
    assert out.stage == "done" and out.answer == 121.5 + 103.5  # Feb 21 and Mar 3
    # nothing compared: no fix-it (the search alone is said, not rewritten)
    assert without_range_search('submit(len(find_lines(stocks, "Feb 18 2002", '
                                '"Mar 9 2002")))', RANGE, is_search) is None


def test_the_range_search_fix_it_runs_beside_the_models_script(tmp_path) -> None:
    searched = ('hits = [x for x in find_lines(stocks, "Feb 18 2002", "Mar 9 2002") if '
                'to_date("Feb 18 2002") <= to_date(x.split(",")[1]) <= to_date("Mar 9 2002")]\n'
                'submit(sum([float(x.split(",")[2]) for x in hits]))\n')
    out = _beside_records(searched, tmp_path)
    assert out.ok and out.answer == 225.0


def _beside_records(script: str, tmp_path: Any) -> Any:
    """A coder run of `script` and a script over records(stocks), two rounds of both."""
    import sys
    from pathlib import Path

    from rlmlang.controller.loop import Runtime
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fakes import FakeModel

    other = ('rows = [r for r in records(stocks) if to_date("Feb 18 2002") <= to_date(r["date"])'
             ' <= to_date("Mar 9 2002")]\nsubmit(sum([float(r["price"]) for r in rows]))\n')
    model = FakeModel([script, other, script, other])
    return Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                   budgets={"candidates": 2, "iterations": 2}).run(
        "stocks: str, question: str -> answer: float", RANGE, stocks=STOCKS)


def test_a_date_read_from_a_column_of_none_is_read_from_the_date_column(tmp_path) -> None:
    """Fresh dev date-range-01 (two seeds): the range fix-it ran, and failed on the
    model's own `to_date(line.split(",")[3])`, a column of item counts. The one column
    of dates is read instead, in the same fix-it; a date read from the date column, and
    a column of no dates read for anything else, are left as they are."""
    from rlmlang.task.positions import date_cell

    wrong = ('hits = [x for x in find_lines(stocks, "Feb 18 2002", "Mar 9 2002") if '
             'to_date("Feb 18 2002") <= to_date(x.split(",")[2].strip()) <= '
             'to_date("Mar 9 2002")]\nsubmit(sum([float(x.split(",")[2]) for x in hits]))\n')
    fixed = date_cell(wrong, {"stocks": STOCKS}, RANGE) or ""
    assert 'to_date(x.split(",")[1].strip())' in fixed and "[2].strip" not in fixed
    assert 'float(x.split(",")[2])' in fixed  # the price, read as a price
    assert date_cell(wrong.replace('",")[2].strip', '",")[1].strip'), {"stocks": STOCKS},
                     RANGE) is None
    out = _beside_records(wrong, tmp_path)
    assert out.ok and out.answer == 225.0
    assert out.vote[0]["scripts"] == 2  # the fix-it's computation beside the model's other
