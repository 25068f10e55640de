"""GBNF for llama.cpp, generated from grammar/rlm.lark: the full language and per-task grammars.

The Lark grammar is the single source of truth. This module reads it with
Lark's own grammar loader (the EBNF trees, before Lark compiles `x+` into left
recursion, which llama.cpp refuses) into a small IR, then:

- spaces it canonically: each literal and operator terminal carries the
  spaces `print_script` puts around it (`x = 1`, `f(a, b)`, `f(k=v)`,
  `d[1:2]`); a literal unknown to the spacing table is an error, so a grammar
  change cannot silently produce an unspaced GBNF;
- unrolls indentation: the rules that reach `suite` are emitted once per
  context (nesting depth, and for the model grammar also top level / in a
  loop / in a def); a suite at depth d is "\\n" then statements prefixed with
  4*d spaces; clauses after a suite (`elif`, `else`) get the indent too;
- rewrites left recursion (`A: B | A op B`) into `B (op B)*`, and factors
  alternatives that share a first item, so llama.cpp's set-of-stacks engine
  does not fan out at every nested expression;
- translates terminals from their regexes (the subset the grammar uses:
  literals, classes, groups, alternation, greedy repeats; anything else
  raises), and keeps keywords out of names with a trie complement, since
  Lark's lexer reserves them and GBNF has no negative lookahead.

`full_grammar()` is the whole language in canonical spacing (no comments, no
blank lines) and is checked in as grammar/rlm.gbnf. `model_grammar(...)` is
the same language narrowed for one task so that a tiny model cannot go wrong:
it ends where a top-level `submit(...)` ends, calls only the task's tools,
names only declared state keys, and bounds literals and repetitions.
`value_grammar(T)` holds a sub-model's answer to a JSON value of type T, and
`parse_value` reads it back.
"""

from __future__ import annotations

import ast as pyast
import json
import re
import re._constants as sre_c  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rlmlang.resources import GBNF_FILE
from rlmlang.syntax.parser import GRAMMAR_PATH, MAX_DEPTH
from rlmlang.types import (
    FLOAT,
    NONE,
    STR,
    DictT,
    ListT,
    Prim,
    RecordT,
    Type,
    conforms,
    format_type,
)

GBNF_PATH = GBNF_FILE  # grammar/rlm.gbnf, generated from rlm.lark, shipped as package data
INDENT = "    "


class GbnfError(ValueError):
    """The Lark grammar (or a task) uses something this generator cannot translate."""


# --------------------------------------------------------------------------- IR


@dataclass(frozen=True)
class Node:
    pass


@dataclass(frozen=True)
class Lit(Node):
    text: str


@dataclass(frozen=True)
class Ref(Node):
    name: str


@dataclass(frozen=True)
class Plain(Node):
    """A reference to a rule's plain (context-free) variant, bypassing placement checks."""

    name: str


