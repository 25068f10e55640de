"""The new task families (beyond the 45 tuned-on tasks), and which split each task is in.

Every family lists its variants: a builder with its data source, file format,
size and operation fixed, its random choices (which row, which key, which
template) left to the task's own `Random` (seeded `"<seed>:<task id>"`).

**Splits.** The 45 tasks of `generate.LEGACY` were tuned on: they are dev.
A new task's split is decided before it is drawn, deterministically:

1. a variant may be *held out* (`held="test"`): shapes and data sets that
   only the test split has (some formats in some families, and the real data
   sets airports, Seattle weather, LA riots, diamonds, movies and the R
   dataset index); or reserved to dev (`held="dev"`: penguins, cars, stocks,
   mtcars);
2. the remaining variants of a family are ranked by the SHA-256 of
   `"split:<task id>"`, and the first ones go to test until the family has
   `TEST_SHARE[family]` test tasks (more in families the legacy tasks already
   fill with dev tasks).

So every family is in both splits, the test split is at least half of the
suite, and no one chose which task landed where. A test task is phrased from
the test templates of `phrasing` and drawn from the test value pools of
`pools`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.tasks import inject, joins, realdata, sources, tabular, textual
from bench.tasks.draft import TaskDraft
from bench.tasks.pools import Pools, pools

Builder = Callable[[str, str, str, random.Random, Pools], TaskDraft]


@dataclass
class Variant:
    build: Builder
    held: str = ""  # "test" | "dev" | "" (by hash)
    quick: bool = False


def F(format: str, **kw: Any) -> dict[str, Any]:
    return {"format": format, **kw}


CSV, CSV_NOHEAD = F("delimited", sep=",", header=True), F("delimited", sep=",", header=False)
SEMI, PIPE = F("delimited", sep=";", header=True), F("delimited", sep="|", header=True)
TSV, TSV_NOHEAD = F("delimited", sep="\t", header=True), F("delimited", sep="\t", header=False)
PIPE_NOHEAD = F("delimited", sep="|", header=False)
CSV_C = F("delimited", sep=",", header=True, comments=True)
ALIGNED, ALIGNED_C = F("aligned"), F("aligned", comments=True)
LOGFMT, LOGFMT_C = F("logfmt"), F("logfmt", comments=True)
COLON, RFC822 = F("colon"), F("rfc822")
JSON, JSON_PRETTY, JSONL = F("json"), F("json", indent=1), F("jsonl")
PROSE = F("prose")


def gen(name: str, rows: int) -> Callable[[Pools], Callable[[random.Random], Any]]:
    """A generated source of `rows` rows, bound to the task's pools later."""
    return lambda p: (lambda rng: sources.GENERATED[name](rng, p, rows))


def real(name: str) -> Callable[[Pools], Callable[[random.Random], Any]]:
    return lambda p: (lambda rng: realdata.LOADERS[name]())


def table(source: Callable[[Pools], Any], fmt: dict[str, Any], agg: str, **opts: Any) -> Builder:
    def build(tid: str, fam: str, split: str, rng: random.Random, p: Pools) -> TaskDraft:
        return tabular.table_task(tid, fam, split, rng, source(p), fmt, agg, **opts)
    return build


def lookup(source: Callable[[Pools], Any], fmt: dict[str, Any], take: str, **opts: Any) -> Builder:
    def build(tid: str, fam: str, split: str, rng: random.Random, p: Pools) -> TaskDraft:
        src = source(p)(rng)
        return textual.lookup_task(tid, fam, split, rng, src, fmt, take, **opts)
    return build


def contacts(n: int) -> Callable[[Pools], Any]:
    return lambda p: (lambda rng: textual.contacts(rng, p, n))


def call(fn: Callable[..., TaskDraft], **kw: Any) -> Builder:
    return lambda tid, fam, split, rng, p: fn(tid, fam, split, rng, p, **kw)


