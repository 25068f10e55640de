"""The local pool: worker processes that each keep a model loaded.

A `ProcessPoolExecutor` over the `spawn` start method (a fresh interpreter:
nothing of the parent's llama.cpp state is inherited). Each worker:

- ignores SIGINT, so Ctrl-C at a terminal reaches only the parent, which
  decides: it sets the shared stop flag and sends each worker SIGUSR1,
  which interrupts the task in progress (`worker.run_task` turns that into
  a stopped result with a whole, resumable log); a second Ctrl-C kills them;
- dies with the parent (`PR_SET_PDEATHSIG`), so a batch killed with -9
  leaves no orphan still holding a log's lock;
- runs llama.cpp with `cores // workers` threads unless `RLM_THREADS` says
  otherwise (two workers each on two threads would fight over two cores);
- reports what it does (`hello` with its pid, `start`, `tokens`) on a queue
  the parent reads for the progress display.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from rlmlang.batch.plan import Step
from rlmlang.batch.worker import run_task

# Per worker process: the message queue, the stop flag, whether a task is running.
_QUEUE: Any = None
_STOP: Any = None
_RUNNING = False
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: a killed batch may leave workers to finish their task


def _interrupt(signum: int, frame: Any) -> None:
    if _RUNNING:
        raise KeyboardInterrupt


def _init_worker(messages: Any, stop: Any, threads: int) -> None:
    global _QUEUE, _STOP
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, _interrupt)
    if threads > 0 and not os.environ.get("RLM_THREADS"):
        os.environ["RLM_THREADS"] = str(threads)
    _QUEUE, _STOP = messages, stop
    messages.put(("hello", os.getpid()))


def _run(step: Step, factory: str | None) -> dict[str, Any]:
    global _RUNNING
    if _STOP.is_set():
        return {"id": step.task.id, "stopped": True}
    _RUNNING = True
    try:
        return run_task(step.task, step.action, str(step.log), factory, _QUEUE.put)
    finally:
        _RUNNING = False


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# What a worker holds besides the model file: Python and its modules, the KV
# cache, llama.cpp's buffers, Z3 (measured ~160 MB with SmolLM2: docs/models.md).
WORKER_OVERHEAD = 400 << 20


def default_workers(n_tasks: int, model_bytes: int | None) -> int:
    """As many workers as there are cores, as memory allows (each loads the model), and tasks.

    With a server backend (`model_bytes` None) the workers only verify and run
    scripts: twice the cores keeps the server's slots busy.
    """
    if model_bytes is None:
        return max(1, min(n_tasks, 2 * cores()))
    n = cores()
    mem = available_memory()
    if mem is not None:
        n = min(n, max(1, mem // (model_bytes + WORKER_OVERHEAD)))
    return max(1, min(n, n_tasks))


class _CtrlC:
    """Counts SIGINTs instead of raising KeyboardInterrupt wherever the parent happens to be
    (inside the results file's write, or unpickling a worker's message from the queue: an
    exception there tore the one and broke the other, and a stopped batch printed a
    traceback). Only the main thread can set a handler; elsewhere the old path remains."""

    def __init__(self) -> None:
        self.count = 0
        self._old: Any = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._hit)

    def _hit(self, signum: int, frame: Any) -> None:
        self.count += 1

    def restore(self) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None


class LocalPool:
    """Runs steps on `workers` processes; see the module doc."""

    def __init__(self, workers: int, factory: str | None = None) -> None:
        self.workers = workers
        self.factory = factory
        self.pids: list[int] = []

    def run(self, steps: Iterable[Step], on_message: Callable[[tuple[Any, ...]], None],
            on_result: Callable[[dict[str, Any]], None]) -> bool:
        """Run every step; False when it was stopped (Ctrl-C) before all finished."""
        ctx = mp.get_context("spawn")
        messages = ctx.Queue()
        stop = ctx.Event()
        threads = max(1, cores() // self.workers)
        ex = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(messages, stop, threads))
        pending: set[Future[dict[str, Any]]] = set()
        owner: dict[Future[dict[str, Any]], Step] = {}
        stopped = False
        ctrl_c = _CtrlC()  # Ctrl-C is counted, and acted on between two steps of the loop
        try:
            for step in steps:
                f = ex.submit(_run, step, self.factory)
                owner[f] = step
                pending.add(f)
            while pending:
                try:
                    done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                    self._drain(messages, on_message)
                    for f in done:
                        on_result(self._result(f, owner[f]))
                except KeyboardInterrupt:  # where no handler could be set (not the main thread)
                    ctrl_c.count += 1
                if ctrl_c.count >= 2 and stopped:
                    self._signal(signal.SIGKILL)
                    raise KeyboardInterrupt
                if ctrl_c.count >= 1 and not stopped:
                    stopped = True
                    on_message(("stopping", len(pending)))
                    stop.set()
                    for f in pending:
                        f.cancel()
                    self._signal(signal.SIGUSR1)
            self._drain(messages, on_message)
        finally:
            ctrl_c.restore()
            ex.shutdown(wait=not stopped, cancel_futures=True)
        return not stopped

    def _drain(self, messages: Any, on_message: Callable[[tuple[Any, ...]], None]) -> None:
        while True:
            try:
                msg = messages.get_nowait()
            except (queue_mod.Empty, OSError, EOFError):
                return
            if msg[0] == "hello":
                self.pids.append(int(msg[1]))
            on_message(msg)

    def _signal(self, sig: int) -> None:
        for pid in self.pids:  # only the workers this pool started (they said hello)
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    @staticmethod
    def _result(f: Future[dict[str, Any]], step: Step) -> dict[str, Any]:
        if f.cancelled():
            return {"id": step.task.id, "stopped": True}
        try:
            return f.result()
        except BrokenProcessPool:
            return {"id": step.task.id, "stopped": True,
                    "reason": "its worker process died (killed, or out of memory)"}
        except KeyboardInterrupt:
            return {"id": step.task.id, "stopped": True}
