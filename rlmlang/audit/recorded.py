"""The world a logged run's scripts saw, rebuilt from the log and its state store.

Re-verification and replay must judge and run each script exactly as the
controller did, so they rebuild its `pipeline.ScriptSetup`: the signature,
budgets and policy from `run_start`, the inputs from the state store's
`input.<name>` blobs (checked against run_start's fingerprints by the
integrity pass), the store's schema, and the state at the version the script
ran against. The default tool registry stands in for the run's (the log does
not yet fingerprint the tool set; see docs/audit.md).

The recorded store is evidence, so it is never opened for writing: it is
copied with SQLite's backup API from a read-only connection, and every state
a script saw is rebuilt in a fresh in-memory store.

Without the state store, re-verification falls back to stand-in text inputs
of the recorded sizes (the verifier only uses a text input's length), and
says so; replay needs the real inputs and refuses.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.audit.runview import RunView
from rlmlang.diagnostics import DiagnosticError
from rlmlang.store import StateError, StateStore, loads
from rlmlang.task.signature import parse_signature
from rlmlang.tools import default_registry
from rlmlang.types import STR


@dataclass
class RecordedRun:
    view: RunView
    log_path: str
    store_path: str
    signature: Any = None
    inputs: dict[str, Any] | None = None
    placeholders: list[str] = field(default_factory=list)  # inputs stood in for by size
    policy: Any = None
    budgets: dict[str, Any] = field(default_factory=dict)
    registry: Any = None
    schema: dict[str, str] = field(default_factory=dict)
    schema_known: bool = False
    store: Any = None  # a private copy of the recorded StateStore, or None
    notes: list[str] = field(default_factory=list)
    blocked: str | None = None  # why scripts cannot be judged at all
    store_error: Any = None  # a Diagnostic: the store exists but cannot be read
    _tmp: Any = None
    _memo: dict[int, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        if self.policy is not None:
            return Path(str(self.policy.root))
        return Path.cwd()

    def state_store(self, version: int) -> Any:
        """A fresh in-memory store holding the recorded state at `version`."""
        mem = StateStore(":memory:", schema=self.schema)
        snap: dict[str, Any] = {}
        if self.store is not None and version:
            try:
                snap = self.store.snapshot(version)
            except StateError as e:  # the integrity pass reports the store as not the log's
                note = f"the state store cannot give version {version}: " + \
                    e.diagnostics[0].message
                if note not in self.notes:
                    self.notes.append(note)
        if snap:
            with mem.transaction({"restored_from": version}) as txn:
                for k, v in snap.items():
                    txn.set(k, v)
        return mem

    def cached_state(self, version: int) -> Any:
        if version not in self._memo:
            self._memo[version] = self.state_store(version)
        return self._memo[version]

    def setup(self, state: Any, policy: Any = ..., budgets: Any = None) -> Any:
        from rlmlang.pipeline import ScriptSetup  # lazy: keeps Z3 and lark out of start-up

        assert self.signature is not None and self.inputs is not None
        return ScriptSetup(
            registry=self.registry, inputs=self.inputs,
            input_types=self.signature.input_types(), output=self.signature.output.type,
            state=state, policy=self.policy if policy is ... else policy,
            budgets=self.budgets if budgets is None else budgets, root=self.root)

    def close(self) -> None:
        for s in self._memo.values():
            s.close()
        self._memo.clear()
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def read_blob(store: Any, name: str) -> tuple[str | None, str | None]:
    """A blob's text, or None and why not (absent, or the store was damaged)."""
    try:
        if store.blob_info(name) is None:
            return None, "absent"
        return store.get_blob(name), None
    except Exception as e:  # a damaged store: evidence of tampering, not a crash
        return None, f"unreadable ({type(e).__name__}: {e})"


def copy_store(path: str) -> tuple[Any, Any]:
    """A private copy of a state store (never writing to the original) and its temp dir.

    The copy goes to a temporary file; when the disk is too full for it, to
    memory, so a full disk is never mistaken for a damaged store.
    """
    try:
        tmp = tempfile.TemporaryDirectory(prefix="rlm-audit-")
    except OSError:  # no room even for a directory: copy to memory
        return StateStore.copy_of(path), None
    try:
        return StateStore.copy_of(path, os.path.join(tmp.name, "state.sqlite")), tmp
    except StateError as e:
        tmp.cleanup()
        if e.diagnostic.data.get("reason") in ("full", "io"):
            return StateStore.copy_of(path), None
        raise
    except BaseException:
        tmp.cleanup()
        raise


def rebuild(view: RunView, log_path: str, store_path: str) -> RecordedRun:
    """Everything needed to judge and run the logged scripts, or why it cannot be had."""

    from rlmlang.policy import Policy  # lazy: keeps Z3 out of start-up

    rec = RecordedRun(view, log_path, store_path)
    start = view.start
    if start is None:
        rec.blocked = "the log has no run_start event: the task, inputs and policy are unknown"
        return rec
    d = start.data
    try:
        rec.signature = parse_signature(str(d.get("signature", "")))
    except DiagnosticError as e:
        rec.blocked = f"run_start (line {start.line}) has no usable signature: " + \
            e.diagnostics[0].message
        return rec
    rec.budgets = dict(d.get("budgets") or {})
    if d.get("policy") is not None:
        try:
            rec.policy = Policy.from_json(d["policy"])
        except (DiagnosticError, KeyError, TypeError, ValueError) as e:
            rec.blocked = f"run_start (line {start.line}) records a policy this reader cannot " \
                f"load: {e}"
            return rec
    rec.registry = default_registry()
    if os.path.exists(store_path):
        try:
            rec.store, rec._tmp = copy_store(store_path)
        except DiagnosticError as e:  # a finding: the audit fails, saying which kind
            rec.store_error = e.diagnostics[0]
            rec.notes.append(f"the state store {store_path} cannot be read "
                             f"({e.diagnostics[0].message}); continuing without it")
    else:
        rec.notes.append(f"the state store {store_path} is missing: it holds the run's inputs "
                         "and every committed state. Re-verification uses stand-in inputs of "
                         "the recorded sizes; replay is not possible without it "
                         "(pass --state PATH if it was moved)")
    types = rec.signature.input_types()
    inputs: dict[str, Any] = {}
    recorded = d.get("inputs") or {}
    for name, t in types.items():
        text = None
        if rec.store is not None:
            text, why = read_blob(rec.store, f"input.{name}")
            if why and why != "absent":
                rec.notes.append(f"input '{name}' in the state store is {why}")
        if text is not None:
            try:
                inputs[name] = text if t == STR else loads(text, f"input '{name}'")
                continue
            except ValueError as e:
                rec.notes.append(f"input '{name}' in the state store cannot be read ({e})")
        if name == "question" and isinstance(d.get("task"), str):
            inputs[name] = d["task"]  # the task text is the question
            continue
        size = (recorded.get(name) or {}).get("size")
        if t == STR and isinstance(size, int):
            inputs[name] = " " * size
            rec.placeholders.append(name)
        else:
            rec.blocked = (f"input '{name}' ({t}) is not in the log and the state store is "
                           "missing: its value is needed to judge the scripts")
            return rec
    rec.inputs = inputs
    if rec.store is not None:
        rec.schema, rec.schema_known = rec.store.schema.to_json(), True
    elif isinstance(d.get("state_schema"), dict):
        rec.schema, rec.schema_known = dict(d["state_schema"]), True
    return rec
