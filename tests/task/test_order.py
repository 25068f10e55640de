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


def test_items_that_each_write_a_key_with_its_value_are_keyed(tmp_path) -> None:
    """Fresh dev multi-needle-02: `line.split("The code for locker ", 1)[1]` kept
    'SH-15471 is 7107', and two such scripts were taken with confidence. Each item
    writing a different key with more around it is no vote; the values alone, the keys
    alone (an echo) and items that share one key are not this."""
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime
    from rlmlang.task.answers import no_value
    from rlmlang.task.order import keyed

    q = "Give the codes for locker SH-15471, locker SH-14341 and locker SH-92364, in that order."
    text = "".join(f"The code for locker SH-{10000 + i * 41} is {1000 + i}.\n"
                   for i in range(300)) + ("The code for locker SH-15471 is 7107.\n"
                                           "The code for locker SH-14341 is 6443.\n"
                                           "The code for locker SH-92364 is 3196.\n")
    decorated = ["SH-15471 is 7107", "SH-14341 is 6443", "SH-92364 is 3196"]
    assert keyed(decorated, q) == list(zip(decorated, ["SH-15471", "SH-14341", "SH-92364"],
                                           strict=True))
    assert no_value(decorated, q, [text], echo=True, bulk=True) == "keyed"
    assert keyed(["7107", "6443", "3196"], q) is None
    assert keyed(["SH-15471", "SH-14341", "SH-92364"], q) is None
    assert keyed(["SH-15471 is 7107", "SH-15471 again"], q) is None
    cut = ('codes = [line.split("The code for locker ", 1)[1].strip(".") for line in '
           'context.splitlines() if "SH-15471" in line or "SH-14341" in line '
           'or "SH-92364" in line]\nsubmit(codes)\n')
    right = ('codes = []\nfor key in ["SH-15471", "SH-14341", "SH-92364"]:\n'
             '    codes.append(value_after(find_line(context, key), key))\nsubmit(codes)\n')
    model = FakeModel([cut, right, right.replace("codes", "found")])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 3}).run(
        "context: str, question: str -> answer: list[str]", q, context=text)
    assert "Each item of that answer writes the key" in model.prompts[1]
    assert out.answer == ["7107", "6443", "3196"]
