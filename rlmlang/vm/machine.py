"""The VM: one dispatch loop over validated bytecode, metered with fuel.

Why this shape:
- clox-style: the hot state (pc, the instruction list, the operand stack
  and its height `sp`, the locals, the remaining fuel) lives in local
  variables of one Python function; the operand stack is a preallocated
  list of the function's validated max_stack, indexed by `sp`, so a push
  is a store, not a method call. Opcodes are tested hottest first.
- No checks the validator already made (indices, heights). Type errors
  and bounds errors are left to Python to raise, and translated afterwards
  (rlmlang.vm.errors.explain) with the operands still in the stack slots.
- Fuel is charged once per basic block (FUEL instructions the compiler
  placed), plus data-proportional work at run time: a builtin's or tool's
  `spec.cost(sizes)` before it runs, `+`/`*` on str and list by the size of
  the result, `in` and slices by size_fuel. The table is rlmlang.cost, the
  same one the verifier sums, so a verified script that runs out is a
  verifier bug (E_VERIFIER_BUG, with both numbers).
- Calls between defs use an explicit frame stack, never Python recursion;
  the validator proved the call graph acyclic, so its depth is bounded.
- Deterministic: no clock, no randomness, dicts keep insertion order, and
  every outside value comes through `invoke` (recorded, replayable).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from rlmlang.compiler import bytecode as bc
from rlmlang.compiler.bytecode import Bytecode
from rlmlang.cost import CHARS_PER_FUEL, size_fuel
from rlmlang.diagnostics import Diagnostic, DiagnosticError, RunError, Span
from rlmlang.limits import Limits
from rlmlang.tools.context import ToolContext, invoke
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host.llm import llm_calls
from rlmlang.tools.registry import SCALAR_SIZE
from rlmlang.tools.values import display
from rlmlang.types import FLOAT, Prim, Type, conforms, format_type, kind_of, parse_type
from rlmlang.vm.errors import OutOfFuel, explain, op_error, overflow, short
from rlmlang.vm.meter import (
    arg_sizes,
    cast_charge,
    compare_charge,
    contains_charge,
    deep_bytes,
    entry_bytes,
    item_work,
    iter_charge,
    result_charge,
    size_charge,
    start_charge,
    state_charge,
)

MAX_INT = bc.MAX_INT
MIN_INT = -MAX_INT - 1
BIG = 4096
LAZY_RANGE = 100_000  # longer ranges go through the builtin, which enforces its cap  # values at least this long are counted towards the memory budget
# The dispatch loop compares against literal numbers (faster than globals); pin them.
assert (bc.LOAD_LOCAL, bc.FUEL, bc.FOR_ITER, bc.ADD, bc.MOD, bc.EQ, bc.NOT_IN, bc.INDEX,
        bc.CALL_TOOL, bc.SLICE, bc.CALL_FUNC, bc.PRINT, bc.STATE_SET, bc.HALT) == \
    (0, 3, 5, 7, 12, 13, 20, 21, 22, 32, 38, 40, 43, 46)


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET = _Unset()


@dataclass
class RunResult:
    """What one run of a script produced; the caller commits state only on success."""

    status: str  # "submitted" | "failed" (fail()) | "error" | "finished" (no submit)
    value: Any = None  # the submitted value, or fail()'s message
    output: str = ""  # printed text, at most limits.output_chars_per_script
    output_truncated: bool = False
    output_dropped: int = 0  # printed characters that did not fit
    fuel_used: int = 0
    tool_calls: int = 0  # effectful calls (through invoke)
    llm_calls: int = 0
    memory_peak: int = 0  # approximate bytes of live values, at the last check
    diagnostics: list[Diagnostic] = field(default_factory=list)
    state_writes: dict[str, Any] = field(default_factory=dict)  # key -> value, in order
    elapsed_s: float = 0.0  # wall time (the one field that is not deterministic)
    # The script line of the submit (or fail) that ended the run, 0 where none did: which
    # of a script's submits answered (a literal under a data test, or the same literal as
    # the fallback after a search that found nothing: task/guess.py).
    end_line: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("submitted", "finished")

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status, "value": self.value, "output": self.output,
            "output_truncated": self.output_truncated, "output_dropped": self.output_dropped,
            "fuel_used": self.fuel_used, "tool_calls": self.tool_calls,
            "llm_calls": self.llm_calls, "memory_peak": self.memory_peak,
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "state_writes": self.state_writes, "end_line": self.end_line,
        }


def _fmt(v: Any) -> str:
    """How print shows a value: the builtins' display form (strings as they are)."""
    return v if type(v) is str else display(v)


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def copy_input(v: Any) -> Any:
    """A private copy of an input value, so the script can never change the caller's.

    A flat list or dict of immutable scalars (the common big input: lines,
    words, rows) is copied in one C-level pass; anything else by deepcopy,
    which also keeps aliasing inside the value as it was.
    """
    t = type(v)
    if t is list:
        if _IMMUTABLE.issuperset(map(type, v)):
            return list(v)
    elif t is dict:
        if _IMMUTABLE.issuperset(map(type, v.values())):  # type: ignore[union-attr]
            return dict(v)  # type: ignore[arg-type]
    elif not isinstance(v, (list, dict)):
        return v
    return copy.deepcopy(v)


