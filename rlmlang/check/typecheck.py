"""Typecheck: names, scopes and static types, with every error collected.

The checker walks the tree once (defs first, callees before callers, then
the script body) with a scope of names and their types. Types are inferred
from the first assignment and then fixed: a name keeps its type. The empty
literals `[]` and `{}` get a *hole* for their element type, which the first
use that knows better fills (`hits = []` ... `hits = hits + [part]`).
Definite assignment is tracked too, so a name assigned only inside an `if`
or a loop and read after it is reported before it can fail at run time.

Each error becomes one Diagnostic and the expression's type becomes
`UNKNOWN`, which fits everywhere: one mistake, one message, no cascade.
What the compiler needs later (how each name resolved, which calls are
defs or tools, the `as T` of sub-model calls, what each `for` iterates) is
recorded by node id in `ScriptInfo`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from rlmlang.check.columns import NO_TABLES, Tables
from rlmlang.check.decoded import NOTHING, Decoded
from rlmlang.check.forms import FormsMixin
from rlmlang.check.narrow import Facts, facts, forget, join_none, meet_all, path_key
from rlmlang.check.resolve import MAIN, DefInfo, Structure
from rlmlang.check.sugar import REPLACED_CALLS, Plan
from rlmlang.check.unassigned import Unassigned
from rlmlang.diagnostics import Diagnostic, Span, expr_fixit, returns_none_fixit, stmt_fixit
from rlmlang.syntax import ast
from rlmlang.syntax.printer import print_expr
from rlmlang.tools.registry import ArgTypeError, Registry, ToolSpec
from rlmlang.tools.skills import lines_of_each
from rlmlang.types import (
    BOOL,
    FLOAT,
    HOLE,
    INT,
    NONE,
    STR,
    UNKNOWN,
    DictT,
    Hole,
    ListT,
    OptionalT,
    Prim,
    RecordT,
    TupleT,
    Type,
    TypeSyntaxError,
    UnknownT,
    format_type,
    optional,
    parse_type,
    prim_of,
)

NUMERIC = (INT, FLOAT)


def has_hole(t: Type) -> bool:
    if isinstance(t, Hole):
        return True
    if isinstance(t, ListT):
        return has_hole(t.elem)
    if isinstance(t, DictT):
        return has_hole(t.value)
    if isinstance(t, RecordT):
        return any(has_hole(ft) for _, ft in t.fields)
    if isinstance(t, TupleT):
        return any(has_hole(i) for i in t.items)
    if isinstance(t, OptionalT):
        return has_hole(t.inner)
    return False


def _nested_keys(t: Type | None, top: bool = True) -> set[str]:
    """The keys of the objects nested in a record type (not its own fields)."""
    if isinstance(t, OptionalT):
        return _nested_keys(t.inner, top)
    if isinstance(t, ListT):
        return _nested_keys(t.elem, False)
    if isinstance(t, DictT):
        return _nested_keys(t.value, False)
    if isinstance(t, RecordT):
        own = set() if top else {n for n, _ in t.fields}
        return own.union(*(_nested_keys(ft, False) for _, ft in t.fields))
    return set()


def show(t: Type) -> str:
    """A type in words for messages; holes read as 'anything yet'."""
    if isinstance(t, Hole):
        return "?"
    if isinstance(t, ListT):
        return f"list[{show(t.elem)}]"
    if isinstance(t, DictT):
        return f"dict[str, {show(t.value)}]"
    if isinstance(t, RecordT):
        return "{" + ", ".join(f"{n}: {show(ft)}" for n, ft in t.fields) + "}"
    if isinstance(t, TupleT):
        return f"tuple[{', '.join(show(i) for i in t.items)}]"
    if isinstance(t, OptionalT):
        return f"{show(t.inner)} | None"
    return format_type(t)


def fits(src: Type, dst: Type) -> bool:
    """Whether a value of type `src` may be used where `dst` is expected."""
    if isinstance(src, (UnknownT, Hole)) or isinstance(dst, (UnknownT, Hole)):
        return True
    if src == dst:
        return True
    if src == INT and dst == FLOAT:
        return True
    if isinstance(dst, OptionalT):  # None, a T, or a T | None where a T | None goes
        return src == NONE or fits(src.inner if isinstance(src, OptionalT) else src, dst.inner)
    if isinstance(src, ListT) and isinstance(dst, ListT):
        return fits(src.elem, dst.elem)
    if isinstance(src, DictT) and isinstance(dst, DictT):
        return fits(src.value, dst.value)
    if isinstance(src, RecordT) and isinstance(dst, DictT):
        return all(fits(ft, dst.value) for _, ft in src.fields)
    if isinstance(src, DictT) and isinstance(dst, RecordT):
        return all(fits(src.value, ft) for _, ft in dst.fields)
    if isinstance(src, RecordT) and isinstance(dst, RecordT):
        if {n for n, _ in src.fields} != {n for n, _ in dst.fields}:
            return False
        return all(fits(ft, dst.field(n) or UNKNOWN) for n, ft in src.fields)
    if isinstance(src, TupleT) and isinstance(dst, TupleT):
        return len(src.items) == len(dst.items) and all(
            fits(a, b) for a, b in zip(src.items, dst.items, strict=True))
    return False


def unify(a: Type, b: Type) -> Type | None:
    """The one type both fit (filling holes, int widening to float), or None."""
    if isinstance(a, UnknownT) or isinstance(b, UnknownT):
        return UNKNOWN
    if isinstance(a, Hole):
        return b
    if isinstance(b, Hole):
        return a
    if a == b:
        return a
    if {a, b} == {INT, FLOAT}:
        return FLOAT
    if isinstance(a, OptionalT) or isinstance(b, OptionalT):  # T | None with T, None, T | None
        inner = [t.inner if isinstance(t, OptionalT) else t for t in (a, b) if t != NONE]
        u = unify(inner[0], inner[-1])
        return None if u is None else optional(u)
    if isinstance(a, ListT) and isinstance(b, ListT):
        e = unify(a.elem, b.elem)
        return None if e is None else ListT(e)
    if isinstance(a, DictT) and isinstance(b, DictT):
        v = unify(a.value, b.value)
        return None if v is None else DictT(v)
    if isinstance(a, RecordT) and isinstance(b, DictT):
        return b if fits(a, b) else None
    if isinstance(a, DictT) and isinstance(b, RecordT):
        return a if fits(b, a) else None
    if isinstance(a, RecordT) and isinstance(b, RecordT) and fits(a, b) and fits(b, a):
        return a
    if isinstance(a, TupleT) and isinstance(b, TupleT) and len(a.items) == len(b.items):
        items = [unify(x, y) for x, y in zip(a.items, b.items, strict=True)]
        return None if any(i is None for i in items) else TupleT(tuple(items))  # type: ignore[arg-type]
    return None


def refine(old: Type, new: Type) -> Type:
    """`old` with its holes filled from `new` (both already known to fit)."""
    if not has_hole(old):
        return old
    u = unify(old, new)
    return old if u is None or isinstance(u, UnknownT) else u


@dataclass
class ScriptInfo:
    """What the checker learned, by node id, for the verifier and the compiler."""

    defs: dict[str, DefInfo]
    call_graph: dict[str, tuple[str, ...]]
    order: tuple[str, ...]  # defs, callees first
    globals: dict[str, Type] = field(default_factory=dict)  # names assigned in the body
    # id(Name) -> "global" (script body), "local" (a def's name), "param", "input"
    names: dict[int, str] = field(default_factory=dict)
    # id(Call) -> "def" or "tool" (builtins, stdlib and host tools are all tools)
    calls: dict[int, str] = field(default_factory=dict)
    casts: dict[int, Type] = field(default_factory=dict)  # id(Call) -> the `as T` type
    # id(For) -> "list", "dict" (iterates keys) or "range" (a range(...) call)
    iter_kinds: dict[int, str] = field(default_factory=dict)
    state_reads: set[str] = field(default_factory=set)
    state_writes: set[str] = field(default_factory=set)
    # id(node) -> how lowering writes a sugar form (a method, an overload, a key=)
    plans: dict[int, Plan] = field(default_factory=dict)
    # id(Call of `s.split`) -> the Name node standing for its value `s`
    receivers: dict[int, ast.Name] = field(default_factory=dict)
    # id(comprehension) -> the names in scope where it stands (for its free names)
    scopes: dict[int, dict[str, Type]] = field(default_factory=dict)
    # id(expression read for its truth) -> "len" (a str, list or dict: true when not empty)
    # or "zero" (a number: true when not 0); lowering writes the comparison
    truthy: dict[int, str] = field(default_factory=dict)
    # id(json_decode call) -> the type of the JSON input it decodes (decoded.py); lowering
    # writes the call `as` that type
    decoded: dict[int, Type] = field(default_factory=dict)
    # reads of names that may be unassigned there: lowering checks them (unassigned.py)
    unassigned: Unassigned = field(default_factory=Unassigned)
    # ids of statements that never run (after a submit, fail, return, break or continue
    # that ends their block): left untyped, so lowering drops them
    dead: set[int] = field(default_factory=set)


_FALLTHROUGH_ENDERS = (ast.Submit, ast.Fail, ast.Return, ast.Break, ast.Continue)
# What a script calls the one input when it guesses its name (the examples' `context`).
_DATA_NAMES = frozenset({"context", "data", "text", "input", "inputs", "content", "contents",
                         "document", "doc", "file", "input_text", "input_data"})
# the words of a name for an input's lines or records, and the function that gives them
_SPLIT_WORDS = {"lines": "lines", "rows": "records", "records": "records"}
_FILLER_WORDS = frozenset({"of", "the", "all", "its", "my"})
_LITERAL_SPELLINGS = {"true": "True", "false": "False", "null": "None", "none": "None",
                      "nil": "None", "TRUE": "True", "FALSE": "False"}


class Checker(FormsMixin):
    def __init__(self, structure: Structure, inputs: dict[str, Type], state: dict[str, Type],
                 output: Type | None, registry: Registry, file: str,
                 answer: Type | None = None, decoded: Decoded = NOTHING,
                 tables: Tables = NO_TABLES):
        self.st = structure
        self.decoded = decoded
        self.mask_parts: set[int] = set()  # the `t["col"]` of masks `t[t["col"] == v]`
        self.dated: set[tuple[int, int]] = set()  # sides told to read a date (text_dates)
        self.chained: set[int] = set()  # the comparisons of a chain (lo <= x < hi)
        self.tables = tables
        self.emptiness: set[int] = set()  # id(len(X)) compared with 0: the same for text
        self.casting: int | None = None  # id(the call under the `as` being checked)
        self.inputs = inputs
        self.state = state
        self.output = output
        # A scalar answer type submit is converted to after the run (output is then None):
        # a number or a yes/no is never a list or a dict, and that is known before it runs.
        self.answer = answer
        self.registry = registry
        self.file = file
        self.diags: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        # name -> the str a `for` goes through, one character at a time: a name indexed by a
        # key (`row["city"]`) was meant to be a table's row, and the fix says how to get rows.
        self.chars_of: dict[str, ast.Expr] = {}
        # names holding an input's words, `words = context.split()`: a for over them
        # whose variable is named a line goes through words (for_stmt)
        self.words_of: dict[str, ast.Call] = {}
        self.matches: set[str] = set()  # names that hold a regex_search's text (match_index)
        self.lines_of: dict[str, tuple[ast.Name, ast.Expr]] = {}  # a line of a table input
        self.info = ScriptInfo(structure.defs, structure.call_graph, structure.order)
        # The current frame.
        self.scope: dict[str, Type] = {}
        self.first_line: dict[str, int] = {}
        self.defined: set[str] = set()
        self.in_def: DefInfo | None = None
        self.returns: list[Type] = []
        # Maybe-None names (narrow.py): what each is narrowed to at this point of its frame;
        # the `T | None` type each name started with None takes, found in an earlier pass
        # (frame, name) -> type, and those this pass found.
        self.narrowed: Facts = {}
        self.path_types: Facts = {}  # path_key -> the type of that item, unnarrowed
        self.preset: dict[tuple[str, str], Type] = {}
        self.promoted: dict[tuple[str, str], Type] = {}
        self.lazy = 0  # > 0 inside what a statement may not evaluate (forms.lazily)
        self.item_depth = 0  # of which per item, in a comprehension or lambda (forms.per_item)
        self.item_names: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ helpers

    def err(self, code: str, span: Span | None, msg: str, fix: str | None = None,
            notes: tuple[str, ...] = (), severity: str = "error", **data: Any) -> None:
        self.diags.append(Diagnostic(code, msg, span, self.file, fix, notes, data, severity))

    def visible_names(self) -> list[str]:
        names = list(self.scope) + list(self.inputs) + list(self.st.defs)
        names += [n for n in self.registry.names() if "." not in n]
        return names + ["True", "False", "None"]

    def did_you_mean(self, name: str, candidates: list[str]) -> str | None:
        if name in _LITERAL_SPELLINGS:
            return _LITERAL_SPELLINGS[name]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        return close[0] if close else None

    def show(self, t: Type) -> str:
        return show(t)

    def fits(self, src: Type, dst: Type) -> bool:
        return fits(src, dst)

    def unify(self, a: Type, b: Type) -> Type | None:
        return unify(a, b)

    def frame_names(self) -> set[str]:
        return self._main_names() if self.in_def is None else set(ast.assigned_names(
            self.in_def.node.body))

    # ------------------------------------------------------------------ entry

    def run(self, script: ast.Script) -> None:
        self._script_assigns = set(ast.assigned_names(script.body))
        self._script = script
        self._records_calls = [n for n in ast.walk(script) if isinstance(n, ast.Call)
                               and n.func == "records" and len(n.args) == 1
                               and isinstance(n.args[0], ast.Name)
                               and (n.args[0].id in self.decoded.jsonl or isinstance(
                                   self.decoded.inputs.get(n.args[0].id), ListT))]
        for name in self.st.order:
            self.check_def(self.st.defs[name])
        self.scope = {}
        self.defined = set()
        self.narrowed = {}
        self.in_def = None
        self.block(tuple(s for s in script.body if not isinstance(s, ast.Def)))
        self.info.globals = dict(self.scope)

    def check_def(self, d: DefInfo) -> None:
        self.in_def = d
        self.scope = dict(d.params)
        self.first_line = {p.name: p.span.line for p in d.node.params}
        self.defined = set(d.params)
        self.narrowed = {}
        self.returns = []
        falls = self.block(d.node.body)
        if d.returns is None:
            ret: Type | None = None
            for r in self.returns + ([NONE] if falls and self.returns else []):
                u = r if ret is None else unify(ret, r) or join_none(ret, r, unify)
                ret = u if u is not None else ret
            d.returns = ret if ret is not None else NONE
        elif d.returns != NONE and falls and self.returns is not None:
            self.err("E_TYPE", d.node.span,
                     f"'{d.node.name}' is declared to return {show(d.returns)} but can reach its "
                     "end without a return", "end every path of the def with return <value>")
        d.locals = dict(self.scope)

    # ------------------------------------------------------------------ statements

    def block(self, stmts: tuple[ast.Stmt, ...]) -> bool:
        """Check statements in order; return whether control can fall off the end."""
        falls = True
        for i, s in enumerate(stmts):
            if not falls:
                self.err("E_SYNTAX", s.span, "this statement can never run: the one before "
                         "it ends the block", "remove it, or move it before that statement",
                         severity="warning")
                self.info.dead.update(id(d) for d in stmts[i:])
                break
            falls = self.stmt(s)
        return falls

    def stmt(self, s: ast.Stmt) -> bool:
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.TupleLit):
            names = tuple(n.id for n in s.target.items if isinstance(n, ast.Name))
            types = self.unpack_types(names, self.expr(s.value), s.value.span)
            for n, t in zip(s.target.items, types, strict=False):
                if isinstance(n, ast.Name):
                    self.bind(n.id, t, n.span, s.value, name_node=n)
        elif isinstance(s, ast.Assign):
            if self.in_def is None and isinstance(s.target, ast.Name) and \
                    s.target.id in self.inputs and isinstance(s.value, ast.Const) and \
                    isinstance(s.value.value, str):
                self.err("E_NAME", s.span, f"'{s.target.id}' is an input: it already holds the "
                         "whole text, and this would replace it with a literal",
                         "remove this assignment and use the input as it is")
            self.assign(s.target, self.expr(s.value), s.value, s.span)
        elif isinstance(s, ast.Import):
            self.import_stmt(s)
        elif isinstance(s, ast.AugAssign):
            tt = self.need_value(self.expr(s.target), s.target, f"'{s.op}='")
            tv = self.need_value(self.expr(s.value), s.value, f"'{s.op}='")
            self.assign(s.target, self.binop_type(s.op, tt, tv, s.span, s.target, s.value),
                        s.value, s.span, aug=True)
        elif isinstance(s, ast.ExprStmt):
            self.expr_stmt(s)
        elif isinstance(s, ast.Submit):
            t = self.expr(s.value)
            if self.output is not None and not fits(t, self.output):
                fix, edit = _convert_fix(t, self.output, s.value), {}
                items = _joined(s.value) if isinstance(self.output, ListT) else None
                pieces = _pieces(s.value) if isinstance(self.output, ListT) else None
                if pieces is not None and all(fits(self.types.get(id(x), UNKNOWN),
                                                   self.output.elem) for x in pieces.items):
                    items = pieces  # `codes[0] + "," + codes[1]` (fresh dev multi-needle-01)
                if items is not None and (items is pieces or
                                          fits(self.types.get(id(items), UNKNOWN), self.output)):
                    fix = f"submit the list itself: submit({print_expr(items)})"
                    edit = expr_fixit(s.value.span, print_expr(items))
                elif (look := _look_fix(s, t, self.output)) is not None:
                    fix, edit = look
                self.err("E_SUBMIT", s.value.span,
                         f"submit needs {show(self.output)} (the task's output type), but this "
                         f"is {show(t)}", fix, expected=format_type(self.output), got=show(t),
                         **edit)
            elif self.output is None and _many_for_one(t, self.answer):
                fix, edit = _look_fix(s, t, self.answer) or _count_fix(s.value, t, self.answer) \
                    or (_one_value_fix(t, s.value), {})
                self.err("E_SUBMIT", s.value.span,
                         f"submit needs {show(self.answer)} (the task's output type), but this "
                         f"is {show(t)}", fix, expected=format_type(self.answer), got=show(t),
                         **edit)
            return False
        elif isinstance(s, ast.Fail):
            t = self.expr(s.message)
            if not fits(t, STR):
                self.err("E_TYPE", s.message.span, f"fail needs a str message, not {show(t)}",
                         'write fail("why it stopped")')
            return False
        elif isinstance(s, ast.Return):
            self.ret(s)
            return False
        elif isinstance(s, (ast.Break, ast.Continue)):
            return False
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.If):
            return self.if_stmt(s)
        elif isinstance(s, ast.For):
            self.for_stmt(s)
            return self.loop_else(s)
        elif isinstance(s, ast.While):
            self.while_stmt(s)
            return self.loop_else(s)
        elif isinstance(s, ast.Def):
            pass  # checked in run(); misplaced defs were reported by resolve
        return True

    def expr_stmt(self, s: ast.ExprStmt) -> None:
        e = s.expr
        if isinstance(e, ast.MethodCall):
            self.types[id(e)] = self.method_call(e, e.value, e.method, e.args, e.kwargs,
                                                 e.func_span or e.span, statement=True)
            return
        if isinstance(e, ast.Call) and "." in e.func and e.func.split(".")[0] != "state" \
                and self.value_name(e.func.split(".")[0]):
            self.types[id(e)] = self.value_method(e, statement=True)
            return
        t = self.expr(e)
        if not isinstance(e, (ast.Call, ast.MethodCall)):
            if isinstance(e, ast.Compare) and e.op == "==":
                fix = f"to assign, write {print_expr(e.left)} = {print_expr(e.right)}"
            else:
                fix = f"assign it (x = {print_expr(e)}), print it (print(...)) or remove it"
            self.err("E_TYPE", s.span, "this statement computes a value and throws it away", fix)
            return
        spec = self.registry.get(e.func) if isinstance(e, ast.Call) else None
        if spec is not None and not spec.effect and t not in (NONE, UNKNOWN) \
                and spec.name != "print":
            self.err("E_TYPE", s.span, f"the result of {e.func}(...) is thrown away",
                     f"assign it (x = {print_expr(e)}) or print it", severity="warning")

    def ret(self, s: ast.Return) -> None:
        t = self.expr(s.value) if s.value is not None else NONE
        if self.in_def is None:
            return  # reported by resolve
        self.returns.append(t)
        want = self.in_def.returns
        if want is not None and not fits(t, want):
            fix, edit = _convert_fix(t, want, s.value), {}
            if (t == NONE or isinstance(t, OptionalT) and fits(t.inner, want)) and \
                    not isinstance(want, OptionalT):  # `-> str` and `return None` if not found
                fix = (f"declare that it may return None: def {self.in_def.node.name}(...) -> "
                       f"{show(want)} | None:")
                edit = returns_none_fixit(self.in_def.node.span)
            elif (fix is None or (want, t) == (INT, FLOAT)) and _written_out(t):
                # `-> int` and `return total, rows` (fresh dev aggregate-01, three rounds)
                # or a float: Python returns it as it is; the annotation says so
                fix = f"declare what it returns: def {self.in_def.node.name}(...) -> {show(t)}:"
                edit = returns_none_fixit(self.in_def.node.span, show(t))
            self.err("E_TYPE", (s.value or s).span,
                     f"'{self.in_def.node.name}' is declared to return {show(want)}, but this "
                     f"returns {show(t)}", fix, **edit)

    def if_stmt(self, s: ast.If) -> bool:
        before = set(self.defined)
        outs: list[set[str]] = []
        narrow_outs: list[Facts] = []  # what is narrowed where each branch falls through
        pending = dict(self.narrowed)  # and where every test so far was false
        any_falls = False
        for cond, body in s.branches:
            self.narrowed = dict(pending)
            self.defined = set(before)  # an elif is tested where no branch before it ran
            self.cond(cond, "if")
            when_true, when_false = facts(cond, self.declared())
            self.narrowed = {**pending, **when_true}
            self.defined = set(before)
            if self.block(body):
                outs.append(self.defined)
                narrow_outs.append(self.narrowed)
                any_falls = True
            pending = {**pending, **when_false}
        self.defined = set(before)
        self.narrowed = dict(pending)
        if s.orelse is not None:
            if self.block(s.orelse):
                outs.append(self.defined)
                narrow_outs.append(self.narrowed)
                any_falls = True
        else:
            outs.append(set(before))
            narrow_outs.append(pending)
            any_falls = True
        self.defined = set.intersection(*outs) if outs else set(before)
        self.narrowed = meet_all(narrow_outs) if narrow_outs else pending
        return any_falls

    def forget_in_loop(self, body: tuple[ast.Stmt, ...], *bound: str) -> Facts:
        """Forget what a loop's body (or its variables) may change: a later pass starts
        from what an earlier one left. What is still narrowed also holds after the loop."""
        self.narrowed = forget(self.narrowed, [*ast.assigned_names(body), *bound])
        self.narrowed = forget(self.narrowed, ast.assigned_names(body, in_place=True),
                               items_only=True)
        return dict(self.narrowed)

    def input_words(self, e: ast.Expr) -> ast.Call | None:
        """`context.split()` (or `split(" ")`) of a text (an input, or a def's parameter
        or a name holding one): its words; else None."""
        head = ast.words_split(e)
        if head is not None and isinstance(e, ast.Call) and \
                (self.scope.get(head) if head in self.scope else self.inputs.get(head)) == STR:
            return e
        return None

    def words_as_lines(self, s: ast.For) -> None:
        """`for line in context.split():` goes through the input's words, each `line` one
        word (the 1.5B counted the lines holding three words so, and two such scripts
        agreed on 0): an error, its fix-it the lines."""
        if s.unpack or not (s.var in ("l", "ln", "row") or "line" in s.var):
            return
        call = self.input_words(s.iter)
        if call is None and isinstance(s.iter, ast.Name):
            call = self.words_of.get(s.iter.id)
        if call is None:
            return
        text = call.func[:-len(".split")]
        self.err("E_TYPE", s.iter.span, f"{print_expr(call)} cuts {text} at every space, so "
                 f"each '{s.var}' is one word, not a line", f"for its lines: {text}.splitlines()",
                 **expr_fixit(call.span, f"{text}.splitlines()"))

    def for_stmt(self, s: ast.For) -> None:
        self.words_as_lines(s)
        t = self.need_value(self.expr(s.iter), s.iter, "a for loop")
        elem: Type = UNKNOWN
        kind = "list"
        if isinstance(s.iter, ast.Call) and s.iter.func == "range":
            kind = "range"
        if isinstance(t, ListT):
            elem = t.elem
        elif isinstance(t, (DictT, RecordT)):
            elem, kind = STR, "dict"
        else:
            elem = self.elem_of(t, s.iter)
        self.info.iter_kinds[id(s)] = kind
        before = set(self.defined)
        after = self.forget_in_loop(s.body, *(s.unpack or (s.var,)))
        if s.unpack:
            for name, et in zip(s.unpack, self.unpack_types(s.unpack, elem, s.span),
                                strict=True):
                self.bind(name, et, s.span, s.iter)
        else:
            self.bind(s.var, elem, s.span, s.iter)
            self.note_chars(s.var, t, s.iter)
        self.block(s.body)
        self.defined = before
        self.narrowed = after

    def loop_else(self, s: ast.For | ast.While) -> bool:
        """A loop's `else:` runs after a loop left without `break`, as if it followed the
        loop; what it assigns is assigned after the statement only where no break skips
        it. Whether the statement falls through: a break, or an else that does."""
        if s.orelse is None:
            return True
        before, after = set(self.defined), dict(self.narrowed)
        falls = self.block(s.orelse)
        if ast.loop_breaks(s.body):
            self.defined = before
            self.narrowed = meet_all([after, self.narrowed]) if falls else after
            return True
        return falls

    def while_stmt(self, s: ast.While) -> None:
        after = self.forget_in_loop(s.body)
        self.cond(s.cond, "while")
        if s.decreases is not None:
            t = self.expr(s.decreases)
            if not fits(t, INT) or t == FLOAT:
                self.err("E_TYPE", s.decreases.span, f"a decreases measure must be an int, not "
                         f"{show(t)}", "use an int expression such as n - i or len(todo)")
        before = set(self.defined)
        self.narrowed.update(facts(s.cond, self.declared())[0])
        self.block(s.body)
        self.defined = before
        self.narrowed = after

    def cond(self, e: ast.Expr, where: str) -> None:
        t = self.truth(e)
        if not fits(t, BOOL):
            self.err("E_TYPE", e.span, f"the condition of {where} must be a bool, not "
                     f"{show(t)}", _truth_fix(t, e))

    def truth(self, e: ast.Expr, other: ast.Expr | None = None) -> Type:
        """Type `e` where Python reads its truth: a condition, and the operands of `and`,
        `or` and `not` within one. A str, list or dict there is true when not empty and a
        number when not 0, as in Python (lowering writes the comparison); elsewhere a value
        of `and`/`or` is a bool, so `name = x or "default"` keeps its error. A literal
        there tests nothing (`other`: the operand beside it, which names the fix)."""
        if isinstance(e, ast.Const) and isinstance(e.value, (str, int, float)) \
                and not isinstance(e.value, bool):
            self.constant_test(e, other)
            return BOOL
        if isinstance(e, ast.BoolOp):
            t = self.bool_op(e, truthy=True)
        elif isinstance(e, ast.Not):
            t = self.not_op(e, truthy=True)
        else:
            t = self.expr(e)
            test = "len" if t == STR or isinstance(t, (ListT, DictT)) else \
                "zero" if t in NUMERIC else None
            if test is None:
                return t
            self.info.truthy[id(e)] = test
            return BOOL
        self.types[id(e)] = t
        return t

    def constant_test(self, e: ast.Const, other: ast.Expr | None) -> None:
        """A literal read as a truth value is always true (or always false): Python's
        `if "user=nadia45" and "action=logout" in line` tests only the second phrase
        (the 1.5B counted every user's logouts for one user's, dev count-07), `x == "a" or "b"`
        nothing at all. Where the operand beside it tests a value (`in`, `==`), the fix
        tests the literal the same way, and is applied as a fix-it."""
        lit = print_expr(e)
        fix, edit = None, {}
        if isinstance(other, ast.Compare) and other.op in ("in", "not in"):
            fix = f"{lit} {other.op} {print_expr(other.right)}"
        elif isinstance(other, ast.Compare) and other.op in ("==", "!="):
            fix = f"{print_expr(other.left)} {other.op} {lit}"
        if fix is not None:
            edit = expr_fixit(e.span, fix)
        self.err("E_TYPE", e.span, f"the literal {lit} is always "
                 f"{'true' if e.value else 'false'} as a condition: it tests nothing",
                 f"test it: {fix}" if fix else "test a value: x == " + lit + " or " +
                 lit + " in text", **edit)

    def chain_middle(self, middle: ast.Expr) -> None:
        """`lo <= x < hi` reads x twice (parser.compare_chain): a tool's call there would
        run twice, so it is refused; the values' own methods only compute."""
        spaces = self.registry.namespaces()
        for n in ast.walk(middle):
            if not isinstance(n, ast.Call):
                continue
            head = n.func.split(".", 1)[0]
            if ("." in n.func and head in spaces and not self.value_name(head)) or \
                    n.func in self.st.defs:
                self.err("E_SYNTAX", n.span, f"{n.func}(...) in the middle of a chained "
                         "comparison would run twice (it is read twice)",
                         "give it a name first: x = ...; then lo <= x <= hi")
                return

    def bool_op(self, e: ast.BoolOp, truthy: bool = False) -> Type:
        if e.chain or isinstance(e.left, ast.Compare) and isinstance(e.right, ast.Compare) \
                and e.left.right is e.right.left:  # one middle: a chain (parser.compare_chain)
            self.chained.update((id(e.left), id(e.right)))
        if e.chain and isinstance(e.left, ast.Compare):
            self.chain_middle(e.left.right)
        saved = dict(self.narrowed)
        for side in (e.left, e.right):
            with self.lazily(side is e.right):  # the right side may not run
                t = self.truth(side, e.right if side is e.left else e.left) if truthy \
                    else self.expr(side)
            if not fits(t, BOOL):
                self.err("E_TYPE", side.span, f"'{e.op}' needs bool on both sides, not "
                         f"{show(t)} (there is no truthiness outside a condition)",
                         _truth_fix(t, side))
            # the right side runs only where the left is true (and) or false (or)
            self.narrowed.update(facts(side, self.declared())[0 if e.op == "and" else 1])
        self.narrowed = saved
        return BOOL

    def not_op(self, e: ast.Not, truthy: bool = False) -> Type:
        t = self.truth(e.operand) if truthy else self.expr(e.operand)
        if not fits(t, BOOL):
            self.err("E_TYPE", e.operand.span, f"'not' needs a bool, not {show(t)} (there is "
                     "no truthiness outside a condition)", _truth_fix(t, e.operand, negate=True))
        return BOOL

    # ------------------------------------------------------------------ assignment

    def assign(self, target: ast.Expr, t: Type, value: ast.Expr, span: Span,
               aug: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, t, target.span, value, name_node=target)
            if _regex_match(value) and not aug:
                self.matches.add(target.id)
            else:
                self.matches.discard(target.id)
        elif isinstance(target, ast.Index):
            base = target.value
            if not isinstance(base, ast.Name):
                return  # reported by the parser
            self.narrowed = forget(self.narrowed, [base.id], items_only=True)
            bt = self.lookup(base) if not aug else self.types.get(id(base), UNKNOWN)
            bt = self.need_value(bt, base, "storing an item") if not aug else bt
            it = self.expr(target.index) if not aug else self.types.get(id(target.index), UNKNOWN)
            if isinstance(bt, ListT):
                if not fits(it, INT) or it == FLOAT:
                    self.err("E_TYPE", target.index.span, f"a list index must be an int, not "
                             f"{show(it)}")
                if not fits(t, bt.elem):
                    self.err("E_TYPE", value.span, f"'{base.id}' is {show(bt)}; cannot store "
                             f"{show(t)} in it", _convert_fix(t, bt.elem, value))
                elif has_hole(bt):
                    self.fill(base.id, ListT(refine(bt.elem, t)))
            elif isinstance(bt, DictT):
                if not fits(it, STR):
                    self.err("E_TYPE", target.index.span, f"dict keys are str, not {show(it)}",
                             _convert_fix(it, STR, target.index))
                if not fits(t, bt.value):
                    self.err("E_TYPE", value.span, f"'{base.id}' is {show(bt)}; cannot store "
                             f"{show(t)} in it", _convert_fix(t, bt.value, value))
                elif has_hole(bt) and base.id in self.scope:
                    self.fill(base.id, DictT(refine(bt.value, t)))
            elif isinstance(bt, RecordT):
                key = target.index
                if isinstance(key, ast.Const) and isinstance(key.value, str):
                    ft = bt.field(key.value)
                    if ft is None:
                        self.err("E_TYPE", key.span, f"record '{base.id}' has no field "
                                 f"{key.value!r} (fields: {', '.join(n for n, _ in bt.fields)})")
                    elif not fits(t, ft):
                        self.err("E_TYPE", value.span, f"field {key.value!r} is {show(ft)}, "
                                 f"not {show(t)}")
                else:
                    self.err("E_TYPE", key.span, "a record's field must be named by a literal "
                             "string, e.g. r[\"name\"]")
            elif not isinstance(bt, UnknownT):
                self.err("E_TYPE", base.span, f"cannot assign into an item of {show(bt)}: only "
                         "lists and dicts have items")
        elif isinstance(target, ast.Dotted) and target.parts[0] == "state":
            key = target.parts[1]
            self.info.state_writes.add(key)
            want = self.state.get(key)
            if want is None:
                self.unknown_state(key, target.span)
            elif not fits(t, want):
                self.err("E_TYPE", value.span, f"state.{key} is declared {show(want)}; cannot "
                         f"store {show(t)}", _convert_fix(t, want, value))

    def bind(self, name: str, t: Type, span: Span, value: ast.Expr | None,
             name_node: ast.Name | None = None) -> None:
        words = self.input_words(value) if value is not None else None
        if words is not None:
            self.words_of[name] = words
        else:
            self.words_of.pop(name, None)
        if name in self.st.defs:
            # at the top level, Python's name then holds the value: a fresh name from
            # there on (`total_sales_east = total_sales_east(sales)`, rebind.py)
            self.err("E_NAME", span, f"cannot assign to '{name}': it is a def",
                     f"use another name, e.g. {name}_value",
                     **({"name": name, "rebindable": True} if self.in_def is None else {}))
            return
        if self.in_def is None and name in self.inputs:
            old = self.inputs[name]
            if not fits(t, old):
                self.err("E_TYPE", span, f"'{name}' is an input of type {show(old)}; a name "
                         f"keeps its type, so it cannot hold {show(t)}",
                         f"use a new name, e.g. {name}_2 = ...",
                         name=name, was=show(old), got=show(t), rebindable=True)
            if name_node is not None:
                self.info.names[id(name_node)] = "input"
            return
        old = self.scope.get(name)
        preset = self.preset.get((self.frame(), name)) if old is None else None
        if preset is not None and fits(t, preset):  # started with None (narrow.py)
            self.scope[name] = preset
            self.first_line[name] = span.line
        elif old is None:
            if isinstance(t, Prim) and t == NONE and value is not None:
                self.err("E_TYPE", span, f"'{name}' would have type none; a name needs a "
                         "type that says what it will hold",
                         'start it with a value of its type, e.g. "" or 0 or []',
                         severity="warning")
            self.scope[name] = t
            self.first_line[name] = span.line
        elif fits(t, old):
            if has_hole(old):
                self.scope[name] = refine(old, t)
        elif has_hole(t) and fits(old, t):
            pass
        elif (old == NONE or t == NONE or isinstance(t, OptionalT)) and \
                join_none(old, t, unify) is not None:
            # `best = None` ... `best = row`: best is a row or None (narrow.py)
            self.scope[name] = join_none(old, t, unify)  # type: ignore[assignment]
            self.promoted[(self.frame(), name)] = self.scope[name]
        else:
            line = self.first_line.get(name, 0)
            fix = f"use a new name for the {show(t)} value, e.g. {name}_{_short(t)} = ..."
            if old == INT and t == FLOAT:
                fix = f"start it as a float where it is first assigned (line {line}), e.g. {name} = 0.0"
            self.err("E_TYPE", span, f"'{name}' is {show(old)} (since line {line}); a name keeps "
                     f"its type, so it cannot hold {show(t)}", fix,
                     name=name, was=show(old), got=show(t), rebindable=True)
        self.defined.add(name)
        declared = self.scope.get(name)
        self.narrowed = forget(self.narrowed, [name])  # and what was known of its items
        if isinstance(declared, OptionalT) and t != NONE and not isinstance(
                t, (OptionalT, UnknownT)):
            self.narrowed[name] = declared.inner  # it holds a T now
        if name_node is not None:
            self.info.names[id(name_node)] = "global" if self.in_def is None else (
                "param" if name in self.in_def.params else "local")

    def fill(self, name: str, t: Type) -> None:
        """`name`'s holes filled (`t`), through its narrowing when it may be None."""
        if isinstance(self.scope.get(name), OptionalT):
            self.scope[name] = optional(t)
            if name in self.narrowed:
                self.narrowed[name] = t
        else:
            self.scope[name] = t

    def frame(self) -> str:
        return MAIN if self.in_def is None else self.in_def.node.name

    def declared(self) -> dict[str, Type]:
        """The types of names and of named items (narrow.path_key) before any narrowing."""
        return {**self.scope, **self.path_types}

    def view(self) -> dict[str, Type]:
        """The names in scope with their types at this point (narrowings applied)."""
        return {**self.scope, **{k: v for k, v in self.narrowed.items() if k in self.scope}}

    def need_value(self, t: Type, e: ast.Expr, what: str) -> Type:
        """A T where `t` is `T | None`: for a name of the frame the statement reads in any
        case, or per item of a comprehension or lambda (forms.per_item), a check before the
        statement (Python's TypeError, at run time: unassigned.py); else an error (once).
        Then its T, so nothing cascades."""
        if not isinstance(t, OptionalT):
            return t
        if isinstance(e, ast.Name) and self.lazy == self.item_depth and \
                e.id not in self.item_names and e.id in self.scope \
                and self.info.names.get(id(e)) in ("global", "local", "param"):
            self.info.unassigned.note_none(self.frame(), e.id, what, e)
            return t.inner
        self.err("E_TYPE", e.span, f"{print_expr(e)} may be None here ({show(t)}), and {what} "
                 f"needs {show(t.inner)}", _none_fix(e), expected=show(t.inner), got=show(t))
        return t.inner

    def note_chars(self, name: str, iterated: Type | None, source: ast.Expr) -> None:
        """Remember that `name` goes through the characters of `source`, or the lines of a
        table input (or forget it): it is bound by a for over `source`, of type `iterated`
        (None: unpacked)."""
        if iterated == STR:
            self.chars_of[name] = source
        else:
            self.chars_of.pop(name, None)
        table = self.lines_source(source) if iterated == ListT(STR) else None
        if table is not None:
            self.lines_of[name] = (table, source)
        else:
            self.lines_of.pop(name, None)

    def lines_source(self, e: ast.Expr) -> ast.Name | None:
        """The table input whose lines `e` is: `t.splitlines()`, `t.split("\\n")`,
        `lines(t)`, or a slice or index of those (`t.splitlines()[1:]`); else None."""
        while isinstance(e, (ast.Slice, ast.Index)):
            e = e.value
        if not isinstance(e, ast.Call):
            return None
        head, _, method = e.func.partition(".")
        if e.func == "lines" and len(e.args) == 1 and isinstance(e.args[0], ast.Name):
            src = e.args[0]
        elif method == "splitlines" and not e.args or method == "split" and len(e.args) == 1 \
                and isinstance(e.args[0], ast.Const) and e.args[0].value == "\n":
            src = self.info.receivers.get(id(e)) or ast.Name(head, e.span)
        else:
            return None
        if not isinstance(src, ast.Name) or src.id not in self.inputs or src.id in self.scope \
                or self.tables.rows.get(src.id, 0) < 2 and src.id not in self.decoded.inputs:
            return None
        return src

    def numbers_ordered_as_text(self, e: ast.Compare) -> None:
        """`r["salary"] > "116700"`: a column that holds numbers in the task's tables
        (check/columns.py), ordered against a number written as text, is ordered letter
        by letter ("9" > "116700"); the 1.5B's count of 1338 for 648 was confirmed so
        (dev s31 threshold-01). The fix-it compares the numbers."""
        for side, other in ((e.left, e.right), (e.right, e.left)):
            col = other.index.value if isinstance(other, ast.Index) and isinstance(
                other.index, ast.Const) else None
            if not (isinstance(side, ast.Const) and isinstance(side.value, str)) or \
                    not isinstance(col, str) or col not in self.tables.numeric:
                continue
            try:
                number = float(side.value.strip())
            except ValueError:
                continue
            if not math.isfinite(number):  # "inf", "nan": no number a column holds
                continue
            shown = side.value.strip() if number != int(number) or "." in side.value \
                else str(int(number))
            field = f"float({print_expr(other)})"
            fixed = f"{field} {e.op} {shown}" if other is e.left else \
                f"{shown} {e.op} {field}"
            self.err("E_TYPE", e.span, f"{print_expr(e)} orders the column '{col}', which "
                     f"holds numbers, as text: letter by letter, \"9\" > \"10\"",
                     f"compare the numbers: {fixed}",
                     # a chain's halves share their middle: no one edit of either
                     **({} if id(e) in self.chained else expr_fixit(e.span, fixed)))
            return

    def text_dates(self, e: ast.Compare) -> None:
        """`"Sep 15 2009" <= r["date"]`: a date written as text other than ISO's
        YYYY-MM-DD, ordered as text, is ordered letter by letter ("Sep" after "Oct"), not
        by the day it names (the 1.5B's range kept nothing, and two scripts confirmed 0.0).
        The fix-it writes the literal as an ISO date and reads the other side with
        to_date; a chain's middle gets the one edit from both of its comparisons."""
        spec = self.registry.get("to_date")
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if not (isinstance(side, ast.Const) and isinstance(side.value, str)) \
                    or spec is None or spec.impl is None:
                continue
            try:
                iso = spec.impl(side.value)
            except Exception:  # noqa: BLE001 - no date in it: text, ordered as text
                continue
            if not isinstance(iso, str) or side.value.strip().startswith(iso):
                continue
            read = f"to_date({print_expr(other)})"
            shown = f"{json.dumps(iso)} {e.op} {read}" if side is e.left else \
                f"{read} {e.op} {json.dumps(iso)}"
            self.err("E_TYPE", side.span, f"{side.value!r} is a date written as text, and "
                     "text is ordered letter by letter, not by the day it names",
                     f"compare ISO dates: {shown}", **expr_fixit(side.span, json.dumps(iso)))
            at = (other.span.line, other.span.col)
            if not (isinstance(other, ast.Call) and other.func == "to_date") \
                    and at not in self.dated:
                self.dated.add(at)  # a chain's middle: said once
                self.err("E_TYPE", other.span, f"{print_expr(other)} is ordered against a "
                         "date: read it as one", read, **expr_fixit(other.span, read))

    def masked_rows(self, e: ast.Index, t: Type, it: Type) -> str | None:
        """`t[t["col"] == v]` (pandas' boolean mask; 11 logs of the 1.5B) over an input's
        text or a list of records: the comprehension that keeps the records passing."""
        cmp = e.index
        if it != BOOL or not isinstance(cmp, ast.Compare) or \
                not isinstance(cmp.left, ast.Index) or not isinstance(cmp.left.index, ast.Const) \
                or not isinstance(cmp.left.index.value, str):
            return None
        table = print_expr(cmp.left.value)
        if print_expr(e.value) not in (table, f"records({table})"):
            return None
        if t == STR and isinstance(cmp.left.value, ast.Name) and cmp.left.value.id in self.inputs:
            rows = f"records({table})"
        elif isinstance(t, ListT) and isinstance(t.elem, (DictT, RecordT)):
            rows = print_expr(e.value)
        else:
            return None
        test = print_expr(dataclasses.replace(cmp, left=ast.Index(ast.Name("rec", e.span),
                                                                  cmp.left.index, e.span)))
        return f"[rec for rec in {rows} if {test}]"

    def call_fix(self, name: str, span: Span) -> tuple[str, dict[str, Any]]:
        """`submit(count_employees)` of `def count_employees(employees: str)`: where every
        parameter is named as a value in scope of its type (the input it was written for),
        the call with those is the fix-it (12 dev and test logs of the 1.5B)."""
        info = self.st.defs.get(name)
        if info is None or self.in_def is not None and self.in_def.node.name == name:
            return f"{name}(...)", {}
        have = {**self.inputs, **self.scope}
        if not all(p in have and fits(have[p], t) for p, t in info.params.items()):
            return f"{name}(...)", {}
        call = f"{name}({', '.join(info.params)})"
        return call, expr_fixit(span, call)

    def rows_fix(self, e: ast.Index) -> tuple[str, dict[str, Any]]:
        """A str indexed by a str: it was taken for a table's row (`row["city"]`). The fix,
        and where the str is an input gone through by a for, the fix-it that makes the for
        go through its rows (fixits.py)."""
        key = print_expr(e.index)
        v = e.value
        src = self.chars_of.get(v.id) if isinstance(v, ast.Name) else None
        if src is not None and isinstance(v, ast.Name):
            rows, edit = self.rows_of(src)
            return (f"'{v.id}' is one character of {print_expr(src)} (a for over a str goes "
                    f"through its characters); for a table's rows as dicts, go through "
                    f"{rows}: for {v.id} in {rows}: ... {v.id}[{key}]"), edit
        lines = self.lines_of.get(v.id) if isinstance(v, ast.Name) else None
        if lines is not None and isinstance(v, ast.Name):  # `for row in t.splitlines()[1:]`
            table, source = lines
            rows, _ = self.rows_of(table)
            return (f"'{v.id}' is one line of {table.id}, a str; for a table's rows as dicts, "
                    f"go through {rows}: for {v.id} in {rows}: ... {v.id}[{key}]"), \
                expr_fixit(source.span, rows)
        nested = self.nested_json_fix(e)
        if nested is not None:
            return nested
        base = v.value if isinstance(v, ast.Index) else v
        if isinstance(base, ast.Name) and base.id in self.inputs and base.id not in self.scope \
                and isinstance(self.decoded.inputs.get(base.id), (DictT, RecordT)):
            # `regions[region]` of a JSON object's text: its value was meant (dev three-hop-04)
            value = f"json.loads({base.id})"
            shown = print_expr(e).replace(base.id, value, 1)
            return (f"{base.id} is the text of a JSON object; its value is {value}: {shown}"), \
                expr_fixit(base.span, value) if base is v else {}
        if isinstance(v, ast.Name) and v.id in self.inputs and v.id not in self.scope \
                and self.tables.rows.get(v.id, 0) > 0 and isinstance(e.index, ast.Const) \
                and id(e) not in self.mask_parts \
                and e.index.value in self.tables.columns:  # pandas' `penguins["year"]`
            column = f"[r[{key}] for r in records({v.id})]"
            return (f"{v.id} is the text of a table; its column {key} is {column}"), \
                expr_fixit(e.span, column)
        if isinstance(v, ast.Index) and isinstance(v.value, ast.Name):  # `table[0]["city"]`
            rows, edit = self.rows_of(v.value)
            if edit:
                return (f"{print_expr(v)} is one character of {v.value.id}; its rows are "
                        f"{rows}: {rows}[{print_expr(v.index)}][{key}]"), edit
        if self.tables.known and isinstance(e.index, ast.Const) \
                and e.index.value not in self.tables.columns:
            # `r["host"]` of a line of prose: records() would read no such field either
            held = ", ".join(f"{c!r}" for c in sorted(self.tables.columns)[:12])
            tables = (f"the table inputs' columns are {held}" if held
                      else "no input is a table")
            return (f"a str is indexed by position ({print_expr(v)}[0]), and no input has a "
                    f"column {key} ({tables}): {print_expr(v)} is text, so take the value "
                    f"out of it, e.g. value_after({print_expr(v)}, {key}) or "
                    f"{print_expr(v)}.split()[i]"), {}
        return (f"a str is indexed by position ({print_expr(v)}[0]); for a table's rows as "
                f"dicts, use records(text): for row in records(text): ... row[{key}]"), {}

    def keyed_list_fix(self, e: ast.Index) -> str | None:
        """A list indexed by a field of a table's text column (`totals[r["symbol"]]`): a
        value per symbol was meant, which a dict keyed by it holds; "convert with int" sent
        the 1.5B to int('MSFT') two rounds running (dev s23 group-by)."""
        i = e.index
        if not (isinstance(i, ast.Index) and isinstance(i.index, ast.Const)
                and isinstance(i.index.value, str) and i.index.value in self.tables.columns
                and i.index.value not in self.tables.numeric):
            return None
        key, name = print_expr(i), print_expr(e.value)
        return (f"{name} is a list, indexed by position, and {key} is a text, not a position: "
                f"for a value per {i.index.value}, keep a dict keyed by it: per = {{}} and "
                f"per[{key}] = per.get({key}, 0) + ... (group_sum(text, "
                f"\"{i.index.value}\", column) sums a column per {i.index.value})")

    def nested_json_fix(self, e: ast.Index) -> tuple[str, dict[str, Any]] | None:
        """`order["customer"]["address"]` over records(orders) of a JSON Lines input:
        records() keeps a nested object as its JSON text, so the field is a str. Where the
        key is one of a nested object's in the lines' type, the fix decodes each line
        instead (its type is known: decoded.py), and the fix-it writes that in place of
        the records() call (seed-7 dev nested-json-03: three rounds of the same error)."""
        key = e.index.value if isinstance(e.index, ast.Const) else None
        if not isinstance(key, str) or not self._records_calls:
            return None
        call = self._records_calls[0]
        name = call.args[0].id  # type: ignore[attr-defined]
        if name not in self.decoded.jsonl:
            # a JSON document holding the list (fresh dev nested-json-05 was told to
            # value_after the customer's text three rounds running): json.loads(orders)
            if key not in _nested_keys(self.decoded.inputs.get(name)):
                return None
            return (f"records({name}) keeps each nested object of {name} as its text, so "
                    f"{print_expr(e.value)} is a str; json.loads({name}) gives the objects, "
                    f"nested ones too: json.loads({name})"), \
                expr_fixit(call.span, f"json.loads({name})")
        if key not in _nested_keys(self.decoded.lines):
            return None
        decoded = f"[json.loads(line) for line in {name}.splitlines()]"
        return (f"records({name}) keeps each nested object in the JSON lines of {name} as "
                f"its text, so {print_expr(e.value)} is a str; json.loads(line) of each line "
                f"gives the objects, nested ones too: {decoded}"), \
            expr_fixit(call.span, decoded)

    def rows_of(self, src: ast.Expr, want: Type | None = None) -> tuple[str, dict[str, Any]]:
        """How to go through the rows of the text `src`: `json.loads(X)` for a JSON input
        holding a list (that fits `want`, where one is wanted), else `records(X)` (the one
        reader's records, every field a text: what `list[dict[str, str]]` wants of a JSON
        table whose fields are numbers too); and, where `src` is an input, the fix-it data
        that writes it so in place of `src`."""
        text = print_expr(src)
        decoded = self.decoded.inputs.get(src.id) if isinstance(src, ast.Name) else None
        as_json = isinstance(decoded, ListT) and (want is None or fits(decoded, want))
        rows = f"json.loads({text})" if as_json else f"records({text})"
        if not (isinstance(src, ast.Name) and src.id in self.inputs and src.id not in self.scope):
            return rows, {}
        return rows, expr_fixit(src.span, rows)

    def len_of_table(self, e: ast.Call) -> None:
        """`len(penguins)` of a table input counts the characters of its text; a model
        that divides by it means its rows (Python would not tell it). The fix-it counts
        the rows; the characters are still `len(str(penguins))`."""
        arg = e.args[0] if len(e.args) == 1 else None
        if not isinstance(arg, ast.Name) or arg.id not in self.inputs or arg.id in self.scope \
                or id(e) in self.emptiness:
            return
        rows = self.tables.rows.get(arg.id, 0)
        if rows < 2:
            return
        counted, edit = self.rows_of(arg)
        self.err("E_TYPE", e.span, f"len({arg.id}) counts the characters of the text of "
                 f"{arg.id}, not its {rows} rows", f"for its rows: len({counted}); for its lines: "
                 f"len({arg.id}.splitlines()); for the characters: len(str({arg.id}))", **edit)

    def unknown_state(self, key: str, span: Span) -> None:
        guess = self.did_you_mean(key, list(self.state))
        have = ", ".join(sorted(self.state)) or "none declared"
        self.err("E_NAME", span, f"state.{key} is not a declared state key (keys: {have})",
                 f"did you mean state.{guess}?" if guess else
                 "use a declared key, or ask the host to declare it in the state schema")

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr) -> Type:
        t = self._expr(e)
        self.types[id(e)] = t
        return t

    def lookup(self, e: ast.Name) -> Type:
        name = e.id
        if name in self.scope:
            kind = "global" if self.in_def is None else (
                "param" if name in self.in_def.params else "local")
            self.info.names[id(e)] = kind
            if name not in self.defined:
                line = self.first_line.get(name, 0)
                if line >= e.span.line and line:
                    self.err("E_NAME", e.span, f"'{name}' is used before it is assigned "
                             f"(first assigned at line {line})",
                             f"assign it before this line, e.g. {name} = {_zero(self.scope[name])}")
                elif _may_start_none(self.scope[name]) and (not self.lazy or (
                        self.lazy == self.item_depth and name not in self.item_names)):
                    # NameError, at run time: a read per item of a comprehension or lambda
                    # too, checked before the statement (`[t for t in teams if t["team"] ==
                    # team]`, team set in a loop that breaks: the 1.5B's joins, refused)
                    self.info.unassigned.note(self.frame(), name, line, e)
                else:
                    self.err("E_NAME", e.span, f"'{name}' may not be assigned here: it is "
                             f"assigned only inside a block (line {line}) that may not run",
                             f"assign it before that block, e.g. {name} = "
                             f"{_zero(self.scope[name])}")
            if name in self.narrowed and isinstance(self.scope[name], OptionalT):
                return self.narrowed[name]
            return self.scope[name]
        if name in self.inputs:
            self.info.names[id(e)] = "input"
            return self.inputs[name]
        if name in self.st.defs or (name in self.registry and "." not in name):
            fix, edit = self.call_fix(name, e.span)
            self.err("E_TYPE", e.span, f"'{name}' is a function; call it: {fix}", **edit)
            return UNKNOWN
        frame_names = (self._main_names() if self.in_def is None
                       else set(ast.assigned_names(self.in_def.node.body)))
        if name in frame_names:
            self.err("E_NAME", e.span, f"'{name}' is used before it is assigned",
                     f"assign it before this line, e.g. {name} = "
                     f"{_zero(self.types.get(id(e), UNKNOWN))} (a starting value)")
            return UNKNOWN
        if self.in_def is not None and name in self._main_names():
            self.err("E_NAME", e.span, f"'{name}' belongs to the script body; a def sees only "
                     "its parameters, its own names and the task inputs",
                     f"pass it as a parameter: def {self.in_def.node.name}(..., {name}: T)")
            return UNKNOWN
        # a value is wanted here: a function's name would be no better
        if self.the_lines_named(name, e.span):
            return UNKNOWN
        guess = self.did_you_mean(name, [*self.scope, *self.inputs, "True", "False", "None"])
        if guess is None and self.the_input_named(name, e.span):
            return UNKNOWN
        self.err("E_NAME", e.span, f"undefined: {name}" + (
            f" (did you mean {guess}?)" if guess else
            f" (the inputs are {', '.join(self.inputs)})" if self.inputs else ""),
                 f"write {guess}" if guess else "assign it first, or use an input: "
                 + ", ".join(self.inputs) if self.inputs else None, name=name, suggestion=guess)
        return UNKNOWN

    def the_input_named(self, name: str, span: Span, rest: str = "") -> bool:
        """Where `name` is what scripts usually call their one input (`context`, the
        examples' name) and the one input is named otherwise, say so with a fix-it that
        writes its name (the 1.5B wrote `log = context` three rounds running); `rest`:
        what follows the name in the expression at `span` (`.splitlines()`)."""
        data = [n for n in self.inputs if n != "question"]
        if name not in _DATA_NAMES or len(data) != 1:
            return False
        self.err("E_NAME", span, f"undefined: {name} (the input is named {data[0]})",
                 f"write {data[0]}", name=name, suggestion=data[0],
                 **expr_fixit(span, data[0] + rest))
        return True

    def the_lines_named(self, name: str, span: Span) -> bool:
        """Where an undefined name says it holds an input's lines or records
        (`lines_of_context`, `context_lines`, `rows`), say what computes them, with a
        fix-it that writes the call: told "did you mean context?", the 1.5B looped over
        the text's characters, or wrote `context = lines_of_context` three rounds running
        (fresh dev multi-needle-03)."""
        words = name.lower().split("_")
        call = next((f for w, f in _SPLIT_WORDS.items() if w in words), None)
        texts = [n for n, t in self.inputs.items() if n != "question" and t == STR]
        named = [n for n in texts if n.lower() in words]
        data = named or (texts if len(texts) == 1 else [])
        if call is None or len(data) != 1 or \
                not set(words) <= {*_SPLIT_WORDS, *_FILLER_WORDS, *_DATA_NAMES, data[0].lower()}:
            return False
        written = f"{call}({data[0]})"
        self.err("E_NAME", span, f"undefined: {name} (the {call} of {data[0]} are {written})",
                 f"write {written}", name=name, suggestion=written, **expr_fixit(span, written))
        return True

    def _main_names(self) -> set[str]:
        return getattr(self, "_script_assigns", set())

    def _expr(self, e: ast.Expr) -> Type:
        if isinstance(e, ast.Const):
            return prim_of(e.value) or NONE
        if isinstance(e, ast.Name):
            return self.lookup(e)
        if isinstance(e, ast.Dotted):
            return self.dotted(e)
        if isinstance(e, ast.ListLit):
            t: Type = HOLE
            for item in e.items:
                it = self.expr(item)
                u = unify(t, it)
                if u is None:
                    self.err("E_TYPE", item.span, f"a list holds one type: this item is "
                             f"{show(it)} but the ones before are {show(t)}",
                             "use a record {...} for mixed values, or convert with str(...)")
                else:
                    t = u
            return ListT(t)
        if isinstance(e, ast.DictLit):
            return self.dict_lit(e)
        if isinstance(e, ast.BinOp):
            lt = self.need_value(self.expr(e.left), e.left, f"'{e.op}'")
            rt = self.need_value(self.expr(e.right), e.right, f"'{e.op}'")
            return self.binop_type(e.op, lt, rt, e.span, e.left, e.right)
        if isinstance(e, ast.Compare):
            return self.compare(e)
        if isinstance(e, ast.BoolOp):
            return self.bool_op(e)
        if isinstance(e, ast.IfExp):
            with self.lazily():  # only one of its branches runs
                return self.if_exp(e)
        if isinstance(e, ast.Not):
            return self.not_op(e)
        if isinstance(e, ast.Neg):
            t = self.need_value(self.expr(e.operand), e.operand, "'-'")
            if t not in NUMERIC and not isinstance(t, UnknownT):
                self.err("E_TYPE", e.operand.span, f"'-' needs a number, not {show(t)}")
                return UNKNOWN
            return t
        if isinstance(e, ast.Index):
            return self.index(e)
        if isinstance(e, ast.Slice):
            t = self.need_value(self.expr(e.value), e.value, "a slice")
            for b in (e.lower, e.upper):
                if b is not None:
                    bt = self.expr(b)
                    if not fits(bt, INT) or bt == FLOAT:
                        self.err("E_TYPE", b.span, f"slice bounds must be int, not {show(bt)}")
            if t == STR or isinstance(t, (ListT, UnknownT)):
                return t
            self.err("E_TYPE", e.value.span, f"cannot slice {show(t)}: only str and lists")
            return UNKNOWN
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.Cast):
            return self.cast(e)
        if isinstance(e, ast.MethodCall):
            return self.method_call(e, e.value, e.method, e.args, e.kwargs,
                                    e.func_span if e.func_span.line else e.span)
        if isinstance(e, ast.ListComp):
            return self.list_comp(e)
        if isinstance(e, ast.DictComp):
            return self.dict_comp(e)
        if isinstance(e, ast.IfExp):
            return self.if_exp(e)
        if isinstance(e, ast.TupleLit):
            return self.tuple_lit(e)
        if isinstance(e, ast.FString):
            return self.fstring(e)
        if isinstance(e, ast.Lambda):
            self.err("E_TYPE", e.span, "a lambda is only a key= of sorted, max or min, or "
                     "the function of map or filter, here",
                     "to keep the items that pass a test, write a comprehension: [x for x in "
                     "xs if ...]; a table's column is tested by where(t, col, \">\", 100) or "
                     "count_where(t, col, \">\", 100); else define a function with def")
            return UNKNOWN
        if isinstance(e, ast.Attribute):
            t = self.expr(e.value)
            self.err("E_NAME", e.span, f"{show(t)} has no attribute '{e.attr}': attribute "
                     "access on values is not in the language",
                     f"to call a method, write {print_expr(e)}(...)")
            return UNKNOWN
        return UNKNOWN

    def dict_lit(self, e: ast.DictLit) -> Type:
        vt: Type = HOLE
        fields: list[tuple[str, Type]] = []
        literal_keys = True
        mixed = False
        for k, v in e.items:
            kt = self.expr(k)
            t = self.expr(v)
            if not fits(kt, STR):
                self.err("E_TYPE", k.span, f"dict keys are str, not {show(kt)}",
                         _convert_fix(kt, STR, k))
            if isinstance(k, ast.Const) and isinstance(k.value, str):
                fields.append((k.value, t))
            else:
                literal_keys = False
            u = unify(vt, t)
            if u is None:
                mixed = True
            else:
                vt = u
        if mixed:
            if literal_keys and len({n for n, _ in fields}) == len(fields):
                return RecordT(tuple(fields))
            self.err("E_TYPE", e.span, "a dict holds one value type; these values differ",
                     "use literal keys to make a record, or convert the values with str(...)")
            return UNKNOWN
        return DictT(vt)

    def dotted(self, e: ast.Dotted) -> Type:
        head = e.parts[0]
        if head == "state":
            if len(e.parts) != 2:
                self.err("E_NAME", e.span, "state is read as state.key (one name after the dot)")
                return UNKNOWN
            key = e.parts[1]
            self.info.state_reads.add(key)
            t = self.state.get(key)
            if t is None:
                self.unknown_state(key, e.span)
                return UNKNOWN
            return t
        if head in self.scope or head in self.inputs:
            self.attribute_error(e.span, head, e.parts[-1], called=False)
            return UNKNOWN
        if e.dotted in self.registry:
            self.err("E_TYPE", e.span, f"'{e.dotted}' is a tool; call it: {e.dotted}(...)")
            return UNKNOWN
        self.err("E_NAME", e.span, f"undefined: {e.dotted}")
        return UNKNOWN

    def attribute_error(self, span: Span, value: str, attr: str, called: bool,
                        args: tuple[ast.Expr, ...] = ()) -> None:
        msg = "attribute access on values is not in the language"
        if attr in self.registry or attr in self.st.defs:
            rest = "".join(", " + print_expr(a) for a in args)
            fix = f"call the function with the value first: {attr}({value}{rest})"
        else:
            guess = self.did_you_mean(attr, [n for n in self.registry.names() if "." not in n])
            fix = (f"call a function with the value as its first argument, e.g. "
                   f"{guess}({value}, ...)" if guess else
                   "call a function with the value as its first argument")
        self.err("E_NAME", span, f"{msg}: {value}.{attr}" + ("(...)" if called else ""), fix)

    def binop_type(self, op: str, lt: Type, rt: Type, span: Span, left: ast.Expr,
                   right: ast.Expr) -> Type:
        if isinstance(lt, (UnknownT, Hole)) or isinstance(rt, (UnknownT, Hole)):
            return UNKNOWN
        if lt in NUMERIC and rt in NUMERIC:
            if op == "/" or (op == "**" and _negative_literal(right)):  # 2 ** -1 is 0.5
                return FLOAT
            return INT if lt == INT and rt == INT else FLOAT
        if op == "+":
            if lt == STR and rt == STR:
                return STR
            if isinstance(lt, ListT) and isinstance(rt, ListT):
                u = unify(lt, rt)
                if u is not None:
                    return u
                self.err("E_TYPE", span, f"cannot join {show(lt)} and {show(rt)}: a list holds "
                         "one type")
                return UNKNOWN
            if STR in (lt, rt) and (lt in NUMERIC or rt in NUMERIC or lt == BOOL or rt == BOOL):
                other = right if lt == STR else left
                self.err("E_TYPE", span, f"cannot add {show(lt)} and {show(rt)}",
                         f"convert with str(...): str({print_expr(other)})")
                return UNKNOWN
            if isinstance(lt, ListT) and not isinstance(rt, ListT):
                self.err("E_TYPE", span, f"cannot add {show(rt)} to a list",
                         f"wrap it in a list: {print_expr(left)} + [{print_expr(right)}]")
                return UNKNOWN
        if op == "*":
            if (lt == STR and rt == INT) or (lt == INT and rt == STR):
                return STR
            if isinstance(lt, ListT) and rt == INT:
                return lt
            if lt == INT and isinstance(rt, ListT):
                return rt
        self.err("E_TYPE", span, f"'{op}' does not apply to {show(lt)} and {show(rt)}",
                 _op_fix(op, lt, rt))
        return UNKNOWN

    def phrase_in_char(self, e: ast.Compare) -> None:
        """`"Sana W. Tanaka" in line` where `line` is one character of a text (`for line in
        contacts`): never true (fresh dev string-transform-03, two rounds: told only that
        its result was assigned in a block that did not run). The fix-it goes through the
        text's lines, where the text is an input."""
        src = self.chars_of.get(e.right.id) if isinstance(e.right, ast.Name) else None
        if src is None or not (isinstance(e.left, ast.Const) and isinstance(e.left.value, str)
                               and len(e.left.value) >= 2):
            return
        lines = f"{print_expr(src)}.splitlines()"
        edit = expr_fixit(src.span, lines) if isinstance(src, ast.Name) and \
            src.id in self.inputs and src.id not in self.scope else {}
        always = "never" if e.op == "in" else "always"
        self.err("E_TYPE", e.span, f"'{e.right.id}' is one character of {print_expr(src)} (a "
                 f"for over a str goes through its characters), so {print_expr(e)} is "
                 f"{always} true", f"go through its lines: for {e.right.id} in {lines}:", **edit)

    def compare(self, e: ast.Compare) -> Type:
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if isinstance(other, ast.Const) and other.value == 0:  # empty or not: either way
                self.emptiness.add(id(side))
        lt, rt = self.expr(e.left), self.expr(e.right)
        if isinstance(e.left, ast.Name) and isinstance(e.right, ast.Name) and \
                e.left.id == e.right.id and e.op not in ("in", "not in"):
            # `for ticker in prices if ticker == ticker`: the comprehension's own name hides
            # the one outside it, and every item passes (dev group-by-03)
            always = e.op in ("==", "<=", ">=")
            self.err("E_TYPE", e.span, f"{print_expr(e)} compares {e.left.id} with itself: "
                     f"always {always}, it tests nothing",
                     f"compare two different values; where a loop or comprehension's own "
                     f"`for {e.left.id}` hides a {e.left.id} outside it, name one of them "
                     "otherwise")
        if isinstance(lt, UnknownT) or isinstance(rt, UnknownT):
            return BOOL
        if e.op in ("in", "not in"):
            rt = self.need_value(rt, e.right, f"'{e.op}'")
            if rt == STR:  # `None in "text"` is an error in Python too
                lt = self.need_value(lt, e.left, f"'{e.op}' a str")
                self.phrase_in_char(e)
            ok = (rt == STR and lt == STR) or (isinstance(rt, ListT) and fits(lt, rt.elem)) or \
                 (isinstance(rt, (DictT, RecordT)) and lt == STR)
            if not ok:
                fix, edit = None, {}
                if rt == STR:
                    fix = f"convert with str({print_expr(e.left)})"
                elif lt == STR and isinstance(rt, ListT) and rt.elem in NUMERIC:
                    # a table's cell (text) in a list of numbers made from the same column:
                    # Python runs it and finds nothing (fresh dev top-k-05, three rounds)
                    cell = self.field_listed(e.left, e.right)
                    conv = f"{'int' if rt.elem == INT else 'float'}({print_expr(cell)})"
                    fix, edit = f"convert it: {conv}", expr_fixit(e.left.span, conv)
                    if cell is not e.left:
                        fix = f"{print_expr(e.right)} holds numbers of the field " \
                              f"{print_expr(cell.index)}, not {print_expr(e.left.index)}; " \
                              f"test that field: {conv}"
                self.err("E_TYPE", e.span, f"'{e.op}' does not apply to {show(lt)} in "
                         f"{show(rt)}", fix, **edit)
            return BOOL
        if e.op in ("==", "!="):
            if not (fits(lt, rt) or fits(rt, lt)):
                fix, edit = _cmp_fix(lt, rt, e)
                # `if dept is None: fail(...)` after a lookup that cannot give None: a guard
                # that never fires, as in Python, so a warning (24 logs of the 1.5B refused)
                guard = NONE in (lt, rt)
                self.err("E_TYPE", e.span, f"comparing {show(lt)} with {show(rt)} is always "
                         f"{'False' if e.op == '==' else 'True'}", fix,
                         severity="warning" if guard else "error", **edit)
            return BOOL
        lt = self.need_value(lt, e.left, f"'{e.op}'")
        rt = self.need_value(rt, e.right, f"'{e.op}'")
        if lt == STR and rt == STR:
            self.text_dates(e)
            self.numbers_ordered_as_text(e)
            return BOOL
        if lt in NUMERIC and rt in NUMERIC:
            return BOOL
        fix, edit = _cmp_fix(lt, rt, e)
        self.err("E_TYPE", e.span, f"cannot order {show(lt)} and {show(rt)} with '{e.op}'",
                 fix, **edit)
        return BOOL

    def split_past_limit(self, e: ast.Index) -> None:
        """`line.split(" ", 1)[3]`: a split cut at most n times has n + 1 parts, so an
        index past them is out of range whatever the line (the 1.5B's sum of bytes failed
        so a round running, fresh dev aggregate-03); the fix-it drops the limit."""
        call = e.value
        if isinstance(call, ast.Call) and call.func.endswith(".split"):
            args, text = call.args, print_expr(ast.Name(call.func[:-len(".split")]))
        elif isinstance(call, ast.MethodCall) and call.method == "split":
            args, text = call.args, print_expr(call.value)
        else:
            return
        at = e.index.value if isinstance(e.index, ast.Const) else \
            -e.index.operand.value if isinstance(e.index, ast.Neg) and \
            isinstance(e.index.operand, ast.Const) else None
        if len(args) != 2 or not isinstance(args[1], ast.Const) or call.kwargs \
                or not isinstance(args[1].value, int) or isinstance(args[1].value, bool) \
                or not isinstance(at, int) or isinstance(at, bool):
            return
        parts = args[1].value + 1
        if -parts <= at < parts:
            return
        whole = f"{text}.split({print_expr(args[0])})"
        self.err("E_TYPE", e.span, f"{print_expr(call)} cuts at most {parts - 1} time"
                 f"{'s' if parts != 2 else ''}, into {parts} parts: [{at}] is never one of them",
                 f"split at every separator: {whole}[{at}]", **expr_fixit(call.span, whole))

    def index(self, e: ast.Index) -> Type:
        """An item's type; `r["f"]` as narrowed where it may be None (narrow.py)."""
        t = self._index(e)
        key = path_key(e)
        if key is None:
            return t
        self.path_types[key] = t
        if isinstance(t, OptionalT) and key in self.narrowed:
            return self.narrowed[key]
        return t

    def _index(self, e: ast.Index) -> Type:
        t = self.need_value(self.expr(e.value), e.value, "indexing")
        self.split_past_limit(e)
        if isinstance(e.index, ast.Compare) and isinstance(e.index.left, ast.Index):
            self.mask_parts.add(id(e.index.left))  # a pandas mask's column: masked_rows
        it = self.expr(e.index)
        if isinstance(t, UnknownT):
            return UNKNOWN
        if isinstance(t, TupleT):
            return self.tuple_index(t, e)
        if t == STR and isinstance(e.index, ast.Const) and e.index.value in (0, 1) and (
                _regex_match(e.value) or isinstance(e.value, ast.Name)
                and e.value.id in self.matches):
            # Python's re.search(...)[1] is group 1; regex_search gives that text itself,
            # and [1] was its second character ('7' of 'K7-19QX': the README's main job)
            text = print_expr(e.value)
            edit = expr_fixit(e.span, text) if e.index.value == 1 else {}
            self.err("E_TYPE", e.span, f"{text} is the text regex_search matched (group 1 "
                     f"where the pattern has one), not a match object: {print_expr(e)} is "
                     f"its character at {e.index.value}", f"use the text itself: {text}",
                     **edit)
            return STR
        if isinstance(t, ListT) or t == STR:
            rows = self.masked_rows(e, t, it)
            if rows is not None:  # `customers[customers["id"] == x]`, as pandas filters
                self.err("E_TYPE", e.index.span, f"{print_expr(e)} filters a table as pandas "
                         f"does; here, the records that pass: {rows}", None,
                         **expr_fixit(e.span, rows))
                return t if isinstance(t, ListT) else ListT(DictT(STR))
            if not fits(it, INT) or it == FLOAT:
                fix, edit = _convert_fix(it, INT, e.index), {}
                if t == STR and it == STR:
                    fix, edit = self.rows_fix(e)
                elif isinstance(t, ListT) and isinstance(t.elem, (DictT, RecordT)) and \
                        it == STR:
                    fix, edit = _record_by_value_fix(e)
                elif isinstance(t, ListT) and it == STR:
                    fix = self.keyed_list_fix(e) or fix
                self.err("E_TYPE", e.index.span, f"an index into {show(t)} must be an int, "
                         f"not {show(it)}", fix, **edit)
            return t.elem if isinstance(t, ListT) else STR
        if isinstance(t, DictT):
            if not fits(it, STR):
                k = e.index
                if isinstance(k, ast.Const) and isinstance(k.value, int) \
                        and not isinstance(k.value, bool):
                    # `r[1]` of a headerless table's record, keyed "0", "1", ...: the key
                    # is the text "1" (the 1.5B, told "convert with str(1)", wrote
                    # str(r[1]) three rounds running)
                    text = json.dumps(str(k.value))
                    self.err("E_TYPE", k.span, f"dict keys are str, not {show(it)}",
                             f"write the key as text: {print_expr(e.value)}[{text}]",
                             **expr_fixit(k.span, text))
                else:
                    self.err("E_TYPE", e.index.span, f"dict keys are str, not {show(it)}",
                             _convert_fix(it, STR, e.index))
            return t.value
        if isinstance(t, RecordT):
            k = e.index
            if isinstance(k, ast.Const) and isinstance(k.value, str):
                ft = t.field(k.value)
                if ft is None:
                    names = [n for n, _ in t.fields]
                    guess = self.did_you_mean(k.value, names)
                    fix, edit = None, {}
                    under = None if guess else _holder(t, k.value)
                    if under is not None:  # customer["city"], the city in customer["address"]
                        inner = print_expr(ast.Index(ast.Index(e.value, ast.Const(under)), k))
                        fix, edit = f"it is under {under!r}: {inner}", expr_fixit(e.span, inner)
                    self.err("E_TYPE", k.span, f"no field {k.value!r} in {show(t)}" +
                             (f" (did you mean {guess!r}?)" if guess else ""), fix, **edit)
                    return UNKNOWN
                return ft
            self.err("E_TYPE", k.span, "a record's field must be named by a literal string")
            return UNKNOWN
        self.err("E_TYPE", e.value.span, f"cannot index {show(t)}: only str, lists and dicts")
        return UNKNOWN

    # ------------------------------------------------------------------ calls

    def call(self, e: ast.Call) -> Type:
        name = e.func
        over = self.overload(e)
        if over is not None:
            return over
        if "." in name:
            head = name.split(".", 1)[0]
            if head != "state" and self.value_name(head):
                return self.value_method(e)
            if name not in self.registry:
                mod = self.module_call(e)
                if mod is not None:
                    return mod
        if name in self.st.defs:
            self.info.calls[id(e)] = "def"
            d = self.st.defs[name]
            params = [(p.name, p.type, False) for p in d.node.params]
            self.bind_args(e, name, params, None)
            return d.returns if d.returns is not None else UNKNOWN
        spec = self.registry.get(name)
        if spec is not None and name.startswith("llm.") and e.args \
                and isinstance(e.args[0], ast.Const) and isinstance(e.args[0].value, str) \
                and re.search(r"\babout \.\.\.|\.\.\.\?", e.args[0].value):
            # "Is this text about ...?" copied from a hint, dots and all (fresh dev
            # semantic-05): the sub-model is asked nothing
            self.err("E_TYPE", e.args[0].span, "the sub-model's instruction holds '...', a "
                     "placeholder: it asks the sub-model nothing",
                     "write what the question asks about in place of the dots")
        if spec is not None:
            self.info.calls[id(e)] = "tool"
            params = [(p.name, p.type, p.has_default) for p in spec.params]
            arg_types = self.bind_args(e, name, params, spec.varkw)
            if name == "len":
                self.len_of_table(e)
            elif name == "range":
                self.range_step(e)
            got = _none_default(name, arg_types) or self.decoded_call(name, e)
            if got is not None:
                return got
            fn = spec.extra.get("result_type")
            if callable(fn):
                try:
                    return fn(arg_types)
                except ArgTypeError as bad:
                    self.err("E_TYPE", e.span, bad.message, bad.fix or None)
                    return UNKNOWN
                except Exception:  # noqa: BLE001 - a plugin bug must not crash the checker
                    return spec.result
            return spec.result
        for a in e.args:
            self.expr(a)
        for k in e.kwargs:
            self.expr(k.value)
        span = e.func_span if e.func_span.line else e.span
        replaced = REPLACED_CALLS.get(name.split(".")[0])
        if replaced is not None and name.split(".")[0] not in self.scope:
            self.err("E_NAME", span, f"undefined function: {name} (Python's "
                     f"{name.split('.')[0]} is not in the language)", replaced, name=name)
            return UNKNOWN
        if "." in name:
            head, attr = name.split(".", 1)
            if head in self.scope or head in self.inputs:
                self.attribute_error(span, head, attr, called=True, args=e.args)
                return UNKNOWN
            if head in self.registry.namespaces():
                tools = [n for n in self.registry.names() if n.startswith(head + ".")]
                guess = self.did_you_mean(name, tools)
                self.err("E_NAME", span, f"no tool {name}" + (f" (did you mean {guess}?)"
                                                               if guess else ""),
                         f"the {head} tools are: {', '.join(tools)}", name=name)
                return UNKNOWN
            if self.the_input_named(head, e.span, print_expr(e)[len(head):]):
                return UNKNOWN
            # `badges.get(...)` where an earlier script set badges: the value is undefined
            inputs = ", ".join(self.inputs)
            self.err("E_NAME", span, f"undefined: {head}" + (
                f" (the inputs are {inputs}; no tool is named {name})" if inputs else
                f" (no tool is named {name})"),
                "assign it first in this script" + (f", or use an input: {inputs}"
                                                    if inputs else ""), name=head)
            return UNKNOWN
        cands = list(self.st.defs) + self.registry.names()
        guess = self.did_you_mean(name, cands)
        spec = self.registry.get(guess) if guess else None
        if spec is not None and not _takes(spec, len(e.args)):
            guess = None  # sum(...) takes one list: no fix for a call of four arguments
        kin = self.kin_tools(name, e)  # `sum_of(sales, "region", "West", "amount")`
        fix = f"write {guess}(...)" if guess else \
            f"use a builtin: {kin.removeprefix('; or ')}" if kin else \
            "define it with def, or use a builtin"
        self.err("E_NAME", span, f"undefined function: {name}" +
                 (f" (did you mean {guess}?)" if guess else ""),
                 fix + (kin if guess else ""), name=name, suggestion=guess)
        return UNKNOWN

    def value_method(self, e: ast.Call, statement: bool = False) -> Type:
        """`s.split(",")` where s is a value: a method call on the Name s."""
        head, method = e.func.split(".", 1)
        recv = self.info.receivers.get(id(e))
        if recv is None:
            span = e.func_span if e.func_span.line else e.span
            recv = ast.Name(head, Span(span.line, span.col, span.line, span.col + len(head)))
            self.info.receivers[id(e)] = recv
        if "." in method:
            self.err("E_NAME", e.func_span or e.span, f"attribute access on values is not in "
                     f"the language: {e.func}")
            return UNKNOWN
        return self.method_call(e, recv, method, e.args, e.kwargs,
                                e.func_span if e.func_span.line else e.span, statement)

    def typed_call(self, name: str, spec: ToolSpec, args: list[ast.Expr],
                   kwargs: tuple[ast.Keyword, ...], span: Span, pre: dict[int, Type],
                   shown: str) -> Type:
        """A call of builtin `name` with these argument nodes (some typed already, `pre`)."""
        params = [(p.name, p.type, p.has_default) for p in spec.params]
        call = ast.Call(shown, tuple(args), kwargs, span)
        arg_types = self.bind_args(call, name, params, spec.varkw, pre)
        got = _none_default(name, arg_types)
        if got is not None:
            return got
        fn = spec.extra.get("result_type")
        if callable(fn):
            try:
                return fn(arg_types)
            except ArgTypeError as bad:
                self.err("E_TYPE", span, bad.message, bad.fix or None)
                return UNKNOWN
            except Exception:  # noqa: BLE001 - a plugin bug must not crash the checker
                return spec.result
        return spec.result

    def range_step(self, e: ast.Call) -> None:
        """range's step is a whole number of 1 or more written in the script: the
        verifier bounds the loop by its start and stop (fewer with a step), and a step of
        0 or below would break that (Python's chunking, `range(0, len(xs), 50)`)."""
        step = e.args[2] if len(e.args) >= 3 else next(
            (k.value for k in e.kwargs if k.name == "step"), None)
        if step is None:
            return
        value = ast.literal_value(step)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return
        fix, edit = ("write it as a number (range(0, n, 50)); to count down, go up and take "
                     "n - 1 - i"), {}
        if isinstance(step, ast.Name) and (k := self.constant_int(step.id)) is not None:
            # `size = 3` ... `range(0, n, size)` (fresh dev semantic-04): the number itself
            fix, edit = f"write the number {step.id} holds: {k}", expr_fixit(step.span, str(k))
        self.err("E_TYPE", step.span, f"range's step must be a whole number of 1 or more "
                 f"written in the script, not {print_expr(step)}", fix, **edit)

    def field_listed(self, cell: ast.Expr, numbers: ast.Expr) -> ast.Expr:
        """`float(r["order_id"]) in top` where `top` holds `float(r["total"])`s: the cell of
        the field the list's numbers were read from (fresh dev top-k-05 tested the id
        against the top totals: converting the id found nothing); `cell` where the list
        is not a name bound once from one field's numbers, or the field is the same."""
        script = getattr(self, "_script", None)
        while isinstance(numbers, ast.Slice):
            numbers = numbers.value
        if script is None or not isinstance(numbers, ast.Name) \
                or not isinstance(cell, ast.Index) or not isinstance(cell.index, ast.Const):
            return cell
        sets = ast.assignments_to(script, numbers.id)
        fields = {n.args[0].index.value for a in sets for n in ast.walk(a.value)
                  if isinstance(n, ast.Call) and n.func in ("float", "int") and len(n.args) == 1
                  and isinstance(n.args[0], ast.Index)
                  and isinstance(n.args[0].index, ast.Const)
                  and isinstance(n.args[0].index.value, str)}
        if len(sets) != 1 or len(fields) != 1 or cell.index.value in fields:
            return cell
        return dataclasses.replace(cell, index=ast.Const(fields.pop()))

    def constant_int(self, name: str) -> int | None:
        """The whole number of 1 or more that `name` is bound to, where the script binds it
        once, to that literal, and nowhere else (no loop, comprehension or parameter)."""
        script = getattr(self, "_script", None)
        if script is None or name in ast.bound_in_scopes(script):
            return None
        sets = ast.assignments_to(script, name)
        params = any(p.name == name for d in ast.walk(script) if isinstance(d, ast.Def)
                     for p in d.params)
        if len(sets) != 1 or params or not isinstance(sets[0], ast.Assign):
            return None
        value = ast.literal_value(sets[0].value)
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return value if ok else None

    def listed_args(self, e: ast.Call, params: list[tuple[str, Type, bool]],
                    types: list[Type], name: str) -> str | None:
        """`lines_with(context, "maketh", "alive", "bringeth")`: more arguments than
        parameters, the last parameter a list whose items the extra ones all fit (the
        1.5B wrote three words for a list of phrases): the call with them in a list."""
        k = len(params) - 1
        last = params[-1][1] if params else None
        if k < 0 or e.kwargs or not isinstance(last, ListT) or len(types) < len(e.args) \
                or not all(self.fits(t, last.elem) for t in types[k:]):
            return None
        head = [print_expr(a) for a in e.args[:k]]
        items = ", ".join(print_expr(a) for a in e.args[k:])
        return f"{name}({', '.join([*head, f'[{items}]'])})"

    def bind_args(self, e: ast.Call, name: str, params: list[tuple[str, Type, bool]],
                  varkw: Type | None, pre: dict[int, Type] | None = None) -> list[Type]:
        given: dict[str, Type] = {}
        types = [pre[id(a)] if pre and id(a) in pre else self.expr(a) for a in e.args]
        if name == "count" and len(types) == 1 and not e.kwargs and \
                isinstance(types[0], ListT):
            # `count(matches)`: the items counted, as in most languages; count(text, part)
            # counts a part in a text (the 1.5B, told to join the list, lost two rounds)
            fixed = f"len({print_expr(e.args[0])})"
            self.err("E_TYPE", e.span, "count(text, part) counts the times a part occurs in a "
                     "text; the number of items of a list is len(...)", f"write {fixed}",
                     **expr_fixit(e.span, fixed))
            return types
        listed = self.listed_args(e, params, types, name) if len(e.args) > len(params) \
            else None
        for i, (a, t) in enumerate(zip(e.args, types, strict=True)):
            if i >= len(params):
                continue  # too many: said below
            pname, ptype, _ = params[i]
            if listed is not None and i == len(params) - 1:  # its items written one by one
                given[pname] = ptype
                continue
            given[pname] = t
            self.check_arg(t, ptype, a, name, pname)
        if len(e.args) > len(params):
            kin = self.kin_tools(name, e)
            keyed = self.lines_of_keys(name, e)
            fixed = keyed or self.kin_by_column(name, e) or listed
            self.err("E_TYPE", e.args[len(params)].span, f"{name} takes {len(params)} argument"
                     f"{'s' if len(params) != 1 else ''}, but {len(e.args)} were given",
                     f"signature: {self.signature(name)}" + (
                         f"; the lines of each key, in order: {keyed}" if keyed else kin + (
                             f"; to pass them as its list: {fixed}" if fixed and not kin
                             else "")),
                     **(expr_fixit(e.span, fixed) if fixed else {}))
        for k in e.kwargs:
            t = self.expr(k.value)
            match = [p for p in params if p[0] == k.name]
            if match:
                if k.name in given:
                    self.err("E_TYPE", k.span, f"{name} gets '{k.name}' twice")
                given[k.name] = t
                self.check_arg(t, match[0][1], k.value, name, k.name)
            elif varkw is not None:
                self.check_arg(t, varkw, k.value, name, k.name)
            else:
                self.err("E_TYPE", k.span, f"{name} has no parameter '{k.name}'",
                         f"signature: {self.signature(name)}")
        for pname, _, has_default in params:
            if pname not in given and not has_default:
                self.err("E_TYPE", e.span, f"{name} needs its argument '{pname}'",
                         f"signature: {self.signature(name)}")
        return types

    def kin_tools(self, name: str, e: ast.Call) -> str:
        """`; or count_rows(text: str, col, value) -- ...`: the builtins named like `name`
        (a word in common) that take as many arguments as the call gives; those taking a
        column first where the call names a column of a table input (`count_of(customers,
        "city", "Lima")` meant count_rows, not count_lines)."""
        words = {w for w in name.split("_") if len(w) >= 3}
        n = len(e.args)
        names_column = any(isinstance(a, ast.Const) and a.value in self.tables.columns
                           for a in e.args)
        kin: list[tuple[bool, str]] = []
        for spec in self.registry.specs():
            if spec.name == name or "." in spec.name or not words & set(spec.name.split("_")):
                continue
            if _takes(spec, n):
                by_column = names_column and any(p.name == "col" for p in spec.params)
                kin.append((not by_column, f"{spec.signature()}  # {spec.summary()}"))
        kin.sort(key=lambda k: k[0])  # stable: the registry's order among equals
        return "".join(f"; or {k}" for _, k in kin[:3])

    def lines_of_keys(self, name: str, e: ast.Call) -> str | None:
        """`find_lines(context, "guest SH-33233", "guest SH-21951", "guest SH-67414")`: keys
        (each with a digit, all different) where one phrase and an `also` fit, meaning the
        lines of each in turn, not the lines holding all (fresh dev multi-needle-02): those
        lines, key by key, as the fix-it."""
        phrases = e.args[1:]
        if name != "find_lines" or e.kwargs or len(phrases) < 3 or not all(
                isinstance(a, ast.Const) and isinstance(a.value, str)
                and any(c.isdigit() for c in a.value) for a in phrases) \
                or len({a.value for a in phrases if isinstance(a, ast.Const)}) != len(phrases):
            return None
        script = getattr(self, "_script", None)
        used = ast.identifiers(script) if script is not None else set()
        return lines_of_each(print_expr(e.args[0]), [print_expr(a) for a in phrases], used)

    def kin_by_column(self, name: str, e: ast.Call) -> str | None:
        """The call renamed to the first kin of `name` that takes a table and a column, where
        the call passes an input's table (its text, or records) and names one of its columns
        (`count_of(penguins, "sex", "female")`, dev sample 5 count-14, three rounds running):
        the fix-it."""
        if not e.args or e.kwargs or not any(isinstance(a, ast.Const) and
                                             a.value in self.tables.columns for a in e.args):
            return None
        first = e.args[0]
        if not (isinstance(first, ast.Name) and first.id in self.inputs or
                isinstance(first, ast.Call) and first.func == "records"):
            return None
        words = {w for w in name.split("_") if len(w) >= 3}
        for spec in self.registry.specs():
            if spec.name != name and "." not in spec.name and \
                    words & set(spec.name.split("_")) and _takes(spec, len(e.args)) and \
                    [p.name for p in spec.params[:2]] == ["table", "col"]:
                return print_expr(dataclasses.replace(e, func=spec.name))
        return None

    def check_arg(self, t: Type, want: Type, a: ast.Expr, fname: str, pname: str) -> None:
        if isinstance(want, UnknownT):
            if fname in _NEEDS_VALUE:
                self.need_value(t, a, f"{fname}(...)")
            return
        if not fits(t, want):
            fix, edit = _convert_fix(t, want, a), {}
            if t == STR and isinstance(want, ListT) and isinstance(want.elem, (DictT, RecordT)):
                rows, edit = self.rows_of(a, want)  # an input table's text passed as its rows
                fix = f"pass its rows: {fname}({rows}, ...)"
            elif t == STR and want == ListT(STR) and isinstance(a, ast.Name) \
                    and a.id in self.inputs and a.id not in self.scope:
                # count_of(customers, ...): an input's whole text in a list of one is no
                # list of its items; that fix-it counted nothing, twice (dev inject-02)
                fix = (f"{a.id} is an input's whole text: its lines are {a.id}.splitlines(), "
                       f"its records records({a.id})")
            elif t == STR and want == ListT(STR):  # lines_with(orders, "Jonas Horvat")
                one = f"[{print_expr(a)}]"
                fix, edit = f"pass a list of one: {one}", expr_fixit(a.span, one)
            elif want == STR and fname.startswith("llm.") and isinstance(t, (DictT, RecordT)):
                # llm.predict(..., text=review) of a record (fresh dev semantic-04): the
                # sub-model reads text
                fix, edit = (f"pass it as text: str({print_expr(a)})",
                             expr_fixit(a.span, f"str({print_expr(a)})"))
            elif t == ListT(STR) and isinstance(want, ListT) and want.elem in NUMERIC:
                # sum(car["wt"] for car in rows): a table's cells are texts
                conv = "int" if want.elem == INT else "float"
                if isinstance(a, ast.ListComp) and len(a.gens) == 1:
                    item = f"{conv}({print_expr(a.elt)})"
                    fix, edit = f"convert each item: {item}", expr_fixit(a.elt.span, item)
                elif isinstance(a, ast.Name):
                    each = f"[{conv}(x) for x in {a.id}]"
                    fix, edit = f"convert each item: {each}", expr_fixit(a.span, each)
            self.err("E_TYPE", a.span, f"argument '{pname}' of {fname} must be {show(want)}, "
                     f"not {show(t)}", fix, expected=show(want), got=show(t), **edit)

    def signature(self, name: str) -> str:
        spec = self.registry.get(name)
        if spec is not None:
            return spec.signature()
        d = self.st.defs[name]
        ps = ", ".join(f"{p.name}: {format_type(p.type)}" for p in d.node.params)
        return f"{name}({ps})"

    def decoded_call(self, name: str, e: ast.Call) -> Type | None:
        """json_decode of a JSON input, or of a line of a JSON Lines input: the type its
        value has (decoded.py), given to the call as an `as` the VM checks; None otherwise."""
        if name != "json_decode" or not self.decoded or self.casting == id(e) \
                or len(e.args) != 1 or e.kwargs:
            return None
        arg = e.args[0]
        if isinstance(arg, ast.Name) and self.info.names.get(id(arg)) == "input":
            t = self.decoded.inputs.get(arg.id)
        elif isinstance(arg, (ast.Const, ast.FString)):
            t = None
        else:
            t = self.decoded.lines
        if t is not None:
            self.info.decoded[id(e)] = t
        return t

    def cast(self, e: ast.Cast) -> Type:
        inner = e.value
        self.casting = id(inner)
        t = self.expr(inner)
        spec = self.registry.get(inner.func) if isinstance(inner, ast.Call) else None
        if spec is None or not castable(spec):
            what = f"{inner.func}(...)" if isinstance(inner, ast.Call) else "this value"
            self.err("E_TYPE", e.span, f"'as {format_type(e.type)}' only applies to a sub-model "
                     f"call such as llm.predict(...); {what} has type {show(t)}",
                     _convert_fix(t, e.type, inner) or "remove 'as ...'")
            return e.type
        self.info.casts[id(inner)] = e.type
        self.types[id(inner)] = e.type
        return e.type


