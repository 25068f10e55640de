"""Recompute every benchmark task's expected answer from its written files, independently.

The generator computes `expected` from its in-memory rows; this module reads
the files back with the standard library's own readers (csv, json, shlex,
email.parser, regexes) following the task's `oracle`, and computes the
answer with its own code. `recompute(task, root)` is used by
tests/test_bench_tasks.py (quick set) and tests/bench/ (the whole suite).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import operator
import re
import shlex
from datetime import date, datetime
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

# ---- readers -----------------------------------------------------------------


def _content_lines(text: str, spec: dict) -> list[str]:
    lines = text.splitlines()
    if spec.get("comments"):
        lines = [ln for ln in lines if not ln.startswith("#")]
    return lines


def read_table(text: str, spec: dict) -> list[dict[str, Any]]:
    """The rows of a table input written in any of the benchmark's formats."""
    kind = spec["format"]
    if kind in ("csv", "tsv"):  # the legacy spec
        spec = {"format": "delimited", "sep": "," if kind == "csv" else "\t", "header": True}
        kind = "delimited"
    if kind == "delimited":
        lines = _content_lines(text, spec)
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=spec["sep"],
                               quoting=csv.QUOTE_NONE))
        names = rows.pop(0) if spec.get("header", True) else spec["columns"]
        assert all(len(r) == len(names) for r in rows), "ragged delimited rows"
        return [dict(zip(names, r, strict=True)) for r in rows]
    if kind == "aligned":
        lines = _content_lines(text, spec)
        names = lines[0].split()
        out = []
        for ln in lines[1:]:
            cells = re.split(r" {2,}", ln.strip())
            assert len(cells) == len(names), ln
            out.append(dict(zip(names, cells, strict=True)))
        return out
    if kind == "logfmt":
        out = []
        for ln in _content_lines(text, spec):
            out.append(dict(tok.split("=", 1) for tok in shlex.split(ln)))
        return out
    if kind in ("colon", "rfc822"):
        out = []
        for block in re.split(r"\n\s*\n", text.strip("\n")):
            if kind == "rfc822":
                msg = HeaderParser().parsestr(block + "\n\n")
                out.append({k: v for k, v in msg.items()})
            else:
                out.append(dict(ln.split(": ", 1) for ln in block.splitlines()))
        return out
    if kind == "json":
        return json.loads(text)
    if kind == "jsonl":
        return [json.loads(ln) for ln in text.splitlines() if ln.strip()]
    if kind in ("prose", "regex"):
        pattern = re.compile(spec["pattern"])
        out = []
        for ln in text.splitlines():
            m = pattern.match(ln)
            assert m, f"line does not match the pattern: {ln!r}"
            out.append(m.groupdict())
        return out
    raise AssertionError(f"unknown format {kind}")


def text_of(value: Any) -> str:
    """A cell as text (JSON numbers back to their written form)."""
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


# ---- operations ----------------------------------------------------------------


def _iso(value: str, fmt: str) -> str:
    return datetime.strptime(value, fmt).date().isoformat()


def _keep(row: dict, cond: list, date_format: str) -> bool:
    col, op, want = cond
    v = row[col]
    if op == "==":
        return text_of(v) == want
    if op == ">":
        return float(v) > float(want)
    if op == "between":
        return want[0] <= _iso(str(v), date_format) <= want[1]
    raise AssertionError(op)


def _table(task: dict, o: dict, text: str) -> Any:
    rows = read_table(text, o["parse"])
    fmt = o.get("date_format", "%Y-%m-%d")
    hits = [r for r in rows if all(_keep(r, c, fmt) for c in o.get("where", []))]
    assert hits, f"{task['id']}: no row matches"
    agg, col = o["agg"], o.get("column")
    if agg == "count":
        return len(hits)
    if agg in ("sum", "max", "min"):
        vals = [float(r[col]) for r in hits]
        x = {"sum": sum, "max": max, "min": min}[agg](vals)
        return int(x) if task["answer_type"] == "int" else round(x, 2)
    if agg == "avg":
        return round(sum(float(r[col]) for r in hits) / len(hits), 2)
    if agg in ("argmax", "argmin"):
        pick = max if agg == "argmax" else min
        best = pick(float(r[col]) for r in hits)
        winners = [r for r in hits if float(r[col]) == best]
        assert len(winners) == 1, f"{task['id']}: {len(winners)} rows share the extreme"
        return text_of(winners[0][o["label"]])
    if agg == "distinct":
        return len({text_of(r[col]) for r in hits})
    if agg in ("groupby_count", "groupby_sum"):
        totals: dict[str, float] = {}
        for r in hits:
            g = text_of(r[o["group"]])
            totals[g] = totals.get(g, 0) + (1 if agg == "groupby_count" else float(r[col]))
        ranked = sorted(totals.values(), reverse=True)
        assert ranked[0] > ranked[1], f"{task['id']}: tied groups"
        return next(g for g, v in totals.items() if v == ranked[0])
    if agg == "topk":
        ranked = sorted(hits, key=lambda r: float(r[col]), reverse=True)
        k = o["k"]
        assert float(ranked[k - 1][col]) > float(ranked[k][col]), f"{task['id']}: tie at k"
        return [text_of(r[o["label"]]) for r in ranked[:k]]
    if agg == "percentage":
        return round(100 * len(hits) / len(rows), 1)
    raise AssertionError(agg)


