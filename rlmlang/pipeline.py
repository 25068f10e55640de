"""The static pipeline as one call: text → parse → check → verify.

`rlm check`, `rlm exec`, the controller and the audit all go through here,
so a script is judged the same way wherever it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import check_input, parse


@dataclass
class Analysis:
    file: str
    text: str | None
    script: ast.Script | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.script is not None and not any(
            d.severity == "error" for d in self.diagnostics)


def analyze_source(data: bytes | str, file: str = "<script>") -> Analysis:
    text, _ = check_input(data, file)
    result = parse(data, file)
    return Analysis(file, text, result.script, list(result.diagnostics))


def analyze_file(path: str | Path) -> Analysis:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        return Analysis(str(path), None, None, [Diagnostic(
            "E_INPUT", f"cannot read the file: {e.strerror or e}", None, str(path))])
    return analyze_source(data, str(path))
