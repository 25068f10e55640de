"""The context of effectful tool calls, and the one door (`invoke`) they all go through.

Why one door: defence in depth and auditability live in a single place.
Every effectful call (a ToolSpec with `effect=True`: fs.read, http.get,
clock.now, llm.predict, ...) made by the VM passes through `invoke`, which

1. re-checks the permission at run time with `policy.check(kind, resource)`,
   even though the verifier proved it (a guard the verifier inserted, or a
   policy changed since, is enforced here);
2. either calls the tool (live mode) or takes the next recorded call from
   `ctx.replay` instead (replay mode: the tool is never touched, the
   recorded result or error comes back, and a call that differs from the
   recording is a divergence error);
3. checks the result against the tool's declared type, so a host tool can
   never hand the script a value the type checker did not expect;
4. reports the call `{"tool", "args", "kwargs", "result"}` or
   `{..., "error"}` to `ctx.recorder`, which the run log writes;
5. enforces a wall-clock deadline per host call (`ctx.deadline_s`): the call
   runs in a worker thread and the script gets E_TOOL if it does not return
   in time (the thread is abandoned, not killed: Python cannot kill one).

Effectful tool implementations are called as `impl(ctx, *args, **kwargs)`;
they can read `ctx.root`, `ctx.state`, `ctx.llm`, `ctx.llm_run`, `ctx.clock`,
`ctx.deadline` and `ctx.expected_type`. When the call is the operand of a
cast (`llm.predict(...) as list[str]`), the cast's Type is also passed as the
keyword `as` (a reserved word, so no script keyword can clash with it); the
log records it as the text "cast".
Pure builtins never see a context: the VM calls `impl(*args)` directly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import ToolSpec
from rlmlang.types import Type, conforms, format_type


class ToolFailure(Exception):
    """A tool call that did not produce a value: refused, failed, timed out, diverged.

    `code` is a diagnostic code (E_TOOL, E_PERMISSION, E_DENIED); the VM turns
    this into a diagnostic at the call's line and column.
    """

    def __init__(self, code: str, message: str, fix: str | None = None, **data: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix
        self.data = data


@dataclass
class ToolContext:
    """Everything an effectful call may touch; built by the caller (rlm exec, the controller)."""

    policy: Any = None  # rlmlang.policy.Policy; None means no runtime permission checks
    root: Path = field(default_factory=Path.cwd)  # file tools resolve paths under this
    state: Any = None  # an open rlmlang.store.Transaction, or None (no state access)
    recorder: Callable[[dict[str, Any]], None] | None = None
    replay: Iterator[dict[str, Any]] | None = None  # recorded calls, in order
    llm: Callable[..., Any] | None = None  # llm.predict hook: (prompt, snippets, as_type)
    llm_run: Callable[..., Any] | None = None  # llm.run hook: (task, inputs)
    deadline_s: float | None = None  # wall-clock limit per host call, in seconds
    deadline: float | None = None  # the whole run's end, on time.monotonic()'s scale
    clock: Callable[[], float] = time.monotonic
    expected_type: Type | None = None  # set by invoke for the duration of one call
    calls: int = 0  # effectful calls made through this context
    extra: dict[str, Any] = field(default_factory=dict)  # host-specific handles


def permission_resource(spec: ToolSpec, args: tuple[Any, ...] | list[Any],
                        kwargs: dict[str, Any]) -> str | None:
    """The argument that names the resource the tool's permission is about, if any."""
    perm = spec.permission
    if perm is None or perm.resource_param is None:
        return None
    if perm.resource_param in kwargs:
        value = kwargs[perm.resource_param]
    else:
        names = [p.name for p in spec.params]
        if perm.resource_param not in names:
            return None
        i = names.index(perm.resource_param)
        if i < len(args):
            value = args[i]
        else:
            value = spec.params[i].default
    value = value if isinstance(value, str) else str(value)
    mapper = spec.extra.get("resource")  # e.g. http.get: the URL's host:port is the resource
    return mapper(value) if callable(mapper) else value


def check_permission(ctx: ToolContext, spec: ToolSpec, args: tuple[Any, ...] | list[Any],
                     kwargs: dict[str, Any]) -> None:
    """Raise ToolFailure when the policy refuses this call (runtime re-check)."""
    if ctx.policy is None or spec.permission is None:
        return
    try:
        resource = permission_resource(spec, args, kwargs)
    except ToolError as e:  # an argument the resource cannot be read from (a bad URL)
        raise ToolFailure("E_TOOL", e.message, e.fix, tool=spec.name) from None
    decision = ctx.policy.check(spec.permission.kind, resource)
    if not decision.allowed:
        raise ToolFailure(decision.code or "E_PERMISSION",
                          f"{spec.name}: {decision.reason} (checked again at run time)",
                          decision.fix, kind=spec.permission.kind, resource=resource,
                          rule=decision.rule)