def _transform(kind: str, value: str) -> str:
    if not kind:
        return value
    if kind == "upper":
        return value.upper()
    if kind == "digits":
        return re.sub(r"\D", "", value)
    if kind == "initials":
        return "".join(part[:1] for part in value.split(" ")).upper()
    if kind == "domain":
        return value.rpartition("@")[2]
    raise AssertionError(kind)


def _facts(task: dict, o: dict, text: str) -> Any:
    values = []
    for pattern in o["patterns"]:
        found = [m.group(1) for ln in text.splitlines() if (m := re.match(pattern, ln))]
        assert len(found) == 1, f"{task['id']}: {pattern!r} on {len(found)} lines"
        values.append(found[0])
    if o["agg"] == "sum":
        return sum(int(v) for v in values)
    if o["agg"] == "list":
        return values
    return int(values[0]) if task["answer_type"] == "int" else values[0]


def _lines_all(task: dict, o: dict, text: str) -> Any:
    hits = [ln for ln in text.splitlines() if all(w in ln for w in o["words"])]
    if o["agg"] == "count":
        return len(hits)
    assert len(hits) == 1, f"{task['id']}: {len(hits)} lines hold every word"
    m = re.match(r"^(.+?) (\d+:\d+) ", hits[0])
    assert m
    return f"{m.group(1)} {m.group(2)}"


def _sentiment(task: dict, o: dict, text: str) -> Any:
    moods = {}
    for ln in text.splitlines():
        m = re.match(r"^Review (\S+) \([^)]*\): (.*)$", ln)
        if not m:
            continue
        body = m.group(2).lower()
        found = {mood for mood, words in o["lexicon"].items() if any(w in body for w in words)}
        assert len(found) == 1, f"{task['id']}: review {m.group(1)} reads as {found}"
        moods[m.group(1)] = found.pop()
    if o["agg"] == "one":
        return moods[o["keys"][0]]
    return sum(1 for m in moods.values() if m == "negative")


def _topic(task: dict, o: dict, text: str) -> str:
    found = []
    for block in text.strip().split("\n\n"):
        title, _, body = block.partition("\n")
        if sum(w in body for w in o["vocabulary"]) >= 3:
            found.append(title.removeprefix("## "))
    assert len(found) == 1, f"{task['id']}: {len(found)} sections on the topic"
    return found[0]


def _json_path(task: dict, o: dict, text: str) -> Any:
    docs = read_table(text, {"format": "jsonl" if o["jsonl"] else "json"})
    (doc,) = [d for d in docs if d["id"] == o["id"]]
    value: Any = doc
    for step in o["path"]:
        value = len(value) if step == "#" else value[step]
    return value


def _chain(task: dict, o: dict, texts: dict[str, str]) -> str:
    value = o["start"]
    for step in o["steps"]:
        rows = read_table(texts[step["input"]], step["parse"])
        hits = [r for r in rows if text_of(r[step["key"]]) == value]
        assert len(hits) == 1, f"{task['id']}: {value!r} matches {len(hits)} rows"
        value = text_of(hits[0][step["take"]])
    return value


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def _arith(node: ast.AST) -> int:
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    raise AssertionError(ast.dump(node))


