"""Host names in one canonical form, so a policy compares what a connection reaches.

A host can be spelled many ways that reach the same machine: `127.1`,
`2130706433`, `0x7f.0.0.1` and `[::ffff:127.0.0.1]` are all 127.0.0.1;
`LOCALHOST.` is `localhost`; `bücher.example` is `xn--bcher-kva.example`.
Comparing rules with resources as text lets every other spelling past a deny
rule, so both sides are brought to one form first:

- a name is lower-cased, loses one trailing dot, and is IDNA-encoded
  (UTS #46, as browsers do);
- a name whose last label is a number (`127.1`, `0x7f.1`, `2130706433`) is
  an IPv4 address in the inet_aton forms the OS resolver accepts, and
  becomes a dotted quad (the WHATWG URL rule); one that does not parse is
  refused, not guessed at;
- an IPv6 literal becomes its compressed form in brackets; an IPv4-mapped
  one (`::ffff:a.b.c.d`) becomes the IPv4 address it reaches;
- a port loses leading zeros and must be 1..65535.

`is_loopback` names the addresses that reach this machine whatever their
spelling (127.0.0.0/8, 0.0.0.0/8, ::1, ::, `localhost`, `*.localhost`):
a deny rule on any of them denies them all (see policy/globs.py).
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"[a-z0-9_-]+")
_NUMERIC = re.compile(r"(?:0[x][0-9a-f]*|[0-9]+)")
_PORT = re.compile(r"[0-9]{1,5}")
# ASCII that no host spelling holds (a URL's '/', '@', '%', spaces, ...).
_NOT_HOST_CHAR = re.compile(r"[\x00-\x2c/;-@\\^`{-\x7f]")
_NOT_A_HOST = "it is not a host name (expected NAME or NAME:PORT, e.g. api.example.com:443)"


def split_port(resource: str) -> tuple[str, str | None] | None:
    """`host[:port]` or `[v6][:port]` into its parts; None when it has neither shape."""
    if resource.startswith("["):
        end = resource.find("]")
        if end < 0:
            return None
        host, rest = resource[1:end], resource[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        return "[" + host + "]", (rest[1:] if rest else None)
    if resource.count(":") > 1:
        return None  # an IPv6 address must be written in brackets
    host, colon, port = resource.partition(":")
    return host, (port if colon else None)


def canonical_port(port: str) -> tuple[str | None, str | None]:
    if not _PORT.fullmatch(port) or not 0 < int(port) <= 65535:
        return None, f"the port {port!r} is not a number from 1 to 65535"
    return str(int(port)), None


def _ipv4_number(part: str) -> int | None:
    """One part of an inet_aton address: decimal, octal (leading 0) or hex (0x)."""
    if part.startswith("0x"):
        digits = part[2:]
        return int(digits, 16) if digits else 0
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(c in "01234567" for c in part) else None
    return int(part) if part.isdigit() else None


def _ipv4(name: str) -> str | None:
    """The dotted quad an inet_aton spelling means (1 to 4 parts), or None."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC.fullmatch(p) for p in parts):
        return None
    nums = [_ipv4_number(p) for p in parts]
    if any(n is None for n in nums):
        return None
    *head, last = nums
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(nums)):  # type: ignore[operator]
        return None
    value = last  # type: ignore[assignment]
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))  # type: ignore[operator]
    return str(ipaddress.IPv4Address(value))


def canonical_name(host: str) -> tuple[str | None, str | None]:
    """A host (no port) in canonical form, or why it is not a host."""
    if host.startswith("["):
        inner = host[1:-1]
        if "%" in inner:
            return None, "an IPv6 zone (%) is not allowed in a host"
        try:
            addr = ipaddress.IPv6Address(inner)
        except ValueError:
            return None, f"{host!r} is not an IPv6 address"
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped), None
        return f"[{addr.compressed}]", None
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]  # the root label: `example.com.` is `example.com`
    if not host.isascii():
        try:
            import idna

            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None, "it is not a valid internationalised host name"
    host = host.lower()
    labels = host.split(".")
    if any(not lab for lab in labels):
        return None, "a host name has an empty label (two dots, or a dot at an end)"
    if any(not _LABEL.fullmatch(lab) for lab in labels):
        return None, _NOT_A_HOST
    if _NUMERIC.fullmatch(labels[-1]):
        quad = _ipv4(host)
        if quad is None:
            return None, f"{host!r} ends in a number but is not an IPv4 address"
        return quad, None
    return host, None


def canonical_host(resource: str) -> tuple[str | None, str | None]:
    """`host[:port]` in canonical form (see the module doc), or why it is refused."""
    if not resource or not resource.isprintable() or _NOT_HOST_CHAR.search(resource):
        return None, _NOT_A_HOST
    parts = split_port(resource)
    if parts is None:
        return None, _NOT_A_HOST
    host, port = parts
    name, problem = canonical_name(host)
    if name is None:
        return None, problem
    if port is None:
        return name, None
    port, problem = canonical_port(port)
    if port is None:
        return None, problem
    return f"{name}:{port}", None


def host_part(normal: str) -> str:
    """The host of a canonical `host[:port]`."""
    parts = split_port(normal)
    return parts[0] if parts else normal


def port_part(normal: str) -> str | None:
    parts = split_port(normal)
    return parts[1] if parts else None


def is_loopback(host: str) -> bool:
    """Whether a canonical host (no port) always reaches this machine."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    text = host[1:-1] if host.startswith("[") else host
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        return addr.is_loopback or addr.is_unspecified
    return addr.is_loopback or addr in ipaddress.IPv4Network("0.0.0.0/8")
