"""An input table's text used as its rows gets a fix-it that reads its rows (fixits.py).

Coder models take a table input for its parsed rows: they go through it with a
for, index its first row, pass it to a def wanting rows, or take the max of it
by a column. Each is an E_TYPE whose fix-it writes `records(X)` (or
`json.loads(X)` for a JSON list) in place of the input, and the fixed script
answers as the model meant."""

from __future__ import annotations

import json

import pytest
from script_run import run_script

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import FLOAT, INT, STR

CSV = "name,dept,salary\nAna,ops,10\nBo,dev,30\nCy,dev,20\n"
JSON = json.dumps([{"name": "Ana", "salary": 10}, {"name": "Bo", "salary": 30},
                   {"name": "Cy", "salary": 20}])


@pytest.mark.parametrize("script, data, output, answer, rows", [
    ("n = 0\nfor r in staff:\n    if r[\"dept\"] == \"dev\":\n        n += 1\nsubmit(n)\n",
     CSV, INT, 2, "records(staff)"),
    ("submit(len([r for r in staff if r[\"salary\"] > 15]))\n", JSON, INT, 2,
     "json.loads(staff)"),
    ("submit(staff[1][\"name\"])\n", CSV, STR, "Bo", "records(staff)"),
    ("def top(rows: list[dict[str, str]]) -> str:\n    return rows[0][\"name\"]\n"
     "submit(top(staff))\n", CSV, STR, "Ana", "records(staff)"),
    ("best = max(staff, key=lambda r: r[\"salary\"])\nsubmit(best[\"name\"])\n", JSON, STR,
     "Bo", "json.loads(staff)"),
    # its lines taken for its rows (dev top-k-03's `for row in mtcars.splitlines()[1:]`)
    ("submit(len([r for r in staff.splitlines()[1:] if r[\"dept\"] == \"dev\"]))\n", CSV, INT,
     2, "records(staff)"),
    ("n = 0\nfor r in lines(staff):\n    if r[\"dept\"] == \"ops\":\n        n += 1\nsubmit(n)\n",
     CSV, INT, 1, "records(staff)"),
    # a cell (text) ordered against a number: read as one (dev threshold-01)
    ("n = 0\nfor r in records(staff):\n    if r[\"salary\"] > 15:\n        n += 1\nsubmit(n)\n",
     CSV, INT, 2, "float(r[\"salary\"])"),
    # cells summed as they are (dev average-03's `sum(car["wt"] for car in filtered)`)
    ("submit(sum(r[\"salary\"] for r in records(staff)))\n", CSV, FLOAT, 60.0,
     "float(r[\"salary\"])"),
    ("pay = [r[\"salary\"] for r in records(staff)]\nsubmit(sum(pay) / len(pay))\n", CSV, FLOAT,
     20.0, "[float(x) for x in pay]"),
])
def test_the_fixit_reads_the_rows(script: str, data: str, output, answer, rows: str) -> None:
    out = run_script(script, output, staff=data)
    assert out.stage == "check" and out.diagnostics[0].code == "E_TYPE"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and rows in fixed
    again = run_script(fixed, output, staff=data)
    assert again.stage == "done" and again.answer == answer, again.diagnostics


def test_no_fixit_for_a_text_that_is_not_an_input() -> None:
    script = "t = staff.lower()\nfor r in t:\n    submit(r[\"name\"])\nfail(\"none\")\n"
    out = run_script(script, STR, staff=CSV)
    assert out.stage == "check" and apply_fixits(script, out.diagnostics) is None


ORDERS = "id,customer,total\n1,Jonas,869.01\n2,Jonas,2490.85\n3,Ana,10.5\n"


