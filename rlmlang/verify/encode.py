"""The script's int arithmetic and conditions as Z3 terms: one encoder, two users.

Termination (termination.py) and the cost bound with path conditions
(symcost.py) read the same sub-language: int constants and names, unary
minus, `+ - *`, `//` and `%` by a positive constant, `len(...)`, comparisons
of ints, `and`, `or`, `not`. What differs is what a *name* stands for: in a
while loop's body, a version of a loop variable (its value before the
iteration, or an SSA version after an assignment); in the whole script, an
input's symbol with the input's interval as its facts, or a variable's last
int term. So the encoder asks its user: `resolve(key, env)` gives the term
of an int name (`key` = "x") or of a length (`key` = "len(x)"), or None when
the name is not an int (or length) that user can reason about.

Anything outside the sub-language is None for an int (the caller then uses a
fresh value: any value, which is sound); an atom of a condition that is not
understood is a fresh bool, so `i < n and contains(s, "x")` still says
`i < n`. Where the user keeps a list for them, the comparisons it encodes
are scanned for nonlinear terms (`a * b` of two unknowns), which the solver
may not settle: E_UNPROVEN names them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import z3

from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr

Resolve = Callable[[str, dict[str, Any]], Any]  # (key, env) -> Z3 int term or None

_fresh = itertools.count()


class Encoder:
    """Encodes int expressions and conditions; names go through `resolve`."""

    def __init__(self, resolve: Resolve, nonlinear: list[str] | None = None) -> None:
        self.resolve = resolve
        self.nonlinear = nonlinear  # where to list the comparisons' nonlinear terms, if kept

    @staticmethod
    def fresh(hint: str) -> z3.ArithRef:
        return z3.Int(f"{hint}~{next(_fresh)}")

    @staticmethod
    def fresh_bool() -> z3.BoolRef:
        return z3.Bool(f"cond~{next(_fresh)}")

    def int_(self, e: ast.Expr, env: dict[str, Any]) -> Any:
        """The Z3 int term of e, or None where e is outside the sub-language."""
        if isinstance(e, ast.Const) and isinstance(e.value, int) and not isinstance(e.value, bool):
            return z3.IntVal(e.value)
        if isinstance(e, ast.Name):
            return self.resolve(e.id, env)
        if isinstance(e, ast.Neg):
            x = self.int_(e.operand, env)
            return None if x is None else -x
        if isinstance(e, ast.BinOp) and e.op in "+-*":
            a, b = self.int_(e.left, env), self.int_(e.right, env)
            if a is None or b is None:
                return None
            return a + b if e.op == "+" else (a - b if e.op == "-" else a * b)
        if isinstance(e, ast.BinOp) and e.op in ("//", "%"):
            a = self.int_(e.left, env)
            if isinstance(e.right, ast.Const) and isinstance(e.right.value, int) \
                    and e.right.value > 0 and a is not None:
                k = e.right.value
                # Z3's div/mod are Euclidean; for k > 0 they agree with Python's floor ones.
                return a / k if e.op == "//" else a % k
            return None
        if isinstance(e, ast.Call) and e.func == "len" and len(e.args) == 1:
            return self.len_(e.args[0], env)
        return None

    def int_or_fresh(self, e: ast.Expr, env: dict[str, Any], hint: str) -> Any:
        v = self.int_(e, env)
        return v if v is not None else self.fresh(hint)

    def len_(self, e: ast.Expr, env: dict[str, Any]) -> Any:
        """The Z3 term of len(e): of a name (through resolve), a literal, or a `+` of them."""
        if isinstance(e, ast.Name):
            return self.resolve(f"len({e.id})", env)
        if isinstance(e, ast.Const) and isinstance(e.value, str):
            return z3.IntVal(len(e.value))
        if isinstance(e, ast.ListLit):
            return z3.IntVal(len(e.items))
        if isinstance(e, ast.BinOp) and e.op == "+":
            a, b = self.len_(e.left, env), self.len_(e.right, env)
            if a is not None and b is not None:
                return a + b
        return None

    def bool_(self, e: ast.Expr, env: dict[str, Any]) -> Any:
        """The Z3 bool term of a condition; an atom it does not understand is a fresh bool."""
        if isinstance(e, ast.Const) and isinstance(e.value, bool):
            return z3.BoolVal(e.value)
        if isinstance(e, ast.Compare) and e.op in ("<", "<=", ">", ">=", "==", "!="):
            a, b = self.int_(e.left, env), self.int_(e.right, env)
            if a is not None and b is not None:
                if self.nonlinear is not None:
                    self.nonlinear.extend(nonlinear_terms_of(e))
                return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                        "!=": a != b}[e.op]
        if isinstance(e, ast.BoolOp):
            a, b = self.bool_(e.left, env), self.bool_(e.right, env)
            return z3.And(a, b) if e.op == "and" else z3.Or(a, b)
        if isinstance(e, ast.Not):
            return z3.Not(self.bool_(e.operand, env))
        return self.fresh_bool()


def nonlinear_terms_of(e: Any) -> list[str]:
    """Products, quotients and remainders of two non-constant int terms in e, outermost
    first (the terms inside one are not listed again)."""
    out: list[str] = []
    stack: list[Any] = [e]
    while stack:
        n = stack.pop(0)
        if isinstance(n, ast.BinOp) and n.op in ("*", "//", "%") and \
                not isinstance(_strip_neg(n.left), ast.Const) and \
                not isinstance(_strip_neg(n.right), ast.Const):
            out.append(print_expr(n))
            continue
        if isinstance(n, ast.Expr):
            for v in vars(n).values():
                if isinstance(v, ast.Expr):
                    stack.append(v)
                elif isinstance(v, tuple):
                    stack.extend(x for x in v if isinstance(x, ast.Expr))
    return list(dict.fromkeys(out))


def _strip_neg(e: Any) -> Any:
    return e.operand if isinstance(e, ast.Neg) else e
