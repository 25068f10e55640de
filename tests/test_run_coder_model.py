"""End to end with the real default model, Qwen2.5-Coder-1.5B, under the coder profile.

The rest of the suite tests the runtime's mechanics on SmolLM2-135M (RLM_MODEL,
tests/conftest.py); this is the path a user's `rlm run` takes by default: the
coder card and examples, the model grammar that may end without a submit, the
prompt prefix kept on disk, a vote over two candidates a round, and a log that
audits and replays. One short task: the README's main job on a smaller log.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlmlang.runlog import check_chain, read_events

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
MODEL = "qwen2.5-coder-1.5b"


def _installed() -> bool:
    from rlmlang.backend.registry import entry_present, load_registry

    return entry_present(load_registry().models[MODEL])


@pytest.mark.skipif(not _installed(), reason=f"{MODEL} is not installed (bash install.sh)")
def test_the_default_model_answers_the_main_job(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "needle" / "context.txt").read_text().splitlines()
    keep = [i for i, line in enumerate(lines) if "badge 4820" in line]
    assert keep, "the example lost its needle"
    context = tmp_path / "context.txt"
    context.write_text("\n".join(lines[max(0, keep[0] - 400): keep[0] + 400]) + "\n")
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k != "RLM_MODEL"}  # the registry's default
    r = subprocess.run([sys.executable, "-m", "rlmlang.cli", "run",
                        "What is the access code of badge 4820?", "--input",
                        f"context=@{context}", "--log", str(log), "--budget", "iterations=2"],
                       capture_output=True, text=True, timeout=900, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "K7-19QX" in r.stdout
    events = read_events(log)
    start = events[0]["data"]
    assert start["model"]["name"] == MODEL and start["profile"] == "coder"
    assert check_chain(log) == []
    replay = subprocess.run([sys.executable, "-m", "rlmlang.cli", "replay", str(log)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert replay.returncode == 0, replay.stdout + replay.stderr
