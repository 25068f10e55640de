"""Fixtures for the audit tests; also makes tests/ importable (for tests/fakes.py)."""

import shutil
import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from audit_helpers import make_run  # noqa: E402


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("pristine"))


@pytest.fixture()
def run_log(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of the pristine run (log, state store, data) to tamper with."""
    dst = tmp_path / "run"
    shutil.copytree(pristine.parent, dst)
    return dst / "run.log"
