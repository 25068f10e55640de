"""What the analysis measures and records: costs, loops, call sites, size problems.

`Cost` is the triple the verifier bounds (fuel, tool calls, sub-model calls);
a `LoopRecord` is one loop's line in the proof and in E_COST's dominant
chain; a `CallSite` is an effectful call with the pieces of its resource
argument, for permissions.py; a `Frame` is what a def's body (or the
script's) collects while it is evaluated: the states at `break`/`continue`,
the returns, the branches that leave a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlmlang.syntax import ast
from rlmlang.tools.registry import ToolSpec
from rlmlang.verify.sizes import AV, Num, Piece, mul
from rlmlang.verify.values import State


@dataclass
class Cost:
    fuel: Num = 0
    tools: Num = 0
    llm: Num = 0

    def add(self, o: Cost) -> None:
        self.fuel += o.fuel
        self.tools += o.tools
        self.llm += o.llm

    def scaled(self, n: Num) -> Cost:
        return Cost(mul(self.fuel, n), mul(self.tools, n), mul(self.llm, n))

    def max(self, o: Cost) -> Cost:
        return Cost(max(self.fuel, o.fuel), max(self.tools, o.tools), max(self.llm, o.llm))


@dataclass
class LoopRecord:
    node: ast.Stmt
    kind: str  # "for" | "while"
    iterations: Num
    per_iteration: Cost
    total: Cost
    parent: int | None  # id of the enclosing loop node
    iter_text: str = ""
    measure: str | None = None
    guessed: bool = False
    why_bound: str = ""  # how the iteration count is known
    amortized: bool = False  # the body's total is bounded by the items' summed size


@dataclass
class CallSite:
    """An effectful call: its spec and the abstract pieces of its resource argument."""

    node: ast.Call
    spec: ToolSpec
    pieces: set[tuple[Piece, ...] | None] = field(default_factory=set)
    in_loop: bool = False


@dataclass
class SizeProblem:
    node: Any
    message: str
    fix: str
    data: dict[str, Any]


class Frame:
    def __init__(self) -> None:
        self.loop_breaks: list[list[State]] = []
        self.loop_conts: list[list[State]] = []
        # Per enclosing loop of this frame: the dearest branch that leaves it (runs once).
        self.once: list[Cost] = []
        self.returns: list[AV] = []
