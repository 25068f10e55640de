"""Validate bytecode before it runs: every load, including from a log or a cache.

Why: the VM's dispatch loop trusts its operands (no bounds checks per step),
so everything it trusts is proven here once, in one linear pass per function
plus a worklist over the control-flow graph (the Wasm/JVM/Move scheme):

- every operand indexes its table (constants, locals, globals, state keys,
  tools, functions) within range, and constants have the shape their user
  expects (call specs, type texts);
- every jump lands inside the code (one list entry is one instruction, so
  every in-range target is an instruction boundary), and a jump backwards
  lands only on a pc the compiler marked as a loop header;
- stack heights agree at every join, never go below zero or above the
  function's declared max_stack, and no path falls off the end of the code;
- calls between functions pass the callee's arity and form no cycle, so the
  VM's explicit frame stack is bounded by the number of functions.

Problems come back as E_BYTECODE diagnostics; nothing here raises for bad input.
"""

from __future__ import annotations

from typing import Any

from rlmlang.compiler import bytecode as bc
from rlmlang.compiler.bytecode import OPCODES, Bytecode, BytecodeError, bytecode_diag
from rlmlang.diagnostics import Diagnostic
from rlmlang.types import TypeSyntaxError, parse_type

MAX_CODE = 1_000_000
MAX_SLOTS = 65_536

_PUSH1 = frozenset({bc.LOAD_LOCAL, bc.CONST, bc.LOAD_GLOBAL, bc.STATE_GET})
_POP1 = frozenset({bc.STORE_LOCAL, bc.STORE_GLOBAL, bc.STATE_SET, bc.POP, bc.JUMP_IF_FALSE})
_NONE = frozenset({bc.FUEL, bc.JUMP, bc.NOP, bc.HALT})
_BIN = frozenset({bc.ADD, bc.INPLACE_ADD, bc.SUB, bc.MUL, bc.DIV, bc.FLOORDIV, bc.MOD, bc.EQ, bc.NE, bc.LT,
                  bc.LE, bc.GT, bc.GE, bc.IN, bc.NOT_IN, bc.INDEX})
_UNARY = frozenset({bc.NOT, bc.NEG, bc.GET_ITER, bc.CAST})
_ENDS = frozenset({bc.RETURN, bc.SUBMIT, bc.FAIL, bc.HALT})


def call_spec(consts: list[Any], k: int) -> tuple[int, list[str], str | None] | None:
    """Decode a CALL_TOOL_KW constant `[argc, [names...], type?]`, or None if malformed."""
    if not 0 <= k < len(consts):
        return None
    c = consts[k]
    if not isinstance(c, list) or len(c) not in (2, 3):
        return None
    argc, names = c[0], c[1]
    if not isinstance(argc, int) or isinstance(argc, bool) or argc < 0:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    cast = c[2] if len(c) == 3 else None
    if cast is not None and not isinstance(cast, str):
        return None
    return argc, names, cast


def effect(op: int, a: int, b: int, consts: list[Any]) -> tuple[int, int] | None:
    """(values popped, values pushed) on the fall-through path; None if the operand is bad."""
    if op in _PUSH1:
        return 0, 1
    if op in _POP1:
        return 1, 0
    if op in _NONE:
        return 0, 0
    if op in _BIN:
        return 2, 1
    if op in _UNARY:
        return 1, 1
    if op == bc.FOR_ITER:
        return 1, 2  # needs the iterator; leaves it and pushes the item
    if op in (bc.JUMP_IF_FALSE_OR_POP, bc.JUMP_IF_TRUE_OR_POP):
        return 1, 0
    if op == bc.BUILD_LIST:
        return (a, 1) if a >= 0 else None
    if op == bc.BUILD_DICT:
        return (2 * a, 1) if a >= 0 else None
    if op == bc.STORE_INDEX:
        return 3, 0
    if op == bc.SLICE:
        return (1 + (a & 1) + ((a >> 1) & 1), 1) if 0 <= a <= 3 else None
    if op == bc.DUP2:
        return 2, 4
    if op in (bc.CALL_TOOL, bc.CALL_FUNC):
        return (b, 1) if b >= 0 else None
    if op == bc.RANGE_ITER:
        return (b, 1) if 1 <= b <= 3 else None
    if op == bc.PRINT:
        return (a, 1) if a >= 0 else None
    if op == bc.CALL_TOOL_KW:
        spec = call_spec(consts, b)
        return None if spec is None else (spec[0] + len(spec[1]), 1)
    if op in (bc.RETURN, bc.SUBMIT, bc.FAIL):
        return 1, 0
    return None