def _compute(o: dict) -> int:
    kind = o["kind"]
    if kind == "arith":
        return _arith(ast.parse(o["expr"], mode="eval"))
    if kind == "divisible":
        def upto(n: int, d: int) -> int:
            return n // d

        lo, hi, a, b = o["lo"], o["hi"], o["a"], o["b"]
        return (upto(hi, a) - upto(lo - 1, a)) - (upto(hi, b) - upto(lo - 1, b))
    if kind == "digits":
        return sum(map(int, str(pow(o["base"], o["exp"]))))
    if kind == "days":
        return (date.fromisoformat(o["d2"]) - date.fromisoformat(o["d1"])).days
    if kind == "fib":
        seq = [1, 1]
        while len(seq) < o["n"]:
            seq.append(seq[-1] + seq[-2])
        return seq[o["n"] - 1]
    if kind == "vowels":
        return len(re.findall(r"[aeiou]", o["word"]))
    raise AssertionError(kind)


def _legacy(task: dict, o: dict, texts: dict[str, str]) -> Any:
    op = o["op"]
    if op == "needle":
        lines = [ln for ln in texts[o["input"]].splitlines() if o["key"] in ln]
        assert len(lines) == 1, f"{task['id']}: key {o['key']!r} on {len(lines)} lines"
        m = re.search(o["pattern"], lines[0])
        assert m, f"{task['id']}: pattern does not match the needle line {lines[0]!r}"
        return int(m.group(1)) if task["answer_type"] == "int" else m.group(1)
    if op == "lookup":
        first, second = o["steps"]
        rows = read_table(texts[first["input"]], first)
        hits = [r for r in rows if all(r[k] == v for k, v in first["match"].items())]
        assert len(hits) == 1, f"{task['id']}: first key matches {len(hits)} rows"
        ref = hits[0][first["take"]]
        rows = read_table(texts[second["input"]], second)
        hits = [r for r in rows if r[second["match_column"]] == ref]
        assert len(hits) == 1, f"{task['id']}: reference {ref!r} matches {len(hits)} rows"
        value = hits[0][second["take"]]
        return int(value) if task["answer_type"] == "int" else value
    rows = read_table(texts[o["input"]], o)
    hits = [r for r in rows if all(r[k] == v for k, v in o["where"].items())]
    if op == "count":
        return len(hits)
    values = [float(r[o["column"]]) for r in hits]
    assert values, f"{task['id']}: no row matches the filter"
    result = {"sum": sum(values), "max": max(values), "min": min(values),
              "avg": sum(values) / len(values)}[op]
    if task["answer_type"] == "int":
        assert result == int(result)
        return int(result)
    return round(result, 2)


def recompute(task: dict, root: Path) -> Any:
    """The task's answer, from its files, by following its oracle with plain Python."""
    o = task["oracle"]
    texts = {name: (root / spec["file"]).read_text() for name, spec in task["inputs"].items()
             if "file" in spec}
    op = o["op"]
    if op == "table":
        return _table(task, o, texts[o["input"]])
    if op == "facts":
        return _facts(task, o, texts[o["input"]])
    if op == "lookup_many":
        rows = read_table(texts[o["input"]], o["parse"])
        out = []
        for key in o["keys"]:
            hits = [r for r in rows if text_of(r[o["key"]]) == key]
            assert len(hits) == 1, f"{task['id']}: key {key!r} on {len(hits)} records"
            out.append(_transform(o["transform"], text_of(hits[0][o["take"]])))
        return out[0] if len(out) == 1 else out
    if op == "lines_all":
        return _lines_all(task, o, texts[o["input"]])
    if op == "sentiment":
        return _sentiment(task, o, texts[o["input"]])
    if op == "topic":
        return _topic(task, o, texts[o["input"]])
    if op == "json_path":
        return _json_path(task, o, texts[o["input"]])
    if op == "chain":
        return _chain(task, o, texts)
    if op == "compute":
        return _compute(o)
    return _legacy(task, o, texts)


def named_values(task: dict) -> list[str]:
    """The values the question must name for the task to be answerable."""
    o = task["oracle"]
    if o["op"] == "table":
        return [str(c[2]) for c in o.get("where", []) if c[1] in ("==", ">")]
    if o["op"] in ("lookup_many", "facts"):
        return list(o["keys"])
    if o["op"] == "lines_all":
        return list(o["words"])
    if o["op"] == "chain":
        return [o["start"]]
    if o["op"] == "json_path":
        return [o["id"]]
    if o["op"] == "lookup":
        return list(o["steps"][0]["match"].values())
    if o["op"] in ("count", "sum", "max", "min", "avg"):
        return list(o["where"].values())
    return []
