"""A submitted answer the script did not compute from the data is a guess (task/guess.py):
the flow follows names, tests and loops, and never calls a computed answer a guess."""

from __future__ import annotations

import pytest

from rlmlang.task.answers import copied_piece
from rlmlang.task.guess import submits_from_data

INPUTS = ["servers", "sites"]

GUESSES = {
    "literals only": 'codes = ["SKU-82717", "SKU-43625"]\nsubmit(codes)\n',
    "read the data, then submitted a literal": (
        'racks = servers.split("\\n")\n'
        'for rack in racks:\n'
        '    if rack.startswith("SER-1"):\n'
        '        print(rack)\n'
        'submit("Medan, Ines Mensah")\n'),
    "a name of literals beside data": (
        'n = len(servers)\nanswer = "Ghent"\nprint(n)\nsubmit(answer)\n'),
    "the question is no data": 'submit(question.split(" ")[-1])\n',
}

COMPUTED = {
    "the data itself": 'submit(servers.splitlines()[0])\n',
    "through names": 'rows = records(servers)\nbest = rows[0]["site"]\nsubmit(best)\n',
    "a literal under a test of the data": (
        'if "refund" in sites:\n    submit("negative")\nelse:\n    submit("positive")\n'),
    "a literal set in a loop over the data": (
        'found = "none"\n'
        'for line in lines(sites):\n'
        '    if "Ghent" in line:\n'
        '        found = "Ghent"\n'
        'submit(found)\n'),
    "a list grown from the data": (
        'hits = []\nfor l in servers.splitlines():\n    hits.append(l)\nsubmit(len(hits))\n'),
    "a while over data-bound names": (
        'n = len(lines(sites))\ni = 0\nk = 0\nwhile i < n:\n    i += 1\n    k = i\n'
        'submit(k)\n'),
    "a def that reads the data": (
        'def site_of() -> str:\n    return sites.split(",")[0]\nsubmit(site_of())\n'),
    "a submit inside a def": (
        'def pick(x: str):\n    submit(x)\npick("Ghent")\n'),
    "the state": 'submit(state.notes)\n',
    "a tool of its own": 'submit(llm.predict("Which city?", text="x"))\n',
    "the else of a loop over the data": (
        'for l in lines(sites):\n    if "x" in l:\n        break\nelse:\n'
        '    submit("none")\nsubmit("some")\n'),
}


@pytest.mark.parametrize("name", list(GUESSES))
def test_a_literal_answer_is_a_guess(name: str) -> None:
    assert not submits_from_data(GUESSES[name], INPUTS)


@pytest.mark.parametrize("name", list(COMPUTED))
def test_an_answer_computed_from_the_data_is_not(name: str) -> None:
    assert submits_from_data(COMPUTED[name], INPUTS)


def test_with_no_data_inputs_nothing_is_a_guess() -> None:
    assert submits_from_data('submit("42")\n', [])


SEARCH_THEN_FALLBACK = (
    'for rack in servers.split("\\n"):\n'
    '    if rack.startswith("SER-61439"):\n'
    '        submit(rack.split(",")[1])\n'
    'submit({fallback})\n')


@pytest.mark.parametrize("fallback,answer", [
    ('"Medan, Ines Mensah"', "Medan, Ines Mensah"),  # words of an input's preview
    ('"  medan "', "Medan"),  # the vote's own key: case and spaces do not matter
    ("42", 42),
    ('["Ghent", "Medan"]', ["Ghent", "Medan"]),
])
def test_a_fallback_literal_that_names_something_is_a_guess(fallback: str, answer: object) -> None:
    """The search found nothing and the run fell through to a literal it never read."""
    script = SEARCH_THEN_FALLBACK.format(fallback=fallback)
    assert submits_from_data(script, INPUTS)  # the script may compute its answer...
    assert not submits_from_data(script, INPUTS, answer=answer)  # ...this one it did not


