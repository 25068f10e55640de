"""Normal forms of resources, before any rule sees them.

A path is normalised lexically under the policy root (no '..', nothing
outside the root), a host to its canonical form (hostnames.py, so every
spelling of one address is one string), a state key checked for its shape.
A resource with no normal form is refused whatever the grants.
"""

from __future__ import annotations

import os

from rlmlang.hostnames import canonical_host
from rlmlang.policy.backends import RE2Backend, re2_matcher
from rlmlang.policy.globs import Glob, build, key_valid


def normalise_path(resource: str, root: str) -> tuple[str | None, str | None]:
    """Lexical normal form of a path relative to `root`, or the problem with it."""
    if "\x00" in resource:
        return None, "the path contains a NUL character"
    if ".." in resource.split("/"):
        return None, "the path has a '..' component"
    if resource.startswith("/"):
        norm = os.path.normpath(resource)
        if norm == root:
            return ".", None
        if not norm.startswith(root.rstrip("/") + "/"):
            return None, f"the absolute path is outside the policy root {root}"
        resource = norm[len(root.rstrip("/")) + 1:]
    comps = [c for c in resource.split("/") if c not in ("", ".")]
    return ("/".join(comps) or "."), None


_HOST_RE = re2_matcher(build(RE2Backend("host"), Glob("host", everything=True)))
_KEY_RE = re2_matcher(key_valid(RE2Backend("key")))


def normalise(style: str, resource: str, root: str) -> tuple[str | None, str | None]:
    """A resource's normal form for its style, or why it is refused outright."""
    try:
        resource.encode("utf-8")
    except UnicodeEncodeError:
        return None, "it contains a lone surrogate, which no file, host or key name can hold"
    if style == "path":
        return normalise_path(resource, root)
    if style == "host":
        normal, problem = canonical_host(resource)
        if normal is None or not _HOST_RE.fullmatch(normal):
            return None, problem or "it is not a host name (expected NAME or NAME:PORT, e.g. " \
                "api.example.com:443)"
        return normal, None
    if style == "key":
        if not _KEY_RE.fullmatch(resource):
            return None, "it is not a state key (expected names joined by '.', e.g. notes.today)"
        return resource, None
    if not resource or "\x00" in resource:
        return None, "it is empty or contains a NUL character"
    return resource, None


def suggest(kind: str, normal: str) -> str:
    return f"{kind}:{normal}" if normal != "." else f"{kind}:**"


FIX_SHAPE = {
    "path": "use a plain relative path under the policy root, without '..'",
    "host": "use a host name such as api.example.com or api.example.com:443",
    "key": "use a state key such as notes.today",
    "name": "use a non-empty name",
    "none": "",
}