@dataclass(frozen=True)
class Seq(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt(Node):
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Rep(Node):
    item: Node
    lo: int
    hi: int | None


@dataclass(frozen=True)
class Raw(Node):
    """Pre-rendered GBNF (a character class, a terminal's body)."""

    gbnf: str


EMPTY = Seq(())


def seq(*items: Node) -> Node:
    flat: list[Node] = []
    for it in items:
        if isinstance(it, Seq):
            flat.extend(it.items)
        else:
            flat.append(it)
    # Merge adjacent literals; the spacing table never asks for two spaces in a row.
    out: list[Node] = []
    for it in flat:
        if isinstance(it, Lit) and out and isinstance(out[-1], Lit):
            a, b = out[-1].text, it.text
            if a.endswith(" ") and b.startswith(" "):
                b = b[1:]
            out[-1] = Lit(a + b)
        elif isinstance(it, Lit) and not it.text:
            continue
        else:
            out.append(it)
    return out[0] if len(out) == 1 else Seq(tuple(out))


def alt(*options: Node) -> Node:
    flat: list[Node] = []
    for o in options:
        for x in (o.options if isinstance(o, Alt) else (o,)):
            if x not in flat:
                flat.append(x)
    return flat[0] if len(flat) == 1 else Alt(tuple(flat))


def opt(item: Node) -> Node:
    return Rep(item, 0, 1)


# ------------------------------------------------------------------ spacing

# (space before, space after) for each literal and operator terminal, as print_script
# writes them. Keys: the literal, or (rule-or-alias, literal) for the exceptions.
_SPACING: dict[object, tuple[bool, bool]] = {
    "=": (True, True), "(": (False, False), ")": (False, False), "[": (False, False),
    "]": (False, False), "{": (False, False), "}": (False, False), ",": (False, True),
    ":": (False, True), ".": (False, False), "-": (False, False), "->": (True, True),
    "submit": (False, False), "fail": (False, False), "return": (False, True),
    "break": (False, False), "continue": (False, False), "pass": (False, False),
    "if": (False, True), "elif": (False, True), "else": (False, False), "for": (False, True),
    "in": (True, True), "while": (False, True), "decreases": (True, True),
    "def": (False, True), "as": (True, True), "or": (True, True), "and": (True, True),
    "not": (False, True), "True": (False, False), "False": (False, False),
    "None": (False, False),
    # exceptions: block headers end the line; slices and keyword arguments are tight
    ("if_stmt", ":"): (False, False), ("elif_clause", ":"): (False, False),
    ("else_clause", ":"): (False, False), ("for_stmt", ":"): (False, False),
    ("while_stmt", ":"): (False, False), ("def_stmt", ":"): (False, False),
    ("slice", ":"): (False, False), ("keyword", "="): (False, False),
    ("not_in_op", "not"): (True, True),
    "is": (True, True), ("is_not_op", "not"): (False, True), "lambda": (False, True),
    ("ifexp", "if"): (True, True), ("ifexp", "else"): (True, True),
    ("comp_for", "for"): (True, True), ("comp_if", "if"): (True, True),
    "import": (False, True), "from": (False, True), ("import_from", "import"): (True, True),
    # named terminals
    "AUG_OP": (True, True), "COMP_OP": (True, True), "ADD_OP": (True, True),
    "MUL_OP": (True, True), "NAME": (False, False), "INT": (False, False),
    "FLOAT": (False, False), "STRING": (False, False), "FSTRING": (False, False),
}
# Layout terminals, handled by the unrolling rather than by text.
_LAYOUT = {"_NL", "_INDENT", "_DEDENT"}


def _spaced(key: str, what: str, node: Node) -> Node:
    sp = _SPACING.get((key, what), _SPACING.get(what))
    if sp is None:
        raise GbnfError(f"no canonical spacing known for {what!r} in rule {key!r}; add it to "
                        "rlmlang/syntax/gbnf.py's _SPACING (the printer is the reference)")
    return seq(Lit(" " if sp[0] else ""), node, Lit(" " if sp[1] else ""))


# ------------------------------------------------------------- loading Lark


@dataclass
class Grammar:
    """The Lark grammar as IR: rules and named terminals (both as EBNF trees translated)."""

    rules: dict[str, Node]
    terminals: dict[str, Node]
    keywords: frozenset[str]
    stmt_rule: str  # the rule a suite repeats
    start: str = "start"


def _lit_value(tok: str) -> str:
    if not (tok.startswith('"') and tok.endswith('"')):
        raise GbnfError(f"unsupported literal {tok!r} (flags such as \"x\"i are not supported)")
    return pyast.literal_eval(tok)


def _convert(tree, key: str, terminal: bool) -> Node:
    from lark import Token, Tree

    if isinstance(tree, Token):
        raise GbnfError(f"unexpected token {tree!r} in rule {key!r}")
    data = tree.data
    ch = tree.children
    if data == "expansions":
        return alt(*(_convert(c, key, terminal) for c in ch))
    if data == "alias":
        return _convert(ch[0], str(ch[1].name) if terminal is False else key, terminal)
    if data == "expansion":
        node = seq(*(_convert(c, key, terminal) for c in ch))
        items = node.items if isinstance(node, Seq) else (node,)
        if not terminal:
            # No blank lines: an optional line end (`_NL?`) is dropped.
            items = tuple(i for i in items if not (isinstance(i, Rep) and i.lo == 0
                                                    and i.item == Ref("_NL")))
        if (len(items) >= 2 and isinstance(items[-1], Rep) and items[-1].lo == 0
                and isinstance(items[-2], Lit) and items[-2].text.endswith(" ")):
            # `"return" expr?`: the space belongs to the optional part.
            last = items[-1]
            items = items[:-2] + (Lit(items[-2].text[:-1]),
                                  Rep(seq(Lit(" "), last.item), 0, last.hi))
        return seq(*items)
    if data == "maybe":
        return opt(_convert(ch[0], key, terminal))
    if data == "expr":
        item = _convert(ch[0], key, terminal)
        op = str(ch[1])
        if op == "?":
            return opt(item)
        if op == "*":
            return Rep(item, 0, None)
        if op == "+":
            return Rep(item, 1, None)
        if op == "~":
            lo = int(ch[2])
            hi = int(ch[3]) if len(ch) > 3 else lo
            return Rep(item, lo, hi)
        raise GbnfError(f"unsupported operator {op!r} in rule {key!r}")
    if data == "value":
        v = ch[0]
        if isinstance(v, Tree) and v.data == "literal":
            t = v.children[0]
            if t.type == "REGEXP":
                if not terminal:
                    raise GbnfError(f"regular expression {t} inline in rule {key!r}: name it "
                                    "as a terminal")
                return _regex(str(t), key)
            text = _lit_value(str(t))
            return Lit(text) if terminal else _spaced(key, text, Lit(text))
        if isinstance(v, Tree) and v.data == "range":
            a, b = (_lit_value(str(x)) for x in v.children)
            return Raw(f"[{_cls_char(ord(a))}-{_cls_char(ord(b))}]")
        if isinstance(v, Tree):
            return _convert(v, key, terminal)
        name = str(v.name) if hasattr(v, "name") else str(v)
        if type(v).__name__ == "NonTerminal":
            return Ref(name)
        if type(v).__name__ == "Terminal":
            if terminal or name in _LAYOUT:
                return Ref(name)
            return _spaced(key, name, Ref(name))
        raise GbnfError(f"unsupported item {v!r} in rule {key!r}")
    raise GbnfError(f"unsupported Lark construct {data!r} in rule {key!r} (templates, "
                    "priorities and declarations other than _INDENT/_DEDENT are not supported)")


@lru_cache(maxsize=4)
def load(text: str | None = None) -> Grammar:
    """Read the Lark grammar into IR (cached by text)."""
    from lark.load_grammar import GrammarBuilder

    text = GRAMMAR_PATH.read_text(encoding="utf-8") if text is None else text
    gb = GrammarBuilder()
    gb.load_grammar(text, "<rlm.lark>")
    g = gb.build()
    rules: dict[str, Node] = {}
    for name, params, tree, _options in g.rule_defs:
        if params:
            raise GbnfError(f"rule templates are not supported ({name})")
        rules[str(name)] = _left_recursion(str(name), _convert(tree, str(name), False))
    terminals: dict[str, Node] = {}
    for name, (tree, _prio) in g.term_defs:
        if name.startswith("__") or name in _LAYOUT or name == "COMMENT":
            continue  # %ignore patterns and layout: replaced by explicit canonical layout
        terminals[str(name)] = _convert(tree, str(name), True)
    words = set()
    for node in rules.values():
        for lit in _lits(node):
            words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", lit))
    suite = rules.get("suite")
    if suite is None:
        raise GbnfError("the grammar has no `suite` rule (the generator unrolls it per depth)")
    inner = [r.name for r in _refs(suite) if r.name not in _LAYOUT]
    if len(set(inner)) != 1:
        raise GbnfError("`suite` must be `_NL _INDENT stmt+ _DEDENT` for one statement rule")
    return Grammar(rules, terminals, frozenset(words), inner[0])


def _left_recursion(name: str, node: Node) -> Node:
    """`A: B | A x` becomes `A ::= B (x)*` (llama.cpp refuses left recursion)."""
    options = node.options if isinstance(node, Alt) else (node,)
    base: list[Node] = []
    tails: list[Node] = []
    for o in options:
        items = o.items if isinstance(o, Seq) else (o,)
        if items and items[0] == Ref(name):
            tails.append(seq(*items[1:]))
        else:
            base.append(o)
    if not tails:
        return node
    if not base:
        raise GbnfError(f"rule {name!r} is left-recursive with no base case")
    return seq(alt(*base), Rep(alt(*tails), 0, None))


def _walk(node: Node) -> Iterable[Node]:
    yield node
    if isinstance(node, Seq):
        for x in node.items:
            yield from _walk(x)
    elif isinstance(node, Alt):
        for x in node.options:
            yield from _walk(x)
    elif isinstance(node, Rep):
        yield from _walk(node.item)


def _refs(node: Node) -> list[Ref]:
    return [n for n in _walk(node) if isinstance(n, Ref)]


def _lits(node: Node) -> list[str]:
    return [n.text for n in _walk(node) if isinstance(n, Lit)]


def _map(node: Node, f: Callable[[Node], Node | None]) -> Node:
    """Bottom-up rewrite: f returns a replacement or None to keep the node."""
    if isinstance(node, Seq):
        node = seq(*(_map(x, f) for x in node.items))
    elif isinstance(node, Alt):
        node = alt(*(_map(x, f) for x in node.options))
    elif isinstance(node, Rep):
        node = Rep(_map(node.item, f), node.lo, node.hi)
    got = f(node)
    return node if got is None else got


# ---------------------------------------------------------------- factoring


def _first_rest(node: Node) -> tuple[Node, Node]:
    if isinstance(node, Seq) and node.items:
        return node.items[0], seq(*node.items[1:])
    return node, EMPTY


def factor(node: Node) -> Node:
    """Left-factor alternatives sharing a first item: `a b | a c` becomes `a (b | c)`."""
    if isinstance(node, Seq):
        return seq(*(factor(x) for x in node.items))
    if isinstance(node, Rep):
        return Rep(factor(node.item), node.lo, node.hi)
    if not isinstance(node, Alt):
        return node
    groups: dict[Node, list[Node]] = {}
    order: list[Node] = []
    for o in node.options:
        first, rest = _first_rest(o)
        if first not in groups:
            groups[first] = []
            order.append(first)
        groups[first].append(rest)
    out: list[Node] = []
    for first in order:
        rests = groups[first]
        if len(rests) == 1:
            out.append(factor(seq(first, rests[0])))
            continue
        nonempty = [r for r in rests if r != EMPTY]
        tail = factor(alt(*nonempty)) if nonempty else EMPTY
        if len(nonempty) < len(rests) and nonempty:
            tail = opt(tail)
        out.append(seq(factor(first), tail))
    return alt(*out)


# ------------------------------------------------------------------ regexes


def _cls_char(c: int) -> str:
    ch = chr(c)
    if ch in "\\]-^[":
        return "\\" + ch
    if c == 10:
        return "\\n"
    if c == 13:
        return "\\r"
    if c == 9:
        return "\\t"
    if c < 32 or c == 127:
        return f"\\x{c:02X}"
    return ch


def _lit_gbnf(text: str) -> str:
    out = []
    for ch in text:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif c < 32 or c == 127:
            out.append(f"\\x{c:02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _regex(pattern_tok: str, where: str) -> Node:
    """Translate a Lark /regex/ (the supported subset) to IR; raise on anything else."""
    if not pattern_tok.startswith("/"):
        raise GbnfError(f"unexpected pattern {pattern_tok!r} in {where}")
    body, _, flags = pattern_tok[1:].rpartition("/")
    if flags:
        raise GbnfError(f"regex flags /{flags} in terminal {where} are not supported")
    return _sre(sre_parse.parse(body), where)


def _sre(items, where: str) -> Node:
    out: list[Node] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            out.append(Lit(chr(av)))
        elif op is sre_c.NOT_LITERAL:
            out.append(Raw(f"[^{_cls_char(av)}]"))
        elif op is sre_c.IN:
            out.append(Raw(_sre_class(av, where)))
        elif op is sre_c.BRANCH:
            out.append(alt(*(_sre(b, where) for b in av[1])))
        elif op is sre_c.SUBPATTERN:
            _group, add, dele, p = av
            if add or dele:
                raise GbnfError(f"inline regex flags in terminal {where} are not supported")
            out.append(_sre(p, where))
        elif op is sre_c.MAX_REPEAT:
            lo, hi, p = av
            out.append(Rep(_sre(p, where), lo, None if hi is sre_c.MAXREPEAT else hi))
        else:
            raise GbnfError(f"regex construct {op} in terminal {where} has no GBNF translation "
                            "(supported: literals, classes, groups, |, greedy repeats)")
    return seq(*out)


def _sre_class(items, where: str) -> str:
    neg = ""
    parts = []
    for op, av in items:
        if op is sre_c.NEGATE:
            neg = "^"
        elif op is sre_c.LITERAL:
            parts.append(_cls_char(av))
        elif op is sre_c.RANGE:
            parts.append(f"{_cls_char(av[0])}-{_cls_char(av[1])}")
        else:
            raise GbnfError(f"character class item {op} in terminal {where} is not supported "
                            "(write the characters or ranges out)")
    return f"[{neg}{''.join(parts)}]"


# ------------------------------------------------------- names minus words


def _class_minus(ranges: list[tuple[int, int]], minus: set[int]) -> str | None:
    chars = sorted({c for a, b in ranges for c in range(a, b + 1)} - minus)
    if not chars:
        return None
    runs: list[tuple[int, int]] = []
    for c in chars:
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    body = "".join(_cls_char(a) if a == b else f"{_cls_char(a)}-{_cls_char(b)}" for a, b in runs)
    return f"[{body}]"


_FIRST = [(ord("A"), ord("Z")), (ord("a"), ord("z")), (ord("_"), ord("_"))]
_REST = _FIRST + [(ord("0"), ord("9"))]


def name_rules(rule: str, exclude: Iterable[str], max_len: int | None = None,
               lower_first: bool = False) -> dict[str, str]:
    """GBNF rules for identifiers ([A-Za-z_][A-Za-z0-9_]*) other than the `exclude` words.

    A trie over the excluded words: at each node, a character that leaves the
    trie frees the rest of the name; one that follows it goes on to the child;
    the node may end the name unless it spells an excluded word. `max_len`
    bounds the name's length (so sampling cannot run away). `lower_first`
    names start with [a-z_]: a line of prose ("Here is the script") then
    cannot begin as an assignment to a name `Here`.
    """
    first_chars = _FIRST[1:] if lower_first else _FIRST
    words = sorted(w for w in set(exclude) if not lower_first or not w[:1].isupper())
    for w in words:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", w):
            raise GbnfError(f"{w!r} is not a name")
    rules: dict[str, str] = {}
    counter = [0]

    tails: dict[str, str] = {}

    def tail(used: int) -> str:
        if max_len is None:
            return " [a-zA-Z0-9_]*"
        left = max_len - used
        if left <= 0:
            return ""
        name = f"{rule}-tail{left}"  # shared, so llama.cpp expands each bound once
        tails[name] = f"[a-zA-Z0-9_]{{0,{left}}}"
        return f" {name}"

    def node(prefix: str) -> str | None:
        """The rule for what may follow `prefix`; None when only the end may."""
        kids = sorted({w[len(prefix)] for w in words
                       if w.startswith(prefix) and len(w) > len(prefix)})
        alts: list[str] = []
        if max_len is None or len(prefix) < max_len:
            free = _class_minus(first_chars if not prefix else _REST, {ord(k) for k in kids})
            if free:
                alts.append(free + tail(len(prefix) + 1))
            for k in kids:
                child = node(prefix + k)
                alts.append(_lit_gbnf(k) + (f" {child}" if child else ""))
        can_end = bool(prefix) and prefix not in words
        if not alts:
            if can_end:
                return None
            raise GbnfError(f"no name can continue {prefix!r}")
        body = " | ".join(alts)
        if can_end:
            body = f"({body})?"
        if not prefix:
            here = rule
        else:
            counter[0] += 1
            here = f"{rule}-{counter[0]}"
        rules[here] = body
        return here

    node("")
    return {rule: rules.pop(rule), **rules, **dict(sorted(tails.items()))}


# ------------------------------------------------------------------ emission


@dataclass(frozen=True)
class Ctx:
    depth: int = 0
    top: bool = True
    loop: bool = False
    fn: bool = False


class Policy:
    """Where statements may appear. The full language: anywhere, up to `depth` blocks."""

    droppable: frozenset[str] = frozenset()

    def __init__(self, depth: int):
        self.depth = depth

    def enter(self, rule: str, ctx: Ctx) -> Ctx:
        return replace(ctx, depth=ctx.depth + 1, top=False)

    def allowed(self, rule: str, ctx: Ctx) -> bool:
        return rule != "suite" or ctx.depth <= self.depth

    def suffix(self, ctx: Ctx) -> str:
        return str(ctx.depth)


def _ctx_dependent(rules: dict[str, Node], policy: Policy) -> set[str]:
    """Rules whose text depends on the context: those reaching a suite or a droppable rule."""
    seeds = {"suite"} | set(policy.droppable)
    dep = {"suite"}
    changed = True
    while changed:
        changed = False
        for name, body in rules.items():
            if name not in dep and any(r.name in seeds or r.name in dep for r in _refs(body)):
                dep.add(name)
                changed = True
    return dep


def _inline_options(rules: dict[str, Node], keep: set[str]) -> dict[str, Node]:
    """Inline rules used once, where they are a whole alternative of their user.

    `simple_stmt: assign | aug_assign | expr_stmt` then becomes one alternative
    set that `factor` can merge on the shared leading `expr`, so llama.cpp tracks
    one parse instead of three through every statement's first expression.
    """
    out = dict(rules)

    def uses() -> dict[str, int]:
        seen: set[str] = set()
        todo = [k for k in keep if k in out]
        count: dict[str, int] = {}
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for r in _refs(out[name]):
                count[r.name] = count.get(r.name, 0) + 1
                if r.name in out:
                    todo.append(r.name)
        return count

    changed = True
    while changed:
        changed = False
        count = uses()

        def inlinable(name: str, count: dict[str, int] = count) -> bool:
            return (name in out and count.get(name) == 1 and name not in keep
                    and Ref(name) not in _refs(out[name]))

        def f(n: Node) -> Node | None:
            if isinstance(n, Alt) and any(isinstance(o, Ref) and inlinable(o.name)
                                          for o in n.options):
                return alt(*(out[o.name] if isinstance(o, Ref) and inlinable(o.name)
                             else o for o in n.options))
            return None

        for name, body in out.items():
            new = _map(body, f)
            if new != body:
                out[name] = new
                changed = True
                break
    return out


def _gname(name: str) -> str:
    out = name.replace("_", "-")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", out):
        raise GbnfError(f"cannot make a GBNF rule name from {name!r}")
    return out


class Emitter:
    """Renders IR to GBNF rule text, unrolling the context-dependent rules."""

    def __init__(self, g: Grammar, rules: dict[str, Node], terminals: dict[str, str],
                 policy: Policy):
        self.g = g
        self.rules = rules
        self.terminals = terminals  # terminal name -> GBNF rule name (already emitted)
        self.policy = policy
        self.out: dict[str, str] = {}
        self.done: dict[tuple[str, Ctx | None], str | None] = {}
        self.recursive: set[tuple[str, Ctx | None]] = set()
        self.ctx_rules = self._ctx_dependent()
        self.ends_suite = self._suite_enders()

    def _ctx_dependent(self) -> set[str]:
        return _ctx_dependent(self.rules, self.policy)

    def _suite_enders(self) -> set[str]:
        ends: set[str] = {"suite"}
        changed = True
        while changed:
            changed = False
            for name, body in self.rules.items():
                if name not in ends and self._ends(body, ends):
                    ends.add(name)
                    changed = True
        return ends

    def _ends(self, node: Node, ends: set[str]) -> bool:
        if isinstance(node, Ref):
            return node.name in ends
        if isinstance(node, Seq):
            return bool(node.items) and self._ends(node.items[-1], ends)
        if isinstance(node, Alt):
            return all(self._ends(o, ends) for o in node.options)
        if isinstance(node, Rep):
            return node.lo > 0 and self._ends(node.item, ends)
        return False

    def rule(self, name: str, ctx: Ctx | None) -> str | None:
        """The GBNF name of rule `name` in `ctx`, emitting it if needed (None: impossible)."""
        if name in self.terminals:
            return self.terminals[name]
        if name not in self.rules:
            raise GbnfError(f"undefined rule {name!r}")
        if name not in self.ctx_rules:
            ctx = None
        key = (name, ctx)
        if key in self.done:
            self.recursive.add(key)
            return self.done[key]
        gname = _gname(name) if ctx is None else f"{_gname(name)}-{self.policy.suffix(ctx)}"
        self.done[key] = gname  # recursive references resolve to the rule being emitted
        self.out[gname] = ""  # keep the rules in the order they are first reached
        body_node = self.rules[name]
        if ctx is not None and name == self.g.stmt_rule:
            body_node = seq(Lit(INDENT * ctx.depth), body_node)
        body = self.render(body_node, name, ctx)
        if body is None:
            if key in self.recursive:
                raise GbnfError(f"rule {name!r} is impossible in context {ctx} but refers "
                                "to itself")
            self.done[key] = None
            del self.out[gname]
            return None
        self.out[gname] = body
        return gname

    def render(self, node: Node, rule: str, ctx: Ctx | None, top: bool = True) -> str | None:
        if isinstance(node, Lit):
            return _lit_gbnf(node.text) if node.text else '""'
        if isinstance(node, Raw):
            return node.gbnf
        if isinstance(node, Plain):
            return self.rule(node.name, None if node.name not in self.ctx_rules else
                             Ctx(ctx.depth if ctx else 0, False, False, False))
        if isinstance(node, Ref):
            return self._ref(node.name, rule, ctx)
        if isinstance(node, Seq):
            parts: list[str] = []
            after_suite = False
            for item in node.items:
                if after_suite and ctx is not None and ctx.depth > 0:
                    ind = Lit(INDENT * ctx.depth)
                    item = Rep(seq(ind, item.item), item.lo, item.hi) if isinstance(
                        item, Rep) else seq(ind, item)
                r = self.render(item, rule, ctx, top=False)
                if r is None:
                    if isinstance(item, Rep) and item.lo == 0:
                        continue
                    return None
                if r:
                    parts.append(r)
                after_suite = self._ends_item(item)
            text = " ".join(parts)
            return text if top or len(parts) <= 1 else f"({text})"
        if isinstance(node, Alt):
            opts = [self.render(o, rule, ctx, top=False) for o in node.options]
            got = [o for o in opts if o is not None]
            if not got:
                return None
            nonempty = [o for o in got if o]
            if not nonempty:
                return ""
            text = " | ".join(nonempty)
            if len(nonempty) < len(got):
                return f"({text})?"
            return text if top or len(nonempty) == 1 else f"({text})"
        if isinstance(node, Rep):
            inner = self.render(node.item, rule, ctx, top=False)
            if inner is None:
                return "" if node.lo == 0 else None
            if not inner:
                return ""
            if inner[-1] in "?*+}":
                inner = f"({inner})"
            lo, hi = node.lo, node.hi
            if (lo, hi) == (0, 1):
                return inner + "?"
            if (lo, hi) == (0, None):
                return inner + "*"
            if (lo, hi) == (1, None):
                return inner + "+"
            if hi is None:
                return f"{inner}{{{lo},}}"
            if lo == hi:
                return f"{inner}{{{lo}}}"
            return f"{inner}{{{lo},{hi}}}"
        raise GbnfError(f"cannot render {node!r}")

    def _ends_item(self, item: Node) -> bool:
        if isinstance(item, Rep):
            return self._ends(item.item, self.ends_suite)
        return self._ends(item, self.ends_suite)

    def _ref(self, name: str, rule: str, ctx: Ctx | None) -> str | None:
        if name == "_NL":
            return '"\\n"'
        if name in ("_INDENT", "_DEDENT"):
            return ""
        if name in self.policy.droppable and ctx is not None \
                and not self.policy.allowed(name, ctx):
            return None
        if name == "suite":
            assert ctx is not None
            inner = self.policy.enter(rule, ctx)
            if not self.policy.allowed("suite", inner):
                return None
            return self.rule(name, inner)
        return self.rule(name, ctx if name in self.ctx_rules else None)


def _render_terminal(body: Node) -> str:
    em = Emitter.__new__(Emitter)
    em.ends_suite = set()
    em.ctx_rules = set()
    got = em.render(body, "", None)
    if not got:
        raise GbnfError(f"terminal {body} matches nothing or only the empty string")
    return got


def _compile(g: Grammar, rules: dict[str, Node], extern: dict[str, str], helpers: dict[str, str],
             policy: Policy, start: Node, header: str) -> str:
    """Factor, unroll and print. `extern`: IR name -> GBNF body of terminal-like rules
    (emitted when used); `helpers`: GBNF rules they refer to (always emitted)."""
    keep = _ctx_dependent(rules, policy) | set(policy.droppable) | {g.start, g.stmt_rule}
    rules = {k: factor(v) for k, v in _inline_options(rules, keep).items()}
    names = {k: _gname(k) for k in extern}
    em = Emitter(g, rules, names, policy)
    root_body = em.render(factor(start), g.start, Ctx())
    if root_body is None:
        raise GbnfError("the grammar's start rule cannot be emitted")
    text = " ".join([root_body, *em.out.values(), *helpers.values()])
    used = set(re.findall(r"[A-Za-z][A-Za-z0-9-]*", text))
    clash = ({names[k] for k in extern} | set(helpers)) & set(em.out)
    if clash:
        raise GbnfError(f"GBNF rule name clash: {sorted(clash)}")
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines += ["", f"root ::= {root_body}"]
    lines += [f"{k} ::= {v}" for k, v in em.out.items()]
    lines += [f"{names[k]} ::= {v}" for k, v in extern.items() if names[k] in used]
    lines += [f"{k} ::= {v}" for k, v in helpers.items()]
    return "\n".join(lines) + "\n"


def _name_terminal(g: Grammar, exclude: Iterable[str], max_len: int | None) -> dict[str, str]:
    """The NAME terminal as trie rules; checks the Lark NAME is the identifier pattern."""
    name_node = g.terminals.get("NAME")
    expected = seq(Raw("[A-Za-z_]"), Rep(Raw("[A-Za-z0-9_]"), 0, None))
    if name_node != expected:
        raise GbnfError("NAME is no longer /[A-Za-z_][A-Za-z0-9_]*/: update the keyword "
                        "exclusion in rlmlang/syntax/gbnf.py")
    return name_rules("NAME", exclude, max_len)


# ------------------------------------------------------------ full language


_HEADER_FULL = """\
GBNF for RLM script, generated from grammar/rlm.lark by rlmlang/syntax/gbnf.py.
Do not edit: run `rlm grammar --gbnf > grammar/rlm.gbnf` (a test checks it is fresh).
The whole language in canonical layout: single spaces as `rlm fmt` prints them,
4-space indentation unrolled to depth {depth}, no comments or blank lines."""


@lru_cache(maxsize=8)
def full_grammar(depth: int = MAX_DEPTH) -> str:
    """The whole language (canonical spacing), blocks nested up to `depth`."""
    if not 0 <= depth <= MAX_DEPTH:
        raise GbnfError(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    g = load()
    extern = {n: _render_terminal(b) for n, b in g.terminals.items() if n != "NAME"}
    helpers = _name_terminal(g, g.keywords, None)
    extern["NAME"] = helpers.pop("NAME")
    return _compile(g, dict(g.rules), extern, helpers, Policy(depth), g.rules[g.start],
                    _HEADER_FULL.format(depth=depth))


# ----------------------------------------------------------- model grammar

# Words a tiny model must not use as variable names: parse() flags them as Python-isms.
_PYTHON_WORDS = ("lambda", "import", "from", "class", "try", "except", "finally", "raise",
                 "with", "global", "nonlocal", "yield", "async", "await", "del", "assert", "is",
                 "state")
MODEL_STRING_MAX = 60
MODEL_INT_DIGITS = 12
MODEL_NAME_MAX = 32
MODEL_ITEMS_MAX = 8


class ModelPolicy(Policy):
    """Placement for the model: submit/fail only in blocks (the script ends with one
    top-level submit), break/continue only in loops, return only in defs, defs only
    at the top level and only when allowed."""

    droppable = frozenset({"submit_stmt", "fail_stmt", "return_stmt", "break_stmt",
                           "continue_stmt", "def_stmt"})

    def __init__(self, depth: int, allow_def: bool):
        super().__init__(depth)
        self.allow_def = allow_def

    def enter(self, rule: str, ctx: Ctx) -> Ctx:
        loop = ctx.loop or rule in ("for_stmt", "while_stmt")
        fn = ctx.fn or rule == "def_stmt"
        if rule == "def_stmt":
            loop = False
        return Ctx(ctx.depth + 1, False, loop, fn)

    def allowed(self, rule: str, ctx: Ctx) -> bool:
        if rule == "suite":
            return ctx.depth <= self.depth
        if rule in ("submit_stmt", "fail_stmt"):
            return not ctx.top
        if rule == "return_stmt":
            return ctx.fn
        if rule in ("break_stmt", "continue_stmt"):
            return ctx.loop
        if rule == "def_stmt":
            return self.allow_def and ctx.top
        return True

    def suffix(self, ctx: Ctx) -> str:
        flags = ("t" if ctx.top else "") + ("l" if ctx.loop else "") + ("f" if ctx.fn else "")
        return f"{ctx.depth}{flags}"


def _check_name(word: str, what: str, dotted: bool = False) -> None:
    pat = r"[A-Za-z_][A-Za-z0-9_]*" + (r"(\.[A-Za-z_][A-Za-z0-9_]*)*" if dotted else "")
    if not re.fullmatch(pat, word):
        raise GbnfError(f"{what} {word!r} is not a valid name")


def _subst(rules: dict[str, Node], rule: str, old: Node, new: Node, count: int | None = None
           ) -> None:
    """Replace `old` by `new` in one rule; fail loudly if the grammar no longer has it."""
    hits = [0]

    def f(n: Node) -> Node | None:
        if n == old:
            hits[0] += 1
            return new
        return None

    rules[rule] = _map(rules[rule], f)
    if hits[0] == 0 or (count is not None and hits[0] != count):
        raise GbnfError(f"the model grammar expects {old} in rule {rule!r} "
                        f"({hits[0]} found): grammar/rlm.lark changed, update gbnf.py")


def _replace_first(rules: dict[str, Node], rule: str, first: Node, new: Node) -> None:
    """In `rule`, the sequence(s) starting with `first` start with `new` instead."""
    hits = [0]

    def f(n: Node) -> Node | None:
        if isinstance(n, Seq) and n.items and n.items[0] == first and len(n.items) > 1:
            hits[0] += 1
            return Seq((new,) + n.items[1:])
        return None

    rules[rule] = _map(rules[rule], f)
    if hits[0] != 1:
        raise GbnfError(f"the model grammar expects one sequence starting with {first} in "
                        f"rule {rule!r} ({hits[0]} found): update gbnf.py")


def _drop_option(rules: dict[str, Node], rule: str, option: Node) -> None:
    """Remove one alternative of a rule; fail loudly if the grammar no longer has it."""
    node = rules[rule]
    if not isinstance(node, Alt) or option not in node.options:
        raise GbnfError(f"the model grammar expects {option} among the options of rule "
                        f"{rule!r}: grammar/rlm.lark changed, update gbnf.py")
    rules[rule] = alt(*(o for o in node.options if o != option))


def _postfix_parts(node: Node) -> tuple[Node, Node, list[Node]]:
    """From `postfix ::= atom (tail)*`: the call tail `(args)`, the dot of the attribute
    tail, and the other tails (index, slice)."""
    items = node.items if isinstance(node, Seq) else ()
    rep = items[1] if len(items) == 2 and isinstance(items[1], Rep) else None
    tails = list(rep.item.options) if rep is not None and isinstance(rep.item, Alt) else []
    call = [t for t in tails if isinstance(t, Seq) and t.items[0] == Lit("(")]
    attr = [t for t in tails if isinstance(t, Seq) and t.items == (Lit("."), Ref("NAME"))]
    if len(call) != 1 or len(attr) != 1:
        raise GbnfError("the model grammar expects `postfix` to be an atom followed by index, "
                        "slice, `.NAME` and call tails: grammar/rlm.lark changed, update gbnf.py")
    rest = [t for t in tails if t is not call[0] and t is not attr[0]]
    return call[0], attr[0].items[0], rest


def _core_only(rules: dict[str, Node]) -> None:
    """The model grammar without the Python forms (methods, comprehensions, generators,
    conditional expressions, lambdas, `is`, tuples, unpacking, f-strings): the small
    core a tiny model is held to."""
    def drop(rule: str, keep: Callable[[Node], bool]) -> None:
        node = rules[rule]
        options = node.options if isinstance(node, Alt) else (node,)
        rules[rule] = alt(*(o for o in options if keep(o)))

    def uses(o: Node, *names: str) -> bool:
        return any(isinstance(n, Ref) and n.name in names for n in _walk(o))

    def tuple_atom(o: Node) -> bool:
        return isinstance(o, Seq) and o.items[:1] == (Lit("("),) and any(
            isinstance(i, Rep) and i.lo >= 1 for i in o.items)

    drop("atom", lambda o: not uses(o, "comp_for", "FSTRING") and not tuple_atom(o)
         and o != Ref("FSTRING"))
    rules["test"] = Ref("or_test")
    drop("comparison", lambda o: not (isinstance(o, Seq) and any(
        isinstance(i, Lit) and i.text.strip().startswith("is") for i in o.items)))
    drop("argument", lambda o: not uses(o, "comp_for"))
    rules["testlist"] = Ref("expr")
    rules["for_target"] = Ref("var")
    assign = rules["assign"]
    assert isinstance(assign, Seq)
    rules["assign"] = Seq((Ref("target"),) + assign.items[1:])  # no unpacking
    drop("expr_stmt", lambda o: not uses(o, "method"))
    postfix = rules["postfix"]
    assert isinstance(postfix, Seq) and isinstance(postfix.items[1], Rep)
    tails = postfix.items[1].item
    keep = [t for t in (tails.options if isinstance(tails, Alt) else (tails,))
            if not uses(t, "method")]
    rules["postfix"] = seq(postfix.items[0], Rep(alt(*keep), 0, None))
    for r in ("method", "comp_for", "comp_if", "lambda_params"):
        rules.pop(r, None)


def method_names() -> list[str]:
    """Every method a value has (the checker's table), for the model grammar."""
    from rlmlang.syntax.methods import DICT_METHODS, LIST_METHODS, STR_METHODS

    return sorted(set(STR_METHODS) | set(LIST_METHODS) | set(DICT_METHODS))


def _bound(node: Node, hi: int) -> Node:
    return _map(node, lambda n: Rep(n.item, n.lo, max(hi, n.lo)) if isinstance(n, Rep)
                and n.hi is None else None)


_HEADER_MODEL = """\
Model grammar for one task, generated from grammar/rlm.lark by rlmlang/syntax/gbnf.py.
tools: {tools}
inputs: {inputs}; state keys: {keys}; output: {output}
at most {ms} statements, then one top-level submit(...); blocks of at most {mb}
statements, nested at most {depth} deep; def {defs}."""


@lru_cache(maxsize=64)
def _model_grammar(tools: tuple[str, ...], inputs: tuple[str, ...], state_keys: tuple[str, ...],
                   output: Type, max_statements: int, max_block: int, depth: int,
                   allow_def: bool, string_max: int = MODEL_STRING_MAX,
                   items_max: int = MODEL_ITEMS_MAX, lower_names: bool = False,
                   python_forms: bool = True) -> str:
    if not 0 <= depth <= MAX_DEPTH:
        raise GbnfError(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    if max_statements < 0 or max_block < 1:
        raise GbnfError("max_statements must be >= 0 and max_block >= 1")
    for t in tools:
        _check_name(t, "tool name", dotted=True)
    for n in inputs:
        _check_name(n, "input name")
    for k in state_keys:
        _check_name(k, "state key")
    g = load()
    tools = tuple(sorted(set(tools)))
    if not tools:
        raise GbnfError("the model grammar needs at least one tool to call")
    rules = dict(g.rules)

    # Names: free variable names (bounded, minus keywords, tools and Python-isms).
    reserved = set(g.keywords) | set(_PYTHON_WORDS)
    reserved |= {t.split(".")[0] for t in tools}
    bad_inputs = [n for n in inputs if n in reserved]
    if bad_inputs:
        raise GbnfError(f"input name(s) {', '.join(bad_inputs)} collide with a keyword or tool")
    var_rules = name_rules("var", reserved, MODEL_NAME_MAX, lower_first=lower_names)

    rules["var_ref"] = alt(*(Lit(n) for n in inputs), Ref("var"),
                           *(Lit(f"state.{k}") for k in state_keys))
    calls = [Lit(t) for t in tools] + ([Ref("var")] if allow_def else [])
    rules["callee"] = alt(*calls)
    targets: list[Node] = [seq(Ref("var"), opt(seq(Lit("["), Ref("expr"), Lit("]"))))]
    targets += [Lit(f"state.{k}") for k in state_keys]
    rules["target"] = alt(*targets)
    # Calls name a tool (or a def), or are methods of values (by name: the checker's
    # method table); no attribute access otherwise, and no calls of call results.
    call_tail, method_tail, tails = _postfix_parts(rules["postfix"])
    rules["method"] = alt(*(Lit(m) for m in method_names()))
    # A method may also be named without a call: `max(d, key=d.get)`.
    rules["postfix"] = seq(alt(seq(Ref("callee"), call_tail), Ref("atom")),
                           Rep(alt(*tails, seq(method_tail, Ref("method"), opt(call_tail))), 0,
                               None))
    _subst(rules, "atom", Ref("NAME"), Ref("var_ref"), 1)
    unpack = seq(Ref("var"), Rep(seq(Lit(", "), Ref("var")), 1, items_max - 1))
    _replace_first(rules, "assign", Ref("testlist"), alt(Ref("target"), unpack))
    _replace_first(rules, "aug_assign", Ref("expr"), Ref("target"))
    rules["expr_stmt"] = alt(seq(Ref("callee"), call_tail),
                             seq(Ref("var"), method_tail, Ref("method"), call_tail))
    # A keyword argument's name is a parameter's, which may be a tool's name too (`where=`);
    # the core keeps the small model to its plain variable names.
    _replace_first(rules, "argument", Ref("expr"), Ref("kwname" if python_forms else "var"))
    for r in ("for_target", "def_stmt", "param", "field_type", "lambda_params"):
        _subst(rules, r, Ref("NAME"), Ref("var"))
    if not python_forms:
        _core_only(rules)
    # Imports bring nothing in: the model is not offered them.
    _drop_option(rules, "simple_stmt", Ref("import_stmt"))
    for r in ("import_stmt", "import_list", "dotted_name"):
        rules.pop(r, None)
    rules["type"] = alt(*(Lit(p) for p in ("int", "float", "bool", "str", "none")),
                        seq(Lit("list["), Ref("type"), Lit("]")),
                        seq(Lit("dict[str, "), Ref("type"), Lit("]")),
                        seq(Lit("{"), Ref("field_type"),
                            Rep(seq(Lit(", "), Ref("field_type")), 0, items_max - 1),
                            Lit("}")))
    for name in list(rules):
        if name == "suite":
            rules[name] = _bound(rules[name], max_block)
        elif name != g.start:
            rules[name] = _bound(rules[name], items_max)
    start = seq(Rep(Ref(g.stmt_rule), 0, max_statements), Plain("submit_stmt"), Lit("\n"))

    extern = {
        "INT": f'"0" | [1-9] [0-9]{{0,{MODEL_INT_DIGITS - 1}}}',
        "FLOAT": f'("0" | [1-9] [0-9]{{0,{MODEL_INT_DIGITS - 1}}}) "." '
                 f'[0-9]{{1,{MODEL_INT_DIGITS}}}',
        "STRING": f'"\\"" str-char{{0,{string_max}}} "\\""',
        "FSTRING": f'"f\\"" fstr-part{{0,{string_max}}} "\\""',
        **{n: _render_terminal(b) for n, b in g.terminals.items()
           if n not in ("INT", "FLOAT", "STRING", "NAME", "FSTRING")},
    }
    extern["var"] = var_rules.pop("var")
    kw_rules: dict[str, str] = {}
    if python_forms:
        kw_rules = name_rules("kwname", set(g.keywords) | set(_PYTHON_WORDS), MODEL_NAME_MAX)
        extern["kwname"] = kw_rules.pop("kwname")
    helpers = {"str-char": '[^"\\\\\\x00-\\x1F\\x7F] | "\\\\" [nrt"\\\\]',
               "fstr-part": f'fstr-char | "{{{{" | "}}}}" | "{{" fexpr-char{{1,{MODEL_NAME_MAX}}} "}}"',
               "fstr-char": '[^"{}\\\\\\x00-\\x1F\\x7F] | "\\\\" [nrt"\\\\]',
               "fexpr-char": '[^"{}\\\\\\x00-\\x1F\\x7F]', **var_rules, **kw_rules}
    header = _HEADER_MODEL.format(
        tools=", ".join(tools), inputs=", ".join(inputs) or "-",
        keys=", ".join(state_keys) or "-", output=format_type(output), ms=max_statements,
        mb=max_block, depth=depth, defs="allowed at the top level" if allow_def else "not allowed")
    return _compile(g, rules, extern, helpers, ModelPolicy(depth, allow_def), start, header)


def model_grammar(tools: list[str], inputs: list[str], state_keys: list[str], output: Type,
                  max_statements: int = 8, max_block: int = 6, depth: int = 3,
                  allow_def: bool = False, string_max: int = MODEL_STRING_MAX,
                  items_max: int = MODEL_ITEMS_MAX, lower_names: bool = False,
                  python_forms: bool = True) -> str:
    """The grammar a model writes one task's script under (cached by its arguments).

    The script is at most `max_statements` statements, then exactly one top-level
    `submit(expr)` and a newline, nothing after. Calls name only `tools` (and, with
    `allow_def`, functions the script defines); `state.KEY` only the declared keys;
    variable names are free (inputs offered by name) but never a keyword, tool or
    Python-only word, and with `lower_names` they start with a lower-case letter or
    `_` (so prose cannot start a line); string literals hold at most `string_max`
    characters (double quotes), ints at most 12 digits, lists/arguments at most
    `items_max` items. `output` is recorded in the header; the typechecker checks
    submit's type. Without `python_forms` the grammar is the small core (no methods,
    comprehensions, conditional expressions, lambdas, tuples or f-strings).
    """
    return _model_grammar(tuple(tools), tuple(inputs), tuple(state_keys), output,
                          max_statements, max_block, depth, allow_def, string_max,
                          items_max, lower_names, python_forms)


# ------------------------------------------------------------- JSON values

VALUE_STRING_MAX = 200
VALUE_ITEMS_MAX = 32


@lru_cache(maxsize=64)
def value_grammar(t: Type) -> str:
    """GBNF for one JSON value of type `t` (compact: `, ` and `: ` separators)."""
    rules: dict[str, str] = {}
    names: dict[Type, str] = {}

    def rule(tt: Type) -> str:
        if tt in names:
            return names[tt]
        if isinstance(tt, Prim):
            name = {"int": "int", "float": "float", "bool": "bool", "str": "string",
                    "none": "null"}[tt.name]
            names[tt] = name
            rules[name] = {
                "int": '"0" | "-"? [1-9] [0-9]{0,17}',
                "float": '"-"? ("0" | [1-9] [0-9]{0,17}) ("." [0-9]{1,17})?',
                "bool": '"true" | "false"',
                "string": f'"\\"" json-char{{0,{VALUE_STRING_MAX}}} "\\""',
                "null": '"null"',
            }[name]
            if name == "string":
                rules["json-char"] = '[^"\\\\\\x00-\\x1F\\x7F] | "\\\\" ["\\\\/nrt]'
            return name
        name = f"v{len(names)}"
        names[tt] = name
        if isinstance(tt, ListT):
            e = rule(tt.elem)
            rules[name] = f'"[" ({e} (", " {e}){{0,{VALUE_ITEMS_MAX - 1}}})? "]"'
        elif isinstance(tt, DictT):
            s = rule(STR)
            v = rule(tt.value)
            kv = f'{s} ": " {v}'
            rules[name] = f'"{{" ({kv} (", " {kv}){{0,{VALUE_ITEMS_MAX - 1}}})? "}}"'
        elif isinstance(tt, RecordT):
            parts = [f'{_lit_gbnf(json.dumps(f) + ": ")} {rule(ft)}' for f, ft in tt.fields]
            inner = ' ", " '.join(parts)
            rules[name] = f'"{{" {inner} "}}"' if parts else '"{}"'
        else:
            raise GbnfError(f"no JSON grammar for type {format_type(tt)}")
        return name

    root = rule(t)
    lines = [f"# JSON value of type {format_type(t)} (rlmlang/syntax/gbnf.py)",
             f"root ::= {root}"]
    lines += [f"{k} ::= {v}" for k, v in rules.items()]
    return "\n".join(lines) + "\n"


def parse_value(text: str, t: Type) -> object:
    """Read a JSON value of type `t` (as written under `value_grammar(t)`).

    A ToolError (the VM reports it at the call) when the text is cut short or is
    not a `t`: a generation that hit its token limit is not a value.
    """
    from rlmlang.tools.errors import ToolError

    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as e:
        raise ToolError(f"the model's answer is not a complete {format_type(t)} value "
                          f"({e.msg} at character {e.pos}): {text[:80]!r}") from None
    value = _coerce(value, t)
    if not conforms(value, t):
        raise ToolError(f"the model's answer {text[:80]!r} is not a {format_type(t)}")
    return value


def _coerce(v: object, t: Type) -> object:
    if t == FLOAT and isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(t, ListT) and isinstance(v, list):
        return [_coerce(x, t.elem) for x in v]
    if isinstance(t, DictT) and isinstance(v, dict):
        return {k: _coerce(x, t.value) for k, x in v.items()}
    if isinstance(t, RecordT) and isinstance(v, dict):
        return {k: _coerce(x, t.field(k) or NONE) for k, x in v.items()}
    return v


__all__ = ["GBNF_PATH", "GbnfError", "full_grammar", "model_grammar", "value_grammar",
           "parse_value", "name_rules", "load"]
