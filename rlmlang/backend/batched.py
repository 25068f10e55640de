"""Batched sequences in one llama.cpp context: several generations, one `llama_decode` a step.

Where reading the weights dominates a decoding step (a GPU, many cores),
four sequences advancing one token each cost little more than one. A
`BatchDecoder` owns a second context of the backend's model (the main
`Decoder` keeps the controller's prompt cached in its own) with one KV
stream per sequence, each as large as the backend's window (a unified
cache was measured slower: every token then attends over every sequence's
cells):

- the prompts' common prefix (the sub-call's system turn and example) is
  evaluated once into a reserved sequence, copied whole into each sequence
  it starts (`llama_memory_seq_cp`), and kept for the next batch;
- a request is admitted when a sequence is free; a finished sequence's
  cells are freed at once and the next request takes its place, its prompt
  evaluated in the same `llama_decode` as the others' next tokens;
- each sequence picks its tokens exactly as `Decoder.generate` does
  (`Decoder._pick`, `_grammar_finished`: the same check-first grammar
  constraint, seeds, stop strings and end rules), with its own grammar
  state, so a request means the same here as one at a time.

Memory: (n_seq + 1) windows of KV cache (SmolLM2, 4 sequences: 5 x 45 MB).
"""

from __future__ import annotations

import codecs
import time
from collections import deque
from typing import Any

import llama_cpp
import numpy as np

from rlmlang.backend.base import Generation, ModelError, Request
from rlmlang.backend.grammar_engine import CompiledGrammar