def stack_heights(code: list[tuple[int, int, int]], consts: list[Any],
                  loop_headers: list[int]) -> tuple[dict[int, int], list[str]]:
    """Abstract interpretation of stack height over the CFG: {pc: height at entry}, problems."""
    n = len(code)
    heights: dict[int, int] = {}
    problems: list[str] = []
    headers = set(loop_headers)
    work = [(0, 0)] if n else []
    while work and len(problems) < 10:
        pc, h = work.pop()
        seen = heights.get(pc)
        if seen is not None:
            if seen != h:
                problems.append(f"instruction {pc} is reached with stack height {seen} on one "
                                f"path and {h} on another")
            continue
        heights[pc] = h
        op, a, b = code[pc]
        eff = effect(op, a, b, consts)
        if eff is None:
            problems.append(f"instruction {pc} ({_name(op)}) has an invalid operand")
            continue
        pops, pushes = eff
        if h < pops:
            problems.append(f"instruction {pc} ({_name(op)}) needs {pops} value(s) on the "
                            f"stack but only {h} can be there")
            continue
        succ: list[tuple[int, int]] = []
        if op in bc.JUMPS:
            if not 0 <= a < n:
                problems.append(f"instruction {pc} ({_name(op)}) jumps to {a}, outside the "
                                f"code (0..{n - 1})")
                continue
            if a <= pc and a not in headers:
                problems.append(f"instruction {pc} ({_name(op)}) jumps back to {a}, which is "
                                "not a loop header")
                continue
            jump_h = {bc.FOR_ITER: h - 1, bc.JUMP_IF_FALSE: h - 1}.get(op, h)
            succ.append((a, jump_h))
        if op not in bc.TERMINATORS:
            if pc + 1 >= n:
                problems.append(f"instruction {pc} ({_name(op)}) falls off the end of the code")
                continue
            succ.append((pc + 1, h - pops + pushes))
        work.extend(succ)
    return heights, problems


def _name(op: int) -> str:
    return OPCODES[op] if 0 <= op < len(OPCODES) else f"opcode {op}"


def validate(prog: Bytecode, registry: Any = None) -> list[Diagnostic]:
    """Every problem with `prog`, as E_BYTECODE diagnostics (empty when it is valid).

    With a registry, every tool the program names must also be registered
    (`print` and `range` excepted: the VM implements them itself).
    """
    try:
        diags = _validate(prog)
        if registry is not None and not diags:
            missing = [t for t in prog.tools
                       if t not in ("print", "range") and registry.get(t) is None]
            if missing:
                diags = [bytecode_diag(f"the bytecode calls tool(s) this host does not provide: "
                                       f"{', '.join(missing)}", missing=missing)]
        return diags
    except Exception as e:  # a malformed object graph must not escape as a traceback
        return [bytecode_diag(f"the bytecode is malformed ({type(e).__name__}: {e})")]


def _validate(prog: Bytecode) -> list[Diagnostic]:
    out: list[str] = []
    funcs = prog.functions
    consts = prog.consts
    if not funcs:
        return [bytecode_diag("the program has no functions")]
    if funcs[0].nparams != 0:
        out.append("function 0 (the script) must take no parameters")
    if funcs[0].nlocals != len(prog.globals):
        out.append(f"function 0 has {funcs[0].nlocals} slots but the program has "
                   f"{len(prog.globals)} globals")
    for ci, c in enumerate(consts):
        if isinstance(c, float) and c != c:
            out.append(f"constant {ci} is NaN")
    calls: dict[int, set[int]] = {}
    for fi, f in enumerate(funcs):
        where = f"function {fi} ({f.name})"
        n = len(f.code)
        if n == 0 or n > MAX_CODE:
            out.append(f"{where} has {n} instructions (1..{MAX_CODE} allowed)")
            continue
        if len(f.lines) != n:
            out.append(f"{where} has {len(f.lines)} line-table entries for {n} instructions")
        if not (0 <= f.nparams <= f.nlocals <= MAX_SLOTS):
            out.append(f"{where} has {f.nparams} parameters and {f.nlocals} local slots")
        if not 0 <= f.max_stack <= MAX_SLOTS:
            out.append(f"{where} declares max_stack {f.max_stack}")
        bad_headers = [h for h in f.loop_headers if not 0 <= h < n]
        if bad_headers:
            out.append(f"{where} marks loop headers outside its code: {bad_headers}")
        callees: set[int] = set()
        for pc, (op, a, b) in enumerate(f.code):
            msg = _operand_problem(prog, f, op, a, b)
            if msg:
                out.append(f"{where} instruction {pc} ({_name(op)}): {msg}")
            if op == bc.CALL_FUNC and not msg:
                callees.add(a)
        calls[fi] = callees
        if any(m.startswith(where) for m in out):
            continue
        heights, problems = stack_heights(f.code, consts, f.loop_headers)
        out.extend(f"{where}: {p}" for p in problems)
        if not problems:
            top = max((h + _peak(f.code[pc], consts) for pc, h in heights.items()), default=0)
            if top > f.max_stack:
                out.append(f"{where} needs a stack of {top} but declares max_stack "
                           f"{f.max_stack}")
        if fi == 0 and any(f.code[pc][0] == bc.RETURN for pc in heights):
            out.append(f"{where}: RETURN at the top level (the script ends with HALT, "
                       "SUBMIT or FAIL)")
        if fi != 0 and any(f.code[pc][0] == bc.HALT for pc in heights):
            out.append(f"{where}: HALT inside a def (a def ends with RETURN)")
    cycle = _find_cycle(calls)
    if cycle:
        out.append("functions call each other in a cycle: "
                   + " -> ".join(funcs[i].name for i in cycle))
    return [bytecode_diag(m) for m in out[:20]]


