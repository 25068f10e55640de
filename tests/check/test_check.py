"""Unit tests of resolve and typecheck: what the checker records, and how it says no."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "verify"))

from harness import Setup, env_of  # noqa: E402

from rlmlang.check import check  # noqa: E402
from rlmlang.syntax import ast  # noqa: E402
from rlmlang.syntax.parser import parse  # noqa: E402
from rlmlang.types import INT, STR, ListT, format_type  # noqa: E402


def _check(text: str, **kw):
    setup = Setup(**kw)
    script = parse(text).script
    assert script is not None
    return script, check(script, env_of(setup), "t.rlm")


def test_empty_list_takes_its_type_from_later_use() -> None:
    script, r = _check('hits = []\nfor p in lines(context):\n    hits = hits + [p]\nsubmit(join(hits, ","))\n')
    assert r.checked is not None, [d.message for d in r.diagnostics]
    assert r.checked.locals.globals["hits"] == ListT(STR)


def test_types_and_resolution_are_recorded_by_node() -> None:
    script, r = _check("n = len(context)\nsubmit(str(n))\n")
    assert r.checked is not None
    assign = script.body[0]
    assert isinstance(assign, ast.Assign)
    assert r.checked.types[id(assign.value)] == INT
    call = assign.value
    assert isinstance(call, ast.Call)
    assert r.checked.locals.calls[id(call)] == "tool"
    arg = call.args[0]
    assert r.checked.locals.names[id(arg)] == "input"


def test_cast_is_recorded_on_the_call() -> None:
    script, r = _check('xs = llm.predict("list", text=context) as list[str]\nsubmit(join(xs, ","))\n')
    assert r.checked is not None
    call = script.body[0].value.value  # type: ignore[attr-defined]
    assert format_type(r.checked.locals.casts[id(call)]) == "list[str]"


def test_all_errors_are_collected_at_once() -> None:
    # (a computed start: a literal one is a placeholder, read as None, check/sentinel.py)
    _, r = _check('x = len(context)\nfor i in range(2):\n    x = "a"\ny = zz\nsubmit(3)\n')
    codes = sorted(d.code for d in r.diagnostics if d.severity == "error")
    assert codes == ["E_NAME", "E_SUBMIT", "E_TYPE"]
    assert r.checked is None


def test_recursion_names_the_cycle() -> None:
    _, r = _check("def a(n: int) -> int:\n    return b(n)\ndef b(n: int) -> int:\n"
                  "    return a(n)\nsubmit(str(a(1)))\n")
    d = [d for d in r.diagnostics if d.code == "E_RECURSION"]
    assert len(d) == 1 and d[0].data["cycle"] in (["a", "b", "a"], ["b", "a", "b"])


def test_a_method_resolves_by_the_value_type_and_an_unknown_one_is_named() -> None:
    _, r = _check('parts = context.split(",")\nsubmit(parts[0])\n')
    assert r.ok, r.diagnostics
    _, r = _check('parts = context.splt(",")\nsubmit(parts[0])\n')
    d = r.diagnostics[0]
    assert d.code == "E_NAME" and "str has no method 'splt'" in d.message
    assert d.fix is not None and ".split(" in d.fix


def test_truthiness_fix_is_concrete() -> None:
    """A value of and/or outside a condition is a bool, never an operand: the fix says so."""
    _, r = _check("xs = lines(context)\nok = xs and True\nsubmit(\"n\")\n")
    d = r.diagnostics[0]
    assert d.code == "E_TYPE" and "len(xs) > 0" in (d.fix or "")


def test_diagnostic_positions_point_at_the_expression() -> None:
    _, r = _check('n = 1\nsubmit("n=" + n)\n')
    d = r.diagnostics[0]
    assert (d.line, d.col) == (2, 8)
    assert "str(n)" in (d.fix or "")


def test_an_undefined_value_names_the_inputs_not_a_function() -> None:
    # the model named the input of its examples; `count` (a builtin) is no value to suggest
    _, r = _check('n = len(context)\nsubmit(str(n))\n',
                  inputs={"employees": "str", "departments": "str", "question": "str"},
                  sizes={"employees": 1000, "departments": 1000, "question": 100})
    d = r.diagnostics[0]
    assert d.code == "E_NAME"
    assert d.message == "undefined: context (the inputs are employees, departments, question)"


def test_a_method_of_an_undefined_value_names_the_value() -> None:
    """`badges.get(...)` where only an earlier script set badges: the value is undefined,
    not a tool (and the controller's fresh-start hint finds the name it reads)."""
    _, r = _check('submit(badges.get("9876", "none"))\n')
    d = r.diagnostics[0]
    assert (d.code, d.data["name"]) == ("E_NAME", "badges")
    assert d.message == ("undefined: badges (the inputs are context, question; no tool is "
                         "named badges.get)")


def test_a_text_where_a_list_of_texts_is_wanted_is_fixed_to_a_list_of_one() -> None:
    from rlmlang.controller.fixits import apply_fixits

    script = 'submit(lines_with(context, "Jonas")[0])\n'
    _, r = _check(script)
    assert "must be list[str], not str" in r.diagnostics[0].message
    assert apply_fixits(script, r.diagnostics) == 'submit(lines_with(context, ["Jonas"])[0])\n'


def test_a_placeholder_in_the_sub_models_instruction_is_an_error() -> None:
    """Shown `llm.predict("Is this text about ...? Answer yes or no.", text=part)` as an
    example, the 1.5B asked exactly that (fresh dev semantic-05): the sub-model said yes
    to some part, and its title was taken."""
    _, r = _check('v = llm.predict("Is this text about ...? Answer yes or no.", text=context)'
                  '\nsubmit(v)\n')
    assert r.checked is None
    assert any(d.message.startswith("the sub-model's instruction holds '...'")
               for d in r.diagnostics)
    _, ok = _check('v = llm.predict("Is this text about rivers? Answer yes or no.", '
                   'text=context)\nsubmit(v)\n')
    assert not any("placeholder" in d.message for d in ok.diagnostics)
