"""The one answer to "which names does this block bind" (syntax/ast.assigned_names),
which the checker, the verifier, the compiler and the stdlib's renaming all ask."""

from __future__ import annotations

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.tools.stdlib import private_def

SCRIPT = """\
total = 0
for k, v in pairs:
    if v > 0:
        total += v
        seen[k] = v
    else:
        a, b = v, k
def f(x: int) -> int:
    hidden = x
    return hidden
while total > 0:
    total -= 1
    for i in range(3):
        last = i
"""


def _body() -> tuple[ast.Stmt, ...]:
    script = parse(SCRIPT).script
    assert script is not None
    return script.body


def test_names_in_first_seen_source_order_not_entering_defs() -> None:
    assert ast.assigned_names(_body()) == ["total", "k", "v", "a", "b", "i", "last"]


def test_in_place_counts_an_item_stored_into_a_list() -> None:
    assert ast.assigned_names(_body(), in_place=True) == [
        "total", "k", "v", "seen", "a", "b", "i", "last"]


def test_stdlib_renaming_follows_a_for_that_unpacks() -> None:
    src = "def f(ps: list[list[int]]) -> int:\n    s = 0\n    for text, n in ps:\n" \
          "        s += n\n    return s\n"
    script = parse(src).script
    assert script is not None
    d, ren = private_def(script.body[0], {"text"})
    assert ren == {"text": "text_f"}
    loop = d.body[1]
    assert isinstance(loop, ast.For)
    assert (loop.var, loop.unpack) == ("text_f, n", ("text_f", "n"))


def test_example_scripts_offer_the_names_they_bind() -> None:
    """The grammar offers the names the worked examples bind; an example that did not
    parse would offer none, so every shipped one must."""
    from rlmlang.controller.examples import assigned_names, load_library

    for e in load_library():
        assert parse(e.script).script is not None, e.name
    assert assigned_names("for k, v in pairs:\n    total += v\n") == {"k", "v", "total"}