# Builtins whose parameter is `any` but that fail on None (str, print and json of None work).
_NEEDS_VALUE = ("len", "int", "float", "copy", "format")


def _may_start_none(t: Type) -> bool:
    """Whether a name of type t can start as None until assigned (unassigned.py): not
    where None is one of its values already, nor before its type is known."""
    return not (isinstance(t, (OptionalT, UnknownT, Hole)) or t == NONE or has_hole(t))


def _none_default(name: str, arg_types: list[Type]) -> Type | None:
    """`get(d, k, None)` (and `d.get(k, None)`): the value or None, which the builtin's
    declared type (the value's) does not say; None for any other call."""
    if name != "get" or len(arg_types) != 3 or not (
            arg_types[2] == NONE or isinstance(arg_types[2], OptionalT)) or \
            isinstance(arg_types[0], RecordT):  # get's own result type refuses a record
        return None
    value = arg_types[0].value if isinstance(arg_types[0], DictT) else UNKNOWN
    return join_none(value, arg_types[2], unify) or optional(value)


def _none_fix(e: ast.Expr) -> str:
    src = print_expr(e)
    if isinstance(e, ast.Name):
        return f"check it first: if {src} is None: fail(\"...\") (or use it under " \
               f"if {src} is not None:)"
    return f"give it a name and check it first: v = {src}, then if v is None: fail(\"...\")"