def max_stack(code: list[tuple[int, int, int]], consts: list[Any], loop_headers: list[int]) -> int:
    """The deepest the stack gets on any path (the compiler's max_stack)."""
    heights, _ = stack_heights(code, consts, loop_headers)
    return max((h + _peak(code[pc], consts) for pc, h in heights.items()), default=0)


def _peak(ins: tuple[int, int, int], consts: list[Any]) -> int:
    """How far above its entry height an instruction takes the stack."""
    eff = effect(ins[0], ins[1], ins[2], consts)
    if eff is None:
        return 0
    return max(0, eff[1] - eff[0])


def _operand_problem(prog: Bytecode, f: bc.Function, op: int, a: int, b: int) -> str | None:
    if not 0 <= op < len(OPCODES):
        return "unknown opcode"

    def rng(v: int, size: int, what: str) -> str | None:
        return None if 0 <= v < size else f"{what} index {v} is out of range (0..{size - 1})"

    if op in (bc.LOAD_LOCAL, bc.STORE_LOCAL):
        return rng(a, f.nlocals, "local")
    if op in (bc.LOAD_GLOBAL, bc.STORE_GLOBAL):
        return rng(a, len(prog.globals), "global")
    if op == bc.CONST:
        return rng(a, len(prog.consts), "constant")
    if op in (bc.STATE_GET, bc.STATE_SET):
        return rng(a, len(prog.state_keys), "state key")
    if op in (bc.CALL_TOOL, bc.RANGE_ITER, bc.CALL_TOOL_KW):
        msg = rng(a, len(prog.tools), "tool")
        if msg:
            return msg
        if op == bc.CALL_TOOL_KW:
            spec = call_spec(prog.consts, b)
            if spec is None:
                return f"constant {b} is not a call spec [argc, [names], type?]"
            if spec[2] is not None and _bad_type(spec[2]):
                return f"constant {b} names an unknown type {spec[2]!r}"
        return None
    if op == bc.PRINT:
        return None if b == -1 or 0 <= b < len(prog.tools) else f"tool index {b} is out of range"
    if op == bc.CALL_FUNC:
        if not 1 <= a < len(prog.functions):
            return f"function index {a} is out of range (1..{len(prog.functions) - 1})"
        if prog.functions[a].nparams != b:
            return (f"passes {b} argument(s) to '{prog.functions[a].name}', which takes "
                    f"{prog.functions[a].nparams}")
        return None
    if op == bc.CAST:
        msg = rng(a, len(prog.consts), "constant")
        if msg:
            return msg
        if not isinstance(prog.consts[a], str) or _bad_type(prog.consts[a]):
            return f"constant {a} is not a type"
        return None
    if op == bc.FUEL:
        return None if a >= 0 else "negative fuel"
    return None


def _bad_type(text: str) -> bool:
    try:
        parse_type(text)
    except TypeSyntaxError:
        return True
    return False


def _find_cycle(calls: dict[int, set[int]]) -> list[int] | None:
    """A call cycle as a list of function indices, or None (iterative DFS)."""
    color: dict[int, int] = {}
    for start in calls:
        if color.get(start):
            continue
        stack: list[tuple[int, list[int]]] = [(start, sorted(calls.get(start, ())))]
        path = [start]
        color[start] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            nxt = todo.pop()
            c = color.get(nxt, 0)
            if c == 1:
                return path[path.index(nxt):] + [nxt]
            if c == 0:
                color[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(calls.get(nxt, ()))))
    return None


def load(data: bytes | str, expect_hash: str | None = None) -> tuple[Bytecode | None, list[Diagnostic]]:
    """Decode serialised bytecode and validate it; never raises for bad input."""
    prog, diags = bc.decode(data)
    if prog is None:
        return None, diags
    if expect_hash is not None and prog.hash != expect_hash:
        return None, [bytecode_diag(
            f"bytecode hash {prog.hash[:16]}… does not match the expected {expect_hash[:16]}… "
            "(the bytecode is not the one that was verified)",
            hash=prog.hash, expected=expect_hash)]
    diags = validate(prog)
    if diags:
        return None, diags
    return prog, []


def from_bytes(data: bytes | str, expect_hash: str | None = None) -> Bytecode:
    """Decode and validate; raises BytecodeError (E_BYTECODE) on anything malformed."""
    prog, diags = load(data, expect_hash)
    if prog is None:
        raise BytecodeError(diags)
    return prog
