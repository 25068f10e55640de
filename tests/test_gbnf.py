"""The GBNF generator: the checked-in grammar is fresh, the translation fails loudly on
what it cannot translate, and the model/value grammars restrict what they promise.

Acceptance is decided by llama.cpp's own grammar engine (the backend's oracle,
vocabulary only), never by a re-implementation.
"""

from __future__ import annotations

import argparse
import re

import pytest
from grammar_oracle import accepts, needs_vocab

from rlmlang.syntax import gbnf
from rlmlang.syntax.parser import GRAMMAR_PATH, MAX_DEPTH, parse
from rlmlang.types import BOOL, FLOAT, INT, STR, ListT, parse_type

llama = pytest.importorskip("llama_cpp")




TOOLS = ["len", "lines", "contains", "split", "print", "llm.predict", "int"]


def task_grammar(**kw) -> str:
    args = dict(tools=TOOLS, inputs=["context", "question"], state_keys=["notes"], output=INT)
    args.update(kw)
    return gbnf.model_grammar(**args)


# ------------------------------------------------------------ the full grammar


def test_checked_in_gbnf_is_fresh():
    assert gbnf.GBNF_PATH.read_text(encoding="utf-8") == gbnf.full_grammar(), (
        "grammar/rlm.gbnf is stale: run `rlm grammar --gbnf > grammar/rlm.gbnf`")


def test_rule_names_are_llama_cpp_names():
    for text in (gbnf.full_grammar(), task_grammar(), gbnf.value_grammar(parse_type(
            "{a: list[int], b: dict[str, float]}"))):
        names = re.findall(r"^(\S+) ::=", text, re.M)
        assert names and names[0] == "root"
        assert len(names) == len(set(names))
        for n in names:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", n), n
        defined = set(names)
        body = re.sub(r'"(\\.|[^"\\])*"|\[(\\.|[^\]\\])*\]', " ", text)
        body = "\n".join(line.split("::=", 1)[1] for line in body.splitlines() if "::=" in line)
        for ref in re.findall(r"[A-Za-z][A-Za-z0-9-]*", body):
            assert ref in defined, f"undefined rule {ref}"


def test_depth_unrolled_to_max_depth():
    text = gbnf.full_grammar()
    assert f"stmt-{MAX_DEPTH} ::= " in text and f"stmt-{MAX_DEPTH + 1}" not in text
    assert f"compound-stmt-{MAX_DEPTH}" not in text  # the deepest level holds simple statements
    with pytest.raises(gbnf.GbnfError):
        gbnf.full_grammar(MAX_DEPTH + 1)


def test_unknown_literal_fails_loudly():
    text = GRAMMAR_PATH.read_text(encoding="utf-8").replace(
        'pass_stmt: "pass"', 'pass_stmt: "pass" "!!"')
    with pytest.raises(gbnf.GbnfError, match="spacing"):
        gbnf.load(text)


def test_unsupported_regex_fails_loudly():
    text = GRAMMAR_PATH.read_text(encoding="utf-8").replace(
        "INT: /0|[1-9][0-9]*/", r"INT: /(?=\d)\d+/")
    with pytest.raises(gbnf.GbnfError, match="no GBNF translation"):
        gbnf.load(text)


def test_left_recursion_is_gone():
    text = gbnf.full_grammar()
    for line in text.splitlines():
        if "::=" in line:
            name, body = line.split(" ::= ", 1)
            for alt in body.split(" | "):
                assert not alt.strip("( ").startswith(name + " "), line


@needs_vocab
def test_llama_cpp_compiles_every_grammar():
    from rlmlang.backend.decoding import vocab_model

    vm = vocab_model(None)
    for d in range(MAX_DEPTH + 1):
        vm.grammar(gbnf.full_grammar(d))
    vm.grammar(task_grammar())
    vm.grammar(task_grammar(allow_def=True, depth=MAX_DEPTH, max_statements=20))
    for t in ("int", "float", "bool", "str", "none", "list[str]", "dict[str, list[int]]",
              "{name: str, age: int, tags: list[str]}"):
        vm.grammar(gbnf.value_grammar(parse_type(t)))


