"""A number or yes/no answer is converted after the run, but never from a list or a dict:
that is known before the script runs, and the model is told how to take one value."""

from __future__ import annotations

import pytest

from rlmlang.pipeline import ScriptSetup, execute_script
from rlmlang.tools import default_registry
from rlmlang.types import BOOL, FLOAT, INT, STR, Type

TABLE = "id,city\n1,Lima\n2,Oslo\n3,Lima\n"


def run(script: str, output: Type):
    setup = ScriptSetup(registry=default_registry(include_plugins=False),
                        inputs={"customers": TABLE}, input_types={"customers": STR},
                        output=output, state=None)
    return execute_script(script, setup)


@pytest.mark.parametrize("output", [INT, FLOAT, BOOL])
def test_a_dict_submitted_for_a_number_is_refused_before_it_runs(output: Type) -> None:
    out = run('counts = group_count(customers, "city")\nsubmit(counts)\n', output)
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert d.code == "E_SUBMIT" and "but this is dict[str, int]" in d.message
    assert d.fix == "submit one of its values, counts[key], or how many keys: len(counts)"


def test_a_list_submitted_for_a_number_is_refused_with_how_to_take_one() -> None:
    out = run('rows = lines(customers)\nsubmit(rows)\n', INT)
    assert out.stage == "check" and out.diagnostics[0].code == "E_SUBMIT"
    assert "len(rows)" in (out.diagnostics[0].fix or "")


def test_the_value_taken_from_it_is_the_answer() -> None:
    out = run('counts = group_count(customers, "city")\nsubmit(counts["Lima"])\n', INT)
    assert out.stage == "done" and out.answer == 2


def test_a_text_answer_may_still_be_a_list_joined() -> None:
    out = run('submit(split("a,b", ","))\n', STR)
    assert out.stage == "done" and out.answer == "a, b"


def test_a_dict_submitted_for_a_text_answer_is_refused_before_it_runs() -> None:
    out = run('counts = group_count(customers, "city")\nsubmit(counts)\n', STR)
    assert out.stage == "check"
    d = out.diagnostics[0]
    assert d.code == "E_SUBMIT" and d.message == (
        "submit needs str (the task's output type), but this is dict[str, int]")


def test_a_dict_decoded_at_run_time_is_refused_as_a_text_answer() -> None:
    out = run('submit(json_decode("{\\"a\\": 1}"))\n', STR)
    assert out.stage == "done" and out.answer is None
    assert out.answer_error is not None and out.answer_error.code == "E_SUBMIT"
    assert "the answer must be one text, not a dict" in out.answer_error.message


@pytest.mark.parametrize("joined", ['", ".join(cities)', 'join(cities, ",")'])
def test_a_list_joined_into_one_text_for_a_list_answer_is_fixed_to_the_list(joined: str):
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import ListT

    script = (f'cities = [r["city"] for r in records(customers)]\nsubmit({joined})\n')
    out = run(script, ListT(STR))
    d = out.diagnostics[0]
    assert d.code == "E_SUBMIT" and d.fix == "submit the list itself: submit(cities)"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and run(fixed, ListT(STR)).answer == ["Lima", "Oslo", "Lima"]


@pytest.mark.parametrize(("text", "items"), [
    ('cities[0] + "," + cities[1]', "[cities[0], cities[1]]"),
    ('cities[2] + ", " + cities[0] + ", " + cities[1]', "[cities[2], cities[0], cities[1]]"),
    ('f"{cities[0]};{cities[1]}"', "[cities[0], cities[1]]"),
])
def test_values_written_into_one_text_for_a_list_answer_are_fixed_to_a_list(
        text: str, items: str) -> None:
    """`submit(codes[0] + "," + codes[1])` for a list answer (fresh dev multi-needle-01,
    two draws): the values between the separators are the list's items."""
    from rlmlang.controller.fixits import apply_fixits
    from rlmlang.types import ListT

    script = f'cities = [r["city"] for r in records(customers)]\nsubmit({text})\n'
    out = run(script, ListT(STR))
    d = out.diagnostics[0]
    assert d.code == "E_SUBMIT" and d.fix == f"submit the list itself: submit({items})"
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and len(run(fixed, ListT(STR)).answer) == items.count(",") + 1
    # a text of one value, or values run together, is no list of them
    for one in ('cities[0] + " " + cities[1]', "cities[0] + cities[1]", '"x," + cities[0]'):
        d = run(f'cities = [r["city"] for r in records(customers)]\nsubmit({one})\n',
                ListT(STR)).diagnostics[0]
        assert not d.fix.startswith("submit the list itself")


@pytest.mark.parametrize("output", [STR, INT, FLOAT, BOOL])
def test_none_submitted_is_an_empty_answer_whatever_the_type(output: Type) -> None:
    """A lookup that found nothing, submitted: no answer (it was the text 'null')."""
    from rlmlang.task.answers import is_empty_answer

    out = run('submit(next((l for l in lines(customers) if "Quito" in l), None))\n', output)
    assert out.status == "submitted" and out.answer is None and is_empty_answer(out.answer)
    assert out.answer_error is None


def test_the_first_few_lines_submitted_for_a_number_are_printed_instead() -> None:
    """Told to print a few lines, the 1.5B submitted them (fresh dev date-range-04): the
    fix-it makes that script the look it was asked for."""
    out = run("submit(customers.splitlines()[:3])\n", FLOAT)
    d = out.diagnostics[0]
    assert d.code == "E_SUBMIT"
    assert d.fix == "to look at them, print them: print(customers.splitlines()[:3])"
    assert d.data["fixit_stmt"] == [[1, 1, 1, 35], "print(customers.splitlines()[:3])"]


def test_the_look_runs_and_the_model_is_shown_what_it_printed(tmp_path) -> None:
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime
    model = FakeModel(["submit(customers.splitlines()[:3])", "submit(2)", "submit(2)"])
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
            budgets={"candidates": 1, "iterations": 2}).run(
        "customers: str, question: str -> answer: int", "How many customers live in Lima?",
        customers=TABLE)
    assert "It printed:\n['id,city', '1,Lima', '2,Oslo']" in model.prompts[1]


def test_the_lines_a_search_keeps_submitted_for_a_count_are_counted_by_a_fix_it() -> None:
    """`submit(lines_with_all(...))` for "How many lines contain ...": len() of it, as a
    fix-it; a list of other texts (numbers found in a line) is left to the model."""
    out = run('submit(lines_with(customers, ["Lima"]))\n', INT)
    d = out.diagnostics[0]
    assert d.fix == 'how many: len(lines_with(customers, ["Lima"]))'
    assert d.data["fixit_expr"][1] == 'len(lines_with(customers, ["Lima"]))'
    out = run('submit(split("1,2", ","))\n', INT)
    assert "fixit_expr" not in out.diagnostics[0].data
    assert out.diagnostics[0].fix == 'submit one item, split("1,2", ",")[0], or how many: ' \
        'len(split("1,2", ","))'
