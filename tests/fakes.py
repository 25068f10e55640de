"""A scripted stand-in for the model, for controller-logic and audit tests.

Only generation is faked: everything downstream (parser, checker, verifier,
VM, state store, log) is the real thing. Sub-model calls (`llm.predict`)
reach the same backend; they are recognised by the sub-call system prompt
and answered from `sub_answers`, so they never consume a scripted script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlmlang.backend.base import Generation

SUB_CALL_MARK = "Answer the question using the text."


class FakeModel:
    """Returns the scripted texts in order; records every prompt it was given."""

    name = "fake"
    context_size = 2048

    def __init__(self, scripts: list[str], sub_answers: list[str] | None = None) -> None:
        self.scripts = list(scripts)
        self.sub_answers = list(sub_answers or [])
        self.prompts: list[str] = []
        self.sub_prompts: list[str] = []
        self.temperatures: list[float] = []  # of each script generation

    def generate(self, prompt: str, *, grammar=None, max_tokens=256, temperature=0.0, seed=0,
                 stop=None, on_token=None) -> Generation:
        if SUB_CALL_MARK in prompt:
            self.sub_prompts.append(prompt)
            text = self.sub_answers.pop(0) if self.sub_answers else ""
        else:
            self.prompts.append(prompt)
            self.temperatures.append(temperature)
            text = self.scripts.pop(0) if self.scripts else "submit(\"\")"
        return Generation(text, len(text.split()), len(prompt.split()), 0, 0.0, 0.0, "eos")

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def chat_prompt(self, messages, add_generation_prompt=True) -> str:
        out = "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages)
        return out + ("<assistant>" if add_generation_prompt else "")

    def info(self) -> dict:
        return {"name": "fake"}


def disagreement_prompt(scripts: list[str], tmp_path: Path, signature: str, question: str,
                        fixits: bool = True, **inputs: Any) -> str:
    """The prompt of round 2 after a coder round of two scripts (two candidates): where
    they disagree, what the model is told of it (without fix-its: the scripts alone)."""
    import dataclasses

    from rlmlang.controller.loop import Runtime
    from rlmlang.controller.profiles import get_profile

    model = FakeModel(scripts)
    profile = dataclasses.replace(get_profile("coder"), fixits=fixits)
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile=profile,
            budgets={"candidates": 2, "iterations": 2}).run(signature, question, **inputs)
    return model.prompts[2]
