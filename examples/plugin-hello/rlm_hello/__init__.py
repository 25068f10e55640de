"""rlm-hello: the smallest useful rlmlang plugin.

It adds one pure tool, `hello.greet(name: str) -> str`. The decorator reads
the tool from the function: its types from the annotations, its doc from the
docstring, and a default cost (one fuel unit per 64 characters of the
arguments) and result bound (the arguments' size plus 1,000 characters,
checked on every call). A tool with effects adds `permission="kind"` (and
`resource="param"`, the parameter that names what it touches); it may then
take the run's context as a first parameter named `ctx`. The entry point in
pyproject.toml names this module: every decorated function in it is a tool.
"""

from __future__ import annotations

import rlmlang

GREETING = "Hello, "


@rlmlang.tool(name="hello.greet", example='submit(hello.greet("Ada"))')
def greet(name: str) -> str:
    """A friendly greeting for name."""
    if not name.strip():
        raise rlmlang.ToolError("hello.greet: name must not be empty", fix='pass a name: "Ada"')
    return f"{GREETING}{name.strip()}!"
