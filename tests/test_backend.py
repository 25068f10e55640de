"""The llama.cpp backend with a real model: determinism, constraints, cache, errors.

Generations are kept to a few dozen tokens so the module runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rlmlang.backend.base import Backend, GrammarError, ModelError
from rlmlang.backend.decoding import grammar_accepts

pytestmark = pytest.mark.model

GRAMMAR = (Path(__file__).parent / "data" / "python_subset.gbnf").read_text()
MODEL = "smollm2-135m"

FEW_SHOT = [
    {"role": "system", "content": "You write short scripts. Reply with the script only."},
    {"role": "user", "content": "How many lines of `context` mention Paris?"},
    {"role": "assistant", "content": 'n = 0\nfor line in lines(context):\n    if contains(line, '
     '"Paris"):\n        n = n + 1\nsubmit(n)\n'},
    {"role": "user", "content": "How many lines of `context` mention Rome?"},
]


@pytest.fixture(scope="module")
def backend():
    from rlmlang.backend.llama import LlamaBackend

    b = LlamaBackend(MODEL, context_size=2048)
    yield b
    b.close()


@pytest.fixture(scope="module")
def prompt(backend):
    return backend.chat_prompt(FEW_SHOT)


def test_is_a_backend(backend):
    assert isinstance(backend, Backend)
    info = backend.info()
    assert info["name"] == MODEL and len(info["sha256"]) == 64
    assert info["n_vocab"] == 49152


def test_chat_prompt_uses_gguf_template(backend, prompt):
    assert prompt.startswith("<|im_start|>system\n")
    assert prompt.endswith("<|im_start|>assistant\n")
    # Data cannot close a turn: control-token text in a message is defused.
    p = backend.chat_prompt([{"role": "user", "content": "x<|im_end|>y"}])
    assert "x<|im_end|>y" not in p
    assert backend.count_tokens("hello world") == 2


def test_greedy_is_deterministic(backend, prompt):
    a = backend.generate(prompt, max_tokens=12)
    b = backend.generate(prompt, max_tokens=12)
    assert a.text == b.text and a.tokens == b.tokens
    assert a.text


def test_seeded_sampling_is_reproducible(backend, prompt):
    runs = [backend.generate(prompt, max_tokens=12, temperature=1.0, seed=s).text
            for s in (1, 1, 2, 3)]
    assert runs[0] == runs[1]
    assert len(set(runs)) > 1  # different seeds explore


def test_constrained_output_is_a_complete_script(backend, prompt):
    r = backend.generate(prompt, grammar=GRAMMAR, max_tokens=64)
    assert r.stop_reason == "eos", r.text  # the grammar ends at the top-level submit
    assert r.text.endswith(")\n")
    assert grammar_accepts(GRAMMAR, r.text, MODEL)
    assert r.stats and r.stats["checks"] >= r.tokens


@pytest.mark.parametrize("seed", [0, 1])
def test_constrained_sampling_stays_in_the_grammar(backend, seed):
    # A prompt that pulls the model away from the grammar, hot: forces fallbacks.
    p = backend.chat_prompt([{"role": "user", "content": "Write a haiku about the sea."}])
    r = backend.generate(p, grammar=GRAMMAR, max_tokens=16, temperature=1.0, seed=seed)
    assert grammar_accepts(GRAMMAR, r.text, MODEL, complete=r.stop_reason == "eos")


def test_invalid_grammars_are_errors_not_crashes(backend, prompt):
    bad = [
        'root ::= my_rule\nmy_rule ::= "a"',       # underscore in a rule name
        'root ::= undefined-rule',                  # undefined rule
        'root ::= "a" | root "b"',                  # left recursion
        'root ::= "a"{5000}',                       # repetition cap
        'start ::= "a"',                            # no root
        "",
    ]
    for g in bad:
        with pytest.raises(GrammarError) as e:
            backend.generate(prompt, grammar=g, max_tokens=4)
        assert e.value.diagnostics[0].code == "E_MODEL"
    with pytest.raises(GrammarError, match="undefined-rule|Undefined"):
        backend.check_grammar("root ::= undefined-rule")
    # The process is intact and still decodes under a valid grammar.
    r = backend.generate(prompt, grammar='root ::= "ok"', max_tokens=4)
    assert r.text == "ok" and r.stop_reason == "eos"


def test_prefix_cache_skips_shared_prefix(backend):
    base = "Notes:\n" + "\n".join(f"item {i}: value {i * 7 % 13}" for i in range(30))
    r1 = backend.generate(base, max_tokens=3)
    n_base = r1.prompt_tokens
    r2 = backend.generate(base + r1.text + "\nQuestion: what is item 3?\nAnswer:", max_tokens=3)
    assert r2.cached_tokens >= n_base - 1
    assert r2.cached_tokens < r2.prompt_tokens
    r3 = backend.generate(base + r1.text + "\nQuestion: what is item 3?\nAnswer:", max_tokens=3)
    assert r3.cached_tokens == r3.prompt_tokens
    assert r3.text == r2.text


def test_stop_strings_and_streaming(backend, prompt):
    pieces: list[str] = []
    r = backend.generate(prompt, max_tokens=40, stop=["\n"], on_token=pieces.append)
    assert r.stop_reason == "stop"
    assert "\n" not in r.text
    assert "".join(pieces) == r.text
    assert backend.generate(prompt, max_tokens=0).text == ""


def test_prompt_longer_than_context_is_e_model(backend):
    with pytest.raises(ModelError) as e:
        backend.generate("word " * 5000, max_tokens=1)
    assert "context" in e.value.message


def test_oracle_accepts_and_rejects():
    ok = ["submit(1)\n", 'x = "a\\"b"\nsubmit(x)\n', 'x = "é日本"\nsubmit(x)\n',
          "n = 0\nfor line in lines(context):\n    if contains(line, \"x\"):\n"
          "        n = n + 1\nsubmit(n)\n"]
    bad = ["submit(1)", " submit(1)\n", "submit( 1)\n", "submit(1)\nsubmit(2)\n",
           'x = "\x00"\nsubmit(x)\n', "if_x = 1\n"]
    for model in (MODEL, "gemma3-270m"):
        assert [grammar_accepts(GRAMMAR, t, model) for t in ok] == [True] * len(ok)
        assert [grammar_accepts(GRAMMAR, t, model) for t in bad] == [False] * len(bad)
    assert grammar_accepts(GRAMMAR, "n = 0\nfor x in", MODEL, complete=False)
    assert not grammar_accepts(GRAMMAR, "n = = 0", MODEL, complete=False)


def test_a_model_still_open_at_exit_is_closed_before_teardown() -> None:
    """The exit hook frees a model still alive (a CI run ended on 'Exception ignored in
    Llama.__del__ … TypeError' when llama.cpp's functions were gone before it was freed);
    closing again, as `__del__` then does, is harmless. In a child process: the hook closes
    every open model, this module's own included."""
    import subprocess
    import sys

    code = ("from rlmlang.backend import decoding\n"
            "from rlmlang.backend.llama import LlamaBackend\n"
            f"b = LlamaBackend({MODEL!r}, context_size=256)\n"
            "assert b.llm._model.model is not None\n"
            "decoding._close_open()\n"
            "assert b.llm._model.model is None\n"
            "b.close()\n"
            "keep = [b]\n"
            "print('closed')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "closed", p.stderr
    assert "Exception ignored" not in p.stderr and "Traceback" not in p.stderr
