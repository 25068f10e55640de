"""Each line of a JSON Lines input decoded in a loop is bounded by its line, not by the
line's square: the 1.5B's `[json.loads(line) for line in orders.splitlines()]` over
3,000 orders (870 KB) was bounded at 108M fuel, 1,000 times what it spends, and refused."""

from __future__ import annotations

import json

from script_run import run_script

from rlmlang.types import STR

ORDERS = "".join(json.dumps({
    "id": f"SH-{i:05d}", "status": "paid" if i % 3 else "open",
    "customer": {"name": f"Customer {i}", "address": {"city": "Bergen", "postcode": f"{i:05d}"}},
    "items": [{"sku": f"SKU-{i + k}", "qty": k + 1, "price": 1.5 * k} for k in range(i % 4)],
    "note": ""}) + "\n" for i in range(3000))

SCRIPT = """order = [r for r in [json.loads(line) for line in orders.splitlines()] if r["id"] == "SH-01234"]
if len(order) == 0:
    fail("no order")
submit(order[0]["customer"]["address"]["postcode"])
"""


def test_decoding_every_line_of_a_json_lines_input_verifies_and_runs() -> None:
    out = run_script(SCRIPT, STR, orders=ORDERS)
    assert out.stage == "done" and out.answer == "01234", out.diagnostics
    assert out.fuel_bound <= 20 * out.fuel_used, (out.fuel_bound, out.fuel_used)
