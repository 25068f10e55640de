"""llama.cpp's GBNF engine, driven one token at a time, safely.

This wraps `llama_sampler_init_grammar` / `llama_sampler_apply` /
`llama_sampler_accept` so that the two ways they crash the process cannot
happen: a grammar llama.cpp cannot parse gives a NULL sampler (which
segfaults at the first use), so every grammar is compiled and checked here
and refused with a `GrammarError` quoting llama.cpp's own parse message; and
accepting a token the grammar forbids aborts the process, so `accept` is only
ever called after `allows` said yes.

The engine is the reference for which texts a grammar accepts: the fast
decoding loop and the acceptance oracle both ask it, never a re-implementation.
"""

from __future__ import annotations

import ctypes
import hashlib
import re

import llama_cpp
import numpy as np

from rlmlang.backend import llamalog
from rlmlang.backend.base import GrammarError

# Layout of llama_token_data {int32 id; float logit; float p;}.
TOKEN_DATA = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])
assert TOKEN_DATA.itemsize == ctypes.sizeof(llama_cpp.llama_token_data)

_RULE_NAME_UNDERSCORE = re.compile(r"^\s*([A-Za-z0-9-]*_[A-Za-z0-9_-]*)\s*::=", re.M)
_ROOT_RULE = re.compile(r"^\s*root\s*::=", re.M)


def grammar_hash(gbnf: str) -> str:
    return hashlib.sha256(gbnf.encode("utf-8")).hexdigest()


class TokenBuffer:
    """A reusable llama_token_data array of the vocabulary's size."""

    def __init__(self, n_vocab: int):
        self.n_vocab = n_vocab
        self._raw = (llama_cpp.llama_token_data * max(n_vocab, 1))()
        self.view = np.frombuffer(self._raw, dtype=TOKEN_DATA)
        self._arr = llama_cpp.llama_token_data_array(
            data=ctypes.cast(self._raw, llama_cpp.llama_token_data_p),
            size=0, selected=-1, sorted=False,
        )
        self._arr_ref = ctypes.byref(self._arr)
        self._all_ids = np.arange(n_vocab, dtype=np.int32)

    def apply(self, sampler: ctypes.c_void_p, ids: np.ndarray | None) -> np.ndarray:
        """Run the grammar over `ids` (None: the whole vocabulary); True = allowed."""
        n = self.n_vocab if ids is None else len(ids)
        view = self.view
        view["id"][:n] = self._all_ids if ids is None else ids
        view["logit"][:n] = 0.0
        self._arr.size = n
        self._arr.selected = -1
        self._arr.sorted = False
        llama_cpp.llama_sampler_apply(sampler, self._arr_ref)
        return view["logit"][:n] != -np.inf

    def allows_one(self, sampler: ctypes.c_void_p, token: int) -> bool:
        """The one-element check: cheap, independent of the vocabulary size."""
        self._raw[0].id = token
        self._raw[0].logit = 0.0
        self._arr.size = 1
        self._arr.selected = -1
        llama_cpp.llama_sampler_apply(sampler, self._arr_ref)
        return self._raw[0].logit != -np.inf


def precheck(gbnf: str) -> None:
    """Refuse grammars llama.cpp would reject, with a plainer message than its own."""
    if not isinstance(gbnf, str) or not gbnf.strip():
        raise GrammarError("the grammar is empty", fix="pass GBNF text with a `root ::= ...` rule")
    if "\x00" in gbnf:
        raise GrammarError("the grammar text contains a NUL character",
                           fix="remove it; llama.cpp can never emit NUL (use \\x01-\\xff ranges)")
    m = _RULE_NAME_UNDERSCORE.search(gbnf)
    if m:
        fixed = m.group(1).replace("_", "-")
        raise GrammarError(
            f"GBNF rule name {m.group(1)!r} contains '_'; llama.cpp rule names take letters, "
            "digits and '-' only",
            fix=f"rename it to {fixed!r}",
        )
    if not _ROOT_RULE.search(gbnf):
        raise GrammarError("the grammar has no `root ::=` rule",
                           fix="name the start rule `root`")


class CompiledGrammar:
    """A grammar sampler bound to one vocabulary, never NULL, never misused."""

    def __init__(self, vocab: ctypes.c_void_p, gbnf: str, buffer: TokenBuffer):
        precheck(gbnf)
        self.gbnf = gbnf
        self.hash = grammar_hash(gbnf)
        self.buffer = buffer
        with llamalog.capture() as log:
            ptr = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
        if not ptr:
            reasons = [line.strip() for line in log if "error parsing grammar" in line
                       or "left recursion" in line.lower() or "error" in line.lower()]
            detail = "; ".join(r.split("error parsing grammar: ")[-1] for r in reasons)
            raise GrammarError(
                "llama.cpp refused the GBNF grammar"
                + (f": {detail[:300]}" if detail else " (no reason given)"),
                fix="check rule names (letters, digits, '-'), undefined rules, left "
                "recursion and repetition bounds (at most 2000 expanded repetitions)",
                grammar_sha256=self.hash,
            )
        self._ptr = ptr

    def reset(self) -> None:
        llama_cpp.llama_sampler_reset(self._ptr)

    def allows(self, token: int) -> bool:
        return self.buffer.allows_one(self._ptr, token)

    def filter(self, ids: np.ndarray | None) -> np.ndarray:
        return self.buffer.apply(self._ptr, ids)

    def accept(self, token: int) -> None:
        """Advance the grammar; only ever called after `allows(token)` (else llama.cpp aborts)."""
        llama_cpp.llama_sampler_accept(self._ptr, token)

    def close(self) -> None:
        if self._ptr:
            llama_cpp.llama_sampler_free(self._ptr)
            self._ptr = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
