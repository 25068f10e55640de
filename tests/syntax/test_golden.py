"""Golden files for the front end, in the style of starlark-go's test suite.

Each `golden/*.rlm` is a script; a line that should draw a diagnostic ends
with one or more annotations `### CODE "regex"` (the regex is searched for in
the message). The annotations are cut from the text before it is parsed (they
would otherwise be comments, or be swallowed by an unclosed string), so the
columns of everything before them are unchanged. The test asserts that every
expected diagnostic appears on its line, and that no other diagnostic appears
anywhere: a file without annotations must parse cleanly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlmlang.diagnostics import CODES
from rlmlang.syntax.parser import parse

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.rlm"))
_ANNOTATION = re.compile(r"\s*###(.*)$")
_EXPECT = re.compile(r'\s*(E_[A-Z_]+)\s+"((?:[^"\\]|\\.)*)"')


def load(path: Path) -> tuple[str, list[tuple[int, str, str]]]:
    """The script text with annotations cut, and the (line, code, regex) expected."""
    lines = path.read_text(encoding="utf-8").split("\n")
    expected: list[tuple[int, str, str]] = []
    for n, line in enumerate(lines, 1):
        m = _ANNOTATION.search(line)
        if not m:
            continue
        rest = m.group(1)
        while rest.strip():
            e = _EXPECT.match(rest)
            assert e, f"{path.name}:{n}: malformed annotation {rest!r}"
            expected.append((n, e.group(1), e.group(2).replace('\\"', '"')))
            rest = rest[e.end():]
        lines[n - 1] = line[: m.start()]
    return "\n".join(lines), expected


def test_enough_golden_files() -> None:
    assert len(FILES) >= 40
    errors = [p for p in FILES if p.name.startswith("err_")]
    assert len(errors) >= 30
    for p in errors:
        assert load(p)[1], f"{p.name} is an error case with no expected diagnostic"
    for p in FILES:
        if p.name.startswith("valid_"):
            assert not load(p)[1], f"{p.name} is a valid case but expects diagnostics"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path: Path) -> None:
    text, expected = load(path)
    result = parse(text, path.name)
    got = [(d.line, d.code, d.message) for d in result.diagnostics]
    for line, code, regex in expected:
        assert code in CODES
        hits = [g for g in got if g[0] == line and g[1] == code and re.search(regex, g[2])]
        assert hits, (f"{path.name}:{line}: expected {code} matching {regex!r}; got "
                      f"{got or 'no diagnostics'}")
    for line, code, message in got:
        assert any(line == e_line and code == e_code and re.search(rx, message)
                   for e_line, e_code, rx in expected), (
            f"{path.name}:{line}: unexpected {code}: {message}")
    if expected:
        assert result.script is None, "a script with diagnostics must not come back as valid"
    else:
        assert result.ok and result.script is not None and result.script.body
    for d in result.diagnostics:
        assert d.file == path.name
        assert d.span is not None and d.span.line >= 1 and d.span.col >= 1
        rendered = d.render(text)
        assert f"{path.name}:{d.line}:{d.col}" in rendered and "^" in rendered