@needs_vocab
@pytest.mark.parametrize("text,ok", [
    ("x = 1\n", True),
    ("x = 1", False),  # every statement ends its line
    ("x  = 1\n", False),  # canonical spacing only
    ("x=1\n", False),
    ("f(a, b=2)\n", True),
    ("f(a,b = 2)\n", False),
    ("x = d[1:2] + d[:] + d[a:]\n", True),
    ("x = {\"a\": 1, \"b\": [1, 2]}\n", True),
    ("if x:\n    pass\nelif y:\n    pass\nelse:\n    x = 2\n", True),
    ("if x:\n  pass\n", False),
    ("if x:\n    pass\n    else:\n    pass\n", False),
    ("while n > 0 decreases n:\n    n -= 1\n", True),
    ("def f(a: int) -> list[int]:\n    return [a]\n", True),
    ("def f():\n    return\n", True),
    ("return \n", False),
    ("x = not a not in b\n", True),
    ("x = a as {k: int, v: list[str]}\n", True),
    ("if = 1\n", False),  # keywords are not names
    ("iff = 1\n", True),
    ("Nonesuch = True\n", True),
    ("x = 01\n", False),
    ("x = 1.5 - -2\n", True),
    ("x = 'a' + \"b\\n\"\n", True),
    ("# comment\nx = 1\n", False),
    ("x = 1\n\ny = 2\n", False),
    # the Python forms
    ("a, b = s.split(\",\", 1)\n", True),
    ("ys = [y.strip().lower() for y in xs if y != \"\"]\n", True),
    ("n = sum(1 for x in xs if x is not None)\n", True),
    ("d = {k: v for k, v in pairs.items()}\n", True),
    ("for i, x in enumerate(xs):\n    print(f\"{i}: {x:.2f}\")\n", True),
    ("best = max(d, key=lambda k: d[k]) if len(d) > 0 else \"\"\n", True),
    ("import re\n", True),
    ("xs.append(x)\n", True),
    ("x = a if b\n", False),
    ("ys = [y for y in xs if y for z in y]\n", True),
])
def test_full_grammar_cases(text, ok):
    assert accepts(gbnf.full_grammar(), text) is ok
    if ok:
        assert parse(text).script is not None or "def" in text or "return" in text


# ----------------------------------------------------------- the model grammar


@needs_vocab
@pytest.mark.parametrize("text,ok", [
    ("submit(1)\n", True),
    ("submit(1)", False),
    ("submit(1)\nx = 1\n", False),  # the script ends at the top-level submit
    ("x = 1\n", False),  # and it must have one
    ("x = len(context)\nsubmit(x)\n", True),
    ("n = 0\nfor line in lines(context):\n    if contains(line, \"a\"):\n        n += 1\nsubmit(n)\n",
     True),
    ("foo(1)\nsubmit(1)\n", False),  # no such tool
    ("x = llm.predict(\"q\", text=question) as list[str]\nsubmit(len(x))\n", True),
    ("x = llm.guess(\"q\")\nsubmit(x)\n", False),
    ("state.notes = \"a\"\nsubmit(1)\n", True),
    ("state.other = \"a\"\nsubmit(1)\n", False),  # undeclared state key
    ("len = 1\nsubmit(len)\n", False),  # a tool's name is not a variable
    ("lambda = 1\nsubmit(1)\n", False),
    ("break\nsubmit(1)\n", False),  # break only in loops
    ("for a in lines(context):\n    break\nsubmit(1)\n", True),
    ("fail(\"no\")\nsubmit(1)\n", False),  # fail only inside a block
    ("if len(context) == 0:\n    fail(\"empty\")\nsubmit(1)\n", True),
    ("def f(a: int) -> int:\n    return a\nsubmit(f(1))\n", False),  # def off by default
    ("return 1\nsubmit(1)\n", False),
    ("x = \"" + "a" * 60 + "\"\nsubmit(1)\n", True),
    ("x = \"" + "a" * 61 + "\"\nsubmit(1)\n", False),  # bounded strings
    ("x = " + "9" * 12 + "\nsubmit(1)\n", True),
    ("x = " + "9" * 13 + "\nsubmit(1)\n", False),  # bounded ints
    ("x = 'a'\nsubmit(1)\n", False),  # double quotes only
    ("x = 1\n" * 8 + "submit(1)\n", True),
    ("x = 1\n" * 9 + "submit(1)\n", False),  # at most max_statements before submit
    ("x = context\n# note\nsubmit(x)\n", False),
    ("x = a[1]\nx[0] = 2\nsubmit(x)\n", True),
    ("x + 1 = 2\nsubmit(1)\n", False),  # targets are names, name[i] or state.key
    ("x = f(1)[0]\nsubmit(1)\n", False),
    ("xs = []\nfor line in lines(context):\n    xs.append(line.strip())\nsubmit(len(xs))\n",
     True),  # methods of values, by the checker's method table
    ("x = context.frobnicate()\nsubmit(1)\n", False),
    ("import re\nsubmit(1)\n", False),  # imports are not offered to the model
    ("k, v = split(context, \"=\")\nsubmit(k)\n", True),
    ("n = len([w for w in split(context, \" \") if w != \"\"])\nsubmit(n)\n", True),
    ("print(1)\nsubmit(1)\n", True),
    ("x\nsubmit(1)\n", False),  # expression statements are calls
    # no name begins with a word of a block the language lacks (`try:` went on as
    # `tryreturn(...)`); a name with it inside is a name
    ("tryreturn = 1\nsubmit(1)\n", False),
    ("exceptValueError = 1\nsubmit(1)\n", False),
    ("retry = 1\nsubmit(retry)\n", True),
])
def test_model_grammar_cases(text, ok):
    assert accepts(task_grammar(), text) is ok, text
    if ok:
        assert parse(text).ok, parse(text).diagnostics


