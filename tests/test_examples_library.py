"""Every worked example shown to the model is a script the pipeline accepts.

A wrong example teaches a small model a wrong script, so each one is checked
against the signature its own prompt describes (inputs, answer type).
"""

from __future__ import annotations

import re

import pytest

from rlmlang.controller.examples import STDLIB, adapted, load_library, nearest, task_kind
from rlmlang.controller.profiles import PROFILES
from rlmlang.limits import Limits
from rlmlang.pipeline import CheckOptions, ScriptSetup, analyze_source, static_check
from rlmlang.policy import Policy
from rlmlang.store import StateStore
from rlmlang.task.signature import parse_signature
from rlmlang.tools import default_registry
from rlmlang.types import parse_type

LIBRARY = load_library()
CODER_LIBRARY = load_library(STDLIB / "coder_examples.toml")


def _signature(prompt: str) -> str:
    names = re.findall(r"^(\w+): str\b", prompt, re.M)
    answer = re.search(r"^Answer type: (.+)$", prompt, re.M)
    assert names and answer, "an example's prompt names its inputs and answer type"
    return ", ".join(f"{n}: str" for n in names) + f", question: str -> answer: {answer[1]}"


@pytest.mark.parametrize("example", LIBRARY, ids=[e.name for e in LIBRARY])
def test_example_verifies(example) -> None:
    result = analyze_source(example.script + "\n", example.name,
                            CheckOptions(signature=_signature(example.prompt)))
    assert result.ok, [d.render(example.script) for d in result.diagnostics]


def _described_inputs(prompt: str) -> dict[str, str]:
    """Text inputs shaped as the prompt describes them: that many characters in that many lines.

    The verifier bounds a loop over lines(text) by the lines a real input has,
    so an example is checked against inputs of the size its own prompt states.
    """
    out = {}
    for name, chars, count in re.findall(r"^(\w+): str, ([\d,]+) characters, ([\d,]+) lines",
                                         prompt, re.M):
        n_chars, n_lines = int(chars.replace(",", "")), int(count.replace(",", ""))
        out[name] = ("x" * (n_chars // n_lines - 1) + "\n") * n_lines
    return out


@pytest.mark.parametrize("example", CODER_LIBRARY, ids=[e.name for e in CODER_LIBRARY])
def test_coder_example_verifies_on_inputs_of_its_stated_size(example) -> None:
    sig = parse_signature(_signature(example.prompt))
    values = {**_described_inputs(example.prompt), "question": example.question}
    assert set(values) == set(sig.input_types()), "every text input states its size"
    setup = ScriptSetup(registry=default_registry(), inputs=values,
                        input_types=sig.input_types(), output=sig.output.type,
                        state=StateStore(":memory:"), policy=Policy.from_rules(["llm"]),
                        budgets=Limits.resolve(PROFILES["coder"].budgets))  # as rlm run has them
    for script in [example.script, *(later for _, later in example.then)]:
        _, stopped = static_check(script + "\n", setup)
        assert stopped is None, [d.render(script) for d in stopped.diagnostics]


def test_each_profile_has_its_library() -> None:
    for profile in PROFILES.values():
        assert load_library(profile.examples_path()), profile.name


def test_examples_are_chosen_by_task_kind() -> None:
    assert task_kind("How many rows have the city Lima?") == "count"
    assert task_kind("What is the total amount for region West?") == "aggregate"
    assert task_kind("What is the access code of badge 4820?") == "needle"
    assert task_kind("On which floor does Omar work?", n_text_inputs=2) == "two_hop"
    # A "serial number of" is a value to find, not a count.
    assert task_kind("What is the serial number of asset AT-66?") == "needle"
    assert task_kind("What is the number of failed logins?") == "count"
    assert task_kind("What is the longest delay of route 7?") == "aggregate"
    picked = nearest("How many orders have the status refunded?", LIBRARY)
    assert all(e.kind == "count" for e in picked)


def test_examples_take_the_task_input_names() -> None:
    ex = next(e for e in LIBRARY if e.name == "count_rows")
    renamed = adapted(ex, ["orders"])
    assert "orders" in renamed.script and "context" not in renamed.script
    assert renamed.prompt.splitlines()[1].startswith("orders: str")


def test_examples_follow_the_shape_of_the_data() -> None:
    q = "What is the serial number of asset AT-66?"
    assert all(e.shape == "table" for e in nearest(q, LIBRARY, shape="table"))
    # A log of key=value lines is read like text, not like a table.
    assert all(e.shape == "text" for e in nearest(q, LIBRARY, shape="records"))


@pytest.mark.model
@pytest.mark.parametrize("example", CODER_LIBRARY, ids=[e.name for e in CODER_LIBRARY])
def test_coder_example_is_writable_under_the_coder_grammar(example) -> None:
    """What the coder model is shown it can write: its profile's grammar accepts each example."""
    from rlmlang.backend.decoding import grammar_accepts
    from rlmlang.syntax.parser import parse
    from rlmlang.syntax.printer import print_script

    sig = parse_signature(_signature(example.prompt))
    tools = [s.name for s in default_registry().specs()
             if s.permission is None or s.permission.kind == "llm"]
    grammar = PROFILES["coder"].base_grammar(tools, list(sig.input_types()), [],
                                             sig.output.type)
    for script in [example.script, *(later for _, later in example.then)]:
        text = print_script(parse(script + "\n").script)
        assert grammar_accepts(grammar, text), text


@pytest.mark.model
def test_module_functions_are_writable_under_the_coder_grammar() -> None:
    """`json.loads(s)` and `re.findall(p, s)` are in the language (check/sugar.py): the coder
    grammar lets the model write them (it wrote `jsonloads(cars)` when it did not)."""
    from rlmlang.backend.decoding import grammar_accepts

    grammar = PROFILES["coder"].base_grammar(["len", "submit"], ["cars"], [], parse_type("int"))
    assert grammar_accepts(grammar, "xs = json.loads(cars)\nsubmit(len(xs))\n")
    assert grammar_accepts(grammar, "submit(len(re.findall(\"[0-9]+\", cars)))\n")
