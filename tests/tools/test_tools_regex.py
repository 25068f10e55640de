"""Regexes run in linear time (RE2), and bad patterns are plain tool errors."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tools_helpers import call

from rlmlang.tools.errors import ToolError


def test_catastrophic_pattern_is_fast() -> None:
    text = "a" * 200_000 + "!"
    start = time.perf_counter()
    assert call("regex_search", "(a+)+$", text) == ""
    assert call("regex_findall", "(a|aa)+b", text) == []
    assert call("regex_search", "(x+x+)+y", "x" * 100_000) == ""
    # Python's backtracking engine needs ~2**n steps here; RE2 is linear.
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("pattern", ["(", "[a-", "(a)\\1", "(?=a)b", "(?<=a)b"])
def test_invalid_pattern_is_a_tool_error(pattern: str) -> None:
    with pytest.raises(ToolError, match="invalid regular expression") as e:
        call("regex_search", pattern, "abc")
    assert e.value.fix and "RE2" in e.value.fix


def test_groups_pick_group_one() -> None:
    line = "badge 4820: access code K7-19QX issued"
    assert call("regex_search", r"code (\S+)", line) == "K7-19QX"
    assert call("regex_findall", r"(\d+)-", "a 12-x 7-y") == ["12", "7"]
    assert call("regex_search", "zzz", line) == ""


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab1 -", max_size=40),
       st.sampled_from([r"a+", r"\d+", r"[ab]{2}", r"(b)a", r"a|1", r"\s"]))
def test_matches_python_on_simple_patterns(t: str, pattern: str) -> None:
    m = re.search(pattern, t)
    want = "" if m is None else (m.group(1) if m.re.groups else m.group(0))
    assert call("regex_search", pattern, t) == want
    assert call("regex_findall", pattern, t) == re.findall(pattern, t)
