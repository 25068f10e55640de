"""Group 1: one fact hidden in a context 10x to 1000x larger than the window.

The window the benchmark is sized for is 2048 tokens (about 8 KB of this
kind of text), so the contexts run from ~80 KB to ~8 MB. Each task has its
own line shape and filler style, and the needle comes with distractors of
the same shape but other keys (other badges, other lockers), so grepping
for "access code" is not enough: the script must match the key itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.tasks import filler as F
from bench.tasks.draft import TaskDraft, fill_to, spread

COLOURS = ["blue", "amber", "silver", "green", "crimson", "violet", "golden", "grey", "ivory"]
ANIMALS = ["heron", "otter", "falcon", "lynx", "badger", "marten", "ibis", "walrus", "gecko"]
TENANT_WORDS = ["northwind", "contoso", "globex", "initech", "umbrella", "hooli", "vandelay"]


@dataclass
class Shape:
    """How one needle looks: its key, its line, its value, how it is asked for."""

    filler: str
    key: Callable[[random.Random], str]
    value: Callable[[random.Random], str | int]
    line: Callable[[random.Random, str, str | int], str]
    key_phrase: Callable[[str], str]
    pattern: Callable[[str], str]
    questions: list[str]
    answer_type: str = "str"
    header: str | None = None
    same_shape_filler: bool = False  # the filler itself is made of distractor rows


def _ts(rng: random.Random) -> str:
    return F.Clock(rng).tick()


def _date(rng: random.Random) -> str:
    return f"20{rng.randrange(15, 24)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


SHAPES: list[Shape] = [
    Shape(
        filler="log",
        key=lambda r: str(r.randrange(1000, 10_000)),
        value=lambda r: f"{F.code(r, 1)}{r.randrange(2, 10)}-{r.randrange(10, 100)}{F.code(r, 2)}",
        line=lambda r, k, v: f"badge {k}: access code {v}",
        key_phrase=lambda k: f"badge {k}:",
        pattern=lambda k: rf"badge {k}: access code (\S+)",
        questions=[
            "What is the access code of badge {k}?",
            "Somewhere in the log, badge {k} is given an access code. What is it?",
        ],
    ),
    Shape(
        filler="prose",
        key=lambda r: str(r.randrange(100, 1000)),
        value=lambda r: r.randrange(1000, 10_000),
        line=lambda r, k, v: (
            f"For the record, the combination for locker {k} is {v}, as noted by facilities."
        ),
        key_phrase=lambda k: f"locker {k} is",
        pattern=lambda k: rf"locker {k} is (\d+)",
        questions=[
            "What is the combination of locker {k}? Answer with the number only.",
            "The minutes mention the combination for locker {k}. Which number is it?",
        ],
        answer_type="int",
    ),
    Shape(
        filler="asset",
        key=lambda r: str(r.randrange(10_000, 100_000)),
        value=lambda r: f"SN-{F.code(r, 8)}",
        line=lambda r, k, v: f"AT-{k},{F.person(r)},{v},{r.choice(F.CITIES)}",
        key_phrase=lambda k: f"AT-{k},",
        pattern=lambda k: rf"^AT-{k},[^,]*,([^,]+),",
        questions=[
            "What is the serial number of asset AT-{k}?",
            "In the asset register, which serial belongs to tag AT-{k}?",
        ],
        header="asset_tag,owner,serial,location",
        same_shape_filler=True,
    ),
    Shape(
        filler="log",
        key=lambda r: f"{r.choice(TENANT_WORDS)}-{r.randrange(100, 1000)}",
        value=lambda r: f"sk_{r.randrange(16**10):010x}",
        line=lambda r, k, v: f"{_ts(r)} INFO  [vault] rotated api key for tenant {k}: new key {v}",
        key_phrase=lambda k: f"tenant {k}:",
        pattern=lambda k: rf"tenant {k}: new key (\S+)",
        questions=[
            "Which new API key was issued to tenant {k}?",
            "The vault rotated the API key of tenant {k}. What is the new key?",
        ],
    ),
    Shape(
        filler="prose",
        key=lambda r: F.person(r),
        value=lambda r: f"212-555-{r.randrange(1000, 10_000)}",
        line=lambda r, k, v: f"You can reach Dr. {k} on the direct line {v} during office hours.",
        key_phrase=lambda k: f"Dr. {k} on the direct line",
        pattern=lambda k: rf"Dr\. {k} on the direct line (\S+)",
        questions=[
            "What is the direct phone line of Dr. {k}?",
            "Which number reaches Dr. {k} directly?",
        ],
    ),
    Shape(
        filler="mixed",
        key=lambda r: f"SH-{r.randrange(100_000, 1_000_000)}",
        value=lambda r: f"D{r.randrange(10, 100)}",
        line=lambda r, k, v: f"{_ts(r)} INFO  [yard] shipment {k} was received at dock {v}",
        key_phrase=lambda k: f"shipment {k} ",
        pattern=lambda k: rf"shipment {k} was received at dock (\S+)",
        questions=[
            "At which dock was shipment {k} received?",
            "Find where shipment {k} arrived: which dock?",
        ],
    ),
    Shape(
        filler="log",
        key=lambda r: str(r.randrange(10_000, 100_000)),
        value=lambda r: f"{r.choice(COLOURS)} {r.choice(ANIMALS)}",
        line=lambda r, k, v: f'{_ts(r)} INFO  [accounts] employee #{k} set password hint "{v}"',
        key_phrase=lambda k: f"employee #{k} ",
        pattern=lambda k: rf'employee #{k} set password hint "([^"]+)"',
        questions=[
            "What password hint did employee #{k} set? Give the hint only.",
            "Employee #{k} set a password hint. What are its words?",
        ],
    ),
    Shape(
        filler="contract",
        key=lambda r: str(r.randrange(10_000, 100_000)),
        value=_date,
        line=lambda r, k, v: f"C-{k}\t{F.person(r)}\t{v}\t{r.randrange(1000, 900_000)}",
        key_phrase=lambda k: f"C-{k}\t",
        pattern=lambda k: rf"^C-{k}\t[^\t]*\t([^\t]+)\t",
        questions=[
            "On what date was contract C-{k} signed? Answer as YYYY-MM-DD.",
            "When was contract C-{k} signed (YYYY-MM-DD)?",
        ],
        header="contract\tparty\tsigned\tvalue",
        same_shape_filler=True,
    ),
    Shape(
        filler="access",
        key=lambda r: str(r.randrange(1_000_000, 10_000_000)),
        value=lambda r: f"1Z-{F.code(r, 4)}-{F.code(r, 4)}",
        line=lambda r, k, v: (
            f"{_ts(r)} INFO  [shipping] order {k} handed to carrier, tracking number {v}"
        ),
        key_phrase=lambda k: f"order {k} ",
        pattern=lambda k: rf"order {k} handed to carrier, tracking number (\S+)",
        questions=[
            "What is the tracking number of order {k}?",
            "Order {k} was handed to a carrier. Which tracking number did it get?",
        ],
    ),
]

# Context sizes in bytes: 10x to 1000x a 2048-token window (~8 KB of text).
SIZES = [82_000, 160_000, 300_000, 600_000, 1_200_000, 2_000_000, 3_500_000, 5_000_000, 8_200_000]
QUICK = {0, 1}
EXTENSIONS = {
    "log": ".log", "access": ".log", "prose": ".txt", "mixed": ".txt",
    "asset": ".csv", "contract": ".tsv",
}


def _same_shape_maker(shape: Shape, target: str) -> F.LineMaker:
    """Rows shaped like the needle, with any key but the target's."""

    def make(r: random.Random) -> str:
        k = shape.key(r)
        while k == target:
            k = shape.key(r)
        return shape.line(r, k, shape.value(r))

    return make


