"""Parse RLM script text into an AST, or into diagnostics.

The grammar lives in grammar/rlm.lark; this module only drives Lark's LALR(1)
parser with an indenter. AST nodes are built inside the parser, one callback
per reduction (no parse tree is built and walked afterwards: three times
faster), and nothing recurses in Python, so neither deep nesting nor long
scripts can overflow the stack; brackets or prefix operators nested past
MAX_EXPR_DEPTH stop the token stream at once.
Input is checked before the parser sees it (size, binary, encoding), and
syntax errors are translated into the language's own words by
rlmlang.syntax.messages (whose Python-ism line scan runs only when a script
fails, or has tabs). The result is a plain value: a Script, or a list of
diagnostics — never an exception for bad input.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedInput
from lark.indenter import DedentError, Indenter

from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.resources import GRAMMAR_FILE
from rlmlang.syntax import ast
from rlmlang.syntax.messages import python_isms, syntax_error_diagnostic
from rlmlang.syntax.methods import method_table
from rlmlang.types import PRIMS, DictT, ListT, RecordT, TupleT, Type, optional, parse_type

GRAMMAR_PATH = GRAMMAR_FILE  # grammar/rlm.lark, shipped as package data

MAX_DEPTH = 5  # nested blocks; the GBNF unrolls one rule per level
MAX_EXPR_DEPTH = 64  # nested expressions; deeper is a script no one should write
MAX_SCRIPT_BYTES = 1_000_000
MAX_INT = 2**63 - 1  # ints are 64-bit signed (rlmlang/compiler/bytecode.py)


@dataclass
class ParseResult:
    script: ast.Script | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.script is not None and not self.diagnostics


class _RlmIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RSQB", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def __init__(self) -> None:
        super().__init__()
        self.too_deep: Token | None = None

    def process(self, stream):
        # One indenter serves every parse: start each with a clean slate.
        self.too_deep = None
        return super().process(_watch_brackets(stream))

    def handle_NL(self, token: Token):  # noqa: N802 (Lark's hook name)
        yield from super().handle_NL(token)
        if self.too_deep is None and len(self.indent_level) - 1 > MAX_DEPTH:
            self.too_deep = token


def _tok_span(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)


_LAYOUT = frozenset(("_NL", "_INDENT", "_DEDENT"))


def _start(x: object) -> tuple[int, int] | None:
    """Where a child of a reduction begins; None for layout tokens and empty slots."""
    if isinstance(x, Token):
        return None if x.type in _LAYOUT else (x.line, x.column)
    span = getattr(x, "span", None)
    if span is not None:
        return (span.line, span.col)
    if isinstance(x, tuple) and x:
        return _start(x[0])
    return None


def _end(x: object) -> tuple[int, int] | None:
    if isinstance(x, Token):
        if x.type in _LAYOUT:
            return None
        return (x.end_line or x.line, x.end_column or x.column + len(x))
    span = getattr(x, "span", None)
    if span is not None:
        return (span.end_line, span.end_col)
    if isinstance(x, tuple) and x:
        return _end(x[-1])
    return None


def _span(children: list) -> Span:
    """The span from the first to the last child that takes up text."""
    first = last = None
    for c in children:
        first = _start(c)
        if first is not None:
            break
    for c in reversed(children):
        last = _end(c)
        if last is not None:
            break
    if first is None or last is None:
        return ast.NO_SPAN
    return Span(first[0], first[1], last[0], last[1])


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\", "0": "\0",
            "\n": ""}


def _unquote(text: str) -> str:
    """A string literal's value, as Python reads it: r"..." keeps backslashes; an
    unknown escape such as \\d keeps its backslash; \\xHH and \\uHHHH name characters."""
    raw = text[0] in "rR"
    if raw:
        text = text[1:]
    q = 3 if text[:3] in ('"""', "'''") else 1
    body = text[q:-q]
    if raw or "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        width = {"x": 2, "u": 4}.get(nxt, 0)
        digits = body[i + 2:i + 2 + width]
        if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch + nxt)
            i += 2
    return "".join(out)


class _Typed:
    """A type with the span it was written at (types themselves carry no position)."""

    __slots__ = ("type", "span")

    def __init__(self, type: Type, span: Span) -> None:
        self.type = type
        self.span = span


class _Clause:
    """An elif/else/decreases clause on its way into its statement."""

    __slots__ = ("kind", "cond", "body", "span")

    def __init__(self, kind: str, cond: ast.Expr | None, body: ast.Block, span: Span) -> None:
        self.kind = kind
        self.cond = cond
        self.body = body
        self.span = span


