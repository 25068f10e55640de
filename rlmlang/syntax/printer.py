"""The canonical printer: AST → text, such that parse(print(ast)) == ast.

One layout for every script (4-space indents, single spaces around binary
operators, minimal parentheses from the grammar's precedence), which is what
`rlm fmt` writes, what the log records as the script's normal form, and the
spacing the model's grammar prefers. The AST keeps no comments; given those
of its source (rlmlang.syntax.comments), the printer writes them too.
"""

from __future__ import annotations

from decimal import Decimal

from rlmlang.syntax import ast
from rlmlang.syntax.comments import CommentLine, Comments
from rlmlang.types import Type, format_type

INDENT = "    "

# Binding strength, following the grammar's rule order (higher binds tighter).
_PREC = {"cast": 1, "test": 2, "or": 3, "and": 4, "not": 5, "cmp": 6, "add": 7, "mul": 8,
         "neg": 9, "pow": 10, "postfix": 11, "atom": 12}


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.Cast):
        return _PREC["cast"]
    if isinstance(e, (ast.IfExp, ast.Lambda)):
        return _PREC["test"]
    if isinstance(e, (ast.MethodCall, ast.Attribute)):
        return _PREC["postfix"]
    if isinstance(e, ast.BoolOp):
        return _PREC[e.op]
    if isinstance(e, ast.Not):
        return _PREC["not"]
    if isinstance(e, ast.Compare):
        return _PREC["cmp"]
    if isinstance(e, ast.BinOp):
        return _PREC["add"] if e.op in "+-" else _PREC["pow"] if e.op == "**" else _PREC["mul"]
    if isinstance(e, ast.Neg):
        return _PREC["neg"]
    if isinstance(e, (ast.Index, ast.Slice, ast.Call)):
        return _PREC["postfix"]
    if isinstance(e, ast.Const) and isinstance(e.value, (int, float)) and not isinstance(
            e.value, bool) and e.value < 0:
        return _PREC["neg"]
    return _PREC["atom"]


def quote(s: str, q: str = '"') -> str:
    out = [q]
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == q:
            out.append("\\" + q)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    out.append(q)
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


def print_expr(e: ast.Expr, q: str = '"') -> str:
    """An expression in canonical form; `q` quotes its strings (an f-string's inside
    uses the other quote)."""
    return _expr(e, q)


def _expr(e: ast.Expr, q: str) -> str:  # noqa: C901 (one case per node)
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
        return quote(v, q)
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Dotted):
        return e.dotted
    if isinstance(e, ast.ListLit):
        return "[" + ", ".join(_expr(i, q) for i in e.items) + "]"
    if isinstance(e, ast.DictLit):
        return "{" + ", ".join(f"{_expr(k, q)}: {_expr(v, q)}" for k, v in e.items) + "}"
    if isinstance(e, ast.BinOp) and e.op == "**":  # a postfix ** a factor: to the right
        return f"{_wrap(e.left, _PREC['postfix'], q)} ** {_wrap(e.right, _PREC['neg'], q)}"
    if isinstance(e, ast.BinOp):
        p = _prec(e)
        # Left-associative: the right operand needs parentheses at equal strength.
        return f"{_wrap(e.left, p, q)} {e.op} {_wrap(e.right, p + 1, q)}"
    if isinstance(e, ast.BoolOp):
        p = _prec(e)
        return f"{_wrap(e.left, p, q)} {e.op} {_wrap(e.right, p + 1, q)}"
    if isinstance(e, ast.Compare):
        p = _prec(e)
        # Comparisons do not chain: both sides must bind tighter.
        return f"{_wrap(e.left, p + 1, q)} {e.op} {_wrap(e.right, p + 1, q)}"
    if isinstance(e, ast.Not):
        return f"not {_wrap(e.operand, _PREC['not'], q)}"
    if isinstance(e, ast.Neg):
        return f"-{_wrap(e.operand, _PREC['neg'], q)}"
    if isinstance(e, ast.Index):
        return f"{_wrap(e.value, _PREC['postfix'], q)}[{_expr(e.index, q)}]"
    if isinstance(e, ast.Slice):
        lo = _expr(e.lower, q) if e.lower is not None else ""
        hi = _expr(e.upper, q) if e.upper is not None else ""
        return f"{_wrap(e.value, _PREC['postfix'], q)}[{lo}:{hi}]"
    if isinstance(e, ast.Call):
        return f"{e.func}({_args(e.args, e.kwargs, q)})"
    if isinstance(e, ast.MethodCall):
        return f"{_wrap(e.value, _PREC['postfix'], q)}.{e.method}({_args(e.args, e.kwargs, q)})"
    if isinstance(e, ast.Attribute):
        return f"{_wrap(e.value, _PREC['postfix'], q)}.{e.attr}"
    if isinstance(e, ast.IfExp):
        return (f"{_wrap(e.body, _PREC['or'], q)} if {_wrap(e.cond, _PREC['or'], q)} else "
                f"{_wrap(e.orelse, _PREC['test'], q)}")
    if isinstance(e, ast.Lambda):
        return f"lambda {', '.join(e.params)}: {_wrap(e.body, _PREC['test'], q)}"
    if isinstance(e, ast.TupleLit):
        return "(" + ", ".join(_expr(i, q) for i in e.items) + ")"
    if isinstance(e, ast.ListComp):
        inner = f"{_wrap(e.elt, _PREC['test'], q)}{_gens(e.gens, q)}"
        return inner if e.generator else f"[{inner}]"
    if isinstance(e, ast.DictComp):
        return f"{{{_expr(e.key, q)}: {_expr(e.value, q)}{_gens(e.gens, q)}}}"
    if isinstance(e, ast.FString):
        return _fstring(e)
    if isinstance(e, ast.Cast):
        return f"{_wrap(e.value, _PREC['or'], q)} as {print_type(e.type)}"
    raise TypeError(f"not an expression node: {e!r}")


