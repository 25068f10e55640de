"""The prompt prefix cache: a fixed prompt prefix is evaluated once per machine.

A second process loads the saved state instead of evaluating the prefix, and
generates exactly what an uncached process generates; a damaged or stale state
file is never used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.model

MODEL = "smollm2-135m"
SYSTEM = ("You write short scripts in a small Python-like language. " * 4 +
          "Helpers: " + ", ".join(f"helper_{i}(text)" for i in range(20)))
TASK = "How many lines of `context` mention Rome? Reply with the script only."


def _messages() -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TASK}]


def _run(min_tokens: int = 64) -> tuple[str, object]:
    """A fresh backend (a new context, as a new process has): warm, then generate."""
    from rlmlang.backend.llama import LlamaBackend

    b = LlamaBackend(MODEL, context_size=2048)
    try:
        how = b.warm_prefix(b.chat_prompt(_messages()[:1], add_generation_prompt=False),
                            min_tokens=min_tokens)
        gen = b.generate(b.chat_prompt(_messages()), max_tokens=24)
        return how, gen
    finally:
        b.close()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RLM_CACHE_DIR", str(tmp_path))
    return tmp_path / "prefix"


def test_a_second_process_loads_the_prefix_and_writes_the_same(cache: Path) -> None:
    how1, first = _run()
    assert how1 == "saved" and len(list(cache.glob("*.state"))) == 1
    how2, second = _run()
    assert how2 == "loaded"
    assert second.text == first.text
    # Only the task's own turn was evaluated: the prefix came from the file.
    assert second.cached_tokens >= second.prompt_tokens - 40


def test_a_damaged_state_file_is_not_used(cache: Path) -> None:
    _, first = _run()
    (state,) = cache.glob("*.state")
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 3])  # cut short
    how, again = _run()
    assert how == "saved"  # evaluated again, and saved whole
    assert again.text == first.text
    assert state.stat().st_size > 0


def test_a_short_prefix_is_not_cached(cache: Path) -> None:
    how, _ = _run(min_tokens=100_000)
    assert how == "skipped" and not cache.exists()


def test_a_long_prompt_set_aside_for_another_is_loaded_back() -> None:
    """A sub-model call evaluates its own prompt in the same context: the task's long
    prompt is set aside in memory first, and the next draw loads it back instead of
    evaluating it again, and writes exactly what a fresh evaluation writes."""
    from rlmlang.backend.llama import LlamaBackend

    long_task = [{"role": "system", "content": SYSTEM * 4}, {"role": "user", "content": TASK}]
    other = [{"role": "system", "content": "Answer in one word. " + "Be brief. " * 150},
             {"role": "user", "content": "Is this review positive?"}]
    b = LlamaBackend(MODEL, context_size=2048)
    try:
        prompt = b.chat_prompt(long_task)
        n = len(b.prompt_tokens(prompt))
        assert n >= 600
        first = b.generate(prompt, max_tokens=16)
        b.generate(b.chat_prompt(other), max_tokens=4)  # cuts the context back
        again = b.generate(prompt, max_tokens=16)
        assert again.cached_tokens >= n - 1, (again.cached_tokens, n)
        assert again.text == first.text
    finally:
        b.close()
    fresh = LlamaBackend(MODEL, context_size=2048)
    try:
        assert fresh.generate(prompt, max_tokens=16).text == first.text
    finally:
        fresh.close()
