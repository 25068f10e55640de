"""Families over one table: count, threshold, sum, average, min/max, argmax/argmin,
distinct, group-by, top-k, percentage and date ranges.

`table_task` takes a source (generated from the split's pools, or real data
from a package), a file format and an operation; it picks the operation's
parameters from the data (a filter value from a real row; a threshold from
a real value), insists the answer is unambiguous (a unique largest value, a
group that wins outright, no tie at the k-th place), computes the answer from
the rows' text values and phrases the question from the split's templates.
The oracle records the operation declaratively; the tests parse the written
file with their own readers and recompute it.
"""

from __future__ import annotations

import calendar
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bench.tasks.draft import TaskDraft
from bench.tasks.formats import Source, render
from bench.tasks.phrasing import templates

Condition = list[Any]  # [column, "==" | ">" | "between", value]


class Retry(Exception):
    """The drawn parameters make an ambiguous task: draw again."""


def iso(value: str, fmt: str) -> str:
    return datetime.strptime(value, fmt).strftime("%Y-%m-%d")


def matches(row: dict[str, str], cond: Condition, date_format: str) -> bool:
    col, op, want = cond
    v = row[col]
    if op == "==":
        return v == want
    if op == ">":
        return float(v) > float(want)
    if op == "between":
        return want[0] <= iso(v, date_format) <= want[1]
    raise ValueError(op)


def select(src: Source, where: list[Condition]) -> list[dict[str, str]]:
    return [r for r in src.rows if all(matches(r, c, src.date_format) for c in where)]


def _num(text: str) -> float:
    return float(text)


def _is_int_col(src: Source, col: str) -> bool:
    return all("." not in r[col] and "e" not in r[col].lower() for r in src.rows)


def _fmt_number(x: float, as_int: bool) -> int | float:
    return int(x) if as_int else round(x, 2)


def compute(src: Source, op: dict[str, Any]) -> tuple[Any, str]:
    """The expected answer of `op` over `src`, and its answer type."""
    rows = select(src, op.get("where", []))
    agg = op["agg"]
    col = op.get("column")
    if not rows:
        raise Retry("no row matches")
    if agg == "count":
        return len(rows), "int"
    if agg in ("sum", "max", "min", "avg"):
        vals = [_num(r[col]) for r in rows]
        as_int = _is_int_col(src, col) and agg != "avg"
        x = {"sum": sum, "max": max, "min": min}[agg](vals) if agg != "avg" else \
            round(sum(vals) / len(vals), 2)
        return _fmt_number(x, as_int), ("int" if as_int else "float")
    if agg in ("argmax", "argmin"):
        ranked = sorted(rows, key=lambda r: _num(r[col]), reverse=agg == "argmax")
        if len(ranked) > 1 and _num(ranked[0][col]) == _num(ranked[1][col]):
            raise Retry("tie for first place")
        return ranked[0][op["label"]], "str"
    if agg == "distinct":
        return len({r[col] for r in rows}), "int"
    if agg in ("groupby_count", "groupby_sum"):
        totals: dict[str, float] = defaultdict(float)
        for r in rows:
            totals[r[op["group"]]] += 1 if agg == "groupby_count" else _num(r[col])
        ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
        if len(ranked) < 2 or ranked[0][1] - ranked[1][1] < 1:
            raise Retry("no outright winner")
        return ranked[0][0], "str"
    if agg == "topk":
        k = op["k"]
        ranked = sorted(rows, key=lambda r: _num(r[col]), reverse=True)
        vals = [_num(r[col]) for r in ranked[:k + 1]]
        labels = [r[op["label"]] for r in ranked[:k]]
        if len(ranked) <= k or len(set(vals)) < len(vals) or len(set(labels)) < k:
            raise Retry("tie within the top k")
        return [r[op["label"]] for r in ranked[:k]], "list[str]"
    if agg == "percentage":
        total = len(select(src, op.get("of", [])))
        return round(100 * len(rows) / total, 1), "float"
    raise ValueError(agg)


def _cat_value(src: Source, rng: random.Random, col: str) -> str:
    """A filter value from a real row, matching neither almost all rows nor one."""
    counts = Counter(r[col] for r in src.rows)
    for _ in range(50):
        v = rng.choice(src.rows)[col]
        if counts[v] < 0.9 * len(src.rows) or len(counts) == 1:
            return v
    return v


def _threshold(src: Source, rng: random.Random, col: str) -> str:
    vals = sorted(_num(r[col]) for r in src.rows)
    x = vals[int(len(vals) * rng.uniform(0.3, 0.85))]
    return str(int(x)) if float(x).is_integer() else str(x)


def _date_window(src: Source, rng: random.Random, col: str, month: bool) -> tuple[str, str, str]:
    """An inclusive [lo, hi] window (ISO) around a real date; `month` whole calendar months."""
    d = datetime.strptime(rng.choice(src.rows)[col], src.date_format)
    if month:
        last = calendar.monthrange(d.year, d.month)[1]
        return f"{d.year}-{d.month:02d}-01", f"{d.year}-{d.month:02d}-{last:02d}", \
            f"{calendar.month_name[d.month]} {d.year}"
    start = d.toordinal() - rng.randrange(0, 20)
    lo = datetime.fromordinal(start)
    hi = datetime.fromordinal(start + rng.randrange(5, 40))
    return lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d"), ""


