"""Sub-model calls from a script: `llm.predict(prompt, text=snippet) as T`.

One constrained completion over a short snippet. The snippets are cut to fit
the model's window (a script hands over a found line, not the whole input),
and a typed call is held to a grammar derived from T, so what comes back
always parses as a T.
"""

from __future__ import annotations

from typing import Any

from rlmlang.types import STR, Prim, Type

SYSTEM = "Answer the question using the text. Reply with the answer only, as briefly as possible."


def _fit(snippets: dict[str, str], budget_chars: int) -> str:
    parts = []
    each = max(200, budget_chars // max(1, len(snippets)))
    for name, text in snippets.items():
        text = str(text)
        if len(text) > each:
            text = text[:each] + " …"
        parts.append(f"{name}: {text}")
    return "\n".join(parts)


def predict(backend: Any, prompt: str, snippets: dict[str, str], as_type: Type | None,
            seed: int = 0, max_tokens: int = 48) -> tuple[Any, Any]:
    """Ask the model; return the value (a T, or a str) and the Generation."""
    window_chars = int(getattr(backend, "context_size", 2048) * 2.5)
    body = _fit(snippets, window_chars) if snippets else ""
    user = f"{body}\n\n{prompt}" if body else prompt
    chat = backend.chat_prompt([{"role": "system", "content": SYSTEM},
                                {"role": "user", "content": user}])
    t = as_type or STR
    if isinstance(t, Prim) and t.name == "str":
        gen = backend.generate(chat, grammar=None, max_tokens=max_tokens, temperature=0.0,
                               seed=seed, stop=["\n", "<|im_end|>", "<end_of_turn>"])
        return gen.text.strip().strip('"').strip(), gen
    from rlmlang.syntax.gbnf import parse_value, value_grammar

    gen = backend.generate(chat, grammar=value_grammar(t), max_tokens=max_tokens * 4,
                           temperature=0.0, seed=seed)
    return parse_value(gen.text, t), gen
