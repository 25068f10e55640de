"""A backend factory for batch tests: `fake_backend:make` (tests/batch on PYTHONPATH).

Every main generation answers with a script that measures the task's
`context` input, so each task's right answer is known (its length) and the
whole pipeline (parse, verify, VM, store, log) runs for real. Each
generation sleeps FAKE_DELAY seconds (default 0.2) so a test can stop a
batch in the middle of a run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes.py

from fakes import FakeModel  # noqa: E402

SCRIPT = "n = len(context)\nsubmit(str(n))\n"


class MeasuringModel(FakeModel):
    def __init__(self) -> None:
        super().__init__([])

    def generate(self, prompt, **kw):  # type: ignore[override]
        time.sleep(float(os.environ.get("FAKE_DELAY", "0.2")))
        self.scripts = [SCRIPT]
        return super().generate(prompt, **kw)


def make(model: str | None, profile: str | None) -> MeasuringModel:
    return MeasuringModel()
