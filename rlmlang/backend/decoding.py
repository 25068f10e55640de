"""The decoding loop: prefix-cached prompt evaluation and fast, exact constrained sampling.

Speed. llama-cpp-python's `grammar=` path runs the GBNF engine over the whole
vocabulary at every token (49k tokens for SmolLM2, 262k for Gemma 3), which
halves or quarters the decoding speed. Here each step is an argmax over a
score vector: the logits (temperature 0) or, when sampling, the logits over
the temperature plus Gumbel noise (the Gumbel-max trick: the argmax of the
perturbed scores is an exact sample of the softmax, and the argmax over any
subset is an exact sample of the softmax restricted to that subset). The top
token is checked alone against the grammar (one-element candidate array,
microseconds). Only when it is refused is the grammar run over the top 64
candidates, then the top 4096, then everything: the best allowed token among
the top k is the best allowed token overall, so the result is exactly what a
full-vocabulary mask would give. At temperature > 0 the plain step samples by
inverse CDF (cheaper than Gumbel noise); a refused draw is redrawn from the
grammar-restricted softmax, which yields exactly p(t)/P(allowed).

Exactness. The grammar engine is llama.cpp's own; no token is accepted without
the engine allowing it; EOS (any end-of-generation token) is taken only when
the grammar allows it, and generation stops as soon as the grammar can only
end (an exact probe over the single-byte tokens), so a script ends where its
grammar ends. Control tokens (chat markers) are never emitted under a grammar:
the grammar engine would read them as their literal text, but they are not text.

Caching. The tokens whose keys and values are in the context are remembered;
a prompt that extends them (the controller's growing conversation) only
evaluates the new suffix. Repeating the last prompt reuses its saved logits, so
the same prompt and seed give the same text bit for bit.
"""

from __future__ import annotations

import atexit
import codecs
import ctypes
import os
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np

from rlmlang.backend import llamalog
from rlmlang.backend.base import Generation, ModelError
from rlmlang.backend.grammar_engine import CompiledGrammar, TokenBuffer, grammar_hash
from rlmlang.backend.registry import resolve_model

_CHUNKS = (64, 4096)
# llama_token_attr: UNKNOWN | UNUSED | CONTROL
_BANNED_ATTRS = 1 | 2 | 8
# At temperature > 0, draws from the model's distribution before masking.
_REDRAWS = 16
_GRAMMAR_CACHE_SIZE = 8


# A context cut back by this many tokens or more for another prompt is set aside in
# memory first (Decoder._switch); at most KEPT_STATES are kept.
KEEP_MIN_TOKENS = 512
KEPT_STATES = 2


