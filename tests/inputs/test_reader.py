"""The one reader, on real bytes: each format is detected, read, counted and described alike.

The files under tests/data/inputs are excerpts of real files of a Debian
system (see its README). Each expectation below is computed from the file
by other means (line filters, json, csv), so a test fails when the reader
drops, merges or invents a record.
"""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path

import pytest

from rlmlang.controller.inputs import describe_input, header_names
from rlmlang.tools import reader
from rlmlang.types import STR

DATA = Path(__file__).resolve().parents[1] / "data" / "inputs"


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def data_lines(t: str) -> list[str]:
    return [ln for ln in t.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


# (file, format, names_from, how many records, a record's fields that must be read)
CASES = [
    ("dpkg_status.txt", "blocks", "keys", 4,
     (0, {"Package": "adduser", "Version": "3.134", "Depends": "passwd"})),
    ("apt_history.log", "blocks", "keys", 2,
     (0, {"Commandline": "apt-get -qqy upgrade", "End-Date": "2025-06-24  14:36:25"})),
    ("cpuinfo.txt", "blocks", "keys", 2, (1, {"processor": "1", "vendor_id": "GenuineIntel"})),
    ("meminfo.txt", "keyvalue", "keys", 1, (0, {"SwapCached": "0 kB"})),
    ("nsswitch.conf", "keyvalue", "keys", 1, (0, {"hosts": "files mdns4_minimal "
                                                  "[NOTFOUND=return] dns"})),
    ("os-release.txt", "keyvalue", "keys", 1, (0, {"ID": "debian", "VERSION_ID": "12"})),
    ("packages_logfmt.log", "logfmt", "keys", 4,
     (1, {"package": "adwaita-icon-theme", "installed_kb": "20899"})),
    ("debian.csv", "delimited", "header", 22,
     (0, {"version": "1.1", "codename": "Buzz", "eol-lts": ""})),
    ("debian_semicolon.csv", "delimited", "header", 22, (4, {"codename": "Slink"})),
    ("debian_pipe.txt", "delimited", "header", 22, (4, {"created": "1998-07-24"})),
    ("umath_cos.csv", "delimited", "header", 55,
     (0, {"dtype": "np.float32", "input": "0x004b4716", "ulperrortol": "2"})),
    ("zone1970.tab", "delimited", "comment", 22,
     (0, {"codes": "AD", "TZ": "Europe/Andorra", "comments": ""})),
    ("iso3166.tab", "delimited", "comment", 20, (0, {"code": "AD"})),
    ("ps_aux.txt", "whitespace", "header", 24, (23, {"USER": "root", "COMMAND": "sleep 300"})),
    ("df.txt", "whitespace", "header", 4, (3, {"Filesystem": "tmpfs", "Capacity": "0%"})),
    ("protocols.txt", "whitespace", "numbers", 57, (0, {"0": "ip", "1": "0", "2": "IP"})),
    ("services.txt", "whitespace", "numbers", 52, (0, {"0": "tcpmux", "1": "1/tcp"})),
    ("login.defs", "whitespace", "numbers", 37, (0, {"0": "MAIL_DIR", "1": "/var/mail"})),
    ("msbuild_masm.json", "json", "keys", 40, (0, {"name": "PreserveIdentifierCase",
                                                   "value": "0", "flags": "[]"})),
    ("msbuild_masm.jsonl", "jsonl", "keys", 40, (0, {"switch": "", "comment": "Default"})),
    ("apache_license.txt", "prose", "", 0, None),
]


@pytest.mark.parametrize("name,fmt,names_from,count,probe", CASES, ids=[c[0] for c in CASES])
def test_each_format_on_real_bytes(name: str, fmt: str, names_from: str, count: int,
                                   probe: tuple[int, dict[str, str]] | None) -> None:
    t = text(name)
    layout = reader.detect(t, "")
    assert (layout.format, layout.names_from) == (fmt, names_from)
    table = reader.read(t, "")
    assert len(table.records) == count == reader.count_records(t, layout)
    if probe is not None:
        i, fields = probe
        for k, v in fields.items():
            assert table.records[i][k] == v, (k, table.records[i])


def test_the_counts_follow_the_files() -> None:
    """Record counts recomputed from the raw lines, not from the reader."""
    assert len(reader.read(text("services.txt"), "").records) == len(data_lines(text(
        "services.txt")))
    assert len(reader.read(text("protocols.txt"), "").records) == len(data_lines(text(
        "protocols.txt")))
    blocks = [b for b in text("dpkg_status.txt").split("\n\n") if b.strip()]
    assert len(reader.read(text("dpkg_status.txt"), "").records) == len(blocks)
    with open(DATA / "debian.csv", newline="") as f:
        want = list(csv.DictReader(f))
    got = reader.read(text("debian.csv"), "").records
    assert [r["codename"] for r in got] == [r["codename"] for r in want]
    doc = json.loads(text("msbuild_masm.json"))
    assert [r["name"] for r in reader.read(text("msbuild_masm.json"), "").records] == \
        [d["name"] for d in doc]


def test_blocks_keep_continuation_lines() -> None:
    rec = reader.read(text("dpkg_status.txt"), "").records[0]
    assert rec["Description"].startswith("add and remove users and groups\nThis package")
    assert "/etc/adduser.conf cc3493ecd2d09837ffdcc3e25fdfff18" in rec["Conffiles"]


def test_whitespace_tables_trailing_comments_and_merged_header_words() -> None:
    proto = reader.read(text("protocols.txt"), "").records
    assert all("#" not in v for r in proto for v in r.values())
    assert proto[0] == {"0": "ip", "1": "0", "2": "IP", "3": ""}
    rspf = next(r for r in proto if r["0"] == "rspf")  # the one line with two aliases
    assert (rspf["2"], rspf["3"]) == ("RSPF", "CPHB")
    df = reader.read(text("df.txt"), "")
    assert df.columns[-1] == "Mounted on"  # two words over one column are one name
    assert df.records[-1]["Mounted on"].startswith("/")


def test_an_aligned_cell_may_hold_one_space() -> None:
    """R prints a data frame with names such as "Mazda RX4": cells are cut at runs of
    blanks (every tool read 'model': 'Mazda', 'gear': '2.62  4'); a table whose cells are
    one word, or whose last cell takes the rest (`ps`'s command), reads as before."""
    cars = reader.read(text("mtcars_aligned.txt"), "").records
    assert cars[0] == {"model": "Mazda RX4", "mpg": "21", "cyl": "6", "hp": "110",
                       "wt": "2.62", "gear": "4"}
    assert [r["model"] for r in cars[:3]] == ["Mazda RX4", "Mazda RX4 Wag", "Datsun 710"]
    assert all(r["gear"] in ("3", "4", "5") for r in cars)
    assert "a cell may hold one space" in reader.detect(text("mtcars_aligned.txt"), "").describe()
    ps = reader.read(text("ps_aux.txt"), "").records
    assert all(r["COMMAND"] for r in ps) and any(" " in r["COMMAND"] for r in ps)
    assert all(r["PID"].isdigit() for r in ps)
    assert "a cell may hold" not in reader.detect(text("ps_aux.txt"), "").describe()


def test_a_headerless_table_takes_its_names_from_the_question() -> None:
    t = text("umath_noheader.csv")
    q = "The context is CSV lines 'dtype,input,output,ulperrortol'. How many rows are float32?"
    layout = reader.detect(t, q)
    assert layout.names_from == "question"
    assert layout.columns == ("dtype", "input", "output", "ulperrortol")
    assert reader.read(t, q).records[0]["dtype"] == "np.float32"
    listed = "The rows have the columns dtype, input, output and ulperrortol."
    assert reader.detect(t, listed).columns == layout.columns
    # No names in the question: the 0-based column numbers, as the skills take them.
    plain = reader.detect(t, "How many rows are float32?")
    assert plain.names_from == "numbers" and plain.columns == ("0", "1", "2", "3")
    # The question in force around a run is the default.
    with reader.task_question(q):
        assert reader.read(t).columns == list(layout.columns)
    assert reader.read(t).columns == ["0", "1", "2", "3"]


def test_question_names_must_fit_the_table() -> None:
    assert reader.question_names("CSV lines 'id,city,amount'", 3, ",") == ["id", "city",
                                                                            "amount"]
    assert reader.question_names("CSV lines 'id,city'", 3, ",") is None
    assert reader.question_names('lines "17,Lima,40"', 3, ",") is None  # data, not names
    assert reader.question_names("columns are name, port and aliases", 5, " ",
                                 at_most=True) == ["name", "port", "aliases"]
    services = reader.read(text("services.txt"), "The columns are name, port and aliases.")
    assert services.columns == ["name", "port", "aliases"]
    discard = next(r for r in services.records if r["name"] == "discard")
    assert discard["aliases"] == "sink null"  # the last column takes the rest of the line


def test_lines_that_each_label_an_item_are_no_key_value_record() -> None:
    """"Review INV-97748 (hinge): ..." on every line: the keys differ only by their numbers
    (and a kind in brackets), so each line labels an item; read as one record of 400
    fields, the reviews were hidden from records() and the model looked up a key."""
    kinds = ["hinge", "gear", "sprocket", "gizmo"]
    reviews = "".join(f"Review INV-{10000 + 37 * i} ({kinds[i % 4]}): It arrived on day {i}. "
                      f"I would say {'Loved' if i % 3 else 'Awful'}.\n" for i in range(40))
    assert reader.detect(reviews).format == "prose"
    numbered_fields = "".join(f"field{i}: value {i}\n" for i in range(5))
    assert reader.detect(numbered_fields).format == "keyvalue", "too few to be items"
    assert reader.detect(text("meminfo.txt")).format == "keyvalue"


def test_log_lines_in_brackets_are_not_json() -> None:
    t = "[2024-05-01 10:00:01] ERROR disk full\n[2024-05-01 10:00:02] INFO retry\n" * 5
    assert reader.detect(t, "").format == "prose"


def test_key_value_lines_keep_the_words_before_their_pairs() -> None:
    """A log line's time, level and message, or a keyed line's key, sit before the pairs:
    records() dropped them, so "ERROR lines of service x" or "the rack of IP y" could not be
    answered from the records the prompt showed."""
    log = ("2024-04-13T17:54:16Z ERROR [search] token refreshed host=db-03 dur_ms=855\n"
           "2024-04-13 17:54:19.120+02:00 warn: cache miss for key host=web-02 dur_ms=1677\n"
           "no time here user=ana action=login\n")
    layout = reader.detect(log, "")
    assert layout.format == "logfmt"
    assert layout.columns == ("time", "level", "text", "host", "dur_ms", "user", "action")
    assert layout.describe() == "fields (key=value): time, level, text, host, dur_ms, user, action"
    first, second, third = reader.read(log, "").records
    assert first == {"time": "2024-04-13T17:54:16Z", "level": "ERROR",
                     "text": "[search] token refreshed", "host": "db-03", "dur_ms": "855",
                     "user": "", "action": ""}
    assert (second["time"], second["level"], second["text"]) == \
        ("2024-04-13 17:54:19.120+02:00", "warn", "cache miss for key")
    assert (third["time"], third["level"], third["text"], third["user"]) == \
        ("", "", "no time here", "ana")
    keyed = "10.118.222.33 rack=R33 dc=ams1\n10.20.140.225 rack=R25 dc=lon1\n"
    assert reader.read(keyed, "").records[1] == {"text": "10.20.140.225", "rack": "R25",
                                                 "dc": "lon1"}
    own = "text=a level=b k=1\nERROR text=c level=d k=2\n"  # a pair's key wins
    assert reader.read(own, "").records[1] == {"text": "c", "level": "d", "k": "2"}


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_the_description_and_the_reader_agree(name: str) -> None:
    t = text(name)
    info = describe_input("context", t, STR, question="")
    table = reader.read(t, "")
    assert info.records == len(table.records)
    assert info.format == table.layout.format
    if info.format in ("prose",):
        assert info.columns == () and info.sample == ""
        return
    assert list(info.columns) == table.columns or table.layout.names_from == "numbers"
    shown = info.describe(with_count=True)
    assert f"{len(table.records):,} record" in shown
    for i, col in enumerate(table.columns[:12]):
        if table.layout.format in ("delimited", "whitespace"):
            if table.layout.names_from != "numbers":
                assert f"{i}={reader._shorten(col, 24)}" in shown
        else:
            assert reader._shorten(col, 24) in shown
    named = header_names(t, "")
    assert named == ([] if table.layout.names_from == "numbers" else table.columns)


def test_describing_ten_megabytes_is_fast_and_exact() -> None:
    rng = random.Random(7)
    rows = [f"{i},{rng.choice(['Lima', 'Perth', 'Oslo'])},{rng.randint(1, 999)}"
            for i in range(700_000)]
    t = "id,city,amount\n" + "\n".join(rows) + "\n"
    assert len(t) > 10_000_000
    start = time.perf_counter()
    info = describe_input("context", t, STR, question="")
    elapsed = time.perf_counter() - start
    assert info.records == 700_000 and info.columns == ("id", "city", "amount")
    assert elapsed < 2.0, elapsed  # counted a megabyte at a time; ~0.2 s on an idle core
