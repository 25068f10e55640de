"""The fast tier: validated bytecode translated to Python source, compiled once per program.

Why this shape:
- The dispatch loop (machine.py) pays one tuple unpack and a chain of
  opcode tests per instruction. Here each function of a validated program
  becomes one Python function, compiled with Python's own `compile()` and
  cached (LRU) by the program's hash plus what the code is specialised on:
  which globals the inputs bind and their types, and whether each tool is
  effectful, pure or VM-implemented. The interpreter stays the reference;
  tests/test_vm_tiers.py checks that both tiers give the same RunResult.
- Register translation: operand-stack slot k is the Python local `s<k>`,
  local slot i is `v<i>`, fuel is `_f`. Loads of locals and constants are
  forwarded symbolically to their consumer (never reordered past a store
  to the same slot, never carried across a branch).
- Control flow is rebuilt from the compiler's layout: `if`/`else` from a
  forward JUMP_IF_FALSE (and the JUMP ending its then-part), native `for`
  from a FOR_ITER header, `while True:` from any other loop header, `break`
  and `continue` for jumps to the innermost loop's exit and header. Bytecode
  that does not fit these shapes (valid, but not what our compiler emits)
  is not translated; the interpreter runs it.
- Same metering as the interpreter, at the same points: each block's FUEL
  is charged at its entry and checked at once; data-proportional charges
  (str/list results of + and *, `in`, slices, builtin and tool costs on
  argument sizes, print) in the same order. A little type inference over
  the bytecode (constants, arithmetic, range iteration) only removes tests
  whose outcome is known (int results need an overflow check, never a
  str/list one); it never assumes what the checker proved.
- Errors cost nothing until they happen: each generated line holds at most
  one instruction that can raise, and a line table maps the innermost
  generated frame's line back to (function, pc); its `_f` is the fuel used.
  Diagnostics are made by the interpreter's own code (_Machine.fail).
- Safety: the source is built only from opcode numbers and fixed templates;
  no script text, name or string constant is ever written into it (names
  are `v<i>`, `s<k>`, `k<i>`; constants other than ints, bools and None are
  passed as values). It runs with empty `__builtins__` and a globals dict
  holding only the helpers below. Effects still go through `invoke`.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from rlmlang.compiler import bytecode as bc
from rlmlang.compiler.bytecode import Bytecode
from rlmlang.compiler.validate import stack_heights
from rlmlang.cost import CHARS_PER_FUEL
from rlmlang.tools.registry import SCALAR_SIZE, size_of
from rlmlang.types import kind_of
from rlmlang.vm import machine
from rlmlang.vm.errors import SYMBOLS, OutOfFuel, op_error, overflow
from rlmlang.vm.meter import (
    arg_size,
    arg_sizes,
    cast_charge,
    compare_charge,
    contains_charge,
    iter_charge,
    result_charge,
    size_charge_source,
    start_charge,
    state_charge,
)

MAX_INT = bc.MAX_INT
MIN_INT = -MAX_INT - 1
CACHE_SIZE = 128

_ANY = "any"
_BOT = "bot"
_INTLIKE = ("int", "bool")
_NUMERIC = ("int", "bool", "float")
_SEQ = ("str", "list")
_TAGS = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict",
         type(None): "none"}
_BINARY = {op: SYMBOLS[op] for op in (bc.ADD, bc.SUB, bc.MUL, bc.DIV, bc.FLOORDIV, bc.MOD)}
_COMPARE = {op: SYMBOLS[op] for op in (bc.EQ, bc.NE, bc.LT, bc.LE, bc.GT, bc.GE, bc.IN,
                                       bc.NOT_IN)}


class Unsupported(Exception):  # noqa: N818 (a signal: run this program on the interpreter)
    """Valid bytecode whose shape this tier does not translate."""


class _Stop(Exception):  # noqa: N818 (submit/fail inside a def ends the whole run)
    pass


def _tag(v: Any) -> str:
    return _TAGS.get(type(v), _ANY)


def _join(a: str, b: str) -> str:
    if a == b or b == _BOT:
        return a
    return b if a == _BOT else _ANY


# ---------------------------------------------------------------- type inference

# A state at a pc: (assigned, types, stack). assigned[i] is "A" (surely
# assigned), "U" (surely not) or "M"; types[i] is a tag or "bot"; the stack
# holds tags, and "it:int" / "it:str" / "it:any" for iterators.
State = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _arith(op: int, x: str, y: str) -> str:
    if x in _INTLIKE and y in _INTLIKE:
        return "float" if op == bc.DIV else "int"
    if x in _NUMERIC and y in _NUMERIC:
        return "float"
    if op == bc.ADD and x == y and x in _SEQ:
        return x
    if op == bc.MUL and x in _SEQ and y in _INTLIKE:
        return x
    if op == bc.MUL and y in _SEQ and x in _INTLIKE:
        return y
    return _ANY


def _join_state(a: State, b: State) -> State:
    if len(a[2]) != len(b[2]):
        raise Unsupported("stack heights differ at a join")
    asg = tuple(x if x == y else "M" for x, y in zip(a[0], b[0], strict=True))
    typ = tuple(_join(x, y) for x, y in zip(a[1], b[1], strict=True))
    stk = tuple(_join(x, y) for x, y in zip(a[2], b[2], strict=True))
    return asg, typ, stk


class _Analysis:
    """Per-pc abstract states of one function (a forward dataflow to a fixpoint)."""

    def __init__(self, prog: Bytecode, fi: int, entry: State, writes: dict[int, set[int]],
                 range_int: set[int]):
        self.prog = prog
        self.fi = fi
        self.code = prog.functions[fi].code
        self.writes = writes
        self.range_int = range_int
        self.states: dict[int, State] = {0: entry}
        work = [0]
        while work:
            pc = work.pop()
            for succ, st in self.step(pc, self.states[pc]):
                old = self.states.get(succ)
                new = st if old is None else _join_state(old, st)
                if new != old:
                    self.states[succ] = new
                    work.append(succ)

    def step(self, pc: int, st: State) -> list[tuple[int, State]]:
        op, a, b = self.code[pc]
        asg, typ, stk = st
        n = pc + 1
        main = self.fi == 0

        def push(*tags: str, pop: int = 0) -> list[tuple[int, State]]:
            base = stk[:len(stk) - pop] if pop else stk
            return [(n, (asg, typ, base + tags))]

        if op == bc.LOAD_LOCAL or (op == bc.LOAD_GLOBAL and main):
            t = typ[a] if typ[a] != _BOT else _ANY
            asg2 = asg[:a] + ("A",) + asg[a + 1:]
            return [(n, (asg2, typ, stk + (t,)))]
        if op == bc.STORE_LOCAL or (op == bc.STORE_GLOBAL and main):
            asg2 = asg[:a] + ("A",) + asg[a + 1:]
            typ2 = typ[:a] + (stk[-1],) + typ[a + 1:]
            return [(n, (asg2, typ2, stk[:-1]))]
        if op == bc.CONST:
            return push(_tag(self.prog.consts[a]))
        if op == bc.LOAD_GLOBAL or op == bc.STATE_GET:
            return push(_ANY)
        if op in (bc.STORE_GLOBAL, bc.STATE_SET, bc.POP):
            return push(pop=1)
        if op in (bc.FUEL, bc.NOP):
            return push()
        if op == bc.JUMP:
            return [(a, st)]
        if op == bc.FOR_ITER:
            it = stk[-1]
            item = {"it:int": "int", "it:str": "str"}.get(it, _ANY)
            return [(a, (asg, typ, stk[:-1])), (n, (asg, typ, stk + (item,)))]
        if op == bc.JUMP_IF_FALSE:
            return [(a, (asg, typ, stk[:-1])), (n, (asg, typ, stk[:-1]))]
        if op in (bc.JUMP_IF_FALSE_OR_POP, bc.JUMP_IF_TRUE_OR_POP):
            return [(a, st), (n, (asg, typ, stk[:-1]))]
        if op in _BINARY:
            return push(_arith(op, stk[-2], stk[-1]), pop=2)
        if op == bc.INPLACE_ADD:
            return push(_arith(bc.ADD, stk[-2], stk[-1]), pop=2)
        if op in _COMPARE:
            return push("bool", pop=2)
        if op == bc.INDEX:
            t = "str" if stk[-2] == "str" and stk[-1] in _INTLIKE else _ANY
            return push(t, pop=2)
        if op == bc.NOT:
            return push("bool", pop=1)
        if op == bc.NEG:
            x = stk[-1]
            return push("int" if x in _INTLIKE else "float" if x == "float" else _ANY, pop=1)
        if op == bc.BUILD_LIST:
            return push("list", pop=a)
        if op == bc.BUILD_DICT:
            return push("dict", pop=2 * a)
        if op == bc.STORE_INDEX:
            return push(pop=3)
        if op == bc.SLICE:
            k = 1 + (a & 1) + ((a >> 1) & 1)
            base = stk[-k]
            return push(base if base in _SEQ else _ANY, pop=k)
        if op == bc.DUP2:
            return push(*stk[-2:])
        if op == bc.GET_ITER:
            return push("it:str" if stk[-1] == "str" else "it:any", pop=1)
        if op == bc.RANGE_ITER:
            return push("it:int" if a in self.range_int else "it:any", pop=b)
        if op in (bc.CALL_TOOL, bc.CALL_TOOL_KW):
            spec = self.prog.consts[b] if op == bc.CALL_TOOL_KW else None
            argc = b if spec is None else spec[0] + len(spec[1])
            return push(_ANY, pop=argc)
        if op == bc.CALL_FUNC:
            if main and self.writes.get(a):
                w = self.writes[a]
                asg = tuple("M" if i in w and x == "U" else x for i, x in enumerate(asg))
                typ = tuple(_ANY if i in w else t for i, t in enumerate(typ))
            return [(n, (asg, typ, stk[:len(stk) - b] + (_ANY,)))]
        if op == bc.PRINT:
            return push("none", pop=a)
        if op == bc.CAST:
            return push(_ANY, pop=1)
        if op in (bc.RETURN, bc.SUBMIT, bc.FAIL, bc.HALT):
            return []
        raise Unsupported(f"opcode {op}")


# ---------------------------------------------------------------- emission

@dataclass
class _Loop:
    header: int
    exit: int


@dataclass
class _Line:
    indent: int
    text: str
    pc: int
    operands: tuple[tuple[str, Any], ...] | None = None


class _Emitter:
    """Structured Python for one function; see the module docstring for the shapes."""

    def __init__(self, prog: Bytecode, fi: int, an: _Analysis, heights: dict[int, int],
                 reads: dict[int, set[int]], writes: dict[int, set[int]], kinds: tuple[str, ...]):
        self.prog = prog
        self.fi = fi
        self.fn = prog.functions[fi]
        self.code = self.fn.code
        self.states = an.states
        self.heights = heights
        self.reads = reads
        self.writes = writes
        self.kinds = kinds
        self.headers = set(self.fn.loop_headers)
        self.targets = {a for op, a, _ in self.code if op in bc.JUMPS}
        self.lines: list[_Line] = []
        self.ind = 1
        self.sym: list[str] = []
        self.lits: dict[str, Any] = {}
        self.pending: tuple[str, int] | None = None  # a compare folded into the next if
        self.ops: tuple[tuple[str, Any], ...] | None = None  # operands for explain
        self.call_live: dict[int, tuple[tuple[str, Any], ...]] = {}  # line index -> stack
        self.names: set[str] = set()

    # -- small helpers

    def line(self, text: str, pc: int) -> None:
        self.lines.append(_Line(self.ind, text, pc, self.ops))

    def use(self, *names: str) -> None:
        self.names.update(names)

    def recipe(self, expr: str) -> tuple[str, Any]:
        if expr[0] in "vs":
            return ("n", expr)
        if expr[0] == "k":
            return ("k", int(expr[1:]))
        return ("c", self.lits[expr])

    def const(self, a: int) -> str:
        c = self.prog.consts[a]
        if c is None or type(c) is bool or type(c) is int:
            text = repr(c) if not (type(c) is int and c < 0) else f"({c!r})"
            self.lits[text] = c
            return text
        name = f"k{a}"
        self.use(name)
        return name

    def pop(self, n: int = 1) -> list[str]:
        if n == 0:
            return []
        out = self.sym[-n:]
        del self.sym[-n:]
        return out

    def materialize(self) -> None:
        for p, e in enumerate(self.sym):
            if e != f"s{p}":
                if e == "<cond>":
                    raise Unsupported("a folded condition must be consumed at once")
                self.line(f"s{p} = {e}", -1)
                self.sym[p] = f"s{p}"

    def flush(self, names: set[str]) -> None:
        """Materialize forwarded loads of slots about to be written."""
        for p, e in enumerate(self.sym):
            if e in names:
                self.line(f"s{p} = {e}", -1)
                self.sym[p] = f"s{p}"

    def fuel(self, amount: str, pc: int) -> None:
        self.line(f"_f -= {amount}", pc)
        self.line("if _f < 0: raise _OOF", pc)
        self.use("_OOF")

    def live(self, below: int) -> str:
        items = self.sym[:below]
        return "(" + "".join(f"{e}, " for e in items) + ")"

    def seq_charge(self, v: str, pc: int, below: int, indent_more: bool = False) -> None:
        """The str/list result of an operator: charge its size, account big values."""
        self.use("_len", "_mem")
        self.fuel(size_charge_source(v), pc)
        self.line(f"if _len({v}) >= {_BIG}: _mem({v}, {self.live(below)})", pc)

    def overflow(self, v: str, pc: int) -> None:
        self.use("_ovf")
        self.line(f"if {v} > {MAX_INT} or {v} < {MIN_INT}: _ovf({v}, {self.code[pc][0]})", pc)

    def dispatch_result(self, v: str, pc: int, below: int) -> None:
        """Checks on a result of unknown type, as the interpreter makes them."""
        self.use("_type", "_int", "_str", "_list")
        self.line(f"_t = _type({v})", pc)
        self.line("if _t is _int:", pc)
        self.ind += 1
        self.overflow(v, pc)
        self.ind -= 1
        self.line("elif _t is _str or _t is _list:", pc)
        self.ind += 1
        self.seq_charge(v, pc, below)
        self.ind -= 1

    # -- regions

    def function(self) -> None:
        self.region(0, len(self.code), None)

    def sub(self, start: int, end: int, loop: _Loop | None, sym: list[str],
            reopen: bool = True) -> None:
        self.sym = list(sym)
        self.ind += 1
        before = len(self.lines)
        self.region(start, end, loop, reopen)
        if len(self.lines) == before:
            self.line("pass", -1)
        self.ind -= 1

    def rejoin(self, pc: int) -> bool:
        """After a structure: the stack at `pc` is in its slot variables; False if unreachable."""
        if pc not in self.states:
            return False
        self.sym = [f"s{p}" for p in range(self.heights[pc])]
        return True

    def region(self, start: int, end: int, loop: _Loop | None, reopen: bool = True) -> None:
        code = self.code
        pc = start
        live = True
        while pc < end:
            if pc not in self.states:
                pc += 1
                continue
            if not live:
                raise Unsupported(f"instruction {pc} is reached from outside its block")
            if len(self.sym) != self.heights[pc]:
                raise Unsupported(f"stack height mismatch at {pc}")
            op, a, b = code[pc]
            if pc in self.headers and (reopen or pc != start):
                pc, live = self.loop(pc, end)
                continue
            if op == bc.JUMP:
                if loop is not None and a == loop.header:
                    self.materialize()
                    self.line("continue", pc)
                    live = False
                elif loop is not None and a == loop.exit:
                    self.materialize()
                    self.line("break", pc)
                    live = False
                elif a == end:
                    live = False
                elif pc < a < end and all(p not in self.states for p in range(pc + 1, a)):
                    pc = a
                    continue
                else:
                    raise Unsupported(f"jump at {pc} to {a}")
                pc += 1
                continue
            if op == bc.JUMP_IF_FALSE:
                pc, live = self.branch(pc, a, end, loop)
                continue
            if op in (bc.JUMP_IF_FALSE_OR_POP, bc.JUMP_IF_TRUE_OR_POP):
                if not pc < a <= end:
                    raise Unsupported(f"short-circuit jump at {pc} to {a}")
                self.materialize()
                p = len(self.sym) - 1
                is_bool = self.states[pc][2][-1] == "bool"
                if op == bc.JUMP_IF_FALSE_OR_POP:
                    test = f"s{p}" if is_bool else f"s{p} is not False"
                else:
                    test = f"not s{p}" if is_bool else f"s{p} is not True"
                self.line(f"if {test}:", pc)
                self.sub(pc + 1, a, loop, self.sym[:-1])
                live = self.rejoin(a)
                pc = a
                continue
            if op == bc.FOR_ITER:
                raise Unsupported(f"FOR_ITER at {pc} is not a loop header")
            live = self.instr(pc, op, a, b)
            pc += 1
        if live:
            self.materialize()

    def branch(self, pc: int, a: int, end: int, loop: _Loop | None) -> tuple[int, bool]:
        cond, cpc, ops = self.condition(pc)
        if loop is not None and a in (loop.exit, loop.header):
            self.materialize()
            self.ops = ops
            word = "break" if a == loop.exit else "continue"
            self.line(f"if not ({cond}): {word}", cpc)
            self.ops = None
            return pc + 1, True
        if not pc < a <= end:
            raise Unsupported(f"conditional jump at {pc} to {a}")
        self.materialize()
        else_end = None
        if a - 1 > pc and self.code[a - 1][0] == bc.JUMP and a < self.code[a - 1][1] <= end:
            else_end = self.code[a - 1][1]
        self.ops = ops
        self.line(f"if {cond}:", cpc)
        self.ops = None
        saved = list(self.sym)
        self.sub(pc + 1, a - 1 if else_end is not None else a, loop, saved)
        if else_end is None:
            return a, self.rejoin(a)
        self.line("else:", -1)
        self.sub(a, else_end, loop, saved)
        return else_end, self.rejoin(else_end)

    def condition(self, pc: int) -> tuple[str, int, Any]:
        """The test under which a JUMP_IF_FALSE falls through, and the pc it raises at."""
        if self.pending is not None:
            text, cpc, ops = self.pending
            self.pending = None
            self.pop()
            return text, cpc, ops
        (c,) = self.pop()
        if c in self.lits:  # a constant condition: no `is` on a literal
            return ("False" if self.lits[c] is False else "True"), pc, None
        if self.states[pc][2][-1] == "bool":
            return c, pc, None
        return f"{c} is not False", pc, None

    def loop(self, h: int, end: int) -> tuple[int, bool]:
        op, a, _ = self.code[h]
        self.materialize()
        if op == bc.FOR_ITER:
            if not (h + 1 < a <= end and self.code[a - 1][:2] == (bc.JUMP, h)):
                raise Unsupported(f"for loop at {h}")
            k = len(self.sym) - 1
            self.line(f"for s{k + 1} in s{k}:", h)
            self.sub(h + 1, a - 1, _Loop(h, a), self.sym + [f"s{k + 1}"])
            return a, self.rejoin(a)
        back = [pc for pc in range(h, end) if self.code[pc][:2] == (bc.JUMP, h)]
        if not back:
            raise Unsupported(f"loop header {h} without a back-edge in its block")
        last = back[-1]
        self.line("while True:", h)
        self.sub(h, last, _Loop(h, last + 1), self.sym, reopen=False)
        return last + 1, self.rejoin(last + 1)

    # -- one instruction

    def instr(self, pc: int, op: int, a: int, b: int) -> bool:  # noqa: C901 (one case per opcode)
        """Emit one straight-line instruction; False if control does not go on."""
        st = self.states[pc]
        stk = st[2]
        h = len(self.sym)
        main = self.fi == 0
        if op == bc.LOAD_LOCAL or (op == bc.LOAD_GLOBAL and main):
            if st[0][a] != "A":
                self.use("_U", "_unset")
                self.line(f"if v{a} is _U: _unset({self.fi}, {a})", pc)
            self.sym.append(f"v{a}")
        elif op == bc.CONST:
            self.sym.append(self.const(a))
        elif op == bc.STORE_LOCAL or (op == bc.STORE_GLOBAL and main):
            (v,) = self.pop()
            self.flush({f"v{a}"})
            self.line(f"v{a} = {v}", pc)
        elif op == bc.FUEL:
            if a:
                self.fuel(str(a), pc)
        elif op == bc.NOP:
            pass
        elif op == bc.LOAD_GLOBAL:
            self.use("_G", "_U", "_unsetg")
            self.line(f"s{h} = _G[{a}]", pc)
            self.line(f"if s{h} is _U: _unsetg({a})", pc)
            self.sym.append(f"s{h}")
        elif op == bc.STORE_GLOBAL:
            (v,) = self.pop()
            self.use("_G")
            self.line(f"_G[{a}] = {v}", pc)
        elif op in _BINARY:
            self.binary(pc, op, stk[-2], stk[-1])
        elif op == bc.INPLACE_ADD:
            self.inplace_add(pc, stk[-2], stk[-1])
        elif op in _COMPARE:
            self.compare(pc, op, stk[-1], stk[-2])
        elif op == bc.INDEX:
            x, y = self.pop(2)
            self.ops = (self.recipe(x), self.recipe(y))
            self.line(f"s{h - 2} = {x}[{y}]", pc)
            self.ops = None
            self.sym.append(f"s{h - 2}")
        elif op == bc.STORE_INDEX:
            c, k, v = self.pop(3)
            self.ops = (self.recipe(c), self.recipe(k))
            self.line(f"{c}[{k}] = {v}", pc)
            self.ops = None
            if stk[-3] in ("dict", _ANY):
                self.use("_type", "_dict", "_stored", "_memdue")
                self.line(f"if _type({c}) is _dict and _stored({k}, {v}): "
                          f"_memdue({self.live(len(self.sym))})", pc)
        elif op == bc.NOT:
            (x,) = self.pop()
            if x in self.lits:
                self.line(f"s{h - 1} = {self.lits[x] is False}", pc)
            else:
                self.line(f"s{h - 1} = {x} is False", pc)
            self.sym.append(f"s{h - 1}")
        elif op == bc.NEG:
            (x,) = self.pop()
            self.line(f"s{h - 1} = -{x}", pc)
            if stk[-1] in _INTLIKE:  # only -MIN_INT can overflow (the interpreter's test)
                self.use("_ovf")
                self.line(f"if s{h - 1} > {MAX_INT}: _ovf(s{h - 1}, {op})", pc)
            elif stk[-1] != "float":
                self.use("_type", "_int", "_ovf")
                self.line(f"if _type(s{h - 1}) is _int and s{h - 1} > {MAX_INT}: "
                          f"_ovf(s{h - 1}, {op})", pc)
            self.sym.append(f"s{h - 1}")
        elif op == bc.BUILD_LIST:
            items = self.pop(a)
            self.line(f"s{h - a} = [{', '.join(items)}]", pc)
            self.sym.append(f"s{h - a}")
        elif op == bc.BUILD_DICT:
            items = self.pop(2 * a)
            pairs = ", ".join(f"{items[i]}: {items[i + 1]}" for i in range(0, 2 * a, 2))
            self.line(f"s{h - 2 * a} = {{{pairs}}}", pc)
            self.sym.append(f"s{h - 2 * a}")
        elif op == bc.SLICE:
            hi = self.pop()[0] if a & 2 else "None"
            lo = self.pop()[0] if a & 1 else "None"
            (x,) = self.pop()
            p = len(self.sym)
            self.line(f"s{p} = {x}[{lo}:{hi}]", pc)
            self.use("_len")
            self.fuel(size_charge_source(f"s{p}"), pc)
            self.sym.append(f"s{p}")
        elif op == bc.DUP2:
            self.sym.extend(self.sym[-2:])
        elif op == bc.POP:
            self.pop()
        elif op == bc.GET_ITER:
            (x,) = self.pop()
            self.use("_getiter", "_iterc")
            self.fuel(f"_iterc({x})", pc)
            self.line(f"s{h - 1} = _getiter({x})", pc)
            self.sym.append(f"s{h - 1}")
        elif op == bc.RANGE_ITER:
            args = self.pop(b)
            self.use("_rcost", "_rangeiter")
            self.fuel(f"_rcost({a}, {b})", pc)
            self.line(f"s{h - b} = _rangeiter({a}, {', '.join(args)})", pc)
            self.sym.append(f"s{h - b}")
        elif op == bc.CALL_TOOL:
            self.call_tool(pc, a, b, stk)
        elif op == bc.CALL_TOOL_KW:
            spec = self.prog.consts[b]
            n = spec[0] + len(spec[1])
            if self.kinds[a] == "none":
                raise Unsupported("a VM-implemented tool called with keywords")
            vals = self.pop(n)
            p = len(self.sym)
            self.use("_kwcost", "_kwcall")
            self.fuel(f"_kwcost({a}, [{', '.join(vals)}])", pc)
            self.line(f"s{p} = _kwcall({a}, {b}, [{', '.join(vals)}])", pc)
            self.big_result(f"s{p}", pc, p, a)
            self.sym.append(f"s{p}")
        elif op == bc.CALL_FUNC:
            self.call_func(pc, a, b)
        elif op == bc.PRINT:
            args = self.pop(a)
            self.use("_pcost", "_print")
            self.fuel(f"_pcost({b}, [{', '.join(args)}])", pc)
            self.line(f"_print([{', '.join(args)}])", pc)
            self.sym.append("None")
            self.lits["None"] = None
        elif op == bc.CAST:
            (x,) = self.pop()
            self.use(f"T{a}", "_cast", "_castc")
            self.line(f"s{h - 1} = _cast({x}, T{a})", pc)
            self.fuel(f"_castc(s{h - 1})", pc)
            self.sym.append(f"s{h - 1}")
        elif op == bc.STATE_GET:
            self.use("_sget", "_statec")
            self.line(f"s{h} = _sget({a})", pc)
            self.fuel(f"_statec(s{h})", pc)
            self.sym.append(f"s{h}")
        elif op == bc.STATE_SET:
            (v,) = self.pop()
            self.use("_sset", "_statec")
            self.fuel(f"_statec({v})", pc)
            self.line(f"_sset({a}, {v})", pc)
        elif op in (bc.SUBMIT, bc.FAIL):
            (v,) = self.pop()
            status = "'submitted'" if op == bc.SUBMIT else "'failed'"
            at = self.fn.lines[pc][0]  # RunResult.end_line
            if main:
                self.line(f"return ({status}, {v}, _f, {at})", pc)
            else:
                self.use("_Stop")
                self.line(f"raise _Stop({status}, {v}, _f, {at})", pc)
            return False
        elif op == bc.HALT:
            self.line("return ('finished', None, _f, 0)", pc)
            return False
        elif op == bc.RETURN:
            (v,) = self.pop()
            self.line(f"return ({v}, _f)", pc)
            return False
        else:
            raise Unsupported(f"opcode {op} at {pc}")
        return True

    def binary(self, pc: int, op: int, tx: str, ty: str) -> None:
        x, y = self.pop(2)
        p = len(self.sym)
        self.ops = (self.recipe(x), self.recipe(y))
        if op == bc.MUL and not (tx in _NUMERIC and ty in _NUMERIC):
            self.use("_precheck")
            self.line(f"_precheck({x}, {y})", pc)
        v = f"s{p}"
        self.line(f"{v} = {x} {_BINARY[op]} {y}", pc)
        res = _arith(op, tx, ty)
        if res == "int":
            if not (op == bc.MOD and y in self.lits and type(self.lits[y]) is int):
                self.overflow(v, pc)
        elif res in _SEQ:
            self.seq_charge(v, pc, p)
        elif res != "float":
            self.dispatch_result(v, pc, p)
        self.ops = None
        self.sym.append(v)

    def inplace_add(self, pc: int, tx: str, ty: str) -> None:
        """`xs += ys`: a list is extended in place (charged for the items added); anything
        else is `+`, as the interpreter does it."""
        if tx not in ("list", _ANY):
            self.binary(pc, bc.ADD, tx, ty)
            return
        x, y = self.pop(2)
        p = len(self.sym)
        v = f"s{p}"
        self.ops = (self.recipe(x), self.recipe(y))
        self.line(f"{v} = {x}", pc)
        self.use("_type", "_list", "_len")
        self.line(f"if _type({v}) is _list:", pc)
        self.ind += 1
        self.fuel(size_charge_source(y), pc)
        self.line(f"{v} += {y}", pc)
        self.ind -= 1
        self.line("else:", pc)
        self.ind += 1
        self.line(f"{v} = {v} + {y}", pc)
        self.dispatch_result(v, pc, p)
        self.ind -= 1
        self.ops = None
        self.sym.append(v)

    def short_str(self, e: str) -> bool:
        """Whether operand e is a str constant shorter than CHARS_PER_FUEL (comparing with
        it costs nothing: compare_charge is 0)."""
        if e[:1] != "k" or not e[1:].isdigit():
            return False
        c = self.prog.consts[int(e[1:])]
        return type(c) is str and len(c) < CHARS_PER_FUEL

    def compare(self, pc: int, op: int, ty: str, tx: str = _ANY) -> None:
        x, y = self.pop(2)
        p = len(self.sym)
        self.ops = (self.recipe(x), self.recipe(y))
        if op in (bc.IN, bc.NOT_IN) and ty != "dict":
            self.use("_len")
            if ty == "str":
                self.fuel(size_charge_source(y), pc)
            elif ty == "list":
                self.use("_inc")
                self.fuel(f"_inc({x}, {y})", pc)
            else:
                self.use("_type", "_dict", "_inc")
                self.line(f"if _type({y}) is not _dict:", pc)
                self.ind += 1
                self.fuel(f"_inc({x}, {y})", pc)
                self.ind -= 1
        elif op not in (bc.IN, bc.NOT_IN) and tx in ("str", "list", "dict", _ANY):
            short = [s for s in (x, y) if self.short_str(s)]
            if tx == "str" and ty == "str" and not short:  # only long strs cost anything
                self.use("_len", "_cmpc")
                self.line(f"if _len({x}) >= {CHARS_PER_FUEL} <= _len({y}):", pc)
                self.ind += 1
                self.fuel(f"_cmpc({x}, {y})", pc)
                self.ind -= 1
            elif not short:
                self.use("_cmpc")
                self.fuel(f"_cmpc({x}, {y})", pc)
        expr = f"{x} {_COMPARE[op]} {y}"
        nxt = pc + 1
        if (nxt < len(self.code) and self.code[nxt][0] == bc.JUMP_IF_FALSE
                and nxt not in self.targets and nxt not in self.headers):
            self.pending = (expr, pc, self.ops)
            self.sym.append("<cond>")
        else:
            self.line(f"s{p} = {expr}", pc)
            self.sym.append(f"s{p}")
        self.ops = None

    def big_result(self, v: str, pc: int, below: int, tool: int) -> None:
        """A builtin's or tool's result: its items are charged, big values count towards
        memory."""
        self.use("_type", "_str", "_list", "_dict", "_len", "_mem", "_resc")
        self.line(f"_t = _type({v})", pc)
        self.line("if _t is _list or _t is _dict:", pc)
        self.ind += 1
        self.fuel(f"_resc({tool}, {v})", pc)
        self.ind -= 1
        self.line(f"if (_t is _str or _t is _list or _t is _dict) and _len({v}) >= {_BIG}: "
                  f"_mem({v}, {self.live(below)})", pc)

    def call_tool(self, pc: int, a: int, b: int, stk: tuple[str, ...]) -> None:
        k = self.kinds[a]
        if k == "none":
            raise Unsupported("a VM-implemented tool called as a function")
        tags = stk[len(stk) - b:] if b else ()
        args = self.pop(b)
        p = len(self.sym)
        self.use(f"C{a}")
        if k == "effect":
            self.use("_so", "_calltool")
            sizes = ", ".join(f"_so({x})" for x in args)
            self.fuel(f"C{a}([{sizes}])", pc)
            self.line(f"s{p} = _calltool({a}, [{', '.join(args)}])", pc)
        else:
            parts = [arg_size_source(x, t) for x, t in zip(args, tags, strict=True)]
            self.use(*{part.partition("(")[0] for part in parts})
            self.fuel(f"C{a}([{', '.join(parts)}])", pc)
            self.use(f"I{a}")
            self.line(f"s{p} = I{a}({', '.join(args)})", pc)
        self.big_result(f"s{p}", pc, p, a)
        self.sym.append(f"s{p}")

    def call_func(self, pc: int, a: int, b: int) -> None:
        args = self.pop(b)
        p = len(self.sym)
        main = self.fi == 0
        if main:
            self.flush({f"v{g}" for g in self.writes.get(a, ())})
            self.use("_G")
            for g in sorted(self.reads.get(a, ())):
                self.line(f"_G[{g}] = v{g}", pc)
        self.use(f"_rlm_f{a}")
        self.call_live[len(self.lines)] = tuple(self.recipe(e) for e in self.sym[:p])
        self.line(f"s{p}, _f = _rlm_f{a}(_f, {''.join(x + ', ' for x in args)})", pc)
        if main:
            for g in sorted(self.writes.get(a, ())):
                self.line(f"v{g} = _G[{g}]", pc)
        self.sym.append(f"s{p}")


_BIG = 4096  # = machine.BIG (checked in translate)


def arg_size_source(x: str, tag: str) -> str:
    """`meter.arg_size` of the operand `x` as Python source, specialised on its inferred
    type tag (tests/vm/test_meter_copies.py holds the two equal)."""
    if tag in _NUMERIC:
        return "_SC"
    if tag in ("str", "list", "dict", "none"):
        return f"_so({x})"
    return f"_sz({x})"


# ---------------------------------------------------------------- translation

@dataclass
class Translation:
    """One program compiled to Python, with what is needed to map failures back."""

    code: Any  # the module's code object: it defines _rlm_f0, _rlm_f1, ...
    filename: str
    linemap: dict[int, tuple[int, int]]  # source line -> (function, pc)
    operands: dict[int, tuple[tuple[str, Any], ...]]  # source line -> operand recipes
    call_live: dict[int, tuple[tuple[str, Any], ...]]  # call line -> live stack below it
    names: set[str]  # globals the code uses
    nlocals: list[int]
    source: str = field(repr=False, default="")


def _call_sets(prog: Bytecode) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Globals each def reads and writes, through every def it calls."""
    direct_r: dict[int, set[int]] = {}
    direct_w: dict[int, set[int]] = {}
    calls: dict[int, set[int]] = {}
    for fi, f in enumerate(prog.functions):
        direct_r[fi] = {a for op, a, _ in f.code if op == bc.LOAD_GLOBAL}
        direct_w[fi] = {a for op, a, _ in f.code if op == bc.STORE_GLOBAL}
        calls[fi] = {a for op, a, _ in f.code if op == bc.CALL_FUNC}
    reads: dict[int, set[int]] = {}
    writes: dict[int, set[int]] = {}

    def close(fi: int, seen: tuple[int, ...] = ()) -> None:
        if fi in reads:
            return
        if fi in seen:
            raise Unsupported("recursive calls")
        r, w = set(direct_r[fi]), set(direct_w[fi])
        for c in calls[fi]:
            close(c, seen + (fi,))
            r |= reads[c]
            w |= writes[c]
        reads[fi], writes[fi] = r, w

    for fi in range(len(prog.functions)):
        close(fi)
    return reads, writes


