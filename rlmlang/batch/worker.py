"""One task, run in a worker: the model stays loaded from one task to the next.

`run_task` is what a pool process and a Ray actor both call. It starts the
task's run, or resumes it from its log, and returns the task's result line
(see results.py) with the log's absolute path. A KeyboardInterrupt (Ctrl-C,
or the parent stopping the batch) ends the run between two log lines, its
log and store closed and no end written, so the next batch resumes it; the
result then says `"stopped": true` and is not recorded.

A worker keeps one loaded model (a new model, profile or backend URL
replaces it): a batch is grouped by model, so each worker loads each model
at most once. `factory` ("module:function", called as `function(model,
profile)`) makes the backend instead, for backends built in code.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from rlmlang.batch.plan import RESUME
from rlmlang.batch.results import end_record
from rlmlang.batch.tasks import Task, read_inputs, task_signature
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.runlog import failure_diagnostics

Notify = Callable[[tuple[Any, ...]], None]

_LOADED: dict[tuple[Any, ...], Any] = {}


def load_factory(spec: str) -> Callable[..., Any]:
    """`module:function` → the function (a backend factory named by a batch)."""
    module, _, name = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name, None)
    except ImportError as e:
        fn = None
        why = f"cannot import {module}: {e}"
    else:
        why = f"{module} has no function {name!r}"
    if not callable(fn):
        raise DiagnosticError([Diagnostic("E_USAGE", f"backend factory {spec!r}: {why}",
                                          fix="name it as module:function")])
    return fn


def backend_for(task: Task, factory: str | None = None) -> Any:
    """The backend for this task's model, loaded once per worker."""
    key = (factory, *task.model_key())
    if key in _LOADED:
        return _LOADED[key]
    for old in list(_LOADED.values()):  # one model at a time: memory is per worker
        close = getattr(old, "close", None)
        if callable(close):
            close()
    _LOADED.clear()
    if factory:
        backend = load_factory(factory)(task.model, task.profile)
    elif task.backend:
        from rlmlang.backend.server import backend_from_url  # lazy: keeps jinja2 out of start-up

        backend = backend_from_url(task.backend, task.model)
    else:
        from rlmlang.backend.llama import LlamaBackend  # lazy: keeps llama.cpp out of start-up

        backend = LlamaBackend(task.model)
    _LOADED[key] = backend
    return backend


def run_task(task: Task, action: str, log: str, factory: str | None = None,
             notify: Notify | None = None) -> dict[str, Any]:
    """Run (or resume) one task; its result line, or `{"id", "stopped": True}`."""
    from rlmlang.controller.loop import Runtime  # lazy: keeps Z3 and lark out of start-up
    from rlmlang.policy import Policy  # lazy: keeps Z3 out of start-up

    t0 = time.monotonic()

    def on_event(kind: str, payload: dict[str, Any]) -> None:
        if notify is not None and kind == "generation":
            notify(("tokens", task.id, int(payload.get("tokens", 0))))

    base = {"id": task.id, "line": task.line, "log": log, "resumed": action == RESUME,
            "recovered": False, "model": task.model, "task_sha256": task.digest}
    if notify is not None:
        notify(("start", task.id, action))
    try:
        backend = backend_for(task, factory)
        base["model"] = getattr(backend, "name", task.model)
        if action == RESUME:  # the policy, budgets and seed are the log's own
            runtime = Runtime(backend, on_event=on_event, profile=task.profile, root=task.root)
            outcome = runtime.resume(log)
        else:
            values = read_inputs(task)
            policy = Policy.from_rules(["llm", *task.allow], task.deny, task.root)
            runtime = Runtime(backend, policy=policy, budgets=task.budgets or None,
                              log_path=log, seed=task.seed, on_event=on_event,
                              profile=task.profile, root=task.root)
            outcome = runtime.run(task_signature(task, values), task.question, **values)
    except KeyboardInterrupt:
        return {"id": task.id, "stopped": True}
    except DiagnosticError as e:
        d = e.diagnostics[0]
        if d.data.get("reason") == "locked":  # another process holds the log: not ours to end
            return {"id": task.id, "stopped": True, "reason": f"{d.code}: {d.message}"}
        return {**base, "status": "error", "answer": None, "uncertainty": None,
                "reason": f"{d.code}: {d.message}", "seconds": round(time.monotonic() - t0, 3),
                "tokens": 0, "iterations": 0}
    except Exception as e:  # a bug or an OS error: this task's result, not the batch's end
        d = failure_diagnostics(e)[0]
        return {**base, "status": "error", "answer": None, "uncertainty": None,
                "reason": f"{d.code}: {d.message}", "seconds": round(time.monotonic() - t0, 3),
                "tokens": 0, "iterations": 0}
    return {**base, **end_record({"status": outcome.status, "answer": outcome.answer,
                                  "reason": outcome.reason, "iterations": outcome.iterations,
                                  "used": outcome.used, "stats": outcome.stats,
                                  "vote": outcome.vote})}