def _shared(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens two sequences share."""
    n, limit = 0, min(len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return n


class Decoder:
    """Owns one llama.cpp context (sequence 0) and decodes into it."""

    def __init__(self, llm: llama_cpp.Llama):
        self.llm = llm
        self.ctx = llm._ctx.ctx
        self.model = llm._model.model
        self.vocab = llm._model.vocab
        self.n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))
        self.n_ctx = int(llama_cpp.llama_n_ctx(self.ctx))
        self.n_batch = int(llm.n_batch)
        self.mem = llama_cpp.llama_get_memory(self.ctx)
        self._batch = llama_cpp.llama_batch_init(self.n_batch, 0, 1)
        self.cached: list[int] = []  # tokens whose KV entries are in the context
        # long contexts set aside (their tokens, their state), at most KEPT_STATES
        self._kept: list[tuple[list[int], bytes]] = []
        self._last_prompt: tuple[int, ...] | None = None
        self._last_logits: np.ndarray | None = None
        self.buffer = TokenBuffer(self.n_vocab)
        self._grammars: OrderedDict[str, CompiledGrammar] = OrderedDict()
        self._pieces: dict[int, bytes] = {}
        self.eog = np.array([t for t in range(self.n_vocab)
                             if llama_cpp.llama_vocab_is_eog(self.vocab, t)], dtype=np.int32)
        self._eog_set = {int(t) for t in self.eog}
        self.eos = int(self.eog[0]) if len(self.eog) else -1
        self._probe: np.ndarray | None = None
        self._banned: np.ndarray | None = None

    # ---- tokens -------------------------------------------------------------

    def piece(self, token: int) -> bytes:
        """The bytes a token stands for (control tokens: empty)."""
        p = self._pieces.get(token)
        if p is None:
            buf = ctypes.create_string_buffer(64)
            n = llama_cpp.llama_token_to_piece(self.vocab, token, buf, 64, 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = llama_cpp.llama_token_to_piece(self.vocab, token, buf, -n, 0, False)
            p = buf.raw[:n]
            self._pieces[token] = p
        return p

    def _scan_vocab(self) -> None:
        """Tables for constrained decoding, built once (a pass over the vocabulary).

        `banned`: control/unknown/unused tokens (not end tokens): a grammar sees
        them as their literal text, but they are not text, so scripts never
        contain them. `probe`: the end-of-grammar probe. A token is allowed only
        if its first byte is an allowed continuation, so checking one
        single-byte token per byte, plus every token whose first byte has no
        single-byte token, tells exactly whether anything but the end is allowed.
        """
        n = self.n_vocab
        banned = np.zeros(n, dtype=bool)
        first = np.full(n, -1, dtype=np.int16)
        single: dict[int, int] = {}
        buf = ctypes.create_string_buffer(16)
        for t in range(n):
            attr = llama_cpp.llama_vocab_get_attr(self.vocab, t)
            if attr & _BANNED_ATTRS and t not in self._eog_set:
                banned[t] = True
                continue
            k = llama_cpp.llama_token_to_piece(self.vocab, t, buf, 16, 0, True)
            if k != 0:
                first[t] = buf.raw[0]
                if k == 1 and buf.raw[0] not in single and t not in self._eog_set:
                    single[buf.raw[0]] = t
        uncovered = np.ones(256, dtype=bool)
        uncovered[list(single)] = False
        eog = np.zeros(n, dtype=bool)
        eog[self.eog] = True
        rest = np.flatnonzero((first >= 0) & uncovered[np.maximum(first, 0)] & ~banned & ~eog)
        probe = np.concatenate([np.array(list(single.values()), dtype=np.int64), rest])
        self._banned = banned
        self._probe = np.unique(probe.astype(np.int32))

    def probe_tokens(self) -> np.ndarray:
        if self._probe is None:
            self._scan_vocab()
        assert self._probe is not None
        return self._probe

    def banned(self) -> np.ndarray:
        if self._banned is None:
            self._scan_vocab()
        assert self._banned is not None
        return self._banned

    # ---- grammar -----------------------------------------------------------

    def grammar(self, gbnf: str) -> CompiledGrammar:
        """Compile (or fetch from the small cache) and reset a grammar."""
        key = grammar_hash(gbnf)
        g = self._grammars.get(key)
        if g is None:
            g = CompiledGrammar(self.vocab, gbnf, self.buffer)
            self._grammars[key] = g
            while len(self._grammars) > _GRAMMAR_CACHE_SIZE:
                self._grammars.popitem(last=False)[1].close()
        else:
            self._grammars.move_to_end(key)
            g.reset()
        self.banned()  # build the vocabulary tables now, outside any timed generation
        return g

    # ---- evaluation --------------------------------------------------------

    def _decode(self, tokens: Sequence[int], pos: int) -> None:
        """Evaluate tokens at positions pos.., logits for the last one only."""
        b = self._batch
        for start in range(0, len(tokens), self.n_batch):
            chunk = tokens[start:start + self.n_batch]
            n = len(chunk)
            b.n_tokens = n
            for i, t in enumerate(chunk):
                b.token[i] = t
                b.pos[i] = pos + start + i
                b.n_seq_id[i] = 1
                b.seq_id[i][0] = 0
                b.logits[i] = False
            b.logits[n - 1] = start + n == len(tokens)
            rc = llama_cpp.llama_decode(self.ctx, b)
            if rc != 0:
                self.cached = self.cached[:pos + start]
                raise ModelError(f"llama_decode failed with code {rc}",
                                 fix="shorten the prompt or raise the context size")
            self.cached.extend(chunk)

    def logits(self) -> np.ndarray:
        ptr = llama_cpp.llama_get_logits_ith(self.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))

    def eval_prompt(self, tokens: list[int]) -> tuple[int, np.ndarray]:
        """Make the context hold exactly `tokens`; return (reused tokens, last logits)."""
        if not tokens:
            raise ModelError("the prompt is empty", fix="pass a non-empty prompt")
        if len(tokens) >= self.n_ctx:
            raise ModelError(
                f"the prompt has {len(tokens)} tokens but the context holds {self.n_ctx}",
                fix="shorten the prompt or load the model with a larger context",
                prompt_tokens=len(tokens), context_size=self.n_ctx,
            )
        key = tuple(tokens)
        common = _shared(self.cached, tokens)
        if common == len(tokens) and key == self._last_prompt and self._last_logits is not None:
            self._truncate(common)
            return common, self._last_logits.copy()
        if common < len(tokens) - 1:
            common = self._switch(tokens, common)
        if common == len(tokens):
            common -= 1  # the last token must be evaluated again to get its logits
        self._truncate(common)
        self._decode(tokens[common:], common)
        logits = self.logits().copy()
        self._last_prompt, self._last_logits = key, logits.copy()
        return common, logits

    def _switch(self, tokens: list[int], common: int) -> int:
        """Before a long context is cut back for another prompt, set its state aside; and
        where a state set aside shares more of `tokens` than the context does, load it.
        A sub-model call (llm.predict over a chunk) evaluates its own prompt in this
        context: the task's prompt of thousands of tokens was then evaluated again for
        the round's next draw (85 s on two cores, where its state is ~90 MB to copy).
        Returns the tokens the context now shares with `tokens`."""
        best, best_common = None, common
        for kept in self._kept:
            n = _shared(kept[0], tokens)
            if n > best_common + KEEP_MIN_TOKENS // 2:
                best, best_common = kept, n
        if len(self.cached) - common >= KEEP_MIN_TOKENS:
            self._keep()
        if best is None:
            return common
        size = len(best[1])
        buf = (ctypes.c_uint8 * size).from_buffer_copy(best[1])
        self._truncate(0)
        if llama_cpp.llama_state_seq_set_data(self.ctx, buf, size, 0) == 0:
            self._truncate(0)
            return 0
        self.cached = list(best[0])
        self._last_prompt, self._last_logits = None, None
        return best_common

    def _keep(self) -> None:
        """Copy the context's state (its tokens: `cached`) aside; the shortest goes first."""
        size = int(llama_cpp.llama_state_seq_get_size(self.ctx, 0))
        buf = (ctypes.c_uint8 * size)()
        got = int(llama_cpp.llama_state_seq_get_data(self.ctx, buf, size, 0))
        if not got:
            return
        kept = [k for k in self._kept if k[0] != self.cached]
        kept.append((list(self.cached), bytes(buf[:got])))
        kept.sort(key=lambda k: len(k[0]))
        self._kept = kept[-KEPT_STATES:]

    def warm(self, tokens: list[int], path: Path) -> str:
        """Make the context begin with `tokens`, from a saved state file when one matches.

        A capable model's fixed prompt (card, tools, examples) is thousands of
        tokens, half a minute of evaluation on two cores; the state of those
        tokens is saved once (`llama_state_seq_save_file`, written beside and
        renamed, so a killed save leaves nothing) and loaded by later processes.
        Returns "present" (already in the context), "loaded" or "saved".
        """
        common = _shared(self.cached, tokens)
        if common == len(tokens):
            return "present"
        if not self.cached and path.is_file() and self._load_state(tokens, path):
            return "loaded"
        self._truncate(common)
        self._decode(tokens[common:], common)
        self._last_prompt, self._last_logits = None, None
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            arr = (llama_cpp.llama_token * len(tokens))(*tokens)
            written = llama_cpp.llama_state_seq_save_file(self.ctx, str(tmp).encode(), 0, arr,
                                                          len(tokens))
            if written:
                os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written is only a slower next start
        finally:
            tmp.unlink(missing_ok=True)
        return "saved"

    def _load_state(self, tokens: list[int], path: Path) -> bool:
        """Load a saved prefix state; False (and a clean context) if it does not match."""
        cap = len(tokens)
        out = (llama_cpp.llama_token * cap)()
        n_out = ctypes.c_size_t(0)
        self._truncate(0)
        try:
            read = llama_cpp.llama_state_seq_load_file(self.ctx, str(path).encode(), 0, out,
                                                       cap, ctypes.byref(n_out))
        except OSError:
            read = 0
        if read and n_out.value == cap and list(out[:cap]) == tokens:
            self.cached = list(tokens)
            self._last_prompt, self._last_logits = None, None
            return True
        self._truncate(0)
        return False

    def _truncate(self, n: int) -> None:
        # Always clear from n on: a failed decode may have left entries past `cached`.
        llama_cpp.llama_memory_seq_rm(self.mem, 0, n, -1)
        del self.cached[n:]

    # ---- sampling ----------------------------------------------------------

    def _pick(self, logits: np.ndarray, g: CompiledGrammar | None, temperature: float,
              rng: np.random.Generator | None, stats: dict[str, float]) -> int:
        if temperature <= 0 or rng is None:
            tok = int(np.argmax(logits))
            if g is None:
                return tok
            stats["checks"] += 1
            if not self.banned()[tok] and g.allows(tok):
                return tok
            stats["fallbacks"] += 1
            return self._best_allowed(logits, g, stats)
        x = logits.astype(np.float64) / temperature
        x -= x.max()
        np.exp(x, out=x)
        cdf = np.cumsum(x)
        total = cdf[-1]
        banned = self.banned() if g is not None else None
        refused: set[int] = set()
        for attempt in range(_REDRAWS):
            tok = min(int(np.searchsorted(cdf, rng.random() * total, side="right")),
                      self.n_vocab - 1)
            if g is None or banned is None:
                return tok
            if attempt == 0:
                stats["checks"] += 1
            if tok in refused:
                continue
            if not banned[tok] and g.allows(tok):
                # Redrawing from p until a token is allowed samples p(t)/P(allowed) exactly.
                return tok
            refused.add(tok)
        assert g is not None
        stats["fallbacks"] += 1
        # Exact draw from the softmax restricted to allowed tokens (Gumbel-max).
        u = rng.random(self.n_vocab, dtype=np.float32)
        np.clip(u, 1e-30, 1.0, out=u)
        gumbel = -np.log(-np.log(u))
        return self._best_allowed(logits / np.float32(temperature) + gumbel, g, stats)

    def _best_allowed(self, scores: np.ndarray, g: CompiledGrammar, stats: dict[str, float]) -> int:
        for k in _CHUNKS:
            if k >= self.n_vocab:
                break
            top = np.argpartition(-scores, k)[:k].astype(np.int32)
            ok = g.filter(top) & ~self.banned()[top]
            if ok.any():
                allowed = top[ok]
                return int(allowed[np.argmax(scores[allowed])])
        stats["full_masks"] += 1
        ok = g.filter(None) & ~self.banned()
        if not ok.any():
            raise ModelError("the grammar allows no token at this point and cannot end here",
                             fix="check the grammar: some rule needs a character no token has")
        allowed = np.flatnonzero(ok)
        return int(allowed[np.argmax(scores[allowed])])

    def _grammar_finished(self, g: CompiledGrammar, stats: dict[str, float]) -> bool:
        """True when the grammar can end and allows nothing else (exact, see _scan_vocab)."""
        if self.eos < 0 or not g.allows(self.eos):
            return False
        probe = self.probe_tokens()
        if g.filter(probe).any():
            return False
        stats["end_checks"] += 1
        return True

    # ---- generation ---------------------------------------------------------

    def generate(
        self,
        tokens: list[int],
        *,
        grammar: str | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int = 0,
        stop: list[str] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation:
        g = self.grammar(grammar) if grammar is not None else None
        stats: dict[str, float] = {"checks": 0, "fallbacks": 0, "full_masks": 0,
                                   "end_checks": 0, "grammar_seconds": 0.0}
        rng = np.random.default_rng(seed) if temperature > 0 else None
        t0 = time.perf_counter()
        cached, logits = self.eval_prompt(tokens)
        t1 = time.perf_counter()
        stops = [s for s in (stop or []) if s]
        hold = max((len(s) for s in stops), default=1) - 1
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        emitted = 0
        n_gen = 0
        reason = "length"
        pos = len(tokens)
        if g is not None and self._grammar_finished(g, stats):
            reason = "eos"
            max_tokens = 0
        while n_gen < max_tokens:
            if pos >= self.n_ctx:
                reason = "length"
                break
            tg = time.perf_counter()
            tok = self._pick(logits, g, temperature, rng, stats)
            if g is not None:
                stats["grammar_seconds"] += time.perf_counter() - tg
            if tok in self._eog_set:
                reason = "eos"
                break
            if g is not None:
                tg = time.perf_counter()
                g.accept(tok)
                stats["grammar_seconds"] += time.perf_counter() - tg
            n_gen += 1
            prev_len = len(text)
            text += decoder.decode(self.piece(tok))
            if stops:
                found = [text.find(s, max(0, prev_len - hold)) for s in stops]
                cut = min((i for i in found if i >= 0), default=-1)
                if cut >= 0:
                    text = text[:cut]
                    reason = "stop"
                    break
            if on_token is not None and len(text) - hold > emitted:
                on_token(text[emitted:len(text) - hold])
                emitted = len(text) - hold
            if g is not None:
                tg = time.perf_counter()
                finished = self._grammar_finished(g, stats)
                stats["grammar_seconds"] += time.perf_counter() - tg
                if finished:
                    reason = "eos"
                    break
            if n_gen >= max_tokens:
                break
            self._decode([tok], pos)
            pos += 1
            logits = self.logits()
        if reason != "stop":
            text += decoder.decode(b"", final=True)
        if on_token is not None and len(text) > emitted:
            on_token(text[emitted:])
        t2 = time.perf_counter()
        return Generation(
            text=text, tokens=n_gen, prompt_tokens=len(tokens), cached_tokens=cached,
            prompt_seconds=t1 - t0, gen_seconds=t2 - t1, stop_reason=reason,
            stats=dict(stats),
        )

    def close(self) -> None:
        for g in self._grammars.values():
            g.close()
        self._grammars.clear()
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()


def close_at_exit(owner: Any) -> None:
    """Close `owner` (a holder of llama.cpp objects, with an idempotent `close()`) before the
    interpreter tears its modules down: a model still alive then was freed by `Llama.__del__`
    after llama_cpp's own functions were gone, and every test run ended on a traceback."""
    _OPEN.add(owner)


@atexit.register
def _close_open() -> None:
    for owner in list(_OPEN):
        try:
            owner.close()
        except Exception:  # noqa: BLE001 - closing at exit: nothing left to tell
            pass


def info_stats(gen: Generation) -> dict[str, Any]:
    """A compact summary of a generation for logs and benches."""
    return {"tokens": gen.tokens, "tok_per_s": round(gen.tokens_per_second, 2),
            "stop": gen.stop_reason, **(gen.stats or {})}


# ---- acceptance oracle ------------------------------------------------------


class _VocabModel:
    """A vocabulary-only model: llama.cpp's tokenizer and grammar engine, no weights."""

    def __init__(self, path: str):
        llamalog.install()
        with llamalog.capture():
            self.llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        self.vocab = self.llm._model.vocab
        self.n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))
        self.buffer = TokenBuffer(self.n_vocab)
        eos = int(llama_cpp.llama_vocab_eos(self.vocab))
        if eos < 0:
            eos = int(llama_cpp.llama_vocab_eot(self.vocab))
        self.eos = eos
        self.grammars: OrderedDict[str, CompiledGrammar] = OrderedDict()
        self._char_tokens: dict[str, list[int]] = {}
        close_at_exit(self)

    def close(self) -> None:
        for g in self.grammars.values():
            g.close()
        self.grammars.clear()
        self.llm.close()

    def grammar(self, gbnf: str) -> CompiledGrammar:
        key = grammar_hash(gbnf)
        g = self.grammars.get(key)
        if g is None:
            g = CompiledGrammar(self.vocab, gbnf, self.buffer)
            self.grammars[key] = g
            while len(self.grammars) > _GRAMMAR_CACHE_SIZE:
                self.grammars.popitem(last=False)[1].close()
        else:
            self.grammars.move_to_end(key)
            g.reset()
        return g

    def piece(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(256)
        n = llama_cpp.llama_token_to_piece(self.vocab, token, buf, 256, 0, False)
        return buf.raw[:max(n, 0)]

    def tokens(self, text: str) -> list[int]:
        """Tokens whose pieces spell exactly `text` (no BOS, no added leading space)."""
        data = text.encode("utf-8")
        toks = self.llm.tokenize(data, add_bos=False, special=False)
        if b"".join(self.piece(t) for t in toks) == data:
            return list(toks)
        out: list[int] = []  # the tokenizer added or changed something: spell it per character
        for ch in text:
            out.extend(self._spell(ch))
        return out

    def _spell(self, ch: str) -> list[int]:
        got = self._char_tokens.get(ch)
        if got is None:
            b = ch.encode("utf-8")
            got = [t for t in self.llm.tokenize(b, add_bos=False, special=False)]
            if b"".join(self.piece(t) for t in got) != b:
                got = []
                for byte in b:  # byte-fallback tokens, e.g. <0x0A>
                    hit = [t for t in self.llm.tokenize(bytes([byte]), add_bos=False,
                                                        special=False)
                           if self.piece(t) == bytes([byte])]
                    if len(hit) != 1:
                        raise ModelError(f"cannot spell {ch!r} with this vocabulary")
                    got.append(hit[0])
            self._char_tokens[ch] = got
        return got


_VOCABS: dict[str, _VocabModel] = {}
_RESOLVED: dict[str | None, str] = {}  # resolving a name checks the file: ~80 ms a call


def vocab_model(path: str | None = None) -> _VocabModel:
    key = _RESOLVED.get(path)
    if key is None:
        key = _RESOLVED[path] = str(resolve_model(path))
    vm = _VOCABS.get(key)
    if vm is None:
        vm = _VOCABS[key] = _VocabModel(key)
    return vm


def grammar_accepts(gbnf: str, text: str, vocab_model_path: str | None = None, *,
                    complete: bool = True) -> bool:
    """Does llama.cpp's GBNF engine accept `text` as a complete sentence of `gbnf`?

    The text is fed token by token through the real tokenizer of the model at
    `vocab_model_path` (a registry name or GGUF path; None: the default),
    each token checked with a one-element candidate array before it is
    accepted, and the end checked by asking whether EOS is allowed
    (`complete=False`: only that `text` is a prefix of some sentence). NUL is
    never accepted (llama.cpp cannot emit it). An invalid grammar raises
    GrammarError.
    """
    vm = vocab_model(vocab_model_path)
    g = vm.grammar(gbnf)
    if "\x00" in text:
        return False
    try:
        toks = vm.tokens(text)
    except (UnicodeEncodeError, ModelError):  # a character this vocabulary cannot spell
        return False
    for t in toks:
        if not g.allows(t):
            return False
        g.accept(t)
    return g.allows(vm.eos) if complete else True
