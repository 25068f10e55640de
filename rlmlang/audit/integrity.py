"""Integrity: is this file an intact run log, and does its state store agree with it?

The chain and the HMAC are `runlog.check_bytes`'s work; this module adds what
only the audit knows about:

- the inputs kept in the state store (`input.<name>` blobs) must hash to the
  fingerprints `run_start` recorded, or the replay would run on other data;
- every `state_commit` in the log must match the store's own diff for that
  version, byte for byte (canonical JSON);
- a problem that makes the file unreadable as a log (empty, binary, not
  JSON, another format version) is *fatal*: nothing after it can be trusted
  to mean anything, and the audit says so instead of guessing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from rlmlang.audit.recorded import read_blob
from rlmlang.audit.runview import Event, input_sha256, parse_lines
from rlmlang.controller.resume import resolve_state_path
from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.runlog import check_bytes
from rlmlang.store import canonical_json, loads

# Reasons after which the file cannot be read as events at all.
FATAL_REASONS = frozenset({"empty", "binary", "not_json", "not_event", "version", "crlf"})


@dataclass
class Integrity:
    path: str
    problems: list[Diagnostic] = field(default_factory=list)
    store_problems: list[Diagnostic] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    lines: int = 0
    signed: bool = False  # the log carries mac fields
    key_given: bool = False
    last_hash: str = ""
    fatal: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems and not self.store_problems

    def to_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "lines": self.lines, "signed": self.signed,
                "hmac_checked": self.signed and self.key_given, "last_hash": self.last_hash,
                "fatal": self.fatal, "problems": [d.to_json() for d in self.problems],
                "store_problems": [d.to_json() for d in self.store_problems],
                "notes": list(self.notes)}


def check_log(path: str, hmac_key: bytes | None = None) -> Integrity:
    """Chain, HMAC, canonical form, event kinds and run shape, each problem by line."""
    import hashlib

    result = Integrity(path, key_given=hmac_key is not None)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        result.problems.append(Diagnostic(
            "E_LOG", f"cannot read the log: {e.strerror or e}", None, path,
            data={"reason": "unreadable"}))
        result.fatal = True
        return result
    result.problems = check_bytes(raw, path, hmac_key)
    result.lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
    if any(d.data.get("reason") in FATAL_REASONS and d.line <= 1 for d in result.problems) \
            or any(d.data.get("reason") in ("binary", "crlf", "empty") for d in result.problems):
        result.fatal = True
        return result
    result.events = parse_lines(raw)
    if not result.events:  # e.g. a single line cut mid-JSON: nothing to audit
        result.fatal = True
        return result
    result.signed = raw.startswith(b"{") and b',"mac":"' in raw.split(b"\n", 1)[0]
    whole = raw[:-1].rsplit(b"\n", 1)[-1] if raw.endswith(b"\n") else b""
    result.last_hash = hashlib.sha256(whole).hexdigest() if whole else ""
    if not result.signed:
        result.notes.append("the log is not signed (no HMAC): the chain proves the lines "
                            "agree with each other, not who wrote them")
    elif hmac_key is None:
        result.notes.append("the log is signed, but no key was given: the signatures were "
                            "not checked (pass --hmac-key-file)")
    return result


def check_store(result: Integrity, start: Event | None, commits: list[Event],
                store: Any, store_path: str) -> None:
    """The state store against the log: input fingerprints and every committed diff."""
    def problem(line: int, message: str, fix: str | None = None, **data: Any) -> None:
        result.store_problems.append(Diagnostic(
            "E_LOG", message, Span(line, 1, line, 2) if line else None, result.path, fix=fix,
            data={"store": store_path, **data}))

    if start is None:
        return
    for name, rec in sorted((start.data.get("inputs") or {}).items()):
        text, why = read_blob(store, f"input.{name}")
        if text is None:
            problem(start.line, f"the state store {store_path} does not hold a readable input "
                    f"'{name}' that run_start records ({why})", reason="store_input")
            continue
        want = rec.get("sha256") if isinstance(rec, dict) else None
        got = input_sha256(text)
        if want != got:
            try:
                got = input_sha256(loads(text))  # a non-text input is kept as JSON
            except ValueError:
                pass
        if want != got:
            problem(start.line, f"input '{name}' in the state store {store_path} does not match "
                    f"the log (sha256 {got[:12]}… in the store, {str(want)[:12]}… in run_start "
                    f"at line {start.line}): the store was changed or belongs to another run",
                    reason="store_input", input=name)
    top = store.version
    for ev in commits:
        version = ev.data.get("version")
        if not isinstance(version, int) or not 1 <= version <= top:
            problem(ev.line, f"line {ev.line}: state_commit records version {version!r}, but the "
                    f"state store {store_path} has versions 1..{top}", reason="store_version")
            continue
        try:
            have = store.diff(version)
        except Exception as e:  # a damaged store is a finding, not a crash
            problem(ev.line, f"line {ev.line}: the state store's version {version} cannot be "
                    f"read ({type(e).__name__}: {e})", reason="store_diff")
            continue
        if canonical_json(have) != canonical_json(ev.data.get("diff")):
            problem(ev.line, f"line {ev.line}: the state diff of version {version} in the log "
                    f"differs from the state store's: log {_short(ev.data.get('diff'))}, "
                    f"store {_short(have)}", reason="store_diff", version=version)


def _short(value: Any, limit: int = 160) -> str:
    text = canonical_json(value)
    return text if len(text) <= limit else text[:limit] + "…"


def state_path_for(log_path: str, start: Event | None, override: str | None = None) -> str:
    """Where the run's state store is: the given path, beside the log, or where it was."""
    if override:
        return override
    from pathlib import Path

    beside = log_path + ".state"
    if os.path.exists(beside):
        return beside
    recorded = resolve_state_path(start.data, Path(log_path)) if start is not None else None
    if recorded is not None and os.path.exists(recorded):
        return str(recorded)
    return beside
