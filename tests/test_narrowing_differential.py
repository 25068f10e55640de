"""Differential test: narrowing as passes over the grammar's IR accepts exactly what the
text edits it replaced accepted.

The tiny profile's grammar used to be narrowed by editing the generated GBNF text
by line prefix (`restrict_strings`, `restrict_names`, `restrict_calls`, kept
below, frozen, as the reference). Now `model_grammar(..., narrowing=...)` builds
the same narrowing as IR. For several tasks, sentences are drawn at random from
each grammar (a random derivation of its rules) and mutated (characters deleted,
inserted, swapped; literals and names replaced; lines cut), and llama.cpp's own
grammar engine (the backend's oracle, `grammar_accepts`) must give the same
verdict under both grammars for every one of them.
"""

from __future__ import annotations

import random
import re
import string
from types import SimpleNamespace
from typing import Any

import pytest
from grammar_oracle import accepts, needs_vocab

from rlmlang.controller.narrowing import VARIABLE_NAMES, question_literals, task_narrowing
from rlmlang.syntax.gbnf import model_grammar
from rlmlang.tools import default_registry
from rlmlang.types import INT, STR

pytest.importorskip("llama_cpp")


pytestmark = needs_vocab


# ------------------------------------------- the text edits, as they were (reference)


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _restrict_names(gbnf: str, names: list[str]) -> str:
    choice = " | ".join(_gbnf_literal(n) for n in sorted(set(names)))
    lines = gbnf.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("var ::= "):
            lines[i] = f"var ::= {choice}"
            return "\n".join(lines)
    raise ValueError("the grammar has no var rule to restrict")


def _restrict_strings(gbnf: str, literals: list[str]) -> str:
    choice = " | ".join(_gbnf_literal(lit) for lit in literals)
    rule = f'STRING ::= "\\"" ({choice}) "\\""'
    lines = gbnf.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("STRING ::= "):
            lines[i] = rule
            return "\n".join(lines)
    raise ValueError("the grammar has no STRING rule to restrict")


def _rep(item: str, lo: int, hi: int) -> str:
    if hi <= 0:
        return ""
    if lo == hi:
        return f" ({item}){{{lo}}}" if lo > 1 else f" {item}"
    return f" ({item}){{{lo},{hi}}}"


def _call_rule(spec: Any) -> str:
    required = sum(1 for p in spec.params if not p.has_default)
    optional = 0
    for p in spec.params[required:]:
        if p.name in ("sep",) and len(spec.params) > 2:
            break
        optional += 1
    name = _gbnf_literal(spec.name + "(")
    kw = _rep('", " var "=" expr', 0, 3) if spec.varkw is not None else ""
    if required == 0 and optional == 0:
        return (f'{name}{kw} ")"' if not kw
                else f'{name} (var "=" expr (", " var "=" expr){{0,2}})? ")"')
    if required == 0:
        rest = _rep('", " argument', 0, optional - 1)
        return f'{name} (argument{rest})?{kw} ")"'
    rest = _rep('", " argument', required - 1, required - 1 + optional)
    return f'{name} argument{rest}{kw} ")"'


def _restrict_calls(gbnf: str, specs: list[Any]) -> str:
    calls = [_call_rule(s) for s in specs]
    stmt_calls = [_call_rule(s) for s in specs if s.effect or s.name == "print"]
    generic = '(callee "(" arguments? ")")'
    out = []
    for line in gbnf.split("\n"):
        if line.startswith("simple-stmt"):
            if stmt_calls:
                line = line.replace(generic, "stmt-call")
            else:
                line = line.replace(f" | {generic}", "").replace(f"{generic} | ", "")
        else:
            line = line.replace(generic, "call")
        out.append(line)
    out.append("call ::= " + " | ".join(f"({c})" for c in calls))
    if stmt_calls:
        out.append("stmt-call ::= " + " | ".join(f"({c})" for c in stmt_calls))
    return "\n".join(out)


# ------------------------------------------------------ random sentences of a GBNF

_TOKEN = re.compile(r'\s*(?:(?P<lit>"(?:\\.|[^"\\])*")|(?P<cls>\[(?:\\.|[^\]\\])*\])'
                    r'|(?P<name>[A-Za-z][A-Za-z0-9-]*)|(?P<op>[()|?*+])'
                    r'|(?P<rep>\{\d+(?:,\d*)?\}))')
_PRINTABLE = [chr(c) for c in range(32, 127)]


def _unescape(body: str) -> str:
    return re.sub(r"\\x([0-9A-Fa-f]{2})|\\(.)", lambda m: chr(int(m[1], 16)) if m[1] else
                  {"n": "\n", "r": "\r", "t": "\t"}.get(m[2], m[2]), body)


