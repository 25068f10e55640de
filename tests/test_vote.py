"""The vote's feedback says how much evidence each answer has: draws are not scripts."""

from __future__ import annotations

from rlmlang.task.vote import Tally, computation

REPEATED = 'hits = find_lines(employees, "100100")\nsubmit(len(hits))\n'
OTHER = 'submit(count_where(employees, "salary", ">", 100100))\n'


def test_a_disagreement_counts_one_script_drawn_again_as_one_script() -> None:
    """The 1.5B drew one script seven times against another's one answer and was told
    '2 (7 scripts)': as if seven computations agreed."""
    tally = Tally("Count the employees with salary above 100100.", needed=2, distinct=True)
    for round_ in (1, 2, 2, 3):
        tally.add(2, "sha-repeated", REPEATED, round_, greedy=True)
    tally.add(776, "sha-other", OTHER, 1)
    text = tally.disagreement()
    assert "- 2 (4 draws of 1 script), e.g.:" in text
    assert "- 776 (1 script), e.g.:" in text
    assert not tally.confident() and not tally.taken_unconfirmed(last=True)


def test_a_script_drawn_again_is_no_second_vote() -> None:
    """Counted by distinct computations, two scripts that agree outvote one script drawn
    four times, and lead the ranking; counted by draws (the tiny profile), the four draws win."""
    third = 'rows = where(employees, "salary > 100100")\nsubmit(len(rows))\n'
    by_scripts = Tally("Count the employees with salary above 100100.", needed=2, distinct=True)
    by_draws = Tally("Count the employees with salary above 100100.", needed=2)
    for tally in (by_scripts, by_draws):
        for round_ in (1, 2, 2, 3):
            tally.add(2, "sha-repeated", REPEATED, round_, greedy=True)
        tally.add(776, "sha-other", OTHER, 1)
        tally.add(776, "sha-third", third, 3)
    assert by_scripts.confident() and by_scripts.ranked()[0].value == 776
    assert by_draws.confident() and by_draws.ranked()[0].value == 2
    one_more = Tally("Count the employees with salary above 100100.", needed=2, distinct=True)
    for round_ in (1, 2):
        one_more.add(2, "sha-repeated", REPEATED, round_)
    one_more.add(776, "sha-other", OTHER, 1)
    assert not one_more.confident(), "one script against one: no majority, however drawn"


def test_the_feedback_shows_what_each_answer_s_script_printed() -> None:
    """Told to check an answer by printing what it comes from, the model printed and
    submitted in one script, and never saw the output: the feedback shows it."""
    script = ('humidity = group_sum(readings, "humidity", 3)\nprint(humidity)\n'
              'submit(humidity.get("81", 0))\n')
    tally = Tally("Count the readings with humidity above 81.", needed=2, distinct=True)
    tally.add(7371, "sha-one", script, 1, greedy=True, printed="{'81': 7371, '80': 7210}\n")
    text = tally.feedback()
    assert "It printed:\n{'81': 7371, '80': 7210}\nCheck it with a script that computes it " \
        "another way" in text
    tally.add(1576, "sha-two", OTHER, 1)
    assert "It printed:\n{'81': 7371, '80': 7210}" in tally.disagreement()
    quiet = Tally("Count the readings with humidity above 81.", needed=2, distinct=True)
    quiet.add(7371, "sha-one", script, 1, printed="  \n")
    assert "printed" not in quiet.feedback()
    long = Tally("q", needed=2, distinct=True)
    long.add(1, "sha", OTHER, 1, printed="x" * 5000)
    assert len(long.feedback()) < 1500, "a long output is cut"


