"""`python -m bench scale`: the three ways to scale, measured (docs/scale.md quotes them).

    python -m bench scale [--quick] [--only batch,fanout,ray] [--tasks N] [--chunks N]

- `batch`: the same bench tasks run as N one-by-one `rlm run` processes, then
  as one `rlm batch` on 2 workers; tasks/minute each, and every batch log
  audited.
- `fanout`: one script asking the model about each of N chunks, written once
  with a loop of `llm.predict` (one call after the other) and once with
  `llm.map` (answered together): against a loopback `llama-server` with 4
  slots (N chunks), and on at most 16 chunks in-process (4 batched
  sequences) and against `python -m llama_cpp.server` (no slots: it
  answers one request at a time).
  The script is fixed (a scripted front model writes it; the sub-calls go
  to the real model), so both variants ask exactly the same questions; each
  run's log is audited and replayed.
- `ray`: a batch on Ray in local mode against the local process pool.

Figures go to stdout as name=value lines and to bench/results/scale.json.
`llama-server` is looked for in $RLM_LLAMA_SERVER, on PATH, then in
~/.cache/rlmlang/bin/; without it that part says so and is skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rlmlang.backend.base import Generation

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "scale.json"
NEEDLE = ROOT / "examples" / "needle" / "context.txt"
BUDGET = ["--budget", "iterations=2"]
FANOUT_QUESTION = "Which badge opened a door?"
CHUNK_CHARS = 300
FEW_CHUNKS = 16  # in-process and llama_cpp.server: neither has slots to fill, 16 tells


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------- batch vs run


def bench_tasks(n: int, data: Path) -> list[dict[str, Any]]:
    """n bench tasks, generated into `data` (the bench's own generator and seed), taken in
    turn from each kind, none needing a file grant."""
    from bench.tasks.generate import generate
    from bench.tasks.manifest import DEFAULT_SEED

    tasks = json.loads(generate(data, DEFAULT_SEED).read_text())["tasks"]
    for t in tasks:
        t["dir"] = str(data)
    usable = [t for t in tasks if not t.get("grant")]
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in usable:
        groups.setdefault(t["group"], []).append(t)
    out: list[dict[str, Any]] = []
    while len(out) < n and any(groups.values()):
        for g in list(groups):
            if groups[g] and len(out) < n:
                out.append(groups[g].pop(0))
    return out


def task_line(t: dict[str, Any]) -> dict[str, Any]:
    inputs = {name: f"@{Path(t['dir']) / spec['file']}" for name, spec in t["inputs"].items()
              if "file" in spec}
    return {"id": t["id"], "question": t["question"], "signature": t["signature"],
            "inputs": inputs}


def run_args(t: dict[str, Any], log: Path) -> list[str]:
    args = ["run", t["question"], "--signature", t["signature"], "--log", str(log), "-q"]
    for name, spec in t["inputs"].items():
        if "file" in spec:
            args += ["--input", f"{name}=@{Path(t['dir']) / spec['file']}"]
    return args + BUDGET


def _rlm(args: list[str], timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def _audited(logs: list[Path]) -> int:
    """How many of the logs pass `rlm audit`."""
    from rlmlang.audit.core import audit_log

    return sum(audit_log(str(p)).ok for p in logs)


def _run_seconds(log: Path) -> float:
    """The seconds a run's own work took (its run_end), without starting the process."""
    from rlmlang.runlog import read_events

    end = read_events(log)[-1]["data"] if log.exists() else {}
    return float((end.get("used") or {}).get("seconds", 0.0))


def batch_vs_run(n: int, workers: int = 2) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rlm-scale-") as tmp:
        folder = Path(tmp)
        tasks = bench_tasks(n, folder / "data")
        _say(f"scale: {len(tasks)} tasks as one-by-one `rlm run` processes")
        t0 = time.monotonic()
        answered_run = 0
        for i, t in enumerate(tasks):
            r = _rlm(run_args(t, folder / f"run-{i}.log"))
            if r.returncode not in (0, 1) or "E_INTERNAL" in r.stderr:
                raise RuntimeError(f"rlm run failed on {t['id']}: {r.stderr[-500:]}")
            answered_run += r.returncode == 0
        run_s = time.monotonic() - t0
        _say(f"scale: one by one {run_s:.1f} s, {answered_run} answered")
        _say(f"scale: the same tasks as `rlm batch --workers {workers}`")
        tasks_file = folder / "tasks.jsonl"
        tasks_file.write_text("".join(json.dumps(task_line(t)) + "\n" for t in tasks))
        t0 = time.monotonic()
        r = _rlm(["batch", str(tasks_file), "--workers", str(workers), "--json", *BUDGET])
        batch_s = time.monotonic() - t0
        _say(f"scale: batch {batch_s:.1f} s")
        if r.returncode not in (0, 1):
            raise RuntimeError(f"rlm batch failed: {r.stderr[-500:]}")
        out = folder / "tasks.batch"
        recs = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
        if all(rec["status"] == "error" for rec in recs):
            raise RuntimeError(f"rlm batch: every task failed: {recs[0]['reason']}")
        logs = [out / rec["log"] for rec in recs if rec.get("log")]
        run_secs = [_run_seconds(folder / f"run-{i}.log") for i in range(len(tasks))]
        return {
            "run_task_mean_s": round(sum(run_secs) / len(run_secs), 1),
            "batch_task_mean_s": round(sum(rec["seconds"] for rec in recs) / len(recs), 1),
            "batch_tasks": len(tasks), "batch_workers": workers,
            "run_one_by_one_s": round(run_s, 1), "batch_s": round(batch_s, 1),
            "run_tasks_per_min": round(len(tasks) / run_s * 60, 2),
            "batch_tasks_per_min": round(len(tasks) / batch_s * 60, 2),
            "batch_speedup": round(run_s / batch_s, 2),
            "run_answered": answered_run,
            "batch_answered": sum(rec["status"] == "answered" for rec in recs),
            "batch_logs_audited_ok": _audited(logs), "batch_logs": len(logs)}


# ------------------------------------------------------------------------ fan-out


class ScriptedFront:
    """A front model that writes one fixed script; sub-calls go to a real backend (`fork`)."""

    name = "scripted"

    def __init__(self, script: str, sub: Any) -> None:
        self.script = script
        self.sub = sub
        self.context_size = int(sub.context_size)

    def generate(self, prompt: str, **kw: Any) -> Generation:
        return Generation(self.script, 0, 0, 0, 0.0, 0.0, "eos")

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def chat_prompt(self, messages: list[dict[str, str]],
                    add_generation_prompt: bool = True) -> str:
        return "\n".join(m["content"] for m in messages)

    def info(self) -> dict[str, Any]:
        return {"backend": "scripted", "name": "scripted", "sub_model": self.sub.info()}

    def fork(self) -> Any:
        return self.sub


SEQUENTIAL = (f'answers = []\nfor part in chunks(context, {CHUNK_CHARS}):\n'
              f'    answers = answers + [llm.predict("{FANOUT_QUESTION}", text=part)]\n'
              'submit(join(answers, "|"))\n')
PARALLEL = (f'answers = llm.map("{FANOUT_QUESTION}", chunks(context, {CHUNK_CHARS}))\n'
            'submit(join(answers, "|"))\n')


def fanout_context(n_chunks: int) -> str:
    return NEEDLE.read_text()[:n_chunks * CHUNK_CHARS]


def fanout_run(script: str, sub: Any, context: str, log: Path) -> tuple[Any, float]:
    """Run the fixed script through the controller; (outcome, seconds)."""
    from rlmlang.controller.loop import Runtime
    from rlmlang.policy import Policy

    n = len(context) // CHUNK_CHARS + 1
    runtime = Runtime(ScriptedFront(script, sub), policy=Policy.from_rules(["llm"]),
                      grammar=False, log_path=log, profile="tiny",
                      budgets={"candidates": 1, "iterations": 1, "llm_calls": n,
                               "tool_calls": n + 4, "tokens": 64 * n, "seconds": 3600})
    t0 = time.monotonic()
    out = runtime.run("context: str, question: str -> answer: str", "Which badges?",
                      context=context)
    return out, time.monotonic() - t0


def fanout_pair(sub: Any, n_chunks: int, folder: Path, label: str) -> dict[str, float]:
    from rlmlang.audit.core import audit_log

    context = fanout_context(n_chunks)
    seq, seq_s = fanout_run(SEQUENTIAL, sub, context, folder / f"{label}-seq.log")
    par, par_s = fanout_run(PARALLEL, sub, context, folder / f"{label}-par.log")
    if not (seq.ok and par.ok):
        raise RuntimeError(f"{label}: a fan-out run failed: {seq.reason} / {par.reason}")
    same = sum(a == b for a, b in zip(seq.answer.split("|"), par.answer.split("|"),
                                      strict=True))
    replays = sum(audit_log(str(folder / f"{label}-{v}.log"), replay=True).ok
                  for v in ("seq", "par"))
    return {f"fanout_{label}_seq_s": round(seq_s, 1), f"fanout_{label}_par_s": round(par_s, 1),
            f"fanout_{label}_speedup": round(seq_s / par_s, 2),
            f"fanout_{label}_same_answers": same, f"fanout_{label}_replays_ok": replays}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def llama_server_binary() -> str | None:
    found = os.environ.get("RLM_LLAMA_SERVER") or shutil.which("llama-server")
    cached = Path.home() / ".cache" / "rlmlang" / "bin" / "llama-server"
    return found or (str(cached) if cached.is_file() else None)


@contextlib.contextmanager
def loopback_server(kind: str, slots: int = 4, threads: int = 1,
                    window: int = 2048) -> Iterator[str]:
    """Start `llama-server` (`slots` slots of `window` tokens) or `llama_cpp.server` on a
    free loopback port; yield its URL; always stop it."""
    from rlmlang.backend.registry import resolve_model

    model = str(resolve_model(None))
    port = _free_port()
    if kind == "llama-server":
        binary = llama_server_binary()
        if binary is None:
            raise FileNotFoundError("llama-server not found ($RLM_LLAMA_SERVER, PATH)")
        # --poll 0: threads sleep while waiting; polling ones starve each other on 2 cores.
        cmd = [binary, "-m", model, "--host", "127.0.0.1", "--port", str(port),
               "-np", str(slots), "-c", str(window * slots), "-t", str(threads),
               "-tb", str(threads), "--poll", "0", "--log-disable"]
    else:
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(window),
               "--n_threads", str(threads), "--n_threads_batch", str(threads)]
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with opener.open(url + "/v1/models", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{kind} did not start (exit {proc.poll()})") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fanout(n_chunks: int) -> dict[str, float]:
    from rlmlang.backend.llama import LlamaBackend
    from rlmlang.backend.server import ServerBackend

    values: dict[str, float] = {"fanout_chunks": n_chunks}
    with tempfile.TemporaryDirectory(prefix="rlm-fanout-") as tmp:
        folder = Path(tmp)
        if llama_server_binary():
            _say(f"scale: fan-out over {n_chunks} chunks, llama-server with 4 slots")
            with loopback_server("llama-server", slots=4) as url:
                values.update(fanout_pair(ServerBackend(url), n_chunks, folder, "llama_server"))
        else:
            _say("scale: llama-server not found; its fan-out figure is skipped")
        few = min(n_chunks, FEW_CHUNKS)
        values["fanout_chunks_others"] = few
        _say(f"scale: fan-out over {few} chunks, in-process (4 batched sequences)")
        os.environ["RLM_SUBCALL_PARALLEL"] = "4"
        try:
            backend = LlamaBackend(None, n_threads=1)
            values.update(fanout_pair(backend, few, folder, "in_process"))
        finally:
            os.environ.pop("RLM_SUBCALL_PARALLEL", None)
        _say(f"scale: fan-out over {few} chunks, python -m llama_cpp.server")
        with loopback_server("llama_cpp.server") as url:
            values.update(fanout_pair(ServerBackend(url), few, folder, "llama_cpp_server"))
    return values


# --------------------------------------------------------------------- ray vs pool


def ray_vs_pool(n: int, workers: int = 2) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rlm-ray-") as tmp:
        folder = Path(tmp)
        tasks = bench_tasks(n, folder / "data")
        values: dict[str, float] = {"ray_tasks": len(tasks)}
        tasks_file = folder / "tasks.jsonl"
        tasks_file.write_text("".join(json.dumps(task_line(t)) + "\n" for t in tasks))
        for label, extra in (("pool", ["--workers", str(workers)]),
                             ("ray_local", ["--ray", "local"])):
            _say(f"scale: {len(tasks)} tasks, {label}")
            t0 = time.monotonic()
            r = _rlm(["batch", str(tasks_file), "--out", str(folder / label), "--json",
                      *extra, *BUDGET])
            seconds = time.monotonic() - t0
            statuses = json.loads(r.stdout).get("statuses", {}) if r.stdout.strip() else {}
            if r.returncode not in (0, 1) or set(statuses) <= {"error"}:
                raise RuntimeError(f"rlm batch ({label}) failed: {r.stderr[-500:]}")
            values[f"{label}_s"] = round(seconds, 1)
            values[f"{label}_tasks_per_min"] = round(len(tasks) / seconds * 60, 2)
    values["ray_vs_pool"] = round(values["pool_s"] / values["ray_local_s"], 2)
    return values


def run_scale(quick: bool = False, only: list[str] | None = None, tasks: int | None = None,
              chunks: int | None = None) -> dict[str, float]:
    parts = only or ["batch", "fanout", "ray"]
    values: dict[str, float] = {}
    if "batch" in parts:
        values.update(batch_vs_run(tasks or (4 if quick else 20)))
    if "fanout" in parts:
        values.update(fanout(chunks or (8 if quick else 64)))
    if "ray" in parts:
        values.update(ray_vs_pool(4 if quick else 6))
    for k in sorted(values):
        print(f"{k}={values[k]}")
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({**old, **values, "quick": quick,
                                   "cores": os.cpu_count()}, indent=2) + "\n")
    return values
