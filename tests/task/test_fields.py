"""An answer from the wrong field of the one record the question names (task/fields.py)."""

from __future__ import annotations

import pytest

from rlmlang.task.fields import wrong_field

ASSETS = ("asset_tag,owner,serial,location\n"
          + "".join(f"AT-{60000 + 7 * i},Owner {i % 40},SN-{900000 + i},City {i % 9}\n"
                    for i in range(300))
          + "AT-66844,Mara Kim,SN-W2B76ZFM,Izmir\nAT-66845,Mara Kim,SN-Q0000001,Izmir\n")
SERIAL_Q = "What is the serial number of asset AT-66844?"


def test_another_field_of_the_record_the_question_names_is_judged() -> None:
    found = wrong_field("Mara Kim", SERIAL_Q, [ASSETS])
    assert found is not None
    assert (found.held, found.asked, found.key) == ("owner", "serial", "AT-66844")
    assert found.line == "AT-66844,Mara Kim,SN-W2B76ZFM,Izmir"
    assert wrong_field("Izmir", SERIAL_Q, [ASSETS]).held == "location"


def test_the_asked_field_a_key_the_question_gives_or_many_records_are_not() -> None:
    assert wrong_field("SN-W2B76ZFM", SERIAL_Q, [ASSETS]) is None
    # the question keys on the serial: the asset tag is what it asks for
    assert wrong_field("AT-66844", "Which asset has serial SN-W2B76ZFM?", [ASSETS]) is None
    assert wrong_field("Mara Kim", "Who is the owner of serial SN-W2B76ZFM?", [ASSETS]) is None
    # a value held by many records is a filter, not the key of one record
    assert wrong_field("AT-66844", "Which serial is the newest in Izmir?", [ASSETS]) is None
    # an answer that is the asked field of some record is not judged at all
    assert wrong_field("SN-900003", SERIAL_Q, [ASSETS]) is None
    # prose has no fields; a number is not a field's text
    assert wrong_field("Mara Kim", SERIAL_Q, ["Mara Kim owns AT-66844 and more."]) is None
    assert wrong_field(66844, SERIAL_Q, [ASSETS]) is None


def test_the_columns_a_question_quotes_for_a_headerless_table_are_not_asked_for() -> None:
    """"CSV lines 'id,city,amount'" names the columns; the question asks the amount."""
    from rlmlang.tools.reader import task_question

    rows = "".join(f"{i},City {i},{i}.5\n" for i in range(40)) + "40,Perth,12.5\n"
    q = "The context is CSV lines 'id,city,amount'. What is the amount for city Perth?"
    with task_question(q):
        assert wrong_field("12.5", q, [rows]) is None
        assert wrong_field("40", q, [rows]) is not None  # its id: another field


@pytest.mark.parametrize(("question", "asked"), [
    ("What is the hub city of the region of the depot of parcel PAR-1?", "hub_city"),
    # the field named after the last phrase that asks, not the first one named (fresh
    # dev three-hop-04 was told its right hub city was a hop short of the region)
    ("Starting from parcel PAR-1, follow its depot to the region: what is the hub city?",
     "hub_city"),
    ("For parcel PAR-1, find the depot and give that depot's region.", "region"),
    ("Which depot is parcel PAR-1 in?", "depot"),
    ("Look up parcel PAR-1 and give its code.", "code"),
])
def test_the_field_a_question_asks_for(question: str, asked: str) -> None:
    from rlmlang.task.fields import asked_field

    assert asked_field(question, ("parcel", "depot", "region", "hub_city", "code")) == asked