def _wrap(e: ast.Expr, min_prec: int, q: str = '"') -> str:
    text = _expr(e, q)
    if isinstance(e, ast.ListComp) and e.generator:
        return f"[{text}]"
    return f"({text})" if _prec(e) < min_prec else text


def _args(args: tuple[ast.Expr, ...], kwargs: tuple[ast.Keyword, ...], q: str) -> str:
    if len(args) == 1 and not kwargs and isinstance(args[0], ast.ListComp) \
            and args[0].generator:
        return _expr(args[0], q)
    parts = [f"({_expr(a, q)})" if isinstance(a, ast.ListComp) and a.generator
             else _wrap(a, 0, q) for a in args]
    parts += [f"{k.name}={_wrap(k.value, 0, q)}" for k in kwargs]
    return ", ".join(parts)


def _gens(gens: tuple[ast.CompFor, ...], q: str) -> str:
    out = []
    for g in gens:
        out.append(f" for {', '.join(g.targets)} in {_wrap(g.iter, _PREC['or'], q)}")
        out.extend(f" if {_wrap(c, _PREC['or'], q)}" for c in g.ifs)
    return "".join(out)


def _fstring(e: ast.FString) -> str:
    """f"...": inside the braces, strings take the other quote (as Python before 3.12)."""
    inner = [_expr(p.value, "'") for p in e.parts if isinstance(p, ast.FormatPart)]
    q, other = ('"', "'")
    if any('"' in t for t in inner):
        q, other = "'", '"'
    out = ["f", q]
    for p in e.parts:
        if isinstance(p, ast.FormatPart):
            text = _expr(p.value, other)
            if text.startswith("{"):
                text = " " + text  # `{{` would read as a literal brace
            out.append("{" + text + (":" + p.spec if p.spec else "") + "}")
        else:
            out.append(quote(p, q)[1:-1].replace("{", "{{").replace("}", "}}"))
    out.append(q)
    return "".join(out)


def _print_block(body: tuple[ast.Stmt, ...], depth: int, out: list[str]) -> None:
    for stmt in body:
        _print_stmt(stmt, depth, out)


def _print_stmt(s: ast.Stmt, depth: int, out: list[str]) -> None:
    pad = INDENT * depth
    if isinstance(s, ast.Assign):
        out.append(f"{pad}{_bare(s.target)} = {_bare(s.value)}")
    elif isinstance(s, ast.AugAssign):
        out.append(f"{pad}{print_expr(s.target)} {s.op}= {print_expr(s.value)}")
    elif isinstance(s, ast.ExprStmt):
        out.append(pad + _bare(s.expr))
    elif isinstance(s, ast.Import):
        out.append(f"{pad}from {s.module} import {', '.join(s.names)}" if s.names
                   else f"{pad}import {s.module}")
    elif isinstance(s, ast.Submit):
        out.append(f"{pad}submit({print_expr(s.value)})")
    elif isinstance(s, ast.Fail):
        out.append(f"{pad}fail({print_expr(s.message)})")
    elif isinstance(s, ast.Return):
        out.append(pad + ("return" if s.value is None else f"return {_bare(s.value)}"))
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
        _print_else(s.orelse, depth, out)
    elif isinstance(s, ast.While):
        dec = f" decreases {print_expr(s.decreases)}" if s.decreases is not None else ""
        out.append(f"{pad}while {print_expr(s.cond)}{dec}:")
        _print_block(s.body, depth + 1, out)
        _print_else(s.orelse, depth, out)
    elif isinstance(s, ast.Def):
        params = ", ".join(f"{p.name}: {print_type(p.type)}" for p in s.params)
        ret = f" -> {print_type(s.returns)}" if s.returns is not None else ""
        out.append(f"{pad}def {s.name}({params}){ret}:")
        _print_block(s.body, depth + 1, out)
    else:
        raise TypeError(f"not a statement node: {s!r}")


def _print_else(orelse: tuple[ast.Stmt, ...] | None, depth: int, out: list[str]) -> None:
    if orelse is not None:
        out.append(INDENT * depth + "else:")
        _print_block(orelse, depth + 1, out)


def _bare(e: ast.Expr) -> str:
    """A statement-level expression: a tuple without its brackets (`a, b = b, a`)."""
    if isinstance(e, ast.TupleLit):
        return ", ".join(print_expr(i) for i in e.items)
    return print_expr(e)


def print_script(script: ast.Script, comments: Comments | None = None) -> str:
    """The script in canonical form; with `comments` (collect_comments of its source),
    with its comments and blank lines too, each where rlmlang.syntax.comments puts it."""
    out: list[str] = []
    _print_block(script.body, 0, out)
    if comments is None:
        return "\n".join(out) + "\n"
    if len(comments.before) != len(out) or len(comments.trailing) != len(out):
        raise ValueError(f"the comments are placed for {len(comments.before)} lines and the "
                         f"script prints {len(out)}: they are another script's")
    lines: list[str] = []
    for line, before, trailing in zip(out, comments.before, comments.trailing, strict=True):
        lines.extend(_comment_line(c) for c in before)
        lines.append(line if trailing is None else f"{line}  {trailing}")
    lines.extend(_comment_line(c) for c in comments.end)
    return "\n".join(lines) + "\n"


def _comment_line(c: CommentLine) -> str:
    return INDENT * c.depth + c.text if c.text else ""
