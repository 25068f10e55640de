"""Permission kinds: what each one's scopes look like, and the caps it has.

A rule names a kind (`fs.read`, `net`, `llm`, a plugin's `weather.read`); the
kind's scope *style* (path, host, key, name or none) decides how its scopes
are parsed, normalised and matched. Plugins add kinds with `register_kind`;
the built-in namespaces are reserved, so a typo (`fs.raed`) is an error, not
a new plugin kind.
"""

from __future__ import annotations

import re
from typing import Literal

Style = Literal["path", "host", "key", "name", "none"]

# Built-in kinds and their scope styles. Plugins add theirs with register_kind.
STYLES: dict[str, str] = {
    "fs.read": "path",
    "fs.write": "path",
    "fs.list": "path",
    "net": "host",
    "llm": "none",
    "clock": "none",
    "state.read": "key",
    "state.write": "key",
}
# Namespaces that belong to built-in kinds: `fs.raed` is a typo, not a plugin.
RESERVED = ("fs", "net", "llm", "clock", "state")

KIND_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")

# The caps each built-in kind has, and the tool that enforces each one.
CAP_KEYS: dict[str, dict[str, str]] = {
    "llm": {"calls": "llm.predict and llm.run count their calls, nested runs included",
            "tokens": "the sub-model calls count the tokens they generate"},
    "fs.read": {"bytes": "fs.read reads at most this many bytes of a file"},
    "fs.write": {"bytes": "fs.write writes at most this many bytes"},
    "net": {"bytes": "http.get reads at most this many bytes of a response"},
}


def register_kind(kind: str, style: str = "name") -> None:
    """Declare a plugin permission kind and its scope style (default: names)."""
    if not KIND_RE.fullmatch(kind) or "." not in kind:
        raise ValueError(f"plugin permission kinds are dotted lower-case names like 'foo.bar', not {kind!r}")
    if kind.split(".")[0] in RESERVED and STYLES.get(kind) != style:
        raise ValueError(f"the namespace of {kind!r} is reserved for built-in kinds")
    if style not in ("path", "host", "key", "name", "none"):
        raise ValueError(f"unknown scope style {style!r}")
    STYLES[kind] = style


def kind_style(kind: str) -> str:
    """The scope style of a kind; unknown dotted kinds are plugin kinds (names)."""
    return STYLES.get(kind, "name")
