"""The policy file: `[policy] root/allow/deny/rlimit` and `[budget]` in TOML.

Reading the file is kept apart from the `Policy` it becomes: every mistake in
it is one E_USAGE diagnostic naming the file and what to write instead.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.limits import check_budget_table
from rlmlang.policy.rules import PolicyError
from rlmlang.policy.symbolic import DEFAULT_RLIMIT


@dataclass(frozen=True)
class PolicyFile:
    """What a policy file says: `root` already joined to the file's directory."""

    root: Path
    allow: list[str]
    deny: list[str]
    rlimit: int
    budgets: dict[str, int]
    source: str


def read_policy_file(path: Path) -> PolicyFile:
    """Read `[policy] root/allow/deny/rlimit` and `[budget]`; root is relative to the file."""
    src = str(path)

    def bad(msg: str) -> PolicyError:
        return PolicyError(Diagnostic(
            "E_USAGE", msg, file=src,
            fix='write [policy] with root = ".", allow = ["fs.read:data/**"], deny = [...], '
                'and optionally [budget] with whole numbers'))

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise bad(f"cannot read the policy file: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise bad(f"the policy file is not valid TOML: {e}") from None
    unknown = set(data) - {"policy", "budget"}
    if unknown:
        raise bad(f"unknown table(s) {', '.join(sorted(unknown))} (expected [policy] and [budget])")
    pol = data.get("policy", {})
    if not isinstance(pol, dict):
        raise bad("[policy] must be a table")
    extra = set(pol) - {"root", "allow", "deny", "rlimit"}
    if extra:
        raise bad(f"unknown key(s) in [policy]: {', '.join(sorted(extra))}")
    root = pol.get("root", ".")
    if not isinstance(root, str):
        raise bad("[policy] root must be a string")
    lists = {}
    for key in ("allow", "deny"):
        v = pol.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise bad(f"[policy] {key} must be a list of strings")
        lists[key] = v
    rlimit = pol.get("rlimit", DEFAULT_RLIMIT)
    if not isinstance(rlimit, int) or isinstance(rlimit, bool) or rlimit <= 0:
        raise bad("[policy] rlimit must be a whole number > 0")
    try:
        budgets = check_budget_table(data.get("budget", {}), "[budget]", src,
                                     fix=bad("").diagnostic.fix or "")
    except DiagnosticError as e:
        raise PolicyError(e.diagnostics[0]) from None
    base = path.parent if path.parent != Path("") else Path(".")
    return PolicyFile(base / root, lists["allow"], lists["deny"], rlimit, budgets, src)