def test_an_answer_inside_another_is_pointed_out() -> None:
    """Two scripts read the same value with more or fewer words around it: the README's
    main job drew the longer one's script for two more rounds, told only that they differ."""
    long_ = 'hits = find_lines(context, "badge 4820")\nsubmit(hits[0].split(": ")[1])\n'
    short = 'line = find_line(context, "badge 4820")\nsubmit(value_after(line, "access code"))\n'
    tally = Tally("What is the access code of badge 4820?", needed=2, distinct=True)
    tally.add("access code K7-19QX issued by security", "sha-long", long_, 1, greedy=True)
    tally.add("K7-19QX", "sha-short", short, 1)
    text = tally.disagreement()
    assert "'K7-19QX' is a part of 'access code K7-19QX issued by security'" in text
    assert "Submit exactly what the question asks for" in text
    apart = Tally("What is the access code of badge 4820?", needed=2, distinct=True)
    apart.add("K7-19QX", "sha-short", short, 1)
    apart.add("K7-19Q", "sha-long", long_, 1)  # not whole words of the other
    apart.add(19, "sha-other", OTHER, 1)  # a number inside a code is no part of it
    assert "is a part of" not in apart.disagreement()
    looked_up = Tally("What is the access code of badge 4820?", needed=2, distinct=True)
    looked_up.add("4820", "sha-badge", short, 1)  # the badge the question gives
    looked_up.add("access code K7-19QX issued by badge 4820", "sha-long", long_, 1)
    assert "is a part of" not in looked_up.disagreement()


def test_the_output_shown_is_the_first_that_printed_anything() -> None:
    """The first draw of an answer printed nothing; a later draw of it printed the lines:
    those are shown."""
    tally = Tally("q", needed=2, distinct=True)
    tally.add(5, "sha-a", OTHER, 1)
    tally.add(5, "sha-b", "print(1)\n" + OTHER, 2, printed="the lines\n")
    tally.add(5, "sha-c", OTHER, 3, printed="later\n")
    assert "It printed:\nthe lines" in tally.feedback()


def test_a_lone_answer_from_a_script_naming_nothing_asked_is_not_taken() -> None:
    """(strict) a lone answer is taken unconfirmed only from a script with a literal of
    the question: of the 1.5B's dev answers taken so from scripts naming nothing the
    question asks about, 2 in 18 were right."""
    question = "Which ticker symbol has the largest total price?"
    blind = 'rows = records(stocks)\nsubmit(rows[len(rows) - 1]["sym"])\n'
    named = 'rows = records(stocks)\nsubmit(max_row(rows, "price")["symbol"])\n'
    for script, taken in ((blind, False), (named, True)):
        tally = Tally(question, needed=2, distinct=True, strict=True)
        tally.add("AAPL", "sha", script, 1, greedy=True)
        tally.add("AAPL", "sha", script, 2, greedy=True)
        assert tally.taken_unconfirmed(last=True) is taken
    loose = Tally(question, needed=2, distinct=True)  # no data to search: not asked
    loose.add("AAPL", "sha", blind, 1, greedy=True)
    assert loose.taken_unconfirmed(last=True)


def test_a_share_of_the_whole_is_never_taken_unconfirmed() -> None:
    """100.0 asked for a percentage is what dividing the matching lines by themselves
    gives: like a count of nothing, only a second computation confirms it."""
    question = "What percentage of the shipments have destination Graz? Round to 1 decimal."
    for value in (100.0, "100", "100.0%"):
        tally = Tally(question, needed=2, distinct=True)
        tally.add(value, "sha", OTHER, 1, greedy=True)
        tally.add(value, "sha", OTHER, 2, greedy=True)
        assert not tally.taken_unconfirmed(last=True)
        assert "A share of the whole is what dividing" in tally.feedback()
    fraction = Tally("What fraction of the orders were refunded?", needed=2, distinct=True)
    fraction.add(1.0, "sha", OTHER, 1, greedy=True)
    assert not fraction.taken_unconfirmed(last=True)
    percent = Tally("What percentage were refunded?", needed=2, distinct=True)
    percent.add(1.0, "sha", OTHER, 1, greedy=True)  # the fraction of the whole
    assert not percent.taken_unconfirmed(last=True)
    for question, value in (("How many orders were refunded?", 100),
                            ("What percentage were refunded?", 10.0)):
        tally = Tally(question, needed=2, distinct=True)
        tally.add(value, "sha", OTHER, 1, greedy=True)
        assert tally.taken_unconfirmed(last=True), (question, value)


