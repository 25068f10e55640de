"""Fuel bounds time: what a script does with its data is charged as it is done.

Issue 15: scripts that passed verification then ran for minutes, because some
work cost (almost) no fuel: `len(xs)` walked a 1M-item list to size it, `xs ==
ys` and `s == t` cost 1, state reads and writes copied JSON for free,
`regex_findall("", text)` made 5M matches for 156k fuel, quadratic skills
(`count_lines` on one long line, `value_after` over "is is is ...", `follow`
with 30k x 30k rows), and dict keys escaped the memory meter. Each case is
here: the charge grows with the work (so the budget stops it), the verifier
bounds the charge (a proven script never runs past its bound), both VM tiers
charge alike, and the skills are linear with the results they always gave.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlmlang.compiler import compile_program
from rlmlang.cost import CHARS_PER_FUEL, ITEM_WORK
from rlmlang.pipeline import ScriptSetup, execute_script, static_check
from rlmlang.policy import Policy
from rlmlang.store import StateStore
from rlmlang.task.signature import parse_signature
from rlmlang.tools import default_registry, regex, skills
from rlmlang.tools.context import ToolContext
from rlmlang.types import STR, ListT
from rlmlang.vm import run as vm_run

BIG = {"fuel": 10**12, "memory": 2_000_000_000}


def verified_run(text: str, signature: str, inputs: dict, state: dict | None = None,
                 budgets: dict | None = None, tier: str = "fast"):
    """Verify with the inputs' values known, then run against the proven bound."""
    sig = parse_signature(signature)
    store = None
    if state is not None:
        store = StateStore(":memory:", {k: ListT(STR) if isinstance(v, list) else STR
                                        for k, v in state.items()})
        with store.begin({}) as txn:
            for k, v in state.items():
                txn.set(k, v)
    b = dict(budgets or BIG)
    setup = ScriptSetup(registry=default_registry(), inputs=inputs,
                        input_types=sig.input_types(), output=sig.output.type, state=store,
                        policy=Policy.from_rules(["state.read", "state.write"]), budgets=b,
                        root=Path("."))
    setup.tier = tier
    out = execute_script(text, setup)
    assert out.vm is not None and out.fuel_bound is not None, [
        d.render(text) for d in out.diagnostics]
    r = out.vm
    assert not any(d.code == "E_VERIFIER_BUG" for d in r.diagnostics), r.diagnostics
    assert r.fuel_used <= out.fuel_bound
    return out.fuel_bound, r


def fuel_of(text: str, signature: str, inputs: dict, state: dict | None = None) -> int:
    _, r = verified_run(text, signature, inputs, state)
    assert r.status in ("submitted", "finished"), r.diagnostics
    return r.fuel_used


N = 20_000  # items: enough to see the charge grow with them, small enough for CI


@pytest.mark.parametrize("text,signature,make,per_unit", [
    # comparing two equal big lists walks both: about (total + ITEM_WORK x items) / 64
    ("n = 0\nif xs == ys:\n    n = 1\nsubmit(str(n))", "xs: list[int], ys: list[int] -> a: str",
     lambda k: {"xs": list(range(k)), "ys": list(range(k))}, (1 + ITEM_WORK) / CHARS_PER_FUEL),
    # two equal long strs: memcmp as far as the shorter reaches
    ('n = 0\nif a == b:\n    n = 1\nsubmit(str(n))', "a: str, b: str -> r: str",
     lambda k: {"a": "x" * (64 * k), "b": "x" * (64 * k)}, 1.0),
    # `x in xs` compares x with every item
    ("n = 0\nif -1 in xs:\n    n = 1\nsubmit(str(n))", "xs: list[int] -> a: str",
     lambda k: {"xs": list(range(k))}, (1 + ITEM_WORK) / CHARS_PER_FUEL),
    # a regex that matches everywhere: every match is made and charged
    ('xs = regex_findall("", context)\nsubmit(str(len(xs)))', "context: str -> a: str",
     lambda k: {"context": "x" * k}, regex.MATCH_WORK / CHARS_PER_FUEL),
    # 1-character pieces: every piece is an item made
    ('xs = split(context, ",")\nsubmit(str(len(xs)))', "context: str -> a: str",
     lambda k: {"context": "," * k}, ITEM_WORK / CHARS_PER_FUEL),
    # a loop over a dict copies its keys first
    ("n = 0\nfor k in d:\n    break\nsubmit(str(n))", "d: dict[str, int] -> a: str",
     lambda k: {"d": {str(i): i for i in range(k)}}, 1 / CHARS_PER_FUEL),
], ids=["list ==", "str ==", "in list", "regex everywhere", "split pieces", "dict loop"])
def test_the_charge_grows_with_the_work(text, signature, make, per_unit) -> None:
    small, big = fuel_of(text, signature, make(N)), fuel_of(text, signature, make(4 * N))
    # Three times N more units of work cost at least (most of) three times N per unit more.
    assert big - small >= 0.9 * 3 * N * per_unit, (small, big)


