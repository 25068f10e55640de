"""Diagnostics: the one error value every stage produces.

A diagnostic is data, not an exception: stages collect them and return them
with their result, so a model repairing a script sees every problem at once.
Each carries a stable code (the contract with tools and tests), a position,
a plain-words message, and where possible a concrete fix. The same value
renders for a person (`file:line:col`, the source line, a caret) and as JSON
for a machine or for the model's repair prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Stable codes. Never renumber or reuse one: tests, logs and users refer to them.
CODES: dict[str, str] = {
    "E_SYNTAX": "the text is not a well-formed script",
    "E_INPUT": "the file cannot be read as a script (empty, binary, not UTF-8, too large)",
    "E_DEPTH": "blocks are nested deeper than the language allows",
    "E_NAME": "a name that is not defined",
    "E_TYPE": "a value of the wrong type",
    "E_RECURSION": "a function calls itself, directly or through others",
    "E_TERMINATION": "a loop that cannot be shown to end",
    "E_DECREASES": "a while loop's measure does not decrease, or is not bounded below",
    "E_COST": "the worst-case cost exceeds the budget",
    "E_PERMISSION": "an effect that no grant allows",
    "E_DENIED": "an effect that a deny rule forbids",
    "E_SIZE": "a string or list that can grow without a safe bound",
    "E_ALIAS": "a list or dict changed in place is also reachable through another name",
    "E_LOOPVAR": "a loop's variable read after a search loop that never breaks (its last item)",
    "E_UNPROVEN": "the solver could not decide an obligation in its resource limit",
    "E_SUBMIT": "the script never submits, or submits a value of the wrong type",
    "E_BYTECODE": "bytecode that fails validation",
    "E_RUNTIME": "an error while the script ran",
    "E_FUEL": "the script ran out of fuel",
    "E_VERIFIER_BUG": "a verified script exceeded its proven bound",
    "E_TOOL": "a tool call failed",
    "E_STATE": "a state store error",
    "E_LOG": "a log that is malformed or has been altered",
    "E_MODEL": "the model could not be loaded or failed",
    "E_BUDGET": "a run budget tripped",
    "E_USAGE": "the command was used wrongly",
    "E_IO": "a file could not be read or written (missing, a directory, no permission, disk full)",
    "E_PLUGIN": "a tool plugin (an installed package) could not be loaded, or clashes",
    "E_INTERNAL": "a bug in rlmlang itself (please report it with the message)",
}


@dataclass(frozen=True, order=True)
class Span:
    """A source range; lines and columns are 1-based, `end_col` is exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int

    @staticmethod
    def point(line: int, col: int) -> Span:
        return Span(line, col, line, col + 1)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    file: str = "<script>"
    fix: str | None = None
    notes: tuple[str, ...] = ()
    # Numbers and counterexamples, for machines (budget, worst case, model, ...).
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")

    def with_file(self, file: str) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.span, file, self.fix, self.notes,
                          self.data, self.severity)

    @property
    def line(self) -> int:
        return self.span.line if self.span else 0

    @property
    def col(self) -> int:
        return self.span.col if self.span else 0

    def location(self) -> str:
        if self.span is None:
            return self.file
        return f"{self.file}:{self.span.line}:{self.span.col}"

    def render(self, source: str | None = None) -> str:
        """Human form: location, code, message, source line with caret, fix."""
        out = [f"{self.location()}: {self.severity} {self.code}: {self.message}"]
        if source is not None and self.span is not None:
            lines = source.splitlines()
            if 1 <= self.span.line <= len(lines):
                text = lines[self.span.line - 1].replace("\t", " ")
                if len(text) > 160:
                    text = text[:160] + "…"
                width = 1
                if self.span.end_line == self.span.line:
                    width = max(1, self.span.end_col - self.span.col)
                width = max(1, min(width, len(text) - self.span.col + 2))
                out.append(f"    {text}")
                out.append("    " + " " * (self.span.col - 1) + "^" + "~" * (width - 1))
        for note in self.notes:
            out.append(f"  note: {note}")
        if self.fix:
            out.append(f"  fix: {self.fix}")
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "end_line": self.span.end_line if self.span else 0,
            "end_col": self.span.end_col if self.span else 0,
            "message": self.message,
        }
        if self.fix:
            d["fix"] = self.fix
        if self.notes:
            d["notes"] = list(self.notes)
        if self.data:
            d["data"] = self.data
        return d

    @staticmethod
    def from_json(d: dict[str, Any]) -> Diagnostic:
        span = None
        if d.get("line"):
            span = Span(d["line"], d["col"], d.get("end_line") or d["line"],
                        d.get("end_col") or d["col"] + 1)
        return Diagnostic(d["code"], d["message"], span, d.get("file", "<script>"),
                          d.get("fix"), tuple(d.get("notes", ())), d.get("data", {}),
                          d.get("severity", "error"))


FIXIT_EXPR = "fixit_expr"  # the data key of an expression fix-it (controller/fixits.py)
FIXIT_RETURNS = "fixit_returns"  # of a fix-it that lets a def return None as well
FIXIT_STMT = "fixit_stmt"  # of a fix-it that writes a statement in place of one
FIXIT_CALL = "fixit_call"  # of a run-time fix-it: the operation at the span, as a call of
# the named builtin on its operands (`9 ** 60` -> big_pow(9, 60))


def expr_fixit(span: Span, text: str) -> dict[str, Any]:
    """A diagnostic's data for a fix-it that writes `text` in place of the expression at
    `span`; the controller applies it and runs the result as one more candidate."""
    return {FIXIT_EXPR: [[span.line, span.col, span.end_line, span.end_col], text]}


def stmt_fixit(span: Span, text: str) -> dict[str, Any]:
    """A diagnostic's data for a fix-it that writes the statement `text` in place of the
    statement at `span` (run, like any fix-it, as one more candidate)."""
    return {FIXIT_STMT: [[span.line, span.col, span.end_line, span.end_col], text]}


def returns_none_fixit(def_span: Span, returns: str | None = None) -> dict[str, Any]:
    """A diagnostic's data for a fix-it that declares the def at `def_span` as returning
    `T | None`, or the type `returns` where given (Python's `-> str` with a `return None`
    runs, as does `-> int` with a `return total, rows`: the annotation is no check)."""
    return {FIXIT_RETURNS: [def_span.line, def_span.col, *([returns] if returns else [])]}


def render_all(diags: list[Diagnostic], source: str | None = None) -> str:
    return "\n".join(d.render(source) for d in diags)


def to_json_text(diags: list[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diags], indent=2)


class DiagnosticError(Exception):
    """Raised only at API boundaries that must stop (loading a file, a plugin)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("; ".join(f"{d.code}: {d.message}" for d in diagnostics))

    @property
    def code(self) -> str:
        """The (first) diagnostic's stable code, E_USAGE, E_MODEL, ...: what a caller tests."""
        return self.diagnostics[0].code if self.diagnostics else "E_INTERNAL"


class RunError(Exception):
    """Stops a running script with one diagnostic's code, message, fix and data.

    Raised where the position is not known yet: by the VM for what the script
    did (an integer overflow, a budget, a state key with no value) and by the
    one door of effectful tools (a refusal, a timeout, a diverged replay). The
    VM catches it and makes the Diagnostic at the instruction that was running.
    """

    def __init__(self, code: str, message: str, fix: str | None = None, **data: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix
        self.data = data