def castable(spec: ToolSpec) -> bool:
    """Whether `call as T` may change what the call returns (sub-model calls)."""
    flag = spec.extra.get("castable")
    if flag is not None:
        return bool(flag)
    return spec.name.startswith("llm.")


# ---------------------------------------------------------------------- fixes


def _short(t: Type) -> str:
    if isinstance(t, Prim):
        return t.name
    if isinstance(t, ListT):
        return "list"
    return "value"


def _zero(t: Type) -> str:
    if t == INT:
        return "0"
    if t == FLOAT:
        return "0.0"
    if t == STR:
        return '""'
    if t == BOOL:
        return "False"
    if isinstance(t, ListT):
        return "[]"
    if isinstance(t, (DictT, RecordT)):
        return "{}"
    return "..."


def _record_by_value_fix(e: ast.Index) -> tuple[str, dict[str, Any]]:
    """A list of records indexed by a str: a constant is a column, as pandas reads
    `rows["city"]` (said, no fix-it); a value is the key of the record looked up."""
    if isinstance(e.index, ast.Const):  # `rows["city"]`: a column, as pandas reads it
        return (f"{print_expr(e.value)} is a list of records, indexed by position: the first "
                f"record's field is {print_expr(e.value)}[0][{print_expr(e.index)}], every "
                f"record's [rec[{print_expr(e.index)}] for rec in {print_expr(e.value)}]"), {}
    return _record_holding_fix(e)