class _Builder:
    """Builds AST nodes inside the LALR parser, one reduction at a time.

    Lark calls one method per rule (or alias) with that rule's children, all
    tokens kept (keep_all_tokens), so spans come from the tokens themselves and
    no parse tree is built or walked afterwards. Nothing recurses in Python.
    """

    def __init__(self, keywords: frozenset[str] = frozenset()) -> None:
        self.keywords = keywords
        self.diags: list[Diagnostic] = []
        self.depth: dict[int, int] = {}
        self.too_deep_expr: Span | None = None
        self._parenthesized: set[int] = set()  # id of each `(x for x in xs)` argument

    def reset(self) -> None:
        self.diags = []
        self.depth = {}
        self.too_deep_expr = None
        self._parenthesized = set()

    def _error(self, span: Span, message: str, fix: str | None = None) -> None:
        self.diags.append(Diagnostic("E_SYNTAX", message, span, fix=fix))

    def _expr(self, node: ast.Expr, *children: object) -> ast.Expr:
        depth = self.depth
        d = 1 + max((depth.get(id(c), 0) for c in children), default=0)
        depth[id(node)] = d
        if d > MAX_EXPR_DEPTH and self.too_deep_expr is None:
            self.too_deep_expr = node.span  # type: ignore[attr-defined]
        return node

    def _name(self, tok: Token) -> str:
        name = str(tok)
        if name in self.keywords:
            self._error(_tok_span(tok), f"'{name}' is a keyword and cannot be used as a name",
                        fix=f"choose another name, e.g. {name.lower()}_")
        return name

    # -- script and statements

    def start(self, c):
        stmts = tuple(x for x in c if isinstance(x, ast.Stmt))
        return ast.Script(stmts, _span(list(stmts)))

    def stmt(self, c):  # `simple_stmt _NL`
        return c[0]

    def assign(self, c):
        target = c[0]
        if isinstance(target, ast.TupleLit):
            for item in target.items:
                if not isinstance(item, ast.Name):
                    self._error(item.span, "only names can be unpacked into: a, b = ...",  # type: ignore[attr-defined]
                                fix="unpack into names, then assign each where it goes")
                    break
            seen = [i.id for i in target.items if isinstance(i, ast.Name)]
            if len(set(seen)) != len(seen):
                self._error(target.span, "a name appears twice on the left of '='")
            return ast.Assign(target, c[2], _span(c))
        return ast.Assign(self._target(target), c[2], _span(c))

    def aug_assign(self, c):
        return ast.AugAssign(self._target(c[0]), str(c[1])[0], c[2], _span(c))

    def _target(self, target: ast.Expr) -> ast.Expr:
        if isinstance(target, ast.Name):
            return target
        if isinstance(target, ast.Index) and isinstance(target.value, ast.Name):
            return target
        if isinstance(target, ast.Dotted) and target.parts[0] == "state" and len(target.parts) == 2:
            return target
        self._error(
            target.span,  # type: ignore[attr-defined]
            "cannot assign to this: the left side of '=' must be a name, "
            "name[index] or state.key",
            fix="assign to a plain name, e.g. x = ...",
        )
        return target

    def expr_stmt(self, c):
        return ast.ExprStmt(c[0], _span(c))

    def submit_stmt(self, c):
        return ast.Submit(c[2], _span(c))

    def fail_stmt(self, c):
        return ast.Fail(c[2], _span(c))

    def tuple_lit(self, c):
        items = tuple(x for x in c if isinstance(x, ast.Expr))
        return self._expr(ast.TupleLit(items, _span(c)), *items)

    def return_stmt(self, c):
        return ast.Return(c[1] if len(c) > 1 else None, _span(c))

    def break_stmt(self, c):
        return ast.Break(_span(c))

    def continue_stmt(self, c):
        return ast.Continue(_span(c))

    def pass_stmt(self, c):
        return ast.Pass(_span(c))

    def suite(self, c):
        return tuple(x for x in c if isinstance(x, ast.Stmt))

    def if_stmt(self, c):
        branches = [(c[1], c[3])]
        orelse = None
        for clause in c[4:]:
            if clause.kind == "elif":
                branches.append((clause.cond, clause.body))
            else:
                orelse = clause.body
        return ast.If(tuple(branches), orelse, _span(c))

    def elif_clause(self, c):
        return _Clause("elif", c[1], c[3], _span(c))

    def else_clause(self, c):
        return _Clause("else", None, c[2], _span(c))

    def for_stmt(self, c):
        names = c[1]
        orelse = c[6].body if len(c) > 6 else None
        if len(names) == 1:
            return ast.For(names[0], c[3], c[5], _span(c), orelse=orelse)
        return ast.For(", ".join(names), c[3], c[5], _span(c), unpack=names, orelse=orelse)

    def for_target(self, c):
        names = tuple(self._name(t) for t in c if isinstance(t, Token) and t.type == "NAME")
        if len(set(names)) != len(names):
            self._error(_span(c), "a name appears twice in the loop's target")
        return names

    # -- imports (nothing is imported: the checker names what replaces each)

    def import_names(self, c):
        mods = [x for x in c if isinstance(x, str) and not isinstance(x, Token)]
        return ast.Import(mods[0] if len(mods) == 1 else ", ".join(mods), (), _span(c))

    def import_from(self, c):
        return ast.Import(c[1], c[3], _span(c))

    def import_list(self, c):
        names: list[str] = []
        after_as = False
        for t in c:
            if isinstance(t, Token) and t.type == "NAME" and not after_as:
                names.append(str(t))
            after_as = isinstance(t, Token) and t.type == "AS"
        return tuple(names)

    def dotted_name(self, c):
        return ".".join(str(t) for t in c if isinstance(t, Token) and t.type == "NAME")

    def while_stmt(self, c):
        dec = c[2].cond if isinstance(c[2], _Clause) and c[2].kind == "decreases" else None
        if isinstance(c[-1], _Clause):  # else:
            return ast.While(c[1], dec, c[-2], _span(c), orelse=c[-1].body)
        return ast.While(c[1], dec, c[-1], _span(c))

    def decreases_clause(self, c):
        return _Clause("decreases", c[1], (), _span(c))

    def def_stmt(self, c):
        name = self._name(c[1])
        params: tuple[ast.Param, ...] = ()
        returns = None
        for child in c[3:-2]:
            if isinstance(child, tuple):
                params = child
            elif isinstance(child, _Typed):
                returns = child.type
        seen: set[str] = set()
        for p in params:
            if p.name in seen:
                self._error(p.span, f"parameter '{p.name}' appears twice in the definition "
                            f"of '{name}'")
                break
            seen.add(p.name)
        return ast.Def(name, params, returns, c[-1], _span(c))

    def params(self, c):
        return tuple(x for x in c if isinstance(x, ast.Param))

    def param(self, c):
        return ast.Param(self._name(c[0]), c[2].type, _span(c))

    def return_type(self, c):
        return c[1]

    # -- expressions

    def cast(self, c):
        return self._expr(ast.Cast(c[0], c[2].type, _span(c)), c[0])

    def ifexp(self, c):
        body, cond, orelse = c[0], c[2], c[4]
        return self._expr(ast.IfExp(cond, body, orelse, _span(c)), body, cond, orelse)

    def lambda_expr(self, c):
        return self._expr(ast.Lambda(c[1], c[3], _span(c)), c[3])

    def lambda_params(self, c):
        return tuple(self._name(t) for t in c if isinstance(t, Token) and t.type == "NAME")

    def is_op(self, c):
        return self._is(c, c[0], c[2], "==")

    def is_not_op(self, c):
        return self._is(c, c[0], c[3], "!=")

    def _is(self, c, left, right, op: str):
        if not any(isinstance(x, ast.Const) and x.value is None for x in (left, right)):
            self._error(_span(c), "'is' only compares with None here (x is None); other "
                        "values compare with ==", fix=f"write {'==' if op == '==' else '!='}")
        return self._expr(ast.Compare(op, left, right, _span(c)), left, right)

    def or_op(self, c):
        return self._expr(ast.BoolOp("or", c[0], c[2], _span(c)), c[0], c[2])

    def and_op(self, c):
        return self._expr(ast.BoolOp("and", c[0], c[2], _span(c)), c[0], c[2])

    def not_op(self, c):
        return self._expr(ast.Not(c[1], _span(c)), c[1])

    def compare(self, c):
        return self._expr(ast.Compare(str(c[1]), c[0], c[2], _span(c)), c[0], c[2])

    def compare_chain(self, c):
        """`lo <= x < hi` is `lo <= x and x < hi`: x is read twice, so it must be a value
        that reading twice gives again and changes nothing: names, literals, items,
        arithmetic, the values' own methods and the builtins' calls (`lo <= row.split(",")[5]
        <= hi`, `lo <= to_date(line) <= hi`, as coder models write them; the work is done,
        and metered, twice). A tool with an effect or a def would run twice: the checker
        refuses one there (a chain's BoolOp says so)."""
        left, op1, middle, op2, right = c
        if not _pure_operand(middle):
            self._error(_span(c), "a chained comparison's middle must be a value of names, "
                        "literals, items, arithmetic, methods and builtins (it is read twice)",
                        "give it a name first: x = ...; then lo <= x <= hi")
        first = self._expr(ast.Compare(str(op1), left, middle, _span(c)), left, middle)
        second = self._expr(ast.Compare(str(op2), middle, right, _span(c)), middle, right)
        return self._expr(ast.BoolOp("and", first, second, _span(c),
                                     chain=not _plain_operand(middle)), first, second)

    def in_op(self, c):
        return self._expr(ast.Compare("in", c[0], c[2], _span(c)), c[0], c[2])

    def not_in_op(self, c):
        return self._expr(ast.Compare("not in", c[0], c[3], _span(c)), c[0], c[3])

    def binop(self, c):
        return self._expr(ast.BinOp(str(c[1]), c[0], c[2], _span(c)), c[0], c[2])

    def neg(self, c):
        return self._expr(ast.Neg(c[1], _span(c)), c[1])

    def index(self, c):
        return self._expr(ast.Index(c[0], c[2], _span(c)), c[0], c[2])

    def slice(self, c):
        value, lower, upper = c[0], c[2], c[4]
        node = ast.Slice(value, lower, upper, _span(c))
        return self._expr(node, value, *(b for b in (lower, upper) if b is not None))

    def attribute(self, c):
        value, name = c[0], self._name(c[2])
        if isinstance(value, ast.Name):
            node: ast.Expr = ast.Dotted((value.id, name), _span(c))
        elif isinstance(value, ast.Dotted):
            node = ast.Dotted(value.parts + (name,), _span(c))
        else:
            node = ast.Attribute(value, name, _span(c))
        return self._expr(node, value)

    def call(self, c):
        callee = c[0]
        args_list = c[2] if len(c) == 4 else []
        args: list[ast.Expr] = []
        kwargs: list[ast.Keyword] = []
        for a in args_list:
            if isinstance(a, ast.Keyword):
                if any(k.name == a.name for k in kwargs):
                    self._error(a.span, f"keyword argument '{a.name}' is given twice")
                kwargs.append(a)
            elif kwargs:
                self._error(a.span, "a positional argument cannot follow a keyword argument",
                            fix="put positional arguments first")
            else:
                args.append(a)
        if any(isinstance(a, ast.ListComp) and a.generator and id(a) not in self._parenthesized
               for a in args) and len(args) + len(kwargs) > 1:
            self._error(_span(c), "a generator must be the only argument of a call",
                        fix="put it in brackets: f([x for x in xs], ...)")
        kids = (*args, *(k.value for k in kwargs))
        if isinstance(callee, ast.Attribute):
            node: ast.Expr = ast.MethodCall(callee.value, callee.attr, tuple(args), tuple(kwargs),
                                            _span(c), callee.span)
            return self._expr(node, callee.value, *kids)
        if isinstance(callee, (ast.Name, ast.Dotted)):
            name = callee.id if isinstance(callee, ast.Name) else callee.dotted
            node = ast.Call(name, tuple(args), tuple(kwargs), _span(c), callee.span)
            return self._expr(node, *kids)
        self._error(callee.span, "only a function or method can be called, by its name, as "  # type: ignore[attr-defined]
                    "in f(x) or s.strip()", fix="call the function by name")
        return self._expr(ast.Call("_", tuple(args), tuple(kwargs), _span(c)), *kids)

    def generator(self, c):
        return self._comp(c, c[0], c[1], generator=True)

    def paren_generator(self, c):
        """`(x for x in xs)` as one argument among others (`next((...), None)`)."""
        node = self._comp(c, c[1], c[2], generator=True)
        self._parenthesized.add(id(node))
        return node

    def list_comp(self, c):
        return self._comp(c, c[1], c[2])

    def _comp(self, c, elt, gens, generator: bool = False):
        node = ast.ListComp(elt, gens, generator, _span(c))
        return self._expr(node, elt, *(x for g in gens for x in (g.iter, *g.ifs)))

    def dict_comp(self, c):
        key, value = c[1]
        gens = c[2]
        node = ast.DictComp(key, value, gens, _span(c))
        return self._expr(node, key, value, *(x for g in gens for x in (g.iter, *g.ifs)))

    def comp_for(self, c):
        gens: list[ast.CompFor] = []
        i = 0
        while i < len(c):
            # "for" targets "in" iter comp_if*
            targets, it = c[i + 1], c[i + 3]
            j = i + 4
            ifs: list[ast.Expr] = []
            while j < len(c) and isinstance(c[j], _Clause):
                ifs.append(c[j].cond)  # type: ignore[arg-type]
                j += 1
            gens.append(ast.CompFor(targets, it, tuple(ifs), _span(c[i:j])))
            i = j
        return tuple(gens)

    def comp_if(self, c):
        return _Clause("if", c[1], (), _span(c))

    def fstring(self, c):
        tok = c[0]
        parts = _fstring_parts(str(tok), tok.line, tok.column, self)
        kids = [p.value for p in parts if isinstance(p, ast.FormatPart)]
        return self._expr(ast.FString(parts, _span(c)), *kids)

    def arguments(self, c):
        return [x for x in c if not isinstance(x, Token)]

    def keyword(self, c):
        name, value = c[0], c[2]
        if not isinstance(name, ast.Name):
            self._error(name.span, "a keyword argument's name must be a plain name, as in "
                        "f(text=s)")
            return ast.Keyword("_", value, _span(c))
        return ast.Keyword(name.id, value, _span(c))

    def atom(self, c):  # `( expr )`
        return c[1]

    def int_lit(self, c):
        text = str(c[0])
        if len(text) > 19 or int(text) > MAX_INT:
            self._error(_tok_span(c[0]), f"this integer is too large: ints are 64-bit, at most "
                        f"{MAX_INT}")
            return ast.Const(0, _span(c))
        return ast.Const(int(text), _span(c))

    def float_lit(self, c):
        value = float(c[0])
        if value == float("inf"):
            self._error(_tok_span(c[0]), "this number is too large for a float")
            value = 0.0
        return ast.Const(value, _span(c))

    def str_lit(self, c):
        return ast.Const(_unquote(str(c[0])), _span(c))

    def true_lit(self, c):
        return ast.Const(True, _span(c))

    def false_lit(self, c):
        return ast.Const(False, _span(c))

    def none_lit(self, c):
        return ast.Const(None, _span(c))

    def list_lit(self, c):
        items = tuple(x for x in c if isinstance(x, ast.Expr))
        return self._expr(ast.ListLit(items, _span(c)), *items)

    def dict_lit(self, c):
        items = tuple(x for x in c if isinstance(x, tuple))
        return self._expr(ast.DictLit(items, _span(c)), *(x for kv in items for x in kv))

    def pair(self, c):
        return (c[0], c[2])

    def ref(self, c):
        return ast.Name(self._name(c[0]), _tok_span(c[0]))

    # -- types

    def simple_type(self, c):
        name = str(c[0])
        if name == "None":
            name = "none"
        if name in PRIMS:
            return _Typed(PRIMS[name], _span(c))
        self._error(_span(c), f"unknown type '{name}'; the types are int, float, bool, str, "
                    "none, list[T], dict[str, T] and records {field: T}")
        return _Typed(PRIMS["none"], _span(c))

    def generic_type(self, c):
        name = str(c[0])
        args = [x.type for x in c if isinstance(x, _Typed)]
        if name == "list" and len(args) == 1:
            return _Typed(ListT(args[0]), _span(c))
        if name == "dict" and len(args) == 2 and args[0] == PRIMS["str"]:
            return _Typed(DictT(args[1]), _span(c))
        if name == "tuple" and len(args) >= 2:
            return _Typed(TupleT(tuple(args)), _span(c))
        if name == "Optional" and len(args) == 1:
            return _Typed(optional(args[0]), _span(c))
        self._error(_span(c), f"unknown type '{name}[...]'; write list[T], dict[str, T], "
                    "tuple[T, U] or T | None")
        return _Typed(PRIMS["none"], _span(c))

    def record_type(self, c):
        fields = tuple(x for x in c if isinstance(x, tuple))
        names = [n for n, _ in fields]
        if len(set(names)) != len(names):
            self._error(_span(c), "a record type names the same field twice")
        return _Typed(RecordT(fields), _span(c))

    def optional_type(self, c):
        """`T | None`: a T, or None (check/narrow.py)."""
        return _Typed(optional(c[0].type), _span(c))

    def field_type(self, c):
        return (self._name(c[0]), c[2].type)


