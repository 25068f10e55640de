"""Bytecode: the instruction set, the in-memory program, and its serialised form.

Why this shape:
- An instruction is a triple `(op, a, b)` of ints in a plain list, so the VM's
  dispatch loop indexes one list and unpacks one tuple per step.
- A program is a list of functions (index 0 is the script's top level) plus
  shared tables: constants (JSON scalars, lists of names, type strings),
  global names, state keys and tool names. Operands are indices into them;
  the validator checks every index before anything runs.
- The serialised form is canonical JSON with mnemonics instead of opcode
  numbers (stable if opcodes are renumbered, readable in a log). Its SHA-256
  is the program's identity: the verifier's proof and the run log name it.
- Loading validates (`validate.from_bytes`, `validate.load`); bytecode from a
  log or a cache is never trusted because our own compiler once wrote it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError

FORMAT = "rlm-bytecode"
VERSION = 1
MAX_INT = 2**63 - 1  # ints are 64-bit signed; wider results are a runtime error

# ------------------------------------------------------------------ opcodes
# Numbered roughly by how often they run, so the dispatch chain meets the hot
# ones first. (name, number of int operands used) — see docs/bytecode.md.

OPCODES: list[str] = [
    "LOAD_LOCAL",   # a=slot            push locals[a]
    "CONST",        # a=const           push consts[a]
    "STORE_LOCAL",  # a=slot            locals[a] = pop
    "FUEL",         # a=amount          charge fuel (one per basic block)
    "JUMP",         # a=target
    "FOR_ITER",     # a=exit target     push next item, or pop the iterator and jump
    "JUMP_IF_FALSE",  # a=target        pop; jump when False
    "ADD", "SUB", "MUL", "DIV", "FLOORDIV", "MOD",
    "EQ", "NE", "LT", "LE", "GT", "GE", "IN", "NOT_IN",
    "INDEX",        # container, key -> item
    "CALL_TOOL",    # a=tool b=argc     positional args only
    "LOAD_GLOBAL",  # a=global          (inside a def)
    "STORE_GLOBAL",  # a=global         (unused by the compiler; defs cannot rebind globals)
    "NOT", "NEG",
    "JUMP_IF_FALSE_OR_POP",  # a=target  `and`: keep False and jump, else pop
    "JUMP_IF_TRUE_OR_POP",   # a=target  `or`: keep True and jump, else pop
    "BUILD_LIST",   # a=n
    "BUILD_DICT",   # a=n pairs
    "STORE_INDEX",  # container, key, value ->
    "SLICE",        # a=1 lower given | 2 upper given
    "DUP2",         # x y -> x y x y
    "POP",
    "GET_ITER",     # iterable -> iterator
    "RANGE_ITER",   # a=tool(range) b=argc  args -> iterator (no list built)
    "CALL_TOOL_KW",  # a=tool b=const [argc, [kwname...]]
    "CALL_FUNC",    # a=function b=argc
    "RETURN",       # value ->
    "PRINT",        # a=argc b=tool(print) or -1
    "CAST",         # a=const (type text) b=1 if the value may be parsed from JSON text
    "STATE_GET",    # a=key name
    "STATE_SET",    # a=key name
    "SUBMIT",       # value ->    ends the run
    "FAIL",         # message ->  ends the run
    "HALT",         # end of the script without submit
    "NOP",
    "INPLACE_ADD",  # x y -> x+y; a list x is extended in place (`xs += ys`)
]
OP: dict[str, int] = {name: i for i, name in enumerate(OPCODES)}
# The same numbers as plain constants (the VM compares against these).
LOAD_LOCAL = 0
CONST = 1
STORE_LOCAL = 2
FUEL = 3
JUMP = 4
FOR_ITER = 5
JUMP_IF_FALSE = 6
ADD = 7
SUB = 8
MUL = 9
DIV = 10
FLOORDIV = 11
MOD = 12
EQ = 13
NE = 14
LT = 15
LE = 16
GT = 17
GE = 18
IN = 19
NOT_IN = 20
INDEX = 21
CALL_TOOL = 22
LOAD_GLOBAL = 23
STORE_GLOBAL = 24
NOT = 25
NEG = 26
JUMP_IF_FALSE_OR_POP = 27
JUMP_IF_TRUE_OR_POP = 28
BUILD_LIST = 29
BUILD_DICT = 30
STORE_INDEX = 31
SLICE = 32
DUP2 = 33
POP = 34
GET_ITER = 35
RANGE_ITER = 36
CALL_TOOL_KW = 37
CALL_FUNC = 38
RETURN = 39
PRINT = 40
CAST = 41
STATE_GET = 42
STATE_SET = 43
SUBMIT = 44
FAIL = 45
HALT = 46
NOP = 47
INPLACE_ADD = 48
assert [OP[n] for n in OPCODES] == list(range(len(OPCODES)))

JUMPS = frozenset({OP["JUMP"], OP["JUMP_IF_FALSE"], OP["JUMP_IF_FALSE_OR_POP"],
                   OP["JUMP_IF_TRUE_OR_POP"], OP["FOR_ITER"]})
TERMINATORS = frozenset({OP["JUMP"], OP["RETURN"], OP["SUBMIT"], OP["FAIL"], OP["HALT"]})

BINARY_OPS: dict[str, int] = {"+": OP["ADD"], "-": OP["SUB"], "*": OP["MUL"], "/": OP["DIV"],
                              "//": OP["FLOORDIV"], "%": OP["MOD"]}
COMPARE_OPS: dict[str, int] = {"==": OP["EQ"], "!=": OP["NE"], "<": OP["LT"], "<=": OP["LE"],
                               ">": OP["GT"], ">=": OP["GE"], "in": OP["IN"],
                               "not in": OP["NOT_IN"]}

Instr = tuple[int, int, int]


class BytecodeError(DiagnosticError):
    """Bytecode that cannot be loaded or fails validation (one or more E_BYTECODE)."""


def bytecode_diag(message: str, **data: Any) -> Diagnostic:
    return Diagnostic("E_BYTECODE", message, None, "<bytecode>",
                      fix="recompile the script from its source; bytecode is never edited by hand",
                      data=dict(data))


@dataclass
class Function:
    """One function's code. Index 0 of a program is the script's top level."""

    name: str
    nparams: int
    nlocals: int
    max_stack: int
    code: list[Instr]
    lines: list[tuple[int, int]]  # per instruction: (line, col) in the script, 0 if none
    loop_headers: list[int] = field(default_factory=list)  # pcs a back-edge may target
    local_names: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "nparams": self.nparams,
            "nlocals": self.nlocals,
            "max_stack": self.max_stack,
            "code": [[OPCODES[op], a, b] for op, a, b in self.code],
            "lines": [list(lc) for lc in self.lines],
            "loop_headers": list(self.loop_headers),
            "local_names": list(self.local_names),
        }


@dataclass
class Bytecode:
    """A compiled script: functions plus the tables their operands index."""

    functions: list[Function]
    consts: list[Any]
    globals: list[str]  # top-level names; inputs are bound to these by name
    state_keys: list[str]
    tools: list[str]  # resolved against the registry when the VM loads the program
    source_file: str = "<script>"
    fuel_static: int = 0  # sum of the block charges (a size hint, not a bound)
    _hash: str | None = field(default=None, repr=False, compare=False)

    # -- identity

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "source_file": self.source_file,
            "consts": list(self.consts),
            "globals": list(self.globals),
            "state_keys": list(self.state_keys),
            "tools": list(self.tools),
            "functions": [f.to_json() for f in self.functions],
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces, UTF-8): equal programs, equal bytes."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False).encode("utf-8")

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of `to_bytes()`: what proofs and logs refer to."""
        if self._hash is None:
            self._hash = hashlib.sha256(self.to_bytes()).hexdigest()
        return self._hash

    def disassemble(self) -> str:
        """A readable listing, for docs, tests and `--dump`."""
        out: list[str] = [f"; bytecode {self.hash[:16]} from {self.source_file}"]
        for fi, f in enumerate(self.functions):
            out.append(f"function {fi} {f.name}({f.nparams}) locals={f.nlocals} "
                       f"max_stack={f.max_stack} loops={f.loop_headers}")
            for pc, (op, a, b) in enumerate(f.code):
                line, col = f.lines[pc] if pc < len(f.lines) else (0, 0)
                name = OPCODES[op] if 0 <= op < len(OPCODES) else f"?{op}"
                note = ""
                if name == "CONST" and 0 <= a < len(self.consts):
                    note = f"  ; {self.consts[a]!r}"[:60]
                elif name in ("CALL_TOOL", "CALL_TOOL_KW", "RANGE_ITER") and 0 <= a < len(self.tools):
                    note = f"  ; {self.tools[a]}"
                elif name in ("STATE_GET", "STATE_SET") and 0 <= a < len(self.state_keys):
                    note = f"  ; state.{self.state_keys[a]}"
                elif name in ("LOAD_GLOBAL", "STORE_GLOBAL") and 0 <= a < len(self.globals):
                    note = f"  ; {self.globals[a]}"
                elif name in ("LOAD_LOCAL", "STORE_LOCAL") and 0 <= a < len(f.local_names):
                    note = f"  ; {f.local_names[a]}"
                out.append(f"  {pc:4d} {line:4d}:{col:<3d} {name:<22s} {a:>4d} {b:>4d}{note}")
        return "\n".join(out)


