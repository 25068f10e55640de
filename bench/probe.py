"""A user probe: a person's questions over real files that no bench task uses.

    python -m bench probe [--model M] [--profile P] [--out DIR] [--logs DIR] [--only IDS]

The bench's splits are generated from templates; a user brings files of their
own and asks in their own words. This probe asks seventeen such questions of
files found on the machine and in packages on the index, and computes each
expected answer with readers of its own (`csv`, `json`, a blank-line block
splitter, `str.split`), never rlmlang's:

- this machine's `/var/lib/dpkg/status` (RFC 822 blocks with continuation
  lines), `/etc/services` and `/etc/protocols` (whitespace columns, `#`
  comments), `/usr/share/common-licenses/Apache-2.0` (prose);
- pydataset's quakes (written pipe-separated), airquality (JSON Lines), mpg
  (semicolons, and a country table of the probe's own to join it with) and
  iris (no header: the question names the columns); vega's barley (JSON).

It is a tuning set, like the dev split: the 2026-12-06 session chose changes
on it (docs/benchmarks.md). Its answers depend on the machine (the dpkg
database differs from one system to the next), so it has no cached results;
a file that is missing skips its questions, said so.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import statistics
import tarfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scoring import judge
from bench.tasks.realdata import MissingData, package_dir

DPKG = Path("/var/lib/dpkg/status")
SERVICES = Path("/etc/services")
PROTOCOLS = Path("/etc/protocols")
LICENSE = Path("/usr/share/common-licenses/Apache-2.0")
MAKERS = {"audi": "Germany", "chevrolet": "USA", "dodge": "USA", "ford": "USA",
          "honda": "Japan", "hyundai": "South Korea", "jeep": "USA", "land rover": "UK",
          "lincoln": "USA", "mercury": "USA", "nissan": "Japan", "pontiac": "USA",
          "subaru": "Japan", "toyota": "Japan", "volkswagen": "Germany"}

Task = dict[str, Any]


class _Builder:
    """Writes the inputs into `out` and collects the tasks."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.tasks: list[Task] = []
        out.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, text: str) -> str:
        (self.out / name).write_text(text, encoding="utf-8")
        return name

    def add(self, tid: str, question: str, inputs: dict[str, str], expected: Any,
            answer_type: str) -> None:
        names = ", ".join(f"{n}: str" for n in inputs)
        self.tasks.append({
            "id": tid, "group": tid.split("-")[0], "question": question,
            "expected": expected, "answer_type": answer_type, "dir": str(self.out),
            "signature": f"{names}, question: str -> answer: {answer_type}",
            "inputs": {**{n: {"file": f} for n, f in inputs.items()},
                       "question": {"value": question}}})


def _blocks(text: str) -> list[dict[str, str]]:
    """RFC 822 blocks: `Key: value` lines, indented continuation lines, blank-line breaks."""
    out = []
    for block in text.strip().split("\n\n"):
        rec: dict[str, str] = {}
        key = ""
        for line in block.split("\n"):
            if line[:1] in (" ", "\t") and key:
                rec[key] += "\n" + line.strip()
                continue
            key, _, value = line.partition(":")
            rec[key] = value.strip()
        out.append(rec)
    return out


def _columns(text: str) -> list[list[str]]:
    """Whitespace columns with `#` comments cut off; blank lines dropped."""
    rows = [line.split("#")[0].split() for line in text.splitlines()]
    return [r for r in rows if r]


def _dpkg(b: _Builder) -> None:
    recs = _blocks(DPKG.read_text(encoding="utf-8"))
    ctx = {"context": b.write("status.txt", DPKG.read_text(encoding="utf-8"))}
    named = {r.get("Package"): r for r in recs}
    b.add("dpkg-count", "How many packages in this dpkg status file have Priority: required?",
          ctx, sum(r.get("Priority") == "required" for r in recs), "int")
    b.add("dpkg-argmax", "Which package has the largest Installed-Size?", ctx,
          max(recs, key=lambda r: int(r.get("Installed-Size", "0")))["Package"], "str")
    sections = Counter(r.get("Section") for r in recs)
    section = "python" if "python" in sections else sections.most_common(3)[-1][0]
    b.add("dpkg-section", f"How many packages belong to the section '{section}'?", ctx,
          sections[section], "int")
    b.add("dpkg-size", "What is the Installed-Size of the package coreutils?", ctx,
          named["coreutils"]["Installed-Size"], "str")
    b.add("dpkg-maintainer", "Who maintains the tar package?", ctx, named["tar"]["Maintainer"],
          "str")


