"""The differential fuzz test, long: 10,000 random scripts verified and run.

Each script of tests/verify/fuzzgen.py (pieces of the input, dicts, aliases,
helper defs, state, the builtins whose cost grows with their data) is
checked, verified with its input known, and run on both the proof and the
VM: a script the verifier accepts must run within its proven bound (fuel,
and never E_VERIFIER_BUG); one it rejects must be rejected with a coded
diagnostic. `run(quick=False)` reports how many were run, rejected (by the
verifier) or skipped (refused by the parser or checker), `fuzz_unsound` (the
count of broken proofs: must be 0) and the largest fraction of its bound a
run used. Run: `python -m bench.micro_fuzz [--quick]` (quick: 500 scripts).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20260


def _fuzzgen():  # noqa: ANN202 - the test module
    spec = importlib.util.spec_from_file_location("fuzzgen", ROOT / "tests" / "verify" /
                                                  "fuzzgen.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["fuzzgen"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def run(quick: bool = False) -> dict[str, float]:
    got = _fuzzgen().run_many(500 if quick else 10_000, SEED)
    return {f"fuzz_{k}": v for k, v in got.items()}


if __name__ == "__main__":
    for k, v in sorted(run(quick="--quick" in sys.argv).items()):
        print(f"{k}={v}")
