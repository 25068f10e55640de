"""A submitted answer the script did not compute from the data is a guess (task/guess.py):
the flow follows names, tests and loops, and never calls a computed answer a guess."""

from __future__ import annotations

import pytest

from rlmlang.task.guess import submits_from_data

INPUTS = ["servers", "sites"]

GUESSES = {
    "literals only": 'codes = ["SKU-82717", "SKU-43625"]\nsubmit(codes)\n',
    "read the data, then submitted a literal": (
        'racks = servers.split("\\n")\n'
        'for rack in racks:\n'
        '    if rack.startswith("SER-1"):\n'
        '        print(rack)\n'
        'submit("Medan, Ines Mensah")\n'),
    "a name of literals beside data": (
        'n = len(servers)\nanswer = "Ghent"\nprint(n)\nsubmit(answer)\n'),
    "the question is no data": 'submit(question.split(" ")[-1])\n',
}

COMPUTED = {
    "the data itself": 'submit(servers.splitlines()[0])\n',
    "through names": 'rows = records(servers)\nbest = rows[0]["site"]\nsubmit(best)\n',
    "a literal under a test of the data": (
        'if "refund" in sites:\n    submit("negative")\nelse:\n    submit("positive")\n'),
    "a literal set in a loop over the data": (
        'found = "none"\n'
        'for line in lines(sites):\n'
        '    if "Ghent" in line:\n'
        '        found = "Ghent"\n'
        'submit(found)\n'),
    "a list grown from the data": (
        'hits = []\nfor l in servers.splitlines():\n    hits.append(l)\nsubmit(len(hits))\n'),
    "a while over data-bound names": (
        'n = len(lines(sites))\ni = 0\nk = 0\nwhile i < n:\n    i += 1\n    k = i\n'
        'submit(k)\n'),
    "a def that reads the data": (
        'def site_of() -> str:\n    return sites.split(",")[0]\nsubmit(site_of())\n'),
    "a submit inside a def": (
        'def pick(x: str):\n    submit(x)\npick("Ghent")\n'),
    "the state": 'submit(state.notes)\n',
    "a tool of its own": 'submit(llm.predict("Which city?", text="x"))\n',
    "the else of a loop over the data": (
        'for l in lines(sites):\n    if "x" in l:\n        break\nelse:\n'
        '    submit("none")\nsubmit("some")\n'),
}


@pytest.mark.parametrize("name", list(GUESSES))
def test_a_literal_answer_is_a_guess(name: str) -> None:
    assert not submits_from_data(GUESSES[name], INPUTS)


@pytest.mark.parametrize("name", list(COMPUTED))
def test_an_answer_computed_from_the_data_is_not(name: str) -> None:
    assert submits_from_data(COMPUTED[name], INPUTS)


def test_with_no_data_inputs_nothing_is_a_guess() -> None:
    assert submits_from_data('submit("42")\n', [])