@pytest.mark.parametrize("which", ["max", "min", "sorted"])
def test_a_key_ordering_a_numeric_columns_text_is_fixed_to_order_its_numbers(which) -> None:
    """'869.01' > '2490.85' as text: the key orders the column's numbers after the fix-it."""
    pick = "[0]" if which == "sorted" else ""
    script = (f"rows = where(orders, \"customer\", \"Jonas\")\n"
              f"top = {which}(rows, key=lambda r: r[\"total\"]){pick}\n"
              f"submit(top[\"total\"])\n")
    out = run_script(script, STR, orders=ORDERS)
    assert out.stage == "check" and "holds numbers" in out.diagnostics[0].message
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and 'float(r["total"])' in fixed
    want = {"max": "2490.85", "min": "869.01", "sorted": "869.01"}[which]
    assert run_script(fixed, STR, orders=ORDERS).answer == want


def test_a_key_over_a_text_column_is_left_as_written() -> None:
    script = "top = max(records(orders), key=lambda r: r[\"customer\"])\nsubmit(top[\"id\"])\n"
    out = run_script(script, STR, orders=ORDERS)
    assert out.stage == "done" and out.answer == "1"


@pytest.mark.parametrize("data, rows", [(CSV, "records(staff)"), (JSON, "json.loads(staff)")])
def test_len_of_a_table_input_counts_its_rows_after_the_fixit(data: str, rows: str) -> None:
    """`len(staff)` is the characters of the text (Python's answer, never the model's
    meaning where it divides a count of rows by it)."""
    script = ("devs = [r for r in json.loads(staff) if r[\"salary\"] > 15]\n"
              if data is JSON else "devs = where(staff, \"dept\", \"dev\")\n") + \
        "submit(round(len(devs) / len(staff) * 100, 1))\n"
    out = run_script(script, STR, staff=data)
    d = out.diagnostics[0]
    assert out.stage == "check" and d.code == "E_TYPE"
    assert d.message == "len(staff) counts the characters of the text of staff, not its 3 rows"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and f"len({rows})" in fixed
    assert run_script(fixed, STR, staff=data).answer == "66.7"


def test_the_characters_of_a_table_and_the_length_of_prose_are_counted_as_written() -> None:
    assert run_script("submit(len(str(staff)))\n", INT, staff=CSV).answer == len(CSV)
    prose = "The lobby opened at nine. It closed at five.\n"
    assert run_script("submit(len(note))\n", INT, note=prose).answer == len(prose)


@pytest.mark.parametrize("which, want", [("max", "2490.85"), ("min", "869.01"),
                                        ("sorted", "869.01")])
def test_a_comprehension_of_a_numeric_columns_text_is_fixed_to_order_its_numbers(which, want):
    pick = "[0]" if which == "sorted" else ""
    script = (f"rows = where(orders, \"customer\", \"Jonas\")\n"
              f"submit({which}([r[\"total\"] for r in rows]){pick})\n")
    out = run_script(script, STR, orders=ORDERS)
    assert out.stage == "check" and "holds numbers" in out.diagnostics[0].message
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and 'float(r["total"])' in fixed
    assert run_script(fixed, STR, orders=ORDERS).answer == want


def test_max_of_a_dict_of_texts_or_of_its_keys_is_left_as_written() -> None:
    script = 'd = {"a": "x", "b": "y"}\nsubmit(max(d) + max(d.keys()))\n'
    assert run_script(script, STR, orders=ORDERS).answer == "bb"


@pytest.mark.parametrize("data, lines", [
    ("id,name,salary\n1,Ana,10\n2,Bo,30\n3,Cy,20\n", "staff.splitlines()[1:]"),  # a header
    ("1,Ana,10\n2,Bo,30\n3,Cy,20\n", "staff.splitlines()"),  # none
])
def test_a_key_that_splits_a_line_is_fixed_to_go_through_the_lines(data: str, lines: str):
    """`max(staff, key=lambda x: float(x.split(",")[2]))`: the key reads each item as a
    line, so the fix-it gives it the table's lines (its records' lines, past a header)."""
    script = ('top = max(staff, key=lambda x: float(x.split(",")[2]))\n'
              'submit(top.split(",")[1])\n')
    out = run_script(script, STR, staff=data)
    assert out.stage == "check" and "goes through its characters" in out.diagnostics[0].message
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and lines in fixed
    assert run_script(fixed, STR, staff=data).answer == "Bo"


