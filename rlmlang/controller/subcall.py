"""Sub-model calls from a script: `llm.predict(prompt, text=snippet) as T`.

One constrained completion over a short snippet. The snippets are cut to fit
the model's window (a script hands over a found line, not the whole input).
A typed call (`as T`) is held to a grammar derived from T, so it always
parses as a T. An untyped call over a short snippet is extractive: the answer
is held to a span of the snippet's own words — a tiny model asked for a code
otherwise answers with a sentence about it (measured on the bench).
"""

from __future__ import annotations

from typing import Any

from rlmlang.types import STR, Prim, Type

SYSTEM = "Answer the question using the text. Reply with the answer only, as briefly as possible."

# One worked turn: the answer is a span of the text, nothing more.
SHOT = [
    {"role": "user", "content": "text: 2025-01-02 device 77 registered, serial number "
                                "QX-4410, owner lab\n\nWhat is the serial number?"},
    {"role": "assistant", "content": "QX-4410"},
]

SPAN_WORDS = 4  # longest answer span, in words
EXTRACTIVE_MAX_WORDS = 200  # longer snippets are answered freely
_TRIM = ",.;:()[]\"'`"


def _fit(snippets: dict[str, str], budget_chars: int) -> str:
    parts = []
    each = max(200, budget_chars // max(1, len(snippets)))
    for name, text in snippets.items():
        text = str(text)
        if len(text) > each:
            text = text[:each] + " …"
        parts.append(f"{name}: {text}")
    return "\n".join(parts)


def spans(text: str, k: int = SPAN_WORDS) -> list[str]:
    """Every run of up to k words of the text, with punctuation trimmed at its ends."""
    words = text.split()
    out: list[str] = []
    seen: set[str] = set()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + k) + 1):
            p = " ".join(words[i:j]).strip(_TRIM)
            if p and p not in seen:
                seen.add(p)
                out.append(p)
    return out


def span_grammar(snippets: dict[str, str]) -> str | None:
    text = " ".join(str(v) for v in snippets.values())
    if not text.strip() or len(text.split()) > EXTRACTIVE_MAX_WORDS:
        return None
    from rlmlang.controller.narrowing import _gbnf_literal

    return "root ::= " + " | ".join(_gbnf_literal(s) for s in spans(text))


def end_texts(backend: Any) -> list[str]:
    """The model's end-of-turn texts (a backend that cannot say: the usual chat markers)."""
    ends = getattr(backend, "end_texts", None)
    return list(ends()) if callable(ends) else ["<|im_end|>", "<end_of_turn>"]


def predict(backend: Any, prompt: str, snippets: dict[str, str], as_type: Type | None,
            seed: int = 0, max_tokens: int = 48, extractive: bool = True) -> tuple[Any, Any]:
    """Ask the model; return the value (a T, or a str) and the Generation.

    `extractive` (the tiny profile) holds an untyped answer over a short
    snippet to a span of the snippet's words.
    """
    if snippets and not any(str(v).strip() for v in snippets.values()):
        # Nothing to read (a search found nothing): asking would only invite invention.
        from rlmlang.backend.base import Generation

        empty = Generation("", 0, 0, 0, 0.0, 0.0, "stop")
        if as_type is None or (isinstance(as_type, Prim) and as_type.name == "str"):
            return "", empty
    window_chars = int(getattr(backend, "context_size", 2048) * 2.5)
    body = _fit(snippets, window_chars) if snippets else ""
    user = f"{body}\n\n{prompt}" if body else prompt
    chat = backend.chat_prompt([{"role": "system", "content": SYSTEM}, *SHOT,
                                {"role": "user", "content": user}])
    t = as_type or STR
    if isinstance(t, Prim) and t.name == "str":
        grammar = span_grammar(snippets) if snippets and extractive else None
        gen = backend.generate(chat, grammar=grammar, max_tokens=max_tokens, temperature=0.0,
                               seed=seed, stop=None if grammar else ["\n", *end_texts(backend)])
        return gen.text.strip().strip('"').strip(), gen
    from rlmlang.syntax.gbnf import parse_value, value_grammar

    gen = backend.generate(chat, grammar=value_grammar(t), max_tokens=max_tokens * 4,
                           temperature=0.0, seed=seed)
    return parse_value(gen.text, t), gen
