"""The bytecode validator: hand-corrupted programs are refused with E_BYTECODE, never a crash."""

from __future__ import annotations

import json

import pytest

from rlmlang.compiler import BytecodeError, compile_source, from_bytes, load, validate
from rlmlang.tools import core_specs
from rlmlang.tools.registry import Registry

REG = Registry(core_specs())
SRC = """t = 0
def f(x: int) -> int:
    return x + 1
for i in range(3):
    if i > 0:
        t = t + f(i)
submit(t)
"""


def _doc() -> dict:
    return json.loads(compile_source(SRC, REG).to_bytes())


def _main_code(doc: dict) -> list:
    return doc["functions"][0]["code"]


def _first(code: list, op: str) -> int:
    return next(i for i, ins in enumerate(code) if ins[0] == op)


def _refused(doc_or_bytes) -> str:
    data = doc_or_bytes if isinstance(doc_or_bytes, bytes) else json.dumps(doc_or_bytes).encode()
    prog, diags = load(data)
    assert prog is None and diags
    assert all(d.code == "E_BYTECODE" for d in diags)
    with pytest.raises(BytecodeError):
        from_bytes(data)
    return " | ".join(d.message for d in diags)


def test_round_trip_keeps_the_hash() -> None:
    prog = compile_source(SRC, REG)
    again = from_bytes(prog.to_bytes(), expect_hash=prog.hash)
    assert again.hash == prog.hash and again.to_bytes() == prog.to_bytes()
    assert validate(prog, REG) == []


def test_wrong_expected_hash() -> None:
    prog = compile_source(SRC, REG)
    _, diags = load(prog.to_bytes(), expect_hash="0" * 64)
    assert "does not match" in diags[0].message


def test_jump_out_of_range() -> None:
    doc = _doc()
    code = _main_code(doc)
    code[_first(code, "JUMP")][1] = 10_000
    assert "outside the code" in _refused(doc)


def test_back_edge_to_a_non_header() -> None:
    doc = _doc()
    code = _main_code(doc)
    pc = _first(code, "JUMP")
    code[pc][1] = 1  # backwards, but 1 is not a loop header
    assert "not a loop header" in _refused(doc)


def test_stack_mismatch_at_a_join() -> None:
    doc = _doc()
    code = _main_code(doc)
    pc = _first(code, "STORE_LOCAL")
    code[pc] = ["NOP", 0, 0]  # leaves a value on the stack on one path
    msg = _refused(doc)
    assert "stack height" in msg or "max_stack" in msg


def test_stack_underflow() -> None:
    doc = _doc()
    code = _main_code(doc)
    code.insert(0, ["POP", 0, 0])
    doc["functions"][0]["lines"].insert(0, [1, 1])
    assert "needs 1 value" in _refused(doc)


def test_max_stack_too_small() -> None:
    doc = _doc()
    doc["functions"][0]["max_stack"] = 0
    assert "max_stack" in _refused(doc)


def test_bad_const_index() -> None:
    doc = _doc()
    code = _main_code(doc)
    code[_first(code, "CONST")][1] = len(doc["consts"]) + 5
    assert "constant index" in _refused(doc)


def test_bad_local_and_tool_index() -> None:
    doc = _doc()
    code = _main_code(doc)
    code[_first(code, "STORE_LOCAL")][1] = 999
    assert "local index 999" in _refused(doc)
    doc = _doc()
    code = _main_code(doc)
    code[_first(code, "RANGE_ITER")][1] = 42
    assert "tool index 42" in _refused(doc)


def test_wrong_call_arity_and_cycles() -> None:
    doc = _doc()
    code = _main_code(doc)
    code[_first(code, "CALL_FUNC")][2] = 2
    assert "takes 1" in _refused(doc)
    doc = _doc()
    fcode = doc["functions"][1]["code"]
    # make f call itself: replace `CONST 1` with a self-call of the same stack effect
    pc = _first(fcode, "CONST")
    fcode[pc:pc + 1] = [["LOAD_LOCAL", 0, 0], ["CALL_FUNC", 1, 1]]
    doc["functions"][1]["lines"].insert(pc, [3, 1])
    assert "cycle" in _refused(doc)


def test_falling_off_the_end() -> None:
    doc = json.loads(compile_source("x = 1", REG).to_bytes())
    code = _main_code(doc)
    assert code[-1][0] == "HALT"
    code[-1] = ["NOP", 0, 0]
    assert "falls off the end" in _refused(doc)


def test_unknown_opcode_and_bad_shapes() -> None:
    doc = _doc()
    _main_code(doc)[0][0] = "TELEPORT"
    assert "unknown opcode" in _refused(doc)
    doc = _doc()
    _main_code(doc)[0] = ["FUEL", "many", 0]
    assert "not an integer" in _refused(doc)
    doc = _doc()
    doc["functions"][0]["lines"].pop()
    assert "line-table" in _refused(doc)


def test_truncated_and_foreign_files() -> None:
    data = compile_source(SRC, REG).to_bytes()
    assert "not valid JSON" in _refused(data[: len(data) // 2])
    assert "not UTF-8" in _refused(b"\xff\xfe\x00garbage")
    assert "not an rlmlang bytecode file" in _refused(b'{"hello": 1}')
    doc = _doc()
    doc["version"] = 99
    assert "version 99" in _refused(doc)


def test_unregistered_tool_with_registry() -> None:
    prog = compile_source('submit(mystery.tool("x"))', REG)
    assert validate(prog) == []
    (d,) = validate(prog, REG)
    assert d.code == "E_BYTECODE" and "mystery.tool" in d.message
