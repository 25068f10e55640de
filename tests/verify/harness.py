"""Shared helpers for the checker and verifier tests: a registry, an env, one-call runs.

The registry is the real core (builtins and skills) plus small host tools
with real permissions (fs.read, fs.write, fs.list, net.get, llm.predict), so
that the corpus exercises the policy without a host layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rlmlang.check import CheckResult, Env, check
from rlmlang.cost import size_fuel
from rlmlang.diagnostics import Diagnostic
from rlmlang.policy import Policy
from rlmlang.syntax.parser import parse
from rlmlang.tools import core_specs
from rlmlang.tools.registry import Param, Permission, Registry, Size, ToolSpec
from rlmlang.types import STR, UNKNOWN, ListT, parse_type
from rlmlang.verify import VerifyResult, verify

ROOT = Path(__file__).parent
ACCEPT_DIR = ROOT / "accept"


def _host_specs() -> list[ToolSpec]:
    def tool(name: str, params: list[tuple[str, object]], result, perm, *, varkw=None,
             size=lambda s: Size(100_000, 1), extra=None) -> ToolSpec:
        return ToolSpec(name, tuple(Param(n, t) for n, t in params), result,
                        lambda s: 10 + size_fuel(sum(x.total for x in s)), size, name,
                        origin="host", permission=perm, effect=True, varkw=varkw,
                        extra=extra or {})
    return [
        tool("fs.read", [("path", STR)], STR, Permission("fs.read", "path")),
        tool("fs.write", [("path", STR), ("text", STR)], parse_type("none"),
             Permission("fs.write", "path"), size=lambda s: Size(1, 1)),
        tool("fs.list", [("path", STR)], ListT(STR), Permission("fs.list", "path"),
             size=lambda s: Size(1000, 255)),
        tool("net.get", [("host", STR)], STR, Permission("net", "host")),
        tool("llm.predict", [("prompt", STR)], STR, Permission("llm"), varkw=UNKNOWN,
             size=lambda s: Size(4000, 1), extra={"castable": True}),
    ]


_REGISTRY: Registry | None = None


def registry() -> Registry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry(core_specs() + _host_specs())
    return _REGISTRY


@dataclass
class Setup:
    inputs: dict[str, str] = field(default_factory=lambda: {"context": "str", "question": "str"})
    output: str | None = "str"
    state: dict[str, str] = field(default_factory=lambda: {"notes": "str", "count": "int",
                                                           "tags": "list[str]"})
    sizes: dict[str, int] = field(default_factory=lambda: {"context": 100_000, "question": 200})
    values: dict[str, object] = field(default_factory=dict)
    allow: list[str] = field(default_factory=lambda: [
        "fs.read:data/**", "fs.write:out/**", "fs.list:data/**", "llm", "llm:calls=20",
        "net:api.example.com"])
    deny: list[str] = field(default_factory=lambda: ["fs.read:data/private/**"])
    budget: dict[str, int] = field(default_factory=dict)
    strict: bool = True
    policy: bool = True
    rlimit: int | None = None  # solver steps per query (None: the verifier's default)


def parse_header(text: str) -> Setup:
    """`#! key: value` lines at the top of a corpus case configure its environment."""
    s = Setup()
    for line in text.splitlines():
        m = re.match(r"#!\s*(\w+):\s*(.*)$", line)
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip()
        items = [x.strip() for x in _split(val)] if val else []
        if key == "inputs":
            s.inputs = dict(x.split(":", 1) for x in items) if items else {}
            s.inputs = {k.strip(): v.strip() for k, v in s.inputs.items()}
        elif key == "output":
            s.output = None if val == "any" else val
        elif key == "state":
            s.state = {k.strip(): v.strip() for k, v in (x.split(":", 1) for x in items)}
        elif key == "sizes":
            s.sizes.update({k.strip(): int(v) for k, v in (x.split("=") for x in items)})
        elif key == "values":
            s.values.update({k.strip(): int(v) for k, v in (x.split("=") for x in items)})
        elif key == "allow":
            s.allow = items
        elif key == "deny":
            s.deny = items
        elif key == "budget":
            s.budget.update({k.strip(): int(v) for k, v in (x.split("=") for x in items)})
        elif key == "strict":
            s.strict = val.lower() == "true"
        elif key == "policy":
            s.policy = val.lower() != "none"
        elif key == "rlimit":
            s.rlimit = int(val)
    return s


def _split(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


@dataclass
class Outcome:
    diagnostics: list[Diagnostic]
    check: CheckResult | None = None
    verify: VerifyResult | None = None


def env_of(s: Setup) -> Env:
    return Env({k: parse_type(v) for k, v in s.inputs.items()},
               {k: parse_type(v) for k, v in s.state.items()},
               parse_type(s.output) if s.output else None, registry())


def policy_of(s: Setup) -> Policy | None:
    if not s.policy:
        return None
    return Policy.from_rules(s.allow, s.deny, root="/tmp/rlm-policy-root")


def run_text(text: str, setup: Setup | None = None, file: str = "<test>") -> Outcome:
    s = setup or parse_header(text)
    p = parse(text, file)
    if p.script is None:
        return Outcome(p.diagnostics)
    cr = check(p.script, env_of(s), file)
    if cr.checked is None:
        return Outcome(cr.diagnostics, cr)
    sizes = {k: Size(v, 1) for k, v in s.sizes.items() if k in s.inputs}
    vr = verify(cr.checked, policy=policy_of(s), budgets=s.budget, input_sizes=sizes,
                state_sizes={"notes": Size(1000, 1), "count": Size(1, 1), "tags": Size(100, 50)},
                strict=s.strict, input_values=s.values or None, file=file,
                **({"rlimit": s.rlimit} if s.rlimit else {}))
    return Outcome(cr.diagnostics + vr.diagnostics, cr, vr)


def chunks(path: Path) -> list[tuple[int, str]]:
    """Split a corpus file at lines of `---`; keep line numbers (blank-padded)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[tuple[int, str]] = []
    start = 0
    for i, line in enumerate(lines + ["---"]):
        if line.strip() == "---":
            body = lines[start:i]
            if any(x.strip() and not x.strip().startswith("#") for x in body):
                out.append((start + 1, "\n" * start + "\n".join(body) + "\n"))
            start = i + 1
    return out
