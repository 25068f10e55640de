"""The Python forms at the front end: they parse, print back canonically, and the
printed text parses to the same tree (the round trip `rlm fmt` relies on)."""

from __future__ import annotations

import pytest

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script

FORMS = [
    ("a, b = 1, 2\nc = a, b\n", "a, b = 1, 2\nc = a, b\n"),
    ('for k, v in d.items():\n    print(f"{k}: {v:.2f} {{x}} {d[\'a\']}")\n',
     'for k, v in d.items():\n    print(f"{k}: {v:.2f} {{x}} {d[\'a\']}")\n'),
    ('y = [x.strip() for x in s.split(",") if x != "" if len(x) > 2 for z in w]\n', None),
    ("import re\nfrom collections import Counter, defaultdict\n", None),
    ("w = max(d, key=lambda k: d[k])\nz = sorted(xs, key=len, reverse=True)\n", None),
    ("q = (a if c else b) as int\nr = a if c else b if d else e\n", None),
    ("n = sum(1 for x in xs if x is not None)\n", "n = sum(1 for x in xs if x != None)\n"),
    ('r = line.split(",")[2].strip().lower()\n', None),
    ("m = {k: v for k, v in pairs}\n", None),
    ('s = r"\\d+"\nt = """ab\ncd"""\n', 's = "\\\\d+"\nt = "ab\\ncd"\n'),
    ("x = f'{a[\"k\"]}'\n", "x = f\"{a['k']}\"\n"),
    ("def pair(x: int) -> tuple[int, str]:\n    return x, str(x)\n", None),
]


@pytest.mark.parametrize("src,canonical", FORMS)
def test_a_python_form_round_trips(src: str, canonical: str | None) -> None:
    r = parse(src)
    assert r.ok, [d.message for d in r.diagnostics]
    out = print_script(r.script)
    assert out == (canonical or src)
    again = parse(out)
    assert again.ok and again.script == r.script


def test_methods_of_names_and_of_other_values_parse_apart() -> None:
    body = parse('a = s.split(",")\nb = s.strip().lower()\nc = llm.predict("q")\n').script.body
    assert isinstance(body[0].value, ast.Call) and body[0].value.func == "s.split"
    assert isinstance(body[1].value, ast.MethodCall) and body[1].value.method == "lower"
    assert isinstance(body[2].value, ast.Call) and body[2].value.func == "llm.predict"


def test_unknown_escapes_keep_their_backslash_as_in_python() -> None:
    value = parse('p = "C:\\data\\x41\\u00e9"\n').script.body[0].value
    assert value.value == "C:\\dataAé"


def test_an_fstring_value_points_at_its_own_column() -> None:
    r = parse('x = f"ab {1 + } c"\n')
    assert not r.ok
    d = r.diagnostics[0]
    assert d.line == 1 and d.col == 10 and "f-string" in d.message