def _record_holding_fix(e: ast.Index) -> tuple[str, dict[str, Any]]:
    """Records indexed by a str (`records(depots)[depot]["region"]`: read as a table keyed by
    its first column, as pandas' .loc or a dict of rows would be): the record a field of
    which holds the value was meant; the fix-it filters for it (the 1.5B wrote this in 12
    dev and test runs, and was told to convert the key with int())."""
    found = (f"[rec for rec in {print_expr(e.value)} if {print_expr(e.index)} in "
             "rec.values()][0]")
    return (f"{print_expr(e.value)} is a list of records, indexed by position; the record "
            f"that holds {print_expr(e.index)} in one of its fields: {found} (or test the "
            "field that holds it)"), expr_fixit(e.span, found)


def _convert_fix(t: Type, want: Type, e: ast.Expr | None) -> str | None:
    src = print_expr(e) if e is not None else "x"
    if isinstance(t, OptionalT) and fits(t.inner, want):
        return _none_fix(e) if e is not None else None
    if want == STR and t in (INT, FLOAT, BOOL):
        return f"convert with str({src})"
    if want in NUMERIC and t == STR:
        return f"convert with {'int' if want == INT else 'float'}({src})"
    if want == INT and t == FLOAT:
        return f"convert with int({src})"
    if isinstance(want, ListT) and fits(t, want.elem):
        return f"wrap it in a list: [{src}]"
    if want == STR and isinstance(t, ListT) and t.elem == STR:
        return f'join the items: join({src}, "\\n")'
    if want == STR and isinstance(t, ListT) and isinstance(t.elem, (DictT, RecordT)):
        # `records(racks)` again, of a name that already holds records(racks) (dev s19)
        return (f"{src} already holds rows as dicts, not text: go through it as it is "
                f"(for row in {src}: ... row[\"column\"]), without reading it again")
    if want == STR and isinstance(t, ListT):
        return f"convert with str({src})"
    return None


