"""llm.predict and llm.run: asking the model, from inside a script.

`llm.predict(prompt, text=snippet)` asks the sub-model one question about
short named snippets; with `as T` after the call the answer is parsed to
type T (the controller constrains the sub-model's output to T's grammar).
`llm.map(prompt, chunks)` asks the same question about each chunk: the
calls are independent by construction, so the backend may answer them
together (batched sequences in-process, a server's slots); the answers come
back in the chunks' order, and the call counts as len(chunks) sub-model
calls for the verifier's bound, the VM's meter and the caps (`llm_calls`).
The VM passes the cast type as the keyword `as`, which no script keyword
can be (it is a reserved word). `llm.run(task, **inputs)` starts a nested
controller with a smaller budget. Both delegate to hooks the controller puts
on the ToolContext (`ctx.llm`, `ctx.llm_run`), which also count the calls
against the run's budgets; the grant needed is `llm`. A cap `llm:calls=N` is
counted here, for the outermost script: the scripts of a nested run draw
from the same N (the hooks count `llm:tokens=N` the same way). Both run in
the script's own thread (`inline`): a model call cannot be abandoned midway.
"""

from __future__ import annotations

from typing import Any

from rlmlang.tools.context import charge
from rlmlang.tools.declare import fuel, tool
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import Permission, Size, ToolSpec
from rlmlang.types import ListT, format_type

MAX_ANSWER = 4_000  # characters of a sub-model answer
MAX_SNIPPETS = 64_000  # characters of prompt + snippets sent to a sub-model


def _snippets(fn: str, prompt: Any, kwargs: dict[str, Any]) -> dict[str, str]:
    if not isinstance(prompt, str):
        raise ToolError(f"{fn}: the first argument must be a str")
    bad = [k for k, v in kwargs.items() if not isinstance(v, str)]
    if bad:
        raise ToolError(f"{fn}: {bad[0]}= must be a str", f"e.g. {bad[0]}=str(x)")
    size = len(prompt) + sum(len(v) for v in kwargs.values())
    if size > MAX_SNIPPETS:
        raise ToolError(f"{fn}: {size} characters is more than the {MAX_SNIPPETS} a sub-model "
                        "call may take", "pass a short snippet, e.g. find_line(text, phrase)")
    return dict(kwargs)


def _predict(ctx: Any, prompt: Any, **kwargs: Any) -> Any:
    as_type = kwargs.pop("as", None)
    snippets = _snippets("llm.predict", prompt, kwargs)
    hook = getattr(ctx, "llm", None)
    if hook is None:
        raise ToolError("llm.predict: no model is available to this run")
    charge(ctx, "llm", "calls")
    return hook(prompt, snippets, as_type)


def _run(ctx: Any, task: Any, **kwargs: Any) -> Any:
    kwargs.pop("as", None)
    inputs = _snippets("llm.run", task, kwargs)
    hook = getattr(ctx, "llm_run", None)
    if hook is None:
        raise ToolError("llm.run: nested runs are not available here")
    charge(ctx, "llm", "calls")
    return hook(task, inputs)


def _map(ctx: Any, prompt: Any, chunks: Any, **kwargs: Any) -> Any:
    as_type = kwargs.pop("as", None)
    if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
        raise ToolError("llm.map: chunks must be a list[str]", "e.g. chunks(context, 2000)")
    elem = None
    if as_type is not None:
        if not isinstance(as_type, ListT):
            raise ToolError(f"llm.map(...) as {format_type(as_type)}: the answers are a list",
                            "write `as list[T]`, e.g. as list[int]")
        elem = as_type.elem
    snippets = [_snippets("llm.map", prompt, {"text": c}) for c in chunks]
    hook = getattr(ctx, "llm", None)
    if hook is None:
        raise ToolError("llm.map: no model is available to this run")
    if not snippets:
        return []
    charge(ctx, "llm", "calls", len(snippets))
    many = getattr(hook, "many", None)
    if callable(many):
        return many(prompt, snippets, elem)
    return [hook(prompt, s, elem) for s in snippets]


def llm_calls(spec: ToolSpec, sizes: list[Size]) -> int:
    """Sub-model calls one call of `spec` makes, from its arguments' sizes (bounds for the
    verifier, actual sizes for the VM): len(chunks) for llm.map, else 1."""
    count = spec.extra.get("llm_calls")
    return int(count(sizes)) if callable(count) else 1


def _map_cost(sizes: list[Size]) -> int:
    return fuel(0, 1, base=16)(sizes) + 16 * (sizes[1].len if len(sizes) > 1 else 0)


def llm_specs() -> list[ToolSpec]:
    cost = fuel(0, factor=1, base=16)
    return [
        tool("llm.predict", "prompt: str, **snippets: str", "str", _predict,
             "Ask the model a question about short named snippets; add `as T` for a typed "
             "answer.", cost=cost, size=lambda s: Size(MAX_ANSWER, 1), origin="host",
             permission=Permission("llm"), effect=True, castable=True, prompt=True, inline=True,
             example='line = find_line(context, "Ana bought")\n'
                     'submit(llm.predict("What colour is the car?", text=line))'),
        tool("llm.run", "task: str, **inputs: str", "str", _run,
             "Solve a sub-task with a nested run (its own scripts, a smaller budget).",
             cost=cost, size=lambda s: Size(MAX_ANSWER, 1), origin="host",
             permission=Permission("llm"), effect=True, inline=True,
             example='submit(llm.run("Summarise the complaints.", text=part))'),
        tool("llm.map", "prompt: str, chunks: list[str]", "list[str]", _map,
             "Ask the model the same question about each chunk (answered together, in "
             "order; one sub-model call per chunk); add `as list[T]` for typed answers.",
             cost=_map_cost, size=lambda s: Size(s[1].len, MAX_ANSWER), origin="host",
             permission=Permission("llm"), effect=True, castable=True, prompt=True,
             inline=True, llm_calls=lambda s: s[1].len if len(s) > 1 else 0,
             example='answers = llm.map("Which city is named?", chunks(context, 2000))\n'
                     'submit(join(answers, ", "))'),
    ]
