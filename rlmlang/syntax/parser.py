"""Parse RLM script text into an AST, or into diagnostics.

The grammar lives in grammar/rlm.lark; this module only drives Lark's LALR(1)
parser with an indenter and turns its tree into AST nodes with a
non-recursive transformer, so neither deep nesting nor long scripts recurse
in Python.
Input is checked before the parser sees it (size, binary, encoding, tabs),
and syntax errors are translated into the language's own words by
rlmlang.syntax.messages. The result is a plain value: a Script, or a list of
diagnostics — never an exception for bad input.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, v_args
from lark.exceptions import LarkError, UnexpectedInput
from lark.indenter import DedentError, Indenter
from lark.visitors import Transformer_NonRecursive

from rlmlang.diagnostics import Diagnostic, Span
from rlmlang.syntax import ast
from rlmlang.syntax.messages import python_isms, syntax_error_diagnostic
from rlmlang.types import PRIMS, DictT, ListT, RecordT, Type

GRAMMAR_PATH = Path(__file__).resolve().parents[2] / "grammar" / "rlm.lark"

MAX_DEPTH = 5  # nested blocks; the GBNF unrolls one rule per level
MAX_EXPR_DEPTH = 64  # nested expressions; deeper is a script no one should write
MAX_SCRIPT_BYTES = 1_000_000


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

    def handle_NL(self, token: Token):  # noqa: N802 (Lark's hook name)
        yield from super().handle_NL(token)
        if self.too_deep is None and len(self.indent_level) - 1 > MAX_DEPTH:
            self.too_deep = token


def _span(meta) -> Span:
    if getattr(meta, "empty", True):
        return ast.NO_SPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@v_args(meta=True)
class _Builder(Transformer_NonRecursive):
    """Turns Lark's tree into AST nodes bottom-up, without recursing in Python."""

    def __init__(self) -> None:
        super().__init__()
        self.diags: list[Diagnostic] = []
        self.depth: dict[int, int] = {}
        self.too_deep_expr: Span | None = None

    def reset(self) -> None:
        self.diags = []
        self.depth = {}
        self.too_deep_expr = None

    def _error(self, span: Span, message: str, fix: str | None = None) -> None:
        self.diags.append(Diagnostic("E_SYNTAX", message, span, fix=fix))

    def _expr(self, node: ast.Expr, *children: object) -> ast.Expr:
        d = 1 + max((self.depth.get(id(c), 0) for c in children), default=0)
        self.depth[id(node)] = d
        if d > MAX_EXPR_DEPTH and self.too_deep_expr is None:
            self.too_deep_expr = node.span  # type: ignore[attr-defined]
        return node

    # -- script and statements

    def start(self, meta, children):
        return ast.Script(tuple(children), _span(meta))

    def assign(self, meta, children):
        target, value = children
        return ast.Assign(self._target(target), value, _span(meta))

    def aug_assign(self, meta, children):
        target, op, value = children
        return ast.AugAssign(self._target(target), str(op)[0], value, _span(meta))

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

    def expr_stmt(self, meta, children):
        return ast.ExprStmt(children[0], _span(meta))

    def submit_stmt(self, meta, children):
        return ast.Submit(children[0], _span(meta))

    def fail_stmt(self, meta, children):
        return ast.Fail(children[0], _span(meta))

    def return_stmt(self, meta, children):
        return ast.Return(children[0] if children else None, _span(meta))

    def break_stmt(self, meta, children):
        return ast.Break(_span(meta))

    def continue_stmt(self, meta, children):
        return ast.Continue(_span(meta))

    def pass_stmt(self, meta, children):
        return ast.Pass(_span(meta))

    def suite(self, meta, children):
        return tuple(children)

    def if_stmt(self, meta, children):
        cond, body, *rest = children
        branches = [(cond, body)]
        orelse = None
        for clause in rest:
            if clause[0] == "elif":
                branches.append((clause[1], clause[2]))
            else:
                orelse = clause[1]
        return ast.If(tuple(branches), orelse, _span(meta))

    def elif_clause(self, meta, children):
        return ("elif", children[0], children[1])

    def else_clause(self, meta, children):
        return ("else", children[0])

    def for_stmt(self, meta, children):
        var, it, body = children
        return ast.For(str(var), it, body, _span(meta))

    def while_stmt(self, meta, children):
        if len(children) == 3:
            cond, dec, body = children
        else:
            (cond, body), dec = children, None
        return ast.While(cond, dec, body, _span(meta))

    def decreases_clause(self, meta, children):
        return children[0]

    def def_stmt(self, meta, children):
        name = children[0]
        params: tuple[ast.Param, ...] = ()
        returns = None
        for child in children[1:-1]:
            if isinstance(child, tuple):
                params = child
            else:
                returns = child
        names = [p.name for p in params]
        for p in params:
            if names.count(p.name) > 1:
                self._error(p.span, f"parameter '{p.name}' appears twice in the definition "
                            f"of '{name}'")
                break
        return ast.Def(str(name), params, returns, children[-1], _span(meta))

    def params(self, meta, children):
        return tuple(children)

    def param(self, meta, children):
        name, typ = children
        return ast.Param(str(name), typ, _span(meta))

    def return_type(self, meta, children):
        return children[0]

    # -- expressions

    def cast(self, meta, children):
        return self._expr(ast.Cast(children[0], children[1], _span(meta)), children[0])

    def or_op(self, meta, children):
        return self._expr(ast.BoolOp("or", children[0], children[1], _span(meta)), *children)

    def and_op(self, meta, children):
        return self._expr(ast.BoolOp("and", children[0], children[1], _span(meta)), *children)

    def not_op(self, meta, children):
        return self._expr(ast.Not(children[0], _span(meta)), children[0])

    def compare(self, meta, children):
        left, op, right = children
        return self._expr(ast.Compare(str(op), left, right, _span(meta)), left, right)

    def in_op(self, meta, children):
        return self._expr(ast.Compare("in", children[0], children[1], _span(meta)), *children)

    def not_in_op(self, meta, children):
        return self._expr(ast.Compare("not in", children[0], children[1], _span(meta)),
                          *children)

    def binop(self, meta, children):
        left, op, right = children
        return self._expr(ast.BinOp(str(op), left, right, _span(meta)), left, right)

    def neg(self, meta, children):
        return self._expr(ast.Neg(children[0], _span(meta)), children[0])

    def index(self, meta, children):
        return self._expr(ast.Index(children[0], children[1], _span(meta)), *children)

    def slice(self, meta, children):
        value, lower, upper = children
        node = ast.Slice(value, lower, upper, _span(meta))
        return self._expr(node, value, *(b for b in (lower, upper) if b is not None))

    def call(self, meta, children):
        dotted = children[0]
        args_list = children[1] if len(children) > 1 else []
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
        node = ast.Call(dotted.dotted if isinstance(dotted, ast.Dotted) else dotted.id,
                        tuple(args), tuple(kwargs), _span(meta), dotted.span)
        return self._expr(node, *args, *(k.value for k in kwargs))

    def arguments(self, meta, children):
        return list(children)

    def keyword(self, meta, children):
        name, value = children
        if not isinstance(name, ast.Name):
            self._error(name.span, "a keyword argument's name must be a plain name, as in "
                        "f(text=s)")
            return ast.Keyword("_", value, _span(meta))
        return ast.Keyword(name.id, value, _span(meta))

    def int_lit(self, meta, children):
        return ast.Const(int(children[0]), _span(meta))

    def float_lit(self, meta, children):
        return ast.Const(float(children[0]), _span(meta))

    def str_lit(self, meta, children):
        return ast.Const(_unquote(str(children[0])), _span(meta))

    def true_lit(self, meta, children):
        return ast.Const(True, _span(meta))

    def false_lit(self, meta, children):
        return ast.Const(False, _span(meta))

    def none_lit(self, meta, children):
        return ast.Const(None, _span(meta))

    def list_lit(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return self._expr(ast.ListLit(items, _span(meta)), *items)

    def dict_lit(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return self._expr(ast.DictLit(items, _span(meta)), *(x for kv in items for x in kv))

    def pair(self, meta, children):
        return (children[0], children[1])

    def ref(self, meta, children):
        return children[0]

    def dotted(self, meta, children):
        if len(children) == 1:
            return ast.Name(str(children[0]), _span(meta))
        return ast.Dotted(tuple(str(c) for c in children), _span(meta))

    # -- types

    def simple_type(self, meta, children):
        name = str(children[0])
        if name == "None":
            name = "none"
        if name in PRIMS:
            return PRIMS[name]
        self._error(_span(meta), f"unknown type '{name}'; the types are int, float, bool, str, "
                    "none, list[T], dict[str, T] and records {field: T}")
        return PRIMS["none"]

    def generic_type(self, meta, children):
        name, *args = children
        name = str(name)
        if name == "list" and len(args) == 1:
            return ListT(args[0])
        if name == "dict" and len(args) == 2 and args[0] == PRIMS["str"]:
            return DictT(args[1])
        self._error(_span(meta), f"unknown type '{name}[...]'; write list[T] or dict[str, T]")
        return PRIMS["none"]

    def record_type(self, meta, children):
        names = [n for n, _ in children]
        if len(set(names)) != len(names):
            self._error(_span(meta), "a record type names the same field twice")
        return RecordT(tuple(children))

    def field_type(self, meta, children):
        return (str(children[0]), children[1])


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _Builder]:
    builder = _Builder()
    lark = Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        postlex=_RlmIndenter(),
        propagate_positions=True,
        maybe_placeholders=True,
    )
    return lark, builder


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


