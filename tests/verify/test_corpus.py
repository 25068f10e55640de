"""Golden corpus: every rejected case names its diagnostics inline, starlark-go style.

Cases live in accept/, reject/ and unproven/ (rejected for want of solver steps).
A line ending in `### E_CODE "regex"` expects a diagnostic with that code on
that line whose message matches the regex; every error the pipeline reports
must be expected by some annotation. Files hold several cases separated by
`---` lines; `#! key: value` lines configure a case (see harness.py).
"""

from __future__ import annotations

import re

import pytest
from harness import ROOT, chunks, parse_header, run_text

_ANN = re.compile(r'###\s*(E_[A-Z_]+)(?:\s+"((?:[^"\\]|\\.)*)")?')


def _cases(*kinds: str) -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(p for kind in kinds for p in (ROOT / kind).glob("*.rlm")):
        for start, text in chunks(path):
            out.append((f"{path.name}:{start}", start, text))
    return out


# unproven/: rejected because the solver runs out of steps (its rlimit) — kept apart so
# that the latency benchmark (bench.micro_verify reads accept/ and reject/) measures the
# verifier, not the rlimit (each costs about a second at the default rlimit).
REJECT = _cases("reject", "unproven")
ACCEPT = _cases("accept")


def test_corpus_is_big_enough() -> None:
    assert len(REJECT) >= 60 and len(ACCEPT) >= 40


@pytest.mark.parametrize("name,start,text", REJECT, ids=[c[0] for c in REJECT])
def test_rejected(name: str, start: int, text: str) -> None:
    expected: list[tuple[int, str, str | None]] = []
    for n, line in enumerate(text.split("\n"), 1):
        for m in _ANN.finditer(line):
            expected.append((n, m.group(1), m.group(2)))
    assert expected, f"{name}: a rejected case needs at least one ### annotation"
    out = run_text(text, parse_header(text), file=name)
    errors = [d for d in out.diagnostics if d.severity == "error"]
    shown = "\n".join(d.render(text) for d in errors)
    for line, code, rx in expected:
        hits = [d for d in errors if d.line == line and d.code == code
                and (rx is None or re.search(rx, d.message))]
        assert hits, f"{name}: expected {code} {rx!r} on line {line}; got:\n{shown}"
    for d in errors:
        ok = any(d.line == line and d.code == code for line, code, _ in expected)
        assert ok, f"{name}: unexpected diagnostic:\n{d.render(text)}"


@pytest.mark.parametrize("name,start,text", ACCEPT, ids=[c[0] for c in ACCEPT])
def test_accepted(name: str, start: int, text: str) -> None:
    out = run_text(text, parse_header(text), file=name)
    errors = [d for d in out.diagnostics if d.severity == "error"]
    assert not errors, "\n".join(d.render(text) for d in errors)
    assert out.verify is not None and out.verify.program is not None
    proof = out.verify.program.proof
    assert proof["bounds"]["fuel"] != "unbounded"
