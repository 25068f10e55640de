"""Property: the verifier's fuel bound is never below the fuel the VM actually uses.

Every accepted corpus case that needs no host tool is compiled and run on
random inputs no larger than the sizes it was verified for; the run must
stay within the proven bounds (a run past them would be a verifier bug).
"""

from __future__ import annotations

import random

import pytest
from harness import ACCEPT_DIR, chunks, parse_header, registry, run_text

from rlmlang.compiler import compile_program
from rlmlang.vm import run

HOST = ("fs.", "net.", "llm.", "state.")


def _pure_cases() -> list[tuple[str, str]]:
    out = []
    for path in sorted(ACCEPT_DIR.glob("*.rlm")):
        for start, text in chunks(path):
            if not any(h in text for h in HOST):
                out.append((f"{path.name}:{start}", text))
    return out


def _text(rng: random.Random, n: int) -> str:
    alphabet = "ab,x \n\nHanoi0123456789:ERROR"
    return "".join(rng.choice(alphabet) for _ in range(n))


CASES = _pure_cases()


@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_vm_fuel_within_verified_bound(name: str, text: str) -> None:
    setup = parse_header(text)
    rng = random.Random(name)
    for trial in range(4):
        sizes = {k: (v if trial == 0 else rng.randint(0, v)) for k, v in setup.sizes.items()}
        values = {k: _text(rng, min(sizes.get(k, 50), 20_000)) for k, t in setup.inputs.items()
                  if t == "str"}
        setup.sizes = {k: len(v) for k, v in values.items()} | {
            k: v for k, v in setup.sizes.items() if k not in values}
        values.update(setup.values)
        out = run_text(text, setup, file=name)
        prog = out.verify.program if out.verify else None
        assert prog is not None, [d.message for d in out.diagnostics]
        bc = compile_program(prog, registry())
        res = run(bc, registry=registry(), inputs=values, budgets={"fuel": 10**12})
        assert res.fuel_used <= prog.fuel_bound, (
            f"{name}: VM used {res.fuel_used} fuel, verifier bound {prog.fuel_bound}")
