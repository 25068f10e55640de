"""A date written as text other than ISO's, ordered as text, is refused with a fix-it that
compares ISO dates (check/typecheck.text_dates): "Sep 15 2009" <= d orders letter by
letter, and "Sep" comes after "Oct"."""

from __future__ import annotations

from script_run import run_script

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import BOOL, FLOAT

STOCKS = ("symbol,date,price\nMSFT,Aug 1 2009,10\nMSFT,Sep 1 2009,20\nIBM,Oct 1 2009,5\n"
          "IBM,Nov 1 2009,7\n")


def test_a_range_of_text_dates_gets_iso_dates_and_runs() -> None:
    script = ('prices = [float(r["price"]) for r in records(stocks) '
              'if "Aug 15 2009" <= r["date"] <= "Oct 20 2009"]\nsubmit(sum(prices))\n')
    out = run_script(script, FLOAT, stocks=STOCKS)
    assert [d.message for d in out.diagnostics] == [
        "'Aug 15 2009' is a date written as text, and text is ordered letter by letter, "
        "not by the day it names",
        'r["date"] is ordered against a date: read it as one',
        "'Oct 20 2009' is a date written as text, and text is ordered letter by letter, "
        "not by the day it names"]
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and \
        '"2009-08-15" <= to_date(r["date"]) and to_date(r["date"]) <= "2009-10-20"' in fixed
    assert run_script(fixed, FLOAT, stocks=STOCKS).answer == 25.0


def test_iso_dates_and_other_text_are_ordered_as_text() -> None:
    for test in ('"2009-09-15" <= "2009-10-01"', '"apple" < "pear"', '"B7" < "C2"'):
        out = run_script(f"submit({test})\n", BOOL)
        assert out.stage == "done", [d.message for d in out.diagnostics]
