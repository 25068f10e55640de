"""Inputs of the shapes ordinary scripts read: tables, logs, key=value records, prose.

`make(kind, size, seed)` returns a text of about `size` characters; the
realistic corpus (tests/verify/realistic/*.rlm, `#! data: KIND`) is verified
at the sizes of real inputs and run on such texts, so the proven bound is
compared with the fuel a real run uses.
"""

from __future__ import annotations

import random
from pathlib import Path

REALISTIC_DIR = Path(__file__).parent / "realistic"

_REGIONS = ["East", "West", "South", "North"]
_PRODUCTS = ["widget", "spring", "gear", "bolt"]
_LEVELS = ["INFO", "DEBUG", "WARN", "ERROR"]
_SERVICES = ["orders", "gateway", "mailer", "inventory"]
_WORDS = ("the harbour was quiet that morning and gulls circled the masts of fishing boats "
          "storm at sea sailors watched clouds gather over the grey water").split()


def _line(kind: str, rng: random.Random, i: int) -> str:
    if kind == "csv":
        return (f"ORD-{rng.randint(100000, 999999)},{rng.choice(_REGIONS)},"
                f"{rng.choice(_PRODUCTS)},{rng.randint(1, 120)},{rng.randint(100, 5000)}")
    if kind == "log":
        return (f"2024-06-17T22:{i % 60:02d}:41Z {rng.choice(_LEVELS)} "
                f"[{rng.choice(_SERVICES)}] request done host=db-{rng.randint(1, 40):02d} "
                f"dur_ms={rng.randint(1, 5000)}")
    if kind == "kv":
        return (f"2021-0{rng.randint(1, 4)}-{rng.randint(10, 28)}T00:00 "
                f"probe=p-{rng.randint(1, 9)} reading={rng.randint(0, 300) / 10}")
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 14)))


def make(kind: str, size: int, seed: int = 0) -> str:
    """A text of `kind` (csv, log, kv, text) of at most `size` characters."""
    rng = random.Random(seed)
    header = {"csv": "id,region,product,units,amount", "kv": "# probe log",
              "log": "", "text": "CHAPTER 1"}[kind]
    out, n, i = [header] if header else [], len(header) + 1, 0
    while True:
        line = _line(kind, rng, i)
        if n + len(line) + 1 > size:
            break
        out.append(line)
        n += len(line) + 1
        i += 1
    return "\n".join(out) + "\n" if out else ""


def cases() -> list[tuple[str, str, dict[str, str]]]:
    """(name, script text, header fields) of every realistic script."""
    out = []
    for path in sorted(REALISTIC_DIR.glob("*.rlm")):
        text = path.read_text()
        head = {}
        for line in text.splitlines():
            if line.startswith("#! "):
                k, _, v = line[3:].partition(":")
                head[k.strip()] = v.strip()
        out.append((path.stem, text, head))
    return out


SIGNATURE = "context: str, question: str -> answer: str"


def inputs_for(head: dict[str, str], size: int, seed: int = 0) -> dict[str, str]:
    """The input texts of one case: every str input of its signature, of its data kind."""
    kind = head.get("data", "text")
    sig = head.get("signature", SIGNATURE)
    names = [p.split(":")[0].strip() for p in sig.split("->")[0].split(",") if p.strip()]
    out = {}
    for i, name in enumerate(names):
        out[name] = "Which one?" if name == "question" else make(kind, size, seed + i)
    return out


def setup_for(name: str, text: str, head: dict[str, str], values: dict[str, str],
              budgets: dict[str, int] | None = None):  # noqa: ANN201 - a ScriptSetup
    """What the pipeline needs to verify (values known) and run one case."""
    from rlmlang.pipeline import ScriptSetup
    from rlmlang.policy import Policy
    from rlmlang.task.signature import parse_signature
    from rlmlang.tools import default_registry

    sig = parse_signature(head.get("signature", SIGNATURE))
    return ScriptSetup(registry=default_registry(), inputs=values,
                       input_types=sig.input_types(), output=sig.output.type, state=None,
                       policy=Policy.from_rules(["llm"]) if "llm." in text else None,
                       budgets=dict(budgets or {}), root=Path("."),
                       llm=lambda prompt, snippets, as_type: "3", file=name)


def execute(name: str, text: str, head: dict[str, str], values: dict[str, str],
            budgets: dict[str, int] | None = None):  # noqa: ANN201 - a ScriptOutcome
    """Verify (values known) and run one case: the pipeline's ScriptOutcome."""
    from rlmlang.pipeline import execute_script

    return execute_script(text, setup_for(name, text, head, values, budgets))
