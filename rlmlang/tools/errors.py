"""The one exception a tool raises for bad arguments or a failed effect.

Tools raise `ToolError` with a plain-words message and, where one helps, a
fix; the VM turns it into an E_TOOL diagnostic at the call's position, which
goes back to the model for repair. Where the right arguments are certain (the
value sought lies in exactly one other column), `data` carries them as a
fix-it the controller can apply and verify as a new candidate. It subclasses ValueError so that code
catching ValueError (the usual Python convention for bad values) still works.
"""

from __future__ import annotations

from typing import Any


class ToolError(ValueError):
    """A tool call that cannot produce a result (bad argument, missing file, timeout)."""

    def __init__(self, message: str, fix: str | None = None,
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        # Machine-readable detail for the diagnostic, e.g. a fix-it: the
        # arguments to replace, {"fixit": [[2, "customer"]]} (0-based index).
        self.data = dict(data or {})

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message} (fix: {self.fix})"


def preview(text: str, n: int = 40) -> str:
    """A short quoted preview of a value for an error message."""
    s = text if len(text) <= n else text[:n] + "…"
    return repr(s)
