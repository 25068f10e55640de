"""Bad input never produces a traceback: each case is a clear diagnostic, or is
accepted where it is valid (BOM, CRLF, no final newline). Large and deeply
nested inputs are rejected quickly, without recursion."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rlmlang.syntax import ast
from rlmlang.syntax.parser import MAX_DEPTH, MAX_EXPR_DEPTH, MAX_SCRIPT_BYTES, parse, parse_file

VALID = 'n = len(context)\nif n > 0:\n    print("some")\nsubmit(str(n))\n'


def only(result, code: str, pattern: str):  # type: ignore[no-untyped-def]
    assert result.script is None
    assert len(result.diagnostics) == 1, result.diagnostics
    d = result.diagnostics[0]
    assert d.code == code and pattern in d.message, d
    return d


@pytest.mark.parametrize("data", [b"", "", b"   \n\n  \t\n", "\n\n\n", b"\xef\xbb\xbf"])
def test_empty_and_whitespace_only(data: bytes | str) -> None:
    only(parse(data), "E_INPUT", "empty")


def test_comments_only_is_empty() -> None:
    only(parse("# nothing here\n    # nor here\n"), "E_INPUT", "only comments")


def test_binary_file() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    d = only(parse(png, "image.png"), "E_INPUT", "binary")
    assert d.file == "image.png" and d.line == 3  # after the header's two \n


def test_utf16_file() -> None:
    only(parse(VALID.encode("utf-16")), "E_INPUT", "UTF-16")


def test_non_utf8_bytes_point_at_the_byte() -> None:
    d = only(parse(b'x = 1\ny = "caf\xe9"\n'), "E_INPUT", "not valid UTF-8")
    assert (d.line, d.col) == (2, 9)
    assert "0xe9" in d.message and d.fix


def test_nul_in_text() -> None:
    only(parse("x = 1\x00\n"), "E_INPUT", "NUL")


@pytest.mark.parametrize("size", [MAX_SCRIPT_BYTES + 1, 10_000_000])
def test_oversized_file_is_rejected_quickly(size: int) -> None:
    data = (b"x = 1\n" * (size // 6 + 1))[:size]
    t0 = time.perf_counter()
    d = only(parse(data, "big.rlm"), "E_INPUT", "at most")
    assert time.perf_counter() - t0 < 1.0
    assert d.fix and "--input" in d.fix
    only(parse(data.decode(), "big.rlm"), "E_INPUT", "at most")  # str input too


def test_bom_is_accepted() -> None:
    assert parse(b"\xef\xbb\xbf" + VALID.encode()).script == parse(VALID).script
    assert parse("\ufeff" + VALID).ok


def test_crlf_is_accepted_with_the_same_tree_and_lines() -> None:
    crlf = parse(VALID.replace("\n", "\r\n").encode())
    assert crlf.ok and crlf.script == parse(VALID).script
    assert crlf.script.body[-1].span.line == 4  # type: ignore[union-attr]
    mixed = VALID.replace("\n", "\r\n", 2)
    assert parse(mixed).script == parse(VALID).script


def test_crlf_error_positions_match_lf() -> None:
    bad = 'x = 1\nif x > 0\n    print("a")\n'
    lf = parse(bad).diagnostics
    crlf = parse(bad.replace("\n", "\r\n")).diagnostics
    assert [(d.line, d.col, d.message) for d in lf] == [(d.line, d.col, d.message) for d in crlf]
    assert lf[0].line == 2


def test_lone_carriage_return_is_a_diagnostic() -> None:
    r = parse("x = 1\ry = 2\n")
    assert r.script is None and r.diagnostics[0].code == "E_SYNTAX"


def test_no_trailing_newline() -> None:
    assert parse(VALID.rstrip("\n")).script == parse(VALID).script
    assert parse("x = 1").ok
    d = parse("x = 1\nif x > 0:").diagnostics[0]
    assert d.line == 2 and "indented block" in d.message
    d = parse('x = "open').diagnostics[0]
    assert d.line == 1 and "not closed" in d.message


def test_block_nesting_at_the_limit_and_past_it() -> None:
    def nested(depth: int) -> str:
        return "".join("    " * i + "if True:\n" for i in range(depth)) + "    " * depth + "pass\n"

    assert parse(nested(MAX_DEPTH)).ok
    d = only(parse(nested(MAX_DEPTH + 1)), "E_DEPTH", f"more than {MAX_DEPTH} deep")
    assert d.line == MAX_DEPTH + 2
    r = parse(nested(500))  # far past the limit: still one diagnostic, no recursion
    assert r.script is None and r.diagnostics[0].code == "E_DEPTH"


@pytest.mark.parametrize("opener, closer", [("(", ")"), ("[", "]")])
def test_ten_thousand_nested_brackets(opener: str, closer: str) -> None:
    text = "x = " + opener * 10_000 + "1" + closer * 10_000 + "\n"
    t0 = time.perf_counter()
    d = only(parse(text), "E_DEPTH", "brackets are nested")
    assert time.perf_counter() - t0 < 2.0
    assert d.line == 1 and d.col == 4 + MAX_EXPR_DEPTH + 1


def test_unclosed_megabyte_of_brackets() -> None:
    only(parse("x = " + "(" * (MAX_SCRIPT_BYTES - 10)), "E_DEPTH", "brackets are nested")


@pytest.mark.parametrize("prefix", ["-", "not "])
def test_long_runs_of_prefix_operators(prefix: str) -> None:
    text = "x = " + prefix * 100_000 + "1\n"
    t0 = time.perf_counter()
    only(parse(text), "E_DEPTH", "prefix operators")
    assert time.perf_counter() - t0 < 2.0
    assert parse("x = " + prefix * (MAX_EXPR_DEPTH - 1) + "1\n").ok


def test_deep_expression_trees() -> None:
    ok = "x = " + " + ".join(["1"] * MAX_EXPR_DEPTH) + "\n"  # depth MAX_EXPR_DEPTH - 1
    assert parse(ok).ok
    deep = "x = " + " + ".join(["1"] * 5000) + "\n"
    only(parse(deep), "E_DEPTH", "expression is nested")
    calls = "x = " + "f(" * 60 + "g(1)" + ")" * 60 + "\n"
    assert parse(calls).ok


def test_long_valid_script() -> None:
    text = "".join(f"x{i} = {i} + 1\n" for i in range(3000))
    r = parse(text)
    assert r.ok and len(r.script.body) == 3000  # type: ignore[union-attr]


def test_long_line_and_long_string() -> None:
    assert parse('s = "' + "a" * 500_000 + '"\n').ok
    assert parse("x = [" + ", ".join(["1"] * 20_000) + "]\n").ok


def test_huge_literals_are_diagnostics() -> None:
    only(parse("n = " + "9" * 5000 + "\n"), "E_SYNTAX", "too large")
    only(parse("f = " + "9" * 400 + ".0\n"), "E_SYNTAX", "too large")


def test_parse_file_errors(tmp_path: Path) -> None:
    d = only(parse_file(tmp_path / "missing.rlm"), "E_INPUT", "cannot read")
    assert d.file.endswith("missing.rlm")
    only(parse_file(tmp_path), "E_INPUT", "cannot read")  # a directory
    f = tmp_path / "ok.rlm"
    f.write_bytes(VALID.encode())
    r = parse_file(f)
    assert r.ok and isinstance(r.script, ast.Script)


def test_many_errors_are_reported_together() -> None:
    text = "class A:\n    pass\ny = 0x1F\nz = f(**d)\n"
    r = parse(text)
    assert [d.line for d in r.diagnostics] == [1, 3, 4]


def test_a_valid_line_with_python_words_in_strings_is_not_blamed() -> None:
    text = 'a = "import os ** 2"  # lambda\nb = "x is None"\nc = 1 +\n'
    r = parse(text)
    assert [d.line for d in r.diagnostics] == [3]