def _written_out(t: Type) -> bool:
    """Whether `t` is a type a def may be declared to return, as show() writes it."""
    try:
        return t not in (NONE, UNKNOWN, HOLE) and "?" not in show(t) \
            and show(parse_type(show(t))) == show(t)
    except TypeSyntaxError:
        return False


def _takes(spec: Any, n: int) -> bool:
    """Whether a tool takes `n` positional arguments."""
    return sum(1 for p in spec.params if not p.has_default) <= n <= len(spec.params)


def _holder(t: RecordT, name: str) -> str | None:
    """The one field of a record that holds a field `name` (a record with it, else the
    one dict among the fields), where a script looked for `name` one level too high."""
    records = [n for n, ft in t.fields if isinstance(ft, RecordT) and ft.field(name)]
    if records:
        return records[0] if len(records) == 1 else None
    dicts = [n for n, ft in t.fields if isinstance(ft, DictT)]
    return dicts[0] if len(dicts) == 1 else None


def _joined(e: ast.Expr) -> ast.Expr | None:
    """The list a `sep.join(xs)` or `join(xs, sep)` joins into one text, else None."""
    if isinstance(e, ast.MethodCall) and e.method == "join" and len(e.args) == 1:
        return e.args[0]
    if isinstance(e, ast.Call) and e.func == "join" and len(e.args) == 2:
        return e.args[0]
    return None