def prose_call(fn: Callable[..., TaskDraft], **kw: Any) -> Builder:
    """Builders over real prose take no pools."""
    return lambda tid, fam, split, rng, p: fn(tid, fam, split, rng, **kw)


def injected(build: Builder, n: int = 3) -> Builder:
    """`build` with `n` injected instructions in its data, canaries set, nothing granted."""
    def wrapped(tid: str, fam: str, split: str, rng: random.Random, p: Pools) -> TaskDraft:
        chosen = inject._choose(rng, n)
        texts = [t for t, _ in chosen]
        draft = build(tid, fam, split, rng, p, texts)  # type: ignore[call-arg]
        draft.canaries = sorted({c for _, cs in chosen for c in cs})
        draft.oracle["injections"] = len(texts)
        return draft
    return wrapped


def _inj_facts(corpus: str, size: int) -> Callable[..., TaskDraft]:
    return lambda tid, fam, split, rng, p, texts: textual.fact_task(
        tid, fam, split, rng, p, corpus, size, extra=texts)


def _inj_reviews(n: int) -> Callable[..., TaskDraft]:
    return lambda tid, fam, split, rng, p, texts: textual.sentiment_task(
        tid, fam, split, rng, p, n, "count", extra=[f"Review note: {t}" for t in texts])


def _inj_nested(n: int) -> Callable[..., TaskDraft]:
    return lambda tid, fam, split, rng, p, texts: textual.nested_task(
        tid, fam, split, rng, p, n, "field", notes=texts)


def _inj_chain(chain: int, fmts: list[dict[str, Any]]) -> Callable[..., TaskDraft]:
    return lambda tid, fam, split, rng, p, texts: joins.chain_task(
        tid, fam, split, rng, p, chain, 2, [3000, 200], fmts, comments=texts)


def _inj_table(name: str, rows: int, agg: str) -> Callable[..., TaskDraft]:
    def build(tid, fam, split, rng, p, texts):  # noqa: ANN001, ANN202
        base = sources.GENERATED[name]

        def source(r: random.Random):  # noqa: ANN202
            src = base(r, p, rows)
            text_col = next(c.name for c in src.cols if c.kind in ("long", "text", "cat"))
            for i, t in zip(r.sample(range(len(src.rows)), len(texts)), texts, strict=True):
                src.rows[i][text_col] = t.replace(",", " ").replace("=", " equals ")
            return src
        return tabular.table_task(tid, fam, split, rng, source, RFC822 if name == "packages"
                                  else JSONL, agg)
    return build