def invoke(ctx: ToolContext, spec: ToolSpec, args: tuple[Any, ...] | list[Any],
           kwargs: dict[str, Any] | None = None, expect: Type | None = None) -> Any:
    """Make one effectful call (or replay it); the only way the VM reaches the outside."""
    kwargs = dict(kwargs or {})
    args = list(args)
    record: dict[str, Any] = {"tool": spec.name, "args": args, "kwargs": kwargs}
    try:
        check_permission(ctx, spec, args, kwargs)
    except ToolFailure as e:  # a refused attempt is evidence too: the log keeps it
        if ctx.replay is not None:  # the recording holds the same refusal: step past it
            rec = next(ctx.replay, None)
            if rec is None or not rec.get("refused") or rec.get("tool") != spec.name:
                raise ToolFailure("E_TOOL", f"replay diverged: {spec.name} was refused now "
                                  "but not in the recording", recorded=rec) from None
        _record(ctx, {**record, "error": e.message, "code": e.code, "refused": True})
        raise
    ctx.calls += 1
    if expect is not None:
        record["cast"] = format_type(expect)
    if ctx.replay is not None:
        return _replayed(ctx, spec, record)
    call_kwargs = kwargs if expect is None else {**kwargs, "as": expect}
    try:
        result = _call(ctx, spec, args, call_kwargs, expect)
    except ToolFailure as e:
        record["error"] = e.message
        record["code"] = e.code
        _record(ctx, record)
        raise
    result = _coerce(spec, result, expect)
    record["result"] = result
    _record(ctx, record)
    return result


def _record(ctx: ToolContext, record: dict[str, Any]) -> None:
    if ctx.recorder is not None:
        ctx.recorder(record)


def _replayed(ctx: ToolContext, spec: ToolSpec, record: dict[str, Any]) -> Any:
    assert ctx.replay is not None
    try:
        rec = next(ctx.replay)
    except StopIteration:
        raise ToolFailure("E_TOOL", f"replay diverged: the script called {spec.name} but the "
                          "recording has no more calls", tool=spec.name) from None
    if rec.get("tool") != spec.name or rec.get("args") != record["args"] \
            or (rec.get("kwargs") or {}) != record["kwargs"]:
        raise ToolFailure(
            "E_TOOL", f"replay diverged: the script called {spec.name}{tuple(record['args'])!r} "
            f"but the recording has {rec.get('tool')}{tuple(rec.get('args') or ())!r}",
            recorded=rec, actual=record)
    out = dict(record)
    if "error" in rec:
        out["error"] = rec["error"]
        _record(ctx, out)
        raise ToolFailure("E_TOOL", str(rec["error"]), tool=spec.name, replayed=True)
    out["result"] = rec.get("result")
    _record(ctx, out)
    return rec.get("result")


def _call(ctx: ToolContext, spec: ToolSpec, args: list[Any], kwargs: dict[str, Any],
          expect: Type | None) -> Any:
    if spec.impl is None:
        raise ToolFailure("E_TOOL", f"{spec.name} has no implementation on this host",
                          tool=spec.name)
    saved = ctx.expected_type
    ctx.expected_type = expect
    try:
        if ctx.deadline_s is None:
            return _guarded(spec, ctx, args, kwargs)
        return _with_deadline(ctx, spec, args, kwargs)
    finally:
        ctx.expected_type = saved


def _guarded(spec: ToolSpec, ctx: ToolContext, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        return spec.impl(ctx, *args, **kwargs)  # type: ignore[misc]
    except ToolFailure:
        raise
    except ToolError as e:
        raise ToolFailure("E_TOOL", e.message if e.message.startswith(spec.name)
                          else f"{spec.name}: {e.message}", e.fix, tool=spec.name) from None
    except Exception as e:  # a host tool's bug or an OS error: data, not a traceback
        raise ToolFailure("E_TOOL", f"{spec.name} failed: {type(e).__name__}: {e}",
                          tool=spec.name) from None


def _with_deadline(ctx: ToolContext, spec: ToolSpec, args: list[Any],
                   kwargs: dict[str, Any]) -> Any:
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = _guarded(spec, ctx, args, kwargs)
        except BaseException as e:  # handed to the waiting thread
            box["error"] = e

    t = threading.Thread(target=work, name=f"tool:{spec.name}", daemon=True)
    start = ctx.clock()
    t.start()
    t.join(ctx.deadline_s)
    if t.is_alive():
        raise ToolFailure("E_TOOL", f"{spec.name} did not return within its deadline of "
                          f"{ctx.deadline_s:g} s", tool=spec.name,
                          deadline_s=ctx.deadline_s, waited_s=round(ctx.clock() - start, 3))
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _coerce(spec: ToolSpec, result: Any, expect: Type | None) -> Any:
    """The declared result type is a promise to the type checker: hold the tool to it."""
    want = spec.result
    if isinstance(result, tuple):
        result = list(result)
    if conforms(result, want):
        return result
    if expect is not None and conforms(result, expect):
        return result  # a generic tool (llm.predict) producing the cast's type
    raise ToolFailure("E_TOOL", f"{spec.name} returned a value that is not a "
                      f"{format_type(want)} (a bug in the tool): {str(result)[:80]!r}",
                      tool=spec.name)