# A format spec the language takes: align, sign, thousands, width <= 99, precision <= 99,
# type. Wider fields would let a one-line f-string build a huge text.
FORMAT_SPEC = re.compile(r"[<>^]?[+\- ]?,?(?:[1-9][0-9]?)?(?:\.[0-9]{1,2})?[dfse%g]?")


def _fstring_parts(text: str, line: int, col: int,
                   builder: _Builder) -> tuple[str | ast.FormatPart, ...]:
    """The literal text and `{value:spec}` parts of an f-string token."""
    body = text[2:-1]
    parts: list[str | ast.FormatPart] = []
    lit: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch in "{}" and body[i + 1:i + 2] == ch:
            lit.append(ch)
            i += 2
            continue
        if ch == "\\":
            lit.append(body[i:i + 2])
            i += 2
            continue
        if ch != "{":
            lit.append(ch)
            i += 1
            continue
        j = body.index("}", i)
        if lit:
            parts.append(_unquote('"' + "".join(lit) + '"'))
            lit = []
        at = col + 2 + i + 1  # the column of the first character inside the braces
        part = _format_part(body[i + 1:j], line, at, builder)
        if part is not None:
            parts.append(part)
        i = j + 1
    if lit:
        parts.append(_unquote('"' + "".join(lit) + '"'))
    return tuple(parts)


