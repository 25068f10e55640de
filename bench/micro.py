"""`python -m bench micro`: run every `bench/micro_*.py` and gather its figures.

Each micro-benchmark module exposes `run(quick: bool = False) -> dict[str,
float]`. Every module runs in its own Python process: a crash, a leak or a
loaded model in one cannot skew the timings or the peak-memory figures of
the next, and a module that hangs is stopped at its timeout. A failing module
contributes one `<name>_error=<why>` line (name = module name without the
`micro_` prefix) and the others go on. All `name=value` lines are printed
together at the end, sorted, and written to `bench/results/micro.json`.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODULE_TIMEOUT_S = 900

_CHILD = """
import importlib, json, math, sys
mod = importlib.import_module(sys.argv[1])
values = mod.run(quick=sys.argv[2] == "1")
if not isinstance(values, dict):
    raise TypeError(f"run() returned {type(values).__name__}, not a dict of name -> number")
clean = {}
for k, v in values.items():
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"value {k!r} is {type(v).__name__} {v!r}, not a number")
    clean[str(k)] = v
with open(sys.argv[3], "w") as f:
    json.dump(clean, f)
"""


def discover(package: str = "bench") -> list[str]:
    """Full names of the package's `micro_*` modules, sorted."""
    pkg = importlib.import_module(package)
    return sorted(
        f"{package}.{m.name}"
        for m in pkgutil.iter_modules(pkg.__path__)
        if m.name.startswith("micro_")
    )


def short_name(module: str) -> str:
    return module.rsplit(".", 1)[-1].removeprefix("micro_")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [p for p in sys.path if p]
    env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), *paths])
    return env


def run_module(module: str, quick: bool, timeout: float = MODULE_TIMEOUT_S) -> dict[str, float]:
    """One module's figures, from a child process; RuntimeError with the reason on failure."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "values.json"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, module, "1" if quick else "0", str(out)],
                capture_output=True, text=True, timeout=timeout, env=_child_env(),
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"timed out after {timeout:.0f} s") from None
        # The module's own output goes to stderr, so stdout holds only name=value lines.
        sys.stderr.write((proc.stdout or "") + (proc.stderr or ""))
        if proc.returncode != 0 or not out.exists():
            lines = [ln for ln in (proc.stderr or "").strip().splitlines() if ln.strip()]
            reason = lines[-1] if lines else f"exit status {proc.returncode}"
            raise RuntimeError(reason)
        return json.loads(out.read_text())


def format_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v).replace("\n", " ")


def run_micro(
    quick: bool = False,
    package: str = "bench",
    out: Path | None = RESULTS_DIR / "micro.json",
    timeout: float = MODULE_TIMEOUT_S,
) -> dict[str, Any]:
    """Run every micro module; print the `name=value` lines; return (and save) them."""
    values: dict[str, Any] = {}
    modules: dict[str, Any] = {}
    for module in discover(package):
        start = time.perf_counter()
        name = short_name(module)
        print(f"# running {module}", file=sys.stderr, flush=True)
        try:
            got = run_module(module, quick, timeout)
        except RuntimeError as e:
            values[f"{name}_error"] = str(e)
            modules[module] = {"ok": False, "error": str(e)}
        else:
            for k in got:
                if k in values:
                    print(f"# warning: {module} repeats {k}; keeping the later value",
                          file=sys.stderr)
            values.update(got)
            modules[module] = {"ok": True, "values": got}
        modules[module]["seconds"] = round(time.perf_counter() - start, 3)
    for k in sorted(values):
        print(f"{k}={format_value(values[k])}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "quick": quick,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "values": values,
            "modules": modules,
        }
        out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    return values
