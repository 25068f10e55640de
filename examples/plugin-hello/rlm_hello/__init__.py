"""rlm-hello: the smallest useful rlmlang plugin.

It adds one pure tool, `hello.greet(name: str) -> str`. A tool is a
ToolSpec: the types the checker holds calls to, the cost and result-size
functions the verifier bounds them with (monotone in the argument sizes),
and the Python implementation the VM calls. A pure tool's implementation
takes the arguments only; a tool with effects sets `effect=True`, declares
a Permission, and takes the run's context first: `impl(ctx, *args)`.
"""

from __future__ import annotations

from rlmlang.cost import size_fuel
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import Param, Size, ToolSpec
from rlmlang.types import STR

GREETING = "Hello, "


def greet(name: str) -> str:
    """The greeting for one name."""
    if not isinstance(name, str) or not name.strip():
        raise ToolError("hello.greet: name must be a non-empty str")
    return f"{GREETING}{name.strip()}!"


def tools() -> list[ToolSpec]:
    """The entry point: every tool this package provides."""
    return [
        ToolSpec(
            name="hello.greet",
            params=(Param("name", STR),),
            result=STR,
            # Fuel: one unit per 64 characters touched, like the builtins.
            cost=lambda sizes: size_fuel(sizes[0].total),
            # The result is the name plus the fixed text around it.
            result_size=lambda sizes: Size(sizes[0].len + len(GREETING) + 1, 1),
            doc="A friendly greeting for name.",
            impl=greet,
            example='submit(hello.greet("Ada"))',
        ),
    ]