FAMILIES: dict[str, list[Variant]] = {
    "needle": [
        Variant(call(textual.fact_task, corpus="kjv-ot", size=4_000)),
        Variant(call(textual.fact_task, corpus="kjv-nt", size=300_000)),
        Variant(call(textual.fact_task, corpus="pydoc", size=450_000), held="test"),
        Variant(call(textual.fact_task, corpus="kjv-ot", size=4_200_000)),
        Variant(lookup(gen("customers", 3000), JSON, "city")),
        Variant(lookup(gen("packages", 600), RFC822, "Version"), held="test"),
        Variant(lookup(gen("hosts", 2000), ALIGNED_C, "ip")),
        Variant(lookup(gen("shipments", 60_000), LOGFMT, "carrier")),
    ],
    "multi-needle": [
        Variant(call(textual.fact_task, corpus="kjv-ot", size=60_000, want=2)),
        Variant(call(textual.fact_task, corpus="kjv-nt", size=900_000, want=3)),
        Variant(call(textual.fact_task, corpus="pydoc", size=200_000, want=2, mode="sum")),
        Variant(call(textual.fact_task, corpus="kjv-nt", size=20_000, want=2, mode="sum")),
        Variant(lookup(gen("customers", 800), CSV, "plan", want=2)),
        Variant(lookup(gen("hosts", 400), JSONL, "os", want=3)),
        Variant(lookup(gen("packages", 300), RFC822, "Maintainer", want=2), held="test"),
        Variant(lookup(gen("tickets", 20_000), TSV, "team", want=2)),
    ],
    "count": [
        Variant(table(gen("orders", 400), PIPE, "count")),
        Variant(table(gen("tickets", 5_000), ALIGNED, "count")),
        Variant(table(gen("packages", 500), RFC822, "count"), held="test"),
        Variant(table(gen("customers", 30_000), CSV_NOHEAD, "count")),
        Variant(table(real("penguins"), JSONL, "count"), held="dev"),
        Variant(table(real("airports"), SEMI, "count"), held="test"),
        Variant(table(gen("shipments", 80_000), LOGFMT_C, "count")),
        Variant(table(real("victims"), COLON, "count"), held="test"),
    ],
    "threshold": [
        Variant(table(gen("employees", 1_500), CSV, "threshold")),
        Variant(table(gen("readings", 8_000), TSV_NOHEAD, "threshold")),
        Variant(table(real("cars"), JSON, "threshold"), held="dev"),
        Variant(table(real("diamonds"), CSV, "threshold", filtered=True), held="test"),
        Variant(table(gen("hosts", 900), ALIGNED, "threshold", filtered=True)),
        Variant(table(gen("orders", 20), CSV, "threshold")),
        Variant(table(real("movies"), TSV, "threshold"), held="test"),
        Variant(table(gen("shipments", 3_000), COLON, "threshold", filtered=True)),
    ],
    "sum": [
        Variant(table(gen("sales", 600), SEMI, "sum")),
        Variant(table(gen("orders", 9_000), JSONL, "sum")),
        Variant(table(gen("employees", 4_000), ALIGNED_C, "sum")),
        Variant(table(real("penguins"), CSV_C, "sum", num="body_mass_g"), held="dev"),
        Variant(table(gen("tickets", 40_000), PIPE_NOHEAD, "sum")),
        Variant(table(real("weather"), CSV, "sum", num="precipitation"), held="test"),
        Variant(table(gen("packages", 400), RFC822, "sum"), held="test"),
        Variant(table(gen("shipments", 1_000), LOGFMT, "sum")),
    ],
    "average": [
        Variant(table(gen("readings", 700), CSV, "average")),
        Variant(table(gen("employees", 10_000), JSON, "average")),
        Variant(table(real("mtcars"), ALIGNED, "average"), held="dev"),
        Variant(table(real("diamonds"), CSV, "average"), held="test"),
        Variant(table(gen("orders", 2_500), COLON, "average")),
        Variant(table(gen("sales", 50_000), TSV, "average")),
        Variant(table(real("victims"), JSONL, "average", num="age"), held="test"),
        Variant(table(gen("hosts", 300), LOGFMT, "average")),
    ],
    "minmax": [
        Variant(table(gen("readings", 3_000), SEMI, "max")),
        Variant(table(gen("orders", 600), JSONL, "min")),
        Variant(table(real("penguins"), TSV, "max"), held="dev"),
        Variant(table(real("airports"), JSON, "min"), held="test"),
        Variant(table(gen("shipments", 25_000), CSV_NOHEAD, "max")),
        Variant(table(gen("tickets", 2_000), ALIGNED_C, "min")),
        Variant(table(real("weather"), PIPE, "max"), held="test"),
        Variant(table(gen("employees", 800), LOGFMT, "max")),
    ],
    "argmax": [
        Variant(table(gen("employees", 900), CSV, "argmax")),
        Variant(table(gen("orders", 5_000), JSON, "argmin")),
        Variant(table(real("cars"), CSV, "argmax"), held="dev"),
        Variant(table(real("airports"), TSV, "argmax"), held="test"),
        Variant(table(real("movies"), CSV, "argmax", filtered=False), held="test"),
        Variant(table(gen("shipments", 300), COLON, "argmin"), quick=True),
        Variant(table(gen("customers", 1_200), ALIGNED, "argmax")),
        Variant(table(gen("customers", 15_000), LOGFMT, "argmin")),
    ],
    "distinct": [
        Variant(table(gen("customers", 2_000), CSV, "distinct")),
        Variant(table(gen("orders", 6_000), JSONL, "distinct")),
        Variant(table(real("penguins"), ALIGNED, "distinct"), held="dev"),
        Variant(table(real("airports"), CSV, "distinct", cat="state"), held="test"),
        Variant(table(real("datasets"), CSV, "distinct", cat="Package"), held="test"),
        Variant(table(gen("tickets", 700), TSV_NOHEAD, "distinct")),
        Variant(table(gen("packages", 200), RFC822, "distinct")),
        Variant(table(gen("shipments", 9_000), LOGFMT_C, "distinct")),
    ],
    "group-by": [
        Variant(table(gen("sales", 2_000), CSV, "groupby_sum")),
        Variant(table(gen("tickets", 4_000), JSON, "groupby_count")),
        Variant(table(real("stocks"), CSV, "groupby_sum", num="price"), held="dev"),
        Variant(table(real("diamonds"), TSV, "groupby_sum", num="price"), held="test"),
        Variant(table(real("victims"), COLON, "groupby_count", cat="race"), held="test"),
        Variant(table(gen("orders", 30_000), SEMI, "groupby_count")),
        Variant(table(gen("shipments", 1_500), ALIGNED, "groupby_sum")),
        Variant(table(gen("employees", 500), LOGFMT, "groupby_sum")),
    ],
    "top-k": [
        Variant(table(gen("customers", 2_000), CSV, "topk", k=3)),
        Variant(table(gen("orders", 400), JSONL, "topk", k=2)),
        Variant(table(real("mtcars"), CSV, "topk", k=3), held="dev"),
        Variant(table(real("movies"), JSON, "topk", k=3, num="votes"), held="test"),
        Variant(table(gen("orders", 3_000), ALIGNED_C, "topk", k=4)),
        Variant(table(gen("customers", 8_000), PIPE, "topk", k=3)),
        Variant(table(real("airports"), CSV, "topk", k=3, num="latitude"), held="test"),
        Variant(table(gen("shipments", 700), COLON, "topk", k=2)),
    ],
    "percentage": [
        Variant(table(gen("orders", 800), CSV, "percentage")),
        Variant(table(gen("customers", 12_000), JSON, "percentage")),
        Variant(table(real("penguins"), CSV, "percentage"), held="dev"),
        Variant(table(real("weather"), JSONL, "percentage", cat="weather"), held="test"),
        Variant(table(gen("tickets", 3_000), ALIGNED, "percentage")),
        Variant(table(gen("packages", 350), RFC822, "percentage"), held="test"),
        Variant(table(gen("hosts", 200), LOGFMT, "percentage"), quick=True),
        Variant(table(gen("shipments", 40_000), SEMI, "percentage")),
    ],
    "date-range": [
        Variant(table(gen("orders", 1_000), CSV, "daterange")),
        Variant(table(gen("tickets", 6_000), JSONL, "daterange")),
        Variant(table(real("weather"), CSV, "daterange"), held="test"),
        Variant(table(real("stocks"), CSV, "daterange_sum", num="price"), held="dev"),
        Variant(table(gen("sales", 20_000), TSV, "daterange_sum")),
        Variant(table(gen("employees", 3_000), ALIGNED_C, "daterange")),
        Variant(table(gen("shipments", 500), LOGFMT, "daterange_sum")),
        Variant(table(gen("customers", 150_000), PIPE, "daterange")),
    ],
    "two-hop": [
        Variant(call(joins.chain_task, chain=0, hops=2, sizes=[60, 12], fmts=[CSV, JSON]),
                quick=True),
        Variant(call(joins.chain_task, chain=1, hops=2, sizes=[20_000, 400],
                     fmts=[JSONL, COLON])),
        Variant(call(joins.chain_task, chain=2, hops=2, sizes=[5_000, 80], fmts=[ALIGNED, CSV])),
        Variant(call(joins.chain_task, chain=3, hops=2, sizes=[50_000, 60],
                     fmts=[LOGFMT, RFC822])),
        Variant(call(joins.chain_task, chain=0, hops=2, sizes=[2_000, 50],
                     fmts=[TSV_NOHEAD, ALIGNED_C])),
        Variant(call(joins.chain_task, chain=1, hops=2, sizes=[700, 90], fmts=[SEMI, JSONL])),
        Variant(call(joins.chain_task, chain=2, hops=2, sizes=[12_000, 300],
                     fmts=[JSON, LOGFMT])),
        Variant(call(joins.chain_task, chain=3, hops=2, sizes=[300, 20], fmts=[COLON, PIPE])),
    ],
    "three-hop": [
        Variant(call(joins.chain_task, chain=0, hops=3, sizes=[500, 40, 10],
                     fmts=[CSV, JSON, COLON])),
        Variant(call(joins.chain_task, chain=1, hops=3, sizes=[8_000, 300, 30],
                     fmts=[JSONL, CSV, ALIGNED])),
        Variant(call(joins.chain_task, chain=2, hops=3, sizes=[3_000, 100, 12],
                     fmts=[ALIGNED_C, LOGFMT, CSV])),
        Variant(call(joins.chain_task, chain=3, hops=3, sizes=[30_000, 500, 25],
                     fmts=[LOGFMT, RFC822, JSON])),
        Variant(call(joins.chain_task, chain=0, hops=3, sizes=[80, 15, 6],
                     fmts=[TSV, SEMI, CSV])),
        Variant(call(joins.chain_task, chain=1, hops=3, sizes=[1_500, 60, 20],
                     fmts=[PIPE, COLON, JSONL])),
        Variant(call(joins.chain_task, chain=2, hops=3, sizes=[20_000, 800, 40],
                     fmts=[CSV_NOHEAD, JSON, ALIGNED])),
        Variant(call(joins.chain_task, chain=3, hops=3, sizes=[200, 30, 8],
                     fmts=[JSONL, JSONL, COLON])),
    ],
    "several-words": [
        Variant(prose_call(textual.words_task, corpus="kjv-ot", size=40_000, n_words=2,
                           mode="count")),
        Variant(prose_call(textual.words_task, corpus="kjv-nt", size=700_000, n_words=2,
                           mode="count")),
        Variant(prose_call(textual.words_task, corpus="kjv-ot", size=1_500_000, n_words=3,
                           mode="find")),
        Variant(prose_call(textual.words_task, corpus="kjv-nt", size=80_000, n_words=3,
                           mode="find")),
        Variant(prose_call(textual.words_task, corpus="kjv-ot", size=4_000, n_words=2,
                           mode="find")),
        Variant(prose_call(textual.words_task, corpus="kjv-nt", size=2_500_000, n_words=2,
                           mode="count")),
        Variant(prose_call(textual.words_task, corpus="kjv-ot", size=250_000, n_words=3,
                           mode="count")),
        Variant(prose_call(textual.words_task, corpus="kjv-nt", size=10_000, n_words=2,
                           mode="find")),
    ],
    "string-transform": [
        Variant(lookup(contacts(300), CSV, "name", transform="initials")),
        Variant(lookup(contacts(2_000), JSON, "email", transform="domain")),
        Variant(lookup(contacts(800), ALIGNED, "phone", transform="digits")),
        Variant(lookup(contacts(5_000), COLON, "badge", transform="upper")),
        Variant(lookup(contacts(60), JSONL, "email", transform="domain"), quick=True),
        Variant(lookup(contacts(8_000), TSV, "name", transform="initials")),
        Variant(lookup(gen("orders", 1_000), LOGFMT, "customer", transform="initials")),
        Variant(lookup(gen("packages", 300), RFC822, "Version", transform="digits"),
                held="test"),
    ],
    "semantic": [
        Variant(call(textual.sentiment_task, n=12, mode="one"), quick=True),
        Variant(call(textual.sentiment_task, n=40, mode="count")),
        Variant(call(textual.sentiment_task, n=400, mode="one")),
        Variant(call(textual.sentiment_task, n=25, mode="count")),
        Variant(call(textual.topic_task, n_sections=6)),
        Variant(call(textual.topic_task, n_sections=20)),
        Variant(call(textual.topic_task, n_sections=60)),
        Variant(call(textual.sentiment_task, n=2_000, mode="one")),
    ],
    "no-input": [
        Variant(call(textual.noinput_task, kind="arith"), quick=True),
        Variant(call(textual.noinput_task, kind="divisible")),
        Variant(call(textual.noinput_task, kind="digits")),
        Variant(call(textual.noinput_task, kind="days")),
        Variant(call(textual.noinput_task, kind="fib")),
        Variant(call(textual.noinput_task, kind="vowels")),
        Variant(call(textual.noinput_task, kind="arith")),
        Variant(call(textual.noinput_task, kind="divisible")),
    ],
    "nested-json": [
        Variant(call(textual.nested_task, n=20, mode="field")),
        Variant(call(textual.nested_task, n=500, mode="count")),
        Variant(call(textual.nested_task, n=3_000, mode="field", jsonl=True)),
        Variant(call(textual.nested_task, n=40, mode="count", jsonl=True), quick=True),
        Variant(call(textual.nested_task, n=12_000, mode="field")),
        Variant(call(textual.nested_task, n=1_000, mode="count")),
        Variant(call(textual.nested_task, n=200, mode="field", jsonl=True)),
        Variant(call(textual.nested_task, n=6_000, mode="count", jsonl=True)),
    ],
    "inject": [
        Variant(injected(_inj_facts("kjv-ot", 30_000))),
        Variant(injected(_inj_facts("kjv-nt", 400_000), n=12)),
        Variant(injected(_inj_reviews(30))),
        Variant(injected(_inj_nested(300))),
        Variant(injected(_inj_chain(0, [CSV_C, JSON]))),
        Variant(injected(_inj_table("packages", 300, "count")), held="test"),
        Variant(injected(_inj_table("orders", 2_000, "sum"))),
        Variant(injected(_inj_facts("pydoc", 100_000)), held="test"),
    ],
}

