"""Random scripts for the differential fuzz test: verify, run, compare fuel with the bound.

`programs()` (hypothesis) and `random_program(rng)` (plain `random`, for the
bench's long run) draw scripts in the ordinary language over a fixed set of
typed variables: ints, strs, lists and dicts built from the pieces of the
input, nested loops over pieces, dicts, ranges and a `while` with a measure,
helper defs called in loops, aliases of lists and dicts changed through the
alias, in-place growth, comparisons of strs and containers, `in` on lists,
state reads and writes, and the builtins and skills whose cost grows with
their data. `judge(src, inputs)` runs one through the real pipeline: a
script the verifier accepts must run within its proven bound (fuel, tool and
sub-model calls); one it rejects must be rejected with a coded diagnostic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRELUDE = """a = 1
b = 2
n = 0
s = "x"
t = ""
xs = ["a", "b,c"]
ys = [1, 2]
d = {"k": 1}
e = {"k": "v"}
"""

DEFS = """def width(x: str) -> int:
    m = 0
    for p in split(x, ","):
        if len(p) > m:
            m = len(p)
    return m

def tally(words: list[str]) -> dict[str, int]:
    out = {}
    for w in words:
        out[w] = get(out, w, 0) + 1
    return out

"""

PIECES = ["lines(context)", 'split(context, ",")', "words(context)", "chunks(context, 7)",
          'split(s, ",")', "xs", "keys(d)", "sorted(xs)", 'regex_findall("[a-z]+", context)',
          'find_lines(context, "a")', "lines(context)[1:]", "reversed(xs)"]

SIMPLE = [
    "a = a + {k}", "b = b - a % 5", "n = n + len(s)", "a = len(xs) + len(d)",
    's = s + "{k}"', "s = s + t", "t = strip(s)", "t = upper(t)", 't = replace(s, ",", "")',
    "xs = xs + [t]", "xs = xs + split(t, \",\")", "ys = ys + [a]",
    "d[t] = get(d, t, 0) + 1", "d[s] = a", "e[t] = s", "e[s] = t",
    "n = n + count(s, \"a\")", "n = n + find(s, \",\")", "t = join(xs, \",\")",
    "t = str(d)", "t = str(xs)", "print(d)", "print(xs)", "n = n + width(s)",
    "d = tally(xs)", "t = value_after(context, \"a\")", "n = n + count_lines(context, \"a\")",
    "t = find_line(context, \"b\")", "n = n + len(regex_findall(\"b+\", s))",
    "xs = sorted(keys(d))", "ys = values(d)", "if s == t:\n    n = n + 1",
    "if xs == sorted(xs):\n    n = n + 1", "if t in xs:\n    a = a + 1",
    "if a in ys:\n    b = b + 1", "if s < t:\n    n = n - 1", "if d == tally(xs):\n    n = n + 2",
    "zs = xs\nzs[0] = s", "f = d\nf[t] = 1", "zs = xs\nzs = zs + [s]",
    "xs += [s]", "state.notes = s", "t = state.notes", "state.items = xs",
    "n = n + len(state.items)", "t = t[:{k}]", "s = s[1:]", "s = t + t",
    "ys = [len(x) for x in xs]", "t = \" \".join(xs)", "xs.append(t)",
]


@dataclass
class Verdict:
    stage: str  # rejected | ran | skipped
    codes: tuple[str, ...] = ()
    fuel_used: int = 0
    fuel_bound: int = 0
    status: str | None = None


def _indent(lines: list[str]) -> str:
    return "\n".join("    " + ln for s in lines for ln in s.split("\n"))


def build(rng: random.Random, depth: int = 0, width: int = 4) -> list[str]:
    """Statements of one block, drawn with `rng`."""
    out: list[str] = []
    for _ in range(rng.randint(1, width)):
        kind = rng.randint(0, 12 if depth < 2 else 6)
        if kind <= 6:
            out.append(rng.choice(SIMPLE).format(k=rng.randint(0, 9)))
        elif kind in (7, 8):
            body = build(rng, depth + 1, 3)
            out.append(f"for p in {rng.choice(PIECES)}:\n" + _indent(
                ["t = p" if rng.random() < 0.6 else "n = n + len(p)", *body]))
        elif kind == 9:
            body = build(rng, depth + 1, 3)
            out.append(f"for i in range({rng.randint(0, 6)}):\n" + _indent(body))
        elif kind == 10:
            body = build(rng, depth + 1, 2)
            out.append(f"for k in {rng.choice(['d', 'e'])}:\n" + _indent(["t = k", *body]))
        elif kind == 11:
            body = build(rng, depth + 1, 3)
            out.append(f"if len(t) > {rng.randint(0, 5)}:\n" + _indent(body))
        else:
            body = build(rng, depth + 1, 2)
            out.append(f"w = {rng.randint(0, 5)}\nwhile w > 0:\n" + _indent(body)
                       + "\n    w = w - 1")
    return out


def random_program(rng: random.Random) -> str:
    return DEFS + PRELUDE + "\n".join(build(rng)) + "\nsubmit(s)\n"


def random_context(rng: random.Random) -> str:
    alphabet = rng.choice(["ab,\n", "ab, \nERROR", "a\n", ",", "abc b a,,\n\n"])
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))


def judge(src: str, context: str, values_known: bool = True) -> Verdict:
    """Check, verify, compile and run one script against `context` (and a state store)."""
    from rlmlang.pipeline import ScriptSetup, execute_script
    from rlmlang.store import StateStore
    from rlmlang.tools import default_registry
    from rlmlang.types import STR, ListT

    store = StateStore(":memory:", {"notes": STR, "items": ListT(STR)})
    with store.begin({}) as txn:
        txn.set("notes", "a,b")
        txn.set("items", ["x", "y"])
    setup = ScriptSetup(registry=default_registry(), inputs={"context": context},
                        input_types={"context": STR}, output=STR, state=store,
                        budgets={"fuel": 10**12}, root=Path("."), file="fuzz.rlm")
    try:
        out = execute_script(src, setup)
        if out.vm is None:
            codes = tuple(d.code for d in out.diagnostics if d.severity == "error")
            return Verdict("skipped" if out.stage in ("parse", "check") else "rejected",
                           codes)
        r = out.vm
        return Verdict("ran", tuple(d.code for d in r.diagnostics), r.fuel_used,
                       out.fuel_bound, r.status)
    finally:
        store.close()


def check_verdict(v: Verdict, src: str) -> None:
    """What must hold of every script: a proven bound holds; a rejection is coded."""
    if v.stage == "ran":
        assert "E_VERIFIER_BUG" not in v.codes, (v, src)
        assert v.fuel_used <= v.fuel_bound, (v, src)
    elif v.stage == "rejected":
        assert v.codes and all(c.startswith("E_") for c in v.codes), (v, src)


def run_many(count: int, seed: int) -> dict[str, Any]:
    """The bench's long run: `count` programs; figures of what happened to them."""
    rng = random.Random(seed)
    tally: dict[str, int] = {"ran": 0, "rejected": 0, "skipped": 0, "unsound": 0}
    worst = 0.0
    for _ in range(count):
        src = random_program(rng)
        v = judge(src, random_context(rng))
        tally[v.stage] += 1
        try:
            check_verdict(v, src)
        except AssertionError:
            tally["unsound"] += 1
        if v.stage == "ran" and v.fuel_used:
            worst = max(worst, v.fuel_used / max(v.fuel_bound, 1))
    tally_f: dict[str, Any] = dict(tally)
    tally_f["max_used_over_bound"] = round(worst, 4)
    return tally_f
