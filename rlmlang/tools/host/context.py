"""What host tools read from the ToolContext, in one place.

The ToolContext is the VM's (rlmlang/tools/context.py); host tools only
need a few of its attributes, read here with `getattr` so a tool works with
any object that has them (the VM's context, or a small one in tests).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rlmlang.policy import Policy
from rlmlang.tools.errors import ToolError


def policy_of(ctx: Any) -> Policy:
    """The run's policy; a context without one grants nothing (`Policy.deny_all`), as the
    VM's ToolContext does when none is given, so the tool refuses what the door refuses."""
    policy = getattr(ctx, "policy", None)
    return policy if policy is not None else Policy.deny_all(getattr(ctx, "root", None) or ".")


def root_of(ctx: Any) -> Path:
    root = getattr(ctx, "root", None)
    if root is not None:
        return Path(root)
    return Path(policy_of(ctx).root)


def seconds_left(ctx: Any, cap: float) -> float:
    """Time a tool may take: its own cap, or less if the run's deadline is nearer."""
    deadline = getattr(ctx, "deadline", None)
    if deadline is None:
        return cap
    left = deadline - time.monotonic()
    if left <= 0:
        raise ToolError("the run's time budget is spent")
    return min(cap, left)
