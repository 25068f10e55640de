"""The RLM Pygments lexer: found through the entry point, and lexes every real script."""

from pathlib import Path

import pytest
from pygments.token import Error, Keyword, Name, String

from rlmlang.highlight import RlmLexer

ROOT = Path(__file__).resolve().parents[2]


def test_pygments_finds_the_lexer_by_name_and_filename() -> None:
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    assert isinstance(get_lexer_by_name("rlm"), RlmLexer)
    assert isinstance(get_lexer_for_filename("task.rlm"), RlmLexer)


def test_the_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="pygments.lexers") if ep.name == "rlm"]
    assert eps and eps[0].load() is RlmLexer


def _tokens(src: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in RlmLexer().get_tokens(src) if v.strip()]


def test_tokens_of_the_language_constructs() -> None:
    toks = dict((v, t) for t, v in _tokens(
        'def f(text: str) -> list[str]:\n    return [text]\n'
        'x = llm.predict("q", text=context) as {a: int}\nstate.notes = "n"\nsubmit(x)\n'))
    assert toks["def"] in Keyword and toks["f"] in Name.Function
    assert toks["llm.predict"] in Name.Builtin
    assert toks["state"] in Name.Builtin.Pseudo and toks["notes"] in Name.Attribute
    assert toks["submit"] in Keyword and toks["str"] in Keyword.Type
    assert toks["a"] in Name.Attribute and toks["int"] in Keyword.Type
    assert toks['"'] in String


def test_an_unclosed_string_stops_at_the_line_end() -> None:
    toks = _tokens('x = "open\ny = 1\n')
    assert (Name, "y") in toks


@pytest.mark.parametrize("path", sorted((ROOT / "stdlib").glob("*.rlm"))
                         + sorted((ROOT / "examples").glob("*.rlm")), ids=lambda p: p.name)
def test_every_shipped_script_lexes_without_error_tokens(path: Path) -> None:
    src = path.read_text()
    toks = list(RlmLexer().get_tokens(src))
    assert "".join(v for _, v in toks).rstrip("\n") == src.rstrip("\n")  # nothing lost
    assert not [v for t, v in toks if t in Error]
