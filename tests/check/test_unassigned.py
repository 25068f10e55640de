"""A name read where it may be unassigned runs as in Python: NameError is a failed script
(check/unassigned.py), on both VM tiers, and a name found is used as found."""

from __future__ import annotations

import json

import pytest
from script_run import run_script

from rlmlang.types import STR

CONTACTS = json.dumps([{"name": "Ines", "email": "i@garden.example"},
                       {"name": "Bo", "email": "b@x.org"}])
SEARCH = ("for c in json_decode(contacts):\n"
          "    if c[\"name\"] == WHO:\n"
          "        domain = c[\"email\"].split(\"@\")[1]\n"
          "submit(domain)\n")


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_a_name_assigned_in_a_loop_is_used_when_it_was(tier: str) -> None:
    out = run_script(SEARCH.replace("WHO", '"Ines"'), STR, contacts=CONTACTS, tier=tier)
    assert out.stage == "done" and out.answer == "garden.example", out.diagnostics
    assert out.fuel_bound is not None and out.fuel_used <= out.fuel_bound


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_and_fails_as_pythons_name_error_when_it_was_not(tier: str) -> None:
    out = run_script(SEARCH.replace("WHO", '"Zed"'), STR, contacts=CONTACTS, tier=tier)
    assert out.stage == "done" and out.status == "failed"
    assert out.value == ("'domain' is used before it is assigned: its assignment (line 3) is "
                         "in a block that did not run")


def test_in_a_def_each_call_starts_unassigned() -> None:
    script = ("def email_of(name: str) -> str:\n"
              "    for c in json_decode(contacts):\n"
              "        if c[\"name\"] == name:\n"
              "            hit = c[\"email\"]\n"
              "    return hit\n"
              "first = email_of(\"Bo\")\n"
              "submit(first + email_of(\"Zed\"))\n")
    out = run_script(script, STR, contacts=CONTACTS)
    assert out.status == "failed" and "'hit' is used before it is assigned" in out.value


def test_one_check_holds_for_the_rest_of_its_block() -> None:
    script = ("n = 0\n"
              "for c in json_decode(contacts):\n"
              "    if c[\"name\"] == \"Bo\":\n"
              "        last = c[\"name\"]\n"
              "while last == \"Bo\" and n < 3:\n"
              "    n += 1\n"
              "submit(last + str(n))\n")
    out = run_script(script, STR, contacts=CONTACTS)
    assert out.stage == "done" and out.answer == "Bo3", out.diagnostics


def test_a_name_read_before_any_assignment_is_still_refused() -> None:
    out = run_script("x = y + 1\ny = 2\nsubmit(str(x))\n", STR, contacts=CONTACTS)
    assert out.stage == "check" and "used before it is assigned" in out.diagnostics[0].message


def test_an_elif_reads_the_name_only_where_python_tests_it() -> None:
    """`found` is assigned in the first branch: the elif is tested only when it was not."""
    script = ("n = len(str(contacts))\n"
              "if n > LIMIT:\n"
              "    found = \"big\"\n"
              "elif found == \"x\":\n"
              "    submit(\"never\")\n"
              "else:\n"
              "    submit(\"small\")\n"
              "submit(found)\n")
    big = run_script(script.replace("LIMIT", "5"), STR, contacts=CONTACTS)
    assert big.stage == "done" and big.answer == "big", big.diagnostics
    small = run_script(script.replace("LIMIT", "10000"), STR, contacts=CONTACTS)
    assert small.status == "failed" and "'found' is used before it is assigned" in small.value


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_a_name_that_may_be_none_is_checked_where_python_needs_its_value(tier: str) -> None:
    """`n += 1`, `row["b"] = 2`, `site.split()` on a maybe-None name: Python raises
    TypeError there, and the script fails there (no value: a failed script, not a guess)."""
    script = ("n = None\n"
              "row = None\n"
              "if len(str(contacts)) > LIMIT:\n"
              "    n = 1\n"
              "    row = {\"a\": 1}\n"
              "n += 1\n"
              "row[\"b\"] = 2\n"
              "submit(str(n) + str(len(row)))\n")
    ok = run_script(script.replace("LIMIT", "3"), STR, contacts=CONTACTS, tier=tier)
    assert ok.stage == "done" and ok.answer == "22", ok.diagnostics
    none = run_script(script.replace("LIMIT", "100000"), STR, contacts=CONTACTS, tier=tier)
    assert none.status == "failed" and none.value == "'n' is None here, and '+=' needs a value"


JOIN = ("for c in json_decode(contacts):\n"
        "    if c[\"name\"] == WHO:\n"
        "        mail = c[\"email\"]\n"
        "        break\n"
        "same = [c[\"name\"] for c in json_decode(contacts) if c[\"email\"] == mail]\n"
        "submit(same[0])\n")


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_a_name_a_comprehension_reads_per_item_is_checked_before_it(tier: str) -> None:
    """`[t["lead"] for t in teams if t["team"] == team]`, team set in a loop that breaks
    (the 1.5B's joins, refused as 'may not be assigned'): it runs as Python does, and
    fails as its NameError where the loop never set the name."""
    out = run_script(JOIN.replace("WHO", '"Bo"'), STR, contacts=CONTACTS, tier=tier)
    assert out.stage == "done" and out.answer == "Bo", out.diagnostics
    out = run_script(JOIN.replace("WHO", '"Zed"'), STR, contacts=CONTACTS, tier=tier)
    assert out.stage == "done" and out.status == "failed"
    assert out.value.startswith("'mail' is used before it is assigned")