def _char_class(text: str) -> set[str]:
    """The printable characters (and newline) a `[...]` class admits."""
    body = text[1:-1]
    neg = body.startswith("^")
    items = [_unescape(m[0]) if m[0] != "-" else None
             for m in re.finditer(r"\\x[0-9A-Fa-f]{2}|\\.|.", body[1:] if neg else body)]
    ranges: list[tuple[str, str]] = []
    i = 0
    while i < len(items):
        a = items[i] if items[i] is not None else "-"
        if i + 2 < len(items) and items[i + 1] is None:
            b = items[i + 2] if items[i + 2] is not None else "-"
            ranges.append((a, b))
            i += 3
        else:
            ranges.append((a, a))
            i += 1
    pool = _PRINTABLE + ["\n"]
    allowed = {c for c in pool if any(a <= c <= b for a, b in ranges)}
    return set(_PRINTABLE) - allowed if neg else allowed


def _parse_gbnf(text: str) -> dict[str, Any]:
    """GBNF rules as nested tuples (enough of the syntax for the grammars generated here)."""
    rules: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, body = line.split(" ::= ", 1)
        rules[name] = _parse_body(body)
    return rules


def _parse_body(body: str) -> Any:
    toks = [m for m in _TOKEN.finditer(body)]
    assert "".join(m[0] for m in toks).strip() == body.strip(), body
    pos = [0]

    def alts() -> Any:
        options = [seq()]
        while pos[0] < len(toks) and toks[pos[0]]["op"] == "|":
            pos[0] += 1
            options.append(seq())
        return ("alt", options)

    def seq() -> Any:
        items = []
        while pos[0] < len(toks) and toks[pos[0]]["op"] not in ("|", ")"):
            items.append(postfix(atom()))
        return ("seq", items)

    def atom() -> Any:
        t = toks[pos[0]]
        pos[0] += 1
        if t["lit"]:
            return ("lit", _unescape(t["lit"].strip()[1:-1]))
        if t["cls"]:
            return ("cls", _char_class(t["cls"].strip()))
        if t["name"]:
            return ("ref", t["name"].strip())
        assert t["op"] == "(", t[0]
        inner = alts()
        assert toks[pos[0]]["op"] == ")"
        pos[0] += 1
        return inner

    def postfix(node: Any) -> Any:
        while pos[0] < len(toks) and (toks[pos[0]]["op"] in ("?", "*", "+")
                                      or toks[pos[0]]["rep"]):
            t = toks[pos[0]]
            pos[0] += 1
            if t["op"]:
                lo, hi = {"?": (0, 1), "*": (0, None), "+": (1, None)}[t["op"]]
            else:
                lo_s, _, hi_s = t["rep"].strip()[1:-1].partition(",")
                lo = int(lo_s)
                hi = lo if "," not in t["rep"] else (int(hi_s) if hi_s else None)
            node = ("rep", node, lo, hi)
        return node

    return alts()


def _shortest(rules: dict[str, Any]) -> dict[str, int]:
    """The length of each rule's shortest sentence (to end a derivation that ran deep)."""
    best = {k: 10**9 for k in rules}

    def size(node: Any) -> int:
        kind = node[0]
        if kind == "lit":
            return len(node[1])
        if kind == "cls":
            return 1
        if kind == "ref":
            return best[node[1]]
        if kind == "seq":
            return sum(size(x) for x in node[1])
        if kind == "alt":
            return min(size(x) for x in node[1])
        return node[2] * size(node[1])

    changed = True
    while changed:
        changed = False
        for k, v in rules.items():
            n = min(size(v), 10**9)
            if n < best[k]:
                best[k], changed = n, True
    return best


DEEP = 8  # rule references deep, a derivation ends by the shortest way (else it grows without end)


def sentences(gbnf: str, n: int, seed: int) -> list[str]:
    rules = _parse_gbnf(gbnf)
    shortest = _shortest(rules)
    rnd = random.Random(seed)

    sizes: dict[int, int] = {}  # by the node's identity: the rules live as long as this

    def size(node: Any) -> int:
        key = id(node)
        if key not in sizes:
            kind = node[0]
            if kind == "ref":
                sizes[key] = shortest[node[1]]
            elif kind == "seq":
                sizes[key] = sum(size(x) for x in node[1])
            elif kind == "alt":
                sizes[key] = min(size(x) for x in node[1])
            elif kind == "rep":
                sizes[key] = node[2] * size(node[1])
            else:
                sizes[key] = len(node[1]) if kind == "lit" else 1
        return sizes[key]

    def gen(node: Any, depth: int) -> str:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "cls":
            return rnd.choice(sorted(node[1]))
        if kind == "ref":
            return gen(rules[node[1]], depth + 1)
        if kind == "seq":
            return "".join(gen(x, depth) for x in node[1])
        if kind == "alt":
            options = node[1]
            if depth > DEEP:  # deep enough: end by the shortest way
                return gen(min(options, key=size), depth)
            return gen(rnd.choice(options), depth)
        _, item, lo, hi = node
        top = lo if depth > DEEP else min(lo + 2, hi if hi is not None else lo + 2)
        return "".join(gen(item, depth) for _ in range(rnd.randint(lo, top)))

    return [gen(rules["root"], 0) for _ in range(n)]