def _common(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class _Sequence:
    """One request in flight: its prompt still to evaluate, its grammar, its text so far."""

    def __init__(self, index: int, req: Request, tokens: list[int], prefix: int,
                 grammar: CompiledGrammar | None, limit: int) -> None:
        self.index = index
        self.req = req
        self.n_prompt = len(tokens)
        self.pending = tokens[prefix:]
        self.pos = prefix  # the position of the next token to evaluate
        self.cached = prefix
        self.g = grammar
        self.rng = np.random.default_rng(req.seed) if req.temperature > 0 else None
        self.stats: dict[str, float] = {"checks": 0, "fallbacks": 0, "full_masks": 0,
                                        "end_checks": 0, "grammar_seconds": 0.0}
        self.stops = [s for s in (req.stop or ()) if s]
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.text = ""
        self.n_gen = 0
        self.reason = "length"
        self.next: int | None = None  # the token picked, to evaluate next step
        self.limit = limit  # positions this sequence may reach (the backend's window)
        self.t0 = time.perf_counter()
        self.t_first: float | None = None

    def result(self) -> Generation:
        if self.reason != "stop":
            self.text += self.utf8.decode(b"", final=True)
        t_end = time.perf_counter()
        t_first = self.t_first or t_end
        return Generation(text=self.text, tokens=self.n_gen, prompt_tokens=self.n_prompt,
                          cached_tokens=self.cached, prompt_seconds=t_first - self.t0,
                          gen_seconds=t_end - t_first, stop_reason=self.reason,
                          stats={**self.stats, "batched": True})


class BatchDecoder:
    """Up to `n_seq` generations at once in a second context of `backend`'s model."""

    def __init__(self, backend: Any, n_seq: int = 4) -> None:
        self.backend = backend
        self.main = backend.decoder  # vocabulary tables and the token-picking rules
        self.n_seq = n_seq
        self.prefix_seq = n_seq  # the shared prefix's own sequence id
        params = llama_cpp.llama_context_params.from_buffer_copy(backend.llm.context_params)
        params.n_seq_max = n_seq + 1
        params.kv_unified = False  # a KV stream per sequence: each attends only to its own
        params.n_ctx = int(backend.context_size) * (n_seq + 1)  # a whole window per stream
        self.ctx = llama_cpp.llama_init_from_model(backend.llm._model.model, params)
        if not self.ctx:
            raise ModelError("llama.cpp could not make a context for batched sub-calls",
                             fix="set RLM_SUBCALL_PARALLEL=1 to make them one at a time")
        self.n_ctx = int(llama_cpp.llama_n_ctx(self.ctx))
        self.n_batch = int(params.n_batch)
        self.mem = llama_cpp.llama_get_memory(self.ctx)
        self.batch = llama_cpp.llama_batch_init(self.n_batch, 0, 1)
        self.prefix: list[int] = []  # tokens held by the prefix sequence

    # ---- evaluation ---------------------------------------------------------

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> None:
        """Evaluate (token, position, sequence, wants logits) entries, in one batch."""
        b = self.batch
        b.n_tokens = len(entries)
        for i, (tok, pos, seq, logits) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = logits
        rc = llama_cpp.llama_decode(self.ctx, b)
        if rc != 0:
            raise ModelError(f"llama_decode failed with code {rc} in a batch of sub-calls",
                             fix="set RLM_SUBCALL_PARALLEL=1, or make the snippets shorter")

    def _share_prefix(self, prompts: list[list[int]]) -> int:
        """Hold the prompts' common prefix in the prefix sequence; its length."""
        common = min(len(p) for p in prompts) - 1  # each evaluates at least its last token
        first = prompts[0]
        for p in prompts[1:]:
            common = min(common, _common(first, p))
        common = max(common, 0)
        keep = _common(self.prefix, first[:common])
        llama_cpp.llama_memory_seq_rm(self.mem, self.prefix_seq, keep, -1)
        del self.prefix[keep:]
        for start in range(keep, common, self.n_batch):
            chunk = first[start:min(common, start + self.n_batch)]
            self._decode([(t, start + i, self.prefix_seq, False) for i, t in enumerate(chunk)])
            self.prefix.extend(chunk)
        return common

    # ---- generation -----------------------------------------------------------

    def generate(self, requests: list[Request]) -> list[Generation]:
        """Every request's Generation, in request order."""
        backend = self.backend
        prompts = [backend.prompt_tokens(r.prompt) for r in requests]
        window = int(backend.context_size)
        for r, p in zip(requests, prompts, strict=True):
            if r.max_tokens < 0:
                raise ModelError(f"max_tokens must be >= 0, not {r.max_tokens}")
            if not p:
                raise ModelError("the prompt is empty", fix="pass a non-empty prompt")
            if len(p) >= window:
                raise ModelError(
                    f"the prompt has {len(p)} tokens but the context holds {window}",
                    fix="shorten the prompt or load the model with a larger context",
                    prompt_tokens=len(p), context_size=window)
        prefix = self._share_prefix(prompts)
        out: list[Generation | None] = [None] * len(requests)
        waiting = deque(range(len(requests)))
        free = list(range(self.n_seq))
        active: dict[int, _Sequence] = {}
        try:
            while waiting or active:
                self._admit(requests, prompts, prefix, waiting, free, active, out)
                if not active:
                    continue
                entries, owners = self._step_entries(active)
                self._decode(entries)
                for j, seq in owners:
                    q = active[seq]
                    if q.t_first is None:
                        q.t_first = time.perf_counter()
                    logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.ctx, j),
                                                   shape=(self.main.n_vocab,))
                    if self._advance(q, logits):
                        out[q.index] = self._release(seq, active, free)
        finally:
            for seq in list(active):
                self._release(seq, active, free)
        assert all(g is not None for g in out)
        return [g for g in out if g is not None]

    def _admit(self, requests: list[Request], prompts: list[list[int]], prefix: int,
               waiting: deque[int], free: list[int], active: dict[int, _Sequence],
               out: list[Generation | None]) -> None:
        while waiting and free:
            i = waiting.popleft()
            req = requests[i]
            g = CompiledGrammar(self.main.vocab, req.grammar, self.main.buffer) \
                if req.grammar is not None else None
            q = _Sequence(i, req, prompts[i], prefix, g, int(self.backend.context_size))
            if req.max_tokens == 0 or (g is not None and self.main._grammar_finished(g, q.stats)):
                q.reason = "eos" if req.max_tokens else "length"
                out[i] = q.result()  # nothing to generate (as Decoder.generate: no token)
                if g is not None:
                    g.close()
                continue
            seq = free.pop(0)
            # The prefix sequence holds exactly the prefix: copy it whole (between separate
            # KV streams llama.cpp copies only whole sequences, and asserts otherwise).
            llama_cpp.llama_memory_seq_cp(self.mem, self.prefix_seq, seq, -1, -1)
            active[seq] = q

    def _step_entries(self, active: dict[int, _Sequence]
                      ) -> tuple[list[tuple[int, int, int, bool]], list[tuple[int, int]]]:
        """This step's batch: each generating sequence's next token, then prompt chunks."""
        entries: list[tuple[int, int, int, bool]] = []
        owners: list[tuple[int, int]] = []  # (batch index, sequence) of entries with logits
        for seq, q in active.items():
            if not q.pending and q.next is not None:
                owners.append((len(entries), seq))
                entries.append((q.next, q.pos, seq, True))
                q.pos += 1
                q.next = None
        for seq, q in active.items():
            room = self.n_batch - len(entries)
            if not q.pending or room <= 0:
                continue
            chunk, q.pending = q.pending[:room], q.pending[room:]
            for k, tok in enumerate(chunk):
                last = not q.pending and k == len(chunk) - 1
                if last:
                    owners.append((len(entries), seq))
                entries.append((tok, q.pos, seq, last))
                q.pos += 1
        return entries, owners

    def _advance(self, q: _Sequence, logits: np.ndarray) -> bool:
        """Pick q's next token (Decoder.generate's rules); True when q is finished."""
        main = self.main
        if q.pos >= q.limit:
            return True  # reason stays "length": the window is full
        tg = time.perf_counter()
        tok = main._pick(logits, q.g, q.req.temperature, q.rng, q.stats)
        if tok in main._eog_set:
            q.reason = "eos"
            return True
        if q.g is not None:
            q.g.accept(tok)
            q.stats["grammar_seconds"] += time.perf_counter() - tg
        q.n_gen += 1
        prev = len(q.text)
        q.text += q.utf8.decode(main.piece(tok))
        if q.stops:
            found = [q.text.find(s, max(0, prev - q.hold)) for s in q.stops]
            cut = min((i for i in found if i >= 0), default=-1)
            if cut >= 0:
                q.text = q.text[:cut]
                q.reason = "stop"
                return True
        if q.g is not None:
            tg = time.perf_counter()
            finished = main._grammar_finished(q.g, q.stats)
            q.stats["grammar_seconds"] += time.perf_counter() - tg
            if finished:
                q.reason = "eos"
                return True
        if q.n_gen >= q.req.max_tokens:
            return True
        q.next = tok
        return False

    def _release(self, seq: int, active: dict[int, _Sequence], free: list[int]) -> Generation:
        q = active.pop(seq)
        llama_cpp.llama_memory_seq_rm(self.mem, seq, -1, -1)
        free.append(seq)
        free.sort()
        if q.g is not None:
            q.g.close()
        return q.result()

    def close(self) -> None:
        if self.batch is not None:
            llama_cpp.llama_batch_free(self.batch)
            self.batch = None
        if self.ctx:
            llama_cpp.llama_free(self.ctx)
            self.ctx = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
