"""The abstract syntax tree of RLM script.

Nodes are frozen dataclasses, shaped by the grammar in grammar/rlm.lark.
Every node carries the source span it came from, but spans do not take part
in equality: a script and its canonical reprint compare equal, which is the
round-trip property the printer is tested against. Later stages never mutate
the tree; they return new values (a typed tree, a proof, bytecode).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from dataclasses import replace as dc_replace
from typing import Any

from rlmlang.diagnostics import Span
from rlmlang.types import Type

NO_SPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)  # type: ignore[return-value]


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Expr:
    pass


@dataclass(frozen=True)
class Const(Expr):
    """An int, float, str, bool or None literal."""

    value: int | float | str | bool | None
    span: Span = _span()

    def __eq__(self, other: object) -> bool:
        # 1 == 1.0 == True in Python; literals of different kinds must differ.
        return (isinstance(other, Const) and type(self.value) is type(other.value)
                and self.value == other.value)

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True)
class Name(Expr):
    id: str
    span: Span = _span()


@dataclass(frozen=True)
class Dotted(Expr):
    """`state.key`, or a tool namespace path; also `value.attr`, rejected later."""

    parts: tuple[str, ...]
    span: Span = _span()

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class ListLit(Expr):
    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class DictLit(Expr):
    items: tuple[tuple[Expr, Expr], ...]
    span: Span = _span()


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # + - * / // %
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # == != < <= > >= in "not in"
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class BoolOp(Expr):
    op: str  # and | or   (short-circuit)
    left: Expr
    right: Expr
    span: Span = _span()
    chain: bool = False  # `lo <= x < hi` read as `lo <= x and x < hi` (x is read twice)


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Index(Expr):
    value: Expr
    index: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Slice(Expr):
    value: Expr
    lower: Expr | None
    upper: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Keyword:
    name: str
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Call(Expr):
    """A call of a builtin, a def, a stdlib function or a tool (`llm.predict`)."""

    func: str  # dotted name, e.g. "len" or "llm.predict"
    args: tuple[Expr, ...]
    kwargs: tuple[Keyword, ...] = ()
    span: Span = _span()
    func_span: Span = _span()


@dataclass(frozen=True)
class MethodCall(Expr):
    """`value.method(args)` on a value that is not a plain name (`line.split(",")[0].strip()`).

    A method of a plain name (`s.split(",")`) is a `Call` of `s.split`, as a tool
    would be; the checker tells the two apart by what `s` is. Either way the
    checker resolves the method by the value's static type to a builtin, and
    lowering turns it into a call of that builtin (never a lookup at run time).
    """

    value: Expr
    method: str
    args: tuple[Expr, ...]
    kwargs: tuple[Keyword, ...] = ()
    span: Span = _span()
    func_span: Span = _span()


@dataclass(frozen=True)
class Attribute(Expr):
    """`value.name` on a value that is not a plain name: only ever an error."""

    value: Expr
    attr: str
    span: Span = _span()


@dataclass(frozen=True)
class IfExp(Expr):
    """`body if cond else orelse`."""

    cond: Expr
    body: Expr
    orelse: Expr
    span: Span = _span()


@dataclass(frozen=True)
class TupleLit(Expr):
    """`(a, b)` or `a, b`: a fixed number of values of fixed types (a list at run time)."""

    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Lambda(Expr):
    """`lambda x: expr`: only as the key= of sorted, min and max (it has no name, so it
    cannot recurse); lowering turns it into a loop computing the keys."""

    params: tuple[str, ...]
    body: Expr
    span: Span = _span()


@dataclass(frozen=True)
class CompFor:
    """One `for target in iter if cond ...` clause of a comprehension."""

    targets: tuple[str, ...]  # one name, or several to unpack
    iter: Expr
    ifs: tuple[Expr, ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class ListComp(Expr):
    """`[elt for ...]`, or a generator `f(elt for ...)` (read as a list)."""

    elt: Expr
    gens: tuple[CompFor, ...]
    generator: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class DictComp(Expr):
    """`{key: value for ...}`."""

    key: Expr
    value: Expr
    gens: tuple[CompFor, ...]
    span: Span = _span()


@dataclass(frozen=True)
class FormatPart:
    """`{value:spec}` inside an f-string (spec "" when none)."""

    value: Expr
    spec: str = ""
    span: Span = _span()


@dataclass(frozen=True)
class FString(Expr):
    """`f"text {value:spec} text"`: literal text and formatted values, in order."""

    parts: tuple[str | FormatPart, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Cast(Expr):
    """`expr as T`: the type a sub-model call must produce."""

    value: Expr
    type: Type
    span: Span = _span()


# ----------------------------------------------------------------- statements


@dataclass(frozen=True)
class Stmt:
    pass


@dataclass(frozen=True)
class Assign(Stmt):
    target: Expr  # Name, Index(Name, e), Dotted(("state", key)) or TupleLit of Names
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class AugAssign(Stmt):
    target: Expr
    op: str  # + - *
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class ExprStmt(Stmt):
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Submit(Stmt):
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Fail(Stmt):
    message: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Return(Stmt):
    value: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Break(Stmt):
    span: Span = _span()


@dataclass(frozen=True)
class Continue(Stmt):
    span: Span = _span()


@dataclass(frozen=True)
class Pass(Stmt):
    span: Span = _span()


@dataclass(frozen=True)
class If(Stmt):
    """`if`/`elif` branches in order, then the optional `else` body."""

    branches: tuple[tuple[Expr, tuple[Stmt, ...]], ...]
    orelse: tuple[Stmt, ...] | None
    span: Span = _span()


@dataclass(frozen=True)
class For(Stmt):
    """`for var in iter:`; `for k, v in iter:` has `unpack` ("k", "v") and var "k, v".
    `orelse`: the `else:` body, run when the loop ends without a `break`."""

    var: str
    iter: Expr
    body: tuple[Stmt, ...]
    span: Span = _span()
    unpack: tuple[str, ...] = ()
    orelse: tuple[Stmt, ...] | None = None


@dataclass(frozen=True)
class While(Stmt):
    """`orelse`: the `else:` body, run when the loop ends without a `break`."""

    cond: Expr
    decreases: Expr | None
    body: tuple[Stmt, ...]
    span: Span = _span()
    orelse: tuple[Stmt, ...] | None = None


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Def(Stmt):
    name: str
    params: tuple[Param, ...]
    returns: Type | None
    body: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Import(Stmt):
    """`import re` / `from collections import Counter`: brings nothing in (every function
    is already in scope); kept so that the checker can name what replaces it."""

    module: str
    names: tuple[str, ...] = ()  # `from module import names`
    span: Span = _span()


@dataclass(frozen=True)
class Script:
    body: tuple[Stmt, ...]
    span: Span = _span()


Block = tuple[Stmt, ...]


NOT_LITERAL = object()  # literal_value's answer for an expression that is no literal


def literal_value(e: object, none: bool = False) -> Any:
    """The value of a literal expression (a constant, None only where `none`; a negated
    number; a list of them), else NOT_LITERAL. The controller's feedback and the
    verifier's known searches read a script's literals alike."""
    if isinstance(e, Const) and (none or e.value is not None):
        return e.value
    if isinstance(e, Neg) and isinstance(e.operand, Const) and \
            isinstance(e.operand.value, (int, float)) and not isinstance(e.operand.value, bool):
        return -e.operand.value
    if isinstance(e, ListLit):
        items = [literal_value(i, none) for i in e.items]
        return NOT_LITERAL if any(i is NOT_LITERAL for i in items) else items
    return NOT_LITERAL


def walk(node: object) -> Iterator[object]:
    """Every node under `node` (itself included), with the tuples that hold them."""
    stack: list[object] = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (list, tuple)):
            stack.extend(n)
        else:
            names = _FIELDS.get(type(n))
            if names is None:  # once per class: fields() on every node is most of the walk
                names = _FIELDS[type(n)] = tuple(f.name for f in fields(n)) \
                    if is_dataclass(n) and not isinstance(n, type) else ()
            if names:
                stack.extend([getattr(n, f) for f in names])


_FIELDS: dict[type, tuple[str, ...]] = {}


def words_split(e: object) -> str | None:
    """The name `e` cuts into words (`context.split()`, `context.split(" ")`), or None:
    a loop over it goes through words, not lines (the checker's words_as_lines, and
    task/units.py for a count of lines)."""
    if isinstance(e, Call) and e.func.endswith(".split") and not e.kwargs and (
            not e.args or len(e.args) == 1 and isinstance(e.args[0], Const)
            and e.args[0].value == " "):
        return e.func[:-len(".split")]
    return None


def replace_node(node: Any, old: object, new: object) -> Any:
    """`node` with the object `old` (by identity) replaced by `new`; unchanged parts kept."""
    if node is old:
        return new
    if isinstance(node, tuple):
        items = tuple(replace_node(x, old, new) for x in node)
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    if is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in fields(node):
            value = getattr(node, f.name)
            swapped = replace_node(value, old, new)
            if swapped is not value:
                changes[f.name] = swapped
        return dc_replace(node, **changes) if changes else node
    return node


def child_blocks(stmt: Stmt) -> list[Block]:
    """The nested statement lists of a compound statement, in source order."""
    if isinstance(stmt, If):
        blocks = [body for _, body in stmt.branches]
        if stmt.orelse is not None:
            blocks.append(stmt.orelse)
        return blocks
    if isinstance(stmt, (For, While)):
        return [stmt.body] if stmt.orelse is None else [stmt.body, stmt.orelse]
    if isinstance(stmt, Def):
        return [stmt.body]
    return []


def loop_breaks(body: Block) -> bool:
    """Whether a loop's body has a `break` that leaves that loop (not an inner one's;
    a break in an inner loop's `else:` leaves the outer loop) and can run: a break
    after a statement that ends the block (`submit(...)` then `break`) never does."""
    for s in body:
        if isinstance(s, Break):
            return True
        if isinstance(s, If) and any(loop_breaks(b) for b in child_blocks(s)):
            return True
        if isinstance(s, (For, While)) and s.orelse is not None and loop_breaks(s.orelse):
            return True
        if ends(s):
            return False
    return False


def ends(s: Stmt) -> bool:
    """Whether control surely leaves the block at this statement: a submit, fail,
    return, break or continue, an if whose every branch ends, a loop whose `else:`
    ends and whose body has no break that can run."""
    if isinstance(s, (Submit, Fail, Return, Break, Continue)):
        return True
    if isinstance(s, If):
        return s.orelse is not None and all(any(ends(x) for x in b) for b in child_blocks(s))
    if isinstance(s, (For, While)) and s.orelse is not None:
        return any(ends(x) for x in s.orelse) and not loop_breaks(s.body)
    return False


def assigned_names(body: Block, in_place: bool = False) -> list[str]:
    """The names a block binds, in its nested blocks too, in first-seen source order.

    A name is bound by `=` or `+=` to it, as one of `a, b = ...`, or as a `for`'s
    variable (each name it unpacks). A def's body is not entered: its names are its
    own frame's. With `in_place`, `xs[i] = v` binds `xs` as well: the verifier's
    view, for which a list changed in place is a new value of the name.
    """
    out: dict[str, None] = {}
    for s in _source_order(body):
        if isinstance(s, (Assign, AugAssign)):
            t = s.target
            if in_place and isinstance(t, Index):
                t = t.value
            items = t.items if isinstance(t, TupleLit) and isinstance(s, Assign) else (t,)
            out.update((n.id, None) for n in items if isinstance(n, Name))
        elif isinstance(s, For):
            out.update((n, None) for n in s.unpack or (s.var,))
    return list(out)


def assignments_to(node: object, name: str) -> list[Assign | AugAssign]:
    """Every `name = ...` and `name += ...` in `node`, defs' bodies too, in walk order."""
    return [n for n in walk(node) if isinstance(n, (Assign, AugAssign))
            and isinstance(n.target, Name) and n.target.id == name]


def unused_name(base: str, used: set[str]) -> str:
    """`base`, or `base_`, `base__` …: the first the script does not use (a name a rewrite
    binds must not take one of the script's)."""
    name = base
    while name in used:
        name += "_"
    return name


def identifiers(node: object) -> set[str]:
    """Every name read or written under `node`, and the head of each dotted call (a
    def's or tool's name for a plain call)."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, Name):
            out.add(n.id)
        elif isinstance(n, Call):
            out.add(n.func.split(".", 1)[0])
        elif isinstance(n, Dotted):
            out.add(n.parts[0])
    return out


def bound_in_scopes(node: object) -> set[str]:
    """Names a `for`, a comprehension or a lambda under `node` binds."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, Lambda):
            out.update(n.params)
        elif isinstance(n, CompFor):
            out.update(n.targets)
        elif isinstance(n, For):
            out.update(n.unpack or (n.var,))
    return out


def _source_order(body: Block) -> Iterator[Stmt]:
    """Every statement of a block and of its nested blocks (not a def's), in source order."""
    for s in body:
        yield s
        if not isinstance(s, Def):
            for blk in child_blocks(s):
                yield from _source_order(blk)
