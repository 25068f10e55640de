"""csv_rows of a text is bounded linearly in the text (at most n+1 cells of n characters
in all), and exactly where the text is known: a 40 KB table was bounded at 10^23 bytes."""

from __future__ import annotations

from script_run import run_script

from rlmlang.tools.registry import Size, size_of
from rlmlang.tools.skills import _csv_rows, _rows_size
from rlmlang.types import INT

TSV = "order_id\tcustomer\ttotal\n" + "".join(
    f"ORD-{i:05d}\tCustomer {i % 37}\t{i * 3.25:.2f}\n" for i in range(1200))


def test_the_rows_of_a_known_table_are_bounded_by_what_they_are() -> None:
    out = run_script('rows = csv_rows(orders, sep="\\t")\nsubmit(len(rows))\n', INT,
                     orders=TSV)
    assert out.stage == "done" and out.answer == 1201, out.diagnostics


def test_the_bound_from_the_length_alone_holds_for_any_text() -> None:
    for text in (TSV, "a,b\n,,\n\n,\n", ",,,,", "x", "", "\n\n\n", '"a,b",c\n"d\ne",f'):
        bound, got = _rows_size([Size.of_text(text)]), size_of(_csv_rows(text))
        assert got.len <= bound.len and got.elem <= bound.elem and got.total <= bound.total
        assert got.slots <= bound.slots