def test_state_reads_and_writes_charge_the_json_they_copy() -> None:
    items = [str(i) for i in range(N)]
    read_one = fuel_of("n = len(state.xs)\nsubmit(str(n))", "q: str -> a: str", {"q": ""},
                       {"xs": items})
    read_two = fuel_of("n = len(state.xs) + len(state.xs)\nsubmit(str(n))", "q: str -> a: str",
                       {"q": ""}, {"xs": items})
    assert read_two - read_one >= N * ITEM_WORK // CHARS_PER_FUEL
    write = fuel_of('ys = split(context, ",")\nstate.xs = ys\nstate.xs = ys\nsubmit("ok")',
                    "context: str -> a: str", {"context": ",".join(items)}, {"xs": ["0"]})
    assert write >= 2 * N * ITEM_WORK // CHARS_PER_FUEL


def test_len_of_a_big_list_no_longer_walks_it() -> None:
    """Sizing a 200k-item list for a builtin that charges by length alone is O(1): 2,000
    calls take milliseconds, not the seconds a walk per call took."""
    xs = ["ab"] * 200_000
    t = time.perf_counter()
    _, r = verified_run("n = 0\nfor i in range(2000):\n    n = n + len(xs)\nsubmit(str(n))",
                        "xs: list[str] -> a: str", {"xs": xs})
    assert r.status == "submitted" and r.value == str(2000 * 200_000)
    assert time.perf_counter() - t < 3.0


@pytest.mark.parametrize("tier", ["fast", "interp"])
def test_a_verified_budget_stops_a_time_bomb(tier: str) -> None:
    """Under a small budget, what used to run for seconds on a few fuel is refused or
    stopped: the proven bound of `xs == ys` on 300k items is far over 50,000 fuel."""
    sig = "xs: list[int], ys: list[int] -> a: str"
    text = "n = 0\nfor i in range(300):\n    if xs == ys:\n        n = n + 1\nsubmit(str(n))"
    setup = ScriptSetup(registry=default_registry(), inputs={"xs": list(range(300_000)),
                                                              "ys": list(range(300_000))},
                        input_types=parse_signature(sig).input_types(), output=STR,
                        state=None, budgets={"fuel": 50_000}, root=Path("."))
    _, stopped = static_check(text, setup)
    assert stopped is not None and any(d.code == "E_COST" for d in stopped.diagnostics)


def test_memory_meter_counts_dict_keys() -> None:
    """60,000 keys of 4 kB each under a 16 MB budget: stopped with E_BUDGET, memory seen."""
    context = "".join(f"{i:08d}" * 500 for i in range(60_000))
    text = "d = {}\nfor part in chunks(context, 4000):\n    d[part] = 1\nsubmit(str(len(d)))"
    sig = parse_signature("context: str -> a: str")
    setup = ScriptSetup(registry=default_registry(), inputs={"context": context},
                        input_types=sig.input_types(), output=STR, state=None,
                        budgets={"fuel": 10**12}, root=Path("."))
    verified, stopped = static_check(text, setup)
    assert verified is not None  # verified under the fuel budget; the run meters memory
    program, registry = verified.program, verified.registry
    for tier in ("fast", "interp"):
        r = vm_run(compile_program(program, registry), registry=registry,
                   inputs={"context": context}, ctx=ToolContext(),
                   budgets={"fuel": 10**12, "memory": 16_000_000}, tier=tier)
        assert r.status == "error" and r.diagnostics[0].code == "E_BUDGET", r.diagnostics
        assert r.memory_peak > 16_000_000


# --------------------------------------------------------------------- the skills

