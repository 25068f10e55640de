"""json_decode of a JSON input has the type of the input's own value (check/decoded.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from script_run import run_script

from rlmlang.check.decoded import decoded_types, type_of_json
from rlmlang.types import FLOAT, INT, STR, parse_type

ORDERS = [
    {"id": "SH-1", "customer": {"name": "Ana", "address": {"city": "Lyon"}}, "total": 3},
    {"id": "SH-2", "customer": {"name": "Ben", "address": {"city": "Ghent"}}, "total": 4.5},
    {"id": "SH-3", "customer": {"name": "Cy", "address": {"city": "Oslo"}}, "total": None},
]


@pytest.mark.parametrize("value, expected", [
    ([1, 2.5], "list[float]"),
    ([1, None], "list[int | None]"),
    ([], "list[str]"),
    ({"a": 1, "b": 2}, "dict[str, int]"),
    ({"id": "x", "n": 1}, "{id: str, n: int}"),
    ({"SH-1": {"n": 1}, "SH-2": {"n": 2}}, "dict[str, dict[str, int]]"),
    ([{"id": "x", "n": 1}, {"id": "y", "n": 2.0}], "list[{id: str, n: float}]"),
    ([{"id": "x", "tags": []}, {"id": "y", "tags": ["a"]}], "list[{id: str, tags: list[str]}]"),
])
def test_the_type_of_a_json_value(value: object, expected: str) -> None:
    assert str(type_of_json(value)) == expected


@pytest.mark.parametrize("value", [
    [1, "a"],  # a list mixing numbers and text
    [{"id": "x", "n": 1}, {"id": "y", "m": "z"}],  # objects of different keys and kinds
    [True, 1],  # a bool is not an int here
    {"order date": "x", "n": 1},  # not a record (its key is no name) and no one value type
])
def test_a_value_no_one_type_describes_has_none(value: object) -> None:
    assert type_of_json(value) is None


def test_only_json_inputs_are_typed_and_json_lines_give_a_line_type() -> None:
    lines = "\n".join(json.dumps({"kind": k, "ms": ms}) for k, ms in [("a", 1), ("b", 2.5)])
    got = decoded_types({"orders": json.dumps(ORDERS), "events": lines, "notes": "[draft] x"})
    assert set(got.inputs) == {"orders", "events"} and got.jsonl == {"events"}
    assert str(got.lines) == "{kind: str, ms: float}"
    assert str(got.inputs["events"]) == "list[{kind: str, ms: float}]"


def test_python_that_decodes_and_indexes_a_nested_input_runs() -> None:
    script = (
        "import json\n"
        "orders = json.loads(orders)\n"
        "for order in orders:\n"
        "    if order[\"id\"] == \"SH-2\":\n"
        "        submit(order[\"customer\"][\"address\"][\"city\"])\n"
        "fail(\"no such order\")\n"
    )
    for tier in ("fast", "interp"):
        out = run_script(script, STR, orders=json.dumps(ORDERS), tier=tier)
        assert out.stage == "done" and out.answer == "Ghent", out.diagnostics


def test_a_maybe_none_field_must_be_checked_as_in_python() -> None:
    bare = "xs = json_decode(orders)\nsubmit(sum(o[\"total\"] for o in xs))\n"
    out = run_script(bare, FLOAT, orders=json.dumps(ORDERS))
    assert out.stage == "check" and out.diagnostics[0].code == "E_TYPE"
    checked = ("total = 0.0\n"
               "for o in json_decode(orders):\n"
               "    t = o[\"total\"]\n"
               "    if t is not None:\n"
               "        total += t\n"
               "submit(total)\n")
    out = run_script(checked, FLOAT, orders=json.dumps(ORDERS))
    assert out.stage == "done" and out.answer == 7.5, out.diagnostics


def test_json_lines_decoded_line_by_line() -> None:
    events = "\n".join(json.dumps({"kind": k, "ms": ms})
                       for k, ms in [("view", 3), ("buy", 2.5), ("view", 4)])
    script = ("total = 0.0\n"
              "for line in events.splitlines():\n"
              "    e = json.loads(line)\n"
              "    if e[\"kind\"] == \"view\":\n"
              "        total += e[\"ms\"]\n"
              "submit(total)\n")
    out = run_script(script, FLOAT, events=events)
    assert out.stage == "done" and out.answer == 7.0, out.diagnostics


def test_the_vm_still_checks_the_type_it_was_given() -> None:
    """The line type is given to json_decode of any text but an input: a text of another
    shape is refused where it is decoded, with a coded error, never read wrongly."""
    events = "\n".join(json.dumps({"kind": k}) for k in ("a", "b"))
    out = run_script("e = json_decode(events.splitlines()[0] + \"x\")\nsubmit(e[\"kind\"])\n",
                     STR, events=events)
    assert out.stage == "run" and out.status == "error"
    out = run_script("e = json_decode(\"[\" + \"1]\")\nsubmit(e[\"kind\"])\n", STR, events=events)
    assert out.stage == "run" and out.status == "error"


def test_the_bound_stays_sound_and_linear_in_the_input() -> None:
    script = ("xs = json_decode(orders)\n"
              "best = max(xs, key=lambda o: o[\"customer\"][\"name\"])\n"
              "print(best[\"customer\"][\"address\"])\n"
              "submit(best[\"customer\"][\"address\"][\"city\"])\n")
    bounds = []
    for n in (10, 100):
        out = run_script(script, STR, orders=json.dumps(ORDERS * n))
        assert out.stage == "done" and out.answer == "Oslo", out.diagnostics
        assert out.fuel_bound is not None and out.fuel_used <= out.fuel_bound
        assert out.vm is not None
        bounds.append(out.fuel_bound)
    assert bounds[1] < 12 * bounds[0]


def test_a_document_of_no_one_type_keeps_the_rule_to_say_its_type() -> None:
    out = run_script("x = json_decode(data)\nsubmit(len(x[1].strip()))\n", INT, data='[1, "a"]')
    assert out.stage == "check" and out.diagnostics[0].code == "E_TYPE"
    assert "json_decode(s) as" in (out.diagnostics[0].fix or "")
    out = run_script("x = json_decode(data) as list[str]\nsubmit(len(x))\n", INT,
                     data='["a", "b"]')
    assert out.stage == "done" and out.answer == 2
    assert parse_type(str(type_of_json([1]))) == parse_type("list[int]") != INT


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "b", "id", "x-y", "n"]), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_verifiers_value_of_a_decoded_input_bounds_its_size(value: object) -> None:
    """Both ways the verifier bounds a decoded input are at least what the VM measures:
    the exact shape (verify/results.shape_of) and the type at the text's length."""
    from rlmlang.tools.registry import size_of
    from rlmlang.verify.results import shape_of
    from rlmlang.verify.values import top_of

    real = size_of(value)
    text = json.dumps(value)
    bounds = [shape_of(value).to_size()]
    t = type_of_json(value)
    if t is not None:
        bounds.append(top_of(t, len(text), whole=True).to_size())
    for b in bounds:
        for f in ("len", "elem", "sum", "slots"):
            assert getattr(b, f) is None or getattr(b, f) >= getattr(real, f), (f, b, real)


