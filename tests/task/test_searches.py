"""Which searches of a script find nothing in the task's inputs (task/searches.py)."""

from __future__ import annotations

from rlmlang.task.searches import empty_search
from rlmlang.tools import default_registry

STOCKS = "symbol,date,price\nMSFT,Dec 21 2004,26.5\nIBM,Jan 3 2005,94.0\n"
INPUTS = {"stocks": STOCKS}


def test_a_literal_search_that_finds_nothing_is_named_as_written() -> None:
    reg = default_registry()
    script = ('prices = [float(l.split(",")[2]) for l in find_lines(stocks, "2004-12-21")]\n'
              'submit(sum(prices))\n')
    assert empty_search(script, INPUTS, reg) == 'find_lines(stocks, "2004-12-21")'
    assert empty_search('submit(count_where(stocks, "symbol", "AAPL"))', INPUTS, reg) == \
        'count_where(stocks, "symbol", "AAPL")'
    assert empty_search('submit(len(lines_with(stocks, ["MSFT", "2005"])))', INPUTS, reg) \
        is not None


def test_a_search_that_finds_something_or_is_not_literal_is_not_judged() -> None:
    reg = default_registry()
    assert empty_search('submit(len(find_lines(stocks, "Dec 21 2004")))', INPUTS, reg) is None
    # an argument computed by the script: what it searched for is not known here
    assert empty_search('d = "2004-12-21"\nsubmit(len(find_lines(stocks, d)))', INPUTS,
                        reg) is None
    # the input renamed to something else first: the search reads that, not the input
    assert empty_search('stocks = "x"\nsubmit(len(find_lines(stocks, "2004-12-21")))',
                        INPUTS, reg) is None
    # not a search tool, and a script that does not parse
    assert empty_search('submit(len(split(stocks, "@@")))', INPUTS, reg) is None
    assert empty_search("submit(", INPUTS, reg) is None
