"""The server backend against a real OpenAI-compatible server on loopback.

The fixture starts llama-cpp-python's own server (`python -m llama_cpp.server`)
on the default GGUF, on a free port of 127.0.0.1 with an API key, and always
stops it. Generations are a few tokens long so the module runs in well under
a minute on a busy 2-core machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from rlmlang.backend.base import STOP_REASONS, Backend, GrammarError, ModelError

pytestmark = pytest.mark.model

try:
    import llama_cpp.server.app  # noqa: F401 - the server's own extra dependencies
except ImportError as exc:
    pytest.skip(f"llama_cpp.server cannot start ({exc}); install its extras: pip install "
                "fastapi uvicorn sse-starlette 'starlette-context<0.4' pydantic-settings PyYAML",
                allow_module_level=True)

KEY = "test-key-1"
YES_NO = 'root ::= "yes" | "no"'
CHAT = [{"role": "system", "content": "You answer in one short sentence."},
        {"role": "user", "content": "What is the capital of France?"}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    req = urllib.request.Request(url + "/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from rlmlang.backend.registry import resolve_model

    try:
        model = resolve_model(None)
    except ModelError as e:
        pytest.skip(f"the default model is not installed: {e}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--api_key", KEY, "--n_threads", "1", "--n_threads_batch", "1"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_PROXY": "*"})
    try:
        deadline = time.monotonic() + 60
        while not _ready(url):
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited ({proc.returncode}): "
                            + log.read_text(errors="replace")[-800:])
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server was not ready within 60 s: "
                            + log.read_text(errors="replace")[-800:])
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def backend(server):
    from rlmlang.backend.server import ServerBackend

    return ServerBackend(server + "/v1/", api_key=KEY, timeout_s=60)


@pytest.fixture(scope="module")
def prompt(backend):
    return backend.chat_prompt(CHAT)


def _code_and_message(exc: pytest.ExceptionInfo[ModelError]) -> tuple[str, str, str]:
    d = exc.value.diagnostics[0]
    return d.code, d.message, d.fix or ""


def test_identity_tokens_and_chat_format(backend, server):
    assert isinstance(backend, Backend)
    from rlmlang.backend import load_backend

    assert load_backend(server, api_key=KEY).info()["url"] == server
    info = backend.info()
    assert info["backend"] == "server" and info["url"] == server
    assert info["model"].endswith(".gguf") and info["registry_entry"] == "smollm2-135m"
    assert info["tokenizer"] == "extras" and info["token_counts_estimated"] is False
    assert info["context_size"] == 2048
    assert KEY not in repr(info)  # the key never reaches the log
    assert backend.count_tokens("hello world") == 2
    # The same prompt text as the in-process backend renders from the GGUF's template.
    from rlmlang.backend.llama import LlamaBackend

    local = LlamaBackend(None, context_size=512)
    try:
        assert backend.chat_prompt(CHAT) == local.chat_prompt(CHAT)
        assert backend.count_tokens("def f(x):\n    return x") == \
            local.count_tokens("def f(x):\n    return x")
    finally:
        local.close()
    # Data cannot close a turn.
    assert "x<|im_end|>y" not in backend.chat_prompt([{"role": "user", "content": "x<|im_end|>y"}])


def test_generation_and_greedy_determinism(backend, prompt):
    a = backend.generate(prompt, max_tokens=12)
    b = backend.generate(prompt, max_tokens=12)
    assert a.text and a.text == b.text
    assert "Paris" in a.text and 0 < a.tokens <= 12 and a.stop_reason == "eos"
    assert a.prompt_tokens == backend.count_tokens(prompt)
    cut = backend.generate(prompt, max_tokens=3)
    assert cut.tokens == 3 and cut.stop_reason == "length" and a.text.startswith(cut.text)
    assert {a.stop_reason, cut.stop_reason} <= set(STOP_REASONS)
    c = backend.generate(prompt, max_tokens=12, temperature=1.0, seed=5)
    d = backend.generate(prompt, max_tokens=12, temperature=1.0, seed=5)
    assert c.text == d.text
    assert backend.generate(prompt, max_tokens=0).text == ""


def test_grammar_is_passed_through_and_constrains(backend):
    seen = set()
    for seed in range(4):
        g = backend.generate("Is the sky green? Answer:", grammar=YES_NO, max_tokens=8,
                             temperature=1.0, seed=seed)
        assert g.text in {"yes", "no"}, g.text
        assert g.stop_reason == "eos" and g.stats["grammar_checked"] is True
        seen.add(g.text)
    # Unconstrained, the same prompt says something else entirely.
    free = backend.generate("Is the sky green? Answer:", max_tokens=8)
    assert free.text not in {"yes", "no"}
    assert seen


def test_a_server_that_ignores_the_grammar_is_an_error(server):
    from rlmlang.backend.server import ServerBackend

    wrong = ServerBackend(server, api_key=KEY, grammar_field="guided_grammar")
    with pytest.raises(ModelError) as exc:
        wrong.generate("Is the sky green? Answer:", grammar=YES_NO, max_tokens=8)
    code, message, fix = _code_and_message(exc)
    assert code == "E_MODEL" and "ignored the grammar" in message and "grammar_field" in fix


def test_without_a_local_vocabulary_a_probe_checks_the_grammar_field(server):
    from rlmlang.backend.server import ServerBackend

    plain = ServerBackend(server, api_key=KEY, local_vocab=False, model="smollm2-135m")
    assert plain.model.endswith(".gguf")  # the registry name stood for the served file
    assert plain.generate("Answer:", grammar=YES_NO, max_tokens=8).text in {"yes", "no"}
    assert plain.info()["detected"] == {"context_size": plain.detected["context_size"],
                                        "local_vocab": None, "grammar": "probed"}
    wrong = ServerBackend(server, api_key=KEY, local_vocab=False, grammar_field="guided_grammar")
    with pytest.raises(ModelError, match="ignored the grammar"):
        wrong.generate("Answer:", grammar=YES_NO, max_tokens=8)
    with pytest.raises(ModelError, match="does not serve model 'no-such-model'"):
        ServerBackend(server, api_key=KEY, model="no-such-model")


def test_invalid_grammar_is_refused_before_the_server_sees_it(backend, server):
    # llama_cpp.server's process dies on an unparsable grammar; ours never sends one.
    with pytest.raises(GrammarError) as exc:
        backend.generate("x", grammar='root ::= "a" bad-rule', max_tokens=4)
    assert exc.value.diagnostics[0].code == "E_MODEL"
    assert _ready(server)
    assert backend.generate("x", grammar=YES_NO, max_tokens=4).text in {"yes", "no"}


def test_streaming_calls_back_with_every_piece(backend, prompt):
    pieces: list[str] = []
    g = backend.generate(prompt, max_tokens=12, on_token=pieces.append)
    assert len(pieces) >= 2 and "".join(pieces) == g.text
    assert g.text == backend.generate(prompt, max_tokens=12).text
    assert g.tokens >= len(pieces) and g.prompt_seconds > 0 and g.gen_seconds > 0
    streamed: list[str] = []
    c = backend.generate("Is the sky green? Answer:", grammar=YES_NO, max_tokens=8,
                         on_token=streamed.append, temperature=1.0, seed=1)
    assert "".join(streamed) == c.text and c.text in {"yes", "no"}


def test_connection_refused_is_a_model_error():
    from rlmlang.backend.server import ServerBackend

    port = _free_port()
    with pytest.raises(ModelError) as exc:
        ServerBackend(f"http://127.0.0.1:{port}", timeout_s=5)
    code, message, fix = _code_and_message(exc)
    assert code == "E_MODEL" and "connection refused" in message and str(port) in message
    assert "start the server" in fix


def test_http_errors_carry_the_servers_message(backend, server):
    from rlmlang.backend.server import ServerBackend

    with pytest.raises(ModelError) as exc:
        ServerBackend(server, api_key="wrong-key")
    code, message, fix = _code_and_message(exc)
    assert code == "E_MODEL" and "HTTP 401" in message and "Invalid API key" in message
    assert "API key" in fix
    with pytest.raises(ModelError) as exc:
        ServerBackend(server + "/not-here", api_key=KEY)
    assert "HTTP 404" in str(exc.value) and "OpenAI-compatible" in str(exc.value)
    with pytest.raises(ModelError) as exc:  # a prompt past the server's 2048-token window
        backend.generate("word " * 2100, max_tokens=4)
    code, message, fix = _code_and_message(exc)
    assert "HTTP 400" in message and "maximum context length is 2048" in message
    assert "shorten the prompt" in fix
    with pytest.raises(ModelError) as exc:
        ServerBackend("ftp://127.0.0.1:1")
    assert "not an http(s) URL" in str(exc.value)


def test_a_slow_answer_is_a_timeout(server):
    from rlmlang.backend.server import ServerBackend

    slow = ServerBackend(server, api_key=KEY, timeout_s=0.05)
    with pytest.raises(ModelError) as exc:
        slow.generate("Count to a hundred: 1, 2, 3,", max_tokens=48)
    assert "did not answer" in str(exc.value) and "0.05 s" in str(exc.value)


@pytest.mark.slow
def test_the_controller_runs_against_the_server(backend, tmp_path):
    from rlmlang.controller.loop import Runtime
    from rlmlang.runlog import check_chain

    log = tmp_path / "run.log"
    rt = Runtime(backend=backend, grammar=False, log_path=log,
                 budgets={"iterations": 1, "candidates": 1, "script_tokens": 96})
    out = rt.run("context: str, question: str -> answer: str",
                 "What is the badge number of Ana?",
                 context="badge 4820: Ana\nbadge 1234: Bo\n")
    assert out.status in ("answered", "no_answer") and out.iterations == 1
    assert check_chain(log) == []
    text = log.read_text()
    assert '"backend":"server"' in text and KEY not in text
