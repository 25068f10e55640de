"""Dates as ISO text (tools/dates.py): every common way of writing one, read alike."""

from __future__ import annotations

import pytest
from tools_helpers import run_script


def value(script: str, output: str = "str", **inputs: object) -> object:
    r = run_script(script, inputs=inputs, output=output)
    assert r.status == "submitted", [d.render() for d in r.diagnostics]
    return r.value


@pytest.mark.parametrize("written,iso", [
    ("2024-05-09", "2024-05-09"),
    ("2024-05-09T10:00:00Z", "2024-05-09"),
    ("2023/1/5", "2023-01-05"),
    ("Dec 21 2004", "2004-12-21"),
    ("December 21, 2004", "2004-12-21"),
    ("21 Dec 2004", "2004-12-21"),
    ("3-Mar-2020", "2020-03-03"),
    ("Sept. 3rd, 2021", "2021-09-03"),
    ("25/12/2024", "2024-12-25"),  # day first: 25 is no month
    ("05/09/2024", "2024-05-09"),  # both could be months: month first
    ("20240509", "2024-05-09"),
    ("INC-7 opened 2024-04-30 14:02 by Ana", "2024-04-30"),
])
def test_to_date_reads_each_way_of_writing_a_date(written: str, iso: str) -> None:
    assert value(f"submit(to_date({written!r}))") == iso


def test_dates_compare_and_count_as_text() -> None:
    lines = "id,date\n1,Dec 30 2004\n2,Jan 3 2005\n3,Jan 4 2005\n"
    script = ('n = 0\nfor line in lines(t)[1:]:\n    d = to_date(line.split(",")[1])\n'
              '    if "2004-12-21" <= d <= "2005-01-03":\n        n += 1\nsubmit(n)')
    assert value(script, "int", t=lines) == 2
    assert value('submit(days_between("2023-01-15", "Mar 1 2023"))', "int") == 45
    assert value('submit(days_between("2024-03-01", "2024-02-28"))', "int") == -2  # leap year


def test_a_text_with_no_date_is_an_error_unless_tested() -> None:
    r = run_script('submit(to_date("Mayor 12 of 2004"))')
    assert r.status != "submitted"
    assert "to_date: 'Mayor 12 of 2004' holds no date" in r.diagnostics[0].message
    assert value('submit(is_date("week 12") or is_date("2024-13-40"))', "bool") is False
