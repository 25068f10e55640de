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


def test_where_the_call_names_a_column_the_kin_taking_a_column_come_first() -> None:
    out = run_script('submit(count_of(customers, "city", "Lima"))\n', INT,
                     customers="id,city\n1,Lima\n2,Oslo\n")
    fix = next(d for d in out.diagnostics if "3 were given" in d.message).fix or ""
    kin = [k.split("(")[0] for k in fix.split("; or ")[1:]]
    assert kin[:2] == ["count_rows", "count_where"] and "count_lines" not in kin
    # a column no table has: the registry's order
    out = run_script('submit(count_of(customers, "town", "Lima"))\n', INT,
                     customers="id,city\n1,Lima\n2,Oslo\n")
    fix = next(d for d in out.diagnostics if "3 were given" in d.message).fix or ""
    assert [k.split("(")[0] for k in fix.split("; or ")[1:]][0] == "count_lines"


def test_an_undefined_function_names_the_builtins_that_take_as_many_arguments() -> None:
    """`sum_of(sales, "region", "West", "amount")`: not `sum(...)`, which takes one list,
    but the builtins named like it that take four arguments."""
    from rlmlang.pipeline import ScriptSetup, execute_script
    from rlmlang.tools import default_registry
    from rlmlang.types import FLOAT, STR

    setup = ScriptSetup(registry=default_registry(include_plugins=False),
                        inputs={"sales": "region,amount\nWest,2\n"},
                        input_types={"sales": STR}, output=FLOAT, state=None)
    d = execute_script('submit(sum_of(sales, "region", "West", "amount"))\n',
                       setup).diagnostics[0]
    assert d.message == "undefined function: sum_of"
    assert d.fix is not None and d.fix.startswith("use a builtin: ") and "sum_where(" in d.fix
    assert "write sum(" not in d.fix
    typo = execute_script("submit(float(lenn(sales)))\n", setup).diagnostics[0]
    assert typo.message.endswith("(did you mean len?)") and typo.fix == "write len(...)"


def test_a_table_and_its_column_given_to_a_kin_of_fewer_arguments_is_renamed() -> None:
    """`count_of(penguins, "sex", "female")`, three rounds running (dev sample 5 count-14):
    the call passes an input's table and names its column, so the fix-it calls the first
    kin that takes a table and a column (count_where); a call naming no column gets none."""
    from rlmlang.controller.fixits import apply_fixits

    penguins = "species,sex,mass\n" + "".join(
        f"{'Adelie' if i % 3 else 'Gentoo'},{'female' if i % 2 else 'male'},{3000 + 7 * i}\n"
        for i in range(20))
    script = 'submit(count_of(penguins, "sex", "female"))\n'
    out = run_script(script, INT, penguins=penguins)
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed == 'submit(count_where(penguins, "sex", "female"))\n'
    assert run_script(fixed, INT, penguins=penguins).answer == 10
    script = 'submit(count_of(penguins, "town", "female"))\n'
    assert apply_fixits(script, run_script(script, INT, penguins=penguins).diagnostics) is None


def test_the_items_of_a_list_parameter_written_one_by_one_get_a_fix_it() -> None:
    """`lines_with(context, "maketh", "alive", "bringeth")` (seed-7 dev several-words-03):
    the extra words fit the items of its list of phrases, and the fix-it writes them in
    one; the fixed call runs."""
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import STR, ListT

    text = "he maketh alive\nhe bringeth down and maketh alive\n"
    script = 'submit(lines_with(context, "maketh", "alive", "bringeth"))\n'
    out = run_script(script, ListT(STR), context=text)
    assert [d.message for d in out.diagnostics] == ["lines_with takes 2 arguments, but 4 "
                                                   "were given"]
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed == 'submit(lines_with(context, ["maketh", "alive", "bringeth"]))\n'
    assert run_script(fixed, ListT(STR), context=text).answer == [
        "he bringeth down and maketh alive"]
    mixed = run_script('submit(lines_with(context, "maketh", 3))\n', ListT(STR), context=text)
    assert "3]" not in (apply_fixits('submit(lines_with(context, "maketh", 3))\n',
                                     mixed.diagnostics) or ""), "an int is no phrase"


def test_count_of_a_list_is_its_length_with_a_fixit() -> None:
    """`count(matches)` counts the items, as most languages read it; the builtin counts a
    part in a text. The fix-it writes len(matches), and the controller runs it."""
    from rlmlang.controller.fixits import apply_fixits

    script = 'x = lines_with(log, ["ERROR"])\nsubmit(count(x))\n'
    out = run_script(script, INT, log="ERROR a\nINFO b\nERROR c\n")
    d = next(d for d in out.diagnostics if d.severity == "error")
    assert d.message == ("count(text, part) counts the times a part occurs in a text; the "
                         "number of items of a list is len(...)")
    assert d.fix == "write len(x)"
    assert [x for x in out.diagnostics if x.severity == "error"] == [d]  # no "join" advice
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed == 'x = lines_with(log, ["ERROR"])\nsubmit(len(x))\n'
    assert run_script(fixed, INT, log="ERROR a\nINFO b\nERROR c\n").value == 2
    # a text and its part: the builtin, untouched
    assert run_script('submit(count(log, "ERROR"))\n', INT, log="ERROR a\nERROR c\n").value == 2


def test_keys_given_to_find_lines_one_by_one_are_looked_up_in_turn() -> None:
    """`find_lines(context, "guest SH-33233", "guest SH-21951", "guest SH-67414")` (fresh
    dev multi-needle-02): three keys where a phrase and an `also` fit mean the lines of
    each key, in the question's order; the fix-it reads them so."""
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import STR, ListT

    guests = "\n".join(f"Guest SH-{k} chose the pass phrase {p}." for k, p in [
        ("11111", "blue moon"), ("67414", "copper candle"), ("33233", "river island"),
        ("21951", "pepper thunder")])
    script = ('found = [line.split(" pass phrase ")[1] for line in find_lines(context, '
              '"guest SH-33233", "guest SH-21951", "guest SH-67414")]\nsubmit(found)\n')
    out = run_script(script, ListT(STR), context=guests)
    (d,) = out.diagnostics
    assert d.fix is not None and d.fix.endswith(
        '; the lines of each key, in order: [found_line for asked_key in ["guest SH-33233", '
        '"guest SH-21951", "guest SH-67414"] for found_line in find_lines(context, asked_key)]')
    done = run_script(apply_fixits(script, out.diagnostics) or "", ListT(STR), context=guests)
    assert done.stage == "done"
    assert [x.rstrip(".") for x in done.answer] == ["river island", "pepper thunder",
                                                    "copper candle"]
    # words, not keys: no such reading
    words = run_script('submit(len(find_lines(context, "pass", "phrase", "moon")))\n', INT,
                       context=guests)
    assert "the lines of each key" not in (words.diagnostics[0].fix or "")
