"""Controller logic with a scripted fake model: repair, voting, budgets, the log.

The fake model only replaces generation; parsing, checking, verification,
the VM, the state store and the log are the real ones. End-to-end runs with
the real model are in test_run_model.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeModel  # tests/fakes.py, shared with the audit tests

from rlmlang.controller.loop import Runtime
from rlmlang.policy import Policy
from rlmlang.runlog import check_chain, read_events

CONTEXT = "\n".join(f"2026-01-01 badge {1000 + i} opened door {i % 7}" for i in range(3000))
CONTEXT += "\n2026-01-02 badge 4820: access code K7-19QX issued\n"
SIG = "context: str, question: str -> answer: str"
QUESTION = "What is the access code of badge 4820?"


GOOD = 'line = find_line(context, "badge 4820")\nsubmit(value_after(line, "access code"))'


def runtime(model: FakeModel, tmp_path: Path, **kw) -> Runtime:
    budgets = {"candidates": 1, **kw.pop("budgets", {})}
    return Runtime(model, grammar=False, log_path=tmp_path / "run.log", budgets=budgets, **kw)


def test_answers_and_writes_an_intact_log(tmp_path: Path) -> None:
    out = runtime(FakeModel([GOOD]), tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    assert check_chain(tmp_path / "run.log") == []
    kinds = [e["kind"] for e in read_events(tmp_path / "run.log")]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert "verdict" in kinds and "submit" in kinds


def test_a_rejected_script_is_repaired_from_its_diagnostic(tmp_path: Path) -> None:
    model = FakeModel(['submit(find_line(contxt, "badge 4820"))', GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    assert out.iterations == 2 and out.stats["repaired"] == 1
    # The second prompt extends the first (KV-cache reuse) and carries the diagnostic.
    assert model.prompts[1].startswith(model.prompts[0])
    assert "E_NAME" in model.prompts[1] and "did you mean context" in model.prompts[1]


def test_the_whole_context_never_reaches_the_prompt(tmp_path: Path) -> None:
    model = FakeModel([GOOD])
    runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert "K7-19QX" not in model.prompts[0]
    assert len(model.prompts[0]) < len(CONTEXT) / 10


GOOD_TOO = ('hit = find_line(context, "badge 4820:")\n'
            'submit(value_after(hit, "code"))')  # another script, the same answer


def test_candidates_vote_and_distinct_scripts_make_the_majority(tmp_path: Path) -> None:
    wrong = 'submit(find_line(context, "badge 1001"))'
    model = FakeModel([wrong, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, budgets={"candidates": 3}).run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert submit["data"]["votes"] == {"k7-19qx": 2, "2026-01-01 badge 1001 opened door 1": 1}


def test_each_draw_of_a_script_is_a_vote(tmp_path: Path) -> None:
    """The greedy script drawn again is the model saying it again: two draws of it outvote
    two different scripts that each gave another answer once... only when they are more."""
    wrong = 'submit(find_line(context, "badge 1001"))'
    other = 'submit(find_line(context, "badge 1002"))'
    model = FakeModel([GOOD, GOOD, GOOD, wrong, other])
    out = runtime(model, tmp_path, budgets={"candidates": 5}).run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 1
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert submit["data"]["votes"]["k7-19qx"] == 3
    # Two draws against two different answers is no majority: another round is asked for.
    model = FakeModel([GOOD, GOOD, wrong, other, GOOD_TOO])
    out = runtime(model, tmp_path / "b", budgets={"candidates": 4}).run(SIG, QUESTION,
                                                                        context=CONTEXT)
    assert out.ok and out.iterations == 2 and "Your scripts disagree" in model.prompts[4]


def test_one_script_alone_is_not_an_agreement(tmp_path: Path) -> None:
    """With two candidates a round, an answer one script gave while the other failed is
    checked in another round; drawn again there, it is confirmed."""
    failing = 'submit(to_int(find_line(context, "badge 4820")))'
    model = FakeModel([GOOD, failing, GOOD_TOO, failing])
    out = runtime(model, tmp_path, budgets={"candidates": 2}).run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert "Only one script gave an answer, 'K7-19QX'" in model.prompts[2]
    # For the coder profile the same script drawn twice is one computation: it confirms
    # nothing in its round; told so, the model came back to it in the next rounds, and an
    # answer no other opposed is taken then: at the second round of a run of three, at the
    # third of a run of five (a second computation may still come).
    # A repeat is drawn again, hotter, once a round.
    same = FakeModel([GOOD] * 12)
    out = runtime(same, tmp_path / "same", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert same.temperatures == [0.0, 0.7, 1.0] * 2
    assert "Only one script (drawn again, the same computation) gave an answer" in \
        same.prompts[4]
    longer = FakeModel([GOOD] * 12)
    out = runtime(longer, tmp_path / "longer", profile="coder",
                  budgets={"candidates": 2, "iterations": 5}).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.iterations == 3
    # Opposed in the next round, it is not taken: the rounds go on.
    wrong = 'submit(find_line(context, "badge 1001"))'
    opposed = FakeModel([GOOD] * 4 + [GOOD, wrong] + [GOOD] * 6)
    out = runtime(opposed, tmp_path / "opposed", profile="coder",
                  budgets={"candidates": 2}).run(SIG, QUESTION, context=CONTEXT)
    assert out.iterations == 3 and out.status == "uncertain"
    # Nor is it another computation with a print more, other layout or a comment.
    printed = ['print("looking")\n' + GOOD, "# the badge\n" + GOOD.replace("(", "( ", 1)]
    again = FakeModel([GOOD, *printed] * 4)
    out = runtime(again, tmp_path / "printed", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.iterations == 2 and out.vote[0]["scripts"] == 1 and out.vote[0]["draws"] == 6
    # In the last round an unopposed answer is taken: there is no round left to check it in.
    model = FakeModel([GOOD, failing])
    out = runtime(model, tmp_path / "b", budgets={"candidates": 2, "iterations": 1}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"


def test_a_lone_count_of_nothing_is_never_taken_unconfirmed(tmp_path: Path) -> None:
    """A 0 is what a test that matched no line gives: not taken when a later round gives
    it again, nor in the last round; two different computations confirm it."""
    # (every literal is written in the data: the tests match no line all the same)
    zero = 'submit(str(len([l for l in lines(context) if l.endswith("badge 1001")])))'
    model = FakeModel([zero] * 12)
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2, "iterations": 3}
                  ).run(SIG, QUESTION, context=CONTEXT)
    assert out.status == "uncertain" and out.iterations == 3 and not out.ok
    assert "A count of 0 is what a test that matches no line gives" in model.prompts[4]
    # ("door 6", not a value of the first lines shown: a filter copied from them is no
    # vote, task/unasked.py)
    other = 'n = 0\nfor l in lines(context):\n    if "door 6" in l and "badge 4820" in l:\n' \
        '        n += 1\nsubmit(str(n))'
    # ... checked once (the zero's own check), then taken
    again = 'n = 0\nfor l in lines(context):\n    if "door 6" in l:\n' \
        '        if "badge 4820" in l:\n            n += 1\nprint(n)\nsubmit(str(n))'
    model = FakeModel([zero, other, again, other])
    out = runtime(model, tmp_path / "two", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "Your scripts agree on '0'" in model.prompts[2]
    assert out.ok and out.answer == "0" and out.iterations == 2


def test_a_disagreement_that_lasts_is_reported_as_uncertain(tmp_path: Path) -> None:
    wrong = 'submit(find_line(context, "badge 1001"))'
    model = FakeModel([GOOD, wrong] * 3)
    out = runtime(model, tmp_path, budgets={"candidates": 2, "iterations": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.status == "uncertain" and not out.ok
    assert {v["value"] for v in out.vote} == {"K7-19QX", "2026-01-01 badge 1001 opened door 1"}
    assert "disagree" in out.reason
    events = read_events(tmp_path / "run.log")
    assert not [e for e in events if e["kind"] in ("submit", "state_commit")]
    assert events[-1]["kind"] == "run_end" and events[-1]["data"]["status"] == "uncertain"
    assert len(events[-1]["data"]["vote"]) == 2


def test_a_disagreement_with_no_new_computation_draws_hot_next(tmp_path: Path) -> None:
    """A round whose answers all repeat scripts already counted adds no evidence: the next
    round has no greedy draw (it would be the same script again; the README's main job drew
    one script seven times over three rounds). A round with a new computation keeps it."""
    wrong = 'submit(find_line(context, "badge 1001"))'
    model = FakeModel([GOOD, wrong, GOOD, wrong, GOOD, wrong])
    runtime(model, tmp_path, budgets={"candidates": 2, "iterations": 3}).run(
        SIG, QUESTION, context=CONTEXT)
    assert model.temperatures == [0.0, 0.7, 0.0, 0.7, 1.0, 1.0]
    fresh = FakeModel([GOOD, wrong, GOOD_TOO, 'submit(find_line(context, "badge 1002"))',
                       GOOD, wrong])
    runtime(fresh, tmp_path / "fresh", budgets={"candidates": 2, "iterations": 3}).run(
        SIG, QUESTION, context=CONTEXT)
    assert fresh.temperatures == [0.0, 0.7] * 3


def test_a_failed_script_is_never_run_again(tmp_path: Path) -> None:
    failing = 'submit(to_int(find_line(context, "badge 4820")))'
    model = FakeModel([failing, failing, GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.iterations == 3
    events = read_events(tmp_path / "run.log")
    sha = [e["data"]["script_sha256"] for e in events if e["kind"] == "generation"][0]
    verdicts = [e["data"] for e in events
                if e["kind"] == "verdict" and e["data"]["script_sha256"] == sha]
    assert len(verdicts) == 2 and verdicts[1]["repeat_of"] == {"iteration": 1, "candidate": 1}
    ran = [e for e in events if e["kind"] in ("output", "tool_call", "bytecode")
           and e["data"]["iteration"] == 2]
    assert ran == []  # the repeat in round 2 ran nothing
    assert out.stats["repeats"] == 1


def test_a_round_failing_like_the_last_one_makes_the_next_draw_differ(tmp_path: Path) -> None:
    failing = 'submit(to_int(find_line(context, "badge 4820")))'
    model = FakeModel([failing, failing, GOOD])
    runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    # Round 2 failed the same way as round 1: round 3 samples instead of the greedy draw.
    assert model.temperatures == [0.0, 0.0, 1.0]
    assert "failed the same way" in model.prompts[2]


def test_iterations_budget_trips_with_a_clear_reason(tmp_path: Path) -> None:
    model = FakeModel(["x = 1 +"] * 5)
    out = runtime(model, tmp_path, budgets={"iterations": 2}).run(SIG, QUESTION,
                                                                   context=CONTEXT)
    assert not out.ok
    assert "iterations budget (2)" in out.reason
    assert out.stats["parse_failures"] == 2
    assert check_chain(tmp_path / "run.log") == []


def test_tokens_budget_trips(tmp_path: Path) -> None:
    model = FakeModel(['x = "' + "a " * 50 + '"\nsubmit("")'] * 5)
    out = runtime(model, tmp_path, budgets={"tokens": 60}).run(SIG, QUESTION, context=CONTEXT)
    assert not out.ok and "tokens budget" in out.reason


def test_a_script_that_only_prints_gets_its_output_back(tmp_path: Path) -> None:
    model = FakeModel(['print(find_line(context, "badge 4820"))', GOOD])
    runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert "did not submit" in model.prompts[1]
    assert "access code K7-19QX" in model.prompts[1]


def test_empty_answers_are_not_accepted_while_iterations_remain(tmp_path: Path) -> None:
    model = FakeModel(['submit(find_line(context, "badge 9999999"))', GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX"
    assert "empty answer" in model.prompts[1]


def test_an_empty_answer_after_printing_gets_what_it_printed_back(tmp_path: Path) -> None:
    """A coder model prints the line it found, then submits "": it is shown the line."""
    looked = 'print(find_line(context, "badge 4820"))\nsubmit("")'
    model = FakeModel([looked, GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX"
    assert "submitted an empty answer. It printed:" in model.prompts[1]
    assert "access code K7-19QX" in model.prompts[1]


def test_a_coder_script_that_found_nothing_is_pointed_at_its_data(tmp_path: Path) -> None:
    """A script that ran, printed nothing and failed guessed at the data: the coder profile's
    feedback says how to look at it (its lines, and a table's records; records() of prose
    fails, so of prose only its lines); the tiny profile's does not."""
    guessed = ('hits = [l for l in lines(context) if "badge=4820" in l]\nif len(hits) == 0:\n'
               '    fail("no badge 4820")\nsubmit(hits[0])')
    model = FakeModel([guessed, guessed, GOOD, GOOD])
    out = runtime(model, tmp_path, profile="coder").run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX"
    feedback = model.prompts[-1]
    assert "no badge 4820" in feedback
    assert "A script that prints context.splitlines()[:3] (without submitting) shows you " \
        "how its lines are written." in feedback
    assert "records(context)" not in feedback.split("no badge 4820")[-1]
    tiny = FakeModel([guessed, GOOD])
    runtime(tiny, tmp_path / "tiny").run(SIG, QUESTION, context=CONTEXT)
    assert "context.splitlines()[:3]" not in tiny.prompts[1]
    crashing = ('codes = {l.split("badge ")[1]: l for l in lines(context)}\n'
                'submit(codes["4820"])')
    model = FakeModel([crashing, GOOD])
    out = runtime(model, tmp_path / "crash", profile="coder").run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.answer == "K7-19QX"
    assert "Some value was not the shape the script expected" in model.prompts[1]
    table = "badge,code,issued_by\n" + "\n".join(f"{1000 + i},C{i}-00,desk" for i in range(300))
    looked = 'hits = [l for l in lines(context) if "badge=1042" in l]\nsubmit(hits[0])'
    model = FakeModel([looked, 'submit(lookup(context, "1042", "code"))'])
    runtime(model, tmp_path / "table", profile="coder").run(
        SIG, "What is the code of badge 1042?", context=table)
    assert "context.splitlines()[:3] and records(context)[:2]" in model.prompts[1]


