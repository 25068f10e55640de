"""The comments and blank lines of a script's source, placed for the printer.

The grammar ignores comments (they are not part of the model's language), so
the AST has none. `rlm fmt` recovers them from the source text and hands them
to the one printer as a plain value: `print_script(script, comments)`.

The printer writes one line per statement or block header (`if`, `elif`,
`else`, `for`, `while`, `def`), in source order; the source has the same
lines, each a *logical line* (one that continues inside brackets or a
triple-quoted string counts once). So comments are placed by line number:

- A comment after code on a logical line's last line trails that line
  (`x = 1  # note`: two spaces, then the comment).
- Any other comment inside a logical line (inside brackets, before the line
  ends) goes on its own line before it: the printer puts the whole statement
  on one line.
- A comment on a line of its own between two logical lines stays there, at
  the depth of one of the blocks open at that point: the deepest whose
  indentation is at most the comment's column (so a comment indented under
  the last statement of a block stays at the end of that block, and one at
  the next statement's column goes before it). Its text is kept as written,
  trailing whitespace aside.
- Blank lines between two lines of the script are kept, each run of them as
  one blank line, except at the start of the file, at the start of a block
  and at the end of the file. Blank lines inside a statement's brackets go.

Strings are recognised with the grammar's own STRING and FSTRING terminals,
so a `#` inside "...", '''...''' or f"{...}" is not a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rlmlang.syntax import ast
from rlmlang.syntax.parser import _parser


@dataclass(frozen=True)
class CommentLine:
    """A line of its own: a comment ('#...') or a blank line (''), at a block depth."""

    depth: int
    text: str


@dataclass(frozen=True)
class Comments:
    """The comments of a script, by the printer's lines (one per statement or header).

    `before[i]` are the lines printed before line i, `trailing[i]` the comment
    after it (or None), `end` the lines after the last one.
    """

    before: tuple[tuple[CommentLine, ...], ...]
    trailing: tuple[str | None, ...]
    end: tuple[CommentLine, ...] = ()

    def texts(self) -> list[str]:
        """The comments' texts, in the order they are printed (blank lines aside)."""
        out: list[str] = []
        for before, trailing in zip(self.before, self.trailing, strict=True):
            out.extend(c.text for c in before if c.text)
            if trailing is not None:
                out.append(trailing)
        out.extend(c.text for c in self.end if c.text)
        return out


@dataclass(frozen=True)
class _Logical:
    first: int  # line numbers, 1-based
    last: int
    col: int  # 0-based column of its first character


@dataclass(frozen=True)
class _Comment:
    line: int
    col: int
    text: str
    own_line: bool  # nothing but spaces before it on its line


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    """One token of the source: a string (the grammar's own terminals, tried in the
    lexer's order: f-strings, then strings, then names, so that r"..." and f"..." are
    strings), a name or number, a comment, a line end, a bracket, spaces, anything else."""
    lark = _parser()[0]
    fstring = lark.get_terminal("FSTRING").pattern.to_regexp()
    string = lark.get_terminal("STRING").pattern.to_regexp()
    comment = lark.get_terminal("COMMENT").pattern.to_regexp()
    return re.compile(
        rf"(?P<str>{fstring}|{string})|(?P<word>[A-Za-z0-9_]+)|(?P<comment>{comment})"
        r"|(?P<nl>\n)|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<space>[ \t\r\f]+)|(?P<other>.)")


def _scan(text: str) -> tuple[list[_Logical], list[_Comment], int]:
    """The logical lines and the comments of `text`, and its number of lines."""
    logical: list[_Logical] = []
    comments: list[_Comment] = []
    line, line_start, depth = 1, 0, 0
    start: tuple[int, int] | None = None  # (line, col) of the open logical line
    code_on_line = False
    for m in _token_re().finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "nl":
            if start is not None and depth == 0:
                logical.append(_Logical(start[0], line, start[1]))
                start = None
            line, line_start, code_on_line = line + 1, m.end(), False
            continue
        col = m.start() - line_start
        if kind == "comment":
            comments.append(_Comment(line, col, m.group().rstrip(), not code_on_line))
            continue
        if start is None:
            start = (line, col)
        code_on_line = True
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "str":
            breaks = m.group().count("\n")
            if breaks:
                line += breaks
                line_start = m.start() + m.group().rfind("\n") + 1
    if start is not None:
        logical.append(_Logical(start[0], line, start[1]))
    return logical, comments, line


