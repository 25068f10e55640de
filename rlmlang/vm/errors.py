"""Run-time failures of the VM, and their translation into plain words.

The dispatch loop does not check types or bounds before each operation; it
lets Python raise and translates the exception afterwards, using the opcode
that was running and the operands still sitting in the stack slots. So the
common path pays nothing, and the error path still says what went wrong in
the script's terms ("index 7 is out of range for a list of 3 items") rather
than Python's.

What an opcode's own checks say (an int that overflows, a name with no value,
a loop over an int, a state key never written) is one table, OP_FAILURES, that
both tiers raise from, so the fast tier and the interpreter cannot word the
same failure differently (tests/test_vm_tiers.py runs a corpus of failing
scripts on both). The errors are diagnostics.RunError, the class the tools'
door raises too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlmlang.compiler import bytecode as bc
from rlmlang.diagnostics import RunError
from rlmlang.types import kind_of

# The script's spelling of each operator's opcode: the fast tier writes these into its
# Python, and explain() names the operator a type error came from.
SYMBOLS: dict[int, str] = {
    bc.ADD: "+", bc.SUB: "-", bc.MUL: "*", bc.DIV: "/", bc.FLOORDIV: "//", bc.MOD: "%",
    bc.EQ: "==", bc.NE: "!=", bc.LT: "<", bc.LE: "<=", bc.GT: ">", bc.GE: ">=",
    bc.IN: "in", bc.NOT_IN: "not in",
}


@dataclass(frozen=True)
class OpFailure:
    """What an opcode's own check says when it stops the run: templates over named fields."""

    code: str
    message: str
    fix: str | None = None


_OVERFLOW = OpFailure("E_RUNTIME", "integer overflow: {value} does not fit in 64 bits",
                      "ints are 64-bit; for the digits of a bigger product or power, "
                      "big_product(xs) and big_pow(base, exp) give them as a str")
_UNSET = OpFailure("E_RUNTIME", "'{name}' is used before it is given a value")

# One table for both tiers (machine.py raises these in its loop, fast.py from the helpers
# its generated code calls), so a message cannot differ between them.
OP_FAILURES: dict[int, OpFailure] = {
    **{op: _OVERFLOW for op in (bc.ADD, bc.SUB, bc.MUL, bc.DIV, bc.FLOORDIV, bc.MOD,
                                bc.INPLACE_ADD)},
    bc.NEG: OpFailure("E_RUNTIME", "integer overflow in negation"),
    bc.LOAD_LOCAL: _UNSET,
    bc.LOAD_GLOBAL: _UNSET,
    bc.GET_ITER: OpFailure("E_RUNTIME", "cannot loop over a {kind}"),
    bc.STATE_GET: OpFailure("E_RUNTIME", "state.{key} has no value yet",
                            "assign state.{key} before reading it"),
}


def op_error(op: int, **fields: Any) -> RunError:
    """The error opcode `op` stops the run with, its table entry filled with `fields`."""
    f = OP_FAILURES[op]
    return RunError(f.code, f.message.format(**fields),
                    f.fix.format(**fields) if f.fix is not None else None)


def overflow(op: int, value: int) -> RunError:
    """An int result of `op` outside 64 bits."""
    return op_error(op, value=short(value, 30))


class OutOfFuel(Exception):  # noqa: N818 (a signal, not an error of the program)
    """Fuel ran out; the VM decides whether that is E_FUEL or E_VERIFIER_BUG."""


def short(value: Any, limit: int = 60) -> str:
    """A value as the script would write it, cut to `limit` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(exc: BaseException, op: int, operands: list[Any]) -> str:
    """A plain message for a Python exception raised while running opcode `op`."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero" if op != bc.MOD else "modulo by zero"
    if op == bc.INDEX or op == bc.STORE_INDEX:
        container, key = (operands + [None, None])[:2]
        if isinstance(exc, IndexError) and isinstance(container, (list, str)):
            what = "list" if isinstance(container, list) else "string"
            unit = "item" if what == "list" else "character"
            n = len(container)
            return (f"index {short(key)} is out of range for a {what} of {n} "
                    f"{unit}{'s' if n != 1 else ''}")
        if isinstance(exc, KeyError) and isinstance(container, dict):
            keys = ", ".join(short(k, 20) for k in list(container)[:5])
            more = ", …" if len(container) > 5 else ""
            return (f"key {short(key)} is not in the dict"
                    + (f" (it has {keys}{more})" if container else " (it is empty)"))
        if isinstance(exc, TypeError):
            if isinstance(container, str) and op == bc.STORE_INDEX:
                return "strings cannot be changed in place; build a new string instead"
            return f"cannot index a {kind_of(container)} with a {kind_of(key)}"
    if isinstance(exc, TypeError) and len(operands) >= 2:
        a, b = operands[:2]
        sym = SYMBOLS.get(op)
        if sym:
            return f"cannot apply '{sym}' to a {kind_of(a)} and a {kind_of(b)}"
    if isinstance(exc, (OverflowError, MemoryError)):
        return "a number or value grew too large"
    if isinstance(exc, RecursionError):
        return "a value is nested too deeply"
    return f"{type(exc).__name__}: {exc}"