@needs_vocab
def test_model_grammar_nesting_and_def_options():
    deep = "if a:\n    if b:\n        if c:\n            submit(1)\nsubmit(2)\n"
    deeper = ("if a:\n    if b:\n        if c:\n            if d:\n                submit(1)\n"
              "submit(2)\n")
    assert accepts(task_grammar(), deep)
    assert not accepts(task_grammar(), deeper)
    assert accepts(task_grammar(depth=4), deeper)
    block = "if a:\n" + "    x = 1\n" * 3 + "submit(1)\n"
    assert accepts(task_grammar(max_block=3), block)
    assert not accepts(task_grammar(max_block=2), block)
    with_def = "def f(a: int) -> int:\n    return a\nsubmit(f(1))\n"
    assert accepts(task_grammar(allow_def=True), with_def)
    assert not accepts(task_grammar(allow_def=True), "if a:\n    def f():\n        pass\nsubmit(1)\n")
    assert not accepts(task_grammar(allow_def=True), "for a in b:\n    return 1\nsubmit(1)\n")


@needs_vocab
def test_a_script_may_only_print_where_the_profile_lets_it_look_first():
    look = "print(len(context))\n"
    assert not accepts(task_grammar(), look)
    assert accepts(task_grammar(must_submit=False), look)
    # Submit, where written, is still the script's end.
    assert accepts(task_grammar(must_submit=False), look + "submit(1)\n")
    assert not accepts(task_grammar(must_submit=False), "submit(1)\n" + look)


def test_model_grammar_is_cached_and_validates_names():
    assert task_grammar() is task_grammar()
    with pytest.raises(gbnf.GbnfError):
        task_grammar(tools=["bad name"])
    with pytest.raises(gbnf.GbnfError):
        task_grammar(inputs=["if"])
    with pytest.raises(gbnf.GbnfError):
        task_grammar(state_keys=["a.b"])
    assert "tools: contains, int, len" in task_grammar()


# -------------------------------------------------------------- value grammars


@needs_vocab
@pytest.mark.parametrize("type_text,text,ok", [
    ("int", "42", True), ("int", "-7", True), ("int", "4.2", False), ("int", "007", False),
    ("float", "4.25", True), ("float", "3", True), ("bool", "true", True),
    ("bool", "True", False), ("str", '"a \\"b\\" c"', True), ("str", "abc", False),
    ("none", "null", True), ("list[int]", "[1, 2, 3]", True), ("list[int]", "[]", True),
    ("list[int]", "[1,2]", False), ("dict[str, int]", '{"a": 1, "b": 2}', True),
    ("{name: str, age: int}", '{"name": "Ann", "age": 3}', True),
    ("{name: str, age: int}", '{"age": 3, "name": "Ann"}', False),
    ("{name: str, age: int}", '{"name": "Ann"}', False),
])
def test_value_grammar(type_text, text, ok):
    t = parse_type(type_text)
    assert accepts(gbnf.value_grammar(t), text) is ok
    if ok:
        v = gbnf.parse_value(text, t)
        from rlmlang.types import conforms

        assert conforms(v, t)


def test_parse_value():
    from rlmlang.tools.errors import ToolError

    assert gbnf.parse_value("3", FLOAT) == 3.0 and isinstance(gbnf.parse_value("3", FLOAT), float)
    assert gbnf.parse_value("[1, 2]", ListT(INT)) == [1, 2]
    assert gbnf.parse_value(" true ", BOOL) is True
    assert gbnf.parse_value('"x"', STR) == "x"
    with pytest.raises(ToolError, match="not a complete"):
        gbnf.parse_value("[1, 2", ListT(INT))  # cut by the token limit
    with pytest.raises(ToolError, match="is not a"):
        gbnf.parse_value('"x"', INT)


# -------------------------------------------------------------------- the CLI


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    from rlmlang.commands import grammar as cmd

    p = argparse.ArgumentParser()
    cmd.add_arguments(p)
    rc = cmd.run(p.parse_args(list(argv)))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_prints_the_grammars(capsys):
    rc, out, _ = _run(capsys, "--gbnf")
    assert rc == 0 and out == gbnf.full_grammar()
    rc, out, _ = _run(capsys, "--lark")
    assert rc == 0 and out == GRAMMAR_PATH.read_text(encoding="utf-8")
    rc, out, _ = _run(capsys, "--tools", "len,llm.predict", "--inputs", "context",
                      "--output", "int")
    assert rc == 0 and '"llm.predict"' in out and "root ::= stmt-0t{0,8}" in out
    rc, out, _ = _run(capsys, "--value", "list[str]")
    assert rc == 0 and out == gbnf.value_grammar(ListT(STR))
    rc, _, err = _run(capsys, "--value", "lst[str]")
    assert rc == 2 and "unknown type" in err
    rc, _, err = _run(capsys, "--tools", "a b")
    assert rc == 2 and "not a valid name" in err
