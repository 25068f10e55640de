"""The canonical printer: AST → text, such that parse(print(ast)) == ast.

One layout for every script (4-space indents, single spaces around binary
operators, minimal parentheses from the grammar's precedence), which is what
`rlm fmt` writes, what the log records as the script's normal form, and the
spacing the model's grammar prefers.
"""

from __future__ import annotations

from decimal import Decimal

from rlmlang.syntax import ast
from rlmlang.types import Type, format_type

INDENT = "    "

# Binding strength, following the grammar's rule order (higher binds tighter).
_PREC = {"cast": 1, "or": 2, "and": 3, "not": 4, "cmp": 5, "add": 6, "mul": 7, "neg": 8,
         "postfix": 9, "atom": 10}


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.Cast):
        return _PREC["cast"]
    if isinstance(e, ast.BoolOp):
        return _PREC[e.op]
    if isinstance(e, ast.Not):
        return _PREC["not"]
    if isinstance(e, ast.Compare):
        return _PREC["cmp"]
    if isinstance(e, ast.BinOp):
        return _PREC["add"] if e.op in "+-" else _PREC["mul"]
    if isinstance(e, ast.Neg):
        return _PREC["neg"]
    if isinstance(e, (ast.Index, ast.Slice, ast.Call)):
        return _PREC["postfix"]
    if isinstance(e, ast.Const) and isinstance(e.value, (int, float)) and not isinstance(
            e.value, bool) and e.value < 0:
        return _PREC["neg"]
    return _PREC["atom"]


def quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_float(v: float) -> str:
    """The shortest digits that read back as `v`, always in the grammar's d.d form.

    repr() switches to exponent form (1e+16, 1e-05) which the language does not
    have, so those are written out positionally from the same shortest digits.
    """
    text = repr(v)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def print_type(t: Type) -> str:
    return format_type(t)


def print_expr(e: ast.Expr) -> str:
    if isinstance(e, ast.Const):
        v = e.value
        if v is None:
            return "None"
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return format_float(v)
        return quote(v)
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Dotted):
        return e.dotted
    if isinstance(e, ast.ListLit):
        return "[" + ", ".join(print_expr(i) for i in e.items) + "]"
    if isinstance(e, ast.DictLit):
        return "{" + ", ".join(f"{print_expr(k)}: {print_expr(v)}" for k, v in e.items) + "}"
    if isinstance(e, ast.BinOp):
        p = _prec(e)
        # Left-associative: the right operand needs parentheses at equal strength.
        return f"{_wrap(e.left, p)} {e.op} {_wrap(e.right, p + 1)}"
    if isinstance(e, ast.BoolOp):
        p = _prec(e)
        return f"{_wrap(e.left, p)} {e.op} {_wrap(e.right, p + 1)}"
    if isinstance(e, ast.Compare):
        p = _prec(e)
        # Comparisons do not chain: both sides must bind tighter.
        return f"{_wrap(e.left, p + 1)} {e.op} {_wrap(e.right, p + 1)}"
    if isinstance(e, ast.Not):
        return f"not {_wrap(e.operand, _PREC['not'])}"
    if isinstance(e, ast.Neg):
        return f"-{_wrap(e.operand, _PREC['neg'])}"
    if isinstance(e, ast.Index):
        return f"{_wrap(e.value, _PREC['postfix'])}[{print_expr(e.index)}]"
    if isinstance(e, ast.Slice):
        lo = print_expr(e.lower) if e.lower is not None else ""
        hi = print_expr(e.upper) if e.upper is not None else ""
        return f"{_wrap(e.value, _PREC['postfix'])}[{lo}:{hi}]"
    if isinstance(e, ast.Call):
        parts = [print_expr(a) for a in e.args]
        parts += [f"{k.name}={print_expr(k.value)}" for k in e.kwargs]
        return f"{e.func}({', '.join(parts)})"
    if isinstance(e, ast.Cast):
        return f"{_wrap(e.value, _PREC['or'])} as {print_type(e.type)}"
    raise TypeError(f"not an expression node: {e!r}")


def _wrap(e: ast.Expr, min_prec: int) -> str:
    text = print_expr(e)
    return f"({text})" if _prec(e) < min_prec else text


def _print_block(body: tuple[ast.Stmt, ...], depth: int, out: list[str]) -> None:
    for stmt in body:
        _print_stmt(stmt, depth, out)


def _print_stmt(s: ast.Stmt, depth: int, out: list[str]) -> None:
    pad = INDENT * depth
    if isinstance(s, ast.Assign):
        out.append(f"{pad}{print_expr(s.target)} = {print_expr(s.value)}")
    elif isinstance(s, ast.AugAssign):
        out.append(f"{pad}{print_expr(s.target)} {s.op}= {print_expr(s.value)}")
    elif isinstance(s, ast.ExprStmt):
        out.append(pad + print_expr(s.expr))
    elif isinstance(s, ast.Submit):
        out.append(f"{pad}submit({print_expr(s.value)})")
    elif isinstance(s, ast.Fail):
        out.append(f"{pad}fail({print_expr(s.message)})")
    elif isinstance(s, ast.Return):
        out.append(pad + ("return" if s.value is None else f"return {print_expr(s.value)}"))
    elif isinstance(s, ast.Break):
        out.append(pad + "break")
    elif isinstance(s, ast.Continue):
        out.append(pad + "continue")
    elif isinstance(s, ast.Pass):
        out.append(pad + "pass")
    elif isinstance(s, ast.If):
        for i, (cond, body) in enumerate(s.branches):
            kw = "if" if i == 0 else "elif"
            out.append(f"{pad}{kw} {print_expr(cond)}:")
            _print_block(body, depth + 1, out)
        if s.orelse is not None:
            out.append(f"{pad}else:")
            _print_block(s.orelse, depth + 1, out)
    elif isinstance(s, ast.For):
        out.append(f"{pad}for {s.var} in {print_expr(s.iter)}:")
        _print_block(s.body, depth + 1, out)
    elif isinstance(s, ast.While):
        dec = f" decreases {print_expr(s.decreases)}" if s.decreases is not None else ""
        out.append(f"{pad}while {print_expr(s.cond)}{dec}:")
        _print_block(s.body, depth + 1, out)
    elif isinstance(s, ast.Def):
        params = ", ".join(f"{p.name}: {print_type(p.type)}" for p in s.params)
        ret = f" -> {print_type(s.returns)}" if s.returns is not None else ""
        out.append(f"{pad}def {s.name}({params}){ret}:")
        _print_block(s.body, depth + 1, out)
    else:
        raise TypeError(f"not a statement node: {s!r}")


def print_script(script: ast.Script) -> str:
    out: list[str] = []
    _print_block(script.body, 0, out)
    return "\n".join(out) + "\n"
