"""Families over text and records: needles in prose and in records, several needles,
lines with several words, string transformations, semantic questions, nested
JSON and questions with no input at all.

Prose comes from real books (the King James Bible, `realdata.kjv_verses`) and
Python's own help topics; records from the generated sources of the split.
Every builder returns a `TaskDraft` whose oracle says how a test recomputes
the answer from the written file.
"""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any

from bench.tasks import realdata
from bench.tasks.draft import TaskDraft
from bench.tasks.formats import Source, render
from bench.tasks.phrasing import templates
from bench.tasks.pools import Pools

EXT = {"json": ".json", "jsonl": ".jsonl", "delimited": ".csv"}

# Facts hidden in prose: (field, key noun, sentence); dev and test never share a shape.
FACTS = {
    "dev": [("code", "locker", "The code for locker {key} is {value}."),
            ("pass phrase", "guest", "Guest {key} chose the pass phrase {value}.")],
    "test": [("PIN", "vault door", "Vault door {key} opens with the PIN {value}."),
             ("berth", "the vessel", "The vessel {key} is moored at berth {value}.")],
}


def _value(rng: random.Random, field: str, p: Pools) -> str:
    if field in ("code", "PIN"):
        return str(rng.randrange(1000, 10_000))
    if field == "berth":
        return f"{rng.choice('ABCDEFGH')}{rng.randrange(10, 99)}"
    return f"{rng.choice(p.words)} {rng.choice(p.words)}"


# ---- prose --------------------------------------------------------------------


