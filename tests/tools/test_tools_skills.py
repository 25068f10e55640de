"""The skills: against Python references on generated tables and logs, and on the bench shapes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tools_helpers import call

from rlmlang.tools.errors import ToolError

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tasks" / "data" / "inputs"
S = settings(max_examples=50, deadline=None)

words = st.sampled_from(["Lima", "lima", "Porto", "Hanoi", "West", "east", "7", "7.0", "x y"])
cell = st.one_of(words, st.integers(0, 999).map(str))
row = st.lists(cell, min_size=3, max_size=3)
tables = st.lists(row, min_size=1, max_size=12)


def render(rows: list[list[str]], sep: str) -> str:
    return "\n".join(sep.join(r) for r in rows) + "\n"


def same(a: str, b: str) -> bool:
    def num(s: str) -> float | None:
        try:
            return float(s.replace(",", ""))
        except ValueError:
            return None
    return a.strip().casefold() == b.strip().casefold() or (
        num(a) is not None and num(a) == num(b))


def count_is(t: str, col: int | str, value: str, want: int) -> None:
    """The count is right; a zero may instead be refused, saying where the value is."""
    try:
        got = call("count_rows", t, col, value)
    except ToolError as e:
        assert want == 0, e
        assert "in column" in str(e) or "name of a column" in str(e)
        return
    assert got == want


@S
@given(tables, st.sampled_from([",", "\t", ";", "|"]), st.integers(0, 2), words)
def test_count_rows_and_column(rows: list[list[str]], sep: str, col: int, value: str) -> None:
    header = ["city", "region", "amount"]
    t = render([header, *rows], sep)
    want = sum(1 for r in rows if same(r[col], value))
    count_is(t, header[col], value, want)
    count_is(t, col, value, want + same(header[col], value))
    assert call("column", t, header[col]) == [r[col] for r in rows]
    assert call("csv_rows", t) == [header, *rows]


@S
@given(st.lists(st.tuples(words, st.integers(-500, 500)), max_size=12), words)
def test_sum_where(pairs: list[tuple[str, int]], value: str) -> None:
    t = render([["region", "amount"]] + [[w, str(n)] for w, n in pairs], ",")
    matched = [n for w, n in pairs if same(w, value)]
    if matched:
        assert call("sum_where", t, "amount", "region", value) == float(sum(matched))
        assert call("sum_where", t, 1, 0, value) == float(sum(matched))
    else:  # a sum over no rows is refused: 0 would be a silent wrong answer
        with pytest.raises(ToolError, match="no row has|name of a column"):
            call("sum_where", t, "amount", "region", value)


@S
@given(st.lists(st.tuples(words, st.integers(-500, 500)), max_size=12), words)
def test_max_min_where(pairs: list[tuple[str, int]], value: str) -> None:
    t = render([["station", "temp"]] + [[w, str(n)] for w, n in pairs], ",")
    matched = [n for w, n in pairs if same(w, value)]
    if matched:
        assert call("max_where", t, "temp", "station", value) == max(matched)
        assert call("min_where", t, 1, 0, value) == min(matched)
    else:
        with pytest.raises(ToolError, match="no row"):
            call("max_where", t, "temp", "station", value)


def test_sum_where_explains_a_wrong_column() -> None:
    t = "region,amount\nWest,5\n"
    with pytest.raises(ToolError, match="no numbers"):
        call("sum_where", t, "region", "region", "West")
    with pytest.raises(ToolError, match="no column is named 'amt'.*'region', 'amount'"):
        call("sum_where", t, "amt", "region", "West")


def test_quoted_csv_cells() -> None:
    t = 'name,city\n"Smith, Ann",Lima\nBo,Porto\n'
    assert call("count_rows", t, "city", "lima") == 1
    assert call("lookup", t, "Smith, Ann", "city") == "Lima"


@S
@given(st.lists(st.text(alphabet="abc 12:", max_size=12), max_size=10),
       st.sampled_from(["ab", "c 1", "2", "a"]))
def test_find_lines_reference(lines: list[str], phrase: str) -> None:
    import re

    t = "\n".join(lines)
    word = re.compile(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])", re.IGNORECASE)
    whole = [ln for ln in t.split("\n") if word.search(ln)]
    sub = [ln for ln in t.split("\n") if phrase.lower() in ln.lower()]
    want = whole or sub
    assert call("find_lines", t, phrase) == want
    assert call("find_line", t, phrase) == (want[0] if want else "")
    assert call("count_lines", t, phrase) == len(want)


def test_find_line_prefers_whole_words_and_ignores_case() -> None:
    t = "badge 98765: code A1-XX\nBADGE 9876: access code M9-20CJ\n"
    assert call("find_line", t, "badge 9876") == "BADGE 9876: access code M9-20CJ"
    assert call("find_line", t, "badge 987") == "badge 98765: code A1-XX"  # substring fallback
    assert call("find_line", t, "nothing here") == ""
    with pytest.raises(ToolError):
        call("find_line", t, "  ")


def test_find_line_is_fast_on_megabytes() -> None:
    import time

    t = "2024-09-01 INFO gateway session created host=web-03\n" * 150_000 + "badge 1: code X\n"
    start = time.perf_counter()
    assert call("find_line", t, "badge 1") == "badge 1: code X"
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("text,label,want", [
    ("badge 9876: access code M9-20CJ", "access code", "M9-20CJ"),
    ("the combination for locker 630 is 1669, as noted", "locker 630", "1669"),
    ("user mira password: 'hunter 2' set", "password", "hunter 2"),
    ("serial number = SN-4411-X.", "Serial Number", "SN-4411-X"),
    ("no label here", "code", ""),
    ("ends with code", "code", ""),
])
def test_value_after(text: str, label: str, want: str) -> None:
    assert call("value_after", text, label) == want


@pytest.mark.parametrize("text,want", [
    ("badge 9876: access code M9-20CJ", "M9-20CJ"),
    ("ticket ABC-123 was closed", "ABC-123"),
    ("2024-07-12T07:29:21Z token X9Q2 ok", "X9Q2"),
    ("nothing to see", ""),
])
def test_extract_code(text: str, want: str) -> None:
    assert call("extract_code", text) == want


def test_extract_numbers_and_names() -> None:
    assert call("extract_number", "total: 1,234.50 EUR") == 1234.5
    # past a key's digits (D-14, INV-24779): what the line says of it, where it says any
    assert call("extract_number", "dept D-14 on floor 3") == 3.0
    assert call("extract_int", "Guest INV-24779 chose the pass phrase 5555.") == 5555
    assert call("extract_number", "dept D-14") == 14.0
    assert call("extract_int", "2024-05-01 total 7") == 2024
    assert call("extract_int", "room -3 then 7") == -3
    with pytest.raises(ToolError, match="no number"):
        call("extract_number", "none at all")
    assert call("extract_name", "During the meeting, Priya A. Ahmed approved it.") == \
        "Priya A. Ahmed"
    assert call("extract_name", "no names here") == ""


def test_lookup_two_hops() -> None:
    emp = "employee_id,name,dept_id\n1,Omar Musa,D-14\n2,Lena,D-2\n"
    dep = "dept_id,name,floor\nD-2,Sales,1\nD-14,Ops,3\n"
    dept = call("lookup", emp, "omar musa", "dept_id")
    assert dept == "D-14"
    assert call("lookup", dep, dept, "floor") == "3"
    assert call("lookup", emp, "Lena") == "D-2"  # the next cell
    assert call("lookup", emp, "nobody") == ""


def _read(task: str, name: str) -> str:
    return (BENCH / task / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bench_inputs() -> Path:
    """The quick set's inputs, generated (seeded, about a second) when not there yet."""
    import sys

    root = str(BENCH.parents[3])
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench.tasks.manifest import ensure_tasks

    ensure_tasks(BENCH.parent, quick=True)
    return BENCH


