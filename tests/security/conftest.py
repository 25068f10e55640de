"""Fixtures for the attack corpus: a loopback HTTP server, a policy, a script runner.

Everything here is the real thing: the parser, verifier, VM, tools, policy,
state store and log. Only the model is scripted (tests/fakes.py).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parent.parent
for extra in (_TESTS, _TESTS / "tools"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


class _Handler(BaseHTTPRequestHandler):
    """`/ok` answers at once; `/drip` sends its headers, then one byte a second."""

    hits: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        _Handler.hits.append(self.path)
        try:
            if self.path == "/drip":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.25)
            elif self.path == "/drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for i in range(1000):
                    self.wfile.write(f"X-{i}: y\r\n".encode())
                    self.wfile.flush()
                    time.sleep(0.25)
            else:
                body = b"reached\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up, as it should


@pytest.fixture(scope="session")
def server() -> Iterator[int]:
    """A server listening on every local address (so any spelling of loopback reaches it)."""
    srv = ThreadingHTTPServer(("0.0.0.0", 0), _Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture()
def hits() -> Iterator[list[str]]:
    _Handler.hits.clear()
    yield _Handler.hits
