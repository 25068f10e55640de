"""A builtin called with too many arguments names its kin that take that many."""

from __future__ import annotations

from script_run import run_script

from rlmlang.types import INT


def test_too_many_arguments_names_the_builtins_of_that_arity_and_name() -> None:
    out = run_script('submit(count_of(customers, "city", "Lima"))\n', INT,
                     customers="id,city\n1,Lima\n2,Oslo\n")
    arity = next(d for d in out.diagnostics if "3 were given" in d.message)
    assert arity.fix is not None and "or count_rows(text: str, col" in arity.fix
    assert "How many rows have value in column col" in arity.fix
    assert "split(" not in arity.fix  # no word in common with count_of
