"""Worked examples (task → script), retrieved by likeness to the task.

Small models copy well and generalise badly, so the examples shown are the
ones nearest the task at hand: a bag-of-words cosine between the task's
question (and the shape of its inputs) and each example's. The library is a
TOML file, `stdlib/examples.toml`, so adding an example needs no code.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rlmlang.resources import STDLIB_DIR
from rlmlang.syntax import ast

STDLIB = STDLIB_DIR  # stdlib/, shipped as package data
LIBRARY = STDLIB / "examples.toml"

_WORD = re.compile(r"[a-z]+")
_STOP = {"the", "a", "an", "of", "is", "in", "for", "to", "and", "or", "with", "that", "are",
         "does", "do", "on", "at", "by", "from", "s"}

# The shape of a task, read off its question: what a small model most needs to copy.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    # "the number of", not "the phone number of": that one names a value to find.
    ("count", re.compile(r"\bhow many\b|\bcount\b|\b(?:the|total) number of\b", re.I)),
    ("aggregate", re.compile(r"\b(total|sum|average|mean|maximum|minimum|highest|lowest|"
                             r"largest|smallest|longest|shortest|greatest|most|least)\b",
                             re.I)),
]


def task_kind(question: str, n_text_inputs: int = 1) -> str:
    """needle | count | aggregate | two_hop: which family of examples fits a task."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return "two_hop" if n_text_inputs > 1 else "needle"


@dataclass(frozen=True)
class Example:
    name: str
    question: str
    prompt: str  # the user turn, as the model would see a task
    script: str
    kind: str = "needle"
    tools: tuple[str, ...] = ()
    # Later turns of a worked example: (what the script before printed, the next script).
    # A script that only prints, then one that submits, teaches looking before answering.
    then: tuple[tuple[str, str], ...] = ()

    @property
    def shape(self) -> str:
        """The shape of the example's inputs, as the prompt describes them."""
        return data_shape(self.prompt)


def shape_distance(a: str, b: str | None) -> int:
    """0 for the same shape; key=value records are lines of text too (1); else 2."""
    if b is None or a == b:
        return 0
    return 1 if {a, b} == {"records", "text"} else 2


def data_shape(description: str) -> str:
    """table | records | text: what an input description says its data looks like."""
    if "(sep " in description:
        return "table"
    if "(key=value)" in description:
        return "records"
    return "text"


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def called_names(script: str) -> set[str]:
    """The functions and tools a script calls (for offering them to the model)."""
    from rlmlang.syntax.parser import parse  # lazy: keeps lark out of start-up

    parsed = parse(script)
    if parsed.script is None:
        return set()
    return {node.func for node in ast.walk(parsed.script) if isinstance(node, ast.Call)}


def load_library(path: Path = LIBRARY) -> list[Example]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = []
    for name, item in data.items():
        then = tuple((t["printed"], t["script"]) for t in item.get("then", ()))
        scripts = [item["script"], *(script for _, script in then)]
        tools = tuple(sorted(set().union(*(called_names(s) for s in scripts))))
        out.append(Example(name, item["question"], item["prompt"], item["script"],
                           item.get("kind", "needle"), tools, then))
    return out


def nearest(question: str, library: list[Example], k: int = 2,
            input_names: tuple[str, ...] = (), n_text_inputs: int = 1,
            shape: str | None = None) -> list[Example]:
    """The k examples most like the task: same kind, same data shape, then word likeness.

    Returned least alike first, so the nearest sits last, right before the
    task, where a small model attends most.
    """
    kind = task_kind(question, n_text_inputs)
    q = _bag(question)
    scored = sorted(library, key=lambda e: (e.kind != kind,
                                            shape_distance(e.shape, shape),
                                            -_cosine(q, _bag(e.question)), e.name))
    return list(reversed(scored[:k]))


def adapted(example: Example, input_names: list[str]) -> Example:
    """The example with its text inputs renamed to the task's, in order.

    A small model copies the example's `context` even when the task's input
    is called `sales`; showing the example with the task's own names removes
    the mistake rather than waiting to repair it.
    """
    ours = re.findall(r"^(\w+): str\b", example.prompt, re.M)
    if not ours or not input_names or ours == input_names[: len(ours)]:
        return example
    mapping = dict(zip(ours, input_names, strict=False))
    prompt, script = example.prompt, example.script
    for old, new in mapping.items():
        pattern = re.compile(rf"\b{re.escape(old)}\b")
        prompt = re.sub(rf"^{re.escape(old)}:", f"{new}:", prompt, flags=re.M)
        script = pattern.sub(new, script)
    return dataclasses.replace(example, prompt=prompt, script=script)


def assigned_names(script: str) -> set[str]:
    """Variable names an example script binds (offered to the model's grammar)."""
    from rlmlang.syntax.parser import parse  # lazy: keeps lark out of start-up

    parsed = parse(script)
    return set() if parsed.script is None else set(ast.assigned_names(parsed.script.body))
