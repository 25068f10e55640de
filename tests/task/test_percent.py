"""A fraction submitted for a percent is no vote; its fix-it submits the percent
(task/percent.py)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel  # tests/fakes.py

from rlmlang.controller.loop import Runtime
from rlmlang.task.percent import as_percent, fraction_for_percent

CARRIERS = ["DHL", "FedEx", "UPS", "FedEx", "GLS", "UPS"]  # DHL: 1 of 6, 16.7%
SHIPMENTS = "tracking;carrier\n" + "".join(
    f"PKG-{1000 + i};{CARRIERS[i % 6]}\n" for i in range(600))
QUESTION = "What share of the shipments, in percent to 1 decimal, have DHL as carrier?"
FRACTION = ('num = 0\n'
            'for r in records(shipments):\n'
            '    if r["carrier"] == "DHL":\n'
            '        num += 1\n'
            'share = num / len(records(shipments))\n'
            'print(share)\n'
            'submit(share)\n')


def test_a_fraction_asked_as_a_percent_is_told_and_mended() -> None:
    said = fraction_for_percent(FRACTION, 0.2, QUESTION)
    assert said is not None and said.startswith(
        "the question asks for a percent, and that script submits a fraction, 0.2")
    assert as_percent(FRACTION, 0.2, QUESTION).endswith("submit(share * 100)\n")
    assert fraction_for_percent(FRACTION, 0.2, "What fraction of the shipments go by "
                                "DHL?") is None  # a fraction asked for
    hundred = FRACTION.replace("num / len", "100 * num / len")
    assert fraction_for_percent(hundred, 0.2, QUESTION) is None  # a percent below 1
    assert fraction_for_percent(FRACTION, 16.7, QUESTION) is None
    assert fraction_for_percent('submit(0.5)\n', 0.5, QUESTION) is None  # no division


def test_the_percent_wins_the_vote_in_the_controller(tmp_path: Path) -> None:
    """Fresh dev percentage-08 (seed 20261213): three scripts divided and agreed on the
    fraction; set aside, their fix-its' percent is the answer."""
    other = FRACTION.replace('print(share)\n', '')
    model = FakeModel([FRACTION, other, FRACTION, other])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 2, "iterations": 2}).run(
        "shipments: str, question: str -> answer: float", QUESTION, shipments=SHIPMENTS)
    assert out.ok and out.answer == 16.7
    assert all(v["value"] != 0.2 for v in out.vote)
