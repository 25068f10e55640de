"""The core tools: builtins (with those behind the Python forms), skills and table operations.

Pure functions of their arguments, always available, in a fixed order (a
name clash is reported against whoever came first); the stdlib, host tools
and plugins are gathered on top of them by `rlmlang.tools.default_registry`.
"""

from __future__ import annotations

from rlmlang.tools.builtins import builtin_specs
from rlmlang.tools.dates import date_specs
from rlmlang.tools.pyforms import pyform_specs
from rlmlang.tools.registry import ToolSpec
from rlmlang.tools.skills import skill_specs
from rlmlang.tools.tables import table_specs


def core_specs() -> list[ToolSpec]:
    """Builtins, the Python forms' builtins, dates, skills and table operations."""
    return builtin_specs() + pyform_specs() + date_specs() + skill_specs() + table_specs()
