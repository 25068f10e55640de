"""The vote's feedback says how much evidence each answer has: draws are not scripts."""

from __future__ import annotations

from rlmlang.task.vote import Tally

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