def _format_part(inner: str, line: int, col: int, builder: _Builder) -> ast.FormatPart | None:
    here = Span(line, col - 1, line, col + len(inner) + 1)
    depth, quote, cut = 0, "", len(inner)
    for k, ch in enumerate(inner):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ":" and depth == 0:
            cut = k
            break
    expr_text, spec = inner[:cut], inner[cut + 1:]
    if re.search(r"![rsa]\s*$|=\s*$", expr_text):
        builder._error(here, "f-string conversions (!r, !s) and {x=} are not in the language",
                       fix="write {x} (str form) or {x:.2f} (a format spec)")
        return None
    if cut < len(inner) and not FORMAT_SPEC.fullmatch(spec):
        builder._error(here, f"format spec ':{spec}' is not in the language: specs are "
                       "[align][sign][,][width][.precision][type] with width and precision "
                       "under 100, type one of d f s e % g", fix="e.g. {x:.2f} or {n:,}")
        return None
    if not expr_text.strip():
        builder._error(here, "an f-string has an empty {}", fix="put a value inside: {name}")
        return None
    lead = len(expr_text) - len(expr_text.lstrip())
    value = _parse_fexpr(expr_text.strip(), line, col + lead, builder, here)
    if value is None:
        return None
    return ast.FormatPart(value, spec, here)


