"""The typed, transactional, versioned state store (SQLite).

Why this shape:
- Keys are declared in a schema (`invoices: list[str]`, `notes.*: str`) and
  every write is checked with `types.conforms`, so a script can never leave a
  value the verifier and the next script did not expect.
- A transaction buffers its writes in memory and reaches SQLite only in
  `commit`, as one SQLite transaction: a script's effects land whole or not
  at all, and a kill at any moment leaves the last committed version.
- Every commit is a new version. The `kv` table is append-only: one row per
  (key, version) that changed, `NULL` for a deletion. Any version's snapshot,
  any commit's diff and the resume point (`last_meta`) come from it; nothing
  committed is ever overwritten.
- Values are stored as canonical JSON text, so equal states are equal bytes
  and `state_hash` is stable across runs and machines.
- WAL journal with `synchronous=FULL`: a commit that returned survives a
  kill -9 or a power cut.
- Large inputs (contexts of many MB) are blobs, written and hashed in chunks
  so that memory stays near the size of the text.
- Several processes may share one store. A commit names the version its
  writes were computed from (`Transaction.base`, or `commit_writes(...,
  base=)`), and is refused with `StateConflict` when another writer has
  committed since (optimistic concurrency): nothing is lost, the caller runs
  its step again on the new state.
- Every SQLite failure is an `E_STATE` diagnostic whose `data["reason"]`
  says which kind it is (`full`: the disk; `corrupt`: the file; `busy`,
  `access`, `io`, `other`), so a full disk is never reported as damage.
  Stored text that does not decode (or nests deeper than Python's parser
  goes) is `corrupt` too.
- Text is valid UTF-8 always: a lone surrogate in a value (which Python
  strings can hold and UTF-8 cannot) is written as its JSON escape
  (`\\ud800`), which reads back as the same string.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.types import (
    DictT,
    ListT,
    RecordT,
    Type,
    TypeSyntaxError,
    conforms,
    format_type,
    parse_type,
    prim_of,
)

STORE_FORMAT = 1
_BLOB_CHUNK = 1 << 20  # characters per chunk when hashing/writing blobs
_KEY_SEGMENT = re.compile(r"[\w\-]+")  # \w: Unicode letters, digits, _
_MAX_KEY_LEN = 200


class StateError(DiagnosticError):
    """A state store error, carrying one `E_STATE` diagnostic."""

    def __init__(self, message: str, fix: str | None = None, **data: Any):
        diag = Diagnostic("E_STATE", message, fix=fix, data=dict(data))
        super().__init__([diag])

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]


class StateConflict(StateError):
    """Another writer committed after the state a transaction's writes were computed from."""

    def __init__(self, path: str, base: int, found: int):
        super().__init__(
            f"state changed while the transaction was open: it read version {base} of {path}, "
            f"and another writer has since committed version {found}; nothing was written",
            fix="run the step again on the new state", reason="conflict", expected=base,
            found=found)
        self.base, self.found = base, found


_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(value: Any) -> str:
    """The one text form of a value: sorted keys, no spaces, UTF-8, no NaN.

    A lone surrogate (not encodable in UTF-8) is written as its JSON escape,
    which `json.loads` reads back as the same string.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def loads(text: str | bytes, what: str = "stored JSON") -> Any:
    """`json.loads` for text read from disk: a ValueError, never a RecursionError.

    Text nested deeper than the parser's recursion limit (`[[[[...` a
    hundred thousand times) is damage, not a crash.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to read") from None


