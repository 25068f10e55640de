"""Every test sees an empty user configuration: no stdlib modules of the tester's own.

The suite tests the runtime's mechanics on the small SmolLM2-135M (RLM_MODEL),
whatever the registry's default; tests of the default model name it.

Set before any test module is imported, so subprocesses inherit it too.
"""

from __future__ import annotations

import os
import tempfile

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rlm-test-config-")
os.environ.pop("RLM_STDLIB_PATH", None)
os.environ["RLM_MODEL"] = "smollm2-135m"
