"""http.get: one GET request to a host the policy grants by name.

The grant is checked on `host:port` of the URL (the default port of the
scheme when none is written), here and again on every redirect, so a
granted host cannot bounce the request to one that is not granted. Only
http and https are allowed, proxies from the environment are ignored (the
request goes where the URL says, and nowhere else), the body is capped in
size and the whole request in time.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from rlmlang.paths import PermissionDenied
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
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ToolError(f"http.get: only http and https URLs are allowed, not {url[:60]!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise ToolError(f"http.get: the URL {url[:60]!r} has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ToolError(f"http.get: the URL {url[:60]!r} has a bad port") from None
    return f"{host}:{port}"


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
    start = time.monotonic()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _Redirects(ctx))
    req = urllib.request.Request(url, headers={"User-Agent": "rlmlang http.get"})
    try:
        with opener.open(req, timeout=budget) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BODY:
                raise ToolError(f"http.get: the response is {length} bytes, more than the "
                                f"{MAX_BODY} allowed")
            chunks: list[bytes] = []
            got = 0
            while True:
                if time.monotonic() - start > budget:
                    raise ToolError(f"http.get: the request took more than {budget:.0f} s")
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > MAX_BODY:
                    raise ToolError(f"http.get: the response is more than the {MAX_BODY} "
                                    "bytes allowed")
                chunks.append(chunk)
            charset = resp.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as e:
        raise ToolError(f"http.get: the server answered {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, (ToolError, PermissionDenied)):
            raise e.reason from None
        raise ToolError(f"http.get: cannot fetch {url[:80]!r}: {e.reason}") from None
    except TimeoutError:
        raise ToolError(f"http.get: the request took more than {budget:.0f} s") from None
    except OSError as e:
        raise ToolError(f"http.get: cannot fetch {url[:80]!r}: {e}") from None
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