def _services(b: _Builder) -> None:
    text = SERVICES.read_text(encoding="utf-8")
    rows = _columns(text)
    ctx = {"context": b.write("services.txt", text)}
    tcp = next((r for r in rows if r[0] == "imap2"), None) or \
        next(r for r in rows if r[1].endswith("/tcp") and len(r[0]) >= 4)
    b.add("services-port", f"Which port number does the {tcp[0]} service use?", ctx,
          tcp[1].split("/")[0], "str")
    b.add("services-udp", "How many service entries in this file are for udp?", ctx,
          sum(r[1].endswith("/udp") for r in rows), "int")


def _protocols(b: _Builder) -> None:
    text = PROTOCOLS.read_text(encoding="utf-8")
    rows = [r for r in _columns(text) if len(r) >= 2]
    ctx = {"context": b.write("protocols.txt", text)}
    row = next((r for r in rows if r[0] == "ipv6-icmp"), rows[len(rows) // 2])
    b.add("protocols-number", f"What is the protocol number of {row[0]}?", ctx, row[1], "str")


def _license(b: _Builder) -> None:
    text = LICENSE.read_text(encoding="utf-8")
    m = re.search(r"^\s*7\. (.+?)\.", text, re.M)
    if m is None:
        raise MissingData(f"{LICENSE} has no section 7")
    b.add("license-section", "What is the title of section 7 of this license?",
          {"context": b.write("license.txt", text)}, m.group(1), "str")


def _table(tf: tarfile.TarFile, member: str) -> list[dict[str, str]]:
    raw = tf.extractfile("resources/rdata/" + member)
    if raw is None:
        raise MissingData(f"pydataset has no {member}")
    return list(csv.DictReader(io.StringIO(raw.read().decode("utf-8"))))


def _pydataset(b: _Builder) -> None:
    with tarfile.open(package_dir("pydataset") / "resources.tar.gz") as tf:
        quakes = _table(tf, "csv/datasets/quakes.csv")
        air = _table(tf, "csv/datasets/airquality.csv")
        mpg = _table(tf, "csv/ggplot2/mpg.csv")
        iris = _table(tf, "csv/datasets/iris.csv")
    cols = ["lat", "long", "depth", "mag", "stations"]
    q = {"quakes": b.write("quakes.psv", "|".join(cols) + "\n" + "".join(
        "|".join(r[c] for c in cols) + "\n" for r in quakes))}
    b.add("quakes-count", "How many earthquakes in the table had a magnitude of 5.5 or more?",
          q, sum(float(r["mag"]) >= 5.5 for r in quakes), "int")
    b.add("quakes-max", "What is the greatest depth among quakes recorded by more than 100 "
          "stations?", q, max(int(r["depth"]) for r in quakes if int(r["stations"]) > 100),
          "int")
    keys = ["Ozone", "Solar.R", "Wind", "Temp", "Month", "Day"]
    lines = [json.dumps({k: None if r[k] == "NA" else json.loads(r[k]) for k in keys})
             for r in air]
    b.add("air-average", "What was the average Temp in month 7? Round to 2 decimals.",
          {"readings": b.write("airquality.jsonl", "\n".join(lines) + "\n")},
          round(statistics.mean(int(r["Temp"]) for r in air if r["Month"] == "7"), 2),
          "float")
    mc = ["manufacturer", "model", "displ", "year", "cyl", "trans", "drv", "cty", "hwy",
          "fl", "class"]
    cars = {"cars": b.write("mpg.csv", ";".join(mc) + "\n" + "".join(
        ";".join(r[c] for c in mc) + "\n" for r in mpg))}
    b.add("mpg-group", "Which manufacturer has the most cars in the table?", cars,
          Counter(r["manufacturer"] for r in mpg).most_common(1)[0][0], "str")
    b.add("mpg-distinct", "How many different classes of car are there?", cars,
          len({r["class"] for r in mpg}), "int")
    makers = b.write("makers.txt", "".join(f"{m} = {c}\n" for m, c in MAKERS.items()))
    b.add("mpg-join", "How many cars in the table were made by a manufacturer from Japan?",
          {**cars, "makers": makers},
          sum(MAKERS.get(r["manufacturer"]) == "Japan" for r in mpg), "int")
    ic = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width", "Species"]
    b.add("iris-max", "The lines are CSV 'sepal_length,sepal_width,petal_length,petal_width,"
          "species' with no header. What is the largest petal_length among the virginica "
          "flowers?", {"context": b.write("iris.csv", "".join(
              ",".join(r[c] for c in ic) + "\n" for r in iris))},
          max(float(r["Petal.Length"]) for r in iris if r["Species"] == "virginica"),
          "float")


def _barley(b: _Builder) -> None:
    rows = json.loads((package_dir("vega_datasets") / "_data" / "barley.json").read_text())
    b.add("barley-sum", "What is the total yield of the Manchuria variety at the site Morris "
          "across all years? Round to 2 decimals.",
          {"barley": b.write("barley.json", json.dumps(rows))},
          round(sum(r["yield"] for r in rows if r["variety"] == "Manchuria"
                    and r["site"] == "Morris"), 2), "float")


_SOURCES: list[tuple[str, Callable[[_Builder], None]]] = [
    (str(DPKG), _dpkg), (str(SERVICES), _services), (str(PROTOCOLS), _protocols),
    (str(LICENSE), _license), ("pydataset", _pydataset), ("vega_datasets", _barley)]


def build(out: Path) -> tuple[list[Task], list[str]]:
    """The probe's tasks, their inputs written into `out`, and a line for each source
    that is missing here (its questions are skipped)."""
    b = _Builder(out)
    skipped = []
    for name, source in _SOURCES:
        try:
            source(b)
        except (OSError, MissingData, StopIteration, KeyError) as e:
            skipped.append(f"{name}: skipped ({type(e).__name__}: {e})")
    return b.tasks, skipped


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="qwen2.5-coder-1.5b")
    p.add_argument("--profile", default=None)
    p.add_argument("--out", type=Path, default=Path("bench/probe-data"),
                   help="where the inputs are written (gitignored)")
    p.add_argument("--logs", type=Path, default=None, help="keep each run's log here")
    p.add_argument("--only", default=None, help="comma-separated task ids")


def run_probe(args: argparse.Namespace) -> int:
    """Build the probe, run each task once, print each result and the tally."""
    from rlmlang.bench_hooks import run_task  # lazy: llama.cpp only when running

    tasks, skipped = build(args.out)
    for line in skipped:
        print(line)
    if args.only:
        wanted = set(args.only.split(","))
        tasks = [t for t in tasks if t["id"] in wanted]
    right = uncertain = confident_wrong = 0
    walls = []
    for i, task in enumerate(tasks, 1):
        t0 = time.monotonic()
        log = args.logs / f"{task['id']}.log" if args.logs else None
        res = judge(task, run_task(task, args.model, "grammar", profile=args.profile,
                                   keep_log=log))
        walls.append(time.monotonic() - t0)
        right += res["correct"]
        uncertain += bool(res.get("uncertain")) and not res["correct"]
        confident_wrong += res.get("status") == "answered" and not res["correct"]
        print(f"[{i}/{len(tasks)}] {task['id']:<18} {'ok  ' if res['correct'] else 'miss'} "
              f"{walls[-1]:6.1f}s {res.get('status')} answer={str(res.get('answer'))[:40]!r} "
              f"expected={task['expected']!r}", flush=True)
    if tasks:
        print(f"probe: {right} of {len(tasks)} right, {uncertain} uncertain, "
              f"{confident_wrong} wrong with confidence; s/task p50 "
              f"{statistics.median(walls):.1f}")
    return 0