def test_the_coder_prompt_says_the_type_and_the_tiny_one_does_not() -> None:
    from rlmlang.controller.inputs import describe_input
    from rlmlang.controller.profiles import CODER, TINY

    info = describe_input("orders", json.dumps(ORDERS * 20), STR)
    line = info.describe(with_count=True, with_decoded=CODER.decoded_types)
    assert line.endswith("; json.loads(orders) gives list[{id: str, customer: {name: str, "
                         "address: dict[str, str]}, total: float | None}]")
    assert "json.loads" not in info.describe(with_decoded=TINY.decoded_types)
    lines = "\n".join(json.dumps(o) for o in ORDERS * 20)
    assert describe_input("orders", lines, STR).decoded.startswith(
        "json.loads(line) of each line gives {id: str")


def test_json_lines_decoded_whole_are_the_list_of_their_values() -> None:
    """Python's json.loads refuses JSON Lines; a model decoding the whole input meant its
    lines' values, and json_decode gives exactly that list (docs/stdlib.md)."""
    events = "\n".join(json.dumps({"kind": k, "ms": ms})
                       for k, ms in [("view", 3), ("buy", 2.5), ("view", 4)]) + "\n"
    script = ("events = json.loads(events)\n"
              "submit(sum(e[\"ms\"] for e in events if e[\"kind\"] == \"view\"))\n")
    out = run_script(script, FLOAT, events=events)
    assert out.stage == "done" and out.answer == 7.0, out.diagnostics
    bad = run_script("x = json_decode(t) as list[int]\nsubmit(len(x))\n", INT, t="[1]\n[2")
    assert bad.stage == "run" and "not valid JSON" in bad.diagnostics[0].message


@pytest.mark.parametrize("inner", [
    {"city": "Lyon", "zip": "69001"},  # the same keys in each: a record holding 'city'
    None,  # keys that differ between orders: a dict, the one among the fields
])
def test_a_field_looked_for_one_level_too_high_is_fixed_to_the_field_that_holds_it(inner):
    """`customer["city"]` where the city is in customer["address"]."""
    from rlmlang.controller.fixits import apply_fixits

    orders = [{"id": "SH-1", "customer": {"name": "Ana", "address": inner or {"city": "Lyon"}}},
              {"id": "SH-2", "customer": {"name": "Ben",
                                          "address": inner or {"city": "Ghent", "n": "4"}}}]
    script = ('for order in json_decode(orders):\n'
              '    if order["id"] == "SH-1":\n'
              '        customer = order["customer"]\n'
              '        submit(customer["city"])\n'
              'fail("no such order")\n')
    out = run_script(script, STR, orders=json.dumps(orders))
    d = out.diagnostics[0]
    assert d.message.startswith("no field 'city' in {name: str, address:")
    assert d.fix == 'it is under \'address\': customer["address"]["city"]'
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and run_script(fixed, STR, orders=json.dumps(orders)).answer == "Lyon"


