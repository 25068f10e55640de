"""`rlm fmt` keeps comments: where each kind goes, what is not a comment, blank lines.

Every case checks the whole contract: the formatted text is what the case says,
parses to the same AST as the source, and is a fixed point of formatting.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from rlmlang.cli import main
from rlmlang.syntax import ast
from rlmlang.syntax.comments import CommentLine, Comments, collect_comments, line_depths
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script

ROOT = Path(__file__).resolve().parents[2]
_RLM_BLOCK = re.compile(r"^```rlm\n(.*?)^```$", re.S | re.M)


def fmt(text: str) -> str:
    script = parse(text).script
    assert script is not None, parse(text).diagnostics
    return print_script(script, collect_comments(text, script))


def check(source: str, expected: str) -> None:
    source, expected = textwrap.dedent(source), textwrap.dedent(expected)
    out = fmt(source)
    assert out == expected
    assert parse(out).script == parse(source).script  # the same AST (spans aside)
    assert fmt(out) == out  # a fixed point


CASES = {
    "the issue's file": (
        "# top\nx = 1  # trailing\n# before submit\nsubmit(x)\n",
        "# top\nx = 1  # trailing\n# before submit\nsubmit(x)\n",
    ),
    "trailing: two spaces, text kept, trailing whitespace cut": (
        "x=1#tight   \ny = 2        #  wide  spaces inside  \t\n",
        "x = 1  #tight\ny = 2  #  wide  spaces inside\n",
    ),
    "before the first statement and at the file's end": (
        "#!/usr/bin/env rlm\n# about\nx = 1\n# the end\n# really\n",
        "#!/usr/bin/env rlm\n# about\nx = 1\n# the end\n# really\n",
    ),
    "inside a block, at its start and its end": (
        """\
        for x in [1, 2]:
          # first in the body
          print(str(x))
          # last in the body
        submit(1)
        """,
        """\
        for x in [1, 2]:
            # first in the body
            print(str(x))
            # last in the body
        submit(1)
        """,
    ),
    "a comment at the next statement's column goes before it": (
        """\
        if True:
            x = 1
        # about y
        y = 2
        """,
        """\
        if True:
            x = 1
        # about y
        y = 2
        """,
    ),
    "the deepest block whose indentation is at most the comment's column": (
        """\
        def f(n: int) -> int:
            if n > 0:
                return n
                    # deeper than any block: the innermost
              # between two depths: the outer one
            return 0
        # the file's end, indented under f
            # still in f
        """,
        """\
        def f(n: int) -> int:
            if n > 0:
                return n
                # deeper than any block: the innermost
            # between two depths: the outer one
            return 0
        # the file's end, indented under f
            # still in f
        """,
    ),
    "after a header and before elif and else": (
        """\
        x = 1
        if x > 0:  # positive
            y = 1
            # end of the if branch
        # before elif
        elif x < 0:  # negative
            y = 2
        else:  # zero
            # in else
            y = 3
        """,
        """\
        x = 1
        if x > 0:  # positive
            y = 1
            # end of the if branch
        # before elif
        elif x < 0:  # negative
            y = 2
        else:  # zero
            # in else
            y = 3
        """,
    ),
    "a comment at a header's body column stays in the body": (
        "while True:\n# odd\n    break\n",
        "while True:\n    # odd\n    break\n",
    ),
    "comments inside brackets go before the statement, the last line's trails": (
        """\
        xs = [1,  # one
              # two, on its own line

              2,
              3]  # three
        submit(xs)
        """,
        """\
        # one
        # two, on its own line
        xs = [1, 2, 3]  # three
        submit(xs)
        """,
    ),
    "a header across lines": (
        """\
        def f(a: int,  # the first
              b: int) -> int:  # sums
            return a + b
        """,
        """\
        # the first
        def f(a: int, b: int) -> int:  # sums
            return a + b
        """,
    ),
    "# inside strings is not a comment": (
        """\
        a = "# no" # yes 1
        b = 'it\\'s # no'  # yes
        c = r"\\# no"  # yes 2
        d = f"{a} # no {len('#')}"  # yes 3
        e = f'{b} # no {d["#"]}'
        g = \"\"\"# no
        # still no\"\"\"  # yes 4
        h = '''# no'''
        """,
        """\
        a = "# no"  # yes 1
        b = "it's # no"  # yes
        c = "\\\\# no"  # yes 2
        d = f"{a} # no {len('#')}"  # yes 3
        e = f"{b} # no {d['#']}"
        g = "# no\\n# still no"  # yes 4
        h = "# no"
        """,
    ),
    "blank lines: a run is one, none at the start of a block or the file's ends": (
        """\


        # top


        x = 1



        if x > 0:

            # in

            y = 2


        z = 3
        # end

        """,
        """\
        # top

        x = 1

        if x > 0:
            # in

            y = 2

        z = 3
        # end
        """,
    ),
    "a blank line before an end-of-block comment stays with it": (
        "for i in [1]:\n    x = i\n\n    # done\n\nsubmit(1)\n",
        "for i in [1]:\n    x = i\n\n    # done\n\nsubmit(1)\n",
    ),
    "a CRLF file with a BOM": (
        "\ufeffx = 1  # one\r\n# two\r\nsubmit(x)\r\n",
        "x = 1  # one\n# two\nsubmit(x)\n",
    ),
    "no final line end": (
        "x = 1  # one\n# last",
        "x = 1  # one\n# last\n",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_comment_placement(case: str) -> None:
    check(*CASES[case])


def test_a_file_without_comments_prints_as_before() -> None:
    text = "x = 1\nif x > 0:\n    submit(x)\n"
    script = parse(text).script
    assert script is not None
    comments = collect_comments(text, script)
    assert comments.texts() == [] and comments.end == ()
    assert print_script(script, comments) == print_script(script) == text


def test_the_comments_value() -> None:
    text = "# a\nif True:  # b\n    x = 1\n\n    # c\n# d\n"
    script = parse(text).script
    assert script is not None
    assert line_depths(script) == [0, 1]
    assert collect_comments(text, script) == Comments(
        before=((CommentLine(0, "# a"),), ()),
        trailing=("# b", None),
        end=(CommentLine(1, ""), CommentLine(1, "# c"), CommentLine(0, "# d")))
    assert collect_comments(text, script).texts() == ["# a", "# b", "# c", "# d"]


def test_comments_of_another_script_are_refused() -> None:
    text = "x = 1  # one\n"
    script = parse(text).script
    assert script is not None
    two = ast.Script((*script.body, ast.Pass()))
    with pytest.raises(ValueError, match="logical lines"):
        collect_comments(text, two)
    with pytest.raises(ValueError, match="another script's"):
        print_script(two, collect_comments(text, script))


def test_the_language_reference_quotes_rlm_fmt(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                               ) -> None:
    """docs/language.md's Formatting example: its second block is what `rlm fmt` prints
    for its first, a canonical file (`--check` passes), and -w turns the one into the other."""
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    after = text[text.index("**Formatting.**"):]
    source, printed = _RLM_BLOCK.findall(after)[:2]
    f = tmp_path / "example.rlm"
    f.write_text(source, encoding="utf-8")
    assert main(["fmt", str(f)]) == 0
    assert capsys.readouterr().out == printed
    assert main(["fmt", "--check", str(f)]) == 1
    assert f"{f}: not in canonical form" in capsys.readouterr().err
    assert main(["fmt", "-w", str(f)]) == 0
    assert f.read_text(encoding="utf-8") == printed
    assert main(["fmt", "--check", str(f)]) == 0
