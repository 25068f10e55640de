"""A zero whose search found nothing is no answer: searches by tool, and tests the script
writes itself (`"2004-12-21" in line`)."""

from __future__ import annotations

import pytest

from rlmlang.task.searches import empty_search
from rlmlang.tools import default_registry

STOCKS = "date,price\nDec 21 2004,10.5\nDec 22 2004,11.0\n"
INPUTS = {"stocks": STOCKS, "question": "What was the price on 2004-12-21?"}


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def test_a_tool_search_that_finds_nothing_is_named(registry) -> None:
    script = 'submit(sum([to_float(l.split(",")[1]) for l in find_lines(stocks, "2004-12-21")]))'
    assert empty_search(script, INPUTS, registry) == \
        'find_lines(stocks, "2004-12-21") finds nothing in the input'


@pytest.mark.parametrize("test", [
    '"2004-12-21" in line',
    'line.startswith("2004-12-21")',
    'line.split(",")[0] == "2004-12-21"',
    '"2004-12-21" == line.split(",")[0]',
])
def test_a_literal_test_that_no_input_holds_matches_nothing(registry, test: str) -> None:
    """The question writes the date; the data does not: the question is no input here."""
    script = (f'total = 0.0\nfor line in lines(stocks):\n    if {test}:\n'
              '        total += to_float(line.split(",")[1])\nsubmit(total)')
    found = empty_search(script, INPUTS, registry)
    assert found is not None and found.startswith("'2004-12-21' is written nowhere in the input")


@pytest.mark.parametrize("test", [
    '"dec 21 2004" in line.lower()',  # written in the data, in another case
    'not "2004-12-21" in line',  # true where it is missing
    '"2004-12-21" not in line',
    '"\\t" in line',  # a separator looked for, not a search
    '"x" in line',
])
def test_tests_that_can_match_are_not_judged(registry, test: str) -> None:
    script = (f'n = 0\nfor line in lines(stocks):\n    if {test}:\n        n += 1\n'
              'submit(n)')
    assert empty_search(script, INPUTS, registry) is None


def test_a_test_of_what_a_sub_model_said_is_not_judged(registry) -> None:
    script = ('n = 0\nfor chunk in chunks(stocks, 100):\n'
              '    if "yes" in llm.predict("Is the price rising?", text=chunk):\n'
              '        n += 1\nsubmit(n)')
    assert empty_search(script, INPUTS, registry) is None


def test_a_parsed_input_is_searched_as_its_text(registry) -> None:
    orders = [{"customer": "Ana", "total": 3}]
    script = ('n = 0\nfor o in orders:\n    if o["customer"] == "Bruno":\n        n += 1\n'
              'submit(n)')
    assert empty_search(script, {"orders": orders}, registry) is not None
    assert empty_search(script.replace("Bruno", "Ana"), {"orders": orders}, registry) is None
