"""The whole benchmark suite, generated once per test session (about 20 s, 140 MB in tmp).

Generating it needs the real-data packages of the `bench` extra; without them
the tests that need the suite are skipped with the package named.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SEED = 7


@pytest.fixture(scope="session")
def full_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.tasks.generate import generate
    from bench.tasks.realdata import MissingData

    out = tmp_path_factory.mktemp("bench-full")
    try:
        generate(out, seed=SEED)
    except MissingData as e:
        pytest.skip(str(e))
    return out
