"""The in-process llama.cpp backend (llama-cpp-python), offline and quiet.

Loading goes through the registry (name or path → a checked GGUF), then
llama.cpp with its log routed away from the terminal. Generation is our own
loop (`decoding.Decoder`): prefix-cached prompts and fast exact grammar
constraints. The model's identity (path, SHA-256, parameters) is exposed by
`info()` for the run log.
"""

from __future__ import annotations

import array
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import llama_cpp

from rlmlang.backend import llamalog
from rlmlang.backend.base import Generation, ModelError
from rlmlang.backend.chat import defuse, render_fallback, render_template
from rlmlang.backend.decoding import Decoder, close_at_exit
from rlmlang.backend.gguf import read_gguf
from rlmlang.backend.registry import cache_dir, file_sha256, resolve_entry

_ATTR_CONTROL = 8  # LLAMA_TOKEN_ATTR_CONTROL

# llama.cpp evaluates a prompt batch in micro-batches of N_UBATCH tokens; its
# compute buffer (attention scores, n_ctx x N_UBATCH x heads) grows with it.
# Measured side by side (n_ctx 4096, a 2,000-token prompt, 1 thread, medians
# of 3): 512 → 128 takes 45 MB off peak RSS with SmolLM2-135M (33 MB with
# Gemma-3-270M) at the same speed (prompt 113 vs 116 tok/s, decode 40 vs 36)
# and the same greedy output. Not chosen: flash attention (prompt +10% but
# decode 37 → 14 tok/s on CPU here), a q8_0 K cache (-22 MB, same speed, but
# the greedy output changes), q8_0 K and V with flash attention (-43 MB more,
# but prompt 111 → 68 and decode 37 → 30 tok/s).
N_UBATCH = 128

# The prompt prefix cache (warm_prefix): prefixes shorter than this are evaluated
# each time (SmolLM2 evaluates 500 tokens in ~2 s); at most this many states are kept
# (a 2,500-token prefix of Qwen2.5-Coder-1.5B is ~70 MB).
PREFIX_CACHE_MIN_TOKENS = 512
PREFIX_CACHE_FILES = 6


