"""Run the `rlm` command in a subprocess, optionally with the scripted fake model.

`rlm(*args, cwd=...)` runs `python -m rlmlang.cli ARGS` for real. With
`scripts=[...]`, this file itself is the entry point: it puts tests/fakes.py's
FakeModel in place of the llama.cpp backend (so `rlm run` needs no model) and
then calls the real `rlmlang.cli.main`. Everything else is the real command.

`RLM_FAKE_FAIL_AFTER=N` makes the fake model raise E_MODEL on its N+1-th
generation (a model that dies mid-run); `RLM_FAKE_DELAY=S` makes each
generation take S seconds (so two processes overlap).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def rlm(*args: str, cwd: Path | str, scripts: list[str] | None = None,
        env: dict[str, str] | None = None, timeout: float = 120,
        fail_after: int | None = None, delay: float = 0.0) -> subprocess.CompletedProcess[str]:
    return rlm_popen(*args, cwd=cwd, scripts=scripts, env=env, fail_after=fail_after,
                     delay=delay, wait=timeout)


def rlm_popen(*args: str, cwd: Path | str, scripts: list[str] | None = None,
              env: dict[str, str] | None = None, fail_after: int | None = None,
              delay: float = 0.0, wait: float | None = None) -> Any:
    """The command started (wait=None: a Popen to wait on), or run to its end."""
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")]), **(env or {})}
    if scripts is None:
        cmd = [sys.executable, "-m", "rlmlang.cli", *args]
    else:
        full_env["RLM_FAKE_SCRIPTS"] = json.dumps(scripts)
        if fail_after is not None:
            full_env["RLM_FAKE_FAIL_AFTER"] = str(fail_after)
        full_env["RLM_FAKE_DELAY"] = str(delay)
        cmd = [sys.executable, str(TESTS / "rlm_cli.py"), *args]
    if wait is not None:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=wait,
                              env=full_env)
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=full_env)


def rlm_here(*args: str, cwd: Path | str) -> subprocess.CompletedProcess[str]:
    """`rlm ARGS` in this process (fast): an exception escaping it fails the test outright."""
    import contextlib
    import io

    from rlmlang.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's usage errors
                code = int(e.code or 0)
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["rlm", *args], code, out.getvalue(), err.getvalue())


def has_traceback(p: subprocess.CompletedProcess[str]) -> bool:
    return "Traceback (most recent call last)" in p.stdout + p.stderr


def _main() -> int:
    from fakes import FakeModel

    import rlmlang.backend.llama as llama
    from rlmlang.backend.base import ModelError
    from rlmlang.cli import main

    scripts = json.loads(os.environ["RLM_FAKE_SCRIPTS"])
    fail_after = os.environ.get("RLM_FAKE_FAIL_AFTER")
    delay = float(os.environ.get("RLM_FAKE_DELAY") or 0)

    class Scripted(FakeModel):
        calls = 0

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(scripts)

        def generate(self, prompt: str, **kw: object):  # type: ignore[override]
            Scripted.calls += 1
            time.sleep(delay)
            if fail_after is not None and Scripted.calls > int(fail_after):
                raise ModelError("the model stopped answering (llama_decode returned -1)",
                                 fix="check the model file")
            return super().generate(prompt, **kw)

    llama.LlamaBackend = Scripted  # type: ignore[misc, assignment]
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
