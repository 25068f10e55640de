"""A Pygments lexer for RLM script (`*.rlm`), registered as `rlm`.

Why a lexer of our own: the audit report shows every script the model wrote,
and a reader scans a highlighted script far faster than plain text. The
lexer is registered through Pygments' `pygments.lexers` entry point (see
pyproject.toml), so any tool built on Pygments (Sphinx, MkDocs, `pygmentize
-l rlm`) picks it up once rlmlang is installed.

The token rules follow grammar/rlm.lark: the keywords and literals are the
grammar's, types are the names after `as`, `->` and `:` in a header, and a
dotted call (`llm.predict(`) or a `state.key` reference is marked as a
builtin, since it is an effect the verifier checked.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

KEYWORDS = ("if", "elif", "else", "for", "in", "while", "decreases", "def", "return",
            "break", "continue", "pass", "and", "or", "not", "as")
STATEMENTS = ("submit", "fail", "print")
CONSTANTS = ("True", "False", "None")
TYPES = ("int", "float", "bool", "str", "none", "list", "dict")


class RlmLexer(RegexLexer):
    """Lexer for RLM script, the language rlmlang's models write."""

    name = "RLM script"
    aliases: ClassVar[list[str]] = ["rlm", "rlmscript"]
    filenames: ClassVar[list[str]] = ["*.rlm"]
    mimetypes: ClassVar[list[str]] = ["text/x-rlm"]
    url = "https://example.invalid/rlmlang"

    tokens: ClassVar[dict] = {
        "root": [
            (r"\n", Whitespace),
            (r"[ \t]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r"(def)(\s+)([A-Za-z_]\w*)(\s*)(\()",
             bygroups(Keyword, Whitespace, Name.Function, Whitespace, Punctuation), "params"),
            (r"(as)(\s+)", bygroups(Keyword, Whitespace), "type"),
            (r"(->)(\s*)", bygroups(Operator, Whitespace), "type"),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(STATEMENTS, suffix=r"\b(?=\s*\()"), Keyword.Reserved),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (r"(state)(\.)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)",
             bygroups(Name.Builtin.Pseudo, Punctuation, Name.Attribute)),
            (r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?=\s*\()", Name.Builtin),
            (r"[A-Za-z_]\w*(?=\s*\()", Name.Function),
            (r"[A-Za-z_]\w*", Name),
            (r"[0-9]+\.[0-9]+", Number.Float),
            (r"0|[1-9][0-9]*", Number.Integer),
            (r'"', String.Double, "dqs"),
            (r"'", String.Single, "sqs"),
            (r"\+=|-=|\*=|==|!=|<=|>=|//|[-+*/%<>=]", Operator),
            (r"[()\[\]{},:.]", Punctuation),
            (r".", Text),
        ],
        "dqs": [
            (r'\\[nrt"\'\\]', String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", Whitespace, "#pop"),  # an unclosed string ends at the line end
            (r"\\", String.Double),
        ],
        "sqs": [
            (r'\\[nrt"\'\\]', String.Escape),
            (r"[^'\\\n]+", String.Single),
            (r"'", String.Single, "#pop"),
            (r"\n", Whitespace, "#pop"),
            (r"\\", String.Single),
        ],
        # def f(name: type, ...): the parameter list.
        "params": [
            (r"\s+", Whitespace),
            (r"([A-Za-z_]\w*)(\s*)(:)", bygroups(Name.Variable, Whitespace, Punctuation),
             "type"),
            (r",", Punctuation),
            (r"\)", Punctuation, "#pop"),
            (r"", Text, "#pop"),
        ],
        # One type: int, list[str], dict[str, int], {name: str, n: int}.
        "type": [
            (r"[ \t]+", Whitespace),
            (words(TYPES, suffix=r"\b"), Keyword.Type),
            (r"[A-Za-z_]\w*", Keyword.Type),
            (r"\[", Punctuation, "typeargs"),
            (r"\{", Punctuation, "record"),
            (r"", Text, "#pop"),
        ],
        "typeargs": [
            (r"\s+", Whitespace),
            (r",", Punctuation),
            (r"\]", Punctuation, "#pop"),
            (r"[A-Za-z_]\w*", Keyword.Type),
            (r"\[", Punctuation, "typeargs"),
            (r"\{", Punctuation, "record"),
            (r"", Text, "#pop"),
        ],
        "record": [
            (r"\s+", Whitespace),
            (r"[A-Za-z_]\w*(?=\s*:)", Name.Attribute),
            (r"[,:]", Punctuation),
            (r"\}", Punctuation, "#pop"),
            (r"[A-Za-z_]\w*", Keyword.Type),
            (r"\[", Punctuation, "typeargs"),
            (r"\{", Punctuation, "record"),
            (r"", Text, "#pop"),
        ],
    }
