"""An answer a hop short of a join (task/hops.py): the key of a record whose field the
question asks for first."""

from __future__ import annotations

from rlmlang.task.hops import hop_short

SITES = "site,city\nSIT-70,Lisbon\nSIT-71,Ghent\n"
EMPLOYEES = "name,salary,team\nAda Lind,120,ops\nBo Kim,90,dev\n"


def test_the_key_of_the_record_asked_about_is_a_hop_short() -> None:
    q = "What is the city of the site of the rack of server SER-107?"
    assert hop_short("SIT-71", q, {"sites": SITES}) == (
        "'SIT-71' is the site of a record of sites; the question asks for its city, a hop "
        "further:\nSIT-71,Ghent\nTake the city of that record (or follow the chain of lookups "
        "the question names to its end).")


def test_the_value_asked_for_or_a_criterion_is_not() -> None:
    q = "What is the city of the site of the rack of server SER-107?"
    assert hop_short("Ghent", q, {"sites": SITES}) is None
    # the name is asked first; the salary only ranks the names
    assert hop_short("Ada Lind", "Which name has the highest salary?",
                     {"employees": EMPLOYEES}) is None
    # a value the question itself gives is what it looks up
    assert hop_short("SIT-71", "Which city is site SIT-71 in?", {"sites": SITES}) is None
    assert hop_short(120, "What is the salary of Ada Lind?", {"employees": EMPLOYEES}) is None


def test_a_count_that_some_record_also_holds_is_no_hop_short() -> None:
    # 2 is the number of ops people, and also Bo Kim's grade: a count, not a key
    staff = "name,grade,status\nAda Lind,3,active\nBo Kim,2,active\nCy Ode,5,left\n"
    for q in ("How many people in the staff file have status active?",
              "What is the number of staff with status active?",
              "Tell me the total grade of the active staff."):
        assert hop_short("2", q, {"staff": staff}) is None
    # a numeric key asked a hop further is still one
    rooms = "room,floor\n2,ground\n5,roof\n"
    assert hop_short("2", "What is the floor of the room of Bo Kim?", {"rooms": rooms}) \
        is not None


def test_an_answer_that_is_the_asked_field_of_some_record_is_no_hop_short() -> None:
    # core-utils is a package; other packages name it in their depends field
    packages = ("package,depends,size\ncore-utils,libc,1800\ntar,core-utils,900\n"
                "gzip,core-utils,300\n")
    assert hop_short("core-utils", "Which package has the largest size?",
                     {"packages": packages}) is None
