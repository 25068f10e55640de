"""The fix an E_COST gives never trades the answer for the budget.

"iterate fewer items (e.g. xs[:100])" fitted a join written as a loop in a loop
into the budget by dropping rows: the 1.5B wrote `records(flights)[:100]` and
lost the flight it looked for. A loop in a loop is told to look the inner
items up by key; no fix suggests a slice.
"""

from __future__ import annotations

from script_run import run_script  # tests/script_run.py

from rlmlang.types import STR

FLIGHTS = "flight,gate\n" + "\n".join(f"TP{i:04d},G{i % 250}" for i in range(10600))
GATES = "gate,terminal\n" + "\n".join(f"G{i},T{i % 5}" for i in range(262))
NESTED = """fl = records(flights)
gs = records(gates)
t = ""
for f in fl:
    if f["flight"] == "TP7577":
        for g in gs:
            if g["gate"] == f["gate"]:
                t = g["terminal"]
submit(t)
"""


def test_a_loop_in_a_loop_is_told_to_look_up_by_key() -> None:
    out = run_script(NESTED, STR, flights=FLIGHTS, gates=GATES)
    assert out.stage == "verify"
    (d,) = [d for d in out.diagnostics if d.code == "E_COST"]
    assert "by_key = {g[\"key\"]: g for g in gs}" in (d.fix or "")
    assert "[:" not in (d.fix or "")


def test_the_dict_the_fix_names_fits_the_budget() -> None:
    fixed = NESTED.replace("gs = records(gates)\n",
                           "gs = records(gates)\nby_key = {g[\"gate\"]: g for g in gs}\n")
    fixed = fixed.replace('''        for g in gs:
            if g["gate"] == f["gate"]:
                t = g["terminal"]''', '''        t = by_key.get(f["gate"], {}).get("terminal", "")''')
    out = run_script(fixed, STR, flights=FLIGHTS, gates=GATES)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == "T2"  # TP7577 is at gate G77, terminal T2


def test_a_single_loop_fix_suggests_no_slice() -> None:
    out = run_script("n = 0\nfor line in lines(t):\n    for w in line.split():\n"
                     "        n = n + len(w.upper())\nsubmit(str(n))\n", STR, t="ab cd\n" * 400000)
    d = next((d for d in out.diagnostics if d.code == "E_COST"), None)
    assert d is not None and "[:" not in (d.fix or "")


def test_a_rebound_input_is_named_as_the_script_wrote_it() -> None:
    """`gates = records(gates)` is checked as a fresh name (check/rebind.py); the
    verifier's message and fix had said `gates_2`, a name the script does not have."""
    rebound = NESTED.replace("fl = records(flights)", "flights = records(flights)").replace(
        "gs = records(gates)", "gates = records(gates)").replace(
        "for f in fl:", "for f in flights:").replace("for g in gs:", "for g in gates:")
    out = run_script(rebound, STR, flights=FLIGHTS, gates=GATES)
    (d,) = [d for d in out.diagnostics if d.code == "E_COST"]
    said = " ".join([d.message, d.fix or "", *d.notes])
    assert "gates_2" not in said and "flights_2" not in said
    assert "{g[\"key\"]: g for g in gates}" in (d.fix or "")