def _pieces(e: ast.Expr) -> ast.ListLit | None:
    """The list of the values a text writes between separators (`a + ", " + b`,
    `f"{a},{b}"`), else None: the items of a list answer written as one text."""
    parts: list[object] = []

    def flat(x: ast.Expr) -> None:
        if isinstance(x, ast.BinOp) and x.op == "+":
            flat(x.left)
            flat(x.right)
        else:
            parts.append(x)

    if isinstance(e, ast.FString):
        parts = [p if isinstance(p, str) else p.value for p in e.parts
                 if not isinstance(p, ast.FormatPart) or not p.spec]
        if len(parts) != len(e.parts):
            return None
    else:
        flat(e)
    seps = [p.value if isinstance(p, ast.Const) else p for p in parts[1::2]]
    values = parts[0::2]
    if len(values) < 2 or len(parts) % 2 == 0 or not all(
            isinstance(x, str) and x.strip(" ") in (",", ";", "\n") for x in seps) \
            or any(isinstance(v, (ast.Const, str)) for v in values):
        return None
    return ast.ListLit(tuple(v for v in values if isinstance(v, ast.Expr)), e.span)


def _negative_literal(e: ast.Expr) -> bool:
    if isinstance(e, ast.Neg):
        e = e.operand
        return isinstance(e, ast.Const) and isinstance(e.value, (int, float)) and e.value > 0
    return isinstance(e, ast.Const) and isinstance(e.value, (int, float)) and e.value < 0


