"""The typed, transactional, versioned state store, on real SQLite files."""

from __future__ import annotations

import hashlib
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from rlmlang.store import StateError, StateStore
from rlmlang.types import INT, STR, ListT

SCHEMA = {
    "invoices": ListT(STR),
    "count": INT,
    "notes.*": "str",
    "notes.special": "int",
    "rec": "{id: int, tags: list[str]}",
    "table": "dict[str, float]",
}


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    s = StateStore(tmp_path / "state.db", SCHEMA)
    yield s
    s.close()


def state_error(fn) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(StateError) as exc:
        fn()
    d = exc.value.diagnostic
    assert d.code == "E_STATE"
    return d.message


def test_wal_and_empty_start(store: StateStore) -> None:
    assert store.journal_mode == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.version == 0 and store.history() == [] and store.snapshot() == {}
    assert store.last_meta() is None


def test_commit_and_versions(store: StateStore) -> None:
    with store.transaction({"step": 1, "script_hash": "abc"}) as txn:
        txn.set("invoices", ["A-1", "A-2"])
        txn.set("count", 2)
        assert txn.get("count") == 2  # reads see own writes
        assert store.get("count") is None  # ...others do not, until commit
    assert txn.version == 1 and store.version == 1
    txn2 = store.begin({"step": 2})
    txn2.set("count", 3)
    txn2.set("notes.a", "first")
    txn2.delete("invoices")
    assert txn2.keys() == ["count", "notes.a"]
    assert txn2.commit() == 2
    assert store.history() == [(1, {"step": 1, "script_hash": "abc"}), (2, {"step": 2})]
    assert store.last_meta() == {"step": 2}
    assert store.snapshot() == {"count": 3, "notes.a": "first"}
    assert store.snapshot(1) == {"count": 2, "invoices": ["A-1", "A-2"]}
    assert store.snapshot(0) == {}
    assert store.diff(2) == {"count": {"old": 2, "new": 3},
                             "invoices": {"old": ["A-1", "A-2"], "new": None},
                             "notes.a": {"old": None, "new": "first"}}
    assert store.diff(1) == {"count": {"old": None, "new": 2},
                             "invoices": {"old": None, "new": ["A-1", "A-2"]}}
    assert "does not exist" in state_error(lambda: store.diff(3))
    assert "does not exist" in state_error(lambda: store.snapshot(7))


def test_no_op_writes_are_not_changes(store: StateStore) -> None:
    with store.transaction({"step": 1}) as txn:
        txn.set("count", 1)
    with store.transaction({"step": 2}) as txn:
        txn.set("count", 1)
        txn.delete("notes.never")
    assert store.version == 2 and store.diff(2) == {}
    assert store.state_hash(1) == store.state_hash(2)


def test_rollback_on_exception_and_explicit(store: StateStore) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction({"step": 1}) as txn:
            txn.set("count", 5)
            raise RuntimeError("script failed")
    assert store.version == 0 and store.get("count") is None
    txn = store.begin({"step": 1})
    txn.set("count", 9)
    txn.rollback()
    assert store.version == 0 and store.snapshot() == {}
    assert "already rolled back" in state_error(lambda: txn.set("count", 1))
    assert "already rolled back" in state_error(txn.commit)


def test_a_bad_write_leaves_nothing(store: StateStore) -> None:
    with pytest.raises(StateError):
        with store.transaction({"step": 1}) as txn:
            txn.set("count", 1)
            txn.set("invoices", [1, 2])
    assert store.version == 0 and store.snapshot() == {}


def test_type_errors_name_key_and_types(store: StateStore) -> None:
    def put(key: str, value: object) -> str:
        return state_error(lambda: store.begin({}).set(key, value))

    assert put("notes.x", 3) == "state key 'notes.x' expects str, got int"
    assert put("notes.special", "s") == "state key 'notes.special' expects int, got str"
    assert put("count", True) == "state key 'count' expects int, got bool"
    assert put("invoices", ["a", 2]) == (
        "state key 'invoices' expects list[str], got list[int | str] "
        "(element 1: expected str, got int)")
    assert put("rec", {"id": 1}) == (
        "state key 'rec' expects {id: int, tags: list[str]}, got {id: int} "
        "(missing field 'tags')")
    assert "field 'tags': element 0: expected str, got int" in put("rec", {"id": 1, "tags": [3]})
    assert "entry 'x': expected float, got str" in put("table", {"x": "1.0"})
    assert put("table", {"x": float("inf")}).startswith(
        "state key 'table': the value cannot be stored as JSON")
    assert put("zzz", 1) == (
        "state key 'zzz' is not declared (declared: count, invoices, notes.*, notes.special, "
        "rec, table)")
    assert "is not declared" in put("notes.a.b", "x")  # `*` is one segment
    assert "is not declared" in put("notes", "x")
    assert "not a valid key" in put("a..b", 1)
    assert "is not declared" in state_error(lambda: store.get("nothing"))