def _shown_date(iso_date: str, fmt: str) -> str:
    return datetime.strptime(iso_date, "%Y-%m-%d").strftime(fmt).replace(" 0", " ")


def _top_distinct(src: Source, col: str, k: int) -> bool:
    top = sorted((_num(r[col]) for r in src.rows), reverse=True)[:k]
    low = sorted(_num(r[col]) for r in src.rows)[:2]
    return len(set(top)) == len(top) and len(set(low)) == len(low)


def plan(src: Source, rng: random.Random, agg: str, split: str, **opts: Any) -> \
        tuple[dict[str, Any], str, dict[str, str]]:
    """Draw an operation of kind `agg` over `src`: (oracle op, template key, template values)."""
    cats = [c for c in src.names("cat") if len({r[c] for r in src.rows}) > 1]
    nums = src.names("num")
    if agg in ("argmax", "argmin", "topk"):
        # Columns whose extreme values are not tied in the whole table (others rarely help).
        k = opts.get("k", 1) + 1
        untied = [c for c in nums if len({r[c] for r in src.rows}) >= 0.5 * len(src.rows)]
        nums = [c for c in untied if _top_distinct(src, c, k)] or nums
    col_cat = opts.get("cat") or (rng.choice(cats) if cats else None)
    col_num = opts.get("num") or (rng.choice(nums) if nums else None)
    words: dict[str, str] = {"entities": src.entity, "input": src.input}
    if col_cat:
        words["col"] = src.col(col_cat).words()
    if col_num:
        words["num"] = src.col(col_num).words()
    if src.label:
        words["label"] = src.col(src.label).words()
    op: dict[str, Any] = {"agg": agg}
    key = agg
    if agg in ("count", "sum", "average", "max", "min", "percentage") or (
            agg in ("argmax", "argmin", "topk", "threshold") and opts.get("filtered")):
        value = _cat_value(src, rng, col_cat)
        op["where"] = [[col_cat, "==", value]]
        words["value"] = value
    if agg == "average":
        op["agg"] = "avg"
    if agg in ("sum", "average", "max", "min", "argmax", "argmin", "topk", "groupby_sum"):
        op["column"] = col_num
    if agg == "threshold":
        x = _threshold(src, rng, col_num)
        op = {"agg": "count", "where": op.get("where", []) + [[col_num, ">", x]]}
        words["x"] = x
        key = "threshold_where" if opts.get("filtered") else "threshold"
    if agg in ("argmax", "argmin", "topk"):
        op["label"] = src.label
    if agg == "topk":
        op["k"] = opts.get("k", 3)
        words["k"] = str(op["k"])
    if agg == "distinct":
        op["column"] = col_cat
    if agg in ("groupby_count", "groupby_sum"):
        op["group"] = col_cat
    if agg == "percentage":
        op["of"] = []
    if agg in ("daterange", "daterange_sum"):
        dcol = src.names("date")[0]
        lo, hi, month = _date_window(src, rng, dcol, month=split == "test")
        op = {"agg": "count" if agg == "daterange" else "sum",
              "where": [[dcol, "between", [lo, hi]]]}
        if agg == "daterange_sum":
            op["column"] = col_num
        words.update(date=src.col(dcol).words(), lo=_shown_date(lo, src.date_format),
                     hi=_shown_date(hi, src.date_format), month=month)
    return op, key, words


Factory = Callable[[random.Random], Source]


def table_task(task_id: str, family: str, split: str, rng: random.Random, source: Factory,
               fmt: dict[str, Any], agg: str, **opts: Any) -> TaskDraft:
    """One task of `family` over `source` written as `fmt`."""
    src = source(rng)
    for attempt in range(200):
        if attempt and attempt % 25 == 0:
            src = source(rng)  # generated data: draw another table; real data: the same one
        op, key, words = plan(src, rng, agg, split, **opts)
        try:
            expected, atype = compute(src, op)
            break
        except Retry:
            continue
    else:
        raise RuntimeError(f"{task_id}: no unambiguous {agg} task in 200 draws")
    text, spec = render(src, fmt, rng)
    question = rng.choice(templates(split, key)).format(**words)
    if fmt["format"] == "delimited" and not fmt.get("header", True):
        cols = spec["columns"]
        question += rng.choice(templates(split, "noheader")).format(
            input=src.input, cols=fmt["sep"].join(cols), fields=", ".join(cols))
    ext = {"delimited": {",": ".csv", "\t": ".tsv"}.get(fmt.get("sep", ""), ".txt"),
           "json": ".json", "jsonl": ".jsonl"}.get(fmt["format"], ".txt")
    oracle = {"op": "table", "input": src.input, "parse": spec, **op,
              "date_format": src.date_format, "source": src.origin}
    return TaskDraft(
        id=task_id, group=family, question=question,
        signature=f"{src.input}: str, question: str -> answer: {atype}",
        files={src.input: (ext, text)}, expected=expected, answer_type=atype, oracle=oracle)
