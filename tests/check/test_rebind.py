"""A top-level name given a value of another type starts a new name (check/rebind.py).

`employees = records(employees)`, `n = int(n)`: Python reuses the name, the
language keeps one type per name, so from that statement on the script is
read with a fresh name. Each case runs through the one pipeline, verified and
executed; where a rename could change the meaning (inside an `if` or a loop, a
name a def reads) the error and its fix stay.
"""

from __future__ import annotations

import pytest
from script_run import run_script  # tests/script_run.py

from rlmlang.types import INT, Type

TABLE = "name,dept,age\nAda,ops,31\nBo,dev,42\nCy,ops,27\n"


def run(script: str, output: Type = INT, context: str = TABLE):
    return run_script(script, output, context=context)


@pytest.mark.parametrize("script, want", [
    # An input read into its rows under its own name.
    ("context = records(context)\nn = 0\nfor row in context:\n    if row[\"dept\"] == \"ops\":\n"
     "        n += 1\nsubmit(n)\n", 2),
    # A str turned into an int, then used as one (the method-call form too).
    ("n = \"12\"\nn = int(n)\nsubmit(n + 1)\n", 13),
    ("rows = context.strip()\nrows = rows.split(\"\\n\")\nsubmit(len(rows) - 1)\n", 3),
    # Rebound twice; each later statement reads the newest value, nested blocks too.
    ("x = context\nx = lines(x)\nx = len(x)\nk = 0\nfor i in range(x):\n    k += i\nsubmit(k)\n",
     6),
    # The right side reads the old value.
    ("n = \"3\"\nn = int(n) * int(n)\nsubmit(n)\n", 9),
    # A def's parameter of the same name is its own local: the def never sees the global
    # (three-hop: `def f(racks: list[...])` beside `racks = records(racks)`).
    ("def ops(context: list[dict[str, str]]) -> int:\n    n = 0\n    for r in context:\n"
     "        if r[\"dept\"] == \"ops\":\n            n += 1\n    return n\n"
     "context = records(context)\nsubmit(ops(context))\n", 2),
    # In a def's body: its local is renamed there alone (fresh dev group-by-02's
    # `reporters = Counter(reporters)`); the top level's name of the same spelling stays.
    ("def most(rows: list[dict[str, str]]) -> int:\n"
     "    depts = [r[\"dept\"] for r in rows]\n    depts = Counter(depts)\n"
     "    return depts.most_common(1)[0][1]\n"
     "depts = \"x\"\nsubmit(most(records(context)) + len(depts) - 1)\n", 2),
    ("def total(rows: list[dict[str, str]]) -> int:\n    rows = [int(r[\"age\"]) for r in rows]"
     "\n    return sum(rows)\nsubmit(total(records(context)))\n", 100),
    # A def's name given its result (fresh dev aggregate-01): the name holds the value
    # from there on, as in Python; the call before it is the def's.
    ("def ops(rows: list[dict[str, str]]) -> int:\n"
     "    return len([r for r in rows if r[\"dept\"] == \"ops\"])\n"
     "ops = ops(records(context))\nprint(f\"ops: {ops}\")\nsubmit(ops)\n", 2),
])
def test_a_top_level_rebinding_reads_as_python(script: str, want: int) -> None:
    out = run(script)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == want


@pytest.mark.parametrize("script", [
    # Inside an if: the type after it would depend on the branch.
    "n = \"12\"\nif len(context) > 0:\n    n = int(n)\nsubmit(1)\n",
    # Inside a loop.
    "n = \"1\"\nfor line in lines(context):\n    n = len(line)\nsubmit(1)\n",
    # A def reads the name: renaming would change what the def sees.
    "def f(s: str) -> int:\n    return len(s)\ndef g(xs: list[str]) -> int:\n"
    "    return len(sorted(xs, key=f))\nf = 3\nsubmit(g([\"a\"]))\n",
    "def f() -> int:\n    return len(context)\ncontext = records(context)\nsubmit(f())\n",
    # In a def, inside its loop.
    "def f(s: str) -> int:\n    n = \"1\"\n    for line in lines(s):\n        n = len(line)\n"
    "    return 1\nsubmit(f(context))\n",
    # A comprehension binds the name.
    "n = \"1\"\nn = len(n)\nsubmit(len([n for n in lines(context)]))\n",
])
def test_a_rebinding_a_rename_could_change_keeps_its_error(script: str) -> None:
    out = run(script)
    assert out.stage != "done"
    assert any(d.code in ("E_TYPE", "E_NAME") for d in out.diagnostics)


def test_the_error_names_the_type_change_and_a_fix() -> None:
    out = run("n = \"12\"\nif len(context) > 0:\n    n = int(n)\nsubmit(1)\n")
    d = out.diagnostics[0]
    assert d.message == "'n' is str (since line 1); a name keeps its type, so it cannot hold int"
    assert d.fix == "use a new name for the int value, e.g. n_int = ..."


def test_a_fresh_name_never_takes_a_name_the_script_uses() -> None:
    out = run("n_2 = 5\nn = \"1\"\nn = int(n)\nsubmit(n + n_2)\n")
    assert out.stage == "done" and out.answer == 6


def test_an_error_past_a_rebinding_is_said_in_the_scripts_own_names() -> None:
    """A rebinding that leaves the script's own error (not a new one) is kept, so the
    model is told that error, not the rebinding; and what it is told names its own names:
    `str(weights_2)` named a name the script does not have (the 1.5B, told only 'a name
    keeps its type', deleted the line that made the list)."""
    from rlmlang.types import STR, ListT

    table = "model,wt\nA,2.62\nB,3.44\n"
    script = ('weights = [row.split(",")[1] for row in mtcars.splitlines()[1:]]\n'
              'weights = [float(w) for w in weights]\n'
              'models = [row for row in mtcars.splitlines()[1:] if row[1] in weights]\n'
              'submit(models)\n')
    out = run_script(script, ListT(STR), mtcars=table)
    assert out.stage == "check"
    assert [d.message for d in out.diagnostics] == ["'in' does not apply to str in list[float]"]
    named = 'weights = mtcars.splitlines()\nweights = len(weights)\nsubmit(weights + "x")\n'
    out = run_script(named, STR, mtcars=table)
    assert out.stage == "check" and out.diagnostics[0].fix == "convert with str(...): str(weights)"
    assert "weights_2" not in str(out.diagnostics[0].to_json())
