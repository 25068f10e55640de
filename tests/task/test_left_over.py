"""A value left over from a search loop that found nothing is no vote (task/left_over.py,
controller/difference.py).

Fresh dev lookup-01: `for dept in departments: if dept["name"] == dept_id: ... break`,
then `submit(dept["floor"])`: the test compared a department's name with an id, the loop
never broke, and three scripts submitted the last department's floor against the one
that compared ids. The same text is right wherever the loop breaks; only a run tells.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rlmlang.controller.loop import Runtime
from rlmlang.runlog import read_events
from rlmlang.task.left_over import left_over_probe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakes import FakeModel  # noqa: E402

EMPLOYEES = "employee_id,name,dept_id,title\n" + "".join(
    f"{1000 + i},Person {i},D{100 + i % 40},engineer\n" for i in range(120))
DEPARTMENTS = "dept_id,name,floor\n" + "".join(
    f"D{100 + i},Unit {i},{(i * 7) % 50 + 1}\n" for i in range(40))
SIG = "employees: str, departments: str, question: str -> answer: int"
QUESTION = "On which floor does Person 13 work?"
SEARCH = '''emps = records(employees)
depts = records(departments)
for emp in emps:
    if emp["name"] == "Person 13":
        dept_id = emp["dept_id"]
        for dept in depts:
            if dept["{key}"] == dept_id:
                break
submit(int(dept["floor"]))
'''
RIGHT = SEARCH.replace("{key}", "dept_id")
WRONG = SEARCH.replace("{key}", "name")  # a name compared with an id: never true
JOINED = '''dept_id = [r["dept_id"] for r in records(employees) if r["name"] == "Person 13"][0]
floor = [r["floor"] for r in records(departments) if r["dept_id"] == dept_id][0]
print(dept_id, floor)
submit(int(floor))
'''


def test_the_probe_fails_where_the_submitted_loop_variable_is_left_over() -> None:
    probe = left_over_probe(WRONG)
    assert probe is not None
    assert probe.script == '''left_over_0 = False
emps = records(employees)
depts = records(departments)
for emp in emps:
    if emp["name"] == "Person 13":
        dept_id = emp["dept_id"]
        for dept in depts:
            if dept["name"] == dept_id:
                left_over_0 = False
                break
        else:
            left_over_0 = True
if left_over_0:
    fail("left over from loop 0")
submit(int(dept["floor"]))
'''
    said = probe.judged("failed", "left over from loop 0")
    assert said is not None and said.startswith(
        "The loop `for dept in depts:` ran to its end without a `break`: no dept passed its "
        "test, so dept is only the last item it went through, not one it found.")
    assert probe.judged("submitted", 31) is None


@pytest.mark.parametrize("script", [
    # what it submits is bound inside the loop, before the break: a default otherwise
    'found = 0\nfor r in records(t):\n    if r["a"] == "x":\n        found = int(r["b"])\n'
    "        break\nsubmit(found)",
    # the loop variable is read after the loop, but not by what it submits
    'n = 0\nfor r in records(t):\n    n += 1\n    if r["a"] == "x":\n        break\nprint(r)\n'
    "submit(n)",
    # no break: a loop that always runs to its end
    'for r in records(t):\n    print(r)\nsubmit(r["b"])',
    # its own else: the script says what an exhausted loop means
    'for r in records(t):\n    if r["a"] == "x":\n        break\nelse:\n    fail("none")\n'
    'submit(r["b"])',
    "submit(",
])
def test_scripts_with_no_left_over_value_get_no_probe(script: str) -> None:
    assert left_over_probe(script) is None


def test_a_name_computed_from_the_loop_variable_after_the_loop_is_probed() -> None:
    script = ('for r in records(t):\n    if r["a"] == "x":\n        break\nv = r["b"]\n'
              "w = int(v)\nsubmit(w + 1)")
    probe = left_over_probe(script)
    assert probe is not None and 'fail("left over from loop 0")' in probe.script


def test_a_left_over_floor_is_no_vote_and_the_run_takes_the_search_that_found(
        tmp_path: Path) -> None:
    """The real pipeline runs each probe over the real inputs: the wrong search's floor
    (the last department's) gets no vote, the model is told why, and replay agrees."""
    model = FakeModel([WRONG, RIGHT, JOINED])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 3}).run(
        SIG, QUESTION, employees=EMPLOYEES, departments=DEPARTMENTS)
    floors = {r.split(",")[0]: int(r.split(",")[2]) for r in DEPARTMENTS.splitlines()[1:]}
    assert out.answer == floors["D113"] != floors["D139"]
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert str(floors["D139"]) not in submit["data"]["votes"]
    assert "ran to its end without a `break`: no dept passed its test" in model.prompts[1]
    from rlmlang.cli import main
    assert main(["replay", str(tmp_path / "run.log")]) == 0
