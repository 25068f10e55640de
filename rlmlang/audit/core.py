"""`audit_log`: integrity, re-verification, summary (and optionally replay) of one log.

The passes run in the order of trust: first whether the file is an intact
log at all (a fatal problem stops there, since nothing read from a
non-log means anything), then whether its state store agrees with it, then
what the scripts would get from the checker today, then the summary. A
damaged but readable log is still re-verified and summarised — the auditor
wants to see what it claims — but `ok` is false.

`ok` (exit 0) means: the log is intact (chain, HMAC when a key is given,
store), and no script the log accepted is rejected now, under the recorded
policy or under today's policy when one is given (and, with replay, the
replay is identical).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from rlmlang.audit.integrity import Integrity, check_log, check_store, state_path_for
from rlmlang.audit.recorded import rebuild
from rlmlang.audit.replay import ReplayResult
from rlmlang.audit.replay import replay as run_replay
from rlmlang.audit.reverify import Reverification, reverify
from rlmlang.audit.runview import RunView, build_view
from rlmlang.audit.summary import summarize
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.runlog import FORMAT_VERSION


@dataclass
class AuditReport:
    path: str
    integrity: Integrity
    view: RunView | None = None
    store_path: str = ""
    notes: list[str] = field(default_factory=list)
    recorded: Reverification | None = None
    today: Reverification | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    replay: ReplayResult | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        if not self.integrity.intact:
            return False
        for rv in (self.recorded, self.today):
            if rv is not None and (rv.now_rejected or rv.blocked):
                return False
        return self.replay is None or self.replay.identical

    def to_json(self) -> dict[str, Any]:
        return {
            "log": self.path, "format_version": FORMAT_VERSION, "ok": self.ok,
            "state_store": self.store_path, "notes": list(self.notes),
            "integrity": self.integrity.to_json(),
            "reverify": {"recorded_policy": self.recorded.to_json() if self.recorded else None,
                         "today_policy": self.today.to_json() if self.today else None},
            "replay": self.replay.to_json() if self.replay else None,
            "summary": self.summary, "seconds": round(self.seconds, 4)}


def audit_log(path: str, hmac_key: bytes | None = None, policy: Any = None,
              policy_label: str = "today's policy", state_path: str | None = None,
              replay: bool = False) -> AuditReport:
    """Audit one run log; `policy` is today's Policy (or None to judge only as recorded)."""
    import time

    t0 = time.perf_counter()
    path = os.fspath(path)
    integ = check_log(path, hmac_key)
    report = AuditReport(path, integ)
    if integ.fatal:
        report.seconds = time.perf_counter() - t0
        return report
    view = build_view(integ.events)
    report.view = view
    report.store_path = state_path_for(path, view.start, state_path)
    if state_path is None and report.store_path != path + ".state":
        report.notes.append(f"no state store beside the log; using the one at the path "
                            f"run_start recorded: {report.store_path}")
    rec = rebuild(view, path, report.store_path)
    _store_finding(integ, rec)
    try:
        report.notes.extend(rec.notes)
        if rec.store is not None:
            check_store(integ, view.start, [e for it in view.iterations for e in it.commits],
                        rec.store, report.store_path)
        report.recorded = reverify(rec)
        if policy is not None:
            report.today = reverify(rec, policy, policy_label)
        report.summary = summarize(view, rec.registry)
        if replay:
            report.replay = run_replay(rec)
    finally:
        rec.close()
    report.seconds = time.perf_counter() - t0
    return report


def replay_log(path: str, hmac_key: bytes | None = None,
               state_path: str | None = None) -> tuple[Integrity, ReplayResult | None, str]:
    """Integrity first (a replay of an altered log proves nothing), then the replay."""
    integ = check_log(path, hmac_key)
    if integ.fatal:
        return integ, None, ""
    view = build_view(integ.events)
    store_path = state_path_for(path, view.start, state_path)
    rec = rebuild(view, path, store_path)
    _store_finding(integ, rec)
    try:
        if rec.store is not None:
            check_store(integ, view.start, [e for it in view.iterations for e in it.commits],
                        rec.store, store_path)
        result = run_replay(rec)
        result.notes.extend(rec.notes)
    finally:
        rec.close()
    return integ, result, store_path


def _store_finding(integ: Integrity, rec: Any) -> None:
    """A store that is there but cannot be read fails the audit, saying why: a full disk
    (nothing wrong with the evidence) or damage (`data["reason"]`: full, corrupt, ...)."""
    d = rec.store_error
    if d is None:
        return
    reason = d.data.get("reason", "other")
    what = ("the disk is too full to read it (this says nothing about the store itself: "
            "free some space and audit again)" if reason == "full" else
            "it is damaged or is not a state store" if reason == "corrupt" else d.message)
    integ.store_problems.append(Diagnostic(
        "E_STATE", f"the state store {rec.store_path} cannot be read: {what}", None, integ.path,
        fix=d.fix, notes=(d.message,), data={"reason": f"store_{reason}",
                                             "store": rec.store_path}))


def read_key_file(path: str) -> bytes:
    """The HMAC key as `rlm run --hmac-key-file` reads it (the file's bytes, stripped)."""
    try:
        with open(path, "rb") as f:
            key = f.read().strip()
    except OSError as e:
        raise DiagnosticError([Diagnostic("E_USAGE", f"cannot read the key file: "
                                          f"{e.strerror or e}", None, path)]) from None
    if not key:
        raise DiagnosticError([Diagnostic("E_USAGE", "the key file is empty", None, path,
                                          fix="put the key the log was signed with in it")])
    return key
