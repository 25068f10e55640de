"""A model behind an OpenAI-compatible HTTP server, with the grammar passed through.

This is how a user outgrows one machine: point `--backend URL` at a
`llama-server`, a `python -m llama_cpp.server` or a vLLM instance, and the
controller talks to it through the same `Backend` protocol as the in-process
model. Standard library only (urllib): `POST /v1/completions` with the GBNF in
a configurable field (`grammar` for llama.cpp's servers, `guided_grammar` or
`structured_outputs.grammar` for vLLM), streamed as server-sent events when a
token callback is given.

Nothing is sent anywhere but the given base URL: environment proxies are
ignored and redirects are refused. The server is trusted for nothing a local
check can do instead: when a local vocabulary is at hand (the named
`tokenizer_model`, the registry entry that matches the server's model, or the
default model), every grammar is compiled by llama.cpp's own engine here
before it is sent (an invalid grammar kills `llama_cpp.server`'s process), and
every constrained output is checked against it afterwards, so a server that
ignores the grammar field is an `E_MODEL` error, not a silently bad script.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rlmlang.backend.base import Generation, ModelError
from rlmlang.backend.chat import defuse, render_fallback, render_template
from rlmlang.backend.gguf import read_gguf
from rlmlang.backend.registry import entry_path, load_registry, resolve_model

# The context assumed when the server does not say (llama_cpp.server's default n_ctx).
ASSUMED_CONTEXT = 2048
# Sampling fields that make the server draw from the plain softmax, as the in-process
# decoder does (llama.cpp's servers default to top_k 40, min_p 0.05, repeat penalty 1.1).
PLAIN_SAMPLING: dict[str, Any] = {"top_p": 1.0, "top_k": 0, "min_p": 0.0, "repeat_penalty": 1.0}
# Chat-marker texts defused in message contents when no local vocabulary lists them.
KNOWN_CONTROL_TEXTS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<start_of_turn>",
                       "<end_of_turn>", "<|begin_of_text|>", "<|eot_id|>",
                       "<|start_header_id|>", "<|end_header_id|>", "<s>", "</s>")
_PROBE_TEXT = "rlm-grammar-probe"
_ATTR_CONTROL = 8  # LLAMA_TOKEN_ATTR_CONTROL


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a request must never leave the URL the user gave."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


def _normalise_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelError(f"the backend URL {url!r} is not an http(s) URL",
                         fix="pass a URL like http://127.0.0.1:8080 (the server's address)",
                         url=url)
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _server_message(body: bytes) -> str:
    """The human part of an error body (OpenAI, FastAPI or llama-server shape), one line."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    msg: Any = data
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message", data)))
        msg = err.get("message", err) if isinstance(err, dict) else err
    if isinstance(msg, list):  # FastAPI validation errors
        msg = "; ".join(str(m.get("msg", m)) if isinstance(m, dict) else str(m) for m in msg)
    first = str(msg).strip().split("\n\n")[0]
    return first[:300]