def test_a_confirmed_core_of_every_answer_is_confident() -> None:
    """Every answer holds 'K7-19QX' (whole words) and two computations gave it alone: no
    script contradicts it, the others add words around it. Unconfirmed, or contradicted
    by one answer that does not hold it, it is not taken; the tiny profile's vote by
    draws never reads answers so. Where the words around it are labels the question
    writes, or a whole input line, the scripts that wrote them found it too."""
    q = "What is the access code of badge 4820?"
    tally = Tally(q, needed=2, distinct=True)
    tally.add("K7-19QX", "a", "submit(a)", 1)
    tally.add("access code K7-19QX issued by security", "b", "submit(b)", 1)
    tally.add("K7-19QX issued by security", "c", "submit(c)", 2)
    tally.add("K7-19QX issued by security", "d", "submit(d)", 2)
    assert not tally.confident(), "one computation alone is not confirmed"
    tally.add("K7-19QX", "e", "submit(e)", 2)
    assert tally.confident() and tally.leader().value == "K7-19QX"
    pair = Tally("At which dock was shipment SH-674 unloaded?", needed=2, distinct=True)
    pair.add("D59", "a", "submit(a)", 1)
    assert not pair.confident(), "one computation alone is not confirmed"
    pair.add("dock D59", "b", "submit(b)", 2)
    assert pair.confident() and pair.leader().value == "D59"
    line = Tally("Which name has the highest weight in pounds?", needed=2, distinct=True)
    line.add("pontiac safari (sw)", "a", "submit(a)", 1)
    line.add("pontiac safari (sw),13,8,175,5140,12,1971,USA", "b", "submit(b)", 1,
             copied=True)
    assert line.confident() and line.leader().value == "pontiac safari (sw)"
    short = Tally("Host cache-8441 has an IP address; which rack holds that IP?", needed=2,
                  distinct=True)
    short.add("10.52.16.208", "a", "submit(a)", 1)
    short.add("10.52.16.208 (dc=lon1)", "b", "submit(b)", 1)
    assert not short.confident(), "other words around it: perhaps a hop short"
    tally.add("Q1-00AA", "f", "submit(f)", 3)
    assert not tally.confident(), "an answer without it contradicts it"
    draws = Tally(q, needed=2)
    for sha in "ae":
        draws.add("K7-19QX", sha, f"submit({sha})", 1)
    draws.add("access code K7-19QX issued", "b", "submit(b)", 1)
    draws.add("K7-19QX issued", "c", "submit(c)", 1)
    draws.add("K7-19QX issued", "d", "submit(d)", 1)
    assert not draws.confident()


def test_no_word_of_a_table_sized_answer_is_read_off_it() -> None:
    table = "id\tcity\n" + "\n".join(f"C{i}\tTunis" for i in range(40))
    assert not Tally.part_of_known("Tunis", [table])
    assert Tally.part_of_known("K7-19QX", ["access code K7-19QX issued"])


def test_a_carried_over_fix_it_is_the_computation_it_carries() -> None:
    """A fix-it that put an earlier script's statements in front of a script that only
    printed and submitted them computes what that script did: no second computation."""
    first = 'hits = find_lines(readings, "S-95")\nsubmit(min(to_float(h) for h in hits))\n'
    carried = 'hits = find_lines(readings, "S-95")\nt = min(to_float(h) for h in hits)\n' \
        'print(t)\nsubmit(t)\n'
    tally = Tally("What is the lowest temperature of sensor S-95?", needed=2, distinct=True)
    tally.add(-1.8, "sha-first", first, 1, greedy=True)
    tally.add(-1.8, "sha-carried", carried, 2, same_as=first)
    assert not tally.confident()
    tally.add(-1.8, "sha-again", carried, 3)  # its very text drawn again: the same
    assert not tally.confident()
    other = 'rows = where(readings, "sensor == S-95")\nsubmit(min(numbers(rows, "temp")))\n'
    tally.add(-1.8, "sha-other", other, 3)
    assert tally.confident()


