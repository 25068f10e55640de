"""A str indexed by a key was taken for a table's row: the fix says how to get rows.

Coder models write `for order in orders: order["customer"]` over an input that
is a table's text. The for goes through characters; the fix names records()
with the script's own names, where converting the key to an int (the generic
fix for a bad index) would mislead.
"""

from __future__ import annotations

import pytest

from rlmlang.check import Env, check
from rlmlang.syntax.parser import parse
from rlmlang.tools import default_registry
from rlmlang.types import INT, STR


def diagnostics(script: str):
    env = Env({"orders": STR}, {}, INT, default_registry(include_plugins=False))
    return check(parse(script).script, env).diagnostics


@pytest.mark.parametrize("script", [
    "n = 0\nfor order in orders:\n    if order[\"city\"] == \"Perth\":\n        n += 1\nsubmit(n)\n",
    "submit(len(set(order[\"city\"] for order in orders)))\n",
    "submit(len([order for order in orders if order[\"city\"] == \"Perth\"]))\n",
])
def test_a_character_indexed_by_a_key_gets_the_rows_fix(script: str) -> None:
    d = diagnostics(script)[0]
    assert d.message == "an index into str must be an int, not str"
    assert d.fix is not None
    assert "'order' is one character of orders" in d.fix
    assert 'for order in records(orders): ... order["city"]' in d.fix


def test_a_str_indexed_by_a_key_gets_the_general_rows_fix() -> None:
    d = diagnostics("submit(len(orders[\"city\"]))\n")[0]
    assert d.fix == ('a str is indexed by position (orders[0]); for a table\'s rows as dicts, '
                     'use records(text): for row in records(text): ... row["city"]')


def test_a_key_over_unpacked_pairs_is_not_called_a_character() -> None:
    d = diagnostics("d = {\"a\": \"x\"}\nfor k, v in d.items():\n    print(k[\"z\"])\nsubmit(1)\n")
    assert d and "one character" not in (d[0].fix or "")


@pytest.mark.parametrize("call", ["max", "min", "sorted"])
def test_a_keyed_call_over_a_str_names_its_lines_and_rows(call: str) -> None:
    d = diagnostics(f"m = {call}(orders, key=lambda x: len(x))\nsubmit(1)\n")[0]
    assert d.code == "E_TYPE"
    assert d.message == f"{call}(...) with key= over a str goes through its characters"
    assert d.fix == (f"for its lines: {call}(orders.splitlines(), key=...); for a table's rows "
                     f"as dicts: {call}(records(orders), key=...)")


def test_a_method_on_a_json_value_of_no_known_type_is_a_coded_error() -> None:
    """It reached the compiler as a method call and crashed it (KeyError: 'MethodCall').
    (A text that is not an input has no type before it is decoded; an input's has one.)"""
    from script_run import run_script

    out = run_script("x = json_decode(orders.strip())\nsubmit(len(x[\"status\"].strip()))\n",
                     INT, orders='{"status": " open "}')
    d = out.diagnostics[0]
    assert out.stage == "check" and d.code == "E_TYPE"
    assert d.fix == ('make it a str first: str(x["status"]).strip(...); or say its type where '
                     'it is decoded: json_decode(s) as dict[str, str]')
    fixed = run_script("x = json_decode(orders.strip())\n"
                       "submit(len(str(x[\"status\"]).strip()))\n",
                       INT, orders='{"status": " open "}')
    assert fixed.stage == "done" and fixed.answer == 4
    typed = run_script("x = json_decode(orders)\nsubmit(len(x[\"status\"].strip()))\n", INT,
                       orders='{"status": " open "}')
    assert typed.stage == "done" and typed.answer == 4


INVENTORY = "".join(f"host cache-{8000 + i} has ip 10.0.{i // 200}.{i % 200} os=debian12\n"
                    for i in range(300))
RACKS = "".join(f"10.0.{i // 200}.{i % 200} rack=R{i % 30} dc=ams1\n" for i in range(300))


def test_a_key_no_table_input_has_says_to_take_the_value_out_of_the_text() -> None:
    """`r["host"]` of a line of prose (lookup, dev s19): records() reads no such field
    either, so the fix says which columns the tables have and how to cut the value out
    (it had sent the model to records() of the prose, which failed, three rounds)."""
    from rlmlang.check.columns import tables

    inputs = {"inventory": INVENTORY, "racks": RACKS}
    env = Env({"inventory": STR, "racks": STR}, {}, STR,
              default_registry(include_plugins=False), tables=tables(inputs))
    script = ('for r in lines(inventory):\n    if r["host"] == "cache-8001":\n'
              '        submit(r)\nsubmit("")\n')
    d = check(parse(script).script, env).diagnostics[0]
    assert d.fix == ("a str is indexed by position (r[0]), and no input has a column \"host\" "
                     "(the table inputs' columns are 'dc', 'rack', 'text'): r is text, so take "
                     "the value out of it, e.g. value_after(r, \"host\") or r.split()[i]")


def test_rows_read_again_are_used_as_they_are() -> None:
    """`racks = records(racks)`, then `records(racks)` again: the fix said "convert with
    str(racks)" (dev s19); rows are gone through as they are."""
    d = diagnostics('rows = records(orders)\nfor r in records(rows):\n    print(r["city"])\n'
                    'submit(1)\n')[0]
    assert d.message == "argument 'text' of records must be str, not list[dict[str, str]]"
    assert d.fix == ('rows already holds rows as dicts, not text: go through it as it is '
                     '(for row in rows: ... row["column"]), without reading it again')


STOCKS = "symbol,date,price\n" + "".join(f"{s},2024-01-{d:02d},{10 + d}.5\n"
                                         for d in range(1, 20) for s in ("MSFT", "IBM"))


def test_a_list_indexed_by_a_text_column_is_told_to_key_a_dict_by_it() -> None:
    """`totals[r["symbol"]]` of a list: "convert with int(r["symbol"])" sent the 1.5B to
    int('MSFT') two rounds running (dev s23); a value per symbol is a dict's."""
    from rlmlang.check.columns import tables

    env = Env({"stocks": STR}, {}, STR, default_registry(include_plugins=False),
              tables=tables({"stocks": STOCKS}))
    script = ('totals = [float(r["price"]) for r in records(stocks)]\n'
              'best = [r["symbol"] for r in records(stocks) if totals[r["symbol"]] > 1.0]\n'
              'submit(best[0])\n')
    d = check(parse(script).script, env).diagnostics[0]
    assert d.message == "an index into list[float] must be an int, not str"
    assert d.fix == ('totals is a list, indexed by position, and r["symbol"] is a text, not a '
                     'position: for a value per symbol, keep a dict keyed by it: per = {} and '
                     'per[r["symbol"]] = per.get(r["symbol"], 0) + ... (group_sum(text, '
                     '"symbol", column) sums a column per symbol)')
    # a numeric column's text may be a position: converting it is the fix
    script = script.replace('totals[r["symbol"]]', 'totals[r["price"]]')
    assert check(parse(script).script, env).diagnostics[0].fix == 'convert with int(r["price"])'