def _parse_fexpr(text: str, line: int, col: int, builder: _Builder,
                 here: Span) -> ast.Expr | None:
    parser, inner = _expr_parser()
    if inner is builder:
        builder._error(here, "f-strings cannot nest", fix="build the inner text first")
        return None
    inner.reset()
    try:
        value = parser.parse(text, start="expr")
    except (UnexpectedInput, _TooDeep, LarkError):
        builder._error(here, f"the value {{{text}}} in this f-string is not an expression of "
                       "the language", fix="put a name or a simple expression in the braces")
        return None
    finally:
        inner.depth = {}
    for d in inner.diags:
        builder.diags.append(replace(d, span=_shift_span(d.span, line, col)))
    return _shift(value, line, col)


def _shift_span(span: Span | None, line: int, col: int) -> Span | None:
    if span is None or not span.line:
        return span
    return Span(line, span.col + col - 1, line, span.end_col + col - 1)


def _shift(node, line: int, col: int):
    """`node` (parsed from one line of text at column 1) moved to (line, col)."""
    if isinstance(node, tuple):
        return tuple(_shift(x, line, col) for x in node)
    if not (is_dataclass(node) and isinstance(node, (ast.Expr, ast.Keyword, ast.CompFor,
                                                    ast.FormatPart))):
        return node
    changes = {}
    for f in fields(node):
        v = getattr(node, f.name)
        if isinstance(v, Span):
            changes[f.name] = _shift_span(v, line, col)
        elif isinstance(v, (tuple, ast.Expr, ast.Keyword, ast.CompFor, ast.FormatPart)):
            changes[f.name] = _shift(v, line, col)
    return replace(node, **changes)


