"""The task-narrowed model grammar: a subset of the language, and what it rules out."""

from __future__ import annotations

import re

import pytest

from rlmlang.controller.narrowing import (
    VARIABLE_NAMES,
    call_shape,
    question_literals,
    task_narrowing,
)
from rlmlang.syntax.gbnf import model_grammar
from rlmlang.syntax.parser import parse
from rlmlang.tools import default_registry
from rlmlang.types import STR

TOOLS = ["find_line", "value_after", "llm.predict", "count_rows", "print", "str", "len"]
QUESTION = "What is the access code of badge 4820?"


def narrowed() -> str:
    reg = default_registry()
    narrowing = task_narrowing(QUESTION, ["id", "city"], list(VARIABLE_NAMES),
                               [reg.get(t) for t in TOOLS])
    return model_grammar(TOOLS, ["context", "question"], [], STR, python_forms=False,
                         narrowing=narrowing)


def test_literals_are_the_question_phrases_and_separators() -> None:
    lits = question_literals("On which floor does Priya A. Ahmed work?", ["dept_id"])
    assert "Priya A. Ahmed" in lits and "floor" in lits and "dept_id" in lits
    assert "work?" not in lits and "," in lits and "\\n" in lits
    assert all(len(x.split()) <= 5 for x in lits)


def test_each_tool_is_called_with_its_own_arity() -> None:
    reg = default_registry()
    def arity(name: str) -> tuple[int, int]:
        shape = call_shape(reg.get(name))
        return shape.required, shape.optional

    assert arity("value_after") == (2, 0)
    # find_line(text, phrase[, also]): an optional str keeps its place.
    assert arity("find_line") == (2, 1)
    # count_rows(text, col, value[, sep]): the skill's sep is left out for small models.
    assert arity("count_rows") == (3, 0)
    assert arity("split")[1] == 1  # split keeps its separator
    assert call_shape(reg.get("print")).statement
    assert not call_shape(reg.get("find_line")).statement


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
