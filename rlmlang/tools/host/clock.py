"""clock.now: the only way a script sees the time.

The time is an input from outside, like a file: it needs the `clock` grant,
and `invoke` records the value in the log, so a replay sees the same time
and reproduces the run exactly.
"""

from __future__ import annotations

import time
from typing import Any

from rlmlang.tools.declare import const_fuel, scalar, tool
from rlmlang.tools.registry import Permission, ToolSpec


def _now(ctx: Any) -> float:
    return time.time()


def clock_specs() -> list[ToolSpec]:
    return [
        tool("clock.now", "", "float", _now,
             "The current time in seconds since 1970 (UTC).", cost=const_fuel(1),
             size=scalar(), origin="host", permission=Permission("clock"), effect=True,
             example="start = clock.now()"),
    ]