class ServerBackend:
    """A model served over HTTP (OpenAI-compatible); implements `base.Backend`."""

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 timeout_s: float = 120, chat_format: str | None = None,
                 tokenizer_model: str | None = None, *, grammar_field: str = "grammar",
                 context_size: int | None = None, extra: dict[str, Any] | None = None,
                 check_grammar_output: bool = True, local_vocab: bool = True,
                 parallel: int | None = None) -> None:
        self.base_url = _normalise_url(base_url)
        self.parallel = parallel  # requests at once (generate_batch); None: ask the server
        self.api_key = api_key
        self.timeout_s = float(timeout_s)
        self.grammar_field = grammar_field
        self.extra = {**PLAIN_SAMPLING, **(extra or {})}
        self.check_grammar_output = check_grammar_output
        self.local_vocab = local_vocab
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   _NoRedirect())
        listing = self._get_json("/v1/models")
        models = [m for m in (listing.get("data") or []) if isinstance(m, dict)]
        ids = [str(m.get("id")) for m in models if m.get("id")]
        if model is not None and ids and model not in ids:
            # A registry name (`--model smollm2-135m`) stands for the served file it names.
            named = [i for i in ids if getattr(self._registry_entry(i), "name", None) == model]
            model = named[0] if named else model
        if model is not None and ids and model not in ids:
            raise ModelError(f"the server at {self.base_url} does not serve model {model!r}",
                             fix="use one of: " + ", ".join(ids), url=self.base_url)
        if model is None and not ids:
            raise ModelError(f"the server at {self.base_url} lists no models at /v1/models",
                             fix="pass the model name the server expects", url=self.base_url)
        self.model = model or ids[0]
        self.models = ids
        self.entry = self._registry_entry(self.model)
        self.name = self.entry.name if self.entry else Path(self.model).stem or self.model
        self.tokenizer_model = tokenizer_model
        self.detected: dict[str, Any] = {}
        self.context_size = self._detect_context(context_size, models)
        self._chat_format = chat_format
        self._vm: Any = None
        self._vm_tried = False
        self._tokenize: str | None = None  # "extras" | "llama" | "local" | "estimate"
        self._tokenize_offset = 0
        self._grammar_probed = False
        self._ctl: list[str] | None = None

    # ---- HTTP ----------------------------------------------------------------

    def _open(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.base_url + path
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json, text/event-stream")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            return self._opener.open(req, timeout=self.timeout_s)
        except urllib.error.HTTPError as e:
            raise self._http_error(e, method, path) from None
        except TimeoutError:
            raise self._timeout(method, path) from None
        except urllib.error.URLError as e:
            raise self._unreachable(e.reason) from None
        except (ConnectionError, OSError) as e:
            raise self._unreachable(e) from None

    def _http_error(self, e: urllib.error.HTTPError, method: str, path: str) -> ModelError:
        try:
            msg = _server_message(e.read())
        except OSError:
            msg = ""
        code = e.code
        if 300 <= code < 400:
            return ModelError(
                f"the server at {self.base_url} redirected {method} {path} to "
                f"{e.headers.get('Location', '?')}; rlm only talks to the URL it was given",
                fix="pass the final URL as the backend", url=self.base_url, status=code)
        fixes = {401: "pass the server's API key (RLM_API_KEY, or api_key=)",
                 403: "pass an API key this server accepts (RLM_API_KEY, or api_key=)",
                 404: f"check that {self.base_url} is an OpenAI-compatible server "
                      f"(it must answer {path})"}
        fix = fixes.get(code) or (
            "check the server's log" if code >= 500 else
            "shorten the prompt or lower max_tokens" if "context" in msg.lower() else
            "check the request the server refused (model name, grammar field)")
        return ModelError(f"the server at {self.base_url} answered HTTP {code} to "
                          f"{method} {path}" + (f": {msg}" if msg else ""),
                          fix=fix, url=self.base_url, status=code)

    def _timeout(self, method: str, path: str) -> ModelError:
        return ModelError(f"the server at {self.base_url} did not answer {method} {path} "
                          f"within {self.timeout_s:g} s",
                          fix="raise the timeout, lower max_tokens, or check the server's load",
                          url=self.base_url)

    def _unreachable(self, reason: object) -> ModelError:
        if isinstance(reason, TimeoutError):
            return self._timeout("a request to", "the server")
        if isinstance(reason, ConnectionRefusedError):
            what = "connection refused: nothing is listening there"
        elif isinstance(reason, socket.gaierror):
            what = "its host name does not resolve"
        else:
            what = str(reason)
        return ModelError(f"cannot reach the model server at {self.base_url} ({what})",
                          fix="start the server (e.g. `llama-server -m MODEL.gguf --port 8080` "
                          "or `python -m llama_cpp.server --model MODEL.gguf`) or fix the URL",
                          url=self.base_url)

    def _get_json(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        with self._open("POST" if body is not None else "GET", path, body) as resp:
            raw = self._read(resp, path)
        try:
            data = json.loads(raw)
        except ValueError:
            raise ModelError(f"the server at {self.base_url} answered {path} with something "
                             f"that is not JSON: {raw[:120]!r}",
                             fix="check the URL points at an OpenAI-compatible server",
                             url=self.base_url) from None
        if not isinstance(data, dict):
            raise ModelError(f"the server at {self.base_url} answered {path} with "
                             f"{type(data).__name__}, not an object",
                             fix="check the URL points at an OpenAI-compatible server",
                             url=self.base_url)
        return data

    def _read(self, resp: Any, path: str) -> bytes:
        try:
            return bytes(resp.read())
        except TimeoutError:
            raise self._timeout("POST", path) from None
        except OSError as e:
            raise self._unreachable(e) from None

    def _try_json(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """An optional endpoint: its JSON, or None when the server does not have it."""
        try:
            return self._get_json(path, body)
        except ModelError as e:
            status = e.diagnostics[0].data.get("status")
            if status is None:
                raise
            return None

    # ---- identity ------------------------------------------------------------

    @staticmethod
    def _registry_entry(model_id: str) -> Any:
        """The registry entry naming the served model (by name or file name), if any."""
        try:
            reg = load_registry()
        except ModelError:
            return None
        base = Path(model_id).name
        for e in reg.models.values():
            p = entry_path(e)
            if e.name == model_id or (p is not None and p.name == base) or \
                    (e.resource and e.resource == base):
                return e
        return None

    def _detect_context(self, given: int | None, models: list[dict[str, Any]]) -> int:
        if given:
            self.detected["context_size"] = "given"
            return int(given)
        for m in models:
            if m.get("id") == self.model and isinstance(m.get("max_model_len"), int):
                self.detected["context_size"] = "/v1/models max_model_len"  # vLLM
                return int(m["max_model_len"])
        props = self._try_json("/props")  # llama-server
        n_ctx = ((props or {}).get("default_generation_settings") or {}).get("n_ctx")
        if isinstance(n_ctx, int) and n_ctx > 0:
            self.detected["context_size"] = "/props n_ctx"
            return n_ctx
        self.detected["context_size"] = f"assumed ({ASSUMED_CONTEXT}; the server does not say)"
        return ASSUMED_CONTEXT

    def _vocab(self) -> Any:
        """A local vocabulary-only model for grammar checks and tokens, or None."""
        if not self._vm_tried:
            self._vm_tried = True
            self.detected["local_vocab"] = None
            if self.tokenizer_model:  # named by the user: failing to load it is an error
                # lazy: keeps llama.cpp out of start-up
                from rlmlang.backend.decoding import vocab_model

                self._vm = vocab_model(self.tokenizer_model)
                self.detected["local_vocab"] = self.tokenizer_model
            elif self.local_vocab:
                # lazy: keeps llama.cpp out of start-up
                from rlmlang.backend.decoding import vocab_model

                name = self.entry.name if self.entry else None
                try:
                    self._vm = vocab_model(name)
                    self.detected["local_vocab"] = name or "default model"
                except ModelError:
                    self._vm = None
        return self._vm

    def _local_gguf(self) -> Path | None:
        name = self.tokenizer_model or (self.entry.name if self.entry else None)
        if name is None:
            return None
        try:
            return resolve_model(name)
        except ModelError:
            return None

    def info(self) -> dict[str, Any]:
        self._vocab()
        if self._tokenize is None:
            self.count_tokens("")
        return {
            "backend": "server",
            "url": self.base_url,
            "model": self.model,
            "models": self.models,
            "name": self.name,
            "registry_entry": self.entry.name if self.entry else None,
            "context_size": self.context_size,
            "chat_format": self._format_name(),
            "grammar_field": self.grammar_field,
            "tokenizer": self._tokenize,
            "token_counts_estimated": self._tokenize == "estimate",
            "detected": dict(self.detected),
        }

    # ---- tokens --------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Tokens of `text`: local tokenizer if named, else the server's, else chars/4."""
        if self._tokenize is None:
            self._tokenize = self._pick_tokenizer()
        if self._tokenize == "local":
            return len(self._vm.llm.tokenize(text.encode("utf-8"), add_bos=False,
                                             special=True))
        if self._tokenize == "extras":
            got = self._get_json("/extras/tokenize", {"input": text, "model": self.model})
            return max(0, len(got.get("tokens") or []) - self._tokenize_offset)
        if self._tokenize == "llama":
            got = self._get_json("/tokenize", self._tokenize_body(text))
            return len(got.get("tokens") or [])
        return (len(text) + 3) // 4

    def _tokenize_body(self, text: str) -> dict[str, Any]:
        # llama-server reads `content`/`add_special`, vLLM `prompt`/`add_special_tokens`.
        return {"model": self.model, "content": text, "prompt": text,
                "add_special": False, "add_special_tokens": False}

    def _pick_tokenizer(self) -> str:
        if self.tokenizer_model and self._vocab() is not None:
            return "local"
        got = self._try_json("/extras/tokenize", {"input": "", "model": self.model})
        if got is not None and isinstance(got.get("tokens"), list):
            # llama_cpp.server adds BOS where the model wants one; the empty text shows it.
            self._tokenize_offset = len(got["tokens"])
            return "extras"
        got = self._try_json("/tokenize", self._tokenize_body(""))
        if got is not None and isinstance(got.get("tokens"), list):
            return "llama"
        return "estimate"

    # ---- prompts ---------------------------------------------------------------

    def _format_name(self) -> str:
        if self._chat_format:
            return self._chat_format
        path = self._local_gguf()
        if path is not None:
            if read_gguf(path).chat_template:
                return "gguf"
        return self.entry.chat_format if self.entry else "chatml"

    def _control_texts(self) -> list[str]:
        vm = self._vocab()
        out = set(KNOWN_CONTROL_TEXTS)
        if vm is not None:
            import llama_cpp

            for t in range(vm.n_vocab):
                if llama_cpp.llama_vocab_get_attr(vm.vocab, t) & _ATTR_CONTROL:
                    s = llama_cpp.llama_vocab_get_text(vm.vocab, t)
                    if s and len(s) > 1:
                        out.add(s.decode("utf-8", errors="replace"))
        return sorted(out, key=len, reverse=True)

    def chat_prompt(self, messages: list[dict[str, str]], add_generation_prompt: bool = True
                    ) -> str:
        """The chat format of the served model: its GGUF's template when found locally."""
        if self._ctl is None:
            self._ctl = self._control_texts()
        ctl = self._ctl
        msgs = [{"role": m["role"], "content": defuse(m.get("content", ""), ctl)}
                for m in messages]
        fmt = self._format_name()
        if fmt == "gguf":
            import jinja2

            path = self._local_gguf()
            template = read_gguf(path).chat_template if path else None
            if template:
                try:
                    return render_template(template, msgs,
                                           add_generation_prompt=add_generation_prompt,
                                           # the server adds BOS itself when tokenizing
                                           bos_token="", eos_token=self._eos_text())
                except jinja2.TemplateError:
                    pass
            fmt = self.entry.chat_format if self.entry else "chatml"
        return render_fallback(fmt, msgs, add_generation_prompt)

    def _eos_text(self) -> str:
        vm = self._vocab()
        if vm is None:
            return ""
        import llama_cpp

        tok = llama_cpp.llama_vocab_eos(vm.vocab)
        s = llama_cpp.llama_vocab_get_text(vm.vocab, tok) if tok >= 0 else None
        return s.decode("utf-8", errors="replace") if s else ""

    # ---- grammar ---------------------------------------------------------------

    def check_grammar(self, gbnf: str) -> None:
        """Compile the grammar locally (llama.cpp's engine) before any server sees it."""
        from rlmlang.backend.grammar_engine import precheck  # lazy: keeps llama.cpp out of start-up

        precheck(gbnf)
        vm = self._vocab()
        if vm is not None:
            vm.grammar(gbnf)

    def _grammar_body(self, gbnf: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        *outer, last = self.grammar_field.split(".")
        node = body
        for k in outer:
            node = node.setdefault(k, {})
        node[last] = gbnf
        return body

    def _ignored_grammar(self, text: str) -> ModelError:
        return ModelError(
            f"the server at {self.base_url} ignored the grammar: it returned {text[:60]!r}, "
            f"which the grammar sent as `{self.grammar_field}` does not allow",
            fix="llama-server and llama_cpp.server take grammar_field='grammar'; vLLM takes "
            "'guided_grammar' (or 'structured_outputs.grammar' from vLLM 0.10)",
            url=self.base_url, grammar_field=self.grammar_field)

    def _probe_grammar(self) -> None:
        """Without a local engine to check outputs: one tiny request that only a grammar forces."""
        self._grammar_probed = True
        gen = self._complete("Say anything.", grammar=f'root ::= "{_PROBE_TEXT}"',
                             max_tokens=16, temperature=0.0, seed=0, stop=None, on_token=None)
        if gen.text.strip() != _PROBE_TEXT:
            raise self._ignored_grammar(gen.text)
        self.detected["grammar"] = "probed"

    # ---- generation --------------------------------------------------------------

    def generate(self, prompt: str, *, grammar: str | None = None, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int = 0, stop: list[str] | None = None,
                 on_token: Callable[[str], None] | None = None) -> Generation:
        if max_tokens < 0:
            raise ModelError(f"max_tokens must be >= 0, not {max_tokens}")
        if max_tokens == 0:  # servers read 0 as "no limit"
            return Generation("", 0, 0, 0, 0.0, 0.0, "length", {"server": self.base_url})
        checker = self._before(grammar)
        gen = self._complete(prompt, grammar=grammar, max_tokens=max_tokens,
                             temperature=temperature, seed=seed, stop=stop, on_token=on_token)
        return self._after(gen, grammar, stop, checker)

    def _before(self, grammar: str | None) -> Any:
        """Check a grammar locally before any server sees it; the engine that checks outputs."""
        if grammar is None:
            return None
        self.check_grammar(grammar)
        checker = None
        if self.check_grammar_output:
            checker = self._vocab()
            if checker is None and not self._grammar_probed:
                self._probe_grammar()
        return checker

    def _after(self, gen: Generation, grammar: str | None, stop: list[str] | None,
               checker: Any) -> Generation:
        """A constrained output the grammar does not allow means the server ignored it."""
        if checker is not None and grammar is not None:
            # lazy: keeps llama.cpp out of start-up
            from rlmlang.backend.decoding import grammar_accepts

            complete = gen.stop_reason == "eos" and not stop
            name = self.tokenizer_model or (self.entry.name if self.entry else None)
            if not grammar_accepts(grammar, gen.text, name, complete=complete):
                raise self._ignored_grammar(gen.text)
            assert gen.stats is not None
            gen.stats["grammar_checked"] = True
        return gen

    def slots(self) -> int:
        """How many requests the server works on at once.

        $RLM_SERVER_PARALLEL, else `parallel=`, else llama-server's `/props`
        `total_slots`, else 4 (vLLM batches whatever it is sent;
        `llama_cpp.server` queues requests behind one lock, so more than one
        at a time only waits there).
        """
        env = os.environ.get("RLM_SERVER_PARALLEL", "")
        if env.isdigit() and int(env) > 0:
            return int(env)
        if self.parallel is None:
            props = self._try_json("/props") or {}
            n = props.get("total_slots")
            self.parallel = int(n) if isinstance(n, int) and n > 0 else 4
            self.detected["slots"] = "/props total_slots" if isinstance(n, int) else "assumed"
        return self.parallel

    def generate_batch(self, requests: list[Any], parallel: int | None = None
                       ) -> list[Generation]:
        """Send the requests concurrently, at most `slots()` at a time; results in order.

        Grammars are compiled and outputs checked here, one at a time (the
        local grammar engine is not shared between threads); only the HTTP
        requests run in parallel, each on its own connection.
        """
        from concurrent.futures import ThreadPoolExecutor

        checkers = [self._before(r.grammar) for r in requests]
        if self._tokenize is None:
            self.count_tokens("")  # settle the tokenizer before threads ask for it

        def one(r: Any) -> Generation:
            if r.max_tokens == 0:
                return Generation("", 0, 0, 0, 0.0, 0.0, "length", {"server": self.base_url})
            return self._complete(r.prompt, grammar=r.grammar, max_tokens=r.max_tokens,
                                  temperature=r.temperature, seed=r.seed,
                                  stop=list(r.stop) if r.stop else None, on_token=None)

        width = max(1, min(len(requests), parallel or self.slots()))
        if width == 1:
            gens = [one(r) for r in requests]
        else:
            with ThreadPoolExecutor(width, thread_name_prefix="rlm-subcall") as ex:
                gens = list(ex.map(one, requests))
        return [self._after(g, r.grammar, list(r.stop) if r.stop else None, c)
                for g, r, c in zip(gens, requests, checkers, strict=True)]

    def _complete(self, prompt: str, *, grammar: str | None, max_tokens: int,
                  temperature: float, seed: int, stop: list[str] | None,
                  on_token: Callable[[str], None] | None) -> Generation:
        body: dict[str, Any] = {**self.extra, "model": self.model, "prompt": prompt,
                                "max_tokens": int(max_tokens), "temperature": float(temperature),
                                "seed": int(seed)}
        if stop:
            body["stop"] = list(stop)
        if grammar is not None:
            body.update(self._grammar_body(grammar))
        if on_token is not None:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        t0 = time.perf_counter()
        resp = self._open("POST", "/v1/completions", body)
        with resp:
            if on_token is None:
                data = json.loads(self._read(resp, "/v1/completions") or b"{}")
                t_first = None
                chunks = [data]
            else:
                chunks, t_first = [], None
                for event in self._events(resp):
                    chunks.append(event)
                    for ch in event.get("choices") or []:
                        piece = ch.get("text") or ""
                        if piece:
                            if t_first is None:
                                t_first = time.perf_counter()
                            on_token(piece)
        t_end = time.perf_counter()
        return self._generation(chunks, prompt, t0, t_first, t_end, bool(stop),
                                streamed=on_token is not None)

    def _events(self, resp: Any) -> Iterator[dict[str, Any]]:
        """Server-sent events: `data: {json}` lines until `data: [DONE]`."""
        try:
            for raw in resp:
                line = raw.decode("utf-8", errors="replace").strip()
                if not line.startswith("data:"):
                    continue  # blank separators, `: ping` comments, event names
                payload = line[5:].strip()
                if payload == "[DONE]":
                    return
                try:
                    event = json.loads(payload)
                except ValueError:
                    continue
                if isinstance(event, dict) and "error" in event:
                    raise ModelError(f"the server at {self.base_url} stopped the stream: "
                                     f"{_server_message(payload.encode())}",
                                     fix="check the server's log", url=self.base_url)
                if isinstance(event, dict):
                    yield event
        except TimeoutError:
            raise self._timeout("POST", "/v1/completions") from None

    def _generation(self, chunks: list[dict[str, Any]], prompt: str, t0: float,
                    t_first: float | None, t_end: float, had_stop: bool,
                    streamed: bool) -> Generation:
        text_parts: list[str] = []
        finish, vllm_stop, n_pieces = None, None, 0
        usage: dict[str, Any] = {}
        timings: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for c in chunks:
            if "error" in c:
                raise ModelError(f"the server at {self.base_url} failed: "
                                 f"{_server_message(json.dumps(c).encode())}",
                                 fix="check the server's log", url=self.base_url)
            for ch in c.get("choices") or []:
                if ch.get("index", 0) != 0:
                    continue
                piece = ch.get("text") or ""
                if piece:
                    n_pieces += 1
                    text_parts.append(piece)
                finish = ch.get("finish_reason") or finish
                vllm_stop = ch.get("stop_reason", vllm_stop)
                for k in ("stop_type", "stopping_word", "stopped_word"):
                    if k in ch:
                        extra[k] = ch[k]
            usage = c.get("usage") or usage
            timings = c.get("timings") or timings
            for k in ("stop_type", "stopping_word", "stopped_word"):
                if k in c:
                    extra[k] = c[k]
        text = "".join(text_parts)
        if finish is None and not chunks:
            raise ModelError(f"the server at {self.base_url} returned no completion",
                             fix="check the server's log", url=self.base_url)
        stop_reason = self._stop_reason(finish, vllm_stop, extra, had_stop)
        stats: dict[str, Any] = {"server": self.base_url, "finish_reason": finish}
        if isinstance(usage.get("completion_tokens"), int):
            tokens = usage["completion_tokens"]
            stats["tokens_from"] = "usage"
        elif streamed:
            # A chunk can hold several tokens (a character split over tokens waits for its
            # last byte), so retokenize the text, and never report fewer than the chunks.
            tokens = max(n_pieces, self.count_tokens(text))
            stats["tokens_from"] = "stream, retokenized"
        else:
            tokens = self.count_tokens(text)
            stats["tokens_from"] = "count_tokens"
        if isinstance(usage.get("prompt_tokens"), int):
            prompt_tokens = usage["prompt_tokens"]
        else:
            prompt_tokens = self.count_tokens(prompt)
        cached = ((usage.get("prompt_tokens_details") or {}).get("cached_tokens")
                  or timings.get("cache_n") or 0)
        if isinstance(timings.get("predicted_ms"), (int, float)):
            prompt_s = float(timings.get("prompt_ms") or 0.0) / 1000
            gen_s = float(timings["predicted_ms"]) / 1000
            stats["timing"] = "server"
        elif t_first is not None:
            prompt_s, gen_s = t_first - t0, t_end - t_first
            stats["timing"] = "wall, first token"
        else:
            prompt_s, gen_s = 0.0, t_end - t0
            stats["timing"] = "wall, whole request"
        return Generation(text=text, tokens=int(tokens), prompt_tokens=int(prompt_tokens),
                          cached_tokens=int(cached), prompt_seconds=prompt_s,
                          gen_seconds=gen_s, stop_reason=stop_reason, stats=stats)

    @staticmethod
    def _stop_reason(finish: str | None, vllm_stop: Any, extra: dict[str, Any],
                     had_stop: bool) -> str:
        """Map finish_reason; servers say "stop" for both the end token and a stop string."""
        if finish == "length":
            return "length"
        if extra.get("stop_type") == "word" or extra.get("stopping_word") or \
                extra.get("stopped_word"):
            return "stop"
        if isinstance(vllm_stop, str) and had_stop:
            return "stop"
        return "eos"

    def close(self) -> None:
        """Nothing is held open between requests."""


def backend_from_url(url: str, model: str | None = None) -> ServerBackend:
    """The backend for `rlm run --backend URL [--model NAME]`; API key from $RLM_API_KEY.

    Over a server, --model names the model the server serves (one of its
    /v1/models ids), not a local file.
    """
    return ServerBackend(url, model=model, api_key=os.environ.get("RLM_API_KEY") or None,
                         timeout_s=float(os.environ.get("RLM_SERVER_TIMEOUT", "120")))
