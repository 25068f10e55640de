"""docs/language.md cannot drift from the implementation.

Every ```rlm block must pass the static pipeline (rlmlang.pipeline.analyze_source,
which today parses and will type-check and verify as later stages are wired in),
and every ```rlm-error block must be rejected by it. The examples use only
names they define, the inputs `context` and `question`, and common builtins.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlmlang.pipeline import analyze_source

DOC = Path(__file__).resolve().parents[1] / "docs" / "language.md"
_BLOCK = re.compile(r"^```(rlm|rlm-error)\n(.*?)^```$", re.S | re.M)


def blocks() -> list[tuple[str, int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m.group(1), text[: m.start()].count("\n") + 1, m.group(2))
            for m in _BLOCK.finditer(text)]


def test_the_reference_has_examples_of_both_kinds() -> None:
    kinds = [k for k, _, _ in blocks()]
    assert kinds.count("rlm") >= 22
    assert kinds.count("rlm-error") >= 10


@pytest.mark.parametrize("kind, line, code", blocks(),
                         ids=[f"{k}@{n}" for k, n, _ in blocks()])
def test_doc_example(kind: str, line: int, code: str) -> None:
    result = analyze_source(code, f"language.md:{line}")
    rendered = "\n".join(d.render(code) for d in result.diagnostics)
    if kind == "rlm":
        assert result.ok, f"the example at docs/language.md:{line} is rejected:\n{rendered}"
    else:
        assert not result.ok, f"the error example at docs/language.md:{line} is accepted"
        assert result.diagnostics and all(d.span is not None for d in result.diagnostics)
        # The error examples illustrate the syntax: they must fail there, not later.
        assert {d.code for d in result.diagnostics} <= {"E_SYNTAX", "E_DEPTH", "E_INPUT"}, rendered