def _depths(block: tuple[ast.Stmt, ...], depth: int) -> Iterator[int]:
    """The depth of each line the printer writes for `block`, in order."""
    for s in block:
        yield depth
        if isinstance(s, ast.If):
            for i, (_, body) in enumerate(s.branches):
                if i:
                    yield depth  # elif
                yield from _depths(body, depth + 1)
            if s.orelse is not None:
                yield depth  # else
                yield from _depths(s.orelse, depth + 1)
        elif isinstance(s, (ast.For, ast.While)):
            yield from _depths(s.body, depth + 1)
            if s.orelse is not None:
                yield depth  # else
                yield from _depths(s.orelse, depth + 1)
        elif isinstance(s, ast.Def):
            yield from _depths(s.body, depth + 1)


def line_depths(script: ast.Script) -> list[int]:
    """The block depth of each line the printer writes for `script`."""
    return list(_depths(script.body, 0))


def _normalise(text: str) -> str:
    """The text as the parser reads it: no BOM, LF line ends, a final line end."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def collect_comments(text: str, script: ast.Script) -> Comments:
    """The comments and blank lines of `text`, the source `script` was parsed from,
    placed by the printer's lines (see the module docstring for where each goes)."""
    text = _normalise(text)
    depths = line_depths(script)
    logical, found, n_lines = _scan(text)
    if len(logical) != len(depths):
        raise ValueError(f"the source has {len(logical)} logical lines and the script "
                         f"{len(depths)}: it is not the text this script was parsed from")
    inside: dict[int, int] = {}  # physical line -> index of the logical line it is part of
    for i, lg in enumerate(logical):
        for n in range(lg.first, lg.last + 1):
            inside[n] = i
    by_line = {c.line: c for c in found}
    n = len(depths)
    before: list[list[CommentLine]] = [[] for _ in range(n)]
    trailing: list[str | None] = [None] * n
    end: list[CommentLine] = []
    cols: list[int] = []  # the indentation of each open block, by depth
    # Each logical line's own comments: trailing on its last line, else before it.
    for c in found:
        i = inside.get(c.line)
        if i is None:
            continue
        if c.line == logical[i].last and not c.own_line:
            trailing[i] = c.text
        else:
            before[i].append(CommentLine(depths[i], c.text))
    # The lines between logical lines: comments of their own and blank lines.
    for i in range(n + 1):
        if i:
            cols[depths[i - 1]:] = [logical[i - 1].col]  # the blocks open after line i - 1
        opens_block = i < n and (i == 0 or depths[i] > depths[i - 1])
        if opens_block:
            cols.append(logical[i].col)
        # The depths a comment here can take: from the next line's (the file's end: 0)
        # to the last line's, or only the block's first line's after a header.
        lo = depths[i] if i < n else 0
        hi = lo if opens_block else depths[i - 1]
        gap: list[CommentLine] = []
        blank = False
        for ln in range(logical[i - 1].last + 1 if i else 1,
                        logical[i].first if i < n else n_lines + 1):
            c = by_line.get(ln)
            if c is None:
                blank = True
                continue
            d = max((d for d in range(lo, hi + 1) if cols[d] <= c.col), default=lo)
            if blank and (gap or not opens_block):
                gap.append(CommentLine(d, ""))
            blank = False
            gap.append(CommentLine(d, c.text))
        if i == n:
            end = gap  # blank lines at the end of the file go
        else:
            if blank and (gap or not opens_block):
                gap.append(CommentLine(lo, ""))
            before[i][:0] = gap
    return Comments(tuple(tuple(b) for b in before), tuple(trailing), tuple(end))
