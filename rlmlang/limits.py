"""Limits: every budget of a run, typed, resolved once, each with its scope in its name.

A run has two kinds of budget. Per-script ones bound one script: the
verifier proves the script stays within them before it runs, and the VM
meters them while it runs (fuel, host tool calls, sub-model calls, memory,
printed text), and the controller stops generating a script at
`tokens_per_script`. Per-run ones are circuit breakers the controller checks
between steps (rounds, candidates per round, generated tokens, sub-model
calls of all scripts together, nesting of `llm.run`, wall time).

They are set by name with `--budget NAME=N`, in a policy file's `[budget]`
table, in a batch task's `"budgets"`, and by a model's profile. `resolve`
applies those layers over the defaults, once; every stage after it reads the
one `Limits` value. The names users write are the short ones the log has
always recorded (`fuel`, `iterations`, ...); the one name that meant two
things, `llm_calls`, sets both its scopes, and `llm_calls_per_script` /
`llm_calls_per_run` set one each. `to_record` writes the names back the same
way, so old logs and new ones are read by the one `resolve`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rlmlang.diagnostics import Diagnostic, DiagnosticError


@dataclass(frozen=True)
class Limits:
    """The budgets of one run. Build it with `resolve`; change it with `dataclasses.replace`."""

    # Per script: proven by the verifier, metered by the VM.
    # VM fuel: about 4 s of VM time at the median of ordinary scripts measured by
    # `python -m bench.micro_fuel` (0.44 s per million fuel on the shared 2-core box under
    # load, about half that unloaded); adversarial scripts buy at most a few times that
    # (fuel_worst_over_median). The run's wall-time budget is the outer limit.
    fuel_per_script: int = 10_000_000
    tool_calls_per_script: int = 1_000  # host tool calls
    llm_calls_per_script: int = 20  # sub-model calls (llm.predict, llm.map items, llm.run)
    memory_per_script: int = 256_000_000  # bytes of live values, approximately
    output_chars_per_script: int = 4_000  # printed text kept
    tokens_per_script: int = 160  # tokens the model may generate for one script
    # Per run: checked by the controller between steps.
    iterations_per_run: int = 3  # generate → verify → run rounds
    candidates_per_round: int = 4  # scripts drawn per round (voted on)
    tokens_per_run: int = 6_000  # generated tokens, all model calls together
    llm_calls_per_run: int = 20  # sub-model calls, all scripts together
    depth_per_run: int = 2  # nesting of llm.run: 1 allows none
    seconds_per_run: int = 600  # wall time

    @classmethod
    def resolve(cls, *layers: Mapping[str, int] | None) -> Limits:
        """The defaults, then each layer in turn (later wins), by budget name.

        Within one layer a name that sets two scopes (`llm_calls`) goes first, so a
        narrower name beside it (`llm_calls_per_script`) wins. Names no budget has are
        skipped: the layers are checked where they are read (`parse_budget_flags`,
        `check_budget_table`), and a log written by a later version may know more."""
        values: dict[str, int] = {}
        for layer in layers:
            for name, n in sorted((layer or {}).items(), key=lambda kv: -len(NAMES.get(kv[0], ()))):
                for fld in NAMES.get(name, ()):
                    values[fld] = int(n)
        return cls(**values)

    def to_record(self) -> dict[str, int]:
        """The budgets as the log's `run_start` records them; `resolve(to_record())` is self.

        `llm_calls` is the per-run count here, as it always was for the audit's
        used-of-limit figures; the per-script one has its own name beside it."""
        rec = {name: getattr(self, fields[0]) for name, fields in NAMES.items()
               if len(fields) == 1 and name not in SCOPED_ONLY}
        rec["llm_calls"] = self.llm_calls_per_run
        rec["llm_calls_per_script"] = self.llm_calls_per_script
        return rec

    def script_record(self) -> dict[str, int]:
        """The per-script budgets, by their short names: what a verifier proof was held to."""
        return {"fuel": self.fuel_per_script, "tool_calls": self.tool_calls_per_script,
                "llm_calls": self.llm_calls_per_script, "memory": self.memory_per_script,
                "output_chars": self.output_chars_per_script}


# The budget names users write (flags, policy files, batch tasks, the log) → the fields they set.
NAMES: dict[str, tuple[str, ...]] = {
    "fuel": ("fuel_per_script",),
    "tool_calls": ("tool_calls_per_script",),
    "llm_calls": ("llm_calls_per_script", "llm_calls_per_run"),
    "llm_calls_per_script": ("llm_calls_per_script",),
    "llm_calls_per_run": ("llm_calls_per_run",),
    "memory": ("memory_per_script",),
    "output_chars": ("output_chars_per_script",),
    "script_tokens": ("tokens_per_script",),
    "iterations": ("iterations_per_run",),
    "candidates": ("candidates_per_round",),
    "tokens": ("tokens_per_run",),
    "depth": ("depth_per_run",),
    "seconds": ("seconds_per_run",),
}
SCOPED_ONLY = ("llm_calls_per_script", "llm_calls_per_run")  # the two halves of llm_calls
assert {f for fs in NAMES.values() for f in fs} == {f.name for f in dataclasses.fields(Limits)}

# The per-script defaults by their short names (what the verifier and the VM hold a script to).
DEFAULT_BUDGETS: dict[str, int] = Limits().script_record()

_EXAMPLE = "write --budget NAME=N with N a whole number >= 0, e.g. iterations=5"


def _names() -> str:
    return ", ".join(NAMES)


def budget_error(message: str, fix: str = _EXAMPLE, file: str | None = None) -> DiagnosticError:
    """A bad budget: E_USAGE, with every valid name in the message."""
    return DiagnosticError([Diagnostic("E_USAGE", f"{message} (the budgets are {_names()})",
                                       file=file, fix=fix, data={"budgets": list(NAMES)})])


def parse_budget_flags(flags: list[str]) -> dict[str, int]:
    """`--budget NAME=N` flags (`rlm run`, `exec`, `check`, `batch`) → name → N, checked."""
    out: dict[str, int] = {}
    for flag in flags:
        key, eq, value = flag.partition("=")
        key = key.strip()
        if not eq or key not in NAMES:
            raise budget_error(f"bad --budget {flag!r}: unknown budget {key!r}")
        try:
            n = int(value.strip().replace("_", ""))
        except ValueError:
            raise budget_error(f"--budget {key} needs a whole number, not {value!r}") from None
        if n < 0:
            raise budget_error(f"--budget {key} cannot be negative")
        out[key] = n
    return out


def check_budget_table(table: Any, where: str, file: str | None = None,
                       fix: str = _EXAMPLE) -> dict[str, int]:
    """A table of budgets from a file (a policy's `[budget]`, a batch task's `"budgets"`)."""
    if not isinstance(table, dict):
        raise budget_error(f"{where} must be a table of budget names and whole numbers",
                           fix, file)
    for k, v in table.items():
        if k not in NAMES:
            raise budget_error(f"{where}: unknown budget {k!r}", fix, file)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise budget_error(f"{where} {k} must be a whole number >= 0, not {v!r}", fix, file)
    return dict(table)


def as_limits(budgets: Limits | Mapping[str, int] | None) -> Limits:
    """A stage's `budgets` argument: the run's resolved Limits, or (tests, tools) a few
    budgets by name over the defaults."""
    return budgets if isinstance(budgets, Limits) else Limits.resolve(budgets)
