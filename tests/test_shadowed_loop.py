"""A `for` variable that takes the name of an earlier value of another type.

The 1.5B's three-hop join wrote `site = rack["site"]` and then `for site in sites: if
site["site"] == site:`, refused three rounds running for the name's type (dev
three-hop-03); in Python the test would compare each row with itself. The fix-it renames
the loop's variable where it is used as the item (indexed by a field name) and keeps
the earlier value everywhere else; the result runs through the pipeline as one more
candidate."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeModel

from rlmlang.controller.fixits import shadowed_loop_name
from rlmlang.controller.loop import Runtime
from rlmlang.diagnostics import Diagnostic
from rlmlang.runlog import read_events

RACKS = "server,site\n" + "".join(f"SER-{i},S-{i % 7}\n" for i in range(50))
SITES = "site,city\n" + "".join(f"S-{i},{c}\n" for i, c in enumerate(
    ["Graz", "Ghent", "Turku", "Porto", "Brno", "Lyon", "Cork"]))
SHADOWED = ('racks = records(racks)\nsites = records(sites)\ncity = ""\n'
            'for rack in racks:\n    if rack["server"] == "SER-39":\n'
            '        site = rack["site"]\n        break\n'
            'for site in sites:\n    if site["site"] == site:\n'
            '        city = site["city"]\n        break\nsubmit(city)\n')


def refused(line: int, got: str = "dict[str, str]") -> Diagnostic:
    from rlmlang.diagnostics import Span
    return Diagnostic("E_TYPE", "'site' is str (since line 6); a name keeps its type",
                      Span(line, 1, line, 2), data={"name": "site", "was": "str", "got": got,
                                                    "rebindable": True})


def test_the_loop_variable_is_renamed_where_it_is_the_item() -> None:
    fixed = shadowed_loop_name(SHADOWED, [refused(8)])
    assert fixed is not None
    assert 'for site_row in sites:\n    if site_row["site"] == site:\n' \
        '        city = site_row["city"]\n' in fixed
    assert 'site = rack["site"]' in fixed  # the earlier value stays
    # not where the diagnostic points elsewhere, the new value is no dict, or the body
    # binds the name itself
    assert shadowed_loop_name(SHADOWED, [refused(4)]) is None
    assert shadowed_loop_name(SHADOWED, [refused(8, "list[str]")]) is None
    binds = SHADOWED.replace('        city = site["city"]\n',
                             '        city = site["city"]\n        site = city\n')
    assert shadowed_loop_name(binds, [refused(8)]) is None


def test_the_renamed_script_runs_as_a_candidate(tmp_path: Path) -> None:
    model = FakeModel([SHADOWED, 'fail("no")', 'fail("no")'])
    out = Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 3}).run(
        "racks: str, sites: str, question: str -> answer: str",
        "In which city is the site of the rack holding server SER-39?",
        racks=RACKS, sites=SITES)
    fixits = [e["data"] for e in read_events(tmp_path / "run.log")
              if e["kind"] == "generation" and e["data"]["stop_reason"] == "fixit"]
    assert fixits and "for site_row in sites:" in fixits[0]["text"]
    answers = [e["data"]["answer"] for e in read_events(tmp_path / "run.log")
               if e["kind"] == "output" and e["data"]["status"] == "submitted"]
    assert answers[0] == "Brno"  # SER-39 is on S-4
    assert out.answer == "Brno"


def test_a_loop_variable_named_like_an_input_is_renamed_before_other_fixits(
        tmp_path: Path) -> None:
    """`for racks in rows:` over the input racks' records (fresh dev inject-14's `for
    staff in staffs:`): the checker reads `racks["site"]` as an index into the input's
    text, whose fix-it made a list of every record's field; the loop variable's rename
    comes first, and its script answers."""
    script = ('rows = records(racks)\nsite = ""\nfor racks in rows:\n'
              '    if racks["server"] == "SER-39":\n        site = racks["site"]\n        break\n'
              'submit(site)\n')
    model = FakeModel([script, 'fail("no")', 'fail("no")'])
    Runtime(model, grammar=False, log_path=tmp_path / "run.log", profile="coder",
                  budgets={"candidates": 1, "iterations": 3}).run(
        "racks: str, question: str -> answer: str", "Which site holds server SER-39?",
        racks=RACKS)
    fixits = [e["data"]["text"] for e in read_events(tmp_path / "run.log")
              if e["kind"] == "generation" and e["data"]["stop_reason"] == "fixit"]
    assert fixits and "for racks_row in rows:" in fixits[0]
    answers = [e["data"]["answer"] for e in read_events(tmp_path / "run.log")
               if e["kind"] == "output" and e["data"]["status"] == "submitted"]
    assert answers[0] == "S-4"