def test_the_bench_shapes_are_one_or_two_calls(bench_inputs: Path) -> None:
    """The quick set's dev tasks (never the test split) answer in one or two skill calls,
    and the answers are the ones the bench's generator recorded."""
    import json

    expected = {t["id"]: t["expected"] for t in
                json.loads((bench_inputs.parent / "tasks.json").read_text())["tasks"]}
    line = call("find_line", _read("needle-01", "context.log"), "badge 9876")
    assert call("value_after", line, "access code") == expected["needle-01"]
    assert call("count_rows", _read("count-01", "customers.csv"), "city",
                "Lima") == expected["count-01"]
    dept = call("lookup", _read("lookup-01", "employees.csv"), "Priya A. Ahmed", "dept_id")
    assert call("to_int", call("lookup", _read("lookup-01", "departments.csv"), dept,
                               "floor")) == expected["lookup-01"]


def test_rows_match_python_csv() -> None:
    t = 'a,"b,c",d\n\n e , f ,g\n'
    want = [[c.strip() for c in r] for r in csv.reader(io.StringIO(t)) if r]
    assert call("csv_rows", t) == want


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=8))
def test_skills_never_crash(text: str, label: str) -> None:
    """Any input gives a value or a ToolError, never a Python exception."""
    for name, args in [("value_after", (text, label)), ("extract_code", (text,)),
                       ("extract_name", (text,)), ("extract_number", (text,)),
                       ("find_lines", (text, label)), ("csv_rows", (text,)),
                       ("lookup", (text, label)), ("count_rows", (text, 0, label))]:
        try:
            call(name, *args)
        except ToolError:
            pass