def test_a_key_over_a_table_with_comment_lines_is_fixed_to_its_records() -> None:
    data = "# staff\nid,name,salary\n1,Ana,10\n2,Bo,30\n"
    script = 'top = max(staff, key=lambda x: float(x.split(",")[2]))\nsubmit(top)\n'
    out = run_script(script, STR, staff=data)
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "records(staff)" in fixed


def test_a_json_object_input_indexed_by_a_key_is_its_value() -> None:
    """`regions[region]["hub_city"]` of a JSON object's text (dev three-hop-04): Python
    would fail on the str; the value was meant, and the fix-it decodes it."""
    regions = json.dumps({"north": {"hub_city": "Oslo"}, "south": {"hub_city": "Rome"}})
    script = 'region = "south"\nhub = regions[region]["hub_city"]\nsubmit(hub)\n'
    out = run_script(script, STR, regions=regions)
    assert out.stage == "check"
    assert out.diagnostics[0].fix == ("regions is the text of a JSON object; its value is "
                                      "json.loads(regions): json.loads(regions)[region]")
    assert [d.fix for d in out.diagnostics[1:]] == [
        'regions is the text of a JSON object; its value is json.loads(regions): '
        'json.loads(regions)[region]["hub_city"]']
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "json.loads(regions)[region]" in fixed
    out = run_script(fixed, STR, regions=regions)
    assert out.stage == "done" and out.answer == "Rome"


def test_an_input_s_text_is_not_made_a_list_of_one() -> None:
    """count_of(customers, "Recife") takes a list: the whole text in a list of one counts
    nothing (the fix-it's zero was confirmed twice, dev inject-02); a phrase still is."""
    table = "id,name,city\n1,Ana,Recife\n2,Bo,Lima\n"
    out = run_script('submit(count_of(customers, "Recife"))\n', INT, customers=table)
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert d.fix == ("customers is an input's whole text: its lines are "
                     "customers.splitlines(), its records records(customers)")
    assert apply_fixits('submit(count_of(customers, "Recife"))\n', out.diagnostics) is None
    phrase = 'submit(len(lines_with(customers, "Recife")))\n'
    out = run_script(phrase, INT, customers=table)
    fixed = apply_fixits(phrase, out.diagnostics)
    assert fixed is not None and 'lines_with(customers, ["Recife"])' in fixed
    assert run_script(fixed, INT, customers=table).answer == 1


def test_records_indexed_by_a_value_are_filtered_for_the_record_holding_it() -> None:
    """`records(depots)[depot]["region"]`, records read as a table keyed by its first column
    (the 1.5B's lookups and joins, a dozen dev and test runs, told to convert the key with
    int()): the fix-it takes the record that holds the value in a field."""
    depots = "id,name,region\nD-1,North yard,West\nD-7,South yard,East\n"
    script = 'depot = "D-7"\nregion = records(depots)[depot]["region"]\nsubmit(region)\n'
    out = run_script(script, STR, depots=depots)
    assert out.stage == "check"
    assert out.diagnostics[0].fix == (
        "records(depots) is a list of records, indexed by position; the record that holds "
        "depot in one of its fields: [rec for rec in records(depots) if depot in "
        "rec.values()][0] (or test the field that holds it)")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None
    out = run_script(fixed, STR, depots=depots)
    assert out.stage == "done" and out.answer == "East"
    # A position is still an int, and a number written as text gets int() as before.
    out = run_script('i = "1"\nsubmit(lines(depots)[i])\n', STR, depots=depots)
    assert out.diagnostics[0].fix == "convert with int(i)"


