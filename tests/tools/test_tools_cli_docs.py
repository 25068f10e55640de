"""`rlm tools`, `rlm doc`, and docs/stdlib.md generated from the registry."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from rlmlang.cli import main
from rlmlang.tools import default_registry
from rlmlang.tools.gendoc import render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_stdlib_md_is_up_to_date() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = render(default_registry(include_plugins=False).specs())
    got = (DOCS / "stdlib.md").read_text(encoding="utf-8")
    assert got == want, "docs/stdlib.md is stale: python -m rlmlang.tools.gendoc > docs/stdlib.md"


def test_tools_json_lists_every_tool(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--json", "--no-plugins"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["fs.read"]["permission"] == "fs.read:<path>"
    assert rows["fs.read"]["kind"] == "host" and rows["fs.read"]["effect"]
    assert rows["count_rows"]["kind"] == "skill" and rows["count_rows"]["in_prompt"]
    assert rows["mean"]["origin"] == "stdlib:numbers" and rows["mean"]["cost"] is None
    assert rows["len"]["signature"] == "len(x: ?) -> int"
    assert rows["llm.predict"]["castable"]


def test_tools_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--no-plugins", "--kind", "host"]) == 0
    out = capsys.readouterr().out
    for name in ("fs.read", "fs.list", "fs.write", "http.get", "clock.now", "llm.predict"):
        assert name in out
    assert "list[str]" in out  # rich markup must not eat the brackets


def test_doc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doc", "sum_where"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sum_where(text: str, sum_col: ?, where_col: ?, value: ?, sep: str")
    assert "cost (fuel)" in out and "example:" in out and "permission:  -" in out
    assert main(["doc", "http.get", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["permission"] == "net:<url>" and d["kind"] == "host"


def test_doc_unknown_tool_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doc", "find_lin"]) == 1
    err = capsys.readouterr().err
    assert "no tool named 'find_lin'" in err and "find_line" in err
