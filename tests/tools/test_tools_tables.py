"""The table operations: against Python references, on real files, in real scripts.

References are plain Python over the same rows (csv, Counter, sorted), so a
test fails when an operation drops, double-counts or misorders a record.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tools_helpers import call, run_script

from rlmlang.controller.inputs import describe_input
from rlmlang.tools import reader
from rlmlang.tools.errors import ToolError
from rlmlang.types import STR

DATA = Path(__file__).resolve().parents[1] / "data" / "inputs"
S = settings(max_examples=40, deadline=None)

cities = st.sampled_from(["Lima", "Perth", "Oslo", "lima"])
rows = st.lists(st.tuples(st.integers(1, 999), cities, st.integers(-50, 500)), min_size=1,
                max_size=25)
seps = st.sampled_from([",", "\t", ";", "|"])


def render(rs: list[tuple[int, str, int]], sep: str) -> str:
    return "id" + sep + "city" + sep + "amount\n" + "".join(
        f"{i}{sep}{c}{sep}{a}\n" for i, c, a in rs)


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@S
@given(rows, seps, cities, st.integers(-50, 500))
def test_filters_and_counts_match_python(rs: list[tuple[int, str, int]], sep: str, city: str,
                                         limit: int) -> None:
    t = render(rs, sep)
    same = [r for r in rs if r[1].casefold() == city.casefold()]
    try:
        assert call("count_where", t, "city", city) == len(same)
    except ToolError as e:  # nothing matched; the value is in another column
        assert not same and "column" in str(e)
    over = [r for r in rs if r[2] > limit]
    assert call("count_where", t, "amount", ">", limit) == len(over)
    got = call("where", t, f"city == {city} and amount > {limit}") if same else []
    assert [int(r["id"]) for r in got] == [r[0] for r in same if r[2] > limit]
    assert call("count_where", t, "amount", "<=", limit) == len(rs) - len(over)


@S
@given(rows, seps)
def test_aggregates_match_python(rs: list[tuple[int, str, int]], sep: str) -> None:
    t = render(rs, sep)
    assert call("numbers", t, "amount") == [float(a) for _, _, a in rs]
    assert call("group_count", t, "city") == dict(Counter(c for _, c, _ in rs))
    sums: dict[str, float] = {}
    for _, c, a in rs:
        sums[c] = sums.get(c, 0.0) + a
    assert call("group_sum", t, "city", "amount") == sums
    top = max(rs, key=lambda r: r[2])  # the first of equals, as max() gives
    assert call("max_row", t, "amount") == {"id": str(top[0]), "city": top[1],
                                             "amount": str(top[2])}
    low = min(rs, key=lambda r: r[2])
    assert call("min_row", t, 2)["id"] == str(low[0])
    ordered = sorted(rs, key=lambda r: r[2])
    assert [r["id"] for r in call("order_by", t, "amount")] == [str(r[0]) for r in ordered]
    desc = sorted(rs, key=lambda r: -r[2])
    assert [r["id"] for r in call("order_by", t, "amount", True)] == [str(r[0]) for r in desc]
    assert [r["id"] for r in call("top_k", t, "amount", 3)] == [str(r[0]) for r in desc[:3]]


def test_records_lists_are_tables_too() -> None:
    t = render([(1, "Lima", 5), (2, "Perth", 7), (3, "Lima", 9)], ",")
    lima = call("where", t, "city", "Lima")
    assert call("count_where", lima, "amount", ">", 6) == 1
    assert call("numbers", lima, "amount") == [5.0, 9.0]
    assert call("column", lima, "id") == ["1", "3"]
    assert call("columns", lima) == ["id", "city", "amount"]
    assert call("max_row", lima, "amount")["id"] == "3"
    lima[0]["city"] = "changed"  # a script's copy: the next read is as the text says
    assert call("where", t, "city", "Lima")[0]["city"] == "Lima"


def test_join_on_two_inputs() -> None:
    employees = "id,name,dept\n1,Ana,D2\n2,Bo,D1\n3,Cy,D9\n"
    departments = "dept_id,name,floor\nD1,Sales,3\nD2,Ops,5\n"
    rows = call("join_on", employees, departments, "dept", "dept_id")
    assert rows == [
        {"id": "1", "name": "Ana", "dept": "D2", "dept_id": "D2", "name_2": "Ops", "floor": "5"},
        {"id": "2", "name": "Bo", "dept": "D1", "dept_id": "D1", "name_2": "Sales",
         "floor": "3"}]
    same_name = call("join_on", "k,v\n1,a\n", "k,w\n1.0,b\n", "k")  # numbers match as numbers
    assert same_name == [{"k": "1", "v": "a", "w": "b"}]
    with pytest.raises(ToolError, match="no value of column 'name'"):
        call("join_on", employees, departments, "name", "floor")


def test_queries() -> None:
    t = "name,city,when\nAna,New York,2024-01-05\nBo,Lima,2023-12-31\nCy,lima,2024-02-01\n"
    assert call("count_where", t, "city == 'New York'") == 1
    assert call("count_where", t, "when >= 2024-01-01") == 2  # ISO dates order as text
    assert call("count_where", t, "city != Lima") == 1
    assert call("count_where", t, "city contains york") == 1
    assert call("count_where", t, "name startswith a and city = 'new york'") == 1
    with pytest.raises(ToolError, match="not a test"):
        call("count_where", t, "city Lima")
    with pytest.raises(ToolError, match="unknown test '=>'"):
        call("count_where", t, "city", "=>", "Lima")
    # the value named and the test left out is an equality, as (col, value) is
    assert run_script('submit(count_where(context, "city", value="Lima"))',
                      {"context": t}).value == call("count_where", t, "city", "Lima") == 2


def test_errors_say_what_to_do() -> None:
    t = "id,city,amount\n1,Lima,5\n2,Perth,7\n"
    with pytest.raises(ToolError, match=r"no column is named 'town'; the columns are 'id', "
                                        r"'city', 'amount'"):
        call("count_where", t, "town", "Lima")
    with pytest.raises(ToolError, match="'Lima' is a value in column 'city', not a column") \
            as swapped:
        call("where", t, "Lima", "city")
    assert swapped.value.data == {"fixit": [[1, "city"], [2, "Lima"]]}
    with pytest.raises(ToolError, match="no record has 'Perth' in column 'id'; column 'city' "
                                        "holds it") as moved:
        call("count_where", t, "id", "Perth")
    assert moved.value.data == {"fixit": [[1, "city"]]}
    with pytest.raises(ToolError, match="column 'city' holds no numbers.*'id', 'amount' hold "):
        call("numbers", t, "city")
    with pytest.raises(ToolError, match="there is no column 7"):
        call("max_row", t, 7)
    with pytest.raises(ToolError, match="prose"):
        call("records", text("apache_license.txt"))
    with pytest.raises(ToolError, match="text of an input or a list of records"):
        call("where", 5, "city", "Lima")
    assert call("count_where", t, "city", "Oslo") == 0  # absent everywhere: a true zero


def test_numbers_with_units_and_signs() -> None:
    mem = text("meminfo.txt")
    total = next(ln for ln in mem.splitlines() if ln.startswith("MemTotal:"))
    assert call("numbers", mem, "MemTotal") == [float(total.split()[1])]  # "24683664 kB"
    t = "k,v\na,$1,234.50\nb,45%\nc,-3\nd,n/a\ne,12 ms\n"
    assert call("numbers", t.replace(",$1,234.50", ',"$1,234.50"'), "v") == [
        1234.5, 45.0, -3.0, 12.0]


# The expected figures were counted with grep, awk and json on the same files.
@pytest.mark.parametrize("name,script,want", [
    ("dpkg_status.txt", 'submit(group_count(t, "Priority")["optional"])', 3),
    ("dpkg_status.txt", 'submit(max_row(t, "Installed-Size")["Package"])',
     "adwaita-icon-theme"),
    ("services.txt", 'submit(count_where(t, "1", "endswith", "/udp"))', 19),
    ("protocols.txt", 'submit(where(t, 2, "TCP")[0]["1"])', "6"),
    ("zone1970.tab", 'submit(count_where(t, "TZ", "startswith", "America/"))', 10),
    ("ps_aux.txt", 'submit(count_where(t, "STAT", "I<"))', 11),
    ("df.txt", 'submit(max_row(t, "Used")["Mounted on"])', "/"),
    ("debian.csv", 'submit(min_row(t, "version", where="eol < 2000-01-01")["codename"])',
     "Buzz"),
    ("msbuild_masm.json", 'submit(count_where(t, "flags", "contains", "UserValue"))', 5),
    ("msbuild_masm.jsonl", 'submit(len(group_count(t, "comment")))', 38),
    ("packages_logfmt.log", 'submit(sum(numbers(t, "installed_kb")))', 22694.0),
    ("apt_history.log", 'submit(len(lines_with(t, ["install", "python3-dev"])))', 1),
    ("apt_history.log",
     'submit(extract_records(t, "^Start-Date: (?P<day>[0-9-]+)")[1]["day"])', "2025-06-24"),
])
def test_real_files_through_real_scripts(name: str, script: str, want: object) -> None:
    output = {int: "int", float: "float", str: "str"}[type(want)]
    result = run_script(script, {"t": text(name)}, output=output)
    assert result.status == "submitted", result.diagnostics
    assert result.value == want


def test_the_description_and_the_operations_agree() -> None:
    for f in sorted(DATA.iterdir()):
        if f.suffix == ".md":
            continue
        t = f.read_text(encoding="utf-8")
        info = describe_input("t", t, STR, question="")
        if info.format == "prose":
            continue
        assert len(call("records", t)) == info.records, f.name
        if reader.detect(t, "").names_from != "numbers":
            assert call("columns", t) == list(info.columns), f.name
        assert call("count_where", t, call("columns", t)[0], "!=", "\x00") == info.records


def test_a_headerless_table_named_by_the_question() -> None:
    t = text("umath_noheader.csv")
    q = "The context is CSV lines 'dtype,input,output,ulperrortol'. How many are float32?"
    with reader.task_question(q):
        assert call("count_where", t, "dtype", "np.float32") == sum(
            1 for ln in t.splitlines() if ln.startswith("np.float32,"))
        assert call("count_rows", t, "dtype", "np.float64") == sum(
            1 for ln in t.splitlines() if ln.startswith("np.float64,"))
    with pytest.raises(ToolError, match="no column is named 'dtype': the text has no header "
                                        "line, so its columns are numbered from 0"):
        call("count_where", t, "dtype", "np.float32")
    with pytest.raises(ToolError, match="no column is named 'dtype': the table has no header "
                                        "line .* is data"):
        call("count_rows", t, "dtype", "np.float32")
    assert call("count_where", t, 0, "np.float32") == call("count_rows", t, 0, "np.float32")


def test_one_call_forms_verify_and_run_on_a_megabyte() -> None:
    """Filters inside the aggregates (where=) keep each a pass over the text, and their
    results bounded by it: proven within the default budget without knowing the data."""
    lines = [f"{i},{['Lima', 'Perth', 'Oslo'][i % 3]},{i % 997}" for i in range(80_000)]
    t = "id,city,amount\n" + "\n".join(lines) + "\n"
    assert len(t) > 1_000_000
    script = ('n = count_where(t, "city == Perth and amount > 500")\n'
              'print(group_count(t, "city"))\n'
              'best = max_row(t, "amount", where="city == Lima")["id"]\n'
              'oslo = numbers(t, "amount", where="city == Oslo")\n'
              'avg = sum(oslo) / len(oslo)\n'
              'submit(str(n) + " " + best + " " + str(round(avg, 2)))')
    out = run_script(script, {"t": t})
    perth = sum(1 for i in range(80_000) if i % 3 == 1 and i % 997 > 500)
    lima = [i for i in range(80_000) if i % 3 == 0]
    best = max(lima, key=lambda i: (i % 997, -i))
    oslo = [i % 997 for i in range(80_000) if i % 3 == 2]
    assert out.value == f"{perth} {best} {round(math.fsum(oslo) / len(oslo), 2)}"


@pytest.mark.parametrize("call_args", [
    ("records", ()), ("where", ("0", "!=", "")), ("order_by", (0,)), ("top_k", (0, 5)),
    ("columns", ()), ("max_row", (1,)), ("group_count", (0,)), ("numbers", (1,)),
])
def test_records_size_bounds_the_results_linearly(call_args: tuple[str, tuple]) -> None:
    """The contract offered to a verifier that knows an input (extra["table_args"]): with
    records_size(text) in place of the text's Size, a result fits its declared bound, and
    that bound is within a small factor of the data, not quadratic in it."""
    from tools_helpers import spec

    from rlmlang.tools.registry import size_of
    from rlmlang.tools.tables import records_size

    name, args = call_args
    s = spec(name)
    assert s.extra["table_args"] == (0,)
    for t in (text("debian.csv"), text("dpkg_status.txt"), text("ps_aux.txt"),
              text("msbuild_masm.json")):
        try:
            result = s.impl(t, *args)
        except ToolError:
            continue  # a column without numbers, say: nothing to bound
        exact = records_size(t)
        bound = s.result_size([exact] + [size_of(a) for a in args])
        got = size_of(result)
        assert got.len <= bound.len and got.total <= bound.total, (name, got, bound)
        assert bound.total <= 4 * exact.total + 4 * len(t) + 64, (name, bound, exact)
        text_bound = s.result_size([size_of(t)] + [size_of(a) for a in args])
        assert got.total <= text_bound.total


@pytest.mark.parametrize("name,skill,args,want", [
    ("dpkg_status.txt", "count_rows", ("Priority", "optional"), 3),
    ("dpkg_status.txt", "lookup", ("adduser", "Version"), "3.134"),
    ("dpkg_status.txt", "sum_where", ("Installed-Size", "Priority", "optional"), 22008.0),
    ("services.txt", "lookup", ("ssh", 1), "22/tcp"),
    ("zone1970.tab", "lookup", ("Europe/Andorra", "codes"), "AD"),
    ("meminfo.txt", "lookup", ("MemTotal",), "24683664 kB"),
    ("os-release.txt", "lookup", ("VERSION_CODENAME",), "bookworm"),
    ("nsswitch.conf", "lookup", ("hosts",), "files mdns4_minimal [NOTFOUND=return] dns"),
    ("ps_aux.txt", "count_rows", ("STAT", "I<"), 11),
    ("msbuild_masm.json", "lookup", ("Fl", "name"), "AssembledCodeListingFile"),
])
def test_the_skills_read_every_format(name: str, skill: str, args: tuple, want: object) -> None:
    """The skills scan the rows the one reader reads (the same columns the prompt names)."""
    t = text(name)
    if name == "meminfo.txt":
        want = next(ln.split(":", 1)[1].strip() for ln in t.splitlines()
                    if ln.startswith("MemTotal:"))
    assert call(skill, t, *args) == want


# Records whose field names collide the way joins rename them ("a", "a_2"), with empty and
# short cells: the shapes where a record's entries add up to more than its total.
_NAMES = ["id", "a", "a_2", "a_3", "b", "b_2", "1", "amount"]
_cells = st.one_of(st.just(""), st.sampled_from(["1", "2", "10", "-3", "x", "Perth", "a_2"]),
                   st.text(alphabet="ab1 ,", max_size=6))
_records = st.lists(st.fixed_dictionaries({"id": st.sampled_from(["1", "2", "3"])},
                                          optional={n: _cells for n in _NAMES[1:]}),
                    max_size=6)
_tables = st.one_of(_records, st.sampled_from([
    "id,a,b\n1,x,2\n2,y,3\n", "id,a,a_2\n1,2,3\n2,,\n", "id=1 a=x\nid=2 a_2=y\n",
    '[{"id": 1, "a": 2}, {"id": 2, "a": "x", "b": ""}]', "id: 1\na: 2\n\nid: 2\nb: 3\n"]))
_columns = st.sampled_from([*_NAMES, 0, 1, 2])
_CALLS = {
    "records": st.tuples(st.sampled_from(["id,a\n1,2\n", "a: 1\nb: 2\n\na: 3\n"])),
    "columns": st.tuples(_tables),
    "where": st.tuples(_tables, _columns, st.sampled_from(["==", "!=", ">"]), _cells),
    "count_where": st.tuples(_tables, _columns, _cells),
    "numbers": st.tuples(_tables, _columns),
    "group_count": st.tuples(_tables, _columns),
    "group_sum": st.tuples(_tables, _columns, _columns),
    "max_row": st.tuples(_tables, _columns),
    "min_row": st.tuples(_tables, _columns),
    "order_by": st.tuples(_tables, _columns, st.booleans()),
    "top_k": st.tuples(_tables, _columns, st.integers(0, 5)),
    "join_on": st.one_of(st.tuples(_tables, _tables, st.just("id")),
                         st.tuples(_tables, _tables, _columns, _columns)),
}


@pytest.mark.parametrize("name", sorted(_CALLS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_declared_sizes_bound_the_results(name: str, data: st.DataObject) -> None:
    """Every table operation's declared result size (what the verifier bounds loops and
    memory with) is at least the actual size of its result, in every field: items,
    largest item, the items added up, and the total."""
    from tools_helpers import spec

    from rlmlang.tools.registry import size_of

    s = spec(name)
    args = data.draw(_CALLS[name])
    try:
        result = s.impl(*args)
    except ToolError:
        return
    got, bound = size_of(result), s.result_size([size_of(a) for a in args])
    assert got.len <= bound.len and got.total <= bound.total, (args, result, bound)
    assert got.elem <= bound.elem or got.len == 0, (args, result, bound)
    assert bound.sum is None or got.sum is None or got.sum <= bound.sum, (args, result, bound)


def test_join_renames_fit_the_declared_size() -> None:
    """The case the fuzzer found: every right field renamed "<name>_2" (two characters
    more each) on records of one-character names and empty cells."""
    from tools_helpers import spec

    from rlmlang.tools.registry import size_of

    left = [{"k": "1", "a": "", "b": "", "c": ""}]
    right = [{"k": "1", "a": "", "b": "", "c": ""}]
    result = call("join_on", left, right, "k")
    assert set(result[0]) == {"k", "a", "b", "c", "a_2", "b_2", "c_2"}
    got = size_of(result)
    bound = spec("join_on").result_size([size_of(left), size_of(right)])
    assert got.total <= bound.total and got.elem <= bound.elem and got.sum <= bound.sum
