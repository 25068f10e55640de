"""Does fuel bound time? Seconds per million fuel, ordinary scripts against attacks.

Fuel is the verifier's unit of work; a budget in fuel only bounds a run's
time if no script can buy much more time per unit than an ordinary one.
`run(quick=False)` runs two sets on the VM (fast tier), each verified first
(with a budget large enough to accept it) and run against its proven bound:

- ordinary: the realistic scripts of tests/verify/realistic (counting by a
  column, helper defs, joins, lookups across two tables, ...) on generated
  tables, logs and prose of about 300 KB;
- adversarial: scripts written to buy time cheaply (a builtin that walks a
  big list for a constant charge, comparing big values, state reads that
  copy JSON, a regex that matches everywhere, quadratic skills, ...).

It reports `fuel_s_per_mfuel_median` (ordinary), `fuel_s_per_mfuel_worst`
(adversarial, with the name of the worst in `fuel_worst_index`), their ratio
`fuel_worst_over_median` (goal: at most 5), and `fuel_default_budget_s`, the
seconds the default fuel budget buys at the ordinary median.
Run: `python -m bench.micro_fuel [--quick]`.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _realistic() -> Any:
    spec = importlib.util.spec_from_file_location(
        "realistic_data", ROOT / "tests" / "verify" / "realistic_data.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


BIG = 10 ** 12

# (name, script, signature, inputs (name -> value or a zero-argument builder), state)
ADVERSARIAL: list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("len_of_big_list", """n = 0
for i in range(2000):
    n = n + len(xs)
submit(str(n))""", "xs: list[str] -> answer: str", {"xs": lambda: ["ab"] * 1_000_000}, None),
    ("get_on_big_dict", """n = 0
for k in keys(d)[:3000]:
    n = n + get(d, k, 0)
submit(str(n))""", "d: dict[str, int] -> answer: str",
     {"d": lambda: {f"k{i}": i for i in range(300_000)}}, None),
    ("equal_big_lists", """n = 0
for i in range(300):
    if xs == ys:
        n = n + 1
submit(str(n))""", "xs: list[int], ys: list[int] -> answer: str",
     {"xs": lambda: list(range(300_000)), "ys": lambda: list(range(300_000))}, None),
    ("equal_big_strings", """n = 0
for i in range(3000):
    if a == b:
        n = n + 1
submit(str(n))""", "a: str, b: str -> answer: str",
     {"a": lambda: "x" * 3_000_000, "b": lambda: "x" * 3_000_000}, None),
    ("in_big_int_list", """n = 0
for i in range(300):
    if -1 in xs:
        n = n + 1
submit(str(n))""", "xs: list[int] -> answer: str", {"xs": lambda: list(range(300_000))},
     None),
    ("state_read_big_list", """n = 0
for i in range(20):
    n = n + len(state.xs)
submit(str(n))""", "question: str -> answer: str", {"question": "q"},
     {"xs": lambda: [str(i) for i in range(100_000)]}),
    ("state_write_big_list", """ys = split(context, ",")
for i in range(20):
    state.xs = ys
submit("ok")""", "context: str -> answer: str", {"context": lambda: "a," * 100_000},
     {"xs": lambda: ["0"]}),
    ("regex_empty_matches", """xs = regex_findall("", context)
submit(str(len(xs)))""", "context: str -> answer: str", {"context": lambda: "x" * 1_000_000},
     None),
    ("split_one_char_pieces", """xs = split(context, ",")
submit(str(len(xs)))""", "context: str -> answer: str", {"context": lambda: "," * 5_000_000},
     None),
    ("join_empty_strings", """xs = split(context, ",")
s = ""
for i in range(20):
    s = join(xs, "")
submit(s)""", "context: str -> answer: str", {"context": lambda: "," * 1_000_000}, None),
    ("print_big_list", """xs = split(context, ",")
print(xs)
submit("x")""", "context: str -> answer: str", {"context": lambda: "," * 2_000_000}, None),
    ("sorted_big_list", """xs = split(context, ",")
ys = sorted(xs)
submit(ys[0])""", "context: str -> answer: str",
     {"context": lambda: ",".join(str(i % 977) for i in range(1_000_000))}, None),
    ("count_lines_one_long_line", """submit(str(count_lines(context, "is")))""",
     "context: str -> answer: str", {"context": lambda: "is " * 1_300_000}, None),
    ("value_after_fillers", """submit(value_after(context, "total"))""",
     "context: str -> answer: str", {"context": lambda: "total " + "is " * 200_000}, None),
    ("follow_big_tables", """submit(follow(context, "k0", other, 1))""",
     "context: str, other: str -> answer: str",
     {"context": lambda: "k0," + ",".join(f"x{i}" for i in range(30_000)),
      "other": lambda: "\n".join(f"y{i},v{i}" for i in range(30_000))}, None),
    ("count_lines_dense", """submit(str(count_lines(context, "is", "s")))""",
     "context: str -> answer: str", {"context": lambda: "is\n" * 300_000}, None),
    ("dict_of_big_keys", """d = {}
