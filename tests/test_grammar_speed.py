"""llama.cpp's grammar engine stays fast on nested and rambling text, under every grammar we make.

llama.cpp's GBNF engine tracks one stack per live parse. Where a grammar offers
two alternatives with a shared prefix (`x[i]` and `x[i:j]`, `[a, b]` and
`[a for ...]`), each nesting level of that prefix doubles the stacks, and every
stack is expanded into the first characters of a whole expression: a model that
wrote `submit(orders[orders[orders[...` spent 0.06, 0.15, 0.7, 4.4, 23 and 133
seconds accepting successive tokens, inside one C call no budget can interrupt.

Here adversarial texts are fed token by token, nesting up to DEPTH levels, under
the full language and each profile's model grammar; every token's check and
accept must stay under BOUND_S of this thread's CPU time (CPU time, not wall
time: the machine is shared, and a descheduled test is not a slow grammar). The
check walks every live stack, so its cost is the stack count: it is timed as the
least of REPEATS tries with the garbage collector off (the check changes nothing,
and one try caught a 25 ms page-in on a CI machine where the level before took 1.4). The
bound is 50 ms: the blow-up this guards against grows by multiples a level (0.7, 4.4,
23 s), while the mixed family under the full language grows about 1 ms a level and
measured 18-23 ms at depth 9-10 on these 2-core machines, which a 20 ms bound failed
twice in CI for no change of the grammar. A
family a grammar cannot write (comprehensions in the tiny core) is not asked of it;
each family asked must be accepted to its full depth, so a typo cannot make the
test pass by being refused early.
"""

from __future__ import annotations

import functools
import gc
import time

import pytest

pytest.importorskip("llama_cpp")

pytestmark = pytest.mark.model

DEPTH = 12
BOUND_S = 0.050
REPEATS = 3
ABORT_S = 2.0  # an accept this slow means the next token could take minutes
TOOLS = ["find_line", "value_after", "llm.predict", "count_rows", "print", "str", "len"]
INPUTS = ["context", "question"]
QUESTION = "What is the access code of badge 4820?"

# name -> (prefix, unit repeated DEPTH times): nesting, chains and ramblings.
FAMILIES: dict[str, tuple[str, str]] = {
    "index": ("submit(", "line["),  # the benchmark's `orders[orders[orders[...`
    "slice": ("submit(", "line[1:"),
    "call": ("submit(", "len("),
    "call2": ("submit(", "value_after(line, "),
    "keyword": ("submit(", "llm.predict(line, text="),
    "paren": ("submit(", "("),
    "list": ("submit(", "["),
    "dict": ("submit(", "{"),
    "mixed": ("submit(", "len([(line["),
    "subscripts": ("submit(line", "[0]"),
    "chain": ("submit(line", " + line"),
    "not": ("submit(", "not "),
    "neg": ("submit(", "-"),
    "listcomp": ("submit(", "[line for line in "),
    "dictcomp": ("submit(", "{line: line for line in "),
    "generator": ("submit(", "len(line for line in "),
    "ifexp": ("submit(", "line if line else "),
    "lambda": ("submit(", "sorted(line, key=lambda line: "),
    "methods": ("submit(line", ".strip()"),
    "tuple": ("submit(", "(line, "),
    "kwname": ("submit(", "if"),  # a name that keeps extending keywords: ififif...
    "kwname2": ("submit(not", "in"),  # notininin...
}
# What each grammar cannot write at all; everything else must reach DEPTH levels,
# or `items_max` (the model grammars' bound on a chain's operators and postfixes).
CORE_ONLY = {"listcomp", "dictcomp", "generator", "ifexp", "lambda", "methods", "tuple"}
NOT_WRITABLE = {
    "full": set(),
    "tiny": CORE_ONLY | {"kwname", "kwname2"},  # names from a list
    "tiny-base": CORE_ONLY,
    "coder": set(),
}
ITEMS_MAX = {"full": None, "tiny": 8, "tiny-base": 8, "coder": 16}
BOUNDED = {"chain", "subscripts", "methods"}


@functools.cache
def grammar(name: str) -> str:
    from rlmlang.controller.narrowing import VARIABLE_NAMES, task_narrowing
    from rlmlang.controller.profiles import PROFILES
    from rlmlang.syntax.gbnf import full_grammar, model_grammar
    from rlmlang.tools import default_registry
    from rlmlang.types import STR

    if name == "full":
        return full_grammar()
    if name == "tiny":  # as the controller narrows it for a question
        reg = default_registry()
        narrowing = task_narrowing(QUESTION, ["id", "city"], list(VARIABLE_NAMES),
                                   [reg.get(t) for t in TOOLS])
        return model_grammar(TOOLS, INPUTS, [], STR, python_forms=False, narrowing=narrowing)
    profile = PROFILES["tiny" if name == "tiny-base" else "coder"]
    tools = TOOLS + (["sorted"] if name == "coder" else [])
    return profile.base_grammar(tools, INPUTS, ["notes"], STR)


def feed(name: str, prefix: str, unit: str, depth: int) -> tuple[int, list[float]]:
    """Feed `prefix` then `unit` up to `depth` times; (levels accepted, worst check
    seconds per level). Stops at the first refused token, or the first level over
    BOUND_S (the next could take minutes)."""
    from rlmlang.backend.decoding import vocab_model

    vm = vocab_model(None)
    g = vm.grammar(grammar(name))
    for t in vm.tokens(prefix):
        assert g.allows(t), f"{name} refuses the prefix {prefix!r}"
        g.accept(t)
    unit_tokens = vm.tokens(unit)
    worst: list[float] = []
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(depth):
            level = 0.0
            for t in unit_tokens:
                check, allowed = timed_check(g, t)
                level = max(level, check)
                if not allowed:
                    return len(worst), worst
                t0 = time.thread_time()
                g.accept(t)
                if level > BOUND_S or time.thread_time() - t0 > ABORT_S:
                    worst.append(max(level, time.thread_time() - t0))
                    return len(worst), worst
            worst.append(level)
    finally:
        if gc_was_on:
            gc.enable()
    return len(worst), worst


def timed_check(g: object, token: int) -> tuple[float, bool]:
    """The least CPU time of REPEATS checks of `token` (stopping early once one is
    under a tenth of BOUND_S), and the answer."""
    best = float("inf")
    allowed = False
    for _ in range(REPEATS):
        t0 = time.thread_time()
        allowed = g.allows(token)  # type: ignore[attr-defined]
        best = min(best, time.thread_time() - t0)
        if best < BOUND_S / 10 or best > 10 * BOUND_S:
            break
    return best, allowed


CASES = [(g, f) for g in NOT_WRITABLE for f in FAMILIES if f not in NOT_WRITABLE[g]]


@pytest.mark.parametrize(("name", "family"), CASES, ids=[f"{g}-{f}" for g, f in CASES])
def test_accepting_a_token_stays_fast_at_any_nesting(name: str, family: str) -> None:
    prefix, unit = FAMILIES[family]
    bound = ITEMS_MAX[name] if family in BOUNDED else None
    want = min(DEPTH, bound) if bound else DEPTH
    reached, worst = feed(name, prefix, unit, DEPTH)
    shown = ", ".join(f"{w * 1000:.1f}" for w in worst)
    assert max(worst, default=0.0) <= BOUND_S, (
        f"{name}: {prefix}{unit}... took {max(worst) * 1000:.0f} ms of CPU to check one "
        f"token at depth {reached} (ms per level: {shown})")
    assert reached >= want, f"{name} refused {prefix}{unit}... at depth {reached + 1}"