def parse(data: bytes | str, file: str = "<script>") -> ParseResult:
    """Parse a script. Never raises for bad input: problems come back as diagnostics."""
    text, diags = check_input(data, file)
    if text is None:
        return ParseResult(None, diags)
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    early = python_isms(text)  # tabs, imports, f-strings...: precise words for common slips
    lark, builder = _parser()
    with _lock:
        builder.reset()
        indenter: _RlmIndenter = lark.options.postlex
        try:
            tree = lark.parse(text)
        except DedentError as e:
            line = _dedent_line(str(e), text)
            diags = [Diagnostic("E_SYNTAX", "this line's indentation matches no enclosing block",
                                Span.point(line, 1),
                                fix="indent each block by 4 spaces and line its statements up")]
            return ParseResult(None, _merge(early, diags, file))
        except UnexpectedInput as e:
            diags = [syntax_error_diagnostic(e, text, lark)]
            return ParseResult(None, _merge(early, diags, file))
        except LarkError as e:  # pragma: no cover - a grammar bug, reported plainly
            diags = [Diagnostic("E_SYNTAX", f"the script could not be parsed: {e}", None)]
            return ParseResult(None, _merge(early, diags, file))
        script = builder.transform(tree)
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
                "E_DEPTH", f"this expression is nested more than {MAX_EXPR_DEPTH} levels deep",
                builder.too_deep_expr, fix="split it into several assignments"))
        builder.depth.clear()
    if early or found:
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
    from rlmlang.types import parse_type

    return parse_type(text)
