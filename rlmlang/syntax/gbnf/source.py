"""Reading grammar/rlm.lark into the IR.

Lark's own grammar loader gives the EBNF trees before Lark compiles `x+` into left
recursion (which llama.cpp refuses); `load` translates them:

- spacing: each literal and operator terminal carries the spaces `print_script`
  puts around it (`x = 1`, `f(a, b)`, `f(k=v)`, `d[1:2]`); a literal unknown to
  the spacing table is an error, so a grammar change cannot silently produce an
  unspaced GBNF;
- left recursion (`A: B | A op B`) becomes `B (op B)*`;
- terminals are translated from their regexes (the subset the grammar uses:
  literals, classes, groups, alternation, greedy repeats; anything else raises).
  Keywords are collected so that names can leave them out (Lark's lexer reserves
  them; GBNF has no negative lookahead).
"""

from __future__ import annotations

import ast as pyast
import re
import re._constants as sre_c  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from dataclasses import dataclass
from functools import lru_cache

from lark import Token, Tree
from lark.load_grammar import GrammarBuilder

from rlmlang.syntax.gbnf.emit import cls_char
from rlmlang.syntax.gbnf.ir import (
    Alt,
    GbnfError,
    Lit,
    Node,
    Raw,
    Ref,
    Rep,
    Seq,
    alt,
    lits,
    opt,
    refs,
    seq,
)
from rlmlang.syntax.parser import GRAMMAR_PATH

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
    "None": (False, False), "|": (True, True),
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
    "MUL_OP": (True, True), "POW_OP": (True, True), "NAME": (False, False), "INT": (False, False),
    "FLOAT": (False, False), "STRING": (False, False), "FSTRING": (False, False),
}
# Layout terminals, handled by the unrolling rather than by text.
_LAYOUT = {"_NL", "_INDENT", "_DEDENT"}


def _spaced(key: str, what: str, node: Node) -> Node:
    sp = _SPACING.get((key, what), _SPACING.get(what))
    if sp is None:
        raise GbnfError(f"no canonical spacing known for {what!r} in rule {key!r}; add it to "
                        "rlmlang/syntax/gbnf/source.py's _SPACING (the printer is the reference)")
    return seq(Lit(" " if sp[0] else ""), node, Lit(" " if sp[1] else ""))


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
            return Raw(f"[{cls_char(ord(a))}-{cls_char(ord(b))}]")
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
        for lit in lits(node):
            words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", lit))
    suite = rules.get("suite")
    if suite is None:
        raise GbnfError("the grammar has no `suite` rule (the generator unrolls it per depth)")
    inner = [r.name for r in refs(suite) if r.name not in _LAYOUT]
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
            out.append(Raw(f"[^{cls_char(av)}]"))
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
            parts.append(cls_char(av))
        elif op is sre_c.RANGE:
            parts.append(f"{cls_char(av[0])}-{cls_char(av[1])}")
        else:
            raise GbnfError(f"character class item {op} in terminal {where} is not supported "
                            "(write the characters or ranges out)")
    return f"[{neg}{''.join(parts)}]"

