"""http.get: one GET request to a host the policy grants by name.

The grant is checked on `host:port` of the URL (the default port of the
scheme when none is written), here and again on every redirect, so a
granted host cannot bounce the request to one that is not granted. Only
http and https are allowed, proxies from the environment are ignored (the
request goes where the URL says, and nowhere else), the body is capped in
size (MAX_BODY, and `net:bytes=N` over a script) and the whole request in
time.

Every connection goes through `_Guard`, which decides on what is really
connected, not on the URL's text: it checks the host the HTTP client is
about to connect to, resolves the name itself, refuses it when any address
it resolves to matches a deny rule (`net:*` with `--deny net:10.0.0.1` cannot
be reached through a name that points there, nor `--deny net:127.0.0.1`
through `localhost`), and connects to exactly the address it checked, so a
second DNS answer cannot change it. The total time is enforced by a timer
that shuts the sockets at the deadline: a server sending a byte a second
cannot keep a request alive past it.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.hostnames import host_part
from rlmlang.paths import PermissionDenied
from rlmlang.tools.context import cap_left, charge
from rlmlang.tools.declare import const_fuel, tool
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host.context import policy_of, seconds_left
from rlmlang.tools.registry import Permission, Size, ToolSpec

MAX_BODY = 8 << 20  # bytes of a response body
TIMEOUT = 20.0  # seconds for the whole request
MAX_REDIRECTS = 5
_CHUNK = 64 << 10


def url_resource(url: str) -> str:
    """The policy resource a URL touches: `host:port`, lower case (for the `net` grant)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as e:  # e.g. "http://[::1/x": an unclosed IPv6 bracket
        raise ToolError(f"http.get: {url[:60]!r} is not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https"):
        raise ToolError(f"http.get: only http and https URLs are allowed, not {url[:60]!r}")
    if not host:
        raise ToolError(f"http.get: the URL {url[:60]!r} has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ToolError(f"http.get: the URL {url[:60]!r} has a bad port") from None
    return _resource(host, port)


def _resource(host: str, port: int | str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def url_resource_pieces(pieces: tuple[Any, ...]) -> tuple[Any, ...]:
    """For the verifier: a URL known as literal and unknown pieces, as a `host:port` resource.

    When the literal start of the URL holds its whole host (up to the next
    '/', or the URL is all literal), the resource is known exactly; otherwise
    the pieces come back unchanged and the policy decides (reject, or guard
    at run time, where `url_resource` maps the real URL).
    """
    if pieces and all(isinstance(p, str) for p in pieces):
        try:
            return (url_resource("".join(pieces)),)
        except ToolError:
            return pieces
    head = pieces[0] if pieces and isinstance(pieces[0], str) else ""
    scheme, sep, rest = head.partition("://")
    if sep and "/" in rest:
        try:
            return (url_resource(f"{scheme}://{rest.split('/', 1)[0]}/"),)
        except ToolError:
            return pieces
    return pieces


def _check(ctx: Any, url: str) -> None:
    d = policy_of(ctx).check("net", url_resource(url))
    if not d.allowed:
        raise PermissionDenied(d.to_diagnostic(file="<runtime>"))


class _Guard:
    """One request's connections: checked on what they reach, cut at the deadline."""

    def __init__(self, policy: Any, seconds: float) -> None:
        self.policy = policy
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._timer.cancel()

    def create_connection(self, address: tuple[str, int], timeout: Any = None,
                          source_address: Any = None) -> socket.socket:
        """http.client's `_create_connection`, deciding on the host it really connects to."""
        host, port = address
        d = self.policy.check("net", _resource(host, port))
        if not d.allowed:
            raise PermissionDenied(d.to_diagnostic(file="<runtime>"))
        name = host_part(d.resource).strip("[]")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        for info in infos:
            ip = str(info[4][0]).split("%")[0]
            seen = self.policy.check("net", _resource(ip, port))
            if seen.code == "E_DENIED":
                raise PermissionDenied(Diagnostic(
                    "E_DENIED", f"net of {d.resource!r} is refused: it resolves to {ip}, which "
                    f"matches deny rule '{seen.rule}' (deny rules take precedence over grants)",
                    file="<runtime>", fix="deny rules cannot be overridden; use a host that "
                    "does not lead to a denied address",
                    data={"kind": "net", "resource": d.resource, "address": ip,
                          "rule": seen.rule}))
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            with self._lock:
                if self.fired:
                    sock.close()
                    raise TimeoutError
                self._socks.append(sock)
            try:
                sock.settimeout(max(0.001, self.deadline - time.monotonic()))
                sock.connect(sockaddr)  # the address checked above, not a new lookup
                return sock
            except OSError as e:
                error = e
                sock.close()
        raise error or OSError(f"{name} has no address")


def _pinned(base: type, guard: _Guard) -> type:
    class Pinned(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = guard.create_connection

    return Pinned


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: Any) -> Any:
        return self.do_open(_pinned(http.client.HTTPConnection, self.guard), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req: Any) -> Any:
        return self.do_open(_pinned(http.client.HTTPSConnection, self.guard), req,
                            context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a granted host, and only a few times."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.count = 0

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        self.count += 1
        if self.count > MAX_REDIRECTS:
            raise ToolError(f"http.get: more than {MAX_REDIRECTS} redirects")
        _check(self.ctx, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _get(ctx: Any, url: Any) -> str:
    if not isinstance(url, str):
        raise ToolError("http.get: url must be a str")
    _check(ctx, url)
    budget = seconds_left(ctx, TIMEOUT)
    left = cap_left(ctx, "net", "bytes")
    limit = MAX_BODY if left is None else min(MAX_BODY, left)
    what = "allowed" if left is None or left >= MAX_BODY else \
        f"left of the cap net:bytes={policy_of(ctx).cap('net', 'bytes')}"
    guard = _Guard(policy_of(ctx), budget)
    late = ToolError(f"http.get: the request took more than {budget:.3g} s (the whole "
                     "request, headers and body, has one deadline)")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _Redirects(ctx),
                                         _HTTP(guard), _HTTPS(guard))
    req = urllib.request.Request(url, headers={"User-Agent": "rlmlang http.get"})
    try:
        with opener.open(req, timeout=budget) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ToolError(f"http.get: the response is {length} bytes, more than the "
                                f"{limit} {what}")
            chunks: list[bytes] = []
            got = 0
            while True:
                chunk = resp.read1(_CHUNK)  # what has arrived: one slow byte is one read
                if guard.fired:
                    raise late
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    raise ToolError(f"http.get: the response is more than the {limit} "
                                    f"bytes {what}")
                chunks.append(chunk)
            charset = resp.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as e:
        raise ToolError(f"http.get: the server answered {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, (ToolError, PermissionDenied)):
            raise e.reason from None
        if guard.fired or isinstance(e.reason, TimeoutError):
            raise late from None
        raise ToolError(f"http.get: cannot fetch {url[:80]!r}: {e.reason}") from None
    except (TimeoutError, http.client.HTTPException, OSError) as e:
        if guard.fired or isinstance(e, TimeoutError):
            raise late from None
        raise ToolError(f"http.get: cannot fetch {url[:80]!r}: {e}") from None
    finally:
        guard.close()
    if guard.fired:
        raise late
    charge(ctx, "net", "bytes", got)
    data = b"".join(chunks)
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def http_specs() -> list[ToolSpec]:
    return [
        tool("http.get", "url: str", "str", _get,
             "The body of a web page or API answer (its host must be granted: net:HOST).",
             cost=const_fuel(16), size=lambda s: Size(MAX_BODY, 1), origin="host",
             permission=Permission("net", "url"), effect=True, resource=url_resource,
             resource_pieces=url_resource_pieces,
             example='page = http.get("http://127.0.0.1:8000/status")\n'
                     'submit(find_line(page, "version"))'),
    ]