def test_a_def_that_returns_none_when_it_finds_nothing_may_return_none() -> None:
    """`def find(...) -> str:` ending `return None` (Python runs it: the annotation checks
    nothing; 39 dev and test logs of the 1.5B were refused so): the fix-it declares
    `-> str | None`, and None, submitted where nothing is found, is no answer."""
    depots = "id,name,region\nD-1,North yard,West\nD-7,South yard,East\n"
    script = ('def find_name(table: str, key: str) -> str:\n'
              '    for t in records(table):\n'
              '        if t["id"] == key:\n'
              '            return t["name"]\n'
              '    return None\n'
              'submit(find_name(depots, "D-7"))\n')
    out = run_script(script, STR, depots=depots)
    assert out.stage == "check" and out.diagnostics[0].fix == (
        "declare that it may return None: def find_name(...) -> str | None:")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "-> str | None:" in fixed
    assert run_script(fixed, STR, depots=depots).answer == "South yard"
    out = run_script(fixed.replace('"D-7"', '"D-9"'), STR, depots=depots)
    assert out.stage == "done" and out.answer is None
    # A value of another type returned keeps its conversion fix, and no fix-it.
    out = run_script(script.replace("return None", "return 0"), STR, depots=depots)
    assert out.diagnostics[0].fix == "convert with str(0)"
    assert apply_fixits(script.replace("return None", "return 0"), out.diagnostics) is None


def test_a_def_declared_to_return_another_type_than_it_does_is_declared_so() -> None:
    """`-> int` and `return total, rows` (fresh dev aggregate-01 drew it three rounds):
    Python returns what the body returns, so the fix-it declares that type; a float
    returned where int is declared is declared float (int() would cut it)."""
    sales = "region,amount\nEast,10.5\nWest,3\nEast,2\n"
    script = ('def east(sales: str) -> int:\n'
              '    rows = [r for r in records(sales) if r["region"] == "East"]\n'
              '    return sum(float(r["amount"]) for r in rows), rows\n'
              'total, rows = east(sales)\nprint(len(rows))\nsubmit(total)\n')
    out = run_script(script, FLOAT, sales=sales)
    assert out.diagnostics[0].fix == ("declare what it returns: def east(...) -> "
                                      "tuple[float, list[dict[str, str]]]:")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "-> tuple[float, list[dict[str, str]]]:" in fixed
    assert run_script(fixed, FLOAT, sales=sales).answer == 12.5
    one = script.replace(", rows\n", "\n").replace("total, rows = east(sales)\nprint(len(rows))",
                                                      "total = east(sales)")
    out = run_script(one, FLOAT, sales=sales)
    assert out.diagnostics[0].fix == "declare what it returns: def east(...) -> float:"
    assert run_script(apply_fixits(one, out.diagnostics) or "", FLOAT, sales=sales).answer == 12.5


def test_a_def_named_where_its_value_is_wanted_is_called_with_the_inputs_it_names() -> None:
    """`submit(count_employees)` of `def count_employees(employees: str)` (dev sample 5
    count-08, and 11 more logs): its parameters name the inputs in scope, so the fix-it
    calls it with them; where they name nothing in scope, the fix is only said."""
    staff = "name,dept\nAna,Legal\nBo,Sales\nCy,Legal\n"
    script = ('def count_legal(staff: str) -> int:\n    n = 0\n'
              '    for line in staff.splitlines():\n        if "Legal" in line:\n'
              '            n += 1\n    return n\nsubmit(count_legal)\n')
    out = run_script(script, INT, staff=staff)
    assert out.diagnostics[0].message == (
        "'count_legal' is a function; call it: count_legal(staff)")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and run_script(fixed, INT, staff=staff).answer == 2
    other = script.replace("(staff: str)", "(table: str)").replace("in staff.", "in table.")
    out = run_script(other, INT, staff=staff)
    assert out.diagnostics[0].message == "'count_legal' is a function; call it: count_legal(...)"
    assert apply_fixits(other, out.diagnostics) is None