for part in chunks(context, 4000):
    d[part] = 1
submit(str(len(d)))""", "context: str -> answer: str",
     {"context": lambda: "".join(f"{i:08d}" * 500 for i in range(20_000))}, None),
]


def _materialise(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: (v() if callable(v) else v) for k, v in inputs.items()}


def _run_one(name: str, text: str, signature: str, values: dict[str, Any],
             state: dict[str, Any] | None, repeat: int) -> tuple[float, int, str]:
    """(best seconds of the VM run, fuel used, status) of one verified script."""
    import tempfile

    from rlmlang.compiler import compile_program
    from rlmlang.pipeline import ScriptSetup, static_check
    from rlmlang.policy import Policy
    from rlmlang.store import StateStore
    from rlmlang.task.signature import parse_signature
    from rlmlang.tools import default_registry
    from rlmlang.tools.context import ToolContext
    from rlmlang.vm import run as vm_run

    sig = parse_signature(signature)
    budgets = {"fuel": BIG, "memory": 4_000_000_000, "tool_calls": 10**6}
    with tempfile.TemporaryDirectory() as tmp:
        store = None
        if state is not None:
            vals = _materialise(state)
            from rlmlang.types import STR, ListT
            store = StateStore(Path(tmp) / "s.db", {k: ListT(STR) for k in vals})
            with store.begin({}) as txn:
                for k, v in vals.items():
                    txn.set(k, v)
        setup = ScriptSetup(registry=default_registry(), inputs=values,
                            input_types=sig.input_types(), output=sig.output.type,
                            state=store, policy=Policy.from_rules(
                                ["state.read", "state.write", "llm"]),
                            budgets=budgets, root=Path(tmp), file=name,
                            llm=lambda prompt, snippets, as_type: "3")
        verified, stopped = static_check(text, setup)
        if stopped is not None:
            raise RuntimeError(f"{name} was not verified: "
                               f"{[d.message for d in stopped.diagnostics]}")
        assert verified is not None
        program, registry = verified.program, verified.registry
        code = compile_program(program, registry, name)
        best, fuel, status = float("inf"), 0, ""
        for _ in range(repeat):
            txn = store.begin({}) if store is not None else None
            ctx = ToolContext(policy=setup.policy, root=Path(tmp), state=txn,
                              llm=setup.llm)
            r = vm_run(code, registry=registry, inputs=values, ctx=ctx, budgets=budgets,
                       fuel_bound=program.fuel_bound)
            if txn is not None:
                txn.rollback()
            if r.status == "error":
                raise RuntimeError(f"{name}: {[d.message for d in r.diagnostics]}")
            best, fuel, status = min(best, r.elapsed_s), r.fuel_used, r.status
        if store is not None:
            store.close()
    return best, fuel, status


def ordinary(size: int, repeat: int) -> dict[str, float]:
    """Seconds per million fuel of each realistic script, on inputs of `size` characters."""
    rd = _realistic()
    out = {}
    for name, text, head in rd.cases():
        values = rd.inputs_for(head, size)
        sig = head.get("signature", rd.SIGNATURE)
        secs, fuel, _ = _run_one(name, text, sig, values, None, repeat)
        out[name] = secs / max(fuel, 1) * 1e6
    return out


def adversarial(repeat: int) -> dict[str, float]:
    out = {}
    for name, text, sig, inputs, state in ADVERSARIAL:
        secs, fuel, _ = _run_one(name, text, sig, _materialise(inputs), state,
                                 1 if name == "regex_empty_matches" else repeat)
        out[name] = secs / max(fuel, 1) * 1e6
        print(f"# {name}: {secs:.3f} s, {fuel:,} fuel, {out[name]:.3f} s/Mfuel",
              file=sys.stderr, flush=True)
    return out


def run(quick: bool = False) -> dict[str, float]:
    from rlmlang.limits import DEFAULT_BUDGETS

    repeat = 1 if quick else 3
    ords = ordinary(100_000 if quick else 300_000, repeat)
    for k, v in sorted(ords.items()):
        print(f"# ordinary {k}: {v:.4f} s/Mfuel", file=sys.stderr)
    adv = adversarial(repeat)
    median = statistics.median(ords.values())
    worst_name = max(adv, key=lambda k: adv[k])
    names = [n for n, *_ in ADVERSARIAL]
    return {
        "fuel_s_per_mfuel_median": round(median, 4),
        "fuel_s_per_mfuel_ordinary_max": round(max(ords.values()), 4),
        "fuel_s_per_mfuel_worst": round(adv[worst_name], 4),
        "fuel_worst_index": names.index(worst_name),
        "fuel_worst_over_median": round(adv[worst_name] / median, 2),
        "fuel_default_budget_s": round(DEFAULT_BUDGETS["fuel"] / 1e6 * median, 2),
    }


if __name__ == "__main__":
    for k, v in sorted(run(quick="--quick" in sys.argv).items()):
        print(f"{k}={v}")