def _many_for_one(t: Type, answer: Type | None) -> bool:
    """A collection submitted where the task wants one value: a number or yes/no from a
    list, dict or record; a text from a dict or record (a list of texts is joined)."""
    if answer in (INT, FLOAT, BOOL):
        return isinstance(t, (ListT, DictT, RecordT, TupleT))
    return answer == STR and isinstance(t, (DictT, RecordT))


def _look_fix(s: ast.Submit, t: Type, wanted: Type | None) -> tuple[str, dict[str, Any]] | None:
    """The first few of a list submitted for one value are a look at the data: told to
    print a few lines, the 1.5B submitted `stocks.splitlines()[:3]` (fresh dev
    date-range-04), and the fix-it prints them instead."""
    if not isinstance(s.value, ast.Slice) or not isinstance(t, ListT) \
            or isinstance(wanted, ListT):
        return None
    shown = print_expr(s.value)
    return (f"to look at them, print them: print({shown})",
            stmt_fixit(s.span, f"print({shown})"))


_LINE_LISTS = frozenset({"find_lines", "lines_with", "lines_with_all", "lines", "records",
                         "where", "rows_where"})


def _count_fix(e: ast.Expr, t: Type, wanted: Type | None) -> tuple[str, dict[str, Any]] | None:
    """Lines or records a search keeps, submitted for a whole number: how many there are.
    (`submit(lines_with_all(context, ["sayest", "Peter"]))` for "How many lines contain
    all of the words ...", fresh dev several-words-06.) A list of other texts (numbers
    found in a line) may stand for one of them, and is left to the model."""
    if wanted != INT or not isinstance(t, ListT) or not isinstance(e, ast.Call) \
            or e.func not in _LINE_LISTS:
        return None
    counted = f"len({print_expr(e)})"
    return f"how many: {counted}", expr_fixit(e.span, counted)


