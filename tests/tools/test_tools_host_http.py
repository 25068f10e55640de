"""http.get against a real HTTP server on loopback: grants, redirects, size and time limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tools_helpers import spec

from rlmlang.paths import PermissionDenied
from rlmlang.policy import Policy
from rlmlang.tools.context import ToolContext, ToolFailure, invoke
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host import http


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout tests)

    def _answer(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/ok":
            self._send(200, b"status: green\nversion 1.2\n",
                       {"Content-Type": "text/plain; charset=utf-8"})
        elif self.path == "/latin":
            self._send(200, "café".encode("latin-1"), {"Content-Type": "text/plain; charset=latin-1"})
        elif self.path == "/big":
            self._send(200, b"x" * 5000)
        elif self.path == "/liar":  # no Content-Length, a long body
            self.send_response(200)
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"y" * 1000)
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late")
        elif self.path == "/redirect-in":
            self._send(302, b"", {"Location": f"http://127.0.0.1:{port}/ok"})
        elif self.path == "/redirect-out":
            self._send(302, b"", {"Location": f"http://localhost:{port}/ok"})
        else:
            self._send(404, b"no")


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


def ctx(allow: list[str], deny: tuple[str, ...] = ()) -> ToolContext:
    return ToolContext(policy=Policy.from_rules(allow, list(deny), "."))


def get(c: ToolContext, url: str) -> str:
    return spec("http.get").impl(c, url)


def test_get_granted_host(server: int) -> None:
    c = ctx(["net:127.0.0.1"])
    assert get(c, f"http://127.0.0.1:{server}/ok") == "status: green\nversion 1.2\n"
    assert get(c, f"http://127.0.0.1:{server}/latin") == "café"
    assert get(c, f"http://127.0.0.1:{server}/redirect-in").startswith("status: green")


def test_port_scoped_grant(server: int) -> None:
    assert get(ctx([f"net:127.0.0.1:{server}"]), f"http://127.0.0.1:{server}/ok")
    with pytest.raises(PermissionDenied):
        get(ctx(["net:127.0.0.1:1"]), f"http://127.0.0.1:{server}/ok")


@pytest.mark.parametrize("allow", [[], ["net:example.com"], ["fs.read:**"]])
def test_denied_without_a_grant(server: int, allow: list[str]) -> None:
    with pytest.raises(PermissionDenied) as e:
        get(ctx(allow), f"http://127.0.0.1:{server}/ok")
    assert e.value.code == "E_PERMISSION"


def test_deny_rule_wins(server: int) -> None:
    with pytest.raises(PermissionDenied) as e:
        get(ctx(["net:*"], deny=("net:127.0.0.1",)), f"http://127.0.0.1:{server}/ok")
    assert e.value.code == "E_DENIED"


def test_redirect_to_an_ungranted_host_is_refused(server: int) -> None:
    with pytest.raises(PermissionDenied):
        get(ctx(["net:127.0.0.1"]), f"http://127.0.0.1:{server}/redirect-out")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "http:///x",
                                 "http://127.0.0.1:99999/x"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ToolError):
        get(ctx(["net:*"]), url)


def test_size_limits(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "MAX_BODY", 4000)
    c = ctx(["net:127.0.0.1"])
    with pytest.raises(ToolError, match="5000 bytes, more than the 4000 allowed"):
        get(c, f"http://127.0.0.1:{server}/big")
    with pytest.raises(ToolError, match="more than the 4000"):
        get(c, f"http://127.0.0.1:{server}/liar")


def test_time_limit(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "TIMEOUT", 0.3)
    start = time.monotonic()
    with pytest.raises(ToolError, match="took more than|timed out"):
        get(ctx(["net:127.0.0.1"]), f"http://127.0.0.1:{server}/slow")
    assert time.monotonic() - start < 1.4


def test_run_deadline_caps_the_request(server: int) -> None:
    c = ctx(["net:127.0.0.1"])
    c.deadline = time.monotonic() - 1
    with pytest.raises(ToolError, match="time budget"):
        get(c, f"http://127.0.0.1:{server}/ok")


def test_http_errors_are_plain(server: int) -> None:
    with pytest.raises(ToolError, match="404"):
        get(ctx(["net:127.0.0.1"]), f"http://127.0.0.1:{server}/missing")


def test_through_invoke_is_recorded(server: int) -> None:
    records: list[dict] = []
    c = ctx(["net:127.0.0.1"])
    c.recorder = records.append
    s = spec("http.get")
    url = f"http://127.0.0.1:{server}/ok"
    try:
        body = invoke(c, s, [url])
    except ToolFailure as e:  # the runtime check must map URLs to hosts (extra["resource"])
        pytest.fail(f"invoke refused a granted URL: {e.message}")
    assert body.startswith("status") and records[-1]["result"] == body


def test_verifier_and_runtime_see_the_host(server: int) -> None:
    from tools_helpers import run_script

    pol = Policy.from_rules([f"net:127.0.0.1:{server}"], [], ".")
    r = run_script(f'page = http.get("http://127.0.0.1:{server}/ok")\n'
                   'submit(value_after(find_line(page, "version"), "version"))', policy=pol)
    assert r.status == "submitted" and r.value == "1.2", r.diagnostics
    with pytest.raises(AssertionError, match="E_PERMISSION"):
        run_script('submit(http.get("http://localhost:1/x"))', policy=pol)


def test_url_resource_pieces() -> None:
    assert http.url_resource_pieces(("https://Api.Example.com/v1/", object())) == \
        ("api.example.com:443",)
    odd = ("http://", object())
    assert http.url_resource_pieces(odd) == odd
