"""The metered virtual machine (see machine.py)."""

from rlmlang.vm.machine import RunResult, run

__all__ = ["RunResult", "run"]
