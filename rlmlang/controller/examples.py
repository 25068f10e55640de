"""Worked examples (task → script), retrieved by likeness to the task.

Small models copy well and generalise badly, so the examples shown are the
ones nearest the task at hand: a bag-of-words cosine between the task's
question (and the shape of its inputs) and each example's. The library is a
TOML file, `stdlib/examples.toml`, so adding an example needs no code.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "stdlib" / "examples.toml"

_WORD = re.compile(r"[a-z]+")
_STOP = {"the", "a", "an", "of", "is", "in", "what", "which", "how", "many", "for", "to",
         "and", "or", "with", "that", "are", "does", "do", "on", "at", "by", "from", "s"}


@dataclass(frozen=True)
class Example:
    name: str
    question: str
    prompt: str  # the user turn, as the model would see a task
    script: str
    tools: tuple[str, ...] = ()


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def load_library(path: Path = LIBRARY) -> list[Example]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = []
    for name, item in data.items():
        out.append(Example(name, item["question"], item["prompt"], item["script"],
                           tuple(item.get("tools", ()))))
    return out


def nearest(question: str, library: list[Example], k: int = 2,
            input_names: tuple[str, ...] = ()) -> list[Example]:
    """The k examples most like the task, least alike first (the nearest sits last,
    right before the task, where a small model attends most)."""
    q = _bag(question + " " + " ".join(input_names))
    scored = sorted(library, key=lambda e: (-_cosine(q, _bag(e.question + " " + e.prompt)),
                                            e.name))
    return list(reversed(scored[:k]))
