"""The model grammar: the language narrowed to what one task's script may say.

Passes over the IR of the whole language so that a small model cannot go
wrong: the script ends where a top-level `submit(...)` ends, calls only the
task's tools (and methods by name, from syntax/methods.py), names only
declared state keys, never imports, and bounds literals, names and
repetitions; placement (`ModelPolicy`) keeps submit/fail in blocks,
break/continue in loops, return in defs and defs at the top level. Without
`python_forms` it is the small core. A `Narrowing` (narrow.py) narrows it
further for one task. Each pass checks that the grammar still has the shape it
rewrites and fails loudly when grammar/rlm.lark changed under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rlmlang.syntax.gbnf.emit import Ctx, Policy, compile_grammar, render_terminal
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
    opt,
    rewrite,
    seq,
    walk,
)
from rlmlang.syntax.gbnf.names import name_rules
from rlmlang.syntax.gbnf.narrow import Narrowing, call_rules, name_rule, string_rule
from rlmlang.syntax.gbnf.source import load
from rlmlang.syntax.methods import DICT_METHODS, LIST_METHODS, STR_METHODS
from rlmlang.syntax.parser import MAX_DEPTH
from rlmlang.types import Type, format_type

# Words a tiny model must not use as variable names: parse() flags them as Python-isms.
_PYTHON_WORDS = ("lambda", "import", "from", "class", "try", "except", "finally", "raise",
                 "with", "global", "nonlocal", "yield", "async", "await", "del", "assert", "is",
                 "state")
# Words no variable name may begin with: held to names, the 1.5B's `try:` went on as
# `tryreturn(float(text))` and its `except ValueError: return` as `exceptValueErrorreturn
# -= 1`, three rounds running (fresh dev top-k-05); with no name to go on as, it writes
# another statement.
_BLOCK_WORDS = ("try", "except", "finally")
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

    rules[rule] = rewrite(rules[rule], f)
    if hits[0] == 0 or (count is not None and hits[0] != count):
        raise GbnfError(f"the model grammar expects {old} in rule {rule!r} "
                        f"({hits[0]} found): grammar/rlm.lark changed, update gbnf/model.py")


def _replace_first(rules: dict[str, Node], rule: str, first: Node, new: Node) -> None:
    """In `rule`, the sequence(s) starting with `first` start with `new` instead."""
    hits = [0]

    def f(n: Node) -> Node | None:
        if isinstance(n, Seq) and n.items and n.items[0] == first and len(n.items) > 1:
            hits[0] += 1
            return Seq((new,) + n.items[1:])
        return None

    rules[rule] = rewrite(rules[rule], f)
    if hits[0] != 1:
        raise GbnfError(f"the model grammar expects one sequence starting with {first} in "
                        f"rule {rule!r} ({hits[0]} found): update gbnf/model.py")


def _drop_option(rules: dict[str, Node], rule: str, option: Node) -> None:
    """Remove one alternative of a rule; fail loudly if the grammar no longer has it."""
    node = rules[rule]
    if not isinstance(node, Alt) or option not in node.options:
        raise GbnfError(f"the model grammar expects {option} among the options of rule "
                        f"{rule!r}: grammar/rlm.lark changed, update gbnf/model.py")
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
                        "slice, `.NAME` and call tails: grammar/rlm.lark changed, update gbnf/model.py")
    rest = [t for t in tails if t is not call[0] and t is not attr[0]]
    return call[0], attr[0].items[0], rest


def _core_only(rules: dict[str, Node]) -> None:
    """The model grammar without the Python forms (methods, comprehensions, generators,
    conditional expressions, lambdas, `is`, tuples, unpacking, f-strings): the small
    core a tiny model is held to."""
    def drop(rule: str, keep: Callable[[Node], bool]) -> None:
        node = rules[rule]
        options = [o for o in (node.options if isinstance(node, Alt) else (node,)) if keep(o)]
        if options:
            rules[rule] = alt(*options)
        else:  # nothing left (a narrowed grammar where no call stands alone)
            del rules[rule]

    def uses(o: Node, *names: str) -> bool:
        return any(isinstance(n, Ref) and n.name in names for n in walk(o))

    def tuple_atom(o: Node) -> bool:
        return isinstance(o, Seq) and o.items[:1] == (Lit("("),) and any(
            isinstance(i, Rep) and i.lo >= 1 for i in o.items)

    drop("atom", lambda o: not uses(o, "comp_for", "FSTRING") and not tuple_atom(o)
         and o != Ref("FSTRING"))
    rules["test"] = Ref("or_test")
    drop("comparison", lambda o: not (isinstance(o, Seq) and (any(
        isinstance(i, Lit) and i.text.strip().startswith("is") for i in o.items)
        or sum(i == Ref("COMP_OP") for i in o.items) > 1)))
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
    """Every method a value has (the language's table, which the checker reads too)."""
    return sorted(set(STR_METHODS) | set(LIST_METHODS) | set(DICT_METHODS))


def _bound(node: Node, hi: int) -> Node:
    return rewrite(node, lambda n: Rep(n.item, n.lo, max(hi, n.lo)) if isinstance(n, Rep)
                   and n.hi is None else None)


_HEADER_MODEL = """\
Model grammar for one task, generated from grammar/rlm.lark by rlmlang/syntax/gbnf/.
tools: {tools}
inputs: {inputs}; state keys: {keys}; output: {output}
at most {ms} statements, then one top-level submit(...); blocks of at most {mb}
statements, nested at most {depth} deep; def {defs}."""


@lru_cache(maxsize=64)
def _model_grammar(tools: tuple[str, ...], inputs: tuple[str, ...], state_keys: tuple[str, ...],
                   output: Type, max_statements: int, max_block: int, depth: int,
                   allow_def: bool, string_max: int = MODEL_STRING_MAX,
                   items_max: int = MODEL_ITEMS_MAX, lower_names: bool = False,
                   python_forms: bool = True, narrowing: Narrowing | None = None,
                   must_submit: bool = True) -> str:
    narrowing = narrowing or Narrowing()
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
    var_rules = (name_rules("var", reserved, MODEL_NAME_MAX, lower_first=lower_names,
                            prefixes=_BLOCK_WORDS)
                 if narrowing.names is None else {"var": name_rule(narrowing.names)})

    rules["var_ref"] = alt(*(Lit(n) for n in inputs), Ref("var"),
                           *(Lit(f"state.{k}") for k in state_keys))
    calls = [Lit(t) for t in tools] + ([Ref("var")] if allow_def else [])
    rules["callee"] = alt(*calls)
    targets: list[Node] = [seq(Ref("var"), opt(seq(Lit("["), Ref("expr"), Lit("]"))))]
    targets += [Lit(f"state.{k}") for k in state_keys]
    rules["target"] = alt(*targets)
    # Calls name a tool (or a def), or are methods of values (by name: the language's
    # method table); no attribute access otherwise, and no calls of call results.
    call_tail, method_tail, tails = _postfix_parts(rules["postfix"])
    rules["method"] = alt(*(Lit(m) for m in method_names()))
    # A method may also be named without a call: `max(d, key=d.get)`.
    # Narrowed, a call is one of the offered shapes, and only some stand alone.
    call = seq(Ref("callee"), call_tail)
    stmt_calls = [call]
    if narrowing.calls is not None:
        call = Ref("call")
        stmt_calls = [Ref("stmt_call")] if any(c.statement for c in narrowing.calls) else []
    rules["postfix"] = seq(alt(call, Ref("atom")),
                           Rep(alt(*tails, seq(method_tail, Ref("method"), opt(call_tail))), 0,
                               None))
    _subst(rules, "atom", Ref("NAME"), Ref("var_ref"), 1)
    unpack = seq(Ref("var"), Rep(seq(Lit(", "), Ref("var")), 1, items_max - 1))
    _replace_first(rules, "assign", Ref("testlist"), alt(Ref("target"), unpack))
    _replace_first(rules, "aug_assign", Ref("expr"), Ref("target"))
    rules["expr_stmt"] = alt(*stmt_calls, seq(Ref("var"), method_tail, Ref("method"), call_tail))
    # A keyword argument's name is a parameter's, which may be a tool's name too (`where=`);
    # the core keeps the small model to its plain variable names.
    _replace_first(rules, "argument", Ref("expr"), Ref("kwname" if python_forms else "var"))
    for r in ("for_target", "def_stmt", "param", "field_type", "lambda_params"):
        _subst(rules, r, Ref("NAME"), Ref("var"))
    if not python_forms:
        _core_only(rules)
    # Imports bring nothing in: the model is not offered them.
    _drop_option(rules, "simple_stmt", Ref("import_stmt"))
    if "expr_stmt" not in rules:
        _drop_option(rules, "simple_stmt", Ref("expr_stmt"))
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
    submit = seq(Plain("submit_stmt"), Lit("\n"))
    start = seq(Rep(Ref(g.stmt_rule), 0, max_statements), submit if must_submit else opt(submit))
    keep: frozenset[str] = frozenset()
    if narrowing.calls is not None:
        narrowed = call_rules(narrowing.calls)
        rules.update(narrowed)
        keep = frozenset(narrowed)

    digit = Raw("[0-9]")
    whole = alt(Lit("0"), seq(Raw("[1-9]"), Rep(digit, 0, MODEL_INT_DIGITS - 1)))
    extern: dict[str, Node] = {
        "INT": whole,
        "FLOAT": seq(whole, Lit("."), Rep(digit, 1, MODEL_INT_DIGITS)),
        "STRING": (seq(Lit('"'), Rep(Ref("str-char"), 0, string_max), Lit('"'))
                   if narrowing.strings is None else string_rule(narrowing.strings)),
        "FSTRING": seq(Lit('f"'), Rep(Ref("fstr-part"), 0, string_max), Lit('"')),
        **{n: Raw(render_terminal(b)) for n, b in g.terminals.items()
           if n not in ("INT", "FLOAT", "STRING", "NAME", "FSTRING")},
    }
    extern["var"] = var_rules.pop("var")
    kw_rules: dict[str, Node] = {}
    if python_forms:
        kw_rules = name_rules("kwname", set(g.keywords) | set(_PYTHON_WORDS), MODEL_NAME_MAX)
        extern["kwname"] = kw_rules.pop("kwname")
    escape = seq(Lit("\\"), Raw('[nrt"\\\\]'))
    helpers = {"str-char": alt(Raw('[^"\\\\\\x00-\\x1F\\x7F]'), escape),
               "fstr-part": alt(Ref("fstr-char"), Lit("{{"), Lit("}}"),
                                seq(Lit("{"), Rep(Ref("fexpr-char"), 1, MODEL_NAME_MAX),
                                    Lit("}"))),
               "fstr-char": alt(Raw('[^"{}\\\\\\x00-\\x1F\\x7F]'), escape),
               "fexpr-char": Raw('[^"{}\\\\\\x00-\\x1F\\x7F]'), **var_rules, **kw_rules}
    header = _HEADER_MODEL.format(
        tools=", ".join(tools), inputs=", ".join(inputs) or "-",
        keys=", ".join(state_keys) or "-", output=format_type(output), ms=max_statements,
        mb=max_block, depth=depth, defs="allowed at the top level" if allow_def else "not allowed")
    if narrowing != Narrowing():
        header += f"\nnarrowed for the task: {narrowing.describe()}."
    return compile_grammar(rules, extern, helpers, ModelPolicy(depth, allow_def), start, header,
                           start_rule=g.start, stmt_rule=g.stmt_rule, keep=keep)


def model_grammar(tools: list[str], inputs: list[str], state_keys: list[str], output: Type,
                  max_statements: int = 8, max_block: int = 6, depth: int = 3,
                  allow_def: bool = False, string_max: int = MODEL_STRING_MAX,
                  items_max: int = MODEL_ITEMS_MAX, lower_names: bool = False,
                  python_forms: bool = True, narrowing: Narrowing | None = None,
                  must_submit: bool = True) -> str:
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
    comprehensions, conditional expressions, lambdas, tuples or f-strings). A
    `narrowing` holds it to given literals, names and call shapes (narrow.py). Without
    `must_submit` the final submit may be left out: a script that only prints lets a
    model look at the data before it answers, and its turn ends at the model's own end.
    """
    return _model_grammar(tuple(tools), tuple(inputs), tuple(state_keys), output,
                          max_statements, max_block, depth, allow_def, string_max,
                          items_max, lower_names, python_forms, narrowing, must_submit)


# ------------------------------------------------------------- JSON values