def test_an_input_given_its_own_text_is_no_other_computation() -> None:
    """`penguins = str(penguins)` before the same reading computes nothing more."""
    reading = 'total = 0\nfor line in penguins.splitlines():\n    total += len(line)\n' \
        'submit(total)\n'
    assert computation("penguins = str(penguins)\n" + reading) == computation(reading)
    assert computation("penguins = penguins\n" + reading) == computation(reading)
    # a name the script set before is not the input's text: its str() is another value
    other = 'total = 0\ntotal = str(total)\nsubmit(total)\n'
    assert computation(other) != computation('total = 0\nsubmit(total)\n')


def test_a_rounded_result_is_no_other_computation() -> None:
    """Dev percentage-03: the same division, once rounded, was two computations of 100.0."""
    plain = ('a = count_where(penguins, "species", "Gentoo")\n'
             'b = count_where(penguins, "species", "Gentoo")\nsubmit(a / b * 100)\n')
    assert computation(plain.replace("submit(a / b * 100)", "submit(round(a / b * 100, 1))")) \
        == computation(plain)
    rounded = plain.replace("submit(a / b * 100)", "p = round(a / b * 100, 1)\nsubmit(p)")
    assert computation(rounded) != computation(plain)  # another statement: another script
    assert computation(rounded) == computation(rounded.replace("round(a / b * 100, 1)",
                                                               "round(a / b * 100)"))


def test_a_submitted_value_converted_is_no_other_computation() -> None:
    """Fresh dev no-input-03: `submit(big_pow(10, 72))` and `submit(str(big_pow(10, 72)))`
    were two computations of the power, and outvoted the one of its digit sum."""
    power = "submit(big_pow(10, 72))"
    for converted in ("submit(str(big_pow(10, 72)))", "submit(int(big_pow(10, 72)))"):
        assert computation(converted) == computation(power)
    assert computation("submit(len(str(big_pow(10, 72))))") != computation(power)
    # and the digits, submitted for an int answer, are read exactly (not through a float)
    from rlmlang.task.answers import coerce_answer
    from rlmlang.types import INT
    assert coerce_answer(str(10 ** 72), INT) == 10 ** 72
    assert coerce_answer("1,234", INT) == 1234 and coerce_answer("7.0", INT) == 7


def test_a_line_split_into_its_words_is_a_copied_line() -> None:
    from rlmlang.task.answers import copied_lines

    text = 'x\n2024-09-01T19:08:14Z INFO  [accounts] employee #36335 set password hint "g i"\n'
    assert copied_lines('2024-09-01T19:08:14Z, INFO, [accounts], employee, #36335, set, '
                        'password, hint, "g, i"', [text])
    assert not copied_lines("Ana, Bo, Cy, Di", [text])


def test_a_zero_never_outvotes_a_count_with_confidence() -> None:
    """The 1.5B tested the wrong field (`line.split(",")[3] == "Medan"`), inline and in a
    def: two computations of 0 against the 18 of one script drawn three times. A test
    that matches nothing gives 0 however often it is written: a disagreement, said so."""
    question = "Count the rows whose city column is Medan."
    tally = Tally(question, needed=2, distinct=True)
    inline = ('n = 0\nfor line in customers.splitlines():\n'
              '    if line.split(",")[3] == "Medan":\n        n += 1\nsubmit(n)\n')
    in_def = ('def count(customers: str) -> int:\n    n = 0\n'
              '    for line in customers.splitlines():\n'
              '        if line.split(",")[3] == "Medan":\n            n += 1\n'
              '    return n\nsubmit(count(customers))\n')
    for round_ in (1, 1, 1):
        tally.add(18, "sha-tool", 'submit(count_rows(customers, "city", "Medan"))\n', round_)
    tally.add(0, "sha-inline", inline, 2)
    tally.add(0, "sha-def", in_def, 3)
    assert tally.ranked()[0].value == 0 and not tally.confident()
    assert "0 is what a test that matches nothing gives" in tally.disagreement()
    agreeing = Tally(question, needed=2, distinct=True)
    agreeing.add(0, "sha-inline", inline, 1)
    agreeing.add(0, "sha-def", in_def, 2)
    agreeing.add("none", "sha-text", 'submit("none")\n', 2)
    assert agreeing.confident(), "a zero against no other count keeps its votes"