def _order(prog: Bytecode) -> list[int]:
    """Functions callees first, so each def can bind the defs it calls at definition time."""
    out: list[int] = []
    seen: set[int] = set()

    def visit(fi: int) -> None:
        if fi in seen:
            return
        seen.add(fi)
        for op, a, _ in prog.functions[fi].code:
            if op == bc.CALL_FUNC:
                visit(a)
        out.append(fi)

    for fi in range(len(prog.functions)):
        visit(fi)
    return out


def _translate(prog: Bytecode, entry_types: tuple[str, ...],
               kinds: tuple[str, ...]) -> Translation:
    if machine.BIG != _BIG:  # pragma: no cover (a guard for whoever changes one of them)
        raise Unsupported("BIG differs between the tiers")
    reads, writes = _call_sets(prog)
    if any(writes.values()):  # valid, never compiled: main's slots would lag behind glb
        raise Unsupported("a def assigns a global")
    range_int = {i for i, k in enumerate(kinds) if k in ("range", "none")}
    funcs: dict[int, _Emitter] = {}
    for fi, f in enumerate(prog.functions):
        heights, problems = stack_heights(f.code, prog.consts, f.loop_headers)
        if problems:
            raise Unsupported("; ".join(problems))
        if fi == 0:
            asg = tuple("U" if t == "U" else "A" for t in entry_types)
            typ = tuple(_BOT if t == "U" else t for t in entry_types)
        else:
            asg = ("A",) * f.nparams + ("U",) * (f.nlocals - f.nparams)
            typ = (_ANY,) * f.nparams + (_BOT,) * (f.nlocals - f.nparams)
        an = _Analysis(prog, fi, (asg, typ, ()), writes, range_int)
        em = _Emitter(prog, fi, an, heights, reads, writes, kinds)
        em.function()
        funcs[fi] = em
    out: list[str] = []
    linemap: dict[int, tuple[int, int]] = {}
    operands: dict[int, tuple[tuple[str, Any], ...]] = {}
    call_live: dict[int, tuple[tuple[str, Any], ...]] = {}
    names: set[str] = set()
    for fi in _order(prog):
        em = funcs[fi]
        f = prog.functions[fi]
        nparams = f.nlocals if fi == 0 else f.nparams
        params = ["_f"] + [f"v{i}" for i in range(nparams)]
        bound = sorted(em.names)
        names |= em.names
        kw = ", ".join(f"{n}={n}" for n in bound)
        out.append(f"def _rlm_f{fi}({', '.join(params)}{', *, ' + kw if kw else ''}):")
        for i in range(nparams, f.nlocals):
            out.append(f"    v{i} = _U")
            names.add("_U")
        for idx, ln in enumerate(em.lines):
            out.append("    " * ln.indent + ln.text)
            lineno = len(out)
            linemap[lineno] = (fi, ln.pc)
            if ln.operands is not None:
                operands[lineno] = ln.operands
            if idx in em.call_live:
                call_live[lineno] = em.call_live[idx]
    if any("_U" in em.names for em in funcs.values()) or any(
            f.nlocals > f.nparams for f in prog.functions[1:]):
        names.add("_U")
    source = "\n".join(out) + "\n"
    filename = f"<rlm-fast {prog.hash[:16]}>"
    try:
        with warnings.catch_warnings():  # e.g. `1[0]` is a SyntaxWarning, and an error at run time
            warnings.simplefilter("ignore")
            code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
        raise Unsupported(f"Python cannot compile the translation: {e}") from None
    return Translation(code, filename, linemap, operands, call_live, names,
                       [f.nlocals for f in prog.functions], source)


