"""A list asked for in an order, submitted in the input's order (task/ordered.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.controller.profiles import get_profile
from rlmlang.task.ordered import unsorted_list

QUESTION = "List the order ids of the 3 largest orders by total, largest first."
ORDERS = "order_id,total\n" + "".join(f"ORD-{i},{(i * 37) % 101}.5\n" for i in range(60))
# fresh dev top-k-05: the top totals sorted, then the records kept in the input's order
FILTERED = ('total = [float(r["total"]) for r in records(orders)]\ntotal.sort(reverse=True)\n'
            'top = total[:3]\nids = [r["order_id"] for r in records(orders) '
            'if float(r["total"]) in top]\nsubmit(ids)')
SORTED = ('rows = sorted(records(orders), key=lambda r: float(r["total"]), reverse=True)\n'
          'submit([r["order_id"] for r in rows[:3]])')
SORTED_TOO = ('rows = records(orders)\nrows.sort(key=lambda r: float(r["total"]), reverse=True)\n'
              'ids = []\nfor r in rows[:3]:\n    ids.append(r["order_id"])\nsubmit(ids)')
APPENDED = ('ids = []\nfor r in records(orders):\n    if float(r["total"]) > 98:\n'
            '        ids.append(r["order_id"])\nsubmit(ids[:3])')


@pytest.mark.parametrize("script", [FILTERED, APPENDED])
def test_a_list_in_the_inputs_order_is_no_answer_to_a_ranking(script: str) -> None:
    said = unsorted_list(script, ["a", "b", "c"], QUESTION, {"orders"})
    assert said is not None and said.startswith(
        "The question asks for them in an order ('largest first'), but the list that script "
        "submits keeps the order of the input: nothing sorts it")


@pytest.mark.parametrize(("script", "question", "answer"), [
    (SORTED, QUESTION, ["a", "b", "c"]),
    (SORTED_TOO, QUESTION, ["a", "b", "c"]),
    ('submit([r["order_id"] for r in top_k(orders, "total", 3)])', QUESTION, ["a", "b", "c"]),
    (FILTERED, "List the order ids of the orders with a total over 98.", ["a", "b", "c"]),
    (FILTERED, QUESTION, ["a"]),  # one item has no order
    ("def f(t: str) -> list[str]:\n    return [r[\"order_id\"] for r in records(t)]\n"
     "submit(f(orders))", QUESTION, ["a", "b"]),  # a def's result: not traced
])
def test_a_sorted_list_or_one_asked_in_no_order_is_not_judged(
        script: str, question: str, answer: list[str]) -> None:
    assert unsorted_list(script, answer, question, {"orders"}) is None


def test_the_filtered_ranking_is_no_vote_against_the_sorted_one(tmp_path: Path) -> None:
    model = FakeModel([FILTERED, SORTED, SORTED_TOO, SORTED])
    # without fix-its (the one below would sort the filter): the rule alone
    profile = dataclasses.replace(get_profile("coder"), fixits=False)
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile=profile,
                  budgets={"candidates": 2, "iterations": 3}).run(
        "orders: str, question: str -> answer: list[str]", QUESTION, orders=ORDERS)
    totals = sorted(((float(ln.split(",")[1]), ln.split(",")[0])
                     for ln in ORDERS.splitlines()[1:]), reverse=True)
    assert out.ok and out.answer == [name for _, name in totals[:3]]
    assert any("keeps the order of the input" in p for p in model.prompts)


def test_a_filter_by_the_top_numbers_is_sorted_by_them_as_a_fix_it(tmp_path: Path) -> None:
    """Told to sort, the 1.5B drew the filter again (fresh dev top-k-05, two seeds): the
    records it keeps are sorted by the number it filters on, in the order asked, and the
    fix-it, run beside the model's own script, confirms the sorted answer."""
    from rlmlang.task.ordered import sorted_by_filter

    fixed = sorted_by_filter(FILTERED, QUESTION, {"orders"})
    assert fixed is not None and 'ids = [r["order_id"] for r in sorted([r for r in ' \
        'records(orders) if float(r["total"]) in top], key=lambda r: float(r["total"]), ' \
        'reverse=True)]' in fixed
    low = sorted_by_filter(FILTERED, QUESTION.replace("largest", "smallest"), {"orders"})
    assert low is not None and "reverse=False" in low
    assert sorted_by_filter(FILTERED, "List the order ids of the orders, ranked.",
                            {"orders"}) is None, "no direction asked"
    assert sorted_by_filter(APPENDED, QUESTION, {"orders"}) is None, "another filter"
    model = FakeModel([FILTERED, SORTED, FILTERED, FILTERED])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 2}).run(
        "orders: str, question: str -> answer: list[str]", QUESTION, orders=ORDERS)
    totals = sorted(((float(ln.split(",")[1]), ln.split(",")[0])
                     for ln in ORDERS.splitlines()[1:]), reverse=True)
    assert out.ok and out.answer == [name for _, name in totals[:3]]