def test_a_result_thrown_away_is_no_other_computation() -> None:
    """The same reading with builtin calls whose results are dropped (the 1.5B's carried-
    over fix-it wrote `lines_with(...)` alone on lines around its `x = lines_with(...)`)
    is one computation; a method call or a call of the script's def may change a value,
    and makes another."""
    reading = 'x = lines_with(log, ["ERROR [inventory]"])\nsubmit(len(x))\n'
    padded = ('x = lines_with(log, ["ERROR [inventory]"])\nlines_with(log, ["ERROR"])\n'
              'print(len(x))\nlen(x)\nx\nsubmit(len(x))\n')
    assert computation(padded) == computation(reading)
    appended = 'x = lines_with(log, ["ERROR"])\nx.append("a")\nsubmit(len(x))\n'
    assert computation(appended) != computation(appended.replace('x.append("a")\n', ""))
    helper = ('def add(xs: list[str]) -> int:\n    xs.append("a")\n    return 0\n'
              'x = lines_with(log, ["ERROR"])\nadd(x)\nsubmit(len(x))\n')
    assert computation(helper) != computation(helper.replace("add(x)\n", ""))


def test_float_sums_that_differ_in_the_last_digit_are_one_answer() -> None:
    """A loop's running sum (39935.79999999999) and `sum(...)` of the same weights
    (39935.8) were two answers of a vote, each against the other (dev sum-08)."""
    loop = ('w = 0.0\nfor line in find_lines(shipments, "Tallinn"):\n'
            '    w += float(line.split("weight_kg=")[1].split(" ")[0])\nsubmit(w)\n')
    comp = ('submit(sum([float(l.split("weight_kg=")[1].split(" ")[0]) '
            'for l in find_lines(shipments, "Tallinn")]))\n')
    tally = Tally("Sum the weight in kg of the shipments from Tallinn.", needed=2, distinct=True)
    tally.add(39935.79999999999, "sha-loop", loop, 1)
    tally.add(39935.8, "sha-comp", comp, 1)
    assert tally.confident() and len(tally.ranked()) == 1
    whole = Tally("How many?", needed=2, distinct=True)
    whole.add(763675.0, "sha-a", loop, 1)
    whole.add(763675, "sha-b", comp, 1)
    assert len(whole.ranked()) == 1


def test_a_script_written_again_with_a_temporary_is_another_computation() -> None:
    """`count = len(hits); submit(count)` beside `submit(len(hits))` is a second
    computation, as other names are: of the answers the 1.5B confirmed on dev runs with
    a script written again so, 16 of 18 were right (docs/runtime.md). Counting them as one
    was tried at a3dde37, for one confirmed misreading (dev s31 threshold-01, whose
    cause, a salary ordered as text, the checker now refuses), and taken back."""
    one = 'hits = [r for r in records(employees) if r["salary"] > "116700"]\nsubmit(len(hits))\n'
    named = ('hits = [r for r in records(employees) if r["salary"] > "116700"]\n'
             'count = len(hits)\nsubmit(count)\n')
    assert computation(one) != computation(named)
    assert computation(one) == computation(one.replace("submit(", "print(len(hits))\nsubmit("))