def _reason(exc: sqlite3.Error) -> str:
    """Which kind of SQLite failure: full, corrupt, busy, access, io or other."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        return "corrupt"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "busy"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) \
            or "unable to open" in text or "readonly" in text:
        return "access"
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return "io"
    return "other"


_WHAT = {
    "full": ("the disk is full", "free some disk space, then run again (nothing was lost: a "
             "commit either landed whole or not at all)"),
    "corrupt": ("the file is damaged or is not a state store", "restore it from a copy; "
                "`rlm audit` tells which versions the log can still vouch for"),
    "busy": ("another process holds it locked", "wait for the other run to finish"),
    "access": ("it cannot be opened or written (permissions, a read-only file system, or a "
               "missing directory)", "check the path and its permissions"),
    "io": ("the disk reported an I/O error", "check the disk"),
    "other": ("SQLite failed", None),
}


def sqlite_error(path: str, action: str, exc: sqlite3.Error) -> StateError:
    """A coded E_STATE error for a SQLite failure, saying which kind it was."""
    reason = _reason(exc)
    if reason == "io" and _disk_nearly_full(path):
        reason = "full"  # SQLite says IOERR when growing its WAL or shm files fails
    what, fix = _WHAT[reason]
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return StateError(f"cannot {action} state store {path}: {what} ({name}: {exc})", fix=fix,
                      reason=reason, sqlite=name, path=path)


def _damaged(path: str, exc: UnicodeDecodeError) -> StateError:
    return StateError(f"state store {path} is damaged: it holds text that is not UTF-8 "
                      f"({exc.reason} at byte {exc.start})", fix=_WHAT["corrupt"][1],
                      reason="corrupt", path=path)


def _disk_nearly_full(path: str) -> bool:
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(path)) or ".")
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (256 << 10)


class _Rows(list):  # type: ignore[type-arg]
    """A query's rows, fetched at once (so a damaged page fails inside the guard)."""

    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


