"""Two-hop and three-hop joins across inputs in different formats.

A chain of tables: the question names a key in the first; each table's
reference column holds a key of the next; the answer is a field of the last.
Keys are unique in every table and each table is written in its own format
(CSV, JSON, `key: value` blocks, logfmt, aligned columns), so the script has
to read several shapes and carry a value from one to the next.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench.tasks.draft import TaskDraft
from bench.tasks.formats import Col, Source, render
from bench.tasks.phrasing import templates
from bench.tasks.pools import Pools
from bench.tasks.sources import unique_codes
from bench.tasks.textual import EXT


@dataclass
class Hop:
    """One table of a chain: its name, what a row is, its key, and its other fields."""

    input: str
    entity: str  # singular, as the question names it
    key: str
    fields: dict[str, str]  # field -> kind of value (see _draw)


CHAINS = [
    [Hop("staff", "person", "name", {"team": "ref", "role": "word"}),
     Hop("teams", "team", "team", {"office": "ref", "lead": "person"}),
     Hop("offices", "office", "office", {"city": "city", "floor": "int"})],
    [Hop("orders", "order", "order", {"account": "ref", "total": "money"}),
     Hop("accounts", "account", "account", {"manager": "ref", "tier": "word"}),
     Hop("managers", "manager", "manager", {"phone": "phone", "city": "city"})],
    [Hop("servers", "server", "server", {"rack": "ref", "os": "word"}),
     Hop("racks", "rack", "rack", {"site": "ref", "power_kw": "int"}),
     Hop("sites", "site", "site", {"city": "city", "operator": "person"})],
    [Hop("parcels", "parcel", "parcel", {"depot": "ref", "weight": "int"}),
     Hop("depots", "depot", "depot", {"region": "ref", "manager": "person"}),
     Hop("regions", "region", "region", {"hub_city": "city", "code": "code"})],
]


def _draw(rng: random.Random, p: Pools, kind: str) -> str:
    if kind == "person":
        return p.person(rng)
    if kind == "city":
        return rng.choice(p.cities)
    if kind == "int":
        return str(rng.randrange(1, 60))
    if kind == "money":
        return f"{rng.randrange(100, 90_000) / 100:.2f}"
    if kind == "phone":
        return f"555-{rng.randrange(100, 1000)}-{rng.randrange(1000, 10_000)}"
    if kind == "code":
        return p.code(rng, 4, 3)
    return rng.choice(p.words)


def _keys(rng: random.Random, p: Pools, hop: Hop, n: int, k: int) -> list[str]:
    if hop.key == "name":
        return unique_codes(rng, n, p.full_name)
    return unique_codes(rng, n, lambda r: f"{hop.key[:3].upper()}-{r.randrange(100, 100_000)}"
                        if p.split == "dev" else p.code(r, k, 5))


def chain_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools, chain: int,
               hops: int, sizes: list[int], fmts: list[dict[str, Any]],
               comments: list[str] | None = None) -> TaskDraft:
    """A `hops`-table join: key in table 1 → … → a field of table `hops`."""
    spec = CHAINS[chain][:hops]
    keys = [_keys(rng, p, h, sizes[i], i) for i, h in enumerate(spec)]
    sources = []
    for i, h in enumerate(spec):
        rows = []
        for key in keys[i]:
            row = {h.key: key}
            for f, kind in h.fields.items():
                if kind == "ref" and i + 1 < hops:
                    row[f] = rng.choice(keys[i + 1])
                else:
                    row[f] = _draw(rng, p, "code" if kind == "ref" else kind)
            rows.append(row)
        ref = next((f for f, k in h.fields.items() if k == "ref"), None) if i + 1 < hops \
            else None
        cols = [Col(h.key, "label")] + [Col(f, "key" if f == ref else "text") for f in h.fields]
        sources.append(Source(h.input, h.input, cols, rows, label=h.key))
    last = spec[-1]
    take = next(f for f, k in last.fields.items() if k != "ref")  # never a reference
    row = rng.choice(sources[0].rows)
    start = row[spec[0].key]
    steps, value = [], start
    for i, h in enumerate(spec):
        (hit,) = [r for r in sources[i].rows if r[h.key] == value]
        out = next(f for f, k in h.fields.items() if k == "ref") if i < hops - 1 else take
        steps.append({"input": h.input, "key": h.key, "take": out})
        value = hit[out]
    files, parse = {}, []
    for i, src in enumerate(sources):
        fmt = fmts[i % len(fmts)]
        text, pspec = render(src, fmt, rng)
        if comments and fmt.get("comments"):
            lines = text.split("\n")
            for c in comments:
                lines.insert(rng.randrange(1, max(2, len(lines) - 1)), f"# {c}")
            text = "\n".join(lines)
        files[src.input] = (EXT.get(fmt["format"], ".txt"), text)
        parse.append(pspec)
    for st, ps in zip(steps, parse, strict=True):
        st["parse"] = ps
    words = {"key": f"{spec[0].entity} {start}", "b_entity": spec[1].entity,
             "take": take.replace("_", " ")}
    if hops == 3:
        words["c_entity"] = spec[2].entity
    q = rng.choice(templates(split, "twohop" if hops == 2 else "threehop")).format(**words)
    names = ", ".join(f"{h.input}: str" for h in spec)
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"{names}, question: str -> answer: str",
        files=files, expected=value, answer_type="str",
        oracle={"op": "chain", "start": start, "steps": steps})
