"""Sub-model calls from a script: `llm.predict(prompt, text=snippet) as T`.

One constrained completion over a short snippet. The snippets are cut to fit
the model's window (a script hands over a found line, not the whole input).
A typed call (`as T`) is held to a grammar derived from T, so it always
parses as a T. An untyped call over a short snippet is extractive: the answer
is held to a span of the snippet's own words — a tiny model asked for a code
otherwise answers with a sentence about it (measured on the bench).
"""

from __future__ import annotations

import re
from typing import Any

from rlmlang.backend.base import Generation, Request
from rlmlang.backend.parallel import generate_all
from rlmlang.controller.narrowing import word_runs
from rlmlang.syntax.gbnf import choice_grammar, parse_value, value_grammar
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
    return list(dict.fromkeys(p for run in word_runs(text, k) if (p := run.strip(_TRIM))))


def span_grammar(snippets: dict[str, str]) -> str | None:
    text = " ".join(str(v) for v in snippets.values())
    if not text.strip() or len(text.split()) > EXTRACTIVE_MAX_WORDS:
        return None
    return choice_grammar(spans(text))


def end_texts(backend: Any) -> list[str]:
    """The model's end-of-turn texts (a backend that cannot say: the usual chat markers)."""
    ends = getattr(backend, "end_texts", None)
    return list(ends()) if callable(ends) else ["<|im_end|>", "<end_of_turn>"]


def request(backend: Any, prompt: str, snippets: dict[str, str], as_type: Type | None,
            seed: int = 0, max_tokens: int = 48, extractive: bool = True) -> Any:
    """The generation a sub-call needs, as a `parallel.Request`; or None when nothing can
    be asked (every snippet is empty: the answer is "" without asking, as `predict` does).

    `extractive` (the tiny profile) holds an untyped answer over a short
    snippet to a span of the snippet's words.
    """
    if snippets and not any(str(v).strip() for v in snippets.values()):
        # Nothing to read (a search found nothing): asking would only invite invention.
        if as_type is None or (isinstance(as_type, Prim) and as_type.name == "str"):
            return None
    window_chars = int(getattr(backend, "context_size", 2048) * 2.5)
    body = _fit(snippets, window_chars) if snippets else ""
    user = f"{body}\n\n{prompt}" if body else prompt
    chat = backend.chat_prompt([{"role": "system", "content": SYSTEM}, *SHOT,
                                {"role": "user", "content": user}])
    t = as_type or STR
    if isinstance(t, Prim) and t.name == "str":
        grammar = span_grammar(snippets) if snippets and extractive else None
        stop = None if grammar else ("\n", *end_texts(backend))
        return Request(chat, grammar, max_tokens, 0.0, seed, stop)
    return Request(chat, value_grammar(t), max_tokens * 4, 0.0, seed, None)


def answer(gen: Any, as_type: Type | None, snippets: dict[str, str] | None = None) -> Any:
    """The value a sub-call's generation stands for: a T, or the trimmed text (as the
    snippet writes it, where it writes the same words: as_written)."""
    t = as_type or STR
    if isinstance(t, Prim) and t.name == "str":
        return as_written(gen.text.strip().strip('"').strip(), snippets or {})
    return parse_value(gen.text, t)


def as_written(text: str, snippets: dict[str, str]) -> str:
    """A free answer made of a snippet's words, in order, with other punctuation between
    them, as the snippet writes it: asked for a pass phrase with the task's "separated by
    commas" copied into the question, the sub-model answered 'falcon, window' for the
    snippet's "falcon window" (seed-7 dev multi-needle-01 and -02)."""
    words = re.findall(r"\w+", text)
    if not words or any(text in str(v) for v in snippets.values()):
        return text
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)")
    for v in snippets.values():
        found = pattern.search(str(v))
        if found is not None and "\n" not in found.group(0):
            return found.group(0)
    return text


_NOTHING = Generation("", 0, 0, 0, 0.0, 0.0, "stop")


def predict(backend: Any, prompt: str, snippets: dict[str, str], as_type: Type | None,
            seed: int = 0, max_tokens: int = 48, extractive: bool = True) -> tuple[Any, Any]:
    """Ask the model; return the value (a T, or a str) and the Generation."""
    req = request(backend, prompt, snippets, as_type, seed, max_tokens, extractive)
    if req is None:
        return "", _NOTHING
    gen = backend.generate(req.prompt, grammar=req.grammar, max_tokens=req.max_tokens,
                           temperature=req.temperature, seed=req.seed,
                           stop=list(req.stop) if req.stop else None)
    return answer(gen, as_type, snippets), gen


def predict_many(backend: Any, prompt: str, snippets: list[dict[str, str]],
                 as_type: Type | None, seed: int = 0, max_tokens: int = 48,
                 extractive: bool = True) -> tuple[list[Any], list[Any]]:
    """`predict` over many snippets at once (`llm.map`): the same requests, generated
    together where the backend can (`backend.parallel.generate_all`), answers in order."""
    reqs = [request(backend, prompt, s, as_type, seed, max_tokens, extractive)
            for s in snippets]
    asked = [r for r in reqs if r is not None]
    gens = iter(generate_all(backend, asked))
    out_gens = [next(gens) if r is not None else _NOTHING for r in reqs]
    values = [answer(g, as_type, s) if r is not None else ""
              for g, r, s in zip(out_gens, reqs, snippets, strict=True)]
    return values, out_gens
