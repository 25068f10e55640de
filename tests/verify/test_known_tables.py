"""A table op over an input whose value is known is bounded by that input's own records.

From a text's length alone, records(text) must allow the column names once per
possible record: a 40 KB table was bounded at 1.6 GB, over the memory budget,
and every coder script that filtered a table input was refused. The verifier
knows each input's value, so a table argument that is one gets the exact Size
of the records the one reader reads from it (verify/results.known_tables).
"""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import FLOAT, INT, Type

NAMES = ["Ada Byron", "Bo Chen", "Cy Diaz", "Di Egan", "Ed Fox"]
TABLE = "order_id\tcustomer\tstatus\ttotal\n" + "".join(
    f"ORD-{i:05d}\t{NAMES[i % 5]}\t{'paid' if i % 3 else 'refunded'}\t{(i * 37) % 1000 + 0.5}\n"
    for i in range(1500))  # about 45 KB


def run(script: str, output: Type):
    return run_script(script, output, orders=TABLE)


def expected_max() -> float:
    rows = [line.split("\t") for line in TABLE.splitlines()[1:]]
    return max(float(r[3]) for r in rows if r[1] == "Bo Chen")


@pytest.mark.parametrize("script", [
    "mine = where(orders, \"customer\", \"Bo Chen\")\n"
    "best = max(mine, key=lambda r: float(r[\"total\"]))\nsubmit(float(best[\"total\"]))\n",
    "rows = records(orders)\nbest = 0.0\nfor r in rows:\n    if r[\"customer\"] == \"Bo Chen\":\n"
    "        best = max(best, float(r[\"total\"]))\nsubmit(best)\n",
    "orders = records(orders)\n"
    "submit(max([float(r[\"total\"]) for r in orders if r[\"customer\"] == \"Bo Chen\"]))\n",
])
def test_filtering_a_known_table_input_verifies_and_runs(script: str) -> None:
    out = run(script, FLOAT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == expected_max()
    assert out.vm is not None and out.proof is not None
    bound = next(o for o in out.proof["obligations"] if o["name"] == "sizes")["memory_bytes"]
    assert out.vm.memory_peak <= bound < 1000 * len(TABLE)  # sound; linear, not quadratic


def test_group_count_of_a_known_table_input() -> None:
    out = run("g = group_count(orders, \"customer\")\nsubmit(g[\"Ed Fox\"])\n", INT)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == 300
