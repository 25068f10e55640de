"""Every test sees an empty user configuration: no stdlib modules of the tester's own.

Set before any test module is imported, so subprocesses inherit it too.
"""

from __future__ import annotations

import os
import tempfile

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rlm-test-config-")
os.environ.pop("RLM_STDLIB_PATH", None)
