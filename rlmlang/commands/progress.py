"""`rlm run`'s live status line: which model, which profile, what the run is doing, how long.

One line on stderr, only when stderr is a terminal (piped output stays plain,
and `--quiet` or `--json` turn it off). The line is an object rich asks to
render at every refresh (4 a second), so the clock moves between the
controller's events: a model that thinks for ten seconds shows ten ticks, not
a frozen "0s". Each script's verdict is printed above the line as it comes:
✓ for an answer, ✗ for a rejection, a failure or an empty answer (the
controller does not take an empty answer, so neither does the display).
"""

from __future__ import annotations

import time
from typing import Any


class Progress:
    """The event hook the Runtime calls (`on_event`), drawing the status line."""

    def __init__(self, enabled: bool, console: Any = None) -> None:
        self.enabled = enabled
        self.t0 = time.monotonic()
        self.model = ""
        self.profile = ""
        self.doing = "loading the model"
        self.tokens = 0
        self.console: Any = None
        self.status: Any = None
        if enabled:
            from rich.console import Console

            self.console = console or Console(stderr=True)
            self.status = self.console.status(self, refresh_per_second=4)
            self.status.start()

    def describe(self, model: str, profile: str) -> None:
        """Name the model and profile once the Runtime has loaded them."""
        self.model, self.profile = model, profile
        self.doing = "starting"

    def line(self) -> str:
        """The status line as it reads now."""
        parts = [self.model, f"profile {self.profile}" if self.profile else "", self.doing,
                 f"{self.tokens:,} tokens" if self.tokens else "",
                 f"{time.monotonic() - self.t0:.0f}s"]
        return " · ".join(p for p in parts if p)

    def __rich__(self) -> Any:  # rendered again at every refresh: the clock ticks
        from rich.text import Text

        return Text(self.line())

    def __call__(self, kind: str, payload: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if kind == "warm":
            self.doing = "reading the prompt's fixed part"
        elif kind == "generate":
            self.tokens = int(payload.get("used", {}).get("tokens", self.tokens))
            self.doing = (f"iteration {payload['iteration']} · writing script "
                          f"{payload['candidate']}/{payload['of']}")
        elif kind == "generation":
            self.tokens += int(payload.get("tokens", 0))
            self.doing = (f"iteration {payload['iteration']} · checking script "
                          f"{payload['candidate']} ({payload['tokens_per_s']} tok/s)")
        elif kind == "verdict":
            self.console.print(verdict_line(payload), highlight=False, markup=False)
        elif kind == "observation":
            self.doing = f"iteration {payload['iteration']} · reading what the scripts did"
        elif kind == "submit":
            self.doing = "committing the answer"

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def verdict_line(payload: dict[str, Any]) -> str:
    """`  ✓ iteration 1 script 2: submitted → 'K7-19QX'`, or ✗ and why not."""
    from rlmlang.task.answers import is_empty_answer  # lazy: not loaded by `rlm --help`

    value = payload.get("value")
    submitted = payload["stage"] == "done" and payload.get("status") == "submitted"
    if submitted and is_empty_answer(value):
        mark, what = "✗", "submitted an empty answer"
    else:
        mark = "✓" if submitted else "✗"
        what = payload.get("status") or ", ".join(payload["diagnostics"][:2]) or payload["stage"]
    shown = f" → {value!r}"[:60] if submitted and not is_empty_answer(value) else ""
    return f"  {mark} iteration {payload['iteration']} script {payload['candidate']}: {what}{shown}"