_CACHE: OrderedDict[tuple[Any, ...], Translation | None] = OrderedDict()
_LOCK = threading.Lock()


def translate(prog: Bytecode, entry_types: tuple[str, ...],
              kinds: tuple[str, ...]) -> Translation | None:
    """The cached translation of `prog`, or None where the interpreter must run it."""
    key = (prog.hash, entry_types, kinds)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        tr: Translation | None = _translate(prog, entry_types, kinds)
    except Unsupported:
        tr = None
    with _LOCK:
        _CACHE[key] = tr
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return tr


def tool_kinds(prog: Bytecode, registry: Any) -> tuple[str, ...]:
    """How each tool is called: none (the VM's own), effect, range (the core one), pure."""
    from rlmlang.tools import builtins  # lazy: keeps re2 out of start-up

    out = []
    for name in prog.tools:
        spec = registry.get(name) if registry is not None else None
        if spec is None:
            out.append("none")
        elif spec.effect:
            out.append("effect")
        elif name == "range" and spec.impl is builtins._range:
            out.append("range")
        else:
            out.append("pure")
    return tuple(out)


# ---------------------------------------------------------------- running

def _value(recipe: tuple[str, Any], loc: dict[str, Any], consts: list[Any]) -> Any:
    how, what = recipe
    if how == "n":
        return loc.get(what)
    return consts[what] if how == "k" else what


