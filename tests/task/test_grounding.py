"""A lookup of a key no hop from the question reaches gives no vote (task/grounding.py)."""

from __future__ import annotations

import json
from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.task.grounding import grounded, ungrounded_key
from rlmlang.task.searches import nothing_found
from rlmlang.tools import default_registry

SERVERS = "".join(f"SER-{10000 + i * 7},RAC-{20000 + (i * 13) % 90},blue\n" for i in range(300))
RACKS = json.dumps([{"rack": f"RAC-{20000 + i}", "site": f"SIT-{30000 + i % 12}",
                     "power_kw": str(40 + i % 9)} for i in range(90)])
SITES = "site       city\n" + "".join(f"SIT-{30000 + i}  {c}\n" for i, c in enumerate(
    ["Graz", "Bilbao", "Quito", "Oslo", "Lyon", "Perth", "Kochi", "Izmir", "Cusco", "Riga",
     "Ghent", "Leeds"]))
QUESTION = "What is the city of the site of the rack of server SER-10070?"  # i = 10
INPUTS = {"servers": SERVERS, "racks": RACKS, "sites": SITES}
TEXTS = list(INPUTS.values())
REGISTRY = default_registry(include_plugins=False)
# server 10 is on rack RAC-20040 (10 * 13 % 90 = 40), at site SIT-30004 (40 % 12), in Lyon
FIRST_RACK = ('rack = [r for r in json.loads(racks) if r["rack"] == "RAC-20000"][0]\n'
              'site = [s for s in records(sites) if s["site"] == rack["site"]][0]\n'
              'submit(site["city"])\n')
HOPS = ('server = [r for r in records(servers) if r["0"] == "SER-10070"][0]\n'
        'rack = [r for r in json.loads(racks) if r["rack"] == server["1"]][0]\n'
        'site = [s for s in records(sites) if s["site"] == rack["site"]][0]\n'
        'submit(site["city"])\n')


def test_the_keys_a_question_reaches_follow_its_hops() -> None:
    reached = grounded(QUESTION, TEXTS)
    assert {"ser-10070", "rac-20040", "sit-30004"} <= reached
    assert "rac-20000" not in reached


def test_a_key_no_hop_reaches_is_told_and_a_reached_one_is_not() -> None:
    said = ungrounded_key(["RAC-20000"], QUESTION, TEXTS)
    assert said is not None and said.startswith(
        "That script looks up 'RAC-20000', which the question does not name, and no record "
        "reached from what it names (SER-10070) holds it")
    assert ungrounded_key(["RAC-20040"], QUESTION, TEXTS) is None  # read off the key line
    assert ungrounded_key(["SIT-30004"], QUESTION, TEXTS) is None  # two hops on
    assert ungrounded_key(["SER-10070"], QUESTION, TEXTS) is None  # the question's own
    assert ungrounded_key(["RAC-99999"], QUESTION, TEXTS) is None  # not in the data
    assert ungrounded_key(["RAC-20000"], "Which city has the most sites?", TEXTS) is None


def test_the_lookup_is_no_answer_in_the_controller(tmp_path: Path) -> None:
    said = nothing_found(FIRST_RACK, "Graz", INPUTS, REGISTRY, QUESTION)
    assert said is not None and "'RAC-20000'" in said
    assert nothing_found(HOPS, "Lyon", INPUTS, REGISTRY, QUESTION) is None
    model = FakeModel([FIRST_RACK, FIRST_RACK.replace("[0]\nsite", "[0]\nprint(rack)\nsite"),
                       HOPS, HOPS.replace('submit(site["city"])', 'print(site)\nsubmit(site["city"])')])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2}).run(
        "servers: str, racks: str, sites: str, question: str -> answer: str", QUESTION,
        **INPUTS)
    assert out.ok and out.answer == "Lyon"
    assert "That script looks up 'RAC-20000'" in model.prompts[2]


def test_a_hop_may_go_through_a_name() -> None:
    """E-1042's line names the department Sales, whose line names D-77: D-77 is reached."""
    people = "".join(f"E-{1000 + i},Person {i},{['Sales', 'Audit', 'Legal'][i % 3]}\n"
                     for i in range(90))
    depts = "name,code,floor\nSales,D-77,3\nAudit,D-12,5\nLegal,D-40,1\n"
    q = "Which floor is the department of employee E-1042 on?"
    assert ungrounded_key(["D-77"], q, [people, depts]) is None
    # a name on every line ("Person") reaches every department: the rule errs towards
    # no alarm
    assert ungrounded_key(["D-12"], q, [people, depts]) is None


def test_where_the_hops_run_past_their_budget_nothing_is_judged() -> None:
    """Names that link every line to many others: the rule gives up (no alarm) rather than
    follow them all."""
    import itertools

    names = ["".join(p).capitalize() for p in itertools.product("abcdefgh", repeat=3)]
    lines = "".join(f"K-{1000 + i},{names[i % 512]},{names[(i * 7 + 3) % 512]},"
                    f"{names[(i * 13 + 5) % 512]},{names[(i * 29 + 11) % 512]}\n"
                    for i in range(3000))
    q = "Which names are on the line of K-1001?"
    assert grounded(q, [lines]) is None
    assert ungrounded_key(["K-2999"], q, [lines]) is None
    assert grounded(q, [lines], ["K-1001"]) is not None  # its own: reached at once


def test_a_script_that_writes_no_key_of_the_question_reads_a_record_at_a_fixed_place(
        tmp_path: Path) -> None:
    """Fresh dev nested-json-07: `json.loads(lines(orders)[1])` read the second order for
    "Look up order SH-69043", drawn three times, and outvoted the lookup. A script that
    writes no key the question names, no other identifier, and no value read off the
    key's record is no vote; one that writes the key, its digits or such a value is."""
    from rlmlang.task.grounding import keyless

    orders = "\n".join(json.dumps({"id": f"SH-{60000 + i * 3}", "customer": {
        "address": {"city": c}}}) for i, c in enumerate(
        ["Fez", "Porto", "Graz", "Lyon", "Oslo"] * 20))
    question = "Look up order SH-60009 and give its customer's city."  # i = 3: Lyon
    fixed = ('order = json.loads(lines(orders)[1])\n'
             'submit(order["customer"]["address"]["city"])\n')
    said = keyless(["customer", "address", "city"], question, [orders])
    assert said is not None and said.startswith("That script never writes SH-60009")
    assert keyless(["SH-60009", "city"], question, [orders]) is None
    assert keyless(["60009"], question, [orders]) is None
    assert keyless(["RAC-1"], question, [orders]) is None  # another key: ungrounded_key's
    looked = ('order = [json.loads(l) for l in lines(orders) if "SH-60009" in l][0]\n'
              'submit(order["customer"]["address"]["city"])\n')
    model = FakeModel([fixed, looked, fixed, looked.replace("order", "found")])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(
        "orders: str, question: str -> answer: str", question, orders=orders)
    assert out.answer == "Lyon"
    assert all(v["value"] != "Fez" for v in out.vote)