def kjv_text(books: list[str], size: int, rng: random.Random) -> list[str]:
    """Lines `Book c:v text` of consecutive verses from `books`, about `size` bytes."""
    verses = [v for v in realdata.kjv_verses() if v[0] in books]
    out, n = [], 0
    i = rng.randrange(0, max(1, len(verses) - size // 120))
    while n < size and i < len(verses):
        b, c, v, t = verses[i]
        line = f"{b} {c}:{v} {t}"
        out.append(line)
        n += len(line) + 1
        i += 1
    return out


def pydoc_text(size: int, rng: random.Random) -> list[str]:
    """Paragraph lines of Python's help topics, about `size` bytes."""
    topics = realdata.pydoc_topics()
    names = sorted(topics)
    rng.shuffle(names)
    out, n = [], 0
    for name in names:
        for para in re.split(r"\n\s*\n", topics[name]):
            line = " ".join(para.split())
            if line:
                out.append(line)
                n += len(line) + 1
        if n >= size:
            break
    return out


def prose(kind: str, size: int, rng: random.Random) -> tuple[list[str], dict[str, Any]]:
    if kind == "pydoc":
        return pydoc_text(size, rng), realdata.pydoc_origin()
    books = {"kjv-ot": ["Genesis", "Exodus", "Judges", "1 Samuel", "2 Kings", "Job", "Isaiah"],
             "kjv-nt": ["Matthew", "Luke", "John", "Acts", "Romans", "Hebrews", "Revelation"]}
    return kjv_text(books[kind], size, rng), realdata.kjv_origin()


def _insert(rng: random.Random, lines: list[str], new: list[str]) -> list[str]:
    out = list(lines)
    for text in new:
        out.insert(rng.randrange(1, len(out)), text)
    return out


def _keys(rng: random.Random, p: Pools, n: int, k: int) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(p.code(rng, k, 5), None)
    return list(seen)


def fact_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools, corpus: str,
              size: int, want: int = 1, mode: str = "list",
              extra: list[str] | None = None) -> TaskDraft:
    """One (or `want`) facts of one shape in real prose, with distractors of that shape."""
    field, noun, sentence = rng.choice(FACTS[split])
    lines, origin = prose(corpus, size, rng)
    keys = _keys(rng, p, want + max(3, size // 20_000), rng.randrange(8))
    values = {k: _value(rng, field, p) for k in keys}
    if mode == "sum":
        values = {k: str(rng.randrange(100, 10_000)) for k in keys}
    lines = _insert(rng, lines, [sentence.format(key=k, value=v) for k, v in values.items()])
    lines = _insert(rng, lines, extra or [])
    asked = keys[:want]
    text = "\n".join(lines) + "\n"
    before, after = sentence.split("{value}")
    patterns = ["^" + re.escape(before.format(key=k)) + "(.+?)" + re.escape(after) + "$"
                for k in asked]
    keyphrase = [f"{noun} {k}" for k in asked]
    if want == 1:
        q = rng.choice(templates(split, "needle")).format(field=field, key=keyphrase[0])
        expected: Any = values[asked[0]]
        atype = "int" if expected.isdigit() else "str"
        expected = int(expected) if atype == "int" else expected
    else:
        joined = ", ".join(keyphrase[:-1]) + " and " + keyphrase[-1]
        key = "multi_needle_sum" if mode == "sum" else "multi_needle"
        q = rng.choice(templates(split, key)).format(field=field, keys=joined)
        if mode == "sum":
            expected, atype = sum(int(values[k]) for k in asked), "int"
        else:
            expected, atype = [values[k] for k in asked], "list[str]"
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"context: str, question: str -> answer: {atype}",
        files={"context": (".txt", text)}, expected=expected, answer_type=atype,
        oracle={"op": "facts", "input": "context", "keys": asked, "agg": mode if want > 1 else
                "one", "patterns": patterns,
                "source": origin})


# ---- records ------------------------------------------------------------------


def lookup_task(task_id: str, family: str, split: str, rng: random.Random, src: Source,
                fmt: dict[str, Any], take: str, want: int = 1, transform: str = "",
                extra_rows: list[dict[str, str]] | None = None) -> TaskDraft:
    """Find the record(s) with a unique key and report a field (maybe transformed)."""
    key_col = src.label or src.names("key")[0]
    counts: dict[str, int] = {}
    for r in src.rows:
        counts[r[key_col]] = counts.get(r[key_col], 0) + 1
    pool = [r for r in src.rows if counts[r[key_col]] == 1]
    rows = rng.sample(pool, want)
    keys = [r[key_col] for r in rows]
    text, spec = render(src, fmt, rng)
    field = src.col(take).words()
    noun = src.col(key_col).words()
    if noun == "name":
        noun = src.entity.removesuffix("s")
    keyphrase = [f"{noun} {k}" for k in keys]
    values = [r[take] for r in rows]
    if transform:
        values = [apply_transform(transform, v) for v in values]
        q = rng.choice(templates(split, f"transform_{transform}")).format(
            field=field, key=keyphrase[0])
    elif want == 1:
        q = rng.choice(templates(split, "needle")).format(field=field, key=keyphrase[0])
    else:
        joined = ", ".join(keyphrase[:-1]) + " and " + keyphrase[-1]
        q = rng.choice(templates(split, "multi_needle")).format(field=field, keys=joined)
    expected: Any = values[0] if want == 1 else values
    atype = "str" if want == 1 else "list[str]"
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"{src.input}: str, question: str -> answer: {atype}",
        files={src.input: (EXT.get(fmt["format"], ".txt"), text)}, expected=expected,
        answer_type=atype,
        oracle={"op": "lookup_many", "input": src.input, "parse": spec, "key": key_col,
                "keys": keys, "take": take, "transform": transform, "source": src.origin})


def apply_transform(kind: str, value: str) -> str:
    if kind == "upper":
        return value.upper()
    if kind == "digits":
        return "".join(ch for ch in value if ch.isdigit())
    if kind == "initials":
        return "".join(w[0] for w in value.split()).upper()
    if kind == "domain":
        return value.split("@", 1)[1]
    raise ValueError(kind)


def contacts(rng: random.Random, p: Pools, n: int) -> Source:
    from bench.tasks.formats import Col
    from bench.tasks.sources import unique_codes

    names = unique_codes(rng, n, p.full_name)
    domains = [f"{w}.example" for w in rng.sample(p.words, 6)]
    rows = [{"name": names[i], "email": f"{names[i].split()[0].lower()}{rng.randrange(10, 99)}@"
             f"{rng.choice(domains)}", "phone": f"+{rng.randrange(30, 49)} {rng.randrange(100, 999)}"
             f" {rng.randrange(1000, 9999)}", "badge": p.code(rng, 2, 5)} for i in range(n)]
    return Source("contacts", "contacts", [
        Col("name", "label", "name"), Col("email", "text", "email address"),
        Col("phone", "text", "phone number"), Col("badge", "text", "badge code"),
    ], rows, label="name")


# ---- lines with several words ---------------------------------------------------


def _word_ok(lines: list[str], word: str) -> bool:
    """A word whose substring hits are exactly its whole-word hits (no 'fire' in 'firebrand')."""
    sub = sum(line.count(word) for line in lines)
    whole = sum(len(re.findall(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", line))
                for line in lines)
    return sub == whole


def words_task(task_id: str, family: str, split: str, rng: random.Random, corpus: str,
               size: int, n_words: int, mode: str) -> TaskDraft:
    """Count the lines holding all of some words, or name the one line that does."""
    lines, origin = prose(corpus, size, rng)
    for _ in range(500):
        line = rng.choice(lines)
        cands = sorted({w for w in re.findall(r"[A-Za-z]{4,}", line.split(" ", 2)[-1])})
        if len(cands) < n_words:
            continue
        words = rng.sample(cands, n_words)
        if not all(_word_ok(lines, w) for w in words):
            continue
        hits = [ln for ln in lines if all(w in ln for w in words)]
        if mode == "find" and len(hits) == 1 or mode == "count" and 2 <= len(hits) <= 60:
            break
    else:
        raise RuntimeError(f"{task_id}: no usable words")
    quoted = ", ".join(f"'{w}'" for w in words[:-1]) + f" and '{words[-1]}'"
    text = "\n".join(lines) + "\n"
    ref_pattern = r"^(\S+(?: \S+)?) (\d+:\d+) " if corpus.startswith("kjv") else ""
    if mode == "find":
        m = re.match(r"^(.+?) (\d+:\d+) ", hits[0])
        assert m is not None
        expected: Any = f"{m.group(1)} {m.group(2)}"
        q = rng.choice(templates(split, "words_find")).format(unit="verse", words=quoted,
                                                             ref="reference (book chapter:verse)")
        atype = "str"
    else:
        expected, atype = len(hits), "int"
        q = rng.choice(templates(split, "words_count")).format(words=quoted)
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"context: str, question: str -> answer: {atype}",
        files={"context": (".txt", text)}, expected=expected, answer_type=atype,
        oracle={"op": "lines_all", "input": "context", "words": words, "agg": mode,
                "ref_pattern": ref_pattern, "source": origin})


# ---- semantic -----------------------------------------------------------------

LEXICON = {
    "positive": ["delighted", "excellent", "wonderful", "loved", "superb", "flawless",
                 "recommend it warmly", "exceeded my hopes"],
    "negative": ["disappointed", "terrible", "broke after", "refund", "awful", "useless",
                 "never again", "waste of money"],
}
NEUTRAL = ["It arrived on a {day}.", "I ordered the {thing} in {colour}.",
           "The box contained the {thing} and a manual.", "I used it for {n} weeks.",
           "My partner also tried the {thing}.", "The {thing} is about {n} centimetres long."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
COLOURS = ["grey", "teal", "black", "white", "orange"]


def _review(rng: random.Random, thing: str, mood: str) -> str:
    parts = [rng.choice(NEUTRAL).format(day=rng.choice(DAYS), thing=thing,
                                        colour=rng.choice(COLOURS), n=rng.randrange(2, 30))
             for _ in range(rng.randrange(1, 4))]
    word = rng.choice(LEXICON[mood])
    tpl = {"positive": ["Honestly {w}.", "The result? {w}, in a word.", "I would say {w}."],
           "negative": ["Honestly {w}.", "The result? {w}, in a word.", "I would say {w}."]}
    parts.insert(rng.randrange(len(parts) + 1), rng.choice(tpl[mood]).format(w=word.capitalize()))
    return " ".join(parts)


def sentiment_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools,
                   n: int, mode: str, extra: list[str] | None = None) -> TaskDraft:
    ids = _keys(rng, p, n, 4)
    moods = {k: rng.choice(["positive", "positive", "negative"]) for k in ids}
    lines = [f"Review {k} ({rng.choice(p.products)}): {_review(rng, rng.choice(p.products), m)}"
             for k, m in moods.items()]
    lines = _insert(rng, lines, extra or []) if extra else lines
    text = "\n".join(lines) + "\n"
    if mode == "one":
        key = rng.choice(ids)
        expected: Any = moods[key]
        q = rng.choice(templates(split, "sentiment_one")).format(key=key)
        atype = "str"
        keys = [key]
    else:
        expected, atype = sum(m == "negative" for m in moods.values()), "int"
        q = rng.choice(templates(split, "sentiment_count"))
        keys = []
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"reviews: str, question: str -> answer: {atype}",
        files={"reviews": (".txt", text)}, expected=expected, answer_type=atype,
        oracle={"op": "sentiment", "input": "reviews", "agg": mode, "keys": keys,
                "lexicon": LEXICON})


# Topics: vocabulary that only the right section uses, and how each split asks for it.
TOPICS = {
    "dev": {
        "flood": (["river", "levee", "overflowed", "sandbags"],
                  "a river bursting its banks"),
        "fire": (["smoke", "flames", "firefighters", "scorched"], "a blaze and how it was put out"),
        "harvest": (["wheat", "barley", "threshing", "granary"], "bringing in the crops"),
        "election": (["ballots", "candidates", "polling", "turnout"], "people choosing a mayor"),
    },
    "test": {
        "eclipse": (["astronomers", "corona", "telescopes", "totality"],
                    "the sky going dark in the daytime"),
        "strike": (["picket", "union", "wages", "walkout"],
                   "workers refusing to work over pay"),
        "earthquake": (["tremor", "epicentre", "aftershocks", "seismograph"],
                       "the ground shaking"),
        "regatta": (["rowers", "oars", "finish buoy", "crews"], "a boat race"),
    },
}


def topic_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools,
               n_sections: int) -> TaskDraft:
    from bench.tasks.filler import prose_maker

    topics = TOPICS[split]
    topic = rng.choice(sorted(topics))
    vocab, description = topics[topic]
    make = prose_maker(rng)
    titles = list(dict.fromkeys(f"Notes from {rng.choice(p.cities)} {rng.randrange(2, 99)}"
                                for _ in range(n_sections * 3)))[:n_sections]
    target = rng.randrange(n_sections)
    sections = []
    for i, title in enumerate(titles):
        body = [make(rng) for _ in range(rng.randrange(3, 8))]
        if i == target:
            words = list(vocab)
            rng.shuffle(words)
            body.insert(rng.randrange(len(body)),
                        f"People spoke of the {words[0]} and the {words[1]}; later the "
                        f"{words[2]} and the {words[3]} were all anyone discussed.")
        sections.append(f"## {title}\n" + " ".join(body))
    text = "\n\n".join(sections) + "\n"
    q = rng.choice(templates(split, "topic")).format(topic=description)
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature="context: str, question: str -> answer: str",
        files={"context": (".txt", text)}, expected=titles[target], answer_type="str",
        oracle={"op": "topic", "input": "context", "vocabulary": vocab})


