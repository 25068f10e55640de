"""The task-narrowed model grammar: a subset of the language, and what it rules out."""

from __future__ import annotations

import re

import pytest

from rlmlang.controller.narrowing import (
    VARIABLE_NAMES,
    call_rule,
    question_literals,
    restrict_calls,
    restrict_names,
    restrict_strings,
)
from rlmlang.syntax.gbnf import model_grammar
from rlmlang.syntax.parser import parse
from rlmlang.tools import default_registry
from rlmlang.types import STR

TOOLS = ["find_line", "value_after", "llm.predict", "count_rows", "print", "str", "len"]
QUESTION = "What is the access code of badge 4820?"


def narrowed() -> str:
    reg = default_registry()
    g = model_grammar(TOOLS, ["context", "question"], [], STR, python_forms=False)
    g = restrict_strings(g, question_literals(QUESTION, ["id", "city"]))
    g = restrict_names(g, list(VARIABLE_NAMES))
    return restrict_calls(g, [reg.get(t) for t in TOOLS])


def test_literals_are_the_question_phrases_and_separators() -> None:
    lits = question_literals("On which floor does Priya A. Ahmed work?", ["dept_id"])
    assert "Priya A. Ahmed" in lits and "floor" in lits and "dept_id" in lits
    assert "work?" not in lits and "," in lits and "\\n" in lits
    assert all(len(x.split()) <= 5 for x in lits)


def test_each_tool_is_called_with_its_own_arity() -> None:
    reg = default_registry()
    assert call_rule(reg.get("value_after")) == '"value_after(" argument ", " argument ")"'
    # find_line(text, phrase[, also]): an optional str keeps its place.
    assert call_rule(reg.get("find_line")) == '"find_line(" argument (", " argument){1,2} ")"'
    # count_rows(text, col, value[, sep]): the skill's sep is left out for small models.
    assert call_rule(reg.get("count_rows")) == '"count_rows(" argument (", " argument){2} ")"'
    assert "{0,1}" in call_rule(reg.get("split"))  # split keeps its separator


def test_narrowed_grammar_is_accepted_by_llama_cpp() -> None:
    from rlmlang.backend.decoding import grammar_accepts

    g = narrowed()
    good = 'line = find_line(context, "badge 4820")\nsubmit(value_after(line, "access code"))\n'
    assert grammar_accepts(g, good)
    # A phrase that is not the question's, a tool given three arguments, a made-up name:
    assert not grammar_accepts(g, 'line = find_line(context, "badge 1234")\nsubmit(line)\n')
    assert not grammar_accepts(g, 'submit(value_after(context, "badge 4820", "code"))\n')
    assert not grammar_accepts(g, 'Here = find_line(context, "badge 4820")\nsubmit(Here)\n')
    # A call whose value is thrown away is not a statement; print is.
    assert not grammar_accepts(g, 'find_line(context, "code")\nsubmit("")\n')
    assert grammar_accepts(g, 'print(find_line(context, "code"))\nsubmit("code")\n')


@pytest.mark.model
def test_samples_under_the_narrowed_grammar_parse_and_keep_its_literals() -> None:
    from rlmlang.backend.llama import LlamaBackend

    backend = LlamaBackend(None)
    g = narrowed()
    backend.check_grammar(g)
    allowed = set(question_literals(QUESTION, ["id", "city"]))
    prompt = backend.chat_prompt([
        {"role": "system", "content": "Write a short script that ends with submit(answer)."},
        {"role": "user", "content": f"context: str, 480,000 characters\nQuestion: {QUESTION}"}])
    done = 0
    for seed in range(12):
        gen = backend.generate(prompt, grammar=g, max_tokens=120, temperature=1.0, seed=seed)
        if gen.stop_reason == "length":
            continue
        done += 1
        result = parse(gen.text)
        assert result.script is not None, (gen.text, result.diagnostics)
        for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', gen.text):
            assert lit in allowed, lit
    assert done >= 6
