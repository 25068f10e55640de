"""A filtered copy of extract_records(t, pattern) is bounded by what t's lines can hold.

A record's Size had been allowed len(t) characters of values for *each* of the
text's possible records, and a comprehension over them multiplied the two: a
1.6 MB scan log, filtered for one package, was bounded at 5 TB, over the memory
budget, and the 1.5B's script was refused in every round. The records of a
known text are at most its lines; a literal pattern's groups are counted; each
item of a tool's list result is bounded as a whole by the declared largest item.
"""

from __future__ import annotations

import random

from script_run import run_script  # tests/script_run.py

from rlmlang.tools.registry import Size, size_of
from rlmlang.tools.tables import _extract_records, _extracted_size
from rlmlang.types import INT, STR

random.seed(7)
SCANS = "\n".join(
    f"2024-07-02T06:{i // 60 % 60:02d}:{i % 60:02d}Z package PKG{random.randrange(10**8):08d} "
    f"stored in warehouse WH{random.randrange(1000):03d}" for i in range(24000))
SCANS += "\n2024-07-02T09:42:38Z package PKG65647553 stored in warehouse WH959"


def test_a_filtered_copy_of_extracted_records_verifies_and_runs() -> None:
    script = ('hits = [r for r in extract_records(scans, "package (PKG[0-9]+) stored in '
              'warehouse (WH[0-9]+)") if r["1"] == "PKG65647553"]\nsubmit(hits[0]["2"])\n')
    out = run_script(script, STR, scans=SCANS)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == "WH959"
    assert out.vm is not None and out.proof is not None
    bound = next(o for o in out.proof["obligations"] if o["name"] == "sizes")["memory_bytes"]
    assert out.vm.memory_peak <= bound < 200 * len(SCANS)


def test_an_append_loop_over_extracted_records_verifies() -> None:
    script = ('keep = []\nfor r in extract_records(scans, "(WH9[0-9]+)$"):\n'
              '    keep.append(r)\nsubmit(len(keep))\n')
    out = run_script(script, INT, scans=SCANS)
    assert out.stage == "done", [d.message for d in out.diagnostics]
    assert out.answer == sum(1 for line in SCANS.splitlines() if " WH9" in line)


def test_nested_groups_are_bounded_by_their_overlap() -> None:
    text = "x" * 1000 + "\n" + "x" * 10
    for pattern in ["((x+))", "(?P<a>(?P<b>(x+)))", "x+"]:
        got = size_of(_extract_records(text, pattern))
        for pat_size in (Size.of_text(pattern), Size(len(pattern), 1)):
            bound = _extracted_size([Size.of_text(text), pat_size])
            assert got.len <= bound.len and got.elem <= bound.elem, pattern
            assert got.sum is not None and bound.sum is not None and got.sum <= bound.sum
