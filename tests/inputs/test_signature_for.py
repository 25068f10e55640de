"""Signatures from the inputs given: any names, any number, none; types from the values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeModel  # tests/fakes.py (conftest.py puts tests/ on the path)

from rlmlang.controller.loop import Runtime
from rlmlang.diagnostics import DiagnosticError
from rlmlang.task.inputs import bind_value, parse_input_flags
from rlmlang.task.signature import parse_signature, signature_for, type_of_value
from rlmlang.types import parse_type

PEOPLE = "badge,name,manager\n2196,Ana Ruiz,Bo Chen\n11,Bo Chen,Cy Diaz\n"
ORG = "name: Bo Chen\nrole: Director\n\nname: Cy Diaz\nrole: CEO\n"


def test_named_inputs_in_order_then_the_question() -> None:
    sig = signature_for("Who?", {"people": "x", "org": Path("/no/such.txt")})
    assert str(sig) == "people: str, org: str, question: str -> answer: str"
    assert str(signature_for("Why?", {})) == "question: str -> answer: str"
    assert str(signature_for(None, {"data": "x"})) == "data: str -> answer: str"
    assert str(signature_for("q", {"question": "x", "answer": "y"}, "int")) == \
        "question: str, answer: str -> result: int"
    assert parse_signature(str(signature_for("q", {"a": "x"}, "list[str]"))).output.type == \
        parse_type("list[str]")


def test_json_files_are_their_values(tmp_path: Path) -> None:
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"name": "Ana", "badge": 2196}, {"name": "Bo", "badge": 11}]))
    rates = tmp_path / "rates.jsonl"
    rates.write_text('{"eur": 1, "usd": 1.1}\n{"eur": 2, "usd": 2.25}\n')
    mixed = tmp_path / "mixed.json"
    mixed.write_text('[1, "a", null]')
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    sig = signature_for("q", {"people": people, "rates": rates, "mixed": mixed,
                              "broken": broken})
    assert str(sig) == ("people: list[{name: str, badge: int}], rates: list[dict[str, float]], "
                        "mixed: str, broken: str, question: str -> answer: str")
    # The binder reads them as the signature types them, JSON Lines included.
    types = sig.input_types()
    assert bind_value("rates", rates.read_text(), types["rates"]) == [
        {"eur": 1, "usd": 1.1}, {"eur": 2, "usd": 2.25}]
    assert bind_value("people", people.read_text(), types["people"])[1]["badge"] == 11


def test_type_of_value() -> None:
    assert str(type_of_value({"a": 1, "b": 2.5})) == "dict[str, float]"
    assert str(type_of_value({"a": 1, "b": "x"})) == "{a: int, b: str}"
    assert type_of_value({"eol-lts": 1, "b": "x"}) is None  # no one type, no field names
    assert type_of_value([{"a": 1}, {"b": 1}]) is not None  # dict[str, int] twice
    assert type_of_value([{"a": 1, "b": "x"}, {"a": 2}]) is None
    assert type_of_value([None]) is None
    assert str(type_of_value([[1], [2.0]])) == "list[list[float]]"


def test_bad_names_are_usage_errors() -> None:
    with pytest.raises(DiagnosticError, match="not a name a script can use"):
        signature_for("q", {"for": "x"})
    with pytest.raises(DiagnosticError, match="no one type fits"):
        signature_for("q", {"xs": [1, "a"]})
    with pytest.raises(DiagnosticError, match="E_USAGE|bad --input"):
        parse_input_flags(["bad name=1"])


def _runtime(model: FakeModel, tmp_path: Path) -> Runtime:
    return Runtime(model, grammar=False, log_path=tmp_path / "run.log",
                   budgets={"candidates": 1})


def test_two_named_inputs_run_without_a_signature(tmp_path: Path) -> None:
    (tmp_path / "people.txt").write_text(PEOPLE)
    (tmp_path / "org.txt").write_text(ORG)
    inputs = {"people": tmp_path / "people.txt", "org": tmp_path / "org.txt"}
    q = "Who does the person with badge 2196 report to, and what is their role?"
    script = ('boss = where(people, "badge", 2196)[0]["manager"]\n'
              'submit(boss + ", " + where(org, "name", boss)[0]["role"])')
    out = _runtime(FakeModel([script]), tmp_path).run(signature_for(q, inputs), q, **inputs)
    assert out.ok and out.answer == "Bo Chen, Director"


def test_no_input_at_all(tmp_path: Path) -> None:
    q = "How many days are there in a leap year?"
    out = _runtime(FakeModel(["submit(str(365 + 1))"]), tmp_path).run(signature_for(q, {}), q)
    assert out.ok and out.answer == 366


@pytest.mark.parametrize("question, output", [
    ("How many packages have Priority: required?", "int"),
    ("  how many lines hold both 'disk' and 'error'?", "int"),
    ("What is the number of stations in Fiji?", "int"),
    ("How many days are there in a leap year?", "int"),
    ("How many hours did the outage last?", "str"),  # a measure may be fractional
    ("How many percent of the reviews are negative?", "str"),
    ("How many cars per household are there on average?", "str"),
    ("Which package has the largest Installed-Size?", "str"),
    ("Count the lines, then say how many there are.", "str"),
])
def test_a_how_many_question_asks_for_a_whole_number(question: str, output: str) -> None:
    assert str(signature_for(question, {"data": "x"}).output.type) == output
    assert str(signature_for(question, {"data": "x"}, "str").output.type) == "str"


def test_rlm_run_forms_the_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI: no --signature, two named file inputs, --output int."""
    import rlmlang.controller.loop as loop
    from rlmlang.cli import main

    seen: dict[str, str] = {}

    class Scripted(loop.Runtime):
        def __init__(self, backend: object, **kw: object) -> None:
            kw.pop("model", None)
            super().__init__(FakeModel(['submit(count_where(people, "manager", "Bo Chen"))'] * 2),
                             **{**kw, "grammar": False})

        def run(self, signature, task=None, **inputs):  # type: ignore[no-untyped-def]
            seen["signature"] = str(signature)
            return super().run(signature, task, **inputs)

    monkeypatch.setattr(loop, "Runtime", Scripted)
    (tmp_path / "people.txt").write_text(PEOPLE)
    (tmp_path / "org.txt").write_text(ORG)
    code = main(["run", "How many people report to Bo Chen?", "--input",
                 f"people=@{tmp_path / 'people.txt'}", "--input",
                 f"org=@{tmp_path / 'org.txt'}", "--output", "int", "--no-log", "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip() == "1"
    assert seen["signature"] == "people: str, org: str, question: str -> answer: int"


def test_rlm_exec_reads_json_files_as_rlm_run_types_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rlmlang.cli import main

    (tmp_path / "rates.jsonl").write_text('{"eur": 1, "usd": 1.5}\n{"eur": 2, "usd": 3}\n')
    (tmp_path / "s.rlm").write_text('print(len(rates))\nsubmit(sum(numbers(rates, "usd")))\n')
    code = main(["exec", str(tmp_path / "s.rlm"), "--input", f"rates=@{tmp_path / 'rates.jsonl'}"])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.split() == ["2", "4.5"]
    # With :str the file stays text, which the reader reads as JSON Lines.
    (tmp_path / "t.rlm").write_text('submit(str(count_where(rates, "usd > 2")))\n')
    code = main(["exec", str(tmp_path / "t.rlm"), "--input",
                 f"rates:str=@{tmp_path / 'rates.jsonl'}"])
    assert code == 0 and capsys.readouterr().out.strip() == "1"
