"""E_LOOPVAR (check/leftover.py): a search loop's variable read after the loop, which never
breaks, is refused; its fix-it fails there instead, so the script answers where its test
matches and stops with a clear message where it does not, never with the last item."""

from __future__ import annotations

from script_run import run_script  # tests/script_run.py

from rlmlang.controller.fixits import apply_fixits
from rlmlang.types import STR

EMPLOYEES = "name,dept_id\n" + "".join(f"P{i},D{i % 7}\n" for i in range(40))
DEPTS = "dept_id,name,floor\n" + "".join(f"D{i},dept {i},{10 + i}\n" for i in range(7))
LOOKUP = '''emps = records(employees)
depts = records(departments)
for e in emps:
    if e["name"] == "P12":
        for d in depts:
            if d[FIELD] == e["dept_id"]:
                submit(d["floor"])
                break
        break
submit(d["floor"])
'''


def _run(script: str):
    return run_script(script, STR, employees=EMPLOYEES, departments=DEPTS)


def test_the_fallback_read_is_refused_and_its_fixit_answers_where_the_test_matches() -> None:
    script = LOOKUP.replace("FIELD", '"dept_id"')
    out = _run(script)
    # the break after submit is also said (a warning); the read is the error
    errors = [d for d in out.diagnostics if d.severity == "error"]
    assert out.stage == "check" and [d.code for d in errors] == ["E_LOOPVAR"]
    assert errors[0].message.startswith(
        "'d' is read after the for loop of line 5, which never breaks (a break after submit "
        "is never reached)")
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None
    done = _run(fixed)
    assert done.stage == "done" and done.answer == "15"  # P12 is in D5, on floor 15


def test_where_the_test_never_matches_the_fixit_stops_instead_of_the_last_item() -> None:
    script = LOOKUP.replace("FIELD", '"name"')  # a department's name is never its id
    out = _run(script)
    fixed = apply_fixits(script, out.diagnostics)
    assert fixed is not None
    failed = _run(fixed)
    assert failed.status == "failed" and failed.answer == (
        "the for loop of line 5 ended without its test matching, and 'd' would be its "
        "last item")