def run(m: Any) -> Any:
    """Run `m` (a machine._Machine) on this tier; None if the program is not translatable."""
    from rlmlang.vm.machine import LAZY_RANGE, UNSET, copy_input

    prog = m.prog
    main = prog.functions[0]
    glb: list[Any] = [UNSET] * main.nlocals
    for i, name in enumerate(prog.globals):
        if name in m.inputs:
            v = m.inputs[name]
            glb[i] = copy_input(v)
    entry = tuple("U" if v is UNSET else _tag(v) for v in glb)
    tr = translate(prog, entry, tool_kinds(prog, m.registry))
    if tr is None:
        return None
    r = m.result
    start = time.perf_counter()
    limit = m.limit
    fuel = limit
    g: dict[str, Any] = {}
    try:
        m._resolve()
        m.measure([glb])
        fuel = limit - start_charge(glb)  # the inputs copied and measured
        if fuel < 0:
            raise OutOfFuel
        g = _globals(m, tr, glb, LAZY_RANGE, UNSET)
        exec(tr.code, g)  # noqa: S102 (our own translation of validated bytecode)
        r.status, r.value, fuel, r.end_line = g["_rlm_f0"](fuel, *glb)
    except _Stop as s:
        r.status, r.value, fuel, r.end_line = s.args
    except Exception as e:  # noqa: BLE001 (every failure becomes one diagnostic)
        fi, pc, now, ops = _locate(tr, e, g, prog.consts)
        if now is not None:
            fuel = now
        m.fail(e, fi, pc, limit - fuel, ops)
    r.fuel_used = limit - fuel
    r.output = "".join(m.out)
    r.elapsed_s = time.perf_counter() - start
    return r