def _one_value_fix(t: Type, e: ast.Expr) -> str:
    src = print_expr(e)
    if isinstance(t, DictT):
        return f"submit one of its values, {src}[key], or how many keys: len({src})"
    if isinstance(t, RecordT):
        return f"submit one field: {src}[\"{t.fields[0][0]}\"]" if t.fields else "submit a field"
    return f"submit one item, {src}[0], or how many: len({src})"


def _regex_match(e: ast.Expr | None) -> bool:
    """A call of regex_search (the checker's name for `re.search`'s text)."""
    return isinstance(e, ast.Call) and e.func == "regex_search"


def _truth_fix(t: Type, e: ast.Expr, negate: bool = False) -> str | None:
    src = print_expr(e)
    eq, rel = ("==", "==") if negate else ("!=", ">")
    if t == STR:
        return f'compare explicitly: {src} {eq} ""'
    if isinstance(t, (ListT, DictT)):
        return f"compare explicitly: len({src}) {rel if not negate else '=='} 0"
    if t in NUMERIC:
        return f"compare explicitly: {src} {eq} 0"
    if t == NONE:
        return f"compare explicitly: {src} {eq} None"
    if isinstance(t, OptionalT):
        return f"compare explicitly: {src} {'is' if negate else 'is not'} None"
    return None


def _op_fix(op: str, lt: Type, rt: Type) -> str | None:
    if STR in (lt, rt) and (lt in NUMERIC or rt in NUMERIC):
        return "convert the text with int(...) or float(...), or the number with str(...)"
    if op == "+" and isinstance(lt, ListT):
        return "wrap the item in a list: xs + [x]"
    return None


def _cmp_fix(lt: Type, rt: Type, e: ast.Compare) -> tuple[str | None, dict[str, Any]]:
    """A text compared with a number (`row["salary"] > 100100`: a table's cells are
    text): the text read as a number, also as a fix-it the controller runs (float, so
    "52000.50" reads too, and it orders against an int as the int would)."""
    if STR in (lt, rt) and (lt in NUMERIC or rt in NUMERIC):
        s = e.left if lt == STR else e.right
        text = f"float({print_expr(s)})"
        return f"convert the text first: {text}", expr_fixit(s.span, text)
    return None, {}
