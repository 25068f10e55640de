"""Routing of llama.cpp's log output.

llama.cpp reports through one process-wide log callback; by default
llama-cpp-python prints its errors to stderr, so loading a model or parsing a
bad grammar sprays text over the user's terminal. We install our own callback
once: messages are kept in a small ring buffer (so a grammar parse error can
be quoted in the diagnostic that explains it) and echoed to stderr only when
RLM_LLAMA_LOG=1. `capture()` also catches what llama.cpp writes straight to
the C stderr around the calls known to do so (grammar parsing, loading).
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import llama_cpp
import llama_cpp._logger  # noqa: F401  (installs its callback first; ours replaces it)

_lock = threading.Lock()
_buffer: deque[str] = deque(maxlen=400)
_echo = os.environ.get("RLM_LLAMA_LOG", "") == "1"


@llama_cpp.llama_log_callback
def _callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    msg = text.decode("utf-8", errors="replace") if text else ""
    with _lock:
        _buffer.append(msg)
    if _echo:
        print(msg, end="", file=sys.stderr, flush=True)


_installed = False


def install() -> None:
    """Install the quiet callback (idempotent)."""
    global _installed
    if not _installed:
        llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
        _installed = True


@contextmanager
def capture() -> Iterator[list[str]]:
    """Collect the log lines emitted inside the block.

    Some llama.cpp messages (the grammar parser's) bypass the callback and go
    straight to the C stderr, so file descriptor 2 is redirected to a
    temporary file for the duration too.
    """
    install()
    out: list[str] = []
    with _lock:
        _buffer.clear()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield out
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            raw = tmp.read().decode("utf-8", errors="replace")
            with _lock:
                out.extend(_buffer)
            out.extend(line + "\n" for line in raw.splitlines())
            if _echo and raw:
                print(raw, end="", file=sys.stderr, flush=True)


install()
