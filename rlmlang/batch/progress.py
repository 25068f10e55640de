"""The batch's progress: a live line on a terminal, one plain line per finished task otherwise.

    batch 12/20 · 9 answered, 2 uncertain, 1 failed · 2 running · 41 tok/s · ETA 1m40s

Counts cover the whole batch (tasks finished by an earlier run included);
tokens/s and the ETA only what this run did. The ETA is the tasks left
times this run's seconds per finished task.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO


def _clock(s: float) -> str:
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else \
        f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def _short(value: Any, width: int = 50) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ")
    return repr(text[:width] + "…") if len(text) > width else repr(text)


class Progress:
    def __init__(self, total: int, already: dict[str, int], stream: TextIO | None = None,
                 live: bool | None = None, quiet: bool = False, streamed: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.streamed = streamed  # tokens come as the workers generate them (else per result)
        self.live = (self.stream.isatty() if live is None else live) and not quiet
        self.total = total
        self.counts = {"answered": 0, "uncertain": 0, "no_answer": 0, "error": 0, **already}
        self.finished_now = 0
        self.running: set[str] = set()
        self.tokens = 0
        self.t0 = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        c = self.counts
        el = time.monotonic() - self.t0
        failed = c["no_answer"] + c["error"]
        parts = [f"batch {self.done}/{self.total}",
                 f"{c['answered']} answered, {c['uncertain']} uncertain, {failed} failed",
                 f"{len(self.running)} running",
                 f"{self.tokens / el:.0f} tok/s" if el > 0 else "0 tok/s"]
        if self.finished_now and self.done < self.total:
            parts.append(f"ETA {_clock(el / self.finished_now * (self.total - self.done))}")
        return " · ".join(parts)

    def message(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "start":
            self.running.add(msg[1])
        elif kind == "tokens":
            self.tokens += int(msg[2])
        elif kind == "note":
            self.say(f"note: {msg[1]}")
        elif kind == "stopping":
            self.say(f"stopping: {len(self.running)} running task(s) end at their next "
                      "step, their logs kept for resuming (Ctrl-C again kills them)")
        self.tick()

    def result(self, rec: dict[str, Any]) -> None:
        self.running.discard(rec["id"])
        if rec.get("stopped"):
            self.tick(force=True)
            return
        status = rec.get("status", "error")
        self.counts[status] = self.counts.get(status, 0) + 1
        self.finished_now += 1
        if not self.streamed and not rec.get("recovered"):
            self.tokens += int(rec.get("tokens", 0))
        if not self.live and not self.quiet:
            what = _short(rec.get("answer")) if status in ("answered", "uncertain") else \
                str(rec.get("reason", ""))[:100]
            self.say(f"[{self.done}/{self.total}] {rec['id']} {status} "
                      f"{rec.get('seconds', 0):.1f}s {rec.get('tokens', 0)} tok: {what}")
        self.tick(force=True)

    def tick(self, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.2:
            return
        self._drawn = now
        text = self.line()
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)

    def say(self, text: str) -> None:
        if self.quiet:
            return
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self._width:
            self.stream.write("\n")
        if not self.quiet:
            self.stream.write(self.line() + f" · {_clock(time.monotonic() - self.t0)}\n")
        self.stream.flush()