def _roots(lcl: list[Any], glb: list[Any], stack: list[Any], sp: int,
           frames: list[tuple[Any, ...]]) -> list[list[Any]]:
    """The interpreter's live slots: all frames' locals, and their stacks below `sp`."""
    return [lcl, glb, stack[:sp], *[f[1] for f in frames], *[f[2][:f[3]] for f in frames]]


class _Machine:
    def __init__(self, prog: Bytecode, registry: Any, inputs: dict[str, Any],
                 ctx: ToolContext, limits: Limits, fuel_bound: int | None):
        self.prog = prog
        self.registry = registry
        self.ctx = ctx
        self.limits = limits
        self.fuel_budget = limits.fuel_per_script
        self.fuel_bound = fuel_bound
        self.limit = self.fuel_budget if fuel_bound is None else min(self.fuel_budget, fuel_bound)
        self.max_tool_calls = limits.tool_calls_per_script
        self.max_llm_calls = limits.llm_calls_per_script
        self.max_memory = limits.memory_per_script
        self.max_output = limits.output_chars_per_script
        self.inputs = inputs
        self.result = RunResult("error")
        if ctx is not None:  # a nested run (llm.run) adds the calls it made to these counts
            ctx.extra["usage"] = self.result
        self.out: list[str] = []
        self.out_len = 0
        self.mem_since = 0
        self.mem_base = max(1 << 20, self.max_memory // 64)
        self.mem_interval = self.mem_base
        self.state_perm: dict[tuple[str, str], None] = {}
        self.casts: dict[int, Type] = {}
        self.tools: list[tuple[Any, Any, Any, bool, bool] | None] = []
        self.item_work: list[int] = []  # per tool: units of work per item of its results

    # ------------------------------------------------------------ setup

    def _resolve(self) -> None:
        """Tools by name from the registry; cast types parsed once."""
        for name in self.prog.tools:
            spec = self.registry.get(name) if self.registry is not None else None
            self.item_work.append(item_work(spec))
            if spec is None:
                if name in ("print", "range"):
                    self.tools.append(None)  # the VM implements both itself
                    continue
                raise RunError("E_TOOL", f"the script calls '{name}', which this host does not "
                              "provide", "run it where the tool is registered")
            if spec.impl is None and not spec.effect:
                raise RunError("E_TOOL", f"'{name}' has no implementation here (a stdlib "
                              "function must be expanded into the script before it is "
                              "checked: rlmlang.tools.stdlib.expand)")
            is_llm = bool(spec.effect and (name.startswith("llm.") or (
                spec.permission is not None and spec.permission.kind == "llm")))
            self.tools.append((spec, spec.cost, spec.impl, bool(spec.effect), is_llm))
        for f in self.prog.functions:
            for op, a, b in f.code:
                if op == bc.CAST and a not in self.casts:
                    self.casts[a] = parse_type(self.prog.consts[a])
                if op == bc.CALL_TOOL_KW:
                    spec = self.prog.consts[b]
                    if len(spec) == 3 and spec[2] is not None:
                        self.casts[-1 - b] = parse_type(spec[2])

    # ------------------------------------------------------------ helpers

    def memory(self, new: Any, roots: Any, args: tuple[Any, ...]) -> None:
        """Account a big allocation; every so often measure what is live.

        `roots(*args)` returns the live slots: every frame's locals and the part of
        every frame's operand stack below the operands being consumed; the new
        value is counted too. Both tiers compute the same set (docs/bytecode.md).
        """
        size = deep_bytes([[new]])
        if size > self.max_memory:
            raise RunError("E_BUDGET", f"a {kind_of(new)} of {len(new):,} items would take about "
                          f"{size:,} bytes, over the memory budget of {self.max_memory:,}",
                          "work on smaller pieces (chunks, slices) instead of one big value",
                          memory=size, budget=self.max_memory)
        self.mem_since += size
        if self.mem_since < self.mem_interval:
            return
        self.mem_since = 0
        self.measure([[new], *roots(*args)])

    def stored(self, k: Any, v: Any) -> bool:
        """`d[k] = v` on a dict: the entry counts as allocation (keys hold memory too);
        whether it is time to measure what is live (`measure_due`)."""
        self.mem_since += entry_bytes(k, v)
        return self.mem_since >= self.mem_interval

    def measure_due(self, roots: Any, args: tuple[Any, ...]) -> None:
        self.mem_since = 0
        self.measure(roots(*args))

    def precheck(self, x: Any, y: Any) -> None:
        """`s * n` is sized before it is built, so a memory bomb never allocates."""
        seq, n = (x, y) if type(y) is int else (y, x)
        if type(n) is int and type(seq) in (str, list) and len(seq) * n > BIG:
            size = 64 + len(seq) * n * (1 if type(seq) is str else 8)
            if size > self.max_memory:
                raise RunError("E_BUDGET", f"repeating a {kind_of(seq)} of {len(seq):,} items "
                              f"{n:,} times would take about {size:,} bytes, over the memory "
                              f"budget of {self.max_memory:,}", memory=size,
                              budget=self.max_memory)

    def measure(self, roots: list[list[Any]]) -> None:
        """Size everything live (deep); the next measurement waits for allocation of at
        least half of it, so the walks cost time in proportion to what is allocated."""
        live = deep_bytes(roots)
        self.mem_interval = max(self.mem_base, live // 2)
        if live > self.result.memory_peak:
            self.result.memory_peak = live
        if live > self.max_memory:
            raise RunError("E_BUDGET", f"live values take about {live:,} bytes, over the memory "
                          f"budget of {self.max_memory:,}",
                          "keep fewer or smaller values alive (drop what you no longer need)",
                          memory=live, budget=self.max_memory)

    def print_charge(self, tool: int, args: list[Any]) -> int:
        """`print(...)`: the registry's print cost where it has one, else its text's size."""
        entry = self.tools[tool] if tool >= 0 else None
        if entry is not None:
            return entry[1](arg_sizes(args))
        return size_fuel(sum(len(_fmt(x)) for x in args))

    def print(self, args: list[Any]) -> None:
        text = " ".join(_fmt(a) for a in args) + "\n"
        room = self.max_output - self.out_len
        if len(text) > room:
            self.result.output_truncated = True
            self.result.output_dropped += len(text) - max(room, 0)
            text = text[: max(room, 0)]
        if text:
            self.out.append(text)
            self.out_len += len(text)

    def state_allowed(self, kind_: str, key: str) -> None:
        if (kind_, key) in self.state_perm:
            return
        ctx = self.ctx
        if ctx.state is None:
            raise RunError("E_STATE", f"the script uses state.{key} but no state store is open",
                          "run with a state store (rlm exec --state PATH)")
        d = ctx.policy.check(kind_, key)
        if not d.allowed:
            raise RunError(d.code or "E_PERMISSION",
                          f"{'reading' if kind_ == 'state.read' else 'writing'} "
                          f"state.{key}: {d.reason} (checked again at run time)", d.fix)
        self.state_perm[(kind_, key)] = None

    def call_tool(self, entry: tuple[Any, Any, Any, bool, bool], args: list[Any],
                  kwargs: dict[str, Any] | None, expect: Type | None) -> Any:
        """An effectful call through invoke, counted against the call budgets."""
        spec, _, _, _, is_llm = entry
        r = self.result
        if r.tool_calls >= self.max_tool_calls:
            raise RunError("E_BUDGET", f"tool call budget of {self.max_tool_calls} is used up "
                          f"(calling {spec.name})", tool_calls=self.max_tool_calls)
        # llm.map makes one sub-model call per chunk (the verifier bounds it the same way).
        calls = llm_calls(spec, arg_sizes(args)) if is_llm else 0
        if is_llm and r.llm_calls + calls > self.max_llm_calls:
            raise RunError("E_BUDGET", f"sub-model call budget of {self.max_llm_calls} is used "
                          f"up (calling {spec.name})", llm_calls=self.max_llm_calls)
        r.tool_calls += 1
        r.llm_calls += calls
        return invoke(self.ctx, spec, args, kwargs, expect)

    def cast(self, value: Any, t: Type) -> Any:
        if conforms(value, t):
            return float(value) if t == FLOAT and type(value) is int else value
        if isinstance(value, str) and not (isinstance(t, Prim) and t.name == "str"):
            import json

            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = UNSET
            if parsed is not UNSET and conforms(parsed, t):
                return parsed
        raise RunError("E_RUNTIME", f"the value {short(value)} is not a {format_type(t)}",
                      f"check what produced it, or cast to the type it has ({kind_of(value)})")

    # ------------------------------------------------------------ the loop

    def run(self) -> RunResult:
        r = self.result
        start = time.perf_counter()
        prog = self.prog
        funcs = prog.functions
        consts = prog.consts
        keys = prog.state_keys
        main = funcs[0]
        glb: list[Any] = [UNSET] * main.nlocals
        for i, name in enumerate(prog.globals):
            if name in self.inputs:
                v = self.inputs[name]
                glb[i] = copy_input(v)
        code = main.code
        lcl = glb
        stack: list[Any] = [None] * (main.max_stack + 1)
        sp = 0
        pc = 0
        fi = 0
        frames: list[tuple[Any, ...]] = []
        limit = self.limit
        fuel = limit
        tools = self.tools
        casts = self.casts
        op = bc.NOP
        try:
            self._resolve()
            self.measure([glb])
            fuel = limit - start_charge(glb)
            if fuel < 0:
                raise OutOfFuel
            while True:
                op, a, b = code[pc]
                pc += 1
                if op == 0:  # LOAD_LOCAL
                    v = lcl[a]
                    if v is UNSET:
                        raise op_error(bc.LOAD_LOCAL, name=funcs[fi].local_names[a])
                    stack[sp] = v
                    sp += 1
                elif op == 1:  # CONST
                    stack[sp] = consts[a]
                    sp += 1
                elif op == 2:  # STORE_LOCAL
                    sp -= 1
                    lcl[a] = stack[sp]
                elif op == 3:  # FUEL
                    fuel -= a
                    if fuel < 0:
                        raise OutOfFuel
                elif op == 4:  # JUMP
                    pc = a
                elif op == 5:  # FOR_ITER
                    try:
                        stack[sp] = stack[sp - 1]()
                        sp += 1
                    except StopIteration:
                        sp -= 1
                        pc = a
                elif op == 6:  # JUMP_IF_FALSE
                    sp -= 1
                    if stack[sp] is False:
                        pc = a
                elif op <= 12:  # ADD SUB MUL DIV FLOORDIV MOD
                    sp -= 1
                    x = stack[sp - 1]
                    y = stack[sp]
                    if op == 7:
                        v = x + y
                    elif op == 8:
                        v = x - y
                    elif op == 9:
                        if type(x) is not int or type(y) is not int:
                            self.precheck(x, y)
                        v = x * y
                    elif op == 10:
                        v = x / y
                    elif op == 11:
                        v = x // y
                    else:
                        v = x % y
                    t = type(v)
                    if t is int:
                        if v > MAX_INT or v < MIN_INT:
                            raise overflow(op, v)
                    elif t is str or t is list:
                        fuel -= size_charge(v)
                        if fuel < 0:
                            raise OutOfFuel
                        if len(v) >= BIG:
                            self.memory(v, _roots, (lcl, glb, stack, sp - 1, frames))
                    stack[sp - 1] = v
                elif op <= 20:  # EQ NE LT LE GT GE IN NOT_IN
                    sp -= 1
                    x = stack[sp - 1]
                    y = stack[sp]
                    if op <= 18:
                        t = type(x)
                        if t is list or t is dict or (t is str and len(x) >= CHARS_PER_FUEL
                                                      and type(y) is str
                                                      and len(y) >= CHARS_PER_FUEL):
                            fuel -= compare_charge(x, y)
                            if fuel < 0:
                                raise OutOfFuel
                    if op == 13:
                        v = x == y
                    elif op == 14:
                        v = x != y
                    elif op == 15:
                        v = x < y
                    elif op == 16:
                        v = x <= y
                    elif op == 17:
                        v = x > y
                    elif op == 18:
                        v = x >= y
                    else:
                        if type(y) is not dict:
                            fuel -= contains_charge(x, y)
                            if fuel < 0:
                                raise OutOfFuel
                        v = (x in y) if op == 19 else (x not in y)
                    stack[sp - 1] = v
                elif op == 21:  # INDEX
                    sp -= 1
                    stack[sp - 1] = stack[sp - 1][stack[sp]]
                elif op == 22:  # CALL_TOOL (positional)
                    entry = tools[a]
                    args = stack[sp - b:sp]
                    sp -= b
                    if entry[3]:
                        fuel -= entry[1](arg_sizes(args))
                        if fuel < 0:
                            raise OutOfFuel
                        v = self.call_tool(entry, args, None, None)
                    else:
                        fuel -= entry[1](arg_sizes(args))
                        if fuel < 0:
                            raise OutOfFuel
                        v = entry[2](*args)
                    t = type(v)
                    if t is list or t is dict:
                        fuel -= result_charge(self.item_work[a], v)
                        if fuel < 0:
                            raise OutOfFuel
                    if (t is str or t is list or t is dict) and len(v) >= BIG:
                        self.memory(v, _roots, (lcl, glb, stack, sp, frames))
                    stack[sp] = v
                    sp += 1
                elif op == 23:  # LOAD_GLOBAL
                    v = glb[a]
                    if v is UNSET:
                        raise op_error(bc.LOAD_GLOBAL, name=prog.globals[a])
                    stack[sp] = v
                    sp += 1
                elif op == 24:  # STORE_GLOBAL
                    sp -= 1
                    glb[a] = stack[sp]
                elif op == 25:  # NOT
                    stack[sp - 1] = stack[sp - 1] is False
                elif op == 26:  # NEG
                    v = -stack[sp - 1]
                    if type(v) is int and v > MAX_INT:
                        raise overflow(bc.NEG, v)
                    stack[sp - 1] = v
                elif op == 27:  # JUMP_IF_FALSE_OR_POP
                    if stack[sp - 1] is False:
                        pc = a
                    else:
                        sp -= 1
                elif op == 28:  # JUMP_IF_TRUE_OR_POP
                    if stack[sp - 1] is True:
                        pc = a
                    else:
                        sp -= 1
                elif op == 29:  # BUILD_LIST
                    v = stack[sp - a:sp]
                    sp -= a
                    stack[sp] = v
                    sp += 1
                elif op == 30:  # BUILD_DICT
                    v = {}
                    base = sp - 2 * a
                    for i in range(base, sp, 2):
                        v[stack[i]] = stack[i + 1]
                    sp = base
                    stack[sp] = v
                    sp += 1
                elif op == 31:  # STORE_INDEX
                    sp -= 3
                    x = stack[sp]
                    x[stack[sp + 1]] = stack[sp + 2]
                    if type(x) is dict and self.stored(stack[sp + 1], stack[sp + 2]):
                        self.measure_due(_roots, (lcl, glb, stack, sp, frames))
                elif op == 32:  # SLICE
                    lo = hi = None
                    if a & 2:
                        sp -= 1
                        hi = stack[sp]
                    if a & 1:
                        sp -= 1
                        lo = stack[sp]
                    v = stack[sp - 1][lo:hi]
                    fuel -= size_charge(v)
                    if fuel < 0:
                        raise OutOfFuel
                    stack[sp - 1] = v
                elif op == 33:  # DUP2
                    stack[sp] = stack[sp - 2]
                    stack[sp + 1] = stack[sp - 1]
                    sp += 2
                elif op == 34:  # POP
                    sp -= 1
                elif op == 35:  # GET_ITER
                    x = stack[sp - 1]
                    t = type(x)
                    if t is list or t is str:
                        stack[sp - 1] = iter(x).__next__
                    elif t is dict:
                        fuel -= iter_charge(x)
                        if fuel < 0:
                            raise OutOfFuel
                        stack[sp - 1] = iter(list(x)).__next__
                    else:
                        raise op_error(bc.GET_ITER, kind=kind_of(x))
                elif op == 36:  # RANGE_ITER
                    args = stack[sp - b:sp]
                    sp -= b
                    entry = tools[a]
                    fuel -= (entry[1]([SCALAR_SIZE] * b) if entry is not None else 1)
                    if fuel < 0:
                        raise OutOfFuel
                    rng = range(*args)
                    if len(rng) > LAZY_RANGE and entry is not None:
                        rng = entry[2](*args)  # the builtin enforces its own limit
                    stack[sp] = iter(rng).__next__
                    sp += 1
                elif op == 37:  # CALL_TOOL_KW
                    argc, names, *rest = consts[b]
                    n = argc + len(names)
                    vals = stack[sp - n:sp]
                    sp -= n
                    args = vals[:argc]
                    kwargs = dict(zip(names, vals[argc:], strict=True))
                    entry = tools[a]
                    fuel -= entry[1](arg_sizes(vals))
                    if fuel < 0:
                        raise OutOfFuel
                    if entry[3]:
                        v = self.call_tool(entry, args, kwargs, casts.get(-1 - b))
                    else:
                        v = entry[2](*args, **kwargs)
                    t = type(v)
                    if t is list or t is dict:
                        fuel -= result_charge(self.item_work[a], v)
                        if fuel < 0:
                            raise OutOfFuel
                    if (t is str or t is list or t is dict) and len(v) >= BIG:
                        self.memory(v, _roots, (lcl, glb, stack, sp, frames))
                    stack[sp] = v
                    sp += 1
                elif op == 38:  # CALL_FUNC
                    callee = funcs[a]
                    new_lcl = stack[sp - b:sp]
                    sp -= b
                    if callee.nlocals > b:
                        new_lcl.extend([UNSET] * (callee.nlocals - b))
                    frames.append((code, lcl, stack, sp, pc, fi))
                    code = callee.code
                    lcl = new_lcl
                    stack = [None] * (callee.max_stack + 1)
                    sp = 0
                    pc = 0
                    fi = a
                elif op == 39:  # RETURN
                    v = stack[sp - 1]
                    code, lcl, stack, sp, pc, fi = frames.pop()
                    stack[sp] = v
                    sp += 1
                elif op == 40:  # PRINT
                    args = stack[sp - a:sp]
                    sp -= a
                    fuel -= self.print_charge(b, args)
                    if fuel < 0:
                        raise OutOfFuel
                    self.print(args)
                    stack[sp] = None
                    sp += 1
                elif op == 41:  # CAST
                    v = self.cast(stack[sp - 1], casts[a])
                    fuel -= cast_charge(v)
                    if fuel < 0:
                        raise OutOfFuel
                    stack[sp - 1] = v
                elif op == 42:  # STATE_GET
                    key = keys[a]
                    self.state_allowed("state.read", key)
                    v = self.ctx.state.get(key, UNSET)
                    if v is UNSET:
                        raise op_error(bc.STATE_GET, key=key)
                    fuel -= state_charge(v)
                    if fuel < 0:
                        raise OutOfFuel
                    stack[sp] = v
                    sp += 1
                elif op == 43:  # STATE_SET
                    sp -= 1
                    v = stack[sp]
                    fuel -= state_charge(v)
                    if fuel < 0:
                        raise OutOfFuel
                    key = keys[a]
                    self.state_allowed("state.write", key)
                    self.ctx.state.set(key, v)
                    r.state_writes[key] = copy.deepcopy(v) if isinstance(v, (list, dict)) else v
                elif op == 44:  # SUBMIT
                    r.status = "submitted"
                    r.value = stack[sp - 1]
                    r.end_line = funcs[fi].lines[pc - 1][0]
                    break
                elif op == 45:  # FAIL
                    r.status = "failed"
                    r.value = stack[sp - 1]
                    r.end_line = funcs[fi].lines[pc - 1][0]
                    break
                elif op == 46:  # HALT
                    r.status = "finished"
                    break
                elif op == 48:  # INPLACE_ADD: `xs += ys` extends a list in place
                    sp -= 1
                    x = stack[sp - 1]
                    y = stack[sp]
                    if type(x) is list:
                        fuel -= size_charge(y)
                        if fuel < 0:
                            raise OutOfFuel
                        x += y
                    else:
                        x = x + y
                        t = type(x)
                        if t is int:
                            if x > MAX_INT or x < MIN_INT:
                                raise overflow(bc.INPLACE_ADD, x)
                        elif t is str:
                            fuel -= size_charge(x)
                            if fuel < 0:
                                raise OutOfFuel
                            if len(x) >= BIG:
                                self.memory(x, _roots, (lcl, glb, stack, sp - 1, frames))
                    stack[sp - 1] = x
                # NOP: nothing
        except Exception as e:  # noqa: BLE001 (every failure becomes one diagnostic)
            self.fail(e, fi, pc - 1, limit - fuel, self._operands(op, stack, sp))
        r.fuel_used = limit - fuel
        r.output = "".join(self.out)
        r.elapsed_s = time.perf_counter() - start
        return r

    @staticmethod
    def _operands(op: int, stack: list[Any], sp: int) -> list[Any]:
        if op == bc.STORE_INDEX:
            return [stack[sp], stack[sp + 1]]
        if bc.ADD <= op <= bc.INDEX or op == bc.INPLACE_ADD:
            return [stack[sp - 1], stack[sp]]
        return []

    def fail(self, e: Exception, fi: int, pc: int, used: int, operands: list[Any]) -> None:
        """Turn what stopped the run at instruction `pc` of function `fi` into its diagnostic.

        Shared by both tiers, so the same failure reads the same in each.
        `operands` are the operands of the instruction that raised (for explain).
        """
        fn = self.prog.functions[fi]
        if isinstance(e, OutOfFuel):
            self._out_of_fuel(used, fn, pc)
        elif isinstance(e, RunError):  # the VM or a tool call stopped the run
            self._error(e.code, e.message, fn, pc, e.fix, e.data)
        elif isinstance(e, ToolError):  # a pure builtin refused its arguments
            self._error("E_TOOL", e.message, fn, pc, e.fix, e.data)
        elif isinstance(e, DiagnosticError):  # the store refused a write (E_STATE), ...
            d = e.diagnostics[0]
            self._error(d.code, d.message, fn, pc, d.fix, d.data)
        else:  # Python raised inside an operation: translate it
            op, a, _ = fn.code[pc] if 0 <= pc < len(fn.code) else (bc.NOP, 0, 0)
            if op in (bc.CALL_TOOL, bc.CALL_TOOL_KW):
                text = f"{self.prog.tools[a]}: {e}" if str(e) else f"{self.prog.tools[a]} failed"
            else:
                text = explain(e, op, operands)
            self._error("E_RUNTIME", text, fn, pc)

    def _span(self, fn: bc.Function, pc: int) -> Span | None:
        if 0 <= pc < len(fn.lines):
            line, col = fn.lines[pc]
            if line:
                return Span.point(line, col)
        return None

    def _error(self, code: str, message: str, fn: bc.Function, pc: int,
               fix: str | None = None, data: dict[str, Any] | None = None) -> None:
        self.result.status = "error"
        where = f" (in {fn.name})" if fn.name != "<script>" else ""
        self.result.diagnostics.append(Diagnostic(
            code, message + where, self._span(fn, pc), self.prog.source_file, fix,
            data=dict(data or {})))

    def _out_of_fuel(self, used: int, fn: bc.Function, pc: int) -> None:
        if self.fuel_bound is not None and used > self.fuel_bound:
            self._error("E_VERIFIER_BUG",
                        f"the script needed more than {self.fuel_bound:,} fuel, the bound the "
                        f"verifier proved (it had used {used:,} when it stopped); this is a bug "
                        "in rlmlang's verifier or VM, not in the script",
                        fn, pc, "report it with the script; the run was stopped safely",
                        {"fuel_bound": self.fuel_bound, "fuel_used": used,
                         "budget": self.fuel_budget})
        else:
            self._error("E_FUEL", f"the script ran out of fuel: it needed more than the budget "
                        f"of {self.limit:,}",
                        fn, pc, "do less work per run (smaller inputs, fewer iterations), or "
                        "raise the budget (--budget fuel=N)",
                        {"budget": self.limit, "fuel_used": used})
