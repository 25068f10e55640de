"""A dict indexed by an int literal: the key written as text, fixed.

A headerless table's records are keyed "0", "1", ... (records() names a column
by its position, as text). The 1.5B wrote `r[1]`, was told "convert with
str(1)", and wrote `str(r[1])` three rounds running. The fix now says the key
as text, and its fix-it writes it so; run, it finds the row.
"""

from __future__ import annotations

from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import STR

SERVICES = "\n".join(f"svc{i}\t{i * 7}/tcp" for i in range(40)) + "\nimap9\t993/tcp\n"


def test_an_int_key_of_a_str_keyed_dict_is_told_and_fixed_to_text() -> None:
    script = ('ports = [r[1] for r in records(services) if "imap9" in r[0]]\n'
              'if len(ports) == 0:\n    fail("no imap9")\nsubmit(ports[0])\n')
    out = run_script(script, STR, services=SERVICES)
    assert out.stage == "check"
    assert [(d.code, d.fix) for d in out.diagnostics] == [
        ("E_TYPE", 'write the key as text: r["1"]'), ("E_TYPE", 'write the key as text: r["0"]')]
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None and 'r["1"]' in fixed and 'r["0"]' in fixed
    done = run_script(fixed, STR, services=SERVICES)
    assert done.stage == "done" and done.answer == "993/tcp"


def test_other_keys_keep_their_conversion_fix() -> None:
    out = run_script('d = {"a": 1}\nn = 2\nsubmit(str(d[n]))\n', STR)
    assert out.stage == "check" and out.diagnostics[0].fix == "convert with str(n)"
