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
5. gives every call a deadline: the nearer of `ctx.deadline_s` (per call)
   and what is left of the run (`ctx.deadline`), or CALL_SECONDS when the
   caller set neither. The call runs in a worker thread and the script gets
   E_TOOL if it does not return in time (the thread is abandoned, not killed:
   Python cannot kill one; the tools themselves also stop at the deadline:
   fs refuses FIFOs and devices, http.get closes its socket). Tools marked
   `inline` (llm.predict, llm.run) run in the caller's thread: the model is
   not safe to leave running behind the script, and they meter their own time;
6. passes every record up the chain of enclosing calls: a call made by a
   script that a nested `llm.run` started is reported to the parent script's
   recorder too, marked `"nested": depth`, so the run log holds every call at
   every depth (replay feeds back only the script's own calls);
7. keeps the count of policy caps (`llm:calls=N`, `fs.write:bytes=N`, ...)
   for the outermost script of the chain (`charge`): a nested run draws from
   its parent's cap, it does not get a fresh one.

Effectful tool implementations are called as `impl(ctx, *args, **kwargs)`;
they can read `ctx.root`, `ctx.state`, `ctx.llm`, `ctx.llm_run`, `ctx.clock`,
`ctx.deadline` and `ctx.expected_type`. When the call is the operand of a
cast (`llm.predict(...) as list[str]`), the cast's Type is also passed as the
keyword `as` (a reserved word, so no script keyword can clash with it); the
log records it as the text "cast".
Pure builtins never see a context: the VM calls `impl(*args)` directly.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.diagnostics import DiagnosticError, RunError
from rlmlang.policy import Policy
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import ToolSpec
from rlmlang.types import Type, conforms, format_type

# The deadline of a call when the caller gave none (rlm exec, tests): no call waits forever.
CALL_SECONDS = 120.0

# The contexts of the effectful calls in progress, outermost first (llm.run nests them).
_ENCLOSING: contextvars.ContextVar[tuple[ToolContext, ...]] = \
    contextvars.ContextVar("rlm_enclosing_calls", default=())


# A tool call that did not produce a value (refused, failed, timed out, diverged). One class
# with the VM's run-time errors (diagnostics.RunError); this name stays for the call sites
# here and in the tool and security tests.
ToolFailure = RunError


@dataclass
class ToolContext:
    """Everything an effectful call may touch; built by the caller (rlm exec, the controller)."""

    policy: Policy = field(default_factory=Policy.deny_all)  # none given: nothing is granted
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

    def __post_init__(self) -> None:
        if self.policy is None:  # "none given" has one meaning everywhere: nothing is granted
            self.policy = Policy.deny_all(self.root)


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
    if spec.permission is None:
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
    token = _ENCLOSING.set((*_ENCLOSING.get(), ctx))
    try:
        result = _call(ctx, spec, args, call_kwargs, expect)
    except ToolFailure as e:
        record["error"] = e.message
        record["code"] = e.code
        _record(ctx, record)
        raise
    finally:
        _ENCLOSING.reset(token)
    result = _coerce(spec, result, expect)
    record["result"] = result
    _record(ctx, record)
    return result


def _record(ctx: ToolContext, record: dict[str, Any]) -> None:
    """Report a call to its script's recorder and, marked, to every enclosing script's."""
    if ctx.recorder is not None:
        ctx.recorder(record)
    outer = _ENCLOSING.get()
    for depth, parent in enumerate(reversed(outer), start=1):
        if parent is not ctx and parent.recorder is not None:
            parent.recorder({**record, "nested": depth})


def charge(ctx: Any, kind: str, key: str, amount: int = 1) -> None:
    """Count `amount` against the policy cap `kind:key` (if the policy has one).

    The count belongs to the outermost script of the chain of calls in
    progress, so scripts of nested runs share their parent's cap. Raises
    ToolFailure (E_PERMISSION) when the cap would be exceeded; nothing is
    counted then.
    """
    cap, used = _cap_count(ctx, kind, key)
    if cap is None:
        return
    total = used.get((kind, key), 0) + amount
    if total > cap:
        raise ToolFailure(
            "E_PERMISSION", f"the cap {kind}:{key}={cap} would be exceeded ({total} of {cap}, "
            "nested runs included)", f"do with less, or ask the host for a larger "
            f"{kind}:{key}=N", kind=kind, cap=cap, used=used.get((kind, key), 0),
            asked=amount)
    used[(kind, key)] = total


def cap_left(ctx: Any, kind: str, key: str) -> int | None:
    """What is left of the cap `kind:key` for the chain of calls in progress (None: no cap)."""
    cap, used = _cap_count(ctx, kind, key)
    return None if cap is None else max(0, cap - used.get((kind, key), 0))


def _cap_count(ctx: Any, kind: str, key: str) -> tuple[int | None, dict[tuple[str, str], int]]:
    outer = _ENCLOSING.get()
    root = outer[0] if outer else ctx
    policy = getattr(root, "policy", None) or getattr(ctx, "policy", None)
    cap = policy.cap(kind, key) if policy is not None else None
    extra = getattr(root, "extra", None)
    if cap is None or not isinstance(extra, dict):
        return None, {}
    return cap, extra.setdefault("cap_used", {})


def current_usage() -> Any:
    """The call counts (tool_calls, llm_calls) of the script whose call is in progress, or None.

    `llm.run` reads them to give its nested run what the calling script has
    left, and adds the nested run's calls to them when it returns.
    """
    outer = _ENCLOSING.get()
    return outer[-1].extra.get("usage") if outer else None


def charge_current(kind: str, key: str, amount: int = 1) -> None:
    """`charge` for the call in progress, from code that has no context at hand
    (the controller's model hooks, which run inside llm.predict and llm.run)."""
    outer = _ENCLOSING.get()
    if outer:
        charge(outer[-1], kind, key, amount)


def call_seconds(ctx: ToolContext) -> float:
    """How long the next call may take: the run's remaining time, capped per call."""
    limit = ctx.deadline_s
    if ctx.deadline is not None:
        left = ctx.deadline - time.monotonic()
        limit = left if limit is None else min(limit, left)
    return CALL_SECONDS if limit is None else limit


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
        if spec.extra.get("inline"):
            return _guarded(spec, ctx, args, kwargs)
        limit = call_seconds(ctx)
        if limit <= 0:
            raise ToolFailure("E_BUDGET", f"{spec.name}: the run's time budget is spent, so "
                              "no tool may be called", tool=spec.name)
        return _with_deadline(ctx, spec, args, kwargs, limit)
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
    except DiagnosticError as e:  # a refusal at the moment of access (paths.PermissionDenied)
        d = e.diagnostics[0]
        raise ToolFailure(d.code, f"{spec.name}: {d.message}", d.fix, tool=spec.name,
                          **{k: v for k, v in d.data.items() if k != "tool"}) from None
    except Exception as e:  # a host tool's bug or an OS error: data, not a traceback
        raise ToolFailure("E_TOOL", f"{spec.name} failed: {type(e).__name__}: {e}",
                          tool=spec.name) from None


def _with_deadline(ctx: ToolContext, spec: ToolSpec, args: list[Any],
                   kwargs: dict[str, Any], limit: float) -> Any:
    box: dict[str, Any] = {}
    context = contextvars.copy_context()  # the enclosing calls travel with the work

    def work() -> None:
        try:
            box["result"] = context.run(_guarded, spec, ctx, args, kwargs)
        except BaseException as e:  # handed to the waiting thread
            box["error"] = e

    t = threading.Thread(target=work, name=f"tool:{spec.name}", daemon=True)
    start = ctx.clock()
    t.start()
    t.join(limit)
    if t.is_alive():
        raise ToolFailure("E_TOOL", f"{spec.name} did not return within its deadline of "
                          f"{limit:.3g} s", tool=spec.name,
                          deadline_s=round(limit, 3), waited_s=round(ctx.clock() - start, 3))
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

