"""Key lines: the lines of a big input that hold the question's terms, shown to a coder model
beside the input's first lines (task/key_lines.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.task.key_lines import key_lines, question_terms

LOG = "\n".join(f"2024-09-01T12:{i % 60:02d}:00Z INFO [gateway] session created req={i:06x}"
                for i in range(5000))
LOG += "\nbadge 9876: access code M9-20CJ\n" + LOG


def test_terms_are_the_questions_specific_runs_longest_first() -> None:
    assert question_terms("What is the access code of badge 9876?")[-2:] == ["badge 9876",
                                                                                "9876"]
    terms = question_terms("On which floor does Priya A. Ahmed work?")
    assert "Priya A. Ahmed" in terms and "Ahmed" in terms and "On" not in terms
    assert terms.index("Priya A. Ahmed") < terms.index("Ahmed")
    # A run does not cross a sentence's end or a comma; an imperative opener is no term.
    terms = question_terms("What are the codes of locker SKU-82717 and locker SKU-43625? "
                           "Answer in that order, separated by commas.")
    assert "locker SKU-43625" in terms and not any("Answer" in t for t in terms)
    assert question_terms("how many lines are there?") == []


def test_the_line_deep_in_the_input_is_found_once() -> None:
    found = key_lines(LOG, "What is the access code of badge 9876?", limit=4)
    assert found == [("badge 9876", ["badge 9876: access code M9-20CJ"], False)]  # not '9876' again


def test_matching_is_whole_words_without_case_and_skips_what_is_shown() -> None:
    text = "id,city\n1,perth\n2,Perthshire\n3,PERTH\n4,Perth\n"
    # two shown, and a third holds it: said, never counted
    assert key_lines(text, "How many rows have city Perth?", limit=4, per_term=2) == [
        ("Perth", ["1,perth", "3,PERTH"], True)]
    assert key_lines(text, "How many rows have city Perth?", limit=1,
                     skip=("1,perth",)) == [("Perth", ["3,PERTH"], True)]
    assert key_lines(text, "How many rows have city Perth?", limit=4, per_term=3) == [
        ("Perth", ["1,perth", "3,PERTH", "4,Perth"], False)]
    assert key_lines(text, "How many rows are there?", limit=4) == []
    assert key_lines(text, "Which city is Oslo?", limit=4) == []


def test_a_long_line_is_cut() -> None:
    text = "x" * 50 + "\nkey K-1 " + "y" * 400 + "\n"
    [(term, [line], more)] = key_lines(text, "What is K-1?", limit=2, width=40)
    assert term == "K-1" and line == ("key K-1 " + "y" * 32 + "…") and not more


GOOD = 'line = find_line(context, "badge 9876")\nsubmit(value_after(line, "access code"))'


def test_the_coder_task_shows_key_lines_and_the_tiny_one_does_not(tmp_path: Path) -> None:
    question = "What is the access code of badge 9876?"
    sig = "context: str, question: str -> answer: str"
    coder = FakeModel([GOOD])
    out = Runtime(coder, grammar=False, log_path=tmp_path / "c.log", profile="coder",
                  budgets={"candidates": 1}).run(sig, question, context=LOG)
    assert out.answer == "M9-20CJ"
    assert "lines of context with 'badge 9876':\n  | badge 9876: access code M9-20CJ\n" \
        in coder.prompts[0]
    tiny = FakeModel([GOOD])
    Runtime(tiny, grammar=False, log_path=tmp_path / "t.log", profile="tiny",
            budgets={"candidates": 1}).run(sig, question, context=LOG)
    assert "M9-20CJ" not in tiny.prompts[0]


def test_the_task_says_when_more_lines_hold_a_term_than_it_shows(tmp_path: Path) -> None:
    """Shown two lines of a country table with 'Japan', of four, the 1.5B counted the cars
    of those two makers (a probe of real data): the heading says more lines hold it, and
    never how many."""
    makers = "".join(f"maker{i} = {'Japan' if i % 7 == 3 else 'Chile'}\n" for i in range(300))
    model = FakeModel(['submit(str(len(find_lines(makers, "Japan"))))'])
    Runtime(model, grammar=False, log_path=tmp_path / "m.log", profile="coder",
            budgets={"candidates": 1}).run("makers: str, question: str -> answer: str",
                                           "Which makers are from Japan?", makers=makers)
    assert "  some lines of makers with 'Japan' (more lines hold it):\n  | maker3 = Japan\n" \
        in model.prompts[0]