# ---- nested JSON --------------------------------------------------------------


def nested_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools, n: int,
                mode: str, jsonl: bool = False, notes: list[str] | None = None) -> TaskDraft:
    import json

    ids = _keys(rng, p, n, 6)
    docs = []
    for k in ids:
        items = [{"sku": p.code(rng, 3, 4), "qty": rng.randrange(1, 9),
                  "price": round(rng.randrange(100, 9000) / 100, 2)}
                 for _ in range(rng.randrange(1, 6))]
        doc = {"id": k, "status": rng.choice(["open", "paid", "shipped"]),
               "customer": {"name": p.person(rng), "address": {
                   "city": rng.choice(p.cities), "postcode": f"{rng.randrange(1000, 99999)}"}},
               "items": items, "note": ""}
        docs.append(doc)
    for text in notes or []:
        docs[rng.randrange(len(docs))]["note"] = text
    doc = rng.choice(docs)
    key = doc["id"]
    if mode == "count":
        expected: Any = len(doc["items"])
        atype = "int"
        q = rng.choice(templates(split, "nested_count")).format(items="items", key=f"order {key}")
        path = ["items", "#"]
    else:
        path = rng.choice([["customer", "address", "city"], ["customer", "address", "postcode"],
                           ["customer", "name"]])
        expected = doc
        for step in path:
            expected = expected[step]
        atype = "str"
        words = {"city": "customer's city", "postcode": "customer's postcode",
                 "name": "customer's name"}[path[-1]]
        q = rng.choice(templates(split, "nested_field")).format(path=words, key=f"order {key}")
    body = ("".join(json.dumps(d) + "\n" for d in docs) if jsonl
            else json.dumps(docs, indent=2) + "\n")
    return TaskDraft(
        id=task_id, group=family, question=q,
        signature=f"orders: str, question: str -> answer: {atype}",
        files={"orders": (".jsonl" if jsonl else ".json", body)}, expected=expected,
        answer_type=atype,
        oracle={"op": "json_path", "input": "orders", "jsonl": jsonl, "id": key, "path": path})


