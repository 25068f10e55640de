"""Ordinary scripts over real-sized inputs: verified under the default budget, and sound.

tests/verify/realistic/*.rlm are the scripts a coder model writes for the
bench's kinds of task (counting by a column into a dict and printing it,
helper defs called once per line, lookups across two tables, word counts).
Each is verified at the size of a real input, with only its size known (as
`rlm check` sees it) and with its value known (as a run sees it), and run
on generated data of that size: the fuel the VM uses must stay within the
proven bound (the VM would stop with E_VERIFIER_BUG otherwise), and the
bound must fit the default budget where the true cost is linear.
"""

from __future__ import annotations

import pytest
from realistic_data import SIGNATURE, cases, execute, inputs_for

from rlmlang.limits import DEFAULT_BUDGETS
from rlmlang.pipeline import CheckOptions, analyze_source

CASES = cases()
NAMES = [c[0] for c in CASES]
SIZE = 52_310  # the brief's table: 52,310 characters


def _sizes_only(text: str, head: dict[str, str], size: int) -> int | None:
    sig = head.get("signature", SIGNATURE)
    sizes = {n.split(":")[0].strip(): size for n in sig.split("->")[0].split(",")}
    a = analyze_source(text, "case.rlm", CheckOptions(signature=sig, input_sizes=sizes,
                                                      budgets={"fuel": 10**12}))
    return int(a.proof["bounds"]["fuel"]) if a.ok and a.proof else None


@pytest.mark.parametrize("name,text,head", CASES, ids=NAMES)
def test_the_proven_bound_covers_a_real_run(name: str, text: str, head: dict[str, str]) -> None:
    values = inputs_for(head, SIZE, seed=len(name))
    out = execute(name, text, head, values, {"fuel": 10**12})
    assert out.stage == "done", [d.render(text) for d in out.diagnostics]
    bound = out.proof["bounds"]["fuel"]
    assert 0 < out.fuel_used <= bound, (name, out.fuel_used, bound)
    # The same script with only the sizes known is bounded more loosely, never below.
    loose = _sizes_only(text, head, SIZE)
    assert loose is not None and loose >= bound, (name, loose, bound)


# Ordinary scripts whose cost is linear in the input: at the brief's 52 KB they verify
# under the default budget from the size alone (before the sum bounds, the dict of
# counts was bounded by 52,310 keys of 52,310 characters: 172M fuel to print it).
LINEAR = ["count_by_column", "level_counts", "two_tables", "word_freq", "regex_count",
          "sum_where", "max_line", "nested_cells", "lookup_def", "collect_join", "avg_def",
          "helper_field", "chunk_llm"]


@pytest.mark.parametrize("name", LINEAR)
def test_linear_scripts_fit_the_default_budget_from_sizes(name: str) -> None:
    _, text, head = CASES[NAMES.index(name)]
    bound = _sizes_only(text, head, SIZE)
    assert bound is not None and bound <= DEFAULT_BUDGETS["fuel"], (name, bound)


def test_printing_a_dict_of_pieces_costs_the_text_not_its_square() -> None:
    """The dict's keys are pieces of the input: all of them together are at most the input,
    so printing it is linear in the input, whatever the longest key may be."""
    _, text, head = CASES[NAMES.index("count_by_column")]
    without_print = text.replace("print(counts)\n", "")
    with_print = _sizes_only(text, head, SIZE)
    base = _sizes_only(without_print, head, SIZE)
    assert base is not None and with_print is not None
    assert with_print - base < 4 * 2 * SIZE, (with_print, base)


def test_a_filtered_list_of_records_holds_at_most_the_records() -> None:
    """`[r for r in records(t) if ...]` keeps some of the records: the records' summed size
    bounds it, not their count times the largest (the 1.5B's count over a 2.4 MB table was
    refused: 'out@' up to 373,784,303 bytes, over the 256 MB memory budget)."""
    text = ('rows = records(context)\nwest = [r for r in rows if r["region"] == "West"]\n'
            'print(len(west))\nsubmit(str(len(west)))\n')
    head = {"data": "csv"}
    values = inputs_for(head, 2_400_000)
    out = execute("filter_records", text, head, values)
    assert out.stage == "done", [d.render(text) for d in out.diagnostics]
    assert 0 < out.fuel_used <= out.proof["bounds"]["fuel"]
    assert out.answer == str(sum(1 for r in values["context"].splitlines()[1:]
                                 if r.split(",")[1] == "West"))
