"""The run log: hash-chained JSONL, optionally HMAC-signed.

Why this shape:
- One canonical JSON object per line (sorted keys, no spaces, UTF-8), so a
  line's bytes are a function of its content and can be re-derived.
- Each line carries `prev`, the SHA-256 of the previous line's exact bytes:
  editing, deleting, inserting, duplicating or reordering a line breaks the
  chain at a place the checker can name by line number. With a key, each line
  also carries `mac` (HMAC-SHA256 of the line without `mac`), so a forger who
  recomputes the whole chain still fails without the key.
- What each record holds, and the digests in it, is `logschema.py`'s, shared
  with every reader.
- A complete log starts with `run_start` and ends with `run_end`; a log without
  `run_end` was interrupted or truncated, and says so.
- The writer emits each line with one unbuffered `write` (flushed always) and
  `fsync`s when asked (the controller does at step boundaries). A kill can
  leave at most one torn last line, which `LogWriter.resume` removes, saying so.
- One writer per log: a new log is created exclusively (O_EXCL), and every
  writer holds an exclusive lock (`flock`) on it for as long as it is open,
  taken before anything is read, truncated or repaired. A second run on the
  same path, or a second `--resume` of one run, is refused with E_LOG
  instead of interleaving lines. The lock dies with its process, so a
  killed run can be resumed at once.
- Reading never crashes: a line nested deeper than the JSON parser follows,
  a file that cannot be read or written (a directory, no permission, a full
  disk), are E_LOG diagnostics with a `reason`.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError, Span
from rlmlang.logschema import EVENT_KINDS, FORMAT_VERSION
from rlmlang.store import canonical_json, loads

GENESIS = "0" * 64
MAX_DIAGNOSTICS = 100

_FIELDS = frozenset({"v", "seq", "kind", "prev", "data"})
_FIELDS_MAC = _FIELDS | {"mac"}
_HEX = frozenset("0123456789abcdef")


_dumps = canonical_json  # one canonical form for the log and the store (surrogates escaped)


def _loads(raw: bytes | str) -> Any:
    """A line's JSON; too deep a nesting is a JSONDecodeError like any other bad line."""
    try:
        return loads(raw, "the line")
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), "", 0) from None


def new_log_path(directory: str | os.PathLike[str] = "runs") -> Path:
    """A default log name no other run picks: the time, then random hex (`O_EXCL` backs it)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(directory) / f"{stamp}-{secrets.token_hex(3)}.log"


def _io_error(path: str, action: str, exc: OSError) -> DiagnosticError:
    """An OSError on a log as an E_LOG diagnostic naming what failed, and why."""
    reasons = {errno.ENOSPC: ("full", "the disk is full"),
               errno.EDQUOT: ("full", "the disk quota is exhausted"),
               errno.EISDIR: ("directory", "it is a directory"),
               errno.EACCES: ("access", "permission denied"),
               errno.EPERM: ("access", "permission denied"),
               errno.EROFS: ("access", "the file system is read-only"),
               errno.ENOENT: ("missing", "no such file or directory"),
               errno.ENOTDIR: ("missing", "a part of the path is not a directory")}
    reason, why = reasons.get(exc.errno or 0, ("io", exc.strerror or str(exc)))
    fix = {"full": "free some disk space; `rlm run --resume LOG` continues the run",
           "directory": "give a file path for the log, e.g. runs/today.log",
           "access": "choose a path you can write to"}.get(reason)
    return DiagnosticError([_diag(path, 0, f"cannot {action} log {path}: {why}", fix,
                                  reason=reason, errno=exc.errno)])


def _lock(fd: int, path: str) -> None:
    """Hold the log exclusively, or say who holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DiagnosticError([_diag(
            path, 0, f"log {path} is in use by another process (a run is writing it, or "
            "another --resume is continuing it)", "wait for it to finish, or use another "
            "--log path", reason="locked")]) from None
    except OSError as exc:
        os.close(fd)
        raise _io_error(path, "lock", exc) from None


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _diag(path: str, line: int, message: str, fix: str | None = None, **data: Any) -> Diagnostic:
    return Diagnostic("E_LOG", message, Span(line, 1, line, 2) if line else None, file=path,
                      fix=fix, data=dict(data))