def _locate(tr: Translation, e: BaseException, g: dict[str, Any],
            consts: list[Any]) -> tuple[int, int, int | None, list[Any]]:
    """(function, pc, fuel left, operands) of the innermost generated frame that raised."""
    tb = e.__traceback__
    last = None
    while tb is not None:
        if tb.tb_frame.f_globals is g:
            last = tb
        tb = tb.tb_next
    if last is None:
        return 0, -1, None, []
    fi, pc = tr.linemap.get(last.tb_lineno, (0, -1))
    loc = last.tb_frame.f_locals
    ops = [_value(x, loc, consts) for x in tr.operands.get(last.tb_lineno, ())]
    return fi, pc, loc.get("_f"), ops


def _globals(m: Any, tr: Translation, glb: list[Any], lazy_range: int,
             unset: Any) -> dict[str, Any]:
    """The only names the generated code can see: these helpers, this run's tools, constants."""
    prog = m.prog
    tools = m.tools
    funcs = prog.functions
    keys = prog.state_keys
    r = m.result
    ctx = m.ctx

    def ovf(v: int, op: int) -> None:
        raise overflow(op, v)

    def unset_local(fi: int, a: int) -> None:
        raise op_error(bc.LOAD_LOCAL, name=funcs[fi].local_names[a])

    def unset_global(a: int) -> None:
        raise op_error(bc.LOAD_GLOBAL, name=prog.globals[a])

    def getiter(x: Any) -> Any:
        t = type(x)
        if t is list or t is str:
            return iter(x)
        if t is dict:
            return iter(list(x))
        raise op_error(bc.GET_ITER, kind=kind_of(x))

    def rcost(a: int, b: int) -> int:
        entry = tools[a]
        return entry[1]([SCALAR_SIZE] * b) if entry is not None else 1

    def rangeiter(a: int, *args: Any) -> Any:
        entry = tools[a]
        rng = range(*args)
        if len(rng) > lazy_range and entry is not None:
            rng = entry[2](*args)  # the builtin enforces its own limit
        return iter(rng)

    def calltool(a: int, args: list[Any]) -> Any:
        return m.call_tool(tools[a], args, None, None)

    def kwcost(a: int, vals: list[Any]) -> int:
        return tools[a][1](arg_sizes(vals))

    def kwcall(a: int, b: int, vals: list[Any]) -> Any:
        argc, names, *_ = prog.consts[b]
        args = vals[:argc]
        kwargs = dict(zip(names, vals[argc:], strict=True))
        entry = tools[a]
        if entry[3]:
            return m.call_tool(entry, args, kwargs, m.casts.get(-1 - b))
        return entry[2](*args, **kwargs)

    def sget(a: int) -> Any:
        key = keys[a]
        m.state_allowed("state.read", key)
        v = ctx.state.get(key, unset)
        if v is unset:
            raise op_error(bc.STATE_GET, key=key)
        return v

    def sset(a: int, v: Any) -> None:
        key = keys[a]
        m.state_allowed("state.write", key)
        ctx.state.set(key, v)
        r.state_writes[key] = copy.deepcopy(v) if isinstance(v, (list, dict)) else v

    def mem(new: Any, live: tuple[Any, ...]) -> None:
        m.memory(new, _roots, (sys._getframe(1), live, tr, g, prog.consts))

    def memdue(live: tuple[Any, ...]) -> None:
        m.measure_due(_roots, (sys._getframe(1), live, tr, g, prog.consts))

    def resc(a: int, v: Any) -> int:
        return result_charge(m.item_work[a], v)

    helpers: dict[str, Any] = {
        "__builtins__": {}, "_U": unset, "_OOF": OutOfFuel, "_Stop": _Stop, "_G": glb,
        "_type": type, "_len": len, "_int": int, "_str": str, "_list": list, "_dict": dict,
        "_SC": SCALAR_SIZE, "_so": size_of, "_sz": arg_size, "_ovf": ovf, "_unset": unset_local,
        "_unsetg": unset_global, "_getiter": getiter, "_rcost": rcost,
        "_rangeiter": rangeiter, "_precheck": m.precheck, "_mem": mem, "_print": m.print,
        "_pcost": m.print_charge, "_cast": m.cast, "_sget": sget, "_sset": sset,
        "_calltool": calltool, "_kwcost": kwcost, "_kwcall": kwcall,
        "_stored": m.stored, "_memdue": memdue, "_resc": resc, "_cmpc": compare_charge, "_inc": contains_charge,
        "_iterc": iter_charge, "_castc": cast_charge, "_statec": state_charge,
    }
    g: dict[str, Any] = {"__builtins__": {}}
    for name in tr.names:
        if name in helpers:
            g[name] = helpers[name]
        elif name[0] == "k":
            g[name] = prog.consts[int(name[1:])]
        elif name[0] == "C":
            g[name] = tools[int(name[1:])][1]
        elif name[0] == "I":
            g[name] = tools[int(name[1:])][2]
        elif name[0] == "T":
            g[name] = m.casts[int(name[1:])]
    return g


def _roots(frame: Any, live: tuple[Any, ...], tr: Translation, g: dict[str, Any],
           consts: list[Any]) -> list[list[Any]]:
    """The fast tier's live slots, as the interpreter counts them: every frame's locals
    and the operand stack below what each frame is consuming (callers: below the call)."""
    out: list[list[Any]] = [list(live)]
    f = frame
    first = True
    while f is not None:
        if f.f_globals is g:
            loc = f.f_locals
            fi = int(f.f_code.co_name[len("_rlm_f"):])
            out.append([loc.get(f"v{i}") for i in range(tr.nlocals[fi])])
            if not first:
                out.append([_value(x, loc, consts) for x in tr.call_live.get(f.f_lineno, ())])
            first = False
            if fi == 0:
                break
        f = f.f_back
    return out