def decode(data: bytes | str) -> tuple[Bytecode | None, list[Diagnostic]]:
    """Serialised bytecode as a Bytecode, not yet validated (`validate.load` does both);
    never raises for bad input."""
    try:
        return _decode(data), []
    except _Bad as e:
        return None, [bytecode_diag(str(e))]


class _Bad(Exception):
    pass


def _req(d: dict[str, Any], key: str, typ: type | tuple[type, ...], where: str) -> Any:
    if key not in d:
        raise _Bad(f"{where} has no '{key}' field")
    v = d[key]
    if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
        raise _Bad(f"{where} field '{key}' has the wrong kind of value")
    return v


def _int(v: Any, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise _Bad(f"{where} is not an integer")
    return v


def _decode(data: bytes | str) -> Bytecode:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad("the bytecode file is not UTF-8 text (truncated or not bytecode)") from None
    else:
        text = data
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise _Bad(f"the bytecode file is not valid JSON (truncated?): {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _Bad(f"not an rlmlang bytecode file (no \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise _Bad(f"bytecode version {doc.get('version')!r} is not supported (this rlmlang "
                   f"reads version {VERSION})")
    consts = _req(doc, "consts", list, "the program")
    for c in consts:
        if not _const_ok(c):
            raise _Bad(f"constant {c!r} is not a scalar, or a list of scalars")
    names: dict[str, list[str]] = {}
    for key in ("globals", "state_keys", "tools"):
        lst = _req(doc, key, list, "the program")
        if not all(isinstance(x, str) for x in lst):
            raise _Bad(f"the program's '{key}' table holds a non-string")
        names[key] = lst
    funcs_raw = _req(doc, "functions", list, "the program")
    if not funcs_raw:
        raise _Bad("the program has no functions")
    funcs: list[Function] = []
    for fi, fr in enumerate(funcs_raw):
        where = f"function {fi}"
        if not isinstance(fr, dict):
            raise _Bad(f"{where} is not an object")
        code_raw = _req(fr, "code", list, where)
        code: list[Instr] = []
        for pc, ins in enumerate(code_raw):
            if (not isinstance(ins, list) or len(ins) != 3 or not isinstance(ins[0], str)):
                raise _Bad(f"{where} instruction {pc} is not [MNEMONIC, a, b]")
            if ins[0] not in OP:
                raise _Bad(f"{where} instruction {pc}: unknown opcode {ins[0]!r}")
            code.append((OP[ins[0]], _int(ins[1], f"{where} instruction {pc} operand a"),
                         _int(ins[2], f"{where} instruction {pc} operand b")))
        lines_raw = _req(fr, "lines", list, where)
        lines: list[tuple[int, int]] = []
        for lc in lines_raw:
            if not isinstance(lc, list) or len(lc) != 2:
                raise _Bad(f"{where} line table entry {lc!r} is not [line, col]")
            lines.append((_int(lc[0], f"{where} line"), _int(lc[1], f"{where} col")))
        headers = [_int(h, f"{where} loop header") for h in _req(fr, "loop_headers", list, where)]
        local_names = _req(fr, "local_names", list, where)
        funcs.append(Function(
            name=_req(fr, "name", str, where),
            nparams=_req(fr, "nparams", int, where),
            nlocals=_req(fr, "nlocals", int, where),
            max_stack=_req(fr, "max_stack", int, where),
            code=code, lines=lines, loop_headers=headers,
            local_names=[str(n) for n in local_names]))
    return Bytecode(funcs, consts, names["globals"], names["state_keys"], names["tools"],
                    source_file=str(doc.get("source_file", "<script>")))


def _const_ok(c: Any, depth: int = 0) -> bool:
    if c is None or isinstance(c, (bool, int, float, str)):
        return not (isinstance(c, int) and not isinstance(c, bool) and abs(c) > MAX_INT + 1)
    if isinstance(c, list) and depth < 2:  # call specs: [argc, [names], type]
        return all(_const_ok(x, depth + 1) for x in c)
    return False
