"""Maybe-None values (`T | None`, check/narrow.py) and next(): what the checker accepts
after a None test, what it refuses without one, and how the refusal reads."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "verify"))

from harness import Setup, env_of  # noqa: E402

from rlmlang.check import check  # noqa: E402
from rlmlang.syntax.parser import parse  # noqa: E402
from rlmlang.syntax.printer import print_script  # noqa: E402
from rlmlang.types import STR, DictT, OptionalT, conforms, parse_type  # noqa: E402


def _check(text: str):
    script = parse(text).script
    assert script is not None, parse(text).diagnostics
    return check(script, env_of(Setup()), "t.rlm")


def _ok(text: str):
    r = _check(text)
    assert r.checked is not None, [d.render(text) for d in r.diagnostics]
    return r.checked


def _errors(text: str) -> list[str]:
    r = _check(text)
    assert r.checked is None
    return [d.message + " | " + (d.fix or "") for d in r.diagnostics if d.severity == "error"]


ROWS = 'rows = [{"name": "a", "total": "3"}, {"name": "b", "total": "5"}]\n'


def test_a_name_started_with_none_takes_t_or_none_and_a_guard_narrows_it() -> None:
    c = _ok(ROWS + 'best = None\nfor r in rows:\n'
            '    if best is None or float(r["total"]) > float(best["total"]):\n'
            '        best = r\nif best is None:\n    fail("none")\nsubmit(best["name"])\n')
    assert c.locals.globals["best"] == OptionalT(DictT(STR))


def test_a_maybe_none_value_used_as_t_is_an_error_with_the_fix() -> None:
    """Where the statement may not evaluate the read (a branch of `a if c else b`, an
    and/or, a comprehension), a maybe-None value is an error with its fix; read in any
    case, it is checked before the statement instead (check/unassigned.py)."""
    errs = _errors(ROWS + 'best = None\nfor r in rows:\n    best = r\n'
                   'submit(best["name"] if len(rows) > 0 else "none")\n')
    assert len(errs) == 1
    assert "best may be None here (dict[str, str] | None)" in errs[0]
    assert "if best is None: fail(" in errs[0]
    _ok(ROWS + 'best = None\nfor r in rows:\n    best = r\nsubmit(best["name"])\n')


def test_narrowing_is_forgotten_when_the_name_is_assigned() -> None:
    errs = _errors('x = None\nif len(context) > 1:\n    x = "a"\nif x is not None:\n'
                   '    x = None\n    print(len(context) > 0 and x.upper() == "A")\n'
                   'submit("ok")\n')
    assert len(errs) == 1 and "x may be None" in errs[0]


def test_a_loop_forgets_what_its_body_may_change() -> None:
    errs = _errors('x = None\nif len(context) > 1:\n    x = "a"\nif x is None:\n'
                   '    fail("no")\nfor w in context.split():\n'
                   '    print(len(w) > 0 and x.upper() == "A")\n'
                   '    x = None\nsubmit("ok")\n')
    assert len(errs) == 1 and "x may be None" in errs[0]


def test_and_or_not_and_branches_narrow_as_python_flows() -> None:
    _ok('x = None\nif len(context) > 1:\n    x = "a"\n'
        'ok = x is not None and x.startswith("a")\n'
        'ok2 = x is None or len(x) > 0\n'
        'if not (x is None):\n    print(x.upper())\n'
        'elif len(context) > 0:\n    print("none")\n'
        'y = x.lower() if x is not None else ""\n'
        'if x is None:\n    x = "default"\n'
        'submit(x.upper() + y + str(ok) + str(ok2))\n')


def test_an_else_branch_sees_the_false_facts_and_a_continue_guard_narrows() -> None:
    _ok('hits = [w if len(w) > 2 else None for w in context.split()]\nn = 0\n'
        'for h in hits:\n    if h is None:\n        continue\n    n += len(h)\n'
        'words = [h.upper() for h in hits if h is not None]\nsubmit(str(n) + str(len(words)))\n')


def test_next_with_a_generator_and_a_default_lowers_to_a_loop_def() -> None:
    c = _ok('p = next((w for w in context.split() if w.startswith("P")), None)\n'
            'if p is None:\n    fail("not found")\nsubmit(p)\n')
    core = print_script(c.script)
    assert "def next@1:5(default@: str | None, context: str)" in core
    assert "return w" in core and "return default@" in core
    assert c.locals.globals["p"] == OptionalT(STR)


def test_next_without_a_default_fails_at_run_time_and_types_as_the_item() -> None:
    c = _ok('first = next(iter(context.split()))\nsubmit(first.upper())\n')
    assert "StopIteration" in print_script(c.script)


def test_next_default_of_another_type_is_an_error() -> None:
    errs = _errors('p = next((w for w in context.split()), 3)\nsubmit(p)\n')
    assert "next's default must be str (the items' type) or None, not int" in errs[0]


def test_a_def_that_returns_none_on_a_path_returns_t_or_none() -> None:
    errs = _errors('def f(s: str):\n    if len(s) > 3:\n        return s\n\n'
                   'submit(f(context).upper())\n')
    assert "f(context) may be None here (str | None)" in errs[0]
    assert "give it a name and check it first" in errs[0]


def test_the_optional_type_is_written_t_or_none() -> None:
    t = parse_type("dict[str, str] | None")
    assert t == OptionalT(DictT(STR)) and str(t) == "dict[str, str] | None"
    assert conforms(None, t) and conforms({"a": "b"}, t) and not conforms(3, t)


def test_t_or_none_in_annotations_and_a_parenthesized_generator_round_trip() -> None:
    text = ('def f(x: str | None, n: Optional[int]) -> str | None:\n    return x\n\n'
            'p = next((w for w in context.split() if w != ""), None)\nsubmit(str(f(p, 1)))\n')
    script = parse(text).script
    assert script is not None
    printed = print_script(script)
    assert "def f(x: str | None, n: int | None) -> str | None:" in printed
    assert 'next((w for w in context.split() if w != ""), None)' in printed
    again = parse(printed).script
    assert again is not None and print_script(again) == printed
    _ok(text)


def test_a_bare_generator_among_other_arguments_is_still_a_syntax_error() -> None:
    r = parse("n = max(len(x) for x in context.split(), 0)\n")
    assert r.script is None
    assert any("generator must be the only argument" in d.message for d in r.diagnostics)


def test_dict_get_without_a_default_or_with_none_is_maybe_none() -> None:
    c = _ok('counts = {"a": 1}\nv = counts.get("a")\nu = counts.get("b", None)\n'
            'w = get(counts, "c", None)\nif v is None or u is None or w is None:\n'
            '    fail("missing")\nsubmit(str(v + u + w))\n')
    assert 'get(counts, "a", None)' in print_script(c.script)
    errs = _errors('counts = {"a": 1}\nv = counts.get("b", None)\n'
                   'submit(str(v + 1) if len(counts) > 0 else "")\n')
    assert "v may be None here (int | None)" in errs[0]


HOP = ('site = next((r.split(" ")[1] for r in lines(context) if "{server}" in r), None)\n'
       'city = next((s.split(",")[1] for s in lines(context) if site in s), None)\n'
       'submit(city)\n')
RACKS = "S1,Ghent\nS2,Medan\nSER-1 S1\nSER-2 S2\n"


def test_a_maybe_none_name_read_per_item_is_checked_before_the_statement() -> None:
    """The 1.5B's two hops: `site` from next(..., None), read in the next comprehension.
    Python raises at the first item where site is None; the check fails first."""
    from script_run import run_script

    found = run_script(HOP.format(server="SER-2"), STR, context=RACKS)
    assert found.stage == "done" and found.answer == "Medan"
    missing = run_script(HOP.format(server="SER-9"), STR, context=RACKS)
    assert missing.status == "failed"  # fail(...), as Python would raise
    assert "'site' is None here" in str(missing.value)


def test_a_maybe_none_read_in_a_branch_or_of_a_comprehensions_own_name_stays_an_error():
    for text in [  # the read may be skipped, or the name is the comprehension's own
        'site = next((l for l in lines(context) if "x" in l), None)\n'
        'submit(site.upper() if len(context) > 3 else "no")\n',
        'xs = [next((l for l in lines(context) if w in l), None) for w in ["a", "b"]]\n'
        'submit(str(len([x.upper() for x in xs])))\n',
    ]:
        r = _check(text)
        assert r.checked is None and "may be None here" in r.diagnostics[0].message


def test_a_none_guard_on_a_value_that_is_never_none_is_a_warning() -> None:
    """`if dept is None: fail(...)` after next() without a default (dev sample 5 inject-07,
    24 logs of the 1.5B refused): the guard never fires, as in Python; the script runs,
    with a warning. Comparing values of two other kinds stays an error."""
    guard = ('dept = next(d for d in records(context) if d["id"] == "7")\n'
             'if dept is None:\n    fail("none")\nsubmit(dept["name"])\n')
    r = _check(guard)
    assert r.checked is not None
    assert [(d.severity, d.message) for d in r.diagnostics] == [
        ("warning", "comparing dict[str, str] with none is always False")]
    r = _check('n = len(context)\nif n == "3":\n    fail("no")\nsubmit("x")\n')
    assert r.checked is None and r.diagnostics[0].severity == "error"
