"""End to end with the real SmolLM2-135M (the suite's model, RLM_MODEL; llama.cpp in-process).

The main job: a question over an input far larger than the model's window,
answered by a script the model writes under the task's grammar, verified and
run, with a log whose chain checks and whose run replays.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlmlang.runlog import check_chain, read_events

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
NEEDLE = ROOT / "examples" / "needle" / "context.txt"


def _rlm(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def test_needle_far_larger_than_the_window(tmp_path: Path) -> None:
    log = tmp_path / "needle.log"
    r = _rlm("run", "What is the access code of badge 4820?", "--input",
             f"context=@{NEEDLE}", "--log", str(log), "--budget", "iterations=2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "K7-19QX"
    assert check_chain(log) == []
    events = read_events(log)
    assert events[0]["kind"] == "run_start" and events[-1]["kind"] == "run_end"
    # The model never saw the context: the whole first prompt is far smaller than it.
    first_prompt = next(e for e in events if e["kind"] == "prompt")["data"]["text"]
    assert len(first_prompt) * 50 < NEEDLE.stat().st_size
    assert "K7-19QX" not in first_prompt
    audit = _rlm("replay", str(log))
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_count_over_csv_lines(tmp_path: Path) -> None:
    rows = ["id,name,city,age"]
    cities = ["Hanoi", "Lima", "Porto", "Oslo", "Quito"]
    for i in range(4000):
        rows.append(f"{1000 + i},person{i},{cities[(i * 7) % 5]},{20 + i % 50}")
    data = tmp_path / "people.csv"
    data.write_text("\n".join(rows) + "\n")
    expected = sum(1 for r in rows[1:] if r.split(",")[2] == "Lima")
    log = tmp_path / "count.log"
    r = _rlm("run", "How many rows have the city Lima?", "--input", f"context=@{data}",
             "--signature", "context: str, question: str -> answer: int", "--log", str(log),
             "--budget", "iterations=2")
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) == expected
    assert check_chain(log) == []