# Two scripts that submit the whole input line holding the answer.
COPIED_LINE = 'submit(find_line(context, "badge 4820"))'
COPIED_LINE_TOO = 'hits = find_lines(context, "badge 4820")\nsubmit(hits[0])'


def replays_identically(log: Path, capsys) -> bool:
    """`rlm replay LOG --json` exits 0 and finds the run identical."""
    from rlmlang.cli import main

    capsys.readouterr()
    code = main(["replay", str(log), "--json"])
    return code == 0 and json.loads(capsys.readouterr().out)["replay"]["identical"]


def test_a_copied_line_is_sent_back_once_for_its_value(tmp_path: Path, capsys) -> None:
    """A coder answer that is a whole input line of several fields, copied out, is asked
    once for the value in it; submitted again, it is taken; asked for lines, never asked."""
    line, line_too = COPIED_LINE, COPIED_LINE_TOO
    model = FakeModel([line, line_too, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX" and out.iterations == 2
    assert "Your answer is a whole line of the input" in model.prompts[2]
    assert replays_identically(tmp_path / "run.log", capsys)  # replay forgets it too
    stubborn = FakeModel([line, line_too] * 3)
    out = runtime(stubborn, tmp_path / "b", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.answer == "2026-01-02 badge 4820: access code K7-19QX issued"
    assert out.iterations == 2
    lines = FakeModel([line, line_too])
    out = runtime(lines, tmp_path / "c", profile="coder", budgets={"candidates": 2}).run(
        SIG, "Which line mentions badge 4820?", context=CONTEXT)
    assert out.iterations == 1
    # One script alone gave it (not confirmed): sent back at once all the same, where it
    # would otherwise only be asked for a second computation of the same line; the value
    # then read off it is taken (the README's main job).
    alone = FakeModel([line, 'fail("looking")', 'submit("K7-19QX")', 'fail("no")'])
    out = runtime(alone, tmp_path / "d", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "Your answer is a whole line of the input" in alone.prompts[2]
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert replays_identically(tmp_path / "d" / "run.log", capsys)


def test_a_bulk_of_an_input_is_no_answer(tmp_path: Path, capsys) -> None:
    """A coder answer that is a table's worth of an input's lines, cut out as they stand
    (the whole input, or everything after a label), is no vote: the model is told so, and
    a lone such answer is not taken even in the last round; asked for lines, it counts."""
    whole = "submit(context)"
    rest = 'submit(context.split("badge 1500", 1)[1])'
    model = FakeModel([whole, rest, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert "of the input as they stand, not a value read from them" in model.prompts[2]
    assert replays_identically(tmp_path / "run.log", capsys)  # replay counts it the same
    stubborn = FakeModel([whole, rest] * 3)
    out = runtime(stubborn, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(SIG, QUESTION, context=CONTEXT)
    assert not out.ok and out.status == "no_answer" and out.vote == []
    badges = 'submit("\\n".join(find_lines(context, "badge")))'  # names what it is asked
    lines = FakeModel([badges, 'submit("\\n".join(lines_with(context, ["badge"])))'])
    out = runtime(lines, tmp_path / "c", profile="coder",
                  budgets={"candidates": 2, "iterations": 1}).run(
        SIG, "Which lines mention a badge?", context=CONTEXT)
    assert out.ok


ORDERS = "\n".join(json.dumps({"order": f"SH-{10000 + i}", "customer": {
    "name": f"Person {i}", "address": {"city": "Quito", "postcode": str(70000 + i)}},
    "note": ""}) for i in range(300))


def test_a_piece_of_a_json_line_is_sent_back_for_its_field(tmp_path: Path, capsys) -> None:
    """A line of JSON split after "name" gives the rest of the line, punctuation and all:
    sent back once, as a copied line is; the field read off it is then taken."""
    cut = ('hits = find_lines(orders, "SH-10042")\n'
           'submit(hits[0].split("name", 1)[1].strip())')
    read = ('hits = find_lines(orders, "SH-10042")\n'
            'submit(json_decode(hits[0])["customer"]["name"])')
    model = FakeModel([cut, 'fail("looking")', read, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "orders: str, question: str -> answer: str",
        "What is the customer's name of order SH-10042?", orders=ORDERS)
    assert "Your answer is a piece of the input's text, punctuation and line breaks and all" in \
        model.prompts[2]
    assert out.ok and out.answer == "Person 42" and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)


def test_the_part_of_a_copied_line_written_as_a_literal_is_taken_from_the_line(
        tmp_path: Path, capsys) -> None:
    """Sent back for the value in its line, the model reads the value off the line and
    writes it as a literal (the README's needle job ended no_answer so): a part of the line
    sent back is no guess, and replay counts it the same way. A literal the line does not
    hold stays a guess."""
    read_off = 'submit("K7-19QX")'
    model = FakeModel([COPIED_LINE, COPIED_LINE_TOO, read_off, read_off])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX" and out.iterations == 2
    # the literal is offered: told only to split, the 1.5B wrote the value as a name
    assert 'or submit the words of the value as they are written in it, in quotes: ' \
        'submit("...")' in model.prompts[2]
    assert replays_identically(tmp_path / "run.log", capsys)
    made_up = 'submit("Q1-00AA")'
    model = FakeModel([COPIED_LINE, COPIED_LINE_TOO, made_up, made_up])
    out = runtime(model, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(SIG, QUESTION, context=CONTEXT)
    assert out.answer != "Q1-00AA" and out.status == "no_answer"


def test_a_value_read_off_an_earlier_output_is_no_guess(tmp_path: Path, capsys) -> None:
    """The prompt asks for a script that prints what it needs to see, then one that
    submits: a literal the output showed is read from the data (a vote), and agrees with
    the script that computed it; replay counts it the same way. A literal no earlier
    output showed stays a guess, and so does one its printing script wrote itself."""
    looked = 'line = find_line(context, "badge 4820")\nprint(value_after(line, "access code"))'
    read_off = 'submit("K7-19QX")'
    model = FakeModel([looked, GOOD, read_off, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert {v["value"]: v["scripts"] for v in out.vote} == {"K7-19QX": 2}
    assert replays_identically(tmp_path / "run.log", capsys)
    echoed = 'print("K7-19QX")'  # printed a literal of its own: nothing read from the data
    model = FakeModel([echoed, GOOD, read_off, 'fail("no")'] + ['fail("no")'] * 4)
    out = runtime(model, tmp_path / "b", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "'K7-19QX', written into the script, not computed from context" in model.prompts[4]


REVIEWS = "\n".join(f"Review R-{i}: {'Loved it, works great' if i % 3 else 'Broke in a week'}"
                    for i in range(60))
CHOICE = "Is review R-4 positive or negative?"


def test_an_answer_that_takes_neither_side_of_the_choice_is_no_vote(tmp_path: Path,
                                                                       capsys) -> None:
    """'Yes' for "Is review R-4 positive or negative?" (a script that asked its judge for
    yes or no) answers another question: three scripts agreeing on it are no confident
    answer; the model is told the choice (coder); replay counts it the same way."""
    yes = ('line = find_line(context, "Review R-4:")\n'
           'submit("Yes" if "great" in line else "No")')
    yes_too = ('hit = find_line(context, "R-4:")\n'
               'submit("Yes" if "Loved" in hit else "No")')
    right = ('line = find_line(context, "Review R-4:")\n'
             'submit("positive" if "great" in line else "negative")')
    right_too = ('hit = find_line(context, "R-4:")\n'
                 'submit("positive" if "Loved" in hit else "negative")')
    model = FakeModel([yes, yes_too, 'fail("no")', right, right_too, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 3}).run(
        SIG, CHOICE, context=REVIEWS)
    assert out.ok and out.answer == "positive" and out.iterations == 2
    assert "the question offers a choice ('positive' or 'negative')" in model.prompts[3]
    assert all(v["value"] != "Yes" for v in out.vote)
    assert replays_identically(tmp_path / "run.log", capsys)


def test_a_literal_submitted_under_a_data_test_is_no_guess_for_its_fallback_twin(
        tmp_path: Path, capsys) -> None:
    """`submit("positive")` under a test of the review, and `submit("positive")` again as
    the fallback after the loop: the submit that ran says which (the VM records its line),
    so the answer read from the data is a vote and the fallback's alone is a guess; replay
    counts them the same way."""
    def judged(key: str, word: str) -> str:
        return (f'for line in context.splitlines():\n    if "{key}" in line:\n'
                f'        if "{word}" in line:\n            submit("positive")\n'
                '        submit("negative")\nsubmit("positive")')
    model = FakeModel([judged("Review R-4:", "great"), judged("R-4:", "Loved")])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, CHOICE, context=REVIEWS)
    assert out.ok and out.answer == "positive" and out.iterations == 1
    assert replays_identically(tmp_path / "run.log", capsys)
    missed = FakeModel([judged("Review R-999:", "great"), judged("R-999:", "Loved")] * 3)
    out = runtime(missed, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(SIG, CHOICE, context=REVIEWS)
    assert not out.ok and "which it did not compute from context" in missed.prompts[2]


LOCKERS = "\n".join(f"The code for locker AT-{10000 + 37 * i} is {1000 + i}" for i in range(200))
ORDERED_Q = ("What are the codes of locker AT-12220, locker AT-10037 and locker AT-15069? "
             "Answer in that order.")


DOWN = ('keys = ["AT-12220", "AT-10037", "AT-15069"]\n'
        'codes = [line.split(" is ")[1] for line in context.splitlines()\n'
        '         if any(k in line for k in keys)]\nsubmit(codes)')
DOWN_TOO = ('codes = []\nfor line in lines_with(context, ["locker AT-"]):\n'
            '    if "AT-12220" in line or "AT-10037" in line or "AT-15069" in line:\n'
            '        codes.append(line.split()[-1])\nsubmit(codes)')
EVERY = ('submit([line.split(" is ")[1] for line in context.splitlines()\n'
         '        if "locker " in line])')
EVERY_TOO = ('def codes(text: str) -> list[str]:\n'
             '    found = [l for l in lines(text) if "locker" in l]\n'
             '    return [l.split(" is ")[1] for l in found]\nsubmit(codes(context))')


@pytest.mark.parametrize(("wrong", "wrong_too", "said"), [
    (DOWN, DOWN_TOO, "'1001' is on the line of AT-10037"),
    (EVERY, EVERY_TOO, "That script submitted 200 values, but the question names 3 (AT-12220, "
                       "AT-10037, AT-15069) and asks for the value of each, in that order"),
], ids=["data-order", "every-key"])
def test_a_list_that_is_not_the_keys_values_in_order_is_no_vote(
        tmp_path: Path, capsys, wrong: str, wrong_too: str, said: str) -> None:
    """Two scripts agree on a list that is not the values of the question's keys in its
    order: the codes down the input's lines, in its order, or the code of every locker
    for three (dev s23, a def-wrapped copy). No vote, and the model is told which code
    goes with which locker, or how many values are asked (coder); replay counts them the
    same way."""
    asked = ('codes = []\nfor k in ["AT-12220", "AT-10037", "AT-15069"]:\n'
             '    codes.append(find_line(context, k).split(" is ")[1])\nsubmit(codes)')
    asked_too = ('submit([value_after(find_line(context, "locker " + k), "is")\n'
                 '        for k in ["AT-12220", "AT-10037", "AT-15069"]])')
    model = FakeModel([wrong, wrong_too, asked, asked_too])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "context: str, question: str -> answer: list[str]", ORDERED_Q, context=LOCKERS)
    assert said in model.prompts[2]
    assert out.ok and out.answer == ["1060", "1001", "1137"] and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)


def test_a_list_with_an_empty_item_is_no_vote(tmp_path: Path, capsys) -> None:
    """`value_after(line, "AT-12220")` on every key's line gives '' for the others: a list
    with an empty item found nothing for one key. It is no vote against the right list
    (fresh dev multi-needle-01 stayed uncertain between the two), and the model is told."""
    half = ('keys = ["AT-12220", "AT-10037", "AT-15069"]\n'
            'submit([value_after(l, "AT-12220") for l in lines(context)\n'
            '        if any(k in l for k in keys)])')
    asked = ('codes = []\nfor k in ["AT-12220", "AT-10037", "AT-15069"]:\n'
             '    codes.append(find_line(context, k).split(" is ")[1])\nsubmit(codes)')
    asked_too = ('submit([value_after(find_line(context, "locker " + k), "is")\n'
                 '        for k in ["AT-12220", "AT-10037", "AT-15069"]])')
    model = FakeModel([half, asked, asked_too])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 1}).run(
        "context: str, question: str -> answer: list[str]", ORDERED_Q, context=LOCKERS)
    assert "an item is empty" in model.prompts[1]
    assert out.ok and out.answer == ["1060", "1001", "1137"]
    assert replays_identically(tmp_path / "run.log", capsys)


def test_a_result_thrown_away_is_named_as_the_name_read_after_it(tmp_path: Path) -> None:
    """`lines_with_all(context, [...])` on its own line, then `submit(len(result))`: the
    fix-it assigns the call to `result`, and runs the script as one more candidate."""
    thrown = 'lines_with_all(context, ["badge 4820", "access"])\nsubmit(len(result))'
    model = FakeModel([thrown, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 1}).run(
        "context: str, question: str -> answer: int",
        "How many lines mention badge 4820 and access?", context=CONTEXT)
    fixed = [e["data"] for e in read_events(tmp_path / "run.log")
             if e["kind"] == "generation" and e["data"].get("stop_reason") == "fixit"]
    assert [f["text"] for f in fixed] == [
        'result = lines_with_all(context, ["badge 4820", "access"])\nsubmit(len(result))\n']
    assert 1 in [v["value"] for v in out.vote]


def test_a_literal_part_of_a_computed_answer_is_no_guess(tmp_path: Path, capsys) -> None:
    """Told that one answer is a part of another and to submit only what the question asks
    for, the model writes the part as a literal: it is read off an answer computed from
    the data, a vote (the README's main job ended uncertain when it was refused); replay
    counts it the same way. A literal equal to a disagreeing answer only picks it: a guess."""
    longer = 'submit(find_line(context, "badge 4820").split(": ")[1])'
    model = FakeModel([longer, 'fail("no")', 'submit("K7-19QX")', 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "'access code K7-19QX issued', so it is not confirmed yet" in model.prompts[2]
    # the literal is a vote, and the core of both answers, which both scripts confirm
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)
    other = 'submit(find_line(context, "badge 1001"))'
    picked = FakeModel([longer, other, 'submit("access code K7-19QX issued")', 'fail("no")'])
    out = runtime(picked, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(SIG, QUESTION, context=CONTEXT)
    assert out.status == "uncertain"


def test_an_answer_the_question_writes_is_no_vote(tmp_path: Path, capsys) -> None:
    """'4820' for "What is the access code of badge 4820?" (a script that split the line
    at "badge ") is what the question looks up: no vote against the code, and the model is
    told so (coder); replay counts it the same way."""
    badge = 'submit(find_line(context, "badge 4820").split("badge ")[1].split(":")[0])'
    model = FakeModel([badge, GOOD, GOOD_TOO, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    assert all(v["value"] != "4820" for v in out.vote)
    assert replays_identically(tmp_path / "run.log", capsys)
    alone = FakeModel([badge, 'fail("no")'] * 3)
    runtime(alone, tmp_path / "b", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "which the question itself gives" in alone.prompts[2]
    # the line it stands on is shown: the value asked for is elsewhere on it
    assert ("It stands on this line of the input:\n2026-01-02 badge 4820: access code K7-19QX "
            "issued\nTake the value the question asks for from such lines, not the key."
            in alone.prompts[2])


def test_an_unconfirmed_answer_is_taken_only_when_a_later_greedy_draw_gives_it_again(
        tmp_path: Path) -> None:
    """Told its one answer is not confirmed, the model's greedy draw writing the same
    answer again takes it; a 0.7 draw repeating the unchecked script does not (the 1.5B's
    wrong answers on dev aggregate-01 and multi-needle-01 were taken so), not even in
    the last round: the run ends uncertain, with the answer shown."""
    def fails(tag: str) -> str:
        return f'fail("no line for {tag}")'

    hot_only = FakeModel([fails("a"), GOOD, fails("b"), GOOD, fails("c"),
                          fails("d"), GOOD, fails("e")])
    out = runtime(hot_only, tmp_path, profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(SIG, QUESTION, context=CONTEXT)
    assert out.status == "uncertain" and out.iterations == 3
    assert [v["value"] for v in out.vote] == ["K7-19QX"]
    greedy_again = FakeModel([fails("a"), GOOD, GOOD])
    out = runtime(greedy_again, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(SIG, QUESTION, context=CONTEXT)
    assert out.status == "answered" and out.answer == "K7-19QX" and out.iterations == 2
    assert greedy_again.temperatures[2] == 0.0


def test_a_disagreement_between_copied_lines_says_they_are_lines(tmp_path: Path) -> None:
    """Scripts that disagree with whole lines of the input copied out are told so, and
    what the question asks for; a disagreement of values is not."""
    one = COPIED_LINE
    other = 'submit(find_line(context, "badge 1001 "))'
    model = FakeModel([one, other])
    runtime(model, tmp_path, profile="coder", budgets={"candidates": 2, "iterations": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "Your scripts disagree" in model.prompts[2]
    assert "are whole lines of the input, as it stands: the question asks for the value" \
        in model.prompts[2]  # the first of round 2
    values = FakeModel([GOOD, 'submit(value_after(find_line(context, "badge 1001 "), "door"))'])
    runtime(values, tmp_path / "b", profile="coder",
            budgets={"candidates": 2, "iterations": 2}).run(SIG, QUESTION, context=CONTEXT)
    assert "Your scripts disagree" in values.prompts[2] and "whole line" not in values.prompts[2]


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    from rlmlang.diagnostics import DiagnosticError

    with pytest.raises(DiagnosticError) as e:
        runtime(FakeModel([GOOD]), tmp_path).run(SIG, QUESTION)
    assert e.value.diagnostics[0].code == "E_USAGE"
    assert "context" in e.value.diagnostics[0].message


def test_log_records_scripts_verdicts_and_budgets(tmp_path: Path) -> None:
    runtime(FakeModel([GOOD]), tmp_path).run(SIG, QUESTION, context=CONTEXT)
    events = read_events(tmp_path / "run.log")
    gen = [e for e in events if e["kind"] == "generation"][0]["data"]
    assert gen["text"] == GOOD
    verdict = [e for e in events if e["kind"] == "verdict"][0]["data"]
    assert verdict["accepted"] and verdict["proof"]
    end = events[-1]["data"]
    assert end["status"] == "answered" and end["used"]["iterations"] == 1
    json.dumps(events)  # everything in the log is plain JSON


NESTED = 'line = find_line(context, "badge 4820")\nsubmit(llm.run("What is the access code?", text=line))'
LLM = Policy.from_rules(["llm"])  # sub-model calls need the grant (rlm run always gives it)


def test_llm_run_nests_a_controller_with_a_smaller_budget(tmp_path: Path) -> None:
    inner = 'submit(value_after(text, "access code"))'
    model = FakeModel([NESTED, inner])
    out = runtime(model, tmp_path, policy=LLM).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    calls = [e["data"] for e in read_events(tmp_path / "run.log") if e["kind"] == "tool_call"]
    assert calls[0]["tool"] == "llm.run" and calls[0]["result"] == "K7-19QX"
    # The nested run's prompt carries the sub-task, not the parent's whole context.
    assert "What is the access code?" in model.prompts[1]
    assert check_chain(tmp_path / "run.log") == []


TWO_NESTED = ('a = llm.run("First half?", text=context[:200])\n'
              'b = llm.run("Second half?", text=context[200:400])\n'
              'submit(a + b)')
TWO_PREDICTS = ('x = llm.predict("What is it?", text=text)\n'
                'y = llm.predict("And this?", text=text)\n'
                'submit(x + y)')


@pytest.mark.parametrize("limit", [2, 3, 4])
def test_nested_runs_draw_from_the_callers_sub_model_calls(tmp_path: Path, limit: int) -> None:
    """Two llm.run calls whose scripts each ask the model twice: never more calls than granted."""
    model = FakeModel([TWO_NESTED, TWO_PREDICTS, TWO_PREDICTS, TWO_PREDICTS, TWO_PREDICTS],
                      sub_answers=["a"] * 10)
    runtime(model, tmp_path, policy=LLM, budgets={"llm_calls": limit, "iterations": 1}).run(
        SIG, QUESTION, context=CONTEXT)
    calls = [e["data"] for e in read_events(tmp_path / "run.log") if e["kind"] == "tool_call"]
    made = sum(1 for c in calls if c["tool"] in ("llm.run", "llm.predict") and not c.get("error"))
    assert made <= limit, calls
    assert len(model.sub_prompts) <= limit - 1  # the first llm.run is one of them


def test_nested_runs_draw_from_the_callers_tool_calls(tmp_path: Path) -> None:
    """A nested run's scripts get only the tool calls their caller has left (4 - llm.run)."""
    inner = 'for i in range(5):\n    print(llm.predict("Q?", text=text))\nsubmit("x")'
    model = FakeModel([NESTED, inner, inner], sub_answers=["a"] * 10)
    runtime(model, tmp_path, policy=LLM, budgets={"tool_calls": 4, "iterations": 1}).run(
        SIG, QUESTION, context=CONTEXT)
    assert len(model.sub_prompts) == 3  # the fourth call found the budget spent
    calls = [e["data"] for e in read_events(tmp_path / "run.log") if e["kind"] == "tool_call"]
    assert [c["tool"] for c in calls if c.get("nested")] == ["llm.predict"] * 3
    assert "no answer" in next(c for c in calls if c["tool"] == "llm.run")["error"]


def test_depth_budget_stops_nesting(tmp_path: Path) -> None:
    model = FakeModel([NESTED, GOOD])
    out = runtime(model, tmp_path, policy=LLM, budgets={"depth": 1}).run(SIG, QUESTION,
                                                                         context=CONTEXT)
    assert out.answer == "K7-19QX"  # repaired after the refusal
    assert "depth budget (1)" in model.prompts[1]


def test_a_killed_run_resumes_from_its_last_completed_round(tmp_path: Path) -> None:
    """Cut the log after round 1 (as a kill would), then resume: round 2 runs, the chain holds."""
    log = tmp_path / "run.log"
    model = FakeModel(["x = 1 +", GOOD])
    runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    lines = log.read_bytes().splitlines(keepends=True)
    kinds = [json.loads(x)["kind"] for x in lines]
    cut = kinds.index("observation") + 1
    log.write_bytes(b"".join(lines[:cut]) + lines[cut][:17])  # a torn line, mid-write
    again = FakeModel([GOOD])
    out = Runtime(again, grammar=False, budgets={"candidates": 1}).resume(log)
    assert out.ok and out.answer == "K7-19QX"
    assert out.iterations == 2
    # The resumed prompt is the one the killed run would have written next.
    assert "That script was rejected" in again.prompts[0]
    assert check_chain(log) == []
    assert [e["kind"] for e in read_events(log)].count("resume") == 1


def test_a_finished_run_cannot_be_resumed(tmp_path: Path) -> None:
    from rlmlang.diagnostics import DiagnosticError

    runtime(FakeModel([GOOD]), tmp_path).run(SIG, QUESTION, context=CONTEXT)
    with pytest.raises(DiagnosticError) as e:
        Runtime(FakeModel([]), grammar=False).resume(tmp_path / "run.log")
    assert "already finished" in e.value.diagnostics[0].message


def test_a_tools_fixit_becomes_a_verified_candidate(tmp_path: Path) -> None:
    tickets = "ticket\tteam\thours\n" + "".join(
        f"T{i}\t{'network' if i % 3 == 0 else 'desk'}\t{i % 9}\n" for i in range(300))
    model = FakeModel(['submit(count_rows(tickets, "ticket", "network"))'])
    out = runtime(model, tmp_path).run("tickets: str, question: str -> answer: int",
                                       "Count the tickets whose team is network.",
                                       tickets=tickets)
    assert out.ok and out.answer == 100 and out.iterations == 1
    assert out.stats["fixits"] == 1
    events = read_events(tmp_path / "run.log")
    fixed = [e["data"] for e in events if e["kind"] == "generation"][1]
    assert fixed["stop_reason"] == "fixit" and fixed["fixit_of"] == 1
    assert fixed["text"] == 'submit(count_rows(tickets, "team", "network"))\n'
    verdicts = [e["data"] for e in events if e["kind"] == "verdict"]
    assert [v["accepted"] for v in verdicts] == [True, True]  # both verified in full
    assert check_chain(tmp_path / "run.log") == []


def test_a_for_over_a_tables_text_is_fixed_to_go_through_its_rows(tmp_path: Path) -> None:
    """Coder models write `for row in table: row["col"]` over the input's text (its
    characters); the checker's fix-it runs, as one more candidate, the script going
    through records(table) (or json.loads(table) for a JSON list), logged with its parent."""
    penguins = "id,sex,mass\n" + "".join(
        f"{i},{'female' if i % 3 else 'male'},{3000 + i}\n" for i in range(60))
    script = ("counted = 0\nfor penguin in penguins:\n    if penguin[\"sex\"] == \"female\":\n"
              "        counted += 1\nsubmit(counted)\n")
    model = FakeModel([script])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 1}).run(
        "penguins: str, question: str -> answer: int", "How many penguins are female?",
        penguins=penguins)
    assert out.ok and out.answer == 40 and out.stats["fixits"] == 1
    events = read_events(tmp_path / "run.log")
    fixed = [e["data"] for e in events if e["kind"] == "generation"][1]
    assert fixed["stop_reason"] == "fixit" and fixed["fixit_of"] == 1
    assert "for penguin in records(penguins):" in fixed["text"]
    assert check_chain(tmp_path / "run.log") == []
    cars = json.dumps([{"name": "a", "accel": 12.5}, {"name": "b", "accel": 16}] * 20)
    json_script = "fast = [c for c in cars if c[\"accel\"] > 15]\nsubmit(len(fast))\n"
    out = runtime(FakeModel([json_script]), tmp_path / "json", profile="coder").run(
        "cars: str, question: str -> answer: int", "How many cars accelerate above 15?",
        cars=cars)
    assert out.ok and out.answer == 20


def test_the_feedback_shows_what_the_fixit_left_to_mend(tmp_path: Path) -> None:
    """A script rejected for two mistakes, one of which its fix-it mends: the model is shown
    the fix-it and the mistake left, not the one already mended (shown that again, the
    1.5B wrote the same script in every round)."""
    penguins = "id,sex,mass\n" + "".join(
        f"{i},{'female' if i % 3 else 'male'},{3000 + i}\n" for i in range(60))
    script = ('heavy = [p["id"] for p in penguins if int(p["mass"]) > 3050]\n'
              'submit(heavy + 1)\n')
    model = FakeModel([script, "submit(len(records(penguins)))"])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 1}).run(
        "penguins: str, question: str -> answer: int", "How many penguins weigh over 3050?",
        penguins=penguins)
    assert out.stats["fixits"] == 1
    second = model.prompts[1]
    assert "for p in records(penguins)" in second
    assert "an index into str must be an int" not in second  # mended by the fix-it
    assert "cannot add int to a list" in second


def test_a_tied_vote_goes_to_the_script_grounded_in_the_question(tmp_path: Path) -> None:
    ungrounded = 'submit(find_line(context, "badge 1001"))'
    model = FakeModel([ungrounded, GOOD])
    out = runtime(model, tmp_path, budgets={"candidates": 2}).run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.answer == "K7-19QX"  # 1 vote each: GOOD uses the question's own phrases


def test_old_attempts_are_dropped_to_keep_the_prompt_in_the_window(tmp_path: Path) -> None:
    bad = [f'submit(find_line(context, "{w}"))' for w in ("alpha", "bravo", "charlie")]
    probe = FakeModel([GOOD])
    runtime(probe, tmp_path / "probe").run(SIG, QUESTION, context=CONTEXT)  # its own log
    base = probe.count_tokens(probe.prompts[0])
    model = FakeModel([*bad, GOOD])
    # Room for the task, one failed attempt with its feedback (~18 words), and a script.
    model.context_size = base + 30 + 160
    out = runtime(model, tmp_path, budgets={"iterations": 4}).run(SIG, QUESTION,
                                                                  context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 4
    last = model.prompts[-1]
    assert model.count_tokens(last) <= model.context_size - 160
    assert '"charlie"' in last  # the latest attempt is kept
    assert '"alpha"' not in last and '"bravo"' not in last  # older ones are gone


def test_the_inputs_given_form_the_signature(tmp_path: Path) -> None:
    """No signature: named inputs (or none) and the task make it, as rlm run does."""
    script = ('line = find_line(people, "badge 4820")\n'
              'submit(value_after(line, "access code"))')
    out = runtime(FakeModel([script]), tmp_path).run(None, QUESTION, people=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    none = runtime(FakeModel(["submit(6 * 7)"]), tmp_path / "b").ask("What is six times seven?",
                                                                     "int")
    assert none.ok and none.answer == 42


def test_a_headerless_table_takes_its_columns_from_the_question_and_replays(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rlmlang.cli import main

    rows = [f"{i},{'Perth' if i % 3 == 0 else 'Lima'},{i * 2}" for i in range(1, 301)]
    table = "\n".join(rows) + "\n"
    question = "The context is CSV lines 'id,city,amount'. How many lines have city Perth?"
    model = FakeModel(['submit(count_where(context, "city", "Perth"))'])
    out = runtime(model, tmp_path).run("context: str, question: str -> answer: int", question,
                                       context=table)
    assert out.ok and out.answer == 100
    assert "city" in model.prompts[0]  # the description names the columns the tools use
    assert main(["replay", str(tmp_path / "run.log")]) == 0
    assert "identical" in capsys.readouterr().out


def test_the_log_records_the_profile_and_a_resume_keeps_it(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    runtime(FakeModel(["x = 1 +", GOOD]), tmp_path, profile="coder").run(SIG, QUESTION,
                                                                         context=CONTEXT)
    start = read_events(log)[0]["data"]
    assert start["profile"] == "coder"
    lines = log.read_bytes().splitlines(keepends=True)
    kinds = [json.loads(x)["kind"] for x in lines]
    log.write_bytes(b"".join(lines[:kinds.index("observation") + 1]))  # killed after round 1
    again = Runtime(FakeModel([GOOD]), grammar=False, budgets={"candidates": 1})
    assert again.profile.name == "tiny"  # the fake model's own
    out = again.resume(log)
    assert out.ok and again.profile.name == "coder"


def test_an_answer_from_a_script_that_read_no_data_is_not_a_vote(tmp_path: Path) -> None:
    """`submit("K7-19QX")` read nothing: a guess (task/guess.py), never a vote, even twice;
    the model is told to read the input, and the replay leaves it out the same way."""
    guess = 'code = "X1-0000"\nsubmit(code)'
    model = FakeModel([guess] * 4 + [GOOD, GOOD_TOO])  # the repeats are drawn again
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert "which it did not compute from context: an answer written into the script is " \
        "a guess" in \
        model.prompts[4]
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert submit["data"]["votes"] == {"k7-19qx": 2}
    from rlmlang.cli import main

    assert main(["replay", str(tmp_path / "run.log")]) == 0
    # With no data input there is nothing to read: a constant is the answer.
    out = runtime(FakeModel(["submit(17 * 3)"]), tmp_path / "none").run(
        "question: str -> answer: int", "What is 17 times 3?", question="What is 17 times 3?")
    assert out.ok and out.answer == 51


def test_a_fallback_literal_after_a_search_that_found_nothing_is_not_a_vote(
        tmp_path: Path) -> None:
    """The search's own submit never ran, and the run fell through to a literal: a guess
    (task/guess.py) in the run and in the replay alike."""
    fallback = ('for l in context.split("\\n"):\n'
                '    if l.startswith("badge 4820"):\n'
                '        submit(l.split(" ")[-1])\n'
                'submit("Q2-0000")')
    model = FakeModel([fallback] * 4 + [GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    assert "That script submitted 'Q2-0000', which it did not compute from context" in \
        "".join(model.prompts)
    submit = [e for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"][0]
    assert submit["data"]["votes"] == {"k7-19qx": 2}
    from rlmlang.cli import main

    assert main(["replay", str(tmp_path / "run.log")]) == 0


def test_a_name_only_an_earlier_script_set_is_said_to_start_afresh(tmp_path: Path) -> None:
    """A model used to a notebook reads a name its last script set: each script runs on
    its own, and the feedback says so (where the carry-over fix-it cannot bring the name
    over: here it was set in a block that fails; test_carry_over.py)."""
    first = ('if len(context) > 0:\n    line = find_line(context, "badge 4820")\n'
             '    print(line)\n    fail("looked")')
    second = 'submit(value_after(line, "access code"))'
    model = FakeModel([first, second, GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX"
    assert "undefined: line" in model.prompts[2]
    assert "'line' was set by an earlier script, not by this one" in model.prompts[2]
    assert "set by an earlier script" not in model.prompts[1]


def test_a_def_only_an_earlier_script_made_is_carried_over(tmp_path: Path) -> None:
    """A def an earlier script made, called by the next script as a notebook's next cell
    would: the carry-over fix-it brings the def in front (test_carry_over.py)."""
    first = ('def code_of(text: str) -> str:\n    return value_after(find_line(text, '
             '"badge 4820"), "access code")\nprint(code_of(context))')
    second = 'submit(code_of(context))'
    model = FakeModel([first, second, GOOD])
    out = runtime(model, tmp_path).run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX" and out.iterations == 2


def test_the_coder_profile_says_the_question_again_after_each_feedback(tmp_path: Path) -> None:
    model = FakeModel(["x = 1 +", GOOD, GOOD_TOO])
    runtime(model, tmp_path, profile="coder", budgets={"candidates": 1}).run(
        SIG, QUESTION, context=CONTEXT)
    assert model.prompts[1].count(f"The question is still: {QUESTION} (inputs: context)") == 1
    tiny = FakeModel(["x = 1 +", GOOD, GOOD_TOO])
    runtime(tiny, tmp_path / "tiny", budgets={"candidates": 1}).run(SIG, QUESTION,
                                                                     context=CONTEXT)
    assert "The question is still" not in tiny.prompts[1]


def test_the_scripts_own_text_for_finding_nothing_is_not_an_answer(tmp_path: Path) -> None:
    """`get(..., "not found")` over a misread table submits the script's default: it found
    nothing, and says so; drawn again it confirms nothing."""
    default = ('codes = {"1001": "A"}\nhit = find_line(context, "badge 9999")\n'
               'codes[hit] = "x"\nsubmit(codes.get("9876", "not found"))')
    model = FakeModel([default] * 4 + [GOOD, GOOD_TOO])  # its repeats are drawn again
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert "That script submitted 'not found', its own text for finding nothing" in \
        model.prompts[4]
    assert all(v["value"] != "not found" for v in out.vote)
    from rlmlang.cli import main
    assert main(["replay", str(tmp_path / "run.log")]) == 0


STUCK = ('hits = [l for l in lines(context) if "badge=4820" in l]\nif len(hits) == 0:\n'
         '    fail("no badge 4820")\nsubmit(hits[0])')


def test_a_model_stuck_on_a_failed_script_has_its_attempts_dropped(tmp_path: Path) -> None:
    """Every draw of round 2 repeats round 1's failed script: the coder profile drops the
    attempts from the chat (the model copies them) and says the failure with the task; a
    run resumed after that round is shown the same chat."""
    model = FakeModel([STUCK, STUCK, STUCK, GOOD])
    out = runtime(model, tmp_path, profile="coder").run(SIG, QUESTION, context=CONTEXT)
    assert out.answer == "K7-19QX" and out.iterations == 3
    assert '"badge=4820" in l' in model.prompts[1]  # round 2 still sees its attempt
    assert "That script stopped at fail('no badge 4820')" in model.prompts[1]
    third = model.prompts[3]
    assert 'hits = [l for l in lines(context) if "badge=4820" in l]' not in third
    assert "Your scripts so far failed, and you wrote them again" in third
    assert "no badge 4820" in third and third.count(QUESTION) == 1
    events = read_events(tmp_path / "run.log")
    assert [e["data"].get("forget", False) for e in events if e["kind"] == "observation"] == [
        False, True]
    # The tiny profile keeps the chat as it was.
    tiny = FakeModel([STUCK, STUCK, STUCK, STUCK, STUCK, GOOD])
    runtime(tiny, tmp_path / "tiny").run(SIG, QUESTION, context=CONTEXT)
    assert all("you wrote them again" not in p for p in tiny.prompts)
    # Resumed after round 2: the chat the killed run would have written next.
    log = tmp_path / "run.log"
    lines = log.read_bytes().splitlines(keepends=True)
    kinds = [json.loads(x)["kind"] for x in lines]
    cut = max(i for i, k in enumerate(kinds) if k == "observation") + 1
    log.write_bytes(b"".join(lines[:cut]))
    again = FakeModel([GOOD])
    out = Runtime(again, grammar=False, budgets={"candidates": 1}).resume(log)
    assert out.answer == "K7-19QX"
    assert again.prompts[0] == third


def test_a_zero_whose_search_found_nothing_is_no_answer(tmp_path: Path, capsys) -> None:
    """Two scripts that counted the lines of a search matching nothing agreed on 0 (the
    1.5B summed prices over a date written as the data does not write it): a zero whose
    literal search finds nothing in the input is that search finding nothing, not a vote,
    and the model is told which search; replay counts it the same way."""
    counted = 'submit(str(len(find_lines(context, "badge 9999"))))'
    looped = ('n = 0\nfor line in find_lines(context, "badge 9999"):\n    n += 1\n'
              'submit(str(n))')
    model = FakeModel([counted, looped, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert 'find_lines(context, "badge 9999") finds nothing in the input' in model.prompts[2]
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)
    # A test the script writes itself searches too: a literal no input holds matches nothing.
    tested = 'submit(str(len([l for l in lines(context) if "badge 9999" in l])))'
    model = FakeModel([tested, looped, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path / "tested", profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "'badge 9999' is written nowhere in the input, so the test" in model.prompts[2]
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 2
    assert replays_identically(tmp_path / "tested" / "run.log", capsys)


GUESSED = ('for line in lines(context):\n    if "badge=4820" in line:\n'
           '        submit(value_after(line, "code"))\nsubmit("K7-19QX")')


def test_a_guess_read_off_a_shown_line_is_sent_to_that_line_and_not_redrawn(
        tmp_path: Path, capsys) -> None:
    """The 1.5B copied the right words from a key line of its task into a fallback submit,
    and told only that they were a guess, drew that script at every temperature three
    rounds running: the feedback shows the input line the literal is written on, and a
    round that draws nothing but the guess again drops the attempts from the chat (coder);
    replay agrees."""
    model = FakeModel([GUESSED] * 6 + [GOOD, GOOD_TOO])  # 3 draws a round: the repeat redrawn
    out = runtime(model, tmp_path, profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(SIG, QUESTION, context=CONTEXT)
    second = model.prompts[3]
    assert "That script submitted 'K7-19QX', written into the script, not computed from " \
        "context. It is in this line of context:\n2026-01-02 badge 4820: access code " \
        "K7-19QX issued" in second
    third = model.prompts[6]
    assert "you wrote them again" in third and '"badge=4820" in line' not in third and "It is in this line of context" in third
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 3
    events = read_events(tmp_path / "run.log")
    assert [e["data"].get("forget", False) for e in events if e["kind"] == "observation"] == [
        False, True]
    assert replays_identically(tmp_path / "run.log", capsys)
    # A guess the data does not hold is told so, as before.
    made_up = GUESSED.replace("K7-19QX", "Q1-00AA")
    model = FakeModel([made_up, made_up, 'fail("no")'])
    runtime(model, tmp_path / "b", profile="coder", budgets={"iterations": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert "which it did not compute from context: an answer written into the script is a " \
        "guess" in model.prompts[-1]


STAFF = "name,team,role\n" + "".join(f"Person {i},TEA-{i % 9},dev\n" for i in range(40))
TEAMS = "team_id,lead\n" + "".join(f"TEA-{i},Lead {i}\n" for i in range(9))  # under 200
NO_LEAD = ('for r in records(staff):\n    if r["name"] == "Person 13":\n'
           '        submit(r["lead"])\nfail("no one")')
JOINED = ('team = [r for r in records(staff) if r["name"] == "Person 13"][0]["team"]\n'
          'submit([t for t in records(teams) if t["team_id"] == team][0]["lead"])')


def test_a_field_missing_from_one_input_s_records_is_named_where_it_is(tmp_path: Path) -> None:
    """The 1.5B looked a team's lead up in the staff table (its records have a team, not a
    lead) three rounds running (dev sample 5 inject-14): the feedback names the input whose
    records have the field, with its first record (coder). A key no input has is not."""
    sig = "staff: str, teams: str, question: str -> answer: str"
    q = "Who leads the team of Person 13?"
    model = FakeModel([NO_LEAD, JOINED])
    out = runtime(model, tmp_path, profile="coder").run(sig, q, staff=STAFF, teams=TEAMS)
    assert out.answer == "Lead 4"
    assert "'lead' is a field of the records of teams (the first: {'team_id': 'TEA-0', " \
        "'lead': 'Lead 0'}), not of the record that script read" in model.prompts[1]
    model = FakeModel([NO_LEAD.replace('"lead"', '"boss"'), JOINED])
    runtime(model, tmp_path / "b", profile="coder").run(sig, q, staff=STAFF, teams=TEAMS)
    assert "is a field of the records of" not in model.prompts[1]


def test_a_guess_is_shown_the_line_of_the_record_asked_about_only() -> None:
    """The same words were another employee's hint too (dev sample 5 needle-07): the line
    shown holds the value and the question's own term, or none is shown."""
    from rlmlang.controller.prompt import guess_message

    ctx = ('2024 employee #18812 set password hint "green ibis"\n'
           '2024 employee #36335 set password hint "green ibis"\n')
    q = "Employee #36335 set a password hint. What are its words?"
    said = guess_message("green ibis", ["context"], {"context": ctx}, q)
    assert 'It is in this line of context:\n2024 employee #36335 set password hint ' \
        '"green ibis"\nWrite a script' in said
    assert "#18812" not in said
    said = guess_message("green ibis", ["context"], {"context": ctx}, q.replace("36335", "7"))
    assert "which it did not compute from context" in said


def test_a_number_guessed_off_the_line_of_the_record_asked_about_is_shown_that_line() -> None:
    """The combination of locker 630, written in off its key line three rounds running
    (dev s23); a small number (a count) is left alone."""
    from rlmlang.controller.prompt import guess_message

    ctx = "".join(f"The combination for locker {600 + i} is {1600 + 3 * i}.\n" for i in range(40))
    q = "The minutes mention the combination for locker 630. Which number is it?"
    assert "It is in this line of context:\nThe combination for locker 630 is 1690." in \
        guess_message(1690, ["context"], {"context": ctx}, q)
    assert "which it did not compute from context" in guess_message(
        1603, ["context"], {"context": ctx}, q)  # locker 601's: not on the asked line
    assert "which it did not compute" in guess_message(40, ["context"], {"context": ctx}, q)


SCANS = "".join(f"scan {i}: package PKG-{1000 + i} stored in W-{i % 5}\n" for i in range(30))
WAREHOUSES = "id,city\n" + "".join(f"W-{i},City {i}\n" for i in range(5)) + "#" * 120 + "\n"
LOOKED_WRONG = 'line = find_line(warehouses, "PKG-1012")\nsubmit(line.split(",")[1])'
LOOKED_RIGHT = ('w = find_line(scans, "PKG-1012").split("stored in ")[1]\n'
                'submit([r for r in records(warehouses) if r["id"] == w][0]["city"])')


def test_a_phrase_searched_in_the_wrong_input_is_named_where_it_is(tmp_path: Path) -> None:
    """`find_line(warehouses, "PKG65647553")`, the package being in the scans (dev sample 5
    lookup-08, three rounds): the feedback says which input holds the phrase, and the line
    (coder)."""
    sig = "scans: str, warehouses: str, question: str -> answer: str"
    model = FakeModel([LOOKED_WRONG, LOOKED_RIGHT])
    out = runtime(model, tmp_path, profile="coder").run(
        sig, "Which city is package PKG-1012 in?", scans=SCANS, warehouses=WAREHOUSES)
    assert out.answer == "City 2"
    assert "'PKG-1012' is not in warehouses, where find_line(warehouses, \"PKG-1012\") looks " \
        "for it; it is in scans, on this line:\nscan 12: package PKG-1012 stored in W-2" \
        in model.prompts[1]


@pytest.mark.parametrize("wrong", [
    ('hits = [r for r in records(warehouses) if r["id"] == "PKG-1012"]\n'
     'if len(hits) == 0:\n    fail("none")\nsubmit(hits[0]["city"])'),
    # the input rebound from itself is still the one the script reads (fresh dev
    # three-hop-07's `racks = json.loads(racks)`, the server's key looked for in racks)
    ('warehouses = records(warehouses)\nfor w in warehouses:\n'
     '    if w["id"] == "PKG-1012":\n        city = w["city"]\n        break\n'
     'submit(city)'),
], ids=["records", "rebound"])
def test_a_literal_tested_in_the_wrong_input_is_named_where_it_is(tmp_path: Path,
                                                                 wrong: str) -> None:
    """`[d for d in records(departments) if d["name"] == "Farah K. Raman"]`, the person being
    in employees (dev sample 5 inject-07): the feedback names the input holding the name."""
    sig = "scans: str, warehouses: str, question: str -> answer: str"
    model = FakeModel([wrong, LOOKED_RIGHT])
    out = runtime(model, tmp_path, profile="coder").run(
        sig, "Which city is package PKG-1012 in?", scans=SCANS, warehouses=WAREHOUSES)
    assert out.answer == "City 2"
    assert "'PKG-1012' is not in warehouses, the input that script reads; it is in scans, on " \
        "this line:\nscan 12: package PKG-1012 stored in W-2" in model.prompts[1]


def test_a_phrase_tested_in_a_field_that_never_holds_it_is_shown_the_field_that_does(
        tmp_path: Path) -> None:
    """`r["req"] == "shipment SH-1012"` over a log's records, the phrase being in the line's
    message, which is no field (dev sample 5 inject-09, three rounds): the feedback shows
    the record whose other field ('text', the message) holds it, and names that field
    (coder)."""
    log = "".join(f"2024-01-01T00:00:{i % 60:02d}Z INFO [dock] shipment SH-{1000 + i} received "
                  f"at dock D{i % 30} host=h{i % 4} req={i:06x}\n" for i in range(50))
    wrong = ('rows = [r for r in records(context) if r["req"] == "shipment SH-1012"]\n'
             'if len(rows) == 0:\n    fail("none")\nsubmit(rows[0]["dock"])')
    right = 'line = find_line(context, "shipment SH-1012")\nsubmit(line.split("dock ")[1].split()[0])'
    model = FakeModel([wrong, right])
    out = runtime(model, tmp_path, profile="coder").run(
        SIG, "At which dock was shipment SH-1012 received?", context=log)
    assert out.answer == "D12"
    assert "No record of context has 'shipment SH-1012' in its field 'req'; its field 'text' " \
        "holds it, as in this record of records(context):\n{\"time\": \"2024-01-01T00:00:12Z\"" \
        in model.prompts[1]
    assert 'Test that field: "shipment SH-1012" in r["text"].' in model.prompts[1]
    # the input rebound to its kept records (fresh dev aggregate-09, three rounds):
    # records(context) still reads the input
    rebound = wrong.replace("rows = [r for r in records(context)",
                            "context = [r for r in records(context)").replace(
        "len(rows)", "len(context)").replace("rows[0]", "context[0]")
    model = FakeModel([rebound, right])
    out = runtime(model, tmp_path / "rebound", profile="coder").run(
        SIG, "At which dock was shipment SH-1012 received?", context=log)
    assert 'Test that field: "shipment SH-1012" in r["text"].' in model.prompts[1]


def test_a_lone_zero_of_an_equality_with_a_part_of_a_field_is_told_the_part(
        tmp_path: Path) -> None:
    """`r["1"] == "udp"` over records whose field 1 holds "53/udp" (a probe of /etc/services:
    three rounds of 0, told only to print a few lines): the lone zero's feedback names
    the part and the test that matches it (coder)."""
    ports = "".join(f"svc{i}\t{i}/{'udp' if i % 3 else 'tcp'}\tport {i}\n" for i in range(60))
    wrong = 'hits = [r for r in records(context) if r["1"] == "udp"]\nsubmit(len(hits))'
    right = 'hits = [r for r in records(context) if r["1"].endswith("/udp")]\nsubmit(len(hits))'
    model = FakeModel([wrong, "print(1)\nfail(\"not yet\")", right, right])
    runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "context: str, question: str -> answer: int",
        "How many entries are for udp?", context=ports)
    assert "No record of context has its field '1' equal to 'udp', but 40 hold it within " \
        "that field, as '1/udp'" in model.prompts[2]
    assert "Only one script gave an answer, 0" in model.prompts[2]


def test_a_zero_from_a_field_that_never_holds_the_value_is_told_its_field(
        tmp_path: Path) -> None:
    """`line.split(",")[3] == "Medan"`, the city being field 2 (seed-7 dev count-01): its 0
    disagrees with a count, is not taken, and the feedback names the field that holds the
    value and its header; a zero of a failing search alone is no answer either (coder)."""
    table = "id,name,city,plan\n" + "".join(
        f"{i},P{i},{'Medan' if i % 3 == 0 else 'Fez'},{'pro' if i % 2 else 'free'}\n"
        for i in range(30))
    wrong = ('n = 0\nfor line in customers.splitlines():\n'
             '    if line.split(",")[3] == "Medan":\n        n += 1\nsubmit(n)')
    tool = 'submit(count_rows(customers, "city", "Medan"))'
    right = ('n = 0\nfor line in customers.splitlines():\n'
             '    if line.split(",")[2] == "Medan":\n        n += 1\nsubmit(n)')
    model = FakeModel([tool, wrong, right, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "customers: str, question: str -> answer: int",
        "Count the rows whose city column is Medan.", customers=table)
    assert out.ok and out.answer == 10 and out.iterations == 2
    assert "No line of customers has 'Medan' in field 3 of line.split(\",\"), which that " \
        "script tests; it is field 2 ('city' in its first line), as in this line:\n" \
        "0,P0,Medan,free" in model.prompts[2]


SERVERS = "server,rack\n" + "".join(f"SER-{100 + i},RAC-{i % 5}\n" for i in range(20))
RACKS = "rack,site\n" + "".join(f"RAC-{i},SIT-{70 + i}\n" for i in range(5))
SITES = "site,city\n" + "".join(f"SIT-{70 + i},{c}\n" for i, c in enumerate(
    ["Lisbon", "Ghent", "Quito", "Oslo", "Perth"]))
HOP_SIG = "servers: str, racks: str, sites: str, question: str -> answer: str"
HOP_Q = "What is the city of the site of the rack of server SER-107?"
TO_SITE = ('rack = [r for r in records(servers) if r["server"] == "SER-107"][0]["rack"]\n'
           'submit([r for r in records(racks) if r["rack"] == rack][0]["site"])')
TO_CITY = ('rack = [r for r in records(servers) if r["server"] == "SER-107"][0]["rack"]\n'
           'site = [r for r in records(racks) if r["rack"] == rack][0]["site"]\n'
           'submit([r for r in records(sites) if r["site"] == site][0]["city"])')


def test_an_answer_a_hop_short_of_the_join_is_sent_back_once(tmp_path: Path, capsys) -> None:
    """SIT-72 is the site of the record of sites whose city the question asks (seed-7
    dev three-hop-03, taken as a lone answer): sent back once with that record's line;
    in the last round it is no answer, and the run ends uncertain (coder)."""
    model = FakeModel([TO_SITE, TO_CITY])
    out = runtime(model, tmp_path, profile="coder").run(
        HOP_SIG, HOP_Q, servers=SERVERS, racks=RACKS, sites=SITES)
    assert "'SIT-72' is the site of a record of sites; the question asks for its city, a " \
        "hop further:\nSIT-72,Quito" in model.prompts[1]
    assert out.ok and out.answer == "Quito"
    assert replays_identically(tmp_path / "run.log", capsys)
    stubborn = FakeModel([TO_SITE] * 3)
    out = runtime(stubborn, tmp_path / "b", profile="coder",
                  budgets={"iterations": 1}).run(
        HOP_SIG, HOP_Q, servers=SERVERS, racks=RACKS, sites=SITES)
    assert out.status == "uncertain"


def test_a_sub_model_answer_of_the_snippets_words_is_taken_as_the_snippet_writes_it(
        tmp_path: Path, capsys) -> None:
    """Asked with the task's "separated by commas" copied into its question, the sub-model
    answered 'falcon, window' for the line's "falcon window" (seed-7 dev multi-needle-02):
    the answer is the snippet's own text; words it does not write stay as said (coder)."""
    text = "Guest INC-58393 chose the pass phrase falcon window.\n" * 3
    script = ('line = find_line(context, "INC-58393")\n'
              'submit(llm.predict("What is the pass phrase? Answer separated by commas.", '
              'text=line))')
    model = FakeModel([script, script], sub_answers=["falcon, window", "falcon, window"])
    out = runtime(model, tmp_path, profile="coder", policy=LLM, budgets={"iterations": 1}).run(
        SIG, "What is the pass phrase of guest INC-58393?", context=text)
    assert out.answer == "falcon window"
    assert replays_identically(tmp_path / "run.log", capsys)
    other = FakeModel([script], sub_answers=["an eagle"])
    out = runtime(other, tmp_path / "b", profile="coder", policy=LLM,
                  budgets={"iterations": 1}).run(
        SIG, "What is the pass phrase of guest INC-58393?", context=text)
    assert out.answer == "an eagle"


def test_evaluating_the_fixed_prefix_is_the_models_time(tmp_path: Path) -> None:
    """The card's prefix, evaluated afresh after it changed, is half a minute of the
    model's prefill; the bench counted it as the runtime's overhead. It is the run's
    `warm_seconds`, which the bench's model time includes."""
    import time as clock

    class Warming(FakeModel):
        def warm_prefix(self, prefix: str) -> str:
            clock.sleep(0.05)
            return "saved"

    out = runtime(Warming([GOOD]), tmp_path, profile="coder").run(SIG, QUESTION,
                                                                   context=CONTEXT)
    assert out.ok and out.stats["warm_seconds"] >= 0.05


# (a loop over the words for a count of lines is no vote at all: task/units.py)
_WORD_LOOP = ('n = 0\nfor ln in context.splitlines():\n    if ln.startswith("beta") and '
              'ln.endswith("beta"):\n        n += 1\nsubmit(n)')
_ENDS = ('both = [ln for ln in context.splitlines() if ln.startswith("alpha") and '
         'ln.endswith("alpha")]\nsubmit(len(both))')
_ALL_WORDS = 'submit(len(lines_with_all(context, ["alpha", "beta"])))'
_LINE_LOOP = ('n = 0\nfor line in context.splitlines():\n    if "alpha" in line and "beta" in '
              'line:\n        n += 1\nprint(n)\nsubmit(n)')
_ZERO_Q = "How many lines contain both of the words 'alpha' and 'beta'?"


def test_a_zero_the_scripts_agree_on_is_checked_once(tmp_path: Path, capsys) -> None:
    """Two scripts that count nothing agree on 0 (a test of one word for two words, a
    test that no line passes): the zero is sent back once, and the next round's count is
    taken; a zero written again after the check is taken as well (coder)."""
    text = "alpha and beta\nonly alpha\nbeta alpha again\nnone\nalpha, beta\n" * 4
    int_sig = "context: str, question: str -> answer: int"
    model = FakeModel([_WORD_LOOP, _ENDS, _ALL_WORDS, _LINE_LOOP])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        int_sig, _ZERO_Q, context=text)
    assert "Your scripts agree on 0, but 0 is also what a count or a sum gives" \
        in model.prompts[2]  # the first of round 2
    assert out.ok and out.answer == 12 and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)
    none = "alpha only\nbeta only\n" * 10
    # (a search tool's zero where its search finds nothing is no vote: task/searches.py)
    listed = ('both = [ln for ln in context.splitlines() if "alpha" in ln and "beta" in ln]'
              '\nsubmit(len(both))')
    again = FakeModel([_WORD_LOOP, _ENDS, listed, _LINE_LOOP])
    out = runtime(again, tmp_path / "b", profile="coder", budgets={"candidates": 2}).run(
        int_sig, _ZERO_Q, context=none)
    assert out.ok and out.answer == 0 and out.iterations == 2
    assert replays_identically(tmp_path / "b" / "run.log", capsys)
    tiny = FakeModel([_WORD_LOOP, _ENDS])  # the tiny profile takes it at once
    out = runtime(tiny, tmp_path / "c", budgets={"candidates": 2}).run(
        int_sig, _ZERO_Q, context=text)
    assert out.answer == 0 and out.iterations == 1


def test_a_share_of_the_whole_the_scripts_agree_on_is_checked_once(tmp_path: Path,
                                                                   capsys) -> None:
    """Two scripts that divide the matching hosts by themselves agree on 100.0 for "What
    percentage ...": sent back once, like a zero, and the next round's share is taken."""
    hosts = "host,rack\n" + "".join(f"h{i},R{25 if i % 4 == 0 else 26}\n" for i in range(40))
    itself = ('hits = [r for r in records(hosts) if r["rack"] == "R25"]\n'
              'submit(round(len(hits) / len(hits) * 100, 1))')
    wrapped = ('def racked(rows: list[dict[str, str]]) -> int:\n'
               '    return sum(1 for r in rows if r["rack"] == "R25")\n'
               'hits = [r for r in records(hosts) if r["rack"] == "R25"]\n'
               'submit(round(racked(hits) / len(hits) * 100, 1))')
    right = ('rows = records(hosts)\nhits = [r for r in rows if r["rack"] == "R25"]\n'
             'submit(round(len(hits) / len(rows) * 100, 1))')
    right_too = ('n = count_where(hosts, "rack", "R25")\n'
                 'submit(round(n * 100 / len(records(hosts)), 1))')
    model = FakeModel([itself, wrapped, right, right_too])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "hosts: str, question: str -> answer: float",
        "What percentage of the hosts have rack R25? Round to 1 decimal.", hosts=hosts)
    assert "Your scripts agree on 100.0, but 100.0 is also what dividing the matching " \
        "records by themselves gives" in model.prompts[2]
    assert out.ok and out.answer == 25.0 and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)


def test_a_share_of_the_whole_confirmed_only_in_the_last_round_is_not_taken(
        tmp_path: Path) -> None:
    """Dev percentage-03: 100.0 (the Gentoo count over itself) gained its second
    computation in the last round and outvoted 35.7; with no round left to send it back
    in, the run ends uncertain rather than take it."""
    hosts = "host,rack\n" + "".join(f"h{i},R{25 if i % 4 == 0 else 26}\n" for i in range(40))
    itself = ('hits = [r for r in records(hosts) if r["rack"] == "R25"]\n'
              'submit(len(hits) / len(hits) * 100)')
    itself_too = ('n = count_where(hosts, "rack", "R25")\n'
                  'm = count_where(hosts, "rack", "R25")\nsubmit(n / m * 100)')
    model = FakeModel([itself, 'fail("no")', itself_too, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(
        "hosts: str, question: str -> answer: float",
        "What percentage of the hosts have rack R25?", hosts=hosts)
    assert out.status == "uncertain" and out.iterations == 2


PROSE_REVIEWS = "\n".join(
    f"Review {i}: " + ("Terrible hinge, it broke within a week and support never replied."
                       if i % 5 == 0 else "Sturdy and quiet, it does the job as described.")
    for i in range(40))


def test_a_meaning_judged_by_words_the_model_chose_is_checked_once(tmp_path: Path) -> None:
    """"How many of the reviews are negative?" over prose that never writes "negative":
    two scripts that count the lines holding words they chose agree; the answer is sent
    back once with the way to ask the sub-model, and given again it is taken."""
    chosen = ('n = 0\nfor line in context.splitlines():\n    if "Terrible" in line:\n'
              '        n += 1\nsubmit(n)')
    chosen_too = 'submit(len([ln for ln in context.splitlines() if "broke" in ln]))'
    model = FakeModel([chosen, chosen_too, chosen, chosen_too])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2},
                  policy=LLM).run(
        "context: str, question: str -> answer: int", "How many of the reviews are negative?",
        context=PROSE_REVIEWS)
    assert "The question asks about 'negative', which the input never writes, and your " \
        "scripts decide it by words they chose ('Terrible', 'broke')" in model.prompts[2]
    assert "(the input has 40 lines, and a script may make 20 sub-model calls): for each " \
        "group of 4 lines" in model.prompts[2]  # one call a line would be refused
    assert out.ok and out.answer == 8 and out.iterations == 2
    named = FakeModel([chosen.replace("Terrible", "negative")] * 2 + [chosen_too] * 2)
    out = runtime(named, tmp_path / "b", profile="coder", budgets={"candidates": 2},
                  policy=LLM).run(
        "context: str, question: str -> answer: int", "How many of the reviews mention a "
        "hinge?", context=PROSE_REVIEWS)
    assert all("words they chose" not in p for p in named.prompts)


def test_a_concept_the_text_says_in_other_words_is_asked_of_the_sub_model(
        tmp_path: Path) -> None:
    """A keyword of the question the prose never writes: where the run grants the
    sub-model, the failure says to ask it about each part (coder)."""
    notes = ("## Notes from Accra\nThe budget for the harbour was approved.\n"
             "## Notes from Perth\nPeople spoke of the ballots and the candidates.\n") * 3
    script = ('for section in context.split("## "):\n    if "mayor" in section.lower():\n'
              '        submit(section.split("\\n")[0])\nfail("no section about a mayor")')
    q = "Which section is about people choosing a mayor? Give its title."
    model = FakeModel([script, GOOD])
    runtime(model, tmp_path, profile="coder", policy=LLM).run(SIG, q, context=notes)
    assert "stopped at fail('no section about a mayor')" in model.prompts[1]
    assert "'mayor' is written nowhere in the input: the text may say it in other words" \
        in model.prompts[1]
    plain = FakeModel([script, GOOD])
    runtime(plain, tmp_path / "b", profile="coder").run(SIG, q, context=notes)
    assert "other words" not in plain.prompts[1]  # no sub-model granted
    # beside another script's answer (not confirmed), the hint is said too
    first = 'submit(context.splitlines()[0])'
    both = FakeModel([script, first, GOOD, GOOD])
    runtime(both, tmp_path / "c", profile="coder", policy=LLM,
            budgets={"candidates": 2}).run(SIG, q, context=notes)
    assert "'mayor' is written nowhere in the input" in both.prompts[2]


def test_the_runs_one_answer_is_taken_at_its_end_when_no_later_round_answers(
        tmp_path: Path, capsys) -> None:
    """Round 1's greedy script answers alone, and every later round fails: the answer the
    last round would have taken had it given it again is taken at the run's end, from
    its round (replay alike), rather than reported uncertain."""
    broken = ['submit(find_line(contxt, "badge 4820"))', 'submit(len(missing_1))',
              'submit(len(missing_2))', 'submit(len(missing_3))', 'submit(len(missing_4))']
    model = FakeModel([GOOD, *broken])
    out = runtime(model, tmp_path, profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX" and out.iterations == 3
    submit = [e["data"] for e in read_events(tmp_path / "run.log") if e["kind"] == "submit"]
    assert submit[0]["from_iteration"] == 1 and submit[0]["iteration"] == 3
    assert replays_identically(tmp_path / "run.log", capsys)
    assert check_chain(tmp_path / "run.log") == []
    # nor an answer no greedy draw gave (a zero never is: test_a_lone_count_of_nothing_...)
    model = FakeModel([broken[0], GOOD, *broken[1:]])
    out = runtime(model, tmp_path / "b", profile="coder",
                  budgets={"candidates": 2, "iterations": 3}).run(SIG, QUESTION, context=CONTEXT)
    assert out.status == "uncertain"


def test_a_script_that_stopped_is_told_what_its_searches_found(tmp_path: Path) -> None:
    """Stopped at its own fail() after a search that found every door's line: the next
    round hears how many lines it found, not "if it found nothing" (coder)."""
    script = ('hits = find_lines(context, "opened door")\nif len(hits) != 1:\n'
              '    fail("not one line")\nsubmit(hits[0])')
    model = FakeModel([script, GOOD])
    runtime(model, tmp_path, profile="coder").run(SIG, QUESTION, context=CONTEXT)
    assert "What its searches found: find_lines(context, \"opened door\") finds 3000 items" \
        in model.prompts[1]
    assert "If it found nothing" not in model.prompts[1]


def test_answers_that_agree_once_rounded_as_asked_are_one_answer(tmp_path: Path,
                                                                   capsys) -> None:
    """"Round to 1 decimal.": one script submits the share unrounded, another rounds it;
    both are 33.9, one answer confirmed by two scripts (replay alike)."""
    table = "id,year\n" + "".join(f"{i},{2008 if i % 3 == 0 else 2007}\n" for i in range(1, 334))
    q = "What percentage of the penguins have year 2008? Round to 1 decimal."
    raw = ('rows = records(penguins)\nhits = [r for r in rows if r["year"] == "2008"]\n'
           'submit(100 * len(hits) / len(rows))')
    rounded = ('n = 0\nfor r in records(penguins):\n    if r["year"] == "2008":\n        n += 1\n'
               'submit(round(100 * n / len(records(penguins)), 1))')
    model = FakeModel([raw, rounded])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        "penguins: str, question: str -> answer: float", q, penguins=table)
    assert out.ok and out.answer == 33.3 and out.iterations == 1
    assert replays_identically(tmp_path / "run.log", capsys)


ASSETS = ("asset_tag,owner,serial,location\n"
          + "".join(f"AT-{60000 + 7 * i},Owner {i % 40},SN-{900000 + i},City {i % 9}\n"
                    for i in range(300))
          + "AT-66844,Mara Kim,SN-W2B76ZFM,Izmir\n")


def test_another_field_of_the_asked_record_is_no_vote(tmp_path: Path, capsys) -> None:
    """Two scripts that take the wrong index of the asked record's line agree on its
    owner: no vote, and the model is told which field it read and which the question asks
    for (coder); replay counts them the same way."""
    owner = 'line = find_line(context, "AT-66844")\nsubmit(line.split(",")[1])'
    owner_too = ('hits = [x for x in context.splitlines() if x.startswith("AT-66844")]\n'
                 'submit(hits[0].split(",")[1].strip())')
    serial = ('for row in records(context):\n    if row["asset_tag"] == "AT-66844":\n'
              '        submit(row["serial"])\nfail("no such asset")')
    serial_too = 'submit(find_line(context, "AT-66844,").split(",")[2])'
    model = FakeModel([owner, owner_too, serial, serial_too])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, "What is the serial number of asset AT-66844?", context=ASSETS)
    assert ("'Mara Kim': the owner of the record of AT-66844, not its serial"
            in model.prompts[2])
    assert out.ok and out.answer == "SN-W2B76ZFM" and out.iterations == 2
    assert all(v["value"] != "Mara Kim" for v in out.vote)
    assert replays_identically(tmp_path / "run.log", capsys)


SECTIONS = "".join(f"## Notes from {city}\nThe {what} was the talk of the week.\n\n"
                   for city, what in [("Arusha 84", "fire on the quay, put out by the crews"),
                                      ("Leeds 67", "new bridge")] * 20)


def test_an_answer_a_never_true_test_of_a_question_word_left_is_no_vote(
        tmp_path: Path, capsys) -> None:
    """A loop that tests each title for a word of the question the input never writes
    ends on its last title, submitted by two scripts (dev s19, 'Leeds 67' for the section
    "about a blaze"): what the test found for nothing is no vote, and the model is told
    why; replay counts it the same way."""
    leak = ('for section in context.split("## Notes from ")[1:]:\n'
            '    title = section.split("\\n")[0]\n'
            '    if "blaze" in title.lower():\n        break\nsubmit(title)')
    leak_too = ('title = ""\nfor part in context.split("## Notes from ")[1:]:\n'
                '    title = part.splitlines()[0]\n'
                '    if "blaze" in part:\n        break\nsubmit(title)')
    model = FakeModel([leak, leak_too, 'fail("no")', 'fail("no")'])
    q = "Which section is about a blaze and how it was put out? Give its title."
    out = runtime(model, tmp_path, profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(SIG, q, context=SECTIONS)
    assert not out.ok and all(v["value"] != "Leeds 67" for v in out.vote)
    assert ("That script submitted 'Leeds 67', but 'blaze' is written nowhere in the input, "
            "so the test \"blaze\" in title.lower() is never true") in model.prompts[2]
    assert replays_identically(tmp_path / "run.log", capsys)



def test_a_guess_beside_a_script_that_read_the_data_and_stopped_says_its_error(
        tmp_path: Path) -> None:
    """One script wrote the answer in, another read the line and stopped on int() of a
    text that runs on after the number: the model is told both, for the second is the
    nearer answer (told only of the guess, the 1.5B wrote it again three rounds)."""
    guess = 'submit("K7-19QX")'
    crash = ('line = find_line(context, "badge 4820")\n'
             'n = int(line.split("badge ")[1])\nsubmit(str(n))')
    model = FakeModel([guess, crash, GOOD, GOOD_TOO])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        SIG, QUESTION, context=CONTEXT)
    assert out.ok and out.answer == "K7-19QX"
    told = model.prompts[2]
    assert "written into the script, not computed from context" in told
    assert "Another script of this round read the data and stopped:" in told
    assert "'4820: access code K7-19QX issued' is not a number" in told
    assert 'n = int(line.split("badge ")[1])' in told  # the line it stopped at


INC_LOCKERS = "\n".join(f"Minutes of meeting {i}: nothing to report." for i in range(400))
INC_LOCKERS += "\nThe code for locker INC-65021 is 4812.\nThe code for locker INC-29595 is 1207.\n"
LOCKER_SIG = "context: str, question: str -> answer: int"
LOCKER_Q = "What is the sum of the codes of locker INC-65021 and locker INC-29595?"
KEY_SIDE = ('codes = [int(line.split(" is ")[0].split("The code for locker ")[1]) '
            'for line in context.splitlines() if "locker INC-" in line]\nsubmit(sum(codes))')


def test_the_key_converted_as_a_number_is_told_and_the_value_after_it_shown(
        tmp_path: Path) -> None:
    """int() of the part of "The code for locker INC-65021 is 4812." before " is ": the
    model is told that is the question's key, shown its line and what value_after reads
    after it (told only "extract_int(text)", it would read 65021). (Where the int()
    reads a split's first piece, task/split_side.py mends the script instead.)"""
    model = FakeModel([KEY_SIDE, 'fail("no")'])
    runtime(model, tmp_path, profile="coder", budgets={"iterations": 2}).run(
        LOCKER_SIG, LOCKER_Q, context=INC_LOCKERS)
    told = model.prompts[1]
    assert "to_int: 'INC-65021' is not a number" in told
    assert "'INC-65021' is what the question looks up (the key), not the value it asks for" \
        in told
    assert "The code for locker INC-65021 is 4812." in told
    assert 'On that line, value_after(line, "INC-65021") is \'4812\'.' in told


def test_an_echoed_key_is_shown_what_value_after_reads_after_it(tmp_path: Path) -> None:
    keys = ('codes = [line.split("The code for locker ")[1].split(" is ")[0] '
            'for line in context.splitlines() if "locker INC-" in line]\nsubmit(codes[0])')
    model = FakeModel([keys, 'fail("no")'])
    runtime(model, tmp_path, profile="coder", budgets={"iterations": 2}).run(
        "context: str, question: str -> answer: str", "What is the code of locker INC-29595?",
        context=INC_LOCKERS.replace("The code for locker INC-65021 is 4812.\n", ""))
    told = model.prompts[1]
    assert "which the question itself gives" in told
    assert 'On that line, value_after(line, "INC-29595") is \'1207\'.' in told


def test_an_echoed_list_is_shown_the_line_of_a_key_the_question_names() -> None:
    """Of all the lockers' keys, the line shown is one the question looks up (dev
    multi-needle-01 was shown SKU-22717's line for SKU-82717 and SKU-43625)."""
    from rlmlang.controller.prompt import echo_message

    told = echo_message(["INC-65021", "INC-29595"], "What is the code of locker INC-29595?",
                        [INC_LOCKERS])
    assert "It stands on this line of the input:\nThe code for locker INC-29595 is 1207." \
        in told
    # the keys' digits (fresh dev multi-needle-01): the line of a key they are the digits of
    told = echo_message(["65021", "29595"], "What is the code of locker INC-29595?",
                        [INC_LOCKERS])
    assert "It stands on this line of the input:\nThe code for locker INC-29595 is 1207." \
        in told


def test_a_guess_beside_a_printed_computation_is_shown_what_was_printed(tmp_path: Path) -> None:
    """The 1.5B's loop found the terminal and printed it, then submitted another value
    written in, and told only that it was a guess it wrote the same submit again (dev
    lookup-05): the feedback shows what the script printed."""
    guess = ('line = find_line(context, "badge 4820")\nprint(value_after(line, "access code"))\n'
             'submit("Q1-0000")')
    model = FakeModel([guess, GOOD])
    runtime(model, tmp_path, profile="coder").run(SIG, QUESTION, context=CONTEXT)
    assert "That script submitted 'Q1-0000', written into the script, but what it computed " \
        "from context and printed was:\nK7-19QX\nSubmit the value the script " \
        "computes" in model.prompts[1]
    from rlmlang.controller.prompt import guess_message
    assert "which it did not compute" in guess_message("Q1-0000", ["context"], printed="Q1-0000\n")


KEYS = "".join(f"2024-04-{i % 28 + 1:02d} rotated api key for tenant t-{i}: new key sk_{i:04x}9f{i}\n"
               for i in range(400))
KEY_SIG = "context: str, question: str -> answer: str"
KEY_Q = "What new api key was issued for tenant t-211?"
CUT = 'line = find_line(context, "tenant t-211:")\nsubmit(line.split("sk_")[1].strip())'
CUT_TOO = ('for line in lines_with(context, ["tenant t-211:"]):\n'
           '    submit(line.split("new key sk_")[-1])')
WHOLE = 'line = find_line(context, "tenant t-211:")\nsubmit(line.split(" ")[-1])'


@pytest.mark.parametrize(("value", "cut"), [
    ("00d39f211", ("sk_00d39f211", KEYS.splitlines()[211])),  # split at "sk_"
    ("sk_00d39f21", ("sk_00d39f211", KEYS.splitlines()[211])),  # the end cut off
    ("sk_00d39f211", None),  # the whole token
    ("t-211", None),  # a part of no token ("-" and ":" stand between)
    ("ab12", None),  # not in the data
    ("new key", None),  # words the data writes so
    ("ew key sk", ("new key sk_00009f0", KEYS.splitlines()[0])),  # words cut at both ends
    ("2024", None),  # no letter: a number inside a longer one may be a count's
])
def test_a_part_of_a_longer_token_is_a_cut_one(value: str, cut: tuple[str, str] | None) -> None:
    from rlmlang.task.answers import cut_token
    assert cut_token(value, [KEYS]) == cut


def test_a_cut_answer_is_sent_back_once_with_the_whole_token(tmp_path: Path, capsys) -> None:
    """Dev needle-04: the 1.5B split "new key sk_f961636f17" at "sk_", and two scripts
    agreed on 'f961636f17'. Sent back once with the whole token, the token then submitted
    is the correction (taken at once, as a part of a copied line is, replay alike); the
    part submitted again is taken."""
    model = FakeModel([CUT, CUT_TOO, WHOLE, 'fail("no")'])
    out = runtime(model, tmp_path, profile="coder", budgets={"candidates": 2}).run(
        KEY_SIG, KEY_Q, context=KEYS)
    assert "Your answer '00d39f211' is written in the data only as a part of the longer " \
        "'sk_00d39f211', in this line:\n2024-04-16 rotated api key for tenant t-211: " \
        "new key sk_00d39f211" in model.prompts[2]
    assert out.answer == "sk_00d39f211" and out.iterations == 2
    assert replays_identically(tmp_path / "run.log", capsys)
    stubborn = FakeModel([CUT, CUT_TOO] * 3)
    out = runtime(stubborn, tmp_path / "b", profile="coder", budgets={"candidates": 2}).run(
        KEY_SIG, KEY_Q, context=KEYS)
    assert out.answer == "00d39f211" and out.iterations == 2


def test_an_empty_text_answer_is_shown_the_line_of_what_the_question_names(
        tmp_path: Path) -> None:
    """Fresh dev string-transform-03: `contacts.split("Sana W. Tanaka")[1].split(" ",
    1)[0]` over whitespace-aligned columns gave '', and the model was told that its
    search found nothing, three rounds. It is shown the line of the name, and what an
    empty piece of a split is."""
    contacts = "name            phone\n" + "".join(
        f"Ann B. Cole{i:<5}   +41 {100 + i} 2000\n" for i in range(40)) + \
        "Sana W. Tanaka     +32 563 3438\n"
    cut = ('phone = contacts.split("Sana W. Tanaka")[1].split(" ", 1)[0]\n'
           'submit(phone.replace("+", "").replace(" ", ""))\n')
    model = FakeModel([cut, cut])
    runtime(model, tmp_path, profile="coder").run(
        "contacts: str, question: str -> answer: str",
        "Take the phone number of contact Sana W. Tanaka and keep only its digits.",
        contacts=contacts)
    assert "Sana W. Tanaka     +32 563 3438" in model.prompts[1]
    assert "An empty text is what a split gives between two separators" in model.prompts[1]
    assert "the search found nothing" not in model.prompts[1]
