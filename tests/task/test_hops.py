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
