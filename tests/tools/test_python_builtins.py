"""Python builtins and methods coder models write: `s.format(...)`, `dict(...)`, `list(s)`,
`set(s)`, `s.zfill(n)`.

Each runs through the one pipeline (checked, verified, run); what cannot be
verified is refused with a fix. Both VM tiers run them alike through the
verifier's accept corpus (tests/verify/accept/python_forms.rlm).
"""

from __future__ import annotations

from typing import Any

import pytest

from rlmlang.pipeline import ScriptSetup, execute_script
from rlmlang.tools import core_specs, default_registry
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import Size, size_of
from rlmlang.tools.template import any_template_chars, template_chars, template_fields
from rlmlang.types import BOOL, INT, STR, Type

CONTEXT = "name=ana\nage=31\ncity=Perth\n"


def run(script: str, output: Type = STR, context: str = CONTEXT) -> Any:
    setup = ScriptSetup(registry=default_registry(include_plugins=False),
                        inputs={"context": context}, input_types={"context": STR},
                        output=output, state=None)
    return execute_script(script, setup)


def answer(script: str, output: Type = STR) -> Any:
    out = run(script, output)
    assert out.stage == "done", [(d.code, d.message, d.fix) for d in out.diagnostics]
    return out.answer


def refused(script: str, output: Type = STR) -> tuple[str, str, str]:
    out = run(script, output)
    assert out.stage != "done"
    d = out.diagnostics[0]
    return d.code, d.message, d.fix or ""


# ------------------------------------------------------------------ str.format


@pytest.mark.parametrize("expr, want", [
    ('"What is the code of locker {}?".format(7)', "What is the code of locker 7?"),
    ('"{} and {}".format("a", 2.5)', "a and 2.5"),
    ('"{0}-{1}-{0}".format("x", True)', "x-True-x"),
    ('"{{{}}} {{}}".format(1)', "{1} {}"),
    ('"{name} is {n}".format(name="ana", n=31)', "ana is 31"),
    ('"{} {who}".format(1, who="bo")', "1 bo"),
    ('"{}".format([1, 2])', "[1, 2]"),
    ('"no fields".format()', "no fields"),
])
def test_format_fills_fields_as_str_shows_values(expr: str, want: str) -> None:
    assert answer(f"submit({expr})\n") == want


@pytest.mark.parametrize("spec", [".2f", ",", ">8", "<6", "^7", "+.1f", ".1%", "8.3f", ".3e",
                                  "d", "5d", ",.2f"])
def test_format_specs_are_the_f_strings(spec: str) -> None:
    """One implementation: a spec in a template gives what the same spec in an f-string does."""
    x = "1234.5678" if spec[-1:] != "d" else "1234"
    conv = "int" if spec[-1:] == "d" else "float"
    got = answer(f'x = {conv}("{x}")\nsubmit("[{{:{spec}}}]".format(x) + f"[{{x:{spec}}}]")\n')
    half = len(got) // 2
    assert got[:half] == got[half:], got


@pytest.mark.parametrize("template, message", [
    ("{} {}", "the template needs value {1} but 1 were given"),
    ("{0} {}", "numbers its fields all by hand"),
    ("{x}", "no x= was given"),
    ("{!r}", "not in the language"),
    ("{0[1]}", "is not in the language"),
    ("a } b", "a single '}'"),
    ("{:>1000}", "is not one the language takes"),
])
def test_a_template_that_does_not_fit_stops_with_e_tool(template: str, message: str) -> None:
    out = run(f'submit("{template}".format(1))\n')
    assert out.stage == "run"
    d = out.diagnostics[0]
    assert d.code == "E_TOOL" and message in d.message, d.message


def test_format_is_typed_a_str() -> None:
    code, message, _ = refused('n = "{}".format(3) + 1\nsubmit(str(n))\n')
    assert code == "E_TYPE"


def test_a_known_template_is_bounded_field_by_field() -> None:
    """A literal template: its text and each value shown (as the f-string is bounded)."""
    s = [size_of("{}: {:.1f} {{}}"), Size(40, 1), Size(1, 1)]
    assert template_chars("{}: {:.1f} {{}}", s) == 2 + 3 + 40 + 512
    assert any_template_chars(s) >= template_chars("{}: {:.1f} {{}}", s)
    assert template_fields("a{}b{x:>3}") == ["a", (0, ""), "b", ("x", ">3"), ]
    with pytest.raises(ToolError):
        template_fields("{")


def test_every_format_result_is_within_its_bounds() -> None:
    spec = next(s for s in core_specs() if s.name == "str_format")
    assert spec.impl is not None and spec.result_bound is not None
    for args in [("{:>99}{}", "ab", [1, {"k": "v"}]), ("{0}{0}{0}", -2**63), ("{:,.2f}", 1e300),
                 ("{1}{0}", None, 2.5), ("x" * 30 + "{}", "y" * 500)]:
        value = spec.impl(*args)
        assert spec.result_bound.admits(list(args), value) is None
        assert len(value) <= spec.result_size([size_of(a) for a in args]).len