# ---- no input -------------------------------------------------------------------


def noinput_task(task_id: str, family: str, split: str, rng: random.Random, p: Pools,
                 kind: str) -> TaskDraft:
    params: dict[str, Any]
    if kind == "arith":
        a, b, c, d = (rng.randrange(11, 99) for _ in range(4))
        expr = f"({a} * {b}) - {c} * ({d} - {rng.randrange(1, 9)})"
        params = {"expr": expr}
        expected = _arith(expr)
    elif kind == "divisible":
        lo, a, b = rng.randrange(1, 50), rng.randrange(3, 13), rng.randrange(2, 6)
        hi = lo + rng.randrange(300, 3000)
        b = a * b
        params = {"lo": lo, "hi": hi, "a": a, "b": b}
        expected = sum(1 for i in range(lo, hi + 1) if i % a == 0 and i % b != 0)
    elif kind == "digits":
        params = {"base": rng.randrange(2, 13), "exp": rng.randrange(20, 90)}
        expected = sum(int(ch) for ch in str(params["base"] ** params["exp"]))
    elif kind == "days":
        d1 = date(rng.randrange(2000, 2030), rng.randrange(1, 13), rng.randrange(1, 29))
        d2 = date.fromordinal(d1.toordinal() + rng.randrange(30, 2000))
        params = {"d1": d1.isoformat(), "d2": d2.isoformat()}
        expected = (d2 - d1).days
    elif kind == "fib":
        params = {"n": rng.randrange(20, 60)}
        a, b = 1, 1
        for _ in range(params["n"] - 1):
            a, b = b, a + b
        expected = a
    elif kind == "vowels":
        word = "".join(rng.sample(p.words, 3))
        params = {"word": word}
        expected = sum(ch in "aeiou" for ch in word)
    else:
        raise ValueError(kind)
    q = rng.choice(templates(split, f"noinput_{kind}")).format(**params)
    return TaskDraft(
        id=task_id, group=family, question=q, signature="question: str -> answer: int",
        files={}, expected=expected, answer_type="int",
        oracle={"op": "compute", "kind": kind, **params})


def _arith(expr: str) -> int:
    assert re.fullmatch(r"[\d\s()+\-*]+", expr)
    return int(eval(expr, {"__builtins__": {}}))  # noqa: S307 - digits and operators only