class _Db:
    """The SQLite connection, every failure of which is an E_STATE diagnostic."""

    def __init__(self, path: str, conn: sqlite3.Connection | None = None):
        self.path = path
        self.action = "open"
        if conn is not None:
            self.conn = conn
            return
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise sqlite_error(path, "open", exc) from None

    def execute(self, sql: str, params: Any = ()) -> _Rows:
        try:
            return _Rows(self.conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise sqlite_error(self.path, self.action, exc) from None
        except UnicodeDecodeError as exc:  # stored text that is not UTF-8: damage
            raise _damaged(self.path, exc) from None

    def executemany(self, sql: str, rows: Any) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise sqlite_error(self.path, self.action, exc) from None

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def rollback(self) -> None:
        """Undo an open transaction; a second failure must not hide the first."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def blobopen(self, *args: Any) -> Any:
        return self.conn.blobopen(*args)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass


# ---------------------------------------------------------------- schema

def _valid_key(key: object) -> bool:
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY_LEN:
        return False
    return all(_KEY_SEGMENT.fullmatch(seg) for seg in key.split("."))


def _valid_pattern(key: str) -> bool:
    if key == "*":
        return True
    if key.endswith(".*"):
        return _valid_key(key[:-2])
    return _valid_key(key)


class Schema:
    """Declared keys: exact names, and patterns with one trailing `*` segment.

    `notes.*` matches `notes.a` but not `notes` or `notes.a.b`; `*` matches any
    key without a dot. An exact declaration wins over a pattern.
    """

    def __init__(self, decls: Mapping[str, Type | str]):
        self.exact: dict[str, Type] = {}
        self.patterns: dict[str, Type] = {}  # prefix (with trailing dot, or "") -> type
        for key, t in decls.items():
            if not isinstance(key, str) or not _valid_pattern(key):
                raise StateError(
                    f"schema key {key!r} is not a valid state key: use dot-separated names "
                    "of letters, digits, '_' or '-', optionally ending in '.*'")
            if isinstance(t, str):
                try:
                    t = parse_type(t)
                except TypeSyntaxError as exc:
                    raise StateError(f"schema key {key!r}: {exc}") from None
            if not isinstance(t, Type):
                raise StateError(f"schema key {key!r}: {t!r} is not a type")
            if key == "*":
                self.patterns[""] = t
            elif key.endswith(".*"):
                self.patterns[key[:-1]] = t
            else:
                self.exact[key] = t

    def lookup(self, key: str) -> Type | None:
        t = self.exact.get(key)
        if t is not None:
            return t
        dot = key.rfind(".")
        return self.patterns.get(key[: dot + 1]) if dot >= 0 else self.patterns.get("")

    def to_json(self) -> dict[str, str]:
        out = {k: format_type(t) for k, t in self.exact.items()}
        for prefix, t in self.patterns.items():
            out[prefix + "*"] = format_type(t)
        return dict(sorted(out.items()))

    def names(self) -> list[str]:
        return list(self.to_json())


def describe_value(value: object, depth: int = 0) -> str:
    """A type-like name for a runtime value, for error messages."""
    prim = prim_of(value)
    if prim is not None:
        return prim.name
    if depth > 2:
        return "..."
    if isinstance(value, list):
        if not value:
            return "list (empty)"
        kinds = sorted({describe_value(v, depth + 1) for v in value[:50]})
        return f"list[{' | '.join(kinds)}]"
    if isinstance(value, dict):
        if not value:
            return "dict (empty)"
        if not all(isinstance(k, str) for k in value):
            return "dict with non-str keys"
        items = list(value.items())
        shown = ", ".join(f"{k}: {describe_value(v, depth + 1)}" for k, v in items[:5])
        return "{" + shown + (", ..." if len(items) > 5 else "") + "}"
    return type(value).__name__


def _mismatch(value: object, t: Type, where: str) -> str | None:
    """The first place where `value` does not fit `t`, in words (None if it fits)."""
    if isinstance(t, ListT) and isinstance(value, list):
        for i, v in enumerate(value):
            if not conforms(v, t.elem):
                return _mismatch(v, t.elem, f"{where}element {i}: ") or ""
        return None
    if isinstance(t, DictT) and isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{where}key {k!r} is not a str"
            if not conforms(v, t.value):
                return _mismatch(v, t.value, f"{where}entry {k!r}: ") or ""
        return None
    if isinstance(t, RecordT) and isinstance(value, dict):
        names = [n for n, _ in t.fields]
        missing = [n for n in names if n not in value]
        if missing:
            return f"{where}missing field {missing[0]!r}"
        extra = [k for k in value if k not in names]
        if extra:
            return f"{where}unexpected field {extra[0]!r}"
        for n, ft in t.fields:
            if not conforms(value[n], ft):
                return _mismatch(value[n], ft, f"{where}field {n!r}: ") or ""
        return None
    if conforms(value, t):
        return None
    return f"{where}expected {format_type(t)}, got {describe_value(value)}"


# ---------------------------------------------------------------- store

class _Deleted:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<deleted>"


DELETED = _Deleted()

_DDL = """
CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    value TEXT,
    PRIMARY KEY (key, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_by_version ON kv (version);
CREATE TABLE IF NOT EXISTS blobs (
    name TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    chars INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""


def _read_only(path: Path) -> tuple[sqlite3.Connection, Any]:
    """A read-only connection to a store that leaves no `-wal` or `-shm` file behind.

    A WAL database read with `mode=ro` gets both files made beside it, and a
    read-only connection cannot remove them when it closes. So: a store with
    no `-wal` (its last writer checkpointed it) is opened `immutable`, which
    makes no file at all; one with a `-wal` and a `-shm` (a writer is at work,
    or was killed) is read through them, and they were there before; one with
    a `-wal` but no `-shm` is copied, with its `-wal`, to a temporary directory
    and read there. Returns the connection and that directory (or None).
    """
    import tempfile
    import urllib.parse

    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if not wal.exists():
        uri = f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True), None
    if shm.exists():
        return sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True), None
    scratch = tempfile.TemporaryDirectory(prefix="rlm-store-")
    try:
        copy = Path(scratch.name) / "state.sqlite"
        copy.write_bytes(path.read_bytes())
        Path(f"{copy}-wal").write_bytes(wal.read_bytes())
        return sqlite3.connect(str(copy)), scratch
    except BaseException:
        scratch.cleanup()
        raise


class StateStore:
    """A versioned key-value store with a typed schema, backed by one SQLite file.

    `schema=None` reopens with the schema stored in the file (an empty schema
    for a new file). A given schema must agree with the stored one on every
    key both declare; new keys extend it.
    """

    def __init__(self, path: str | os.PathLike[str], schema: Mapping[str, Type | str] | None = None,
                 *, _conn: sqlite3.Connection | None = None):
        self.path = os.fspath(path)
        if _conn is None and os.path.isdir(self.path):
            raise StateError(f"cannot open state store {self.path}: it is a directory",
                             fix="give the path of a file", reason="access", path=self.path)
        self._db = _Db(self.path, _conn)
        try:
            self._db.execute("PRAGMA busy_timeout=10000")
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self._db.execute("PRAGMA synchronous=FULL")
            self._init_schema(schema)
            self._db.action = "read"
            self.journal_mode = str(mode)
            self._cache: dict[str, tuple[str, Any]] = {}
            self._version = 0
            self._data_version = -1
            self._hash_cache: tuple[int, str] | None = None
            self._refresh(force=True)
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def copy_of(cls, source: str | os.PathLike[str], target: str | None = None) -> StateStore:
        """A private copy of a store, never writing to the original (the audit's evidence).

        The source is read through a read-only connection with SQLite's backup
        API and checked (`quick_check`); the copy goes to `target`, or to
        memory when it is None. Errors say whether the source is damaged
        (`corrupt`) or the copy could not be written (`full`). Nothing is
        left beside the source (see `_read_only`).
        """
        label = os.fspath(source)
        try:
            src, scratch = _read_only(Path(label).resolve())
        except sqlite3.Error as exc:
            raise sqlite_error(label, "open", exc) from None
        except OSError as exc:
            raise StateError(f"cannot read state store {label}: {exc.strerror or exc}",
                             reason="access", path=label) from None
        try:
            dst = sqlite3.connect(target or ":memory:", isolation_level=None,
                                  check_same_thread=False)
            try:
                src.backup(dst)
                check = str(dst.execute("PRAGMA quick_check").fetchone()[0])
            except sqlite3.Error as exc:
                dst.close()
                raise sqlite_error(label, "copy", exc) from None
            except UnicodeDecodeError as exc:
                dst.close()
                raise _damaged(label, exc) from None
        finally:
            src.close()
            if scratch is not None:
                scratch.cleanup()
        if check != "ok":
            dst.close()
            raise StateError(f"state store {label} is damaged: {check[:200]}",
                             fix=_WHAT["corrupt"][1], reason="corrupt", path=label)
        return cls(label, _conn=dst)

    # -- opening

    def _init_schema(self, schema: Mapping[str, Type | str] | None) -> None:
        wanted = Schema(schema) if schema is not None else None
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _DDL.split(";"):  # not executescript: it would COMMIT early
                if stmt.strip():
                    db.execute(stmt)
            rows = dict(db.execute("SELECT name, value FROM store_meta").fetchall())
            fmt = rows.get("format")
            if fmt is not None and str(fmt) != str(STORE_FORMAT):
                raise StateError(
                    f"state store {self.path} has format {fmt}, this rlmlang reads format "
                    f"{STORE_FORMAT}")
            stored = Schema(_loads(rows["schema"], self.path, "its schema")) \
                if "schema" in rows else None
            if stored is None:
                self.schema = wanted or Schema({})
            elif wanted is None:
                self.schema = stored
            else:
                self.schema = self._merge(stored, wanted, db)
            db.execute("INSERT OR REPLACE INTO store_meta VALUES ('format', ?)",
                       (str(STORE_FORMAT),))
            db.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema', ?)",
                       (canonical_json(self.schema.to_json()),))
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise

    def _merge(self, stored: Schema, wanted: Schema, db: _Db) -> Schema:
        old, new = stored.to_json(), wanted.to_json()
        conflicts = [f"'{k}' is {old[k]} in the store but {new[k]} now"
                     for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
        if conflicts:
            raise StateError(
                f"state schema conflicts with the one stored in {self.path}: "
                + "; ".join(conflicts),
                fix="use a new state file, or declare the keys with the types they had",
                conflicts=conflicts)
        merged = Schema({**old, **new})
        # A new pattern must not capture a key that already holds a value of another type.
        keys = [r[0] for r in db.execute("SELECT DISTINCT key FROM kv")]
        for key in keys:
            before, after = stored.lookup(key), merged.lookup(key)
            if before is not None and after != before:
                raise StateError(
                    f"state schema conflicts with the one stored in {self.path}: existing key "
                    f"'{key}' was {format_type(before)} and would become "
                    f"{format_type(after) if after else 'undeclared'}",
                    fix="use a new state file, or drop the new pattern")
        return merged

    def _refresh(self, force: bool = False) -> None:
        """Reload the cache when another connection has committed since we looked."""
        dv = self._db.execute("PRAGMA data_version").fetchone()[0]
        if dv == self._data_version and not force:
            return
        self._data_version = dv
        row = self._db.execute("SELECT MAX(version) FROM versions").fetchone()
        version = row[0] or 0
        if version == self._version and not force:
            return
        self._version = version
        self._cache = {k: (text, _decode_cached(text, self.path))
                       for k, text in self._snapshot_texts(version)}
        self._hash_cache = None

    def _snapshot_texts(self, version: int) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT k.key, k.value FROM kv k "
            "JOIN (SELECT key, MAX(version) AS v FROM kv WHERE version <= ? GROUP BY key) m "
            "ON k.key = m.key AND k.version = m.v WHERE k.value IS NOT NULL ORDER BY k.key",
            (version,)).fetchall()
        return rows

    # -- reading

    @property
    def version(self) -> int:
        """The latest committed version (0 before the first commit)."""
        self._refresh()
        return self._version

    def get(self, key: str, default: Any = None) -> Any:
        """The latest committed value of `key` (a fresh copy), or `default`."""
        self._refresh()
        self._check_readable(key)
        entry = self._cache.get(key)
        if entry is None:
            return default
        return _fresh(entry, self.path)

    def keys(self, prefix: str = "") -> list[str]:
        self._refresh()
        return sorted(k for k in self._cache if k.startswith(prefix))

    def snapshot(self, version: int | None = None) -> dict[str, Any]:
        """All keys and values at `version` (default: the latest)."""
        self._refresh()
        if version is None or version == self._version:
            return {k: _loads(text, self.path, f"key {k!r}")
                    for k, (text, _) in sorted(self._cache.items())}
        self._check_version(version)
        return {k: _loads(text, self.path, f"key {k!r}")
                for k, text in self._snapshot_texts(version)}

    def state_hash(self, version: int | None = None) -> str:
        """SHA-256 (hex) of the canonical JSON of the snapshot at `version`."""
        self._refresh()
        if version is None or version == self._version:
            if self._hash_cache and self._hash_cache[0] == self._version:
                return self._hash_cache[1]
            texts = [(k, t) for k, (t, _) in sorted(self._cache.items())]
            digest = _hash_texts(texts)
            self._hash_cache = (self._version, digest)
            return digest
        self._check_version(version)
        return _hash_texts(self._snapshot_texts(version))

    def history(self) -> list[tuple[int, dict[str, Any]]]:
        """Every committed version with its meta, oldest first."""
        return [(v, _loads(m, self.path, f"the meta of version {v}")) for v, m in
                self._db.execute("SELECT version, meta FROM versions ORDER BY version")]

    def meta(self, version: int) -> dict[str, Any]:
        self._check_version(version, allow_zero=False)
        row = self._db.execute("SELECT meta FROM versions WHERE version = ?", (version,)).fetchone()
        return _loads(row[0], self.path, f"the meta of version {version}")

    def last_meta(self) -> dict[str, Any] | None:
        """The meta of the latest commit (where a resumed run picks up), or None."""
        v = self.version
        return self.meta(v) if v else None

    def diff(self, version: int) -> dict[str, dict[str, Any]]:
        """What commit `version` changed: {key: {"old": ..., "new": ...}}; None = absent."""
        self._check_version(version, allow_zero=False)
        out: dict[str, dict[str, Any]] = {}
        rows = self._db.execute(
            "SELECT k.key, k.value, "
            "(SELECT p.value FROM kv p WHERE p.key = k.key AND p.version < k.version "
            " ORDER BY p.version DESC LIMIT 1) "
            "FROM kv k WHERE k.version = ? ORDER BY k.key", (version,)).fetchall()
        for key, new, old in rows:
            out[key] = {"old": None if old is None else _loads(old, self.path, f"key {key!r}"),
                        "new": None if new is None else _loads(new, self.path, f"key {key!r}")}
        return out

    def _check_version(self, version: int, allow_zero: bool = True) -> None:
        latest = self.version
        low = 0 if allow_zero else 1
        if not isinstance(version, int) or isinstance(version, bool) or not low <= version <= latest:
            raise StateError(
                f"state version {version!r} does not exist (versions {low}..{latest})"
                if latest >= low else
                f"state version {version!r} does not exist (nothing committed yet)")

    def _check_readable(self, key: str) -> None:
        if not _valid_key(key):
            raise StateError(f"state key {key!r} is not a valid key (dot-separated names of "
                             "letters, digits, '_' or '-')")
        if self.schema.lookup(key) is None:
            raise StateError(self._undeclared_message(key),
                             fix="declare the key in the task's state schema, or use a "
                                 "declared key", key=key)

    def _undeclared_message(self, key: str) -> str:
        names = self.schema.names()
        declared = ", ".join(names) if names else "none"
        return f"state key '{key}' is not declared (declared: {declared})"

    def check_write(self, key: str, value: Any) -> str:
        """Check `value` against `key`'s declared type; return its canonical JSON."""
        self._check_readable(key)
        t = self.schema.lookup(key)
        assert t is not None
        if not conforms(value, t):
            detail = _mismatch(value, t, "")
            msg = f"state key '{key}' expects {format_type(t)}, got {describe_value(value)}"
            if detail and not detail.startswith("expected"):
                msg += f" ({detail})"
            raise StateError(msg, key=key, expected=format_type(t))
        try:
            return canonical_json(value)
        except (TypeError, ValueError) as exc:
            raise StateError(f"state key '{key}': the value cannot be stored as JSON ({exc})",
                             key=key) from None

    # -- writing

    def begin(self, meta: Mapping[str, Any] | None = None) -> Transaction:
        """Start a transaction; its writes are invisible until `commit`."""
        self._refresh()
        return Transaction(self, dict(meta or {}))

    @contextmanager
    def transaction(self, meta: Mapping[str, Any] | None = None) -> Iterator[Transaction]:
        """`with store.transaction(meta) as txn:` commits on success, rolls back on error."""
        txn = self.begin(meta)
        try:
            yield txn
        except BaseException:
            txn.rollback()
            raise
        if txn.open:
            txn.commit()

    def _commit(self, txn: Transaction) -> int:
        try:
            meta_text = canonical_json(txn.meta)
        except (TypeError, ValueError) as exc:
            raise StateError(f"transaction meta cannot be stored as JSON ({exc})") from None
        db = self._db
        db.action = "commit to"
        db.execute("BEGIN IMMEDIATE")
        try:
            latest = db.execute("SELECT MAX(version) FROM versions").fetchone()[0] or 0
            if latest != txn.base:
                raise StateConflict(self.path, txn.base, latest)
            version = latest + 1
            changes: list[tuple[str, int, str | None]] = []
            for key, text in sorted(txn._writes.items()):
                old = self._cache.get(key)
                old_text = old[0] if old is not None else None
                if text is DELETED:
                    if old_text is not None:
                        changes.append((key, version, None))
                elif text != old_text:
                    assert isinstance(text, str)
                    changes.append((key, version, text))
            db.execute("INSERT INTO versions (version, meta) VALUES (?, ?)", (version, meta_text))
            db.executemany("INSERT INTO kv (key, version, value) VALUES (?, ?, ?)", changes)
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
        finally:
            db.action = "read"
        for key, _, text in changes:
            if text is None:
                self._cache.pop(key, None)
            else:
                self._cache[key] = (text, _decode_cached(text, self.path))
        self._version = version
        self._hash_cache = None
        return version

    # -- blobs

    def put_blob(self, name: str, text: str) -> str:
        """Store a large text under `name` (replacing any); return its SHA-256 (of UTF-8)."""
        if not isinstance(name, str) or not name:
            raise StateError(f"blob name {name!r} must be a non-empty string")
        if not isinstance(text, str):
            raise StateError(f"blob {name!r} must be a str, got {describe_value(text)}")
        h = hashlib.sha256()
        nbytes = 0
        for i in range(0, len(text), _BLOB_CHUNK):
            chunk = text[i:i + _BLOB_CHUNK].encode("utf-8", "surrogatepass")
            h.update(chunk)
            nbytes += len(chunk)
        digest = h.hexdigest()
        db = self._db
        db.action = "write a blob to"
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT sha256 FROM blobs WHERE name = ?", (name,)).fetchone()
            if row is None or row[0] != digest:
                db.execute("INSERT OR REPLACE INTO blobs (name, sha256, chars, data) "
                           "VALUES (?, ?, ?, zeroblob(?))", (name, digest, len(text), nbytes))
                rowid = db.execute("SELECT rowid FROM blobs WHERE name = ?", (name,)).fetchone()[0]
                try:
                    with db.blobopen("blobs", "data", rowid) as blob:
                        for i in range(0, len(text), _BLOB_CHUNK):
                            blob.write(text[i:i + _BLOB_CHUNK].encode("utf-8", "surrogatepass"))
                except sqlite3.Error as exc:
                    raise sqlite_error(self.path, "write a blob to", exc) from None
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
        finally:
            db.action = "read"
        return digest

    def get_blob(self, name: str) -> str:
        row = self._db.execute("SELECT data FROM blobs WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StateError(f"no blob named {name!r} in {self.path}")
        data: bytes = row[0]
        del row
        try:
            return data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise _damaged(self.path, exc) from None

    def blob_info(self, name: str) -> dict[str, Any] | None:
        """{"sha256", "chars", "bytes"} of a blob, without reading it; None if absent."""
        row = self._db.execute("SELECT sha256, chars, length(data) FROM blobs WHERE name = ?",
                               (name,)).fetchone()
        return None if row is None else {"sha256": row[0], "chars": row[1], "bytes": row[2]}

    def blobs(self) -> dict[str, str]:
        """Every blob name with its SHA-256."""
        return dict(self._db.execute("SELECT name, sha256 FROM blobs ORDER BY name"))

    # -- lifecycle

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def commit_writes(self, writes: Mapping[str, Any], meta: Mapping[str, Any] | None,
                      base: int) -> int | None:
        """Commit `writes` (key → value, checked against the schema) as one version,
        if the store is still at `base`, the version they were computed from.

        Returns the new version, or None when nothing changed. Raises
        StateConflict when another writer committed after `base`.
        """
        txn = Transaction(self, dict(meta or {}))
        txn.base = base
        for key, value in writes.items():
            txn.set(key, value)
        if not txn.changed():
            return None
        return txn.commit()

    def find_commit(self, **meta: Any) -> int | None:
        """The latest version whose meta holds every given field and value, or None."""
        for version, m in reversed(self.history()):
            if all(m.get(k) == v for k, v in meta.items()):
                return version
        return None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_store(path: str | os.PathLike[str]) -> None:
    """Delete a store file with its WAL and shared-memory files (a stale WAL left beside a
    new file of the same name would be replayed into it)."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(os.fspath(path) + suffix)
        except FileNotFoundError:
            pass


class Transaction:
    """One script's view of the store: reads see its own writes; commit is all-or-nothing."""

    def __init__(self, store: StateStore, meta: dict[str, Any]):
        self.store = store
        self.meta = meta
        self.base = store._version
        self._writes: dict[str, str | _Deleted] = {}
        self.open = True
        self.version: int | None = None

    def _live(self) -> None:
        if not self.open:
            state = "committed" if self.version is not None else "rolled back"
            raise StateError(f"the transaction was already {state}")

    def get(self, key: str, default: Any = None) -> Any:
        self._live()
        self.store._check_readable(key)
        text = self._writes.get(key)
        if text is DELETED:
            return default
        if text is not None:
            return json.loads(text)  # type: ignore[arg-type]
        entry = self.store._cache.get(key)
        return default if entry is None else _fresh(entry, self.store.path)

    def set(self, key: str, value: Any) -> None:
        """Write `value` (checked against the schema now, stored at commit)."""
        self._live()
        self._writes[key] = self.store.check_write(key, value)

    def delete(self, key: str) -> None:
        self._live()
        self.store._check_readable(key)
        self._writes[key] = DELETED

    def keys(self, prefix: str = "") -> list[str]:
        self._live()
        present = {k for k in self.store._cache if k.startswith(prefix)}
        for k, text in self._writes.items():
            if k.startswith(prefix):
                if text is DELETED:
                    present.discard(k)
                else:
                    present.add(k)
        return sorted(present)

    def changed(self) -> list[str]:
        """Keys written or deleted so far (before no-op writes are dropped at commit)."""
        return sorted(self._writes)

    def commit(self) -> int:
        """Write everything as one new version and return it."""
        self._live()
        try:
            version = self.store._commit(self)
        except BaseException:
            self.rollback()  # nothing was written; the script must run again
            raise
        self.open = False
        self.version = version
        return version

    def rollback(self) -> None:
        """Drop every write; the store is unchanged. Idempotent after commit/rollback."""
        if self.open:
            self._writes.clear()
            self.open = False

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.rollback()
        elif self.open:
            self.commit()


def _loads(text: str, path: str, what: str) -> Any:
    """Stored JSON, or an E_STATE `corrupt` error naming what could not be read."""
    try:
        return loads(text, what)
    except (ValueError, TypeError) as exc:
        raise StateError(f"state store {path} is damaged: {what} cannot be read ({exc})",
                         fix=_WHAT["corrupt"][1], reason="corrupt", path=path) from None


def _decode_cached(text: str, path: str) -> Any:
    """Keep scalars decoded (immutable, safe to share); containers are decoded per read."""
    if not isinstance(text, str):
        raise StateError(f"state store {path} is damaged: a value is not text",
                         reason="corrupt", path=path)
    if text[:1] in ("[", "{"):
        return None
    return _loads(text, path, "a stored value")


def _fresh(entry: tuple[str, Any], path: str) -> Any:
    text, value = entry
    if value is None and text[:1] in ("[", "{"):
        return _loads(text, path, "a stored value")
    return value


def _hash_texts(items: list[tuple[str, str]]) -> str:
    h = hashlib.sha256(b"{")
    for i, (key, text) in enumerate(items):
        if i:
            h.update(b",")
        h.update(json.dumps(key, ensure_ascii=False).encode("utf-8"))
        h.update(b":")
        h.update(text.encode("utf-8"))
    h.update(b"}")
    return h.hexdigest()