# Test tasks per family (of its 8 new ones). Families the 45 legacy dev tasks
# already fill (needle, count, sum, average, min/max, two-hop, inject) send
# more of their new tasks to test, so that the whole suite is half test.
LEGACY_FILLED = {"needle", "count", "sum", "average", "minmax", "two-hop", "inject"}
TEST_SHARE = {f: (6 if f in LEGACY_FILLED else 5) for f in FAMILIES}
FIRST_INDEX = {"needle": 10, "count": 10, "inject": 10}


def task_ids(family: str) -> list[str]:
    start = FIRST_INDEX.get(family, 1)
    return [f"{family}-{start + i:02d}" for i in range(len(FAMILIES[family]))]


def _rank(task_id: str) -> str:
    return hashlib.sha256(f"split:{task_id}".encode()).hexdigest()


def splits(family: str) -> dict[str, str]:
    """Task id → split, for the new tasks of `family` (see the module's doc)."""
    ids = task_ids(family)
    out = {tid: v.held for tid, v in zip(ids, FAMILIES[family], strict=True) if v.held}
    need = TEST_SHARE[family] - sum(1 for s in out.values() if s == "test")
    for tid in sorted((t for t in ids if t not in out), key=_rank):
        out[tid] = "test" if need > 0 else "dev"
        need -= 1
    return out


def build(family: str, index: int, seed: int) -> TaskDraft:
    """The `index`-th new task of `family`, in its split, quick flag set."""
    tid = task_ids(family)[index]
    split = splits(family)[tid]
    variant = FAMILIES[family][index]
    rng = random.Random(f"{seed}:{tid}")
    draft = variant.build(tid, family, split, rng, pools(split))
    draft.quick = variant.quick
    draft.oracle["split"] = split
    return draft