class _TooDeep(Exception):
    """Brackets or prefix operators nested past MAX_EXPR_DEPTH: parsing stops at once."""

    def __init__(self, token: Token, what: str) -> None:
        super().__init__(f"{what} nested too deep")
        self.token = token
        self.what = what


_OPEN = frozenset(("LPAR", "LSQB", "LBRACE"))
_CLOSE = frozenset(("RPAR", "RSQB", "RBRACE"))


_PREFIX = frozenset(("MINUS", "NOT"))


def _watch_brackets(stream):
    """Stop a token stream whose brackets (or runs of prefix operators such as
    `- - - x`) nest deeper than any sane expression, before parsing all of it."""
    depth = 0
    run = 0
    for tok in stream:
        kind = tok.type
        if kind in _OPEN:
            depth += 1
            if depth > MAX_EXPR_DEPTH:
                raise _TooDeep(tok, "brackets are")
        elif kind in _CLOSE:
            depth -= 1
        if kind in _PREFIX:
            run += 1
            if run > MAX_EXPR_DEPTH:
                raise _TooDeep(tok, "prefix operators ('-', 'not') are")
        else:
            run = 0
        yield tok


_lock = threading.Lock()


_LARK_OPTIONS = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": True,
                 "keep_all_tokens": True}


@lru_cache(maxsize=1)
def _expr_parser() -> tuple[Lark, _Builder]:
    """A second parser for the values inside f-strings (start rule `expr`)."""
    main, main_builder = _parser()
    builder = _Builder(main_builder.keywords)
    parser = Lark(grammar_text(), postlex=_RlmIndenter(), transformer=builder,
                  start=["expr"], **_LARK_OPTIONS)
    return parser, builder


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _Builder]:
    """Build the parser once per process (about 0.1 s).

    Lark's `cache=True` was measured and saves almost nothing here (loading the
    pickled tables still compiles the contextual lexer's regexes), so the tables
    are simply built; that also keeps pickles out of the picture.
    """
    builder = _Builder()
    parser = Lark(grammar_text(), postlex=_RlmIndenter(), transformer=builder, **_LARK_OPTIONS)
    builder.keywords = frozenset(
        t.pattern.value for t in parser.terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha())
    return parser, builder


