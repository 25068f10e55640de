"""The controller's own looks at the data: the items two disagreeing counts differ by,
found by running each count's script rewritten to submit what it counts
(task/counted.py); the value a zero had before its script rounded it, or else the test
that let nothing through (task/zero_trace.py); and whether a
submitted loop variable is one the loop found or only its last item (task/left_over.py).

The rewritten scripts go through the one pipeline against the run's inputs, with no
answer type (they submit lists) and no recorder: they are the controller's own
look at the data, never a candidate, never a vote. The observation that carries
what they found names them (`probes`), so an auditor reads what was run.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from rlmlang.pipeline import ScriptOutcome, ScriptSetup, execute_script
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.task.answers import no_value
from rlmlang.task.counted import counted_items, items_difference
from rlmlang.task.find_miss import find_missed
from rlmlang.task.grounding import keyless
from rlmlang.task.guess import QUESTION, data_texts
from rlmlang.task.left_over import left_over_probe
from rlmlang.task.percent import fraction_for_percent
from rlmlang.task.searches import nothing_found
from rlmlang.task.unasked import copied_filter
from rlmlang.task.vote import Support, as_number, counts_nothing, without_rounding
from rlmlang.task.zero_trace import zero_trace

_MAX_ITEMS = 100_000  # lists longer than this are not compared


def _pure(script: str, registry: Any) -> bool:
    """Whether a script calls no tool that needs a permission or has an effect (a file
    written, a sub-model asked): a look at the data must not act on anything."""
    parsed = parse(script).script
    if parsed is None:
        return False
    for node in ast.walk(parsed):
        if isinstance(node, ast.Call):
            spec = registry.get(node.func) if registry is not None else None
            if spec is not None and (spec.permission is not None or spec.effect):
                return False
            if node.func.startswith("llm."):
                return False
    return True


def _looking(setup: ScriptSetup) -> ScriptSetup:
    """The run's setup with no answer type, recorder, replay or sub-model: a copy that
    keeps what it has read of the inputs once (its cached tables and decoded JSON)."""
    look = copy.copy(setup)
    look.output = None
    look.recorder = look.replay = look.llm = look.llm_run = None
    return look


def _look(script: str, setup: ScriptSetup) -> ScriptOutcome | None:
    """The outcome of `script` run as the controller's look (`_looking`), or None where the
    script acts on anything (`_pure`): every probe here is run this one way."""
    if not _pure(script, setup.registry):
        return None
    return execute_script(script, _looking(setup))


def count_difference(ranked: list[Support], setup: ScriptSetup) -> tuple[str, list[str]]:
    """What the two leading answers' scripts take in differently, where both are numbers
    computed by a count or a sum of a form counted_items rewrites; with the scripts run.
    ("", []) otherwise."""
    if len(ranked) < 2 or not all(as_number(s.value) is not None for s in ranked[:2]):
        return "", []
    probes = []
    found = []
    for s in ranked[:2]:
        rewritten = next((r for text in s.scripts.values()
                          if (r := counted_items(text)) is not None), None)
        outcome = _look(rewritten, setup) if rewritten is not None else None
        if outcome is None or outcome.status != "submitted" or not isinstance(outcome.value, list) \
                or len(outcome.value) > _MAX_ITEMS:
            return "", []
        probes.append(rewritten)
        found.append(outcome.value)
    said = items_difference(ranked[0].value, ranked[1].value, found[0], found[1])
    return (said, probes) if said else ("", [])


def zero_look(script: str, setup: ScriptSetup) -> tuple[str, list[str]]:
    """Where a zero comes from, with the scripts run: the value it had before rounding
    (rounded_zero), or else the first test that let nothing through, with an item it
    saw (task/zero_trace.py). ("", []) where neither says anything, or the script acts."""
    rounded = rounded_zero(script, setup)
    if rounded[0]:
        return rounded
    trace = zero_trace(script)
    outcome = _look(trace.script, setup) if trace is not None else None
    if outcome is None:
        return "", []
    said = trace.judged(outcome.status, outcome.value)
    return (said, [trace.script]) if said else ("", [])


def first_zero_look(scripts: Iterable[str], setup: ScriptSetup,
                    limit: int = 3) -> tuple[str, list[str]]:
    """zero_look of the first of an answer's scripts (at most `limit`) that says where its
    zero comes from: the first script of an agreed 0 may have no test that let nothing
    through (a loop over words that counted some) where the second has one (fresh dev
    several-words-06: `all(w in line.split(" ") ...)`, true for no line)."""
    for script in list(scripts)[:limit]:
        said, probes = zero_look(script, setup)
        if said:
            return said, probes
    return "", []


def rounded_zero(script: str, setup: ScriptSetup) -> tuple[str, list[str]]:
    """Where a zero is a value its script rounded away (`round(items / total, 2)` of
    0.0031: dev average-05 divided the items by the money, and was told only that a zero
    is what a test matching nothing gives): the value before rounding, with the script
    run. ("", []) where the script rounds nothing, acts, or its value was zero anyway."""
    parsed = parse(script).script
    if parsed is None:
        return "", []
    bare = print_script(without_rounding(parsed))
    if bare == print_script(parsed):
        return "", []
    outcome = _look(bare, setup)
    value = as_number(outcome.value) if outcome is not None \
        and outcome.status == "submitted" else None
    if value is None or counts_nothing(value):
        return "", []
    return (f"Before round(), that zero was {value!r}: its tests matched; the value is "
            "smaller than the places round() keeps. Check what the script divides by.",
            [bare])


def left_over(script: str, setup: ScriptSetup) -> str | None:
    """Why a submitted answer is a value left over from a loop that found nothing, said as
    the model is told it, or None: the script's probe (task/left_over.py) run against the
    inputs. The controller and the replay ask it alike, for every script that submits."""
    probe = left_over_probe(script)
    outcome = _look(probe.script, setup) if probe is not None else None
    if outcome is None:
        return None
    return probe.judged(outcome.status, outcome.value)


def set_aside(script: str, answer: Any, setup: ScriptSetup, question: str) -> str | None:
    """Why a submitted answer is no vote, said as the model is told it, or None: what its
    script found for nothing (task/searches.nothing_found), a filter copied from the
    first lines shown (task/unasked.copied_filter), a value left over from a loop
    (left_over), a fraction submitted for a percent (task/percent.py), a token cut by
    a find that found nothing (task/find_miss.py). The controller, the replay and
    `bench.rule_audit` ask it alike."""
    return nothing_found(script, answer, setup.inputs, setup.registry, question) \
        or copied_filter(script, answer, setup.inputs, setup.registry, question) \
        or read_keyless(script, answer, setup, question) or left_over(script, setup) \
        or fraction_for_percent(script, answer, question) \
        or find_missed(script, answer, data_texts(setup.inputs))


def read_keyless(script: str, answer: Any, setup: ScriptSetup, question: str) -> str | None:
    """task/grounding.keyless of a script's literals, where it does not read the question
    (a script may take the key from it), does not submit one of them, and its answer is
    a value (task/answers.no_value says what else it is)."""
    parsed = parse(script).script
    if parsed is None or QUESTION in ast.identifiers(parsed):
        return None
    literals = [n.value for n in ast.walk(parsed)
                if isinstance(n, ast.Const) and isinstance(n.value, str)]
    texts = data_texts(setup.inputs)
    if answer in literals or no_value(answer, question, texts, echo=True, bulk=True):
        return None  # a literal is a guess (task/guess.py); no value says so more precisely
    return keyless(literals, question, texts)
