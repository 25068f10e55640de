"""One answer to "what is this runtime value" (types.prim_of / kind_of), and the words
each message built on it has always used."""

from __future__ import annotations

from rlmlang.store import describe_value
from rlmlang.task.answers import format_type_of
from rlmlang.task.signature import type_of_value
from rlmlang.types import BOOL, FLOAT, INT, NONE, STR, conforms, kind_of, prim_of

VALUES = [True, 1, 1.5, "s", None, [1], {"a": 1}]


def test_kinds_name_the_type_head_and_bool_is_not_an_int() -> None:
    assert [kind_of(v) for v in VALUES] == ["bool", "int", "float", "str", "none", "list",
                                            "dict"]
    assert kind_of((1, 2)) == "tuple"  # a value no script holds: its Python class
    assert [prim_of(v) for v in VALUES] == [BOOL, INT, FLOAT, STR, NONE, None, None]


def test_each_message_keeps_its_words() -> None:
    assert [format_type_of(v) for v in VALUES] == ["bool", "int", "float", "str", "None",
                                                   "a list", "a dict"]
    assert [describe_value(v) for v in VALUES] == ["bool", "int", "float", "str", "none",
                                                   "list[int]", "{a: int}"]
    assert [str(type_of_value(v)) for v in VALUES] == ["bool", "int", "float", "str", "none",
                                                       "list[int]", "dict[str, int]"]


def test_conforms_takes_an_int_for_a_float_but_never_a_bool() -> None:
    assert conforms(1, FLOAT) and conforms(1.5, FLOAT) and not conforms(True, FLOAT)
    assert not conforms(True, INT) and conforms(True, BOOL) and not conforms(1, BOOL)
    assert conforms(None, NONE) and not conforms(0, NONE) and not conforms("1", INT)