def test_ints_are_floats_and_values_are_copies(store: StateStore) -> None:
    with store.transaction({}) as txn:
        txn.set("table", {"a": 1, "b": 2.5})
        txn.set("rec", {"id": 1, "tags": ["x"]})
    got = store.get("rec")
    got["tags"].append("mutated")
    assert store.get("rec") == {"id": 1, "tags": ["x"]}
    assert store.get("table") == {"a": 1, "b": 2.5}


def test_state_hash_is_canonical_json(store: StateStore) -> None:
    with store.transaction({}) as txn:
        txn.set("notes.é", "naïve ✓")
        txn.set("table", {"z": 1.5, "a": 2})
    snap = store.snapshot()
    canon = json.dumps(snap, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert store.state_hash() == hashlib.sha256(canon.encode()).hexdigest()
    assert store.state_hash(0) == hashlib.sha256(b"{}").hexdigest()


def test_reopen_keeps_everything_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with StateStore(path, SCHEMA) as s:
        with s.transaction({"step": 1}) as txn:
            txn.set("notes.a", "x")
        h = s.state_hash()
    with StateStore(path) as s:  # schema=None: the stored one
        assert s.schema.to_json()["notes.*"] == "str"
        assert s.version == 1 and s.get("notes.a") == "x" and s.state_hash() == h
        assert s.integrity_check() == "ok"
    with StateStore(path, {"extra": "int"}) as s:  # new keys extend the schema
        assert "count" in s.schema.to_json() and "extra" in s.schema.to_json()


def test_reopen_with_conflicting_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    StateStore(path, SCHEMA).close()
    msg = state_error(lambda: StateStore(path, {"count": "str"}))
    assert msg == (f"state schema conflicts with the one stored in {path}: "
                   "'count' is int in the store but str now")
    with StateStore(path, {"*": "str"}) as s:  # a new pattern is fine while nothing is captured
        with s.transaction({}) as txn:
            txn.set("loose", "v")
    # a pattern that would re-type an existing key is not
    other = tmp_path / "t.db"
    with StateStore(other, {"*": "str"}) as s, s.transaction({}) as txn:
        txn.set("k", "v")
    assert "existing key 'k'" in state_error(lambda: StateStore(other, {"k": "int"}))


def test_bad_schema_and_bad_file(tmp_path: Path) -> None:
    assert "unknown type" in state_error(lambda: StateStore(tmp_path / "a.db", {"x": "lst[int]"}))
    assert "not a valid state key" in state_error(
        lambda: StateStore(tmp_path / "b.db", {"a.*.b": "int"}))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    assert "cannot open state store" in state_error(lambda: StateStore(junk))


def test_conflicting_transactions(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    a = StateStore(path, SCHEMA)
    b = StateStore(path)
    ta = a.begin({"who": "a"})
    tb = b.begin({"who": "b"})
    ta.set("count", 1)
    tb.set("count", 2)
    assert ta.commit() == 1
    assert "state changed while the transaction was open" in state_error(tb.commit)
    assert b.version == 1 and b.get("count") == 1  # b sees a's commit
    with b.transaction({"who": "b"}) as txn:
        txn.set("count", txn.get("count") + 1)
    assert a.get("count") == 2 and a.version == 2
    a.close()
    b.close()


def test_meta_must_be_json(store: StateStore) -> None:
    txn = store.begin({"obj": object()})
    assert "meta cannot be stored as JSON" in state_error(txn.commit)
    assert store.version == 0


def test_blobs_roundtrip_large_and_fast(store: StateStore) -> None:
    line = "row 12345, Hanoi, 42.0 — ünïcode ✓\n"
    text = line * (8_000_000 // len(line))
    t0 = time.perf_counter()
    sha = store.put_blob("context", text)
    assert sha == hashlib.sha256(text.encode()).hexdigest()
    back = store.get_blob("context")
    elapsed = time.perf_counter() - t0
    assert back == text
    assert elapsed < 5.0
    info = store.blob_info("context")
    assert info == {"sha256": sha, "chars": len(text), "bytes": len(text.encode())}
    assert store.blobs() == {"context": sha}
    assert store.put_blob("context", text) == sha  # same content: nothing rewritten
    store.put_blob("context", "short")
    assert store.get_blob("context") == "short"
    assert "no blob named 'missing'" in state_error(lambda: store.get_blob("missing"))


def test_blob_memory_stays_near_text_size(store: StateStore) -> None:
    text = "abcdefghij" * 800_000  # 8 MB
    del_back = None
    tracemalloc.start()
    try:
        store.put_blob("ctx", text)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        del_back = store.get_blob("ctx")
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert del_back == text
    assert put_peak < 0.5 * len(text)  # chunked: no full copy of the text while writing
    assert get_peak < 2.2 * len(text)  # the bytes read and the str made from them


def test_reads_are_cheap(store: StateStore) -> None:
    with store.transaction({}) as txn:
        txn.set("count", 7)
        txn.set("invoices", ["x"] * 20)
    t0 = time.perf_counter()
    for _ in range(2000):
        store.get("count")
        store.get("invoices")
    per_read = (time.perf_counter() - t0) / 4000
    assert per_read < 200e-6