@pytest.mark.parametrize("fallback,answer", [
    ('"no"', "no"), ('"No"', "NO"), ("False", False), ("0", 0), ("-1", -1),
])
def test_a_fallback_verdict_is_the_searchs_answer(fallback: str, answer: object) -> None:
    assert submits_from_data(SEARCH_THEN_FALLBACK.format(fallback=fallback), INPUTS,
                             answer=answer)


def test_an_answer_the_search_found_is_no_guess() -> None:
    script = SEARCH_THEN_FALLBACK.format(fallback='"Medan, Ines Mensah"')
    assert submits_from_data(script, INPUTS, answer="Ghent")
    # a literal under a test of the data is the test's answer, whatever it names
    tested = 'if "refund" in sites:\n    submit("Ghent")\nsubmit("Medan")\n'
    assert submits_from_data(tested, INPUTS, answer="Ghent")
    assert not submits_from_data(tested, INPUTS, answer="Medan")


@pytest.mark.parametrize(("value", "wholes", "part"), [
    ("K7-19QX", ["2026-01-02 badge 4820: access code K7-19QX issued"], True),
    (4820, ["2026-01-02 badge 4820: access code K7-19QX issued"], True),
    (["Perth", "Oslo"], [["1,Perth,20,a", "2,Oslo,31,b"]], True),
    ("K7-19Q", ["badge 4820: access code K7-19QX issued"], False),  # not whole words
    ("badge 4820: code K7", ["badge 4820: access code K7-19QX"], False),  # not in it
    ("a b c d", ["a b c d"], False),  # all of it: the line itself again
    ("Q1-00AA", [], False),  # nothing was sent back
    (True, ["True story of a b"], False),
])
def test_a_part_of_an_answer_sent_back(value: object, wholes: list, part: bool) -> None:
    from rlmlang.task.answers import part_of

    assert part_of(value, wholes) is part


VERDICT_IN_LOOP = '''for review in reviews.split("\\n"):
    if "Review INV-1" in review:
        verdict = llm.predict("Is this review positive? Answer yes or no.", text=review)
        if "yes" in verdict.lower():
            submit("positive")
        else:
            submit("negative")
        break
else:
    fail("no review INV-1")
submit("positive")
'''


def test_a_submit_that_never_runs_is_no_fallback() -> None:
    """Both branches submit, so the break after them never runs, the loop's else fails,
    and the last submit is dead code: the 1.5B's answer read from llm.predict was taken
    for that 'fallback' and called a guess (dev semantic-03)."""
    assert submits_from_data(VERDICT_IN_LOOP, ["reviews"], ("llm",), "positive")
    breaks = VERDICT_IN_LOOP.replace('        else:\n            submit("negative")\n', "")
    assert not submits_from_data(breaks, ["reviews"], ("llm",), "positive")  # reachable
    assert submits_from_data(breaks, ["reviews"], ("llm",), "negative") is True


def test_a_piece_of_json_is_copied_text_and_a_quoted_value_is_not() -> None:
    line = '{"order": "SH-1", "customer": {"name": "Emeka Holm", "address": {"city": "Quito"}}}'
    assert copied_piece('": "Emeka Holm", "address": {"city": "Quito"}}}', [line])
    assert not copied_piece("Emeka Holm", [line])
    assert not copied_piece('"city": "Quito"', [line]), "one pair of punctuation is a value"
    assert not copied_piece('": "Emeka Holm", "address": {"city": "Lima"}}}', [line]), \
        "not in the input"
    blocks = "tracking: PKG-1\ncarrier: GLS\nweight_kg: 3.5\n\ntracking: PKG-2\ncarrier: DHL\n"
    assert copied_piece(["PKG-1\ncarrier: GLS\nweight_kg: 3.5", "PKG-2"], [blocks])
    assert not copied_piece(["PKG-1", "PKG-2"], [blocks])
    assert not copied_piece("PKG-1\n", [blocks]), "one line is no record"
    table = "id\tcity\n" + "\n".join(f"C{i}\tTunis" for i in range(40))
    assert not copied_piece(table, [table]), "a whole table is no piece of a record"


