"""How many threads llama.cpp gets: the idle cores, never the load average."""

from __future__ import annotations

import subprocess
import sys
import time

from rlmlang.backend.llama import default_threads, idle_cores


def test_env_override_wins(monkeypatch):
    monkeypatch.setenv("RLM_THREADS", "3")
    assert default_threads() == 3


def test_idle_cores_is_a_fraction_of_the_machine():
    idle = idle_cores(2)
    assert idle is not None
    assert 0.0 <= idle <= 2.0


def test_a_busy_core_is_not_counted(monkeypatch):
    """With every core but one spinning in other processes, one thread is left."""
    monkeypatch.delenv("RLM_THREADS", raising=False)
    import os

    cores = len(os.sched_getaffinity(0))
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(cores)]
    try:
        time.sleep(0.3)
        assert default_threads() == 1
    finally:
        for p in spinners:
            p.kill()
            p.wait()


def test_a_busy_thread_of_this_process_is_not_another_process():
    """A thread of this very process spinning while the sampler sleeps: its time is this
    process's, not another's, so the core it uses counts as idle."""
    import os
    import threading

    cores = len(os.sched_getaffinity(0))
    quiet = idle_cores(cores, sample_s=0.3)
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        busy = idle_cores(cores, sample_s=0.3)
    finally:
        stop.set()
        t.join()
    assert quiet is not None and busy is not None
    assert busy > quiet - 0.5, (quiet, busy)
