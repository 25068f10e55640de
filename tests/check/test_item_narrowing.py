"""A record's or dict's item that may be None narrows as a name does (check/narrow.py).

JSON fields that are null in some records have the type `T | None`; coder models
test them in place, `r["Month"] is not None and float(r["Month"]) == 7`, which
Python allows and the checker refused until an item could be narrowed.
"""

from __future__ import annotations

import json

import pytest
from script_run import run_script

from rlmlang.types import FLOAT, INT

DAYS = [
    {"Ozone": 41, "Month": 5, "Temp": 67},
    {"Ozone": None, "Month": 5, "Temp": 72},
    {"Ozone": 12, "Month": 6, "Temp": None},
    {"Ozone": 18, "Month": 6, "Temp": 62},
]


@pytest.mark.parametrize("tier", ["fast", "interp"])
@pytest.mark.parametrize("script, want", [
    # in a comprehension's test
    ("xs = [float(d[\"Ozone\"]) for d in json_decode(days) if d[\"Ozone\"] is not None]\n"
     "submit(sum(xs) / len(xs))\n", 71 / 3),
    # on the right of `and`, in a loop
    ("total = 0.0\nfor d in json_decode(days):\n"
     "    if d[\"Temp\"] is not None and d[\"Temp\"] > 65:\n        total += d[\"Temp\"]\n"
     "submit(total)\n", 139.0),
    # `if ... is None: continue` narrows the rest of the body
    ("total = 0.0\nfor d in json_decode(days):\n    if d[\"Ozone\"] is None:\n        continue\n"
     "    total += d[\"Ozone\"]\nsubmit(total)\n", 71.0),
    # a conditional expression
    ("submit(sum(d[\"Ozone\"] if d[\"Ozone\"] is not None else 0 for d in json_decode(days)) * 1.0)\n",
     71.0),
])
def test_a_tested_item_is_not_none_where_the_test_holds(script: str, want: float,
                                                       tier: str) -> None:
    out = run_script(script, FLOAT, days=json.dumps(DAYS), tier=tier)
    assert out.stage == "done", out.diagnostics
    assert out.answer == pytest.approx(want)


@pytest.mark.parametrize("script", [
    # untested
    "total = 0\nfor d in json_decode(days):\n    total += d[\"Ozone\"]\nsubmit(total)\n",
    # the test is of another field
    "total = 0\nfor d in json_decode(days):\n    if d[\"Temp\"] is not None:\n"
    "        total += d[\"Ozone\"]\nsubmit(total)\n",
    # the test is of another record
    "first = json_decode(days)[0]\ntotal = 0\nfor d in json_decode(days):\n    if first[\"Ozone\"] is not None:\n"
    "        total += d[\"Ozone\"]\nsubmit(total)\n",
    # the name is bound again after the test
    "total = 0\nd = json_decode(days)[0]\nif d[\"Ozone\"] is not None:\n    d = json_decode(days)[1]\n"
    "    total += d[\"Ozone\"]\nsubmit(total)\n",
    # the item is stored again after the test
    "total = 0\nd = {\"Ozone\": json_decode(days)[0][\"Ozone\"]}\nif d[\"Ozone\"] is not None:\n"
    "    d[\"Ozone\"] = json_decode(days)[1][\"Ozone\"]\n    total += d[\"Ozone\"]\nsubmit(total)\n",
    # the false side of the test
    "total = 0\nfor d in json_decode(days):\n    if d[\"Ozone\"] is not None:\n        continue\n"
    "    total += d[\"Ozone\"]\nsubmit(total)\n",
])
def test_an_item_not_known_to_hold_a_value_is_refused(script: str) -> None:
    out = run_script(script, INT, days=json.dumps(DAYS))
    assert out.stage == "check", (out.stage, out.answer)
    assert any(d.code == "E_TYPE" and "may be None" in d.message for d in out.diagnostics)


def test_a_loop_that_stores_into_the_record_forgets_its_items() -> None:
    script = ("total = 0\nd = {\"Ozone\": json_decode(days)[0][\"Ozone\"]}\nif d[\"Ozone\"] is not None:\n"
              "    for x in json_decode(days):\n        total += d[\"Ozone\"]\n"
              "        d[\"Ozone\"] = x[\"Ozone\"]\nsubmit(total)\n")
    out = run_script(script, INT, days=json.dumps(DAYS))
    assert out.stage == "check"
    assert any("may be None" in d.message for d in out.diagnostics)
