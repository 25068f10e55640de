"""Baseline (a): direct prompting, the context cut to fit the model's window.

This is "plain model serving": the model sees the question and as much of
each input as fits in the window (`DEFAULT_WINDOW` = 2048 tokens unless
`--window` says otherwise), and answers in one greedy generation. Inputs are cut from
the front (their first lines are kept, as a naive client would send them);
with several inputs the token budget is shared equally and what a short input
leaves unused goes to the others. Nothing else is done for the model — no
retrieval, no chunking — because that is what rlmlang's scripts are for.

The result dict has the fields `bench.scoring` documents; for this mode
`scripts` is 0, `effects` is empty (the model cannot act) and `model_s` is
the prompt + decode time reported by the backend.
"""

from __future__ import annotations

import time
from typing import Any

from bench.tasks.manifest import read_inputs

SYSTEM = (
    "You answer questions about the data the user gives you. Reply with the answer only: "
    "one value, no explanation."
)
# The window the tasks are sized against (10x-1000x of it). The model may open a
# larger one (SmolLM2: 8192), but prompt evaluation is the whole cost of this
# baseline, ~35 s per 2k tokens on two shared cores; `--window` changes it.
DEFAULT_WINDOW = 2048
ANSWER_TOKENS = 32
MARGIN_TOKENS = 24  # chat markers, rounding


def _cut(backend: Any, text: str, budget: int) -> str:
    """The longest line-aligned prefix of `text` of at most `budget` tokens (about)."""
    if budget <= 0:
        return ""
    prefix = text[: budget * 8]
    n = backend.count_tokens(prefix)
    while n > budget:
        keep = int(len(prefix) * budget / n * 0.97)
        prefix = prefix[:keep]
        n = backend.count_tokens(prefix)
    nl = prefix.rfind("\n")
    if len(prefix) < len(text) and nl > 0:
        prefix = prefix[: nl + 1]
    return prefix


def _share(backend: Any, texts: dict[str, str], budget: int) -> dict[str, str]:
    """Cut each text so that together they fit `budget` tokens; short ones give way."""
    out: dict[str, str] = {}
    pending = sorted(texts, key=lambda k: len(texts[k]))
    left = budget
    while pending:
        name = pending.pop(0)
        fair = left // (len(pending) + 1)
        out[name] = _cut(backend, texts[name], fair)
        left -= backend.count_tokens(out[name])
    return out


def build_prompt(backend: Any, task: dict[str, Any], window: int) -> tuple[str, dict[str, float]]:
    """The chat prompt for `task`, and the share of each input that fit."""
    values = read_inputs(task)
    question = values.pop("question", task["question"])
    kind = task.get("answer_type", "str")
    hint = {"int": "an integer", "float": "a number"}.get(kind, "the exact value")
    tail = f"\n\nQuestion: {question}\nAnswer with {hint} only."
    head_cost = backend.count_tokens(SYSTEM + tail) + MARGIN_TOKENS
    labels = {name: f"{name}:\n" for name in values}
    head_cost += sum(backend.count_tokens(label) for label in labels.values())
    budget = window - ANSWER_TOKENS - head_cost
    cut = _share(backend, values, budget)
    body = "\n".join(labels[name] + cut[name] for name in values)
    shown = {
        name: (len(cut[name]) / len(values[name]) if values[name] else 1.0) for name in values
    }
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": body + tail}]
    return backend.chat_prompt(messages), shown


def extract_answer(text: str) -> str:
    """The model's reply, first non-empty line, without an 'Answer:' label."""
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            low = line.lower()
            if low.startswith("answer:"):
                line = line[len("answer:"):].strip()
            return line
    return ""


def run_task(task: dict[str, Any], backend: Any, window: int | None = None) -> dict[str, Any]:
    """Ask the model directly; return the per-task result dict (see bench.scoring)."""
    start = time.perf_counter()
    win = int(window or min(DEFAULT_WINDOW, backend.context_size))
    try:
        prompt, shown = build_prompt(backend, task, win)
        gen = backend.generate(prompt, max_tokens=ANSWER_TOKENS, temperature=0.0, seed=0)
    except Exception as e:  # noqa: BLE001 - one task's failure must not stop the run
        return {"answer": None, "error": f"{type(e).__name__}: {e}", "scripts": 0,
                "effects": [], "tokens_generated": 0,
                "wall_s": time.perf_counter() - start, "model_s": 0.0}
    return {
        "answer": extract_answer(gen.text),
        "raw": gen.text,
        "scripts": 0,
        "parse_failures": 0,
        "verifier_rejections": 0,
        "repaired": 0,
        "runtime_failures": 0,
        "effects": [],
        "blocked": [],
        "tokens_generated": gen.tokens,
        "prompt_tokens": gen.prompt_tokens,
        "context_shown": shown,
        "wall_s": time.perf_counter() - start,
        "model_s": gen.prompt_seconds + gen.gen_seconds,
        "error": None,
    }
