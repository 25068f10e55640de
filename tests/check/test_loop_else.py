"""`for ... else:` and `while ... else:` run as in Python: the else body runs when the
loop ends without a break (lowering: check/lower.py). Each script is run by CPython too,
and both answers must be the same."""

from __future__ import annotations

import pytest
from script_run import run_script

from rlmlang.check import Env, check
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.tools import default_registry
from rlmlang.types import STR

REVIEWS = "INV-1 great, would buy again\nINV-2 broken on arrival\nINV-3 fine\n"


class _Submitted(Exception):
    pass


def python_answer(script: str, **inputs: str) -> object:
    """What CPython's own run of the script submits."""
    def submit(value: object) -> None:
        raise _Submitted(value)

    try:
        exec(script, {"submit": submit, "print": lambda *a: None, **inputs})
    except _Submitted as s:
        return s.args[0]
    raise AssertionError("the script did not submit")


SCRIPTS = {
    "found: the else is skipped": (
        "verdict = \"none\"\n"
        "for line in reviews.splitlines():\n"
        "    if line.startswith(\"INV-2\"):\n"
        "        verdict = line.split(\" \", 1)[1]\n"
        "        break\n"
        "else:\n"
        "    verdict = \"not found\"\n"
        "submit(verdict)\n"),
    "not found: the else runs": (
        "verdict = \"none\"\n"
        "for line in reviews.splitlines():\n"
        "    if line.startswith(\"INV-9\"):\n"
        "        verdict = line\n"
        "        break\n"
        "else:\n"
        "    verdict = \"not found\"\n"
        "submit(verdict)\n"),
    "no break: the else always runs and its names are assigned after": (
        "n = 0\n"
        "for line in reviews.splitlines():\n"
        "    n += 1\n"
        "else:\n"
        "    last = \"seen \" + str(n)\n"
        "submit(last)\n"),
    "an inner loop's break leaves only the inner loop": (
        "out = []\n"
        "for word in [\"ab\", \"cd\"]:\n"
        "    for ch in word:\n"
        "        if ch == \"b\":\n"
        "            break\n"
        "    else:\n"
        "        out.append(word + \":inner-else\")\n"
        "else:\n"
        "    out.append(\"outer-else\")\n"
        "submit(\",\".join(out))\n"),
    "a break in the inner loop's else leaves the outer loop": (
        "out = []\n"
        "for word in [\"ab\", \"cd\", \"ef\"]:\n"
        "    for ch in word:\n"
        "        if ch == \"z\":\n"
        "            break\n"
        "    else:\n"
        "        out.append(word)\n"
        "        if word == \"cd\":\n"
        "            break\n"
        "else:\n"
        "    out.append(\"outer-else\")\n"
        "submit(\",\".join(out))\n"),
    "while: the else runs when the condition fails": (
        "i = 0\n"
        "while i < 3:\n"
        "    i += 1\n"
        "else:\n"
        "    i = i * 10\n"
        "submit(str(i))\n"),
    "submit in the loop, the else submits the default": (
        "for line in reviews.splitlines():\n"
        "    if \"refund\" in line:\n"
        "        submit(line)\n"
        "        break\n"
        "else:\n"
        "    submit(\"neutral\")\n"),
    "a def returns from the loop or from its else": (
        "def first_with(word: str) -> str:\n"
        "    for line in reviews.splitlines():\n"
        "        if word in line:\n"
        "            return line\n"
        "    else:\n"
        "        return \"none\"\n"
        "submit(first_with(\"fine\") + \"|\" + first_with(\"zzz\"))\n"),
}
# A break after an if whose branches all submit never runs: the loop is never left by a
# break, its else submits, and what follows it (a name never assigned) never runs.
for _id in ("INV-2", "INV-9"):
    SCRIPTS[f"a break that cannot run, {_id}"] = (
        "for line in reviews.splitlines():\n"
        f"    if \"{_id}\" in line:\n"
        "        if \"broken\" in line:\n"
        "            submit(\"negative\")\n"
        "        else:\n"
        "            submit(\"positive\")\n"
        "        break\n"
        "else:\n"
        "    submit(\"unknown\")\n"
        "submit(answer)\n")


@pytest.mark.parametrize("tier", ["fast", "interp"])
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_a_loop_else_runs_as_in_python(name: str, tier: str) -> None:
    script = SCRIPTS[name]
    out = run_script(script, STR, tier=tier, reviews=REVIEWS)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == python_answer(script, reviews=REVIEWS)
    assert out.fuel_bound is not None and out.fuel_used <= out.fuel_bound


def _check(script: str):
    parsed = parse(script)
    assert parsed.script is not None, parsed.diagnostics
    env = Env(inputs={"reviews": STR}, state={}, output=None,
              registry=default_registry(include_plugins=False), answer=STR)
    return parsed.script, check(parsed.script, env)


def test_a_break_in_the_else_of_a_loop_outside_any_loop_is_refused() -> None:
    _, r = _check("for x in [1]:\n    pass\nelse:\n    break\nsubmit(\"a\")\n")
    assert [d.message for d in r.diagnostics if d.severity == "error"] == [
        "'break' outside a loop"]


def test_after_a_loop_whose_else_ends_the_block_nothing_runs() -> None:
    _, r = _check("for x in [1, 2]:\n    x += 1\nelse:\n    fail(\"none\")\nsubmit(\"a\")\n")
    assert any(d.message.startswith("this statement can never run") for d in r.diagnostics)


def test_a_name_the_else_assigns_may_be_unassigned_after_a_loop_that_breaks() -> None:
    script = ("for line in reviews.splitlines():\n"
              "    if \"broken\" in line:\n"
              "        break\n"
              "else:\n"
              "    found = \"no\"\n"
              "submit(found)\n")
    out = run_script(script, STR, reviews=REVIEWS)
    assert out.status == "failed" and "'found' is used before it is assigned" in out.value


def test_the_printer_writes_the_else_back() -> None:
    script = SCRIPTS["a break in the inner loop's else leaves the outer loop"]
    parsed, _ = _check(script)
    assert print_script(parsed) == script


def test_statements_that_cannot_run_are_warned_of_and_not_checked() -> None:
    _, r = _check(SCRIPTS["a break that cannot run, INV-2"])
    assert not [d for d in r.diagnostics if d.severity == "error"]
    assert [(d.span.line, d.message.split(":")[0]) for d in r.diagnostics] == [
        (7, "this statement can never run"), (10, "this statement can never run")]


def test_a_method_call_that_cannot_run_is_dropped_not_compiled() -> None:
    # The if ends in submit, the else in fail: the last line never runs. It is left
    # untyped, so its method calls have no plan; lowering drops it rather than the
    # compiler meeting a form it cannot compile (an E_INTERNAL seen in a bench log).
    script = ("hit = find_line(reviews, \"broken\")\n"
              "if hit:\n"
              "    submit(hit.split(\": \")[1].strip())\n"
              "else:\n"
              "    fail(\"none\")\n"
              "submit(hit.split(\": \")[1].strip())\n")
    _, r = _check(script)
    assert [d.span.line for d in r.diagnostics if d.severity == "warning"] == [6]
    out = run_script(script, STR, reviews="a: fine\nb: broken lid \n")
    assert (out.status, out.value) == ("submitted", "broken lid")
