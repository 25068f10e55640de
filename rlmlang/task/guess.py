"""A script that never looks at the data: its answer is a guess, not evidence.

Asked "What are the codes of locker SKU-82717 and locker SKU-43625?", a model
wrote `codes = ["SKU-82717", "SKU-43625"]` and `submit(codes)`: a script that
ran, submitted, and read nothing but its own literals. Such an answer comes
from the question (or from the model's memory), never from the inputs, so the
vote does not count it and the model is told so. A script reads the data when
it names a data input (any input but the question), reads the state store, or
calls a namespaced tool (`fs.read`, `http.get`, `llm.predict`, a plugin's),
which bring data of their own. A task with no data inputs has nothing to read,
and nothing there is a guess. The controller and the replay ask the same
question of the same script text.
"""

from __future__ import annotations

from collections.abc import Collection

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse

QUESTION = "question"  # the signature field the task's own text is bound to
TOOL_NAMESPACES = ("fs", "http", "llm")  # the host's; a run passes its registry's


def data_inputs(names: Collection[str]) -> list[str]:
    """The inputs a script can read data from: all but the question."""
    return [n for n in names if n != QUESTION]


def reads_data(script: str, inputs: Collection[str],
               namespaces: Collection[str] = TOOL_NAMESPACES) -> bool:
    """Whether `script` reads any of the data `inputs`, the state or a tool of one of the
    `namespaces` (True when there is no data to read, or the script does not parse)."""
    if not inputs:
        return True
    parsed = parse(script)
    if parsed.script is None:
        return True
    wanted = set(inputs)
    sources = {"state", *namespaces}
    for node in ast.walk(parsed.script):
        if isinstance(node, ast.Name) and node.id in wanted:
            return True
        if isinstance(node, ast.Dotted) and node.parts[0] == "state":
            return True
        if isinstance(node, ast.Call) and "." in node.func:
            head = node.func.split(".")[0]  # `context.split(...)`, `fs.read(...)`
            if head in wanted or head in sources:
                return True
    return False