def mutants(text: str, rnd: random.Random) -> list[str]:
    i = rnd.randrange(len(text))
    out = [text[:i] + text[i + 1:],
           text[:i] + rnd.choice(' "(),=:\n_x1') + text[i:],
           text[:i] + text[i + 1:i + 2] + text[i:i + 1] + text[i + 2:],
           text[:i]]
    quoted = list(re.finditer(r'"([^"\n]*)"', text))
    if quoted:
        m = rnd.choice(quoted)
        word = rnd.choice(["badge 1234", "code", "", "What is", "id", "\\n", "x y"])
        out.append(text[:m.start(1)] + word + text[m.end(1):])
    names = list(re.finditer(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text))
    if names:
        m = rnd.choice(names)
        name = rnd.choice(["Here", "foo", "line", "total", "answer", "context", "print"])
        out.append(text[:m.start()] + name + text[m.end():])
    lines = text.split("\n")
    if len(lines) > 2:
        j = rnd.randrange(len(lines) - 1)
        out.append("\n".join(lines[:j] + [lines[j]] + lines[j:]))  # a line twice
    return out


# ------------------------------------------------------------------------- tasks

def _spec(name: str, required: int, optional: int, varkw: bool, effect: bool) -> Any:
    params = [SimpleNamespace(name=f"p{i}", has_default=i >= required)
              for i in range(required + optional)]
    return SimpleNamespace(name=name, params=params, varkw="kw" if varkw else None,
                           effect="fs" if effect else None)


def _tasks() -> tuple[list[dict[str, Any]], Any]:
    reg = default_registry()
    core = ["find_line", "value_after", "llm.predict", "str", "len", "lines", "contains",
            "print"]
    return [
        dict(question="What is the access code of badge 4820?", headers=["id", "city"],
             tools=core + ["count_rows"], output=STR, inputs=["context", "question"]),
        dict(question="How many employees in dept_id 7 work in Hanoi's office?",
             headers=["id", "dept_id", "city"], output=INT, inputs=["context", "question"],
             tools=core + ["count_rows", "split", "join", "count_where", "fs.write"]),
        # No call stands alone (no print, no effect): calls are only values.
        dict(question="Sum the amounts for team Blue.", headers=[], output=INT,
             inputs=["table"], tools=["sum_where", "split", "lines", "int", "contains"]),
        # Shapes no tool has today: keywords only, and nothing at all.
        dict(question="Which item is first?", headers=["item"], output=STR, inputs=["context"],
             tools=["find_line", "print"],
             extra=[_spec("opts.kw", 0, 0, True, False), _spec("clock.tick", 0, 0, False, True),
                    _spec("pick", 0, 2, True, False)]),
    ], reg


def _grammars(task: dict[str, Any], reg: Any) -> tuple[str, str]:
    specs = [reg.get(t) for t in task["tools"]] + task.get("extra", [])
    tools = [s.name for s in specs]
    names = [n for n in VARIABLE_NAMES if n not in reg and n not in task["inputs"]]
    base = model_grammar(tools, task["inputs"], [], task["output"], python_forms=False)
    old = _restrict_strings(base, question_literals(task["question"], task["headers"]))
    old = _restrict_calls(_restrict_names(old, names), specs)
    new = model_grammar(tools, task["inputs"], [], task["output"], python_forms=False,
                        narrowing=task_narrowing(task["question"], task["headers"], names,
                                                 specs))
    return old, new


TASKS, REGISTRY = _tasks()


@pytest.mark.parametrize("index", range(len(TASKS)))
def test_narrowed_by_ir_accepts_what_the_text_edits_accepted(index: int) -> None:
    old, new = _grammars(TASKS[index], REGISTRY)
    rnd = random.Random(index)
    positives = sentences(old, 20, seed=index) + sentences(new, 20, seed=100 + index)
    assert len(set(positives)) > 25
    for s in positives:
        assert accepts(old, s) and accepts(new, s), s
    checked = 0
    for s in positives:
        for m in mutants(s, rnd):
            assert accepts(old, m) == accepts(new, m), (m, accepts(old, m))
            checked += 1
    assert checked > 180


def test_sentence_generator_is_the_grammars() -> None:
    """The sampler reads GBNF as llama.cpp does: what it draws from a narrowed grammar
    uses only the grammar's literals and names (else the test above would prove little)."""
    task = TASKS[0]
    _old, new = _grammars(task, REGISTRY)
    allowed = set(question_literals(task["question"], task["headers"]))
    drawn = sentences(new, 30, seed=7)
    assert all(s.endswith(")\n") and "submit(" in s for s in drawn)
    for s in drawn:
        for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', s):
            assert lit in allowed, lit
    assert not any(set(s) - set(string.printable) for s in drawn)
