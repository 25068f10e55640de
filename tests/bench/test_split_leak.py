"""Nothing the model is shown may carry the test split: no question, template, value or answer.

The texts a model is coached with are the example libraries (`stdlib/*.toml`),
the stdlib modules (`stdlib/*.rlm`), and the string constants of the
controller (prompts, profile cards) and of the tools (the skills' docs). This
test fails when any of them holds:

- a test-split question, or a run of 20 or more characters of a test-only
  question template (`bench.tasks.phrasing.TEST`);
- a distinctive value of a test task: a key, code, name or word the question
  names or the answer is (a token with a digit, or a name from the test
  split's value pools), or any entry of the test split's value pools;
- a test task's answer, when it is distinctive in the same sense.

Numbers and common words are not distinctive: "How many" and "42" are allowed.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from bench_oracles import named_values

ROOT = Path(__file__).resolve().parents[2]


def coaching_texts() -> dict[str, str]:
    """Every text a model may be coached with, by file."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / "stdlib").glob("*")):
        if path.suffix in (".toml", ".rlm"):
            out[str(path.relative_to(ROOT))] = path.read_text()
    for folder in ("rlmlang/controller", "rlmlang/tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text())
            strings = [n.value for n in ast.walk(tree)
                       if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            out[str(path.relative_to(ROOT))] = "\n".join(strings)
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def distinctive(value: str, pool_tokens: set[str]) -> bool:
    v = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", v):
        return len(v.replace(".", "").lstrip("-")) >= 6
    if any(ch.isdigit() for ch in v) and len(v) >= 4:
        return True
    return any(tok.casefold() in pool_tokens for tok in re.findall(r"[\w-]+", v))


def found(needle: str, haystack: str) -> bool:
    pattern = r"(?<![\w-])" + re.escape(needle.casefold()) + r"(?![\w-])"
    return re.search(pattern, haystack) is not None


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {name: _norm(text) for name, text in coaching_texts().items()}


def _pool_tokens() -> set[str]:
    from bench.tasks import pools

    p = pools.TEST
    words = [*p.first_names, *p.last_names, *p.cities, *p.products, *p.teams, *p.words]
    return {w.casefold() for w in words}


def test_coaching_texts_are_found():
    texts = coaching_texts()
    assert any(name.endswith("examples.toml") for name in texts)
    assert any(name.endswith("prompt.py") for name in texts)
    assert any(name.endswith("skills.py") for name in texts)


def test_test_pools_are_not_in_coaching_texts(corpus):
    leaks = [(w, name) for w in sorted(_pool_tokens()) for name, text in corpus.items()
             if found(w, text)]
    assert not leaks, f"test-split pool values in coaching texts: {leaks[:10]}"


def test_test_templates_are_not_in_coaching_texts(corpus):
    from bench.tasks import phrasing

    leaks = []
    for key, templates in phrasing.TEST.items():
        for template in templates:
            for fragment in re.split(r"\{\w+\}", template):
                fragment = _norm(fragment)
                if len(fragment) < 20:
                    continue
                leaks += [(key, fragment, n) for n, text in corpus.items() if fragment in text]
    assert not leaks, f"test-split phrasings in coaching texts: {leaks[:10]}"


@pytest.mark.slow
def test_test_tasks_are_not_in_coaching_texts(full_dir, corpus):
    tasks = json.loads((full_dir / "tasks.json").read_text())["tasks"]
    tokens = _pool_tokens()
    leaks = []
    for t in tasks:
        if t["split"] != "test":
            continue
        q = _norm(t["question"])
        leaks += [(t["id"], "question", n) for n, text in corpus.items() if q in text]
        answers = t["expected"] if isinstance(t["expected"], list) else [t["expected"]]
        values = [str(v) for v in [*named_values(t), *answers]]
        for v in values:
            if distinctive(v, tokens):
                leaks += [(t["id"], v, n) for n, text in corpus.items() if found(v, text)]
    assert not leaks, f"test-split tasks in coaching texts: {leaks[:10]}"


def test_the_leak_check_can_fail():
    """The matcher finds a planted value and question, and lets common ones pass."""
    tokens = _pool_tokens()
    text = _norm('task = "Give the PIN of vault door QX-48213 in Ljubljana." 42 items')
    assert distinctive("QX-48213", tokens) and found("QX-48213", text)
    assert distinctive("Ljubljana", tokens) and found("Ljubljana", text)
    assert not distinctive("42", tokens) and not distinctive("Male", tokens)
    assert not found("QX-4821", text)
