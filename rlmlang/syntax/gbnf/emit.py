"""GBNF text from the IR: the one place grammar text is written.

Rules are rendered as llama.cpp reads them (`name ::= body`, rule names of
letters, digits and `-`, literals escaped). `compile_grammar` prints a language
grammar: it inlines rules used once where they are a whole alternative, left-factors
(so llama.cpp's set-of-stacks engine does not fan out at every nested expression),
and unrolls indentation: the rules that reach `suite` are emitted once per context
(nesting depth, and for the model grammar also top level / in a loop / in a def,
as a `Policy` says); a suite at depth d is "\\n" then statements prefixed with 4*d
spaces, and clauses after a suite (`elif`, `else`) get the indent too. `emit_rules`
prints a plain set of rules as they are (a sub-model's answer grammar).

Lexical rules built by hand (bounded literals, identifier tries, JSON values) are
rendered "bare": a sequence inside a choice is not parenthesised, since GBNF binds
a sequence tighter than `|`. Both forms read the same to llama.cpp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rlmlang.syntax.gbnf.ir import (
    Alt,
    GbnfError,
    Lit,
    Node,
    Plain,
    Raw,
    Ref,
    Rep,
    Seq,
    alt,
    factor,
    refs,
    rewrite,
    seq,
)

INDENT = "    "


def cls_char(c: int) -> str:
    """One character inside a GBNF character class, escaped."""
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


def lit_gbnf(text: str) -> str:
    """A GBNF string literal for `text`."""
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


def gname(name: str) -> str:
    """The GBNF rule name of an IR rule (`for_stmt` is `for-stmt`)."""
    out = name.replace("_", "-")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", out):
        raise GbnfError(f"cannot make a GBNF rule name from {name!r}")
    return out


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
            if name not in dep and any(r.name in seeds or r.name in dep for r in refs(body)):
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
            for r in refs(out[name]):
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
                    and Ref(name) not in refs(out[name]))

        def f(n: Node) -> Node | None:
            if isinstance(n, Alt) and any(isinstance(o, Ref) and inlinable(o.name)
                                          for o in n.options):
                return alt(*(out[o.name] if isinstance(o, Ref) and inlinable(o.name)
                             else o for o in n.options))
            return None

        for name, body in out.items():
            new = rewrite(body, f)
            if new != body:
                out[name] = new
                changed = True
                break
    return out


class Emitter:
    """Renders IR to GBNF rule text, unrolling the context-dependent rules."""

    def __init__(self, stmt_rule: str, rules: dict[str, Node], terminals: dict[str, str],
                 policy: Policy):
        self.stmt_rule = stmt_rule
        self.rules = rules
        self.terminals = terminals  # rule name -> GBNF rule name (written apart, as is)
        self.policy = policy
        self.out: dict[str, str] = {}
        self.done: dict[tuple[str, Ctx | None], str | None] = {}
        self.recursive: set[tuple[str, Ctx | None]] = set()
        self.ctx_rules = _ctx_dependent(rules, policy)
        self.ends_suite = self._suite_enders()

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
        rname = gname(name) if ctx is None else f"{gname(name)}-{self.policy.suffix(ctx)}"
        self.done[key] = rname  # recursive references resolve to the rule being emitted
        self.out[rname] = ""  # keep the rules in the order they are first reached
        body_node = self.rules[name]
        if ctx is not None and name == self.stmt_rule:
            body_node = seq(Lit(INDENT * ctx.depth), body_node)
        body = self.render(body_node, name, ctx)
        if body is None:
            if key in self.recursive:
                raise GbnfError(f"rule {name!r} is impossible in context {ctx} but refers "
                                "to itself")
            self.done[key] = None
            del self.out[rname]
            return None
        self.out[rname] = body
        return rname

    def render(self, node: Node, rule: str, ctx: Ctx | None, top: bool = True,
               bare: bool = False) -> str | None:
        """GBNF for `node` (None: impossible in `ctx`). `bare`: a sequence that is a
        whole alternative is written without parentheses."""
        if isinstance(node, Lit):
            return lit_gbnf(node.text) if node.text else '""'
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
                r = self.render(item, rule, ctx, top=False, bare=bare)
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
            opts = [self.render(o, rule, ctx, top=bare, bare=bare) for o in node.options]
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
            inner = self.render(node.item, rule, ctx, top=False, bare=bare)
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


def render_terminal(body: Node) -> str:
    """A Lark terminal's body as GBNF (it refers to nothing but characters)."""
    got = Emitter("", {}, {}, Policy(0)).render(body, "", None)
    if not got:
        raise GbnfError(f"terminal {body} matches nothing or only the empty string")
    return got


def _header(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in text.strip().splitlines()]


def compile_grammar(rules: dict[str, Node], extern: dict[str, Node], helpers: dict[str, Node],
                    policy: Policy, start: Node, header: str, *, start_rule: str,
                    stmt_rule: str, keep: frozenset[str] = frozenset()) -> str:
    """Factor, unroll and print a language grammar.

    `extern`: IR name -> body of terminal-like rules (emitted bare, only when used);
    `helpers`: GBNF name -> body of the rules they refer to (always emitted); `keep`:
    rules to emit under their own name rather than inline.
    """
    keep = _ctx_dependent(rules, policy) | set(policy.droppable) | {start_rule, stmt_rule} | keep
    inlined = _inline_options(rules, keep)
    unfoldable = {k: factor(v) for k, v in inlined.items() if k not in keep}
    rules = {k: factor(v, unfoldable) for k, v in inlined.items()}
    names = {k: gname(k) for k in extern}
    em = Emitter(stmt_rule, rules, {**names, **{h: h for h in helpers}}, policy)
    root_body = em.render(factor(start), start_rule, Ctx())
    if root_body is None:
        raise GbnfError("the grammar's start rule cannot be emitted")
    extern_text = {k: em.render(v, k, None, bare=True) for k, v in extern.items()}
    helper_text = {k: em.render(v, k, None, bare=True) for k, v in helpers.items()}
    text = " ".join([root_body, *em.out.values(), *map(str, helper_text.values())])
    used = set(re.findall(r"[A-Za-z][A-Za-z0-9-]*", text))
    clash = ({names[k] for k in extern} | set(helpers)) & set(em.out)
    if clash:
        raise GbnfError(f"GBNF rule name clash: {sorted(clash)}")
    lines = _header(header)
    lines += ["", f"root ::= {root_body}"]
    lines += [f"{k} ::= {v}" for k, v in em.out.items()]
    lines += [f"{names[k]} ::= {v}" for k, v in extern_text.items() if names[k] in used]
    lines += [f"{k} ::= {v}" for k, v in helper_text.items()]
    return "\n".join(lines) + "\n"


def emit_rules(rules: dict[str, Node], header: str = "") -> str:
    """Print a plain rule set as it is (GBNF names -> bodies, the first one `root`);
    every rule referred to must be in it."""
    em = Emitter("", {}, {k: k for k in rules}, Policy(0))
    lines = _header(header) if header else []
    for k, v in rules.items():
        body = em.render(v, k, None, bare=True)
        if body is None:
            raise GbnfError(f"rule {k!r} matches nothing")
        lines.append(f"{k} ::= {body}")
    return "\n".join(lines) + "\n"