def default_threads() -> int:
    """Threads for llama.cpp: $RLM_THREADS, else the cores other processes leave idle.

    llama.cpp's threads synchronise at every layer, so one thread more than
    there are free cores is far slower (measured here on 2 shared cores, with
    one other busy process: 1 thread 70 tok/s, 2 threads 16-25 tok/s). The
    load average is no guide: it counts this process's own past work, so a
    long benchmark would talk itself down to one thread (measured: half the
    prompt speed on an idle machine). Idle time over a short sleep counts
    only the others.
    """
    env = os.environ.get("RLM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    idle = idle_cores(cores)
    # A core that is mostly idle counts (the shared machines here read 1.4-1.5
    # idle of 2 at rest, where 2 threads still prompt twice as fast as 1).
    return max(1, min(8, cores, int(idle + 0.7) if idle is not None else cores))


def idle_cores(cores: int, sample_s: float = 0.1) -> float | None:
    """Cores left idle by other processes over `sample_s`, or None. This process's own
    time counts as idle: the caller sleeps, but another thread of its own may be busy
    (the bench's first run read 1 core idle of 2 while loading, and decoded a whole test
    sample on one thread)."""

    def totals() -> tuple[int, int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        with open("/proc/self/stat", encoding="ascii") as f:
            own = f.read().rsplit(")", 1)[1].split()  # after the name, which may hold spaces
        # all time, idle + iowait, and this process's user + system time (same ticks)
        return sum(fields[:8]), fields[3] + fields[4], int(own[11]) + int(own[12])

    try:
        all0, idle0, own0 = totals()
        time.sleep(sample_s)
        all1, idle1, own1 = totals()
    except (OSError, ValueError, IndexError):
        return None
    if all1 <= all0:
        return None
    online = os.cpu_count() or cores
    return min(cores, (idle1 - idle0 + own1 - own0) / (all1 - all0) * online)


class LlamaBackend:
    """A GGUF model in this process; implements `base.Backend`."""

    def __init__(self, model: str | None = None, *, context_size: int | None = None,
                 n_threads: int | None = None, n_batch: int = 512):
        path, entry = resolve_entry(model)
        self.path: Path = path
        self.entry = entry
        self.gguf = read_gguf(path)
        self.name = entry.name if entry else path.stem
        trained = self.gguf.context_length or 4096
        n_ctx = context_size or (entry.context_size if entry else min(trained, 8192))
        self.context_size = int(n_ctx)
        self.n_threads = n_threads or default_threads()
        self.chat_format = entry.chat_format if entry else "chatml"
        llamalog.install()
        try:
            with llamalog.capture() as log:
                self.llm = llama_cpp.Llama(
                    model_path=str(path), n_ctx=self.context_size, n_batch=n_batch,
                    n_ubatch=min(N_UBATCH, n_batch),
                    n_threads=self.n_threads, n_threads_batch=self.n_threads,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as e:
            tail = " ".join(line.strip() for line in log[-3:])
            raise ModelError(f"llama.cpp could not load {path}: {e} {tail}".strip(),
                             fix="check the file is a GGUF model llama.cpp supports, or "
                             "pass --model PATH to another", path=str(path)) from None
        self.decoder = Decoder(self.llm)
        close_at_exit(self)
        self._control_texts: list[str] | None = None
        self._sha256: str | None = None

    # ---- tokens ------------------------------------------------------------

    def _tokenize(self, text: str, add_bos: bool) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def prompt_tokens(self, prompt: str) -> list[int]:
        """The prompt as the model sees it: BOS if the model wants one, never twice."""
        vocab = self.llm._model.vocab
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(vocab))
        toks = self._tokenize(prompt, add_bos)
        bos = llama_cpp.llama_vocab_bos(vocab)
        if add_bos and len(toks) > 1 and toks[0] == bos and toks[1] == bos:
            toks = toks[1:]
        return toks

    def count_tokens(self, text: str) -> int:
        return len(self._tokenize(text, False))

    def control_texts(self) -> list[str]:
        """Texts of the control tokens (chat markers); used to defuse message contents."""
        if self._control_texts is None:
            vocab = self.llm._model.vocab
            out = []
            for t in range(self.decoder.n_vocab):
                if llama_cpp.llama_vocab_get_attr(vocab, t) & _ATTR_CONTROL:
                    s = llama_cpp.llama_vocab_get_text(vocab, t)
                    if s and len(s) > 1:
                        out.append(s.decode("utf-8", errors="replace"))
            self._control_texts = sorted(set(out), key=len, reverse=True)
        return self._control_texts

    def end_texts(self) -> list[str]:
        """Texts of the end-of-generation tokens (`<|im_end|>`, `<|endoftext|>`, ...).

        Free generation stops at them when the model writes one as text.
        """
        texts = {self._token_text(int(t)) for t in self.decoder.eog}
        return sorted(t for t in texts if t)

    # ---- prompts -----------------------------------------------------------

    def chat_prompt(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        ctl = self.control_texts()
        msgs = [{"role": m["role"], "content": defuse(m.get("content", ""), ctl)} for m in messages]
        template = self.gguf.chat_template
        if template:
            vocab = self.llm._model.vocab
            try:
                text = render_template(
                    template, msgs, add_generation_prompt=add_generation_prompt,
                    bos_token=self._token_text(llama_cpp.llama_vocab_bos(vocab)),
                    eos_token=self._token_text(llama_cpp.llama_vocab_eos(vocab)))
                return text
            except jinja2.TemplateError:
                pass  # an exotic template: fall back to the registry's format
        return render_fallback(self.chat_format, msgs, add_generation_prompt)

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        s = llama_cpp.llama_vocab_get_text(self.llm._model.vocab, token)
        return s.decode("utf-8", errors="replace") if s else ""

    # ---- generation ----------------------------------------------------------

    def generate(self, prompt: str, *, grammar: str | None = None, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int = 0, stop: list[str] | None = None,
                 on_token: Callable[[str], None] | None = None) -> Generation:
        if max_tokens < 0:
            raise ModelError(f"max_tokens must be >= 0, not {max_tokens}")
        return self.decoder.generate(
            self.prompt_tokens(prompt), grammar=grammar, max_tokens=max_tokens,
            temperature=temperature, seed=seed, stop=stop, on_token=on_token)

    def warm_prefix(self, text: str, min_tokens: int = PREFIX_CACHE_MIN_TOKENS) -> str:
        """Evaluate a fixed prompt prefix once per machine: its state is kept on disk.

        The key is the model file's digest, the context size and the prefix's
        tokens, so a changed prompt, model or context never loads a stale
        state. At most PREFIX_CACHE_FILES states are kept (least recently used
        go first). Returns "present", "loaded", "saved" or "skipped" (short, or past
        the window).
        """
        tokens = self.prompt_tokens(text)
        if len(tokens) < min_tokens or len(tokens) >= self.context_size:
            return "skipped"  # short, or too long for the window (the prompt itself will say)
        h = hashlib.sha256(f"{self.sha256()}|{self.context_size}|".encode())
        h.update(array.array("i", tokens).tobytes())
        folder = cache_dir() / "prefix"
        path = folder / f"{self.name}-{h.hexdigest()[:24]}.state"
        how = self.decoder.warm(tokens, path)
        if how in ("loaded", "saved") and path.is_file():
            os.utime(path)
            states = sorted(folder.glob("*.state"), key=lambda f: f.stat().st_mtime)
            for old in states[:-PREFIX_CACHE_FILES]:
                old.unlink(missing_ok=True)
        return how

    def check_grammar(self, gbnf: str) -> None:
        """Compile a grammar against this vocabulary; GrammarError if llama.cpp refuses it."""
        self.decoder.grammar(gbnf)

    # ---- identity ----------------------------------------------------------

    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = file_sha256(self.path)
        return self._sha256

    def info(self) -> dict[str, Any]:
        g = self.gguf
        return {
            "backend": "llama.cpp",
            "llama_cpp_python": llama_cpp.__version__,
            "name": self.name,
            "path": str(self.path),
            "sha256": self.sha256(),
            "size_bytes": g.size,
            "architecture": g.architecture,
            "general_name": g.metadata.get("general.name"),
            "licence": self.entry.licence if self.entry else g.metadata.get("general.license"),
            "n_vocab": self.decoder.n_vocab,
            "context_size": self.context_size,
            "trained_context": g.context_length,
            "n_threads": self.n_threads,
            "chat_template": "gguf" if g.chat_template else self.chat_format,
        }

    def close(self) -> None:
        self.decoder.close()
        self.llm.close()
