"""Host tools: the effects a script may ask for, each behind a permission.

Every host tool is a ToolSpec with `effect=True` and a `Permission`; its
implementation has the signature `impl(ctx, *args, **kwargs)`, where `ctx`
is the run's ToolContext (policy, root, llm hooks, deadline). The VM calls
it through `invoke`, which checks the grant, records the call and its
result in the log, and on replay feeds the recorded result back instead of
calling it. The implementations check their own resource again (fs paths
through `rlmlang.paths`, hosts of URLs through the policy): the check in
`invoke` sees the argument, the tool sees what it actually touches.
"""

from __future__ import annotations

from rlmlang.tools.host.clock import clock_specs
from rlmlang.tools.host.llm import llm_specs
from rlmlang.tools.registry import ToolSpec


def host_specs() -> list[ToolSpec]:
    """fs.read, fs.list, fs.write, http.get, clock.now, llm.predict, llm.run."""
    from rlmlang.tools.host.fs import fs_specs  # lazy: keeps Z3 out of start-up
    from rlmlang.tools.host.http import http_specs  # lazy: keeps Z3 out of start-up

    return fs_specs() + http_specs() + clock_specs() + llm_specs()