def grammar_text() -> str:
    return GRAMMAR_PATH.read_text(encoding="utf-8")


def check_input(data: bytes | str, file: str = "<script>") -> tuple[str | None, list[Diagnostic]]:
    """Decode and vet raw input before parsing: size, binary content, encoding, tabs."""
    if isinstance(data, bytes):
        if len(data) > MAX_SCRIPT_BYTES:
            return None, [Diagnostic(
                "E_INPUT", f"the file is {len(data) / 1e6:.1f} MB; a script may be at most "
                f"{MAX_SCRIPT_BYTES // 1_000_000} MB", None, file,
                fix="keep data out of scripts: pass it as an input (--input name=@file)")]
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return None, [Diagnostic("E_INPUT", "the file is UTF-16; scripts are UTF-8",
                                     Span.point(1, 1), file, fix="save the file as UTF-8")]
        if b"\x00" in data:
            line = data[: data.index(b"\x00")].count(b"\n") + 1
            return None, [Diagnostic("E_INPUT", "the file is binary (it contains NUL bytes), "
                                     "not a script", Span.point(line, 1), file)]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            return None, [Diagnostic("E_INPUT", f"the file is not valid UTF-8: byte 0x{data[e.start]:02x}"
                                     f" at offset {e.start} cannot be decoded",
                                     Span.point(line, col), file,
                                     fix="save the file as UTF-8")]
    else:
        text = data
        if len(text) > MAX_SCRIPT_BYTES:
            return None, [Diagnostic(
                "E_INPUT", f"the script is {len(text) / 1e6:.1f} MB; a script may be at most "
                f"{MAX_SCRIPT_BYTES // 1_000_000} MB", None, file)]
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            return None, [Diagnostic("E_INPUT", "the script contains a NUL character",
                                     Span.point(line, 1), file)]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, [Diagnostic("E_INPUT", "the script is empty: it needs at least one "
                                 "statement", Span.point(1, 1) if text else None, file,
                                 fix='write the statements to run, e.g. submit("done")')]
    return text, []


def _plain_operand(e: object) -> bool:
    """A value that reading twice cannot change, or repeat work for."""
    if isinstance(e, (ast.Name, ast.Const, ast.Dotted)):
        return True
    return isinstance(e, ast.Index) and _plain_operand(e.value) and _plain_operand(e.index)


_VALUE_METHODS = frozenset(name for table in ("str", "list", "dict")
                           for name, m in method_table(table).items() if not m.statement)
# The calls without a namespace that do something besides giving a value (a tool with an
# effect is namespaced: fs., http., llm., a plugin's; the checker refuses those and defs).
_EFFECTS = frozenset({"print", "submit", "fail"})