def test_a_value_in_another_column_is_named_with_a_fixit() -> None:
    t = "ticket\tteam\thours\nT1\tnetwork\t4\nT2\tdesk\t5\nT3\tnetwork\t7\n"
    with pytest.raises(ToolError, match="2 rows have it in column 'team'") as e:
        call("count_rows", t, "ticket", "network")
    assert e.value.data == {"fixit": [[1, "team"]]}
    with pytest.raises(ToolError, match="in column 'team'") as e:
        call("max_where", t, "hours", 0, "network")
    assert e.value.data == {"fixit": [[2, "team"]]}
    assert call("max_where", t, "hours", "team", "network") == 7
    assert call("avg_where", t, "hours", "team", "network") == 5.5


def test_a_column_name_is_not_a_value() -> None:
    t = "ticket,team\nT1,network\n"
    with pytest.raises(ToolError, match="'team' is the name of a column"):
        call("count_rows", t, "ticket", "team")


def test_an_absent_value_counts_zero_but_sums_nothing() -> None:
    t = "ticket,team\nT1,network\n"
    assert call("count_rows", t, "team", "storage") == 0
    with pytest.raises(ToolError, match="no row has 'storage' in any column"):
        call("sum_where", t, 0, "team", "storage")


def test_key_value_records_are_a_table_named_by_keys() -> None:
    t = ("ts=1 user=ana action=view ms=12\n"
         "ts=2 user=bo action=login ms=30\n"
         "ts=3 user=ana action=view ms=18\n")
    assert call("count_rows", t, "user", "ana") == 2
    assert call("avg_where", t, "ms", "action", "view") == 15.0
    assert call("column", t, "action") == ["view", "login", "view"]
    assert call("count_rows", t, 1, "ana") == 2  # by number, the keys are not a row


def test_a_value_passed_as_the_column_is_swapped_back_by_the_fixit() -> None:
    t = "name,department,salary\nAna,Operations,10\nBo,Legal,20\nCy,Operations,5\n"
    with pytest.raises(ToolError, match="'Operations' is a value in column 'department'") as e:
        call("sum_where", t, "salary", "Operations", "salary")
    assert e.value.data == {"fixit": [[2, "department"], [3, "Operations"]]}
    assert call("sum_where", t, "salary", "department", "Operations") == 15


def test_follow_goes_from_one_table_to_the_other_through_a_shared_value() -> None:
    orders = "order_id\tcustomer_id\tamount\nORD-1\tC2\t10.5\nORD-2\tC1\t3\n"
    customers = "customer_id,name,city\nC1,Ana Ruiz,Lima\nC2,Bo Chen,Izmir\n"
    assert call("follow", orders, "ORD-1", customers, "city") == "Izmir"
    assert call("follow", orders, "ORD-2", customers, 2) == "Lima"
    with pytest.raises(ToolError, match="no row of the first text has 'ORD-9'"):
        call("follow", orders, "ORD-9", customers, "city")
    scans = "2024-07-02 package PKG9 stored in warehouse WH3\n"
    warehouses = "code,city\nWH1,Lisbon\nWH3,Seville\n"
    assert call("follow", scans, "PKG9", warehouses, "city") == "Seville"
