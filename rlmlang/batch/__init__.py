"""Many runs at once: `rlm batch TASKS.jsonl`.

A batch is a file of tasks (one JSON object a line, `tasks.py`), an output
folder holding one hash-chained log and state store per task, and a results
file with one line per finished task (`results.py`). The runs themselves are
ordinary controller runs (`Runtime.run`, `Runtime.resume`): a batch adds
only where they run and what is remembered between attempts.

- **Where.** A pool of worker processes (`pool.py`), each loading its model
  once and keeping it for every task it is handed; or Ray tasks on actors
  that declare the CPUs one model needs (`ray_pool.py`, `--ray`). Both call
  the same `worker.run_task`.
- **Exactly once.** The results file is the record of what is finished; only
  the parent process writes it, one fsynced line per task. Before dispatching,
  each task is planned from what is on disk (`plan.py`): a result line means
  skip; a log whose run ended means write the result from its `run_end`
  (the process was killed between the two); a log without an end means
  resume it; nothing means start. A task is therefore never run to the end
  twice, and never committed twice (resume's own guarantee).
- **Stopping.** Ctrl-C interrupts the workers' runs between two log lines
  (a run that stops on KeyboardInterrupt closes its log and store without
  writing an end), so every log is left whole and resumable; the next
  `rlm batch` with the same arguments carries on. Workers die with the
  parent (PR_SET_PDEATHSIG), so a killed batch leaves no orphan holding a
  log's lock.
"""

from __future__ import annotations

from rlmlang.batch.runner import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