def _pure_operand(e: object) -> bool:
    """A value that reading twice gives again and changes nothing (compare_chain)."""
    if _plain_operand(e):
        return True
    if isinstance(e, ast.Index):
        return _pure_operand(e.value) and _pure_operand(e.index)
    if isinstance(e, ast.Slice):
        return _pure_operand(e.value) and all(
            p is None or _pure_operand(p) for p in (e.lower, e.upper))
    if isinstance(e, ast.BinOp):
        return _pure_operand(e.left) and _pure_operand(e.right)
    if isinstance(e, ast.Neg):
        return _pure_operand(e.operand)
    if isinstance(e, ast.MethodCall):
        return e.method in _VALUE_METHODS and _pure_operand(e.value) and \
            not e.kwargs and all(_pure_operand(a) for a in e.args)
    if isinstance(e, ast.Call):  # a builtin's call: the checker refuses a def's (chain_middle)
        head, dot, method = e.func.partition(".")
        pure = method in _VALUE_METHODS if dot else e.func not in _EFFECTS
        return pure and not e.kwargs and all(_pure_operand(a) for a in e.args)
    return False


def parse(data: bytes | str, file: str = "<script>") -> ParseResult:
    """Parse a script. Never raises for bad input: problems come back as diagnostics."""
    text, diags = check_input(data, file)
    if text is None:
        return ParseResult(None, diags)
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    parser, builder = _parser()
    with _lock:
        builder.reset()
        indenter: _RlmIndenter = parser.options.postlex
        try:
            script = parser.parse(text)
        except DedentError as e:
            line = _dedent_line(str(e), text)
            found = [Diagnostic("E_SYNTAX", "this line's indentation matches no enclosing block",
                                Span.point(line, 1),
                                fix="indent each block by 4 spaces and line its statements up")]
        except _TooDeep as e:
            found = [Diagnostic(
                "E_DEPTH", f"{e.what} nested more than {MAX_EXPR_DEPTH} deep",
                _tok_span(e.token), fix="split the expression into several assignments")]
        except UnexpectedInput as e:
            found = [syntax_error_diagnostic(e, text, parser)]
        except LarkError as e:  # pragma: no cover - a grammar bug, reported plainly
            found = [Diagnostic("E_SYNTAX", f"the script could not be parsed: {e}", None)]
        else:
            found = list(builder.diags)
            if indenter.too_deep is not None:
                tok = indenter.too_deep
                line = tok.end_line or tok.line
                found.append(Diagnostic(
                    "E_DEPTH", f"blocks are nested more than {MAX_DEPTH} deep",
                    Span.point(line + 1 if tok.line == line else line, 1),
                    fix="move the inner part into a def, or combine conditions with and"))
            if builder.too_deep_expr is not None:
                found.append(Diagnostic(
                    "E_DEPTH", f"this expression is nested more than {MAX_EXPR_DEPTH} levels "
                    "deep", builder.too_deep_expr, fix="split it into several assignments"))
        finally:
            builder.depth = {}
    if not found and not script.body:
        found = [Diagnostic("E_INPUT", "the script has only comments: it needs at least one "
                            "statement", Span.point(1, 1),
                            fix='write the statements to run, e.g. submit("done")')]
    if found or "\t" in text:
        # Every Python-ism a model reaches for fails to parse (tabs aside, which Lark's
        # indenter would accept), so the line scan runs only then: it explains each
        # such line in precise words, and a valid script pays nothing for it.
        early = python_isms(text)
        if found or early:
            return ParseResult(None, _merge(early, found, file))
    return ParseResult(script, [])


def _merge(early: list[Diagnostic], later: list[Diagnostic], file: str) -> list[Diagnostic]:
    """Combine pre-scan and parser findings: one diagnostic per line, the more precise first."""
    by_line: dict[int, Diagnostic] = {}
    for d in early + later:
        by_line.setdefault(d.line, d)
    return [d.with_file(file) for _, d in sorted(by_line.items())]


def _dedent_line(message: str, text: str) -> int:
    # Lark's DedentError carries no position; find the first line whose indent is unknown.
    stack = [0]
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        width = len(line) - len(stripped)
        if width > stack[-1]:
            stack.append(width)
        else:
            while width < stack[-1]:
                stack.pop()
            if width != stack[-1]:
                return n
    return 1


def parse_file(path: str | Path) -> ParseResult:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        return ParseResult(None, [Diagnostic("E_INPUT", f"cannot read the file: {e.strerror}",
                                             None, str(path))])
    return parse(data, str(path))


def parse_type_text(text: str) -> Type:
    """Parse a type written in the language's own syntax (used by signatures)."""
    return parse_type(text)
