"""Micro-benchmark: constrained vs unconstrained decoding speed, side by side.

For each model the same prompt (a short language card and two worked
examples, then a task) is decoded greedily with and without the grammar,
alternating the two so that load on the machine hits both alike; the ratio is the best
constrained tokens/s over the best unconstrained tokens/s across the rounds
(the mean-based ratio is printed too). Prompt
evaluation is excluded (the prompt is cached after the first call, and
`gen_seconds` starts after it). With `high_level=True` it also measures
llama-cpp-python's own `grammar=` path, the baseline this engine replaces.

Run: python bench/micro_decode.py [--quick] [--high-level] [--models qwen05,qwen15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

GRAMMAR_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "python_subset.gbnf"

SYSTEM = (
    "You write short scripts in a small Python-like language. Statements: assignment, "
    "for, if, function calls. Helpers: lines(text), contains(text, word), split(text, sep), "
    "len(x), int(x), join(list, sep). The script must end with submit(answer). "
    "Reply with the script only."
)
EXAMPLES = [
    ("How many lines of `context` mention Paris?",
     'n = 0\nfor line in lines(context):\n    if contains(line, "Paris"):\n        n = n + 1\n'
     "submit(n)\n"),
    ("Sum the second column of the CSV text `context`.",
     'total = 0\nfor row in lines(context):\n    total = total + int(split(row, ",")[1])\n'
     "submit(total)\n"),
]
TASK = ("Find the lines of `context` that contain the word error, count those that also "
        "contain disk, and submit the count.")

MODELS = {"smollm2": "smollm2-135m", "gemma3": "gemma3-270m", "qwen05": "qwen2.5-coder-0.5b",
          "qwen15": "qwen2.5-coder-1.5b"}


def build_prompt(backend) -> str:
    msgs = [{"role": "system", "content": SYSTEM}]
    for q, a in EXAMPLES:
        msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    msgs.append({"role": "user", "content": TASK})
    return backend.chat_prompt(msgs)


def _high_level(backend, prompt: str, grammar: str | None, max_tokens: int) -> float:
    """tokens/s of llama-cpp-python's create_completion (with grammar=LlamaGrammar)."""
    import llama_cpp

    llm = backend.llm
    g = llama_cpp.LlamaGrammar.from_string(grammar, verbose=False) if grammar else None
    llm.create_completion(prompt, max_tokens=1, temperature=0.0)  # warm the prefix
    t0 = time.perf_counter()
    out = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, grammar=g)
    dt = time.perf_counter() - t0
    backend.decoder.cached.clear()  # the high-level path moved the KV cache under us
    llama_cpp.llama_memory_clear(backend.decoder.mem, True)
    return out["usage"]["completion_tokens"] / dt


def measure(model: str, *, max_tokens: int, rounds: int, high_level: bool) -> dict[str, float]:
    from rlmlang.backend.llama import LlamaBackend

    grammar = GRAMMAR_PATH.read_text()
    b = LlamaBackend(model, context_size=2048)
    prompt = build_prompt(b)
    b.generate(prompt, max_tokens=1)  # evaluate (and cache) the prompt once
    b.check_grammar(grammar)
    best = {"u": 0.0, "c": 0.0}
    tok = {"u": 0, "c": 0}
    sec = {"u": 0.0, "c": 0.0}
    stats = {"fallbacks": 0.0, "full_masks": 0.0, "checks": 0.0, "grammar_seconds": 0.0}
    for _ in range(rounds):
        for mode in ("u", "c"):
            r = b.generate(prompt, grammar=grammar if mode == "c" else None,
                           max_tokens=max_tokens)
            tok[mode] += r.tokens
            sec[mode] += r.gen_seconds
            best[mode] = max(best[mode], r.tokens_per_second)
            if mode == "c":
                for k in stats:
                    stats[k] += (r.stats or {}).get(k, 0)
    out = {
        # Best of the rounds: the run least disturbed by other load on the machine.
        "unconstrained_tok_s": best["u"],
        "constrained_tok_s": best["c"],
        "mean_ratio": (tok["c"] / sec["c"]) / (tok["u"] / sec["u"]),
        "constrained_tokens": float(tok["c"]),
        "fallback_rate": stats["fallbacks"] / max(1, stats["checks"]),
        "full_masks": float(stats["full_masks"]),
        # Share of constrained decoding time spent in grammar work (noise-free measure).
        "grammar_overhead": stats["grammar_seconds"] / sec["c"],
    }
    out["ratio"] = out["constrained_tok_s"] / out["unconstrained_tok_s"]
    if high_level:
        out["highlevel_unconstrained_tok_s"] = _high_level(b, prompt, None, max_tokens)
        out["highlevel_constrained_tok_s"] = _high_level(b, prompt, grammar, max_tokens)
        out["highlevel_ratio"] = (out["highlevel_constrained_tok_s"]
                                  / out["highlevel_unconstrained_tok_s"])
    b.close()
    return out


def run(quick: bool = False, high_level: bool = False,
        only: list[str] | None = None) -> dict[str, float]:
    """name → value: constrained_decode_ratio_<model> and the raw tokens/s (`only`: the
    short names of the models to measure, all by default)."""
    results: dict[str, float] = {}
    for short, model in MODELS.items():
        if only and short not in only:
            continue
        m = measure(model, max_tokens=32 if quick else 96, rounds=2 if quick else 5,
                    high_level=high_level)
        results[f"constrained_decode_ratio_{short}"] = m.pop("ratio")
        for k, v in m.items():
            results[f"{k}_{short}"] = v
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--high-level", action="store_true",
                    help="also measure llama-cpp-python's own grammar= path")
    ap.add_argument("--models", default="",
                    help=f"comma-separated, of {', '.join(MODELS)} (default: all)")
    a = ap.parse_args(argv)
    only = [m for m in a.models.split(",") if m]
    unknown = [m for m in only if m not in MODELS]
    if unknown:
        ap.error(f"unknown model {unknown[0]!r}: the models are {', '.join(MODELS)}")
    for k, v in run(quick=a.quick, high_level=a.high_level, only=only).items():
        print(f"{k}={v:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
