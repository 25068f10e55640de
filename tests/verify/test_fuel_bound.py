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


# ---------------------------------------------------------------------------------------
# Loops over the pieces of a text: the amortized bound (Σ over the pieces, bounded by the
# text's length) must still dominate what the VM meters, on texts of every shape: many
# empty lines, one huge line, lines of wildly different lengths.

SPLITTERS = ['lines(context)', 'split(context, ",")', 'split(context, "")', 'words(context)',
             'chunks(context, 7)', 'chunks(context, 1)', 'regex_findall("[a-z0-9]+", context)',
             'find_lines(context, "a")', 'column(context, 0)', 'lines(context)[:40]',
             'reversed(lines(context))', 'split(question, "a")']

BODIES = [
    'if contains(x, "a"):\n    n = n + 1',
    'n = n + len(x)',
    'out = out + upper(x)',
    'k = k + find(x, "b")',
    't = replace(x, ",", "")',
    'if startswith(strip(x), "H"):\n    hits = hits + [x]',
    'for y in split(x, ","):\n    if contains(y, "0"):\n        n = n + 1',
    'if len(x) > 3:\n    n = n + count(x, "a")',
    'if contains(x, "ERROR"):\n    break',
    'if x == "Hanoi":\n    submit(x)',
    't = lower(x)\nif t != "":\n    n = n + 1',
    'if contains(x, "x"):\n    continue\nn = n + 1',
    'for w in words(x):\n    out = out + w[:2]',
    'if contains(x, ":"):\n    submit(after(x, ":") + before(x, ":"))',
    'hits = hits + split(x, " ")',
    'n = n + len(lines(x))',
    'if startswith(x, "Hanoi"):\n    out = out + x',
    'if len(x) >= 4 and contains(x, "ab"):\n    hits = hits + [x]',
    'if endswith(x, "0:"):\n    n = n + len(x)',
    'if contains(x, "Hanoi"):\n    out = out + upper(context[:100])\n    break',
    'if x == "":\n    continue\nt = t + x[:1]',
]

HEAD = 'n = 0\nk = 0\nout = ""\nt = ""\nhits = []\n'
TAIL = 'submit(str(n + k) + out[:10] + t[:3] + str(len(hits)))\n'


def _program(rng: random.Random) -> str:
    body = "\n".join(rng.sample(BODIES, rng.randint(1, 3)))
    loop = f"for x in {rng.choice(SPLITTERS)}:\n" + "".join(
        "    " + ln + "\n" for ln in body.split("\n"))
    return HEAD + loop + TAIL


def _shaped_text(rng: random.Random, n: int) -> str:
    shape = rng.choice(["uniform", "newlines", "one_line", "mixed", "commas"])
    if shape == "newlines":
        return "".join(rng.choice("\n\n\n\na,") for _ in range(n))
    if shape == "one_line":
        return "".join(rng.choice("abc Hanoi0:,x") for _ in range(n))
    if shape == "commas":
        return "".join(rng.choice(",,,\n0a") for _ in range(n))
    if shape == "mixed":
        parts: list[str] = []
        while sum(map(len, parts)) < n:
            size = rng.choice([0, 0, 1, 2, 5, 40, 400, 3000])
            parts.append("".join(rng.choice("ab,x 0:H") for _ in range(size)) + "\n")
        return "".join(parts)[:n]
    return _text(rng, n)


PROGRAMS = [(seed, _program(random.Random(seed))) for seed in range(60)]


@pytest.mark.parametrize("seed,text", PROGRAMS, ids=[f"amortized-{s}" for s, _ in PROGRAMS])
def test_amortized_loops_stay_within_bound(seed: int, text: str) -> None:
    rng = random.Random(1000 + seed)
    for trial in range(4):
        ctx = _shaped_text(rng, rng.choice([0, 1, 30, 900, 6000]))
        q = _shaped_text(rng, rng.randint(0, 300))
        setup = parse_header("")
        setup.sizes = {"context": len(ctx), "question": len(q)}
        setup.budget = {"fuel": 10**15, "memory": 10**15}
        if trial % 2:  # the values known to the verifier, as in a real run: their lines count
            setup.values = {"context": ctx, "question": q}
        out = run_text(text, setup, file=f"amortized-{seed}")
        prog = out.verify.program if out.verify else None
        assert prog is not None, (text, [d.message for d in out.diagnostics])
        bc = compile_program(prog, registry())
        res = run(bc, registry=registry(), inputs={"context": ctx, "question": q},
                  budgets={"fuel": 10**12, "memory": 10**12})
        assert res.fuel_used <= prog.fuel_bound, (
            f"{text}\nVM used {res.fuel_used} fuel, verifier bound {prog.fuel_bound}")


# ---------------------------------------------------------------------------------------
# Bounds proven by Z3 from path conditions (the interval bound is over the budget): the
# VM must stay within them for int inputs on both sides of the guards.

Z3_CASES = [(f"z3.rlm:{start}", text) for start, text in chunks(ACCEPT_DIR / "z3.rlm")]


@pytest.mark.parametrize("name,text", Z3_CASES, ids=[c[0] for c in Z3_CASES])
def test_z3_proven_bound_holds_in_the_vm(name: str, text: str) -> None:
    setup = parse_header(text)
    out = run_text(text, setup, file=name)
    prog = out.verify.program if out.verify else None
    assert prog is not None, [d.message for d in out.diagnostics]
    cost = next(o for o in prog.proof["obligations"] if o["name"] == "cost")
    assert cost["by"] == "z3" and cost["interval_fuel"] == "unbounded"
    ints = [k for k, t in setup.inputs.items() if t == "int"]
    rng = random.Random(name)
    for _ in range(25):
        values = {k: rng.choice([rng.randint(-3, 25), rng.randint(0, 1200),
                                 rng.randint(-10**6, 10**6)]) for k in ints}
        if "b" in values and rng.random() < 0.5:
            values["b"] = values["a"] + rng.randint(0, 1000)
        res = run(compile_program(prog, registry()), registry=registry(),
                  inputs={"context": "", "question": "", **values},
                  budgets={"fuel": 10**12})
        assert res.fuel_used <= prog.fuel_bound, (name, values, res.fuel_used)
