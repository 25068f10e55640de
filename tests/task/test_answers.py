"""An answer converted to the task's type (task/answers.coerce_answer): exact, or refused
with a message that says what to submit instead."""

from __future__ import annotations

import pytest
from script_run import run_script

from rlmlang.task.answers import AnswerError, coerce_answer
from rlmlang.types import FLOAT, INT, STR, ListT


@pytest.mark.parametrize("text,want", [("1,234", 1234), (" 42 ", 42), ("7.", 7)])
def test_a_number_written_as_text_is_that_number(text: str, want: int) -> None:
    assert coerce_answer(text, INT) == want


def test_a_number_that_runs_on_into_the_rest_of_the_input_says_to_take_the_number() -> None:
    """`line.split("The code for locker SH-85537 is ")[1]` kept everything after the label
    to the end of the input (dev sample 5 needle-13): the refusal names the number it starts
    with and says how to take it alone; a text with no number in front gets no such fix."""
    with pytest.raises(AnswerError) as e:
        coerce_answer("9450.\n2 Kings 20:6 And I will add", INT)
    assert e.value.fix is not None and e.value.fix.startswith(
        "the text starts with the number 9450 and runs on after it: submit the number alone")
    with pytest.raises(AnswerError) as e:
        coerce_answer("code unknown", FLOAT)
    assert e.value.fix is None
    out = run_script('submit(after(context, "is "))\n', INT,
                     context="The code for locker SH-1 is 9450.\nOther text follows here.\n")
    assert out.answer_error is not None and out.answer_error.fix is not None
    assert "starts with the number 9450" in out.answer_error.fix


def test_the_rest_of_an_input_after_a_label_is_no_value() -> None:
    """`context.split("pass phrase ")[1]`: the phrase, then every line to the end of the
    input (dev sample 5 needle-10, taken in the last round as a lone answer). Whole last
    lines, or one line's piece, are not so judged here."""
    from rlmlang.task.answers import copied_bulk, no_value

    text = ("Exodus 3:6 Moreover he said\nGuest ORD-1 chose the pass phrase silver river.\n"
            "Exodus 3:7 And the LORD said\nGuest ORD-2 chose the pass phrase crystal falcon.\n")
    rest = text.split("pass phrase ", 1)[1]
    assert copied_bulk(rest, [text])
    assert no_value(rest, "What is the pass phrase of guest ORD-1?", [text], echo=True,
                    bulk=True) == "bulk"
    assert not copied_bulk("silver river.", [text])
    assert not copied_bulk(text.split("\n", 2)[2], [text])  # whole lines, from a line's start


def test_a_value_read_off_the_end_of_a_sentence_loses_its_full_stop() -> None:
    """'silver copper.' of "... chose the pass phrase silver copper." is the phrase; a stop
    that belongs to an abbreviation, a number or a text of several lines stays."""
    assert coerce_answer("silver copper.", STR) == "silver copper"
    assert coerce_answer(["silver copper.", "falcon falcon."], ListT(STR)) == [
        "silver copper", "falcon falcon"]
    assert coerce_answer("island.example.", STR) == "island.example"
    for kept in ("Acme Inc.", "U.S.", "3.5", "K7-19QX", "line one\nline two."):
        assert coerce_answer(kept, STR) == kept
    assert coerce_answer("4247.", INT) == 4247


def test_a_float_is_rounded_as_the_question_asks() -> None:
    """"Round to 1 decimal.": 33.933... and 33.9 are one answer, and the answer is 33.9
    (half up); a question that asks no rounding keeps every digit."""
    from rlmlang.task.answers import coerce_answer, rounded_as_asked
    from rlmlang.types import FLOAT, INT, STR

    q = "What percentage of the penguins have year 2008? Round to 1 decimal."
    assert coerce_answer(33.933933933933936, FLOAT, q) == 33.9
    assert coerce_answer("33.93", FLOAT, q) == 33.9
    assert coerce_answer(33.94, STR, q) == "33.9"
    assert coerce_answer(12, INT, q) == 12
    assert coerce_answer(33.933, FLOAT, "What percentage have year 2008?") == 33.933
    assert rounded_as_asked(1.23456, "Give it rounded to two decimal places.") == 1.23
    assert rounded_as_asked(2.5, "Round the average to 0 decimals.") == 3.0
    assert rounded_as_asked(1.23456, "The round trip to 2 cities") == 1.23456
    # asked without the word "round" (fresh dev percentage-08 gave 10.22 for 10.2)
    assert rounded_as_asked(10.22, "What share, in percent to 1 decimal, have X?") == 10.2
    assert rounded_as_asked(1.23456, "Give the mean with 3 decimals.") == 1.235
    assert rounded_as_asked(1.23456, "How far is it to 2 places?") == 1.23456
    # a decimal number written as text is rounded as text; other text is left alone
    q2 = "What is the total yield? Round to 2 decimals."
    assert coerce_answer("61.800000000000004", STR, q2) == "61.8"
    assert rounded_as_asked("61.8", q2) == "61.8" and rounded_as_asked("3.14159", q2) == "3.14"
    assert rounded_as_asked("10.52.16.208", q2) == "10.52.16.208"
    assert rounded_as_asked("61.800000000000004", "What is the total?") == "61.800000000000004"


def test_a_decimal_written_as_text_is_one_answer_with_its_number() -> None:
    from rlmlang.task.answers import answer_key

    assert answer_key("61.800000000000004") == answer_key("61.8") == answer_key(61.8)
    assert answer_key("763675.0") == answer_key(763675) == answer_key("763675")
    assert answer_key("61.81") != answer_key("61.8")
    assert answer_key(" Ghent ") == answer_key("ghent")


def test_the_scripts_own_sentence_for_finding_nothing_is_no_answer() -> None:
    """A def's fallback "no section found with 'blaze' in its title" was a vote (dev s19);
    it is the script's own text for finding nothing, as "not found" is. A short answer
    such as "no", or a sentence the script did not write, is not."""
    from rlmlang.task.answers import found_nothing

    script = ('def find(text: str) -> str:\n    for part in text.split("##"):\n'
              '        if "blaze" in part:\n            return part\n'
              '    return "no section found with \'blaze\' in its title"\n'
              'submit(find(context))\n')
    assert found_nothing("no section found with 'blaze' in its title", script)
    assert found_nothing("No codes found", 'print(1)\nsubmit("No codes found")')
    assert not found_nothing("no", 'submit("no")')
    assert not found_nothing("No match was found", "submit(find_line(context, 'x'))")
    # "no <thing> for <key>": the else branch of a lookup (dev lookup-05), not an answer;
    # a sentence of the answer's own ("No it did not rain in Oslo") still is one
    written = 'submit("no terminal for flight TP7577")\nsubmit("No it did not rain in Oslo")'
    assert found_nothing("no terminal for flight TP7577", written)
    assert not found_nothing("No it did not rain in Oslo", written)