class LogWriter:
    """Appends events to a run log, continuing the hash chain."""

    def __init__(self, path: str | os.PathLike[str], hmac_key: bytes | None = None, *,
                 overwrite: bool = False, kinds: frozenset[str] | None = None,
                 parents: bool = False):
        """Create a log (exclusively, unless `overwrite`) and hold its lock.

        `overwrite` replaces an existing log only once its lock is taken, so a
        log another process is still writing is never truncated under it.
        `parents` creates missing parent directories.
        """
        self.path = os.fspath(path)
        self.hmac_key = hmac_key
        self.kinds = kinds
        self.seq = 0                 # the seq of the next event
        self.last_hash = GENESIS     # SHA-256 of the last line written
        self.notes: list[str] = []   # what resume had to repair, in words
        self._fd: int | None = None
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (0 if overwrite else os.O_EXCL)
        try:
            if parents:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError as exc:
            if os.path.isdir(self.path):
                raise _io_error(self.path, "create", IsADirectoryError(
                    errno.EISDIR, exc.strerror)) from None
            raise DiagnosticError([_diag(
                self.path, 0, f"log file {self.path} already exists: it holds another run's "
                "record, which a new run does not overwrite",
                fix="choose another --log path, or `rlm run --resume` it if that run was "
                    "interrupted", reason="exists")]) from None
        except OSError as exc:
            raise _io_error(self.path, "create", exc) from None
        _lock(fd, self.path)
        if overwrite:
            try:
                os.ftruncate(fd, 0)
            except OSError as exc:
                os.close(fd)
                raise _io_error(self.path, "truncate", exc) from None
        self._fd = fd

    @classmethod
    def resume(cls, path: str | os.PathLike[str], hmac_key: bytes | None = None, *,
               kinds: frozenset[str] | None = None) -> LogWriter:
        """Reopen an intact, unfinished log to continue its chain.

        A torn last line (the writer was killed mid-write) is removed, or
        completed if only its newline is missing; `writer.notes` says which.
        Any other problem (an altered line, a finished run) refuses to resume.
        """
        path = os.fspath(path)
        notes: list[str] = []
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            raise _io_error(path, "open", exc) from None
        _lock(fd, path)  # before reading: nobody else repairs or appends meanwhile
        try:
            raw = _read_fd(fd)
            if raw and not raw.endswith(b"\n"):
                cut = raw.rfind(b"\n") + 1
                line_no = raw.count(b"\n") + 1
                tail = raw[cut:]
                if _completes_chain(raw[:cut], tail, hmac_key):
                    os.write(fd, b"\n")
                    raw += b"\n"
                    notes.append(f"{path}: line {line_no} lacked its final newline; added it")
                else:
                    os.ftruncate(fd, cut)
                    raw = raw[:cut]
                    notes.append(f"{path}: line {line_no} was cut off mid-write ({len(tail)} "
                                 "bytes); removed it before resuming")
                os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            raise _io_error(path, "repair", exc) from None
        problems = [d for d in check_bytes(raw, path, hmac_key, kinds)
                    if d.data.get("reason") != "no_run_end"]
        events = _parse_complete(raw) if not problems else []
        if not problems and not events:
            problems = [_diag(path, 0, f"log {path} holds no complete event: nothing to resume")]
        if not problems and events[-1].get("kind") == "run_end":
            problems = [_diag(path, len(events),
                              f"the run in {path} already ended (run_end at line {len(events)}); "
                              "nothing to resume", reason="ended")]
        if problems:
            os.close(fd)
            raise DiagnosticError(problems)
        writer = cls.__new__(cls)
        writer.path = path
        writer.hmac_key = hmac_key
        writer.kinds = kinds
        writer.seq = events[-1]["seq"] + 1
        last = raw[:-1].rsplit(b"\n", 1)[-1]
        writer.last_hash = hashlib.sha256(last).hexdigest()
        writer.notes = notes
        writer._fd = fd
        return writer

    def append(self, kind: str, payload: dict[str, Any], sync: bool = False) -> dict[str, Any]:
        """Write one event; return it as written (with v, seq, kind, prev, data, mac)."""
        if self._fd is None:
            raise ValueError(f"log {self.path} is closed")
        kinds = self.kinds if self.kinds is not None else EVENT_KINDS
        if kind not in kinds:
            raise ValueError(f"unknown log event kind {kind!r} (known: {', '.join(sorted(kinds))})")
        if not isinstance(payload, dict):
            raise TypeError(f"payload of a {kind!r} event must be a dict, "
                            f"not {type(payload).__name__}")
        try:
            # Round-trip so the stored data is exactly what a reader will parse back.
            data = json.loads(_dumps(payload))
            event: dict[str, Any] = {"v": FORMAT_VERSION, "seq": self.seq, "kind": kind,
                                     "prev": self.last_hash, "data": data}
            body = _dumps(event).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise TypeError(f"payload of a {kind!r} event is not JSON: {exc}") from None
        if self.hmac_key is not None:
            event["mac"] = _mac(self.hmac_key, body)
            body = _dumps(event).encode("utf-8")
        line = body + b"\n"
        view = memoryview(line)
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            if sync:
                os.fsync(self._fd)
        except OSError as exc:  # a torn line at worst: resume removes it
            raise _io_error(self.path, f"append a {kind!r} event to", exc) from None
        self.last_hash = hashlib.sha256(body).hexdigest()
        self.seq += 1
        return event

    def sync(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                raise _io_error(self.path, "sync", exc) from None

    def close(self) -> None:
        """Sync and release the log (and its lock); closing twice is fine."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.fsync(fd)
            except OSError as exc:
                raise _io_error(self.path, "sync", exc) from None
            finally:
                os.close(fd)

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_fd(fd: int) -> bytes:
    chunks = []
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def failure_diagnostics(exc: BaseException) -> list[Diagnostic]:
    """What stopped a run, as diagnostics: its own, or one coded from the exception."""
    if isinstance(exc, DiagnosticError) and exc.diagnostics:
        return list(exc.diagnostics)
    if isinstance(exc, OSError):
        return [Diagnostic("E_IO", f"{exc.strerror or exc}" + (f": {exc.filename}"
                                                                if exc.filename else ""))]
    return [Diagnostic("E_INTERNAL", f"{type(exc).__name__}: {exc}")]


def record_failure(log: LogWriter | None, exc: BaseException, **end: Any) -> None:
    """Write a failed run's `error` and then its `run_end` (status "error"), as far as the
    log can still be written: a run that stops on an error still ends its log, so the
    audit reads it as failed, not as interrupted. `end` adds fields to run_end."""
    if log is None or log._fd is None:
        return
    diags = failure_diagnostics(exc)
    first = diags[0]
    try:
        log.append("error", {"code": first.code, "message": first.message,
                             "diagnostics": [d.to_json() for d in diags[:MAX_DIAGNOSTICS]]},
                   sync=True)
        log.append("run_end", {"status": "error", "answer": None,
                               "reason": f"{first.code}: {first.message}", **end}, sync=True)
    except (DiagnosticError, OSError, TypeError, ValueError):
        pass  # the log itself is what failed (a full disk): the audit will say interrupted


def _completes_chain(head: bytes, tail: bytes, key: bytes | None) -> bool:
    """Whether a last line lacking only its newline is a whole, chained event."""
    try:
        obj = _loads(tail)
    except ValueError:
        return False
    if not isinstance(obj, dict) or _dumps(obj).encode("utf-8") != tail:
        return False
    prev_line = head[:-1].rsplit(b"\n", 1)[-1] if head else None
    expected = hashlib.sha256(prev_line).hexdigest() if prev_line is not None else GENESIS
    if obj.get("prev") != expected:
        return False
    if key is not None:
        mac = obj.pop("mac", None)
        if mac != _mac(key, _dumps(obj).encode("utf-8")):
            return False
    return True


def _without_mac(raw: bytes, obj: dict[str, Any]) -> bytes | None:
    """A canonical line's bytes minus its mac field (what the mac signs), by slicing.

    Keys sort as data, kind, mac, prev, seq, v; nothing after `prev` holds a
    string, so the last `,"prev":"` is the field itself and the mac sits just
    before it.
    """
    at = raw.rfind(b',"prev":"')
    start = at - 73  # len(',"mac":"') + 64 + len('"')
    if start < 0 or raw[start:start + 8] != b',"mac":"' or \
            raw[start + 8:at - 1].decode("ascii", "replace") != obj["mac"]:
        return None
    return raw[:start] + raw[at:]


def _parse_complete(raw: bytes) -> list[dict[str, Any]]:
    return [_loads(line) for line in raw.split(b"\n")[:-1]]


def read_events(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Parse every line of a log (no chain check: that is `check_chain`)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise _io_error(path, "read", exc) from None
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    events = []
    for i, line in enumerate(lines, 1):
        try:
            obj = _loads(line)
        except (ValueError, UnicodeDecodeError):
            torn = i == len(lines) and not raw.endswith(b"\n")
            what = "is cut off mid-JSON" if torn else "is not JSON"
            raise DiagnosticError([_diag(path, i, f"line {i} {what}")]) from None
        if not isinstance(obj, dict):
            raise DiagnosticError([_diag(path, i, f"line {i} is not a JSON object")])
        events.append(obj)
    return events


def check_chain(path: str | os.PathLike[str], hmac_key: bytes | None = None,
                kinds: frozenset[str] | None = None) -> list[Diagnostic]:
    """Every problem with a log, each naming its line; [] for an intact, complete log."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        return _io_error(path, "read", exc).diagnostics
    return check_bytes(raw, path, hmac_key, kinds)


class _Line:
    __slots__ = ("raw", "hash", "obj", "seq", "prev", "bad")

    def __init__(self, raw: bytes):
        self.raw = raw
        self.hash = hashlib.sha256(raw).hexdigest()
        self.obj: dict[str, Any] | None = None
        self.seq: int | None = None
        self.prev: str | None = None
        self.bad = False  # a problem was reported on this line itself


def check_bytes(raw: bytes, path: str = "<log>", hmac_key: bytes | None = None,
                kinds: frozenset[str] | None = None) -> list[Diagnostic]:
    """`check_chain` on the bytes of a log."""
    kinds = kinds if kinds is not None else EVENT_KINDS
    diags: list[Diagnostic] = []

    def report(line: int, message: str, fix: str | None = None, **data: Any) -> None:
        diags.append(_diag(path, line, message, fix, **data))

    if not raw:
        report(0, "the log is empty (0 bytes): it has no run_start event",
               reason="empty")
        return diags
    nul = raw.find(b"\0")
    if nul >= 0:
        report(raw.count(b"\n", 0, nul) + 1,
               f"the file is binary (a NUL byte at offset {nul}), not a JSONL run log",
               reason="binary")
        return diags
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report(raw.count(b"\n", 0, exc.start) + 1,
               f"the file is not UTF-8 text (invalid byte at offset {exc.start}): "
               "not a JSONL run log", reason="binary")
        return diags

    crlf = raw.find(b"\r\n")
    if crlf >= 0:
        report(raw.count(b"\n", 0, crlf) + 1,
               "the log has Windows line endings (CRLF): it was re-saved by an editor or "
               "converted, so its lines no longer hash to the recorded values", reason="crlf")
        return diags
    torn = not raw.endswith(b"\n")
    parts = raw.split(b"\n")
    if not torn:
        parts.pop()
    n = len(parts)
    lines = [_Line(p) for p in parts]
    first_at: dict[str, int] = {}
    for i, ln in enumerate(lines, 1):
        first_at.setdefault(ln.hash, i)

    loads, dumps = _loads, _dumps
    mac_expected: bool | None = None
    for i, ln in enumerate(lines, 1):
        try:
            obj = loads(ln.raw)
        except ValueError as exc:
            if not isinstance(exc, json.JSONDecodeError):  # e.g. invalid UTF-8 inside
                exc = json.JSONDecodeError(str(exc), "", 0)
            ln.bad = True
            if i == n and torn:
                report(i, f"line {i} is cut off mid-JSON: the writer was killed mid-write or "
                          "the file was truncated", fix="`rlm run --resume` removes a torn "
                          "last line", reason="torn")
            elif i == 1:
                report(1, f"line 1 is not JSON ({exc.msg}): this is not an rlmlang run log",
                       reason="not_json")
                return diags
            else:
                report(i, f"line {i} is not JSON ({exc.msg} at column {exc.colno})",
                       reason="not_json")
            continue
        if not isinstance(obj, dict) or not (obj.keys() == _FIELDS or obj.keys() == _FIELDS_MAC):
            ln.bad = True
            if i == 1 and not (isinstance(obj, dict) and "v" in obj):
                report(1, "line 1 is not an rlmlang log event (expected an object with "
                          "v, seq, kind, prev, data): this is not an rlmlang run log",
                       reason="not_event")
                return diags
            if isinstance(obj, dict) and "v" in obj and obj["v"] != FORMAT_VERSION:
                pass  # reported below as a version problem
            else:
                got = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
                report(i, f"line {i} is not a log event: expected fields v, seq, kind, prev, "
                          f"data (and mac), found {got}", reason="fields")
                continue
        v = obj.get("v")
        if v != FORMAT_VERSION:
            ln.bad = True
            if isinstance(v, int) and not isinstance(v, bool) and v > FORMAT_VERSION:
                msg = (f"line {i}: log format version {v} is newer than this reader, which "
                       f"understands version {FORMAT_VERSION}")
                fix = "check it with a newer rlmlang"
            elif isinstance(v, int) and not isinstance(v, bool):
                msg = (f"line {i}: log format version {v} is older than any this reader "
                       f"understands (version {FORMAT_VERSION})")
                fix = "check it with the rlmlang release that wrote it"
            else:
                msg = f"line {i}: log format version {v!r} is not a version number"
                fix = None
            if i == 1:
                report(1, msg, fix, reason="version")
                return diags
            report(i, msg + f"; line 1 has version {FORMAT_VERSION} (was this line altered?)",
                   reason="version")
            continue
        ln.obj = obj
        seq, prev = obj["seq"], obj["prev"]
        ln.seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else None
        ln.prev = prev if isinstance(prev, str) and len(prev) == 64 and _HEX.issuperset(prev) \
            else None
        canonical = dumps(obj).encode("utf-8") == ln.raw
        if not canonical:
            ln.bad = True
            report(i, f"line {i} is not in canonical form (it was edited or re-serialised "
                      "after it was written)", reason="not_canonical")
        if ln.seq is None:
            ln.bad = True
            report(i, f"line {i}: seq {seq!r} is not a non-negative integer", reason="fields")
        if ln.prev is None:
            ln.bad = True
            report(i, f"line {i}: prev {prev!r} is not a 64-digit hex SHA-256", reason="fields")
        kind = obj["kind"]
        if kind not in kinds:
            ln.bad = True
            report(i, f"line {i}: unknown event kind {kind!r}", reason="kind",
                   fix=f"known kinds: {', '.join(sorted(kinds))}")
        if not isinstance(obj["data"], dict):
            ln.bad = True
            report(i, f"line {i}: data must be a JSON object", reason="fields")
        has_mac = "mac" in obj
        if mac_expected is None:
            mac_expected = has_mac
        if has_mac != mac_expected:
            ln.bad = True
            report(i, f"line {i} {'has' if has_mac else 'lacks'} a mac field while line 1 "
                      f"{'does not' if has_mac else 'has one'} (a line was altered or inserted)",
                   reason="hmac")
        elif hmac_key is not None:
            if not has_mac:
                if i == 1:
                    report(1, "the log has no mac fields, but a key was given (it was written "
                              "without a key)", reason="hmac")
            else:
                body = _without_mac(ln.raw, obj) if canonical else None
                if body is None:
                    rest = {k: val for k, val in obj.items() if k != "mac"}
                    body = dumps(rest).encode("utf-8")
                if not hmac.compare_digest(str(obj["mac"]), _mac(hmac_key, body)):
                    ln.bad = True
                    report(i, f"line {i}: HMAC does not match (wrong key, or the line was "
                              "altered)", reason="hmac")
        if len(diags) >= MAX_DIAGNOSTICS:
            break

    _check_links(lines, first_at, report)
    _check_run_shape(lines, torn, report)
    if len(diags) > MAX_DIAGNOSTICS:
        del diags[MAX_DIAGNOSTICS:]
        diags.append(_diag(path, 0, f"stopped after {MAX_DIAGNOSTICS} problems",
                           reason="too_many"))
    diags.sort(key=lambda d: d.line)
    return diags


def _check_links(lines: list[_Line], first_at: dict[str, int], report: Any) -> None:
    """Follow the chain; name each break by the line that explains it."""
    n = len(lines)
    first = lines[0]
    if first.obj is not None and first.seq is not None and first.seq != 0:
        report(1, f"line 1 has seq {first.seq}, not 0: {first.seq} event(s) before it are "
                  "missing (the start of the log was deleted)", reason="deleted")
        first.bad = True
    elif first.prev is not None and first.prev != GENESIS:
        report(1, "line 1: prev must be 64 zeros for the first event (the start of the log "
                  "was deleted or altered)", reason="chain")
        first.bad = True
    anchor = 1  # the last line that is part of the chain
    i = 2
    while i <= n:
        ln = lines[i - 1]
        if ln.obj is None:
            i += 1
            continue  # unparsable: reported already; the next line is checked against anchor
        dup = first_at[ln.hash]
        if dup < i:
            report(i, f"line {i} is a copy of line {dup} (duplicated)", reason="duplicated")
            ln.bad = True
            i += 1
            continue
        a = lines[anchor - 1]
        if ln.prev is None:
            anchor, i = i, i + 1
            continue
        if ln.prev == a.hash:
            if ln.seq is not None and a.seq is not None and ln.seq != a.seq + 1 and not ln.bad:
                report(i, f"line {i}: seq {ln.seq} where {a.seq + 1} was expected",
                       reason="seq")
                ln.bad = True
            anchor, i = i, i + 1
            continue
        ref = first_at.get(ln.prev)
        nxt = lines[i] if i < n else None
        if (nxt is not None and nxt.prev == a.hash and ref != i + 1
                and first_at[nxt.hash] == i + 1):
            report(i, f"line {i} was inserted: line {i + 1} continues the chain from "
                      f"line {anchor}", reason="inserted")
            ln.bad = True
            i += 1
            continue
        if ref is not None and ref < anchor:
            if anchor == ref + 1:
                report(anchor, f"line {anchor} was inserted: line {i} continues the chain from "
                               f"line {ref}", reason="inserted")
            else:
                report(ref + 1, f"lines {ref + 1}-{anchor} were inserted or moved: line {i} "
                                f"continues the chain from line {ref}", reason="inserted")
            anchor, i = i, i + 1
            continue
        if ref is not None and ref > i:
            nxt = lines[ref - 1]
            if ref == i + 1 and nxt.prev == a.hash:
                report(i, f"lines {i} and {i + 1} are in the wrong order (swapped)",
                       reason="reordered")
                ln.bad = nxt.bad = True
                # Resume after the pair: the line after them follows line i.
                anchor, i = i, i + 2
                continue
            report(i, f"line {i} is out of order: in the chain it follows line {ref}",
                   reason="reordered")
            ln.bad = True
            anchor, i = i, i + 1
            continue
        if ref is not None and ref == i:
            report(i, f"line {i} names itself as its predecessor", reason="chain")
            anchor, i = i, i + 1
            continue
        # prev is no line's hash: an edit, or lines deleted in between.
        gap = (ln.seq - a.seq - 1) if ln.seq is not None and a.seq is not None else 0
        if a.bad:
            pass  # line `anchor` was already reported as altered; this break is its echo
        elif gap > 0:
            report(i, f"{gap} event(s) missing between line {anchor} and line {i} (seq jumps "
                      f"from {a.seq} to {ln.seq}): deleted", reason="deleted")
        elif gap == 0:
            if (nxt is not None and nxt.obj is not None and nxt.prev is not None
                    and nxt.prev != ln.hash and nxt.seq == (ln.seq or 0) + 1
                    and first_at.get(nxt.prev) is None):
                report(i, f"line {i} was altered (its own prev field, or more of it, changed): "
                          f"it does not follow line {anchor} and line {i + 1} does not follow it",
                       reason="altered")
                ln.bad = True
            else:
                report(anchor, f"line {anchor} was altered after it was written (line {i} "
                               "records a different hash for it)", reason="altered")
        else:
            report(i, f"line {i} has seq {ln.seq}, not {a.seq + 1}, and does not continue the "
                      f"chain from line {anchor} (inserted or altered)", reason="chain")
            ln.bad = True
        anchor, i = i, i + 1


def _check_run_shape(lines: list[_Line], torn: bool, report: Any) -> None:
    """A run starts with run_start, ends with run_end, and has nothing after run_end."""
    first = lines[0].obj
    if first is not None and first["kind"] != "run_start" and first.get("seq") == 0:
        report(1, f"the first event is {first['kind']!r}, not 'run_start'", reason="no_run_start")
    end_at = None
    for i, ln in enumerate(lines, 1):
        if ln.obj is None:
            continue
        kind = ln.obj["kind"]
        if end_at is not None and not ln.bad:
            report(i, f"line {i} comes after run_end (line {end_at})", reason="after_end")
            break
        if kind == "run_start" and i > 1 and not ln.bad:
            report(i, f"line {i}: a second run_start (a log holds one run)", reason="run_start")
        if kind == "run_end" and end_at is None:
            end_at = i
    last = len(lines)
    if torn:
        last -= 1
    if last >= 1 and end_at is None:
        report(last, f"the log ends at line {last} without run_end: the run was interrupted or "
                     "the log was truncated", reason="no_run_end")