@pytest.mark.parametrize("script,answer", [
    ('customer = customers[customers["id"] == "D-7"]\nsubmit(customer[0]["name"])\n',
     "South yard"),
    ('rows = records(customers)\nwest = rows[rows["region"] == "West"]\nsubmit(str(len(west)))\n',
     "1"),
])
def test_a_pandas_mask_over_a_table_is_the_records_that_pass(script: str, answer: str) -> None:
    """`customers[customers["customer_id"] == x]` (pandas' boolean mask; 11 dev and test
    logs of the 1.5B, over an input's text or its records): the fix-it keeps the records
    that pass. A constant field of a list of records is said, not guessed at."""
    customers = "id,name,region\nD-1,North yard,West\nD-7,South yard,East\n"
    out = run_script(script, STR, customers=customers)
    assert out.stage == "check"
    assert any("filters a table as pandas does; here, the records that pass: [rec for rec in "
               in d.message for d in out.diagnostics)
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and run_script(fixed, STR, customers=customers).answer == answer
    out = run_script('rows = records(customers)\nname = rows["name"]\nsubmit(name)\n', STR,
                     customers=customers)
    assert out.diagnostics[0].fix == (
        "rows is a list of records, indexed by position: the first record's field is "
        "rows[0][\"name\"], every record's [rec[\"name\"] for rec in rows]")


def test_a_json_table_passed_where_texts_fields_are_wanted_is_given_as_records() -> None:
    """`def count_female(penguins: list[dict[str, str]])` called with a JSON input whose
    fields are numbers too (dev sample 5 count-14): json.loads gives typed records that do
    not fit the parameter; records() gives every field as a text, and does."""
    penguins = json.dumps([{"species": "Adelie", "mass": 3000 + i,
                            "sex": "female" if i % 2 else "male"} for i in range(30)])
    script = ('def count_female(rows: list[dict[str, str]]) -> int:\n    n = 0\n'
              '    for p in rows:\n        if p["sex"] == "female":\n            n += 1\n'
              '    return n\nsubmit(count_female(penguins))\n')
    out = run_script(script, INT, penguins=penguins)
    assert out.diagnostics[0].fix == "pass its rows: count_female(records(penguins), ...)"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and run_script(fixed, INT, penguins=penguins).answer == 15


def test_a_table_input_indexed_by_a_column_name_reads_that_column() -> None:
    """pandas' `set(penguins["year"])` (dev distinct-03): the column's values, read from
    the table's records by the fix-it."""
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import INT

    table = "species,year\nAdelie,2007\nGentoo,2008\nAdelie,2007\n"
    script = 'years = set(penguins["year"])\nsubmit(len(years))\n'
    out = run_script(script, INT, penguins=table)
    assert out.stage == "check"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed == 'years = set([r["year"] for r in records(penguins)])\nsubmit(len(years))\n'
    assert run_script(fixed, INT, penguins=table).answer == 2


def test_a_phrase_tested_in_one_character_of_a_text_is_never_true() -> None:
    """`for line in contacts: if "Sana W. Tanaka" in line` goes through the characters of
    the text (fresh dev string-transform-03: told only that its result was assigned in a
    block that did not run, two rounds). An error; the fix-it goes through its lines. A
    character tested for one character is left alone."""
    text = "name  phone\n" + "".join(f"P{i}  +1 {i}\n" for i in range(30)) + \
        "Sana W. Tanaka  +32 563 3438\n"
    script = ('for line in contacts:\n    if "Sana W. Tanaka" in line:\n'
              '        digits = line.split("  ")[1].replace("+", "").replace(" ", "")\n'
              'submit(digits)\n')
    out = run_script(script, STR, contacts=text)
    assert out.stage == "check" and out.diagnostics[0].message == (
        "'line' is one character of contacts (a for over a str goes through its "
        "characters), so \"Sana W. Tanaka\" in line is never true")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "for line in contacts.splitlines():" in fixed
    again = run_script(fixed, STR, contacts=text)
    assert again.stage == "done" and again.answer == "325633438", again.diagnostics
    vowels = 'n = 0\nfor ch in contacts:\n    if ch in "aeiou":\n        n += 1\nsubmit(n)\n'
    assert run_script(vowels, INT, contacts=text).stage == "done"