def build(index: int, rng: random.Random) -> TaskDraft:
    """The `index`-th needle task (0-based)."""
    return make(index, f"needle-{index + 1:02d}", "needle", rng)


def make(
    index: int,
    task_id: str,
    group: str,
    rng: random.Random,
    size: int | None = None,
    extra: list[tuple[float, str]] | None = None,
) -> TaskDraft:
    """A needle task of shape `index`; `extra` lines go in at byte fractions."""
    shape = SHAPES[index]
    size = size or SIZES[index]
    key = shape.key(rng)
    value = shape.value(rng)
    needle = shape.line(rng, key, value)
    inserts = [(rng.uniform(0.15, 0.9), needle), *(extra or [])]
    if shape.same_shape_filler:
        maker = _same_shape_maker(shape, key)
    else:
        maker = F.FILLERS[shape.filler](rng)
        used = {key}
        for frac in spread(rng, min(200, size // 4000)):
            k = shape.key(rng)
            if k in used:
                continue
            used.add(k)
            inserts.append((frac, shape.line(rng, k, shape.value(rng))))
    text = fill_to(rng, maker, size, inserts, header=shape.header)
    question = rng.choice(shape.questions).format(k=key)
    return TaskDraft(
        id=task_id,
        group=group,
        question=question,
        signature=f"context: str, question: str -> answer: {shape.answer_type}",
        files={"context": (EXTENSIONS[shape.filler], text)},
        expected=value,
        answer_type=shape.answer_type,
        oracle={
            "op": "needle",
            "input": "context",
            "key": shape.key_phrase(key),
            "pattern": shape.pattern(key),
        },
        quick=index in QUICK,
    )