def test_an_answer_the_question_writes_is_what_it_looks_up() -> None:
    from rlmlang.task.answers import echoes_question

    q = "What is the access code of badge 4820?"
    assert echoes_question("4820", q) and echoes_question("badge 4820", q)
    assert not echoes_question("K7-19QX", q)
    assert not echoes_question(4820, q), "a number answer may equal a number asked about"
    assert not echoes_question("storage", "Which team closed more, network or storage?")
    codes = "What are the codes of locker AT-24359, locker AT-75475 and locker AT-90719?"
    assert echoes_question(["AT-24359", "AT-75475", "AT-90719"], codes)
    assert not echoes_question(["AT-24359", "1369"], codes)
    assert echoes_question(["AT-11111", "AT-24359", "AT-90719", "AT-75475"], codes), \
        "every locker of the input, those asked about among them"
    assert not echoes_question(["AT-1", "AT-3"], "Which of locker AT-1, AT-2 and AT-3 are open?")
    # the digits of the keys, a split at "locker AT-" keeping each locker's own number
    assert echoes_question(["56651", "75475", "24359"], codes)
    assert not echoes_question(["1369", "8811"], codes)


@pytest.mark.parametrize(("value", "question", "echo"), [
    (59288, "Find the code for locker C-59288.", True),
    (59288.0, "Look up locker C-59288: what is its code?", True),
    (7297, "Find the code for locker C-59288.", False),
    (3, "How many sales were made in Q3?", False),  # too short to be a key's number
    (2002, "How many orders were placed in 2002?", False),  # a number the question asks about
    (15, "What is the sum of the digits of 2 to the power 15?", False),
])
def test_a_number_answer_is_an_echo_when_it_is_a_keys_digits(value: float, question: str,
                                                             echo: bool) -> None:
    from rlmlang.task.answers import echoes_question

    assert echoes_question(value, question) is echo


def test_a_choice_question_names_its_two_sides() -> None:
    from rlmlang.task.answers import off_choice, offered_choices
    q = "Is review INV-51834 positive or negative?"
    assert offered_choices(q) == ("review INV-51834 positive", "negative")
    assert offered_choices("The context is a log. Was the total over 100 or under 100? "
                           "Answer in one word.") == ("total over 100", "under 100")
    assert offered_choices("How many lines say refund or return?") is None, "no choice asked"
    assert offered_choices("Did the nightly build pass or not?") is None, "a yes-or-no question"
    assert off_choice("Yes", q) and off_choice(True, q) and off_choice("unknown", q)
    assert not off_choice("Positive.", q) and not off_choice("not negative", q)
    assert not off_choice("Yes", "What is the access code of badge 4820?")


def test_a_list_in_the_datas_order_is_told_from_the_questions() -> None:
    """The codes of three lockers, collected down the input's lines, in its order: each
    code sits on a line with exactly one locker asked about, so the order is known."""
    from rlmlang.task.order import misordered, question_keys
    q = ("What are the codes of locker AT-24359, locker AT-75475 and locker AT-90719? "
         "Answer in that order, separated by commas.")
    text = ("The code for locker AT-90719 is 6686\nlocker AT-11111 holds 6686 spare keys\n"
            "The code for locker AT-24359 is 1369\nThe code for locker AT-75475 is 2001\n")
    assert question_keys(q) == ["AT-24359", "AT-75475", "AT-90719"]
    lines = text.splitlines()
    plain = "\n".join(lines[:1] + lines[2:])
    assert misordered(["6686", "1369", "2001"], q, [plain]) == [
        ("6686", "AT-90719"), ("1369", "AT-24359"), ("2001", "AT-75475")]
    assert misordered("6686, 1369, 2001", q, [plain]) is not None, "a joined text too"
    assert misordered(["1369", "2001", "6686"], q, [plain]) is None, "in the order asked"
    # a value also on a line of no key asked about: which key it is is not known
    assert misordered(["6686", "1369", "2001"], q, [text]) is None
    assert misordered(["6686", "1369"], q, [plain]) is None, "not one value per key"