# ------------------------------------------------------------------ dict(...)


@pytest.mark.parametrize("script, want", [
    ('d = dict(zip(["a", "b"], [1, 2]))\nsubmit(d["b"])\n', 2),
    ('d = dict([("a", 1), ("b", 2)])\nsubmit(d["a"] + len(d))\n', 3),
    ('d = dict([["a", "x"], ["b", "y"]])\nsubmit(len(d["b"]))\n', 1),
    ('d = dict(line.split("=", 1) for line in lines(context))\nsubmit(int(d["age"]))\n', 31),
    ('d = {"a": 1}\ne = dict(d)\ne["b"] = 2\nsubmit(len(d) * 10 + len(e))\n', 12),
    ('d = dict()\nd["k"] = 5\nsubmit(d["k"])\n', 5),
])
def test_dict_of_pairs(script: str, want: int) -> None:
    assert answer(script, INT) == want


def test_dict_keys_must_be_str() -> None:
    code, message, fix = refused('d = dict(zip([1, 2], ["a", "b"]))\nsubmit(d["1"])\n')
    assert code == "E_TYPE" and message == "dict keys are str, not int"
    assert "str(k)" in fix


def test_dict_of_something_else_is_refused() -> None:
    code, message, _ = refused('d = dict(5)\nsubmit("x")\n')
    assert code == "E_TYPE" and "dict takes [key, value] pairs or a dict" in message


def test_a_pair_of_the_wrong_length_stops_with_e_tool() -> None:
    out = run('d = dict(line.split("=") for line in lines(context + "a=b=c"))\n'
              'submit(str(len(d)))\n')
    assert out.stage == "run" and out.diagnostics[0].code == "E_TOOL"
    assert "must be a [key, value] pair" in out.diagnostics[0].message


def test_dict_is_no_larger_than_its_argument() -> None:
    spec = next(s for s in core_specs() if s.name == "dict")
    assert spec.impl is not None
    for pairs in ([["a", 1], ["bb", [1, 2, 3]]], [], [["k", "v"] for _ in range(5)]):
        got, bound = size_of(spec.impl(pairs)), spec.result_size([size_of(pairs)])
        assert (got.len, got.elem, got.total) <= (bound.len, bound.elem, bound.total)


# ------------------------------------------------------------ list(s), set(s), zfill


def test_list_and_set_of_a_str_are_its_characters() -> None:
    assert answer('submit(str(list("aba")) + str(len(set("banana"))))\n') == "['a', 'b', 'a']3"


def test_copy_of_a_number_is_refused() -> None:
    code, message, _ = refused("xs = list(5)\nsubmit(str(xs))\n")
    assert code == "E_TYPE"


@pytest.mark.parametrize("expr, want", [('"42".zfill(5)', "00042"), ('"-7".zfill(4)', "-007"),
                                        ('"12345".zfill(3)', "12345")])
def test_zfill(expr: str, want: str) -> None:
    assert answer(f"submit({expr})\n") == want


def test_zfill_wider_than_99_stops_with_e_tool() -> None:
    out = run('submit("1".zfill(1000))\n')
    assert out.stage == "run" and "width must be an int up to 99" in out.diagnostics[0].message


def test_string_tests_stay_bools() -> None:
    assert answer('submit("42".isdigit() and "ab".isalpha())\n', BOOL) is True


# ------------------------------------------------------------ max/min(xs, default=d), set()


@pytest.mark.parametrize("script, want", [
    ("xs = [3, 1, 2]\nsubmit(max(xs, default=0) * 10 + min(xs, default=0))\n", 31),
    ("xs = [int(w) for w in context.split() if w.isdigit()]\n"
     "submit(max(xs, default=-1) + min(xs, default=-1))\n", -2),
    ('d = {"b": 1, "a": 2}\nsubmit(len(max(d, default="") + min({}, default="")))\n', 1),
])
def test_max_and_min_with_a_default(script: str, want: int) -> None:
    assert answer(script, INT) == want


def test_a_default_of_another_type_is_refused_with_the_conditional() -> None:
    code, message, fix = refused("xs = [1, 2]\nm = max(xs, default=None)\nsubmit(str(m))\n")
    assert code == "E_TYPE" and message == "max's default must be int (the items' type), not none"
    assert fix == "max(xs) if len(xs) > 0 else None"


def test_an_empty_set_is_filled_by_add() -> None:
    assert answer('seen = set()\nfor w in context.split()[:50]:\n    seen.add(w)\n'
                  'submit(str(len(seen)))\n') == str(len(set(CONTEXT.split()[:50])))


def test_find_and_index_take_a_start_as_pythons_do() -> None:
    out = run('s = context.find("=")\nt = context.find("=", s + 1)\n'
              'submit(str(s) + "," + str(t) + "," + str(context.index("=", t + 1)) + ","\n'
              '       + str(context.find("=", 100)))')
    assert out.status == "submitted" and out.value == "4,12,20,-1"
