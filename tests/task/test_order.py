"""A list answer with more values than the keys whose values the question asks for in
their order (task/order.miscounted)."""

from __future__ import annotations

from rlmlang.task.order import miscounted

Q = ("What are the codes of locker C-62867, locker C-87128 and locker C-18575? Answer in "
     "that order, separated by commas.")


def test_more_values_than_keys_asked_in_order_is_judged() -> None:
    assert miscounted([f"C-{i} is {i}" for i in range(4000)], Q) == (
        4000, ["C-62867", "C-87128", "C-18575"])
    assert miscounted("1, 2, 3, 4", Q) == (4, ["C-62867", "C-87128", "C-18575"])


def test_one_value_a_key_fewer_values_or_no_order_asked_are_not() -> None:
    assert miscounted(["4247", "8456", "4014"], Q) is None
    # a word with a digit may be no key: fewer values are not judged
    assert miscounted(["12", "40"], "What were the totals of store S-1 and store S-2 in "
                                    "2023? Answer in that order.") is None
    # without "in that order", a list may hold any number of items
    assert miscounted(["B-1", "B-2", "B-3"], "Which badges opened door 3 and door 5?") is None