def test_get_of_a_records_field_is_the_field_and_a_missing_one_is_named() -> None:
    """Coder models read JSON objects with .get: on a record (every object has its
    fields) `o.get("id")` is `o["id"]`, typed as the field; a key the objects lack is the
    index's error, with its did-you-mean."""
    script = ("for order in json.loads(orders):\n"
              "    if order.get(\"id\") == \"SH-2\":\n"
              "        submit(order.get(\"customer\")[\"address\"].get(\"city\"))\n"
              "fail(\"no such order\")\n")
    for tier in ("fast", "interp"):
        out = run_script(script, STR, orders=json.dumps(ORDERS), tier=tier)
        assert out.stage == "done" and out.answer == "Ghent", out.diagnostics
    typo = script.replace('get("id")', 'get("ids")')
    out = run_script(typo, STR, orders=json.dumps(ORDERS))
    assert out.stage == "check"
    assert "no field 'ids'" in out.diagnostics[0].message and "'id'" in out.diagnostics[0].message


def test_objects_of_the_same_keys_are_records_even_where_one_has_values_of_one_type() -> None:
    """`{"id": "SH-3", "total": null}` alone is a dict[str, str | None]; beside records
    `{id: str, total: float}` the list had no type at all."""
    orders = [{"id": "SH-1", "total": 3}, {"id": "SH-2", "total": 4.5},
              {"id": "SH-3", "total": None}]
    assert str(type_of_json(orders)) == "list[{id: str, total: float | None}]"
    assert str(type_of_json([{"a": 1, "b": 2}, {"a": 3, "b": 4}])) == "list[dict[str, int]]"


def test_a_records_get_is_its_fields_type_never_the_defaults() -> None:
    """`o.get("total", 0.0)` of a `float | None` total is `float | None` (it was typed as
    the default's float, and None reached the addition); get(o, "id", 0) of a str id was
    typed int: get of a record has no one type and says so."""
    orders = json.dumps([{"id": "SH-1", "total": 3}, {"id": "SH-3", "total": None}])
    unsafe = "t = 0.0\nfor o in json.loads(orders):\n    t += o.get(\"total\", 0.0)\nsubmit(t)\n"
    out = run_script(unsafe, FLOAT, orders=orders)
    assert out.stage == "check" and "may be None here (int | None)" in out.diagnostics[0].message
    function = "n = 0\nfor o in json.loads(orders):\n    n += get(o, \"id\", 0)\nsubmit(n)\n"
    out = run_script(function, INT, orders=orders)
    assert out.stage == "check" and "get(...) of a record" in out.diagnostics[0].message
    checked = ("t = 0.0\nfor o in json.loads(orders):\n    v = o.get(\"total\")\n"
               "    if v is not None:\n        t += v\nsubmit(t)\n")
    for tier in ("fast", "interp"):
        out = run_script(checked, FLOAT, tier=tier, orders=orders)
        assert out.stage == "done" and out.answer == 3.0, out.diagnostics


def test_a_nested_field_of_json_lines_read_through_records_gets_a_fix_it() -> None:
    """records() keeps a nested object as its JSON text, so `order["customer"]["address"]`
    indexes a str; the fix-it decodes each line instead, and the fixed script runs (seed-7
    dev nested-json-03: the same error three rounds)."""
    from rlmlang.controller.fixits import apply_fixits

    lines = "".join(json.dumps(o) + "\n" for o in ORDERS)
    script = ('order = [r for r in records(orders) if r["id"] == "SH-2"]\n'
              'customer = order[0]["customer"]\n'
              'submit(customer["address"]["city"])\n')
    out = run_script(script, STR, orders=lines)
    assert out.stage == "check"
    assert "records(orders) keeps each nested object in the JSON lines of orders as its text" \
        in out.diagnostics[0].fix
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "[json.loads(line) for line in orders.splitlines()]" in fixed
    again = run_script(fixed, STR, orders=lines)
    assert (again.stage, again.answer) == ("done", "Ghent"), again.diagnostics


def test_a_nested_field_of_a_json_list_read_through_records_gets_a_fix_it() -> None:
    """The same over one JSON document holding the list (fresh dev nested-json-05 was told
    to value_after the customer's text, three rounds): the fix-it reads json.loads(orders)
    in place of records(orders)."""
    from rlmlang.controller.fixits import apply_fixits

    document = json.dumps(ORDERS, indent=2)
    script = ('order = [r for r in records(orders) if r["id"] == "SH-2"]\n'
              'customer = order[0]["customer"]\n'
              'submit(customer["address"]["city"])\n')
    out = run_script(script, STR, orders=document)
    assert out.stage == "check"
    assert out.diagnostics[0].fix.startswith(
        "records(orders) keeps each nested object of orders as its text, so "
        'customer is a str; json.loads(orders) gives the objects')
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and "for r in json.loads(orders) if" in fixed
    again = run_script(fixed, STR, orders=document)
    assert (again.stage, again.answer) == ("done", "Ghent"), again.diagnostics