def _old_matching_lines(text: str, phrase: str, also: str = "") -> list[str]:
    """The skills' matching before it was made linear (the reference for its results)."""
    wanted = skills._phrase_patterns(also)[1] if also.strip() else None
    for pattern in skills._phrase_patterns(phrase):
        out: list[str] = []
        last_start = -1
        for m in pattern.finditer(text):
            start = text.rfind("\n", 0, m.start(1)) + 1
            end = text.find("\n", m.start(1))
            end = len(text) if end < 0 else end
            if start == last_start:
                continue
            last_start = start
            line = text[start:end]
            line = line[:-1] if line.endswith("\r") else line
            if wanted is not None and not wanted.search(line):
                continue
            out.append(line)
        if out:
            return out
    return []


_FILLER = skills._FILLER


def _old_value_after(text: str, label: str) -> str:
    pos = -1
    for pattern in skills._phrase_patterns(label):
        m = pattern.search(text)
        if m is not None:
            pos = m.end(1)
            break
    if pos < 0:
        return ""
    rest = text[pos:]
    while True:
        rest = skills._LEAD.sub("", rest, count=1) if skills._LEAD.match(rest) else rest
        word = rest.split(None, 1)
        if word and word[0].casefold().rstrip(":") in _FILLER and len(word) > 1:
            rest = word[1]
            continue
        break
    if rest and rest[0] in "\"'":
        q = rest[0]
        end = rest.find(q, 1)
        if end > 0:
            return rest[1:end]
    token = rest.split(None, 1)[0] if rest.split() else ""
    token = token.lstrip("([{\"'")
    return token.rstrip(skills._TRAIL)


_TEXT = st.text(alphabet="ab is:\n\r,É-é ", max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["a", "is", "b a", "É", "ab", ":"]), st.sampled_from(["", "b"]))
def test_line_skills_give_the_results_they_always_gave(text: str, phrase: str,
                                                       also: str) -> None:
    old = _old_matching_lines(text, phrase, also)
    assert skills._find_lines(text, phrase, also) == old
    assert skills._count_lines(text, phrase, also) == len(old)
    assert skills._find_line(text, phrase, also) == (old[0] if old else "")


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["a", "is", "b", "total", "É"]))
def test_value_after_gives_the_results_it_always_gave(text: str, label: str) -> None:
    assert skills.value_after(text, label) == _old_value_after(text, label)


@pytest.mark.parametrize("call", [
    lambda: skills._count_lines("is " * 300_000, "is"),
    lambda: skills._find_lines("is " * 300_000 + "\nis", "is"),
    lambda: skills.value_after("total " + "is " * 300_000 + "5", "total"),
    lambda: skills._follow("k0," + ",".join(f"x{i}" for i in range(30_000)), "k0",
                           "\n".join(f"y{i},v{i}" for i in range(30_000)), 1),
], ids=["count_lines one line", "find_lines one line", "value_after fillers", "follow"])
def test_the_quadratic_skills_are_linear(call) -> None:
    t = time.perf_counter()
    call()
    assert time.perf_counter() - t < 3.0  # each took minutes before


def test_follow_finds_the_first_row_as_before() -> None:
    rng = random.Random(7)
    for _ in range(200):
        keys = [rng.choice(["k1", "K1 ", "2", "2.0", "x", "y"]) for _ in range(4)]
        text = f"id,{','.join(keys)}\nk0,{','.join(keys)}"
        other = "\n".join(f"{rng.choice(['x', '2', 'Y', 'k1', 'z'])},v{i}" for i in range(6))
        got = skills._follow(text, "k0", other, 1)
        # the reference: every link against every row, in order
        is_key = skills.matcher("k0")
        found = next(r for r in skills.table("follow", text, "") if
                     any(is_key(c) for c in skills._cells(r)))
        links = [skills.matcher(c) for c in skills._cells(found) if c and not is_key(c)]
        targets = skills.table("follow", other, "")
        ci, skip = skills.column_index("follow", targets, 1)
        body = targets[1:] if (skip or skills._has_header(targets)) else targets
        want = ""
        for first_only in (True, False):
            hit = next(((r, link) for link in links for r in body
                        if any(link(c) for c in (r[:1] if first_only else r))), None)
            if hit is not None:
                want = skills._cell(hit[0], ci) or ""
                break
        assert got == want, (text, other)


def test_regex_lines_match_the_binding_on_unicode() -> None:
    text = "é\nÉté a\nb É\n\nÉ"
    p = regex.compile_pattern(r"(?i:(é))")
    assert regex.lines_matching(p, text) == ["é", "Été a", "b É", "É"]
    assert regex._lines_matching_slow(p, text) == regex.lines_matching(p, text)
